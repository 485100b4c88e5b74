"""Pages. Thin: they call services and the access gate, and decide nothing about who sees what."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import render
from django.views.decorators.http import require_GET

from confide.accounts.models import MANAGER_KINDS, TRUSTEE_KIND, WORKER_KINDS
from confide.audit.models import AuditEvent, AuditHead
from confide.records.access import access_client, list_clients
from confide.records.models import Case, Note
from confide.web import describe

SMALL_NUMBER = 5  # figures below this are shown as "fewer than 5", so nobody is identifiable


@require_GET
def home(request):
    user = request.user
    kind = user.role_kind
    context = {"kind": kind}
    if kind in WORKER_KINDS or kind in MANAGER_KINDS:
        context["clients"] = list_clients(user)
    if kind == "data_controller":
        head = AuditHead.objects.get(pk=1)
        context["audit_head"] = head
    if kind == TRUSTEE_KIND:
        context["figures"] = anonymised_figures()
    if kind == "administrator":
        context["staff"] = get_user_model().objects.select_related("team").order_by("last_name", "first_name")
    return render(request, "web/home.html", context)


def anonymised_figures() -> list[dict]:
    """Open cases per service, with small numbers suppressed. No names, no ids."""
    from django.db.models import Count

    rows = (Case.objects.exclude(status=Case.Status.CLOSED).values("service")
            .annotate(n=Count("id")).order_by("service"))
    return [{"service": describe.service(row["service"]),
             "count": row["n"] if row["n"] >= SMALL_NUMBER else f"fewer than {SMALL_NUMBER}"} for row in rows]


@require_GET
def client_file(request, client_id: int):
    client = access_client(request.user, client_id, "direct_support")
    cases = list(client.cases.select_related("team").prefetch_related("workers"))
    for case in cases:
        case.service_label = describe.service(case.service)
    notes = Note.objects.filter(case__client=client).select_related("author", "case")[:100]
    return render(request, "records/client_file.html", {"client": client, "cases": cases, "notes": notes})


@require_GET
def record_of_access(request, client_id: int):
    """Who looked at this client's records, when and why (Home-Start 9.1: the Record of Access Form)."""
    client = access_client(request.user, client_id, "direct_support", action="client.record_of_access")
    events = AuditEvent.objects.filter(client_id=client.pk).order_by("-seq")[:500]
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in={e.actor_id for e in events if e.actor_id})}
    rows = [describe.access_row(event, users.get(event.actor_id)) for event in events]
    return render(request, "audit/record_of_access.html", {"client": client, "rows": rows})


@login_not_required
def csrf_failure(request, reason=""):
    return render(request, "web/csrf_failure.html", status=403)

"""Pages. Thin: they call services and the access gate, and decide nothing about who sees what."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from confide.accounts.models import MANAGER_KINDS, TRUSTEE_KIND, WORKER_KINDS
from confide.audit.actions import Action
from confide.audit.models import AuditEvent, AuditHead
from confide.records.access import access_client, list_clients
from confide.records.break_glass import review_queue
from confide.records.models import Case
from confide.sharing.access import approvals_waiting, consents_expiring_for, my_tasks
from confide.web import describe
from confide.web.forms import RecordLookupForm

SMALL_NUMBER = 5  # figures below this are shown as "fewer than 5", so nobody is identifiable


@require_GET
def home(request):
    user = request.user
    kind = user.role_kind
    context = {"kind": kind}
    if kind in WORKER_KINDS or kind in MANAGER_KINDS:
        clients = list_clients(user, limit=11)
        context["clients"], context["more_clients"] = clients[:10], len(clients) > 10
    context["reviews"] = review_queue(user).count() if kind != TRUSTEE_KIND else 0
    context["approvals"] = len(approvals_waiting(user))
    context["tasks"] = len(my_tasks(user))
    if kind in WORKER_KINDS or kind in MANAGER_KINDS:
        context["expiring"] = consents_expiring_for(user)
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


# Why a person may say they are reading a record of access. The engine decides whether that
# purpose lets this person read this client's records; the page only passes on what was said.
RECORD_OF_ACCESS_PURPOSES = {"direct_support": "I work with this client", "supervision": "Supervision or a review",
                             "audit": "Data protection audit"}


@require_GET
def record_of_access(request, client_id: int):
    """Who looked at this client's records, when and why (Home-Start 9.1: the Record of Access Form)."""
    purpose = request.GET.get("purpose", "direct_support")
    if purpose not in RECORD_OF_ACCESS_PURPOSES:
        return render(request, "web/error.html", {"status": 400, "title": "That purpose is not one Confide knows",
                                                  "message": "Go back and choose one from the list."}, status=400)
    client = access_client(request.user, client_id, purpose, action=Action.CLIENT_RECORD_OF_ACCESS).client
    events = AuditEvent.objects.filter(client_id=client.pk).order_by("-seq")[:500]
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in={e.actor_id for e in events if e.actor_id})}
    rows = [describe.access_row(event, users.get(event.actor_id)) for event in events]
    return render(request, "audit/record_of_access.html", {"client": client, "rows": rows})


@require_GET
def record_of_access_lookup(request):
    """Find a client's record of access by number, for people with no list of clients (the data
    controller answering "who has looked at my file?"). Whether it opens is the engine's answer."""
    form = RecordLookupForm(request.GET or None, purposes=RECORD_OF_ACCESS_PURPOSES)
    if request.GET and form.is_valid():
        url = reverse("web:record_of_access", args=[form.cleaned_data["client"]])
        return redirect(f"{url}?purpose={form.cleaned_data['purpose']}")
    return render(request, "audit/lookup.html", {"form": form}, status=400 if form.errors else 200)


@login_not_required
def csrf_failure(request, reason=""):
    return render(request, "web/csrf_failure.html", status=403)

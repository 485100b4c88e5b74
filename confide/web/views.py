"""Pages. Thin: they call services and the access gate, and decide nothing about who sees what."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET

from confide.audit.actions import Action
from confide.audit.models import AuditEvent, AuditHead
from confide.ids import record_id
from confide.policy import vocab
from confide.records.access import access_client, list_clients
from confide.records.break_glass import review_queue
from confide.records.models import OpenCaseCount
from confide.sharing.access import approvals_waiting, consents_expiring_for, my_tasks
from confide.web import describe
from confide.web.forms import RecordLookupForm

STAFF_SHOWN = 100  # staff accounts on an administrator's home page
SMALL_NUMBER = 5  # figures below this are shown as "fewer than 5", so nobody is identifiable


@require_GET
def home(request):
    user = request.user
    kind = user.role_kind
    context = {"kind": kind}
    if kind in vocab.CASEWORK_KINDS or kind in vocab.MANAGER_KINDS:
        clients = list_clients(user, limit=11)
        context["clients"], context["more_clients"] = clients[:10], len(clients) > 10
    context["reviews"] = review_queue(user).count() if kind not in vocab.NAMELESS_KINDS else 0
    context["approvals"] = len(approvals_waiting(user))
    context["tasks"] = len(my_tasks(user))
    if kind in vocab.CASEWORK_KINDS or kind in vocab.MANAGER_KINDS:
        context["expiring"] = consents_expiring_for(user)
    if kind in vocab.AUDITOR_KINDS:
        head = AuditHead.objects.get(pk=1)
        context["audit_head"] = head
    if kind in vocab.NAMELESS_KINDS:
        context["figures"] = anonymised_figures()
    if kind in vocab.ADMINISTRATOR_KINDS:
        # The first page of accounts only: a large service has thousands (issue 18: no page grows
        # with the organisation). The full list and its changes are staff records' (issue 16).
        staff = list(get_user_model().objects.select_related("team").order_by("last_name", "first_name", "id")
                     [:STAFF_SHOWN + 1])
        context["staff"], context["more_staff"] = staff[:STAFF_SHOWN], len(staff) > STAFF_SHOWN
    return render(request, "web/home.html", context)


def anonymised_figures() -> list[dict]:
    """Open cases per service, with small numbers suppressed. No names, no ids. Read from the counts
    the database keeps as cases change (records.OpenCaseCount), a row per service, not by counting
    every case on each page."""
    rows = OpenCaseCount.objects.filter(n__gt=0).order_by("service").values_list("service", "n")
    return [{"service": describe.service(service),
             "count": n if n >= SMALL_NUMBER else f"fewer than {SMALL_NUMBER}"} for service, n in rows]


# Why a person may say they are reading a record of access. The engine decides whether that
# purpose lets this person read this client's records; the page only passes on what was said.
# The purposes are vocab.RECORD_OF_ACCESS_PURPOSES; these are their words on the form.
_RECORD_OF_ACCESS_LABELS = {"direct_support": "I work with this client", "supervision": "Supervision or a review",
                            "audit": "Data protection audit"}
RECORD_OF_ACCESS_PURPOSES = {purpose: _RECORD_OF_ACCESS_LABELS[purpose] for purpose in vocab.RECORD_OF_ACCESS_PURPOSES}
ACCESS_PAGE = 100  # events on a page of the record of access


@require_GET
def record_of_access(request, client_id: int):
    """Who looked at this client's records, when and why (Home-Start 9.1: the Record of Access Form)."""
    purpose = request.GET.get("purpose", "direct_support")
    if purpose not in RECORD_OF_ACCESS_PURPOSES:
        return render(request, "web/error.html", {"status": 400, "title": "That purpose is not one Confide knows",
                                                  "message": "Go back and choose one from the list."}, status=400)
    client = access_client(request.user, client_id, purpose, action=Action.CLIENT_RECORD_OF_ACCESS).client
    # A page at a time, newest first, from before event number `before` (keyset paging on the
    # (client_id, seq) index): a page costs the same however long the client's record is.
    before = None
    if request.GET.get("before"):
        try:
            before = record_id(request.GET["before"])
        except Http404:
            before = None  # no number an event could have: the record from its newest
    events = AuditEvent.objects.filter(client_id=client.pk)
    if before is not None:
        events = events.filter(seq__lt=before)
    events = list(events.order_by("-seq")[:ACCESS_PAGE + 1])
    more, events = len(events) > ACCESS_PAGE, events[:ACCESS_PAGE]
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in={e.actor_id for e in events if e.actor_id})}
    rows = [describe.access_row(event, users.get(event.actor_id)) for event in events]
    url = reverse("web:record_of_access", args=[client.pk])
    keep = {"purpose": purpose} if purpose != "direct_support" else {}
    return render(request, "audit/record_of_access.html", {
        "client": client, "rows": rows, "page_size": ACCESS_PAGE,
        "older_url": f"{url}?{urlencode({**keep, 'before': events[-1].seq})}" if more else None,
        "newest_url": (f"{url}?{urlencode(keep)}" if keep else url) if before is not None else None})


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

"""Pages. Thin: they call services and the access gate, and decide nothing about who sees what."""

from __future__ import annotations

from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.contrib.auth.decorators import login_not_required
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from confide.accounts.models import current_policy
from confide.audit.actions import Action
from confide.audit.models import AuditEvent, AuditHead
from confide.ids import record_id
from confide.policy import vocab
from confide.records.access import access_client, caseload, purposes_reaching_clients, team_caseloads
from confide.records.break_glass import review_queue
from confide.records.models import Entry
from confide.reports.access import newest_released_report
from confide.sharing.access import (
    HOME_SHOWN,
    approvals_waiting,
    consents_expiring_for,
    my_tasks,
    requests_in_hand,
    team_overdue_tasks,
)
from confide.web import (
    breach_views,
    clearance_views,
    client_views,
    complaint_views,
    describe,
    retention_views,
    sar_views,
    staffing_views,
)
from confide.web.forms import RecordLookupForm
from confide.web.purposes import with_purpose

STAFF_SHOWN = 100  # staff accounts on an administrator's home page
CASELOAD_SHOWN = 30  # a worker holds a few dozen cases; the client list has the rest


def waiting_words(since, today) -> str:
    """How long something has waited, as a manager reads it: "waiting since today", "waiting 3 days"."""
    days = (today - timezone.localtime(since).date()).days
    return "waiting since today" if days <= 0 else f"waiting {days} day{'s' if days != 1 else ''}"


def _task_rows(tasks, names: dict[int, str], today) -> list[dict]:
    """A home page's tasks: the title, the due date and whether it is overdue, and the client by name
    where the page's own list of clients already named them (else by number only)."""
    return [{"task": task, "url": reverse("web:task", args=[task.pk]), "client_name": names.get(task.client_id, ""),
             "overdue": task.due_on is not None and task.due_on < today} for task in tasks]


def _request_rows(requests) -> list[dict]:
    return [{"disclosure": d, "url": reverse("web:disclosure", args=[d.pk]), "to": describe.word(d.recipient_kind),
             "purpose": describe.purpose(d.purpose), "ready": d.status == d.Status.READY} for d in requests]


@require_GET
def home(request):
    """Each person's day: what is waiting for them first, then their clients, or their team, or the
    figures, as their kind of role has (vocab's *_KINDS). Every read of client data goes through the
    gates (records.access, sharing.access), which record what they showed."""
    user = request.user
    kind = user.role_kind
    today = timezone.localdate()
    casework, manages = kind in vocab.CASEWORK_KINDS, kind in vocab.MANAGER_KINDS
    context = {"kind": kind, "casework": casework, "manages": manages, "today": today,
               "line_manager": kind in vocab.LINE_MANAGER_KINDS, "auditor": kind in vocab.AUDITOR_KINDS,
               "nameless": kind in vocab.NAMELESS_KINDS, "administers": kind in vocab.ADMINISTRATOR_KINDS}
    names: dict[int, str] = {}
    if casework or manages:
        clients = caseload(user, limit=CASELOAD_SHOWN + 1)
        context["clients"], context["more_clients"] = clients[:CASELOAD_SHOWN], len(clients) > CASELOAD_SHOWN
        names = {client.pk: client.display_name for client in context["clients"]}
    tasks = my_tasks(user)
    risks = dict(Entry.Risk.choices)
    for client in context.get("clients", []):
        client.open_tasks = sum(1 for task in tasks if task.client_id == client.pk)
        client.risk_label = risks.get(client.risk_level, "")
    context["tasks"] = len(tasks)
    context["task_rows"] = _task_rows(tasks[:HOME_SHOWN], names, today)
    context["overdue"] = sum(1 for row in context["task_rows"] if row["overdue"])
    if casework or manages:
        context["expiring"] = consents_expiring_for(user)
        context["requests"] = _request_rows(requests_in_hand(user))
    waiting = approvals_waiting(user)
    context["approvals"] = len(waiting)
    context["approval_rows"] = [{"disclosure": d, "url": reverse("web:approve", args=[d.pk]),
                                 "to": describe.word(d.recipient_kind), "purpose": describe.purpose(d.purpose),
                                 "waiting": waiting_words(d.requested_at, today)} for d in waiting[:HOME_SHOWN]]
    if kind not in vocab.NAMELESS_KINDS:
        context["reviews"] = review_queue(user).count()
        context["review_rows"] = [{"glass": glass, "url": reverse("web:review", args=[glass.pk]),
                                   "waiting": waiting_words(glass.created_at, today)}
                                  for glass in review_queue(user)[:HOME_SHOWN]]
    else:
        context["reviews"] = 0
    context["sar_panel"] = sar_views.home_panel(user, today)  # subject-access requests: None for most people
    context["retention_panel"] = retention_views.home_panel(user, today)  # the data controller's only
    # What stands between a person and client data (declarations, induction): first on the page.
    context["clearance_panel"] = clearance_views.home_panel(user, today)
    # Staff records, breaches and complaints: each panel is its own template, None where it has nothing.
    context["governance_panels"] = [panel for panel in (
        staffing_views.home_panel(user, today), staffing_views.approvals_panel(user, today),
        breach_views.home_panel(user, today),
        complaint_views.home_panel(user, today)) if panel]
    if kind in vocab.LINE_MANAGER_KINDS:
        context["team_caseloads"] = team_caseloads(user)
        context["team_overdue"] = _task_rows(team_overdue_tasks(user)[:HOME_SHOWN], {}, today)
    if kind in vocab.AUDITOR_KINDS:
        head = AuditHead.objects.get(pk=1)
        context["audit_head"] = head
    if kind in vocab.NAMELESS_KINDS:
        # Trustees see figures only in released reports (issue 17): never live counts, which change
        # with each client and could be compared from one day to the next.
        newest = newest_released_report(user)
        context["opens_files_for"] = [_purpose_words(p) for p in purposes_reaching_clients(user)]
        context["committee_report"] = newest
        context["committee_report_url"] = reverse("reports:report", args=[newest.pk]) if newest else ""
    if kind in vocab.ADMINISTRATOR_KINDS:
        # The first page of accounts only: a large service has thousands (issue 18: no page grows
        # with the organisation). The full list and its changes are staff records' (issue 16).
        staff = list(get_user_model().objects.select_related("team").order_by("last_name", "first_name", "id")
                     [:STAFF_SHOWN + 1])
        context["staff"], context["more_staff"] = staff[:STAFF_SHOWN], len(staff) > STAFF_SHOWN
    return render(request, "web/home.html", context)


# Why a person may say they are reading a record of access. The engine decides whether that
# purpose lets this person read this client's records; the page only passes on what was said.
# The purposes are vocab.RECORD_OF_ACCESS_PURPOSES; these are their words on the form.
_RECORD_OF_ACCESS_LABELS = {"direct_support": "I work with this client", "supervision": "Supervision or a review",
                            "audit": "Data protection audit"}
RECORD_OF_ACCESS_PURPOSES = {purpose: _RECORD_OF_ACCESS_LABELS[purpose] for purpose in vocab.RECORD_OF_ACCESS_PURPOSES}
ACCESS_PAGE = 100  # events on a page of the record of access


@require_GET
def record_of_access(request, client_id: int):
    """Who looked at this client's records, when and why (Home-Start 9.1: the Record of Access Form),
    a page at a time and narrowed by who, what and when; one person's views of this record on one
    day are one row (client_views.access_page)."""
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
    pairs, users = client_views.access_choices(client.pk)
    people, actions = client_views.filter_choices(pairs, users)
    asked = {key: request.GET[key] for key in ("who", "what", "since", "until") if request.GET.get(key)}
    form = client_views.AccessFilterForm(asked or None, people=people, actions=actions)
    rows, more = [], False
    if not asked or form.is_valid():
        found, more = client_views.access_page(client.pk, form.cleaned_data if asked else {}, before, ACCESS_PAGE)
        events = AuditEvent.objects.in_bulk([seq for seq, _ in found])
        rows = [describe.access_row(events[seq], users.get(events[seq].actor_id), times=n) for seq, n in found]
    url = reverse("web:record_of_access", args=[client.pk])
    keep = {"purpose": purpose} if purpose != "direct_support" else {}
    keep |= asked if not form.errors else {}
    return render(request, "audit/record_of_access.html", {
        "client": client, "rows": rows, "page_size": ACCESS_PAGE, "form": form, "narrowed": bool(asked),
        "purpose": purpose, "clear_url": f"{url}?{urlencode({'purpose': purpose})}" if purpose != "direct_support" else url,
        "file_url": with_purpose(reverse("web:client_file", args=[client.pk]), purpose),
        "older_url": f"{url}?{urlencode({**keep, 'before': found[-1][0]})}" if more else None,
        "newest_url": (f"{url}?{urlencode(keep)}" if keep else url) if before is not None else None},
        status=400 if form.errors else 200)


@require_GET
def record_of_access_lookup(request):
    """Find a client's record of access by number, for people with no list of clients (the data
    controller answering "who has looked at my file?"). Whether it opens is the engine's answer."""
    form = RecordLookupForm(request.GET or None, purposes=RECORD_OF_ACCESS_PURPOSES)
    if request.GET and form.is_valid():
        url = reverse("web:record_of_access", args=[form.cleaned_data["client"]])
        return redirect(f"{url}?purpose={form.cleaned_data['purpose']}")
    return render(request, "audit/lookup.html", {"form": form}, status=400 if form.errors else 200)


def _purpose_words(purpose: str) -> str:
    """A purpose as the pack names it ("spot-checking files (a safeguarding audit)"), else Confide's word."""
    own = vocab.pack_word(current_policy(), purpose)
    return own[:1].lower() + own[1:] if own else vocab.label(purpose)


@require_GET
def file_lookup(request):
    """Open a client's file by number for a purpose other than one's own work (the spot-checking
    trustee's spot check, Home-Start 8.3 and 9.1): the purposes offered are those the pack lets this
    person reach files for; whether this file opens is the gate's answer, on the file's page."""
    purposes = {p: _purpose_words(p).capitalize() for p in purposes_reaching_clients(request.user)}
    if not purposes:
        raise Http404
    form = RecordLookupForm(request.GET or None, purposes=purposes)
    form.fields["purpose"].initial = next(iter(purposes))
    if request.GET and form.is_valid():
        url = reverse("web:client_file", args=[form.cleaned_data["client"]])
        return redirect(f"{url}?purpose={form.cleaned_data['purpose']}")
    return render(request, "web/file_lookup.html", {"form": form}, status=400 if form.errors else 200)


@login_not_required
def csrf_failure(request, reason=""):
    return render(request, "web/csrf_failure.html", status=403)

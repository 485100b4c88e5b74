"""Complaints about data protection (issue 16): the list, logging one, and one complaint with its
acknowledgement date (30 days from receipt, DPA 2018 s164A from 19 June 2026) and each step. For those
the pack names to handle complaints (confide.complaints.access); everyone else is answered as a
missing page. A complaint about a breach shows the breach's number and dates only."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from confide.accounts.models import current_policy
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.breaches import access as breach_gate
from confide.breaches import clock
from confide.complaints import access as gate
from confide.complaints import services
from confide.complaints.models import Complaint
from confide.policy import governance
from confide.web.complaint_forms import (
    AcknowledgeForm,
    CloseComplaintForm,
    InvestigateForm,
    NewComplaintForm,
    OutcomeForm,
)
from confide.web.errors import add_to_form

HOME_ROWS = 5


def _gate(request) -> None:
    if not gate.handles_complaints(request.user):
        record_event(request.user, Action.COMPLAINT_READ_REFUSED, object_type="complaint",
                     detail={"reason": "not_allowed", "role": request.user.role})
        raise Http404


def _ack(complaint: Complaint, today: dt.date) -> dict:
    return {"due": clock.acknowledgement_due(complaint.received_on),
            "words": clock.acknowledgement_words(complaint.received_on, complaint.acknowledged_on, today),
            "overdue": clock.acknowledgement_overdue(complaint.received_on, complaint.acknowledged_on, today)}


def _row(complaint: Complaint, today: dt.date) -> dict:
    return {"complaint": complaint, "url": reverse("complaints:detail", args=[complaint.pk]),
            "ack": _ack(complaint, today)}


@require_http_methods(["GET"])
def complaint_list(request):
    _gate(request)
    today = timezone.localdate()
    rows = [_row(c, today) for c in gate.list_complaints(request.user)]
    return render(request, "complaints/list.html", {
        "open": [r for r in rows if r["complaint"].status != Complaint.Status.CLOSED],
        "closed": [r for r in rows if r["complaint"].status == Complaint.Status.CLOSED],
        "rules": governance.complaints(current_policy())})


@require_http_methods(["GET", "POST"])
def complaint_new(request):
    _gate(request)
    form = NewComplaintForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            complaint = services.do_log_complaint(request.user, services.NewComplaint(
                d["received_on"], d["how_received"], d["from_whom"], d["about"], d["breach"]))
        except services.ComplaintError as error:
            add_to_form(form, error)
        else:
            due = clock.acknowledgement_due(complaint.received_on)
            messages.info(request, f"Complaint {complaint.pk} is logged. Acknowledge it by {due.day} {due:%B %Y}.")
            return redirect(reverse("complaints:detail", args=[complaint.pk]))
    return render(request, "complaints/new.html", {"form": form}, status=400 if form.errors else 200)


FORMS = {"acknowledge": AcknowledgeForm, "investigate": InvestigateForm, "outcome": OutcomeForm,
         "close": CloseComplaintForm}


@require_http_methods(["GET", "POST"])
def complaint_detail(request, complaint_id: int):
    complaint = gate.access_complaint(request.user, complaint_id, write=request.method == "POST")
    posted = request.POST.get("action", "") if request.method == "POST" else ""
    forms = {name: cls(prefix=name) for name, cls in FORMS.items()}
    status = 200
    if request.method == "POST":
        if posted not in FORMS:
            raise Http404
        form = FORMS[posted](request.POST, prefix=posted)
        forms[posted] = form
        if form.is_valid():
            d = form.cleaned_data
            try:
                if posted == "acknowledge":
                    services.do_acknowledge(request.user, complaint, d["acknowledged_on"])
                elif posted == "investigate":
                    services.do_start_investigation(request.user, complaint, d["investigation_started_on"])
                elif posted == "outcome":
                    services.do_record_outcome(request.user, complaint, d["outcome"], d["told_on"])
                else:
                    services.do_close(request.user, complaint)
            except services.ComplaintError as error:
                add_to_form(form, error)
            else:
                messages.info(request, "Recorded.")
                return redirect(reverse("complaints:detail", args=[complaint.pk]))
        status = 400
    today = timezone.localdate()
    breach = None
    if complaint.breach_id:
        # The number and dates only, never the breach's contents (Day-Mer: kept independent).
        breach = breach_gate.breach_dates(request.user, complaint.breach_id, may=True)
    return render(request, "complaints/detail.html", {
        "complaint": complaint, "ack": _ack(complaint, today), "forms": forms, "posted": posted,
        **{f"{name}_form": form for name, form in forms.items()},  # each by name too (tests/web/test_form_fuzz.py)
        "from_whom": complaint.from_whom, "about": complaint.about, "outcome": complaint.outcome,
        "breach": breach, "breach_aware": clock.shown(breach.aware_at, breach.aware_zone) if breach else "",
        "breach_reported": clock.shown(breach.reported_at) if breach and breach.reported_at else "",
        "step": {"received": "acknowledge", "acknowledged": "investigate", "investigating": "outcome",
                 "answered": "close"}.get(complaint.status, "")}, status=status)


def home_panel(user, today: dt.date) -> dict | None:
    """Complaints waiting for their acknowledgement, with the date it is due, for those who handle
    complaints; None for anyone else, or when none waits."""
    if not gate.handles_complaints(user):
        return None
    waiting = list(Complaint.objects.filter(acknowledged_on__isnull=True).exclude(status=Complaint.Status.CLOSED)
                   .order_by("received_on", "id"))
    if not waiting:
        return None
    rows = [_row(c, today) for c in waiting]
    record_event(user, Action.COMPLAINTS_LISTED, object_type="complaint",
                 detail={"role": user.role, "complaints": [c.pk for c in waiting[:HOME_ROWS]]})
    return {"template": "complaints/_home_panel.html", "rows": rows[:HOME_ROWS], "waiting": len(rows),
            "overdue": sum(1 for r in rows if r["ack"]["overdue"]), "url": reverse("complaints:list")}

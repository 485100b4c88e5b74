"""Writes to complaints about data protection: each one do_* function whose audit event commits in
the same transaction (numbers, dates and steps only: never who complained, what about or the
outcome, which are sealed). Only those who handle complaints (access.handles_complaints)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.breaches import access as breach_gate
from confide.errors import ConfideError

from . import access as gate
from .models import Complaint

TEXT_MAX = 5000
EARLIEST = dt.timedelta(days=6 * 366)


class ComplaintError(ConfideError):
    code = "complaint_refused"


def _text(value: str | None, field_name: str, missing: str) -> str:
    value = (value or "").strip()
    if not value:
        raise ComplaintError(missing, field=field_name, code="missing")
    if len(value) > TEXT_MAX:
        raise ComplaintError(f"Keep this to {TEXT_MAX} characters.", field=field_name, code="too_long")
    return value


def _day(day: dt.date | None, today: dt.date, field_name: str, missing: str, *, not_before: dt.date | None = None,
         before_words: str = "") -> dt.date:
    if day is None:
        raise ComplaintError(missing, field=field_name, code="missing")
    if day > today:
        raise ComplaintError("That day is in the future: enter the day it happened.", field=field_name,
                             code="in_the_future")
    if not_before is not None and day < not_before:
        raise ComplaintError(before_words, field=field_name, code="too_early")
    return day


def _may(user, pack=None) -> None:
    if not gate.handles_complaints(user, pack):
        raise ComplaintError("Only the people the policy names handle complaints about data protection.",
                             code="not_allowed", status=403)


@dataclass
class NewComplaint:
    received_on: dt.date | None
    how_received: str
    from_whom: str
    about: str
    breach_id: int | None = None


def do_log_complaint(user, new: NewComplaint, *, today: dt.date | None = None, pack=None) -> Complaint:
    today = today or timezone.localdate()
    if not gate.handles_complaints(user, pack):
        record_event(user, Action.COMPLAINT_LOGGED_REFUSED, object_type="complaint",
                     detail={"reason": "not_allowed", "role": getattr(user, "role", "")})
        _may(user, pack)
    received = _day(new.received_on, today, "received_on", "Enter the day the complaint was received.",
                    not_before=today - EARLIEST, before_words="That is more than six years ago: check the year.")
    if new.how_received not in Complaint.How.values:
        raise ComplaintError("Choose how the complaint was received.", field="how_received", code="missing")
    from_whom = _text(new.from_whom, "from_whom", "Say who made the complaint, and how to reply to them.")
    about = _text(new.about, "about", "Say what the complaint is about.")
    if new.breach_id is not None and not breach_gate.breach_exists(new.breach_id):
        raise ComplaintError(f"There is no breach number {new.breach_id} in the register.", field="breach",
                             code="no_such_breach", status=404)
    with transaction.atomic():
        complaint = Complaint.objects.create(received_on=received, how_received=new.how_received,
                                             breach_id=new.breach_id, logged_by=user)
        complaint.from_whom, complaint.about = from_whom, about
        complaint.save(update_fields=["from_sealed", "about_sealed"])
        record_event(user, Action.COMPLAINT_LOGGED, object_type="complaint", object_id=complaint.pk,
                     detail={"received_on": received.isoformat(), "how": new.how_received,
                             "breach": new.breach_id, "role": user.role})
    return complaint


def _writable(user, complaint: Complaint, pack=None) -> Complaint:
    _may(user, pack)
    row = Complaint.objects.select_for_update().get(pk=complaint.pk)
    if row.status == Complaint.Status.CLOSED:
        raise ComplaintError(f"Complaint {row.pk} is closed.", code="closed", status=409)
    return row


def _changed(user, complaint: Complaint, step: str, **detail) -> None:
    record_event(user, Action.COMPLAINT_CHANGED, object_type="complaint", object_id=complaint.pk,
                 detail={"step": step, "role": user.role, **detail})


def do_acknowledge(user, complaint: Complaint, on: dt.date | None, *, today: dt.date | None = None,
                   pack=None) -> Complaint:
    today = today or timezone.localdate()
    with transaction.atomic():
        row = _writable(user, complaint, pack)
        on = _day(on, today, "acknowledged_on", "Enter the day the complaint was acknowledged.",
                  not_before=row.received_on, before_words="That is before the complaint was received.")
        row.acknowledged_on = on
        if row.status == Complaint.Status.RECEIVED:
            row.status = Complaint.Status.ACKNOWLEDGED
        row.save(update_fields=["acknowledged_on", "status"])
        _changed(user, row, "acknowledged", on=on.isoformat())
    return row


def do_start_investigation(user, complaint: Complaint, on: dt.date | None, *, today: dt.date | None = None,
                           pack=None) -> Complaint:
    today = today or timezone.localdate()
    with transaction.atomic():
        row = _writable(user, complaint, pack)
        if row.acknowledged_on is None:
            raise ComplaintError("Record the acknowledgement first: the complainant is told it was received.",
                                 field="investigation_started_on", code="not_acknowledged", status=409)
        on = _day(on, today, "investigation_started_on", "Enter the day the investigation began.",
                  not_before=row.received_on, before_words="That is before the complaint was received.")
        row.investigation_started_on, row.status = on, Complaint.Status.INVESTIGATING
        row.save(update_fields=["investigation_started_on", "status"])
        _changed(user, row, "investigating", on=on.isoformat())
    return row


def do_record_outcome(user, complaint: Complaint, outcome: str, told_on: dt.date | None, *,
                      today: dt.date | None = None, pack=None) -> Complaint:
    today = today or timezone.localdate()
    outcome = _text(outcome, "outcome", "Write the outcome: what was found and what will be done.")
    with transaction.atomic():
        row = _writable(user, complaint, pack)
        if row.acknowledged_on is None:
            raise ComplaintError("Record the acknowledgement first.", field="outcome", code="not_acknowledged",
                                 status=409)
        told_on = _day(told_on, today, "told_on", "Enter the day the complainant was told the outcome.",
                       not_before=row.received_on, before_words="That is before the complaint was received.")
        row.outcome, row.told_on, row.status = outcome, told_on, Complaint.Status.ANSWERED
        row.save(update_fields=["outcome_sealed", "told_on", "status"])
        _changed(user, row, "outcome_told", on=told_on.isoformat())
    return row


def do_close(user, complaint: Complaint, *, today: dt.date | None = None, pack=None) -> Complaint:
    today = today or timezone.localdate()
    with transaction.atomic():
        row = _writable(user, complaint, pack)
        if row.told_on is None:
            raise ComplaintError("Record the outcome and the day the complainant was told before closing.",
                                 code="not_answered", status=409)
        row.status, row.closed_on = Complaint.Status.CLOSED, today
        row.save(update_fields=["status", "closed_on"])
        record_event(user, Action.COMPLAINT_CLOSED, object_type="complaint", object_id=row.pk,
                     detail={"role": user.role})
    return row

"""The gate to complaints about data protection: the roles the pack names to handle them
(governance.complaints(pack)["handled_by"]: Day-Mer's Complaints Officer; elsewhere the data protection
lead or the Head of Service Delivery). Where the pack does not keep them independent, the data
controller (vocab.AUDITOR_KINDS) may read and handle them too. Everyone else is refused as a missing
complaint is (404), and every read and refusal is audited. A complaint about a breach shows the
breach's number and dates only (confide.breaches.access.breach_dates), never its contents."""

from __future__ import annotations

from django.db.models import Case, Value, When
from django.http import Http404

from confide.accounts.models import current_policy
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.ids import record_id
from confide.policy import governance, vocab

from .models import Complaint

OBJECT = "complaint"


def handles_complaints(user, pack=None) -> bool:
    pack = pack if pack is not None else current_policy()
    if user is None or not getattr(user, "is_active", False):
        return False
    rules = governance.complaints(pack)
    if rules is None:
        return user.role_kind in vocab.AUDITOR_KINDS
    if user.role in rules["handled_by"]:
        return True
    return not rules["independent"] and user.role_kind in vocab.AUDITOR_KINDS


def access_complaint(user, complaint_id, *, write: bool = False, pack=None) -> Complaint:
    pk = record_id(complaint_id)
    action = Action.COMPLAINT_WRITE if write else Action.COMPLAINT_READ
    complaint = Complaint.objects.select_related("logged_by").filter(pk=pk).first()
    if complaint is None or not handles_complaints(user, pack):
        record_event(user, action.refused(), object_type=OBJECT, object_id=pk,
                     detail={"reason": "not_found" if complaint is None else "not_allowed", "role": user.role})
        raise Http404
    record_event(user, action, object_type=OBJECT, object_id=pk, detail={"role": user.role})
    return complaint


def list_complaints(user, *, limit: int = 200, pack=None) -> list[Complaint]:
    if not handles_complaints(user, pack):
        return []
    closed_last = Case(When(status=Complaint.Status.CLOSED, then=Value(1)), default=Value(0))
    found = list(Complaint.objects.order_by(closed_last, "received_on", "id")[:limit])
    if found:
        record_event(user, Action.COMPLAINTS_LISTED, object_type=OBJECT,
                     detail={"role": user.role, "complaints": [c.pk for c in found]})
    return found

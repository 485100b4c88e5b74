"""Writes to staff and volunteer records (issue 16): personnel files, applications, monitoring forms
and requests for a worker's contact details. Each is one function, in one transaction with its
audit event; events carry numbers, statuses, clauses and counts, never what a file says.

- A personnel file is opened by whoever keeps the list of staff (managers, the data controller,
  administrators), who also set its line manager; its sections are written by a reader the engine
  lets write (the line manager; the data controller for payroll), the sealed medical section only by
  the role the pack's sealed rule names (DVIP 8.07). Leaving is recorded, and retention counts from
  it; destruction crypto-shreds the file's own key.
- A monitoring form is taken with no link to anyone (DVIP 8.04); an application's monitoring answers
  are sealed apart and, once it is unsuccessful, minimised to the pack's `keep_only` fields as an
  unlinked form (8.08).
- A request for a worker's home address or telephone number goes to the worker through their line
  manager (DVIP 5.01): logged, passed on, agreed or refused by the worker, and given only as agreed,
  with the engine's `disclose` answer asked and kept at every step.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from confide.accounts.models import current_policy
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.keys.runtime import key_store
from confide.policy import PolicyError, vocab
from confide.policy.reasons import check_reason
from confide.staffing import access
from confide.staffing.models import (
    Applicant,
    ContactRequest,
    MonitoringForm,
    PersonnelApproval,
    PersonnelFile,
)

SECTIONS = ("notes", "contact", "references", "medical")
CONTACT_DATA = ("home_address", "contact_details")
MONITORING_FIELDS = ("race", "sex", "sexuality", "disability", "age_band")
MAX_TEXT = 20_000
MAX_LINE = 200


class StaffingError(ConfideError):
    """A staffing step refused: who may not, a value missing, a request not at that step."""

    code = "staffing_refused"


def _active(user) -> None:
    if user is None or not getattr(user, "is_active", False) or not getattr(user, "role", ""):
        raise StaffingError("Sign in with an account that has a role to do this.", code="not_allowed", status=403)


def _keeps_list(user) -> None:
    _active(user)
    if not access.keeps_the_list(user):
        raise StaffingError("Only a manager, the data controller or an administrator may do this.",
                            code="not_allowed", status=403)


def _text(value: Any, field: str, what: str, *, limit: int = MAX_TEXT, required: bool = True) -> str:
    text = (value or "").strip() if isinstance(value, str) or value is None else None
    if text is None:
        raise StaffingError(f"Write {what} as text.", field=field)
    if required and not text:
        raise StaffingError(f"Write {what}.", field=field)
    if len(text) > limit:
        raise StaffingError(f"Keep {what} to {limit} characters.", field=field)
    return text


# Personnel files ---------------------------------------------------------------------------------

def _check_line_manager(person, line_manager) -> None:
    if line_manager is None:
        return
    if not getattr(line_manager, "is_active", False) or not getattr(line_manager, "role", ""):
        raise StaffingError("Choose a line manager whose account is in use.", field="line_manager")
    if line_manager.pk == person.pk:
        raise StaffingError("A person cannot be their own line manager.", field="line_manager")
    if line_manager.role_kind in vocab.NAMELESS_KINDS:
        raise StaffingError("Choose a line manager on the staff, not a trustee.", field="line_manager")


def do_open_personnel_file(by, person, line_manager=None, started_on: dt.date | None = None) -> PersonnelFile:
    """A new, empty personnel file for a member of staff or volunteer, with their line manager."""
    _keeps_list(by)
    if person is None or not getattr(person, "pk", None):
        raise StaffingError("Choose the person the file is about.", field="person")
    _check_line_manager(person, line_manager)
    with transaction.atomic():
        if PersonnelFile.objects.select_for_update().filter(person=person).exists():
            raise StaffingError("This person already has a personnel file.", field="person", status=409)
        file = PersonnelFile.objects.create(person=person, line_manager=line_manager, started_on=started_on)
        record_event(by, Action.PERSONNEL_FILE_OPENED, object_type="personnel_file", object_id=file.pk,
                     detail={"role": by.role, "person": person.pk,
                             "line_manager": line_manager.pk if line_manager else None})
    return file


def do_set_line_manager(by, file: PersonnelFile, line_manager) -> PersonnelFile:
    _keeps_list(by)
    if file.destroyed_at is not None:
        raise StaffingError("This personnel file was destroyed.", status=409)
    _check_line_manager(file.person, line_manager)
    with transaction.atomic():
        before = file.line_manager_id
        file.line_manager = line_manager
        file.updated_at = timezone.now()
        file.save(update_fields=["line_manager", "updated_at"])
        record_event(by, Action.PERSONNEL_LINE_MANAGER_SET, object_type="personnel_file", object_id=file.pk,
                     detail={"role": by.role, "before": before, "after": line_manager.pk if line_manager else None})
    return file


def _stamp(by, text: str, today: dt.date) -> str:
    return f"{today.isoformat()} ({by.get_full_name() or by.get_username()}): {text}"


def do_update_personnel(by, file: PersonnelFile, section: str, value: Any, *, today: dt.date | None = None
                        ) -> PersonnelFile:
    """Add to one section of a file, as a reader the engine lets write: notes and the medical
    section take a dated paragraph (nothing earlier is overwritten), home contact details are
    replaced ({"home_address", "phone"}), a reference is added ({"referee", "text"}; given in
    confidence, DVIP 8.05). The medical section only by the sealed role (8.07)."""
    _active(by)
    if section not in SECTIONS:
        raise StaffingError("Choose a section of the file.", field="section")
    if file.destroyed_at is not None:
        raise StaffingError("This personnel file was destroyed.", status=409)
    today = today or timezone.localdate()
    if file.person_id == by.pk:
        allowed, decision = False, {}
    elif section == "medical":
        purpose, decision = access._first_permit(by, file, access.PURPOSES, medical=True)
        allowed = bool(purpose)
    else:
        # The first writing purpose that opens this part of the file (payroll: the contact details only).
        writing = [p for p in sorted(access.WRITING_PURPOSES) if section in vocab.personnel_parts(p)]
        purpose, decision = access._first_permit(by, file, writing) if writing else ("", access.DENY)
        allowed = bool(purpose)
    if not allowed:
        record_event(by, Action.PERSONNEL_UPDATED_REFUSED, object_type="personnel_file", object_id=file.pk,
                     detail={"role": by.role, "section": section, "clauses": access.clauses(decision or access.DENY)})
        if section == "medical":
            raise StaffingError("The medical section is sealed: only the role the policy names may add to it.",
                                code="not_allowed", status=403)
        raise StaffingError("The policy does not let you add to this file.", code="not_allowed", status=403)
    if section in ("notes", "medical"):
        text = _text(value, "value", "what to add")
        earlier = getattr(file, section)
        new = (earlier + "\n\n" if earlier else "") + _stamp(by, text, today)
        if len(new) > 10 * MAX_TEXT:
            raise StaffingError("This section is full: ask the data controller to archive it.", field="value")
    elif section == "contact":
        if not isinstance(value, dict):
            raise StaffingError("Write the home address and telephone number.", field="home_address")
        new = {"home_address": _text(value.get("home_address"), "home_address", "the home address", limit=500,
                                     required=False),
               "phone": _text(value.get("phone"), "phone", "the telephone number", limit=40, required=False)}
        if not new["home_address"] and not new["phone"]:
            raise StaffingError("Write the home address, the telephone number, or both.", field="home_address")
    else:
        if not isinstance(value, dict):
            raise StaffingError("Write who gave the reference and what it says.", field="referee")
        item = {"referee": _text(value.get("referee"), "referee", "who gave the reference", limit=MAX_LINE),
                "text": _text(value.get("text"), "text", "what the reference says"),
                "received_on": today.isoformat(), "in_confidence": True}
        earlier = file.references
        items = list(earlier.get("items", [])) if isinstance(earlier, dict) else []
        new = {"items": [*items, item]}
    with transaction.atomic():
        setattr(file, section, new)
        file.updated_at = timezone.now()
        file.save(update_fields=[f"{section}_sealed", "updated_at"])
        record_event(by, Action.PERSONNEL_UPDATED, object_type="personnel_file", object_id=file.pk,
                     purpose=purpose, detail={"role": by.role, "section": section,
                                              "clauses": access.clauses(decision)})
    return file


def do_record_leaving(by, file: PersonnelFile, left_on: dt.date) -> PersonnelFile:
    """The day the person left: what the retention period is counted from."""
    _keeps_list(by)
    if not isinstance(left_on, dt.date):
        raise StaffingError("Enter the day they left.", field="left_on")
    if file.started_on and left_on < file.started_on:
        raise StaffingError("They cannot have left before they started.", field="left_on")
    if left_on > timezone.localdate() + dt.timedelta(days=366):
        raise StaffingError("Enter a day within the next year.", field="left_on")
    with transaction.atomic():
        file.left_on = left_on
        file.updated_at = timezone.now()
        file.save(update_fields=["left_on", "updated_at"])
        record_event(by, Action.PERSONNEL_LEFT, object_type="personnel_file", object_id=file.pk,
                     detail={"role": by.role, "left_on": left_on.isoformat()})
    return file


def _may_destroy(by) -> None:
    if by is not None:  # None: the retention command's run
        _active(by)
        if by.role_kind not in vocab.MANAGER_KINDS:
            raise StaffingError("Only a manager or the data controller may destroy records.", code="not_allowed",
                                status=403)


def do_destroy_personnel_file(by, file: PersonnelFile, batch=None) -> PersonnelFile:
    """Crypto-shred one personnel file: its key destroyed, its sealed columns (and the sealed
    columns of requests for the worker's details, under the same key) blanked, destroyed_at set.
    The row stays, so the person's account still has its history; the event holds counts only."""
    _may_destroy(by)
    if file.destroyed_at is not None:
        raise StaffingError("This personnel file was already destroyed.", status=409)
    with transaction.atomic():
        file = PersonnelFile.objects.select_for_update().get(pk=file.pk)
        had_key = key_store().destroy(file.key_number)
        PersonnelFile.objects.filter(pk=file.pk).update(
            notes_sealed=b"", contact_sealed=b"", references_sealed=b"", medical_sealed=b"",
            destroyed_at=timezone.now(), updated_at=timezone.now())
        requests = ContactRequest.objects.filter(about=file).update(asked_by_sealed=b"")
        record_event(by, Action.PERSONNEL_DESTROYED, object_type="personnel_file", object_id=file.pk,
                     detail={"role": by.role if by else "", "by": "person" if by else "retention",
                             "key_destroyed": had_key, "contact_requests": requests,
                             "batch": getattr(batch, "pk", batch)})
    file.refresh_from_db()
    return file


# Monitoring (8.04) -------------------------------------------------------------------------------

def do_record_monitoring(by, cohort: str, year: int, answers: dict[str, str]) -> MonitoringForm:
    """An equal-opportunities monitoring form with no link to anyone: the cohort, the year and the
    answers from the form's own lists (confide.staffing.monitoring). The event says only that one
    was recorded, and for which cohort and year."""
    from confide.staffing.monitoring import check_answers

    _active(by)
    if cohort not in MonitoringForm.Cohort.values:
        raise StaffingError("Choose who the form is from.", field="cohort")
    if not isinstance(year, int) or not 1990 <= year <= timezone.localdate().year:
        raise StaffingError("Enter the year the form was received, for example 2026.", field="year")
    clean = check_answers(answers, StaffingError)
    with transaction.atomic():
        form = MonitoringForm.objects.create(cohort=cohort, year=year, **clean)
        record_event(by, Action.MONITORING_RECORDED, object_type="monitoring_form",
                     detail={"role": by.role, "cohort": cohort, "year": year})
    return form


# Applications ------------------------------------------------------------------------------------

def _reads_applications(by) -> None:
    _active(by)
    if not access.reads_applications(by):
        raise StaffingError("Only a manager or the data controller may do this.", code="not_allowed", status=403)


def do_record_application(by, post: str, received_on: dt.date, details: dict[str, str], application: str,
                          monitoring: dict[str, str] | None = None) -> Applicant:
    """An application: the post (not about the person), when it came; who applied and what they sent,
    sealed. Their monitoring answers are detached on receipt (DVIP 8.04): those the pack keeps about
    applicants (8.08) go into an unlinked monitoring form, only ever counted; the rest are not kept."""
    from confide.staffing.monitoring import applicant_fields, check_answers

    _reads_applications(by)
    post = _text(post, "post", "the post applied for", limit=120)
    if not isinstance(received_on, dt.date) or received_on > timezone.localdate():
        raise StaffingError("Enter the day the application was received, not a day to come.", field="received_on")
    if not isinstance(details, dict):
        raise StaffingError("Write the applicant's name.", field="name")
    clean_details = {"name": _text(details.get("name"), "name", "the applicant's name", limit=MAX_LINE),
                     "email": _text(details.get("email"), "email", "the email address", limit=MAX_LINE,
                                    required=False),
                     "phone": _text(details.get("phone"), "phone", "the telephone number", limit=40, required=False),
                     "address": _text(details.get("address"), "address", "the address", limit=500, required=False)}
    text = _text(application, "application", "what the application says")
    clean_monitoring = check_answers(monitoring or {}, StaffingError)
    kept = applicant_fields(current_policy())
    detached = {k: v for k, v in clean_monitoring.items() if v and k in kept}
    with transaction.atomic():
        applicant = Applicant.objects.create(post=post, received_on=received_on, recorded_by=by)
        applicant.details = clean_details
        applicant.application = text
        applicant.save(update_fields=["details_sealed", "application_sealed"])
        if detached:
            MonitoringForm.objects.create(cohort=MonitoringForm.Cohort.APPLICANT, year=received_on.year, **detached)
        record_event(by, Action.APPLICANT_RECORDED, object_type="applicant", object_id=applicant.pk,
                     detail={"role": by.role, "monitoring_detached": len(detached),
                             "monitoring_not_kept": sum(1 for k, v in clean_monitoring.items() if v and k not in kept)})
    return applicant


def do_decide_application(by, applicant: Applicant, outcome: str, decided_on: dt.date) -> Applicant:
    _reads_applications(by)
    if outcome not in (Applicant.Outcome.APPOINTED, Applicant.Outcome.UNSUCCESSFUL):
        raise StaffingError("Choose appointed or unsuccessful.", field="outcome")
    if not isinstance(decided_on, dt.date) or decided_on > timezone.localdate():
        raise StaffingError("Enter the day it was decided, not a day to come.", field="decided_on")
    if decided_on < applicant.received_on:
        raise StaffingError("It cannot have been decided before the application came.", field="decided_on")
    if applicant.minimised_at is not None:
        raise StaffingError("This application was minimised.", status=409)
    with transaction.atomic():
        applicant.outcome, applicant.decided_on = outcome, decided_on
        applicant.save(update_fields=["outcome", "decided_on"])
        record_event(by, Action.APPLICANT_DECIDED, object_type="applicant", object_id=applicant.pk,
                     detail={"role": by.role, "outcome": outcome, "decided_on": decided_on.isoformat()})
    return applicant


def do_minimise_applicant(by, applicant: Applicant, keep_only: list[str], batch=None) -> MonitoringForm | None:
    """Retention of an application (DVIP 8.08): the application's key is destroyed, its sealed columns
    blanked and minimised_at set. An application recorded before its monitoring answers were detached
    on receipt still holds them sealed: an unlinked MonitoringForm (cohort applicant, the year it was
    received) then keeps only their `keep_only` fields (None when there is nothing to keep). The event
    holds counts, never an answer."""
    _may_destroy(by)
    if applicant.minimised_at is not None:
        raise StaffingError("This application was already minimised.", status=409)
    kept = [f for f in keep_only if f in MONITORING_FIELDS]
    with transaction.atomic():
        applicant = Applicant.objects.select_for_update().get(pk=applicant.pk)
        answers = applicant.monitoring if isinstance(applicant.monitoring, dict) else {}
        values = {f: str(answers.get(f, ""))[:MonitoringForm._meta.get_field(f).max_length] for f in kept}
        form = MonitoringForm.objects.create(cohort=MonitoringForm.Cohort.APPLICANT, year=applicant.received_on.year,
                                             **values) if any(values.values()) else None
        had_key = key_store().destroy(applicant.key_number)
        Applicant.objects.filter(pk=applicant.pk).update(details_sealed=b"", application_sealed=b"",
                                                          monitoring_sealed=b"", minimised_at=timezone.now())
        record_event(by, Action.APPLICANT_MINIMISED, object_type="applicant", object_id=applicant.pk,
                     detail={"role": by.role if by else "", "by": "person" if by else "retention",
                             "fields_kept": len([v for v in values.values() if v]), "key_destroyed": had_key,
                             "batch": getattr(batch, "pk", batch)})
    return form


# Requests for a worker's contact details (DVIP 5.01) ---------------------------------------------

def subject_role(person) -> str:
    """The subject role of the contract for a member of the organisation: a volunteer, a trustee or staff."""
    kind = getattr(person, "role_kind", "")
    return {"volunteer": "volunteer", "trustee": "trustee"}.get(kind, "staff")


def ask_engine(request: ContactRequest, *, agreed: bool | None = None) -> dict[str, Any]:
    """The engine's `disclose` answer for giving this worker's details to this kind of recipient:
    with no consent until the worker answers, then consent given (or refused) as the worker said.
    An agreement the worker records in Confide themself is explicit, in writing, and covers exactly
    this recipient and these details."""
    consent: dict[str, Any] = {"status": "not_sought"}
    if agreed is True:
        consent = {"status": "given", "explicit": True, "written": True, "covers_recipient": True,
                   "covers_data": True}
    elif agreed is False:
        consent = {"status": "refused"}
    query = {"action": "disclose", "subject": {"role": subject_role(request.about.person), "has_capacity": True},
             "data": list(request.data), "recipient": {"kind": request.recipient_kind}, "consent": consent,
             "grounds": ["statutory_duty"] if request.statutory else []}
    try:
        answer = current_policy().decide(query)
    except PolicyError:
        answer = {"decision": "deny", "reasons": [], "obligations": []}
    return {"decision": answer["decision"],
            "reasons": [{"clause": r.get("clause", ""), "text": r.get("text", "")} for r in answer.get("reasons", [])],
            "obligations": list(answer.get("obligations", []))}


def _clauses(decision: dict[str, Any]) -> list[str]:
    return [r.get("clause", "") for r in decision.get("reasons", [])]


def required_by_law(request: ContactRequest) -> bool:
    """Whether the policy has the details given because the law obliges it (DVIP 5.01: an agency with
    an automatic right of access, e.g. the Inland Revenue), whatever the worker says: the line manager
    tells the worker of the legal requirement, and gives them."""
    return bool(request.statutory) and ask_engine(request)["decision"] == "permit"


def do_log_contact_request(by, file: PersonnelFile, data: list[str], recipient_kind: str,
                           asked_by: dict[str, str], statutory: str = "") -> ContactRequest:
    """Anyone on the staff logs a request for a worker's home address or telephone number: who asks,
    their organisation or relationship, and why, and any legal duty they say obliges the organisation
    to give it (`statutory`). It goes to the worker's line manager; the engine is asked and its answer
    (DVIP 5.01: refer to the worker; an agency with a right of access in law) kept. Nothing of the
    worker's is given."""
    _active(by)
    pack = current_policy()
    if file is None or file.destroyed_at is not None:
        raise StaffingError("Choose the worker the request is about.", field="about")
    if file.person_id == by.pk:
        raise StaffingError("This request is about you: you may give your own details yourself.", field="about")
    if file.line_manager_id is None:
        raise StaffingError("This worker has no line manager recorded, so the request cannot be passed to them "
                            "yet: ask a manager to record one.", field="about", status=409)
    data = [d for d in dict.fromkeys(data or []) if d in CONTACT_DATA]
    if not data:
        raise StaffingError("Choose which details they asked for.", field="data")
    if recipient_kind not in pack.spec.vocab["recipient_kinds"]:
        raise StaffingError("Choose who is asking from the list.", field="recipient_kind")
    if not isinstance(asked_by, dict):
        raise StaffingError("Write who asked.", field="name")
    who = {"name": _text(asked_by.get("name"), "name", "who asked", limit=MAX_LINE),
           "organisation": _text(asked_by.get("organisation"), "organisation",
                                 "their organisation or relationship to the worker", limit=MAX_LINE),
           "why": check_reason(_text(asked_by.get("why"), "why", "why they asked", limit=2000), "why",
                               what="say why they asked", error=StaffingError)}
    statutory = _text(statutory, "statutory", "the law they cite", limit=200, required=False)
    with transaction.atomic():
        request = ContactRequest.objects.create(about=file, data=data, recipient_kind=recipient_kind, logged_by=by,
                                                statutory=statutory)
        request.asked_by = who
        request.decision = ask_engine(request)
        request.save(update_fields=["asked_by_sealed", "decision"])
        record_event(by, Action.CONTACT_REQUEST_LOGGED, object_type="contact_request", object_id=request.pk,
                     detail={"role": by.role, "file": file.pk, "data": data, "recipient_kind": recipient_kind,
                             "statutory": bool(statutory), "decision": request.decision["decision"],
                             "clauses": _clauses(request.decision)})
    return request


def _step(by, request: ContactRequest, must_be: str, status: str) -> None:
    _active(by)
    if request.about.destroyed_at is not None:
        raise StaffingError("This worker's personnel file was destroyed.", status=409)
    if access.contact_role(by, request) != must_be:
        who = {"their_line_manager": "the worker's line manager", "the_worker": "the worker it is about"}[must_be]
        raise StaffingError(f"Only {who} may do this.", code="not_allowed", status=403)
    if request.status != status:
        raise StaffingError("This request is not at that step any more: open it again.", status=409)


def do_pass_contact_request(by, request: ContactRequest) -> ContactRequest:
    """The line manager passes the request to the worker (5.01: referred to the individual)."""
    _step(by, request, "their_line_manager", ContactRequest.Status.RECEIVED)
    with transaction.atomic():
        request.status = ContactRequest.Status.WITH_WORKER
        request.passed_by, request.passed_at = by, timezone.now()
        request.decision = ask_engine(request)
        request.save(update_fields=["status", "passed_by", "passed_at", "decision"])
        record_event(by, Action.CONTACT_REQUEST_PASSED, object_type="contact_request", object_id=request.pk,
                     detail={"role": by.role, "decision": request.decision["decision"],
                             "clauses": _clauses(request.decision)})
    return request


def do_answer_contact_request(by, request: ContactRequest, agree: bool) -> ContactRequest:
    """The worker agrees, or refuses; the engine is asked again with their answer as consent."""
    _step(by, request, "the_worker", ContactRequest.Status.WITH_WORKER)
    if not isinstance(agree, bool):
        raise StaffingError("Choose whether you agree.", field="agree")
    with transaction.atomic():
        request.status = ContactRequest.Status.AGREED if agree else ContactRequest.Status.REFUSED
        request.answered_at = timezone.now()
        request.decision = ask_engine(request, agreed=agree)
        if not agree and not required_by_law(request):
            request.closed_at = request.answered_at  # refused, and nothing in law overrides the worker
        request.save(update_fields=["status", "answered_at", "decision", "closed_at"])
        record_event(by, Action.CONTACT_REQUEST_ANSWERED, object_type="contact_request", object_id=request.pk,
                     detail={"role": by.role, "agreed": agree, "decision": request.decision["decision"],
                             "clauses": _clauses(request.decision)})
    return request


def do_mark_contact_given(by, request: ContactRequest) -> ContactRequest:
    """The line manager records the details as given: once the worker agreed and the engine, asked
    with that agreement, permits it; or, where the law obliges it (required_by_law), once the line
    manager has told the worker (the request passed to them), whatever they answered."""
    if required_by_law(request) and request.status in (ContactRequest.Status.WITH_WORKER,
                                                       ContactRequest.Status.REFUSED):
        _step(by, request, "their_line_manager", request.status)
        decision = ask_engine(request)
    else:
        _step(by, request, "their_line_manager", ContactRequest.Status.AGREED)
        decision = ask_engine(request, agreed=True)
    if decision["decision"] != "permit":
        raise StaffingError("The policy does not permit giving these details, even with the worker's agreement.",
                            code="refused_by_policy", status=409)
    with transaction.atomic():
        request.status = ContactRequest.Status.GIVEN
        request.decision = decision
        request.closed_at = timezone.now()
        request.save(update_fields=["status", "decision", "closed_at"])
        record_event(by, Action.CONTACT_REQUEST_GIVEN, object_type="contact_request", object_id=request.pk,
                     detail={"role": by.role, "decision": decision["decision"], "clauses": _clauses(decision),
                             "obligations": decision["obligations"], "statutory": bool(request.statutory)})
    return request


# Approvals to read a personnel file (Home-Start 8.4: "trustee/s if appropriate") ---------------------

def do_ask_personnel_access(by, file: PersonnelFile, reason: str) -> PersonnelApproval:
    """Ask to read a file the policy opens to this person only with an approval, saying why. The
    people in the roles the approval names (never the asker, nor the worker) are told."""
    from django.urls import reverse

    from confide.notices.models import Notice
    from confide.notices.services import notify

    _active(by)
    if file is None or file.destroyed_at is not None:
        raise StaffingError("Choose whose file you need to read.", field="file")
    purpose, decision = access.approvable_purpose(by, file)
    if not purpose:
        record_event(by, Action.PERSONNEL_ACCESS_ASKED.refused(), object_type="personnel_file", object_id=file.pk,
                     detail={"role": by.role, "reason": "no_approval_route"})
        raise StaffingError("The policy does not open this file to you, even with an approval.", field="file",
                            code="not_allowed", status=403)
    reason = check_reason(_text(reason, "reason", "why you need to read it", limit=2000), "reason",
                          what="say why you need to read it", error=StaffingError)
    roles = access.approver_roles(decision)
    with transaction.atomic():
        approval = PersonnelApproval.objects.create(file=file, purpose=purpose, approver_roles=roles, requested_by=by)
        approval.reason = reason
        approval.save(update_fields=["reason_sealed"])
        record_event(by, Action.PERSONNEL_ACCESS_ASKED, object_type="personnel_approval", object_id=approval.pk,
                     detail={"role": by.role, "file": file.pk, "purpose": purpose, "approvers": roles,
                             "clauses": _clauses(decision)})
        link = reverse("staffing:access_request", args=[approval.pk])
        for person in get_user_model().objects.filter(role__in=roles, is_active=True).exclude(
                pk__in=[by.pk, file.person_id]):
            notify(person, Notice.Kind.APPROVAL_WAITING, "A request to read a personnel file is waiting for your "
                   "approval", link=link, object_type="personnel_approval", object_id=approval.pk)
    return approval


def do_decide_personnel_access(by, approval: PersonnelApproval, approve: bool) -> PersonnelApproval:
    """Approve or refuse a request to read a personnel file: someone in a role the policy's approval
    names, never the person who asked, nor the worker. The asker is told."""
    from django.urls import reverse

    from confide.notices.models import Notice
    from confide.notices.services import notify

    _active(by)
    if not isinstance(approve, bool):
        raise StaffingError("Choose whether you approve.", field="decision")
    with transaction.atomic():
        approval = PersonnelApproval.objects.select_for_update().select_related("file").get(pk=approval.pk)
        if not access.may_decide(by, approval):
            raise StaffingError("Only someone in a role the policy names for this approval, and not the person "
                                "who asked, may decide it.", code="not_allowed", status=403)
        if approval.status != PersonnelApproval.Status.WAITING:
            raise StaffingError("This request was already decided: open it again.", status=409)
        approval.status = PersonnelApproval.Status.APPROVED if approve else PersonnelApproval.Status.REFUSED
        approval.decided_by, approval.decided_at = by, timezone.now()
        approval.save(update_fields=["status", "decided_by", "decided_at"])
        record_event(by, Action.PERSONNEL_ACCESS_DECIDED, object_type="personnel_approval", object_id=approval.pk,
                     detail={"role": by.role, "file": approval.file_id, "approved": approve})
        notify(approval.requested_by_id, Notice.Kind.REQUEST_APPROVED if approve else Notice.Kind.REQUEST_NOT_APPROVED,
               "Your request to read a personnel file was " + ("approved" if approve else "not approved"),
               link=reverse("staffing:access_request", args=[approval.pk]), object_type="personnel_approval",
               object_id=approval.pk)
    return approval


def staff_choices(exclude=None):
    """Active accounts with a role, for choosing a person or a line manager (names of staff only)."""
    users = get_user_model().objects.filter(is_active=True).exclude(role="").order_by("last_name", "first_name")
    if exclude is not None:
        users = users.exclude(pk=exclude.pk)
    return users

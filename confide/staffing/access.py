"""The gate for staff and volunteer records (issue 16): every read of a personnel file, its sealed
medical section, an application or a request for a worker's contact details asks here, writes its
audit event, permitted or refused, and answers Http404 alike for "missing" and "not allowed".

- A personnel file is the engine's `access` answer for record kind `personnel_file`, asked with
  `assigned_to_case: true` exactly when the reader is the file's line manager (PersonnelFile.
  line_manager), for the purposes a file is read for, in this order: line_management, payroll,
  quality_assurance, personnel_review. `permit` opens it; `permit_if_approved` (Home-Start 8.4: a
  trustee "if appropriate") opens it once one of the roles the approval names has approved this
  person's request for this file and purpose (PersonnelApproval, for APPROVAL_DAYS days), and is
  refused until then, the refusal saying so; `deny` refuses. The person themself does not read their own file here: they
  have the right of subject access (DVIP 9.06, Home-Start 8.7), and their references are in
  confidence (DVIP 8.05).
- The medical section is asked about as record kind `medical_record`, `sealed: true`: the pack's
  `access.sealed.open_to` role opens it (DVIP 8.07: the Head of Service Delivery); nobody else does,
  not even the line manager. A person the pack lets open only the medical section (Home-Start's data
  protection lead) opens the file's page with its other sections shut.
- Applications: no pack grants `unsuccessful_application` to anyone for reading (DVIP 8.08 only says
  how long it is kept), so they open to the data controller and managers (vocab.MANAGER_KINDS), as
  recruitment is theirs.
- A request for a worker's contact details (DVIP 5.01) opens to the person who logged it, the
  worker's line manager and the worker: never to anyone else.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.http import Http404

from confide.accounts.asking import DENY, access_request, clauses, decide
from confide.accounts.models import current_policy
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.ids import record_id
from confide.policy import vocab
from confide.staffing.models import Applicant, ContactRequest, PersonnelApproval, PersonnelFile

# The purposes a personnel file is read for, in order, and those that let the reader write (the vocabulary's).
PURPOSES = vocab.PERSONNEL_PURPOSES
WRITING_PURPOSES = vocab.PERSONNEL_WRITING_PURPOSES
FILE_KIND = "personnel_file"
MEDICAL_KIND = "medical_record"
APPROVAL_DAYS = 7  # an approval to read a file opens it for a week


def approved(user, file: PersonnelFile, purpose: str) -> PersonnelApproval | None:
    """This person's approved request to read this file for this purpose, still in its days."""
    from django.utils import timezone

    since = timezone.now() - dt.timedelta(days=APPROVAL_DAYS)
    return (PersonnelApproval.objects.filter(requested_by=user, file=file, purpose=purpose,
                                             status=PersonnelApproval.Status.APPROVED, decided_at__gte=since)
            .order_by("-decided_at").first())


def _role(user) -> str:
    return getattr(user, "role", "") or ""


def is_line_manager(user, file: PersonnelFile) -> bool:
    return user is not None and file.line_manager_id is not None and file.line_manager_id == user.pk


def file_decision(user, file: PersonnelFile, purpose: str, *, medical: bool = False) -> dict[str, Any]:
    """The engine's answer for this person reading this file (or its sealed medical section) for
    this purpose: the one place the request is built."""
    kind, sealed = (MEDICAL_KIND, True) if medical else (FILE_KIND, False)
    if not user.is_active or not _role(user):
        return DENY
    return decide(access_request(user, purpose, kind, assigned=is_line_manager(user, file), sealed=sealed))


def _first_permit(user, file: PersonnelFile, purposes, *, medical: bool = False) -> tuple[str, dict[str, Any]]:
    """The first purpose the engine permits, with its answer; else ("", the most telling refusal:
    one that needs approval, or the first)."""
    first: tuple[str, dict[str, Any]] | None = None
    approvable: tuple[str, dict[str, Any]] | None = None
    for purpose in purposes:
        decision = file_decision(user, file, purpose, medical=medical)
        if decision["decision"] == "permit":
            return purpose, decision
        if decision["decision"] == "permit_if_approved" and not medical:
            found = approved(user, file, purpose)
            if found is not None:
                return purpose, {**decision, "approval": found.pk}
        if decision["decision"] == "permit_if_approved" and approvable is None:
            approvable = (purpose, decision)
        if first is None:
            first = (purpose, decision)
    found = approvable or first or ("", DENY)
    return "", found[1]


def sealed_rule() -> dict[str, Any]:
    """The pack's sealed rule: its clause, text and the labels of the roles that open it."""
    pack = current_policy()
    rule = pack.spec.access.get("sealed")
    if rule is None:
        return {"clause": "", "text": "", "roles": [], "labels": []}
    roles = sorted((rule.extra or {}).get("open_to", ()))
    labels = [pack.roles[r].label if r in pack.roles else vocab.label(r) for r in roles]
    return {"clause": rule.clause, "text": rule.text, "roles": roles, "labels": labels}


def _reason(decision: dict[str, Any]) -> str:
    if decision.get("decision") == "permit_if_approved":
        return "needs_approval"
    return "not_allowed"


def _load(pk: int) -> PersonnelFile | None:
    return (PersonnelFile.objects.select_related("person", "line_manager")
            .filter(pk=pk, destroyed_at__isnull=True).first())


@dataclass
class PersonnelAccess:
    """What the gate let this person read of one personnel file, and why."""

    user: Any
    file: PersonnelFile
    purpose: str  # the purpose the file's sections opened for ("" where only the medical section opens)
    decision: dict[str, Any]
    sections: bool  # notes, home contact details and references
    medical: bool  # the engine would open the sealed medical section to this person
    _medical_decision: dict[str, Any] = field(default_factory=dict)

    @property
    def parts(self) -> frozenset[str]:
        """The parts of the file this purpose opens (vocab.personnel_parts: payroll, the contact details)."""
        return frozenset(vocab.personnel_parts(self.purpose)) if self.sections else frozenset()

    @property
    def may_write(self) -> bool:
        return self.sections and self.purpose in WRITING_PURPOSES

    @property
    def clauses(self) -> list[str]:
        return [c for c in clauses(self.decision) if c]


def access_personnel_file(user, file_id, purpose: str | None = None) -> PersonnelAccess:
    """One personnel file, for this person and purpose (or the first of PURPOSES that opens it):
    Http404 alike for a file that is not there, destroyed, the reader's own, or not theirs to read.
    A person the engine lets open only the sealed medical section opens the page with the other
    sections shut. Recorded as read, or as refused, with the purpose, the role and the clauses."""
    pk = record_id(file_id)
    purposes = (purpose,) if purpose else PURPOSES
    file = _load(pk)
    detail: dict[str, Any] = {"role": _role(user)}
    if file is None:
        record_event(user, Action.PERSONNEL_READ_REFUSED, object_type="personnel_file", object_id=pk,
                     purpose=purpose or "", detail={**detail, "reason": "not_found"})
        raise Http404
    if file.person_id == user.pk:
        # Their own file: they have the right of subject access, and references are in confidence (8.05).
        record_event(user, Action.PERSONNEL_READ_REFUSED, object_type="personnel_file", object_id=pk,
                     purpose=purpose or "", detail={**detail, "reason": "own_file_by_subject_access"})
        raise Http404
    chosen, decision = _first_permit(user, file, purposes)
    medical_purpose, medical_decision = _first_permit(user, file, (chosen,) if chosen else purposes, medical=True)
    sections, medical = bool(chosen), bool(medical_purpose)
    if not sections and not medical:
        record_event(user, Action.PERSONNEL_READ_REFUSED, object_type="personnel_file", object_id=pk,
                     purpose=purpose or "", detail={**detail, "reason": _reason(decision),
                                                    "clauses": clauses(decision)})
        raise Http404
    if not sections:
        chosen, decision = medical_purpose, medical_decision
    # "key": the data key the page then opens (an identifier, never content), so a reader of the log,
    # and tests/records/test_one_gate.py, can tie each decryption to the read that permitted it.
    record_event(user, Action.PERSONNEL_READ, object_type="personnel_file", object_id=pk, purpose=chosen,
                 detail={**detail, "key": file.key_number, "line_manager": is_line_manager(user, file),
                         "approval": decision.get("approval"),
                         # e.g. Home-Start 9.1's sign_record_of_access: this event is that record
                         "obligations": list(decision.get("obligations", [])),
                         "sections": sections, "parts": sorted(vocab.personnel_parts(chosen)) if sections else [],
                         "medical_allowed": medical, "clauses": clauses(decision)})
    return PersonnelAccess(user, file, chosen if sections else "", decision, sections, medical, medical_decision)


@dataclass
class MedicalAccess:
    file: PersonnelFile
    decision: dict[str, Any]

    @property
    def text(self) -> str:
        return self.file.medical


def access_medical(user, file_id, purpose: str | None = None) -> MedicalAccess:
    """The sealed medical section of one personnel file: only for the role the pack's sealed rule
    names (asked as `medical_record`, sealed). Http404 otherwise, recorded as refused with the
    engine's clause, so a line manager's look at a sealed envelope is on the record too."""
    pk = record_id(file_id)
    file = _load(pk)
    detail: dict[str, Any] = {"role": _role(user)}
    if file is None or file.person_id == user.pk:
        record_event(user, Action.PERSONNEL_MEDICAL_READ_REFUSED, object_type="personnel_file", object_id=pk,
                     purpose=purpose or "",
                     detail={**detail, "reason": "not_found" if file is None else "own_file_by_subject_access"})
        raise Http404
    chosen, decision = _first_permit(user, file, (purpose,) if purpose else PURPOSES, medical=True)
    if not chosen:
        record_event(user, Action.PERSONNEL_MEDICAL_READ_REFUSED, object_type="personnel_file", object_id=pk,
                     purpose=purpose or "", detail={**detail, "reason": "sealed", "clauses": clauses(decision)})
        raise Http404
    record_event(user, Action.PERSONNEL_MEDICAL_READ, object_type="personnel_file", object_id=pk, purpose=chosen,
                 detail={**detail, "key": file.key_number, "clauses": clauses(decision)})
    return MedicalAccess(file, decision)


# Lists -------------------------------------------------------------------------------------------

def reads_any_file(user) -> bool:
    """Whether the engine lets this person read files beyond their own reports (a payroll reader,
    a reviewer, the sealed role), asked with nobody assigned."""
    if not user.is_active or not _role(user):
        return False
    for purpose in PURPOSES:
        for kind, sealed in ((FILE_KIND, False), (MEDICAL_KIND, True)):
            if decide(access_request(user, purpose, kind, sealed=sealed))["decision"] == "permit":
                return True
    return False


def keeps_the_list(user) -> bool:
    """Managers, the data controller and administrators keep the list of staff: they open files and
    set line managers (reading one still goes through the engine)."""
    return getattr(user, "role_kind", "") in (vocab.MANAGER_KINDS | vocab.ADMINISTRATOR_KINDS)


def may_list(user) -> bool:
    return (keeps_the_list(user) or reads_any_file(user)
            or PersonnelFile.objects.filter(line_manager=user, destroyed_at__isnull=True).exists())


def list_personnel_files(user, *, limit: int = 500) -> list[PersonnelFile]:
    """The files this person may see listed (names of staff, never what a file holds): all of them for
    whoever keeps the list or may read beyond their own reports, else the files of their own
    reports. Recorded as listed; an empty list for anyone else (the page answers 404)."""
    files = PersonnelFile.objects.filter(destroyed_at__isnull=True).select_related("person", "line_manager")
    if not (keeps_the_list(user) or reads_any_file(user)):
        files = files.filter(line_manager=user)
    found = list(files.exclude(person=user).order_by("person__last_name", "person__first_name", "id")[:limit])
    if found:
        record_event(user, Action.PERSONNEL_LISTED, object_type="personnel_file",
                     detail={"role": _role(user), "files": [f.pk for f in found]})
    return found


# Applications ------------------------------------------------------------------------------------

def reads_applications(user) -> bool:
    # No pack grants `unsuccessful_application` for reading: recruitment is the managers' (module docstring).
    return getattr(user, "role_kind", "") in vocab.MANAGER_KINDS and user.is_active


def access_applicant(user, applicant_id) -> Applicant:
    pk = record_id(applicant_id)
    applicant = Applicant.objects.filter(pk=pk).first()
    if applicant is None or not reads_applications(user):
        record_event(user, Action.APPLICANT_READ_REFUSED, object_type="applicant", object_id=pk,
                     detail={"role": _role(user), "reason": "not_found" if applicant is None else "not_allowed"})
        raise Http404
    record_event(user, Action.APPLICANT_READ, object_type="applicant", object_id=pk,
                 detail={"role": _role(user), "key": applicant.key_number})
    return applicant


def list_applicants(user, *, limit: int = 500) -> list[Applicant]:
    if not reads_applications(user):
        return []
    found = list(Applicant.objects.order_by("-received_on", "-id")[:limit])
    if found:
        record_event(user, Action.APPLICANTS_LISTED, object_type="applicant",
                     detail={"role": _role(user), "applicants": [a.pk for a in found]})
    return found


# Requests for a worker's contact details (5.01) --------------------------------------------------

def contact_role(user, request: ContactRequest) -> str:
    """How this person stands to the request: "their_line_manager", "the_worker", "logged_by" or ""."""
    if user.pk == request.about.line_manager_id:
        return "their_line_manager"
    if user.pk == request.about.person_id:
        return "the_worker"
    if user.pk == request.logged_by_id:
        return "logged_by"
    return ""


def access_contact_request(user, request_id) -> tuple[ContactRequest, str]:
    """One request and how this person stands to it; Http404 alike for missing and not theirs."""
    pk = record_id(request_id)
    request = (ContactRequest.objects.select_related("about", "about__person", "about__line_manager", "logged_by")
               .filter(pk=pk, about__destroyed_at__isnull=True).first())
    role = contact_role(user, request) if request is not None else ""
    if not role or not user.is_active:
        record_event(user, Action.CONTACT_REQUEST_READ_REFUSED, object_type="contact_request", object_id=pk,
                     detail={"role": _role(user), "reason": "not_found" if request is None else "not_allowed"})
        raise Http404
    record_event(user, Action.CONTACT_REQUEST_READ, object_type="contact_request", object_id=pk,
                 detail={"role": _role(user), "as": role, "status": request.status, "key": request.about.key_number})
    return request, role


def contact_requests_for(user, *, limit: int = 200) -> dict[str, list[ContactRequest]]:
    """The requests waiting for this person: as line manager (to pass on, or to give once agreed),
    as the worker (to answer), and those they logged that are still open. Recorded as listed."""
    base = ContactRequest.objects.select_related("about", "about__person", "logged_by").filter(
        about__destroyed_at__isnull=True)
    S = ContactRequest.Status
    found = {
        "to_pass": list(base.filter(about__line_manager=user, status=S.RECEIVED).order_by("logged_at")[:limit]),
        "to_give": list(base.filter(about__line_manager=user, status=S.AGREED).order_by("logged_at")[:limit]),
        "to_answer": list(base.filter(about__person=user, status=S.WITH_WORKER).order_by("logged_at")[:limit]),
        "logged": list(base.filter(logged_by=user).exclude(status__in=[S.GIVEN, S.CLOSED, S.REFUSED])
                       .order_by("-logged_at")[:limit]),
    }
    ids = sorted({r.pk for rows in found.values() for r in rows})
    if ids:
        record_event(user, Action.CONTACT_REQUESTS_LISTED, object_type="contact_request",
                     detail={"role": _role(user), "requests": ids})
    return found


# Approvals to read a personnel file (Home-Start 8.4: "trustee/s if appropriate") ------------------

def approvable_purpose(user, file: PersonnelFile) -> tuple[str, dict[str, Any]]:
    """The first purpose for which the engine opens this file to this person with an approval, and its
    answer; ("", DENY) where none does."""
    if file.person_id == user.pk:
        return "", DENY
    for purpose in PURPOSES:
        decision = file_decision(user, file, purpose)
        if decision["decision"] == "permit_if_approved":
            return purpose, decision
    return "", DENY


def may_ask(user) -> bool:
    """Whether the engine would open personnel files to this person with an approval (asked with
    nobody assigned: the file is not theirs to manage)."""
    if not user.is_active or not _role(user):
        return False
    return any(decide(access_request(user, purpose, FILE_KIND))["decision"] == "permit_if_approved"
               for purpose in PURPOSES)


def approver_roles(decision: dict[str, Any]) -> list[str]:
    return sorted({role for a in decision.get("approvals", []) for role in a.get("any_of", ())})


def may_decide(user, approval: PersonnelApproval) -> bool:
    """One of the roles the policy's approval names, never the person who asked, nor the worker."""
    return (user.is_active and user.pk not in (approval.requested_by_id, approval.file.person_id)
            and _role(user) in set(approval.approver_roles))


def access_approval(user, approval_id) -> tuple[PersonnelApproval, str]:
    """One request to read a personnel file, for the person who asked ("asker") or someone who may
    decide it ("approver"); Http404 alike for missing and not theirs. Recorded, with the file's key
    (the reason is sealed under it)."""
    pk = record_id(approval_id)
    approval = (PersonnelApproval.objects.select_related("file", "file__person", "requested_by", "decided_by")
                .filter(pk=pk, file__destroyed_at__isnull=True).first())
    role = ""
    if approval is not None and user.is_active:
        role = "asker" if approval.requested_by_id == user.pk else ("approver" if may_decide(user, approval) else "")
    if not role:
        record_event(user, Action.PERSONNEL_APPROVAL_READ_REFUSED, object_type="personnel_approval", object_id=pk,
                     detail={"role": _role(user), "reason": "not_found" if approval is None else "not_allowed"})
        raise Http404
    record_event(user, Action.PERSONNEL_APPROVAL_READ, object_type="personnel_approval", object_id=pk,
                 detail={"role": _role(user), "as": role, "status": approval.status, "key": approval.file.key_number})
    return approval, role


def approvals_for(user, *, limit: int = 100) -> dict[str, list[PersonnelApproval]]:
    """The requests this person asked, and those waiting for them to decide (staff names only)."""
    base = PersonnelApproval.objects.select_related("file__person", "requested_by").filter(
        file__destroyed_at__isnull=True)
    waiting = [a for a in base.filter(status=PersonnelApproval.Status.WAITING).order_by("requested_at")[:limit]
               if may_decide(user, a)]
    return {"asked": list(base.filter(requested_by=user).order_by("-requested_at")[:limit]), "to_decide": waiting}

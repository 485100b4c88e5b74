"""Taking a referral and moving a case through its stages: referral, assessment, open, suspended,
closed, each dated. Every change is one transaction with its audit event.

What sharing adds to these (consent to support at intake, JustUs 5.5; the tasks for the notices a
stage change makes due, DVIP 3.10) lives in confide.sharing.cases, which wraps these functions in
one transaction: records never reaches up into sharing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from confide.accounts.models import current_policy
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.records.access import case_decision
from confide.records.models import CASE_FLAGS, SUBJECT_ROLES, Case, Client

FLAG_WORDS = {word for word, _ in CASE_FLAGS}


class CaseError(ConfideError, ValueError):
    """A referral or a change that cannot be made as given; the message says why."""

    code = "case_invalid"


def do_take_referral(user, *, name: str, service: str, subject_role: str = "service_user",
                     date_of_birth=None, referral_consent: bool | None = None, different_person: bool = False) -> Case:
    """A new client and their first case, at referral, in the person's own team, with the person
    as its worker. Only into a service whose records the pack would let them read as its worker:
    nobody takes a referral they could not then work on. Where the pack says a referral needs the
    family's consent (Home-Start 7.1), none is taken without it. Consent to support at intake
    (JustUs 5.5) is confide.sharing.cases.do_take_referral's, which wraps this one. `different_person`:
    the person said this is not the client with the same name and date of birth already on Confide
    (the possible duplicate offered at referral), and the record says so."""
    consent = current_policy().spec.consent
    name = name.strip()
    if consent.get("to_referral") and referral_consent is not True:
        raise CaseError(f"a referral is taken only when the family has consented to it "
                        f"(clause {consent['to_referral']['clause']})")
    if not name:
        raise CaseError("give the client's name")
    if subject_role not in {word for word, _ in SUBJECT_ROLES}:
        raise CaseError(f"unknown subject role {subject_role!r}")
    if user.team_id is None:
        raise CaseError("only a member of a team can take a referral")
    with transaction.atomic():
        client = Client.objects.create(display_name=name[:200], date_of_birth=date_of_birth, team=user.team,
                                       subject_role=subject_role)
        case = Case.objects.create(client=client, service=service, team=user.team, status=Case.Status.REFERRAL,
                                   referral_consent=referral_consent)
        case.workers.add(user)
        case = Case.objects.select_related("team").prefetch_related("workers").get(pk=case.pk)
        if case_decision(user, case, "case_notes", "direct_support")["decision"] != "permit":
            raise CaseError("your role does not work in that service, so you could not read the case: "
                            "ask a worker in that service to take the referral")
        record_event(user, Action.CASE_REFERRAL_TAKEN, object_type="case", object_id=case.pk, client_id=client.pk,
                     detail={"service": service, "role": user.role, "referral_consent": referral_consent,
                             "said_different_person": bool(different_person)})
    return case


def check_change(case: Case, status: str, flags: list[str]) -> None:
    """Refuse a change that cannot be made as given (CaseError says why)."""
    if status not in Case.Status.values:
        raise CaseError(f"unknown status {status!r}")
    unknown = set(flags) - FLAG_WORDS
    if unknown:
        raise CaseError(f"unknown flags: {', '.join(sorted(unknown))}")
    if "legal_hold" in set(flags) ^ set(case.flags):
        raise CaseError("a legal hold is set and lifted by the data controller, not here")


def do_change_case(user, case: Case, status: str, flags: list[str]) -> Case:
    """Move a case to a stage and set its flags. Opening dates it opened; closing dates it closed;
    re-opening a closed case clears the closing date. The consent-to-support check (JustUs 5.5) and
    the tasks a stage change makes due (DVIP 3.10) are confide.sharing.cases.do_change_case's, which
    wraps this one."""
    check_change(case, status, flags)
    today = timezone.localdate()
    with transaction.atomic():
        # Read again with its row locked, and checked there: a page opened before a legal hold was
        # set cannot lift it, and two changes at once each start from what the other left.
        locked = Case.objects.select_for_update().only("status", "flags", "opened_on", "closed_on").get(pk=case.pk)
        case.status, case.flags = locked.status, locked.flags
        case.opened_on, case.closed_on = locked.opened_on, locked.closed_on
        check_change(case, status, flags)
        before = (case.status, sorted(case.flags))
        case.status = status
        case.flags = sorted(set(flags))
        if status in (Case.Status.OPEN, Case.Status.SUSPENDED, Case.Status.CLOSED) and case.opened_on is None:
            case.opened_on = today
        case.closed_on = (case.closed_on or today) if status == Case.Status.CLOSED else None
        case.save(update_fields=["status", "flags", "opened_on", "closed_on"])
        record_event(user, Action.CASE_CHANGED, object_type="case", object_id=case.pk, client_id=case.client_id,
                     detail={"from": before[0], "to": status, "flags_before": before[1], "flags": case.flags,
                             "role": user.role})
    return case

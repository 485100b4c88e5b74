"""Taking a referral and moving a case on, with what sharing adds to the records' own functions
(confide.records.cases): consent to support at intake and before a case opens (JustUs 5.5), and the
tasks for what the pack says must be told when a case moves on (DVIP 3.10). Each wraps the records
function in one transaction with its own writes, so either all of it happens or none of it does."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from confide.accounts.models import current_policy
from confide.policy.notifications import on_case_stage
from confide.records import cases as records_cases
from confide.records.cases import CaseError
from confide.records.models import Case
from confide.sharing.limits import do_record_support_consent
from confide.sharing.models import SupportConsent
from confide.sharing.tasks import do_add_notice_tasks

SUPPORT_CONSENT_ANSWERS = ("", "not_yet", "verbal", "written")


def do_take_referral(user, *, name: str, service: str, subject_role: str = "service_user",
                     date_of_birth=None, referral_consent: bool | None = None, support_consent: str = "",
                     different_person: bool = False) -> Case:
    """confide.records.cases.do_take_referral; where the pack asks for consent to support at intake
    (JustUs 5.5), a consent given (`verbal` or `written`) is recorded with it, in the same transaction."""
    if support_consent not in SUPPORT_CONSENT_ANSWERS:
        raise CaseError("say whether the client agreed to support verbally or in writing")
    pack = current_policy()
    with transaction.atomic(durable=True):
        case = records_cases.do_take_referral(user, name=name, service=service, subject_role=subject_role,
                                              date_of_birth=date_of_birth, referral_consent=referral_consent,
                                              different_person=different_person)
        if pack.spec.consent.get("to_support") and support_consent in ("verbal", "written"):
            do_record_support_consent(user, pack, case.client, case, support_consent, timezone.localdate())
    return case


def do_change_case(user, case: Case, status: str, flags: list[str]) -> Case:
    """confide.records.cases.do_change_case, with no case opened without the client's consent to
    support (JustUs 5.5), and tasks for the notices the pack makes due at the new stage (DVIP 3.10:
    the partner of a VPP client), in the same transaction."""
    records_cases.check_change(case, status, flags)
    pack = current_policy()
    to_support = pack.spec.consent.get("to_support")
    with transaction.atomic(durable=True):
        # The stage it is at now, read with the row locked (records' function reads it again there).
        before = Case.objects.select_for_update().values_list("status", flat=True).get(pk=case.pk)
        if to_support and status == Case.Status.OPEN and before != status:
            # JustUs 5.5: support is offered and provided with the client's consent to it.
            if not SupportConsent.objects.filter(client_id=case.client_id).exists():
                raise CaseError(f"record the client's consent to support on their file before opening the case "
                                f"(clause {to_support['clause']})")
        case = records_cases.do_change_case(user, case, status, flags)
        notices = on_case_stage(pack.name, case.service, case.client.subject_role, status, before)
        do_add_notice_tasks(user, notices, client_id=case.client_id, case=case, worker=user)
    return case

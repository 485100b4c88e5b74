"""Notifications the packs require: who must be told, when something happens on a case, whether or
not anyone asked to share. Each becomes a task on someone's list (confide.sharing.tasks).

These are rules, so they live here, each with its clause. Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass


@dataclass(frozen=True)
class Notice:
    """Something that must now be done: a task's kind, its words, its clause, and for whom."""

    kind: str
    title: str
    clause: str
    urgent: bool = False
    for_manager: bool = False  # the worker's line manager must be told too


@dataclass(frozen=True)
class Report:
    """Something a worker reports on a case that the pack says must reach someone."""

    name: str
    label: str
    subject_roles: frozenset[str]
    notices: tuple[Notice, ...]


# DVIP 3.10: "At referral the perpetrator's partner or ex-partner is told he or she is being assessed
# for the programme, and of the outcome, progress through the programme, completion, suspension,
# leaving or breach." Told through the partner's safe contact (the Women's Support Service).
_VPP_STAGES = {
    "assessment": "is being assessed for the programme",
    "open": "has started the programme",
    "suspended": "has been suspended from the programme",
    "closed": "has completed or left the programme",
}


def on_case_stage(pack: str, service: str, subject_role: str, status: str, before: str) -> list[Notice]:
    """Notices due when a case moves to a new stage."""
    if status == before:
        return []
    if pack == "dvip" and service == "vpp" and subject_role == "perpetrator" and status in _VPP_STAGES:
        return [Notice("partner_notification",
                       f"Tell the client's partner or ex-partner, through their safe contact, that he "
                       f"{_VPP_STAGES[status]}", "3.10")]
    return []


REPORTS: dict[str, dict[str, Report]] = {
    "dvip": {
        # DVIP 3.10: "If the perpetrator poses a threat to the safety of his partner or other named
        # individuals (including DVIP workers), the person threatened will be informed as a matter
        # of urgency; the police may also be informed."
        "threat_to_named_person": Report(
            "threat_to_named_person", "The client has threatened a named person",
            frozenset({"perpetrator"}),
            (Notice("inform_person_threatened", "Tell the person threatened, as a matter of urgency, and consider "
                    "telling the police", "3.10", urgent=True),
             Notice("notify_line_manager", "Tell your line manager about the threat", "3.10", urgent=True,
                    for_manager=True))),
        # DVIP 3.08 / Appendix B: a breach of the programme's conditions is told to the partner too.
        "programme_breach": Report(
            "programme_breach", "The client has breached the programme's conditions", frozenset({"perpetrator"}),
            (Notice("partner_notification", "Tell the client's partner or ex-partner, through their safe contact, "
                    "that he has breached the programme", "3.10"),)),
    },
    "day_mer": {
        # Day-Mer Confidentiality Policy: "In the case of expectant drug-using mothers, Day-Mer is under
        # obligation to inform the maternity social work department, even if there is no cause for
        # concern about health and safety."
        "expectant_mother_substance_use": Report(
            "expectant_mother_substance_use", "The client is an expectant mother who uses drugs",
            frozenset({"service_user", "parent"}),
            (Notice("inform_maternity_social_work", "Inform the maternity social work department (ask to share, "
                    "on the ground 'expectant mother substance use')", "Confidentiality Policy"),)),
    },
}


def reports_for(pack: str, subject_role: str) -> dict[str, Report]:
    """The reports a worker can make on this client's file, under this pack."""
    return {name: r for name, r in REPORTS.get(pack, {}).items() if subject_role in r.subject_roles}


def on_sent(pack: str, recipient_kind: str) -> list[Notice]:
    """Notices due when information has gone to someone outside."""
    if pack == "home_start" and recipient_kind not in ("emergency_services",):
        # Home-Start 1.5: "families are informed of any communication between Home-Start and other agencies".
        return [Notice("family_informed", "Tell the family about this communication with another agency", "1.5")]
    return []

"""Notifications the packs require: who must be told, when something happens on a case, whether or
not anyone asked to share. Each becomes a task on someone's list (confide.sharing.tasks).

These are rules, so they live here, each with its clause. Pure: no Django.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any


@dataclass(frozen=True)
class Notice:
    """Something that must now be done: a task's kind, its words, its clause, and for whom.

    A notice that has the worker pass information on says so: `recipients` (the kinds of recipient it
    may go to, as the contract names them; empty when nothing leaves the organisation), `data`,
    `grounds`, `purpose` and `anonymised` make the `disclose` request it implies. Whatever Confide tells
    a worker to pass on, the pack permits, citing the same clause (tests/policy/test_notices_agree.py)."""

    kind: str
    title: str
    clause: str
    urgent: bool = False
    for_manager: bool = False  # the worker's line manager must be told too
    may_skip: bool = False  # may be left undone, with the reason (Home-Start 1.5: unless it puts anyone at risk)
    recipients: tuple[str, ...] = ()
    data: tuple[str, ...] = ()
    grounds: tuple[str, ...] = ()
    purpose: str | None = None
    anonymised: bool = False

    def requests(self, subject: dict) -> list[dict]:
        """The `disclose` requests this notice implies, one per kind of recipient, about `subject`
        (no consent sought: the pack's clause is what allows it)."""
        out = []
        for kind in self.recipients:
            req = {"action": "disclose", "subject": dict(subject), "data": list(self.data), "recipient": {"kind": kind},
                   "grounds": list(self.grounds), "anonymised": self.anonymised}
            if self.purpose:
                req["purpose"] = self.purpose
            out.append(req)
        return out


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
# The case stages that must be told to someone: (pack, service, subject role) -> {stage: words}.
STAGE_NOTICES: dict[tuple[str, str, str], dict[str, str]] = {("dvip", "vpp", "perpetrator"): _VPP_STAGES}
# What the partner is told (Appendix A 1: "my attendance and whether I drop out of the programme or are
# suspended from it"): who he is and his attendance; the client agreed to it when he signed.
_PARTNER_TOLD: dict[str, Any] = {"recipients": ("partner", "ex_partner"), "data": ("identity", "attendance")}


def on_case_stage(pack: str, service: str, subject_role: str, status: str, before: str) -> list[Notice]:
    """Notices due when a case moves to a new stage."""
    if status == before:
        return []
    stages = STAGE_NOTICES.get((pack, service, subject_role), {})
    if status in stages:
        return [Notice("partner_notification",
                       f"Tell the client's partner or ex-partner, through their safe contact, that he "
                       f"{stages[status]}", "3.10", **_PARTNER_TOLD)]
    return []


REPORTS: dict[str, dict[str, Report]] = {
    "dvip": {
        # DVIP 3.10: "If the perpetrator poses a threat to the safety of his partner or other named
        # individuals (including DVIP workers), the person threatened will be informed as a matter
        # of urgency; the police may also be informed."
        "threat_to_named_person": Report(
            "threat_to_named_person", "The client has threatened a named person",
            frozenset({"perpetrator"}),
            # Whoever they are: a partner, a relative, a friend or neighbour on the file (public), anyone
            # else such as a DVIP worker (person_threatened); and the police. What they need to know.
            (Notice("inform_person_threatened", "Tell the person threatened, as a matter of urgency, and consider "
                    "telling the police", "3.10", urgent=True,
                    recipients=("partner", "ex_partner", "family_member", "public", "person_threatened", "police"),
                    data=("identity", "risk_assessment"), grounds=("risk_to_others",)),
             Notice("notify_line_manager", "Tell your line manager about the threat", "3.10", urgent=True,
                    for_manager=True))),
        # DVIP 3.08 / Appendix B: a breach of the programme's conditions is told to the partner too.
        "programme_breach": Report(
            "programme_breach", "The client has breached the programme's conditions", frozenset({"perpetrator"}),
            (Notice("partner_notification", "Tell the client's partner or ex-partner, through their safe contact, "
                    "that he has breached the programme", "3.10", **_PARTNER_TOLD),)),
    },
    "day_mer": {
        # Day-Mer Confidentiality Policy: "In the case of expectant drug-using mothers, Day-Mer is under
        # obligation to inform the maternity social work department, even if there is no cause for
        # concern about health and safety."
        "expectant_mother_substance_use": Report(
            "expectant_mother_substance_use", "The client is an expectant mother who uses drugs",
            frozenset({"service_user", "parent"}),
            (Notice("inform_maternity_social_work", "Inform the maternity social work department (ask to share, "
                    "on the ground 'expectant mother substance use')", "Confidentiality Policy",
                    recipients=("maternity_social_work",), data=("identity", "substance_use"),
                    grounds=("expectant_mother_substance_use",)),)),
    },
}

# Obligations of a pack's answers that have the worker pass something on (confide.sharing.tasks makes
# them tasks): pack -> obligation -> the notice, with the disclosure it implies.
OBLIGATION_NOTICES: dict[str, dict[str, Notice]] = {
    "home_start": {
        # Home-Start 10.2: "Where Home-Start Welwyn Hatfield is asked by the Police to provide
        # information, the trustees are made aware of the request"; without identifying the family (3.2).
        "inform_trustees": Notice("inform_trustees", "Tell the trustees of the request, without naming the family",
                                  "10.2", recipients=("trustees",), data=("case_notes",), purpose="trustee_oversight",
                                  anonymised=True),
    },
}


def reports_for(pack: str, subject_role: str) -> dict[str, Report]:
    """The reports a worker can make on this client's file, under this pack."""
    return {name: r for name, r in REPORTS.get(pack, {}).items() if subject_role in r.subject_roles}


@dataclass(frozen=True)
class NotTold:
    """A notice the pack would give, that is not to be acted on here, and why: recorded at once as
    not done, with the reason, where a manager sees it."""

    kind: str
    clause: str
    reason: str


# Home-Start 1.5 and 2.2: the family is told of a communication with another agency "unless this
# will impact on the safety or welfare of a child or vulnerable adult" / "unless to do so would put the
# child or vulnerable adult at greater risk of harm". The law forbids telling anyone of a report about
# terrorism (Terrorism Act 2000 s.39, after a disclosure under ss.19 or 38B) or money laundering
# (Proceeds of Crime Act 2002 ss.333A and 342, which also cover the drug money of a drug trafficking
# report): telling could prejudice the investigation. The first ground found, in this order, is the one
# recorded.
_NOT_TOLD = (
    (frozenset({"terrorism"}), "1.5",
     "Not told: a report about terrorism. Telling anyone could prejudice the investigation "
     "(Terrorism Act 2000 s.39)."),
    (frozenset({"money_laundering", "drug_trafficking"}), "1.5",
     "Not told: a report about money laundering or drug trafficking. Telling anyone could tip them off "
     "(Proceeds of Crime Act 2002 ss.333A and 342)."),
    (frozenset({"child_at_risk_of_significant_harm", "adult_at_risk"}), "2.2",
     "Not told automatically: a safeguarding referral. The family is told only if that would not put the child "
     "or vulnerable adult at greater risk of harm (Home-Start 2.2): the worker decides, and records why not."),
)
_FAMILY_INFORMED = Notice("family_informed", "Tell the family about this communication with another agency, "
                          "unless that would put a child or vulnerable adult at risk (if so, record why not)", "1.5",
                          may_skip=True)


def _not_told(pack: str, recipient_kind: str, grounds) -> NotTold | None:
    if pack != "home_start" or recipient_kind == "emergency_services":
        return None
    claimed = frozenset(grounds)
    for words, clause, reason in _NOT_TOLD:
        if words & claimed:
            return NotTold("family_informed", clause, reason)
    return None


def on_sent(pack: str, recipient_kind: str, grounds=()) -> list[Notice]:
    """Notices due when information has gone to someone outside, on these grounds (the disclosure's
    claimed grounds). Home-Start 1.5: the family is told, a task that may be left undone, with the
    reason, where telling would put a child or vulnerable adult at risk; and no such notice is given
    where telling would tip someone off (a safeguarding referral, a terrorism or money-laundering
    report): `not_told` says why, for the record."""
    if pack == "home_start" and recipient_kind != "emergency_services" and _not_told(pack, recipient_kind,
                                                                                       grounds) is None:
        return [_FAMILY_INFORMED]
    return []


def not_told(pack: str, recipient_kind: str, grounds=()) -> list[NotTold]:
    """The notices `on_sent` leaves out for these grounds because telling would tip someone off, each
    with the reason to record."""
    found = _not_told(pack, recipient_kind, grounds)
    return [found] if found else []

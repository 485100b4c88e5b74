"""The gate to the breach register: who may read a breach, and who may act on it, as the pack says.

Who reads a breach (every read and every refusal audited; "missing" and "not allowed" both 404):
- never a role the pack says is never told of a breach (governance.never_told_of_breaches: Day-Mer's
  Complaints Officer, "under no circumstances"), nor, where the pack keeps complaints independent,
  a role that handles them; this holds whatever kind the role is, a data controller's or an
  administrator's included, and even for the person who recorded it;
- otherwise the roles of the pack's escalation chain (governance.breach_chain), the data controller
  (vocab.AUDITOR_KINDS), and the person who recorded it.
Who acts on it (decisions, people told, evidence, closing): the chain's roles and the data controller.
Who escalates it: the roles of the step it has reached. A reader whose kind is briefed on the facts
only (vocab.NAMELESS_KINDS: trustees; Day-Mer's Chair "on the facts without breaching
confidentiality") sees no client number and not what happened, which may name people.

A complaint about a breach shows the breach's number and dates, never its contents
(`breach_dates`), to whoever handles complaints.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.http import Http404

from confide.accounts.models import current_policy
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.ids import record_id
from confide.policy import governance, vocab

from .models import Breach

OBJECT = "breach"


def _pack(pack=None):
    return pack if pack is not None else current_policy()


def kept_apart(user, pack=None) -> bool:
    """Whether the pack keeps this person's role away from every breach (never told; independent
    complaints handler)."""
    pack = _pack(pack)
    role = getattr(user, "role", "")
    if role in governance.never_told_of_breaches(pack):
        return True
    rules = governance.complaints(pack)
    return bool(rules and rules["independent"] and role in rules["handled_by"])


def chain_roles(pack=None) -> set[str]:
    return {role for step in governance.breach_chain(_pack(pack)) for role in step.roles}


def acts_on_breaches(user, pack=None) -> bool:
    """The chain's roles and the data controller: they read every breach and record its steps."""
    pack = _pack(pack)
    if user is None or not getattr(user, "is_active", False) or kept_apart(user, pack):
        return False
    return user.role in chain_roles(pack) or user.role_kind in vocab.AUDITOR_KINDS


def may_record(user, pack=None) -> bool:
    """Anyone may record a breach they know of (a worker who finds one tells it at once), except a
    role the pack keeps apart from breaches."""
    return user is not None and getattr(user, "is_active", False) and not kept_apart(user, pack)


def _may_read(user, breach: Breach, pack) -> tuple[bool, str]:
    if kept_apart(user, pack):
        return False, "kept_apart"
    if acts_on_breaches(user, pack):
        return True, "chain" if user.role in chain_roles(pack) else "data_controller"
    if breach.recorded_by_id == user.pk:
        return True, "recorded_it"
    return False, "not_in_chain"


def briefed_on_facts_only(user) -> bool:
    return getattr(user, "role_kind", "") in vocab.NAMELESS_KINDS


def step_roles(breach: Breach, pack=None) -> tuple[str, ...]:
    chain = governance.breach_chain(_pack(pack))
    return chain[breach.step - 1].roles if 0 < breach.step <= len(chain) else ()


def may_escalate(user, breach: Breach, pack=None) -> bool:
    pack = _pack(pack)
    return (breach.status == Breach.Status.OPEN and breach.step < len(governance.breach_chain(pack))
            and acts_on_breaches(user, pack) and user.role in step_roles(breach, pack))


@dataclass
class BreachAccess:
    breach: Breach
    may_act: bool         # record decisions and steps
    facts_only: bool      # no client numbers, not what happened
    basis: str


def access_breach(user, breach_id, *, write: bool = False, pack=None) -> BreachAccess:
    """One breach, to read (or, with `write`, to record a step on): refused as a missing one is."""
    pack = _pack(pack)
    pk = record_id(breach_id)
    action = Action.BREACH_WRITE if write else Action.BREACH_READ
    breach = Breach.objects.select_related("recorded_by", "ico_decided_by", "closed_by", "referred_person").filter(
        pk=pk).first()
    if breach is None:
        record_event(user, action.refused(), object_type=OBJECT, object_id=pk,
                     detail={"reason": "not_found", "role": user.role})
        raise Http404
    allowed, basis = _may_read(user, breach, pack)
    may_act = allowed and acts_on_breaches(user, pack)
    if not allowed or (write and not may_act):
        record_event(user, action.refused(), object_type=OBJECT, object_id=pk,
                     detail={"reason": basis if not allowed else "may_not_act", "role": user.role})
        raise Http404
    record_event(user, action, object_type=OBJECT, object_id=pk, detail={"role": user.role, "basis": basis})
    return BreachAccess(breach, may_act, briefed_on_facts_only(user), basis)


def list_breaches(user, *, status: str | None = None, limit: int = 200, pack=None) -> list[Breach]:
    """The breaches this person may read, newest first (open ones first); audited as listed."""
    pack = _pack(pack)
    if kept_apart(user, pack):
        return []
    rows = Breach.objects.all()
    if not acts_on_breaches(user, pack):
        rows = rows.filter(recorded_by=user)
    if status:
        rows = rows.filter(status=status)
    found = list(rows.order_by("status", "-aware_at", "-id")[:limit])
    if found:
        record_event(user, Action.BREACHES_LISTED, object_type=OBJECT,
                     detail={"role": user.role, "breaches": [b.pk for b in found]})
    return found


@dataclass(frozen=True)
class BreachDates:
    """What a complaint about a breach shows of it: its number and dates, never its contents."""

    number: int
    aware_at: dt.datetime
    aware_zone: str
    recorded_at: dt.datetime
    reported_at: dt.datetime | None
    closed_at: dt.datetime | None


def breach_exists(breach_id) -> bool:
    try:
        pk = record_id(breach_id)
    except Http404:
        return False
    return Breach.objects.filter(pk=pk).exists()


def breach_dates(user, breach_id, *, may: bool) -> BreachDates:
    """A breach's number and dates, for someone whose complaints gate (`may`) said yes: the
    complaints handler of a complaint about it. Audited apart from a read of the breach."""
    pk = record_id(breach_id)
    row = Breach.objects.filter(pk=pk).values("pk", "aware_at", "aware_zone", "recorded_at", "reported_at",
                                               "closed_at").first()
    if row is None or not may:
        record_event(user, Action.BREACH_DATES_REFUSED, object_type=OBJECT, object_id=pk,
                     detail={"reason": "not_found" if row is None else "not_allowed", "role": user.role})
        raise Http404
    record_event(user, Action.BREACH_DATES, object_type=OBJECT, object_id=pk, detail={"role": user.role})
    return BreachDates(row["pk"], row["aware_at"], row["aware_zone"], row["recorded_at"], row["reported_at"],
                       row["closed_at"])

"""Writes to the breach register: each one do_* function whose audit event commits in the same
transaction. The audit events carry numbers, words of the vocabulary and decisions: never what
happened, a rationale or anyone's name.

- do_record_breach: anyone the pack does not keep apart from breaches records one; the first step
  of the pack's chain is told (a notice to each person in its roles).
- do_reassess, do_decide_ico, do_record_people_told, do_decide_charity_commission,
  do_record_findings, do_refer_for_discipline, do_close: the chain's roles and the data controller
  (access.acts_on_breaches), on a breach the gate opened for writing.
- do_escalate: a role of the step the breach has reached moves it to the next step, whose roles are
  told in turn.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.notices.models import Notice
from confide.notices.services import notify
from confide.policy import governance, vocab

from . import access as gate
from . import clock
from .models import Breach

TEXT_MAX = 5000
SHORT_MAX = 200
CLIENTS_MAX = 50
EARLIEST = dt.timedelta(days=6 * 366)  # a breach older than six years is a typing mistake


class BreachError(ConfideError):
    code = "breach_refused"


def _text(value: str | None, field_name: str, missing: str, *, required: bool = True, limit: int = TEXT_MAX) -> str:
    value = (value or "").strip()
    if required and not value:
        raise BreachError(missing, field=field_name, code="missing")
    if len(value) > limit:
        raise BreachError(f"Keep this to {limit} characters.", field=field_name, code="too_long")
    return value


def _not_future(when: dt.datetime, now: dt.datetime, field_name: str, what: str) -> None:
    if when > now + clock.FUTURE_SLACK:
        raise BreachError(f"{what} is in the future: enter when it actually happened.", field=field_name,
                          code="in_the_future")


def _day_not_future(day: dt.date | None, today: dt.date, field_name: str, what: str, missing: str) -> dt.date:
    if day is None:
        raise BreachError(missing, field=field_name, code="missing")
    if day > today:
        raise BreachError(f"{what} is in the future: enter the day it happened.", field=field_name,
                          code="in_the_future")
    return day


def data_words(pack) -> list[str]:
    """The data categories a breach may name: the pack's data words (the core vocabulary and its own)."""
    words = pack.spec.vocab.get("data") or vocab.DATA
    return sorted(words, key=vocab.label)


def _people_in(roles) -> list:
    return list(get_user_model().objects.filter(role__in=list(roles), is_active=True).order_by("pk"))


def _line_manager_of(person) -> int | None:
    from confide.staffing.models import PersonnelFile

    return PersonnelFile.objects.filter(person=person, destroyed_at__isnull=True).values_list(
        "line_manager_id", flat=True).first()


def _to_tell(breach: Breach, pack, step: int) -> list:
    """Who this step of the chain tells. Where the step's roles hold the line manager of the person
    who recorded the breach (their personnel file says who), that is whom the policy means ("discuss
    with your line manager": Derbyshire), not everyone in the role. A step whose roles are told in turn
    ("the Chair, or failing that the Vice Chair": Day-Mer) tells the first role someone holds. A step
    with nobody in it (a role nobody holds today) falls to the data controller, so that a breach is
    never left untold."""
    this = governance.breach_chain(pack)[step - 1]
    people = [person for person in _people_in(this.roles)
              if not gate.kept_apart(person, pack)]  # the pack refuses such a chain when it loads
    if this.in_turn:  # "the Chair, or failing that the Vice Chair": the first role someone holds
        first = next((role for role in this.roles if any(person.role == role for person in people)), None)
        people = [person for person in people if person.role == first]
    own = _line_manager_of(breach.recorded_by_id)
    if own is not None and own != breach.recorded_by_id and any(person.pk == own for person in people):
        return [person for person in people if person.pk == own]
    if not people:
        people = [person for person in get_user_model().objects.filter(is_active=True).order_by("pk")
                  if person.role_kind in vocab.AUDITOR_KINDS and not gate.kept_apart(person, pack)]
    return people


def _tell_step(breach: Breach, pack, step: int) -> list[int]:
    """A notice to each person this step of the chain tells (words only, no content)."""
    chain = governance.breach_chain(pack)
    if not 0 < step <= len(chain):
        return []
    told = []
    link = reverse("breaches:detail", args=[breach.pk])
    for person in _to_tell(breach, pack, step):
        if notify(person, Notice.Kind.BREACH_TO_ACT_ON, f"Breach {breach.pk} is for you to act on, as the policy's "
                  f"breach procedure says: the ICO's 72 hours are running.", link=link, object_type="breach",
                  object_id=breach.pk):
            told.append(person.pk)
    return told


@dataclass
class NewBreach:
    aware_at: dt.datetime            # aware, any zone
    aware_zone: str
    what_happened: str
    data_categories: list[str]
    people_affected: int | None      # None: not known yet
    risk: str
    client_ids: list[int] = field(default_factory=list)
    opened_from: int | None = None   # a break-glass review marked "concern"


def _check_facts(pack, categories: list[str], people: int | None, risk: str) -> list[str]:
    words = set(data_words(pack))
    chosen = [c for c in dict.fromkeys(categories or [])]
    if not chosen:
        raise BreachError("Choose at least one kind of data the breach involved.", field="data_categories",
                          code="missing")
    unknown = [c for c in chosen if c not in words]
    if unknown:
        raise BreachError("Choose the kinds of data from the list.", field="data_categories", code="unknown_word")
    if people is not None and not 0 < people < 10**9:
        raise BreachError("Enter how many people in figures (1 or more), or choose \"Not known yet\".",
                          field="people_affected", code="bad_number")
    if risk not in Breach.Risk.values:
        raise BreachError("Choose the risk to the people affected.", field="risk", code="missing")
    return chosen


def _review(user, review_id: int | None):
    if review_id is None:
        return None
    from confide.records.break_glass import reviewable
    from confide.records.models import BreakGlass

    glass = (reviewable(user).filter(pk=review_id, outcome=BreakGlass.Outcome.CONCERN).first()
             or BreakGlass.objects.filter(pk=review_id, outcome=BreakGlass.Outcome.CONCERN, reviewed_by=user).first())
    if glass is None:
        raise BreachError("That break-glass review is not one you review, or was not marked as a concern.",
                          field="opened_from", code="no_such_review", status=404)
    return glass


def do_record_breach(user, pack, new: NewBreach, *, now: dt.datetime | None = None) -> Breach:
    """Record a breach; the first step of the pack's chain is told."""
    now = now or timezone.now()
    if not gate.may_record(user, pack):
        record_event(user, Action.BREACH_RECORDED_REFUSED, object_type="breach",
                     detail={"reason": "kept_apart", "role": getattr(user, "role", "")})
        raise BreachError("The policy keeps your role apart from breaches of confidentiality: tell the person "
                          "its breach procedure names instead.", code="not_allowed", status=403)
    if new.aware_at is None or new.aware_at.tzinfo is None:
        raise BreachError("Enter the date and time the organisation became aware.", field="aware_date",
                          code="missing")
    _not_future(new.aware_at, now, "aware_date", "That moment")
    if new.aware_at < now - EARLIEST:
        raise BreachError("That is more than six years ago: check the year.", field="aware_date", code="too_old")
    clock.zone(new.aware_zone)
    what = _text(new.what_happened, "what_happened", "Say what happened: what was disclosed, lost or seen, and how.")
    categories = _check_facts(pack, new.data_categories, new.people_affected, new.risk)
    clients = list(dict.fromkeys(new.client_ids or []))
    if len(clients) > CLIENTS_MAX or any(not isinstance(c, int) or not 0 < c < 2**63 for c in clients):
        raise BreachError(f"Enter up to {CLIENTS_MAX} client numbers in figures, separated by commas.",
                          field="client_ids", code="bad_number")
    with transaction.atomic():
        glass = _review(user, new.opened_from)
        if glass is not None and glass.reviewed_at is not None and new.aware_at > glass.reviewed_at:
            # Art 33(1) counts from awareness: the review that marked the concern is the latest it can be.
            raise BreachError(f"The organisation was aware by the time break-glass review {glass.pk} was marked as "
                              f"a concern, at {clock.shown(glass.reviewed_at)}: enter that moment or earlier.",
                              field="aware_date", code="after_review")
        breach = Breach(aware_at=new.aware_at.astimezone(dt.UTC), aware_zone=new.aware_zone or clock.LONDON,
                        data_categories=categories, people_affected=new.people_affected, risk=new.risk,
                        client_ids=clients, opened_from=glass, recorded_by=user, recorded_at=now)
        breach.save()
        breach.what_happened = what
        breach.save(update_fields=["what_sealed"])
        told = _tell_step(breach, pack, 1)
        record_event(user, Action.BREACH_RECORDED, object_type="breach", object_id=breach.pk,
                     detail={"risk": breach.risk, "data": categories, "people": breach.people_affected,
                             "clients": clients, "break_glass": glass.pk if glass else None, "told": told,
                             "role": user.role})
    return breach


def _writable(user, found: gate.BreachAccess) -> Breach:
    if not found.may_act:
        raise BreachError("Only the people the breach procedure names may record this.", code="not_allowed",
                          status=403)
    breach = Breach.objects.select_for_update().get(pk=found.breach.pk)
    if breach.status == Breach.Status.CLOSED:
        raise BreachError(f"Breach {breach.pk} is closed.", code="closed", status=409)
    return breach


def _changed(user, breach: Breach, what: str, **detail) -> None:
    record_event(user, Action.BREACH_CHANGED, object_type="breach", object_id=breach.pk,
                 detail={"step": what, "role": user.role, **detail})


def do_reassess(user, pack, found: gate.BreachAccess, categories: list[str], people: int | None, risk: str
                ) -> Breach:
    """The data, the number of people and the risk, as they are now understood. A breach decided
    "not reported" because it was unlikely to result in a risk, now found to be a risk, has its ICO
    decision reopened: Art 33(1) asks for it to be reported, and the 72 hours from awareness still
    count (a later report says why it was late)."""
    chosen = _check_facts(pack, categories, people, risk)
    with transaction.atomic():
        breach = _writable(user, found)
        reopened = breach.ico_decision == Breach.Decision.NOT_REPORT and risk != Breach.Risk.NONE
        breach.data_categories, breach.people_affected, breach.risk = chosen, people, risk
        fields = ["data_categories", "people_affected", "risk"]
        if reopened:
            breach.ico_decision, breach.ico_decided_at, breach.ico_decided_by = "", None, None
            fields += ["ico_decision", "ico_decided_at", "ico_decided_by"]
        breach.save(update_fields=fields)
        _changed(user, breach, "reassessed", risk=risk, data=chosen, people=people, ico_decision_reopened=reopened)
    return breach


def delay_needed(breach: Breach, decided_at: dt.datetime, decision: str, reported_at: dt.datetime | None) -> bool:
    """Art 33(1): a notification not made within 72 hours is accompanied by reasons for the delay;
    a decision made after the deadline, either way, says why too."""
    deadline = breach.ico_deadline
    return decided_at > deadline or (decision == Breach.Decision.REPORT and reported_at is not None
                                     and reported_at > deadline)


def do_decide_ico(user, found: gate.BreachAccess, decision: str, rationale: str, *,
                  reported_at: dt.datetime | None = None, reported_zone: str = clock.LONDON, reference: str = "",
                  delay_reason: str = "", now: dt.datetime | None = None) -> Breach:
    """The decision to report the breach to the ICO or not, with its rationale (Art 33(5)); when it
    was reported; the reason for a delay past 72 hours."""
    now = now or timezone.now()
    if decision not in Breach.Decision.values:
        raise BreachError("Choose whether the breach is reported to the ICO.", field="ico_decision", code="missing")
    rationale = _text(rationale, "ico_rationale",
                      "Say why the breach is not reported: Art 33(5) asks for the reasons to be recorded."
                      if decision == Breach.Decision.NOT_REPORT else "Say why the breach is reported.")
    reference = _text(reference, "ico_reference", "", required=False, limit=64)
    if decision == Breach.Decision.NOT_REPORT:
        reported_at, reference = None, ""
    with transaction.atomic():
        breach = _writable(user, found)
        if decision == Breach.Decision.NOT_REPORT and breach.risk != Breach.Risk.NONE:
            raise BreachError("This breach is recorded as a risk to the people affected, so it must be reported to "
                              "the ICO (UK GDPR Art 33(1)): only a breach unlikely to result in a risk is not "
                              "reported. If the risk is lower than recorded, reassess it first.",
                              field="ico_decision", code="must_report")
        if reported_at is not None:
            _not_future(reported_at, now, "reported_date", "The time it was reported")
            if reported_at < breach.aware_at:
                raise BreachError("It was reported before the organisation became aware of it: check the date "
                                  "and time.", field="reported_date", code="before_aware")
            clock.zone(reported_zone)
        decided_at = breach.ico_decided_at or now
        needed = delay_needed(breach, decided_at, decision, reported_at)
        delay_reason = _text(delay_reason, "delay_reason",
                             "Say why this was later than 72 hours after becoming aware: Art 33(1) asks for the "
                             "reasons for the delay.", required=needed)
        breach.ico_decision, breach.ico_rationale = decision, rationale
        breach.ico_decided_at, breach.ico_decided_by = decided_at, breach.ico_decided_by or user
        breach.reported_at = reported_at.astimezone(dt.UTC) if reported_at else None
        breach.reported_zone = reported_zone if reported_at else ""
        breach.ico_reference, breach.delay_reason = reference, delay_reason
        breach.save(update_fields=["ico_decision", "ico_rationale", "ico_decided_at", "ico_decided_by",
                                   "reported_at", "reported_zone", "ico_reference", "delay_reason"])
        _changed(user, breach, "ico_decision", decision=decision, reported=breach.reported_at is not None,
                 late=needed, hours=round(clock.hours_between(breach.aware_at, breach.reported_at or decided_at), 1))
    return breach


def do_record_people_told(user, found: gate.BreachAccess, told: str, *, told_on: dt.date | None = None,
                          how: str = "", exception: str = "", why: str = "", today: dt.date | None = None
                          ) -> Breach:
    """Art 34: the people affected told of a high-risk breach (when and how), or why not (34(3))."""
    today = today or timezone.localdate()
    if told not in Breach.Told.values:
        raise BreachError("Choose whether the people affected were told.", field="told", code="missing")
    with transaction.atomic():
        breach = _writable(user, found)
        if told == Breach.Told.TOLD:
            told_on = _day_not_future(told_on, today, "told_on", "That day",
                                      "Enter the day the people affected were told.")
            if told_on < clock.local(breach.aware_at, breach.aware_zone).date():
                raise BreachError("That is before the organisation became aware of the breach.", field="told_on",
                                  code="before_aware")
            how = _text(how, "told_how", "Say how they were told (letter, call, meeting) and what they were told.")
            exception, why = "", ""
        else:
            if exception not in Breach.Exception_.values:
                raise BreachError("Choose which exception in Art 34(3) applies.", field="not_told_exception",
                                  code="missing")
            why = _text(why, "not_told_why", "Say why the exception applies to this breach.")
            told_on, how = None, ""
        breach.told, breach.told_on, breach.told_how = told, told_on, how
        breach.not_told_exception, breach.not_told_why = exception, why
        breach.save(update_fields=["told", "told_on", "told_how", "not_told_exception", "not_told_why"])
        _changed(user, breach, "people_told", told=told, exception=exception)
    return breach


def do_decide_charity_commission(user, found: gate.BreachAccess, decision: str, rationale: str,
                                 decided_on: dt.date | None, *, today: dt.date | None = None) -> Breach:
    """The trustees' decision on a serious incident report to the Charity Commission."""
    today = today or timezone.localdate()
    if decision not in Breach.Decision.values:
        raise BreachError("Choose whether a serious incident report is made to the Charity Commission.",
                          field="cc_decision", code="missing")
    rationale = _text(rationale, "cc_rationale", "Say why, as the trustees decided.")
    decided_on = _day_not_future(decided_on, today, "cc_decided_on", "That day", "Enter the day it was decided.")
    with transaction.atomic():
        breach = _writable(user, found)
        breach.cc_decision, breach.cc_rationale, breach.cc_decided_on = decision, rationale, decided_on
        breach.save(update_fields=["cc_decision", "cc_rationale", "cc_decided_on"])
        _changed(user, breach, "charity_commission", decision=decision)
    return breach


def do_record_findings(user, found: gate.BreachAccess, evidence: str, lessons: str) -> Breach:
    evidence = _text(evidence, "evidence", "", required=False)
    lessons = _text(lessons, "lessons", "", required=False)
    if not evidence and not lessons:
        raise BreachError("Write the evidence, the lessons learned, or both.", field="evidence", code="missing")
    with transaction.atomic():
        breach = _writable(user, found)
        breach.evidence, breach.lessons = evidence, lessons
        breach.save(update_fields=["evidence", "lessons"])
        _changed(user, breach, "findings", evidence=bool(evidence), lessons=bool(lessons))
    return breach


def do_refer_for_discipline(user, pack, found: gate.BreachAccess, person_id: int | None,
                            *, now: dt.datetime | None = None) -> Breach:
    """A deliberate breach referred for disciplinary action under the pack's clause (DVIP 1.01, 8.09)."""
    rules = governance.breach_rules(pack) or {}
    disciplinary = rules.get("disciplinary")
    if not disciplinary:
        raise BreachError("The policy names no disciplinary procedure for breaches.", field="person",
                          code="no_clause", status=409)
    person = get_user_model().objects.filter(pk=person_id).first() if person_id else None
    if person is None:
        raise BreachError("Choose the member of staff or volunteer referred.", field="person", code="missing")
    if person.pk == user.pk:
        raise BreachError("You cannot refer yourself: ask the next person in the breach procedure.", field="person",
                          code="self")
    with transaction.atomic():
        breach = _writable(user, found)
        breach.referred_person, breach.referred_by = person, user
        breach.referred_at, breach.referral_clause = now or timezone.now(), disciplinary["clause"]
        breach.save(update_fields=["referred_person", "referred_by", "referred_at", "referral_clause"])
        record_event(user, Action.BREACH_REFERRED, object_type="breach", object_id=breach.pk,
                     detail={"person": person.pk, "clause": disciplinary["clause"], "role": user.role})
    return breach


def do_escalate(user, pack, found: gate.BreachAccess, *, now: dt.datetime | None = None) -> Breach:
    """A role of the step the breach has reached records "escalated": the next step's roles are told."""
    now = now or timezone.now()
    with transaction.atomic():
        breach = _writable(user, found)
        if not gate.may_escalate(user, breach, pack):
            raise BreachError("Only the people of the step the breach has reached escalate it, and only to a step "
                              "the procedure has.", code="not_allowed", status=403)
        frm = breach.step
        breach.step = frm + 1
        breach.escalations = [*breach.escalations, {"from": frm, "to": breach.step, "by": user.pk,
                                                    "at": now.astimezone(dt.UTC).isoformat()}]
        breach.save(update_fields=["step", "escalations"])
        told = _tell_step(breach, pack, breach.step)
        record_event(user, Action.BREACH_ESCALATED, object_type="breach", object_id=breach.pk,
                     detail={"from": frm, "to": breach.step, "told": told, "role": user.role})
    return breach


def do_close(user, found: gate.BreachAccess, *, now: dt.datetime | None = None) -> Breach:
    with transaction.atomic():
        breach = _writable(user, found)
        if not breach.ico_decision:
            raise BreachError("Record the ICO decision before closing the breach.", code="not_ready", status=409)
        if breach.risk == Breach.Risk.HIGH and not breach.told:
            raise BreachError("The risk is high: record whether the people affected were told before closing.",
                              code="not_ready", status=409)
        if breach.ico_decision == Breach.Decision.REPORT and breach.reported_at is None:
            raise BreachError("Record when the breach was reported to the ICO before closing it.",
                              code="not_ready", status=409)
        breach.status, breach.closed_at, breach.closed_by = Breach.Status.CLOSED, now or timezone.now(), user
        breach.save(update_fields=["status", "closed_at", "closed_by"])
        record_event(user, Action.BREACH_CLOSED, object_type="breach", object_id=breach.pk,
                     detail={"role": user.role})
    return breach

"""Subject access, written: each change one `do_*` function committing its audit event with it.

Reading goes through confide.subject_access.access (the gate). The audit events carry numbers and
decisions only: never a name, a word of the file, or what a redaction hides.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass
from typing import Any

from django.db import transaction
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.policy import vocab
from confide.policy.dates import EARLIEST, add_months
from confide.subject_access import compile as compiling
from confide.subject_access.models import Item, Redaction, Release, SubjectAccessRequest
from confide.subject_access.pdf import render_release

MAX_TEXT = 2000
PARA_16_FACTORS = (
    ("type_of_information", "The type of information that would be disclosed"),
    ("duty_of_confidentiality", "Any duty of confidentiality owed to the other person"),
    ("steps_to_seek_consent", "Any steps taken to seek the other person's consent"),
    ("capable_of_consent", "Whether the other person is capable of giving consent"),
    ("express_refusal", "Any express refusal of consent by the other person"),
)
BASES = {"consent": "The other person consented", "reasonable": "Reasonable to disclose without their consent "
         "(DPA 2018 Sch 2 para 16(3): the five factors recorded)", "professional": "They acted as a professional, "
         "in that role"}


class SarError(ConfideError, ValueError):
    """A subject-access change that cannot be made; the message says why, `field` which part."""

    code = "subject_access_invalid"

    def __init__(self, message: str, field: str = ""):
        super().__init__(message)
        self.field = field


class Stale(SarError):
    code = "subject_access_changed"

    def __init__(self) -> None:
        super().__init__("Someone changed this request since you opened it. Nothing was saved: "
                         "look at it again, then make your change.")


def _date(value, field: str, *, today: dt.date, optional: bool = False, not_before: dt.date | None = None):
    if value in (None, ""):
        if optional:
            return None
        raise SarError("Enter the date.", field)
    if not isinstance(value, dt.date):
        raise SarError("Enter the date as day, month and year.", field)
    if value > today:
        raise SarError("That date is in the future: enter the day it happened.", field)
    if value < EARLIEST:
        raise SarError("That date is too long ago: check the year.", field)
    if not_before is not None and value < not_before:
        raise SarError(f"That is before the request was received ({compiling.long_date(not_before)}).", field)
    return value


def _text(value: str | None, field: str, what: str, *, required: bool = True) -> str:
    value = (value or "").strip()
    if required and not value:
        raise SarError(f"Write {what}.", field)
    if len(value) > MAX_TEXT:
        raise SarError(f"Keep it under {MAX_TEXT} characters.", field)
    return value


def _locked(sar: SubjectAccessRequest, version: int | None) -> SubjectAccessRequest:
    locked = SubjectAccessRequest.objects.select_for_update().select_related("client").get(pk=sar.pk)
    if version is not None and locked.version != version:
        raise Stale()
    if locked.status in (SubjectAccessRequest.Status.RELEASED, SubjectAccessRequest.Status.WITHDRAWN):
        raise SarError("This request is closed: it was released or withdrawn.")
    return locked


def _event(user, action: Action, sar: SubjectAccessRequest, **detail: Any) -> None:
    record_event(user, action, object_type="subject_access_request", object_id=sar.pk, client_id=sar.client_id,
                 purpose="subject_access", detail={"role": getattr(user, "role", ""), **detail})


def _bump(sar: SubjectAccessRequest, fields: list[str]) -> None:
    sar.version += 1
    sar.save(update_fields=[*fields, "version"])


# Logging a request ---------------------------------------------------------------------------------

@dataclass
class Received:
    received_on: dt.date
    made: str
    made_by: str = SubjectAccessRequest.By.CLIENT
    representative_name: str = ""
    representative_relationship: str = ""
    authority: str = ""  # how their authority was shown
    identity_check: str = SubjectAccessRequest.IdentityCheck.NOT_YET
    identity_confirmed_on: dt.date | None = None
    authority_confirmed_on: dt.date | None = None


def do_log_request(user, grant, received: Received) -> SubjectAccessRequest:
    """Log a request for the client `grant` opened (confide.subject_access.access.access_sar_client).
    Written and verbal requests are equally valid (UK GDPR: no form is required)."""
    today = timezone.localdate()
    received_on = _date(received.received_on, "received_on", today=today)
    if received.made not in SubjectAccessRequest.Made.values:
        raise SarError("Choose how the request was made.", "made")
    if received.made_by not in SubjectAccessRequest.By.values:
        raise SarError("Choose who made the request.", "made_by")
    if received.identity_check not in SubjectAccessRequest.IdentityCheck.values:
        raise SarError("Choose how the requester's identity was checked.", "identity_check")
    identity_on = _date(received.identity_confirmed_on, "identity_confirmed_on", today=today, optional=True)
    if received.identity_check == SubjectAccessRequest.IdentityCheck.NOT_YET:
        if identity_on is not None:
            raise SarError("Say how identity was checked, or leave the date empty until it is.", "identity_check")
    elif identity_on is None:
        raise SarError("Enter the day identity was confirmed.", "identity_confirmed_on")
    sar = SubjectAccessRequest(client=grant.client, received_on=received_on, made=received.made,
                               made_by=received.made_by, identity_check=received.identity_check,
                               identity_confirmed_on=identity_on, logged_by=user)
    if received.made_by == SubjectAccessRequest.By.REPRESENTATIVE:
        name = _text(received.representative_name, "representative_name", "the representative's name")
        relationship = _text(received.representative_relationship, "representative_relationship",
                             "who they are to the client (a solicitor, an advocate, a family member)")
        authority = _text(received.authority, "authority", "how they showed the client's authority", required=False)
        sar.authority_confirmed_on = _date(received.authority_confirmed_on, "authority_confirmed_on", today=today,
                                           optional=True)
        if sar.authority_confirmed_on and not authority:
            raise SarError("Say how their authority was shown.", "authority")
        sar.representative = {"name": name, "relationship": relationship, "authority": authority}
    elif received.representative_name.strip() or received.authority_confirmed_on:
        raise SarError("A representative's details are only for a request made on the client's behalf.",
                       "made_by")
    for field, day in (("identity_confirmed_on", sar.identity_confirmed_on),
                       ("authority_confirmed_on", sar.authority_confirmed_on)):
        if day is not None and day < received_on:
            raise SarError(f"That is before the request was received ({compiling.long_date(received_on)}).", field)
    with transaction.atomic(durable=True):
        sar.save()
        _event(user, Action.SAR_LOGGED, sar, made=sar.made, made_by=sar.made_by)
    return sar


# The clock ------------------------------------------------------------------------------------------

@dataclass
class Clock:
    statutory_due_on: dt.date | None  # None: the clock has not started, or is paused
    pack_due_on: dt.date | None
    status: str                       # not_started, running, paused, extended, closed
    basis: list[str]
    warnings: list[str]
    procedure: list[tuple[str, str]]  # (step, words)
    fee: str | None
    days_left: int | None
    overdue: bool
    reasons: list[dict[str, str]]

    @property
    def basis_in_words(self) -> list[str]:
        """What the clock counts from, as a person reads it (dates in full, fields as words)."""
        return [compiling.plain(line) for line in self.basis]

    @property
    def warnings_in_words(self) -> list[str]:
        return [compiling.plain(line) for line in self.warnings]


def clock(sar: SubjectAccessRequest, *, today: dt.date | None = None) -> Clock:
    """The request's deadlines as the engine answers them: the statutory one (UK GDPR Art 12(3) and
    12A, with its pauses and extension) beside the pack's own, with the pack's warning."""
    today = today or timezone.localdate()
    services = list(dict.fromkeys(c.service for c in sar.client.cases.all())) or [None]
    answers = [compiling.ask(sar, service=service) for service in services]
    answer = answers[0]
    # Every service's own rules apply (a declaration at Stephen's Place on a second case, say): the
    # steps, warnings and reasons of each, the pack's earliest deadline; the statutory clock is one.
    for other in answers[1:]:
        answer["procedure"] = list(dict.fromkeys([*answer.get("procedure", ()), *other.get("procedure", ())]))
        answer["warnings"] = list(dict.fromkeys([*answer.get("warnings", ()), *other.get("warnings", ())]))
        seen = {(r.get("clause"), r.get("text")) for r in answer.get("reasons", ())}
        answer["reasons"] = [*answer.get("reasons", ()),
                             *(r for r in other.get("reasons", ()) if (r.get("clause"), r.get("text")) not in seen)]
        if other.get("due_on") and (not answer.get("due_on") or other["due_on"] < answer["due_on"]):
            answer["due_on"] = other["due_on"]
    due = answer.get("statutory_due_on")
    due_on = dt.date.fromisoformat(due) if due else None
    state = answer.get("clock") or {}
    status = state.get("status", "running")
    if status == "running" and state.get("extended_by_months"):
        status = "extended"
    if sar.status in (SubjectAccessRequest.Status.RELEASED, SubjectAccessRequest.Status.WITHDRAWN):
        status = "closed"
    days_left = (due_on - today).days if due_on else None
    return Clock(
        statutory_due_on=due_on, pack_due_on=dt.date.fromisoformat(answer["due_on"]) if answer.get("due_on") else None,
        status=status, basis=list(state.get("basis", [])), warnings=list(answer.get("warnings", [])),
        procedure=[(step, compiling.STEP_WORDS.get(step, vocab.heading(step))) for step in answer.get("procedure", ())],
        fee=answer.get("fee"), days_left=days_left, overdue=status != "closed" and days_left is not None and days_left < 0,
        reasons=list(answer.get("reasons", [])))


def do_confirm(user, sar: SubjectAccessRequest, version: int, *, identity_check: str | None = None,
               identity_confirmed_on: dt.date | None = None, authority_confirmed_on: dt.date | None = None,
               authority: str = "") -> SubjectAccessRequest:
    """Record that the requester's identity (or a representative's authority) was confirmed: the
    clock starts on the latest of receipt and these."""
    today = timezone.localdate()
    with transaction.atomic(durable=True):
        sar = _locked(sar, version)
        fields = []
        if identity_confirmed_on is not None:
            if identity_check in (None, "", SubjectAccessRequest.IdentityCheck.NOT_YET) \
                    or identity_check not in SubjectAccessRequest.IdentityCheck.values:
                raise SarError("Choose how identity was checked.", "identity_check")
            sar.identity_check = identity_check
            sar.identity_confirmed_on = _date(identity_confirmed_on, "identity_confirmed_on", today=today,
                                              not_before=sar.received_on)
            fields += ["identity_check", "identity_confirmed_on"]
        if authority_confirmed_on is not None:
            if sar.made_by != SubjectAccessRequest.By.REPRESENTATIVE:
                raise SarError("Authority is only for a request made on the client's behalf.", "authority_confirmed_on")
            sar.authority_confirmed_on = _date(authority_confirmed_on, "authority_confirmed_on", today=today,
                                               not_before=sar.received_on)
            rep = dict(sar.representative or {})
            rep["authority"] = _text(authority or rep.get("authority", ""), "authority",
                                     "how their authority was shown")
            sar.representative = rep
            fields += ["authority_confirmed_on", "representative_sealed"]
        if not fields:
            raise SarError("Enter the day identity or authority was confirmed.", "identity_confirmed_on")
        _bump(sar, fields)
        _event(user, Action.SAR_CHANGED, sar, step="confirmed", what=[f for f in fields if f.endswith("_on")])
    return sar


def do_ask_clarification(user, sar: SubjectAccessRequest, version: int, asked_on: dt.date) -> SubjectAccessRequest:
    """The controller asked the requester for information it needs to identify what they want: the
    clock pauses from that day (UK GDPR Art 12A)."""
    today = timezone.localdate()
    with transaction.atomic(durable=True):
        sar = _locked(sar, version)
        asked = _date(asked_on, "asked_on", today=today, not_before=sar.received_on)
        if any(c.get("answered_on") is None for c in sar.clarifications):
            raise SarError("A question is already waiting for its answer: record the answer first.", "asked_on")
        sar.clarifications = [*sar.clarifications, {"asked_on": asked.isoformat(), "answered_on": None}]
        _bump(sar, ["clarifications"])
        _event(user, Action.SAR_CHANGED, sar, step="clarification_asked")
    return sar


def do_answer_clarification(user, sar: SubjectAccessRequest, version: int, answered_on: dt.date) -> SubjectAccessRequest:
    today = timezone.localdate()
    with transaction.atomic(durable=True):
        sar = _locked(sar, version)
        waiting = [c for c in sar.clarifications if c.get("answered_on") is None]
        if not waiting:
            raise SarError("No question is waiting for an answer.", "answered_on")
        asked = dt.date.fromisoformat(waiting[-1]["asked_on"])
        answered = _date(answered_on, "answered_on", today=today, not_before=asked)
        sar.clarifications = [dict(c, answered_on=answered.isoformat()) if c is waiting[-1] else c
                              for c in sar.clarifications]
        _bump(sar, ["clarifications"])
        _event(user, Action.SAR_CHANGED, sar, step="clarification_answered")
    return sar


def do_extend(user, sar: SubjectAccessRequest, version: int, months: int, reason: str,
              told_on: dt.date) -> SubjectAccessRequest:
    """Extend by up to two further months, the requester told with the reasons within the first month
    (UK GDPR Art 12A; the engine says whether the telling was in time)."""
    today = timezone.localdate()
    if months not in (1, 2):
        raise SarError("Choose one or two further months.", "months")
    with transaction.atomic(durable=True):
        sar = _locked(sar, version)
        if sar.extension_months:
            raise SarError("This request has been extended already.", "months")
        sar.extension_months = months
        sar.extension_reason = _text(reason, "reason", "why more time is needed (the requester is told this)")
        sar.extension_told_on = _date(told_on, "told_on", today=today, not_before=sar.received_on)
        _bump(sar, ["extension_months", "extension_reason_sealed", "extension_told_on"])
        _event(user, Action.SAR_CHANGED, sar, step="extended", months=months)
    return sar


def do_record_search(user, sar: SubjectAccessRequest, version: int, where: str, searched_on: dt.date) -> SubjectAccessRequest:
    """The reasonable and proportionate search made: where was looked (Confide, paper files, email,
    phones), by whom and when."""
    today = timezone.localdate()
    with transaction.atomic(durable=True):
        sar = _locked(sar, version)
        sar.search = _text(where, "search", "where you looked (this file, paper files, email, work phones)")
        sar.searched_on = _date(searched_on, "searched_on", today=today, not_before=sar.received_on)
        _bump(sar, ["search_sealed", "searched_on"])
        _event(user, Action.SAR_CHANGED, sar, step="search_recorded")
    return sar


STEPS = {"supported_reading": "supported_reading_offered_on", "declaration": "declaration_received_on"}


def do_record_step(user, sar: SubjectAccessRequest, version: int, step: str, on: dt.date) -> SubjectAccessRequest:
    """A step of the pack's own procedure: supported reading offered (DVIP 9.11), the signed
    declaration received (DVIP Appendix D 1.5.1)."""
    if step not in STEPS:
        raise SarError("Choose a step.", "step")
    today = timezone.localdate()
    with transaction.atomic(durable=True):
        sar = _locked(sar, version)
        setattr(sar, STEPS[step], _date(on, "on", today=today, not_before=sar.received_on))
        _bump(sar, [STEPS[step]])
        _event(user, Action.SAR_CHANGED, sar, step=step)
    return sar


def do_record_health_opinion(user, sar: SubjectAccessRequest, version: int, *, on: dt.date, by: str,
                             serious_harm: bool) -> SubjectAccessRequest:
    """The opinion of an appropriate health professional on the health information in the file
    (DPA 2018 Sch 3 para 5 and 6): whether giving it would be likely to cause serious harm. Health
    items waiting for it are decided again."""
    today = timezone.localdate()
    with transaction.atomic(durable=True):
        sar = _locked(sar, version)
        sar.health_opinion_on = _date(on, "health_opinion_on", today=today)
        if add_months(sar.health_opinion_on, compiling.OPINION_MONTHS) < today:
            raise SarError("An opinion given more than six months ago cannot be relied on: ask again.",
                           "health_opinion_on")
        sar.health_opinion_by = _text(by, "health_opinion_by", "the health professional's name and role")
        sar.health_serious_harm = bool(serious_harm)
        _bump(sar, ["health_opinion_on", "health_opinion_by_sealed", "health_serious_harm"])
        waiting = Item.objects.filter(request=sar, health=True, decision=Item.Decision.WAIT_HEALTH)
        if serious_harm:
            waiting.update(decision=Item.Decision.WITHHOLD, code=compiling.SERIOUS_HARM,
                           reason="a health professional's opinion: serious harm")
        else:
            for item in waiting:
                item.decision = Item.Decision.REDACT if item.redactions.exists() else Item.Decision.RELEASE
                item.code, item.reason = ((compiling.PARA_16, compiling.THIRD_PARTY_REASON)
                                          if item.decision == Item.Decision.REDACT else ("", ""))
                item.save(update_fields=["decision", "code", "reason"])
        _event(user, Action.SAR_CHANGED, sar, step="health_opinion", serious_harm=bool(serious_harm))
    return sar


def do_withdraw(user, sar: SubjectAccessRequest, version: int) -> SubjectAccessRequest:
    with transaction.atomic(durable=True):
        sar = _locked(sar, version)
        sar.status, sar.closed_at = SubjectAccessRequest.Status.WITHDRAWN, timezone.now()
        _bump(sar, ["status", "closed_at"])
        _event(user, Action.SAR_WITHDRAWN, sar)
    return sar


# Compiling ------------------------------------------------------------------------------------------

def do_compile(user, grant, sar: SubjectAccessRequest, version: int) -> SubjectAccessRequest:
    """Compile the file `grant` opened (purpose subject_access) into the request's items, each with
    its starting decision and the redactions proposed in it. Compiling again starts the review
    again: earlier items and decisions are replaced."""
    drafts = compiling.collect(grant, sar)
    with transaction.atomic(durable=True):
        sar = _locked(sar, version)
        Item.objects.filter(request=sar).delete()
        for position, draft in enumerate(drafts, start=1):
            item = Item(request=sar, client_id=sar.client_id, position=position, kind=draft.kind,
                        object_id=draft.object_id, on=draft.on, about=draft.about, categories=draft.categories,
                        facts=[list(f) for f in draft.facts], health=draft.health, decision=draft.decision,
                        code=draft.code, reason=draft.reason)
            item.title = draft.title
            item.text = draft.text
            item.save()
            Redaction.objects.bulk_create(Redaction(item=item, start=p.start, end=p.end, what=p.what,
                                                    proposed_by=p.proposed_by) for p in draft.proposals)
        sar.status, sar.compiled_by, sar.compiled_at = SubjectAccessRequest.Status.COMPILED, user, timezone.now()
        _bump(sar, ["status", "compiled_by", "compiled_at"])
        counts = _counts(sar)
        _event(user, Action.SAR_COMPILED, sar, items=len(drafts), **counts)
    return sar


def _counts(sar: SubjectAccessRequest) -> dict[str, int]:
    items = list(Item.objects.filter(request=sar).values_list("decision", flat=True))
    return {"released": items.count(Item.Decision.RELEASE), "redacted": items.count(Item.Decision.REDACT),
            "withheld": items.count(Item.Decision.WITHHOLD), "waiting_health": items.count(Item.Decision.WAIT_HEALTH),
            "redactions": Redaction.objects.filter(item__request=sar, status=Redaction.Status.ACCEPTED).count(),
            "proposals_open": Redaction.objects.filter(item__request=sar, status=Redaction.Status.PROPOSED).count()}


def do_decide_item(user, sar: SubjectAccessRequest, version: int, item_id: int, decision: str, *,
                   basis: str = "", factors: dict[str, str] | None = None, client_knows: bool = False,
                   reason: str = "") -> Item:
    """A reviewer's decision on one item. Releasing what starts withheld as someone else's needs its
    basis recorded: their consent, the five factors of Sch 2 para 16(3), or that they acted as a
    professional. Health information is released only after the opinion, or with the record that
    the client already knows it."""
    if decision not in (Item.Decision.RELEASE, Item.Decision.REDACT, Item.Decision.WITHHOLD):
        raise SarError("Choose to release, release with redactions, or withhold.", "decision")
    with transaction.atomic(durable=True):
        sar = _locked(sar, version)
        item = Item.objects.select_for_update().filter(request=sar, pk=item_id).first()
        if item is None:
            raise SarError("That item is not part of this request.", "item")
        third_party_basis: dict[str, Any] = {}
        if decision == Item.Decision.WITHHOLD:
            code = item.code if item.decision == Item.Decision.WITHHOLD and item.code else compiling.PARA_16
            why = _text(reason, "reason", "why it is withheld (the copy shows this)", required=False) \
                or item.reason or compiling.THIRD_PARTY_REASON
            item.code, item.reason = code[:64], why[:300]
        else:
            starts_withheld = item.code.startswith(compiling.PARA_16) and item.decision == Item.Decision.WITHHOLD
            about_others = (not item.about.get("client", True)) or item.about.get("source") == "third_party"
            if starts_withheld or about_others:
                if basis not in BASES:
                    raise SarError("Say why it may be given: the other person consented, it is reasonable "
                                   "(record the five factors), or they acted as a professional.", "basis")
                third_party_basis = {"basis": basis}
                if basis == "reasonable":
                    factors = factors or {}
                    for key, words in PARA_16_FACTORS:
                        third_party_basis[key] = _text(factors.get(key), key, f"{words.lower()}")
            if item.health and not client_knows and not compiling.health_cleared(sar, timezone.localdate()):
                raise SarError("This is health information: record a health professional's opinion (within "
                               "the last six months) first, or that the client already knows it.", "client_knows")
            item.code, item.reason = ((compiling.PARA_16, compiling.THIRD_PARTY_REASON)
                                      if decision == Item.Decision.REDACT else ("", ""))
        item.decision, item.third_party_basis, item.client_knows = decision, third_party_basis, bool(client_knows)
        item.decided_by, item.decided_at = user, timezone.now()
        item.save()
        _bump(sar, [])
        _event(user, Action.SAR_ITEM_DECIDED, sar, item=item.position, decision=decision,
               basis=third_party_basis.get("basis", ""))
    return item


def do_decide_redactions(user, sar: SubjectAccessRequest, version: int, decisions: dict[int, bool]) -> int:
    """Accept (True) or reject (False) proposed redactions of this request, by number. Each accepted
    one carries its exemption (Sch 2 para 16: third party) in the exemptions log."""
    with transaction.atomic(durable=True):
        sar = _locked(sar, version)
        found = {r.pk: r for r in Redaction.objects.select_for_update().filter(item__request=sar, pk__in=list(decisions))}
        if set(found) != set(decisions):
            raise SarError("Some of those redactions are not part of this request.", "redactions")
        now = timezone.now()
        for pk, accept in decisions.items():
            r = found[pk]
            r.status = Redaction.Status.ACCEPTED if accept else Redaction.Status.REJECTED
            r.decided_by, r.decided_at = user, now
            r.save(update_fields=["status", "decided_by", "decided_at"])
        _bump(sar, [])
        _event(user, Action.SAR_REDACTION_DECIDED, sar, accepted=sum(decisions.values()),
               rejected=len(decisions) - sum(decisions.values()))
    return len(decisions)


def do_add_redaction(user, sar: SubjectAccessRequest, version: int, item_id: int, words: str) -> int:
    """A reviewer's own redaction: every place these exact words appear in the item (a name the
    proposer could not know, say), redacted as a third party's (Sch 2 para 16). The words themselves
    are not kept: only where they were."""
    words = (words or "").strip()
    if len(words) < 2:
        raise SarError("Type the words to redact, exactly as they appear in the item.", "words")
    if len(words) > 200:
        raise SarError("Redact at most 200 characters at a time.", "words")
    with transaction.atomic(durable=True):
        sar = _locked(sar, version)
        item = Item.objects.select_for_update().filter(request=sar, pk=item_id).first()
        if item is None:
            raise SarError("That item is not part of this request.", "item")
        low, at, found = item.text.lower(), 0, []
        while (at := low.find(words.lower(), at)) >= 0:
            found.append((at, at + len(words)))
            at += len(words)
        if not found:
            raise SarError("Those words are not in this item: copy them exactly as they appear.", "words")
        now = timezone.now()
        Redaction.objects.bulk_create(Redaction(item=item, start=a, end=b, what="reviewer", proposed_by="reviewer",
                                                status=Redaction.Status.ACCEPTED, decided_by=user, decided_at=now)
                                      for a, b in found)
        if item.decision == Item.Decision.RELEASE:
            item.decision, item.code, item.reason = Item.Decision.REDACT, compiling.PARA_16, compiling.THIRD_PARTY_REASON
            item.save(update_fields=["decision", "code", "reason"])
        _bump(sar, [])
        _event(user, Action.SAR_REDACTION_DECIDED, sar, item=item.position, added=len(found))
    return len(found)


# Review and release ---------------------------------------------------------------------------------

def why_not_release(user, sar: SubjectAccessRequest, *, today: dt.date | None = None) -> list[str]:
    """Everything that stops this person releasing the copy now ([] when it may go)."""
    today = today or timezone.localdate()
    problems = []
    if sar.status != SubjectAccessRequest.Status.COMPILED:
        problems.append("The file has not been compiled for this request yet." if sar.status == "open"
                        else "This request is closed.")
        return problems
    if user is not None and sar.compiled_by_id == user.pk:
        problems.append("A second person reviews and releases the copy: you compiled it.")
    if user is not None and getattr(user, "role_kind", "") not in vocab.MANAGER_KINDS:
        problems.append("Only the data controller or a manager may review and release a copy.")
    if sar.identity_confirmed_on is None:
        problems.append("The requester's identity has not been confirmed.")
    if sar.made_by == SubjectAccessRequest.By.REPRESENTATIVE and sar.authority_confirmed_on is None:
        problems.append("The representative's authority has not been confirmed.")
    if any(c.get("answered_on") is None for c in sar.clarifications):
        problems.append("A question to the requester is waiting for its answer.")
    if not sar.searched_on:
        problems.append("Record the search made (where you looked) before release.")
    open_proposals = Redaction.objects.filter(item__request=sar, status=Redaction.Status.PROPOSED).count()
    if open_proposals:
        problems.append(f"{open_proposals} proposed redaction{'s are' if open_proposals != 1 else ' is'} "
                        "still to be accepted or rejected.")
    waiting = Item.objects.filter(request=sar, decision=Item.Decision.WAIT_HEALTH).count()
    if waiting:
        problems.append(f"{waiting} item{'s' if waiting != 1 else ''} of health information "
                        f"{'wait' if waiting != 1 else 'waits'} for a health professional's opinion (or withhold "
                        f"{'them' if waiting != 1 else 'it'}).")
    if not compiling.health_cleared(sar, today):
        relying = Item.objects.filter(request=sar, health=True, client_knows=False,
                                      decision__in=(Item.Decision.RELEASE, Item.Decision.REDACT)).count()
        if relying:
            problems.append("The health professional's opinion is more than six months old on the day of release "
                            "(DPA 2018 Sch 3 para 6): ask for it again, or withhold the health information.")
    steps = [step for step, _ in clock(sar, today=today).procedure]
    if "declaration_required" in steps and sar.declaration_received_on is None:
        problems.append("The pack asks for the signed declaration before the records are given: record it first.")
    return problems


def supported_reading_words(sar: SubjectAccessRequest) -> str:
    steps = [step for step, _ in clock(sar).procedure]
    if "offer_supported_reading" not in steps:
        return ""
    return ("If you would like to, you can read this copy at our office with a member of staff, who can "
            "explain it and support you. This is an offer: the copy is yours either way.")


def shown_from_items(sar: SubjectAccessRequest, *, strict: bool = False) -> list[compiling.Shown]:
    """The request's items as the copy shows them: accepted redactions covered (with `strict`, every
    redaction not rejected), withheld items only as their reason."""
    items = list(Item.objects.filter(request=sar).prefetch_related("redactions").order_by("position"))
    out = []
    for item in items:
        keep = ({Redaction.Status.ACCEPTED, Redaction.Status.PROPOSED} if strict else {Redaction.Status.ACCEPTED})
        spans = [(r.start, r.end, compiling.label(r.code, r.reason)) for r in item.redactions.all() if r.status in keep]
        decision = item.decision
        if strict and decision == Item.Decision.WAIT_HEALTH:
            decision = Item.Decision.WITHHOLD
        withheld = decision in (Item.Decision.WITHHOLD, Item.Decision.WAIT_HEALTH)
        out.append(compiling.Shown(item.kind, item.on, item.title, "" if withheld else item.text, decision,
                                   item.code, item.reason, spans, [tuple(f) for f in item.facts]))
    return out


def preview_pdf(sar: SubjectAccessRequest) -> bytes:
    """The copy as it would be released now, marked as a draft."""
    view = compiling.release_view(sar.client, sar, shown_from_items(sar), draft=True,
                                  supported_reading=supported_reading_words(sar))
    return render_release(view)


def do_release(user, sar: SubjectAccessRequest, version: int, secret: str) -> Release:
    """The second person's review: their identity confirmed again (password or code), never the
    person who compiled it; the copy rendered, sealed under the client's key and recorded with what
    was withheld."""
    from confide.sharing.disclosure import IdentityNotConfirmed, do_confirm_identity

    problems = why_not_release(user, sar)
    if problems:
        record_event(user, Action.SAR_RELEASE_REFUSED, object_type="subject_access_request", object_id=sar.pk,
                     client_id=sar.client_id, purpose="subject_access", detail={"reason": "not_ready",
                                                                                 "role": user.role})
        raise SarError(problems[0], "release")
    try:
        confirmed_with = do_confirm_identity(user, secret)
    except IdentityNotConfirmed as error:
        raise SarError("That is not your password or a current code from your app: nothing was released."
                       if str(error) != "locked" else "Your account is locked for a while after too many tries.",
                       "secret") from None
    with transaction.atomic(durable=True):
        sar = _locked(sar, version)
        problems = why_not_release(user, sar)
        if problems:
            raise SarError(problems[0], "release")
        view = compiling.release_view(sar.client, sar, shown_from_items(sar), draft=False,
                                      supported_reading=supported_reading_words(sar))
        pdf = render_release(view)
        counts = _counts(sar)
        release = Release(request=sar, client_id=sar.client_id, sha256=hashlib.sha256(pdf).hexdigest(),
                          compiled_by_id=sar.compiled_by_id, reviewed_by=user, counts=counts)
        release.pdf = pdf
        release.save()
        sar.status, sar.reviewed_by, sar.released_at = SubjectAccessRequest.Status.RELEASED, user, timezone.now()
        sar.closed_at = sar.released_at
        _bump(sar, ["status", "reviewed_by", "released_at", "closed_at"])
        _event(user, Action.SAR_RELEASED, sar, confirmed_with=confirmed_with, sha256=release.sha256,
               compiled_by=sar.compiled_by_id, **counts)
    return release


# The command line's draft ----------------------------------------------------------------------------

def draft_pdf(grant, *, today: dt.date | None = None) -> bytes:
    """The strictest draft for the client `grant` opened, as the pages would compile it now: every
    third-party item withheld, every proposed redaction applied, health information withheld until
    an opinion is recorded. No request is needed (an unsaved one, received today, stands in)."""
    today = today or timezone.localdate()
    sar = SubjectAccessRequest(client=grant.client, received_on=today, made=SubjectAccessRequest.Made.WRITING,
                               identity_confirmed_on=today)
    drafts = compiling.collect(grant, sar, today=today)
    for d in drafts:
        if d.decision == "wait_health":
            d.decision = "withhold"
    view = compiling.release_view(grant.client, sar, compiling.shown_from_drafts(drafts), draft=True,
                                  prepared_on=today)
    return render_release(view)

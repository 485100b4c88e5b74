"""Compiling a client's file for their subject-access request, and turning the decisions into the copy.

`collect` reads everything the gate opened of the client's file (entries and their earlier versions,
documents, risk assessments, consents, what was shared and with whom, the people recorded around
them, corrections, the safe contact details and the record of access) and gives each item:
- whom it is about and who its source is (entries record both: `about_client`, `about_people`,
  `source`); naming someone as the source is information about them;
- the decision it starts with, from UK GDPR and the DPA 2018 and the pack's own rules (asked of the
  engine: `subject_access`, its `withhold` categories with their clauses):
  * about the client and someone else: released with the other person's details redacted (the ICO
    expects redaction before withholding);
  * only about other people, or from a third party: withheld (Sch 2 para 16; DVIP 3.04), unless a
    reviewer records that the person consented, that disclosure is reasonable (the five factors of
    para 16(3)), or that they acted as a professional in that role;
  * what the pack withholds as a risk to others (DVIP 9.10) is withheld whole;
  * health data waits for an appropriate health professional's opinion (DPA 2018 Sch 3 para 5), or
    the record that the client already knows it;
- the redactions proposed inside its words (confide.subject_access.redaction).

`release_view` builds what the copy shows (confide.subject_access.view) from items and their decisions;
nothing withheld is put in it, only the reason.
"""

from __future__ import annotations

import datetime as dt
import json
import re
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from typing import Any

from django.utils import timezone

from confide.accounts.models import current_organisation, current_policy
from confide.audit.actions import KNOWN, LABELS, Action
from confide.audit.models import AuditEvent
from confide.policy import PolicyError, vocab
from confide.records.entries import document_content, document_filename, entry_text, version_text
from confide.records.models import Document, Entry, EntryVersion, RelatedPerson
from confide.sharing.models import Consent, Disclosure
from confide.subject_access.redaction import Known, Proposal, propose
from confide.subject_access.view import Art15, Part, ReleaseView, Section, ShownItem

HEALTH = frozenset({"health", "medical_record", "hiv_status", "substance_use"})
OPINION_MONTHS = 6
PARA_16 = "Sch 2 para 16"
SERIOUS_HARM = "Sch 3 para 5"
THIRD_PARTY_REASON = "third party"

# The codes a copy may use, with what they mean to the person reading it.
EXEMPTIONS = {
    PARA_16: "DPA 2018 Schedule 2 paragraph 16: information about another person, who has not agreed to "
             "it being given to you, where it would not be reasonable to give it without their agreement.",
    SERIOUS_HARM: "DPA 2018 Schedule 3 paragraph 5: health information that a health professional has said "
                  "would be likely to cause serious harm to your physical or mental health, or another person's.",
    "Waiting": "Health information we are not yet able to give you: a health professional's opinion is needed first.",
}

STEP_WORDS = {
    "request_in_writing": "The request is put in writing",
    "send_to_data_controller": "The request goes to the data controller",
    "offer_supported_reading": "Offer to read the file with the client, with support (never instead of the copy)",
    "redact_third_parties": "Redact other people's details",
    "acknowledge_and_send_policy": "Acknowledge the request and send the policy with the declaration to sign",
    "declaration_required": "Wait for the signed declaration before the records are given",
    "explain_consequences": "Explain the consequences of disclosure (the referral agreement)",
}

# Recipients that are not another agency (sharing with them is not multi-agency work, DVIP 9.10).
MINE = frozenset({"client", "family_member", "parent", "representative"})

ROLE_SOURCES = {"client": "You", "worker": "A worker's own observation", "third_party": "Someone else",
                "professional": "A professional at another agency", "organisation": "Our own records"}


def word(code: str | None) -> str:
    """A stored word of the vocabulary in words: the pack's label first (services, roles, labels)."""
    if not code:
        return ""
    return vocab.pack_word(current_policy(), code) or vocab.heading(code)


def long_date(day: dt.date | None) -> str:
    return "" if day is None else f"{day.day} {day:%B %Y}"


# The engine's clock names the days it starts from by their fields: in words for a person.
FIELD_WORDS = {"identity_confirmed_on": "the day the requester's identity was confirmed",
               "authority_confirmed_on": "the day the representative's authority was confirmed",
               "received_on": "the day the request was received", "fee_paid_on": "the day the fee was paid"}
ISO_DATE = re.compile(r"\b(\d{4})-(\d{2})-(\d{2})\b")
FIELD_NAME = re.compile(r"\b(" + "|".join(FIELD_WORDS) + r")\b")
CLAUSE = re.compile(r"^(\d+(?:\.\d+)*): ")


def plain(text: str) -> str:
    """The engine's words as a person reads them: dates as "4 January 2027", fields as words, a
    leading clause number as "Clause 9.07 of the policy: "."""
    def long(match):
        try:
            return long_date(dt.date(int(match[1]), int(match[2]), int(match[3])))
        except ValueError:
            return match[0]
    text = CLAUSE.sub(r"Clause \1 of the policy: ", text)
    return FIELD_NAME.sub(lambda m: FIELD_WORDS[m[1]], ISO_DATE.sub(long, text))


# The engine ---------------------------------------------------------------------------------------

def requester_role(client) -> str:
    """The client's role as the pack's subject-access rules know it (service_user where the pack has
    no such role)."""
    pack = current_policy()
    return client.subject_role if client.subject_role in pack._subject_roles else "service_user"


def engine_request(sar, *, service: str | None, contains: Iterable[str] = ()) -> dict[str, Any]:
    """The policy contract's `subject_access` request for this request: the clock's fields as
    recorded, the requester's role and the case's service, and what the record contains."""
    req: dict[str, Any] = {"action": "subject_access", "received_on": sar.received_on.isoformat(),
                           "requester": {"role": requester_role(sar.client)}}
    if service:
        req["requester"]["service"] = service
    contains = sorted(set(contains) & set(vocab.RECORD_CONTENTS))
    if contains:
        req["record_contains"] = contains
    req["identity_confirmed_on"] = sar.identity_confirmed_on.isoformat() if sar.identity_confirmed_on else None
    if sar.made_by == sar.By.REPRESENTATIVE:
        req["authority_confirmed_on"] = (sar.authority_confirmed_on.isoformat() if sar.authority_confirmed_on
                                         else None)
    if sar.clarifications:
        req["clarification"] = [{"asked_on": c["asked_on"], "answered_on": c.get("answered_on")}
                                for c in sar.clarifications]
    if sar.extension_months:
        req["extension"] = {"months": sar.extension_months, "reason": sar.extension_reason or "not recorded",
                            "told_on": sar.extension_told_on.isoformat()}
    return req


def ask(sar, *, service: str | None, contains: Iterable[str] = ()) -> dict[str, Any]:
    try:
        return current_policy().decide(engine_request(sar, service=service, contains=contains))
    except PolicyError:
        if service is None:
            raise
        return current_policy().decide(engine_request(sar, service=None, contains=contains))


# Collecting ---------------------------------------------------------------------------------------

@dataclass
class Draft:
    """One item as compiled, before it is stored (or, for the command line's draft, instead)."""

    kind: str
    object_id: int | None
    on: dt.date | None
    title: str
    text: str
    about: dict[str, Any]
    categories: list[str]
    decision: str
    code: str = ""
    reason: str = ""
    health: bool = False
    facts: list[tuple[str, str]] = field(default_factory=list)
    proposals: list[Proposal] = field(default_factory=list)


def known_of(client, people: Sequence[RelatedPerson]) -> Known:
    """The people recorded around the client, as the redaction proposer looks for them."""
    names, phones, addresses, emails = [], [], [], []
    for person in people:
        details = person.details or {}
        for key in ("name", "aliases", "alias"):
            value = details.get(key)
            for one in (value if isinstance(value, list) else [value]):
                if isinstance(one, str) and one.strip():
                    names.append(one.strip())
        for text in (details.get("contact") or "", details.get("phone") or "", details.get("address") or "",
                     details.get("email") or ""):
            if not isinstance(text, str) or not text.strip():
                continue
            if "@" in text:
                emails.append(text.strip())
            elif sum(ch.isdigit() for ch in text) >= 9 and sum(ch.isalpha() for ch in text) <= 3:
                phones.append(text.strip())
            else:
                addresses.append(text.strip())
    for address in list(addresses):
        for part in address.replace("\n", ",").split(","):
            part = part.strip()
            street = part.lstrip("0123456789 ").strip() if part[:1].isdigit() else part
            for one in {part, street}:
                if len(one) >= 4 and one not in addresses:
                    addresses.append(one)
    own = client.display_name or ""
    return Known(names=names, phones=phones, addresses=addresses, emails=emails,
                 client_names=[own] if own.strip() else [])


def _pack_reasons(answer: dict[str, Any], category: str) -> list[dict[str, str]]:
    return next((w["reasons"] for w in answer.get("withhold", ()) if w["category"] == category), [])


def _code(reasons: list[dict[str, str]], fallback: str) -> str:
    if not reasons:
        return fallback
    clause = reasons[0].get("clause", "")
    return f"{fallback}; our policy {clause}" if clause else fallback


class Classifier:
    """The starting decision for each item, asking the engine once per service and contents."""

    def __init__(self, sar, health_cleared: bool, serious_harm: bool):
        self.sar, self.health_cleared, self.serious_harm = sar, health_cleared, serious_harm
        self._answers: dict[tuple, dict[str, Any]] = {}

    def answer(self, service: str | None, contains: frozenset[str]) -> dict[str, Any]:
        key = (service, contains)
        if key not in self._answers:
            self._answers[key] = ask(self.sar, service=service, contains=contains)
        return self._answers[key]

    def decide(self, draft: Draft, service: str | None) -> None:
        about = draft.about
        third = bool(about.get("people")) or about.get("source") == "third_party" or "third_party" in draft.categories
        contains = set(draft.categories)
        if third:
            contains.add("third_party")
        answer = self.answer(service, frozenset(contains & set(vocab.RECORD_CONTENTS)))
        risk = _pack_reasons(answer, "risk_to_others")
        tp = _pack_reasons(answer, "third_party")
        if risk:
            draft.decision, draft.code = "withhold", _code(risk, PARA_16)
            draft.reason = "its disclosure may put another person at risk"
        elif not about.get("client", True):
            draft.decision, draft.code, draft.reason = "withhold", _code(tp, PARA_16), "about someone else"
        elif about.get("source") == "third_party":
            draft.decision, draft.code = "withhold", _code(tp, PARA_16)
            draft.reason = "information given to us by someone else"
        elif third or draft.proposals:
            draft.decision, draft.code, draft.reason = "redact", PARA_16, THIRD_PARTY_REASON
        else:
            draft.decision = "release"
        if draft.health and draft.decision != "withhold":
            if self.serious_harm:
                draft.decision, draft.code = "withhold", SERIOUS_HARM
                draft.reason = "a health professional's opinion: serious harm"
            elif not self.health_cleared:
                draft.decision, draft.code = "wait_health", "Waiting"
                draft.reason = "health information: waiting for a health professional's opinion"


def health_cleared(sar, on: dt.date) -> bool:
    """An appropriate health professional said, within the six months before `on`, that the
    serious-harm test is not met."""
    from confide.policy.dates import add_months

    return (sar.health_opinion_on is not None and sar.health_serious_harm is False
            and add_months(sar.health_opinion_on, OPINION_MONTHS) >= on)


def _role_label(role: str) -> str:
    return word(role) if role else "A member of staff"


def _entry_title(entry: Entry) -> str:
    if entry.kind == Entry.Kind.RISK_ASSESSMENT:
        return "Risk assessment" + (f" (risk: {entry.get_risk_level_display().lower()})" if entry.risk_level else "")
    if entry.kind == Entry.Kind.DOCUMENT:
        return "Document"
    if entry.contact_kind:
        return f"Note of contact: {entry.get_contact_kind_display().lower()}"
    return "Note"


def _about(entry: Entry, people_ids: list[int]) -> dict[str, Any]:
    return {"client": entry.about_client, "people": people_ids, "source": entry.source}


def collect(grant, sar, *, today: dt.date | None = None) -> list[Draft]:
    """Every item of the client's file the gate opened for this request, classified, with the
    redactions proposed in its words. Reads only what `grant` (confide.records.access.ClientAccess,
    purpose subject_access) opened."""
    today = today or timezone.localdate()
    client = grant.client
    people = grant.related_people()
    known = known_of(client, people)
    classifier = Classifier(sar, health_cleared(sar, today), sar.health_serious_harm is True)
    services = {case.pk: case.service for case in grant.cases}
    first_service = next(iter(services.values()), None)
    drafts: list[Draft] = []

    def add(draft: Draft, service: str | None, *, own_details: bool = False) -> None:
        draft.proposals = propose(draft.text, known) if draft.text else []
        if own_details:  # the client's own details (their safe number) are theirs: only what is someone else's
            draft.proposals = [p for p in draft.proposals if p.proposed_by == "people_recorded"]
        classifier.decide(draft, service)
        drafts.append(draft)

    entries = list(Entry.objects.filter(case_id__in=grant.case_ids).select_related("author", "case")
                   .prefetch_related("about_people").order_by("created_at", "id"))
    documents = {d.entry_id: d for d in Document.objects.filter(entry__in=entries)}
    versions: dict[int, list[EntryVersion]] = {}
    for version in EntryVersion.objects.filter(entry__in=entries).order_by("entry_id", "number"):
        versions.setdefault(version.entry_id, []).append(version)
    for entry in entries:
        people_ids = [p.pk for p in entry.about_people.all()]
        service = services.get(entry.case_id)
        on = entry.contact_on or timezone.localtime(entry.created_at).date()
        facts = [("Recorded by", _role_label(getattr(entry.author, "role", ""))),
                 ("Where it came from", ROLE_SOURCES.get(entry.source, "Our own records")),
                 ("Service", word(service))]
        if entry.duration_minutes:
            facts.append(("How long", f"{entry.duration_minutes} minutes"))
        categories = list(entry.categories or [])
        if entry.kind == Entry.Kind.RISK_ASSESSMENT and "case_management_decisions" not in categories:
            categories.append("case_management_decisions")  # DVIP 9.10: a perpetrator's case-management decisions
        health = bool(HEALTH & set(categories))
        if grant.user is not None and not grant.may_open(entry):
            drafts.append(Draft("entry", entry.pk, on, _entry_title(entry), "", _about(entry, people_ids), categories,
                                "withhold", "Sealed", "sealed to the role the policy names; compiled separately",
                                health, facts))
            continue
        text = entry_text(client.pk, entry)
        kind = "risk_assessment" if entry.kind == Entry.Kind.RISK_ASSESSMENT else "entry"
        if entry.kind == Entry.Kind.DOCUMENT:
            kind = "document"
            document = documents.get(entry.pk)
            if document is not None:
                name = document_filename(client.pk, document)
                text = f"{text}\n\nFile: {name}" if text else f"File: {name}"
                if document.content_type.startswith("text/"):
                    content = document_content(client.pk, document) or b""
                    text += "\n\n" + content.decode("utf-8", "replace")
                else:
                    facts.append(("The document itself", "Ask us for a copy of the file; it is reviewed the same way"))
        add(Draft(kind, entry.pk, on, _entry_title(entry), text, _about(entry, people_ids), categories, "release",
                  health=health, facts=facts), service)
        for version in versions.get(entry.pk, ()):
            words, _reason = version_text(client.pk, version)
            add(Draft(kind, entry.pk, timezone.localtime(version.changed_at).date(),
                      f"{_entry_title(entry)}: the earlier version (number {version.number}), before it was "
                      f"{version.get_change_display().lower()}", words, _about(entry, people_ids), categories,
                      "release", health=health, facts=facts[:2]), service)

    for person in people:
        details = person.details or {}
        lines = [f"{key.title()}: {value}" for key, value in details.items() if isinstance(value, str) and value.strip()]
        add(Draft("person", person.pk, timezone.localtime(person.created_at).date(),
                  f"Someone recorded around you: {person.get_relationship_display().lower()}", "\n".join(lines),
                  {"client": False, "people": [person.pk], "source": "client"}, ["third_party"], "withhold"),
            first_service)

    safe = grant.safe_contact()
    if safe is not None:
        details = safe.details or {}
        text = "\n".join(f"{label}: {details.get(key)}" for key, label in
                         (("number", "Number"), ("when", "When to call"), ("say", "What to say"), ("avoid", "Avoid"))
                         if details.get(key))
        add(Draft("entry", None, safe.confirmed_on, "Your safe contact details", text,
                  {"client": True, "people": [], "source": "client"}, ["safe_contact"], "release"), first_service,
            own_details=True)

    for correction in grant.corrections():
        earlier = (correction.earlier or {}).get("value", "")
        add(Draft("correction", correction.pk, timezone.localtime(correction.changed_at).date(),
                  f"Correction of your {correction.get_field_display().lower()}",
                  f"Recorded before the correction: {earlier or 'not given'}",
                  {"client": True, "people": [], "source": "organisation"}, ["identity"], "release"), first_service)

    for consent in Consent.objects.filter(client_id=client.pk).order_by("given_on", "id"):
        lines = [consent.scope_text.strip(), f"Given: {long_date(consent.given_on)} ({consent.get_how_display().lower()})"]
        if consent.expires_on:
            lines.append(f"Ends: {long_date(consent.expires_on)}")
        if consent.withdrawn_on:
            lines.append(f"Withdrawn: {long_date(consent.withdrawn_on)}")
        if consent.given_by != Consent.GivenBy.CLIENT:
            lines.append(f"Given by: {consent.get_given_by_display().lower()}")
        add(Draft("consent", consent.pk, consent.given_on, "Your consent to share information", "\n".join(lines),
                  {"client": True, "people": [], "source": "client"}, [], "release"), first_service)

    for disclosure in (Disclosure.objects.filter(client_id=client.pk).select_related("agency", "case")
                       .order_by("requested_at", "id")):
        to = disclosure.agency.name if disclosure.agency_id else word(disclosure.recipient_kind)
        lines = [f"To: {to}", f"Why: {word(disclosure.purpose)}",
                 f"What: {', '.join(word(c) for c in disclosure.data) or 'not recorded'}",
                 f"Outcome: {disclosure.get_status_display()}"]
        if disclosure.sent_at:
            lines.append(f"Sent: {long_date(timezone.localtime(disclosure.sent_at).date())}")
        add(Draft("disclosure", disclosure.pk, timezone.localtime(disclosure.requested_at).date(),
                  "A request to share your information", "\n".join(lines),
                  {"client": True, "people": [], "source": "organisation"},
                  ["multi_agency"] if disclosure.agency_id or disclosure.recipient_kind not in MINE else [], "release"),
            services.get(disclosure.case_id, first_service))

    lines, first = [], None
    for event in AuditEvent.objects.filter(client_id=client.pk).order_by("seq").iterator(chunk_size=2000):
        day = timezone.localtime(event.at).date()
        first = first or day
        try:
            role = json.loads(event.detail).get("role", "")
        except ValueError:
            role = ""
        label = LABELS[Action(event.action)] if event.action in KNOWN else vocab.heading(event.action)
        who = _role_label(role) if event.actor_id else "Confide (automatic)"
        lines.append(f"{long_date(day)}: {who}: {label}" + (f" ({word(event.purpose)})" if event.purpose else ""))
    if lines:
        add(Draft("access", None, first, "Who has looked at or changed your file (the record of access)",
                  "\n".join(lines), {"client": True, "people": [], "source": "organisation"}, [], "release"),
            first_service)
    return drafts


# The copy -----------------------------------------------------------------------------------------

SECTIONS = [
    ("Your file: notes, documents and risk assessments", "What our workers recorded, in date order.",
     ("entry", "risk_assessment", "document", "correction")),
    ("Consents", "What you agreed to, and when.", ("consent",)),
    ("Information shared with others", "Each time we were asked to share your information, with whom and why.",
     ("disclosure",)),
    ("People recorded around you", "Information about other people is theirs as well as yours.", ("person",)),
    ("Who has looked at your file", "Every time someone opened or changed your file.", ("access",)),
]


@dataclass
class Shown:
    """One item as the copy will show it: from a stored Item or a Draft."""

    kind: str
    on: dt.date | None
    title: str
    text: str
    decision: str
    code: str
    reason: str
    spans: list[tuple[int, int, str]]  # (start, end, box label) to cover
    facts: list[tuple[str, str]] = field(default_factory=list)


def label(code: str, reason: str) -> str:
    return f"{code}: {reason}" if code and reason else (code or reason or "withheld")


def parts(text: str, spans: Sequence[tuple[int, int, str]]) -> list[Part]:
    """The text with each span covered by a box: overlapping or touching spans become one box (the
    first one's reason). The words inside a box are never put in a Part."""
    merged: list[list] = []
    for start, end, why in sorted(spans):
        start, end = max(0, start), min(end, len(text))
        if end <= start:
            continue
        if merged and start <= merged[-1][1]:
            merged[-1][1] = max(merged[-1][1], end)
        else:
            merged.append([start, end, why])
    out: list[Part] = []
    at = 0
    for start, end, why in merged:
        if start > at:
            out.append(Part(text=text[at:start]))
        out.append(Part(withheld=why))
        at = end
    if at < len(text):
        out.append(Part(text=text[at:]))
    return out


KIND_WORDS = {"entry": "Note", "risk_assessment": "Risk assessment", "document": "Document", "consent": "Consent",
              "disclosure": "Information shared", "access": "Record of access", "person": "Someone around you",
              "correction": "Correction"}


def art15(client, drafts_or_items: Sequence[Shown]) -> Art15:
    pack = current_policy()
    purposes = ["To give you the support you asked us for, and to keep you and others safe.",
                "To keep a record of our work, as our confidentiality policy requires."]
    recipients = sorted({line.split(": ", 1)[1] for s in drafts_or_items if s.kind == "disclosure"
                         and s.decision != "withhold" for line in s.text.splitlines() if line.startswith("To: ")})
    retention = "We keep your file for as long as our policy says, then destroy it."
    service = next((c.service for c in client.cases.all()), None)
    try:
        answer = pack.decide({"action": "retain", "record": {"kind": "client_file", **({"service": service} if service
                                                                                       else {})}})
        if answer.get("reasons"):
            reason = answer["reasons"][0]
            retention = f"{reason['text']} ({pack.title}, clause {reason['clause']})"
    except PolicyError:
        pass
    sources = sorted({ROLE_SOURCES.get(s, "Our own records") for s in ("client", "worker")}
                     | ({"Other people and agencies (their details are not given here)"}
                        if any(s.code.startswith(PARA_16) for s in drafts_or_items) else set()))
    return Art15(
        purposes=purposes,
        recipients=recipients or ["We have not shared your information with anyone outside the organisation."],
        retention=retention,
        sources=sources,
        rights=["To have anything wrong corrected (Article 16).",
                "To ask us to delete your information, or to limit how we use it (Articles 17 and 18).",
                "To object to how we use it (Article 21).",
                "To ask for this copy again, or for more, at any time."],
        complain=("You can complain to us first. We will acknowledge a complaint within 30 days. You can also "
                  "complain to the Information Commissioner's Office: ico.org.uk/make-a-complaint, "
                  "telephone 0303 123 1113."),
        automated="No decision about you is made by automated means.",
        safeguards="Your information is kept in the UK and is not sent outside it.",
    )


def release_view(client, sar, shown: Sequence[Shown], *, draft: bool, prepared_on: dt.date | None = None,
                 supported_reading: str = "") -> ReleaseView:
    organisation = current_organisation()
    contact = ", ".join(x for x in (getattr(organisation, "phone", ""), getattr(organisation, "email", ""),
                                    " ".join((getattr(organisation, "address", "") or "").split())) if x)
    sections, number, withheld, redactions, used = [], 0, 0, 0, set()
    for title, intro, kinds in SECTIONS:
        items = []
        for s in shown:
            if s.kind not in kinds:
                continue
            number += 1
            if s.decision in ("withhold", "wait_health"):
                withheld += 1
                used.add(s.code.split(";")[0])
                items.append(ShownItem(number, KIND_WORDS.get(s.kind, "Item"), s.title, s.on, [],
                                       withheld=label(s.code, s.reason)))
                continue
            covered = [(a, b, why) for a, b, why in s.spans]
            redactions += len(covered)
            if covered:
                used.add(PARA_16)
            items.append(ShownItem(number, KIND_WORDS.get(s.kind, "Item"), s.title, s.on, parts(s.text, covered),
                                   facts=s.facts))
        if items:
            sections.append(Section(title, intro, items))
    return ReleaseView(
        organisation=organisation.name if organisation else "The organisation",
        organisation_contact=contact, client_name=client.display_name, client_number=client.pk,
        received_on=sar.received_on, prepared_on=prepared_on or timezone.localdate(), draft=draft,
        sections=sections, art15=art15(client, shown), withheld_items=withheld, redactions=redactions,
        supported_reading=supported_reading,
        exemptions=[(code, EXEMPTIONS[code]) for code in sorted(used) if code in EXEMPTIONS])


def shown_from_drafts(drafts: Sequence[Draft]) -> list[Shown]:
    """The strictest copy: every proposed redaction applied, every item starting withheld kept withheld."""
    return [Shown(d.kind, d.on, d.title, d.text, d.decision, d.code, d.reason,
                  [(p.start, p.end, label(PARA_16, THIRD_PARTY_REASON)) for p in d.proposals], d.facts)
            for d in drafts]

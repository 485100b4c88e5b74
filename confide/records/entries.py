"""Writing and reading entries: notes, documents and risk assessments, always encrypted under the
client's own data key (through their sealed columns, confide/keys/sealed.py). Each write records
that it happened, never what was written.

A note may be a record of contact (when, how, for how long; issue 13). A form's one-time token
(`submission`) is stored with what it added, so the same form sent twice (Back then Save, a double
click) adds nothing the second time (AlreadySaved). An entry is corrected (UK GDPR Art 16) as a new
version, the earlier one kept sealed (EntryVersion), and one written in the wrong file is moved to
the right one with its trail, every part of it re-sealed under the right client's key.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass, field
from uuid import UUID

from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.dates import MONTHS

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.keys.sealed import UNREADABLE
from confide.policy.reasons import check_reason, is_blank
from confide.records.access import may_change_entry
from confide.records.models import DATA_CATEGORIES, Case, Document, Entry, EntryVersion, RelatedPerson

CATEGORY_WORDS = {word for word, _ in DATA_CATEGORIES}


class EntryError(ConfideError, ValueError):
    """An entry that cannot be saved as given; the message says why."""

    code = "entry_invalid"


class AlreadySaved(EntryError):
    """The form that adds this entry was sent before and the entry saved then: nothing is added
    again. `entry` is the one saved the first time."""

    code = "already_saved"
    status = 409

    def __init__(self, entry: Entry) -> None:
        what = {Entry.Kind.NOTE: "note", Entry.Kind.RISK_ASSESSMENT: "risk assessment"}.get(entry.kind, "document")
        super().__init__(f"This {what} was already saved.")
        self.entry = entry


MAX_MINUTES = 600  # ten hours: longer than any one contact
# Back then Save: the browser fetches the form again (client pages are never cached), so with a new
# token, and puts back what was typed into it. The same words, of the same kind, by the same person
# on the same case, sent from a form this soon after the first, are that form sent again.
SAME_WORDS_WITHIN = dt.timedelta(minutes=5)


@dataclass
class EntryFacts:
    """What an entry says about itself, besides its body."""

    categories: list[str] = field(default_factory=lambda: ["case_notes"])
    about_client: bool = True
    about_people: list[RelatedPerson] = field(default_factory=list)
    source: str = Entry.Source.WORKER
    sealed: bool = False
    unsolicited: bool = False
    risk_level: str = ""
    wording_confirmed: dict = field(default_factory=dict)
    # A record of contact: kind "" is a note that records no contact (its date and duration unused).
    contact_kind: str = ""
    contact_on: dt.date | None = None
    duration_minutes: int | None = None
    # The next planned contact on the case, if the writer set one (Case.next_contact_on).
    next_contact_on: dt.date | None = None


def long_date(day: dt.date) -> str:
    """3 December 2026."""
    return f"{day.day} {MONTHS[day.month]} {day.year}"


def _check_contact(case: Case, facts: EntryFacts) -> None:
    """A record of contact that could be true: a known kind, on a day between the referral and
    today, lasting 0 to 600 minutes (a missed appointment lasted none). The date of a note that
    records no contact is not kept; a duration given with it is a contradiction, said so."""
    if facts.contact_kind and facts.contact_kind not in Entry.Contact.values:
        raise EntryError("choose how the contact took place from the list", field="contact_kind")
    if not facts.contact_kind:
        if facts.duration_minutes is not None:
            raise EntryError("a note that records no contact has no duration: choose how the contact took place, "
                             "or leave the duration empty", field="duration_minutes")
        facts.contact_on = None
    else:
        if facts.contact_on is None:
            raise EntryError("enter the date of the contact", field="contact_on")
        if facts.contact_on > timezone.localdate():
            raise EntryError("the date of the contact is in the future: enter the day it took place", field="contact_on")
        if case.referred_on and facts.contact_on < case.referred_on:
            raise EntryError(f"the date of the contact is before the case was referred ({long_date(case.referred_on)}): "
                             "check the date", field="contact_on")
        if facts.duration_minutes is not None:
            if facts.contact_kind == Entry.Contact.MISSED:
                raise EntryError("a missed appointment has no duration: leave it empty", field="duration_minutes")
            if not 0 <= facts.duration_minutes <= MAX_MINUTES:
                raise EntryError(f"the duration is in minutes, from 0 to {MAX_MINUTES} (ten hours)",
                                 field="duration_minutes")
    if facts.next_contact_on is not None and facts.next_contact_on < timezone.localdate():
        raise EntryError("the next planned contact is in the past: enter a date from today on", field="next_contact_on")


def _check(case: Case, facts: EntryFacts) -> None:
    unknown = set(facts.categories) - CATEGORY_WORDS
    if unknown:
        raise EntryError(f"unknown data categories: {', '.join(sorted(unknown))}")
    if not facts.categories:
        raise EntryError("say what kind of information this is (at least one category)")
    if facts.source not in Entry.Source.values:
        raise EntryError(f"unknown source {facts.source!r}")
    if any(person.client_id != case.client_id for person in facts.about_people):
        raise EntryError("an entry can only be about people on this client's file")
    if not facts.about_client and not facts.about_people:
        raise EntryError("say whom this is about: the client, someone on their file, or both")
    if facts.risk_level and facts.risk_level not in Entry.Risk.values:
        raise EntryError(f"unknown risk level {facts.risk_level!r}")
    _check_contact(case, facts)


def _already_saved(author, case: Case, submission: UUID) -> None:
    """Raise AlreadySaved if this form was sent before and saved (by this person, on this case);
    a token of anyone else's form, or another case's, is refused without saying whose it is."""
    existing = Entry.objects.filter(submission=submission).first()
    if existing is None:
        return
    if existing.author_id == author.pk and existing.case_id == case.pk:
        raise AlreadySaved(existing)
    raise EntryError("this form was already used: go back to the file and open it again", code="submission_used")


def _same_words_just_saved(author, case: Case, kind: str, body: str) -> None:
    """Raise AlreadySaved if this person saved these very words, as the same kind of entry on this
    case, from a form, within SAME_WORDS_WITHIN: the form re-fetched by Back and sent again."""
    recent = (Entry.objects.filter(author=author, case=case, kind=kind, submission__isnull=False,
                                   created_at__gte=timezone.now() - SAME_WORDS_WITHIN)
              .order_by("-created_at", "-id")[:5])
    for entry in recent:
        if Entry.body.read(entry, case.client_id) == body:
            raise AlreadySaved(entry)


def _save(author, case: Case, kind: str, body: str, facts: EntryFacts, submission: UUID | None = None) -> Entry:
    """The entry written, in the caller's transaction. The same form sent twice at once: SQLite
    writes one transaction at a time, so the second finds the first's entry (_already_saved);
    PostgreSQL lets both look before either writes, so the second's insert fails on the unique
    token, in a savepoint of its own so that the transaction can still read the first's entry."""
    _check(case, facts)
    if submission is not None:
        _already_saved(author, case, submission)
        _same_words_just_saved(author, case, kind, body)
    entry = Entry(case=case, author=author, kind=kind, categories=sorted(set(facts.categories)),
                  about_client=facts.about_client, source=facts.source, sealed=facts.sealed,
                  unsolicited=facts.unsolicited, risk_level=facts.risk_level,
                  wording_confirmed=facts.wording_confirmed, contact_kind=facts.contact_kind,
                  contact_on=facts.contact_on, duration_minutes=facts.duration_minutes, submission=submission)
    entry.body = body
    try:
        with transaction.atomic():
            entry.save()
    except IntegrityError:
        if submission is None:
            raise
        _already_saved(author, case, submission)  # raises, once the first is committed and can be read
        raise
    if facts.about_people:
        entry.about_people.set(facts.about_people)
    if facts.next_contact_on is not None:
        Case.objects.filter(pk=case.pk).update(next_contact_on=facts.next_contact_on)
        case.next_contact_on = facts.next_contact_on
    return entry


def _contact_detail(entry: Entry) -> dict:
    """The record of contact as the audit log keeps it: when, how, how long. Never what was said."""
    return {"contact_kind": entry.contact_kind, "contact_on": entry.contact_on.isoformat() if entry.contact_on else None,
            "duration_minutes": entry.duration_minutes}


def _event(author, entry: Entry, action: Action) -> None:
    record_event(author, action, object_type="entry", object_id=entry.pk, client_id=entry.case.client_id,
                 detail={"case": entry.case_id, "kind": entry.kind, "categories": entry.categories,
                         "source": entry.source, "sealed": entry.sealed, "unsolicited": entry.unsolicited,
                         "about_people": [person.pk for person in entry.about_people.all()],
                         "wording_confirmed": sorted(entry.wording_confirmed.get("clauses", [])),
                         **_contact_detail(entry), "next_contact_on": (entry.case.next_contact_on.isoformat()
                                                                       if entry.case.next_contact_on else None),
                         "role": author.role})


def do_add_note(author, case: Case, text: str, facts: EntryFacts | None = None, *,
                submission: UUID | None = None) -> Entry:
    """Add a note to a case, its body encrypted, and record that it was added (never what it says).
    `submission` is the form's one-time token: sent again, nothing is added (AlreadySaved)."""
    if is_blank(text):  # spaces or invisible characters alone are not a note
        raise EntryError("the note is empty", field="text")
    with transaction.atomic(durable=True):
        entry = _save(author, case, Entry.Kind.NOTE, text, facts or EntryFacts(), submission)
        _event(author, entry, Action.NOTE_ADDED)
    return entry


def do_add_risk_assessment(author, case: Case, summary: str, level: str, facts: EntryFacts | None = None, *,
                           submission: UUID | None = None) -> Entry:
    facts = facts or EntryFacts(categories=["risk_assessment"])
    facts.risk_level = level
    if level not in Entry.Risk.values:
        raise EntryError("choose the level of risk", field="level")
    if is_blank(summary):
        raise EntryError("the assessment is empty", field="text")
    with transaction.atomic(durable=True):
        entry = _save(author, case, Entry.Kind.RISK_ASSESSMENT, summary, facts, submission)
        _event(author, entry, Action.RISK_ASSESSMENT_ADDED)
    return entry


def do_add_document(author, case: Case, filename: str, content_type: str, content: bytes, description: str,
                    facts: EntryFacts | None = None, *, submission: UUID | None = None) -> Entry:
    """Add an uploaded document: its name, description and bytes sealed under the client's key."""
    if not content:
        raise EntryError("the file is empty", field="file")
    with transaction.atomic(durable=True):
        entry = _save(author, case, Entry.Kind.DOCUMENT, description, facts or EntryFacts(), submission)
        document = Document(entry=entry, content_type=content_type, size=len(content))
        document.filename, document.content = filename, content
        document.save()
        _event(author, entry, Action.DOCUMENT_ADDED)
    return entry


# Corrections and moves ------------------------------------------------------------------------------

def _facts_of(entry: Entry) -> dict:
    """What a version said about itself besides its words (kept with it, in clear: no content)."""
    return {"contact_kind": entry.contact_kind, "contact_on": entry.contact_on.isoformat() if entry.contact_on else None,
            "duration_minutes": entry.duration_minutes, "categories": list(entry.categories),
            "risk_level": entry.risk_level}


def _locked(entry: Entry) -> Entry:
    """The entry as it is now, its row locked until the transaction ends (PostgreSQL; SQLite's
    transactions already write one at a time): two corrections never both read the same version."""
    return Entry.objects.select_for_update().select_related("case").get(pk=entry.pk)


def _readable_body(entry: Entry, client_id: int) -> str:
    text = Entry.body.read(entry, client_id)
    if text == UNREADABLE:
        raise EntryError("this entry can no longer be read, so it cannot be changed", code="entry_unreadable", status=410)
    return text


def _may_change(user, entry: Entry) -> None:
    # The gate (access_entry_to_change) already refused anyone else; checked again here, where
    # the change is made, so no other caller can make it for them.
    if not may_change_entry(user, entry):
        raise EntryError("only the person who wrote this entry, or a manager, can change it", code="not_yours",
                         status=403)


def do_correct_entry(user, entry: Entry, new_text: str, reason: str, contact: EntryFacts | None = None, *,
                     version: int | None = None) -> Entry:
    """Correct an entry (UK GDPR Art 16): the words (and, given `contact`, the record of contact)
    become the new version; the earlier version is kept as an EntryVersion, sealed under the
    client's key with why it was corrected; who and when are recorded, never what changed.
    `version` is the version the corrector read: if someone corrected it since, nothing is changed."""
    reason = check_reason(reason, "reason", what="say why it is being corrected", error=EntryError)
    if is_blank(new_text):
        raise EntryError("the corrected text is empty", field="text")
    _may_change(user, entry)
    with transaction.atomic(durable=True):
        current = _locked(entry)
        if version is not None and current.version != version:
            raise EntryError("someone corrected this entry after you opened it: open it again to see the new version",
                             code="entry_changed", status=409)
        client_id = current.case.client_id
        before = _readable_body(current, client_id)
        facts = _facts_of(current)
        if contact is not None:
            changed = EntryFacts(contact_kind=contact.contact_kind, contact_on=contact.contact_on,
                                 duration_minutes=contact.duration_minutes)
            _check_contact(current.case, changed)
            current.contact_kind, current.contact_on = changed.contact_kind, changed.contact_on
            current.duration_minutes = changed.duration_minutes
        if new_text == before and _facts_of(current) == facts:
            raise EntryError("nothing was changed: correct the text or the record of contact", field="text",
                             code="nothing_changed")
        earlier = EntryVersion(entry=current, client_id=client_id, number=current.version,
                               change=EntryVersion.Change.CORRECTED, facts=facts, changed_by=user)
        earlier.body, earlier.reason = before, reason
        earlier.save()
        current.body = new_text
        current.version += 1
        current.corrected_at = earlier.changed_at
        current.save(update_fields=["body_sealed", "version", "corrected_at", "contact_kind", "contact_on",
                                    "duration_minutes"])
        record_event(user, Action.ENTRY_CORRECTED, object_type="entry", object_id=current.pk, client_id=client_id,
                     detail={"case": current.case_id, "kind": current.kind, "version": current.version,
                             "earlier_version": earlier.pk, **_contact_detail(current), "role": user.role})
    return current


# What else must agree before an entry leaves its file, asked inside the move's transaction: each
# takes the entry and gives the sentence that stops it, or None. Apps above records add theirs when
# Django starts (sharing: an entry in a request to share stays where the request says it is), so
# records never imports them.
MOVE_GUARDS: list[Callable[[Entry], str | None]] = []


def do_move_entry(user, entry: Entry, to_case: Case, reason: str) -> Entry:
    """Move an entry written in the wrong file to the right one (`to_case`, which the gate opened
    to this person for writing: access_case_to_write). Its words, its earlier versions and its
    document are re-sealed under the new client's key (nothing of it stays readable under the old
    one); an EntryVersion records where it came from and why (sealed); the people on the old file
    it was about are no longer linked. Both files' records of access say so, without content."""
    reason = check_reason(reason, "reason", what="say why it is being moved", error=EntryError)
    _may_change(user, entry)
    with transaction.atomic(durable=True):
        current = _locked(entry)
        from_case = current.case
        old_client, new_client = from_case.client_id, to_case.client_id
        if to_case.pk == from_case.pk:
            raise EntryError("the entry is already in that file: choose the file it should be in", field="client",
                             code="same_case")
        for guard in MOVE_GUARDS:
            stopped = guard(current)
            if stopped:
                raise EntryError(stopped, code="entry_in_use", status=409)
        text = _readable_body(current, old_client)
        versions = list(EntryVersion.objects.filter(entry=current).order_by("id"))
        opened = [(version, EntryVersion.body.read(version), EntryVersion.reason.read(version)) for version in versions]
        document = Document.objects.filter(entry=current).first()
        if document is not None:
            filename = Document.filename.read(document, old_client)
            content = Document.content.read(document, old_client)
            if filename == UNREADABLE or content is None:
                raise EntryError("this document can no longer be read, so it cannot be moved", code="entry_unreadable",
                                 status=410)
        about_people = list(current.about_people.values_list("pk", flat=True))
        # From here on the entry is the new client's: every seal below binds their key.
        moved = EntryVersion(entry=current, client_id=new_client, number=current.version,
                             change=EntryVersion.Change.MOVED, changed_by=user,
                             facts={**_facts_of(current), "from_case": from_case.pk, "about_people": about_people})
        current.case = to_case
        current.body = text
        current.about_client = True
        current.version += 1  # every change is a new version: the file says who moved it here, and when
        current.save(update_fields=["case", "body_sealed", "about_client", "version"])
        current.about_people.clear()
        for version, body, why in opened:
            version.client_id = new_client
            version.body, version.reason = body, why
            version.save(update_fields=["client", "body_sealed", "reason_sealed"])
        if document is not None:
            document.entry = current
            document.filename, document.content = filename, content
            document.save(update_fields=["filename_sealed", "content_sealed"])
        moved.body, moved.reason = text, reason
        moved.save()
        detail = {"kind": current.kind, "from_case": from_case.pk, "to_case": to_case.pk, "role": user.role}
        record_event(user, Action.ENTRY_MOVED_OUT, object_type="entry", object_id=current.pk, client_id=old_client,
                     detail=detail)
        record_event(user, Action.ENTRY_MOVED_IN, object_type="entry", object_id=current.pk, client_id=new_client,
                     detail={**detail, "moved_version": moved.pk})
    return current


def entry_changes(entries: list[Entry]) -> dict[int, dict]:
    """For the entries among these that were corrected or moved, the last change: what it was, who
    made it and when ({entry id: {"change", "by", "at"}}). One query, none if nothing was changed."""
    changed = [entry.pk for entry in entries if entry.version > 1]
    if not changed:
        return {}
    found: dict[int, dict] = {}
    rows = (EntryVersion.objects.filter(entry_id__in=changed).order_by("entry_id", "-changed_at", "-id")
            .values_list("entry_id", "change", "changed_at", "changed_by__first_name", "changed_by__last_name"))
    for entry_id, change, at, first, last in rows:
        found.setdefault(entry_id, {"change": change, "at": at, "by": f"{first} {last}".strip()})
    return found


def version_text(client_id: int, version: EntryVersion) -> tuple[str, str]:
    """The words and the reason of an earlier version the caller was allowed to read (through
    confide.records.access.access_entry_history), of the client whose file is open."""
    return EntryVersion.body.read(version, client_id), EntryVersion.reason.read(version, client_id)


def entry_text(client_id: int, entry: Entry) -> str:
    """The body of an entry the caller was allowed to read (through confide.records.access), of
    the client whose file is open: `entry.body`, without reading the entry's case for its client."""
    return Entry.body.read(entry, client_id)


def document_filename(client_id: int, document: Document) -> str:
    return Document.filename.read(document, client_id)


def document_content(client_id: int, document: Document) -> bytes | None:
    """The bytes of a document the caller was allowed to download (through confide.records.access);
    None once they can no longer be read."""
    return Document.content.read(document, client_id)

"""Writing and reading entries: notes, documents and risk assessments, always encrypted under the
client's own data key (through their sealed columns, confide/keys/sealed.py). Each write records
that it happened, never what was written."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db import transaction

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.policy.reasons import is_blank
from confide.records.models import DATA_CATEGORIES, Case, Document, Entry, RelatedPerson

CATEGORY_WORDS = {word for word, _ in DATA_CATEGORIES}


class EntryError(ConfideError, ValueError):
    """An entry that cannot be saved as given; the message says why."""

    code = "entry_invalid"


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


def _save(author, case: Case, kind: str, body: str, facts: EntryFacts) -> Entry:
    _check(case, facts)
    entry = Entry(case=case, author=author, kind=kind, categories=sorted(set(facts.categories)),
                  about_client=facts.about_client, source=facts.source, sealed=facts.sealed,
                  unsolicited=facts.unsolicited, risk_level=facts.risk_level,
                  wording_confirmed=facts.wording_confirmed)
    entry.body = body
    entry.save()
    if facts.about_people:
        entry.about_people.set(facts.about_people)
    return entry


def _event(author, entry: Entry, action: Action) -> None:
    record_event(author, action, object_type="entry", object_id=entry.pk, client_id=entry.case.client_id,
                 detail={"case": entry.case_id, "kind": entry.kind, "categories": entry.categories,
                         "source": entry.source, "sealed": entry.sealed, "unsolicited": entry.unsolicited,
                         "about_people": [person.pk for person in entry.about_people.all()],
                         "wording_confirmed": sorted(entry.wording_confirmed.get("clauses", [])),
                         "role": author.role})


def do_add_note(author, case: Case, text: str, facts: EntryFacts | None = None) -> Entry:
    """Add a note to a case, its body encrypted, and record that it was added (never what it says)."""
    if is_blank(text):  # spaces or invisible characters alone are not a note
        raise EntryError("the note is empty")
    with transaction.atomic(durable=True):
        entry = _save(author, case, Entry.Kind.NOTE, text, facts or EntryFacts())
        _event(author, entry, Action.NOTE_ADDED)
    return entry


def do_add_risk_assessment(author, case: Case, summary: str, level: str, facts: EntryFacts | None = None) -> Entry:
    facts = facts or EntryFacts(categories=["risk_assessment"])
    facts.risk_level = level
    if level not in Entry.Risk.values:
        raise EntryError("choose the level of risk")
    if is_blank(summary):
        raise EntryError("the assessment is empty")
    with transaction.atomic(durable=True):
        entry = _save(author, case, Entry.Kind.RISK_ASSESSMENT, summary, facts)
        _event(author, entry, Action.RISK_ASSESSMENT_ADDED)
    return entry


def do_add_document(author, case: Case, filename: str, content_type: str, content: bytes, description: str,
                    facts: EntryFacts | None = None) -> Entry:
    """Add an uploaded document: its name, description and bytes sealed under the client's key."""
    if not content:
        raise EntryError("the file is empty")
    with transaction.atomic(durable=True):
        entry = _save(author, case, Entry.Kind.DOCUMENT, description, facts or EntryFacts())
        document = Document(entry=entry, content_type=content_type, size=len(content))
        document.filename, document.content = filename, content
        document.save()
        _event(author, entry, Action.DOCUMENT_ADDED)
    return entry


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

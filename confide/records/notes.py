"""Writing and reading note bodies, always encrypted under the client's own data key."""

from __future__ import annotations

from django.db import transaction

from confide.audit.services import record_event
from confide.keys import KeyDestroyed
from confide.keys.runtime import key_store
from confide.records.models import Case, Note

UNREADABLE = "This note can no longer be read: the client's records were destroyed."


def do_add_note(author, case: Case, text: str) -> Note:
    """Add a note to a case, its body encrypted, and record that it was added (never what it says)."""
    with transaction.atomic():
        note = Note(case=case, author=author)
        note.body_sealed = key_store().encrypt(case.client_id, text, note.body_context)
        note.save()
        record_event(author, "note.added", object_type="note", object_id=note.pk, client_id=case.client_id)
    return note


def note_text(client_id: int, note: Note) -> str:
    """The body of a note the caller was allowed to read (through confide.records.access)."""
    try:
        return key_store().decrypt(client_id, note.body_sealed, note.body_context)
    except KeyDestroyed:
        return UNREADABLE

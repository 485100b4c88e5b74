"""The people around a client: who they are is sealed under the client's key, like the file
(`person.details`, a sealed column: confide/keys/sealed.py)."""

from __future__ import annotations

from django.db import transaction

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.records.models import Client, RelatedPerson

DETAIL_FIELDS = ("name", "agency", "contact", "notes")


class PersonError(ConfideError, ValueError):
    """Someone who cannot be added to a client's file as given; the message says why."""

    code = "person_invalid"


def do_add_related_person(author, client: Client, relationship: str, details: dict) -> RelatedPerson:
    """Add someone to a client's file. `details` has a name and, optionally, agency, contact, notes."""
    if relationship not in RelatedPerson.Relationship.values:
        raise PersonError(f"unknown relationship {relationship!r}")
    clean = {key: str(details.get(key, "")).strip() for key in DETAIL_FIELDS}
    if not clean["name"]:
        raise PersonError("give the person's name, or how the client refers to them")
    with transaction.atomic(durable=True):
        person = RelatedPerson(client=client, relationship=relationship, added_by=author)
        person.details = clean
        person.save()
        record_event(author, Action.PERSON_ADDED, object_type="related_person", object_id=person.pk, client_id=client.pk,
                     detail={"relationship": relationship, "role": author.role})
    return person


def person_details(person: RelatedPerson) -> dict:
    """Who this person is, for a reader the gate let in to the client's file (`person.details`)."""
    return person.details

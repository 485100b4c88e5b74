"""The people around a client: who they are is sealed under the client's key, like the file."""

from __future__ import annotations

import json

from django.db import transaction

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.keys import KeyDestroyed
from confide.keys.runtime import key_store
from confide.records.models import Client, RelatedPerson

DETAIL_FIELDS = ("name", "agency", "contact", "notes")


class PersonError(ValueError):
    pass


def do_add_related_person(author, client: Client, relationship: str, details: dict) -> RelatedPerson:
    """Add someone to a client's file. `details` has a name and, optionally, agency, contact, notes."""
    if relationship not in RelatedPerson.Relationship.values:
        raise PersonError(f"unknown relationship {relationship!r}")
    clean = {key: str(details.get(key, "")).strip() for key in DETAIL_FIELDS}
    if not clean["name"]:
        raise PersonError("give the person's name, or how the client refers to them")
    with transaction.atomic():
        person = RelatedPerson(client=client, relationship=relationship, added_by=author)
        person.details_sealed = key_store().encrypt(client.pk, json.dumps(clean), person.details_context)
        person.save()
        record_event(author, Action.PERSON_ADDED, object_type="related_person", object_id=person.pk, client_id=client.pk,
                     detail={"relationship": relationship, "role": author.role})
    return person


def person_details(person: RelatedPerson) -> dict:
    """Who this person is, for a reader the gate let in to the client's file."""
    try:
        return json.loads(key_store().decrypt(person.client_id, person.details_sealed, person.details_context))
    except KeyDestroyed:
        return {"name": "(unreadable: the client's records were destroyed)"}

"""Safe contact details: a safe number, when it is safe to call, what to say if someone else
answers. Shown at the top of the client's file, sealed under the client's key, and confirmed with
the client often, since a number that was safe last month may not be today (Derbyshire guidance)."""

from __future__ import annotations

import uuid
from datetime import timedelta

from django.db import transaction
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.records.models import Client, SafeContact

FIELDS = ("number", "when", "say", "avoid")
# After this long without being confirmed with the client, the file asks for them to be checked.
CHECK_AFTER = timedelta(days=28)


class SafeContactError(ConfideError, ValueError):
    """Safe contact details that cannot be kept as given; the message says why."""

    code = "safe_contact_invalid"


def do_set_safe_contact(author, client: Client, details: dict) -> SafeContact:
    """Record (or replace) the safe contact details; the old ones are overwritten, not kept."""
    clean = {key: str(details.get(key, "")).strip() for key in FIELDS}
    if not clean["number"] and not clean["when"]:
        raise SafeContactError("give a safe number or a safe way and time to make contact")
    with transaction.atomic(durable=True):
        contact = SafeContact.objects.select_for_update().filter(client=client).first() or SafeContact(client=client)
        contact.ref = uuid.uuid4()  # a new binding each time: an old ciphertext cannot be put back
        contact.details = clean
        contact.confirmed_on = timezone.localdate()
        contact.updated_by = author
        contact.updated_at = timezone.now()
        contact.save()
        record_event(author, Action.SAFE_CONTACT_UPDATED, object_type="client", object_id=client.pk, client_id=client.pk,
                     detail={"role": author.role})
    return contact


def do_confirm_safe_contact(author, contact: SafeContact) -> SafeContact:
    """The client confirmed the details are still safe."""
    with transaction.atomic(durable=True):
        contact.confirmed_on = timezone.localdate()
        contact.updated_by = author
        contact.updated_at = timezone.now()
        contact.save(update_fields=["confirmed_on", "updated_by", "updated_at"])
        record_event(author, Action.SAFE_CONTACT_CONFIRMED, object_type="client", object_id=contact.client_id,
                     client_id=contact.client_id, detail={"role": author.role})
    return contact


def safe_contact_details(contact: SafeContact) -> dict:
    """The details (`contact.details`, a sealed column: confide/keys/sealed.py)."""
    return contact.details


def needs_checking(contact: SafeContact) -> bool:
    return timezone.localdate() - contact.confirmed_on > CHECK_AFTER

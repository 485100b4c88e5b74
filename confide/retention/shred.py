"""Crypto-shredding a client: their data key destroyed, then every row that holds their data deleted,
in the order the foreign keys allow, and their Client row left as the placeholder (number and
dates only). Never touches the audit log: its events hold no content, and the chain must verify.

Idempotent: run again (a replay of the destruction journal after a restore) it removes whatever a
restored database still holds, and on a second run it finds nothing and changes nothing.
"""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone


def shred_client(client_id: int) -> dict:
    """Destroy the client's data key, then remove their rows. Returns the counts of rows removed."""
    from confide.keys.runtime import key_store

    key_store().destroy(client_id)  # False when there was no key: nothing to read either way
    return remove_client_rows(client_id)


def _delete(queryset) -> int:
    """Delete the rows, returning how many of the queryset's own model went (not the M2M links)."""
    label = queryset.model._meta.label
    _, per_model = queryset.delete()
    return per_model.get(label, 0)


def remove_client_rows(client_id: int) -> dict:
    """Delete, in dependency order, everything that holds the client's data; returns counts by kind
    (numbers only). The Client row itself stays: make_placeholder() empties it."""
    from confide.notices.models import Notice
    from confide.records.models import (
        BreakGlass,
        Case,
        ClientCorrection,
        ClientNameToken,
        Document,
        Entry,
        EntryVersion,
        RelatedPerson,
        SafeContact,
    )
    from confide.retention.models import Due
    from confide.sharing.models import (
        Approval,
        Consent,
        ConsentReminder,
        Disclosure,
        DisclosureStep,
        IncomingRequest,
        LimitsTold,
        SecureLink,
        SupportConsent,
        Task,
    )
    from confide.subject_access.models import Item, Release, SubjectAccessRequest

    counts: dict[str, int] = {}

    def add(name: str, n: int) -> None:
        counts[name] = counts.get(name, 0) + n

    with transaction.atomic():
        # Subject access: the release, the items (their redactions cascade), the requests.
        requests = SubjectAccessRequest.objects.filter(client_id=client_id)
        add("subject_access_releases", _delete(Release.objects.filter(client_id=client_id))
            + _delete(Release.objects.filter(request__in=requests)))
        add("subject_access_items", _delete(Item.objects.filter(client_id=client_id))
            + _delete(Item.objects.filter(request__in=requests)))
        add("subject_access_requests", _delete(requests))

        # Sharing: what points at a disclosure or a consent first, then the disclosures and consents.
        disclosure_ids = list(Disclosure.objects.filter(client_id=client_id).values_list("pk", flat=True))
        consent_ids = list(Consent.objects.filter(client_id=client_id).values_list("pk", flat=True))
        task_ids = list(Task.objects.filter(client_id=client_id).values_list("pk", flat=True))
        task_ids += list(Task.objects.filter(disclosure_id__in=disclosure_ids).exclude(pk__in=task_ids)
                         .values_list("pk", flat=True))
        link_ids = list(SecureLink.objects.filter(disclosure_id__in=disclosure_ids).values_list("pk", flat=True))
        _delete(ConsentReminder.objects.filter(consent_id__in=consent_ids))
        _delete(ConsentReminder.objects.filter(task_id__in=task_ids))
        add("tasks", _delete(Task.objects.filter(pk__in=task_ids)))
        _delete(SecureLink.objects.filter(pk__in=link_ids))
        _delete(Approval.objects.filter(disclosure_id__in=disclosure_ids))
        _delete(DisclosureStep.objects.filter(disclosure_id__in=disclosure_ids))
        add("incoming_requests", _delete(IncomingRequest.objects.filter(client_id=client_id)))
        IncomingRequest.objects.filter(disclosure_id__in=disclosure_ids).update(disclosure=None)
        Disclosure.entries.through.objects.filter(disclosure_id__in=disclosure_ids).delete()
        add("disclosures", _delete(Disclosure.objects.filter(pk__in=disclosure_ids)))
        add("support_consents", _delete(SupportConsent.objects.filter(client_id=client_id)))
        add("limits_told", _delete(LimitsTold.objects.filter(client_id=client_id)))
        Consent.objects.filter(pk__in=consent_ids).update(superseded_by=None)
        Consent.objects.filter(superseded_by_id__in=consent_ids).update(superseded_by=None)
        add("consents", _delete(Consent.objects.filter(pk__in=consent_ids)))
        for kind, ids in (("consent", consent_ids), ("disclosure", disclosure_ids), ("task", task_ids),
                          ("secure_link", link_ids)):
            if ids:
                Notice.objects.filter(object_type=kind, object_id__in=ids).delete()

        # Records: versions and documents before their entries, entries before cases and people.
        entry_ids = list(Entry.objects.filter(case__client_id=client_id).values_list("pk", flat=True))
        _delete(EntryVersion.objects.filter(entry_id__in=entry_ids))
        _delete(EntryVersion.objects.filter(client_id=client_id))
        add("documents", _delete(Document.objects.filter(entry_id__in=entry_ids)))
        Disclosure.entries.through.objects.filter(entry_id__in=entry_ids).delete()
        Entry.about_people.through.objects.filter(entry_id__in=entry_ids).delete()
        add("entries", _delete(Entry.objects.filter(pk__in=entry_ids)))
        person_ids = list(RelatedPerson.objects.filter(client_id=client_id).values_list("pk", flat=True))
        Entry.about_people.through.objects.filter(relatedperson_id__in=person_ids).delete()
        Disclosure.objects.filter(related_person_id__in=person_ids).update(related_person=None)
        add("people", _delete(RelatedPerson.objects.filter(pk__in=person_ids)))
        add("safe_contacts", _delete(SafeContact.objects.filter(client_id=client_id)))
        add("corrections", _delete(ClientCorrection.objects.filter(client_id=client_id)))
        add("break_glass", _delete(BreakGlass.objects.filter(client_id=client_id)))
        Case.workers.through.objects.filter(case__client_id=client_id).delete()
        add("cases", _delete(Case.objects.filter(client_id=client_id)))
        ClientNameToken.objects.filter(client_id=client_id).delete()
        # The schedule's open lines for the client (a line already done stays: it names its batch).
        Due.objects.filter(client_id=client_id, done_at__isnull=True).delete()
    return counts


def remove_entry(entry_id: int) -> tuple[int, int]:
    """Unsolicited information returned to its sender (DVIP 9.12): the entry, its documents, its
    earlier versions and its links removed. Returns (entries, documents) removed; idempotent."""
    from confide.records.models import Document, Entry, EntryVersion
    from confide.sharing.models import Disclosure

    with transaction.atomic():
        documents = _delete(Document.objects.filter(entry_id=entry_id))
        EntryVersion.objects.filter(entry_id=entry_id).delete()
        Disclosure.entries.through.objects.filter(entry_id=entry_id).delete()
        Entry.about_people.through.objects.filter(entry_id=entry_id).delete()
        entries = _delete(Entry.objects.filter(pk=entry_id))
    return entries, documents


def make_placeholder(client_id: int) -> bool:
    """The Client row kept as the placeholder: destroyed_at set, the sealed name and date of birth
    emptied, no name tokens. Returns True if anything had to change."""
    from confide.records.models import Client, ClientNameToken

    ClientNameToken.objects.filter(client_id=client_id).delete()
    row = Client.objects.filter(pk=client_id).values("destroyed_at", "name_sealed", "dob_sealed").first()
    if row is None:
        return False
    if row["destroyed_at"] is not None and not bytes(row["name_sealed"] or b"") and not bytes(row["dob_sealed"] or b""):
        return False
    Client.objects.filter(pk=client_id).update(destroyed_at=row["destroyed_at"] or timezone.now(), name_sealed=b"",
                                               dob_sealed=b"")
    return True

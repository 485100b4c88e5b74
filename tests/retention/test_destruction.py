"""Destruction under the retention schedule (issue 15, points 2 to 4): two different managers or data
controllers approve a batch; a legal hold placed after approval still stops it; applying it destroys
the client's key and deletes their rows, leaves a placeholder, journals them first, and writes one
destruction certificate to the audit chain that names nobody. Real database, real key store."""

from __future__ import annotations

import datetime as dt
import json
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from confide.audit.models import AuditEvent
from confide.audit.services import verify_chain
from confide.keys import KeyDestroyed
from confide.keys.runtime import key_store
from confide.records.entries import EntryFacts, do_add_document, do_add_note
from confide.records.models import Case, Client, ClientNameToken, Document, Entry, RelatedPerson, SafeContact
from confide.records.people import do_add_related_person
from confide.records.safe_contact import do_set_safe_contact
from confide.retention import journal, services
from confide.retention.models import Batch, Destroyed, Due, LegalHold
from confide.retention.services import RetentionError
from confide.sharing.models import Consent, Disclosure, FormWording, Task
from tests.base import ConfideTestCase

# Fictional throughout.
NAME = "Philippa Quenby-Marsh"
NOTE = "Philippa said the allotment gate is the safe way to meet."
PERSON = "Ambrose Quenby"
SAFE = "07700 900811"
CLOSED_ON = dt.date(2015, 3, 31)  # DVIP 9.15: five years after leaving, so due on 2020-03-31
ON = dt.date(2021, 1, 1)


@contextmanager
def own_key_store():
    """A key store (and so a destruction journal) of the test's own."""
    with tempfile.TemporaryDirectory() as folder, override_settings(KEYSTORE_PATH=Path(folder) / "keys.sqlite3"):
        yield


class DestructionTest(ConfideTestCase):
    def setUp(self):
        stack = own_key_store()
        stack.__enter__()
        self.addCleanup(stack.__exit__, None, None, None)

    def closed_client(self, name=NAME) -> Client:
        """A client whose only case closed in 2015, with something in most kinds of record."""
        p, worker = self.p, self.p["assigned"]
        client = Client(display_name=name, team=p["north"])
        client.save()
        case = Case.objects.create(client=client, service=p["case"].service, team=p["north"], status=Case.Status.OPEN,
                                   opened_on=dt.date(2014, 1, 6))
        case.workers.add(worker)
        note = do_add_note(worker, case, NOTE)
        person = do_add_related_person(worker, client, "ex_partner", {"name": PERSON})
        do_set_safe_contact(worker, client, {"number": SAFE, "when": "Mornings"})
        do_add_document(worker, case, "quenby-letter.txt", "text/plain", b"Letter from the housing office.",
                        "Housing letter", EntryFacts(about_people=[person]))
        wording = FormWording.objects.get_or_create(pack="dvip", pack_version="1", document="test_consent", version=1,
                                                    defaults={"title": "Consent", "text": "I agree.",
                                                              "digest": "0" * 64})[0]
        consent = Consent(client=client, given_by=Consent.GivenBy.CLIENT, recipients=["police"], data=["case_notes"],
                          purposes=["liaison"], how=Consent.How.VERBAL, has_capacity=True, informed=True,
                          free_from_duress=True, given_on=dt.date(2014, 2, 1), wording=wording,
                          scope_text="The police, for liaison.", recorded_by=worker)
        consent.save()
        disclosure = Disclosure(client=client, case=case, requested_by=worker, requester_role=worker.role,
                                recipient_kind="partner_agency", data=["case_notes"], purpose="liaison", channel="phone",
                                request={}, answer={"decision": "permit"}, decision="permit", consent=consent,
                                related_person=person, status=Disclosure.Status.SENT, sent_at=timezone.now(),
                                sent_by=worker)
        disclosure.recipient_name = "Marrowby Family Centre"
        disclosure.save()
        disclosure.entries.add(note)
        Task.objects.create(kind="inform_client", title="Tell the client", client=client, case=case,
                            disclosure=disclosure, assigned_to=worker)
        case.status, case.closed_on = Case.Status.CLOSED, CLOSED_ON
        case.save()  # the schedule's line is worked out again as the case closes
        return client

    def approve_twice(self, batch):
        services.do_approve(batch.pk, self.p["manager"], command_line=True)
        services.do_approve(batch.pk, self.p["data_controller"], "controller-password-1")

    def test_a_closed_file_past_its_date_is_in_the_batch_with_its_rule(self):
        client = self.closed_client()
        due = Due.objects.get(client_id=client.pk, record_class="client_file")
        self.assertEqual((due.due_on, due.action, due.clause), (dt.date(2020, 3, 31), "destroy", "9.15"))
        batch = services.do_prepare_batch(ON)
        self.assertIn(client.pk, [line["client"] for line in batch.lines])
        self.assertNotIn(self.p["client"].pk, [line["client"] for line in batch.lines], "an open case is kept")
        self.assertEqual(services.do_prepare_batch(dt.date(2020, 3, 30)).lines, [], "not due the day before")

    def test_two_different_managers_or_controllers_must_approve(self):
        client = self.closed_client()
        batch = services.do_prepare_batch(ON)
        with self.assertRaises(RetentionError) as refused:
            services.do_apply(batch.pk)
        self.assertEqual(refused.exception.code, "needs_two_approvals")
        with self.assertRaises(RetentionError) as refused:
            services.do_approve(batch.pk, self.p["assigned"], command_line=True)
        self.assertEqual(refused.exception.code, "not_allowed")
        services.do_approve(batch.pk, self.p["manager"], command_line=True)
        with self.assertRaises(RetentionError) as refused:
            services.do_approve(batch.pk, self.p["manager"], command_line=True)
        self.assertEqual(refused.exception.code, "already_approved")
        with self.assertRaises(RetentionError) as refused:
            services.do_apply(batch.pk)
        self.assertIn("2 different people", str(refused.exception))
        with self.assertRaises(RetentionError) as refused:
            services.do_approve(batch.pk, self.p["data_controller"], "not-the-password")
        self.assertEqual(refused.exception.field, "secret")
        self.assertEqual(Entry.objects.filter(case__client=client).count(), 2, "nothing destroyed yet")
        approval = services.do_approve(batch.pk, self.p["data_controller"], "controller-password-1")
        self.assertEqual(approval.confirmed_with, "password")
        self.assertEqual(services.do_apply(batch.pk)["destroyed"], 1)
        self.assertEqual(Batch.objects.get(pk=batch.pk).status, Batch.Status.APPLIED)
        with self.assertRaises(RetentionError):
            services.do_apply(batch.pk)

    def test_destruction_removes_the_rows_shreds_the_key_and_leaves_a_certificate_naming_nobody(self):
        client = self.closed_client()
        blob = bytes(Entry.objects.get(case__client=client, document__isnull=True).body_sealed)
        context = Entry.body.context(Entry.objects.get(case__client=client, document__isnull=True))
        entry_ids = list(Entry.objects.filter(case__client=client).values_list("pk", flat=True))
        batch = services.do_prepare_batch(ON)
        self.approve_twice(batch)
        result = services.do_apply(batch.pk)
        self.assertEqual((result["destroyed"], result["held"]), (1, 0))

        self.assertFalse(Case.objects.filter(client=client).exists())
        self.assertEqual(len(entry_ids), 2)
        self.assertFalse(Entry.objects.filter(pk__in=entry_ids).exists())
        for model in (RelatedPerson, SafeContact, Consent, Disclosure, Task, ClientNameToken):
            self.assertFalse(model.objects.filter(client_id=client.pk).exists(), model.__name__)
        self.assertFalse(Document.objects.filter(entry__case__client_id=client.pk).exists())
        with self.assertRaises(KeyDestroyed):
            key_store().decrypt(client.pk, blob, context)
        placeholder = Client.objects.get(pk=client.pk)
        self.assertIsNotNone(placeholder.destroyed_at)
        self.assertEqual((bytes(placeholder.name_sealed), bytes(placeholder.dob_sealed)), (b"", b""))
        destroyed = Destroyed.objects.get(client_number=client.pk)
        self.assertEqual((destroyed.rule, destroyed.clause, destroyed.due_on), ("client_file", "9.15",
                                                                                 dt.date(2020, 3, 31)))
        self.assertEqual(destroyed.counts["entries"], 2)
        self.assertIsNotNone(Due.objects.get(client_id=client.pk, record_class="client_file").done_at)

        # The other clients are untouched, and still readable.
        self.assertTrue(Entry.objects.filter(case__client=self.p["client"]).exists())

        self.sign_in("manager")
        self.assertEqual(self.client.get(reverse("web:client_file", args=[client.pk])).status_code, 404)

        self.assertTrue(verify_chain().ok)
        certificate = AuditEvent.objects.get(action="retention.destroyed", object_id=str(client.pk))
        detail = json.loads(certificate.detail)
        self.assertEqual((detail["client"], detail["class"], detail["clause"], detail["count_entries"]),
                         (client.pk, "client_file", "9.15", 2))
        self.assertEqual(detail["approved_by"], sorted([self.p["manager"].pk, self.p["data_controller"].pk]))
        self.assertEqual(detail["applied_by"], "command_line")
        for words in (NAME, "Philippa", PERSON, NOTE[:20], SAFE):
            self.assertNotIn(words, certificate.detail)
        self.assertEqual(journal.entries()[-1]["client"], client.pk)
        self.assertEqual(journal.path().stat().st_mode & 0o777, 0o600)

    def test_a_hold_placed_between_approval_and_apply_stops_that_client(self):
        kept, gone = self.closed_client(), self.closed_client("Rosamund Tillingham")
        batch = services.do_prepare_batch(ON)
        self.approve_twice(batch)
        with self.assertRaises(RetentionError):
            services.do_place_hold(self.p["assigned"], "litigation", "County court claim 123", client_id=kept.pk)
        hold = services.do_place_hold(self.p["manager"], "litigation", "County court claim 123", client_id=kept.pk)
        result = services.do_apply(batch.pk)
        self.assertEqual((result["destroyed"], result["held"]), (1, 1))
        self.assertEqual(Entry.objects.filter(case__client=kept).count(), 2)
        self.assertEqual(Client.objects.get(pk=kept.pk).display_name, NAME)
        self.assertIsNone(Client.objects.get(pk=kept.pk).destroyed_at)
        self.assertIsNotNone(Client.objects.get(pk=gone.pk).destroyed_at)
        self.assertNotIn(kept.pk, [e["client"] for e in journal.entries()])
        event = AuditEvent.objects.get(action="retention.hold_placed")
        self.assertEqual(json.loads(event.detail), {"client": kept.pk, "kind": "litigation"})
        # Released, the client falls due again in the next batch.
        services.do_release_hold(self.p["data_controller"], hold.pk)
        self.assertEqual(LegalHold.objects.get(pk=hold.pk).released_by_id, self.p["data_controller"].pk)
        self.assertEqual([line["client"] for line in services.do_prepare_batch(ON).lines], [kept.pk])

    def test_replaying_the_journal_destroys_a_client_a_restored_database_brought_back_and_is_idempotent(self):
        client = self.closed_client()
        blob = bytes(Entry.objects.get(case__client=client, document__isnull=True).body_sealed)
        context = Entry.body.context(Entry.objects.get(case__client=client, document__isnull=True))
        # As after restoring a backup taken before the destruction: the journal has the client, the
        # database and the key store still hold everything.
        journal.append({"client": client.pk, "batch": 1, "at": "2021-01-01T00:00:00+00:00"})
        self.assertEqual(journal.replay(), 1)
        self.assertFalse(Entry.objects.filter(case__client=client).exists())
        self.assertFalse(RelatedPerson.objects.filter(client=client).exists())
        self.assertIsNotNone(Client.objects.get(pk=client.pk).destroyed_at)
        with self.assertRaises(KeyDestroyed):
            key_store().decrypt(client.pk, blob, context)
        events = AuditEvent.objects.count()
        self.assertEqual(journal.replay(), 0, "a second replay finds nothing to do")
        self.assertEqual(AuditEvent.objects.count(), events)
        self.assertTrue(verify_chain().ok)
        self.assertTrue(Entry.objects.filter(case__client=self.p["client"]).exists())

    def test_unsolicited_information_is_returned_journalled_and_not_brought_back_by_a_restore(self):
        # DVIP 9.12: returned and not kept. The journal holds the entry's number, so a backup from before
        # the return, restored afterwards, has it removed again.
        entry = do_add_note(self.p["assigned"], self.p["case"], "Sent to us unasked.", EntryFacts(unsolicited=True))
        batch = services.do_prepare_batch(timezone.localdate())
        self.approve_twice(batch)
        result = services.do_apply(batch.pk)
        self.assertEqual(result["returned"], 1)
        self.assertFalse(Entry.objects.filter(pk=entry.pk).exists())
        self.assertIn({"returned": entry.pk, "batch": batch.pk},
                      [{k: e[k] for k in ("returned", "batch")} for e in journal.entries() if "returned" in e])
        certificate = json.loads(AuditEvent.objects.get(action="retention.returned").detail)
        self.assertEqual((certificate["entry"], certificate["clause"]), (entry.pk, "9.12 (unsolicited information)"))
        # As after restoring a backup taken before the return: the entry is there again.
        again = do_add_note(self.p["assigned"], self.p["case"], "Sent to us unasked.", EntryFacts(unsolicited=True))
        journal.append({"returned": again.pk, "batch": batch.pk, "at": "2026-01-01T00:00:00+00:00"})
        self.assertEqual(journal.replay(), 1)
        self.assertFalse(Entry.objects.filter(pk=again.pk).exists())
        self.assertEqual(journal.replay(), 0, "a second replay finds nothing to do")
        self.assertTrue(Entry.objects.filter(pk=self.p["note"].pk).exists(), "the client's other entries stay")
        self.assertTrue(verify_chain().ok)

    def test_the_journal_refuses_anything_but_numbers_and_dates(self):
        with self.assertRaises(ValueError):
            journal.append({"client": 1, "name": {"first": "Philippa"}})
        self.assertEqual(journal.entries(), [])


class OpenSubjectAccessHoldsTest(ConfideTestCase):
    """A client waiting for their subject-access copy is not destroyed, whatever the schedule says:
    what they asked for is kept until they have it (DPA 2018 s 173)."""

    setUp = DestructionTest.setUp
    closed_client = DestructionTest.closed_client

    def test_an_open_request_holds_the_file_until_it_is_answered(self):
        from confide.subject_access.models import SubjectAccessRequest

        waiting = self.closed_client()
        sar = SubjectAccessRequest.objects.create(client=waiting, received_on=ON - dt.timedelta(days=3),
                                                  made="writing", logged_by=self.p["data_controller"])
        batch = services.do_prepare_batch(ON)
        self.assertNotIn(waiting.pk, [line["client"] for line in batch.lines])
        sar.status = SubjectAccessRequest.Status.RELEASED
        sar.save(update_fields=["status"])
        self.assertIn(waiting.pk, [line["client"] for line in services.do_prepare_batch(ON).lines])

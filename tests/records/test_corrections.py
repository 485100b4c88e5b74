"""Notes as records of contact, no double save, correction without loss (UK GDPR Art 16) and moving
an entry written in the wrong file, at the service and gate level (confide/records/entries.py,
confide/records/access.py). Written to pass on SQLite and PostgreSQL alike."""

from __future__ import annotations

import datetime as dt
import json
import uuid
from unittest import mock

from django.http import Http404
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.models import AuditEvent
from confide.keys.sealed import UNREADABLE
from confide.records import entries as entries_module
from confide.records.access import (
    access_case_to_write,
    access_client,
    access_entry_history,
    access_entry_to_change,
)
from confide.records.entries import (
    AlreadySaved,
    EntryError,
    EntryFacts,
    do_add_document,
    do_add_note,
    do_correct_entry,
    do_move_entry,
    document_content,
    document_filename,
    entry_text,
    version_text,
)
from confide.records.models import Case, Entry, EntryVersion
from tests.base import NOTE_TEXT, ConfideTestCase, sharing_fixtures

FIRST = "Met Zelda at the library; she asked about the Tuesday group."
CORRECTED = "Met Zelda at the community centre; she asked about the Tuesday group."
REASON = "The wrong place was typed: it was the community centre."
MOVE_REASON = "Written in the wrong client's file by mistake."


def events(action: Action):
    return list(AuditEvent.objects.filter(action=action).order_by("seq"))


class ContactTests(ConfideTestCase):
    def test_a_note_records_when_how_and_how_long_and_the_next_contact(self):
        today = timezone.localdate()
        soon = today + dt.timedelta(days=7)
        note = do_add_note(self.assigned, self.case, FIRST, EntryFacts(
            contact_kind=Entry.Contact.PHONE, contact_on=today, duration_minutes=20, next_contact_on=soon))
        note.refresh_from_db()
        self.assertEqual((note.contact_kind, note.contact_on, note.duration_minutes), ("phone", today, 20))
        self.assertEqual(Case.objects.get(pk=self.case.pk).next_contact_on, soon)
        detail = json.loads(events(Action.NOTE_ADDED)[-1].detail)
        self.assertEqual((detail["contact_kind"], detail["duration_minutes"]), ("phone", 20))

    def assert_contact_refused(self, field: str, words: str, **contact):
        before = Entry.objects.count()
        with self.assertRaises(EntryError) as caught:
            do_add_note(self.assigned, self.case, FIRST, EntryFacts(**contact))
        self.assertEqual(caught.exception.field, field)
        self.assertIn(words, caught.exception.message)
        self.assertEqual(Entry.objects.count(), before, "nothing was saved")

    def test_a_contact_that_could_not_have_happened_is_refused_with_a_reason(self):
        today = timezone.localdate()
        Case.objects.filter(pk=self.case.pk).update(referred_on=today - dt.timedelta(days=10))
        self.case.refresh_from_db()
        self.assert_contact_refused("contact_on", "in the future", contact_kind="phone",
                                    contact_on=today + dt.timedelta(days=1))
        self.assert_contact_refused("contact_on", "before the case was referred", contact_kind="face_to_face",
                                    contact_on=today - dt.timedelta(days=11))
        self.assert_contact_refused("contact_on", "enter the date", contact_kind="letter")
        self.assert_contact_refused("duration_minutes", "from 0 to 600", contact_kind="phone", contact_on=today,
                                    duration_minutes=601)
        self.assert_contact_refused("duration_minutes", "missed appointment has no duration", contact_kind="missed",
                                    contact_on=today, duration_minutes=30)
        self.assert_contact_refused("contact_kind", "choose how", contact_kind="carrier_pigeon", contact_on=today)
        self.assert_contact_refused("next_contact_on", "in the past", next_contact_on=today - dt.timedelta(days=1))

    def test_a_note_that_is_not_a_contact_keeps_no_date(self):
        note = do_add_note(self.assigned, self.case, FIRST, EntryFacts(contact_on=timezone.localdate()))
        note.refresh_from_db()
        self.assertEqual((note.contact_kind, note.contact_on, note.duration_minutes), ("", None, None))


class NoDoubleSaveTests(ConfideTestCase):
    def test_the_same_form_sent_twice_saves_once(self):
        token = uuid.uuid4()
        added = len(events(Action.NOTE_ADDED))
        first = do_add_note(self.assigned, self.case, FIRST, submission=token)
        with self.assertRaises(AlreadySaved) as again:
            do_add_note(self.assigned, self.case, FIRST, submission=token)
        self.assertEqual(again.exception.entry.pk, first.pk)
        self.assertEqual(again.exception.sentence(), "This note was already saved.")
        self.assertEqual(Entry.objects.filter(submission=token).count(), 1)
        self.assertEqual(len(events(Action.NOTE_ADDED)), added + 1, "one audit event, for the one note")

    def test_a_document_sent_twice_is_uploaded_once(self):
        token = uuid.uuid4()
        do_add_document(self.assigned, self.case, "letter.txt", "text/plain", b"A letter.", "Letter", submission=token)
        with self.assertRaises(AlreadySaved):
            do_add_document(self.assigned, self.case, "letter.txt", "text/plain", b"A letter.", "Letter",
                            submission=token)
        self.assertEqual(Entry.objects.filter(submission=token).count(), 1)

    def test_two_submissions_racing_past_the_check_still_save_once(self):
        """As on PostgreSQL, where both look before either writes: the second insert fails on the
        unique token inside its own savepoint, and finds the first's entry."""
        token = uuid.uuid4()
        first = do_add_note(self.assigned, self.case, FIRST, submission=token)
        real = entries_module._already_saved
        calls = []

        def blind_first_look(author, case, submission):
            calls.append(submission)
            if len(calls) == 1:
                return None  # the racing request looked before the first was committed
            return real(author, case, submission)

        with mock.patch.object(entries_module, "_already_saved", blind_first_look), \
                mock.patch.object(entries_module, "_same_words_just_saved", lambda *args: None), \
                self.assertRaises(AlreadySaved) as again:
            do_add_note(self.assigned, self.case, FIRST, submission=token)
        self.assertEqual(len(calls), 2, "the unique token stopped the insert and the first entry was found")
        self.assertEqual(again.exception.entry.pk, first.pk)
        self.assertEqual(Entry.objects.filter(submission=token).count(), 1)

    def test_back_then_save_sends_the_same_words_with_a_new_token_and_saves_nothing(self):
        first = do_add_note(self.assigned, self.case, FIRST, submission=uuid.uuid4())
        with self.assertRaises(AlreadySaved) as again:  # the form fetched again by Back: a new token
            do_add_note(self.assigned, self.case, FIRST, submission=uuid.uuid4())
        self.assertEqual(again.exception.entry.pk, first.pk)
        # Other words are another note; the same words much later are a note of their own too.
        do_add_note(self.assigned, self.case, "Second call: she confirmed Friday.", submission=uuid.uuid4())
        Entry.objects.filter(pk=first.pk).update(created_at=timezone.now() - entries_module.SAME_WORDS_WITHIN)
        do_add_note(self.assigned, self.case, FIRST, submission=uuid.uuid4())
        self.assertEqual(Entry.objects.filter(author=self.assigned, case=self.case, submission__isnull=False).count(), 3)

    def test_someone_elses_token_is_refused_without_saying_whose(self):
        token = uuid.uuid4()
        do_add_note(self.assigned, self.case, FIRST, submission=token)
        self.case.workers.add(self.same_team)
        with self.assertRaises(EntryError) as caught:
            do_add_note(self.same_team, self.case, "Another note.", submission=token)
        self.assertNotIsInstance(caught.exception, AlreadySaved)
        self.assertEqual(caught.exception.code, "submission_used")


class CorrectionTests(ConfideTestCase):
    def setUp(self):
        self.note = do_add_note(self.assigned, self.case, FIRST, EntryFacts(
            contact_kind="face_to_face", contact_on=timezone.localdate(), duration_minutes=45))

    def correct(self, user=None, **kwargs):
        return do_correct_entry(user or self.assigned, self.note, kwargs.pop("text", CORRECTED),
                                kwargs.pop("reason", REASON), **kwargs)

    def test_a_correction_is_a_new_version_and_the_earlier_one_stays_sealed(self):
        corrected = self.correct(contact=EntryFacts(contact_kind="face_to_face", contact_on=timezone.localdate(),
                                                    duration_minutes=50))
        entry = Entry.objects.get(pk=self.note.pk)
        client_id = self.client_record.pk
        self.assertEqual(entry_text(client_id, entry), CORRECTED)
        self.assertEqual((entry.version, entry.duration_minutes), (2, 50))
        self.assertIsNotNone(entry.corrected_at)
        earlier = EntryVersion.objects.get(entry=entry)
        self.assertEqual((earlier.number, earlier.change, earlier.client_id), (1, "corrected", client_id))
        self.assertEqual(version_text(client_id, earlier), (FIRST, REASON))
        self.assertEqual(earlier.facts["duration_minutes"], 45)
        for column in (bytes(earlier.body_sealed), bytes(earlier.reason_sealed)):
            self.assertNotIn(b"library", column, "sealed, never in clear")
        event = events(Action.ENTRY_CORRECTED)[-1]
        self.assertEqual((event.client_id, event.object_id), (client_id, str(entry.pk)))
        for words in ("library", "community centre", "wrong place"):
            self.assertNotIn(words, event.detail, "the audit log records that it was corrected, not what")
        self.assertEqual(corrected.version, 2)

    def test_a_reason_is_required_and_nothing_changes_without_one(self):
        with self.assertRaises(EntryError) as caught:
            self.correct(reason="typo")
        self.assertEqual(caught.exception.field, "reason")
        self.assertEqual(Entry.objects.get(pk=self.note.pk).version, 1)
        self.assertFalse(EntryVersion.objects.exists())

    def test_a_correction_that_changes_nothing_is_refused(self):
        with self.assertRaises(EntryError) as caught:
            self.correct(text=FIRST)
        self.assertEqual(caught.exception.code, "nothing_changed")

    def test_a_correction_made_on_an_older_version_is_refused(self):
        self.correct()
        with self.assertRaises(EntryError) as caught:
            self.correct(text="A third wording of the note.", version=1)
        self.assertEqual(caught.exception.status, 409)
        self.assertEqual(Entry.objects.get(pk=self.note.pk).version, 2)

    def test_only_the_author_or_a_manager_may_correct(self):
        self.case.workers.add(self.same_team)
        with self.assertRaises(EntryError) as caught:
            self.correct(user=self.same_team)
        self.assertEqual(caught.exception.status, 403)
        with self.assertRaises(Http404):  # the gate refuses them as it would a missing entry
            access_entry_to_change(self.same_team, self.note.pk, "direct_support")
        refused = events(Action.ENTRY_CHANGE_REFUSED)[-1]
        self.assertEqual(json.loads(refused.detail)["reason"], "not_author_or_manager")
        with self.assertRaises(Http404):  # reading only: no correcting for supervision
            access_entry_to_change(self.assigned, self.note.pk, "supervision")
        # A manager, for managing the risk (DVIP 3.02), may.
        _grant, entry = access_entry_to_change(self.manager, self.note.pk, "risk_management")
        self.correct(user=self.manager)
        self.assertEqual(Entry.objects.get(pk=entry.pk).version, 2)

    def test_earlier_versions_open_to_the_author_managers_and_the_data_controller_only(self):
        self.correct()
        client_id = self.client_record.pk
        for who, purpose in ((self.assigned, "direct_support"), (self.manager, "supervision"),
                             (self.p["data_controller"], "audit")):
            _grant, entry, versions = access_entry_history(who, client_id, self.note.pk, purpose)
            self.assertEqual([version_text(client_id, v)[0] for v in versions], [FIRST], who.username)
        for who, purpose in ((self.same_team, "supervision"), (self.other_team, "direct_support"),
                             (self.trustee, "direct_support"), (self.p["data_controller"], "direct_support")):
            with self.assertRaises(Http404, msg=who.username):
                access_entry_history(who, client_id, self.note.pk, purpose)
        with self.assertRaises(Http404):  # an entry of another client's file, asked through this one's
            access_entry_history(self.assigned, self.p["other_client"].pk, self.note.pk, "direct_support")
        shown = [json.loads(e.detail) for e in events(Action.ENTRY_HISTORY)]
        self.assertEqual(len(shown), 3)
        self.assertTrue(all(d["versions"] for d in shown))
        self.assertEqual(len(events(Action.ENTRY_HISTORY_REFUSED)) + len(events(Action.ENTRY_HISTORY_FILE_REFUSED)), 5)


class MoveTests(ConfideTestCase):
    def setUp(self):
        self.other_client, self.other_case = self.p["other_client"], self.p["other_case"]
        self.other_case.workers.add(self.assigned)  # the worker works with both clients
        self.note = do_add_note(self.assigned, self.case, FIRST, EntryFacts(about_people=[self.p["ex_partner"]]))

    def move(self, entry=None, user=None):
        user = user or self.assigned
        _grant, to_case = access_case_to_write(user, self.other_case.pk, "direct_support", action=Action.CASE_WRITE)
        return do_move_entry(user, entry or self.note, to_case, MOVE_REASON)

    def test_a_moved_entry_is_resealed_under_the_right_clients_key_with_its_trail(self):
        do_correct_entry(self.assigned, self.note, CORRECTED, REASON)
        old, new = self.client_record.pk, self.other_client.pk
        self.move(Entry.objects.get(pk=self.note.pk))
        entry = Entry.objects.get(pk=self.note.pk)
        self.assertEqual(entry.case_id, self.other_case.pk)
        self.assertEqual(entry_text(new, entry), CORRECTED)
        self.assertEqual(Entry.body.read(Entry.objects.get(pk=entry.pk), old), UNREADABLE,
                         "nothing of it opens under the old client's key")
        self.assertEqual(list(entry.about_people.all()), [], "the old file's people are no longer linked")
        versions = list(EntryVersion.objects.filter(entry=entry).order_by("id"))
        self.assertEqual([(v.change, v.client_id) for v in versions], [("corrected", new), ("moved", new)])
        self.assertEqual(version_text(new, versions[0]), (FIRST, REASON))
        self.assertEqual(version_text(new, versions[1]), (CORRECTED, MOVE_REASON))
        self.assertEqual(versions[1].facts["from_case"], self.case.pk)
        # The old client's file no longer lists it; the new one's does.
        old_file = access_client(self.assigned, old, "direct_support")
        self.assertNotIn(entry.pk, [e.pk for e in old_file.entries()])
        new_file = access_client(self.assigned, new, "direct_support")
        self.assertIn(entry.pk, [e.pk for e in new_file.entries()])
        # Both records of access show it, without content.
        out, into = events(Action.ENTRY_MOVED_OUT)[-1], events(Action.ENTRY_MOVED_IN)[-1]
        self.assertEqual((out.client_id, into.client_id), (old, new))
        for event in (out, into):
            for words in ("library", "community centre", "wrong client"):
                self.assertNotIn(words, event.detail)

    def test_an_entry_in_a_request_to_share_stays_in_its_file(self):
        # What was asked for and approved names the entry in this file; moved, it would read as
        # "can no longer be read" through the request's link (sharing.disclosure.why_entry_stays).
        shared = self.p["note"]
        sharing_fixtures(self.p)
        with self.assertRaises(EntryError) as caught:
            self.move(shared)
        self.assertEqual(caught.exception.code, "entry_in_use")
        self.assertIn("part of a request to share", str(caught.exception))
        self.assertEqual(Entry.objects.get(pk=shared.pk).case_id, self.case.pk)
        self.assertEqual(entry_text(self.client_record.pk, Entry.objects.get(pk=shared.pk)), NOTE_TEXT)

    def test_a_document_moves_with_its_entry(self):
        document = do_add_document(self.assigned, self.case, "letter.txt", "text/plain", b"A letter for Ambrose.",
                                   "Letter from the housing office")
        self.move(document)
        entry = Entry.objects.select_related("document").get(pk=document.pk)
        new = self.other_client.pk
        self.assertEqual(document_filename(new, entry.document), "letter.txt")
        self.assertEqual(document_content(new, entry.document), b"A letter for Ambrose.")
        stale = Entry.objects.select_related("document").get(pk=document.pk).document
        self.assertIsNone(document_content(self.client_record.pk, stale), "no longer opens as the old client's")

    def test_a_move_needs_a_reason_and_another_file(self):
        _grant, same_case = access_case_to_write(self.assigned, self.case.pk, "direct_support",
                                                 action=Action.CASE_WRITE)
        with self.assertRaises(EntryError) as caught:
            do_move_entry(self.assigned, self.note, same_case, MOVE_REASON)
        self.assertEqual(caught.exception.code, "same_case")
        _grant, to_case = access_case_to_write(self.assigned, self.other_case.pk, "direct_support",
                                               action=Action.CASE_WRITE)
        with self.assertRaises(EntryError) as caught:
            do_move_entry(self.assigned, self.note, to_case, "oops")
        self.assertEqual(caught.exception.field, "reason")
        self.assertEqual(Entry.objects.get(pk=self.note.pk).case_id, self.case.pk)

    def test_only_to_a_case_the_mover_may_write_to(self):
        self.other_case.workers.remove(self.assigned)
        with self.assertRaises(Http404):
            self.move()
        self.assertEqual(Entry.objects.get(pk=self.note.pk).case_id, self.case.pk)

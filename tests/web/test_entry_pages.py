"""The pages for notes as records of contact, no double save, correcting an entry, reading its
earlier versions and moving it to the right file (confide/web/entry_views.py and the add-note
views): what a worker sees and what is refused, as a user would notice it."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone
from django.utils.dates import MONTHS

from confide.records.entries import EntryFacts, do_add_note, do_correct_entry, entry_text
from confide.records.models import Case, Entry, EntryVersion
from tests.base import CLIENT_NAME, OTHER_CLIENT_NAME, ConfideTestCase

FACTS = {"categories": ["case_notes"], "about_client": "on", "source": "client"}
FIRST = "Phoned Zelda: she will come to the Thursday drop-in."
CORRECTED = "Phoned Zelda: she will come to the Friday drop-in."
REASON = "The wrong day was typed: she said Friday."


def long_date(day: dt.date) -> str:
    return f"{day.day} {MONTHS[day.month]} {day.year}"


def token_in(page) -> str:
    found = re.search(rb'name="submission" value="([0-9a-f-]{36})"', page.content)
    assert found, "the form carries its one-time token"
    return found.group(1).decode()


class AddNoteTests(ConfideTestCase):
    def url(self):
        return reverse("web:add_note", args=[self.case.pk])

    def file_url(self):
        return reverse("web:client_file", args=[self.client_record.pk])

    def test_a_note_records_a_contact_and_the_file_shows_it(self):
        self.sign_in("assigned")
        form = self.client.get(self.url())
        self.assertContains(form, "Was this a contact with the client?")
        self.assertContains(form, f'value="{timezone.localdate().isoformat()}"', msg_prefix="today is the default")
        today = timezone.localdate()
        response = self.client.post(self.url(), {
            "text": FIRST, "contact_kind": "phone", "contact_on": today.isoformat(), "duration_minutes": "20",
            "next_contact_on": (today + dt.timedelta(days=14)).isoformat(), "submission": token_in(form), **FACTS})
        self.assertRedirects(response, self.file_url())
        entry = Entry.objects.latest("id")
        self.assertEqual((entry.contact_kind, entry.contact_on, entry.duration_minutes), ("phone", today, 20))
        self.assertEqual(Case.objects.get(pk=self.case.pk).next_contact_on, today + dt.timedelta(days=14))
        self.assertContains(self.client.get(self.file_url()), f"Telephone, 20 minutes, {long_date(today)}")

    def test_a_contact_in_the_future_is_refused_beside_the_field(self):
        self.sign_in("assigned")
        before = Entry.objects.count()
        tomorrow = timezone.localdate() + dt.timedelta(days=1)
        page = self.client.post(self.url(), {"text": FIRST, "contact_kind": "face_to_face",
                                             "contact_on": tomorrow.isoformat(), **FACTS})
        self.assertEqual(page.status_code, 400)
        self.assertContains(page, "The date of the contact is in the future: enter the day it took place.", status_code=400)
        self.assertContains(page, FIRST, status_code=400, msg_prefix="what was typed is kept")
        self.assertEqual(Entry.objects.count(), before)

    def test_a_duration_out_of_range_is_refused(self):
        self.sign_in("assigned")
        page = self.client.post(self.url(), {"text": FIRST, "contact_kind": "phone",
                                             "contact_on": timezone.localdate().isoformat(), "duration_minutes": "900",
                                             **FACTS})
        self.assertContains(page, "from 0 to 600", status_code=400)

    def test_back_then_save_writes_the_note_once_and_says_so(self):
        self.sign_in("assigned")
        token = token_in(self.client.get(self.url()))
        data = {"text": FIRST, "submission": token, **FACTS}
        first = self.client.post(self.url(), data)
        second = self.client.post(self.url(), data)  # Back, then Save again (or a double click)
        self.assertEqual(first.status_code, 302)
        self.assertEqual(second.status_code, 302)
        self.assertTrue(second["Location"].startswith(self.file_url()))
        self.assertEqual(Entry.objects.filter(submission=token).count(), 1)
        page = self.client.get(second["Location"])
        self.assertContains(page, "This note was already saved.")
        self.assertContains(page, "Phoned Zelda", count=1)

    def test_each_showing_of_the_form_has_its_own_token(self):
        self.sign_in("assigned")
        self.assertNotEqual(token_in(self.client.get(self.url())), token_in(self.client.get(self.url())))


class CorrectionPageTests(ConfideTestCase):
    def setUp(self):
        self.note = do_add_note(self.assigned, self.case, FIRST, EntryFacts(
            contact_kind="phone", contact_on=timezone.localdate(), duration_minutes=10))

    def correct_url(self, purpose=""):
        url = reverse("web:correct_entry", args=[self.note.pk])
        return f"{url}?purpose={purpose}" if purpose else url

    def history_url(self, purpose=""):
        url = reverse("web:entry_history", args=[self.note.pk])
        return f"{url}?purpose={purpose}" if purpose else url

    def test_the_author_corrects_a_note_and_the_file_says_who_when_and_which_version(self):
        self.sign_in("assigned")
        file_page = self.client.get(reverse("web:client_file", args=[self.client_record.pk]))
        self.assertContains(file_page, self.correct_url())
        form = self.client.get(self.correct_url())
        self.assertContains(form, FIRST)
        response = self.client.post(self.correct_url(), {
            "text": CORRECTED, "reason": REASON, "version": "1", "contact_kind": "phone",
            "contact_on": timezone.localdate().isoformat(), "duration_minutes": "10"})
        self.assertEqual(response.status_code, 302)
        page = self.client.get(response["Location"])
        self.assertContains(page, CORRECTED)
        self.assertNotContains(page, FIRST)
        self.assertContains(page, f"Corrected on {long_date(timezone.localdate())} by <bdi>Ada Assigned</bdi> (version 2)")
        self.assertContains(page, "The note was corrected. The earlier version is kept.")
        history = self.client.get(self.history_url())
        self.assertContains(history, FIRST)
        self.assertContains(history, REASON)
        self.assertContains(history, CORRECTED)

    def test_a_correction_without_a_reason_is_refused_beside_the_field(self):
        self.sign_in("assigned")
        page = self.client.post(self.correct_url(), {"text": CORRECTED, "reason": "typo", "version": "1"})
        self.assertEqual(page.status_code, 400)
        self.assertContains(page, "Say why it is being corrected (at least 10 letters", status_code=400)
        self.assertEqual(entry_text(self.client_record.pk, Entry.objects.get(pk=self.note.pk)), FIRST)

    def test_another_worker_sees_no_correct_link_and_is_refused_as_for_a_missing_entry(self):
        self.case.workers.add(self.same_team)
        self.sign_in("same_team")
        file_page = self.client.get(reverse("web:client_file", args=[self.client_record.pk]))
        self.assertContains(file_page, FIRST)
        self.assertNotContains(file_page, self.correct_url())
        missing = self.client.get(reverse("web:correct_entry", args=[99_999_999]))
        self.assert_refused(self.client.get(self.correct_url()), missing, where="correct")
        self.assert_refused(self.client.post(self.correct_url(), {"text": CORRECTED, "reason": REASON, "version": "1"}),
                            where="correct by POST")
        self.assertEqual(Entry.objects.get(pk=self.note.pk).version, 1)

    def test_earlier_versions_open_to_the_roles_allowed_and_no_one_else(self):
        do_correct_entry(self.assigned, self.note, CORRECTED, REASON)
        missing_url = reverse("web:entry_history", args=[99_999_999])
        for who, purpose in (("manager", "supervision"), ("data_controller", "audit")):
            self.sign_in(who)
            self.assertContains(self.client.get(self.history_url(purpose)), FIRST, msg_prefix=who)
        for who, purpose in (("same_team", "supervision"), ("other_team", ""), ("trustee", "")):
            self.sign_in(who)
            missing = self.client.get(f"{missing_url}?purpose={purpose}" if purpose else missing_url)
            self.assert_refused(self.client.get(self.history_url(purpose)), missing, where=who)


class MovePageTests(ConfideTestCase):
    def setUp(self):
        self.other_client, self.other_case = self.p["other_client"], self.p["other_case"]
        self.other_case.workers.add(self.assigned)
        self.note = do_add_note(self.assigned, self.case, FIRST)

    def url(self):
        return reverse("web:move_entry", args=[self.note.pk])

    def test_the_author_finds_the_right_file_confirms_and_the_note_moves(self):
        self.sign_in("assigned")
        self.assertContains(self.client.get(self.url()), "Move a note to the right file")
        found = self.client.post(self.url(), {"client": str(self.other_client.pk), "reason": "Wrong client's file."})
        self.assertContains(found, f"Move it to the file of <bdi>{OTHER_CLIENT_NAME}</bdi>")
        self.assertEqual(Entry.objects.get(pk=self.note.pk).case_id, self.case.pk, "nothing moved before confirming")
        moved = self.client.post(self.url(), {"client": str(self.other_client.pk), "confirmed": str(self.other_client.pk),
                                              "case": str(self.other_case.pk), "reason": "Wrong client's file."})
        self.assertEqual(moved.status_code, 302)
        self.assertTrue(moved["Location"].startswith(reverse("web:client_file", args=[self.other_client.pk])))
        new_file = self.client.get(moved["Location"])
        self.assertContains(new_file, FIRST)
        self.assertContains(new_file, "Moved to this file on")
        self.assertNotContains(self.client.get(reverse("web:client_file", args=[self.client_record.pk])), FIRST)
        self.assertEqual(EntryVersion.objects.get(entry_id=self.note.pk).change, "moved")

    def test_a_number_that_opens_nothing_is_answered_beside_the_field(self):
        self.other_case.workers.remove(self.assigned)
        self.sign_in("assigned")
        for number in (self.other_client.pk, 99_999_999):  # not theirs, and no one's: the same answer
            page = self.client.post(self.url(), {"client": str(number), "reason": "Wrong client's file."})
            self.assertContains(page, "No file with that number is open to you to add to.", status_code=400)
            self.assertNotContains(page, OTHER_CLIENT_NAME, status_code=400)
        page = self.client.post(self.url(), {"client": str(self.client_record.pk), "reason": "Wrong client's file."})
        self.assertContains(page, "The note is already in that file.", status_code=400)
        self.assertEqual(Entry.objects.get(pk=self.note.pk).case_id, self.case.pk)
        self.assertIn(CLIENT_NAME, page.content.decode())

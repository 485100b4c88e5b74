"""Every refusal is recorded, and none is an oracle (issue 12, point 5).

"Open another file" asks a reason of anyone who could break the glass (DVIP 1.01: "access outside
one's own cases needs a stated reason"), and asks it alike for a number on file and a number that is
not: the prompt must not tell them apart, and both attempts are in the audit log. A download is
recorded only of a document: any other id is refused as a missing one is, and recorded as refused."""

from __future__ import annotations

import json

from django.urls import reverse

from confide.audit.models import AuditEvent
from confide.records.models import BreakGlass
from tests.base import CLIENT_NAME, NOTE_TEXT, SEALED_TEXT, ConfideTestCase, strip_volatile

MISSING = 987654


def detail(event) -> dict:
    return json.loads(event.detail) if isinstance(event.detail, str) else event.detail


class OpenAnotherFileTests(ConfideTestCase):
    def open(self, client_id, purpose="direct_support", reason=""):
        return self.client.post(reverse("web:open_outside"), {"client": client_id, "purpose": purpose, "reason": reason})

    def same_page(self, a, b, number_a, number_b):
        self.assertEqual(strip_volatile(a.content).replace(f'value="{number_a}"'.encode(), b'value="N"'),
                         strip_volatile(b.content).replace(f'value="{number_b}"'.encode(), b'value="N"'))

    def refusals(self, who: str):
        return AuditEvent.objects.filter(actor_id=self.p[who].pk, action="client.open_outside.refused").order_by("seq")

    def test_before_a_reason_a_file_on_record_and_a_missing_number_answer_alike_and_both_are_recorded(self):
        # The other team's worker could break the glass on the North client's file (dvip 1.01).
        self.sign_in("other_team")
        existing = self.open(self.p["client"].pk)
        missing = self.open(MISSING)
        self.assertEqual((existing.status_code, missing.status_code), (400, 400))
        self.assertContains(missing, "Give your reason", status_code=400)
        self.assertContains(missing, "Policy 1.01", status_code=400)
        self.same_page(existing, missing, self.p["client"].pk, MISSING)
        for response in (existing, missing):
            self.assertNotContains(response, CLIENT_NAME, status_code=400)
        self.assertFalse(BreakGlass.objects.exists())
        on_file, not_on_file = self.refusals("other_team")
        self.assertEqual((on_file.object_id, on_file.client_id), (str(self.p["client"].pk), self.p["client"].pk))
        self.assertEqual((not_on_file.object_id, not_on_file.client_id), (str(MISSING), None))
        self.assertEqual(detail(on_file)["reason"], "reason_needed")
        self.assertEqual(detail(not_on_file)["reason"], "reason_needed")
        self.assertEqual(detail(on_file)["clauses"], ["1.01"])

    def test_with_a_reason_a_missing_number_is_refused_and_recorded_as_no_such_client(self):
        self.sign_in("other_team")
        missing = self.open(MISSING, reason="Client rang in crisis; her worker is on leave.")
        self.assertContains(missing, "No file opened", status_code=404)
        self.assertEqual(detail(self.refusals("other_team").get())["reason"], "no_such_client")
        self.assertFalse(BreakGlass.objects.exists())

    def test_who_can_break_no_glass_is_refused_alike_with_or_without_a_reason_and_each_is_recorded(self):
        self.sign_in("trustee")
        for reason in ("", "Client rang in crisis; her worker is on leave."):
            with self.subTest(reason=reason):
                existing = self.open(self.p["client"].pk, "emergency", reason)
                missing = self.open(MISSING, "emergency", reason)
                self.assertEqual((existing.status_code, missing.status_code), (404, 404))
                self.same_page(existing, missing, self.p["client"].pk, MISSING)
        self.assertEqual(self.refusals("trustee").count(), 4)


class DocumentDownloadRefusalTests(ConfideTestCase):
    def download(self, entry_id):
        return self.client.get(reverse("web:download_document", args=[entry_id]))

    def test_a_note_is_not_a_document_and_no_download_is_recorded(self):
        self.sign_in("assigned")
        before = AuditEvent.objects.count()
        note, missing = self.download(self.p["note"].pk), self.download(MISSING)
        self.assertEqual((note.status_code, missing.status_code), (404, 404))
        self.assertEqual(strip_volatile(note.content), strip_volatile(missing.content))
        self.assertNotIn(NOTE_TEXT.encode(), note.content)
        self.assertNotIn("attachment", note.get("Content-Disposition", ""))
        events = list(AuditEvent.objects.filter(seq__gt=before).order_by("seq"))
        self.assertEqual([event.action for event in events], ["document.download.refused"] * 2,
                         "a refusal each, and no download or file read recorded")
        self.assertEqual([(e.object_id, detail(e)["reason"]) for e in events],
                         [(str(self.p["note"].pk), "no_such_document"), (str(MISSING), "no_such_document")])

    def test_a_sealed_note_is_refused_as_a_missing_document_even_to_the_role_that_may_read_it(self):
        # dvip 8.07 opens the sealed medical note to the data controller for audit; it is still a note.
        self.sign_in("data_controller")
        got = self.client.get(reverse("web:download_document", args=[self.p["sealed"].pk]) + "?purpose=audit")
        self.assertEqual(got.status_code, 404)
        self.assertNotIn(SEALED_TEXT.encode(), got.content)
        self.assertFalse(AuditEvent.objects.filter(action="document.download").exists())

    def test_a_document_download_is_recorded_once_it_is_given(self):
        self.sign_in("assigned")
        got = self.download(self.p["document"].pk)
        self.assertEqual(got.status_code, 200)
        event = AuditEvent.objects.filter(action="document.download").get()
        self.assertEqual((event.object_id, event.client_id), (str(self.p["document"].pk), self.p["client"].pk))

"""A reviewer's own redaction: a name the proposer could not know (nobody recorded the person around
the client) is covered wherever it appears in the item, and nothing of it reaches the copy."""

from __future__ import annotations

import io
import uuid

from django.utils import timezone
from pypdf import PdfReader

from confide.records.models import Entry
from confide.subject_access import services
from confide.subject_access.models import Item, Redaction
from confide.subject_access.services import SarError
from tests.base import ConfideTestCase
from tests.subject_access import test_services as service_tests

UNKNOWN = "Perdita Scarrow"  # named in a note, recorded nowhere else on the file


class ReviewerRedactionTest(ConfideTestCase):
    # The set-up of the service tests, borrowed (not inherited: their tests are not run twice).
    _s = service_tests.SarServiceTest
    grant, log, fresh, compiled, ready = _s.grant, _s.log, _s.fresh, _s.compiled, _s.ready

    def setUp(self):
        super().setUp()
        self.controller, self.manager, self.worker = self.p["data_controller"], self.p["manager"], self.p["assigned"]
        self.today = timezone.localdate()

    def note_naming_someone_unrecorded(self) -> Entry:
        case = self.client_record.cases.first()
        entry = Entry(case=case, author=self.worker, ref=uuid.uuid4(), source="client", categories=["case_notes"])
        entry.body = f"She met {UNKNOWN} at the bus stop; {UNKNOWN.lower()} offered her a lift home."
        entry.save()
        return entry

    def test_the_reviewers_words_are_covered_everywhere_in_the_item_and_gone_from_the_copy(self):
        entry = self.note_naming_someone_unrecorded()
        sar = self.compiled()
        item = Item.objects.get(request=sar, kind="entry", object_id=entry.pk)
        self.assertEqual(item.decision, Item.Decision.RELEASE, "the proposer cannot know an unrecorded name")
        added = services.do_add_redaction(self.manager, sar, self.fresh(sar).version, item.pk, UNKNOWN)
        self.assertEqual(added, 2, "both places, whatever their case")
        item.refresh_from_db()
        self.assertEqual(item.decision, Item.Decision.REDACT)
        self.assertTrue(all(r.status == Redaction.Status.ACCEPTED for r in item.redactions.filter(proposed_by="reviewer")))
        sar = self.ready(sar)
        release = services.do_release(self.manager, sar, sar.version, "manager-password-1")
        text = " ".join(page.extract_text() for page in PdfReader(io.BytesIO(release.pdf)).pages)
        self.assertNotIn("Perdita", text)
        self.assertNotIn("Scarrow", text)
        self.assertIn("at the bus stop", text)

    def test_words_not_in_the_item_are_refused_and_nothing_is_added(self):
        entry = self.note_naming_someone_unrecorded()
        sar = self.compiled()
        item = Item.objects.get(request=sar, kind="entry", object_id=entry.pk)
        with self.assertRaises(SarError) as refused:
            services.do_add_redaction(self.manager, sar, self.fresh(sar).version, item.pk, "Nobody Here")
        self.assertEqual(refused.exception.field, "words")
        self.assertFalse(item.redactions.filter(proposed_by="reviewer").exists())


class OwnDetailsTest(ConfideTestCase):
    """The client's safe contact details are theirs: their own number is not proposed for redaction,
    but a number that is someone else's on the file (an ex-partner's, written in by mistake) still is."""

    _s = service_tests.SarServiceTest
    grant, log, fresh, compiled = _s.grant, _s.log, _s.fresh, _s.compiled

    def setUp(self):
        super().setUp()
        self.controller, self.manager = self.p["data_controller"], self.p["manager"]
        self.today = timezone.localdate()

    def safe_item(self, number: str) -> Item:
        from confide.records.safe_contact import do_set_safe_contact

        do_set_safe_contact(self.p["assigned"], self.client_record, {"number": number, "when": "Mornings"})
        sar = self.compiled()
        return next(i for i in Item.objects.filter(request=sar) if i.title == "Your safe contact details")

    def test_her_own_number_is_not_proposed(self):
        item = self.safe_item("07700 900555")
        self.assertFalse(item.redactions.exists())
        self.assertEqual(item.decision, Item.Decision.RELEASE)

    def test_someone_elses_recorded_number_is_proposed_even_there(self):
        from confide.records.people import do_add_related_person

        do_add_related_person(self.p["assigned"], self.client_record, "ex_partner",
                              {"name": "Lucius Brackenthwaite", "contact": "07700 900444"})
        item = self.safe_item("07700 900444")
        self.assertEqual([r.what for r in item.redactions.all()], ["phone"])

"""The partner directory's services: who may read and change it, the do_* functions' checks and
audit events, and the agreement check a disclosure makes."""

from __future__ import annotations

from datetime import date, timedelta

from django.db import IntegrityError, transaction
from django.http import Http404

from confide.audit.models import AuditEvent
from confide.audit.services import verify_chain
from confide.partners.demo import do_seed_partners
from confide.partners.directory import (
    AgreementCheck,
    DirectoryError,
    access_agency,
    agreement_check,
    do_add_agency,
    do_add_agreement,
    do_add_contact,
    do_change_agency,
    do_change_contact,
    do_end_agreement,
    may_manage,
    may_view,
)
from confide.partners.models import AGENCY_KINDS, Agency, AgencyContact, SharingAgreement
from tests.base import ConfideTestCase

DAY = date(2026, 11, 21)
AGENCY = "Northvale Children's Services"
AGREEMENT = {"title": "Safeguarding children agreement", "starts_on": date(2026, 4, 1), "ends_on": date(2027, 3, 31),
             "data": ["case_notes", "risk_assessment", "contact_details"], "purposes": ["child_protection", "safeguarding"]}


def last_event() -> AuditEvent:
    return AuditEvent.objects.order_by("-seq").first()


class DirectoryTestCase(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        manager = cls.p["manager"]
        cls.agency = do_add_agency(manager, name=AGENCY, kind="childrens_services", known_phone="01632 960100",
                                   secure_email="mash@example.org")
        cls.jo = do_add_contact(manager, cls.agency, name="Jo Bloggs", job_title="Social worker",
                                email="jo.bloggs@example.org", phone="01632 960101")
        cls.kim = do_add_contact(manager, cls.agency, name="Kim Lowther", job_title="Team manager")
        cls.agreement = do_add_agreement(manager, cls.agency, contacts=[cls.jo], **AGREEMENT)


class WhoTests(DirectoryTestCase):
    def test_managers_and_the_data_controller_manage_staff_view_trustees_do_neither(self):
        for who in ("manager", "data_controller"):
            self.assertTrue(may_manage(self.p[who]), who)
            self.assertTrue(may_view(self.p[who]), who)
        for who in ("assigned", "other_team", "volunteer", "administrator"):
            self.assertFalse(may_manage(self.p[who]), who)
            self.assertTrue(may_view(self.p[who]), who)
        self.assertFalse(may_manage(self.p["trustee"]))
        self.assertFalse(may_view(self.p["trustee"]))

    def test_a_refusal_and_a_missing_agency_answer_alike(self):
        self.assertEqual(access_agency(self.p["assigned"], self.agency.pk), self.agency)
        for who, pk, manage in (("trustee", self.agency.pk, False), ("assigned", self.agency.pk, True),
                                ("manager", 999999, True), ("manager", 2**64, False), ("manager", "x", False)):
            with self.subTest(who=who, pk=pk), self.assertRaises(Http404):
                access_agency(self.p[who], pk, manage=manage)


class AgencyTests(DirectoryTestCase):
    def test_adding_an_agency_records_an_event_naming_ids_not_text(self):
        agency = do_add_agency(self.p["data_controller"], name="  Eastmere Police  ", kind="police",
                               known_phone="01632 960200", notes="Ask for the duty sergeant.")
        self.assertEqual((agency.name, agency.kind, agency.active), ("Eastmere Police", "police", True))
        self.assertEqual(agency.created_by, self.p["data_controller"])
        event = last_event()
        self.assertEqual((event.action, event.object_type, event.object_id), ("agency.added", "agency", str(agency.pk)))
        self.assertNotIn("Eastmere", event.detail)
        self.assertNotIn("sergeant", event.detail)
        self.assertTrue(verify_chain().ok)

    def test_bad_input_is_refused_with_a_specific_message_and_the_field(self):
        cases = [
            ({"name": " "}, "name", "Give the agency's name."),
            ({"name": "NORTHVALE children's services"}, "name",
             "There is already an agency called NORTHVALE children's services in the directory."),
            ({"kind": ""}, "kind", "Choose what kind of agency this is."),
            ({"kind": "ex_partner"}, "kind", "not a kind of agency Confide knows"),
            ({"kind": "public"}, "kind", "not a kind of agency Confide knows"),
            ({"known_phone": ""}, "known_phone", "switchboard number"),
            ({"known_phone": "ring the desk"}, "known_phone", "in figures"),
            ({"known_phone": "123"}, "known_phone", "in figures"),
            ({"secure_email": "mash at example"}, "secure_email", "email address in full"),
        ]
        before = (Agency.objects.count(), last_event().seq)
        for change, field, message in cases:
            fields = {"name": "Eastmere Police", "kind": "police", "known_phone": "01632 960200", **change}
            with self.subTest(change=change), self.assertRaises(DirectoryError) as caught:
                do_add_agency(self.p["manager"], **fields)
            self.assertEqual(caught.exception.field, field)
            self.assertIn(message, str(caught.exception))
        self.assertEqual((Agency.objects.count(), last_event().seq), before, "nothing written, nothing logged")

    def test_every_agency_kind_is_a_recipient_word_and_no_person_is_one(self):
        kinds = {kind for kind, _ in AGENCY_KINDS}
        self.assertIn("childrens_services", kinds)
        self.assertFalse(kinds & {"partner", "ex_partner", "family_member", "trustees", "public"})
        self.assertEqual(dict(AGENCY_KINDS)["gp"], "GP")
        self.assertEqual(dict(AGENCY_KINDS)["childrens_services"], "Children's services")

    def test_the_database_refuses_a_duplicate_name_in_any_case(self):
        with transaction.atomic(), self.assertRaises(IntegrityError):
            Agency.objects.create(name=AGENCY.upper(), kind="police", known_phone="01632 960999",
                                  created_by=self.p["manager"])

    def test_changing_an_agency_names_only_the_fields_changed(self):
        do_change_agency(self.p["manager"], self.agency, name=AGENCY, known_phone="01632 960111", active=False)
        self.agency.refresh_from_db()
        self.assertEqual((self.agency.known_phone, self.agency.active), ("01632 960111", False))
        event = last_event()
        self.assertEqual(event.action, "agency.changed")
        self.assertIn('"fields":["active","known_phone"]', event.detail)
        self.assertNotIn("960111", event.detail)
        seq = event.seq
        do_change_agency(self.p["manager"], self.agency, name=AGENCY)  # its own name, unchanged: no event
        self.assertEqual(last_event().seq, seq)

    def test_a_change_is_checked_like_an_addition(self):
        other = do_add_agency(self.p["manager"], name="Eastmere Police", kind="police", known_phone="01632 960200")
        with self.assertRaises(DirectoryError) as caught:
            do_change_agency(self.p["manager"], other, name="northvale children's services")
        self.assertEqual(caught.exception.field, "name")
        with self.assertRaises(DirectoryError):
            do_change_agency(self.p["manager"], other, colour="blue")
        other.refresh_from_db()
        self.assertEqual(other.name, "Eastmere Police")


class ContactTests(DirectoryTestCase):
    def test_adding_and_marking_a_contact_who_has_left(self):
        contact = do_add_contact(self.p["manager"], self.agency, name="Lee Harrow", email="lee.harrow@example.org")
        event = last_event()
        self.assertEqual((event.action, event.object_id), ("agency_contact.added", str(contact.pk)))
        self.assertNotIn("Harrow", event.detail)
        do_change_contact(self.p["manager"], contact, active=False, job_title="Former duty worker")
        contact.refresh_from_db()
        self.assertFalse(contact.active)
        self.assertIn('"fields":["active","job_title"]', last_event().detail)

    def test_bad_contact_input(self):
        for fields, field in (({"name": ""}, "name"), ({"name": "A", "email": "nope"}, "email"),
                              ({"name": "A", "phone": "call me"}, "phone")):
            with self.subTest(fields=fields), self.assertRaises(DirectoryError) as caught:
                do_add_contact(self.p["manager"], self.agency, **fields)
            self.assertEqual(caught.exception.field, field)
        with self.assertRaises(DirectoryError):
            do_change_contact(self.p["manager"], self.jo, agency=None)


class AgreementTests(DirectoryTestCase):
    def test_the_agreement_is_stored_in_vocabulary_order_with_its_named_staff_and_audited(self):
        agreement = do_add_agreement(self.p["manager"], self.agency, title="Second", starts_on=DAY, ends_on=None,
                                     data={"risk_assessment", "case_notes"}, purposes=["safeguarding"],
                                     contacts=[self.kim.pk, self.jo], reference="NV-2")
        self.assertEqual(agreement.data, ["case_notes", "risk_assessment"])
        self.assertEqual(set(agreement.contacts.all()), {self.jo, self.kim})
        event = last_event()
        self.assertEqual((event.action, event.object_type), ("agreement.added", "sharing_agreement"))
        self.assertIn('"ends_on":null', event.detail)
        self.assertNotIn("Second", event.detail)

    def test_bad_agreements_are_refused_with_the_field(self):
        stranger = do_add_contact(self.p["manager"], do_add_agency(
            self.p["manager"], name="Eastmere Police", kind="police", known_phone="01632 960200"), name="Sam Rook")
        left = do_add_contact(self.p["manager"], self.agency, name="Ash Pell")
        do_change_contact(self.p["manager"], left, active=False)
        cases = [
            ({"title": ""}, "title", "Give the agreement's title."),
            ({"starts_on": None}, "starts_on", "comes into force"),
            ({"ends_on": date(2026, 4, 1)}, "ends_on", "The end date must be after the start date."),
            ({"ends_on": date(2026, 3, 1)}, "ends_on", "The end date must be after the start date."),
            ({"data": []}, "data", "at least one kind of information"),
            ({"data": ["case_notes", "gossip"]}, "data", "does not know these kinds of information: gossip"),
            ({"purposes": []}, "purposes", "at least one purpose"),
            ({"purposes": ["curiosity"]}, "purposes", "does not know these purposes: curiosity"),
            ({"contacts": []}, "contacts", "at least one member"),
            ({"contacts": [stranger]}, "contacts", f"Only staff of {AGENCY}"),
            ({"contacts": [999999]}, "contacts", f"Only staff of {AGENCY}"),
            ({"contacts": [left]}, "contacts", "Ash Pell has left"),
        ]
        before = (SharingAgreement.objects.count(), last_event().seq)
        for change, field, message in cases:
            fields = {**AGREEMENT, "contacts": [self.jo], **change}
            with self.subTest(change=change), self.assertRaises(DirectoryError) as caught:
                do_add_agreement(self.p["manager"], self.agency, **fields)
            self.assertEqual(caught.exception.field, field)
            self.assertIn(message, str(caught.exception))
        self.assertEqual((SharingAgreement.objects.count(), last_event().seq), before)

    def test_ending_an_agreement_early(self):
        for on, message in ((date(2026, 3, 1), "cannot end before it starts"),
                            (date(2027, 4, 1), "already runs out on 31 March 2027")):
            with self.subTest(on=on), self.assertRaises(DirectoryError) as caught:
                do_end_agreement(self.p["manager"], self.agreement, on)
            self.assertIn(message, str(caught.exception))
        do_end_agreement(self.p["manager"], self.agreement, DAY)
        self.assertEqual(SharingAgreement.objects.get(pk=self.agreement.pk).ended_on, DAY)
        event = last_event()
        self.assertEqual(event.action, "agreement.ended")
        self.assertIn('"on":"2026-11-21"', event.detail)
        with self.assertRaises(DirectoryError) as caught:
            do_end_agreement(self.p["manager"], self.agreement, DAY + timedelta(days=1))
        self.assertIn("already ended on 21 November 2026", str(caught.exception))

    def test_a_copy_read_before_the_agreement_was_ended_cannot_end_it_again(self):
        stale = SharingAgreement.objects.get(pk=self.agreement.pk)  # a page opened before someone ended it
        do_end_agreement(self.p["data_controller"], self.agreement, DAY)
        before = last_event().seq
        with self.assertRaises(DirectoryError) as caught:
            do_end_agreement(self.p["manager"], stale, DAY + timedelta(days=1))
        self.assertIn("already ended on 21 November 2026", str(caught.exception))
        self.assertEqual((SharingAgreement.objects.get(pk=self.agreement.pk).ended_on, last_event().seq), (DAY, before))


class AgreementCheckTests(DirectoryTestCase):
    def check(self, to=None, data=("case_notes",), purpose="child_protection", on=DAY) -> AgreementCheck:
        return agreement_check(to or self.jo, set(data), purpose, on)

    def test_live_for_a_named_person_data_and_purpose_covered(self):
        result = self.check(data=("case_notes", "risk_assessment"))
        self.assertEqual(result, AgreementCheck(agreement=self.agreement, live=True, problems=[]))
        self.assertTrue(self.check(purpose=None).live)
        self.assertTrue(self.check(on=date(2026, 4, 1)).live, "in force on its first day")
        self.assertTrue(self.check(on=date(2027, 3, 31)).live, "and on its last")

    def test_expired(self):
        result = self.check(on=date(2027, 4, 1))
        self.assertFalse(result.live)
        self.assertIsNone(result.agreement)
        self.assertEqual(result.problems, [
            f"No information-sharing agreement with {AGENCY} is in force on 1 April 2027.",
            "The most recent, “Safeguarding children agreement”, expired after 31 March 2027."])

    def test_not_yet_in_force(self):
        result = self.check(on=date(2026, 3, 31))
        self.assertFalse(result.live)
        self.assertIn("comes into force on 1 April 2026", result.problems[1])

    def test_ended_early(self):
        do_end_agreement(self.p["manager"], self.agreement, DAY)
        self.assertTrue(self.check(on=DAY - timedelta(days=1)).live)
        result = self.check(on=DAY)
        self.assertFalse(result.live)
        self.assertEqual(result.problems[0], f"No information-sharing agreement with {AGENCY} is in force on 21 November 2026.")
        self.assertIn("was ended early on 21 November 2026", result.problems[1])

    def test_no_agreement_at_all(self):
        police = do_add_agency(self.p["manager"], name="Eastmere Police", kind="police", known_phone="01632 960200")
        result = agreement_check(police, {"case_notes"}, "safeguarding", DAY)
        self.assertEqual(result, AgreementCheck(None, False, [
            "No information-sharing agreement with Eastmere Police is in force on 21 November 2026."]))

    def test_contact_not_named(self):
        result = self.check(to=self.kim)
        self.assertFalse(result.live)
        self.assertEqual(result.agreement, self.agreement)
        self.assertEqual(result.problems, ["Kim Lowther is not named in the agreement."])

    def test_contact_inactive(self):
        do_change_contact(self.p["manager"], self.jo, active=False)
        self.jo.refresh_from_db()
        result = self.check()
        self.assertFalse(result.live)
        self.assertEqual(result.agreement, self.agreement)
        self.assertEqual(result.problems, [f"Jo Bloggs has left {AGENCY} (marked inactive)."])

    def test_data_not_covered(self):
        result = self.check(data=("health", "case_notes", "hiv_status"))
        self.assertFalse(result.live)
        self.assertEqual(result.problems, ["The agreement does not cover: health, HIV status."])

    def test_purpose_not_covered(self):
        result = self.check(purpose="research")
        self.assertFalse(result.live)
        self.assertEqual(result.problems, ["The agreement does not cover this purpose: research."])

    def test_the_agency_with_nobody_named_needs_any_agreement_covering_data_and_purpose(self):
        self.assertTrue(agreement_check(self.agency, {"risk_assessment"}, "safeguarding", DAY).live)
        self.assertFalse(agreement_check(self.agency, {"health"}, "safeguarding", DAY).live)

    def test_the_best_agreement_is_chosen(self):
        wider = do_add_agreement(self.p["manager"], self.agency, title="Health liaison", starts_on=date(2026, 1, 1),
                                 ends_on=None, data=["health"], purposes=["liaison"], contacts=[self.kim])
        self.assertEqual(self.check(to=self.kim, data=("health",), purpose="liaison").agreement, wider)
        self.assertEqual(self.check().agreement, self.agreement)
        # Neither covers it all: the one with fewer gaps is returned with them.
        result = self.check(to=self.kim, data=("health", "case_notes"), purpose="liaison")
        self.assertEqual(result.agreement, wider)
        self.assertEqual(result.problems, ["The agreement does not cover: case notes."])

    def test_an_inactive_agency_is_flagged(self):
        do_change_agency(self.p["manager"], self.agency, active=False)
        self.agency.refresh_from_db()
        result = agreement_check(self.agency, {"case_notes"}, "safeguarding", DAY)
        self.assertFalse(result.live)
        self.assertEqual(result.problems, [f"{AGENCY} is marked inactive in the partner directory."])


class DemoTests(ConfideTestCase):
    def test_the_demo_partners_have_agreements_in_force_and_one_expired(self):
        from django.utils import timezone

        seeded = do_seed_partners(self.p["data_controller"])
        today = timezone.localdate()
        self.assertEqual(Agency.objects.count(), 4)
        self.assertTrue(AgencyContact.objects.filter(agency=seeded["gp"]).exists())
        self.assertTrue(agreement_check(seeded["social_worker"], {"case_notes"}, "child_protection", today).live)
        self.assertTrue(agreement_check(seeded["detective"], {"risk_assessment"}, "risk_management", today).live)
        probation = agreement_check(seeded["probation_officer"], {"risk_assessment"}, "risk_management", today)
        self.assertFalse(probation.live)
        self.assertIn("expired", probation.problems[1])
        self.assertFalse(agreement_check(seeded["gp"], {"health"}, "safeguarding", today).live)
        for agency in Agency.objects.all():
            self.assertTrue(agency.known_phone.startswith("01632 960"), agency.name)
        self.assertFalse([c for c in AgencyContact.objects.all() if c.email and not c.email.endswith("@example.org")])
        self.assertTrue(verify_chain().ok)

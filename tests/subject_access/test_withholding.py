"""What a subject-access copy withholds, against the law and DVIP's policy: a perpetrator's request
(DVIP's Violence Prevention Programme) whose file names his ex-partner and their children must give
him his own words and none of theirs (UK GDPR Art 15(4), DPA 2018 Sch 2 para 16; DVIP 3.04 and 9.10);
a victim's request gives her own words without what a third party said of him; health data waits for
a health professional's opinion (DPA 2018 Sch 3 paras 5 and 6); Stephen's Place discloses only once
its declaration is signed (DVIP Appendix D 1.5.1).

Everything runs for real: the file written through confide.records, compiled by
confide.subject_access.services, the copy rendered by WeasyPrint and read back with pypdf, and the
PDF's bytes searched with every stream decompressed. All people are fictional; the numbers are in
Ofcom's drama ranges and the postcode area does not exist.
"""

from __future__ import annotations

import datetime as dt
import io
import re
import zlib

from django.utils import timezone
from pypdf import PdfReader

from confide.policy.dates import add_months
from confide.records.entries import EntryFacts, do_add_document, do_add_note
from confide.records.models import Case, Client, Entry
from confide.records.people import do_add_related_person
from confide.subject_access import services
from confide.subject_access.access import access_file_for_command, access_sar_client
from confide.subject_access.models import Item, Redaction, Release, SubjectAccessRequest
from confide.subject_access.services import Received, SarError
from tests.base import ConfideTestCase, ask

PERPETRATOR = "Gideon Throssel"
VICTIM = "Marisol Quenby"
VICTIM_CONTACT = "07700 900318, 14 Larch Road, Eastmere EM9 4QT"
CHILD = "Poppy Quenby"
TEEN = "Ellis Quenby"
TEEN_PHONE = "07700 900562"
# Every way the three of them could be recognised: full names, first names, the surname, numbers
# (also without their spaces), the address and its postcode.
THEIRS = [VICTIM, "Marisol", "Quenby", CHILD, "Poppy", TEEN, "Ellis", "07700 900318", "07700900318", "900318",
          TEEN_PHONE, "07700900562", "900562", "14 Larch Road", "Larch", "EM9 4QT"]

HIS_WORDS = "proud of finishing module four of the programme"
HIS_OWN_NOTE = (f"Gideon told me he is {HIS_WORDS}. He wants to see Marisol and the children, Ellis and Poppy, "
                "at 14 Larch Road, and says Marisol Quenby still answers 07700 900318. He asked whether Ellis "
                f"still uses {TEEN_PHONE}.")
GROUP_WORDS = "Gideon attended group session six and spoke about accountability."
FROM_HER = ("Marisol rang to say Gideon waited outside Poppy's school on Tuesday; she now lives at 14 Larch Road, "
            "Eastmere EM9 4QT.")
ONLY_THEM = "Poppy Quenby and Ellis Quenby have started counselling at school; Ms Quenby has a new number."


def pdf_text(pdf: bytes) -> str:
    assert pdf.startswith(b"%PDF-")
    return " ".join(" ".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages).split())


def every_byte(pdf: bytes) -> bytes:
    """The file and every stream in it decompressed (bookmarks, metadata and text alike)."""
    chunks = [pdf]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            chunks.append(stream.group(1))
    return b"\n".join(chunks)


class SarTestCase(ConfideTestCase):
    """A client of DVIP and the steps of their request, by the data controller (Head of Service
    Delivery, DVIP 9.06), reviewed and released by the team manager."""

    def new_client(self, name: str, role: str, service: str) -> tuple[Client, Case]:
        client = Client.objects.create(display_name=name, team=self.p["north"], subject_role=role)
        case = Case.objects.create(client=client, service=service, team=self.p["north"], status=Case.Status.OPEN)
        case.workers.add(self.p["assigned"])
        return client, case

    def note(self, case: Case, text: str, **facts) -> Entry:
        return do_add_note(self.p["assigned"], case, text, EntryFacts(**facts) if facts else None)

    def compiled(self, client: Client) -> SubjectAccessRequest:
        controller = self.p["data_controller"]
        grant = access_sar_client(controller, client.pk)
        today = timezone.localdate()
        sar = services.do_log_request(controller, grant, Received(received_on=today, made="writing",
                                                                  identity_check="known", identity_confirmed_on=today))
        sar = services.do_record_search(controller, sar, sar.version, "This file in Confide; the paper file.", today)
        return services.do_compile(controller, grant, sar, sar.version)

    def fresh(self, sar: SubjectAccessRequest) -> SubjectAccessRequest:
        return SubjectAccessRequest.objects.get(pk=sar.pk)

    def accept_all(self, sar: SubjectAccessRequest) -> None:
        proposed = Redaction.objects.filter(item__request=sar, status=Redaction.Status.PROPOSED)
        services.do_decide_redactions(self.p["manager"], sar, self.fresh(sar).version, {r.pk: True for r in proposed})

    def release(self, sar: SubjectAccessRequest) -> Release:
        manager = self.p["manager"]
        return services.do_release(manager, self.fresh(sar), self.fresh(sar).version, "manager-password-1")

    def item(self, sar: SubjectAccessRequest, words: str) -> Item:
        found = [i for i in Item.objects.filter(request=sar) if words in i.text]
        self.assertEqual(len(found), 1, words)
        return found[0]

    def assert_absent(self, pdf: bytes, pieces: list[str], where: str) -> None:
        text, raw = pdf_text(pdf), every_byte(pdf)
        for piece in pieces:
            self.assertFalse(piece in text, f"{where}: {piece!r} in the copy's text")
            for encoding in ("utf-8", "utf-16-be"):
                self.assertFalse(piece.encode(encoding) in raw, f"{where}: {piece!r} in the PDF's bytes ({encoding})")


class PerpetratorRequestTest(SarTestCase):
    """Gideon, on the Violence Prevention Programme, asks for his file. It records his ex-partner
    and their children (names, numbers, her address) in his own notes, in what she told us, and in
    notes about them alone."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        worker = cls.p["assigned"]
        cls.him = Client.objects.create(display_name=PERPETRATOR, team=cls.p["north"], subject_role="perpetrator")
        cls.his_case = Case.objects.create(client=cls.him, service="vpp", team=cls.p["north"], status=Case.Status.OPEN)
        cls.his_case.workers.add(worker)
        cls.victim = do_add_related_person(worker, cls.him, "ex_partner", {"name": VICTIM, "contact": VICTIM_CONTACT})
        cls.child = do_add_related_person(worker, cls.him, "child", {"name": CHILD})
        cls.teen = do_add_related_person(worker, cls.him, "child", {"name": TEEN, "contact": TEEN_PHONE})
        family = [cls.victim, cls.child, cls.teen]
        cls.own = do_add_note(worker, cls.his_case, HIS_OWN_NOTE, EntryFacts(source="client", about_people=family))
        cls.group = do_add_note(worker, cls.his_case, GROUP_WORDS)
        cls.from_her = do_add_note(worker, cls.his_case, FROM_HER,
                                   EntryFacts(source="third_party", about_people=[cls.victim, cls.child]))
        cls.only_them = do_add_note(worker, cls.his_case, ONLY_THEM,
                                    EntryFacts(about_client=False, about_people=[cls.child, cls.teen]))

    def test_the_released_copy_gives_his_words_and_nothing_of_theirs(self):
        sar = self.compiled(self.him)
        self.accept_all(sar)
        release = self.release(sar)
        pdf = release.pdf
        text = pdf_text(pdf)
        self.assertIn(HIS_WORDS, text)
        self.assertIn(GROUP_WORDS, text)
        self.assertIn("Withheld: Sch 2 para 16", text)
        self.assert_absent(pdf, THEIRS, "released copy")
        self.assertNotIn("counselling", text, "a note only about the children is withheld whole")
        self.assertNotIn("waited outside", text, "what she told us is withheld whole")

    def test_the_command_lines_strictest_draft_gives_his_words_and_nothing_of_theirs(self):
        pdf = services.draft_pdf(access_file_for_command(self.him.pk))
        text = pdf_text(pdf)
        self.assertIn("DRAFT", text)
        self.assertIn(HIS_WORDS, text)
        self.assertIn(GROUP_WORDS, text)
        self.assert_absent(pdf, THEIRS, "strictest draft")
        self.assertNotIn("counselling", text)
        self.assertNotIn("waited outside", text)

    def test_his_note_naming_them_is_released_with_their_details_covered_not_withheld_whole(self):
        sar = self.compiled(self.him)
        own = self.item(sar, HIS_WORDS)
        self.assertEqual(own.decision, Item.Decision.REDACT)
        covered = {own.text[r.start:r.end] for r in own.redactions.all()}
        self.assertTrue({"Marisol", "Ellis", "Poppy", "14 Larch Road", "Marisol Quenby", "07700 900318",
                         TEEN_PHONE} <= covered, covered)
        self.assertFalse(any(PERPETRATOR.split()[0] in piece for piece in covered), "his own name is never covered")

    def test_what_she_told_us_and_what_is_only_about_them_start_withheld_whole(self):
        sar = self.compiled(self.him)
        from_her, only_them = self.item(sar, "waited outside"), self.item(sar, "counselling")
        self.assertEqual((from_her.decision, from_her.reason), ("withhold", "information given to us by someone else"))
        self.assertIn("3.04", from_her.code)
        self.assertEqual((only_them.decision, only_them.reason), ("withhold", "about someone else"))
        people = Item.objects.filter(request=sar, kind="person")
        self.assertEqual({p.decision for p in people}, {"withhold"})
        self.assertEqual(people.count(), 3)

    def test_releasing_what_is_only_about_others_needs_a_recorded_basis(self):
        sar = self.compiled(self.him)
        manager = self.p["manager"]
        only_them = self.item(sar, "counselling")
        with self.assertRaises(SarError) as refused:
            services.do_decide_item(manager, sar, self.fresh(sar).version, only_them.pk, "release")
        self.assertEqual(refused.exception.field, "basis")
        factors = {"type_of_information": "Schooling only, no location.", "duty_of_confidentiality": "None owed.",
                   "steps_to_seek_consent": "Their mother was asked.", "capable_of_consent": "The children are not."}
        with self.assertRaises(SarError) as missing:
            services.do_decide_item(manager, sar, self.fresh(sar).version, only_them.pk, "release", basis="reasonable",
                                    factors=factors)
        self.assertEqual(missing.exception.field, "express_refusal", "all five factors of Sch 2 para 16(3)")
        only_them.refresh_from_db()
        self.assertEqual((only_them.decision, only_them.third_party_basis), ("withhold", {}), "nothing saved")
        decided = services.do_decide_item(manager, sar, self.fresh(sar).version, only_them.pk, "redact",
                                          basis="reasonable", factors={**factors, "express_refusal": "None given."})
        self.assertEqual(decided.third_party_basis["basis"], "reasonable")
        self.assertEqual(decided.third_party_basis["express_refusal"], "None given.")
        from_her = self.item(sar, "waited outside")
        for basis in ("consent", "professional"):
            decided = services.do_decide_item(manager, sar, self.fresh(sar).version, from_her.pk, "release", basis=basis)
            self.assertEqual((decided.decision, decided.third_party_basis), ("release", {"basis": basis}))

    def test_a_document_named_after_her_does_not_give_her_name(self):
        do_add_document(self.p["assigned"], self.his_case, "Marisol_Quenby_statement.txt", "text/plain",
                        b"Statement about the handover arrangements.", "Handover statement")
        pdf = services.draft_pdf(access_file_for_command(self.him.pk))
        self.assert_absent(pdf, ["Marisol", "Quenby"], "document name")

    def test_her_street_written_without_the_house_number_is_covered(self):
        self.note(self.his_case, "He admitted driving down Larch Road twice last week.", source="client")
        pdf = services.draft_pdf(access_file_for_command(self.him.pk))
        self.assert_absent(pdf, ["Larch"], "street alone")


class PerpetratorMultiAgencyTest(SarTestCase):
    """DVIP 9.10: what may put another person at risk is withheld, 'of particular relevance to
    perpetrators ... when this contains details of case management decisions or multi-agency work'."""

    def test_an_entry_recording_a_risk_to_others_is_withheld_under_9_10(self):
        him, case = self.new_client(PERPETRATOR, "perpetrator", "vpp")
        self.note(case, "Gideon attended group session two.")
        # No form in Confide records these categories (see the report): the entry is written directly.
        risky = Entry(case=case, author=self.p["assigned"], categories=["case_notes", "risk_to_others"])
        risky.body = "He was angry that the contact centre is now closed to him; keep the new rota from him."
        risky.save()
        sar = self.compiled(him)
        item = self.item(sar, "contact centre")
        self.assertEqual(item.decision, "withhold")
        self.assertIn("9.10", item.code)
        services.do_decide_redactions(self.p["manager"], sar, self.fresh(sar).version, {})
        text = pdf_text(self.release(sar).pdf)
        self.assertIn("Gideon attended group session two.", text)
        self.assertNotIn("rota", text)

    def test_a_perpetrators_case_management_decisions_are_withheld_but_a_victims_are_not(self):
        words = "The team decided to move him to the Thursday group."
        him, his_case = self.new_client(PERPETRATOR, "perpetrator", "vpp")
        her, her_case = self.new_client("Rosalind Penhallow", "victim", "wss")
        for case in (his_case, her_case):
            entry = Entry(case=case, author=self.p["assigned"], categories=["case_notes", "case_management_decisions"])
            entry.body = words
            entry.save()
        his = self.item(self.compiled(him), words)
        self.assertEqual(his.decision, "withhold")
        self.assertIn("9.10", his.code)
        hers = self.item(self.compiled(her), words)
        self.assertEqual(hers.decision, "release", "9.10's case-management rule is for perpetrators")

    def test_a_perpetrators_sharing_with_childrens_services_is_withheld(self):
        client = self.client_record  # tests.base's client is on the Violence Prevention Programme
        client.subject_role = "perpetrator"
        client.save()
        ask(self.p, "assigned")
        sar = self.compiled(client)
        shared = Item.objects.get(request=sar, kind="disclosure")
        self.assertEqual(shared.decision, "withhold")


class VictimRequestTest(SarTestCase):
    """Rosalind, supported by the Women's Support Service, asks for her file; it records what the
    police told us about her ex-partner."""

    def test_she_gets_her_own_words_without_what_a_third_party_said_of_him(self):
        her, case = self.new_client("Rosalind Penhallow", "victim", "wss")
        him = do_add_related_person(self.p["assigned"], her, "ex_partner",
                                    {"name": PERPETRATOR, "contact": "07700 900877"})
        self.note(case, "Rosalind said she felt stronger after the freedom programme.", source="client")
        police = self.note(case, "PC Arden told us Gideon Throssel was bailed to 3 Mill Lane, Eastmere, and rings "
                                 "07700 900877.", source="third_party", about_people=[him])
        sar = self.compiled(her)
        item = Item.objects.get(request=sar, object_id=police.pk)
        self.assertEqual(item.decision, "withhold")
        self.assertIn("3.04", item.code)
        self.accept_all(sar)
        pdf = self.release(sar).pdf
        self.assertIn("Rosalind said she felt stronger after the freedom programme.", pdf_text(pdf))
        self.assert_absent(pdf, [PERPETRATOR, "Gideon", "Throssel", "Mill Lane", "07700 900877", "bailed"],
                           "victim's copy")


class HealthTest(SarTestCase):
    """DPA 2018 Sch 3 para 6: health data is not given in answer to a subject-access request by a
    controller who is not a health professional unless an appropriate health professional said,
    within the six months before, that the serious-harm test is not met, or the client already knows
    it; para 5: where it is met, it is withheld."""

    WORDS = "The GP letter says his depression is treated with sertraline."

    def setUp(self):
        super().setUp()
        self.him, case = self.new_client(PERPETRATOR, "perpetrator", "vpp")
        self.note(case, "Gideon attended group session three.")
        self.note(case, self.WORDS, categories=["case_notes", "health"])
        self.sar = self.compiled(self.him)
        self.health = self.item(self.sar, "sertraline")

    def opinion(self, on: dt.date, serious_harm: bool) -> SubjectAccessRequest:
        return services.do_record_health_opinion(self.p["data_controller"], self.sar, self.fresh(self.sar).version,
                                                 on=on, by="Dr A. Example, consultant psychiatrist",
                                                 serious_harm=serious_harm)

    def test_health_information_waits_for_the_opinion_and_release_is_refused_meanwhile(self):
        self.assertEqual(self.health.decision, "wait_health")
        self.assertTrue(any("health professional" in p for p in services.why_not_release(self.p["manager"], self.sar)))
        with self.assertRaises(SarError) as refused:
            services.do_decide_item(self.p["manager"], self.sar, self.fresh(self.sar).version, self.health.pk, "release")
        self.assertEqual(refused.exception.field, "client_knows")
        with self.assertRaises(SarError):
            self.release(self.sar)
        self.assertFalse(Release.objects.exists())
        draft = pdf_text(services.draft_pdf(access_file_for_command(self.him.pk)))
        self.assertNotIn("sertraline", draft, "the strictest draft withholds health information with no opinion")
        self.assertIn("Gideon attended group session three.", draft)

    def test_an_opinion_within_six_months_that_there_is_no_serious_harm_releases_it(self):
        self.opinion(timezone.localdate() - dt.timedelta(days=30), serious_harm=False)
        self.health.refresh_from_db()
        self.assertEqual(self.health.decision, "release")
        self.assertIn(self.WORDS, pdf_text(self.release(self.sar).pdf))

    def test_the_client_already_knowing_it_releases_it(self):
        decided = services.do_decide_item(self.p["manager"], self.sar, self.fresh(self.sar).version, self.health.pk,
                                          "release", client_knows=True)
        self.assertTrue(decided.client_knows)
        self.assertIn(self.WORDS, pdf_text(self.release(self.sar).pdf))

    def test_serious_harm_withholds_it_under_sch_3_para_5(self):
        self.opinion(timezone.localdate(), serious_harm=True)
        self.health.refresh_from_db()
        self.assertEqual((self.health.decision, self.health.code), ("withhold", "Sch 3 para 5"))
        text = pdf_text(self.release(self.sar).pdf)
        self.assertIn("Sch 3 para 5", text)
        self.assertNotIn("sertraline", text)
        self.assertIn("Gideon attended group session three.", text)

    def test_an_opinion_older_than_six_months_is_refused(self):
        stale = add_months(timezone.localdate(), -6) - dt.timedelta(days=1)
        with self.assertRaises(SarError) as refused:
            self.opinion(stale, serious_harm=False)
        self.assertEqual(refused.exception.field, "health_opinion_on")
        self.health.refresh_from_db()
        self.assertEqual(self.health.decision, "wait_health")
        self.assertIsNone(self.fresh(self.sar).health_opinion_on)

    def test_an_opinion_that_has_aged_past_six_months_by_release_stops_release(self):
        self.opinion(timezone.localdate(), serious_harm=False)
        # The review took time: the opinion is now six months and a day old.
        SubjectAccessRequest.objects.filter(pk=self.sar.pk).update(
            health_opinion_on=add_months(timezone.localdate(), -6) - dt.timedelta(days=1))
        self.assertTrue(any("health" in p for p in services.why_not_release(self.p["manager"], self.fresh(self.sar))))


class StephensPlaceTest(SarTestCase):
    """DVIP Appendix D 1.5.1: Stephen's Place sends its policy with a declaration to sign and discloses
    its records on receipt of the signed declaration."""

    def test_release_is_refused_until_the_declaration_is_recorded(self):
        parent, case = self.new_client("Tamsin Okonjo", "parent", "stephens_place")
        self.note(case, "Tamsin arrived on time for the supervised contact session.")
        sar = self.compiled(parent)
        clock = services.clock(sar)
        self.assertTrue(any("referral agreement" in w for w in clock.warnings), clock.warnings)
        problems = services.why_not_release(self.p["manager"], self.fresh(sar))
        self.assertIn("The pack asks for the signed declaration before the records are given: record it first.",
                      problems)
        with self.assertRaises(SarError) as refused:
            self.release(sar)
        self.assertEqual(refused.exception.field, "release")
        self.assertFalse(Release.objects.exists())
        services.do_record_step(self.p["data_controller"], sar, self.fresh(sar).version, "declaration",
                                timezone.localdate())
        text = pdf_text(self.release(sar).pdf)
        self.assertIn("Tamsin arrived on time for the supervised contact session.", text)

    def test_a_client_whose_second_case_is_at_stephens_place_still_needs_the_declaration(self):
        mother, _wss = self.new_client("Tamsin Okonjo", "victim", "wss")
        contact = Case.objects.create(client=mother, service="stephens_place", team=self.p["north"],
                                      status=Case.Status.OPEN)
        self.note(contact, "Tamsin arrived on time for the supervised contact session.")
        sar = self.compiled(mother)
        self.assertIn("The pack asks for the signed declaration before the records are given: record it first.",
                      services.why_not_release(self.p["manager"], self.fresh(sar)))


class UkPatternsTest(SarTestCase):
    """Details of other people written in the usual UK ways are proposed for redaction even where
    nobody recorded them as a related person, and once accepted are nowhere in the copy."""

    def test_ni_and_nhs_numbers_postcode_email_and_date_of_birth_are_proposed_and_covered(self):
        him, case = self.new_client(PERPETRATOR, "perpetrator", "vpp")
        details = {"nino": "QQ123456C", "nhs_number": "943 476 5919", "postcode": "EM9 7ZX",
                   "email": "new.partner@example.org", "date_of_birth": "12/03/1985"}
        self.note(case, f"His new partner's NI number is {details['nino']} and her NHS number {details['nhs_number']}; "
                        f"she lives at {details['postcode']}, writes from {details['email']} and was born "
                        f"{details['date_of_birth']}. Gideon said the course helped him listen.")
        sar = self.compiled(him)
        item = self.item(sar, "helped him listen")
        proposed = {item.text[r.start:r.end]: r.what for r in item.redactions.all()}
        for what, value in details.items():
            self.assertEqual(proposed.get(value), what, (value, proposed))
        self.accept_all(sar)
        pdf = self.release(sar).pdf
        self.assertIn("Gideon said the course helped him listen.", pdf_text(pdf))
        self.assert_absent(pdf, [*details.values(), "QQ 12 34 56 C", "9434765919", "EM97ZX"], "UK patterns")

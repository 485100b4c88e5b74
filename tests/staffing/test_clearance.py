"""Declarations and induction before access (issue 16): the gate refuses a person whose declarations or
induction are not current, through the real gate, for every pack; signing lets them in; a changed
wording makes them sign again; the register's training dates come from the pack's refresh_months."""

from __future__ import annotations

import datetime as dt
import json

from django.contrib.auth import get_user_model
from django.http import Http404
from django.test import TestCase
from django.urls import reverse
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.models import AuditEvent
from confide.policy import governance
from confide.records import access as gate
from confide.records.break_glass import do_open_outside
from confide.staffing import clearance
from confide.staffing.clearance import ClearanceError, NotCleared
from confide.staffing.models import Signature
from confide.web.clearance_views import home_panel
from tests.base import CLIENT_NAME, ConfideTestCase, make_people, role_of_kind

PACKS = ("dvip", "derbyshire", "justus", "home_start", "day_mer")
PNG = b"\x89PNG\r\n\x1a\n" + b"\x00" * 64


def new_worker(p, username="newbie", kind="worker"):
    """A worker who has signed nothing, on the client's case."""
    user = get_user_model().objects.create_user(username=username, password="newbie-password-1",
                                                role=role_of_kind(p["pack"], kind), team=p["north"],
                                                first_name="Nia", last_name="Newcombe")
    p["case"].workers.add(user)
    return user


def sign_all(user, today):
    for declaration in clearance.required_for(user):
        clearance.do_sign_declaration(user, declaration.id, "  nia   NEWCOMBE ", today)


class EveryPack:
    """For every pack: refused before signing (and induction, where the pack asks for it); let in after."""

    pack_name = ""

    def test_the_gate_waits_for_declarations_and_induction(self):
        today = timezone.localdate()
        p = make_people(self.pack_name)
        user = new_worker(p)
        client_id = p["client"].pk
        with self.assertRaises(NotCleared) as refused:
            gate.access_client(user, client_id, "direct_support")
        keys = [m.key for m in refused.exception.missing]
        required = governance.required_before_access(p["pack"], user.role)
        self.assertTrue(required, "every pack asks its workers to sign before access")
        self.assertEqual(keys[:len(required)], [d.id for d in required])
        event = AuditEvent.objects.filter(action=Action.CLEARANCE_REFUSED).latest("seq")
        self.assertIsNone(event.client_id)  # the number asked for, as other refusals; no client
        self.assertEqual(json.loads(event.detail)["missing"], keys)
        # Lists and searches are refused too, and the caseload is empty.
        with self.assertRaises(NotCleared):
            gate.list_clients(user, "direct_support", query="Zelda")
        self.assertEqual(gate.caseload(user), [])
        self.assertEqual(gate.listable(user, [client_id], "direct_support"), set())

        sign_all(user, today)
        if governance.needs_induction(p["pack"], user.role):
            with self.assertRaises(NotCleared) as still:
                gate.access_client(user, client_id, "direct_support")
            self.assertEqual([m.what for m in still.exception.missing], ["induction"])
            clearance.do_record_induction(p["manager"], user, today, today)
        else:
            self.assertIn(self.pack_name, ("derbyshire", "justus", "day_mer"))
        grant = gate.access_client(user, client_id, "direct_support")
        self.assertEqual(grant.client.pk, client_id)
        self.assertTrue(clearance.is_cleared(user, today))
        # The people make_people makes have signed: the gate opens for them as before.
        self.assertTrue(clearance.is_cleared(p["assigned"], today))


class DvipPack(EveryPack, TestCase):
    pack_name = "dvip"


class DerbyshirePack(EveryPack, TestCase):
    pack_name = "derbyshire"


class JustusPack(EveryPack, TestCase):
    pack_name = "justus"


class HomeStartPack(EveryPack, TestCase):
    pack_name = "home_start"


class DayMerPack(EveryPack, TestCase):
    pack_name = "day_mer"


class Gate(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = make_people("dvip")

    def setUp(self):
        self.today = timezone.localdate()
        self.user = new_worker(self.p)

    def test_every_way_in_is_refused_until_signed(self):
        p, user = self.p, self.user
        for attempt in (
            lambda: gate.access_client(user, p["client"].pk, "direct_support"),
            lambda: gate.access_client(user, 999_999, "direct_support"),  # no such client: the same answer
                        lambda: gate.access_document(user, p["document"].pk, "direct_support"),
            lambda: gate.access_case_to_write(user, p["case"].pk, "direct_support", action=Action.CASE_WRITE),
            lambda: gate.list_clients(user, "direct_support"),
            lambda: gate.access_possible_duplicates(user, CLIENT_NAME, dt.date(1990, 1, 1)),
            # Break-glass: nobody without their declarations breaks the glass either.
            lambda: do_open_outside(user, p["other_client"].pk, "direct_support", "A long enough reason to open it."),
            lambda: do_open_outside(user, 999_999, "direct_support", "A long enough reason to open it."),
        ):
            with self.assertRaises(NotCleared):
                attempt()

    def test_a_changed_wording_is_signed_again(self):
        sign_all(self.user, self.today)
        clearance.do_record_induction(self.p["manager"], self.user, self.today, self.today)
        gate.access_client(self.user, self.p["client"].pk, "direct_support")
        # The pack's wording changed since: the signature is of an earlier version.
        Signature.objects.filter(person=self.user).update(version="0123456789ab")
        with self.assertRaises(NotCleared) as refused:
            gate.access_client(self.user, self.p["client"].pk, "direct_support")
        self.assertIn("wording has changed", refused.exception.missing[0].why)
        sign_all(self.user, self.today)
        gate.access_client(self.user, self.p["client"].pk, "direct_support")

    def test_a_trustee_answers_to_the_engine_alone(self):
        trustee = self.p["trustee"]
        Signature.objects.filter(person=trustee).delete()
        self.assertFalse(clearance.is_cleared(trustee, self.today))  # the register shows it
        with self.assertRaises(Http404):  # refused as ever, by the engine
            gate.access_client(trustee, self.p["client"].pk, "direct_support")

    def test_the_typed_name_must_be_the_persons(self):
        declaration = clearance.required_for(self.user)[0]
        with self.assertRaises(ClearanceError) as wrong:
            clearance.do_sign_declaration(self.user, declaration.id, "Somebody Else", self.today)
        self.assertEqual(wrong.exception.field, "typed_name")
        self.assertIn("Nia Newcombe", wrong.exception.message)
        signature = clearance.do_sign_declaration(self.user, declaration.id, "nia newcombe", self.today)
        self.assertEqual(signature.version, declaration.version)
        self.assertEqual(signature.signed_on, self.today)
        with self.assertRaises(ClearanceError) as again:
            clearance.do_sign_declaration(self.user, declaration.id, "Nia Newcombe", self.today)
        self.assertEqual(again.exception.status, 409)
        with self.assertRaises(ClearanceError):
            clearance.do_sign_declaration(self.user, "committee_procedure", "Nia Newcombe", self.today)
        event = AuditEvent.objects.filter(action=Action.DECLARATION_SIGNED).latest("seq")
        self.assertEqual(json.loads(event.detail)["version"], declaration.version)
        self.assertNotIn("Newcombe", event.detail)

    def test_induction_is_recorded_by_someone_else_who_manages(self):
        with self.assertRaises(ClearanceError) as worker:
            clearance.do_record_induction(self.p["same_team"], self.user, self.today, self.today)
        self.assertEqual(worker.exception.status, 403)
        with self.assertRaises(ClearanceError) as own:
            clearance.do_record_induction(self.p["manager"], self.p["manager"], self.today, self.today)
        self.assertIn("Someone else", own.exception.message)
        with self.assertRaises(ClearanceError) as future:
            clearance.do_record_induction(self.p["manager"], self.user, self.today + dt.timedelta(days=1), self.today)
        self.assertEqual(future.exception.field, "completed_on")

    def test_a_signed_copy_counts_and_is_checked(self):
        declaration = clearance.required_for(self.user)[0].id
        manager = self.p["manager"]
        with self.assertRaises(ClearanceError) as kind:
            clearance.do_upload_signed_copy(manager, self.user, declaration, b"PK\x03\x04 a word file", "application/pdf")
        self.assertEqual(kind.exception.message,
                         "The signed copy must be a PDF, a PNG or a JPEG file: this file is none of them.")
        with self.assertRaises(ClearanceError) as big:
            clearance.do_upload_signed_copy(manager, self.user, declaration, b"%PDF-" + b"x" * clearance.MAX_COPY_BYTES)
        self.assertIn("too large: keep it under 5 MB", big.exception.message)
        with self.assertRaises(ClearanceError) as empty:
            clearance.do_upload_signed_copy(manager, self.user, declaration, b"")
        self.assertIn("empty", empty.exception.message)
        with self.assertRaises(ClearanceError) as worker:
            clearance.do_upload_signed_copy(self.p["same_team"], self.user, declaration, PNG)
        self.assertEqual(worker.exception.status, 403)
        signature = clearance.do_upload_signed_copy(manager, self.user, declaration, PNG, "image/png",
                                                    self.today, self.today)
        self.assertEqual(signature.how, Signature.How.UPLOADED)
        self.assertEqual([m.what for m in clearance.missing(self.user, self.today)], ["induction"])
        with self.assertRaises(Http404):
            clearance.signed_copy(self.p["same_team"], signature.pk)
        _sig, data, name = clearance.signed_copy(self.p["data_controller"], signature.pk)
        self.assertEqual(data, PNG)
        self.assertEqual(name, f"signed-declaration-{signature.pk}.png")

    def test_partner_agency_signatures(self):
        # DVIP 11.02: the policy given to partner agencies, recorded with the agency's signatory.
        manager = self.p["manager"]
        signature = clearance.do_record_outside_signature(manager, "partner_agency_procedure", "Rowan Example",
                                                          "Example Housing Trust", self.today, self.today)
        self.assertIsNone(signature.person)
        self.assertEqual(signature.version, governance.declaration(self.p["pack"], "partner_agency_procedure").version)
        with self.assertRaises(ClearanceError):
            clearance.do_record_outside_signature(manager, "confidentiality_procedure", "Rowan Example", "X",
                                                  self.today, self.today)
        with self.assertRaises(ClearanceError) as blank:
            clearance.do_record_outside_signature(manager, "partner_agency_procedure", "Rowan Example", " ",
                                                  self.today, self.today)
        self.assertEqual(blank.exception.field, "organisation")

    def test_home_panels(self):
        panel = home_panel(self.user, self.today)
        self.assertEqual([m.what for m in panel["missing"]], ["declaration", "induction"])
        self.assertIsNone(home_panel(self.p["assigned"], self.today))
        manager_panel = home_panel(self.p["manager"], self.today)
        self.assertEqual(manager_panel["unsigned"], 1)
        self.assertEqual(manager_panel["unsigned_names"], ["Nia Newcombe"])
        self.assertGreaterEqual(manager_panel["overdue"], 1)  # make_people leaves one module overdue


class SpotCheckTrustee(TestCase):
    @classmethod
    def setUpTestData(cls):
        cls.p = make_people("home_start")

    def test_a_trustee_the_pack_lets_in_answers_to_the_declarations_like_staff(self):
        # Home-Start 8.3: the trustee responsible for spot-checking files reads them, so the
        # declaration the pack asks of trustees (3.1) stands before that as it does before staff.
        p, today = self.p, timezone.localdate()
        checker = get_user_model().objects.create_user(username="spotcheck", password="spotcheck-password-1",
                                                      role="spot_check_trustee", first_name="Nia",
                                                      last_name="Newcombe")
        Signature.objects.filter(person=checker).delete()
        with self.assertRaises(NotCleared) as refused:
            gate.access_client(checker, p["client"].pk, "spot_check")
        self.assertIn("3.1", [m.clause for m in refused.exception.missing])
        sign_all(checker, today)
        if clearance.needs_induction(checker):
            clearance.do_record_induction(p["manager"], checker, today, today)
        self.assertEqual(gate.access_client(checker, p["client"].pk, "spot_check").client.pk, p["client"].pk)
        trustee = p["trustee"]  # a trustee the pack lets in nowhere: refused by the engine, as ever
        Signature.objects.filter(person=trustee).delete()
        with self.assertRaises(Http404):
            gate.access_client(trustee, p["client"].pk, "spot_check")


class SpotCheckPages(ConfideTestCase):
    """Home-Start 8.3 and 9.1: the spot-checking trustee opens a file by its number, for the spot check
    and nothing else; other trustees are offered nothing."""

    pack_name = "home_start"

    def test_the_spot_checking_trustee_opens_a_file_by_number_for_the_spot_check(self):
        checker = get_user_model().objects.create_user(username="spotcheck", password="spotcheck-password-1",
                                                      role="spot_check_trustee", first_name="Nia",
                                                      last_name="Newcombe")
        sign_all(checker, timezone.localdate())
        if clearance.needs_induction(checker):
            clearance.do_record_induction(self.p["manager"], checker, timezone.localdate(), timezone.localdate())
        self.client.force_login(checker)
        home = self.client.get(reverse("web:home"))
        self.assertContains(home, "Open a file for spot-checking files")
        page = self.client.get(reverse("web:file_lookup"), {"client": str(self.p["client"].pk),
                                                             "purpose": "spot_check"})
        target = reverse("web:client_file", args=[self.p["client"].pk]) + "?purpose=spot_check"
        self.assertRedirects(page, target, fetch_redirect_response=False)
        self.assertEqual(self.client.get(target).status_code, 200)
        self.assertContains(self.client.get(reverse("web:file_lookup"), {"client": "x"}),
                            "Enter the client&#x27;s number in figures", status_code=400)
        self.client.force_login(self.p["trustee"])
        self.assertNotContains(self.client.get(reverse("web:home")), "Open a file for")
        self.assertEqual(self.client.get(reverse("web:file_lookup")).status_code, 404)


class Training(TestCase):
    def test_overdue_comes_from_refresh_months(self):
        module = governance.Module("m", "Module", "12.01", "", frozenset({"worker"}), 12)
        today = dt.date(2026, 12, 6)
        row = clearance.training_row(module, dt.date(2025, 12, 6), today)
        self.assertEqual((row.state, row.next_due), ("current", dt.date(2026, 12, 6)))
        row = clearance.training_row(module, dt.date(2025, 12, 5), today)
        self.assertEqual(row.state, "overdue")
        self.assertEqual(row.words, "Overdue: was due 5 December 2026")
        self.assertEqual(clearance.training_row(module, None, today).words, "Not done yet")
        once = governance.Module("m", "Module", "12.01", "", frozenset({"worker"}), None)
        self.assertEqual(clearance.training_row(once, dt.date(2020, 1, 1), today).state, "current")

    def test_a_declaration_with_refresh_months_is_signed_again(self):
        declaration = governance.Declaration("d", "D", "1", "", "words", "staff", frozenset({"worker"}), True, 12)
        signed = Signature(declaration="d", version=declaration.version, signed_on=dt.date(2025, 2, 28))
        self.assertEqual(clearance.signature_state(declaration, [signed], dt.date(2026, 2, 28))[0], "current")
        self.assertEqual(clearance.signature_state(declaration, [signed], dt.date(2026, 3, 1))[0], "due")
        self.assertEqual(clearance.add_months(dt.date(2024, 1, 31), 1), dt.date(2024, 2, 29))

    def test_the_register_with_a_manager_recording_training(self):
        p = make_people("home_start")
        today = timezone.localdate()
        worker = p["assigned"]
        clearance.do_record_training(p["manager"], worker, "safeguarding", today, today)
        row = next(r for r in clearance.register(today) if r.person.pk == worker.pk)
        safeguarding = next(t for t in row.training if t.module.id == "safeguarding")
        self.assertEqual((safeguarding.last_done, safeguarding.state), (today, "current"))
        self.assertEqual(safeguarding.next_due, clearance.add_months(today, 12))
        with self.assertRaises(ClearanceError) as trustee_module:
            clearance.do_record_training(p["manager"], p["trustee"], "safeguarding", today, today)
        self.assertEqual(trustee_module.exception.field, "module")
        # Home-Start 7.6: a contractor's undertaking.
        clearance.do_record_outside_signature(p["manager"], "contractor_undertaking", "Casey Example",
                                              "Example IT Services", today, today)

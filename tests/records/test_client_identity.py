"""Who a client is (issue 13): dates of birth checked, an impossible one never breaking the policy's
request, corrections of the name and date of birth kept with who, when and why, and a possible
duplicate found at referral without naming a file the worker may not see."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.utils import timezone

from confide.audit.models import AuditEvent
from confide.records import access as gate
from confide.records.corrections import CorrectionError, do_correct_client_identity, earlier_value
from confide.records.identity import OLDEST_AGE, age_on, date_of_birth_problem, same_name
from confide.records.models import Case, Client, ClientCorrection
from confide.sharing.disclosure import DisclosureError, Recipient, build_request
from tests.base import CLIENT_NAME, ConfideTestCase, clients_named

TODAY = dt.date(2026, 12, 3)
REASON = "The client spelled her name for me at our meeting."


class DatesOfBirthTests(ConfideTestCase):
    def test_an_age_is_known_only_from_0_to_120_years(self):
        self.assertEqual(age_on(dt.date(1985, 12, 3), TODAY), 41)
        self.assertEqual(age_on(dt.date(1985, 12, 4), TODAY), 40, "not yet their birthday")
        self.assertEqual(age_on(TODAY, TODAY), 0)
        self.assertEqual(age_on(dt.date(1905, 12, 4), TODAY), OLDEST_AGE, "a day short of 121")
        for impossible in (dt.date(1905, 12, 3), dt.date(1, 1, 1), TODAY + dt.timedelta(days=1), dt.date(9999, 12, 31)):
            self.assertIsNone(age_on(impossible, TODAY), impossible)
        self.assertIsNone(age_on(None, TODAY))

    def test_a_problem_with_a_date_of_birth_is_said_specifically(self):
        self.assertEqual(date_of_birth_problem(TODAY + dt.timedelta(days=1), TODAY),
                         "The date of birth is in the future: check the year.")
        self.assertEqual(date_of_birth_problem(dt.date(1900, 1, 1), TODAY),
                         "The date of birth is more than 120 years ago: check the year.")
        self.assertIsNone(date_of_birth_problem(dt.date(1990, 4, 1), TODAY))
        self.assertIsNone(date_of_birth_problem(None, TODAY))

    def test_the_policy_is_not_asked_about_an_impossible_age_and_is_asked_about_a_real_one(self):
        # Issue 13: a date of birth in the future made the engine refuse the request (subject.age),
        # a server error. The answer can turn on the age, so none is guessed: a plain sentence.
        client = self.p["client"]
        recipient = Recipient(kind="police", name="Duty desk")
        for born in (timezone.localdate() + dt.timedelta(days=400), dt.date(1850, 1, 1)):
            with self.subTest(born=born):
                client.date_of_birth = born
                with self.assertRaises(DisclosureError) as caught:
                    build_request(client, self.p["case"], recipient, ["case_notes"], "liaison", "phone", [],
                                  False, {"status": "not_sought"})
                self.assertIn("date of birth on their file cannot be right", str(caught.exception))
        today = timezone.localdate()
        client.date_of_birth = dt.date(today.year - 30, today.month, min(today.day, 28))  # 30 today, even on 29 Feb
        request = build_request(client, self.p["case"], recipient, ["case_notes"], "liaison", "phone", [],
                                False, {"status": "not_sought"})
        self.assertEqual(request["subject"]["age"], 30)
        self.assertIn(self.p["pack"].decide(request)["decision"], {"permit", "deny", "permit_if_approved"})


class CorrectionTests(ConfideTestCase):
    def grant(self, who="assigned", purpose="direct_support"):
        return gate.access_client_to_write(self.p[who], self.p["client"].pk, purpose,
                                           action="client.identity_correct")

    def test_a_name_is_corrected_with_the_earlier_one_kept_sealed_and_the_search_following_it(self):
        correction = do_correct_client_identity(self.p["assigned"], self.grant(), "name", "Zelda Quillfeathers", REASON)
        client = Client.objects.get(pk=self.p["client"].pk)
        self.assertEqual(client.display_name, "Zelda Quillfeathers")
        self.assertEqual(clients_named("Zelda Quillfeathers"), [client], "found by the new name")
        self.assertEqual(clients_named(CLIENT_NAME), [], "no longer by the old")
        stored = ClientCorrection.objects.get(pk=correction.pk)
        self.assertEqual((stored.field, earlier_value(stored), stored.reason, stored.changed_by_id),
                         ("name", CLIENT_NAME, REASON, self.p["assigned"].pk))
        self.assertNotIn(CLIENT_NAME.encode(), bytes(stored.earlier_sealed), "the earlier name is sealed")
        event = AuditEvent.objects.filter(action="client.identity_corrected").get()
        self.assertEqual((event.client_id, event.actor_id), (client.pk, self.p["assigned"].pk))
        for secret in (CLIENT_NAME, "Quillfeathers", REASON):
            self.assertNotIn(secret, event.detail, "the event holds no name or reason")

    def test_a_date_of_birth_is_corrected_and_the_history_reads_newest_first(self):
        client = Client.objects.get(pk=self.p["client"].pk)
        client.date_of_birth = dt.date(2085, 3, 27)  # mistyped before the check existed
        client.save()
        grant = self.grant()
        do_correct_client_identity(self.p["assigned"], grant, "date_of_birth", dt.date(1985, 3, 27), REASON)
        do_correct_client_identity(self.p["assigned"], grant, "date_of_birth", dt.date(1985, 3, 28),
                                   "The passport says the twenty-eighth.")
        self.assertEqual(Client.objects.get(pk=client.pk).date_of_birth, dt.date(1985, 3, 28))
        history = self.grant().corrections()
        self.assertEqual([earlier_value(c) for c in history], [dt.date(1985, 3, 27), dt.date(2085, 3, 27)])

    def test_a_correction_is_refused_with_a_specific_reason_and_nothing_changes(self):
        grant = self.grant()
        cases = [("date_of_birth", timezone.localdate() + dt.timedelta(days=1), REASON, "in the future"),
                 ("date_of_birth", dt.date(1800, 1, 1), REASON, "more than 120 years ago"),
                 ("name", "   ", REASON, "give the client's name"),
                 ("name", CLIENT_NAME, REASON, "already on the file"),
                 ("name", "Zelda Q", "typo", "say why it is being corrected"),
                 ("team", "south", REASON, "only the client's name or date of birth")]
        for field, value, reason, message in cases:
            with self.subTest(field=field, value=value):
                with self.assertRaises(CorrectionError) as raised:
                    do_correct_client_identity(self.p["assigned"], grant, field, value, reason)
                self.assertIn(message, str(raised.exception))
        self.assertFalse(ClientCorrection.objects.exists())
        self.assertEqual(Client.objects.get(pk=self.p["client"].pk).display_name, CLIENT_NAME)

    def test_only_someone_who_may_write_to_the_file_reaches_a_correction(self):
        for who, purpose in (("other_team", "direct_support"), ("trustee", "direct_support"),
                             ("manager", "supervision")):
            with self.subTest(who=who, purpose=purpose), self.assertRaises(Http404):
                self.grant(who, purpose)
        refused = AuditEvent.objects.filter(action="client.identity_correct.refused")
        self.assertEqual(refused.count(), 3, "each refusal recorded")


class DuplicateTests(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        client = Client.objects.get(pk=cls.p["client"].pk)
        client.date_of_birth = dt.date(1985, 3, 27)
        client.save()
        other = Client.objects.get(pk=cls.p["other_client"].pk)
        other.date_of_birth = dt.date(1979, 11, 5)
        other.save()

    def test_the_same_name_whatever_its_case_accents_or_spacing(self):
        self.assertTrue(same_name("Zoë  O'Brien", "zoe obrien"))
        self.assertFalse(same_name("Zoe O'Brien", "Zoe Brien"))
        self.assertFalse(same_name("", ""))

    def test_a_match_the_worker_may_list_is_named_to_them(self):
        found = gate.access_possible_duplicates(self.p["assigned"], "zelda  QUILLFEATHER", dt.date(1985, 3, 27))
        self.assertEqual(([c.pk for c in found.listed], found.unseen), ([self.p["client"].pk], 0))
        event = AuditEvent.objects.filter(action="clients.duplicate_checked").get()
        self.assertEqual(event.client_id, self.p["client"].pk, "the matched file's record of access shows it")
        self.assertNotIn("Zelda", event.detail)
        self.assertNotIn("1985", event.detail)

    def test_a_match_the_worker_may_not_list_is_counted_never_named(self):
        found = gate.access_possible_duplicates(self.p["assigned"], "Ambrose Thistlewick", dt.date(1979, 11, 5))
        self.assertEqual((found.listed, found.unseen), ([], 1))
        self.assertTrue(found)

    def test_no_match_for_another_date_a_part_of_the_name_or_no_date(self):
        for name, born in (("Zelda Quillfeather", dt.date(1985, 3, 28)), ("Zelda", dt.date(1985, 3, 27)),
                           ("Zelda Quill", dt.date(1985, 3, 27)), ("Zelda Quillfeather", None)):
            with self.subTest(name=name, born=born):
                self.assertFalse(gate.access_possible_duplicates(self.p["assigned"], name, born))

    def test_a_new_client_with_a_case_elsewhere_is_found_by_their_corrected_name(self):
        grant = gate.access_client_to_write(self.p["other_team"], self.p["other_client"].pk, "direct_support",
                                            action="client.identity_correct")
        do_correct_client_identity(self.p["other_team"], grant, "name", "Ambrose Thistlewicke", REASON)
        self.assertFalse(gate.access_possible_duplicates(self.p["assigned"], "Ambrose Thistlewick", dt.date(1979, 11, 5)))
        self.assertTrue(gate.access_possible_duplicates(self.p["assigned"], "Ambrose Thistlewicke",
                                                        dt.date(1979, 11, 5)))
        self.assertTrue(Case.objects.filter(client=self.p["other_client"]).exists())

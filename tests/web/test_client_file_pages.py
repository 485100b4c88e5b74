"""The client file's pages (issue 13 point 4, and its first defect): a date of birth that cannot be
right never breaks "Ask the policy" and the worker's reasons are kept; dates of birth are checked,
shown with the age and correctable with their history; a possible duplicate is offered at referral;
the file prints for whoever may read it (and the print is recorded); the record of access is
filtered and its own repeated views grouped."""

from __future__ import annotations

import datetime as dt
import json
import re

from django.urls import reverse
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.models import AuditEvent
from confide.audit.services import record_event
from confide.records.models import Client, ClientCorrection
from confide.sharing.models import Disclosure
from tests.base import (
    CLIENT_NAME,
    NOTE_TEXT,
    OTHER_CLIENT_NAME,
    PERSON_NAME,
    SAFE_NUMBER,
    SEALED_TEXT,
    ConfideTestCase,
    clients_named,
)

REASON = "Bruises seen on the younger child at the visit; the school has raised concerns too."
WHY = "The client showed me her passport at our meeting today."


def set_born(client, born):
    client = Client.objects.get(pk=client.pk)
    client.date_of_birth = born
    client.save()
    return client


def years_ago(years: int, days: int = 0) -> dt.date:
    today = timezone.localdate()
    return today.replace(year=today.year - years) - dt.timedelta(days=days)


class ImpossibleDateOfBirthTests(ConfideTestCase):
    """The defect at the top of issue 13."""

    def share(self, **changes):
        data = {"case": str(self.p["case"].pk), "to": "other", "other_kind": "childrens_services",
                "other_name": "Duty desk", "entries": [str(self.p["note"].pk)], "purpose": "child_protection",
                "grounds": ["child_at_risk_of_significant_harm"], "channel": "secure_email", "reason": REASON}
        data.update(changes)
        return self.client.post(reverse("web:share", args=[self.p["client"].pk]), data)

    def test_a_future_or_ancient_date_of_birth_stops_the_question_plainly_and_keeps_the_reasons(self):
        # The policy's answer can turn on the client's age (a child's consent, safeguarding), so an
        # age nobody could have is not guessed past: the worker is told to have it corrected, with
        # what they typed still on the form, and nothing is recorded (tests/sharing/test_workflow.py).
        self.sign_in("assigned")
        for born in (timezone.localdate() + dt.timedelta(days=30), dt.date(1850, 6, 1)):
            with self.subTest(born=born):
                set_born(self.p["client"], born)
                self.assertEqual(self.client.get(reverse("web:share", args=[self.p["client"].pk])).status_code, 200)
                page = self.share()
                self.assertContains(page, "date of birth on their file cannot be right", status_code=400)
                self.assertContains(page, REASON, status_code=400)
                self.assertFalse(Disclosure.objects.exists())

    def test_a_form_the_worker_must_fix_keeps_what_they_typed(self):
        self.sign_in("assigned")
        set_born(self.p["client"], timezone.localdate() + dt.timedelta(days=30))
        page = self.share(entries=[])
        self.assertEqual(page.status_code, 400)
        self.assertContains(page, "nothing is chosen until you choose it", status_code=400)
        self.assertContains(page, REASON, status_code=400)
        self.assertFalse(Disclosure.objects.exists())

    def test_the_file_says_the_date_of_birth_cannot_be_right_and_offers_to_correct_it(self):
        set_born(self.p["client"], timezone.localdate() + dt.timedelta(days=30))
        self.sign_in("assigned")
        page = self.client.get(reverse("web:client_file", args=[self.p["client"].pk]))
        self.assertContains(page, "This date of birth cannot be right.")
        self.assertContains(page, "The date of birth is in the future: check the year.")
        self.assertContains(page, reverse("web:correct_date_of_birth", args=[self.p["client"].pk]))


class ClientFileIdentityTests(ConfideTestCase):
    def test_the_file_shows_the_date_of_birth_and_age_with_correct_links(self):
        set_born(self.p["client"], years_ago(41, days=3))
        self.sign_in("assigned")
        page = self.client.get(reverse("web:client_file", args=[self.p["client"].pk]))
        born = years_ago(41, days=3)
        self.assertContains(page, f"{born.day} {born:%B} {born.year} (age 41)")
        self.assertContains(page, reverse("web:correct_name", args=[self.p["client"].pk]))
        self.assertContains(page, reverse("web:correct_date_of_birth", args=[self.p["client"].pk]))
        self.assertNotContains(page, "cannot be right")

    def test_no_date_of_birth_reads_not_recorded(self):
        self.sign_in("assigned")
        page = self.client.get(reverse("web:client_file", args=[self.p["client"].pk]))
        self.assertRegex(page.content.decode(), r"<dt>Date of birth</dt><dd>Not recorded")

    def test_a_file_opened_only_to_read_offers_no_correction(self):
        self.sign_in("manager")
        page = self.client.get(reverse("web:client_file", args=[self.p["client"].pk]) + "?purpose=supervision")
        self.assertEqual(page.status_code, 200)
        self.assertNotContains(page, "/correct-")
        url = reverse("web:correct_name", args=[self.p["client"].pk]) + "?purpose=supervision"
        self.assert_refused(self.client.get(url))


class CorrectionPageTests(ConfideTestCase):
    def url(self, field="date_of_birth", client=None):
        return reverse(f"web:correct_{field}", args=[(client or self.p["client"]).pk])

    def test_a_worker_corrects_the_date_of_birth_and_the_file_shows_its_history(self):
        set_born(self.p["client"], dt.date(2085, 3, 27))
        self.sign_in("assigned")
        page = self.client.get(self.url())
        self.assertContains(page, "27 March 2085")
        response = self.client.post(self.url(), {"new_value": "27 3 1985", "reason": WHY})
        self.assertRedirects(response, reverse("web:client_file", args=[self.p["client"].pk]) + "#identity-heading")
        self.assertEqual(Client.objects.get(pk=self.p["client"].pk).date_of_birth, dt.date(1985, 3, 27))
        page = self.client.get(reverse("web:client_file", args=[self.p["client"].pk]))
        self.assertContains(page, "27 March 1985 (age")
        self.assertContains(page, "Corrections of the name and date of birth (1)")
        history = re.sub(r"\s+", " ", page.content.decode())
        self.assertIn("<strong>Date of birth</strong> corrected by <bdi>Ada Assigned</bdi>", history)
        self.assertIn("It was: <bdi>27 March 2085</bdi>. Why: " + WHY, history)
        event = AuditEvent.objects.filter(action=Action.CLIENT_IDENTITY_CORRECTED).get()
        self.assertNotIn("1985", event.detail)
        # A colleague covering the case reads the history too: whoever may read the file.
        self.sign_in("manager")
        page = self.client.get(reverse("web:client_file", args=[self.p["client"].pk]) + "?purpose=supervision")
        self.assertContains(page, "It was: <bdi>27 March 2085</bdi>")

    def test_a_name_is_corrected_and_found_by_it(self):
        self.sign_in("assigned")
        response = self.client.post(self.url("name"), {"new_value": "Zelda Quill-Feather", "reason": WHY})
        self.assertEqual(response.status_code, 302)
        self.assertEqual([c.pk for c in clients_named("Zelda Quill-Feather")], [self.p["client"].pk])
        page = self.client.get(reverse("web:client_file", args=[self.p["client"].pk]))
        self.assertContains(page, f"It was: <bdi>{CLIENT_NAME}</bdi>")

    def test_bad_input_gets_a_specific_message_and_keeps_what_was_typed(self):
        self.sign_in("assigned")
        future = (timezone.localdate() + dt.timedelta(days=2)).strftime("%d %m %Y")
        for data, message in (({"new_value": future, "reason": WHY}, "The date of birth is in the future"),
                              ({"new_value": "1 1 1880", "reason": WHY}, "more than 120 years ago"),
                              ({"new_value": "31 2 1990", "reason": WHY}, "Enter the date of birth as day month year"),
                              ({"new_value": "27 3 1985", "reason": "typo"}, "Say why it is being corrected"),
                              ({"new_value": "", "reason": WHY}, "Give the date of birth as it should be")):
            with self.subTest(data=data):
                page = self.client.post(self.url(), data)
                self.assertContains(page, message, status_code=400)
                self.assertContains(page, data["reason"], status_code=400)
        self.assertFalse(ClientCorrection.objects.exists())

    def test_the_ladder_outsider_read_only_and_wrong_method(self):
        missing = self.client.get(self.url(client=Client(pk=987654)))
        self.assertEqual(missing.status_code, 302, "anonymous: to sign in")
        self.sign_in("other_team")
        like = self.client.get(reverse("web:correct_name", args=[987654]))
        self.assert_refused(self.client.get(self.url("name")), like)
        self.assert_refused(self.client.post(self.url("name"), {"new_value": "X Y", "reason": WHY}), like)
        self.sign_in("trustee")
        self.assert_refused(self.client.get(self.url()))
        self.sign_in("assigned")
        self.assertEqual(self.client.put(self.url()).status_code, 405)
        self.assertEqual(Client.objects.get(pk=self.p["client"].pk).display_name, CLIENT_NAME)


class ReferralChecksTests(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        set_born(cls.p["client"], dt.date(1985, 3, 27))
        set_born(cls.p["other_client"], dt.date(1979, 11, 5))

    def refer(self, name, born, **more):
        return self.client.post(reverse("web:new_referral"), {"name": name, "date_of_birth": born,
                                                              "subject_role": "victim", "service": "vpp", **more})

    def test_a_date_of_birth_out_of_range_is_refused_on_the_field(self):
        self.sign_in("assigned")
        too_old = years_ago(121).strftime("%d %m %Y")
        for born, message in ((too_old, "The date of birth is more than 120 years ago: check the year."),
                              ("31 12 9999", "The date of birth is in the future: check the year.")):
            with self.subTest(born=born):
                page = self.refer("Rowan Tealby", born)
                self.assertContains(page, message, status_code=400)
                self.assertContains(page, 'value="Rowan Tealby"', status_code=400)
        self.assertEqual(clients_named("Rowan Tealby"), [])
        self.assertEqual(self.refer("Rowan Tealby", years_ago(120).strftime("%d %m %Y")).status_code, 302)

    def test_a_possible_duplicate_the_worker_may_open_is_offered_and_can_be_passed(self):
        self.sign_in("assigned")
        page = self.refer("zelda quillfeather", "27 3 1985")
        self.assertContains(page, "A client with this name and date of birth may already be on Confide", status_code=400)
        self.assertContains(page, reverse("web:client_file", args=[self.p["client"].pk]), status_code=400)
        self.assertContains(page, "This is a different person", status_code=400)
        self.assertEqual(len(clients_named("zelda quillfeather")), 0, "nothing taken yet")
        response = self.refer("zelda quillfeather", "27 3 1985", different_person="on")
        self.assertEqual(response.status_code, 302)
        self.assertEqual(len(clients_named("zelda quillfeather")), 1)
        # The record says the worker judged it a different person (their word, not Confide's).
        taken = AuditEvent.objects.filter(action="case.referral_taken").latest("seq")
        self.assertIs(json.loads(taken.detail)["said_different_person"], True)

    def test_a_possible_duplicate_the_worker_may_not_see_is_said_to_exist_never_named(self):
        self.sign_in("assigned")
        page = self.refer(OTHER_CLIENT_NAME, "5 11 1979")
        self.assertContains(page, "may already be on Confide", status_code=400)
        self.assertContains(page, "that you cannot open. Your manager can check", status_code=400)
        other = self.p["other_client"].pk
        self.assertNotContains(page, reverse("web:client_file", args=[other]), status_code=400)
        self.assertNotRegex(page.content.decode(), rf"client {other}\b")
        checked = AuditEvent.objects.filter(action=Action.CLIENTS_DUPLICATE_CHECKED).get()
        self.assertEqual(checked.client_id, other, "the other file's record of access shows the check")

    def test_another_date_of_birth_is_no_duplicate(self):
        self.sign_in("assigned")
        self.assertEqual(self.refer(CLIENT_NAME, "28 3 1985").status_code, 302)


class PrintTests(ConfideTestCase):
    def test_the_assigned_worker_prints_what_the_file_shows_them_and_it_is_recorded(self):
        self.sign_in("assigned")
        file_page = self.client.get(reverse("web:client_file", args=[self.p["client"].pk]))
        self.assertContains(file_page, reverse("web:print_file", args=[self.p["client"].pk]))
        page = self.client.get(reverse("web:print_file", args=[self.p["client"].pk]))
        self.assertEqual(page.status_code, 200)
        for shown in (CLIENT_NAME, NOTE_TEXT, PERSON_NAME, SAFE_NUMBER, "Printed by <bdi>Ada Assigned</bdi>"):
            self.assertContains(page, shown)
        self.assertEqual(SEALED_TEXT in page.content.decode(), SEALED_TEXT in file_page.content.decode(),
                         "a sealed entry prints only where the file shows it")
        self.assertContains(page, "data-print hidden")
        event = AuditEvent.objects.latest("seq")
        self.assertEqual((event.action, event.client_id), (Action.CLIENT_FILE_PRINTED, self.p["client"].pk))
        self.assertIn("no-store", page["Cache-Control"])

    def test_outsiders_are_refused_as_for_a_missing_file_and_the_attempt_recorded(self):
        self.sign_in("other_team")
        like = self.client.get(reverse("web:print_file", args=[987654]))
        self.assert_refused(self.client.get(reverse("web:print_file", args=[self.p["client"].pk])), like)
        self.assertTrue(AuditEvent.objects.filter(action=Action.CLIENT_FILE_PRINTED_REFUSED,
                                                  object_id=str(self.p["client"].pk)).exists())
        self.sign_in("assigned")
        self.assertEqual(self.client.post(reverse("web:print_file", args=[self.p["client"].pk])).status_code, 405)


class RecordOfAccessFilterTests(ConfideTestCase):
    def url(self, **query):
        return reverse("web:record_of_access", args=[self.p["client"].pk]), query

    def get(self, **query):
        url, query = self.url(**query)
        return self.client.get(url, query)

    def test_repeated_views_of_the_record_by_one_person_on_one_day_are_one_row(self):
        self.sign_in("assigned")
        for _ in range(6):
            self.get()
        page = self.get()
        rows = page.context["rows"]
        today = timezone.localdate()
        views = [row for row in rows if row["what"].startswith("Viewed this record of access")]
        self.assertEqual([row["what"] for row in views],
                         [f"Viewed this record of access 7 times on {today.day} {today:%B} {today.year}"])
        self.assertIs(rows[0], views[0], "at the newest of them")
        self.assertContains(page, "7 times on")
        self.sign_in("manager")
        page = self.get(purpose="supervision")
        whats = [(row["who"], row["what"]) for row in page.context["rows"][:2]]
        self.assertEqual(whats, [("Mona Manager", "Viewed this record of access"),
                                 ("Ada Assigned", f"Viewed this record of access 7 times on {today.day} {today:%B} "
                                                  f"{today.year}")])

    def test_filtered_by_who_what_and_when(self):
        self.sign_in("other_team")
        self.client.get(reverse("web:client_file", args=[self.p["client"].pk]))
        self.sign_in("assigned")
        self.client.get(reverse("web:client_file", args=[self.p["client"].pk]))
        rows = self.get(who=str(self.p["other_team"].pk)).context["rows"]
        self.assertEqual([(r["who"], r["refused"]) for r in rows], [("Olly Otherteam", True)])
        rows = self.get(what="refused").context["rows"]
        self.assertEqual([r["who"] for r in rows], ["Olly Otherteam"])
        rows = self.get(what=Action.CLIENT_READ.value).context["rows"]
        self.assertEqual([(r["who"], r["what"]) for r in rows], [("Ada Assigned", "Opened the client's file")])
        today = timezone.localdate()
        self.assertGreater(len(self.get(since=today.isoformat(), until=today.isoformat()).context["rows"]), 3)
        page = self.get(since=(today + dt.timedelta(days=1)).isoformat())
        self.assertEqual(page.context["rows"], [])
        self.assertContains(page, "Nothing in the record matches what you chose.")

    def test_bad_filters_say_what_is_wrong_never_a_500(self):
        self.sign_in("assigned")
        today = timezone.localdate()
        for query, message in (({"since": "32 1 2026"}, "Enter the first day as day month year"),
                               ({"until": "soon"}, "Enter the last day as day month year"),
                               ({"since": today.isoformat(), "until": (today - dt.timedelta(days=1)).isoformat()},
                                "The last day is before the first"),
                               ({"who": "999999"}, "Choose someone from the list of people."),
                               ({"who": "x' OR 1=1"}, "Choose someone from the list of people."),
                               ({"what": "client.nonsense"}, "Choose one of the kinds of action listed.")):
            with self.subTest(query=query):
                page = self.get(**query)
                self.assertContains(page, message, status_code=400)
                self.assertEqual(page.context["rows"], [])
        self.assertEqual(self.get(until="31 12 9999").status_code, 200, "the last day there is")

    def test_paging_keeps_the_filter(self):
        client = self.p["client"]
        for _ in range(120):
            record_event(self.p["same_team"], Action.CLIENT_READ, object_type="client", object_id=client.pk,
                         client_id=client.pk, purpose="supervision", detail={"role": self.p["same_team"].role})
        self.sign_in("assigned")
        first = self.get(who=str(self.p["same_team"].pk))
        self.assertEqual(len(first.context["rows"]), 100)
        older = first.context["older_url"]
        self.assertIn(f"who={self.p['same_team'].pk}", older)
        second = self.client.get(older)
        self.assertEqual(len(second.context["rows"]), 20)
        self.assertEqual({r["who"] for r in second.context["rows"]}, {"Sam Teamson"})

    def test_a_filtered_page_reads_the_same_number_of_queries_however_long_the_record(self):
        self.sign_in("assigned")
        today = timezone.localdate().isoformat()
        url, query = self.url(what="refused", since=today, who=str(self.p["assigned"].pk))

        def count():
            with self.assert_max_queries(1000) as captured:
                self.assertEqual(self.client.get(url, query).status_code, 200)
            return len(captured)

        count()  # the organisation and its pack, read once per process
        few = count()
        for _ in range(15):
            self.client.get(reverse("web:client_file", args=[self.p["client"].pk]))
            self.get()
        self.assertEqual(count(), few)

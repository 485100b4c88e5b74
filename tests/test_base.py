"""The shared test base notices what it is for: its named people are who they say, `assert_refused`
fails on a page that opened or that differs from a missing record's, and `assert_max_queries` fails
on one statement too many (or too few)."""

from __future__ import annotations

from django.urls import reverse

from confide.records.models import Client
from tests.base import CLIENT_NAME, ConfideTestCase


class BaseTests(ConfideTestCase):
    def test_the_named_people_are_who_they_say(self):
        case = self.case
        self.assertEqual(self.client_record.display_name, CLIENT_NAME)
        self.assertEqual(case.client_id, self.client_record.pk)
        workers = set(case.workers.values_list("pk", flat=True))
        self.assertIn(self.assigned.pk, workers)
        self.assertNotIn(self.same_team.pk, workers)
        self.assertEqual(self.same_team.team_id, case.team_id)
        self.assertNotEqual(self.other_team.team_id, case.team_id)
        self.assertEqual(self.manager.team_id, case.team_id)
        self.assertIsNone(self.trustee.team_id)
        for name in ("assigned", "same_team", "other_team", "manager", "trustee"):
            self.assertEqual(getattr(self, name).pk, self.p[name].pk)

    def test_assert_refused_fails_on_an_open_page_and_on_a_different_answer(self):
        self.sign_in("assigned")
        missing = self.client.get(reverse("web:client_file", args=[999999]))
        self.assert_refused(missing, missing)
        opened = self.client.get(reverse("web:client_file", args=[self.client_record.pk]))
        with self.assertRaises(AssertionError):
            self.assert_refused(opened)
        with self.assertRaises(AssertionError):
            self.assert_refused(missing, opened)  # compared with an answer that is not a missing record's
        with self.assertRaises(AssertionError):
            self.assert_refused(missing, status=400)

    def test_assert_max_queries_counts(self):
        with self.assert_max_queries(1, fewest=1) as captured:
            Client.objects.count()
        self.assertEqual(len(captured), 1)
        with self.assertRaises(AssertionError):
            with self.assert_max_queries(0):
                Client.objects.count()
        with self.assertRaises(AssertionError):
            with self.assert_max_queries(5, fewest=1):
                pass

"""Pages cost the same number of queries however many clients, cases and events they show, so a
service with thousands of clients does not pay per row (N+1 queries)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from confide.accounts.models import current_organisation, current_policy
from confide.records.models import Case, Client
from tests.base import ConfideTestCase


class QueryCountTests(ConfideTestCase):
    def setUp(self):
        current_policy()  # the pack's name is read once per process, not per page
        current_organisation()  # and so is the organisation, for the header

    def queries(self, url, data=None) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = self.client.post(url, data) if data is not None else self.client.get(url)
            self.assertEqual(response.status_code, 200)
        return len(captured)

    def add_clients(self, n: int) -> None:
        for i in range(n):
            client = Client.objects.create(display_name=f"Count Person {i}", team=self.p["north"])
            case = Case.objects.create(client=client, service="wss", team=self.p["north"], status=Case.Status.OPEN)
            case.workers.add(self.p["assigned"])

    def test_the_home_list_does_not_grow_with_clients(self):
        self.sign_in("assigned")
        few = self.queries(reverse("web:home"))
        self.add_clients(15)
        self.assertEqual(self.queries(reverse("web:home")), few)

    def test_the_record_of_access_does_not_grow_with_events(self):
        self.sign_in("assigned")
        url = reverse("web:record_of_access", args=[self.p["client"].pk])
        few = self.queries(url)
        for _ in range(10):
            self.client.get(reverse("web:client_file", args=[self.p["client"].pk]))
        self.assertEqual(self.queries(url), few)

    def test_the_client_file_does_not_grow_with_cases(self):
        self.sign_in("assigned")
        url = reverse("web:client_file", args=[self.p["client"].pk])
        few = self.queries(url)
        for service in ("vpp", "stephens_place", "wss"):
            Case.objects.create(client=self.p["client"], service=service, team=self.p["north"]).workers.add(self.p["assigned"])
        self.assertEqual(self.queries(url), few)

    def test_the_client_file_does_not_grow_with_entries_or_people(self):
        from confide.records.entries import EntryFacts, do_add_note
        from confide.records.people import do_add_related_person

        self.sign_in("assigned")
        url = reverse("web:client_file", args=[self.p["client"].pk])
        few = self.queries(url)
        for i in range(12):
            person = do_add_related_person(self.p["assigned"], self.p["client"], "family_member", {"name": f"Kin {i}"})
            do_add_note(self.p["assigned"], self.p["case"], f"Note {i}", EntryFacts(about_people=[person]))
            do_add_note(self.p["assigned"], self.p["case"], f"Sealed {i}", EntryFacts(categories=["health"], sealed=True))
        self.assertEqual(self.queries(url), few)

    def test_the_client_list_and_search_do_not_grow_with_clients(self):
        self.sign_in("assigned")
        self.add_clients(1)  # one found by the search, so both counts include the rows' queries
        few = self.queries(reverse("web:client_list"))
        few_search = self.queries(reverse("web:client_list"), {"q": "Count"})
        self.add_clients(15)
        self.assertEqual(self.queries(reverse("web:client_list")), few)
        self.assertEqual(self.queries(reverse("web:client_list"), {"q": "Count"}), few_search)

    def test_the_review_queue_does_not_grow_with_openings(self):
        from confide.records.break_glass import do_open_outside

        self.sign_in("manager")
        url = reverse("web:review_queue")
        few = self.queries(url)
        for _ in range(5):
            do_open_outside(self.p["other_team"], self.p["client"].pk, "direct_support", "Duty line call, worker away")
        self.assertEqual(self.queries(url), few)

    def test_a_page_does_not_rewrite_the_session_each_time(self):
        self.sign_in("assigned")  # sets the last-seen time just now
        with CaptureQueriesContext(connection) as captured:
            self.client.get(reverse("web:home"))
        self.assertFalse([q for q in captured if q["sql"].startswith("UPDATE \"django_session\"")],
                         "within 30 seconds of the last, a page leaves the session as it is")

"""The home page as each person's working day (issue 13 point 1): a worker's clients with their last
and next contact, risk level and open tasks, their tasks with due dates, their requests to share; a
manager's approvals with how long each has waited, the openings to review, the team's caseloads and
overdue tasks; the data controller's access reviews; a trustee's figures only. Empty states say what
to do next, and the page costs the same however many clients a worker holds."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from confide.audit.models import AuditEvent
from confide.records.break_glass import do_open_outside
from confide.records.entries import EntryFacts, do_add_note, do_add_risk_assessment
from confide.records.models import Case, Client
from confide.sharing.disclosure import do_decide
from confide.sharing.tasks import do_add_task, do_add_task_to_file
from confide.web.views import waiting_words
from tests.base import CLIENT_NAME, OTHER_CLIENT_NAME, ConfideTestCase, ask


class WorkerHomeTests(ConfideTestCase):
    def test_a_worker_sees_each_client_with_contact_dates_risk_and_open_tasks(self):
        today = timezone.localdate()
        p = self.p
        Case.objects.filter(pk=p["case"].pk).update(referred_on=today - dt.timedelta(days=30))
        p["case"].refresh_from_db()
        do_add_note(p["assigned"], p["case"], "Phoned at the agreed time.",
                    EntryFacts(contact_on=today - dt.timedelta(days=6), contact_kind="phone", duration_minutes=15))
        do_add_note(p["assigned"], p["case"], "Did not come to the session.",
                    EntryFacts(contact_on=today - dt.timedelta(days=1), contact_kind="missed"))
        do_add_risk_assessment(p["assigned"], p["case"], "Checklist completed with the client.", "high")
        Case.objects.filter(pk=p["case"].pk).update(next_contact_on=today + dt.timedelta(days=2))
        do_add_task_to_file(p["assigned"], p["case"], what="phone_client", due_on=today + dt.timedelta(days=3),
                            assigned_to_id=p["assigned"].pk)
        self.sign_in("assigned")
        page = self.client.get(reverse("web:home")).content.decode()
        self.assertIn(f"<bdi>{CLIENT_NAME}</bdi>", page)
        self.assertNotIn(OTHER_CLIENT_NAME, page)
        last = today - dt.timedelta(days=6)  # the missed appointment is no contact
        self.assertIn(f"Last contact: {last.day} {last:%B %Y}", page)
        following = today + dt.timedelta(days=2)
        self.assertIn(f"Next contact: {following.day} {following:%B %Y}", page)
        self.assertIn("Risk: <strong>High</strong>", page)
        self.assertIn("1 open task", page)
        due = today + dt.timedelta(days=3)
        self.assertIn(f"Phone the client, using the safe contact details</a> · <bdi>{CLIENT_NAME}</bdi> · due "
                      f"{due.day} {due:%B %Y}", page)
        listed = AuditEvent.objects.filter(actor_id=p["assigned"].pk, action="clients.listed").last()
        self.assertIn(str(p["client"].pk), listed.detail, "the list gate recorded whom the home page named")

    def test_a_volunteer_is_not_shown_a_risk_level_the_pack_keeps_from_them(self):
        p = self.p
        do_add_risk_assessment(p["assigned"], p["case"], "Checklist completed with the client.", "high")
        p["case"].workers.add(p["volunteer"])
        from confide.records.access import access_request, decide

        answer = decide(access_request(p["volunteer"], "direct_support", "risk_assessment", service=p["case"].service,
                                       team="north", assigned=True))["decision"]
        self.sign_in("volunteer")
        page = self.client.get(reverse("web:home")).content.decode()
        self.assertIn(CLIENT_NAME, page)
        self.assertEqual("Risk: <strong>High</strong>" in page, answer == "permit")

    def test_requests_to_share_waiting_and_ready_to_send_are_on_the_requesters_home(self):
        waiting = ask(self.p)
        approved = ask(self.p)
        do_decide(self.p["manager"], approved.pk, "approve", "Threshold met, share now.", "manager-password-1")
        self.sign_in("assigned")
        page = self.client.get(reverse("web:home")).content.decode()
        self.assertIn("<strong>Approved: ready to send</strong>", page)
        self.assertIn("Waiting for approval", page)
        for disclosure in (waiting, approved):
            self.assertIn(reverse("web:disclosure", args=[disclosure.pk]), page)
        self.assertIn("to children&#x27;s services: child protection", page.lower())

    def test_an_overdue_task_says_so(self):
        today = timezone.localdate()
        do_add_task(self.p["manager"], kind="review_case", title_text="Review the case with a manager", clause="",
                    client_id=self.p["client"].pk, case_id=self.p["case"].pk, assigned_to_id=self.p["assigned"].pk,
                    due_on=today - dt.timedelta(days=2))
        self.sign_in("assigned")
        page = self.client.get(reverse("web:home")).content.decode()
        self.assertIn("<strong>1 overdue.</strong>", page)
        was = today - dt.timedelta(days=2)
        self.assertIn(f"overdue: was due {was.day} {was:%B %Y}", page)

    def test_a_client_whose_case_is_closed_says_so_rather_than_no_contact_planned(self):
        Case.objects.filter(pk=self.p["case"].pk).update(status=Case.Status.CLOSED, closed_on=timezone.localdate())
        self.sign_in("assigned")
        page = self.client.get(reverse("web:home")).content.decode()
        self.assertIn("Case closed", page)
        self.assertNotIn("Next contact: none planned", page)

    def test_empty_states_say_what_to_do_next(self):
        self.sign_in("same_team")
        page = self.client.get(reverse("web:home")).content.decode()
        self.assertIn("You are not working on any client's case yet. A manager assigns cases to you", page)
        self.assertIn(reverse("web:new_referral"), page)
        self.assertIn("You have no tasks. A task appears here when", page)
        self.sign_in("manager")
        page = self.client.get(reverse("web:home")).content.decode()
        self.assertIn("No requests to share are waiting for your approval", page)
        self.assertIn("No break-glass openings are waiting for your review", page)
        self.assertIn("You hold no cases yourself", page)


class ManagerHomeTests(ConfideTestCase):
    def test_approvals_show_how_long_they_have_waited(self):
        disclosure = ask(self.p)
        type(disclosure).objects.filter(pk=disclosure.pk).update(
            requested_at=timezone.now() - dt.timedelta(days=3))
        ask(self.p)
        self.sign_in("manager")
        page = self.client.get(reverse("web:home")).content.decode()
        self.assertIn("2 requests to share waiting for your approval", page)
        self.assertIn("<strong>waiting 3 days</strong>", page)
        self.assertIn("<strong>waiting since today</strong>", page)
        self.assertIn(reverse("web:approve", args=[disclosure.pk]), page)
        self.assertNotIn(CLIENT_NAME, page, "an approver decides on the facts; the home page names no client")

    def test_break_glass_openings_wait_for_the_managers_and_the_data_controllers_review(self):
        client, glass = do_open_outside(self.p["same_team"], self.p["other_client"].pk, "direct_support",
                                        "Duty line call, worker away today")
        for who, heading in (("manager", "Break-glass openings to review"), ("data_controller", "Access reviews")):
            self.sign_in(who)
            page = self.client.get(reverse("web:home")).content.decode()
            self.assertIn(heading, page)
            self.assertIn(reverse("web:review", args=[glass.pk]), page)
            self.assertIn("Sam Teamson opened a file", page)
            self.assertNotIn(OTHER_CLIENT_NAME, page)

    def test_the_teams_caseloads_and_overdue_tasks(self):
        today = timezone.localdate()
        for n in range(3):
            extra = Client.objects.create(display_name=f"Caseload Person {n}", team=self.p["north"])
            case = Case.objects.create(client=extra, service=self.p["case"].service, team=self.p["north"],
                                       status=Case.Status.CLOSED if n == 2 else Case.Status.OPEN)
            case.workers.add(self.p["same_team"])
        do_add_task(self.p["manager"], kind="review_case", title_text="Review the case with a manager", clause="",
                    client_id=self.p["client"].pk, case_id=self.p["case"].pk, assigned_to_id=self.p["assigned"].pk,
                    due_on=today - dt.timedelta(days=4))
        self.sign_in("manager")
        response = self.client.get(reverse("web:home"))
        counts = {member.username: member.open_cases for member in response.context["team_caseloads"]}
        self.assertEqual(counts["sameteam"], 2, "a closed case is not on a caseload")
        self.assertEqual(counts["assigned"], 1)
        self.assertNotIn("otherteam", counts, "another team's people are another manager's")
        page = response.content.decode()
        self.assertIn("<td>Sam Teamson</td><td>2</td>", page)
        was = today - dt.timedelta(days=4)
        self.assertIn(f"Review the case with a manager · Ada Assigned · <strong class=\"warning\">was due {was.day} "
                      f"{was:%B %Y}</strong>", page)
        self.assertNotIn(CLIENT_NAME, page)
        self.sign_in("same_team")
        self.assertNotIn("team_caseloads", self.client.get(reverse("web:home")).context)


class TrusteeHomeTests(ConfideTestCase):
    def test_a_trustee_sees_figures_only(self):
        ask(self.p)
        self.sign_in("trustee")
        response = self.client.get(reverse("web:home"))
        page = response.content.decode()
        self.assertIn("Figures for the committee", page)
        for words in ("Your clients", "Your tasks", CLIENT_NAME, "Break-glass", "Your team"):
            self.assertNotIn(words, page)


class WaitingWordsTests(ConfideTestCase):
    def test_waiting_words(self):
        today = timezone.localdate()
        now = timezone.now()
        self.assertEqual(waiting_words(now, today), "waiting since today")
        self.assertEqual(waiting_words(now - dt.timedelta(days=1), today), "waiting 1 day")
        self.assertEqual(waiting_words(now - dt.timedelta(days=9), today), "waiting 9 days")


class FlatHomeTests(ConfideTestCase):
    """A worker's and a manager's home cost the same number of queries with 3 clients as with 30."""

    def grow(self, n: int) -> None:
        today = timezone.localdate()
        for i in range(n):
            client = Client.objects.create(display_name=f"Flat Person {Client.objects.count()}", team=self.p["north"])
            case = Case.objects.create(client=client, service=self.p["case"].service, team=self.p["north"],
                                       status=Case.Status.OPEN, next_contact_on=today + dt.timedelta(days=i % 9 + 1))
            case.workers.add(self.p["assigned"])
            do_add_note(self.p["assigned"], case, "Phoned at the agreed time.",
                        EntryFacts(contact_on=today, contact_kind="phone", duration_minutes=10))
            do_add_risk_assessment(self.p["assigned"], case, "Checklist completed.", "medium")
            do_add_task(self.p["manager"], kind="review_case", title_text="Review the case with a manager", clause="",
                        client_id=client.pk, case_id=case.pk, assigned_to_id=self.p["assigned"].pk,
                        due_on=today - dt.timedelta(days=1))
            ask(self.p)

    def count(self, who: str) -> tuple[int, int]:
        from django.db import connection
        from django.test.utils import CaptureQueriesContext

        self.sign_in(who)
        self.client.get(reverse("web:home"))  # what a process reads once is not counted
        with CaptureQueriesContext(connection) as captured:
            response = self.client.get(reverse("web:home"))
        shown = len(response.context.get("clients") or []) + len(response.context.get("team_overdue") or []) + \
            len(response.context.get("approval_rows") or [])
        return len(captured), shown

    def test_the_home_page_is_flat(self):
        self.grow(3)
        small = {who: self.count(who) for who in ("assigned", "manager")}
        self.grow(27)
        for who in ("assigned", "manager"):
            queries, shown = self.count(who)
            self.assertEqual(queries, small[who][0], f"{who}: {small[who][0]} queries with 3, {queries} with 30")
            self.assertGreater(shown, small[who][1], f"{who}'s home showed no more with 30 than with 3")

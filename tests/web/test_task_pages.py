"""The pages of issue 13 point 2: the task list with due dates, assignees and client names (only
for those a list could name the client to), a manager's view of their team's overdue tasks, setting
a task on a client's file, the notices page and the header's count. The defects first: a task named
its client by number and had no date; nobody told a worker their request was approved."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from confide.accounts.models import current_organisation, current_policy
from confide.notices.models import Notice
from confide.notices.services import notify
from confide.records.models import Case, Client
from confide.sharing.models import Task
from confide.sharing.tasks import new_task
from tests.base import CLIENT_NAME, ConfideTestCase, ask, sharing_fixtures

NOTE = "Discussed with the worker; the threshold is met."


def today() -> dt.date:
    return timezone.localdate()


def long_date(day: dt.date) -> str:
    return date_format(day, "j F Y")


def text(response) -> str:
    """The page as words, without its tags, its spacing collapsed."""
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode()))


class TaskListTest(ConfideTestCase):
    def task(self, who="assigned", days=3, client=None, case=None, title="Phone the client"):
        return new_task(by=None, kind="phone_client", title=title, client_id=(client or self.client_record).pk,
                        case_id=(case or self.case).pk, assigned_to_id=self.p[who].pk,
                        due_on=today() + dt.timedelta(days=days))

    def test_a_task_shows_its_clients_name_its_due_date_and_who_it_is_for(self):
        self.task(days=3)
        self.sign_in("assigned")
        page = self.client.get(reverse("web:tasks"))
        self.assertContains(page, f"<bdi>{CLIENT_NAME}</bdi>", html=False)
        words = text(page)
        self.assertIn(f"Due {long_date(today() + dt.timedelta(days=3))}", words)
        self.assertIn("Assigned to: You", words)
        self.assertNotIn(f"client {self.client_record.pk}", words)

    def test_an_overdue_task_says_so_loudly_and_comes_first(self):
        self.task(days=5, title="Book the next session")
        self.task(days=-2, title="Review the safety plan")
        self.sign_in("assigned")
        page = self.client.get(reverse("web:tasks"))
        self.assertContains(page, '<strong class="warning">Overdue by 2 days</strong>', html=False)
        words = text(page)
        self.assertLess(words.index("Review the safety plan"), words.index("Book the next session"))

    def test_someone_who_does_not_work_with_the_client_is_not_told_their_name(self):
        # A task on the north team's client, on the south worker's list (given before a move, say).
        self.task(who="other_team")
        self.sign_in("other_team")
        page = self.client.get(reverse("web:tasks"))
        self.assertContains(page, "A client you do not work with")
        self.assertNotContains(page, CLIENT_NAME)
        task_page = self.client.get(reverse("web:task", args=[Task.objects.get().pk]))
        self.assertContains(task_page, "A client you do not work with")
        self.assertNotContains(task_page, CLIENT_NAME)

    def test_the_task_page_names_the_client_to_their_worker_with_the_date(self):
        task = self.task(days=0)
        self.sign_in("assigned")
        page = self.client.get(reverse("web:task", args=[task.pk]))
        self.assertContains(page, f"Open <bdi>{CLIENT_NAME}</bdi>'s file", html=False)
        self.assertContains(page, "Due today")

    def test_a_manager_sees_their_teams_overdue_tasks_with_who_has_them(self):
        self.task(who="same_team", days=-4, title="Write up the last contact")
        self.task(who="same_team", days=2, title="Not late yet")
        self.sign_in("manager")
        page = self.client.get(reverse("web:tasks"))
        words = text(page)
        self.assertIn("Your team's overdue tasks", words)
        self.assertIn("Overdue by 4 days", words)
        self.assertIn("Assigned to: Sam Teamson", words)
        self.assertNotIn("Not late yet", words)
        self.sign_in("assigned")
        self.assertNotContains(self.client.get(reverse("web:tasks")), "Your team's overdue tasks")

    def test_the_list_costs_the_same_queries_whatever_its_length(self):
        current_policy(), current_organisation()

        def grow(n):
            for i in range(n):
                client = Client.objects.create(display_name=f"Count Person {Client.objects.count()}",
                                               team=self.p["north"])
                case = Case.objects.create(client=client, service=self.case.service, team=self.p["north"],
                                           status=Case.Status.OPEN)
                case.workers.add(self.assigned)
                self.task(client=client, case=case, days=i - 2)
                self.task(who="same_team", client=client, case=case, days=-1 - i)

        for who in ("assigned", "manager"):
            with self.subTest(who=who):
                self.sign_in(who)
                self.client.get(reverse("web:tasks"))
                grow(3)
                with self.assert_max_queries(1000) as small:
                    self.client.get(reverse("web:tasks"))
                grow(12)
                with self.assert_max_queries(len(small), fewest=len(small)):
                    page = self.client.get(reverse("web:tasks"))
                self.assertContains(page, "Count Person")


class AddTaskPageTest(ConfideTestCase):
    def url(self, client=None):
        return reverse("web:add_task", args=[(client or self.client_record).pk])

    def test_a_worker_sets_a_colleague_a_task_from_the_clients_file(self):
        self.sign_in("assigned")
        self.assertContains(self.client.get(reverse("web:client_file", args=[self.client_record.pk])), self.url())
        form = self.client.get(self.url())
        self.assertContains(form, "Sam Teamson")
        self.assertNotContains(form, "Olly Otherteam")  # another team
        self.assertNotContains(form, "Tess Trustee")
        due = today() + dt.timedelta(days=4)
        response = self.client.post(self.url(), {"case": self.case.pk, "what": "review_safety_plan",
                                                 "assigned_to": self.same_team.pk, "due_on": due.isoformat()})
        self.assertRedirects(response, reverse("web:client_file", args=[self.client_record.pk]),
                             fetch_redirect_response=False)
        task = Task.objects.get()
        self.assertEqual((task.title, task.due_on, task.assigned_to_id), ("Review the safety plan", due,
                                                                         self.same_team.pk))
        self.sign_in("same_team")
        self.assertContains(self.client.get(reverse("web:home")), "Notices (1")
        self.assertContains(self.client.get(reverse("web:notices")), "A task has been given to you")
        self.assertContains(self.client.get(reverse("web:tasks")), f"Due {long_date(due)}")

    def test_a_date_in_the_past_or_not_a_date_is_said_plainly_and_nothing_is_kept(self):
        self.sign_in("assigned")
        for due, words in ((today() - dt.timedelta(days=1)).isoformat(), "The due date cannot be in the past"), \
                          ("31/02/2026", "Enter the date as day, month and year"):
            with self.subTest(due=due):
                page = self.client.post(self.url(), {"case": self.case.pk, "what": "book_session",
                                                     "assigned_to": self.assigned.pk, "due_on": due})
                self.assertContains(page, words, status_code=400)
        page = self.client.post(self.url(), {"case": self.case.pk, "assigned_to": self.assigned.pk})
        self.assertContains(page, "Choose what needs doing", status_code=400)
        self.assertFalse(Task.objects.exists())

    def test_someone_who_may_not_write_on_the_file_is_refused_as_if_it_did_not_exist(self):
        for who in ("other_team", "trustee"):
            self.sign_in(who)
            with self.subTest(who=who):
                missing = self.client.get(reverse("web:add_task", args=[999999]))
                self.assert_refused(self.client.get(self.url()), missing, where=who)
                self.assert_refused(self.client.post(self.url(), {"case": self.case.pk, "what": "book_session",
                                                                  "assigned_to": self.p[who].pk}), where=who)
        self.assertFalse(Task.objects.exists())


class NoticesPageTest(ConfideTestCase):
    def test_a_worker_is_told_their_request_was_approved(self):
        disclosure = ask(self.p)
        self.sign_in("manager")
        self.client.post(reverse("web:approve", args=[disclosure.pk]),
                         {"decision": "approve", "note": NOTE, "secret": "manager-password-1"})
        self.sign_in("assigned")
        home = self.client.get(reverse("web:home"))
        # Approved, and the task the approval left them (tell the client, unless that raises the risk).
        self.assertContains(home, 'Notices (2<span class="visually-hidden"> unread</span>)', html=False)
        page = self.client.get(reverse("web:notices"))
        self.assertContains(page, "Your request to share information was approved")
        self.assertNotContains(page, CLIENT_NAME)

    def test_a_refusal_is_told_too(self):
        disclosure = ask(self.p)
        self.sign_in("manager")
        self.client.post(reverse("web:approve", args=[disclosure.pk]),
                         {"decision": "decline", "note": "Not enough yet to breach confidentiality.",
                          "secret": "manager-password-1"})
        self.sign_in("assigned")
        self.assertContains(self.client.get(reverse("web:notices")), "Your request to share information was not "
                                                                     "approved")

    def test_a_download_through_a_link_is_told_to_whoever_issued_it(self):
        ids = sharing_fixtures(self.p)["ids"]
        Notice.objects.all().delete()
        response = self.client.post(reverse("web:shared_download", args=[ids["token"], self.p["note"].pk]))
        self.assertEqual(response.status_code, 200)
        self.client.post(reverse("web:shared_download", args=[ids["token"], self.p["note"].pk]))  # refused: once
        notice = Notice.objects.get()
        self.assertEqual((notice.user_id, notice.words), (self.assigned.pk, "A secure link you issued was downloaded"))

    def test_opening_a_notice_marks_it_read_and_goes_to_its_page(self):
        first = notify(self.assigned, Notice.Kind.TASK_ASSIGNED, "A task has been given to you", link="/tasks/")
        notify(self.assigned, Notice.Kind.TASK_ASSIGNED, "A task has been given to you", link="/tasks/")
        theirs = notify(self.same_team, Notice.Kind.TASK_ASSIGNED, "A task has been given to you", link="/tasks/")
        self.sign_in("assigned")
        page = self.client.get(reverse("web:notices"))
        self.assertContains(page, "Notices (2")
        self.assertContains(page, "Mark all as read")
        response = self.client.post(reverse("web:notices"), {"notice": first.pk})
        self.assertRedirects(response, "/tasks/", fetch_redirect_response=False)
        first.refresh_from_db()
        self.assertIsNotNone(first.read_at)
        self.assertContains(self.client.get(reverse("web:notices")), "Notices (1")
        # Someone else's notice answers as one that does not exist, and stays unread.
        refused = self.client.post(reverse("web:notices"), {"notice": theirs.pk})
        missing = self.client.post(reverse("web:notices"), {"notice": 999999})
        self.assertEqual((refused.status_code, missing.status_code), (404, 404))
        self.assertEqual(refused.content, missing.content)
        theirs.refresh_from_db()
        self.assertIsNone(theirs.read_at)
        self.assertEqual(self.client.post(reverse("web:notices"), {"notice": "two"}).status_code, 404)
        # Mark all as read.
        self.assertRedirects(self.client.post(reverse("web:notices"), {"all": "1"}), reverse("web:notices"),
                             fetch_redirect_response=False)
        page = self.client.get(reverse("web:notices"))
        self.assertNotContains(page, "Notices (")
        self.assertNotContains(page, "Mark all as read")
        self.assertEqual(Notice.objects.filter(user=self.assigned, read_at__isnull=True).count(), 0)

    def test_the_header_count_costs_one_query_and_nothing_for_nobody(self):
        self.sign_in("assigned")
        self.client.get(reverse("web:notices"))
        with self.assert_max_queries(1000) as none:
            self.client.get(reverse("web:notices"))
        for _ in range(5):
            notify(self.assigned, Notice.Kind.TASK_ASSIGNED, "A task has been given to you")
        with self.assert_max_queries(len(none), fewest=len(none)):
            page = self.client.get(reverse("web:notices"))
        self.assertContains(page, "Notices (5")
        self.client.logout()
        self.assertNotContains(self.client.get(reverse("accounts:login")), "Notices")

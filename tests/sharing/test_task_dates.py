"""Tasks with dates and names (issue 13, point 2): every task is due on a date, the pack's where it
gives one (urgent: the same day; a reminder of the right to withdraw: the pack's interval), otherwise
the organisation's default; a worker sets a task on a client's file for themselves or a colleague;
lists run overdue first and name a client only to someone a list could name them to; a manager sees
their team's overdue tasks."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from confide.accounts.models import Organisation
from confide.audit.models import AuditEvent
from confide.notices.models import Notice
from confide.records.models import Case, Client
from confide.sharing.access import my_tasks, team_overdue_tasks
from confide.sharing.consent import Given, do_record_consent
from confide.sharing.disclosure import do_decide
from confide.sharing.models import Task
from confide.sharing.tasks import REMINDER, TaskError, do_add_task_to_file, do_report, new_task
from tests.base import CLIENT_NAME, ConfideTestCase, ask

NOTE = "Discussed with the worker; the threshold is met."


def today() -> dt.date:
    return timezone.localdate()


class DueDatesTest(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Client.objects.filter(pk=cls.p["client"].pk).update(subject_role="victim")

    def approved(self):
        disclosure = ask(self.p)
        do_decide(self.p["manager"], disclosure.pk, "approve", NOTE, "manager-password-1")
        return list(Task.objects.filter(disclosure=disclosure))

    def test_a_task_the_pack_gives_no_period_for_is_due_the_organisations_default_days_later(self):
        made = self.approved()
        self.assertTrue(made, "approving left tasks")
        self.assertEqual({t.due_on for t in made}, {today() + dt.timedelta(days=7)})
        organisation = Organisation.objects.get(pk=1)
        organisation.task_due_days = 3
        organisation.save()  # the organisation is read once per process: a change is picked up
        self.assertEqual({t.due_on for t in self.approved()}, {today() + dt.timedelta(days=3)})

    def test_an_urgent_task_is_due_the_day_it_is_set(self):
        # DVIP 3.10: the person threatened "will be informed as a matter of urgency".
        Client.objects.filter(pk=self.p["client"].pk).update(subject_role="perpetrator")
        client = Client.objects.get(pk=self.p["client"].pk)
        made = do_report(self.p["assigned"], "dvip", client, self.p["case"], "threat_to_named_person")
        self.assertEqual({(t.kind, t.due_on) for t in made},
                         {("inform_person_threatened", today()), ("notify_line_manager", today())})

    def test_the_person_given_a_task_by_someone_else_is_told_and_the_one_who_set_it_is_not(self):
        Client.objects.filter(pk=self.p["client"].pk).update(subject_role="perpetrator")
        client = Client.objects.get(pk=self.p["client"].pk)
        do_report(self.p["assigned"], "dvip", client, self.p["case"], "threat_to_named_person")
        self.assertEqual(list(Notice.objects.filter(user=self.manager).values_list("words", flat=True)),
                         ["A task has been given to you"])
        self.assertFalse(Notice.objects.filter(user=self.assigned).exists(), "the reporter set their own task")

    def test_the_list_runs_overdue_first_then_by_due_date(self):
        def task(days, title):
            return new_task(by=self.assigned.pk, kind="phone_client", title=title, client_id=self.client_record.pk,
                            case_id=self.case.pk, assigned_to_id=self.assigned.pk,
                            due_on=today() + dt.timedelta(days=days))
        task(5, "Later"), task(-1, "Late by one"), task(1, "Tomorrow"), task(-3, "Late by three"), task(0, "Today")
        listed = my_tasks(self.assigned)
        self.assertEqual([t.title for t in listed], ["Late by three", "Late by one", "Today", "Tomorrow", "Later"])
        self.assertEqual([t.overdue for t in listed], [True, True, False, False, False])
        self.assertEqual({t.client_name for t in listed}, {CLIENT_NAME})


class ReminderPeriodTest(ConfideTestCase):
    pack_name = "justus"

    def test_a_reminder_of_the_right_to_withdraw_is_due_at_the_packs_interval(self):
        # JustUs 5.4, at this pack's interval of 90 days: the pack's own period, not the default.
        do_record_consent(self.assigned, self.p["pack"], "Test Support Service", self.client_record, self.case.service,
                          Given(recipients=["police"], agencies=[], data=["case_notes"], purposes=["liaison"],
                                how="written", has_capacity=True, informed=True, free_from_duress=True,
                                given_on=today(), expires_on=None))
        reminder = Task.objects.get(kind=REMINDER)
        self.assertEqual(reminder.due_on, today() + dt.timedelta(days=90))


class TasksByHandTest(ConfideTestCase):
    def add(self, who="assigned", **kwargs):
        fields = {"what": "phone_client", "due_on": None, "assigned_to_id": self.same_team.pk} | kwargs
        return do_add_task_to_file(self.p[who], self.case, **fields)

    def test_a_worker_gives_a_colleague_a_task_with_a_date_and_the_colleague_is_told(self):
        due = today() + dt.timedelta(days=2)
        task = self.add(due_on=due)
        self.assertEqual((task.title, task.due_on, task.assigned_to_id, task.created_by_id, task.client_id),
                         ("Phone the client, using the safe contact details", due, self.same_team.pk,
                          self.assigned.pk, self.client_record.pk))
        notice = Notice.objects.get(user=self.same_team)
        self.assertEqual((notice.words, notice.link), ("A task has been given to you", f"/tasks/{task.pk}/"))
        event = AuditEvent.objects.filter(action="task.added").get()
        self.assertEqual((event.object_id, event.client_id, json.loads(event.detail)["assigned_to"]),
                         (str(task.pk), self.client_record.pk, self.same_team.pk))
        self.assertIn(task, my_tasks(self.same_team))

    def test_without_a_date_it_is_due_the_organisations_default_and_a_task_for_oneself_tells_nobody(self):
        task = self.add(assigned_to_id=self.assigned.pk)
        self.assertEqual(task.due_on, today() + dt.timedelta(days=7))
        self.assertFalse(Notice.objects.exists())

    def test_what_cannot_be_set_is_refused_with_the_field_and_nothing_is_kept(self):
        cases = [({"due_on": today() - dt.timedelta(days=1)}, "due_on", "cannot be in the past"),
                 ({"due_on": today() + dt.timedelta(days=400)}, "due_on", "within a year"),
                 ({"what": "tell_everyone"}, "what", "from the list"),
                 ({"assigned_to_id": self.other_team.pk}, "assigned_to", "works on this case"),
                 ({"assigned_to_id": self.trustee.pk}, "assigned_to", "works on this case")]
        for fields, field, words in cases:
            with self.subTest(fields=fields), self.assertRaises(TaskError) as caught:
                self.add(**fields)
            self.assertEqual(caught.exception.field, field)
            self.assertIn(words, str(caught.exception))
        self.assertFalse(Task.objects.exists())
        self.assertFalse(Notice.objects.exists())

    def test_the_same_task_twice_is_refused_and_a_closed_case_takes_none(self):
        self.add()
        with self.assertRaises(TaskError) as caught:
            self.add()
        self.assertEqual(caught.exception.status, 409)
        self.assertEqual(Task.objects.count(), 1)
        Case.objects.filter(pk=self.case.pk).update(status=Case.Status.CLOSED)
        self.case.refresh_from_db()
        with self.assertRaises(TaskError):
            self.add(what="book_session")
        self.assertEqual(Task.objects.count(), 1)


class TeamOverdueTest(ConfideTestCase):
    def overdue(self, person, client, case, days=2):
        return new_task(by=None, kind="phone_client", title="Phone the client", client_id=client.pk, case_id=case.pk,
                        assigned_to_id=person.pk, due_on=today() - dt.timedelta(days=days))

    def test_a_manager_sees_their_teams_overdue_tasks_and_nobody_elses(self):
        late = self.overdue(self.same_team, self.client_record, self.case, days=3)
        later = self.overdue(self.assigned, self.client_record, self.case, days=1)
        new_task(by=None, kind="phone_client", title="Not yet due", client_id=self.client_record.pk,
                 case_id=self.case.pk, assigned_to_id=self.assigned.pk, due_on=today())
        self.overdue(self.other_team, self.p["other_client"], self.p["other_case"])  # the south team's
        found = team_overdue_tasks(self.manager)
        self.assertEqual([t.pk for t in found], [late.pk, later.pk])
        self.assertEqual([t.assigned_to.username for t in found], ["sameteam", "assigned"])
        # The team's client, whom a list names to their manager (DVIP: supervision).
        self.assertEqual({t.client_name for t in found}, {CLIENT_NAME})
        self.assertTrue(AuditEvent.objects.filter(action="tasks.team_overdue_listed", actor="manager").exists())
        # Not a manager: nothing (a worker's own list is my_tasks).
        self.assertEqual(team_overdue_tasks(self.assigned), [])
        self.assertEqual(team_overdue_tasks(self.trustee), [])

    def test_a_client_a_list_could_not_name_to_the_reader_is_not_named(self):
        # A task on the other team's client given to the north worker: they do not work with him.
        self.overdue(self.assigned, self.p["other_client"], self.p["other_case"])
        listed = my_tasks(self.assigned)
        self.assertEqual([t.client_name for t in listed], [""])
        event = AuditEvent.objects.filter(action="tasks.listed").latest("seq")
        self.assertEqual(json.loads(event.detail)["client_ids"], [])

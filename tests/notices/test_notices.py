"""In-app notices and the daily reminder (issue 13, point 2): told once per thing, never a client's
name or number in the words; opened and marked read only by their owner; `confide remind` tells the
workers on a client's open case that a consent they rely on is ending and, where the organisation
has chosen it, emails each person with something new waiting ONE message carrying only the count and
the site's address, never twice for the same notices."""

from __future__ import annotations

import datetime as dt
import io
from contextlib import redirect_stderr, redirect_stdout

from django.core import mail
from django.test import override_settings
from django.utils import timezone

from confide.accounts.models import Organisation
from confide.audit.models import AuditEvent
from confide.cli import main as confide_main
from confide.notices.models import Notice
from confide.notices.services import (
    NoticeError,
    do_email_reminders,
    do_mark_all_read,
    do_mark_read,
    notify,
    unread_count,
)
from confide.records.models import Case
from confide.sharing.consent import Given, do_record_consent
from tests.base import CLIENT_NAME, OTHER_CLIENT_NAME, ConfideTestCase

SITE = "https://confide.example.org/"
WORDS = "A task has been given to you"


def told(user) -> list[str]:
    return list(Notice.objects.filter(user=user).order_by("id").values_list("words", flat=True))


class NotifyTest(ConfideTestCase):
    def test_a_thing_is_told_once_to_each_person(self):
        first = notify(self.assigned, Notice.Kind.TASK_ASSIGNED, WORDS, link="/tasks/7/", object_type="task",
                       object_id=7)
        again = notify(self.assigned, Notice.Kind.TASK_ASSIGNED, WORDS, link="/tasks/7/", object_type="task",
                       object_id=7)
        other = notify(self.same_team, Notice.Kind.TASK_ASSIGNED, WORDS, object_type="task", object_id=7)
        self.assertIsNotNone(first)
        self.assertIsNone(again)
        self.assertIsNotNone(other)
        self.assertEqual((unread_count(self.assigned), unread_count(self.same_team)), (1, 1))
        self.assertIsNone(notify(None, Notice.Kind.TASK_ASSIGNED, WORDS))

    def test_what_a_notice_may_hold_is_checked(self):
        for kwargs in ({"kind": "gossip", "words": WORDS}, {"kind": Notice.Kind.TASK_ASSIGNED, "words": ""},
                       {"kind": Notice.Kind.TASK_ASSIGNED, "words": "x" * 201},
                       {"kind": Notice.Kind.TASK_ASSIGNED, "words": WORDS, "link": "https://elsewhere.example/"},
                       {"kind": Notice.Kind.TASK_ASSIGNED, "words": WORDS, "link": "//elsewhere.example/"}):
            with self.subTest(**kwargs), self.assertRaises(ValueError):
                notify(self.assigned, **kwargs)
        self.assertFalse(Notice.objects.exists())

    def test_only_its_owner_marks_a_notice_read_and_it_is_recorded(self):
        mine = notify(self.assigned, Notice.Kind.TASK_ASSIGNED, WORDS)
        notify(self.assigned, Notice.Kind.TASK_ASSIGNED, WORDS)
        for who, pk in ((self.same_team, mine.pk), (self.assigned, 999999), (self.assigned, "x")):
            with self.subTest(who=who.username, pk=pk), self.assertRaises(NoticeError) as caught:
                do_mark_read(who, pk)
            self.assertEqual(caught.exception.status, 404)
        self.assertEqual(unread_count(self.assigned), 2)
        do_mark_read(self.assigned, mine.pk)
        do_mark_read(self.assigned, mine.pk)  # again: nothing more to record
        self.assertEqual(unread_count(self.assigned), 1)
        self.assertEqual(AuditEvent.objects.filter(action="notice.read", actor="assigned").count(), 1)
        self.assertEqual(do_mark_all_read(self.assigned), 1)
        self.assertEqual(unread_count(self.assigned), 0)
        self.assertEqual(do_mark_all_read(self.assigned), 0)
        self.assertEqual(AuditEvent.objects.filter(action="notices.all_read").count(), 1)


class EmailTest(ConfideTestCase):
    def choose_email(self, on: bool = True):
        organisation = Organisation.objects.get(pk=1)
        organisation.email_reminders = on
        organisation.save()

    def setUp(self):
        for user in (self.assigned, self.same_team):
            user.email = f"{user.username}@example.org"
            user.save(update_fields=["email"])

    def test_no_email_unless_the_organisation_chose_it(self):
        notify(self.assigned, Notice.Kind.TASK_ASSIGNED, WORDS)
        self.assertEqual(do_email_reminders(SITE), (0, 0))
        self.assertEqual(mail.outbox, [])

    def test_one_email_each_with_the_count_and_the_address_only_and_never_twice(self):
        self.choose_email()
        notify(self.assigned, Notice.Kind.TASK_ASSIGNED, WORDS)
        notify(self.assigned, Notice.Kind.REQUEST_APPROVED, "Your request to share information was approved",
               link=f"/disclosures/{self.client_record.pk}/")
        notify(self.same_team, Notice.Kind.TASK_ASSIGNED, WORDS)
        read = notify(self.same_team, Notice.Kind.LINK_DOWNLOADED, "A secure link you issued was downloaded")
        do_mark_read(self.same_team, read.pk)
        self.assertEqual(do_email_reminders(SITE), (2, 0))
        emails = {m.to[0]: m for m in mail.outbox}
        self.assertEqual(set(emails), {"assigned@example.org", "sameteam@example.org"})
        self.assertEqual(emails["assigned@example.org"].subject, "Confide: you have 2 things waiting")
        self.assertEqual(emails["sameteam@example.org"].subject, "Confide: you have 1 thing waiting")
        for message in mail.outbox:
            whole = f"{message.subject}\n{message.body}"
            self.assertIn(SITE, message.body)
            for secret in (CLIENT_NAME, OTHER_CLIENT_NAME, "approved", "downloaded", "/disclosures/", "/tasks/"):
                self.assertNotIn(secret, whole)
            self.assertNotRegex(whole, r"\bclient\b")
        # The next run: nothing new, nobody emailed again.
        self.assertEqual(do_email_reminders(SITE), (0, 0))
        self.assertEqual(len(mail.outbox), 2)
        # Something new: one more email, counting everything still unread.
        notify(self.assigned, Notice.Kind.TASK_ASSIGNED, WORDS)
        self.assertEqual(do_email_reminders(SITE), (1, 0))
        self.assertEqual(mail.outbox[-1].subject, "Confide: you have 3 things waiting")
        self.assertEqual(AuditEvent.objects.filter(action="notices.emailed").count(), 3)

    def test_someone_without_an_address_or_no_longer_here_is_not_emailed(self):
        self.choose_email()
        self.same_team.is_active = False
        self.same_team.save(update_fields=["is_active"])
        notify(self.same_team, Notice.Kind.TASK_ASSIGNED, WORDS)
        notify(self.manager, Notice.Kind.TASK_ASSIGNED, WORDS)  # no email address
        self.assertEqual(do_email_reminders(SITE), (0, 0))
        self.assertEqual(mail.outbox, [])


@override_settings(EMAIL_BACKEND="django.core.mail.backends.locmem.EmailBackend")
class RemindCommandTest(ConfideTestCase):
    def consent(self, ends_in: int, client=None, service=None):
        today = timezone.localdate()
        return do_record_consent(self.assigned, self.p["pack"], "Test Support Service", client or self.client_record,
                                 service or self.case.service,
                                 Given(recipients=["police"], agencies=[], data=["case_notes"], purposes=["liaison"],
                                       how="written", has_capacity=True, informed=True, free_from_duress=True,
                                       given_on=today - dt.timedelta(days=30),
                                       expires_on=today + dt.timedelta(days=ends_in)))

    def remind(self, *args) -> tuple[int, str]:
        out = io.StringIO()
        with redirect_stdout(out):
            code = confide_main(["remind", "--site", SITE, *args])
        return code, out.getvalue()

    def test_the_workers_on_an_open_case_are_told_a_consent_is_ending_once_and_without_the_clients_name(self):
        ending = self.consent(10)
        self.p["case"].workers.add(self.same_team)
        code, out = self.remind()
        self.assertEqual(code, 0)
        self.assertIn("2 new notices", out)
        day = ending.expires_on
        words = f"A consent you rely on ends on {day.day} {day:%B %Y}"
        self.assertEqual(told(self.assigned), [words])
        self.assertEqual(told(self.same_team), [words])
        self.assertFalse(Notice.objects.filter(user__in=[self.manager, self.other_team]).exists())
        notice = Notice.objects.filter(user=self.assigned).get()
        self.assertEqual(notice.link, f"/consents/{ending.pk}/")
        self.assertNotIn(CLIENT_NAME, notice.words)
        # The next day's run tells nobody again.
        self.assertIn("0 new notices", self.remind("--on", (timezone.localdate() + dt.timedelta(days=1)).isoformat())[1])
        self.assertEqual(Notice.objects.count(), 2)

    def test_far_off_ended_or_closed_case_consents_tell_nobody_and_on_moves_the_window(self):
        far = self.consent(40)
        self.remind()
        self.assertEqual(Notice.objects.count(), 0)
        # Run as of a later day, the same consent is within the fortnight.
        on = far.expires_on - dt.timedelta(days=14)
        self.remind("--on", on.isoformat())
        self.assertEqual(told(self.assigned), [f"A consent you rely on ends on {far.expires_on.day} "
                                               f"{far.expires_on:%B %Y}"])
        Notice.objects.all().delete()
        Case.objects.filter(pk=self.case.pk).update(status=Case.Status.CLOSED)
        self.consent(5)
        self.remind()
        self.assertFalse(Notice.objects.exists(), "nobody works a closed case")

    def test_a_bad_date_is_one_line_not_a_traceback(self):
        err = io.StringIO()
        with redirect_stderr(err), self.assertRaises(SystemExit) as caught:
            confide_main(["remind", "--on", "next tuesday"])
        self.assertEqual(caught.exception.code, 2)
        self.assertIn("expected a date as YYYY-MM-DD", err.getvalue())

    def test_the_command_emails_when_chosen_with_no_client_data(self):
        organisation = Organisation.objects.get(pk=1)
        organisation.email_reminders = True
        organisation.save()
        self.assigned.email = "assigned@example.org"
        self.assigned.save(update_fields=["email"])
        self.consent(3)
        code, out = self.remind()
        self.assertEqual(code, 0)
        self.assertIn("Reminder emails sent: 1.", out)
        (message,) = mail.outbox
        self.assertEqual(message.subject, "Confide: you have 1 thing waiting")
        whole = f"{message.subject}\n{message.body}"
        for secret in (CLIENT_NAME, "consent", "/consents/", f"client {self.client_record.pk}"):
            self.assertNotIn(secret, whole)
        self.remind()
        self.assertEqual(len(mail.outbox), 1, "never twice for the same notices")


class ApproversToldTest(ConfideTestCase):
    def test_the_people_who_may_approve_are_told_a_request_waits_and_nobody_else_is(self):
        from django.urls import reverse

        from confide.sharing.disclosure import do_decide
        from tests.base import ask

        disclosure = ask(self.p)
        self.assertEqual(disclosure.status, "awaiting_approval")
        waiting = Notice.objects.filter(kind=Notice.Kind.APPROVAL_WAITING, object_id=disclosure.pk)
        told = set(waiting.values_list("user__username", flat=True))
        self.assertIn(self.p["manager"].username, told, "the team manager may approve it (DVIP)")
        self.assertNotIn(self.p["assigned"].username, told, "never the person who asked")
        self.assertNotIn(self.p["trustee"].username, told)
        notice = waiting.get(user=self.p["manager"])
        self.assertEqual(notice.link, reverse("web:approve", args=[disclosure.pk]))
        self.assertNotIn(CLIENT_NAME.split()[0], notice.words)
        # Decided: nobody is told again; the requester hears the outcome instead.
        do_decide(self.p["manager"], disclosure.pk, "approve", "Threshold met, share now.", "manager-password-1")
        self.assertEqual(waiting.count(), len(told))
        self.assertTrue(Notice.objects.filter(user=self.p["assigned"], kind=Notice.Kind.REQUEST_APPROVED).exists())

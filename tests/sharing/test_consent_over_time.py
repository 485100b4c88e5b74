"""Consent over time (issue 11, point 5): reminders of the right to withdraw at the interval the pack
sets (JustUs 5.4), consent to support asked for at intake (JustUs 5.5), and a referral taken only
with the family's consent (Home-Start 7.1)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.models import AuditEvent
from confide.records.cases import CaseError
from confide.records.models import Case, Client
from confide.sharing.cases import do_change_case, do_take_referral
from confide.sharing.consent import ConsentError, Given, do_record_consent, do_withdraw_consent
from confide.sharing.models import Consent, ConsentReminder, SupportConsent, Task
from confide.sharing.tasks import REMINDER, TaskError, do_finish_task
from tests.base import CLIENT_NAME, ConfideTestCase, clients_named

ORG = "Test Support Service"


def given(on: dt.date, **changes) -> Given:
    return Given(**{"recipients": ["police"], "agencies": [], "data": ["case_notes"], "purposes": ["liaison"],
                    "how": "written", "has_capacity": True, "informed": True, "free_from_duress": True,
                    "given_on": on, **changes})


class WithdrawalRemindersTest(ConfideTestCase):
    """JustUs 5.4: "Service users can withdraw consent at any time and should be regularly reminded
    of their right to do so." The pack sets every 90 days."""

    pack_name = "justus"

    def record(self, on=None, **changes):
        return do_record_consent(self.p["assigned"], self.p["pack"], ORG, self.p["client"], "justus",
                                 given(on or timezone.localdate(), **changes))

    def reminders(self, **filters):
        return Task.objects.filter(kind=REMINDER, **filters).order_by("id")

    def test_a_consent_brings_a_reminder_at_the_packs_interval_and_the_next_when_it_is_done(self):
        start = timezone.localdate() - dt.timedelta(days=100)
        consent = self.record(on=start)
        first = self.reminders().get()
        self.assertEqual((first.due_on, first.clause, first.assigned_to), (start + dt.timedelta(days=90), "5.4",
                                                                           self.p["assigned"]))
        self.assertIn("Remind the client they can withdraw their consent", first.title)
        self.assertNotIn(CLIENT_NAME, first.title)
        self.assertEqual(ConsentReminder.objects.get(task=first).consent, consent)
        # It is on the worker's list; a worker records it done, and the next one is made.
        self.sign_in("assigned")
        self.assertContains(self.client.get(reverse("web:tasks")), "Remind the client they can withdraw")
        do_finish_task(self.p["assigned"], first, "done", "Reminded at the session.")
        second = self.reminders(outcome="").get()
        self.assertEqual(second.due_on, timezone.localdate() + dt.timedelta(days=90))
        self.assertEqual(ConsentReminder.objects.get(task=second).consent, consent)

    def test_withdrawn_or_replaced_consent_needs_no_more_reminders(self):
        consent = self.record()
        do_withdraw_consent(self.p["assigned"], consent, timezone.localdate())
        closed = self.reminders().get()
        self.assertEqual(closed.outcome, "not_done")
        self.assertFalse(self.reminders(outcome="").exists())
        replaced = self.record()
        newer = self.record()
        self.assertEqual(self.reminders(outcome="").get().consent_reminder.consent, newer)
        self.assertEqual(self.reminders(consent_reminder__consent=replaced).get().outcome, "not_done")

    def test_a_consent_already_withdrawn_is_not_withdrawn_again_from_a_stale_copy(self):
        # JustUs 5.4: a withdrawal is recorded once. The check is made on the row, read again and
        # locked, not on the copy the caller holds: two withdrawals at once cannot both pass.
        consent = self.record()
        stale = Consent.objects.get(pk=consent.pk)
        do_withdraw_consent(self.p["assigned"], consent, timezone.localdate())
        self.assertIsNone(stale.withdrawn_on)
        with self.assertRaisesMessage(ConsentError, "already been withdrawn"):
            do_withdraw_consent(self.p["assigned"], stale, timezone.localdate())
        self.assertEqual(AuditEvent.objects.filter(action=Action.CONSENT_WITHDRAWN).count(), 1)

    def test_a_task_already_recorded_is_not_recorded_again_from_a_stale_copy(self):
        self.record()
        task = self.reminders().get()
        stale = Task.objects.get(pk=task.pk)
        do_finish_task(self.p["assigned"], task, "done", "Reminded at the session.")
        self.assertEqual(stale.outcome, "")
        with self.assertRaisesMessage(TaskError, "already been recorded"):
            do_finish_task(self.p["assigned"], stale, "done", "Reminded again.")
        self.assertEqual(AuditEvent.objects.filter(action=Action.TASK_FINISHED).count(), 1)
        self.assertEqual(self.reminders(outcome="").count(), 1)  # one next reminder, not two

    def test_a_reminder_done_after_the_consent_ended_makes_no_new_one(self):
        consent = self.record()
        task = self.reminders().get()
        Task.objects.filter(pk=task.pk).update(outcome="")  # still open on someone's list
        consent.withdrawn_on = timezone.localdate()
        consent.save(update_fields=["withdrawn_on"])
        do_finish_task(self.p["assigned"], Task.objects.get(pk=task.pk), "done", "")
        self.assertEqual(self.reminders().count(), 1)


class NoRemindersWithoutAnIntervalTest(ConfideTestCase):
    def test_a_pack_that_sets_no_interval_makes_no_reminder(self):
        Client.objects.filter(pk=self.p["client"].pk).update(subject_role="victim")
        self.p["client"].refresh_from_db()
        do_record_consent(self.p["assigned"], self.p["pack"], ORG, self.p["client"], "vpp",
                          given(timezone.localdate(), expires_on=timezone.localdate() + dt.timedelta(days=30)))
        self.assertFalse(Task.objects.filter(kind=REMINDER).exists())


class ConsentToSupportTest(ConfideTestCase):
    """JustUs 5.5: "All service users accessing JustUs services will be asked to consent to support
    and assistance being offered and provided. This will usually be in the form of a verbal
    agreement; however written consent may be sought for complex cases.\""""

    pack_name = "justus"

    def test_the_referral_asks_for_it_and_records_it(self):
        self.sign_in("assigned")
        page = self.client.get(reverse("web:new_referral"))
        self.assertContains(page, "Has the client agreed to support and assistance being offered and provided?")
        missing = self.client.post(reverse("web:new_referral"), {"name": "Rowan Tealby", "subject_role": "service_user",
                                                                 "service": "justus"})
        self.assertEqual(missing.status_code, 400)
        response = self.client.post(reverse("web:new_referral"), {
            "name": "Rowan Tealby", "subject_role": "service_user", "service": "justus", "support_consent": "verbal"})
        self.assertEqual(response.status_code, 302)
        client = clients_named("Rowan Tealby")[0]
        record = SupportConsent.objects.get(client=client)
        self.assertEqual((record.how, record.clause, record.recorded_by), ("verbal", "5.5", self.p["assigned"]))
        page = self.client.get(reverse("web:client_file", args=[client.pk]))
        self.assertContains(page, "Consent to support: given on")

    def test_not_yet_asked_is_prompted_on_the_file_and_recorded_there(self):
        self.sign_in("assigned")
        self.client.post(reverse("web:new_referral"), {"name": "Rowan Tealby", "subject_role": "service_user",
                                                       "service": "justus", "support_consent": "not_yet"})
        client = clients_named("Rowan Tealby")[0]
        self.assertFalse(SupportConsent.objects.exists())
        file_url = reverse("web:client_file", args=[client.pk])
        self.assertContains(self.client.get(file_url), "Ask <bdi>Rowan Tealby</bdi> to consent to support and assistance")
        url = reverse("web:support_consent", args=[client.pk])
        self.assertEqual(self.client.post(url, {"how": "written", "given_on": timezone.localdate().isoformat()}).status_code,
                         302)
        self.assertEqual(SupportConsent.objects.get(client=client).how, "written")
        self.assertNotContains(self.client.get(file_url), "Ask <bdi>Rowan Tealby</bdi> to consent to support")
        self.sign_in("other_team")
        self.assertEqual(self.client.get(url).status_code, 404)

    def test_a_case_is_opened_only_with_consent_to_support(self):
        case = do_take_referral(self.p["assigned"], name="Rowan Tealby", service="justus")
        with self.assertRaisesMessage(CaseError, "clause 5.5"):
            do_change_case(self.p["assigned"], case, Case.Status.OPEN, [])
        self.sign_in("assigned")
        self.client.post(reverse("web:support_consent", args=[case.client_id]),
                         {"how": "verbal", "given_on": timezone.localdate().isoformat()})
        do_change_case(self.p["assigned"], case, Case.Status.OPEN, [])
        self.assertEqual(Case.objects.get(pk=case.pk).status, "open")


class ReferralConsentTest(ConfideTestCase):
    """Home-Start 7.1: "The scheme accepts referrals only where the family has consented to the referral.\""""

    pack_name = "home_start"

    def test_a_referral_without_the_familys_consent_is_refused(self):
        with self.assertRaisesMessage(CaseError, "clause 7.1"):
            do_take_referral(self.p["assigned"], name="Rowan Tealby", service="home_start", subject_role="parent")
        self.sign_in("assigned")
        page = self.client.post(reverse("web:new_referral"), {"name": "Rowan Tealby", "subject_role": "parent",
                                                              "service": "home_start"})
        self.assertEqual(page.status_code, 400)
        self.assertContains(page, "A referral is taken only when the family has consented to it (clause 7.1).",
                            status_code=400)
        self.assertFalse(clients_named("Rowan Tealby"))

    def test_the_familys_consent_is_recorded_with_the_referral_and_shown_on_the_file(self):
        self.sign_in("assigned")
        response = self.client.post(reverse("web:new_referral"), {
            "name": "Rowan Tealby", "subject_role": "parent", "service": "home_start", "referral_consent": "on"})
        self.assertEqual(response.status_code, 302)
        case = Case.objects.get(client__in=clients_named("Rowan Tealby"))
        self.assertIs(case.referral_consent, True)
        self.assertContains(self.client.get(reverse("web:client_file", args=[case.client_id])),
                            "The family consented to the referral")

    def test_other_packs_do_not_ask(self):
        self.sign_in("assigned")
        self.assertNotContains(self.client.get(reverse("web:new_referral")), "Has the client agreed to support")

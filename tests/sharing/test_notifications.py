"""Notifications the packs require become tasks on the right lists, with their clauses: DVIP's
partner notifications as a VPP client moves through the programme, an urgent task when he threatens
a named person (3.10), Day-Mer's notice to maternity social work, and Home-Start's "family informed
of communications" (1.5)."""

from __future__ import annotations

import json

from django.urls import reverse

from confide.records.models import Case, Client
from confide.sharing.cases import do_change_case
from confide.sharing.models import Task
from tests.base import ConfideTestCase


class DvipNotificationsTest(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Client.objects.filter(pk=cls.p["client"].pk).update(subject_role="perpetrator")
        Case.objects.filter(pk=cls.p["case"].pk).update(status=Case.Status.REFERRAL)

    def test_each_stage_of_the_programme_is_told_to_the_partner(self):
        case = Case.objects.select_related("client").get(pk=self.p["case"].pk)
        assert case.service == "vpp"
        for status in ("assessment", "open", "suspended", "closed"):
            do_change_case(self.p["assigned"], case, status, [])
        tasks = Task.objects.filter(kind="partner_notification", client=self.p["client"]).order_by("id")
        self.assertEqual([t.clause for t in tasks], ["3.10"] * 4)
        self.assertIn("is being assessed", tasks[0].title)
        self.assertIn("completed or left", tasks[3].title)
        self.assertTrue(all(t.assigned_to == self.p["assigned"] for t in tasks))
        # Moving to the same stage again tells nobody anything new.
        do_change_case(self.p["assigned"], case, "closed", [])
        self.assertEqual(Task.objects.filter(kind="partner_notification").count(), 4)

    def test_a_threat_to_a_named_person_is_urgent_for_the_worker_and_their_manager(self):
        self.sign_in("assigned")
        page = self.client.get(reverse("web:sharing", args=[self.p["client"].pk]))
        self.assertContains(page, "The client has threatened a named person")
        response = self.client.post(reverse("web:report", args=[self.p["client"].pk]),
                                    {"report": "threat_to_named_person"})
        self.assertEqual(response.status_code, 200)
        urgent = Task.objects.filter(urgent=True)
        self.assertEqual({(t.kind, t.assigned_to.username) for t in urgent},
                         {("inform_person_threatened", "assigned"), ("notify_line_manager", "manager")})
        tasks = self.client.get(reverse("web:tasks")).content.decode()
        self.assertLess(tasks.index("Urgent"), tasks.index("Tell the person threatened"))

    def test_a_victims_file_offers_no_perpetrator_reports(self):
        Client.objects.filter(pk=self.p["client"].pk).update(subject_role="victim")
        self.sign_in("assigned")
        self.assertNotContains(self.client.get(reverse("web:sharing", args=[self.p["client"].pk])),
                               "threatened a named person")
        self.assertEqual(self.client.post(reverse("web:report", args=[self.p["client"].pk]),
                                          {"report": "threat_to_named_person"}).status_code, 400)
        self.assertFalse(Task.objects.exists())

    def test_someone_who_cannot_read_the_file_cannot_report_on_it(self):
        self.sign_in("other_team")
        self.assertEqual(self.client.post(reverse("web:report", args=[self.p["client"].pk]),
                                          {"report": "threat_to_named_person"}).status_code, 404)
        self.assertFalse(Task.objects.exists())


class DayMerNotificationsTest(ConfideTestCase):
    pack_name = "day_mer"

    def test_an_expectant_mother_who_uses_drugs_means_telling_maternity_social_work(self):
        self.sign_in("assigned")
        self.client.post(reverse("web:report", args=[self.p["client"].pk]), {"report": "expectant_mother_substance_use"})
        task = Task.objects.get()
        self.assertEqual((task.kind, task.clause), ("inform_maternity_social_work", "Confidentiality Policy"))


class HomeStartNotificationsTest(ConfideTestCase):
    pack_name = "home_start"

    def test_the_family_is_told_of_a_communication_with_another_agency(self):
        import datetime as dt

        from django.utils import timezone

        from confide.records.access import access_client_to_write
        from confide.sharing.consent import Given, do_record_consent
        from confide.sharing.disclosure import Asked, Recipient, do_record_sent, do_request_disclosure

        Client.objects.filter(pk=self.p["client"].pk).update(subject_role="parent")
        user = self.p["assigned"]
        do_record_consent(user, self.p["pack"], "Test Support Service", self.p["client"], "home_start", Given(
            recipients=["police"], agencies=[], data=["case_notes"], purposes=["safeguarding"], how="verbal",
            has_capacity=True, informed=True, free_from_duress=True,
            given_on=timezone.localdate() - dt.timedelta(days=1)))
        grant = access_client_to_write(user, self.p["client"].pk, "direct_support", action="client.sharing.write")
        disclosure = do_request_disclosure(user, self.p["pack"], grant, self.p["case"], Asked(
            recipient=Recipient(kind="police", name="Duty sergeant"), entries=[self.p["note"]], purpose="safeguarding",
            channel="phone", grounds=[], reason="The family asked us to pass this to the police."))
        self.assertEqual(disclosure.status, "ready", disclosure.answer)
        do_record_sent(user, disclosure.pk, "Told the duty sergeant by telephone at 10:05.")
        self.assertTrue(Task.objects.filter(kind="family_informed", clause="1.5", assigned_to=user).exists())

    # Home-Start 1.5 and 2.2: the family is told "unless this will impact on the safety or welfare of a child
    # or vulnerable adult"; never where telling would tip anyone off.
    def _send(self, recipient: str, grounds: list[str], purpose: str):
        from confide.records.access import access_client_to_write
        from confide.sharing import disclosure as sharing

        Client.objects.filter(pk=self.p["client"].pk).update(subject_role="parent")
        user = self.p["assigned"]
        grant = access_client_to_write(user, self.p["client"].pk, "direct_support", action="client.sharing.write")
        disclosure = sharing.do_request_disclosure(user, self.p["pack"], grant, self.p["case"], sharing.Asked(
            recipient=sharing.Recipient(kind=recipient, name="Duty officer"), entries=[self.p["note"]],
            purpose=purpose, channel="phone", grounds=grounds, reason="The threshold is met: see the note of today."))
        self.assertEqual(disclosure.status, "awaiting_approval", disclosure.answer)
        disclosure = sharing.do_decide(self.p["manager"], disclosure.pk, "approve", "The threshold is met, share now.",
                                       "manager-password-1")
        self.assertEqual(disclosure.status, "ready", disclosure.answer)
        sharing.do_record_sent(user, disclosure.pk, "Told the duty officer by telephone at 10:05.")
        return disclosure

    def _not_told(self, disclosure, clause: str, words: str):
        from confide.audit.models import AuditEvent
        from confide.sharing.tasks import outcome_note

        self.assertFalse(Task.objects.filter(kind="family_informed", outcome="").exists(),
                         "no task asks anyone to tell the family")
        task = Task.objects.get(kind="family_informed", disclosure=disclosure)
        self.assertEqual((task.outcome, task.clause), ("not_done", clause))
        self.assertIn(words, task.title)
        self.assertEqual(outcome_note(task), task.title)
        event = AuditEvent.objects.get(action="tasks.not_told", object_id=disclosure.pk)
        self.assertEqual(json.loads(event.detail)["reasons"], [task.title])
        # Whoever opens the request to share sees why the family was not told.
        self.sign_in("manager")
        page = self.client.get(reverse("web:disclosure", args=[disclosure.pk]) + "?purpose=supervision")
        self.assertContains(page, words)

    def test_a_safeguarding_referral_does_not_ask_for_the_family_to_be_told(self):
        disclosure = self._send("childrens_services", ["child_at_risk_of_significant_harm"], "child_protection")
        self._not_told(disclosure, "2.2", "a safeguarding referral")
        # Whether to tell them is the worker's decision under 2.2, which may be left undone with the reason.
        decide = Task.objects.get(kind="inform_subject_unless_increases_risk", disclosure=disclosure)
        self.assertTrue(decide.may_skip)

    def test_a_terrorism_report_never_tips_the_family_off(self):
        disclosure = self._send("police", ["terrorism"], "safeguarding")
        self._not_told(disclosure, "1.5", "Terrorism Act 2000 s.39")

    def test_a_money_laundering_report_never_tips_the_family_off(self):
        disclosure = self._send("police", ["money_laundering"], "safeguarding")
        self._not_told(disclosure, "1.5", "Proceeds of Crime Act 2002")

    def test_telling_the_family_may_be_left_undone_with_the_reason(self):
        from confide.sharing.tasks import TaskError, do_finish_task

        self.test_the_family_is_told_of_a_communication_with_another_agency()
        task = Task.objects.get(kind="family_informed")
        self.assertTrue(task.may_skip)
        self.assertIsNotNone(task.disclosure_id)
        with self.assertRaises(TaskError):
            do_finish_task(self.p["assigned"], task, "not_done", "")
        do_finish_task(self.p["assigned"], task, "not_done", "Telling them now would put the children at risk.")
        task.refresh_from_db()
        self.assertEqual(task.outcome, "not_done")

    def test_the_trustees_are_told_of_a_police_request_that_is_refused(self):
        # Home-Start 10.2: "the trustees are made aware of the request", whichever way it is answered:
        # a refused police request still leaves the task, with 10.2's clause and words.
        from confide.records.access import access_client_to_write
        from confide.sharing import disclosure as sharing

        Client.objects.filter(pk=self.p["client"].pk).update(subject_role="parent")
        user = self.p["assigned"]
        grant = access_client_to_write(user, self.p["client"].pk, "direct_support", action="client.sharing.write")
        disclosure = sharing.do_request_disclosure(user, self.p["pack"], grant, self.p["case"], sharing.Asked(
            recipient=sharing.Recipient(kind="police", name="Duty sergeant"), entries=[self.p["note"]],
            purpose="safeguarding", channel="phone", grounds=[], reason="The police asked for the family's file."))
        self.assertEqual(disclosure.status, "refused", disclosure.answer)
        task = Task.objects.get(disclosure=disclosure)
        self.assertEqual((task.kind, task.clause, task.assigned_to), ("inform_trustees", "10.2", user))
        self.assertIn("without naming the family", task.title)

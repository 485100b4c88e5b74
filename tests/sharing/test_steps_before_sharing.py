"""Steps a policy requires BEFORE information leaves are checks, not afterthoughts: nothing is sent
(no secure link, no "sent" record) until the worker has recorded each step with what was done, or,
where the policy lets it be skipped, why not. DVIP 3.08 and 4.01, Day-Mer's health and safety
breach, Derbyshire's children's guidance, JustUs 3.3."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from confide.audit.models import AuditEvent
from confide.partners.directory import do_add_agency
from confide.policy import load_pack
from confide.policy.steps import BEFORE_SENDING, required
from confide.records.access import access_client_to_write
from confide.records.models import Client
from confide.sharing.consent import Given, do_record_consent
from confide.sharing.disclosure import (
    Asked,
    DisclosureError,
    NotAllowed,
    Recipient,
    do_decide,
    do_make_link,
    do_record_sent,
    do_record_step,
    do_request_disclosure,
    step_note,
)
from confide.sharing.incoming import do_log_request, do_record_callback
from confide.sharing.models import Disclosure, DisclosureStep, SecureLink, Task
from tests.base import CLIENT_NAME, ConfideTestCase

EXPLORED = "Talked it through with the client on 3 March: she wants only her new address left out."
KNOWN = "01632 960200"  # the directory's number for the police (Ofcom's drama range)


def ask(p, *, recipient: Recipient, channel="secure_link", grounds=(), purpose="liaison", **more) -> Disclosure:
    grant = access_client_to_write(p["assigned"], p["client"].pk, "direct_support", action="client.sharing.write")
    return do_request_disclosure(p["assigned"], p["pack"], grant, p["case"], Asked(
        recipient=recipient, entries=[p["note"]], purpose=purpose, channel=channel, grounds=list(grounds),
        reason="Asked for as part of the support plan agreed with her.", **more))


def consent_to(p, kind: str, purposes=("liaison",)):
    given = Given(recipients=[kind], agencies=[], data=["case_notes"], purposes=list(purposes), how="written",
                  has_capacity=True, informed=True, free_from_duress=True, given_on=timezone.localdate(),
                  expires_on=timezone.localdate() + dt.timedelta(days=180))
    return do_record_consent(p["assigned"], p["pack"], "Test Support Service", p["client"], p["case"].service, given)


class PolicyStepsTest(ConfideTestCase):
    """Which steps an answer needs, with the clause that requires each (pure: confide.policy.steps)."""

    CONSENT = {"status": "given", "explicit": True, "written": True, "covers_recipient": True, "covers_data": True}

    def test_each_clause_names_its_step(self):
        dvip = load_pack("dvip")
        victim = {"action": "disclose", "subject": {"role": "victim", "has_capacity": True}, "data": ["case_notes"],
                  "recipient": {"kind": "partner_agency"}, "purpose": "liaison", "consent": self.CONSENT}
        self.assertEqual([(s["kind"], s["clause"]) for s in required(dvip, victim, dvip.decide(victim))],
                         [("explore_implications", "3.08")])
        referral = {**victim, "subject": {"role": "perpetrator", "has_capacity": True}, "purpose": "referral"}
        self.assertEqual([(s["kind"], s["clause"]) for s in required(dvip, referral, dvip.decide(referral))],
                         [("explain_consequences", "4.01")])
        day_mer = load_pack("day_mer")
        concern = {"action": "disclose", "subject": {"role": "service_user"}, "data": ["health"],
                   "recipient": {"kind": "gp"}, "grounds": ["risk_to_subject"]}
        self.assertEqual([(s["kind"], s["clause"]) for s in required(day_mer, concern, day_mer.decide(concern))],
                         [("inform_subject_before", "Confidentiality Policy")])
        justus = load_pack("justus")
        phoned = {"action": "disclose", "subject": {"role": "service_user"}, "data": ["identity"],
                  "recipient": {"kind": "police"}, "grounds": ["serious_crime"], "channel": "phone",
                  "requester_identity_verified": True}
        self.assertEqual([(s["kind"], s["clause"]) for s in required(justus, phoned, justus.decide(phoned))],
                         [("verify_requester_identity", "3.3")])
        # Not by telephone: 3.3 asks for nothing; a refusal needs no steps (nothing goes).
        posted = {**phoned, "channel": "post"}
        self.assertEqual(required(justus, posted, justus.decide(posted)), [])
        unchecked = {**phoned, "requester_identity_verified": False}
        self.assertEqual(required(justus, unchecked, justus.decide(unchecked)), [])

    def test_only_telling_first_where_it_raises_the_risk_may_be_skipped(self):
        self.assertEqual({k for k, s in BEFORE_SENDING.items() if s.may_skip},
                         {"inform_subject_before_unless_increases_risk"})
        self.assertTrue(BEFORE_SENDING["verify_requester_identity"].needs_number)


class DvipExploreFirstTest(ConfideTestCase):
    """DVIP 3.08: "we will explore with her/him the possible implications of such disclosure before
    it is made"."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Client.objects.filter(pk=cls.p["client"].pk).update(subject_role="victim")
        cls.p["client"].refresh_from_db()
        consent_to(cls.p, "partner_agency")

    def ready(self, channel="secure_link") -> Disclosure:
        disclosure = ask(self.p, recipient=Recipient(kind="partner_agency", name="Larkspur Housing Trust"),
                         channel=channel)
        self.assertEqual(disclosure.status, Disclosure.Status.READY, disclosure.answer["reasons"])
        return disclosure

    def test_no_link_until_the_implications_are_explored_then_it_goes(self):
        disclosure = self.ready()
        self.assertEqual(disclosure.before_sending[0]["kind"], "explore_implications")
        with self.assertRaisesMessage(NotAllowed, "Before this can be sent, record that you explored with the client "
                                                  "what sharing could mean."):
            do_make_link(self.p["assigned"], disclosure.pk)
        disclosure.refresh_from_db()
        self.assertEqual(disclosure.status, Disclosure.Status.READY)
        self.assertFalse(SecureLink.objects.exists())
        # Not an afterthought either: no task is made for a step done before.
        self.assertFalse(Task.objects.filter(disclosure=disclosure, kind="explore_implications").exists())
        step = do_record_step(self.p["assigned"], disclosure.pk, "explore_implications", "done", EXPLORED)
        self.assertEqual((step.clause, step.outcome, step.done_by), ("3.08", "done", self.p["assigned"]))
        self.assertNotIn(b"new address", bytes(step.note_sealed))  # sealed under the client's key
        self.assertEqual(step_note(disclosure, step), EXPLORED)
        event = AuditEvent.objects.get(action="disclosure.step_recorded")
        self.assertEqual(event.object_id, str(disclosure.pk))
        detail = json.loads(event.detail)
        self.assertEqual((detail["step"], detail["clause"], detail["outcome"]), ("explore_implications", "3.08", "done"))
        self.assertNotIn("new address", event.detail)
        self.assertNotIn(CLIENT_NAME, event.detail)
        _link, token = do_make_link(self.p["assigned"], disclosure.pk)
        self.assertTrue(token)
        disclosure.refresh_from_db()
        # Issue 13: a link made is not yet sent; the first download sends it (tests/sharing/test_links_not_lost.py).
        self.assertEqual(disclosure.status, Disclosure.Status.READY)

    def test_nothing_is_recorded_as_sent_before_either(self):
        disclosure = self.ready(channel="post")
        with self.assertRaisesMessage(NotAllowed, "explored with the client what sharing could mean"):
            do_record_sent(self.p["assigned"], disclosure.pk, "Posted to the trust's office today.")
        disclosure.refresh_from_db()
        self.assertIsNone(disclosure.sent_at)
        # A colleague who may work on the case may record it: who did is kept.
        do_record_step(self.p["same_team"], disclosure.pk, "explore_implications", "done", EXPLORED)
        do_record_sent(self.p["assigned"], disclosure.pk, "Posted to the trust's office today.")
        self.assertEqual(DisclosureStep.objects.get().done_by, self.p["same_team"])

    def test_a_step_needs_a_real_note_cannot_be_skipped_and_is_recorded_once(self):
        disclosure = self.ready()
        for note in ("", "   ...   !!!  ", "a. b. c. d. e. f."):
            with self.assertRaisesMessage(DisclosureError, "say what was done") as raised:
                do_record_step(self.p["assigned"], disclosure.pk, "explore_implications", "done", note)
            self.assertEqual((raised.exception.field, raised.exception.code), ("note", "reason_too_short"))
        with self.assertRaisesMessage(DisclosureError, "the policy does not allow this step to be skipped"):
            do_record_step(self.p["assigned"], disclosure.pk, "explore_implications", "skipped",
                           "She was not reachable this week.")
        with self.assertRaisesMessage(DisclosureError, "does not ask for that step"):
            do_record_step(self.p["assigned"], disclosure.pk, "explain_consequences", "done", EXPLORED)
        self.assertFalse(DisclosureStep.objects.exists())
        do_record_step(self.p["assigned"], disclosure.pk, "explore_implications", "done", EXPLORED)
        with self.assertRaisesMessage(NotAllowed, "already been recorded"):
            do_record_step(self.p["same_team"], disclosure.pk, "explore_implications", "done", EXPLORED)


class DvipReferringOnTest(ConfideTestCase):
    """DVIP 4.01: "Clients should be told of the exact criteria and information requirements of
    these organisations"."""

    def test_a_referral_waits_for_the_criteria_to_be_explained(self):
        consent_to(self.p, "partner_agency", purposes=("referral",))
        disclosure = ask(self.p, recipient=Recipient(kind="partner_agency", name="Larkspur Housing Trust"),
                         purpose="referral")
        self.assertEqual([(s["kind"], s["clause"]) for s in disclosure.before_sending], [("explain_consequences", "4.01")])
        with self.assertRaisesMessage(NotAllowed, "explained to the client what the receiving organisation asks for"):
            do_make_link(self.p["assigned"], disclosure.pk)
        do_record_step(self.p["assigned"], disclosure.pk, "explain_consequences", "done",
                       "Told him the trust asks for full details, including any criminal record.")
        do_make_link(self.p["assigned"], disclosure.pk)


class DerbyshireTellFirstUnlessRiskTest(ConfideTestCase):
    """Derbyshire, children: explain first "what and how information will, or could be shared and
    why ... The exception to this is where to do so would put that child ... at increased risk"."""

    pack_name = "derbyshire"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        Client.objects.filter(pk=cls.p["client"].pk).update(subject_role="parent")

    def ask_for_child(self) -> Disclosure:
        disclosure = ask(self.p, recipient=Recipient(kind="childrens_services", name="Duty desk"),
                         grounds=("child_at_risk_of_significant_harm",), purpose="child_protection")
        self.assertEqual(disclosure.status, Disclosure.Status.AWAITING_APPROVAL, disclosure.answer["reasons"])
        return disclosure

    def test_skipped_with_the_reason_where_telling_would_raise_the_risk(self):
        disclosure = self.ask_for_child()
        self.assertEqual([s["kind"] for s in disclosure.before_sending], ["inform_subject_before_unless_increases_risk"])
        # Recorded while it waits for approval; the reason is required.
        with self.assertRaisesMessage(DisclosureError, "say why it was not done") as raised:
            do_record_step(self.p["assigned"], disclosure.pk, "inform_subject_before_unless_increases_risk",
                           "skipped", "risky")
        self.assertEqual(raised.exception.field, "note")
        step = do_record_step(self.p["assigned"], disclosure.pk, "inform_subject_before_unless_increases_risk",
                              "skipped", "Her partner reads her messages; telling her first would put the children "
                                         "at greater risk tonight.")
        self.assertEqual(step.get_outcome_display(), "Not done, with the reason")
        do_decide(self.p["manager"], disclosure.pk, "approve", "Threshold met; agree not to tell her first.",
                  "manager-password-1")
        # Told before or not, it is not also left as an after-the-fact task.
        self.assertFalse(Task.objects.filter(disclosure=disclosure, kind__startswith="inform_subject").exists())
        do_make_link(self.p["assigned"], disclosure.pk)

    def test_approved_but_not_yet_told_it_does_not_go(self):
        disclosure = self.ask_for_child()
        do_decide(self.p["manager"], disclosure.pk, "approve", "Threshold met for a referral.", "manager-password-1")
        with self.assertRaisesMessage(NotAllowed, "record that you told the client first, or why telling them would "
                                                  "raise the risk"):
            do_make_link(self.p["assigned"], disclosure.pk)


class DayMerTellFirstTest(ConfideTestCase):
    """Day-Mer: "the staff member will inform the client that they will not be able to safeguard
    confidentiality and, if necessary will inform the appropriate agencies": the client first, and
    the policy makes no exception."""

    pack_name = "day_mer"

    def test_the_client_is_told_first_and_it_cannot_be_skipped(self):
        disclosure = ask(self.p, recipient=Recipient(kind="gp", name="Larkspur Surgery"), grounds=("risk_to_subject",),
                         purpose="safeguarding")
        self.assertEqual([(s["kind"], s["clause"]) for s in disclosure.before_sending],
                         [("inform_subject_before", "Confidentiality Policy")])
        with self.assertRaisesMessage(DisclosureError, "does not allow this step to be skipped"):
            do_record_step(self.p["assigned"], disclosure.pk, "inform_subject_before", "skipped",
                           "Telling him would raise the risk to his children.")
        do_record_step(self.p["assigned"], disclosure.pk, "inform_subject_before", "done",
                       "Told him at the drop-in that I cannot keep this confidential, and why.")
        self.assertEqual(DisclosureStep.objects.get().clause, "Confidentiality Policy")


class JustUsCallBackStepTest(ConfideTestCase):
    """JustUs 3.3: "If inquiries are made by telephone, workers should take the details of the
    inquirer and phone back": the call back, with the number called and when, is kept with the
    request, and nothing is said until it is."""

    pack_name = "justus"

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.police = do_add_agency(cls.p["manager"], name="Eastmere Police", kind="police", known_phone=KNOWN)

    def ask_police(self, **more) -> Disclosure:
        disclosure = ask(self.p, recipient=Recipient(kind="police", agency=self.police), channel="phone",
                         grounds=("serious_crime",), **more)
        self.assertEqual(disclosure.status, Disclosure.Status.AWAITING_APPROVAL, disclosure.answer["reasons"])
        do_decide(self.p["same_team"], disclosure.pk, "approve", "Serious crime: the threshold is met.",
                  "sameteam-password-1")
        return disclosure

    def test_the_tick_with_the_number_is_the_stored_call_back(self):
        before = timezone.now()
        disclosure = self.ask_police(identity_verified=True, callback_number=" 01632  960200 ")
        step = DisclosureStep.objects.get(disclosure=disclosure)
        self.assertEqual((step.kind, step.clause, step.number, step.done_by), ("verify_requester_identity", "3.3",
                                                                             KNOWN, self.p["assigned"]))
        self.assertGreaterEqual(step.done_at, before)
        do_record_sent(self.p["assigned"], disclosure.pk, "Told DC Rayne by telephone at 10:05.")

    def test_the_call_back_must_be_to_the_directorys_number(self):
        with self.assertRaisesMessage(DisclosureError, "call back on the number in the directory") as raised:
            ask(self.p, recipient=Recipient(kind="police", agency=self.police), channel="phone",
                grounds=("serious_crime",), identity_verified=True, callback_number="07700 900555")
        self.assertEqual(raised.exception.field, "callback_number")
        self.assertFalse(Disclosure.objects.exists())

    def test_a_tick_without_the_number_leaves_the_call_back_to_record_before_anything_is_said(self):
        disclosure = self.ask_police(identity_verified=True)
        with self.assertRaisesMessage(NotAllowed, "record that you called the person asking back on a known number"):
            do_record_sent(self.p["assigned"], disclosure.pk, "Told DC Rayne by telephone at 10:05.")
        with self.assertRaisesMessage(DisclosureError, "give the number you called back on") as raised:
            do_record_step(self.p["assigned"], disclosure.pk, "verify_requester_identity", "done",
                           "Spoke to the duty sergeant, who confirmed DC Rayne.")
        self.assertEqual(raised.exception.field, "number")
        do_record_step(self.p["assigned"], disclosure.pk, "verify_requester_identity", "done",
                       "Spoke to the duty sergeant, who confirmed DC Rayne.", KNOWN)
        do_record_sent(self.p["assigned"], disclosure.pk, "Told DC Rayne by telephone at 10:05.")

    def test_the_call_back_on_a_request_from_outside_goes_with_the_answer(self):
        logged = do_log_request(self.p["assigned"], self.p["pack"], self.p["client"], requester_kind="police",
                                agency=self.police, how="phone",
                                details="DC Hollis Rayne rang asking about an assault at the centre.")
        do_record_callback(self.p["same_team"], logged, number=KNOWN, confirmed=True)
        logged.refresh_from_db()
        disclosure = self.ask_police(incoming=logged)
        step = DisclosureStep.objects.get(disclosure=disclosure)
        self.assertEqual((step.number, step.done_by, step.done_at), (KNOWN, self.p["same_team"], logged.verified_at))
        logged.refresh_from_db()
        self.assertEqual(logged.disclosure, disclosure)
        do_record_sent(self.p["assigned"], disclosure.pk, "Told DC Rayne by telephone at 10:05.")

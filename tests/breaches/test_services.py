"""The breach register's writes: what they refuse, in words, beside the field; what they record; and
that the audit log holds no word of what happened."""

from __future__ import annotations

import datetime as dt
import json

from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.models import AuditEvent
from confide.breaches import access as gate
from confide.breaches import services
from confide.breaches.models import Breach
from confide.records.break_glass import do_open_outside, do_review_break_glass
from tests.base import ConfideTestCase
from tests.breaches.helpers import WHAT, record


class RecordTests(ConfideTestCase):
    def new(self, **changes):
        base = {"aware_at": timezone.now() - dt.timedelta(hours=1), "aware_zone": "Europe/London",
                "what_happened": WHAT, "data_categories": ["case_notes"], "people_affected": None, "risk": "risk"}
        return services.NewBreach(**(base | changes))

    def refused(self, field: str, **changes) -> str:
        with self.assertRaises(services.BreachError) as raised:
            services.do_record_breach(self.p["manager"], self.p["pack"], self.new(**changes))
        self.assertEqual(raised.exception.field, field)
        return raised.exception.sentence()

    def test_a_moment_beyond_a_few_minutes_in_the_future_is_refused(self):
        said = self.refused("aware_date", aware_at=timezone.now() + dt.timedelta(minutes=10))
        self.assertIn("in the future", said)
        services.do_record_breach(self.p["manager"], self.p["pack"], self.new(
            aware_at=timezone.now() + dt.timedelta(minutes=2)))  # a watch a little fast

    def test_bad_facts_are_refused_in_words(self):
        self.assertIn("what happened", self.refused("what_happened", what_happened="   "))
        self.assertIn("at least one", self.refused("data_categories", data_categories=[]))
        self.assertIn("from the list", self.refused("data_categories", data_categories=["gossip"]))
        self.assertIn("in figures", self.refused("people_affected", people_affected=0))
        self.assertIn("risk", self.refused("risk", risk="medium"))
        self.assertIn("six years", self.refused("aware_date", aware_at=timezone.now() - dt.timedelta(days=3000)))

    def test_recorded_sealed_and_audited_without_its_words(self):
        breach = services.do_record_breach(self.p["manager"], self.p["pack"], self.new(client_ids=[7, 7, 12]))
        breach = Breach.objects.get(pk=breach.pk)
        self.assertEqual(breach.what_happened, WHAT)
        self.assertNotIn(WHAT.encode(), bytes(breach.what_sealed))
        self.assertEqual(breach.client_ids, [7, 12])
        self.assertEqual(breach.ico_deadline - breach.aware_at, dt.timedelta(hours=72))
        event = AuditEvent.objects.get(action=Action.BREACH_RECORDED)
        self.assertNotIn("Quentin", event.detail)
        self.assertNotIn("Larkspur", "".join(AuditEvent.objects.values_list("detail", flat=True)))

    def test_a_breach_from_a_break_glass_review_marked_concern(self):
        _client, glass = do_open_outside(self.p["same_team"], self.p["other_client"].pk, "emergency",
                                         "Client rang in crisis; worker on leave.")
        reviewer = self.p["data_controller"]
        with self.assertRaises(services.BreachError):  # not marked as a concern yet
            services.do_record_breach(reviewer, self.p["pack"], self.new(opened_from=glass.pk))
        do_review_break_glass(reviewer, glass, "concern", "Looked at more than was needed.")
        breach = services.do_record_breach(reviewer, self.p["pack"], self.new(opened_from=glass.pk))
        self.assertEqual(breach.opened_from_id, glass.pk)
        with self.assertRaises(services.BreachError) as raised:  # a worker cannot claim someone's review
            services.do_record_breach(self.p["assigned"], self.p["pack"], self.new(opened_from=glass.pk))
        self.assertEqual(raised.exception.field, "opened_from")

    def test_a_breach_from_a_review_was_known_of_by_the_review_at_the_latest(self):
        # Art 33(1): the 72 hours run from awareness, and the review that marked the concern is when the
        # organisation knew at the latest: a later moment, which would put the deadline off, is refused.
        _client, glass = do_open_outside(self.p["same_team"], self.p["other_client"].pk, "emergency",
                                         "Client rang in crisis; worker on leave.")
        reviewer = self.p["data_controller"]
        do_review_break_glass(reviewer, glass, "concern", "Looked at more than was needed.")
        glass.refresh_from_db()
        with self.assertRaises(services.BreachError) as raised:
            services.do_record_breach(reviewer, self.p["pack"], self.new(
                opened_from=glass.pk, aware_at=glass.reviewed_at + dt.timedelta(minutes=1)))
        self.assertEqual((raised.exception.field, raised.exception.code), ("aware_date", "after_review"))
        self.assertIn(f"break-glass review {glass.pk}", raised.exception.message)
        breach = services.do_record_breach(reviewer, self.p["pack"], self.new(opened_from=glass.pk,
                                                                              aware_at=glass.reviewed_at))
        self.assertEqual(breach.ico_deadline, glass.reviewed_at + dt.timedelta(hours=72))


class DecisionTests(ConfideTestCase):
    def setUp(self):
        self.controller = self.p["data_controller"]

    def found(self, breach):
        return gate.access_breach(self.controller, breach.pk, write=True)

    def test_not_reporting_needs_its_rationale(self):
        breach = record(self.p["manager"], self.p["pack"], risk="none")
        with self.assertRaises(services.BreachError) as raised:
            services.do_decide_ico(self.controller, self.found(breach), "not_report", "  ")
        self.assertEqual(raised.exception.field, "ico_rationale")
        self.assertIn("Art 33(5)", raised.exception.message)
        services.do_decide_ico(self.controller, self.found(breach), "not_report", "Encrypted laptop, key kept apart.")
        breach.refresh_from_db()
        self.assertEqual((breach.ico_decision, breach.delay_reason), ("not_report", ""))

    def test_a_decision_after_72_hours_needs_the_reason_for_the_delay(self):
        breach = record(self.p["manager"], self.p["pack"], hours_ago=80, risk="none")
        with self.assertRaises(services.BreachError) as raised:
            services.do_decide_ico(self.controller, self.found(breach), "not_report", "No risk after all.")
        self.assertEqual(raised.exception.field, "delay_reason")
        services.do_decide_ico(self.controller, self.found(breach), "not_report", "No risk after all.",
                               delay_reason="The letter came back only on the fourth day.")

    def test_a_breach_that_is_a_risk_cannot_be_decided_not_reported(self):
        # Art 33(1): reported "unless the breach is unlikely to result in a risk".
        for risk in ("risk", "high"):
            breach = record(self.p["manager"], self.p["pack"], risk=risk)
            with self.assertRaises(services.BreachError) as raised:
                services.do_decide_ico(self.controller, self.found(breach), "not_report", "We would rather not.")
            self.assertEqual((raised.exception.field, raised.exception.code), ("ico_decision", "must_report"), risk)
            self.assertIn("Art 33(1)", raised.exception.message)
            breach.refresh_from_db()
            self.assertEqual(breach.ico_decision, "", risk)

    def test_finding_a_risk_after_deciding_not_to_report_reopens_the_decision(self):
        breach = record(self.p["manager"], self.p["pack"], risk="none")
        services.do_decide_ico(self.controller, self.found(breach), "not_report", "Envelope returned unopened.")
        services.do_reassess(self.controller, self.p["pack"], self.found(breach), ["case_notes"], 3, "risk")
        breach.refresh_from_db()
        self.assertEqual((breach.ico_decision, breach.ico_decided_at), ("", None), "the decision is to make again")
        with self.assertRaises(services.BreachError) as raised:
            services.do_close(self.controller, self.found(breach))
        self.assertIn("ICO decision", raised.exception.message)
        services.do_decide_ico(self.controller, self.found(breach), "report", "A risk after all.",
                               reported_at=timezone.now(), reference="ICO/00001")
        breach.refresh_from_db()
        self.assertEqual(breach.ico_decision, "report")

    def test_a_report_made_after_the_deadline_needs_the_reason_even_if_decided_in_time(self):
        breach = record(self.p["manager"], self.p["pack"], hours_ago=10)
        late = breach.aware_at + dt.timedelta(hours=73)
        with self.assertRaises(services.BreachError) as raised:
            services.do_decide_ico(self.controller, self.found(breach), "report", "Health data.",
                                   reported_at=late, now=late + dt.timedelta(minutes=1))
        self.assertEqual(raised.exception.field, "delay_reason")
        on_time = breach.aware_at + dt.timedelta(hours=71)
        services.do_decide_ico(self.controller, self.found(breach), "report", "Health data.", reported_at=on_time,
                               now=on_time + dt.timedelta(minutes=1), reference="IC-000-0000")
        breach.refresh_from_db()
        self.assertEqual(breach.reported_at, on_time)

    def test_a_report_before_becoming_aware_or_in_the_future_is_refused(self):
        breach = record(self.p["manager"], self.p["pack"])
        for when in (breach.aware_at - dt.timedelta(hours=1), timezone.now() + dt.timedelta(hours=1)):
            with self.assertRaises(services.BreachError) as raised:
                services.do_decide_ico(self.controller, self.found(breach), "report", "Health data.", reported_at=when)
            self.assertEqual(raised.exception.field, "reported_date")

    def test_a_high_risk_breach_closes_only_once_the_people_told_are_recorded(self):
        breach = record(self.p["manager"], self.p["pack"], risk="high")
        services.do_decide_ico(self.controller, self.found(breach), "report", "High risk.",
                               reported_at=timezone.now() - dt.timedelta(minutes=5))
        with self.assertRaises(services.BreachError) as raised:
            services.do_close(self.controller, self.found(breach))
        self.assertIn("the people affected", raised.exception.message)
        with self.assertRaises(services.BreachError) as raised:
            services.do_record_people_told(self.controller, self.found(breach), "not_told", exception="")
        self.assertEqual(raised.exception.field, "not_told_exception")
        with self.assertRaises(services.BreachError) as raised:
            services.do_record_people_told(self.controller, self.found(breach), "told",
                                           told_on=timezone.localdate() + dt.timedelta(days=2), how="By letter")
        self.assertEqual(raised.exception.field, "told_on")
        services.do_record_people_told(self.controller, self.found(breach), "told", told_on=timezone.localdate(),
                                       how="By letter, with what was done.")
        services.do_close(self.controller, self.found(breach))
        breach.refresh_from_db()
        self.assertEqual(breach.status, "closed")
        with self.assertRaises(services.BreachError):
            services.do_record_findings(self.controller, self.found(breach), "More.", "")

    def test_the_charity_commission_decision_and_findings(self):
        breach = record(self.p["manager"], self.p["pack"])
        with self.assertRaises(services.BreachError) as raised:
            services.do_decide_charity_commission(self.controller, self.found(breach), "not_report", "",
                                                  timezone.localdate())
        self.assertEqual(raised.exception.field, "cc_rationale")
        services.do_decide_charity_commission(self.controller, self.found(breach), "not_report",
                                              "Not serious: contained the same day.", timezone.localdate())
        with self.assertRaises(services.BreachError):
            services.do_record_findings(self.controller, self.found(breach), "", "")
        services.do_record_findings(self.controller, self.found(breach), "Post log checked.", "Two checks on envelopes.")

    def test_a_deliberate_breach_referred_for_discipline_under_the_packs_clause(self):
        breach = record(self.p["manager"], self.p["pack"])
        with self.assertRaises(services.BreachError):
            services.do_refer_for_discipline(self.controller, self.p["pack"], self.found(breach), self.controller.pk)
        services.do_refer_for_discipline(self.controller, self.p["pack"], self.found(breach), self.p["same_team"].pk)
        breach.refresh_from_db()
        self.assertEqual((breach.referred_person_id, breach.referral_clause), (self.p["same_team"].pk, "8.09"))
        event = AuditEvent.objects.get(action=Action.BREACH_REFERRED)
        self.assertEqual(json.loads(event.detail)["clause"], "8.09")

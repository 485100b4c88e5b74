"""The retention schedule (issue 15, point 1): each record's due date as the pack's `retain` answer
gives it, stored per record, worked out again when a case is saved, and read by the review list,
`confide retention due --json` and the schedule page."""

from __future__ import annotations

import datetime as dt
import json

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from confide.audit.models import AuditEvent
from confide.policy.dates import add_years
from confide.records.cases import do_change_case
from confide.records.entries import EntryFacts, do_add_note
from confide.records.models import Case, Client
from confide.retention import schedule
from confide.retention.models import Due, LegalHold, RecordClass
from confide.retention.models import DueAction as Action
from tests.base import ConfideTestCase

CLOSED = dt.date(2020, 3, 2)


def file_line(client) -> Due:
    return Due.objects.get(record_class__in=[RecordClass.CLIENT_FILE, RecordClass.REFERRAL], object_id=client.pk)


class ScheduleTests(ConfideTestCase):
    def closed_client(self, *closings: dt.date, flags=(), team="north", service=None) -> Client:
        """A client whose cases (one per date) were all opened and closed."""
        client = Client.objects.create(display_name="Wren Example", team=self.p[team])
        for closed_on in closings:
            Case.objects.create(client=client, service=service or self.p["case"].service, team=self.p[team],
                                status=Case.Status.CLOSED, opened_on=closed_on - dt.timedelta(days=90),
                                closed_on=closed_on, flags=list(flags))
        return client

    def test_a_dvip_file_falls_due_five_years_after_the_last_case_closed(self):
        client = self.closed_client(dt.date(2019, 1, 10), CLOSED)
        line = file_line(client)  # stored as the cases were saved
        self.assertEqual((line.record_class, line.due_on, line.action), (RecordClass.CLIENT_FILE,
                                                                         dt.date(2025, 3, 2), Action.DESTROY))
        self.assertEqual((line.rule, line.clause, line.closed_on), ("client_file", "9.15", CLOSED))
        [computed] = schedule.compute_client(client.pk)
        self.assertEqual((computed.due_on, computed.pk), (dt.date(2025, 3, 2), None), "worked out, not saved")

    def test_a_family_court_risk_assessment_keeps_the_file_eight_years(self):
        client = self.closed_client(CLOSED)
        Case.objects.create(client=client, service=self.p["case"].service, team=self.p["north"],
                            status=Case.Status.CLOSED, opened_on=dt.date(2017, 1, 1), closed_on=dt.date(2018, 1, 1),
                            flags=["family_court_risk_assessment"])
        line = file_line(client)
        self.assertEqual((line.due_on, line.rule, line.clause), (dt.date(2028, 3, 2), "family_court_risk_assessment",
                                                                 "9.15"))

    def test_an_open_case_keeps_the_file(self):
        client = self.closed_client(CLOSED)
        Case.objects.create(client=client, service=self.p["case"].service, team=self.p["north"],
                            status=Case.Status.OPEN, opened_on=dt.date(2024, 5, 1))
        line = file_line(client)
        self.assertEqual((line.action, line.due_on), (Action.KEEP, None))
        self.assertEqual(file_line(self.p["client"]).action, Action.KEEP)

    def test_closing_and_reopening_a_case_works_the_date_out_again(self):
        case = self.p["case"]
        do_change_case(self.p["assigned"], case, Case.Status.CLOSED, [])
        today = timezone.localdate()
        line = file_line(self.p["client"])
        self.assertEqual((line.action, line.due_on), (Action.DESTROY, add_years(today, 5)))
        do_change_case(self.p["assigned"], case, Case.Status.CLOSED, ["family_court_risk_assessment"])
        self.assertEqual(file_line(self.p["client"]).due_on, add_years(today, 8))
        do_change_case(self.p["assigned"], case, Case.Status.OPEN, ["family_court_risk_assessment"])
        line = file_line(self.p["client"])
        self.assertEqual((line.action, line.due_on), (Action.KEEP, None))

    def test_a_referral_never_taken_up_is_its_own_class_under_the_client_file_rule(self):
        client = Client.objects.create(display_name="Wren Example", team=self.p["north"])
        Case.objects.create(client=client, service=self.p["case"].service, team=self.p["north"],
                            status=Case.Status.CLOSED, closed_on=CLOSED)
        line = file_line(client)
        self.assertEqual((line.record_class, line.due_on, line.rule), (RecordClass.REFERRAL, dt.date(2025, 3, 2),
                                                                       "client_file"))

    def test_unsolicited_information_is_returned_to_its_sender(self):
        entry = do_add_note(self.p["assigned"], self.p["case"], "Sent to us unasked.", EntryFacts(unsolicited=True))
        line = Due.objects.get(record_class=RecordClass.UNSOLICITED, object_id=entry.pk)
        self.assertEqual((line.action, line.client_id, line.clause),
                         (Action.RETURN, self.p["client"].pk, "9.12 (unsolicited information)"))
        self.assertEqual(line.due_on, timezone.localdate(entry.created_at), "returned at once, not kept")
        self.assertIn(line, schedule.falling_due(line.due_on))
        self.assertFalse(Due.objects.filter(record_class=RecordClass.UNSOLICITED, object_id=self.p["note"].pk).exists())

    def test_destroyed_clients_have_no_lines(self):
        client = self.closed_client(CLOSED)
        do_add_note(self.p["assigned"], client.cases.get(), "Sent to us unasked.", EntryFacts(unsolicited=True))
        self.assertEqual(Due.objects.filter(client=client).count(), 2)
        Client.objects.filter(pk=client.pk).update(destroyed_at=timezone.now())
        self.assertEqual(schedule.compute_client(client.pk), [])
        schedule.do_recompute()
        self.assertFalse(Due.objects.filter(client=client).exists())
        self.assertTrue(Due.objects.filter(client=self.p["client"]).exists())

    def test_do_recompute_mends_lines_and_records_counts_only(self):
        client = self.closed_client(CLOSED)
        Due.objects.filter(client=client).update(due_on=dt.date(2099, 1, 1))
        Due.objects.filter(client=self.p["other_client"]).delete()
        self.assertEqual(schedule.do_recompute(), Client.objects.count())
        self.assertEqual(file_line(client).due_on, dt.date(2025, 3, 2))
        self.assertEqual(file_line(self.p["other_client"]).action, Action.KEEP)
        event = AuditEvent.objects.order_by("-seq").first()
        self.assertEqual(event.action, "retention.recomputed")
        self.assertEqual(json.loads(event.detail), {"clients": Client.objects.count(), "added": 1, "changed": 1, "removed": 0,
                                        "all": True})

    def test_do_recompute_costs_the_same_queries_for_one_client_or_many(self):
        def queries() -> int:
            Due.objects.all().delete()
            with CaptureQueriesContext(connection) as ctx:
                schedule.do_recompute()
            return len(ctx.captured_queries)

        few = queries()
        for i in range(40):
            self.closed_client(CLOSED - dt.timedelta(days=i), flags=["family_court_risk_assessment"] if i % 3 else [])
        self.assertEqual(queries(), few)
        self.assertEqual(Due.objects.count(), Client.objects.count())

    def test_falling_due_takes_lines_up_to_the_day_oldest_first(self):
        later = self.closed_client(dt.date(2021, 6, 1))  # due 2026-06-01
        earlier = self.closed_client(CLOSED)  # due 2025-03-02
        due = dt.date(2026, 6, 1)
        self.assertEqual([d.object_id for d in schedule.falling_due(due)], [earlier.pk, later.pk])
        self.assertEqual([d.object_id for d in schedule.falling_due(due - dt.timedelta(days=1))], [earlier.pk])
        self.assertEqual([d.object_id for d in schedule.falling_due(due - dt.timedelta(days=30), within_days=30)],
                         [earlier.pk, later.pk])
        self.assertEqual(len(schedule.falling_due(due - dt.timedelta(days=30), within_days=29)), 1)
        self.assertEqual(len(schedule.falling_due(dt.date(2025, 3, 1))), 0)
        everything = schedule.falling_due(dt.date(2100, 1, 1))
        self.assertNotIn(self.p["client"].pk, [d.object_id for d in everything], "an open file is kept")
        Due.objects.filter(object_id=earlier.pk).update(done_at=timezone.now())
        self.assertEqual([d.object_id for d in schedule.falling_due(due)], [later.pk], "done lines are not due again")

    def test_held_by_a_hold_on_the_client_or_on_everything(self):
        client, other = self.closed_client(CLOSED), self.p["other_client"]
        self.assertFalse(schedule.held(client.pk))
        hold = LegalHold.objects.create(kind=LegalHold.Kind.POLICE, client=client, authority="A police force, ref 1",
                                        placed_by=self.p["data_controller"])
        self.assertTrue(schedule.held(client.pk))
        self.assertFalse(schedule.held(other.pk))
        self.assertEqual(schedule.live_holds([client.pk, other.pk]), {client.pk})
        hold.released_at, hold.released_by = timezone.now(), self.p["data_controller"]
        hold.save()
        self.assertFalse(schedule.held(client.pk))
        LegalHold.objects.create(kind=LegalHold.Kind.LITIGATION, authority="A county court claim",
                                 placed_by=self.p["data_controller"])
        self.assertTrue(schedule.held(other.pk))
        self.assertEqual(schedule.live_holds([client.pk, other.pk]), {client.pk, other.pk})

    def test_due_json_lists_numbers_rules_and_dates(self):
        client = self.closed_client(CLOSED)
        LegalHold.objects.create(kind=LegalHold.Kind.COMPLAINT, client=client, authority="Complaint 7",
                                 placed_by=self.p["data_controller"])
        got = schedule.due_json(dt.date(2100, 1, 1))
        self.assertEqual(got["on"], "2100-01-01")
        self.assertEqual(got["items"], [{"client": client.pk, "class": "client_file", "object": client.pk,
                                         "rule": "client_file", "clause": "9.15", "due_on": "2025-03-02",
                                         "action": "destroy", "held": True}])
        self.assertEqual(schedule.due_json(dt.date(2025, 3, 1))["items"], [])

    def test_the_whole_schedule_gives_each_class_its_rule_and_clause(self):
        lines = schedule.whole_schedule()
        files = [line for line in lines if line["class"] == "client_file"]
        self.assertEqual([(f["rule"], f["clause"], f["period"], f["flags"]) for f in files],
                         [("family_court_risk_assessment", "9.15", "8 years after it is closed",
                           ["family_court_risk_assessment"]),
                          ("client_file", "9.15", "5 years after it is closed", [])])
        consent = [line for line in lines if line["class"] == "consent_form"]
        self.assertEqual([(c["clause"], c["period"], c["action"], c["no_period"]) for c in consent],
                         [("7.01", "no period in the policy: review", "review", True)])
        unsolicited = next(line for line in lines if line["class"] == "unsolicited_information")
        self.assertEqual((unsolicited["action"], unsolicited["period"]), ("return_to_sender", "on receipt"))
        applicants = next(line for line in lines if line["class"] == "unsuccessful_application")
        self.assertEqual((applicants["action"], applicants["clause"]), ("minimise", "8.08"))
        self.assertEqual({line["class"] for line in lines}, set(RecordClass.values))


class NoPeriodTests(ConfideTestCase):
    pack_name = "justus"  # 2.1.1: "the policy sets no period"

    def test_a_pack_with_no_period_asks_for_a_review_with_its_clause(self):
        case = self.p["case"]
        do_change_case(self.p["assigned"], case, Case.Status.CLOSED, [])
        line = file_line(self.p["client"])
        self.assertEqual((line.action, line.due_on, line.clause, line.rule), (Action.REVIEW, None, "2.1.1", "review"))
        self.assertEqual(schedule.falling_due(dt.date(2100, 1, 1)), [], "nothing is destroyed without a period")
        self.assertTrue(all(line["no_period"] for line in schedule.whole_schedule()))



"""The subject-access clock as a request on file shows it (confide.subject_access.services.clock): each
request is logged and its steps recorded through the services, then its clock read with `today` given,
nothing frozen. The engine's own arithmetic is tested in tests/policy/test_sar_clock.py; here the
point is that what the worker records (receipt, identity, a question and its answer, an extension)
reaches the deadline shown, beside DVIP's own 40 days (9.07) and its warning.

UK GDPR Art 12(3) and 12A: one calendar month beginning with the latest of receipt and the confirmation
of identity (or authority); the days from asking for clarification to receiving it do not count; two
further months where the requester is told, with reasons, within the first month. A due date on a
weekend or an England and Wales bank holiday moves to the next working day (ICO guidance). Every
expected date below is worked out by hand in its comment; weekdays and holidays checked against
confide.policy.dates.bank_holidays (2026: 1 Jan, 3 and 6 Apr, 4 and 25 May, 31 Aug, 25 and 28 Dec).
"""

from __future__ import annotations

import datetime as dt

from confide.subject_access import services
from confide.subject_access.access import access_sar_client
from confide.subject_access.models import SubjectAccessRequest
from confide.subject_access.services import Received, SarError
from tests.base import ConfideTestCase

D = dt.date


class ClockTest(ConfideTestCase):
    """The client of tests.base is on DVIP's Violence Prevention Programme; the data controller
    (Head of Service Delivery, DVIP 9.06) logs the requests."""

    def log(self, received_on: dt.date, *, identity_on: dt.date | None = "same") -> SubjectAccessRequest:
        controller = self.p["data_controller"]
        grant = access_sar_client(controller, self.client_record.pk)
        if identity_on == "same":
            identity_on = received_on
        check = "known" if identity_on else "not_yet"
        return services.do_log_request(controller, grant, Received(received_on=received_on, made="writing",
                                                                   identity_check=check,
                                                                   identity_confirmed_on=identity_on))

    def saved(self, received_on: dt.date) -> SubjectAccessRequest:
        """A request received on a day still to come (the services refuse a future date as a typing
        error), saved as it would be on that day, with identity confirmed on receipt."""
        return SubjectAccessRequest.objects.create(client=self.client_record, received_on=received_on,
                                                   made="writing", identity_check="known",
                                                   identity_confirmed_on=received_on, logged_by=self.p["data_controller"])

    def due(self, sar: SubjectAccessRequest, today: dt.date | None = None) -> dt.date | None:
        return services.clock(SubjectAccessRequest.objects.get(pk=sar.pk), today=today or sar.received_on).statutory_due_on

    # --- one calendar month ------------------------------------------------------------------------
    def test_one_calendar_month_ends_on_the_same_date_or_the_last_day_of_a_shorter_month(self):
        # 31 Jan 2029 -> no 31 Feb: 28 Feb 2029 (a Wednesday, not a holiday).
        self.assertEqual(self.due(self.saved(D(2029, 1, 31))), D(2029, 2, 28))
        # 31 Jan 2028 -> 2028 is a leap year: 29 Feb 2028 (a Tuesday).
        self.assertEqual(self.due(self.saved(D(2028, 1, 31))), D(2028, 2, 29))
        # 31 Mar 2026 -> April has 30 days: 30 Apr 2026 (a Thursday).
        self.assertEqual(self.due(self.log(D(2026, 3, 31))), D(2026, 4, 30))
        # 10 Jun 2026 -> 10 Jul 2026 (a Friday): the same date.
        self.assertEqual(self.due(self.log(D(2026, 6, 10))), D(2026, 7, 10))

    def test_a_due_date_on_a_weekend_or_bank_holiday_moves_to_the_next_working_day(self):
        # 17 Sep 2026 -> 17 Oct 2026 is a Saturday -> Monday 19 Oct.
        self.assertEqual(self.due(self.log(D(2026, 9, 17))), D(2026, 10, 19))
        # 4 Apr 2026 -> 4 May 2026 is the early May bank holiday (first Monday) -> Tuesday 5 May.
        self.assertEqual(self.due(self.log(D(2026, 4, 4))), D(2026, 5, 5))
        # 31 Jul 2026 -> 31 Aug 2026 is the summer bank holiday (last Monday) -> Tuesday 1 Sep.
        self.assertEqual(self.due(self.log(D(2026, 7, 31))), D(2026, 9, 1))
        # 25 Nov 2026 -> Friday 25 Dec (Christmas Day), Sat 26, Sun 27, Mon 28 (Boxing Day's substitute,
        # 26 Dec being a Saturday) -> Tuesday 29 Dec.
        self.assertEqual(self.due(self.log(D(2026, 11, 25))), D(2026, 12, 29))

    # --- what starts the clock ---------------------------------------------------------------------
    def test_the_clock_waits_for_identity_then_runs_from_the_day_it_was_confirmed(self):
        sar = self.log(D(2026, 6, 1), identity_on=None)
        waiting = services.clock(sar, today=D(2026, 6, 5))
        self.assertEqual((waiting.statutory_due_on, waiting.status), (None, "not_started"))
        self.assertIsNone(waiting.days_left)
        self.assertFalse(waiting.overdue)
        self.assertEqual(waiting.pack_due_on, D(2026, 7, 11), "DVIP 9.07's 40 days run from receipt all the same")
        services.do_confirm(self.p["data_controller"], sar, sar.version, identity_check="safe_contact",
                            identity_confirmed_on=D(2026, 6, 20))
        # Confirmed 20 Jun 2026 -> 20 Jul 2026 (a Monday), not 1 Jul from receipt.
        running = services.clock(SubjectAccessRequest.objects.get(pk=sar.pk), today=D(2026, 6, 20))
        self.assertEqual((running.statutory_due_on, running.status), (D(2026, 7, 20), "running"))
        self.assertEqual(running.days_left, 30)

    def test_a_representatives_authority_confirmed_later_starts_the_clock_later(self):
        controller = self.p["data_controller"]
        grant = access_sar_client(controller, self.client_record.pk)
        sar = services.do_log_request(controller, grant, Received(
            received_on=D(2026, 6, 1), made="email", made_by="representative", representative_name="A. Solicitor",
            representative_relationship="solicitor", identity_check="document", identity_confirmed_on=D(2026, 6, 2)))
        self.assertIsNone(self.due(sar), "no date until the authority to act is confirmed")
        services.do_confirm(controller, sar, sar.version, authority_confirmed_on=D(2026, 6, 12),
                            authority="Signed form of authority")
        # Authority 12 Jun 2026 -> 12 Jul 2026 is a Sunday -> Monday 13 Jul.
        self.assertEqual(self.due(sar), D(2026, 7, 13))

    # --- a question to the requester pauses it ------------------------------------------------------
    def test_a_question_awaiting_its_answer_pauses_the_clock_and_the_answer_adds_the_days(self):
        controller = self.p["data_controller"]
        sar = self.log(D(2026, 6, 1))
        sar = services.do_ask_clarification(controller, sar, sar.version, D(2026, 6, 5))
        paused = services.clock(sar, today=D(2026, 6, 8))
        self.assertEqual((paused.status, paused.statutory_due_on, paused.days_left), ("paused", None, None))
        self.assertFalse(paused.overdue, "a paused clock is not overdue")
        # Even long after the month would have ended, a paused clock is not overdue.
        self.assertFalse(services.clock(sar, today=D(2026, 8, 1)).overdue)
        sar = services.do_answer_clarification(controller, sar, sar.version, D(2026, 6, 10))
        # Received 1 Jun -> 1 Jul 2026; 5 to 10 Jun do not count, both ends included: 6 days -> 7 Jul (a Tuesday).
        resumed = services.clock(sar, today=D(2026, 6, 10))
        self.assertEqual((resumed.status, resumed.statutory_due_on), ("running", D(2026, 7, 7)))
        self.assertEqual(resumed.days_left, 27)

    # --- an extension ------------------------------------------------------------------------------
    def test_an_extension_told_within_the_first_month_adds_two_months(self):
        sar = self.log(D(2026, 6, 1))
        sar = services.do_extend(self.p["data_controller"], sar, sar.version, 2,
                                 "Paper records at two offices to search.", D(2026, 6, 15))
        clock = services.clock(sar, today=D(2026, 6, 15))
        # Received 1 Jun 2026: one month and two further months -> 1 Sep 2026 (a Tuesday).
        self.assertEqual(clock.statutory_due_on, D(2026, 9, 1))
        self.assertFalse(any("extension does not count" in w for w in clock.warnings))
        self.assertEqual(clock.days_left, 78)

    def test_an_extended_clock_says_it_is_extended(self):
        sar = self.log(D(2026, 6, 1))
        sar = services.do_extend(self.p["data_controller"], sar, sar.version, 2,
                                 "Paper records at two offices to search.", D(2026, 6, 15))
        self.assertEqual(services.clock(sar, today=D(2026, 6, 15)).status, "extended")

    def test_an_extension_told_after_the_first_month_does_not_count_and_says_so(self):
        sar = self.log(D(2026, 6, 1))
        sar = services.do_extend(self.p["data_controller"], sar, sar.version, 2,
                                 "Paper records at two offices to search.", D(2026, 7, 10))
        clock = services.clock(sar, today=D(2026, 7, 10))
        # Told on 10 Jul, after the first month ended on 1 Jul: the deadline stays 1 Jul, already passed.
        self.assertEqual(clock.statutory_due_on, D(2026, 7, 1))
        self.assertNotEqual(clock.status, "extended")
        self.assertTrue(any("extension does not count" in w for w in clock.warnings), clock.warnings)
        self.assertEqual((clock.days_left, clock.overdue), (-9, True))
        with self.assertRaises(SarError) as refused:
            services.do_extend(self.p["data_controller"], sar, sar.version, 1, "Again.", D(2026, 7, 11))
        self.assertEqual(refused.exception.field, "months", "a request is extended once")

    # --- DVIP's own 40 days beside the law's month ---------------------------------------------------
    def test_dvips_forty_days_are_shown_beside_the_statutory_date_with_the_warning(self):
        sar = self.log(D(2026, 6, 1))
        clock = services.clock(sar, today=D(2026, 6, 1))
        # 1 Jun 2026 + 40 days = 11 Jul 2026 (DVIP 9.07); the law's month ends 1 Jul.
        self.assertEqual((clock.statutory_due_on, clock.pack_due_on), (D(2026, 7, 1), D(2026, 7, 11)))
        warning = next(w for w in clock.warnings if w.startswith("9.07"))
        self.assertIn("40 days", warning)
        self.assertIn("2026-07-11", warning)
        self.assertIn("answering on the pack's date would be late", warning)
        self.assertIn("9.07", [r["clause"] for r in clock.reasons])

    # --- days left and overdue, from the day given ---------------------------------------------------
    def test_days_left_and_overdue_are_counted_from_today(self):
        sar = self.log(D(2026, 6, 1))  # due 1 Jul 2026
        cases = [(D(2026, 6, 1), 30, False), (D(2026, 6, 28), 3, False), (D(2026, 7, 1), 0, False),
                 (D(2026, 7, 2), -1, True), (D(2026, 7, 31), -30, True)]
        for today, left, overdue in cases:
            clock = services.clock(sar, today=today)
            self.assertEqual((clock.days_left, clock.overdue), (left, overdue), today)

    def test_a_closed_request_is_never_overdue(self):
        sar = self.log(D(2026, 6, 1))
        sar = services.do_withdraw(self.p["data_controller"], sar, sar.version)
        clock = services.clock(sar, today=D(2026, 8, 1))
        self.assertEqual(clock.status, "closed")
        self.assertFalse(clock.overdue)


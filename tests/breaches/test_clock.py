"""The ICO's 72 hours (UK GDPR Art 33(1)): exactly 72 hours of elapsed time from becoming aware,
across a weekend and both clock changes in Europe/London, shown in local time with its zone; and a
time typed with its zone that did not happen, or happened twice."""

from __future__ import annotations

import datetime as dt

import pytest

from confide.breaches import clock

HOURS_72 = dt.timedelta(hours=72)


def test_a_weekend_does_not_stop_the_clock():
    aware = clock.moment(dt.date(2026, 6, 5), dt.time(16, 0))  # a Friday, BST
    deadline = clock.ico_deadline(aware)
    assert deadline - aware == HOURS_72
    assert clock.shown(deadline) == "Monday 8 June 2026, 16:00 BST (Europe/London)"


def test_a_bank_holiday_does_not_stop_the_clock():
    aware = clock.moment(dt.date(2026, 12, 24), dt.time(12, 0))  # Christmas Eve, then two bank holidays
    assert clock.shown(clock.ico_deadline(aware)) == "Sunday 27 December 2026, 12:00 GMT (Europe/London)"


def test_the_clocks_going_forward_never_make_it_71_hours():
    aware = clock.moment(dt.date(2026, 3, 28), dt.time(9, 0))  # GMT; BST from 01:00 on Sunday 29 March
    deadline = clock.ico_deadline(aware)
    assert deadline - aware == HOURS_72
    # 72 hours later the wall clock reads an hour later than it did: that is still 72 hours.
    assert clock.shown(deadline) == "Tuesday 31 March 2026, 10:00 BST (Europe/London)"


def test_the_clocks_going_back_never_make_it_73_hours():
    aware = clock.moment(dt.date(2026, 10, 24), dt.time(9, 0))  # BST; GMT from 02:00 on Sunday 25 October
    deadline = clock.ico_deadline(aware)
    assert deadline - aware == HOURS_72
    assert clock.shown(deadline) == "Tuesday 27 October 2026, 08:00 GMT (Europe/London)"


def test_a_time_skipped_when_the_clocks_go_forward_is_refused_in_words():
    with pytest.raises(clock.BadMoment, match="did not happen on 29 March 2026 in Europe/London"):
        clock.moment(dt.date(2026, 3, 29), dt.time(1, 30))


def test_a_time_that_happened_twice_is_taken_as_the_first_the_stricter_deadline():
    day, at = dt.date(2026, 10, 25), dt.time(1, 30)
    assert clock.was_repeated(day, at)
    aware = clock.moment(day, at)
    assert aware == dt.datetime(2026, 10, 25, 0, 30, tzinfo=dt.UTC)  # 01:30 BST, not 01:30 GMT
    assert clock.ico_deadline(aware) - aware == HOURS_72


def test_a_moment_is_stored_in_utc_and_shown_back_in_the_zone_it_was_given_in():
    aware = clock.moment(dt.date(2026, 6, 5), dt.time(10, 0), "America/New_York")
    assert aware == dt.datetime(2026, 6, 5, 14, 0, tzinfo=dt.UTC)
    assert clock.shown(aware, "America/New_York") == "Friday 5 June 2026, 10:00 EDT (America/New_York)"
    assert clock.shown(clock.ico_deadline(aware)) == "Monday 8 June 2026, 15:00 BST (Europe/London)"


def test_an_unknown_zone_is_refused_in_words():
    with pytest.raises(clock.BadMoment, match="Choose a time zone"):
        clock.moment(dt.date(2026, 6, 5), dt.time(10, 0), "Mars/Olympus_Mons")


def test_hours_left_and_overdue_in_words():
    deadline = dt.datetime(2026, 6, 8, 15, 0, tzinfo=dt.UTC)
    assert clock.time_left(deadline, deadline - dt.timedelta(hours=51)) == "2 days and 3 hours left"
    assert clock.time_left(deadline, deadline - dt.timedelta(minutes=40)) == "40 minutes left"
    assert clock.time_left(deadline, deadline + dt.timedelta(hours=5)) == "Overdue by 5 hours"
    assert clock.time_left(deadline, deadline + dt.timedelta(days=1, hours=2)) == "Overdue by 1 day and 2 hours"


def test_an_aware_moment_is_required():
    with pytest.raises(ValueError):
        clock.ico_deadline(dt.datetime(2026, 6, 5, 10, 0))  # noqa: DTZ001 -- the naive moment refused

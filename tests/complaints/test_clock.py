"""DPA 2018 s164A (Data (Use and Access) Act 2025, from 19 June 2026): a complaint is acknowledged
within 30 days of receipt; the date due, and overdue, in words."""

from __future__ import annotations

import datetime as dt

from confide.breaches import clock


def test_acknowledgement_is_due_30_days_after_receipt():
    assert clock.acknowledgement_due(dt.date(2026, 7, 1)) == dt.date(2026, 7, 31)
    assert clock.acknowledgement_due(dt.date(2026, 12, 15)) == dt.date(2027, 1, 14)


def test_due_and_overdue_in_words():
    received = dt.date(2026, 7, 1)
    assert clock.acknowledgement_words(received, None, dt.date(2026, 7, 21)) == \
        "Acknowledgement due by 31 July 2026: 10 days left"
    assert clock.acknowledgement_words(received, None, dt.date(2026, 7, 31)) == \
        "Acknowledgement due today, 31 July 2026"
    assert clock.acknowledgement_words(received, None, dt.date(2026, 8, 3)) == \
        "Acknowledgement overdue by 3 days: it was due by 31 July 2026"
    assert clock.acknowledgement_overdue(received, None, dt.date(2026, 8, 1))
    assert not clock.acknowledgement_overdue(received, None, dt.date(2026, 7, 31))
    assert not clock.acknowledgement_overdue(received, dt.date(2026, 7, 2), dt.date(2026, 9, 1))
    assert clock.acknowledgement_words(received, dt.date(2026, 8, 2), dt.date(2026, 9, 1)) == \
        "Acknowledged on 2 August 2026, 2 days after it was due (31 July 2026)"


def test_a_complaint_received_before_the_duty_began_is_never_marked_overdue():
    received = dt.date(2026, 5, 1)
    assert not clock.acknowledgement_overdue(received, None, dt.date(2026, 12, 1))
    assert "before 19 June 2026" in clock.acknowledgement_words(received, None, dt.date(2026, 12, 1))

"""The subject-access clock (issue 11 point 7): when the statutory month starts, what pauses it and
what extends it, under UK GDPR Art 12(3) and Art 12A as the Data (Use and Access) Act 2025 made them.

Art 12A: the month begins with the latest of the day the request is received, the day the
information asked for to confirm identity (or authority) is received and the day any fee is paid;
"the period beginning with the day on which the controller makes the request [for clarification]
and ending with the day on which the controller receives the information does not count"; the
period may be extended by two further months, telling the requester with reasons within the first
month. A month ends on the same date next month, or that month's last day; a due date on a weekend
or an England and Wales bank holiday moves to the next working day (ICO guidance).
"""

from __future__ import annotations

import datetime as dt

import pytest

from confide.policy import RequestError, dates, load_pack

DVIP = load_pack("dvip")
BASE = {"action": "subject_access", "received_on": "2026-06-01", "requester": {"role": "victim"}}
OLD_KEYS = {"decision", "reasons", "approvals", "obligations", "pack", "fee", "withhold", "procedure", "due_on",
            "statutory_due_on", "warnings"}


def sar(**fields):
    return DVIP.decide({**BASE, **fields})


def due(**fields):
    return sar(**fields)["statutory_due_on"]


# --- an old-style request answers exactly as before ------------------------------------------------
def test_a_request_with_received_on_only_answers_as_before():
    answer = DVIP.decide({"action": "subject_access", "received_on": "2026-01-10",
                          "requester": {"role": "perpetrator", "service": "vpp"}})
    assert set(answer) == OLD_KEYS  # no `clock`: nothing added to an old-style answer
    assert answer["due_on"] == "2026-02-19"  # DVIP 9.06: 40 days, the pack's own deadline as before
    assert answer["statutory_due_on"] == "2026-02-10"
    assert any("UK GDPR Art 12(3)" in w and "2026-02-10" in w for w in answer["warnings"])


def test_the_packs_own_deadline_is_not_moved_by_the_clock():
    """DVIP 9.06's 40 days run from receipt whatever the clock; the law's date moves."""
    plain = sar()
    clocked = sar(identity_confirmed_on="2026-06-20")
    assert clocked["due_on"] == plain["due_on"] == "2026-07-11"
    assert clocked["statutory_due_on"] == "2026-07-20" != plain["statutory_due_on"]
    assert clocked["warnings"][:len(plain["warnings"])] == plain["warnings"]


# --- the calendar month and working days -----------------------------------------------------------
@pytest.mark.parametrize("received, expected", [
    ("2029-01-31", "2029-02-28"),   # 31 January into February: its last day
    ("2028-01-31", "2028-02-29"),   # a leap year
    ("2026-03-31", "2026-04-30"),   # the 31st into a 30-day month
    ("2026-08-30", "2026-09-30"),   # the same date next month
    ("2026-01-15", "2026-02-16"),   # 15 February 2026 is a Sunday: the Monday
    ("2026-03-06", "2026-04-07"),   # 6 April 2026 is Easter Monday
    ("2026-11-25", "2026-12-29"),   # Christmas Day (Friday), then Boxing Day's substitute Monday 28th
    ("2027-11-26", "2027-12-29"),   # 2027: Christmas and Boxing Day at the weekend, substitutes 27th and 28th
    ("2031-03-14", "2031-04-15"),   # beyond any table: Easter 2031 is 13 April, Easter Monday the 14th
    ("2032-11-27", "2032-12-29"),   # 2032: Christmas Saturday, substitute days Monday 27th and Tuesday 28th
])
def test_the_statutory_month(received, expected):
    assert DVIP.decide({**BASE, "received_on": received})["statutory_due_on"] == expected
    # the same month when it starts with a confirmation rather than receipt
    assert due(received_on="2026-01-02", identity_confirmed_on=received) == expected


def test_bank_holidays_come_from_the_rules_for_any_year():
    assert dates.easter_sunday(2031) == dt.date(2031, 4, 13)
    assert {dt.date(2031, 4, 11), dt.date(2031, 4, 14), dt.date(2031, 5, 5), dt.date(2031, 5, 26),
            dt.date(2031, 8, 25), dt.date(2031, 12, 25), dt.date(2031, 12, 26)} <= dates.bank_holidays(2031)
    assert dates.bank_holidays(2033) >= {dt.date(2033, 1, 3)}  # 1 January 2033 is a Saturday


# --- what starts the clock ---------------------------------------------------------------------------
def test_the_month_starts_on_the_latest_of_receipt_identity_authority_and_fee():
    assert due(identity_confirmed_on="2026-06-10") == "2026-07-10"
    assert due(identity_confirmed_on="2026-06-10", authority_confirmed_on="2026-06-12") == "2026-07-13"  # 12th: Sun
    assert due(identity_confirmed_on="2026-06-10", fee_paid_on="2026-06-16") == "2026-07-16"
    clock = sar(identity_confirmed_on="2026-06-10", fee_paid_on="2026-06-16")["clock"]
    assert clock["starts_on"] == "2026-06-16" and clock["status"] == "running"
    assert "fee_paid_on" in clock["basis"][0] and "12A" in clock["basis"][0]


def test_identity_confirmed_before_the_request_arrived_changes_nothing():
    assert due(identity_confirmed_on="2026-05-01") == due() == "2026-07-01"


def test_identity_awaited_means_no_due_date_yet():
    answer = sar(identity_confirmed_on=None)
    assert answer["statutory_due_on"] is None
    assert answer["clock"]["status"] == "not_started"
    assert answer["clock"]["waiting_for"] == ["identity_confirmed_on"]
    assert answer["due_on"] == "2026-07-11"  # the pack's own deadline is still given


# --- clarification stops the clock -------------------------------------------------------------------
def test_a_pause_adds_its_days_both_ends_included():
    answer = sar(clarification=[{"asked_on": "2026-06-03", "answered_on": "2026-06-04"}])
    assert answer["statutory_due_on"] == "2026-07-03"  # 1 July + 2 days
    assert answer["clock"]["paused_days"] == 2
    assert due(clarification=[{"asked_on": "2026-06-03", "answered_on": "2026-06-03"}]) == "2026-07-02"
    assert due(clarification=[{"asked_on": "2026-06-01", "answered_on": "2026-06-09"}]) == "2026-07-10"


def test_two_pauses_add_up_and_overlapping_ones_count_each_day_once():
    two = sar(clarification=[{"asked_on": "2026-06-10", "answered_on": "2026-06-12"},
                             {"asked_on": "2026-06-03", "answered_on": "2026-06-04"}])
    assert two["statutory_due_on"] == "2026-07-06" and two["clock"]["paused_days"] == 5
    overlapping = sar(clarification=[{"asked_on": "2026-06-03", "answered_on": "2026-06-05"},
                                     {"asked_on": "2026-06-04", "answered_on": "2026-06-06"}])
    assert overlapping["clock"]["paused_days"] == 4
    assert overlapping["statutory_due_on"] == "2026-07-06"  # 5 July is a Sunday


def test_a_clarification_still_awaited_pauses_the_clock():
    answer = sar(clarification=[{"asked_on": "2026-06-03", "answered_on": "2026-06-04"},
                                {"asked_on": "2026-06-20", "answered_on": None}])
    assert answer["statutory_due_on"] is None
    assert answer["clock"]["status"] == "paused" and answer["clock"]["paused_since"] == "2026-06-20"
    assert any("paused since 2026-06-20" in b for b in answer["clock"]["basis"])


def test_a_clarification_asked_after_the_month_ended_stops_nothing():
    answer = sar(clarification=[{"asked_on": "2026-07-10", "answered_on": None}])
    assert answer["statutory_due_on"] == "2026-07-01" and answer["clock"]["status"] == "running"
    assert any("after the time limit had ended" in w for w in answer["warnings"])


def test_a_pause_before_the_clock_started_counts_only_from_the_start():
    # identity confirmed on 10 June; clarification asked on 5 June, answered on 12 June: 10th-12th
    assert due(identity_confirmed_on="2026-06-10",
               clarification=[{"asked_on": "2026-06-05", "answered_on": "2026-06-12"}]) == "2026-07-13"


# --- extension ---------------------------------------------------------------------------------------
def test_an_extension_told_within_the_first_month_counts():
    ext = {"months": 2, "reason": "Several years of records held on paper across two offices.",
           "told_on": "2026-06-20"}
    answer = sar(extension=ext)
    assert answer["statutory_due_on"] == "2026-09-01"  # three months on from 1 June
    assert answer["clock"]["extended_by_months"] == 2
    assert due(extension={**ext, "months": 1}) == "2026-08-03"  # 1 August 2026 is a Saturday
    assert due(extension={**ext, "told_on": "2026-07-01"}) == "2026-09-01"  # the last day of the first month
    assert ext["reason"] not in str(answer)  # the controller's words are not copied into the answer


def test_an_extension_told_too_late_does_not_count():
    answer = sar(extension={"months": 2, "reason": "Complex request.", "told_on": "2026-07-02"})
    assert answer["statutory_due_on"] == "2026-07-01"
    assert answer["clock"]["extended_by_months"] == 0
    assert any("extension does not count" in w and "2026-07-01" in w for w in answer["warnings"])


def test_the_pause_also_lengthens_the_time_to_tell_of_an_extension():
    ext = {"months": 2, "reason": "Complex request.", "told_on": "2026-07-02"}
    answer = sar(clarification=[{"asked_on": "2026-06-03", "answered_on": "2026-06-04"}], extension=ext)
    assert answer["clock"]["extended_by_months"] == 2
    assert answer["statutory_due_on"] == "2026-09-03"


# --- validation --------------------------------------------------------------------------------------
@pytest.mark.parametrize("fields, field", [
    ({"identity_confirmed_on": "20/06/2026"}, "identity_confirmed_on"),
    ({"fee_paid_on": "2026-W25-1"}, "fee_paid_on"),
    ({"clarification": {"asked_on": "2026-06-03"}}, "clarification"),
    ({"clarification": [{"answered_on": "2026-06-03"}]}, "clarification[0].asked_on"),
    ({"clarification": [{"asked_on": "2026-06-05", "answered_on": "2026-06-04"}]}, "clarification[0].answered_on"),
    ({"clarification": [{"asked_on": "2026-05-30", "answered_on": None}]}, "clarification[0].asked_on"),
    ({"clarification": [{"asked_on": "2026-06-03", "when": "later"}]}, "clarification[0].when"),
    ({"extension": {"months": 3, "reason": "x", "told_on": "2026-06-03"}}, "extension.months"),
    ({"extension": {"months": True, "reason": "x", "told_on": "2026-06-03"}}, "extension.months"),
    ({"extension": {"months": 2, "told_on": "2026-06-03"}}, "extension.reason"),
    ({"extension": {"months": 2, "reason": "  ", "told_on": "2026-06-03"}}, "extension.reason"),
    ({"extension": {"months": 2, "reason": "x"}}, "extension.told_on"),
    ({"extension": {"months": 2, "reason": "x", "told_on": "2026-05-01"}}, "extension.told_on"),
    ({"extension": "two months"}, "extension"),
    ({"clock": {}}, "clock"),
])
def test_the_clock_fields_are_validated_naming_the_field(fields, field):
    with pytest.raises(RequestError) as exc:
        sar(**fields)
    assert exc.value.field == field
    assert str(exc.value).startswith(f"{field}: ") and "\n" not in str(exc.value)


def test_the_period_end_arithmetic():
    d = dt.date
    assert dates.sar_period_end(d(2026, 1, 31), 1) == d(2026, 2, 28)
    assert dates.sar_period_end(d(2026, 1, 31), 1, [(d(2026, 2, 1), d(2026, 2, 2))]) == d(2026, 3, 2)
    assert dates.sar_period_end(d(2026, 6, 1), 3, [(d(2026, 8, 30), d(2026, 9, 2))]) == d(2026, 9, 5)
    assert dates.sar_period_end(d(2026, 6, 1), 1, [(d(2026, 7, 2), d(2026, 7, 3))]) == d(2026, 7, 1)

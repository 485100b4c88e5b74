"""Calendar arithmetic for deadlines and retention: calendar months, years, and working days in
England and Wales (weekends and bank holidays, including the one-off ones)."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Sequence
from functools import lru_cache

# Bank holidays proclaimed for one year only, and the usual ones that were moved.
_EXTRA = {
    dt.date(1995, 5, 8), dt.date(1999, 12, 31), dt.date(2002, 6, 3), dt.date(2002, 6, 4),
    dt.date(2011, 4, 29), dt.date(2012, 6, 4), dt.date(2012, 6, 5), dt.date(2020, 5, 8), dt.date(2022, 6, 2), dt.date(2022, 6, 3),
    dt.date(2022, 9, 19), dt.date(2023, 5, 8),
}
_MOVED = {
    dt.date(1995, 5, 1), dt.date(2002, 5, 27), dt.date(2012, 5, 28), dt.date(2020, 5, 4),
    dt.date(2022, 5, 30),
}


def easter_sunday(year: int) -> dt.date:
    """Western Easter Sunday (the anonymous Gregorian algorithm)."""
    a = year % 19
    b, c = divmod(year, 100)
    d, e = divmod(b, 4)
    f = (b + 8) // 25
    g = (b - f + 1) // 3
    h = (19 * a + b - d - g + 15) % 30
    i, k = divmod(c, 4)
    ell = (32 + 2 * e + 2 * i - h - k) % 7
    m = (a + 11 * h + 22 * ell) // 451
    month, day = divmod(h + ell - 7 * m + 114, 31)
    return dt.date(year, month, day + 1)


def _first_monday(year: int, month: int) -> dt.date:
    d = dt.date(year, month, 1)
    return d + dt.timedelta(days=(7 - d.weekday()) % 7)


def _last_monday(year: int, month: int) -> dt.date:
    d = dt.date(year, month, calendar.monthrange(year, month)[1])
    return d - dt.timedelta(days=d.weekday())


@lru_cache(maxsize=256)
def bank_holidays(year: int) -> frozenset[dt.date]:
    """England and Wales bank holidays of one year."""
    days = set()
    # New Year's Day, substituted to the Monday when it falls at a weekend.
    ny = dt.date(year, 1, 1)
    days.add(ny + dt.timedelta(days={5: 2, 6: 1}.get(ny.weekday(), 0)))
    easter = easter_sunday(year)
    days.add(easter - dt.timedelta(days=2))
    days.add(easter + dt.timedelta(days=1))
    days.add(_first_monday(year, 5))
    days.add(_last_monday(year, 5))
    days.add(_last_monday(year, 8))
    # Christmas Day and Boxing Day with their substitute days.
    xmas = dt.date(year, 12, 25)
    if xmas.weekday() == 5:
        days.update({dt.date(year, 12, 27), dt.date(year, 12, 28)})
    elif xmas.weekday() == 6:
        days.update({dt.date(year, 12, 26), dt.date(year, 12, 27)})
    elif xmas.weekday() == 4:
        days.update({xmas, dt.date(year, 12, 28)})
    else:
        days.update({xmas, dt.date(year, 12, 26)})
    days -= _MOVED
    days |= {d for d in _EXTRA if d.year == year}
    return frozenset(days)


def is_working_day(day: dt.date) -> bool:
    return day.weekday() < 5 and day not in bank_holidays(day.year)


def next_working_day(day: dt.date) -> dt.date:
    """The day itself when it is a working day, else the next one."""
    while not is_working_day(day):
        day += dt.timedelta(days=1)
    return day


def add_months(day: dt.date, months: int) -> dt.date:
    """The same date `months` later, or that month's last day where there is no such date."""
    total = day.month - 1 + months
    year, month = day.year + total // 12, total % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))


def add_years(day: dt.date, years: int) -> dt.date:
    return add_months(day, 12 * years)


def statutory_sar_due(received: dt.date) -> dt.date:
    """UK GDPR Art 12(3) as the ICO applies it: one calendar month from receipt (the same date next
    month, or that month's last day where there is none), moved to the next working day where it
    falls on a weekend or an England and Wales bank holiday."""
    return next_working_day(add_months(received, 1))


# The dates a request may carry. Anything earlier or later is a typing error (year 0001 or 9999),
# and keeping within them means no deadline counted from a request date can run past what Python's
# calendar can hold (9999-12-31): the latest, a subject-access deadline extended by two months with
# every pause the request can describe, or a retention period of a century, stays far inside it.
EARLIEST = dt.date(1900, 1, 1)
LATEST = dt.date(2199, 12, 31)


def _merged(pauses: list[tuple[dt.date, dt.date]]) -> list[tuple[dt.date, dt.date]]:
    """Pauses (first day, last day, both included) sorted, overlapping or touching ones merged, so a day
    two clarifications share is not counted twice."""
    out: list[tuple[dt.date, dt.date]] = []
    for lo, hi in sorted(pauses):
        if out and lo <= out[-1][1] + dt.timedelta(days=1):
            if hi > out[-1][1]:
                out[-1] = (out[-1][0], hi)
        else:
            out.append((lo, hi))
    return out


def sar_period_end(starts_on: dt.date, months: int, pauses: Sequence[tuple[dt.date, dt.date]] = ()) -> dt.date:
    """The last day of a subject-access period of `months` calendar months beginning with `starts_on`
    (the same date `months` later, or that month's last day), before any move to a working day, with
    the days of each pause added on.

    UK GDPR Art 12A (inserted by the Data (Use and Access) Act 2025; DPA 2018 s 54(3C) for Part 3 is in
    the same words): where the controller asks for further information to identify the information or
    processing the request concerns, "the period beginning with the day on which the controller makes
    the request and ending with the day on which the controller receives the information does not
    count towards" the time period. So both days are left out: a question asked and answered on the
    same day adds one day. Days before the clock started are not counted anyway; a pause that begins
    after the period has ended cannot stop a clock that has already run out."""
    end = add_months(starts_on, months)
    for asked, answered in _merged(list(pauses)):
        if answered < starts_on:
            continue
        lo = max(asked, starts_on)
        if lo > end:
            break
        end += dt.timedelta(days=(answered - lo).days + 1)
    return end

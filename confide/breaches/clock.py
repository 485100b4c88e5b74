"""The clocks of the breach register and of complaints, in one place, pure Python.

**The ICO's 72 hours.** UK GDPR Art 33(1): the controller notifies the Information Commissioner
"without undue delay and, where feasible, not later than 72 hours after having become aware of it".
The deadline is the moment of becoming aware plus exactly 72 hours of elapsed time, worked out in
UTC, so the night the clocks change (the last Sunday of March and of October in Europe/London)
never makes it 71 or 73 hours. Weekends and bank holidays do not stop the clock. It is shown in
Europe/London local time with the zone's name (GMT or BST), as a person in the office reads it.

**A time typed with its zone.** A date, a time and a zone become one aware moment. A wall-clock time
that did not happen (the hour skipped when the clocks go forward) is refused in words; one that
happened twice (the hour repeated when they go back) is taken as the first of the two, which gives
the earlier, stricter deadline, and the page says so.

**Complaints.** DPA 2018 s164A (inserted by the Data (Use and Access) Act 2025, in force from
19 June 2026): a complaint is acknowledged within 30 days of receipt.
"""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo, ZoneInfoNotFoundError, available_timezones

UTC = dt.UTC
LONDON = "Europe/London"
ICO_HOURS = 72
ICO_WINDOW = dt.timedelta(hours=ICO_HOURS)
ACKNOWLEDGE_DAYS = 30
# DPA 2018 s164A applies to complaints received from this day (Data (Use and Access) Act 2025).
ACKNOWLEDGE_FROM = dt.date(2026, 6, 19)
# How far ahead of the server's clock a typed moment may be (a watch a little fast), and no more.
FUTURE_SLACK = dt.timedelta(minutes=5)


class BadMoment(ValueError):
    """A date, time and zone that do not make one moment; the message says why, in words."""


def zones() -> list[str]:
    """The zones a person may choose from: Europe/London first, then the rest alphabetically."""
    rest = sorted(z for z in available_timezones() if "/" in z and not z.startswith(("Etc/", "SystemV/", "posix/",
                                                                                     "right/")))
    return [LONDON, "UTC"] + [z for z in rest if z != LONDON]


def zone(name: str) -> ZoneInfo:
    try:
        return ZoneInfo(name or LONDON)
    except (ZoneInfoNotFoundError, ValueError) as error:
        raise BadMoment("Choose a time zone from the list.") from error


def moment(day: dt.date, at: dt.time, zone_name: str = LONDON) -> dt.datetime:
    """The aware moment (in UTC) a person means by a date and a wall-clock time in a zone."""
    tz = zone(zone_name)
    first = dt.datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz)
    # A wall-clock time that did not exist comes back changed from a round trip through UTC.
    try:
        back = first.astimezone(UTC).astimezone(tz)
    except OverflowError as error:  # the first or last hours of the calendar, in a zone that pushes past them
        raise BadMoment("Check the year: that date is not one a breach could have.") from error
    if back.replace(tzinfo=None) != first.replace(tzinfo=None):
        raise BadMoment(f"{at:%H:%M} did not happen on {day:%-d %B %Y} in {zone_name}: the clocks went forward "
                        "that night. Enter the time as the clocks showed it.")
    return first.astimezone(UTC)


def was_repeated(day: dt.date, at: dt.time, zone_name: str = LONDON) -> bool:
    """Whether this wall-clock time happened twice (the clocks went back): moment() took the first."""
    tz = zone(zone_name)
    one = dt.datetime.combine(day, at.replace(tzinfo=None, fold=0), tzinfo=tz)
    two = dt.datetime.combine(day, at.replace(tzinfo=None, fold=1), tzinfo=tz)
    return one.utcoffset() != two.utcoffset()


def ico_deadline(aware_at: dt.datetime) -> dt.datetime:
    """Art 33(1): aware + 72 hours of elapsed time, in UTC (never 71 or 73 across a clock change)."""
    if aware_at.tzinfo is None:
        raise ValueError("the moment of becoming aware is an aware datetime")
    return aware_at.astimezone(UTC) + ICO_WINDOW


def local(when: dt.datetime | None, zone_name: str = LONDON) -> dt.datetime | None:
    return when.astimezone(zone(zone_name)) if when is not None else None


def shown(when: dt.datetime | None, zone_name: str = LONDON) -> str:
    """A moment as a person reads it, in a zone, with the zone's abbreviation:
    "Monday 30 March 2026, 10:15 BST (Europe/London)"."""
    if when is None:
        return ""
    there = local(when, zone_name)
    return f"{there:%A} {there.day} {there:%B %Y, %H:%M} {there.tzname()} ({zone_name or LONDON})"


def _span(delta: dt.timedelta) -> str:
    minutes = int(delta.total_seconds() // 60)
    days, rest = divmod(minutes, 24 * 60)
    hours, mins = divmod(rest, 60)
    parts = []
    if days:
        parts.append(f"{days} day{'s' if days != 1 else ''}")
    if hours:
        parts.append(f"{hours} hour{'s' if hours != 1 else ''}")
    if mins and not days:
        parts.append(f"{mins} minute{'s' if mins != 1 else ''}")
    if not parts:
        return "less than a minute"
    return " and ".join(parts) if len(parts) == 2 else parts[0] if len(parts) == 1 else \
        f"{parts[0]}, {parts[1]} and {parts[2]}"


def time_left(deadline: dt.datetime, now: dt.datetime) -> str:
    """"2 days and 3 hours left" or "Overdue by 5 hours": what the deadline means now, in words."""
    if now <= deadline:
        return f"{_span(deadline - now)} left"
    return f"Overdue by {_span(now - deadline)}"


def hours_between(start: dt.datetime, end: dt.datetime) -> float:
    return (end - start).total_seconds() / 3600


# --- complaints -----------------------------------------------------------------------------------

def acknowledgement_due(received_on: dt.date) -> dt.date:
    """DPA 2018 s164A: acknowledged within 30 days of receipt (received + 30 days)."""
    return received_on + dt.timedelta(days=ACKNOWLEDGE_DAYS)


def acknowledgement_applies(received_on: dt.date) -> bool:
    return received_on >= ACKNOWLEDGE_FROM


def acknowledgement_words(received_on: dt.date, acknowledged_on: dt.date | None, today: dt.date) -> str:
    """Where the acknowledgement stands, in words."""
    due = acknowledgement_due(received_on)
    due_words = f"{due.day} {due:%B %Y}"
    if acknowledged_on is not None:
        late = (acknowledged_on - due).days
        when = f"{acknowledged_on.day} {acknowledged_on:%B %Y}"
        if late > 0 and acknowledgement_applies(received_on):
            return f"Acknowledged on {when}, {late} day{'s' if late != 1 else ''} after it was due ({due_words})"
        return f"Acknowledged on {when}"
    if not acknowledgement_applies(received_on):
        return (f"Not acknowledged yet. Received before {ACKNOWLEDGE_FROM.day} {ACKNOWLEDGE_FROM:%B %Y}, when the "
                f"30-day duty began; 30 days from receipt would be {due_words}")
    days = (due - today).days
    if days > 1:
        return f"Acknowledgement due by {due_words}: {days} days left"
    if days == 1:
        return f"Acknowledgement due by {due_words}: 1 day left"
    if days == 0:
        return f"Acknowledgement due today, {due_words}"
    return f"Acknowledgement overdue by {-days} day{'s' if days != -1 else ''}: it was due by {due_words}"


def acknowledgement_overdue(received_on: dt.date, acknowledged_on: dt.date | None, today: dt.date) -> bool:
    return (acknowledged_on is None and acknowledgement_applies(received_on)
            and today > acknowledgement_due(received_on))

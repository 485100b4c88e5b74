"""The report's counts (issue 17, point 1): aggregates only, counted in the database where it can be
(the age bands are worked out here from each client's sealed date of birth, at the day of referral,
and never kept), for the period, the previous period of the same length and, for a quarter, the year
to date; then protected together by sdc.protect with every link between the tables declared, so that
nothing can be recovered by subtraction across tables or periods.

Which tables count the same people (sdc's "Limits"): the three referral tables count the cases
referred in a period, so "by source" and "by risk level" share their service totals (SameRows) and
"by risk level" and "by age band" share their risk-level totals (SameColumns). Closures count other
cases (those closed), and the monitoring forms count staff and volunteers: neither is linked.
A deliberate read of records_case and records_client around the records gate, like
confide.web.figures_views.anonymised_figures: no name, no number of a client ever leaves this module.
"""

from __future__ import annotations

import calendar
import datetime as dt
import re
from dataclasses import dataclass

from django.db.models import Count
from django.utils import timezone

from confide.accounts.models import current_policy
from confide.records.models import Case, Client, Entry
from confide.reports import sdc
from confide.staffing.models import MonitoringForm

NOT_RECORDED = "Not recorded"
AGE_BANDS = [("Under 18", 0, 17), ("18 to 24", 18, 24), ("25 to 34", 25, 34), ("35 to 44", 35, 44),
             ("45 to 54", 45, 54), ("55 and over", 55, 200)]
QUARTER = re.compile(r"^(\d{4})-?Q([1-4])$", re.IGNORECASE)


class PeriodError(ValueError):
    """A period that cannot be reported on (said plainly, with the option it is about)."""


@dataclass(frozen=True)
class Period:
    starts_on: dt.date
    ends_on: dt.date  # inclusive
    name: str         # "this quarter", "the previous quarter", "the year to date"

    @property
    def days(self) -> int:
        return (self.ends_on - self.starts_on).days + 1

    def words(self) -> str:
        return f"{_day(self.starts_on)} to {_day(self.ends_on)}"


def _day(day: dt.date) -> str:
    return f"{day.day} {day:%B %Y}"


def parse_quarter(text: str) -> tuple[dt.date, dt.date]:
    found = QUARTER.match((text or "").strip())
    if not found:
        raise PeriodError("--quarter: write the quarter as YEAR-Qn, for example 2026-Q3.")
    year, q = int(found.group(1)), int(found.group(2))
    if not 2000 <= year <= 2100:
        raise PeriodError("--quarter: choose a year from 2000 to 2100.")
    start = dt.date(year, 3 * q - 2, 1)
    end = dt.date(year + (q == 4), 1 if q == 4 else 3 * q + 1, 1) - dt.timedelta(days=1)
    return start, end


def quarter_of(day: dt.date) -> str:
    return f"{day.year}-Q{(day.month - 1) // 3 + 1}"


def last_completed_quarter(today: dt.date) -> str:
    start, _ = parse_quarter(quarter_of(today))
    return quarter_of(start - dt.timedelta(days=1))


def _previous(kind: str, start: dt.date, end: dt.date) -> tuple[dt.date, dt.date]:
    if kind == "quarter":
        before = start - dt.timedelta(days=1)
        return parse_quarter(quarter_of(before))
    if kind == "year":
        return _shift_year(start, -1), start - dt.timedelta(days=1)
    length = (end - start).days + 1
    return start - dt.timedelta(days=length), start - dt.timedelta(days=1)


def _shift_year(day: dt.date, years: int) -> dt.date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February
        return day.replace(year=day.year + years, day=28)


def periods(kind: str, start: dt.date, end: dt.date, year_starts: int = 4) -> dict[str, Period]:
    """This period, the previous one of the same kind and, for a quarter, the year to date (from the
    first day of the organisation's year)."""
    if end < start:
        raise PeriodError("The period ends before it starts.")
    if (end - start).days > 800:
        raise PeriodError("Choose a period of two years or less.")
    noun = {"quarter": "quarter", "year": "year"}.get(kind, "period")
    found = {"this": Period(start, end, f"this {noun}")}
    p_start, p_end = _previous(kind, start, end)
    found["previous"] = Period(p_start, p_end, f"the previous {noun}")
    if kind == "quarter":
        year_start = dt.date(start.year if start.month >= year_starts else start.year - 1, year_starts, 1)
        if year_start < start:
            found["ytd"] = Period(year_start, end, "the year to date")
    return found


# --- counting ---------------------------------------------------------------------------------------

def _services() -> list[tuple[str, str]]:
    policy = current_policy()
    known = [(name, service.label) for name, service in policy.services.items()]
    names = {name for name, _ in known}
    others = sorted(set(Case.objects.values_list("service", flat=True).distinct()) - names)
    return known + [(name, name.replace("_", " ")) for name in others]


def _grid(rows: list[str], columns: list[str], pairs) -> list[list[int]]:
    r_index, c_index = {k: i for i, k in enumerate(rows)}, {k: j for j, k in enumerate(columns)}
    grid = [[0] * len(columns) for _ in rows]
    for row, column, n in pairs:
        if row in r_index and column in c_index:
            grid[r_index[row]][c_index[column]] += n
    return grid


def quarter_end(day: dt.date) -> dt.date:
    """The last day of the calendar quarter a day falls in."""
    month = ((day.month - 1) // 3 + 1) * 3
    return dt.date(day.year, month, calendar.monthrange(day.year, month)[1])


def _referred(period: Period):
    return Case.objects.filter(referred_on__gte=period.starts_on, referred_on__lte=period.ends_on)


def _referred_with_risk(period: Period) -> list[tuple[int, str, dt.date, str]]:
    """(client, service, day referred, risk level) per case referred in the period. The risk level is
    the newest risk assessment's (records.Entry.risk_level; "" if none) by the end of the calendar
    quarter the case was referred in: the same for the case in every report, whatever its period, so
    that the year to date is this quarter plus the earlier ones, level by level, and a quarter counted
    again as a later report's "previous quarter" is the quarter as it was released."""
    cases = {pk: (client, service, referred) for pk, client, service, referred in _referred(period)
             .values_list("pk", "client_id", "service", "referred_on")}
    level: dict[int, str] = {}
    for case_id, created, risk in (Entry.objects.filter(
            case__referred_on__gte=period.starts_on, case__referred_on__lte=period.ends_on,
            kind=Entry.Kind.RISK_ASSESSMENT, risk_level__gt="").order_by("created_at", "id")
            .values_list("case_id", "created_at", "risk_level")):
        found = cases.get(case_id)
        if found is not None and timezone.localdate(created) <= quarter_end(found[2]):
            level[case_id] = risk  # oldest first: the newest by the quarter's end wins
    return [(client, service, referred, level.get(pk, "")) for pk, (client, service, referred) in cases.items()]


def _by(queryset, row_field: str, column_field: str):
    return (queryset.values(row_field, column_field).annotate(n=Count("id")).order_by()
            .values_list(row_field, column_field, "n"))


def _age(born: dt.date, on: dt.date) -> int:
    return on.year - born.year - ((on.month, on.day) < (born.month, born.day))


def _band(born, on: dt.date) -> str:
    if born is None:
        return NOT_RECORDED
    age = _age(born, on)
    for label, low, high in AGE_BANDS:
        if low <= age <= high:
            return label
    return NOT_RECORDED


def _ages_by_risk(cases: list[tuple[int, str, dt.date, str]]) -> list[tuple[str, str, int]]:
    """(age band, risk level, 1) per case referred: the band at the day of referral, from the client's
    sealed date of birth, opened here only to be counted."""
    born = {c.pk: c.date_of_birth for c in Client.objects.filter(pk__in={c for c, _, _, _ in cases},
                                                                  destroyed_at__isnull=True)}
    return [(_band(born.get(client), on), risk, 1) for client, _, on, risk in cases]


@dataclass(frozen=True)
class Subject:
    key: str
    title: str
    rows: str
    columns: str


SUBJECTS = [
    Subject("source", "New referrals by service and referral source", "Service", "Referral source"),
    Subject("risk", "New referrals by service and risk level", "Service", "Risk level"),
    Subject("age", "New referrals by age band and risk level", "Age band at referral", "Risk level"),
    Subject("outcome", "Cases closed by service and outcome", "Service", "Outcome"),
]
MONITORING = [
    Subject("monitoring_sex", "Monitoring forms received by group and sex", "Group", "Sex"),
    Subject("monitoring_age", "Monitoring forms received by group and age band", "Group", "Age band"),
]


def _choices(choices) -> tuple[list[str], list[str]]:
    keys = [value for value, _ in choices] + [""]
    return keys, [label for _, label in choices] + [NOT_RECORDED]


def count_period(period: Period, services: list[tuple[str, str]]) -> dict[str, tuple[list, list, list]]:
    """The true counts of one period, by subject key: (row labels, column labels, counts)."""
    s_keys, s_labels = [k for k, _ in services], [label for _, label in services]
    src_keys, src_labels = _choices(Case.ReferralSource.choices)
    risk_keys, risk_labels = _choices(Entry.Risk.choices)
    out_keys, out_labels = _choices(Case.Outcome.choices)
    band_keys = [label for label, _, _ in AGE_BANDS] + [NOT_RECORDED]
    referred = _referred(period)
    with_risk = _referred_with_risk(period)
    closed = Case.objects.filter(closed_on__gte=period.starts_on, closed_on__lte=period.ends_on)
    return {
        "source": (s_labels, src_labels, _grid(s_keys, src_keys, _by(referred, "service", "referral_source"))),
        "risk": (s_labels, risk_labels, _grid(s_keys, risk_keys, [(sv, r, 1) for _, sv, _, r in with_risk])),
        "age": (band_keys, risk_labels, _grid(band_keys, risk_keys, _ages_by_risk(with_risk))),
        "outcome": (s_labels, out_labels, _grid(s_keys, out_keys, _by(closed, "service", "outcome"))),
    }


def count_monitoring(year: int) -> dict[str, tuple[list, list, list]]:
    """Equal-opportunities monitoring forms received in a year (DVIP 8.04: only ever counted)."""
    cohorts = [value for value, _ in MonitoringForm.Cohort.choices]
    cohort_labels = [label for _, label in MonitoringForm.Cohort.choices]
    forms = MonitoringForm.objects.filter(year=year)
    found = {}
    for key, field in (("monitoring_sex", "sex"), ("monitoring_age", "age_band")):
        pairs = [(c, v or "", n) for c, v, n in forms.values("cohort", field).annotate(n=Count("id")).order_by()
                 .values_list("cohort", field, "n")]
        answers = sorted({v for _, v, _ in pairs if v})
        grid = _grid(cohorts, [*answers, ""], pairs)
        found[key] = (cohort_labels, [*answers, "Not answered"], grid)
    return found


@dataclass
class Built:
    tables: list[sdc.Table]
    about: list[dict]
    links: list


def build(kind: str, start: dt.date, end: dt.date, year_starts: int = 4) -> Built:
    """Every table of the report, true counts, with what each is about and the links between them."""
    found = periods(kind, start, end, year_starts)
    services = _services()
    tables: list[sdc.Table] = []
    about: list[dict] = []
    titles: dict[tuple[str, str], str] = {}
    for which, period in found.items():
        counts = count_period(period, services)
        for subject in SUBJECTS:
            rows, columns, grid = counts[subject.key]
            title = f"{subject.title}: {period.name} ({period.words()})"
            titles[(subject.key, which)] = title
            tables.append(sdc.Table(title, rows, columns, grid))
            about.append({"subject": subject.key, "period": which, "heading": subject.title,
                          "period_name": period.name, "period_words": period.words(),
                          "row_heading": subject.rows, "column_heading": subject.columns})
    links: list = []
    for which in found:
        links.append(sdc.SameRows(titles[("source", which)], titles[("risk", which)]))
        links.append(sdc.SameColumns(titles[("risk", which)], titles[("age", which)]))
    if "ytd" in found:
        this, previous, ytd = found["this"], found["previous"], found["ytd"]
        inside = previous.starts_on >= ytd.starts_on
        for subject in SUBJECTS:
            parts = (titles[(subject.key, "this")],) + ((titles[(subject.key, "previous")],) if inside else ())
            remainder = ytd.starts_on < (previous.starts_on if inside else this.starts_on)
            links.append(sdc.PeriodSum(titles[(subject.key, "ytd")], parts, remainder=remainder))
    year = end.year
    for subject in MONITORING:
        rows, columns, grid = count_monitoring(year)[subject.key]
        title = f"{subject.title}: {year}"
        tables.append(sdc.Table(title, rows, columns, grid))
        about.append({"subject": subject.key, "period": "year", "heading": subject.title,
                      "period_name": f"forms received in {year}", "period_words": str(year),
                      "row_heading": subject.rows, "column_heading": subject.columns})
    links.append(sdc.SameRows(f"{MONITORING[0].title}: {year}", f"{MONITORING[1].title}: {year}"))
    return Built(tables, about, links)


@dataclass
class Protected:
    published: list[sdc.PublishedTable]
    about: list[dict]


RELEASES_CONSIDERED = 4  # the newest released reports set beside a new one (the organisation's year)


def _dated_about(built: Built, kind: str, start: dt.date, end: dt.date, year_starts: int) -> list[tuple]:
    """(subject, first day, last day, title) of each table counted over a period (not monitoring)."""
    found = periods(kind, start, end, year_starts)
    return [(a["subject"], found[a["period"]].starts_on, found[a["period"]].ends_on, t.title)
            for t, a in zip(built.tables, built.about, strict=True) if a["period"] in found]


def _period_links(dated: list[tuple]) -> list:
    """What a reader can add and subtract across releases, per subject: two tables over the same days
    are equal; a table over days that two others cover end to end is their sum."""
    links: list = []
    by_subject: dict[str, list[tuple]] = {}
    for subject, first, last, title in dated:
        by_subject.setdefault(subject, []).append((first, last, title))
    for tables in by_subject.values():
        spans = {}
        for first, last, title in tables:
            if (first, last) in spans:
                links.append(sdc.PeriodSum(spans[(first, last)], (title,), remainder=False))
            else:
                spans[(first, last)] = title
        for (first, last), whole in spans.items():
            for (a_first, a_last), part_a in spans.items():
                b = spans.get((a_last + dt.timedelta(days=1), last))
                if a_first == first and a_last < last and b is not None:
                    links.append(sdc.PeriodSum(whole, (part_a, b), remainder=False))
    return links


def _release_context(released, start: dt.date, year_starts: int) -> tuple[list, list, dict, list]:
    """The released reports a new one could be set beside: those wholly before it (ended before `start`),
    released once their periods had ended, with the same threshold and base; each counted again now,
    its tables named apart, with its published tables as `fixed`. (tables, links, fixed, dated)."""
    tables: list[sdc.Table] = []
    links: list = []
    fixed: dict[str, dict] = {}
    dated: list[tuple] = []
    chosen = [r for r in released if r.ends_on < start and r.released_at is not None
              and r.released_at.date() > r.ends_on][:RELEASES_CONSIDERED]
    for report in chosen:
        built = build(report.kind, report.starts_on, report.ends_on, year_starts)
        shown = {t["title"]: t for t in report.tables}
        if any(t.title not in shown for t in built.tables):
            continue  # counted differently then (a service added or renamed): not comparable cell by cell
        name = {t.title: f"Released report {report.pk}: {t.title}" for t in built.tables}
        for t, about in zip(built.tables, built.about, strict=True):
            if about["period"] == "year":
                continue  # monitoring: forms of a year still coming in
            tables.append(sdc.Table(name[t.title], t.rows, t.columns, t.counts))
            fixed[name[t.title]] = shown[t.title]
        kept = {name[t.title] for t, a in zip(built.tables, built.about, strict=True) if a["period"] != "year"}
        for link in built.links:
            if isinstance(link, sdc.PeriodSum):
                renamed = sdc.PeriodSum(name[link.total], tuple(name[p] for p in link.parts), link.remainder)
                members = (renamed.total, *renamed.parts)
            else:
                renamed = type(link)(name[link.first], name[link.second])
                members = (renamed.first, renamed.second)
            if all(m in kept for m in members):
                links.append(renamed)
        dated += [(subject, first, last, name[title]) for subject, first, last, title
                  in _dated_about(built, report.kind, report.starts_on, report.ends_on, year_starts)]
    return tables, links, fixed, dated


def protected(kind: str, start: dt.date, end: dt.date, *, threshold: int, base: int,
              year_starts: int = 4, released=()) -> Protected:
    """The report's tables as they would be published (sdc.protect over all of them at once).

    `released`: the released reports (newest first) with this threshold and base. Those wholly before
    this one are set beside it, as a reader can: their tables are counted again and join the system,
    published as they were (sdc's `fixed`), with every equality and sum between periods declared; a
    table of this report over the same days as a released one is published as it was. So nothing in
    this report, subtracted from or added to an earlier release, gives away a number either hid."""
    from confide.reports.models import MINIMUM_THRESHOLD

    built = build(kind, start, end, year_starts)
    extra, extra_links, fixed, dated = _release_context(released, start, year_starts) if released else ([], [], {}, [])
    if extra:
        mine = _dated_about(built, kind, start, end, year_starts)
        spans = {(subject, first, last): title for subject, first, last, title in dated}
        for subject, first, last, title in mine:
            if (subject, first, last) in spans:
                fixed[title] = fixed[spans[(subject, first, last)]]
        try:
            published = sdc.protect([*built.tables, *extra], threshold=threshold, base=base,
                                    minimum=MINIMUM_THRESHOLD, fixed=fixed,
                                    linked=[*built.links, *extra_links, *_period_links([*mine, *dated])])
            return Protected(published[:len(built.tables)], built.about)
        except ValueError:
            pass  # the counts no longer add up as they did (records changed since): protected on its own
    published = sdc.protect(built.tables, threshold=threshold, base=base, minimum=MINIMUM_THRESHOLD,
                            linked=built.links)
    return Protected(published, built.about)


def reasons_of(table: sdc.PublishedTable) -> dict:
    """Why each hidden number is hidden, for the reviewer (never published)."""
    return {"cells": [list(r) for r in table.cell_reasons], "row_totals": list(table.row_total_reasons),
            "column_totals": list(table.column_total_reasons), "total": table.total_reason}

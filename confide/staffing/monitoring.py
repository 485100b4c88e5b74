"""Equal-opportunities monitoring, only ever counted (DVIP 8.04; Home-Start: "kept apart and only
counted"): the form's fixed lists, and counts by cohort and answer of the unlinked MonitoringForms
(an application's answers are detached into one as it is recorded) together with the sealed
monitoring answers of applications recorded before that, not yet minimised. A count under
SMALL is shown as "fewer than 8", so no group is small enough to point at someone; there is never a
row per person, and nothing here returns who gave an answer."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass
from typing import Any

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.policy import vocab
from confide.staffing.models import Applicant, MonitoringForm

SMALL = 8
FEWER = f"fewer than {SMALL}"
NOT_ANSWERED = ""

# Each question's answers (value, words); "" is not answered, or not kept.
QUESTIONS: dict[str, tuple[str, tuple[tuple[str, str], ...]]] = {
    "race": ("Ethnic group", (
        ("asian", "Asian or Asian British"), ("black", "Black, Black British, Caribbean or African"),
        ("mixed", "Mixed or multiple ethnic groups"), ("white", "White"), ("other", "Another ethnic group"),
        ("prefer_not", "Prefer not to say"))),
    "sex": ("Sex", (("female", "Female"), ("male", "Male"), ("prefer_not", "Prefer not to say"))),
    "sexuality": ("Sexual orientation", (
        ("heterosexual", "Heterosexual or straight"), ("gay_lesbian", "Gay or lesbian"), ("bisexual", "Bisexual"),
        ("other", "Another sexual orientation"), ("prefer_not", "Prefer not to say"))),
    "disability": ("Disability", (("yes", "Yes"), ("no", "No"), ("prefer_not", "Prefer not to say"))),
    "age_band": ("Age", (
        ("16-24", "16 to 24"), ("25-34", "25 to 34"), ("35-44", "35 to 44"), ("45-54", "45 to 54"),
        ("55-64", "55 to 64"), ("65+", "65 or over"), ("prefer_not", "Prefer not to say"))),
}
FIELDS = tuple(QUESTIONS)


def applicant_fields(pack) -> tuple[str, ...]:
    """The monitoring answers kept about an applicant. DVIP 8.04 detaches the monitoring form from the
    application on receipt, and 8.08 keeps "only the most relevant information (race, sex, sexuality)"
    of an unsuccessful applicant: the outcome is not known on receipt, and a detached form can no
    longer be minimised, so the pack's `keep_only` for unsuccessful applications is what the detached
    form keeps, whatever the outcome. All the questions where the pack keeps no such list."""
    if "unsuccessful_application" not in pack._record_kinds:
        return FIELDS
    answer = pack.decide({"action": "retain", "record": {"kind": "unsuccessful_application", "flags": []}})
    kept = tuple(f for f in FIELDS if f in set(answer.get("keep_only") or ()))
    return kept or FIELDS


def check_answers(answers: dict[str, Any], error: type[Exception]) -> dict[str, str]:
    """Each answer from its question's own list, or "" (not answered); anything else refused."""
    if not isinstance(answers, dict):
        raise error("Choose the answers from the lists.")
    clean: dict[str, str] = {}
    for name, (label, choices) in QUESTIONS.items():
        value = answers.get(name) or ""
        if value and value not in {v for v, _ in choices}:
            raise error(f"Choose an answer to \"{label}\" from the list.", field=name)  # type: ignore[call-arg]
        clean[name] = value
    return clean


def shown(count: int) -> str:
    """A count as the page shows it: under SMALL, never the number."""
    return FEWER if count < SMALL else str(count)


@dataclass
class Table:
    question: str
    label: str
    cohorts: list[tuple[str, str]]  # (cohort, words)
    rows: list[dict[str, Any]]  # {"answer": words, "cells": [shown counts, one per cohort]}
    totals: list[str]


def _live_applicants(year: int | None):
    live = Applicant.objects.filter(minimised_at__isnull=True).exclude(monitoring_sealed=b"")
    if year is not None:
        live = live.filter(received_on__year=year)
    return list(live.only("id", "ref", "monitoring_sealed"))


def _answer_counts(year: int | None, live: list[Applicant]) -> dict[str, dict[str, Counter]]:
    """{cohort: {question: Counter(answer)}} over the unlinked forms and the live applications'
    sealed answers. Only counters leave this function."""
    counts: dict[str, dict[str, Counter]] = {c: {q: Counter() for q in FIELDS} for c in MonitoringForm.Cohort.values}
    forms = MonitoringForm.objects.all()
    if year is not None:
        forms = forms.filter(year=year)
    for question in FIELDS:
        for row in forms.values("cohort", question).order_by():
            counts[row["cohort"]][question][row[question]] += 1
    for applicant in live:
        answers = applicant.monitoring if isinstance(applicant.monitoring, dict) else {}
        for question in FIELDS:
            value = answers.get(question, "")
            valid = {v for v, _ in QUESTIONS[question][1]}
            counts[MonitoringForm.Cohort.APPLICANT][question][value if value in valid else NOT_ANSWERED] += 1
    return counts


def may_count(user) -> bool:
    return getattr(user, "role_kind", "") in vocab.MANAGER_KINDS and getattr(user, "is_active", False)


def count_tables(user, year: int | None = None) -> list[Table]:
    """One table per question: a row per answer (and "not answered or not kept"), a column per
    cohort, each cell a count or "fewer than 8". Recorded as counted (the year only)."""
    live = _live_applicants(year)
    # Recorded before anything is opened: the year, and the keys of the applications whose sealed
    # answers are counted (identifiers only), never an answer.
    record_event(user, Action.MONITORING_COUNTED, object_type="monitoring_form",
                 detail={"role": getattr(user, "role", ""), "year": year, "keys": [a.key_number for a in live]})
    counts = _answer_counts(year, live)
    cohorts = list(MonitoringForm.Cohort.choices)
    tables = []
    for question, (label, choices) in QUESTIONS.items():
        rows = []
        for value, words in (*choices, (NOT_ANSWERED, "Not answered, or not kept")):
            rows.append({"answer": words, "cells": [shown(counts[c][question][value]) for c, _ in cohorts]})
        totals = [shown(sum(counts[c][question].values())) for c, _ in cohorts]
        tables.append(Table(question, label, cohorts, rows, totals))
    return tables

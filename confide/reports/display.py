"""A report laid out for a page or its PDF: one section per subject, its chart (this period beside the
previous one, drawn from the published row totals only) and then every table of the subject, each as
published. The reviewer's layout adds why each hidden number is hidden; nobody else's does."""

from __future__ import annotations

from dataclasses import dataclass, field

from confide.reports.charts import Series, bar_chart
from confide.reports.sdc import REASONS

REASON_WORDS = {
    "primary": "small count", "total_small": "small total", "secondary_row": "protects its row",
    "secondary_column": "protects its column", "secondary_linked": "protects another table or period",
    "secondary_zero": "protects a small group", "earlier_release": "hidden in an earlier release",
}
assert set(REASON_WORDS) == set(REASONS)  # noqa: S101 -- a new reason code needs its words


@dataclass
class ShownTable:
    title: str
    period_name: str
    row_heading: str
    columns: list[str]
    rows: list[dict]
    totals: dict
    anchor: str


@dataclass
class Section:
    heading: str
    anchor: str
    chart: str = ""
    chart_table: dict = field(default_factory=dict)
    tables: list[ShownTable] = field(default_factory=list)


def _cell(value, reason=None, *, reasons: bool = False) -> dict:
    return {"value": value, "hidden": value is None,
            "reason": REASON_WORDS.get(reason or "", "") if reasons else ""}


def sections(report, *, reasons: bool = False, charts: bool = True) -> list[Section]:
    found: dict[str, Section] = {}
    by_subject: dict[str, dict[str, dict]] = {}
    for k, (table, about) in enumerate(zip(report.tables, report.about, strict=True)):
        why = report.reasons[k] if reasons and k < len(report.reasons) else None
        subject = about["subject"]
        section = found.setdefault(subject, Section(about["heading"], f"subject-{subject.replace('_', '-')}"))
        by_subject.setdefault(subject, {})[about["period"]] = table
        rows = []
        for i, label in enumerate(table["rows"]):
            cells = [_cell(v, why["cells"][i][j] if why else None, reasons=reasons)
                     for j, v in enumerate(table["cells"][i])]
            rows.append({"label": label, "cells": cells,
                         "total": _cell(table["row_totals"][i], why["row_totals"][i] if why else None,
                                        reasons=reasons)})
        totals = {"cells": [_cell(v, why["column_totals"][j] if why else None, reasons=reasons)
                            for j, v in enumerate(table["column_totals"])],
                  "total": _cell(table["total"], why["total"] if why else None, reasons=reasons)}
        section.tables.append(ShownTable(table["title"], f"{about['period_name']} ({about['period_words']})",
                                         about["row_heading"], table["columns"], rows, totals,
                                         f"table-{k + 1}"))
    if charts:
        for subject, section in found.items():
            periods = by_subject[subject]
            if "this" not in periods:
                continue
            this = periods["this"]
            series = [Series("This period", list(this["row_totals"]))]
            if "previous" in periods:
                series.append(Series("Previous period", list(periods["previous"]["row_totals"])))
            chart_id = f"chart-{subject.replace('_', '-')}"
            section.chart = bar_chart(chart_id, f"{section.heading}: this period and the previous one",
                                      "Bar chart of the row totals of the tables below, as published; "
                                      "a hidden number is marked hidden and drawn as no bar.",
                                      list(this["rows"]), series)
            section.chart_table = {
                "caption": f"{section.heading}: the figures the chart draws",
                "columns": [s.name for s in series],
                "rows": [{"label": label, "cells": [_cell(s.values[i]) for s in series]}
                         for i, label in enumerate(this["rows"])],
            }
    return list(found.values())

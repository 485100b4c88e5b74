"""A report as CSV (issue 17, point 4), as published: a hidden number is the word "hidden", never a
blank a spreadsheet might add up as 0. Every cell is guarded against spreadsheet formula injection
(OWASP "CSV injection"): one that begins with = + - @, a tab or a carriage return is prefixed with a
single quote, so a spreadsheet shows it as text instead of running it."""

from __future__ import annotations

import csv
import io

DANGEROUS = ("=", "+", "-", "@", "\t", "\r")
HIDDEN = "hidden"


def guard(value) -> str:
    text = "" if value is None else str(value)
    return "'" + text if text.startswith(DANGEROUS) else text


def report_csv(report) -> str:
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\r\n")

    def row(*cells) -> None:
        writer.writerow([guard(c) for c in cells])

    row("Private and confidential")
    row(report.label)
    row(f"Counts from 1 to {report.threshold} are hidden; every count shown is rounded to the nearest {report.base}")
    for table in report.tables:
        row()
        row(table["title"])
        row("", *table["columns"], "Total")
        for label, cells, total in zip(table["rows"], table["cells"], table["row_totals"], strict=True):
            row(label, *[HIDDEN if c is None else c for c in cells], HIDDEN if total is None else total)
        row("Total", *[HIDDEN if c is None else c for c in table["column_totals"]],
            HIDDEN if table["total"] is None else table["total"])
    return out.getvalue()


def csv_filename(report) -> str:
    return f"report-{report.starts_on.isoformat()}-to-{report.ends_on.isoformat()}.csv"

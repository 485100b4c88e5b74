"""Compare Confide's suppression (confide/reports/sdc.py) with ACRO's on three sample tables, cell by cell.

ACRO (the SACRO project's `acro` package) pulls in pandas and statsmodels, so it is not a Confide
dependency. Run this with a scratch virtual environment that has it, never the project's:

    python3 -m venv /tmp/acrovenv && /tmp/acrovenv/bin/pip install acro
    /tmp/acrovenv/bin/python bench/sdc_compare.py

Not part of the test suite. docs/reports-sdc.md records what it printed and explains the differences.
ACRO works on records, not counts, so each sample table is expanded into one fictional record per
count. ACRO is run twice: with its defaults (suppress counts below 10, zeros disclosive) and with its
threshold set to match ours (below 8, i.e. 1..7, zeros not disclosive).
"""

from __future__ import annotations

import os
import sys
import tempfile
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from confide.reports.sdc import Table, protect  # noqa: E402  (after the path is set)

SAMPLES = [
    Table(
        "Cases by service and referral source",
        ["Refuge", "Outreach", "Helpline"],
        ["Police", "Self", "Other"],
        [[3, 12, 20], [15, 0, 9], [30, 11, 2]],
    ),
    Table(
        "Cases by service and outcome",
        ["Refuge", "Outreach", "Helpline", "Children"],
        ["Safer", "Ongoing", "Closed"],
        [[14, 9, 12], [20, 31, 0], [40, 18, 16], [5, 11, 13]],
    ),
    Table(
        "Clients by age band and risk level",
        ["16-17", "18-24", "25-39", "40+"],
        ["High", "Medium", "Standard"],
        [[4, 0, 0], [10, 12, 0], [20, 9, 30], [22, 25, 31]],
    ),
]


def acro_table(table: Table, threshold: int | None, zeros_disclosive: bool):
    import pandas as pd
    from acro import ACRO

    records = [
        (r, c)
        for i, r in enumerate(table.rows)
        for j, c in enumerate(table.columns)
        for _ in range(table.counts[i][j])
    ]
    frame = pd.DataFrame(records, columns=["row", "column"])
    frame["row"] = pd.Categorical(frame["row"], categories=list(table.rows))
    frame["column"] = pd.Categorical(frame["column"], categories=list(table.columns))
    acro = ACRO(suppress=True)
    if threshold is not None:
        acro.sdc_checks.risk_appetite["safe_threshold"] = threshold
    acro.sdc_checks.risk_appetite["zeros_are_disclosive"] = zeros_disclosive
    out = acro.crosstab(frame["row"], frame["column"], margins=True)
    return out


def show(value) -> str:
    if value is None:
        return "-"
    try:
        if value != value:  # NaN: suppressed
            return "-"
    except TypeError:
        pass
    return str(int(value))


def main() -> None:
    os.chdir(tempfile.mkdtemp(prefix="sdc_compare_"))  # ACRO writes its results files here
    ours = protect(SAMPLES)
    for table, mine in zip(SAMPLES, ours, strict=True):
        acro_default = acro_table(table, None, True)
        acro_matched = acro_table(table, 8, False)
        print(f"\n## {table.title}\n")
        print("cell | true | Confide | reason | ACRO default (<10, zeros) | ACRO matched (<8)")
        print("---|---|---|---|---|---")
        for i, r in enumerate(table.rows):
            for j, c in enumerate(table.columns):
                print(
                    f"{r} / {c} | {table.counts[i][j]} | {show(mine.cells[i][j])} | "
                    f"{mine.cell_reasons[i][j] or ''} | {show(acro_default.loc[r, c])} | "
                    f"{show(acro_matched.loc[r, c])}"
                )
            print(
                f"{r} / total | {sum(table.counts[i])} | {show(mine.row_totals[i])} | "
                f"{mine.row_total_reasons[i] or ''} | {show(acro_default.loc[r, 'All'])} | "
                f"{show(acro_matched.loc[r, 'All'])}"
            )
        for j, c in enumerate(table.columns):
            print(
                f"total / {c} | {sum(row[j] for row in table.counts)} | {show(mine.column_totals[j])} | "
                f"{mine.column_total_reasons[j] or ''} | {show(acro_default.loc['All', c])} | "
                f"{show(acro_matched.loc['All', c])}"
            )
        print(
            f"total | {sum(map(sum, table.counts))} | {show(mine.total)} | {mine.total_reason or ''} | "
            f"{show(acro_default.loc['All', 'All'])} | {show(acro_matched.loc['All', 'All'])}"
        )


if __name__ == "__main__":
    main()

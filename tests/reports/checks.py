"""The outside check's rules (shared/checks/data/sdc_check.py), as a function for the tests: no
published number from 1 to 7, and no row or column with exactly one hidden cell beside a published total."""

from __future__ import annotations


def problems(tables: list[dict]) -> list[str]:
    found = []

    def small(v):
        return isinstance(v, int | float) and 0 < v <= 7

    for t in tables:
        name, grid = t["title"], t["cells"]
        for r, row in enumerate(grid):
            found += [f"{name}: cell {r},{c} shows {v}" for c, v in enumerate(row) if small(v)]
            if sum(v is None for v in row) == 1 and t["row_totals"][r] is not None:
                found.append(f"{name}: row {r} has one hidden cell and a published total")
        for c in range(len(grid[0]) if grid else 0):
            column = [row[c] for row in grid]
            if column.count(None) == 1 and t["column_totals"][c] is not None:
                found.append(f"{name}: column {c} has one hidden cell and a published total")
        found += [f"{name}: a total shows {v}" for v in [*t["row_totals"], *t["column_totals"], t["total"]]
                  if small(v)]
    return found

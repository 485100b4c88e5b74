"""Statistical disclosure control for published tables of counts. Pure Python, no Django.

Who we protect against
----------------------
The people most likely to try to pick a client out of a quarterly report (a perpetrator, a relative, a local
professional) know a lot already: that someone was referred by the police this quarter, that she is 17.
They can add and subtract every number the report publishes, across rows, columns, tables, the previous
period and the year to date. So a hidden number must stay hidden against all of that arithmetic.

The rules (docs/reports-sdc.md says the same in plain English)
--------------------------------------------------------------
1. Primary suppression: a cell whose true count is 1..threshold is hidden (reason ``primary``). A row total,
   column total or grand total whose true value is 1..threshold is hidden (reason ``total_small``). The
   threshold is set per organisation and may never be lower than the pack's minimum (``minimum``).
2. Rounding: every number that is published is the true count rounded to the nearest ``base`` (halves
   upwards). Totals are rounded true totals, not sums of rounded cells. Counts 1..threshold are hidden,
   and a count just above the threshold that would round down into 1..threshold (11 with threshold 10)
   is published as the first multiple of ``base`` above it (15), so a published number is either 0 or
   greater than the threshold (with threshold 7 and base 5: 0, or 10 and up).
3. Zeros: a true zero is published as 0. A published 0 is exact (1 and 2 never round down to 0, because
   they are hidden), and an exactly known 0 adds nothing to a subtraction that the rules below do not
   already defend. One exception: a row (or column) whose only non-zero cell is small and hidden, the
   rest 0, would tell the reader that everyone in that row is in that column (group disclosure), so one
   of its zeros is hidden too (reason ``secondary_zero``): the one whose crossing column holds the most
   people. Otherwise secondary suppression never picks a zero when any non-zero number is available
   (hiding a 0 protects nothing: the reader can often tell that a cell is structurally empty, and a
   hidden 0 beside a 0 total is pinned to 0 anyway). A relation with one hidden non-zero value always
   has another non-zero number in it (the total, if the hidden one is a part; a part, if the hidden one
   is the total), so a non-zero choice is always there; the bounds check (4c) catches a hidden 0 that
   could still be pinned.
4. Secondary suppression: the report is a set of *relations* ``total = part + part + ...``: each row (cells
   add up to the row total), each column, the row totals (add up to the grand total), the column totals,
   and every link between tables (``linked``): two tables that count the same people by the same rows or
   columns have equal margins; a year-to-date table is this quarter plus the earlier quarters
   (``PeriodSum``). The earlier quarters are never published, but ``ytd - quarter`` would reveal them, so
   they join the system as unpublished unknowns, and any of their counts that is 1..threshold must stay
   unrecoverable too. Then, to a fixed point:
   a. any relation with exactly one unknown, where that unknown is hidden or a small earlier-quarter
      count, gets one more number hidden: the smallest non-zero cell in it (a total only if no cell
      will do). The reason is the relation's: ``secondary_row``, ``secondary_column``, ``secondary_linked``;
   b. an exact check over all relations together (Gaussian elimination over the rationals): a hidden
      value that some combination of relations pins down exactly (e.g. a "bridge" between two blocks of
      hidden cells, which rule (a) alone does not see) gets one more number hidden in a relation it is in;
   c. a bounds check (counts are never negative): a hidden value squeezed to a single possible value gets
      the same treatment.
   Each step hides one more number, so the loop ends (at worst with everything hidden).

Why the rule holds, and why rounding alone does not
----------------------------------------------------
The suppression pattern is chosen as if every published number were exact: the attacker is assumed to
know the true value behind each published one. Under that assumption no hidden value, and no small
earlier-quarter value, is a linear consequence of the published ones (rule b), nor squeezed to a single
value by non-negativity (rule c). Rounding only widens what the attacker knows (a published 10 means
8..12), so it cannot undo that. Rounding on its own is not enough. Take this quarter 9 (published 10) and
the year to date 12 (published 10): the earlier quarters are 3, and the attacker learns they are 0..4,
which says "a very small group", and one more exact relation (a published 0 elsewhere in the row,
last year's report, a second table with the same margins) can close the gap. And a published 0 is always
exact. So with the rules above: the earlier-quarter 3 is small, ``ytd - quarter`` would give it exactly,
so rule (a) hides the quarter's 9 (``secondary_linked``), and then that row and column of the quarter's
table get their own secondary suppression.

Reason codes are for the data controller's review and the audit trail; the published JSON carries only
``null`` for a hidden number, because "primary" next to a cell would tell the reader that it is 1..7.

Limits: the report must not publish figures computed from true values outside these tables (a
percentage change, a mean); compute them from published figures. Tables counted from different people
(e.g. cases in one, clients in another) are not linked and must not be declared so.
"""

from __future__ import annotations

import json
import math
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from fractions import Fraction

PRIMARY = "primary"
TOTAL_SMALL = "total_small"
SECONDARY_ROW = "secondary_row"
SECONDARY_COLUMN = "secondary_column"
SECONDARY_LINKED = "secondary_linked"
SECONDARY_ZERO = "secondary_zero"
EARLIER_RELEASE = "earlier_release"  # hidden in an earlier release of the same figures, so hidden again
REASONS = (PRIMARY, TOTAL_SMALL, SECONDARY_ROW, SECONDARY_COLUMN, SECONDARY_LINKED, SECONDARY_ZERO, EARLIER_RELEASE)

DEFAULT_THRESHOLD = 7
DEFAULT_BASE = 5


@dataclass(frozen=True)
class Table:
    """A table of true counts: ``counts[i][j]`` people in row ``rows[i]`` and column ``columns[j]``."""

    title: str
    rows: Sequence[str]
    columns: Sequence[str]
    counts: Sequence[Sequence[int]]


@dataclass(frozen=True)
class SameRows:
    """Two tables counting the same people by the same row categories: their row totals are equal."""

    first: str
    second: str


@dataclass(frozen=True)
class SameColumns:
    """Two tables counting the same people by the same column categories: their column totals are equal."""

    first: str
    second: str


@dataclass(frozen=True)
class PeriodSum:
    """``total`` (e.g. year to date) is the sum of ``parts`` (e.g. this quarter), cell by cell.

    With ``remainder`` (the usual case) the total also holds periods that are not published (the earlier
    quarters of the year); they are computed as ``total - sum(parts)`` and protected like hidden cells.
    """

    total: str
    parts: tuple[str, ...]
    remainder: bool = True


Link = SameRows | SameColumns | PeriodSum


@dataclass(frozen=True)
class PublishedTable:
    """What may be published, with the reason for every hidden number (``None`` where published)."""

    title: str
    rows: tuple[str, ...]
    columns: tuple[str, ...]
    cells: tuple[tuple[int | None, ...], ...]
    cell_reasons: tuple[tuple[str | None, ...], ...]
    row_totals: tuple[int | None, ...]
    row_total_reasons: tuple[str | None, ...]
    column_totals: tuple[int | None, ...]
    column_total_reasons: tuple[str | None, ...]
    total: int | None
    total_reason: str | None


def round_to_base(value: int, base: int) -> int:
    """The nearest multiple of ``base``, halves upwards (13 -> 15, 12 -> 10 for base 5)."""
    return (value + base // 2) // base * base


def published_value(value: int, threshold: int, base: int) -> int:
    """What is published for a count that is not hidden: 0, or a multiple of ``base`` above ``threshold``.

    Rounded to the nearest ``base``; a count just above the threshold that would round down to the
    threshold or below (11 with threshold 10) is published as the first multiple of ``base`` above it (15),
    so that no published number is ever 1..threshold.
    """
    if value == 0:
        return 0
    first_above = (threshold // base + 1) * base
    return max(round_to_base(value, base), first_above)


# --- the system of relations --------------------------------------------------------------------------

_CELL, _ROW_TOTAL, _COLUMN_TOTAL, _GRAND = "cell", "row_total", "column_total", "grand"


@dataclass
class _Var:
    table: int
    kind: str
    i: int
    j: int
    value: int
    virtual: bool  # an unpublished period (earlier quarters): never published, known only by subtraction


@dataclass(frozen=True)
class _Relation:
    reason: str  # the reason code a number hidden to protect this relation carries
    total: int
    parts: tuple[int, ...]

    @property
    def members(self) -> tuple[int, ...]:
        return (self.total, *self.parts)


class _System:
    def __init__(self) -> None:
        self.vars: list[_Var] = []
        self.relations: list[_Relation] = []
        self.grids: list[dict[tuple[str, int, int], int]] = []

    def add_table(self, counts: Sequence[Sequence[int]], virtual: bool) -> int:
        t = len(self.grids)
        grid: dict[tuple[str, int, int], int] = {}
        n_rows, n_cols = len(counts), len(counts[0])

        def new(kind: str, i: int, j: int, value: int) -> int:
            self.vars.append(_Var(t, kind, i, j, value, virtual))
            grid[(kind, i, j)] = len(self.vars) - 1
            return len(self.vars) - 1

        cells = [[new(_CELL, i, j, counts[i][j]) for j in range(n_cols)] for i in range(n_rows)]
        row_totals = [new(_ROW_TOTAL, i, 0, sum(counts[i])) for i in range(n_rows)]
        col_totals = [new(_COLUMN_TOTAL, 0, j, sum(r[j] for r in counts)) for j in range(n_cols)]
        grand = new(_GRAND, 0, 0, sum(map(sum, counts)))
        self.grids.append(grid)
        for i in range(n_rows):
            self.relations.append(_Relation(SECONDARY_ROW, row_totals[i], tuple(cells[i])))
        for j in range(n_cols):
            self.relations.append(_Relation(SECONDARY_COLUMN, col_totals[j], tuple(r[j] for r in cells)))
        # The row totals form the totals column; the column totals form the totals row.
        self.relations.append(_Relation(SECONDARY_COLUMN, grand, tuple(row_totals)))
        self.relations.append(_Relation(SECONDARY_ROW, grand, tuple(col_totals)))
        return t

    def link(
        self, total_table: int, part_tables: Iterable[int], keys: Iterable[tuple[str, int, int]]
    ) -> None:
        parts = list(part_tables)
        for key in keys:
            self.relations.append(
                _Relation(
                    SECONDARY_LINKED, self.grids[total_table][key], tuple(self.grids[p][key] for p in parts)
                )
            )


def _determined(relations: Sequence[_Relation], unknown: set[int]) -> set[int]:
    """The unknowns that the relations pin down exactly, whatever the others are (exact rational arithmetic).

    Known values move to the right-hand side, so only the unknowns' coefficients matter. After reduction
    to row echelon form, an unknown is determined exactly when some reduced row has it as its only entry.
    """
    rows: list[dict[int, Fraction]] = []
    for rel in relations:
        row: dict[int, Fraction] = {}
        for v, c in ((rel.total, 1), *((p, -1) for p in rel.parts)):
            if v in unknown:
                row[v] = row.get(v, Fraction(0)) + c
        row = {v: c for v, c in row.items() if c}
        if row:
            rows.append(row)
    pivots: list[tuple[int, dict[int, Fraction]]] = []
    for row in rows:
        for pv, prow in pivots:
            if pv in row:
                f = row[pv]
                for v, c in prow.items():
                    row[v] = row.get(v, Fraction(0)) - f * c
                row = {v: c for v, c in row.items() if c}
        if not row:
            continue
        pv = min(row)
        f = row[pv]
        row = {v: c / f for v, c in row.items()}
        for k, (qv, qrow) in enumerate(pivots):  # keep every pivot row reduced
            if pv in qrow:
                g = qrow[pv]
                new = dict(qrow)
                for v, c in row.items():
                    new[v] = new.get(v, Fraction(0)) - g * c
                pivots[k] = (qv, {v: c for v, c in new.items() if c})
        pivots.append((pv, row))
    return {pv for pv, prow in pivots if len(prow) == 1}


def _bounds(
    relations: Sequence[_Relation], n: int, known: dict[int, tuple[float, float]], rounds: int = 10_000
) -> list[tuple[float, float]]:
    """Interval propagation: what an attacker can say about each value from the relations and ``>= 0``."""
    lo = [0.0] * n
    hi = [math.inf] * n
    for v, (a, b) in known.items():
        lo[v], hi[v] = a, b
    for _ in range(rounds):
        changed = False
        for rel in relations:
            t, parts = rel.total, rel.parts
            p_lo_old = [lo[p] for p in parts]
            p_hi_old = [hi[p] for p in parts]
            s_lo = sum(p_lo_old)
            finite_hi = sum(h for h in p_hi_old if h != math.inf)
            n_inf = sum(1 for h in p_hi_old if h == math.inf)
            new_t = (max(lo[t], s_lo), min(hi[t], finite_hi if n_inf == 0 else math.inf))
            if new_t != (lo[t], hi[t]):
                lo[t], hi[t] = new_t
                changed = True
            for k, p in enumerate(parts):
                p_hi = hi[t] - (s_lo - p_lo_old[k])
                if n_inf - (p_hi_old[k] == math.inf) > 0:
                    p_lo = -math.inf
                else:
                    p_lo = lo[t] - (finite_hi - (p_hi_old[k] if p_hi_old[k] != math.inf else 0))
                new_p = (max(lo[p], p_lo), min(hi[p], p_hi))
                if new_p != (lo[p], hi[p]):
                    lo[p], hi[p] = new_p
                    changed = True
        if not changed:
            break
    return list(zip(lo, hi, strict=True))


# --- protection ---------------------------------------------------------------------------------------


def _validate(tables: Sequence[Table], threshold: int, base: int, minimum: int) -> None:
    if threshold < minimum:
        raise ValueError(f"The threshold {threshold} is lower than the policy pack's minimum of {minimum}.")
    if base < 1:
        raise ValueError("The rounding base must be 1 or more.")
    titles = [t.title for t in tables]
    if len(set(titles)) != len(titles):
        raise ValueError("Every table in a report needs its own title.")
    for t in tables:
        if not t.rows or not t.columns:
            raise ValueError(f"Table {t.title!r} has no rows or no columns.")
        if len(t.counts) != len(t.rows) or any(len(r) != len(t.columns) for r in t.counts):
            raise ValueError(f"Table {t.title!r}: the counts do not match its rows and columns.")
        if any(not isinstance(c, int) or isinstance(c, bool) or c < 0 for r in t.counts for c in r):
            raise ValueError(f"Table {t.title!r}: counts must be whole numbers, 0 or more.")


def protect(
    tables: Sequence[Table],
    *,
    threshold: int = DEFAULT_THRESHOLD,
    base: int = DEFAULT_BASE,
    minimum: int = DEFAULT_THRESHOLD,
    linked: Sequence[Link] = (),
    fixed: Mapping[str, Mapping] | None = None,
) -> list[PublishedTable]:
    """Suppress and round ``tables`` so that no hidden number can be recovered (see the module docstring).

    ``fixed``: tables already published in an earlier release (by title here, each in ``as_dict``'s shape),
    for the same people and period. What they hid stays hidden, what they published is known to the reader
    and is never picked to hide now, and they are published again exactly as before, so that nothing can
    be learned by setting the two releases side by side. If that leaves a hidden number with nothing left
    to hide around it (the counts changed since), the tables are protected as if nothing were fixed.

    Deterministic: the same tables, links and settings give the same result.
    """
    if fixed:
        try:
            return _protect(tables, threshold=threshold, base=base, minimum=minimum, linked=linked, fixed=fixed)
        except _Stuck:
            pass
    return _protect(tables, threshold=threshold, base=base, minimum=minimum, linked=linked, fixed={})


class _Stuck(Exception):
    """A hidden number is exposed and every number around it is fixed by an earlier release."""


def _fixed_keys(table: Table, shown: Mapping) -> dict[tuple[str, int, int], int | None]:
    """An earlier release's table as {key: the number it published, or None where it hid it}."""
    n_rows, n_cols = len(table.rows), len(table.columns)
    if list(shown.get("rows", ())) != list(table.rows) or list(shown.get("columns", ())) != list(table.columns):
        raise ValueError(f"The earlier release of {table.title!r} does not have the same rows and columns.")
    keys: dict[tuple[str, int, int], int | None] = {}
    for i in range(n_rows):
        for j in range(n_cols):
            keys[(_CELL, i, j)] = shown["cells"][i][j]
        keys[(_ROW_TOTAL, i, 0)] = shown["row_totals"][i]
    for j in range(n_cols):
        keys[(_COLUMN_TOTAL, 0, j)] = shown["column_totals"][j]
    keys[(_GRAND, 0, 0)] = shown["total"]
    return keys


def _protect(
    tables: Sequence[Table],
    *,
    threshold: int,
    base: int,
    minimum: int,
    linked: Sequence[Link],
    fixed: Mapping[str, Mapping],
) -> list[PublishedTable]:
    _validate(tables, threshold, base, minimum)
    index = {t.title: k for k, t in enumerate(tables)}
    system = _System()
    for t in tables:
        system.add_table(t.counts, virtual=False)

    def table_of(title: str) -> int:
        if title not in index:
            raise ValueError(f"A link names a table that is not in the report: {title!r}.")
        return index[title]

    for link in linked:
        if isinstance(link, (SameRows, SameColumns)):
            a, b = tables[table_of(link.first)], tables[table_of(link.second)]
            if isinstance(link, SameRows):
                if list(a.rows) != list(b.rows):
                    raise ValueError(f"{a.title!r} and {b.title!r} do not have the same rows.")
                keys = [(_ROW_TOTAL, i, 0) for i in range(len(a.rows))]
            else:
                if list(a.columns) != list(b.columns):
                    raise ValueError(f"{a.title!r} and {b.title!r} do not have the same columns.")
                keys = [(_COLUMN_TOTAL, 0, j) for j in range(len(a.columns))]
            system.link(index[a.title], [index[b.title]], [*keys, (_GRAND, 0, 0)])
        elif isinstance(link, PeriodSum):
            whole = tables[table_of(link.total)]
            parts = [tables[table_of(p)] for p in link.parts]
            if not parts:
                raise ValueError(f"The period link for {whole.title!r} names no parts.")
            for p in parts:
                if list(p.rows) != list(whole.rows) or list(p.columns) != list(whole.columns):
                    raise ValueError(
                        f"{p.title!r} and {whole.title!r} do not have the same rows and columns."
                    )
            rest = [
                [whole.counts[i][j] - sum(p.counts[i][j] for p in parts) for j in range(len(whole.columns))]
                for i in range(len(whole.rows))
            ]
            if any(c < 0 for r in rest for c in r) or (
                not link.remainder and any(c for r in rest for c in r)
            ):
                raise ValueError(f"The parts of {whole.title!r} do not add up to it.")
            part_tables = [index[p.title] for p in parts]
            if link.remainder:
                part_tables.append(system.add_table(rest, virtual=True))
            system.link(index[whole.title], part_tables, list(system.grids[index[whole.title]]))
        else:
            raise ValueError(f"Unknown link: {link!r}")

    variables, relations = system.vars, system.relations
    reasons: dict[int, str] = {}
    for v, var in enumerate(variables):
        if not var.virtual and 1 <= var.value <= threshold:
            reasons[v] = PRIMARY if var.kind == _CELL else TOTAL_SMALL
    # An earlier release of a table: its hidden numbers stay hidden, its published ones stay published.
    pinned: dict[int, int] = {}
    for title, shown in fixed.items():
        k = table_of(title)
        for key, number in _fixed_keys(tables[k], shown).items():
            v = system.grids[k][key]
            if number is None:
                reasons.setdefault(v, EARLIER_RELEASE)
            else:
                reasons.pop(v, None)
                pinned[v] = number

    # Rule 3, zeros: a row (or column) whose only people are in one small, hidden cell, all its other cells
    # published as 0, tells the reader that everyone in that row has that column's attribute (every
    # 16-17-year-old is "high risk"). Hide one of its zeros too: the one whose crossing column (or row)
    # holds the most people, so that it cannot be pinned to 0 from its own line.
    for k, t in enumerate(tables):
        grid = system.grids[k]
        n_rows, n_cols = len(t.rows), len(t.columns)
        lines = [[(i, j) for j in range(n_cols)] for i in range(n_rows)] if n_cols > 1 else []
        lines += [[(i, j) for i in range(n_rows)] for j in range(n_cols)] if n_rows > 1 else []
        for line in lines:
            people = [(i, j) for i, j in line if t.counts[i][j] > 0]
            if len(people) == 1 and 1 <= t.counts[people[0][0]][people[0][1]] <= threshold:
                across_row = line[0][0] == line[-1][0]

                def crossing(ij: tuple[int, int], across_row: bool = across_row, t: Table = t) -> int:
                    i, j = ij
                    return sum(r[j] for r in t.counts) if across_row else sum(t.counts[i])

                choices = [ij for ij in line if ij != people[0] and grid[(_CELL, *ij)] not in pinned]
                if choices:
                    zero = min(choices, key=lambda ij: (-crossing(ij), ij))
                    reasons.setdefault(grid[(_CELL, *zero)], SECONDARY_ZERO)

    def unknown() -> set[int]:
        return set(reasons) | {v for v, var in enumerate(variables) if var.virtual}

    def protected() -> set[int]:
        return set(reasons) | {
            v for v, var in enumerate(variables) if var.virtual and 1 <= var.value <= threshold
        }

    def candidate(rel: _Relation) -> tuple[tuple[int, int, int, int], int] | None:
        """The number to hide next in this relation: smallest non-zero cell, then a total, then a zero."""
        best = None
        for v in rel.members:
            var = variables[v]
            if var.virtual or v in reasons or v in pinned:
                continue
            key = (var.value == 0, var.kind != _CELL, var.value, v)
            if best is None or key < best[0]:
                best = (key, v)
        return best

    def hide_near(target: int) -> None:
        """Hide the best candidate in the relations nearest ``target`` (through unknown numbers)."""
        seen_vars, frontier = {target}, [target]
        seen_rels: set[int] = set()
        unknowns = unknown()
        while frontier:
            layer = [
                r
                for r, rel in enumerate(relations)
                if r not in seen_rels and set(rel.members) & set(frontier)
            ]
            seen_rels.update(layer)
            options = [(c, r) for r in layer if (c := candidate(relations[r])) is not None]
            if options:
                (_, v), r = min(options)
                reasons[v] = relations[r].reason
                return
            frontier = [
                v for r in layer for v in relations[r].members if v in unknowns and v not in seen_vars
            ]
            seen_vars.update(frontier)
        raise _Stuck  # only numbers an earlier release fixed are left around it

    while True:
        changed = True
        while changed:  # (a) one unknown left in a relation
            changed = False
            for rel in relations:
                unknowns, guarded = unknown(), protected()
                left = [v for v in rel.members if v in unknowns]
                if len(left) == 1 and left[0] in guarded and (c := candidate(rel)) is not None:
                    reasons[c[1]] = rel.reason
                    changed = True
        guarded = sorted(protected())
        exposed = sorted(set(guarded) & _determined(relations, unknown()))  # (b) exact elimination
        if not exposed:
            known = {
                v: (float(var.value), float(var.value))
                for v, var in enumerate(variables)
                if not var.virtual and v not in reasons
            }
            bounds = _bounds(relations, len(variables), known)  # (c) squeezed by non-negativity
            exposed = [v for v in guarded if bounds[v][0] == bounds[v][1]]
        if not exposed:
            break
        hide_near(exposed[0])

    published = []
    for k, t in enumerate(tables):
        grid = system.grids[k]

        def value(
            key: tuple[str, int, int], grid: dict[tuple[str, int, int], int] = grid
        ) -> tuple[int | None, str | None]:
            v = grid[key]
            if v in reasons:
                return None, reasons[v]
            if v in pinned:
                return pinned[v], None
            return published_value(variables[v].value, threshold, base), None

        n_rows, n_cols = range(len(t.rows)), range(len(t.columns))
        cells = [[value((_CELL, i, j)) for j in n_cols] for i in n_rows]
        rts = [value((_ROW_TOTAL, i, 0)) for i in n_rows]
        cts = [value((_COLUMN_TOTAL, 0, j)) for j in n_cols]
        grand = value((_GRAND, 0, 0))
        published.append(
            PublishedTable(
                title=t.title,
                rows=tuple(t.rows),
                columns=tuple(t.columns),
                cells=tuple(tuple(c[0] for c in row) for row in cells),
                cell_reasons=tuple(tuple(c[1] for c in row) for row in cells),
                row_totals=tuple(c[0] for c in rts),
                row_total_reasons=tuple(c[1] for c in rts),
                column_totals=tuple(c[0] for c in cts),
                column_total_reasons=tuple(c[1] for c in cts),
                total=grand[0],
                total_reason=grand[1],
            )
        )
    return published


def as_dict(table: PublishedTable) -> dict:
    """The published shape of one table: hidden numbers are ``None`` (``null``), reasons are left out."""
    return {
        "title": table.title,
        "rows": list(table.rows),
        "columns": list(table.columns),
        "cells": [list(row) for row in table.cells],
        "row_totals": list(table.row_totals),
        "column_totals": list(table.column_totals),
        "total": table.total,
    }


def from_dict(shown: Mapping) -> PublishedTable:
    """A table in ``as_dict``'s shape (a released report's) read back, its reasons not kept with it."""
    hidden = EARLIER_RELEASE
    cells = tuple(tuple(row) for row in shown["cells"])
    return PublishedTable(
        title=shown["title"], rows=tuple(shown["rows"]), columns=tuple(shown["columns"]), cells=cells,
        cell_reasons=tuple(tuple(hidden if c is None else None for c in row) for row in cells),
        row_totals=tuple(shown["row_totals"]),
        row_total_reasons=tuple(hidden if c is None else None for c in shown["row_totals"]),
        column_totals=tuple(shown["column_totals"]),
        column_total_reasons=tuple(hidden if c is None else None for c in shown["column_totals"]),
        total=shown["total"], total_reason=hidden if shown["total"] is None else None,
    )


def to_json(published: Sequence[PublishedTable]) -> str:
    """The published tables as a JSON list of ``{"title", "rows", "columns", "cells", "row_totals",
    "column_totals", "total"}``."""
    return json.dumps([as_dict(t) for t in published], ensure_ascii=False, indent=2)

"""Small-number suppression for reports: hand-worked tables, and an attacker who subtracts everything.

The attacker here is written separately from confide/reports/sdc.py: it reads only the published JSON and
the links a reader could know about (same margins, quarter + earlier quarters = year to date), and tries
to recover hidden numbers by subtraction (one unknown left in a sum), by exact elimination over all the
sums at once, and by bounds (counts are never negative; a published 10 means 8..12).
"""

from __future__ import annotations

import json
import math
from fractions import Fraction

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confide.reports import sdc
from confide.reports.sdc import PeriodSum, SameColumns, SameRows, Table, protect, to_json

# --- the attacker -------------------------------------------------------------------------------------


def keys_of(title, n_rows, n_cols):
    cells = [[(title, "c", i, j) for j in range(n_cols)] for i in range(n_rows)]
    rts = [(title, "r", i) for i in range(n_rows)]
    cts = [(title, "k", j) for j in range(n_cols)]
    return cells, rts, cts, (title, "t")


def table_sums(title, n_rows, n_cols):
    cells, rts, cts, grand = keys_of(title, n_rows, n_cols)
    sums = [(rts[i], cells[i]) for i in range(n_rows)]
    sums += [(cts[j], [cells[i][j] for i in range(n_rows)]) for j in range(n_cols)]
    return [*sums, (grand, rts), (grand, cts)]


def all_keys(title, n_rows, n_cols):
    cells, rts, cts, grand = keys_of(title, n_rows, n_cols)
    return [k for row in cells for k in row] + rts + cts + [grand]


def attacker_view(published, links):
    """The sums a reader can write down, what they read off the page, and the unpublished unknowns."""
    shape = {t["title"]: (len(t["rows"]), len(t["columns"])) for t in published}
    sums, seen = [], {}
    for t in published:
        n_rows, n_cols = shape[t["title"]]
        sums += table_sums(t["title"], n_rows, n_cols)
        cells, rts, cts, grand = keys_of(t["title"], n_rows, n_cols)
        for i in range(n_rows):
            for j in range(n_cols):
                seen[cells[i][j]] = t["cells"][i][j]
            seen[rts[i]] = t["row_totals"][i]
        for j in range(n_cols):
            seen[cts[j]] = t["column_totals"][j]
        seen[grand] = t["total"]
    for link in links:
        if isinstance(link, (SameRows, SameColumns)):
            a, b = link.first, link.second
            n = shape[a][0] if isinstance(link, SameRows) else shape[a][1]
            kind = "r" if isinstance(link, SameRows) else "k"
            sums += [((a, kind, i), [(b, kind, i)]) for i in range(n)] + [((a, "t"), [(b, "t")])]
        else:
            n_rows, n_cols = shape[link.total]
            parts = list(link.parts)
            if link.remainder:
                rest = "earlier:" + link.total
                parts.append(rest)
                sums += table_sums(rest, n_rows, n_cols)
            for key in all_keys(link.total, n_rows, n_cols):
                sums.append((key, [(p, *key[1:]) for p in parts]))
    return sums, seen


def peel(sums, known):
    """Subtraction: a sum with one unknown left gives it away. Repeat until nothing new."""
    known = dict(known)
    changed = True
    while changed:
        changed = False
        for total, parts in sums:
            left = [k for k in (total, *parts) if k not in known]
            if len(left) == 1:
                (x,) = left
                if x == total:
                    known[x] = sum(known[p] for p in parts)
                else:
                    known[x] = known[total] - sum(known[p] for p in parts if p != x)
                changed = True
    return known


def eliminate(sums, unknown):
    """The unknowns that some combination of the sums fixes exactly (Gauss-Jordan over the rationals)."""
    order = sorted(unknown, key=repr)
    col = {k: n for n, k in enumerate(order)}
    matrix = []
    for total, parts in sums:
        row = [Fraction(0)] * len(order)
        for k, c in ((total, 1), *((p, -1) for p in parts)):
            if k in col:
                row[col[k]] += c
        if any(row):
            matrix.append(row)
    pivot_row = 0
    for c in range(len(order)):
        found = next((r for r in range(pivot_row, len(matrix)) if matrix[r][c]), None)
        if found is None:
            continue
        matrix[pivot_row], matrix[found] = matrix[found], matrix[pivot_row]
        lead = matrix[pivot_row][c]
        matrix[pivot_row] = [x / lead for x in matrix[pivot_row]]
        for r in range(len(matrix)):
            if r != pivot_row and matrix[r][c]:
                f = matrix[r][c]
                matrix[r] = [x - f * y for x, y in zip(matrix[r], matrix[pivot_row], strict=True)]
        pivot_row += 1
    return {order[r.index(next(x for x in r if x))] for r in matrix if sum(1 for x in r if x) == 1}


def squeeze(sums, intervals):
    """Bounds: every count is 0 or more; a sum bounds its parts and its parts bound it."""
    lo = {k: a for k, (a, _) in intervals.items()}
    hi = {k: b for k, (_, b) in intervals.items()}
    for _ in range(10_000):
        before = (dict(lo), dict(hi))
        for total, parts in sums:
            lo[total] = max(lo[total], sum(lo[p] for p in parts))
            hi[total] = min(hi[total], sum(hi[p] for p in parts))
            for p in parts:
                others = [q for q in parts if q != p]
                hi[p] = min(hi[p], hi[total] - sum(lo[q] for q in others))
                lo[p] = max(lo[p], lo[total] - sum(hi[q] for q in others))
        if (lo, hi) == before:
            break
    return lo, hi


def interval_of(value, threshold, base, exact):
    """What a published number tells the reader about the true count."""
    if value is None:
        return (0, math.inf)
    if exact or value == 0:  # 1..threshold are hidden, so a published 0 is exactly 0
        return (value, value)
    if (
        value == (threshold // base + 1) * base
    ):  # the first number above the threshold also takes 11..12 -> 15
        return (threshold + 1, value + (base - 1 - base // 2))
    return (value - base // 2, value + (base - 1 - base // 2))


def outside_check(document, threshold=7):
    """The checks the outside reviewer runs on the JSON."""
    problems = []
    for t in json.loads(document):
        numbers = [x for row in t["cells"] for x in row] + t["row_totals"] + t["column_totals"] + [t["total"]]
        problems += [f"{t['title']}: {x} published" for x in numbers if x is not None and 1 <= x <= threshold]
        for i, row in enumerate(t["cells"]):
            if sum(x is None for x in row) == 1 and t["row_totals"][i] is not None:
                problems.append(f"{t['title']}: row {i} has one hidden cell and a published total")
        for j in range(len(t["columns"])):
            column = [row[j] for row in t["cells"]]
            if sum(x is None for x in column) == 1 and t["column_totals"][j] is not None:
                problems.append(f"{t['title']}: column {j} has one hidden cell and a published total")
    return problems


def true_values(tables, links):
    """Every true number, including the unpublished earlier quarters, keyed as the attacker keys them."""
    truth = {}
    by_title = {t.title: t for t in tables}

    def put(title, counts):
        cells, rts, cts, grand = keys_of(title, len(counts), len(counts[0]))
        for i, row in enumerate(counts):
            for j, x in enumerate(row):
                truth[cells[i][j]] = x
            truth[rts[i]] = sum(row)
        for j in range(len(counts[0])):
            truth[cts[j]] = sum(r[j] for r in counts)
        truth[grand] = sum(map(sum, counts))

    for t in tables:
        put(t.title, t.counts)
    for link in links:
        if isinstance(link, PeriodSum) and link.remainder:
            whole = by_title[link.total]
            put(
                "earlier:" + link.total,
                [
                    [x - sum(by_title[p].counts[i][j] for p in link.parts) for j, x in enumerate(row)]
                    for i, row in enumerate(whole.counts)
                ],
            )
    return truth


def recoveries(tables, links, published_json, threshold=7, base=5):
    """Hidden numbers (or small earlier-quarter counts) the attacker can pin down. Empty when safe."""
    published = json.loads(published_json)
    sums, seen = attacker_view(published, links)
    truth = true_values(tables, links)
    unknown = {k for k in truth if seen.get(k) is None}
    guarded = {
        k for k in unknown if k in seen or 1 <= truth[k] <= threshold
    }  # hidden, or small and unpublished
    found = []
    exact = {k: v for k, v in seen.items() if v is not None}
    exact_truth = {k: truth[k] for k in exact}  # the worst case: the reader knows the true published values
    peeled = peel(sums, exact_truth)
    found += [("subtraction", k, peeled[k]) for k in sorted(guarded, key=repr) if k in peeled]
    found += [("elimination", k) for k in sorted(guarded & eliminate(sums, unknown), key=repr)]
    for exactly in (True, False):
        intervals = {k: interval_of(seen.get(k), threshold, base, exactly) for k in truth}
        if exactly:
            intervals.update({k: (v, v) for k, v in exact_truth.items()})
        lo, hi = squeeze(sums, intervals)
        found += [("bounds", exactly, k, lo[k]) for k in sorted(guarded, key=repr) if lo[k] == hi[k]]
        assert all(lo[k] <= truth[k] <= hi[k] for k in truth), "the attacker model must be sound"
    return found


# --- hand-worked tables -------------------------------------------------------------------------------


def test_a_small_cell_is_hidden_with_a_cycle_of_secondary_cells():
    # Service x referral source. Refuge/police is 3: hidden. Its row and column would give it away, so
    # the smallest other cell in each is hidden too, until every row and column with a hidden cell has two.
    table = Table("Service by referral", ["Refuge", "Outreach", "Helpline"], ["Police", "Self", "Other"],
                  [[3, 12, 20], [15, 0, 9], [30, 11, 2]])  # fmt: skip
    (out,) = protect([table])
    assert out.cells == ((None, None, 20), (None, 0, None), (30, None, None))
    assert out.cell_reasons == (
        ("primary", "secondary_row", None),
        ("secondary_column", None, "secondary_column"),
        (None, "secondary_row", "primary"),
    )
    # Totals are the true totals rounded to 5 (35 -> 35, 24 -> 25, 43 -> 45; 48 -> 50, 23 -> 25, 31 -> 30).
    assert out.row_totals == (35, 25, 45)
    assert out.column_totals == (50, 25, 30)
    assert out.total == 100
    assert outside_check(to_json([out])) == []
    assert recoveries([table], [], to_json([out])) == []


def test_primary_suppression_alone_gives_the_cell_away_and_the_checks_say_so():
    # What a protect() without secondary suppression would publish: row 0 then gives 35 - 12 - 20 = 3.
    naive = [{"title": "T", "rows": ["a", "b"], "columns": ["x", "y", "z"],
              "cells": [[None, 12, 20], [15, 10, 9]], "row_totals": [35, 34], "column_totals": [18, 22, 29],
              "total": 69}]  # fmt: skip
    table = Table("T", ["a", "b"], ["x", "y", "z"], [[3, 12, 20], [15, 10, 9]])
    assert outside_check(json.dumps(naive)) == [
        "T: row 0 has one hidden cell and a published total",
        "T: column 0 has one hidden cell and a published total",
    ]
    found = recoveries([table], [], json.dumps(naive))
    assert ("subtraction", ("T", "c", 0, 0), 3) in found


def test_small_totals_are_hidden_and_a_lone_group_does_not_show_through_zeros():
    # Age band x risk level: the only 16-17-year-olds (3) are all "high". Publishing the zeros beside a
    # hidden 3 would say "every 16-17-year-old is high risk", so one zero is hidden as well.
    table = Table("Age by risk", ["16-17", "18-24"], ["High", "Standard"], [[3, 0], [0, 20]])
    (out,) = protect([table])
    assert out.cell_reasons[0] == ("primary", "secondary_zero")
    assert out.row_total_reasons[0] == "total_small"
    assert out.column_total_reasons[0] == "total_small"
    assert out.total == 25
    assert outside_check(to_json([out])) == []
    assert recoveries([table], [], to_json([out])) == []


def test_year_to_date_minus_the_quarter_would_reveal_the_earlier_quarters():
    # Rounding alone: this quarter 9 -> 10 and the year to date 12 -> 10 tell the reader that the earlier
    # quarters held 0..4 people. The exact difference is 3, a small count, so the quarter's 9 is hidden
    # (secondary_linked), and the quarter's own rows and columns are then protected in turn.
    quarter = Table("Quarter", ["Refuge", "Outreach"], ["Police", "Self"], [[9, 20], [15, 30]])
    ytd = Table("Year to date", ["Refuge", "Outreach"], ["Police", "Self"], [[12, 40], [30, 60]])
    links = [PeriodSum("Year to date", ("Quarter",))]
    q, y = protect([quarter, ytd], linked=links)
    assert q.cell_reasons[0][0] == "secondary_linked"
    assert y.cells == ((10, 40), (30, 60))
    assert outside_check(to_json([q, y])) == []
    assert recoveries([quarter, ytd], links, to_json([q, y])) == []


def test_tables_with_the_same_service_totals_protect_each_other():
    by_source = Table("Service by referral", ["Refuge", "Outreach"], ["Police", "Self"], [[4, 20], [15, 30]])
    by_outcome = Table(
        "Service by outcome", ["Refuge", "Outreach"], ["Safer", "Ongoing"], [[10, 14], [25, 20]]
    )
    links = [SameRows("Service by referral", "Service by outcome")]
    out = protect([by_source, by_outcome], linked=links)
    # The refuge row total may not be hidden in one table and published in the other.
    assert (out[0].row_totals[0] is None) == (out[1].row_totals[0] is None)
    assert outside_check(to_json(out)) == []
    assert recoveries([by_source, by_outcome], links, to_json(out)) == []


def test_published_json_has_exactly_the_agreed_shape():
    table = Table("T", ["a", "b"], ["x", "y"], [[0, 12], [22, 40]])
    (doc,) = json.loads(to_json(protect([table])))
    assert doc == {"title": "T", "rows": ["a", "b"], "columns": ["x", "y"], "cells": [[0, 10], [20, 40]],
                   "row_totals": [10, 60], "column_totals": [20, 50], "total": 75}  # fmt: skip


def test_the_threshold_may_be_raised_but_never_below_the_packs():
    table = Table("T", ["a", "b"], ["x", "y"], [[9, 30], [40, 50]])
    (out,) = protect([table], threshold=10, minimum=7)
    assert out.cell_reasons[0][0] == "primary"
    # 11 would round to 10, which is not above the threshold of 10: it is published as 15.
    assert sdc.published_value(11, 10, 5) == 15
    assert sdc.published_value(13, 10, 5) == 15
    assert sdc.published_value(8, 7, 5) == 10
    with pytest.raises(ValueError, match="lower than the policy pack's minimum"):
        protect([table], threshold=5, minimum=7)
    with pytest.raises(ValueError, match="rounding base"):
        protect([table], base=0)


@pytest.mark.parametrize(
    ("tables", "links", "message"),
    [
        ([Table("T", ["a"], ["x"], [[-1]])], [], "0 or more"),
        ([Table("T", ["a"], ["x", "y"], [[1]])], [], "do not match"),
        ([Table("T", ["a"], ["x"], [[1]]), Table("T", ["a"], ["x"], [[1]])], [], "its own title"),
        ([Table("T", ["a"], ["x"], [[1]])], [SameRows("T", "U")], "not in the report"),
        (
            [Table("Q", ["a"], ["x"], [[5]]), Table("Y", ["a"], ["x"], [[3]])],
            [PeriodSum("Y", ("Q",))],
            "add up",
        ),
    ],
)
def test_bad_input_gets_a_specific_error(tables, links, message):
    with pytest.raises(ValueError, match=message):
        protect(tables, linked=links)


def test_the_same_input_gives_the_same_output():
    table = Table("T", ["a", "b", "c"], ["x", "y", "z"], [[1, 8, 8], [8, 8, 8], [8, 8, 2]])
    assert to_json(protect([table])) == to_json(protect([table]))


# --- property tests -----------------------------------------------------------------------------------

count = st.one_of(st.just(0), st.integers(1, 7), st.integers(8, 12), st.integers(13, 60))


def grid(n_rows, n_cols):
    return st.lists(st.lists(count, min_size=n_cols, max_size=n_cols), min_size=n_rows, max_size=n_rows)


@st.composite
def split(draw, total, n):
    """``total`` shared out among ``n`` columns."""
    cuts = sorted(draw(st.lists(st.integers(0, total), min_size=n - 1, max_size=n - 1)))
    return [b - a for a, b in zip([0, *cuts], [*cuts, total], strict=True)]


@st.composite
def reports(draw):
    n_rows, n_cols = draw(st.integers(1, 4)), draw(st.integers(1, 4))
    rows, cols = [f"r{i}" for i in range(n_rows)], [f"c{j}" for j in range(n_cols)]
    kind = draw(st.sampled_from(["one", "same rows", "same columns", "period", "period with previous"]))
    first = draw(grid(n_rows, n_cols))
    tables, links = [Table("A", rows, cols, first)], []
    if kind == "same rows":
        n_other = draw(st.integers(1, 3))
        other = [draw(split(sum(r), n_other)) for r in first]
        tables.append(Table("B", rows, [f"d{j}" for j in range(n_other)], other))
        links.append(SameRows("A", "B"))
    elif kind == "same columns":
        n_other = draw(st.integers(1, 3))
        by_col = [draw(split(sum(r[j] for r in first), n_other)) for j in range(n_cols)]
        other = [[by_col[j][i] for j in range(n_cols)] for i in range(n_other)]
        tables.append(Table("B", [f"s{i}" for i in range(n_other)], cols, other))
        links.append(SameColumns("A", "B"))
    elif kind.startswith("period"):
        parts = ["A"]
        total = [row[:] for row in first]
        if kind == "period with previous":
            previous = draw(grid(n_rows, n_cols))
            tables.append(Table("Previous", rows, cols, previous))
            parts.append("Previous")
            total = [[a + b for a, b in zip(r, s, strict=True)] for r, s in zip(total, previous, strict=True)]
        earlier = draw(grid(n_rows, n_cols))
        total = [[a + b for a, b in zip(r, s, strict=True)] for r, s in zip(total, earlier, strict=True)]
        tables.append(Table("YTD", rows, cols, total))
        links.append(PeriodSum("YTD", tuple(parts)))
    threshold = draw(st.sampled_from([7, 7, 7, 8, 10]))
    return tables, links, threshold


@settings(max_examples=200, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(reports())
def test_no_hidden_number_can_be_recovered_from_anything_published(report):
    tables, links, threshold = report
    out = protect(tables, threshold=threshold, linked=links)
    document = to_json(out)
    assert outside_check(document, threshold) == []
    assert recoveries(tables, links, document, threshold) == []
    for table, pub in zip(tables, out, strict=True):
        for i, row in enumerate(table.counts):
            for j, x in enumerate(row):
                assert (pub.cells[i][j] is None) == (pub.cell_reasons[i][j] is not None)
                assert pub.cell_reasons[i][j] in (None, *sdc.REASONS)
                assert (pub.cell_reasons[i][j] == "primary") == (1 <= x <= threshold)
                if pub.cells[i][j] is not None:
                    assert pub.cells[i][j] == sdc.published_value(x, threshold, 5)
        totals = [*zip(pub.row_totals, pub.row_total_reasons, map(sum, table.counts), strict=True),
                  *zip(pub.column_totals, pub.column_total_reasons, map(sum, zip(*table.counts, strict=True)), strict=True),
                  (pub.total, pub.total_reason, sum(map(sum, table.counts)))]  # fmt: skip
        for shown, reason, truth in totals:
            assert (shown is None) == (reason is not None)
            assert (reason == "total_small") == (1 <= truth <= threshold)
            assert shown is None or shown == sdc.published_value(truth, threshold, 5)


def _sum(*grids):
    return [[sum(g[i][j] for g in grids) for j in range(len(grids[0][0]))] for i in range(len(grids[0]))]


@settings(max_examples=60, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(st.integers(1, 3), st.integers(1, 3), st.data())
def test_a_second_release_beside_the_first_gives_nothing_away(n_rows, n_cols, data):
    # Quarter 2 is released (this quarter, the previous one, the year to date); quarter 3 is then protected
    # with quarter 2's tables beside it, published as they were (``fixed``). A reader with both, who
    # knows that quarter 3's "previous" is quarter 2 and that its year to date is all three quarters,
    # pins down nothing either release hid.
    rows, cols = [f"r{i}" for i in range(n_rows)], [f"c{j}" for j in range(n_cols)]
    q1, q2, q3 = (data.draw(grid(n_rows, n_cols)) for _ in range(3))
    first = [Table("Q2", rows, cols, q2), Table("Q1 as previous", rows, cols, q1),
             Table("YTD to Q2", rows, cols, _sum(q1, q2))]
    first_links = [PeriodSum("YTD to Q2", ("Q2", "Q1 as previous"), remainder=False)]
    released = protect(first, linked=first_links)
    second = [Table("Q3", rows, cols, q3), Table("Q2 as previous", rows, cols, q2),
              Table("YTD to Q3", rows, cols, _sum(q1, q2, q3))]
    context_links = [PeriodSum("YTD to Q3", ("Q3", "Q2 as previous"), remainder=True),
                     PeriodSum("YTD to Q3", ("YTD to Q2", "Q3"), remainder=False),
                     PeriodSum("Q2 as previous", ("Q2",), remainder=False), *first_links]
    fixed = {t.title: sdc.as_dict(p) for t, p in zip(first, released, strict=True)}
    fixed["Q2 as previous"] = fixed["Q2"]
    out = protect([*second, *first], linked=context_links, fixed=fixed)[:3]
    assert [sdc.as_dict(t) for t in out][1] == {**fixed["Q2"], "title": "Q2 as previous"}
    reader_links = [*first_links, PeriodSum("YTD to Q3", ("Q3", "Q2 as previous", "Q1 as previous"), remainder=False),
                    PeriodSum("Q2", ("Q2 as previous",), remainder=False)]
    document = json.dumps(json.loads(to_json(released)) + json.loads(to_json(out)))
    assert recoveries([*first, *second], reader_links, document) == []

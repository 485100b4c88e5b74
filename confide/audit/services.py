"""Writing to and checking the audit log. Every other module records through record_event()."""

from __future__ import annotations

import contextlib
import multiprocessing
import os
from concurrent.futures import ProcessPoolExecutor
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection
from django.utils import timezone

from confide.audit import appendlock
from confide.audit.actions import KNOWN, Action
from confide.audit.chain import (
    GENESIS,
    SQLITE_HASH_ROWS,
    RangeCheck,
    canonical_detail,
    canonical_time,
    check_range_sqlite,
    check_range_sqlite_file,
    check_rows,
    event_hash,
)
from confide.audit.models import AuditEvent, AuditHead

_SAFE_DETAIL_TYPES = (str, int, float, bool, type(None))


def _check_detail(detail: dict) -> None:
    # Log events, never content: detail holds identifiers, codes and decisions. Only flat values
    # and lists of them, so a whole form or note cannot be dropped in by accident.
    for key, value in detail.items():
        if not isinstance(key, str):
            raise TypeError("audit detail keys must be strings")
        values = value if isinstance(value, list | tuple) else [value]
        if not all(isinstance(item, _SAFE_DETAIL_TYPES) for item in values):
            raise TypeError(f"audit detail {key!r} must be a plain value or a list of plain values")


_INSERT = ("INSERT INTO audit_event (seq, at, actor_id, actor, action, object_type, object_id, client_id, purpose, "
           "detail, prev_hash, hash) VALUES ({p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p}, {p})")


class _Plan(NamedTuple):
    """The statements of one append, as sent to the database: (read the head, write the event),
    inside the caller's transaction or in one of the append's own. The database itself moves the
    head when the event is inserted, and refuses an event that is not the next (migration 0003)."""

    read: str
    write: tuple[str, ...]
    read_own: tuple[str, ...]
    write_own: tuple[str, ...]


_PLANS = {
    # SQLite (in process, one statement per call): BEGIN IMMEDIATE takes the database's write lock
    # at once, as Django's own transactions do (settings), so the head read is already locked.
    "sqlite": _Plan(
        read="SELECT seq, hash FROM audit_head WHERE id = 1",
        write=(_INSERT.format(p="?"),),
        read_own=("BEGIN IMMEDIATE", "SELECT seq, hash FROM audit_head WHERE id = 1"),
        write_own=(_INSERT.format(p="?"), "COMMIT"),
    ),
    # PostgreSQL: the head row's lock numbers concurrent appends one after another. Each element is
    # one round trip: Django's cursors bind parameters on the client, so several statements go in
    # one message, and an append costs two round trips rather than five (bench/RESULTS.md, web).
    "postgresql": _Plan(
        read="SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
        write=(_INSERT.format(p="%s"),),
        read_own=("BEGIN; SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",),
        write_own=(f"{_INSERT.format(p='%s')}; COMMIT",),
    ),
}


class AuditLogMissing(RuntimeError):
    """The audit log is not set up. Nothing that would be audited may go ahead."""


def _run(cursor, messages: tuple[str, ...], *params: tuple) -> tuple | None:
    """Send each message in turn, each with as many of the parameters as it has placeholders (the
    SQL above has no other '?' or '%s'); the first row of the last result with rows, or None."""
    pending = [value for group in params for value in group]
    row = None
    for sql in messages:
        count = sql.count("?") + sql.count("%s")
        if count:
            cursor.execute(sql, pending[:count])
        else:
            cursor.execute(sql)
        pending = pending[count:]
        while True:  # PostgreSQL: one result per statement in the message
            if cursor.description is not None:
                row = cursor.fetchone()
            if not (hasattr(cursor, "nextset") and cursor.nextset()):
                break
    return row


class AppendedEvent(NamedTuple):
    seq: int
    hash: str


def record_event(
    actor,
    action: Action,
    *,
    object_type: str = "",
    object_id: str | int = "",
    client_id: int | None = None,
    purpose: str = "",
    detail: dict | None = None,
) -> AppendedEvent:
    """Append one event to the chain, in the caller's transaction (or a new one).

    The head row is locked first, so concurrent appends are numbered one after another; if the
    caller's change rolls back, its event rolls back with it and the number is never used.
    The action must be one of the vocabulary (confide.audit.actions), so every event has a label.
    """
    if action not in KNOWN:
        raise ValueError("not an audit action: add it to confide.audit.actions.Action, with its label")
    action_name = str(action)  # the plain value, to the hash and the database as before
    detail = detail or {}
    _check_detail(detail)
    detail_text = canonical_detail(detail)
    actor_id = actor.pk if actor is not None and getattr(actor, "pk", None) is not None else None
    actor_name = actor.get_username() if actor_id is not None else ""
    object_id = str(object_id)
    plan = _PLANS[connection.vendor]
    # The DB-API cursor of Django's own connection: this runs on every read of client data, and
    # Django's cursor and model layers cost more than the durable commit itself (bench/audit.py).
    # Inside the caller's transaction the statements join it; on their own (a read), the event is
    # its own transaction, begun and committed here, queued behind other such appends (appendlock).
    connection.ensure_connection()
    own_transaction = not connection.in_atomic_block
    queue = appendlock.queued(connection) if own_transaction else contextlib.nullcontext()
    with queue, connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            try:
                head = _run(cursor, plan.read_own if own_transaction else (plan.read,))
                if head is None:
                    raise AuditLogMissing("the audit log has no head row; run 'confide manage migrate'")
                head_seq, head_hash = head
                at = timezone.now()
                seq = head_seq + 1
                digest = event_hash(
                    seq, canonical_time(at), actor_id, actor_name, action_name, object_type, object_id,
                    client_id, purpose, detail_text, head_hash,
                )
                event = (seq, connection.ops.adapt_datetimefield_value(at), actor_id, actor_name, action_name, object_type,
                         object_id, client_id, purpose, detail_text, head_hash, digest)
                _run(cursor, plan.write_own if own_transaction else plan.write, event)
            except BaseException:
                if own_transaction:
                    cursor.execute("ROLLBACK")
                raise
        finally:
            cursor.close()
    return AppendedEvent(seq, digest)


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    head_seq: int
    broken_at: int | None = None
    problem: str = ""

    def message(self) -> str:
        if self.ok:
            return f"Audit log intact: {self.checked} event{'' if self.checked == 1 else 's'}, chain head #{self.head_seq}."
        return f"Audit log BROKEN at event #{self.broken_at}: {self.problem}. {self.checked} events were intact before it."


def check_kept_head(seq: int, digest: str) -> str | None:
    """Compare the chain with a head kept somewhere else (`confide audit head` printed earlier).
    A rewrite of the whole chain, head row included, passes verify_chain() but not this."""
    row = AuditEvent.objects.filter(seq=seq).values_list("hash", flat=True).first()
    if row is None:
        return f"event #{seq}, which the kept head names, is no longer in the log (events were deleted)"
    if row != digest:
        return f"event #{seq} no longer has the hash that was kept (the chain has been rewritten since)"
    return None


# Links and gaps: the same window query on both databases. It returns the first event that
# does not follow the one before it (a number skipped, or a previous hash that does not match).
_FIRST_BAD_LINK = (
    "SELECT seq, before_seq FROM ("
    " SELECT seq, prev_hash, lag(hash) OVER w AS before_hash, lag(seq) OVER w AS before_seq"
    " FROM audit_event WINDOW w AS (ORDER BY seq)) links"
    " WHERE prev_hash <> coalesce(before_hash, {genesis}) OR seq <> coalesce(before_seq, 0) + 1"
    " ORDER BY seq LIMIT 1"
)
# Hashes on PostgreSQL: the database builds the very same canonical JSON array (its to_json
# escapes strings exactly as Python's encoder does; tests/audit proves it on awkward text) and
# hashes every event in C, in parallel workers ('seq + 0' keeps the planner off the index).
_PG_CANONICAL = (
    "'[' || seq || ',' || to_json(to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'))::text"
    " || ',' || coalesce(actor_id::text, 'null') || ',' || to_json(actor)::text || ',' || to_json(action)::text"
    " || ',' || to_json(object_type)::text || ',' || to_json(object_id)::text"
    " || ',' || coalesce(client_id::text, 'null') || ',' || to_json(purpose)::text || ',' || to_json(detail)::text"
    " || ',' || to_json(prev_hash)::text || ']'"
)
# A time with no canonical form (infinity, or a year outside 1 to 9999) counts as edited too.
_PG_ODD_TIME = "NOT isfinite(at) OR at < '0001-01-01 00:00:00+00' OR at >= '10000-01-01 00:00:00+00'"
_PG_FIRST_EDITED = (
    f"SELECT min(seq + 0) FROM audit_event "  # noqa: S608 -- constant SQL
    f"WHERE {_PG_ODD_TIME} OR encode(pg_catalog.sha256(convert_to({_PG_CANONICAL}, 'UTF8')), 'hex') <> hash"
)
# The same rows as chain.SQLITE_HASH_ROWS returns them, for checking a stretch of the chain in Python.
_PG_HASH_ROWS = (
    f"SELECT seq, prev_hash, hash, CASE WHEN {_PG_ODD_TIME} THEN NULL ELSE {_PG_CANONICAL} END "  # noqa: S608
    "FROM audit_event WHERE seq >= %s AND seq < %s ORDER BY seq LIMIT %s"
)
_LAST_HASH_POSTGRESQL = "SELECT hash FROM audit_event WHERE seq = %s"
# SQLite: Python checks numbers, links and hashes in one pass; a long chain in a database file is
# split between worker processes, one per core, and the parent checks where the ranges join.
PARALLEL_FROM = 100_000
_PROBLEMS = {
    "missing": "event #{seq} is missing; the chain skips it (events were deleted)",
    "link": "it does not link to the event before it (an event was inserted, removed or moved here)",
    "edited": "its contents do not match its hash (the event was edited)",
    "time": "its time is not stored in the one form Confide writes (the event was edited)",
}


def _ranges_sqlite(cursor, last_seq: int, workers: int | None) -> list[tuple[int, int, RangeCheck]]:
    path = str(connection.settings_dict["NAME"])
    in_memory = path == ":memory:" or "mode=memory" in path
    if workers is None:
        workers = (os.cpu_count() or 1) if last_seq >= PARALLEL_FROM else 1
    if workers <= 1 or in_memory or last_seq < 2 * workers:
        return [(1, last_seq + 1, check_range_sqlite(cursor, 1, last_seq + 1))]
    step = last_seq // workers + 1
    starts = list(range(1, last_seq + 1, step))
    stops = [min(start + step, last_seq + 1) for start in starts]
    context = multiprocessing.get_context("spawn")  # never fork a process that may hold threads
    with ProcessPoolExecutor(max_workers=len(starts), mp_context=context) as pool:
        return list(zip(starts, stops, pool.map(check_range_sqlite_file, [path] * len(starts), starts, stops), strict=True))


def _verify_sqlite(cursor, last_seq: int, workers: int | None):
    """(first problem seq or None, problem, events checked, last hash), joining the ranges."""
    prev: str | None = GENESIS
    checked = 0
    for start, stop, part in _ranges_sqlite(cursor, last_seq, workers):
        starts_at_start = part.count > 0 or (part.problem_seq is not None
                                             and not (part.problem == "missing" and part.problem_seq == start))
        if starts_at_start and part.first_prev_hash != prev:
            return start, "link", checked, prev
        if part.problem_seq is not None:
            return part.problem_seq, part.problem, part.problem_seq - 1, prev
        if part.count < stop - start:  # the range ran out of events before its end
            return start + part.count, "missing", checked + part.count, prev
        checked += part.count
        prev = part.last_hash
    return None, "", checked, prev


def _verify_postgresql(cursor):
    cursor.execute(_FIRST_BAD_LINK.format(genesis="%s"), (GENESIS,))
    bad_link = cursor.fetchone()
    cursor.execute(_PG_FIRST_EDITED)
    edited = cursor.fetchone()[0]
    if bad_link is not None and (edited is None or bad_link[0] <= edited):
        seq, before_seq = bad_link
        expected = (before_seq or 0) + 1
        if seq != expected:
            return expected, "missing", expected - 1, None
        return seq, "link", seq - 1, None
    if edited is not None:
        return edited, "edited", edited - 1, None
    cursor.execute("SELECT count(*), max(seq) FROM audit_event")
    count, last_seq = cursor.fetchone()
    cursor.execute(_LAST_HASH_POSTGRESQL, (last_seq,))
    last = cursor.fetchone()
    return None, "", count, last[0] if last else GENESIS


def verify_chain(workers: int | None = None) -> VerifyResult:
    """Check the whole chain and report the first broken link.

    Four kinds of tampering show up differently: an edited event no longer matches its own hash;
    a deleted one leaves a gap in the numbers (or a chain that ends before the head); an inserted
    or reordered one does not link to the event before it.
    """
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    head_seq, head_hash = head if head else (0, GENESIS)
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            if connection.vendor == "sqlite":
                cursor.execute("SELECT max(seq) FROM audit_event")
                last_seq = cursor.fetchone()[0] or 0
                problem_seq, problem, checked, prev = _verify_sqlite(cursor, last_seq, workers)
            else:
                problem_seq, problem, checked, prev = _verify_postgresql(cursor)
        finally:
            cursor.close()
    if problem_seq is not None:
        return VerifyResult(False, checked, head_seq, problem_seq, _PROBLEMS[problem].format(seq=problem_seq))
    if checked != head_seq or prev != head_hash:
        if checked < head_seq:
            problem = f"the chain ends at #{checked} but the head records #{head_seq} (events were deleted from the end)"
            return VerifyResult(False, checked, head_seq, checked + 1, problem)
        problem = f"the chain runs past the head (#{head_seq}) or its last hash differs (events were added outside Confide)"
        if checked > head_seq:
            return VerifyResult(False, head_seq, head_seq, head_seq + 1, problem)
        return VerifyResult(False, checked - 1, head_seq, checked, problem)
    return VerifyResult(True, checked, head_seq)


def check_span(after_seq: int, after_hash: str, batch_size: int = 20000) -> tuple[int, str] | str:
    """Check the chain from a known event (after_seq with after_hash, or 0 and GENESIS) to the
    head: that event still there unchanged, every later event numbered, linked and matching its
    hash, and the head at the last of them. Returns the head as (seq, hash), or what is wrong.
    Checkpoints use it to sign only a head that extends the chain they signed before."""
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    if head is None:
        return "the audit log has no head row"
    head_seq, head_hash = head
    if head_seq < after_seq:
        return f"the head (#{head_seq}) is behind event #{after_seq} (events were cut from the end)"
    rows_sql = SQLITE_HASH_ROWS if connection.vendor == "sqlite" else _PG_HASH_ROWS
    if after_seq > 0:
        found = AuditEvent.objects.filter(seq=after_seq).values_list("hash", flat=True).first()
        if found is None:
            return f"event #{after_seq} is no longer in the log (events were deleted)"
        if found != after_hash:
            return f"event #{after_seq} no longer has the hash signed before (the chain has been rewritten)"
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            expected, prev = after_seq + 1, after_hash
            while expected <= head_seq:
                cursor.execute(rows_sql, (expected, head_seq + 1, batch_size))
                rows = cursor.fetchall()
                if not rows:
                    break
                problem_seq, problem, prev, expected = check_rows(rows, expected, prev)
                if problem_seq is not None:
                    return f"event #{problem_seq}: " + _PROBLEMS[problem].format(seq=problem_seq)
        finally:
            cursor.close()
    if expected != head_seq + 1:
        return f"event #{expected} is missing; the chain ends before the head (#{head_seq})"
    if prev != head_hash:
        return f"the head (#{head_seq}) does not hold the hash of event #{head_seq}"
    return head_seq, head_hash

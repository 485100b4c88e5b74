"""The hash chain itself: canonical encoding and the hash of one event. No database here, so the
same code checks the live table, a backup or an export."""

from __future__ import annotations

import hashlib
import json
from datetime import datetime, timedelta
from typing import NamedTuple

GENESIS = "0" * 64
_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_detail_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def canonical_time(at: datetime) -> str:
    """UTC, microseconds, 'Z': the same text on SQLite (naive UTC) and PostgreSQL (aware).

    Only an aware datetime in UTC is accepted: Confide writes nothing else, so a naive time, one in
    another zone or anything that is not a datetime is refused rather than guessed at."""
    if not isinstance(at, datetime):
        raise ValueError("an audit event's time must be a datetime")
    if at.tzinfo is None or at.utcoffset() != timedelta(0):
        raise ValueError("an audit event's time must be in UTC, with its zone")
    return (f"{at.year:04d}-{at.month:02d}-{at.day:02d}T{at.hour:02d}:{at.minute:02d}:{at.second:02d}"
            f".{at.microsecond:06d}Z")


def canonical_detail(detail: dict | None) -> str:
    return _detail_encode(detail or {})


def event_hash(
    seq: int,
    at: str,
    actor_id: int | None,
    actor: str,
    action: str,
    object_type: str,
    object_id: str,
    client_id: int | None,
    purpose: str,
    detail: str,
    prev_hash: str,
) -> str:
    """SHA-256 over a JSON array of the fields in a fixed order: unambiguous, and stable across
    Python versions and databases because every field is a string, an integer or null."""
    payload = _encode([seq, at, actor_id, actor, action, object_type, object_id, client_id, purpose, detail, prev_hash])
    return hashlib.sha256(payload.encode("utf-8")).hexdigest()


# SQLite builds each event's canonical JSON array itself: its json_array() escapes text exactly as
# Python's encoder does (tests/audit proves it on awkward text), and the time is rewritten from
# what Django stored into the canonical form. The stored text is taken whole: it must be exactly
# what writing the canonical form back gives, 'YYYY-MM-DD HH:MM:SS' or 'YYYY-MM-DD HH:MM:SS.ffffff'
# (fraction not all zeros), which is what Django writes for a naive UTC time. Every other character
# is inside the hashed canonical form, so the hash covers the stored text exactly. Anything else (a
# zone suffix such as '+05:00', a 'T', a number) gives no payload: the event counts as edited,
# whatever its hash. (Comparing positions costs half what a GLOB over every digit did, bench/audit.py.)
SQLITE_CANONICAL_AT = (
    "typeof(at) = 'text' AND substr(at, 11, 1) = ' ' AND (length(at) = 19 "
    "OR (length(at) = 26 AND substr(at, 20, 1) = '.' AND substr(at, 21, 6) <> '000000'))"
)
SQLITE_HASH_ROWS = (
    f"SELECT seq, prev_hash, hash, CASE WHEN {SQLITE_CANONICAL_AT} THEN "  # noqa: S608 -- constant SQL
    "json_array(seq, substr(at, 1, 10) || 'T' || substr(at, 12, 8) || '.' || "
    "CASE WHEN length(at) > 19 THEN substr(at, 21, 6) ELSE '000000' END || 'Z', actor_id, actor, action, "
    "object_type, object_id, client_id, purpose, detail, prev_hash) END "
    "FROM audit_event WHERE seq >= ? AND seq < ? ORDER BY seq LIMIT ?"
)


class RangeCheck(NamedTuple):
    """What one pass over events start <= seq < stop found. The parent joins ranges: each range's
    first prev_hash must be the previous range's last hash."""

    problem_seq: int | None  # the first event in the range at which something is wrong
    problem: str             # "missing", "link", "edited" or "time"
    first_prev_hash: str | None
    last_seq: int | None
    last_hash: str | None
    count: int  # type: ignore[assignment]  # shadows tuple.count, which nothing calls on a RangeCheck


def check_rows(rows, expected_seq: int, prev: str | None):
    """One pass over rows (as SQLITE_HASH_ROWS returns them): numbers without gaps, each event
    linked to the one before it (not checked for the first when prev is None), and each event's
    contents matching its hash. Returns (problem_seq, problem, prev, expected_seq)."""
    sha256 = hashlib.sha256
    for seq, prev_hash, digest, payload in rows:
        if seq != expected_seq:
            return expected_seq, "missing", prev, expected_seq
        if prev is not None and prev_hash != prev:
            return seq, "link", prev, expected_seq
        if payload is None:  # the stored time has no canonical form
            return seq, "time", prev, expected_seq
        if sha256(payload.encode("utf-8")).hexdigest() != digest:
            return seq, "edited", prev, expected_seq
        prev = digest
        expected_seq += 1
    return None, "", prev, expected_seq


def check_range_sqlite(cursor, start: int, stop: int, batch_size: int = 50000) -> RangeCheck:
    """Check events start <= seq < stop through a DB-API cursor, batch by batch."""
    expected, prev, first_prev, count = start, None, None, 0
    while expected < stop:
        cursor.execute(SQLITE_HASH_ROWS, (expected, stop, batch_size))
        rows = cursor.fetchall()
        if not rows:
            break
        if first_prev is None:
            first_prev = rows[0][1]
        before = expected
        problem_seq, problem, prev, expected = check_rows(rows, expected, prev)
        count += expected - before
        if problem_seq is not None:
            return RangeCheck(problem_seq, problem, first_prev, expected - 1, prev, count)
    return RangeCheck(None, "", first_prev, expected - 1 if count else None, prev, count)


def check_range_sqlite_file(path: str, start: int, stop: int) -> RangeCheck:
    """The same, in a worker process of its own, reading the database file read-only."""
    import sqlite3

    connection = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        return check_range_sqlite(connection.cursor(), start, stop)
    finally:
        connection.close()

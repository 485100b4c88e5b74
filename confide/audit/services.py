"""Writing to and checking the audit log. Every other module records through record_event()."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass
from typing import NamedTuple

from django.db import connection, transaction
from django.utils import timezone

from confide.audit.chain import GENESIS, canonical_detail, canonical_time, chain_encode, event_hash
from confide.audit.models import AuditHead

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


_SQL = {
    # SQLite: BEGIN IMMEDIATE (settings) already holds the database's write lock.
    "sqlite": (
        "SELECT seq, hash FROM audit_head WHERE id = 1",
        "INSERT INTO audit_event (seq, at, actor_id, actor, action, object_type, object_id, client_id, purpose, "
        "detail, prev_hash, hash) VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?, ?)",
        "UPDATE audit_head SET seq = ?, hash = ? WHERE id = 1",
    ),
    # PostgreSQL: the head row's lock numbers concurrent appends one after another.
    "postgresql": (
        "SELECT seq, hash FROM audit_head WHERE id = 1 FOR UPDATE",
        "INSERT INTO audit_event (seq, at, actor_id, actor, action, object_type, object_id, client_id, purpose, "
        "detail, prev_hash, hash) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)",
        "UPDATE audit_head SET seq = %s, hash = %s WHERE id = 1",
    ),
}


class AuditLogMissing(RuntimeError):
    """The audit log is not set up. Nothing that would be audited may go ahead."""


class AppendedEvent(NamedTuple):
    seq: int
    hash: str


def record_event(
    actor,
    action: str,
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
    """
    detail = detail or {}
    _check_detail(detail)
    detail_text = canonical_detail(detail)
    actor_id = actor.pk if actor is not None and getattr(actor, "pk", None) is not None else None
    actor_name = actor.get_username() if actor_id is not None else ""
    object_id = str(object_id)
    select_head, insert_event, move_head = _SQL[connection.vendor]
    with transaction.atomic(savepoint=False), connection.wrap_database_errors:
        # The DB-API cursor of Django's own connection, so inside the same transaction: this runs
        # on every read of client data, and Django's cursor and model layers cost more than the
        # durable commit itself (bench/audit.py, bench/RESULTS.md).
        cursor = connection.connection.cursor()
        try:
            cursor.execute(select_head)
            head = cursor.fetchone()
            if head is None:
                raise AuditLogMissing("the audit log has no head row; run 'confide manage migrate'")
            head_seq, head_hash = head
            at = timezone.now()
            seq = head_seq + 1
            digest = event_hash(
                seq, canonical_time(at), actor_id, actor_name, action, object_type, object_id,
                client_id, purpose, detail_text, head_hash,
            )
            cursor.execute(insert_event, (
                seq, connection.ops.adapt_datetimefield_value(at), actor_id, actor_name, action, object_type,
                object_id, client_id, purpose, detail_text, head_hash, digest,
            ))
            cursor.execute(move_head, (seq, digest))
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


# SQLite: Python recomputes each hash; the time is read as the text Django wrote
# ('YYYY-MM-DD HH:MM:SS[.ffffff]', UTC), so no row is parsed into a datetime.
_VERIFY_SQLITE = (
    "SELECT seq, CAST(at AS TEXT), actor_id, actor, action, object_type, object_id, client_id, "
    "purpose, detail, prev_hash, hash FROM audit_event WHERE seq >= ? ORDER BY seq LIMIT ?"
)
# PostgreSQL builds the very same canonical JSON array (its to_json escapes strings exactly as
# Python's encoder does; tests/audit proves it on awkward text) and hashes it in C.
_PG_CANONICAL = (
    "'[' || seq || ',' || to_json(to_char(at AT TIME ZONE 'UTC', 'YYYY-MM-DD\"T\"HH24:MI:SS.US\"Z\"'))::text"
    " || ',' || coalesce(actor_id::text, 'null') || ',' || to_json(actor)::text || ',' || to_json(action)::text"
    " || ',' || to_json(object_type)::text || ',' || to_json(object_id)::text"
    " || ',' || coalesce(client_id::text, 'null') || ',' || to_json(purpose)::text || ',' || to_json(detail)::text"
    " || ',' || to_json(prev_hash)::text || ']'"
)
_VERIFY_POSTGRESQL = (
    f"SELECT seq, prev_hash, hash, encode(pg_catalog.sha256(convert_to({_PG_CANONICAL}, 'UTF8')), 'hex') "  # noqa: S608 -- constant SQL
    "FROM audit_event WHERE seq >= %s ORDER BY seq LIMIT %s"
)


def _sqlite_time(text: str) -> str:
    # '2026-11-21 19:00:00.123456' or '2026-11-21 19:00:00' -> '2026-11-21T19:00:00.123456Z'
    return f"{text[:10]}T{text[11:19]}.{text[20:26] if len(text) > 19 else '000000'}Z"


def _links_sqlite(cursor, start: int, batch_size: int):
    """(seq, prev_hash, stored hash, recomputed hash) for a batch, hashing in Python."""
    encode, sha256, as_time = chain_encode, hashlib.sha256, _sqlite_time
    cursor.execute(_VERIFY_SQLITE, (start, batch_size))
    return [
        (seq, prev_hash, digest, sha256(encode([seq, as_time(at), actor_id, actor, action, otype, oid, client_id,
                                                purpose, detail, prev_hash]).encode("utf-8")).hexdigest())
        for seq, at, actor_id, actor, action, otype, oid, client_id, purpose, detail, prev_hash, digest
        in cursor.fetchall()
    ]


def _links_postgresql(cursor, start: int, batch_size: int):
    cursor.execute(_VERIFY_POSTGRESQL, (start, batch_size))
    return cursor.fetchall()


def verify_chain(batch_size: int = 50000) -> VerifyResult:
    """Walk the whole chain in order and report the first broken link.

    Four kinds of tampering show up differently: an edited event no longer matches its own hash;
    a deleted one leaves a gap in the numbers (or a chain that ends before the head); an inserted
    or reordered one does not link to the event before it.
    """
    head = AuditHead.objects.filter(pk=1).values_list("seq", "hash").first()
    head_seq, head_hash = head if head else (0, GENESIS)
    expected_seq = 1
    prev = GENESIS
    checked = 0
    links = _links_sqlite if connection.vendor == "sqlite" else _links_postgresql
    connection.ensure_connection()
    with connection.wrap_database_errors:
        cursor = connection.connection.cursor()
        try:
            while rows := links(cursor, expected_seq, batch_size):
                for seq, prev_hash, digest, recomputed in rows:
                    if seq != expected_seq:
                        return VerifyResult(False, checked, head_seq, expected_seq,
                                            f"event #{expected_seq} is missing; the chain jumps to #{seq} (events were deleted)")
                    if prev_hash != prev:
                        return VerifyResult(False, checked, head_seq, seq,
                                            "it does not link to the event before it (an event was inserted, removed or moved here)")
                    if recomputed != digest:
                        return VerifyResult(False, checked, head_seq, seq,
                                            "its contents do not match its hash (the event was edited)")
                    prev = digest
                    expected_seq += 1
                    checked += 1
        finally:
            cursor.close()
    if checked != head_seq or prev != head_hash:
        if checked < head_seq:
            problem = f"the chain ends at #{checked} but the head records #{head_seq} (events were deleted from the end)"
            return VerifyResult(False, checked, head_seq, checked + 1, problem)
        problem = f"the chain runs past the head (#{head_seq}) or its last hash differs (events were added outside Confide)"
        return VerifyResult(False, checked, head_seq, head_seq + 1 if checked > head_seq else checked, problem)
    return VerifyResult(True, checked, head_seq)

"""The hash chain itself: canonical encoding and the hash of one event. No database here, so the
same code checks the live table, a backup or an export."""

from __future__ import annotations

import hashlib
import json
from datetime import UTC, datetime

GENESIS = "0" * 64
chain_encode = _encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":")).encode
_detail_encode = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"), sort_keys=True).encode


def canonical_time(at: datetime) -> str:
    """UTC, microseconds, 'Z': the same text on SQLite (naive UTC) and PostgreSQL (aware)."""
    if at.tzinfo is not None:
        at = at.astimezone(UTC).replace(tzinfo=None)
    return at.strftime("%Y-%m-%dT%H:%M:%S.%fZ")


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

"""Writing to and checking the audit log. Every other module records through record_event()."""

from __future__ import annotations

from dataclasses import dataclass

from django.db import connection, transaction
from django.utils import timezone

from confide.audit.chain import GENESIS, canonical_detail, canonical_time, event_hash
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


def record_event(
    actor,
    action: str,
    *,
    object_type: str = "",
    object_id: str | int = "",
    client_id: int | None = None,
    purpose: str = "",
    detail: dict | None = None,
) -> AuditEvent:
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
    with transaction.atomic(savepoint=False):
        head = AuditHead.objects.select_for_update().only("seq", "hash").get(pk=1)
        at = timezone.now()
        seq = head.seq + 1
        digest = event_hash(
            seq, canonical_time(at), actor_id, actor_name, action, object_type, object_id,
            client_id, purpose, detail_text, head.hash,
        )
        event = AuditEvent(
            seq=seq, at=at, actor_id=actor_id, actor=actor_name, action=action, object_type=object_type,
            object_id=object_id, client_id=client_id, purpose=purpose, detail=detail_text,
            prev_hash=head.hash, hash=digest,
        )
        event.save(force_insert=True)
        AuditHead.objects.filter(pk=1).update(seq=seq, hash=digest)
    return event


@dataclass(frozen=True)
class VerifyResult:
    ok: bool
    checked: int
    head_seq: int
    broken_at: int | None = None
    problem: str = ""

    def message(self) -> str:
        if self.ok:
            return f"Audit log intact: {self.checked} events, chain head #{self.head_seq}."
        return f"Audit log BROKEN at event #{self.broken_at}: {self.problem}. {self.checked} events were intact before it."


_COLUMNS = "seq, at, actor_id, actor, action, object_type, object_id, client_id, purpose, detail, prev_hash, hash"


def verify_chain(batch_size: int = 20000) -> VerifyResult:
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
    sql = f"SELECT {_COLUMNS} FROM audit_event WHERE seq >= %s ORDER BY seq LIMIT %s"  # noqa: S608 -- constant columns
    with connection.cursor() as cursor:
        while True:
            cursor.execute(sql, [expected_seq, batch_size])
            rows = cursor.fetchall()
            if not rows:
                break
            for seq, at, actor_id, actor, action, otype, oid, client_id, purpose, detail, prev_hash, digest in rows:
                if seq != expected_seq:
                    return VerifyResult(False, checked, head_seq, expected_seq,
                                        f"event #{expected_seq} is missing; the chain jumps to #{seq} (events were deleted)")
                if prev_hash != prev:
                    return VerifyResult(False, checked, head_seq, seq,
                                        "it does not link to the event before it (an event was inserted, removed or moved here)")
                if event_hash(seq, canonical_time(at), actor_id, actor, action, otype, oid, client_id,
                              purpose, detail, prev_hash) != digest:
                    return VerifyResult(False, checked, head_seq, seq,
                                        "its contents do not match its hash (the event was edited)")
                prev = digest
                expected_seq += 1
                checked += 1
    if checked != head_seq or prev != head_hash:
        if checked < head_seq:
            problem = f"the chain ends at #{checked} but the head records #{head_seq} (events were deleted from the end)"
            return VerifyResult(False, checked, head_seq, checked + 1, problem)
        problem = f"the chain runs past the head (#{head_seq}) or its last hash differs (events were added outside Confide)"
        return VerifyResult(False, checked, head_seq, head_seq + 1 if checked > head_seq else checked, problem)
    return VerifyResult(True, checked, head_seq)

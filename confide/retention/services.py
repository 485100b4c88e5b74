"""Legal holds, batches, two approvals and destruction (issue 15, points 2 to 4).

- A legal hold (`do_place_hold`, `do_release_hold`) stops destruction of one client's records, or of
  everything (staff records included); a manager or the data controller places and releases it.
- `do_prepare_batch(on)` freezes what falls due by a day (schedule.falling_due), minus what a hold
  covers, into a Batch: exactly what would be destroyed or returned.
- `do_approve`: two different people whose role kind is a manager's or the data controller's
  (vocab.MANAGER_KINDS; policy/README.md, "Retention: who approves destruction") approve it, each
  confirming who they are with their password or a code (or, from the command line, run by whoever
  operates the server, recorded as "command_line").
- `do_apply`: in one transaction with the batch locked, the holds and each line's date are checked
  again; each client file is journalled (journal.py, fsync'd) before their key is destroyed and their
  rows deleted (shred.py); a Destroyed placeholder is left, and one audit event per client,
  `retention.destroyed`, is the destruction certificate. Unsolicited information is removed and
  recorded as returned to the sender.

Numbers, classes, rules, clauses and dates only: never a name or a word of a client's records.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.policy.vocab import MANAGER_KINDS

from . import journal, schedule, shred
from .models import Batch, BatchApproval, Destroyed, Due, DueAction, LegalHold, RecordClass

APPROVALS_NEEDED = 2


class RetentionError(ConfideError):
    """A retention step refused: who may not, a batch not ready, a hold not found."""

    code = "retention_refused"


def _may_decide(user) -> None:
    if user is None or not getattr(user, "is_active", False) or user.role_kind not in MANAGER_KINDS:
        raise RetentionError("Only a manager or the data controller may do this.", code="not_allowed", status=403)


# --- legal holds ----------------------------------------------------------------------------------

def do_place_hold(user, kind: str, authority: str, client_id: int | None = None) -> LegalHold:
    """A hold on one client's records (or, with no client, on everything): nothing it covers is
    destroyed until it is released. Audited with its kind and the client's number only."""
    from confide.records.models import Client

    _may_decide(user)
    if kind not in LegalHold.Kind.values:
        raise RetentionError("Choose what kind of hold this is.", field="kind")
    authority = (authority or "").strip()
    if not authority:
        raise RetentionError("Say who asked for the hold or what requires it, such as a court or force and "
                             "its reference.", field="authority")
    if len(authority) > 200:
        raise RetentionError("Keep the authority to 200 characters.", field="authority")
    if client_id is not None:
        if not Client.objects.filter(pk=client_id).exists():
            raise RetentionError(f"There is no client number {client_id}.", field="client", status=404)
        if Client.objects.filter(pk=client_id, destroyed_at__isnull=False).exists():
            raise RetentionError(f"Client number {client_id}'s records were already destroyed.", field="client",
                                 status=409)
    with transaction.atomic():
        hold = LegalHold.objects.create(kind=kind, authority=authority, client_id=client_id, placed_by=user)
        record_event(user, Action.RETENTION_HOLD_PLACED, object_type="legal_hold", object_id=hold.pk,
                     client_id=client_id, detail={"kind": kind, "client": client_id})
    return hold


def do_release_hold(user, hold_id: int) -> LegalHold:
    _may_decide(user)
    with transaction.atomic():
        hold = LegalHold.objects.select_for_update().filter(pk=hold_id).first()
        if hold is None:
            raise RetentionError(f"There is no legal hold number {hold_id}.", field="hold", status=404)
        if hold.released_at is not None:
            raise RetentionError("That hold was already released.", field="hold", status=409)
        hold.released_by, hold.released_at = user, timezone.now()
        hold.save(update_fields=["released_by", "released_at"])
        record_event(user, Action.RETENTION_HOLD_RELEASED, object_type="legal_hold", object_id=hold.pk,
                     client_id=hold.client_id, detail={"kind": hold.kind, "client": hold.client_id})
    return hold


# --- batches --------------------------------------------------------------------------------------

def _line(due: Due) -> dict:
    return {"due": due.pk, "class": due.record_class, "client": due.client_id, "object": due.object_id,
            "action": due.action, "rule": due.rule, "clause": due.clause,
            "due_on": due.due_on.isoformat() if due.due_on else None}


def do_prepare_batch(on: dt.date, user=None) -> Batch:
    """Freeze what falls due by `on`, minus what a legal hold covers, into a batch for two people to
    approve. `user` None: the daily command."""
    if user is not None:
        _may_decide(user)
    with transaction.atomic():
        due = schedule.falling_due(on)
        held = schedule.live_holds({d.client_id for d in due if d.client_id is not None})
        # A hold on everything holds staff records too (a line with no client).
        lines = [] if schedule.everything_held() else [_line(d) for d in due if d.client_id not in held]
        batch = Batch.objects.create(on=on, prepared_by=user, lines=lines,
                                     result={"held": len(due) - len(lines)})
        record_event(user, Action.RETENTION_BATCH_PREPARED, object_type="retention_batch", object_id=batch.pk,
                     detail={"batch": batch.pk, "on": on.isoformat(), "lines": len(lines),
                             "held": len(due) - len(lines)})
    return batch


def _batch(batch_id, *, lock: bool = False) -> Batch:
    try:
        number = int(batch_id)
    except (TypeError, ValueError):
        raise RetentionError(f"There is no retention batch {batch_id!r}.", field="batch", status=404) from None
    rows = Batch.objects.select_for_update() if lock else Batch.objects
    batch = rows.filter(pk=number).first()
    if batch is None:
        raise RetentionError(f"There is no retention batch number {number}.", field="batch", status=404)
    if batch.status != Batch.Status.PREPARED:
        raise RetentionError(f"Batch {number} was already {batch.get_status_display().lower()}.", field="batch",
                             status=409)
    return batch


def _check_approver(batch: Batch, user) -> None:
    _may_decide(user)
    approvers = set(batch.approvals.values_list("approver_id", flat=True))
    if user.pk in approvers:
        raise RetentionError(f"You have already approved batch {batch.pk}: a second, different person must "
                             "approve it.", field="batch", code="already_approved", status=409)
    if len(approvers) >= APPROVALS_NEEDED:
        raise RetentionError(f"Batch {batch.pk} already has its {APPROVALS_NEEDED} approvals.", field="batch",
                             status=409)


def do_approve(batch_id, user, secret: str | None = None, *, command_line: bool = False) -> BatchApproval:
    """One of the two approvals a batch needs, by a manager or the data controller who has not
    approved it yet, their identity confirmed with their password or a code (`secret`), or, run
    from the command line by whoever operates the server, recorded as "command_line"."""
    from confide.sharing.disclosure import IdentityNotConfirmed, do_confirm_identity

    _check_approver(_batch(batch_id), user)  # refused before a password is asked for, or counted
    if command_line:
        confirmed_with = "command_line"
    else:
        try:
            confirmed_with = do_confirm_identity(user, secret or "")
        except IdentityNotConfirmed as exc:
            raise RetentionError(str(exc), field="secret", code=exc.code, status=exc.status) from None
    with transaction.atomic():
        batch = _batch(batch_id, lock=True)
        _check_approver(batch, user)  # again, with the batch locked: never the same person twice
        approval = BatchApproval.objects.create(batch=batch, approver=user, role=user.role,
                                                confirmed_with=confirmed_with)
        count = batch.approvals.count()
        record_event(user, Action.RETENTION_BATCH_APPROVED, object_type="retention_batch", object_id=batch.pk,
                     detail={"batch": batch.pk, "confirmed_with": confirmed_with, "approvals": count})
    return approval


def _approvers(batch: Batch) -> list[int]:
    return sorted(set(batch.approvals.values_list("approver_id", flat=True)))


def _order(line: dict) -> tuple:
    # Client files first: a line about something in a file destroyed in the same run is covered by it.
    return (line["class"] != RecordClass.CLIENT_FILE, line["due"])


def do_apply(batch_id, user=None, *, today: dt.date | None = None) -> dict:
    """Apply a batch two different people approved: in one transaction, with the batch locked, each
    line is checked again (a legal hold placed since stops it; a line no longer due by `today`, by
    default the batch's own day, is left), then each client file is destroyed and each piece of
    unsolicited information removed as returned. `user` None: the command line. Returns the counts."""
    if user is not None:
        _may_decide(user)
    batch = _batch(batch_id)
    if len(_approvers(batch)) < APPROVALS_NEEDED:
        raise RetentionError(f"Batch {batch.pk} needs approval by {APPROVALS_NEEDED} different people before it is "
                             f"applied; it has {len(_approvers(batch))}.", field="batch",
                             code="needs_two_approvals", status=409)
    applied_by = user.pk if user is not None else "command_line"
    result = {"destroyed": 0, "returned": 0, "minimised": 0, "personnel_destroyed": 0, "held": 0, "not_due": 0, "covered": 0, "left_for_review": 0,
              "counts": {}}
    with transaction.atomic():
        batch = _batch(batch_id, lock=True)
        approvers = _approvers(batch)
        if len(approvers) < APPROVALS_NEEDED:
            raise RetentionError(f"Batch {batch.pk} needs approval by {APPROVALS_NEEDED} different people.",
                                 field="batch", code="needs_two_approvals", status=409)
        on = today or batch.on
        now = timezone.now()
        dues = {d.pk: d for d in Due.objects.select_for_update().filter(pk__in=[line["due"] for line in batch.lines])}
        held = schedule.live_holds({line["client"] for line in batch.lines if line["client"] is not None})
        everything = schedule.everything_held()  # placed since the batch was prepared: staff lines too
        gone: set[int] = set()
        for line in sorted(batch.lines, key=_order):
            due = dues.get(line["due"])
            if everything or line["client"] in held:
                result["held"] += 1
            elif line["client"] in gone:
                result["covered"] += 1
            elif due is None or due.done_at is not None or due.due_on is None or due.due_on > on \
                    or due.action != line["action"]:
                result["not_due"] += 1
            elif due.record_class in (RecordClass.CLIENT_FILE, RecordClass.REFERRAL) and due.action == DueAction.DESTROY:
                counts = _destroy_client(batch, due, approvers, applied_by, user, now)
                gone.add(due.client_id)
                result["destroyed"] += 1
                for name, n in counts.items():
                    result["counts"][name] = result["counts"].get(name, 0) + n
            elif due.record_class == RecordClass.UNSOLICITED and due.action == DueAction.RETURN:
                _return_unsolicited(batch, due, approvers, applied_by, user, now)
                result["returned"] += 1
            elif due.record_class == RecordClass.UNSUCCESSFUL_APPLICATION and due.action in (
                    DueAction.MINIMISE, DueAction.DESTROY):
                done = _minimise_applicant(batch, due, approvers, applied_by, user, now)
                result["minimised" if done else "not_due"] += 1
            elif due.record_class == RecordClass.PERSONNEL_FILE and due.action == DueAction.DESTROY:
                done = _destroy_personnel_file(batch, due, approvers, applied_by, user, now)
                result["personnel_destroyed" if done else "not_due"] += 1
            else:  # minimising, anonymising, a consent form on its own: for a person to do, not here
                result["left_for_review"] += 1
        batch.status, batch.applied_at = Batch.Status.APPLIED, now
        batch.result = {**batch.result, **result}
        batch.save(update_fields=["status", "applied_at", "result"])
        record_event(user, Action.RETENTION_BATCH_APPLIED, object_type="retention_batch", object_id=batch.pk,
                     detail={"batch": batch.pk, "applied_by": applied_by, "approved_by": approvers,
                             **{k: v for k, v in result.items() if k != "counts"}})
    return result


def _destroy_client(batch: Batch, due: Due, approvers: list[int], applied_by, user, now) -> dict:
    """Journal, shred, placeholder, certificate: for one client file, inside do_apply's transaction."""
    client_id = due.client_id if due.client_id is not None else due.object_id
    due.done_at, due.batch = now, batch
    due.save(update_fields=["done_at", "batch"])  # kept (shred removes only the open lines)
    journal.append({"client": client_id, "batch": batch.pk, "at": now.isoformat()})  # before anything goes
    counts = shred.shred_client(client_id)
    shred.make_placeholder(client_id)
    Destroyed.objects.update_or_create(client_number=client_id, defaults={
        "record_class": due.record_class, "rule": due.rule, "clause": due.clause, "closed_on": due.closed_on,
        "due_on": due.due_on, "destroyed_at": now, "batch": batch, "counts": counts})
    record_event(user, Action.RETENTION_DESTROYED, object_type="client", object_id=client_id,
                 client_id=client_id, detail={
                     "batch": batch.pk, "client": client_id, "class": due.record_class, "rule": due.rule,
                     "clause": due.clause, "closed_on": due.closed_on.isoformat() if due.closed_on else None,
                     "due_on": due.due_on.isoformat() if due.due_on else None,
                     **{f"count_{name}": n for name, n in sorted(counts.items())},
                     "approved_by": approvers, "applied_by": applied_by})
    return counts


def _minimise_applicant(batch: Batch, due: Due, approvers: list[int], applied_by, user, now) -> bool:
    """An unsuccessful application: only the pack's `keep_only` kept (DVIP 8.08), unlinked; the rest
    destroyed with its key. Journalled first, so a restored backup is minimised again."""
    from confide.staffing.models import Applicant

    from . import staff

    applicant = Applicant.objects.select_for_update().filter(pk=due.object_id).first()
    if applicant is None:
        return False  # gone since the batch was prepared: nothing to minimise
    keep_only = [f for f in due.keep_only if f in staff.MONITORING_FIELDS]
    journal.append({"staff": "applicant", "object": applicant.pk, "keep_only": ",".join(keep_only),
                    "batch": batch.pk, "at": now.isoformat()})
    kept = staff.minimise_applicant(applicant, keep_only, now)
    due.done_at, due.batch = now, batch
    due.save(update_fields=["done_at", "batch"])
    record_event(user, Action.RETENTION_MINIMISED, object_type="applicant", object_id=applicant.pk, detail={
        "batch": batch.pk, "class": due.record_class, "rule": due.rule, "clause": due.clause,
        "decided_on": due.closed_on.isoformat() if due.closed_on else None, "kept": ",".join(keep_only),
        "monitoring_forms": kept.get("monitoring_forms", 0), "approved_by": approvers, "applied_by": applied_by})
    return True


def _destroy_personnel_file(batch: Batch, due: Due, approvers: list[int], applied_by, user, now) -> bool:
    """A personnel file past its period: its key destroyed and every sealed section emptied, with a
    certificate in the audit chain (numbers, the rule and dates only)."""
    from confide.staffing.models import PersonnelFile

    from . import staff

    file = PersonnelFile.objects.select_for_update().filter(pk=due.object_id).first()
    if file is None:
        return False  # gone since the batch was prepared: nothing to destroy
    journal.append({"staff": "personnel", "object": file.pk, "batch": batch.pk, "at": now.isoformat()})
    counts = staff.destroy_personnel_file(file, now)
    due.done_at, due.batch = now, batch
    due.save(update_fields=["done_at", "batch"])
    record_event(user, Action.RETENTION_DESTROYED, object_type="personnel_file", object_id=file.pk, detail={
        "batch": batch.pk, "class": due.record_class, "rule": due.rule, "clause": due.clause,
        "closed_on": due.closed_on.isoformat() if due.closed_on else None,
        "due_on": due.due_on.isoformat() if due.due_on else None, "count_sections": counts.get("sections", 0),
        "approved_by": approvers, "applied_by": applied_by})
    return True


def _return_unsolicited(batch: Batch, due: Due, approvers: list[int], applied_by, user, now) -> None:
    """Unsolicited information is not kept: the entry and its document removed, recorded as returned.
    Journalled first, so a backup from before restored afterwards does not bring it back."""
    entry_id = due.object_id
    journal.append({"returned": entry_id, "batch": batch.pk, "at": now.isoformat()})
    entries, documents = shred.remove_entry(entry_id)
    due.done_at, due.batch = now, batch
    due.save(update_fields=["done_at", "batch"])
    record_event(user, Action.RETENTION_RETURNED, object_type="entry", object_id=entry_id,
                 client_id=due.client_id, detail={
                     "batch": batch.pk, "client": due.client_id, "entry": entry_id, "class": due.record_class,
                     "rule": due.rule, "clause": due.clause, "entries": entries, "documents": documents,
                     "approved_by": approvers, "applied_by": applied_by})

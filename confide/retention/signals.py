"""Keeping the schedule up to date as records change: when a case is saved (closed, reopened, its
flags changed) or unsolicited information is saved, that client's lines are worked out again, in the
same transaction as the save. Cheap (a few queries), and never the reason a save fails: a failure is
logged, without client data, and the lines are left for the next `do_recompute`."""

from __future__ import annotations

import logging

from django.db import transaction

log = logging.getLogger("confide.retention")

# A case saved with only other fields changed (its next contact, its workers...) changes no date.
_CASE_FIELDS = frozenset({"status", "opened_on", "closed_on", "flags", "service", "client", "client_id"})


def _recompute_client(client_id: int | None) -> None:
    if client_id is None:
        return
    from . import schedule

    try:
        with transaction.atomic():  # a savepoint: a failure here leaves the save itself whole
            schedule.recompute([client_id])
    except Exception as exc:  # noqa: BLE001 -- the save must not fail for the schedule's sake
        log.warning("retention: schedule not recomputed for client #%s (%s)", client_id, type(exc).__name__)


def case_saved(sender, instance, created: bool = False, update_fields=None, raw: bool = False, **kwargs) -> None:
    if raw or (update_fields is not None and not _CASE_FIELDS & set(update_fields)):
        return
    _recompute_client(instance.client_id)


def entry_saved(sender, instance, created: bool = False, update_fields=None, raw: bool = False, **kwargs) -> None:
    if raw or not instance.unsolicited:
        return
    client_id = getattr(instance.case, "client_id", None) if instance.case_id else None
    _recompute_client(client_id)


def connect() -> None:
    from django.db.models.signals import post_save

    from confide.records.models import Case, Entry

    post_save.connect(case_saved, sender=Case, dispatch_uid="retention.case_saved")
    post_save.connect(entry_saved, sender=Entry, dispatch_uid="retention.entry_saved")

"""Retention of what is held about staff, volunteers and applicants (issues 15 and 16).

Two classes of record, each under a data key of its own (confide/staffing/models.py):
- an unsuccessful application, counted from the day it was decided; DVIP 8.08 keeps "only the most
  relevant information (race, sex, sexuality)" and destroys the rest: the pack's `keep_only` answers
  are copied out of the sealed monitoring answers into an unlinked monitoring form, then the key is
  destroyed and every sealed column emptied (minimising);
- a personnel file, counted from the day the person left: destroyed whole (key and sealed columns).

Both are written to the destruction journal before anything goes, so restoring an older backup
minimises and destroys them again (`replay`). Numbers, classes, rules and dates only: never a name.
"""

from __future__ import annotations

from typing import Any

from confide.keys.runtime import key_store
from confide.keys.sealed import UNREADABLE
from confide.staffing.models import Applicant, MonitoringForm, PersonnelFile

from .models import Due, DueAction, RecordClass

MONITORING_FIELDS = ("race", "sex", "sexuality", "disability", "age_band")
APPLICANT_SEALED = ("details_sealed", "application_sealed", "monitoring_sealed")
PERSONNEL_SEALED = ("notes_sealed", "contact_sealed", "references_sealed", "medical_sealed")


def staff_lines(asker) -> list[tuple]:
    """The schedule's lines for applications and personnel files (no client)."""
    lines = []
    for pk, outcome, decided_on in Applicant.objects.filter(minimised_at__isnull=True).order_by("pk") \
            .values_list("pk", "outcome", "decided_on"):
        if outcome == Applicant.Outcome.UNSUCCESSFUL and decided_on is not None:
            lines.append(asker.line(RecordClass.UNSUCCESSFUL_APPLICATION.value, pk, None, service=None,
                                    closed_on=decided_on))
    for pk, left_on in PersonnelFile.objects.filter(destroyed_at__isnull=True).order_by("pk") \
            .values_list("pk", "left_on"):
        line = asker.line(RecordClass.PERSONNEL_FILE.value, pk, None, service=None, closed_on=left_on)
        if left_on is None:  # the person is still with the organisation: the file is in use
            line = (*line[:4], None, DueAction.KEEP.value, *line[6:])
        lines.append(line)
    return lines


STAFF_CLASSES = (RecordClass.UNSUCCESSFUL_APPLICATION, RecordClass.PERSONNEL_FILE)


def save_staff(lines: list[tuple], now, due_from_line, fields: tuple[str, ...]) -> tuple[int, int, int]:
    """Make the stored staff lines what `lines` says (done lines left as they are); `fields` are the
    stored fields a line sets (schedule._FIELDS)."""
    stored = {(d.record_class, d.object_id): d for d in Due.objects.filter(record_class__in=STAFF_CLASSES)}
    added = changed = 0
    seen = set()
    for line in lines:
        key = (line[0], line[1])
        seen.add(key)
        old = stored.get(key)
        new = due_from_line(line)
        if old is None:
            new.computed_at = now
            new.save()
            added += 1
        elif old.done_at is None and any(getattr(old, f) != getattr(new, f) for f in fields):
            for f in fields:
                setattr(old, f, getattr(new, f))
            old.computed_at = now
            old.save()
            changed += 1
    stale = [d.pk for key, d in stored.items() if key not in seen and d.done_at is None]
    Due.objects.filter(pk__in=stale).delete()
    return added, changed, len(stale)


def minimise_applicant(applicant: Applicant, keep_only: list[str] | tuple[str, ...], now) -> dict[str, Any]:
    """Keep only the pack's `keep_only` monitoring answers, as an unlinked monitoring form; destroy
    the application's key and empty its sealed columns. Idempotent (a replay finds nothing to do)."""
    if applicant.minimised_at is not None:
        return {"kept": 0}
    kept = [f for f in keep_only if f in MONITORING_FIELDS]
    answers = applicant.monitoring if applicant.monitoring_sealed else {}
    made = 0
    readable = isinstance(answers, dict) and UNREADABLE not in answers.values()
    if kept and readable and any(answers.get(f) for f in kept):
        MonitoringForm.objects.create(cohort=MonitoringForm.Cohort.APPLICANT, year=applicant.received_on.year,
                                      **{f: str(answers.get(f) or "")[:64] for f in kept})
        made = 1
    key_store().destroy(applicant.key_number)
    Applicant.objects.filter(pk=applicant.pk).update(minimised_at=now, **{c: b"" for c in APPLICANT_SEALED})
    return {"kept": len(kept), "monitoring_forms": made}


def destroy_personnel_file(file: PersonnelFile, now) -> dict[str, Any]:
    """Destroy a personnel file's key and empty its sealed columns; the row stays as a placeholder
    (its number, dates and who it was about: the account itself is the organisation's list of staff)."""
    if file.destroyed_at is not None:
        return {"sections": 0}
    sections = sum(1 for c in PERSONNEL_SEALED if getattr(file, c))
    key_store().destroy(file.key_number)
    PersonnelFile.objects.filter(pk=file.pk).update(destroyed_at=now, **{c: b"" for c in PERSONNEL_SEALED})
    return {"sections": sections}


def replay(entries: list[dict], now) -> int:
    """Minimise and destroy again what the journal says was (an older backup restored)."""
    done = 0
    for entry in entries:
        if entry.get("staff") == "applicant":
            applicant = Applicant.objects.filter(pk=entry.get("object")).first()
            if applicant is not None and applicant.minimised_at is None:
                minimise_applicant(applicant, str(entry.get("keep_only") or "").split(","), now)
                done += 1
            elif applicant is not None:
                key_store().destroy(applicant.key_number)
        elif entry.get("staff") == "personnel":
            file = PersonnelFile.objects.filter(pk=entry.get("object")).first()
            if file is not None and file.destroyed_at is None:
                destroy_personnel_file(file, now)
                done += 1
            elif file is not None:
                key_store().destroy(file.key_number)
    return done

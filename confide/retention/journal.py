"""The destruction journal: one JSON line for each client destroyed, written and fsync'd before
anything of theirs is destroyed, in a file outside the database and outside every database backup,
beside the key store (whose own `destroyed` table is the other half of the record).

`confide restore` replays it before anything is served (confide/backup.py): every client in the
journal has their data key destroyed again (a restored key store may still hold it), their rows
removed again, and their Client row left as the placeholder. So a backup taken before a destruction
and restored after it never brings the client back.

The journal holds numbers and dates only: {"client": n, "batch": n, "at": "ISO time"}; for what is
held about staff and applicants (confide/retention/staff.py), {"staff": "applicant" or "personnel",
"object": n, "keep_only": "race,sex,sexuality", "batch": n, "at": ...}; for unsolicited
information returned to its sender, {"returned": entry number, "batch": n, "at": ...}.
"""

from __future__ import annotations

import json
import os
from pathlib import Path

from django.conf import settings

FILE_NAME = "destruction-journal.jsonl"


def path() -> Path:
    """Beside the key store (CONFIDE_KEYSTORE_PATH, by default in the var directory), so it is kept,
    and backed up, with the key store's record of destroyed keys, never with the database."""
    keystore = getattr(settings, "KEYSTORE_PATH", None)
    if keystore:
        return Path(keystore).parent / FILE_NAME
    return Path(settings.VAR_DIR) / FILE_NAME


def append(entry: dict) -> None:
    """Add one line and fsync it (and, when the file is new, its directory) before returning."""
    for key, value in entry.items():
        if not isinstance(value, (int, str)) or isinstance(value, bool):
            raise ValueError(f"the destruction journal holds numbers and dates only, not {key}={type(value).__name__}")
    target = path()
    target.parent.mkdir(parents=True, exist_ok=True)
    new = not target.exists()
    fd = os.open(target, os.O_WRONLY | os.O_APPEND | os.O_CREAT, 0o600)
    try:
        os.fchmod(fd, 0o600)
        os.write(fd, (json.dumps(entry, sort_keys=True, separators=(",", ":")) + "\n").encode("ascii"))
        os.fsync(fd)
    finally:
        os.close(fd)
    if new:
        directory = os.open(target.parent, os.O_RDONLY)
        try:
            os.fsync(directory)
        finally:
            os.close(directory)


def entries() -> list[dict]:
    """Every line of the journal, oldest first; a torn last line (a crash mid-write) is left out."""
    target = path()
    if not target.exists():
        return []
    found = []
    for line in target.read_text(encoding="ascii").splitlines():
        try:
            entry = json.loads(line)
        except ValueError:
            continue
        if isinstance(entry, dict) and (isinstance(entry.get("client"), int)
                                        or isinstance(entry.get("returned"), int)
                                        or (entry.get("staff") in ("applicant", "personnel")
                                            and isinstance(entry.get("object"), int))):
            found.append(entry)
    return found


def replay() -> int:
    """Destroy again every client in the journal: their key (a missing key is fine), their rows, and
    the Client row made the placeholder. Returns how many clients had anything left to remove.
    Idempotent: a second replay finds nothing and changes nothing."""
    from django.db import transaction
    from django.utils import timezone

    from confide.audit.actions import Action
    from confide.audit.services import record_event
    from confide.keys.runtime import key_store
    from confide.retention import shred, staff

    found = entries()
    clients = sorted({entry["client"] for entry in found if "client" in entry})
    removed = 0
    store = key_store()
    for client_id in clients:
        had_key = store.destroy(client_id)
        with transaction.atomic():
            counts = shred.remove_client_rows(client_id)
            placeholder = shred.make_placeholder(client_id)
            if had_key or placeholder or any(counts.values()):
                removed += 1
                record_event(None, Action.RETENTION_REPLAYED, object_type="client", object_id=client_id,
                             detail={"client": client_id, "key_destroyed_again": had_key,
                                     **{f"count_{name}": n for name, n in sorted(counts.items()) if n}})
    with transaction.atomic():
        again = staff.replay([entry for entry in found if "staff" in entry], timezone.now())
        if again:
            record_event(None, Action.RETENTION_REPLAYED, object_type="staff_records",
                         detail={"staff_records": again})
    returned = 0
    with transaction.atomic():
        for entry_id in sorted({entry["returned"] for entry in found if "returned" in entry}):
            returned += shred.remove_entry(entry_id)[0]
        if returned:
            record_event(None, Action.RETENTION_REPLAYED, object_type="entry", detail={"returned": returned})
    return removed + again + returned

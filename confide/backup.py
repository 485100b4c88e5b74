"""Backups that keep destruction (issue 15, point 5): `confide backup --out DIR` and `confide restore DIR`.

A backup is a directory, its owner's alone (0700, files 0600):

- the database: `confide.sqlite3`, copied with SQLite's online backup API from the live file and
  checked with `PRAGMA integrity_check`; or `confide.pgdump`, PostgreSQL's `pg_dump --format=custom`,
  checked with `pg_restore --list`;
- the key store: `keys.sqlite3`, beside it, copied with the backup API too (it holds every client's
  data key, so the backup is as sensitive as the live system);
- `backup.json`, the manifest: when, which engine, the sha256 of each file, the latest migration of
  each app and the audit chain's head.

Restoring checks the manifest and every hash, puts the database and the key store back, migrates,
and then, before anything is served, replays the destruction journal (confide.retention.journal, a
file outside the database and outside every backup): each client destroyed since the backup has
their data key destroyed again and their rows removed again. A restore never brings a destroyed
client back.

Nothing here holds client data: the manifest has numbers, names of apps and migrations, and dates.
"""

from __future__ import annotations

import hashlib
import json
import os
import shutil
import sqlite3
import subprocess
import tempfile
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError

MANIFEST = "backup.json"
SQLITE_FILE = "confide.sqlite3"
PG_FILE = "confide.pgdump"
KEYS_FILE = "keys.sqlite3"
FORMAT = 1


class BackupError(ConfideError):
    """A backup or restore that cannot go ahead: one line saying why, never a password or client data."""

    code = "backup_refused"


@dataclass(frozen=True)
class Made:
    directory: Path
    engine: str
    files: dict[str, str]  # file name -> sha256
    audit_head: int

    def text(self) -> str:
        names = ", ".join(sorted(self.files))
        return (f"Backup written to {self.directory} ({names}), verified; audit chain head #{self.audit_head}. "
                "It holds the key store: keep it as securely as the live system, and no longer than the "
                "README says.")


@dataclass(frozen=True)
class Restored:
    created_at: str
    audit_head: int
    removed_again: int

    def text(self) -> str:
        return (f"Restored the backup made {self.created_at} (audit chain head #{self.audit_head}). "
                f"Destroyed clients removed again from the destruction journal: {self.removed_again}.")


# ---------------------------------------------------------------------------------------------- helpers


def _sha256(path: Path) -> str:
    digest = hashlib.sha256()
    with path.open("rb") as handle:
        for block in iter(lambda: handle.read(1 << 20), b""):
            digest.update(block)
    return digest.hexdigest()


def _private_file(path: Path) -> None:
    """Create an empty file, its owner's alone, before anything is written into it."""
    fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    os.fchmod(fd, 0o600)  # the umask may only narrow the mode; make it exactly 0600
    os.close(fd)


def _engine() -> str:
    from django.conf import settings

    engine = settings.DATABASES["default"]["ENGINE"]
    if engine.endswith("sqlite3"):
        return "sqlite"
    if engine.endswith("postgresql"):
        return "postgresql"
    raise BackupError(f"cannot back up a database of engine {engine!r}; expected SQLite or PostgreSQL")


def _sqlite_copy(source_path: Path, target_path: Path, *, fresh: bool) -> None:
    """SQLite's online backup API: a consistent copy even while others write. A `fresh` target is
    made 0600 first and left in rollback-journal mode, so opening it later leaves no WAL beside it."""
    if fresh:
        _private_file(target_path)
    source = sqlite3.connect(f"file:{source_path}?mode=ro", uri=True, timeout=20)
    try:
        target = sqlite3.connect(target_path, timeout=20)
        try:
            source.backup(target)
            if fresh:
                target.execute("PRAGMA journal_mode = DELETE")
        finally:
            target.close()
    finally:
        source.close()


def _sqlite_check(path: Path) -> None:
    db = sqlite3.connect(f"file:{path}?mode=ro", uri=True)
    try:
        result = [row[0] for row in db.execute("PRAGMA integrity_check")]
    finally:
        db.close()
    if result != ["ok"]:
        raise BackupError(f"the copy of {path.name} failed SQLite's integrity check; nothing can be trusted in it")


def _pg_settings() -> dict:
    """The connection pg_dump and pg_restore use: the tables' owner when there is one (two roles)."""
    from django.conf import settings

    return settings.DATABASES.get("owner") or settings.DATABASES["default"]


def _pg_run(program: str, arguments: list[str], *, with_database: bool = True) -> subprocess.CompletedProcess:
    if shutil.which(program) is None:
        raise BackupError(f"{program} is not installed or not on PATH; install PostgreSQL's client tools "
                          f"(e.g. apt-get install postgresql-client) to back up or restore a PostgreSQL database")
    db = _pg_settings()
    env = dict(os.environ)
    if db.get("PASSWORD"):
        env["PGPASSWORD"] = db["PASSWORD"]  # never on the command line, where other users could see it
    command = [program]
    if with_database:
        for flag, key in (("--host", "HOST"), ("--port", "PORT"), ("--username", "USER")):
            if db.get(key):
                command += [flag, str(db[key])]
        command += ["--dbname", db["NAME"]]
    run = subprocess.run(command + arguments, env=env, capture_output=True, text=True, check=False)  # noqa: S603 -- our own arguments
    if run.returncode != 0:
        first = (run.stderr.strip().splitlines() or [f"exit code {run.returncode}"])[0]
        raise BackupError(f"{program} failed: {first}")
    return run


def _migration_state() -> dict[str, str]:
    """The latest applied migration of each app (by when it was applied)."""
    from django.db.migrations.recorder import MigrationRecorder

    latest: dict[str, str] = {}
    for app, name in MigrationRecorder.Migration.objects.order_by("applied", "id").values_list("app", "name"):
        latest[app] = name
    return dict(sorted(latest.items()))


def _audit_head() -> int:
    from confide.audit.models import AuditHead

    return AuditHead.objects.filter(pk=1).values_list("seq", flat=True).first() or 0


def _keystore_path() -> Path:
    from django.conf import settings

    return Path(settings.KEYSTORE_PATH)


# ---------------------------------------------------------------------------------------------- backup


def do_make_backup(out: Path | str) -> Made:
    """Write a verified backup of the database and the key store into `out`, which must not exist
    or be empty. Refuses (BackupError) before writing anything if it is not."""
    out = Path(out)
    if out.exists():
        if not out.is_dir():
            raise BackupError(f"{out} is a file; give a new or empty directory", field="--out")
        if any(out.iterdir()):
            raise BackupError(f"{out} is not empty; give a new or empty directory", field="--out")
    engine = _engine()
    from confide.keys.runtime import key_store

    keystore = key_store().path  # opened, so made (empty) on an installation that has no client yet
    made_dir = not out.exists()
    out.mkdir(parents=True, exist_ok=True, mode=0o700)
    os.chmod(out, 0o700)  # mkdir's mode is cut by the umask, never widened; an empty dir given may be open
    try:
        return _write_backup(out, engine, keystore)
    except BaseException:
        # Nothing half-written is left to be mistaken for a backup; the directory is empty again.
        for name in (SQLITE_FILE, PG_FILE, KEYS_FILE, MANIFEST):
            (out / name).unlink(missing_ok=True)
        if made_dir:
            out.rmdir()
        raise


def _write_backup(out: Path, engine: str, keystore: Path) -> Made:
    # The audit head and migrations are read before the copy: the copy holds at least this head.
    head, migrations = _audit_head(), _migration_state()
    files: dict[str, str] = {}
    if engine == "sqlite":
        from django.conf import settings

        target = out / SQLITE_FILE
        _sqlite_copy(Path(settings.DATABASES["default"]["NAME"]), target, fresh=True)
        _sqlite_check(target)
    else:
        target = out / PG_FILE
        _private_file(target)
        _pg_run("pg_dump", ["--format=custom", "--no-owner", "--file", str(target)])
        _pg_run("pg_restore", ["--list", str(target)], with_database=False)
    files[target.name] = _sha256(target)
    # The key store after the database: a client added in between has a key and no rows in the copy
    # (harmless); never rows without a key. One destroyed in between is in the journal, replayed on restore.
    keys = out / KEYS_FILE
    _sqlite_copy(keystore, keys, fresh=True)
    _sqlite_check(keys)
    files[KEYS_FILE] = _sha256(keys)
    manifest = {
        "format": FORMAT,
        "created_at": datetime.now(UTC).isoformat(timespec="seconds"),
        "engine": engine,
        "files": files,
        "migrations": migrations,
        "audit_head": head,
    }
    _private_file(out / MANIFEST)
    (out / MANIFEST).write_text(json.dumps(manifest, indent=2) + "\n", encoding="utf-8")
    # Recorded once the backup is whole (so after the copy's head): numbers and the engine only, never the path.
    record_event(None, Action.BACKUP_MADE, detail={"engine": engine, "audit_head": head})
    return Made(out, engine, files, head)


# ---------------------------------------------------------------------------------------------- restore


def read_manifest(directory: Path | str) -> dict:
    """The manifest of a backup, every file's hash checked. Refuses a backup with anything missing,
    changed or unexpected, or made for another database engine."""
    directory = Path(directory)
    if not directory.is_dir():
        raise BackupError(f"there is no backup directory {directory}", field="DIR")
    try:
        manifest = json.loads((directory / MANIFEST).read_text(encoding="utf-8"))
    except FileNotFoundError:
        raise BackupError(f"{directory} has no {MANIFEST}; it is not a Confide backup", field="DIR") from None
    except (OSError, ValueError):
        raise BackupError(f"{MANIFEST} in {directory} cannot be read; the backup is damaged", field="DIR") from None
    if not isinstance(manifest, dict) or manifest.get("format") != FORMAT or not isinstance(manifest.get("files"), dict):
        raise BackupError(f"{MANIFEST} in {directory} is not a Confide backup manifest", field="DIR")
    engine = manifest.get("engine")
    expected = {SQLITE_FILE if engine == "sqlite" else PG_FILE, KEYS_FILE}
    if set(manifest["files"]) != expected:
        raise BackupError(f"{MANIFEST} lists the wrong files for a {engine} backup; the backup is damaged", field="DIR")
    for name, digest in sorted(manifest["files"].items()):
        path = directory / name
        if not path.is_file():
            raise BackupError(f"{name} is missing from the backup", field="DIR")
        if _sha256(path) != digest:
            raise BackupError(f"{name} does not match its hash in {MANIFEST}: the backup was changed or damaged; "
                              "nothing was restored", field="DIR")
    if engine != _engine():
        raise BackupError(f"the backup is of a {engine} database, but Confide is configured for {_engine()}", field="DIR")
    return manifest


def _replay():
    """confide.retention.journal.replay, imported only now: the journal is what keeps destruction."""
    try:
        from confide.retention import journal
    except ImportError:
        raise BackupError("the destruction journal (confide.retention.journal) is not available in this version; "
                          "restoring without replaying it could bring destroyed clients back, so nothing was "
                          "restored") from None
    return journal.replay


def _count(result) -> int:
    if isinstance(result, bool) or result is None:
        return 0
    if isinstance(result, int):
        return result
    for attribute in ("removed", "count", "clients"):
        value = getattr(result, attribute, None)
        if isinstance(value, int) and not isinstance(value, bool):
            return value
        if value is not None and hasattr(value, "__len__"):
            return len(value)
    return len(result)


def _restore_sqlite(directory: Path) -> None:
    from django.conf import settings
    from django.db import connections

    connections.close_all()
    live = Path(settings.DATABASES["default"]["NAME"])
    live.parent.mkdir(parents=True, exist_ok=True)
    if not live.exists():
        _private_file(live)
    _sqlite_copy(directory / SQLITE_FILE, live, fresh=False)


def _restore_postgresql(directory: Path) -> None:
    from django.db import connections

    connections.close_all()
    _pg_run("pg_restore", ["--clean", "--if-exists", "--no-owner", "--single-transaction", "--exit-on-error",
                           str(directory / PG_FILE)])


def _restore_keystore(directory: Path) -> None:
    """Replace the live key store with the backup's copy: written beside it, then renamed over it,
    so the live file is either the old one or the whole copy."""
    from confide.keys import runtime

    live = _keystore_path()
    live.parent.mkdir(parents=True, exist_ok=True)
    runtime.forget()
    fd, temporary = tempfile.mkstemp(prefix=".keys-restore-", dir=live.parent)
    os.fchmod(fd, 0o600)
    os.close(fd)
    try:
        _sqlite_copy(directory / KEYS_FILE, Path(temporary), fresh=False)
        with open(temporary, "rb") as handle:
            os.fsync(handle.fileno())
        os.replace(temporary, live)
    except BaseException:
        Path(temporary).unlink(missing_ok=True)
        raise
    Path(f"{live}-journal").unlink(missing_ok=True)  # a hot journal of the old file must not roll the copy back
    runtime.forget()


def do_restore_backup(directory: Path | str) -> Restored:
    """Restore a backup made by make_backup() over the configured database and key store, then
    replay the destruction journal before anything is served. Confide must be stopped first."""
    directory = Path(directory)
    manifest = read_manifest(directory)
    replay = _replay()  # before anything is overwritten: without it, nothing is restored
    if manifest["engine"] == "sqlite":
        _restore_sqlite(directory)
    else:
        _restore_postgresql(directory)
    _restore_keystore(directory)
    from confide.audit.dbroles import migrate_database

    migrate_database()  # a backup made before an upgrade gets the tables the journal's replay needs
    removed = _count(replay())
    record_event(None, Action.BACKUP_RESTORED, detail={"engine": manifest["engine"], "backup_audit_head": int(
        manifest.get("audit_head") or 0), "backup_created_at": str(manifest.get("created_at", "")),
        "removed_again": removed})
    return Restored(str(manifest.get("created_at", "")), int(manifest.get("audit_head") or 0), removed)

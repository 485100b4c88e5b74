"""SQLite: audited reads queue for the database's write lock instead of polling for it.

Every page that shows client data commits an audit event of its own (`record_event()` outside a
transaction). On SQLite a writer that finds the write lock taken is put to sleep by SQLite's busy
handler for 1, 2, 5, 10, 15, 20, 25 ms and so on, however soon the lock comes free, so with ten
people at work the slowest pages were those that happened to sleep (bench/RESULTS.md, web). Here
the threads of one process queue on a Python lock, and the processes of one installation on an
advisory lock file beside the database (`flock`), which wakes the next in line as soon as the
holder lets go. The lock is held only for the append's own short transaction.

Only those own-transaction appends queue here. A `do_*` change already holds SQLite's write lock
when it records its event, and must not wait on this lock while holding that one: an append that
holds this lock and is waiting for SQLite's would then wait for the change, and the change for it.
PostgreSQL needs none of this: waiters on the audit head row's lock are woken in turn.

The queue only decides who goes first; SQLite's own lock still keeps the appends apart. So the
empty lock file (`confide.sqlite3-audit.lock`) holds nothing worth backing up, and if it were
removed while Confide runs, appends would only go back to polling until the next restart.
"""

from __future__ import annotations

import contextlib
import fcntl
import os
import threading

_thread_lock = threading.Lock()
_files: dict[str, int] = {}


def _forget_after_fork() -> None:
    # A forked `confide serve` process opens its own lock file: flock() locks belong to the open
    # file, which a fork would share, so two processes could both hold "the" lock.
    global _thread_lock
    _thread_lock = threading.Lock()
    for fd in _files.values():
        with contextlib.suppress(OSError):
            os.close(fd)
    _files.clear()


os.register_at_fork(after_in_child=_forget_after_fork)


def lock_path(database: str) -> str:
    return f"{database}-audit.lock"


def _lock_file(database: str) -> int:
    fd = _files.get(database)
    if fd is None:
        fd = os.open(lock_path(database), os.O_RDWR | os.O_CREAT | os.O_CLOEXEC, 0o600)
        _files[database] = fd
    return fd


def _database_file(connection) -> str | None:
    if connection.vendor != "sqlite":
        return None
    name = str(connection.settings_dict["NAME"])
    if name == ":memory:" or "mode=memory" in name or name.startswith("file:"):
        return None
    return name


@contextlib.contextmanager
def queued(connection):
    """Hold the queue for an own-transaction audit append on this connection's database."""
    database = _database_file(connection)
    if database is None:
        if connection.vendor == "sqlite":  # an in-memory database is this process's alone
            with _thread_lock:
                yield
        else:
            yield
        return
    with _thread_lock:
        fd = _lock_file(database)
        fcntl.flock(fd, fcntl.LOCK_EX)
        try:
            yield
        finally:
            fcntl.flock(fd, fcntl.LOCK_UN)

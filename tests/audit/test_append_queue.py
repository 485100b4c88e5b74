"""Audited reads on a SQLite file queue for one lock, across the threads and the processes of
`confide serve` (confide/audit/appendlock.py): every read is recorded, in one unbroken chain."""

from __future__ import annotations

import fcntl
import shutil
import sqlite3
import subprocess
import sys
import time

import pytest

from confide.audit.appendlock import lock_path
from tests.base import confide, confide_env

READERS = """
import threading
from django.db import connection
from confide.audit.services import record_event
errors = []
def read(n):
    try:
        for i in range(25):
            record_event(None, 'client.read', client_id=n, detail={'i': i})
    except Exception as exc:
        errors.append(repr(exc))
    finally:
        connection.close()
threads = [threading.Thread(target=read, args=(n,)) for n in range(4)]
for t in threads: t.start()
for t in threads: t.join()
print('errors:', errors)
"""


def shell(var, script: str) -> subprocess.Popen:
    return subprocess.Popen([sys.executable, "-m", "confide.cli", "manage", "shell", "-c", script],
                            env=confide_env(var), stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)


@pytest.fixture(scope="module")
def migrated(tmp_path_factory):
    """A var directory migrated once for the module; each test takes a copy of its own (`bare`)."""
    var = tmp_path_factory.mktemp("migrated") / "var"
    assert confide(["manage", "migrate", "--no-input"], var).returncode == 0
    return var


@pytest.fixture
def bare(migrated, tmp_path):
    var = tmp_path / "var"
    shutil.copytree(migrated, var)
    return var


def events(var) -> list[tuple[int, str]]:
    with sqlite3.connect(var / "confide.sqlite3") as db:
        return db.execute("SELECT seq, action FROM audit_event ORDER BY seq").fetchall()


def test_reads_from_three_processes_of_four_threads_are_all_recorded_in_one_chain(bare):
    runs = [shell(bare, READERS) for _ in range(3)]
    for run in runs:
        out, err = run.communicate(timeout=180)
        assert run.returncode == 0, err
        assert "errors: []" in out
    assert [seq for seq, _ in events(bare)] == list(range(1, 301))
    verify = confide(["audit", "verify"], bare)
    assert verify.stdout.strip() == "Audit log intact: 300 events, chain head #300."


def test_a_read_in_another_process_waits_its_turn_and_then_is_recorded(bare):
    database = str(bare / "confide.sqlite3")
    with open(lock_path(database), "a+") as held:
        fcntl.flock(held, fcntl.LOCK_EX)  # as another process's append would hold it
        reader = shell(bare, "from confide.audit.services import record_event\n"
                             "record_event(None, 'client.read', client_id=7)\nprint('recorded')")
        time.sleep(3)  # long enough for Python and Django to start and reach the append
        assert reader.poll() is None, reader.communicate()
        assert events(bare) == []
        fcntl.flock(held, fcntl.LOCK_UN)
    out, err = reader.communicate(timeout=60)
    assert reader.returncode == 0, err
    assert out.splitlines()[-1] == "recorded"
    assert events(bare) == [(1, "client.read")]

"""Checkpoints as an installation meets them: a real SQLite file under var/, the `confide` command,
and `confide serve` signing the head on its own (issue 12, point 3)."""

from __future__ import annotations

import http.client
import json
import os
import shutil
import signal
import sqlite3
import subprocess
import sys
import time
from urllib.parse import urlsplit, urlunsplit

import pytest

from tests.base import confide, confide_env, free_port

SHELL = "from confide.audit.services import record_event\nfor i in range(31): record_event(None, 'clients.listed', detail={'n': i})"


def bare(var):
    assert confide(["manage", "migrate", "--no-input"], var).returncode == 0
    shell = confide(["manage", "shell", "-c", SHELL], var)
    assert shell.returncode == 0, shell.stderr
    return var


@pytest.fixture(scope="module")
def made_bare(tmp_path_factory):
    """A var directory migrated and holding 31 events (`bare`), made once for the module."""
    return bare(tmp_path_factory.mktemp("bare") / "var")


@pytest.fixture
def bare_var(made_bare, tmp_path):
    """A copy of the module's bare installation, the test's own (a plain copy: nobody has it open)."""
    var = tmp_path / "var"
    shutil.copytree(made_bare, var)
    return var


def checkpoints(var) -> list[dict]:
    path = var / "audit_checkpoints.jsonl"
    return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


def test_the_tail_cut_with_every_trigger_dropped_fails_a_plain_verify(bare_var, tmp_path):
    var = bare_var
    signed = confide(["audit", "checkpoint"], var)
    assert signed.returncode == 0, signed.stderr
    assert "Signed checkpoint: event #31 " in signed.stdout
    copy = tmp_path / "copy.sqlite3"
    shutil.copy(var / "confide.sqlite3", copy)
    db = sqlite3.connect(copy)
    with db:
        for (name,) in db.execute("SELECT name FROM sqlite_master WHERE type = 'trigger'").fetchall():
            db.execute(f'DROP TRIGGER "{name}"')
        db.execute("DELETE FROM audit_event WHERE seq > 21")
        db.execute("UPDATE audit_head SET seq = 21, hash = (SELECT hash FROM audit_event WHERE seq = 21)")
    db.close()
    env = confide_env(var) | {"CONFIDE_DATABASE_URL": f"sqlite:///{copy}"}
    run = subprocess.run([sys.executable, "-m", "confide.cli", "audit", "verify"], env=env,
                         capture_output=True, text=True, timeout=120)
    assert run.returncode == 1, run.stdout
    assert "the chain ends at #21, before the checkpoint on line 1 (event #31" in run.stderr
    original = confide(["audit", "verify"], var)
    assert original.returncode == 0, original.stderr
    assert "It holds all 1 signed checkpoint (the newest #31" in original.stdout


def test_verify_without_checkpoints_says_so_on_stderr_and_passes(bare_var):
    var = bare_var
    run = confide(["audit", "verify"], var)
    assert run.returncode == 0
    assert run.stdout.strip() == "Audit log intact: 31 events, chain head #31."
    assert "no signed checkpoints" in run.stderr


def _wait_for(port: int) -> None:
    """Until a page is served: the listening socket alone opens before the parent is ready for signals."""
    for _ in range(300):
        try:
            connection = http.client.HTTPConnection("127.0.0.1", port, timeout=5)
            connection.request("GET", "/account/sign-in/")
            if connection.getresponse().status == 200:
                time.sleep(0.5)
                return
        except OSError:
            time.sleep(0.1)
    pytest.fail("confide serve did not start")


@pytest.mark.parametrize("processes, stop", [("2", signal.SIGTERM), ("1", signal.SIGINT)])
def test_serve_signs_the_head_in_its_parent_and_once_more_as_it_stops(bare_var, processes, stop):
    var = bare_var
    port = free_port()
    env = confide_env(var) | {"CONFIDE_SERVE_PROCESSES": processes, "CONFIDE_AUDIT_CHECKPOINT_MINUTES": "60"}
    # As from a terminal, where Ctrl-C interrupts: a shell script's background job (CI runs the two
    # databases' suites side by side) starts with SIGINT ignored, and Python then never raises it.
    server = subprocess.Popen([sys.executable, "-m", "confide.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True,
                              preexec_fn=lambda: signal.signal(signal.SIGINT, signal.SIG_DFL))
    try:
        _wait_for(port)
        assert checkpoints(var) == []  # the first round is an interval away
        server.send_signal(stop)
        _, err = server.communicate(timeout=60)
    finally:
        if server.poll() is None:
            server.kill()
    assert [line["seq"] for line in checkpoints(var)] == [31], err
    assert confide(["audit", "verify"], var).returncode == 0


PG_URL = os.environ.get("CONFIDE_DATABASE_URL", "")


@pytest.mark.skipif(not PG_URL.startswith("postgres"), reason="two roles are PostgreSQL's (set CONFIDE_DATABASE_URL)")
def test_two_roles_migrate_as_the_owner_and_serve_as_a_role_that_cannot_drop_the_triggers(tmp_path):
    import psycopg

    parts = urlsplit(PG_URL)
    admin = urlunsplit(parts._replace(path="/postgres"))
    suffix = f"{os.getpid()}_{int(time.time())}"
    database, role = f"confide_two_roles_{suffix}", f"confide_serving_{suffix}"
    with psycopg.connect(admin, autocommit=True) as db:
        db.execute(f'CREATE DATABASE "{database}"')
        db.execute(f'CREATE ROLE "{role}" LOGIN')
    try:
        serving = urlunsplit(parts._replace(netloc=f"{role}@{parts.hostname}:{parts.port or 5432}", path=f"/{database}"))
        owner = urlunsplit(parts._replace(path=f"/{database}"))
        env = confide_env(tmp_path / "var") | {"CONFIDE_DATABASE_URL": serving, "CONFIDE_MIGRATE_DATABASE_URL": owner}

        def run(*args):
            return subprocess.run([sys.executable, "-m", "confide.cli", *args], env=env, capture_output=True,
                                  text=True, timeout=300)

        demo = run("demo", "--no-serve", "--clients", "3")  # migrates as the owner, then works as the serving role
        assert demo.returncode == 0, demo.stderr
        assert run("audit", "checkpoint").returncode == 0
        verify = run("audit", "verify")
        assert verify.returncode == 0, verify.stderr
        with psycopg.connect(serving, autocommit=True) as db:
            for sql in ("DROP TRIGGER audit_event_no_update_delete ON audit_event",
                        "ALTER TABLE audit_head DISABLE TRIGGER USER",
                        "DELETE FROM audit_event", "UPDATE audit_event SET actor = 'x'", "DELETE FROM audit_head"):
                with pytest.raises(psycopg.errors.InsufficientPrivilege):
                    db.execute(sql)
            with pytest.raises(psycopg.errors.RaiseException, match="moves only with an appended event"):
                db.execute("UPDATE audit_head SET seq = 0")  # allowed to the role, refused by the trigger
            assert db.execute("SELECT tableowner FROM pg_tables WHERE tablename = 'audit_event'").fetchone()[0] != role
    finally:
        with psycopg.connect(admin, autocommit=True) as db:
            db.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
            db.execute(f'DROP ROLE IF EXISTS "{role}"')

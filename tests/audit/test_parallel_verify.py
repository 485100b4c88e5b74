"""`confide audit verify` on a real SQLite file: checking hashes in several processes must report
exactly what one process reports, for every kind of tampering, wherever it falls (the ranges that
three workers check here join at #12 and #23)."""

from __future__ import annotations

import shutil
import sqlite3

import pytest

from tests.base import confide

SHELL = "from confide.audit.services import record_event\nfor i in range(31): record_event(None, 'clients.listed', detail={'n': i})"


@pytest.fixture(scope="module")
def pristine(tmp_path_factory):
    var = tmp_path_factory.mktemp("chain") / "var"
    # A bare database (no demo, whose own events would move the ranges' joins): 31 events exactly.
    assert confide(["manage", "migrate", "--no-input"], var).returncode == 0
    shell = confide(["manage", "shell", "-c", SHELL], var)
    assert shell.returncode == 0, shell.stderr
    ok = confide(["audit", "verify"], var)
    assert ok.stdout.strip() == "Audit log intact: 31 events, chain head #31."
    return var


def swap(db, a, b):
    cols = "at, actor_id, actor, action, object_type, object_id, client_id, purpose, detail, prev_hash, hash"
    row_a = db.execute(f"SELECT {cols} FROM audit_event WHERE seq = ?", (a,)).fetchone()  # noqa: S608
    row_b = db.execute(f"SELECT {cols} FROM audit_event WHERE seq = ?", (b,)).fetchone()  # noqa: S608
    sets = ", ".join(f"{c.strip()} = ?" for c in cols.split(","))
    db.execute("UPDATE audit_event SET hash = 'x' WHERE seq = ?", (a,))
    db.execute(f"UPDATE audit_event SET {sets} WHERE seq = ?", (*row_a, b))  # noqa: S608
    db.execute(f"UPDATE audit_event SET {sets} WHERE seq = ?", (*row_b, a))  # noqa: S608


SCENARIOS = {
    "edit inside a range": (lambda db: db.execute("UPDATE audit_event SET actor = 'x' WHERE seq = 5"), 5, "edited"),
    "edit the first event of a range": (lambda db: db.execute("UPDATE audit_event SET purpose = 'x' WHERE seq = 12"), 12, "edited"),
    "delete the first event of a range": (lambda db: db.execute("DELETE FROM audit_event WHERE seq = 12"), 12, "deleted"),
    "delete the last events of a range": (lambda db: db.execute("DELETE FROM audit_event WHERE seq IN (21, 22)"), 21, "deleted"),
    "delete the very first event": (lambda db: db.execute("DELETE FROM audit_event WHERE seq = 1"), 1, "deleted"),
    "delete from the end": (lambda db: db.execute("DELETE FROM audit_event WHERE seq >= 30"), 30, "deleted from the end"),
    "swap events across a join": (lambda db: swap(db, 11, 12), 11, "does not link"),
    "swap events inside a range": (lambda db: swap(db, 25, 27), 25, "does not link"),
}


@pytest.mark.parametrize("name", list(SCENARIOS))
def test_parallel_and_sequential_verification_agree(pristine, tmp_path, name):
    tamper, broken_at, words = SCENARIOS[name]
    var = tmp_path / "var"
    shutil.copytree(pristine, var)
    db = sqlite3.connect(var / "confide.sqlite3")
    with db:
        db.execute("DROP TRIGGER audit_event_no_update")
        db.execute("DROP TRIGGER audit_event_no_delete")
        tamper(db)
    db.close()
    one = confide(["audit", "verify", "--workers", "1"], var)
    three = confide(["audit", "verify", "--workers", "3"], var)
    assert one.returncode == three.returncode == 1
    assert one.stderr == three.stderr
    assert f"BROKEN at event #{broken_at}:" in one.stderr
    assert words in one.stderr

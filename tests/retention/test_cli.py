"""`confide retention` as whoever operates the server runs it, each command in its own process on a
demo organisation of its own: what falls due, a batch, two approvals, apply; every refusal one line
on stderr with exit code 2, and nothing destroyed without two different approvers."""

from __future__ import annotations

import json
import re
import sqlite3

import pytest

from tests.base import confide
from tests.conftest import copy_of_made_demo


@pytest.fixture(scope="module")
def demo_var(made_demo, tmp_path_factory):
    # `confide demo --no-serve --clients 12` (made once for the run), copied.
    return copy_of_made_demo(made_demo, tmp_path_factory, "retention")


def refused(result, words: str) -> None:
    assert result.returncode == 2, result.stdout + result.stderr
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("confide: ") and words in lines[0], result.stderr


def entries_of(var, clients) -> int:
    marks = ", ".join("?" * len(clients))
    with sqlite3.connect(var / "confide.sqlite3") as db:
        return db.execute(f"SELECT count(*) FROM records_entry e JOIN records_case c ON c.id = e.case_id "  # noqa: S608
                          f"WHERE c.client_id IN ({marks})", clients).fetchone()[0]


def test_due_batch_two_approvals_and_apply(demo_var):
    var = demo_var
    due = confide(["retention", "due", "--on", "2100-01-01", "--json"], var)
    assert due.returncode == 0, due.stderr
    items = json.loads(due.stdout)["items"]
    files = [i for i in items if i["class"] == "client_file"]
    assert files and all(i["clause"] == "9.15" and i["rule"] for i in files)
    # The demo's unsuccessful applicant (DVIP 8.08): minimised, keeping only race, sex and sexuality.
    others = [i for i in items if i["class"] != "client_file"]
    assert [(i["class"], i["clause"], i["action"]) for i in others] == [("unsuccessful_application", "8.08", "minimise")]
    clients = sorted({i["client"] for i in files})
    assert entries_of(var, clients) > 0
    plain = confide(["retention", "due", "--on", "2100-01-01"], var)
    assert f"{len(items)} line" in plain.stdout.splitlines()[-1]

    batch = confide(["retention", "batch", "--on", "2100-01-01"], var)
    assert batch.returncode == 0, batch.stderr
    number = re.findall(r"[0-9]+", batch.stdout)[0]
    assert batch.stdout.startswith(f"Batch {number}: {len(items)} line")
    # Most of the demo's closed files fall due years from now: the operator is warned, in words.
    assert f"warning: batch {number} is for a day to come" in batch.stderr
    assert "destroys them before the policy's period ends" in batch.stderr

    refused(confide(["retention", "apply", number], var), "needs approval by 2 different people")
    refused(confide(["retention", "approve", number, "--as", "vpp-worker"], var),
            "Only a manager or the data controller")
    refused(confide(["retention", "approve", number, "--as", "nobody-here"], var), "--as: no active user")
    assert confide(["retention", "approve", number, "--as", "team-manager"], var).returncode == 0
    refused(confide(["retention", "approve", number, "--as", "team-manager"], var), "already approved")
    refused(confide(["retention", "apply", number], var), "it has 1")
    assert entries_of(var, clients) > 0, "nothing destroyed on one approval"

    second = confide(["retention", "approve", number, "--as", "head-of-service-delivery"], var)
    assert second.returncode == 0 and "2 of 2 approvals" in second.stdout, second.stderr
    applied = confide(["retention", "apply", number], var)
    assert applied.returncode == 0, applied.stderr
    assert f"{len(clients)} client file" in applied.stdout
    assert "1 application minimised" in applied.stdout
    assert entries_of(var, clients) == 0
    assert confide(["audit", "verify"], var).returncode == 0
    refused(confide(["retention", "apply", number], var), "already applied")
    journal = [json.loads(line) for line in (var / "destruction-journal.jsonl").read_text().splitlines()]
    assert sorted(e["client"] for e in journal if "client" in e) == clients
    assert [(e["staff"], e["keep_only"]) for e in journal if "staff" in e] == [("applicant", "race,sex,sexuality")]
    assert json.loads(confide(["retention", "due", "--on", "2100-01-01", "--json"], var).stdout)["items"] == []


def test_a_batch_that_does_not_exist_and_a_bad_date_are_one_line(demo_var):
    refused(confide(["retention", "approve", "9999", "--as", "team-manager"], demo_var), "no retention batch")
    bad = confide(["retention", "batch", "--on", "next week"], demo_var)
    assert bad.returncode == 2 and "expected a date as YYYY-MM-DD" in bad.stderr

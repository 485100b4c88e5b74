"""`confide sar draft CLIENT --out FILE` as the data controller runs it, in its own process on a demo's
var directory: the strictest draft of a client's subject-access copy, written private to them, saying
nothing of the client on the terminal, and recorded in the audit log; mistakes are one line, exit 2."""

from __future__ import annotations

import io
import json
import os
import re
import shutil
import sqlite3
import stat
import subprocess

import pytest
from pypdf import PdfReader

from tests.base import confide
from tests.conftest import copy_of_made_demo

PHONE = re.compile(r"07700 900\d{3}")

# What the file of the client with a note naming someone holds, read inside the demo's own process
# (the names are sealed: nothing else can read them). Printed as one JSON line.
READ_FILE = """
import json
from confide.records.models import Client, Entry
entry = Entry.objects.filter(about_people__isnull=False, source="client", about_client=True).order_by("id").first()
client = Client.objects.get(pk=entry.case.client_id)
print("FILE " + json.dumps({"client": client.pk, "name": client.display_name,
                            "people": [p.details for p in client.people.all()], "note": entry.body}))
"""


@pytest.fixture(scope="module")
def demo(made_demo, tmp_path_factory):
    # `confide demo --no-serve --clients 12` (made once for the run), copied.
    var = copy_of_made_demo(made_demo, tmp_path_factory, "sar-draft")
    read = confide(["manage", "shell", "-c", READ_FILE], var)
    assert read.returncode == 0, read.stderr
    line = next(line for line in read.stdout.splitlines() if line.startswith("FILE "))
    return var, json.loads(line[len("FILE "):])


def _events(var, action: str) -> list[tuple]:
    with sqlite3.connect(f"file:{var / 'confide.sqlite3'}?mode=ro", uri=True) as db:
        return db.execute("SELECT client_id, object_id, detail FROM audit_event WHERE action = ? ORDER BY seq",
                          [action]).fetchall()


def _one_line_refusal(ran: subprocess.CompletedProcess, words: str) -> None:
    assert ran.returncode == 2, ran.stderr
    lines = ran.stderr.strip().splitlines()
    assert len(lines) == 1 and lines[0].startswith("confide: ") and words in lines[0], ran.stderr
    assert "Traceback" not in ran.stderr and ran.stdout == ""


def test_an_unknown_client_is_one_line_and_writes_nothing(demo, tmp_path):
    var, _ = demo
    out = tmp_path / "draft.pdf"
    for number in ("99999", "abc", "-4"):
        _one_line_refusal(confide(["sar", "draft", number, "--out", str(out)], var), f"no client number {number}")
        assert not out.exists()
    assert (None, "99999", json.dumps({"by": "command_line", "reason": "no_such_client"}, separators=(",", ":"))) \
        in _events(var, "subject_access.drafted.refused"), "the refusal is recorded, with no client"


def test_out_must_be_a_file_in_a_directory_that_exists(demo, tmp_path):
    var, found = demo
    _one_line_refusal(confide(["sar", "draft", str(found["client"]), "--out", str(tmp_path)], var), "is a directory")
    _one_line_refusal(confide(["sar", "draft", str(found["client"]), "--out", str(tmp_path / "no" / "draft.pdf")], var),
                      "there is no directory")
    assert list(tmp_path.iterdir()) == []
    assert not [e for e in _events(var, "subject_access.drafted") if e[0] == found["client"]], \
        "nothing was opened for a command that could not write"


def _read(path) -> str:
    texts = [" ".join(page.extract_text() or "" for page in PdfReader(io.BytesIO(path.read_bytes())).pages)]
    if shutil.which("pdftotext"):  # as the outside check and most people's tools read it (poppler)
        texts.append(subprocess.run(["pdftotext", str(path), "-"], capture_output=True, text=True, check=True).stdout)
    return " \n".join(re.sub(r"\s+", " ", text) for text in texts)


def test_a_draft_is_a_private_pdf_of_the_clients_own_words_without_the_other_person(demo, tmp_path):
    var, found = demo
    out = tmp_path / "draft.pdf"
    ran = confide(["sar", "draft", str(found["client"]), "--out", str(out)], var)
    assert ran.returncode == 0, ran.stderr
    assert f"client {found['client']}" in ran.stdout and "second person reviews" in ran.stdout
    for words in (found["name"], found["name"].split()[-1], *[p["name"] for p in found["people"]]):
        assert words not in ran.stdout + ran.stderr, "the terminal shows no name"
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600, "private to whoever ran it"
    assert out.read_bytes().startswith(b"%PDF-")
    text = _read(out)
    assert found["name"] in text, "the client's copy, their name on its cover"
    # The note naming someone is there in the client's own words, with the other person covered.
    around = [p for p in found["people"] if p["name"] in found["note"]]
    assert around
    own = found["note"]
    for person in around:
        own = own.replace(person["name"], "|")
    for phone in PHONE.findall(found["note"]):
        own = own.replace(phone, "|")
    kept = [piece.strip(" ;,.") for piece in own.split("|") if len(piece.strip(" ;,.")) >= 20]
    assert kept and all(piece in text for piece in kept), kept
    for person in found["people"]:
        for words in (person["name"], person["name"].split(" ", 1)[1], *PHONE.findall(person["contact"])):
            assert words not in text
    for phone in PHONE.findall(found["note"]):
        assert phone not in text
    drafted = [e for e in _events(var, "subject_access.drafted") if e[0] == found["client"]]
    assert drafted and json.loads(drafted[-1][2]) == {"by": "command_line"}, "recorded as the command's run"


def test_a_draft_written_over_an_existing_file_is_private_too(demo, tmp_path):
    var, found = demo
    out = tmp_path / "draft.pdf"
    out.write_bytes(b"an older file")
    out.chmod(0o644)
    ran = confide(["sar", "draft", str(found["client"]), "--out", str(out)], var)
    assert ran.returncode == 0, ran.stderr
    assert out.read_bytes().startswith(b"%PDF-")
    assert stat.S_IMODE(os.stat(out).st_mode) == 0o600

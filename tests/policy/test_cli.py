"""`confide policy ...` through `main(argv)` with in-memory streams, and as a real process."""

from __future__ import annotations

import io
import json
import subprocess
import sys
from pathlib import Path

from confide.policy.cli import main

ROOT = Path(__file__).resolve().parents[2]

CONTRACT_DISCLOSE = {
    "action": "disclose",
    "subject": {"role": "victim", "service": "wss", "age": 34, "has_capacity": True},
    "data": ["case_notes", "contact_details"],
    "recipient": {"kind": "social_services", "relationship_to_subject": None},
    "purpose": "child_protection",
    "consent": {"status": "not_sought", "explicit": False, "written": False, "covers_recipient": False,
                "covers_data": False},
    "grounds": ["child_at_risk_of_significant_harm"],
    "channel": "secure_email",
    "requester_identity_verified": True,
    "anonymised": False,
}
CONTRACT_ACCESS = {"action": "access", "actor": {"role": "volunteer", "team": "north", "assigned_to_case": False},
                   "record": {"kind": "case_notes", "service": "wss", "team": "north", "sealed": False},
                   "purpose": "supervision"}
CONTRACT_SAR = {"action": "subject_access", "received_on": "2026-01-10",
                "requester": {"role": "perpetrator", "service": "vpp"},
                "record_contains": ["third_party", "case_management_decisions", "multi_agency"]}
CONTRACT_RETAIN = {"action": "retain", "record": {"kind": "client_file", "service": "wss", "closed_on": "2020-03-01",
                                                  "flags": ["family_court_risk_assessment"]}}


def run(argv, stdin=""):
    out, err = io.StringIO(), io.StringIO()
    code = main(argv, stdin=io.StringIO(stdin), stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def test_packs_lists_the_builtin_packs():
    code, out, _ = run(["packs"])
    assert code == 0
    assert [line.split("\t")[0] for line in out.splitlines()] == ["day_mer", "derbyshire", "dvip", "home_start",
                                                                  "justus"]


def test_check_and_bad_packs(tmp_path):
    code, out, _ = run(["check", "dvip"])
    assert code == 0 and "valid" in out
    bad = tmp_path / "bad.yaml"
    bad.write_text("pack: bad\nversion: 1\n", encoding="utf-8")
    code, out, err = run(["check", str(bad)])
    assert code == 2 and out == ""
    assert err.count("\n") == 1 and f"{bad}:" in err
    code, _, err = run(["check", "nope"])
    assert code == 2 and "no built-in pack called 'nope'" in err


def test_decide_answers_the_contracts_examples():
    code, out, err = run(["decide", "--pack", "dvip"], json.dumps(CONTRACT_DISCLOSE))
    assert code == 0, err
    answer = json.loads(out)
    assert answer["decision"] == "permit_if_approved"
    assert answer["reasons"][0]["clause"] == "3.02"
    assert answer["obligations"] == ["record_reasons", "inform_subject_unless_increases_risk"]
    for request, decision in [(CONTRACT_ACCESS, "deny"), (CONTRACT_SAR, "permit"), (CONTRACT_RETAIN, "permit")]:
        code, out, err = run(["decide", "--pack", "dvip"], json.dumps(request))
        assert code == 0, err
        assert json.loads(out)["decision"] == decision
    assert json.loads(run(["decide", "--pack", "dvip"], json.dumps(CONTRACT_RETAIN))[1])["destroy_on"] == "2028-03-01"


def test_decide_bad_input_exits_2_with_one_line():
    for stdin, needle in [("{not json", "request: not valid JSON"),
                          (json.dumps({**CONTRACT_DISCLOSE, "recipient": {"kind": "neighbour"}}), "recipient.kind"),
                          (json.dumps({**CONTRACT_DISCLOSE, "mood": "calm"}), "mood: unknown field"),
                          ("[]", "request: expected a JSON object")]:
        code, out, err = run(["decide", "--pack", "dvip"], stdin)
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and needle in err, err
    code, _, err = run(["decide"])
    assert code == 2 and err.count("\n") == 1
    code, _, err = run(["frobnicate"])
    assert code == 2 and err.count("\n") == 1


def test_lint_and_explain():
    code, out, _ = run(["lint", "dvip"])
    assert code == 0
    for needle in ["Data Protection Act 1998", "UK GDPR", "40 days", "One calendar month", "£10", "Free in most cases"]:
        assert needle in out
    code, out, _ = run(["lint", "justus", "--json"])
    findings = json.loads(out)["findings"]
    assert {"Prevention of Terrorism Act", "password changes", "Caldicott principles"} <= {f["topic"] for f in findings}
    assert run(["lint", "dvip", "--strict"])[0] == 1
    code, out, _ = run(["explain", "dvip"])
    assert code == 0 and "Clause 3.08" in out and "Clause 9.15" in out
    code, out, _ = run(["explain", "dvip", "--document", "vpp_statement"])
    assert code == 0 and "statement of confidentiality limits" in out
    code, _, err = run(["explain", "dvip", "--document", "nope"])
    assert code == 2 and "vpp_statement" in err


def test_as_a_process():
    proc = subprocess.run([sys.executable, "-m", "confide.policy.cli", "decide", "--pack", "dvip"],
                          input=json.dumps(CONTRACT_DISCLOSE), capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 0, proc.stderr
    assert json.loads(proc.stdout)["decision"] == "permit_if_approved"
    proc = subprocess.run([sys.executable, "-m", "confide.policy.cli", "decide", "--pack", "dvip"],
                          input='{"action": "disclose"}', capture_output=True, text=True, cwd=ROOT, timeout=60)
    assert proc.returncode == 2 and proc.stderr.count("\n") == 1 and proc.stdout == ""


def test_as_a_process_bad_bytes_and_deep_nesting_exit_2_with_one_line():
    """Through the real sys.stdin (bytes decoded by the CLI itself), whatever the locale: issue 11 point 8."""
    for raw, needle in [(b"\xff\xfe{}", "not valid UTF-8"), (b'{"action": "\xed\xa0\x80"}', "not valid UTF-8"),
                        (b"[" * 100_000, "nested too deeply"), (b'{"x": ' + b"9" * 5000 + b"}", "too many digits"),
                        (b"", "empty")]:
        proc = subprocess.run([sys.executable, "-m", "confide.policy.cli", "decide", "--pack", "dvip"], input=raw,
                              capture_output=True, cwd=ROOT, timeout=60, env={"LC_ALL": "C", "PATH": ""})
        err = proc.stderr.decode("utf-8", "replace")
        assert proc.returncode == 2 and err.count("\n") == 1 and needle in err and proc.stdout == b"", err[-300:]


def test_decide_with_the_subject_access_clock():
    request = {**CONTRACT_SAR, "identity_confirmed_on": "2026-01-20",
               "clarification": [{"asked_on": "2026-01-21", "answered_on": None}]}
    code, out, err = run(["decide", "--pack", "dvip"], json.dumps(request))
    assert code == 0, err
    answer = json.loads(out)
    assert answer["statutory_due_on"] is None and answer["clock"]["paused_since"] == "2026-01-21"
    code, out, err = run(["decide", "--pack", "dvip"],
                         json.dumps({**request, "clarification": [{"asked_on": "2026-01-21", "answered_on": "2026-01-02"}]}))
    assert code == 2 and err.count("\n") == 1 and "clarification[0].answered_on: " in err

"""Pack loading, the schema's errors, custom packs, the interface the rest of Confide relies on,
lint and the generated documents."""

from __future__ import annotations

import datetime as dt
import json
import subprocess
import sys
from pathlib import Path

import pytest

from confide.policy import PackError, PolicyError, RequestError, compile_text, dates, load_pack, pack_names
from confide.policy.explain import explain_pack, render_document
from confide.policy.lint import lint_pack
from confide.policy.loader import PACKS_DIR

ROOT = Path(__file__).resolve().parents[2]
DVIP_TEXT = (PACKS_DIR / "dvip.yaml").read_text(encoding="utf-8")
KINDS = {"worker", "volunteer", "manager", "data_controller", "trustee", "administrator"}


# --- the interface -----------------------------------------------------------------------------------
def test_builtin_packs_and_their_interface():
    assert pack_names() == ["day_mer", "derbyshire", "dvip", "home_start", "justus"]
    for name in pack_names():
        pack = load_pack(name)
        assert pack is load_pack(name), "built-in packs are cached"
        assert pack.name == name and isinstance(pack.version, str) and pack.title
        assert list(pack.roles) and list(pack.services)
        kinds = {role.kind for role in pack.roles.values()}
        assert kinds <= KINDS
        assert {"worker", "manager", "data_controller", "trustee"} <= kinds
        for key, role in pack.roles.items():
            assert role.name == key and role.label
        for service in pack.services.values():
            assert service.label
    assert list(load_pack("dvip").services) == ["vpp", "wss", "stephens_place"]
    assert load_pack("dvip").roles["wss_worker"].label == "Women's Support Service worker"
    assert "volunteer" in {r.kind for r in load_pack("home_start").roles.values()}
    assert issubclass(PackError, PolicyError) and issubclass(RequestError, PolicyError)


def test_no_django_import_anywhere_in_the_policy_package():
    for path in (ROOT / "confide" / "policy").rglob("*.py"):
        text = path.read_text(encoding="utf-8")
        assert "import django" not in text and "from django" not in text, path
    code = ("import sys, confide.policy, confide.policy.cli; "
            "sys.exit(1 if any(m == 'django' or m.startswith('django.') for m in sys.modules) else 0)")
    assert subprocess.run([sys.executable, "-c", code], cwd=ROOT).returncode == 0


def test_loading_a_pack_from_a_path(tmp_path):
    path = tmp_path / "own.yaml"
    path.write_text(DVIP_TEXT.replace("pack: dvip", "pack: own"), encoding="utf-8")
    pack = load_pack(str(path))
    assert pack.name == "own" and pack.filename == str(path)
    with pytest.raises(PackError, match="no built-in pack called 'nope'"):
        load_pack("nope")
    with pytest.raises(PackError, match="no such file"):
        load_pack(str(tmp_path / "missing.yaml"))


# --- requests ----------------------------------------------------------------------------------------
BASE = {"action": "disclose", "subject": {"role": "victim"}, "data": ["case_notes"], "recipient": {"kind": "police"}}


@pytest.mark.parametrize(("change", "field"), [
    ({"colour": "blue"}, "colour"),
    ({"subject": {"role": "vicitm"}}, "subject.role"),
    ({"subject": {"role": "victim", "shoe_size": 9}}, "subject.shoe_size"),
    ({"data": "case_notes"}, "data"),
    ({"data": ["case_notes", "diary"]}, "data[1]"),
    ({"data": []}, "data"),
    ({"recipient": {"kind": "polise"}}, "recipient.kind"),
    ({"consent": {"status": "maybe"}}, "consent.status"),
    ({"consent": {"status": "given", "explicit": "yes"}}, "consent.explicit"),
    ({"grounds": ["vibes"]}, "grounds[0]"),
    ({"channel": "pigeon"}, "channel"),
    ({"anonymised": 1}, "anonymised"),
    ({"subject": {"role": "victim", "age": "34"}}, "subject.age"),
    ({"action": "delete"}, "action"),
])
def test_requests_are_validated_strictly_naming_the_field(change, field):
    req = {**BASE, **change}
    with pytest.raises(RequestError) as exc:
        load_pack("dvip").decide(req)
    assert exc.value.field == field
    assert str(exc.value).startswith(f"{field}: ") and "\n" not in str(exc.value)


def test_requests_of_other_actions_are_validated_too():
    pack = load_pack("dvip")
    for req, field in [
        ({"action": "access", "actor": {"role": "janitor"}, "record": {"kind": "case_notes"}}, "actor.role"),
        ({"action": "access", "actor": {"role": "wss_worker"}, "record": {"kind": "case_notes", "sealed": "no"}},
         "record.sealed"),
        ({"action": "subject_access", "received_on": "10/01/2026", "requester": {"role": "victim"}}, "received_on"),
        ({"action": "subject_access", "received_on": "2026-02-30", "requester": {"role": "victim"}}, "received_on"),
        ({"action": "retain", "record": {"kind": "client_file", "flags": ["forever"]}}, "record.flags[0]"),
        ({"action": "retain"}, "record"),
    ]:
        with pytest.raises(RequestError) as exc:
            pack.decide(req)
        assert exc.value.field == field


def test_answers_are_values_the_caller_cannot_corrupt():
    """The top level of an answer is the caller's own dict; what is inside is shared with memoised pieces and
    refuses change in place, so no caller can alter a later decision. It still serialises, copies,
    pickles and compares as plain JSON data."""
    import copy
    import pickle

    pack = load_pack("dvip")
    first = pack.decide(BASE)
    first["decided_at"] = "2026-11-21T10:00:00Z"
    first["obligations"] = ["replaced"]
    with pytest.raises(TypeError, match="a decision is a value"):
        first["reasons"].clear()
    with pytest.raises(TypeError, match="a decision is a value"):
        first["reasons"][0]["text"] = "tampered"
    with pytest.raises(TypeError, match="a decision is a value"):
        first["pack"]["version"] = "9"
    second = pack.decide(BASE)
    assert "decided_at" not in second and second["obligations"] == ["record_decision"]
    assert type(second) is dict and second["reasons"] and second["pack"]["version"] == "1.0.0"
    plain = json.loads(json.dumps(second))
    assert plain == second
    for clone in (copy.deepcopy(second), pickle.loads(pickle.dumps(second))):  # noqa: S301 - our own bytes
        assert clone == second and type(clone["reasons"]) is list
        clone["reasons"].append({"pack": "x"})
    mine = list(second["obligations"])
    mine.append("mine")
    assert pack.decide(BASE)["obligations"] == ["record_decision"]


# --- the schema's errors -----------------------------------------------------------------------------
def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


@pytest.mark.parametrize(("old", "new", "field", "message"), [
    ("recipient: [partner, ex_partner]}", "recipient: [partner, ex_partnr]}",
     "disclose.prohibitions[0].when.recipient[1]", "unknown recipient kind 'ex_partnr'"),
    ('clause: "3.08"', "clause: 3.08", "disclose.prohibitions[0].clause", "quoted"),
    ("kind: trustee}", "kind: board}", "roles.committee_member.kind", "unknown role kind 'board'"),
    ("basis: safeguarding", "basis: vibes", "disclose.rules[4].basis", "unknown legal basis"),
    ("      when: {anonymised: true, recipient: [researcher, trustees, funder]}",
     "      when: {recipient: [researcher, trustees, funder]}", "disclose.rules[12].when",
     "must need valid consent, a ground, or anonymised"),
    ("      unless: {consent: valid}", "      unless: {grounds: [court_order]}",
     "disclose.prohibitions[2].unless.grounds", "absolute prohibition cannot be unlocked by a ground"),
    ("      when: {subject_role: [victim], consent: valid}", "      when: {subject_role: [victim], consent: given}",
     "disclose.rules[0].when.consent", "the only consent condition is 'valid'"),
    ("      keep_years: 5\n", "      keep_years: 5\n      keep_forever: true\n", "retain.rules[1].keep_forever",
     "unknown field"),
])
def test_pack_errors_name_file_line_and_field(old, new, field, message):
    assert old in DVIP_TEXT
    text = DVIP_TEXT.replace(old, new, 1)
    with pytest.raises(PackError) as exc:
        compile_text(text, "own-pack.yaml")
    err = exc.value
    assert err.file == "own-pack.yaml" and err.field == field and message in str(err)
    assert str(err).startswith(f"own-pack.yaml:{err.line}: {field}: ")
    assert err.line == _line_of(text, new.strip().splitlines()[-1].strip())
    assert "\n" not in str(err)


def test_pack_error_for_a_missing_required_role_kind_and_bad_yaml():
    text = DVIP_TEXT.replace("  committee_member: {label: Management committee member, kind: trustee}\n", "")
    text = text.replace("[committee_member]", "[head_of_service_delivery]")
    with pytest.raises(PackError, match="at least one role of kind 'trustee'"):
        compile_text(text, "x.yaml")
    with pytest.raises(PackError, match=r"^x.yaml:\d+: not valid YAML"):
        compile_text("pack: [unclosed", "x.yaml")
    with pytest.raises(PackError, match="the same key appears twice"):
        compile_text(DVIP_TEXT.replace("version: \"1.0.0\"", "version: \"1.0.0\"\nversion: \"2\""), "x.yaml")


def test_a_document_must_list_every_rule_that_applies_to_its_signers():
    text = DVIP_TEXT.replace("      - partner_told_of_progress\n", "", 1)
    with pytest.raises(PackError, match="leaves out rule 'partner_told_of_progress'"):
        compile_text(text, "x.yaml")


# --- a custom pack ---------------------------------------------------------------------------------
def test_a_custom_pack_made_by_copying_one_and_changing_rules_decides_accordingly():
    custom_text = (DVIP_TEXT.replace("pack: dvip", "pack: dvip_custom")
                   .replace("      keep_years: 5\n", "      keep_years: 6\n")
                   .replace("approvals: [{any_of: [team_manager, head_of_service_delivery], count: 1, "
                            "not_the_requester: true}]\n      basis: safeguarding\n      obligations: [record_reasons, "
                            "inform_subject_unless_increases_risk]\n    - id: victim_safety",
                            "approvals: [{any_of: [team_manager, head_of_service_delivery], count: 2, "
                            "not_the_requester: true}]\n      basis: safeguarding\n      obligations: [record_reasons, "
                            "inform_subject_unless_increases_risk]\n    - id: victim_safety")
                   )
    # ...and a rule taken out altogether: the policy no longer forbids sharing HIV status.
    start = custom_text.index("    - id: sensitive_needs_permission")
    end = custom_text.index("    - id: perpetrators_partner_not_identified")
    custom_text = custom_text[:start] + custom_text[end:]
    custom_text = custom_text.replace("      - sensitive_needs_permission\n", "")
    builtin, custom = load_pack("dvip"), compile_text(custom_text, "custom.yaml")
    assert custom.name == "dvip_custom"

    retain = {"action": "retain", "record": {"kind": "client_file", "closed_on": "2020-03-01"}}
    assert builtin.decide(retain)["destroy_on"] == "2025-03-01"
    assert custom.decide(retain)["destroy_on"] == "2026-03-01"

    child = {"action": "disclose", "subject": {"role": "victim"}, "data": ["case_notes"],
             "recipient": {"kind": "social_services"}, "grounds": ["child_at_risk_of_significant_harm"]}
    assert builtin.decide(child)["approvals"][0]["count"] == 1
    assert custom.decide(child)["approvals"][0]["count"] == 2

    hiv = {"action": "disclose", "subject": {"role": "perpetrator", "service": "vpp"}, "data": ["hiv_status"],
           "recipient": {"kind": "police"}, "grounds": ["risk_to_others"]}
    assert builtin.decide(hiv)["decision"] == "deny"
    after = custom.decide(hiv)
    assert after["decision"] == "permit" and after["pack"] == {"name": "dvip_custom", "version": "1.0.0"}


# --- dates -----------------------------------------------------------------------------------------
def test_bank_holidays_and_the_statutory_month():
    assert dates.bank_holidays(2026) == {dt.date(2026, m, d) for m, d in
                                         [(1, 1), (4, 3), (4, 6), (5, 4), (5, 25), (8, 31), (12, 25), (12, 28)]}
    h22 = dates.bank_holidays(2022)
    assert {dt.date(2022, 6, 2), dt.date(2022, 6, 3), dt.date(2022, 9, 19)} <= h22
    assert dt.date(2022, 5, 30) not in h22
    assert dt.date(2023, 5, 8) in dates.bank_holidays(2023)
    assert dates.easter_sunday(2027) == dt.date(2027, 3, 28)
    assert dates.add_months(dt.date(2026, 1, 31), 1) == dt.date(2026, 2, 28)
    assert dates.add_months(dt.date(2024, 1, 31), 1) == dt.date(2024, 2, 29)
    assert dates.add_years(dt.date(2024, 2, 29), 5) == dt.date(2029, 2, 28)
    assert dates.statutory_sar_due(dt.date(2026, 1, 10)) == dt.date(2026, 2, 10)
    assert dates.statutory_sar_due(dt.date(2026, 3, 6)) == dt.date(2026, 4, 7)  # 6 April is Easter Monday
    assert dates.statutory_sar_due(dt.date(2026, 11, 25)) == dt.date(2026, 12, 29)


# --- lint and documents ----------------------------------------------------------------------------
def test_lint_lists_the_outdated_provisions_of_each_pack():
    topics = {name: {f["topic"] for f in lint_pack(load_pack(name))} for name in pack_names()}
    assert {"Data Protection Act 1998", "subject-access deadline", "subject-access fee",
            "Freedom of Information", "Inland Revenue"} <= topics["dvip"]
    assert {"Data Protection Act 1998", "Prevention of Terrorism Act", "password changes", "Caldicott principles",
            "Drug Trafficking Offences Act 1986", "sensitive personal data", "retention period"} <= topics["justus"]
    assert "fax" not in topics["justus"], "JustUs 3.1 already rules out fax"
    assert "fax" in topics["dvip"]
    assert {"Caldicott principles", "retention period"} <= topics["derbyshire"]
    assert {"Data Protection Act 1998", "vulnerable adult"} <= topics["home_start"]
    assert {"Prevention of Terrorism Act", "GDPR principles"} <= topics["day_mer"]
    # Law since 2025 (tests/policy/test_lint.py has them pack by pack).
    assert {"subject-access request in writing", "third-party information withheld", "subpoena",
            "children as victims of domestic abuse"} <= topics["dvip"]
    assert {"Children Act 1989 section 47", "Caldicott duty to share"} <= topics["justus"]
    assert "telling the client about a report" in topics["home_start"]
    assert "trustee approval before a report" in topics["day_mer"]
    for name in pack_names():
        assert {"subject-access clock", "breach notification", "data protection complaints",
                "retention period: the audit log"} <= topics[name]
    for name in pack_names():
        for f in lint_pack(load_pack(name)):
            assert f["clause"] and f["pack_says"] and f["applies_now"] and f["source"]


def test_the_shipped_packs_keep_the_organisations_rules_as_written():
    sar = load_pack("dvip").decide({"action": "subject_access", "received_on": "2026-01-10",
                                    "requester": {"role": "victim"}})
    assert sar["due_on"] == "2026-02-19" and sar["statutory_due_on"] == "2026-02-10" and sar["fee"] == "£10"
    assert any("12(3)" in w for w in sar["warnings"]) and any("12(5)" in w for w in sar["warnings"])


def test_explain_covers_every_rule_clause_by_clause():
    for name in pack_names():
        pack = load_pack(name)
        text = explain_pack(pack)
        for rule in pack.spec.all_rules():
            assert f"[{rule.id}]" in text
            assert f"Clause {rule.clause}\n" in text


def test_documents_say_what_the_system_enforces():
    pack = load_pack("dvip")
    statement = render_document(pack, "vpp_statement")
    rules = {r.id: r for r in [*pack.spec.prohibitions, *pack.spec.disclose_rules]}
    for rid in pack.documents["vpp_statement"]["items"]:
        assert rules[rid].client_text in " ".join(statement.split())
    assert "Signed: " in statement and "version 1.0.0" in statement
    consent = render_document(pack, "victim_consent")
    assert "This consent will expire on:" in consent
    assert "partner or ex-partner" in consent
    assert "Always give a copy" in consent
    agreement = render_document(load_pack("day_mer"), "confidentiality_agreement")
    assert "Complaints Officer" in agreement and "maternity social work" in agreement
    with pytest.raises(RequestError, match="unknown document 'nope'"):
        render_document(pack, "nope")


def test_decisions_are_json_serialisable():
    for name in pack_names():
        pack = load_pack(name)
        json.dumps(pack.decide({"action": "subject_access", "received_on": "2026-01-10",
                                "requester": {"role": "service_user"}}))


def test_a_refusal_says_whether_it_is_final():
    # DVIP 3.08: never to a victim's partner or ex-partner, whatever consent or ground is given.
    dvip = load_pack("dvip")
    to_ex = {"action": "disclose", "subject": {"role": "victim"}, "data": ["case_notes"],
             "recipient": {"kind": "ex_partner"}, "grounds": ["child_at_risk_of_significant_harm"],
             "consent": {"status": "given", "explicit": True, "written": True, "covers_recipient": True,
                         "covers_data": True}}
    answer = dvip.decide(to_ex)
    assert answer["decision"] == "deny" and answer["final"] is True
    assert [r["clause"] for r in answer["reasons"]] == ["3.08"]
    # No consent yet (DVIP 4.01): refused, but consent could change it, so not final.
    to_police = {"action": "disclose", "subject": {"role": "victim"}, "data": ["case_notes"],
                 "recipient": {"kind": "police"}}
    answer = dvip.decide(to_police)
    assert answer["decision"] == "deny" and answer["final"] is False
    # HIV status without consent (DVIP 4.02): the prohibition gives way to consent, so not final.
    hiv = {"action": "disclose", "subject": {"role": "victim"}, "data": ["hiv_status"], "recipient": {"kind": "gp"}}
    answer = dvip.decide(hiv)
    assert answer["decision"] == "deny" and answer["final"] is False
    # A permit says nothing of finality.
    assert "final" not in dvip.decide({**to_police, "grounds": ["threat_to_life"]})

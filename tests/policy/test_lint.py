"""`confide policy lint` against UK law as it stands in December 2026 (issue 11, point 6).

Each built-in pack gets the findings its policy's words (or silences) call for, and a pack that says
the thing gets none: shown both ways with a pack file copied from a built-in one with one change.
"""

from __future__ import annotations

import io
import re

import pytest

from confide.policy import load_pack, pack_names
from confide.policy.cli import main
from confide.policy.lint import lint_pack
from confide.policy.loader import PACKS_DIR

RETENTION = {"retention period: personnel files", "retention period: volunteer files",
             "retention period: consent forms", "retention period: the audit log"}
EVERY_PACK = {"subject-access clock", "breach notification", "data protection complaints"} | RETENTION

# The new topics each pack's policy calls for, and some it must not get because it says the thing.
EXPECTED = {
    # DVIP 9.06 "put this request in writing"; 3.04 "no clients will have access to any information from a
    # third party"; 4.02 sensitive information "MUST NOT be passed on without the client's permission";
    # Appendix B "unless subpoenaed"; 8.08 race, sex, sexuality of unsuccessful applicants kept.
    "dvip": (EVERY_PACK | {"subject-access request in writing", "third-party information withheld",
                           "safeguarding without consent", "children as victims of domestic abuse",
                           "retention period: what is kept", "subpoena"},
             {"Caldicott duty to share", "Children Act 1989 section 47", "trustee approval before a report"}),
    # Derbyshire: six Caldicott principles; "where consent is not given, you must discuss with your line
    # manager"; its third-party rule already weighs consent and reasonableness (Schedule 2 paragraph 16).
    "derbyshire": (EVERY_PACK | {"Caldicott duty to share", "children as victims of domestic abuse",
                                 "calling the emergency services"},
                   {"third-party information withheld", "subject-access request in writing", "subpoena",
                    "telling the client about a report"}),
    # JustUs Appendix 1 (six principles), Appendix 2 (section 47 "within 48 hours"), 3.7 "files can be
    # subpoenaed"; 4.1 "call the appropriate emergency service immediately"; not a domestic abuse service.
    "justus": (EVERY_PACK | {"Caldicott duty to share", "Children Act 1989 section 47", "subpoena",
                             "third-party information withheld"},
               {"calling the emergency services", "children as victims of domestic abuse",
                "telling the client about a report", "subject-access request in writing"}),
    # Home-Start 1.5 and 2.2 tell families of communications and of information passed on, and it reports
    # terrorism and drug money laundering (Policy Statement); 10.2 "in response to a subpoena".
    "home_start": (EVERY_PACK | {"telling the client about a report", "subpoena"},
                   {"third-party information withheld", "Caldicott duty to share",
                    "children as victims of domestic abuse"}),
    # Day-Mer: the Chair or Vice Chair authorises any breach of confidentiality, and a refusal is final.
    "day_mer": (EVERY_PACK | {"calling the emergency services", "trustee approval before a report",
                              "third-party information withheld"},
                {"telling the client about a report", "subpoena", "Caldicott duty to share"}),
}


def topics(pack) -> set[str]:
    return {f["topic"] for f in lint_pack(pack)}


def finding(pack, topic: str) -> dict:
    return next(f for f in lint_pack(pack) if f["topic"] == topic)


def variant(tmp_path, name: str, old: str, new: str, count: int = 1):
    """A copy of a built-in pack with one change, loaded from a file."""
    text = (PACKS_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    assert text.count(old) >= count, f"{old!r} is not in {name}.yaml"
    path = tmp_path / f"own-{name}.yaml"
    path.write_text(text.replace(old, new, count), encoding="utf-8")
    return load_pack(str(path))


def with_cite(tmp_path, name: str, cite: str):
    text = (PACKS_DIR / f"{name}.yaml").read_text(encoding="utf-8")
    assert "\ncites:\n" in text
    path = tmp_path / f"own-{name}.yaml"
    path.write_text(text.replace("\ncites:\n", f"\ncites:\n  - {cite}\n", 1), encoding="utf-8")
    return load_pack(str(path))


@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_each_pack_gets_the_findings_its_policy_calls_for(name):
    expected, not_expected = EXPECTED[name]
    got = topics(load_pack(name))
    assert expected <= got, sorted(expected - got)
    assert not (not_expected & got), sorted(not_expected & got)


def test_every_finding_says_what_applies_now_and_where_it_comes_from():
    for name in pack_names():
        for f in lint_pack(load_pack(name)):
            assert f["topic"] and f["clause"] and f["pack_says"], f
            assert f["applies_now"].strip() and f["source"].strip(), f
            assert f["severity"] in {"law", "guidance"}, f
            assert f["line"] is None or isinstance(f["line"], int)


def test_the_sources_are_precise():
    dvip = load_pack("dvip")
    clock = finding(dvip, "subject-access clock")
    assert clock["clause"] == "9.07"
    assert "Article 12A" in clock["source"] and "section 76" in clock["source"] and "5 February 2026" in clock["source"]
    assert "section 78" in clock["source"] and "19 June 2025" in clock["source"]
    assert "clarify" in clock["applies_now"] and "two further months" in clock["applies_now"]
    assert "reasonable and proportionate search" in clock["applies_now"]
    complaints = finding(dvip, "data protection complaints")
    assert "section 164A" in complaints["source"] and "19 June 2026" in complaints["source"]
    assert "30 days" in complaints["applies_now"]
    breach = finding(dvip, "breach notification")
    assert "Articles 33 and 34" in breach["source"] and "72 hours" in breach["applies_now"]
    writing = finding(dvip, "subject-access request in writing")
    assert writing["clause"] == "9.06" and "verbally" in writing["applies_now"]
    third = finding(dvip, "third-party information withheld")
    assert third["clause"].startswith("3.04") and "Schedule 2, paragraph 16" in third["source"]
    assert "Schedule 1, paragraph 18" in finding(dvip, "safeguarding without consent")["source"]
    assert finding(dvip, "safeguarding without consent")["clause"] == "4.02"
    assert "Domestic Abuse Act 2021, section 3" in finding(dvip, "children as victims of domestic abuse")["source"]
    assert "Part 34" in finding(dvip, "subpoena")["source"]
    report = finding(load_pack("home_start"), "telling the client about a report")
    assert report["clause"].startswith("1.5, 2.2")
    for section in ("sections 19 and 38B", "section 39", "section 342", "section 21D", "section 333A"):
        assert section in report["source"]
    s47 = finding(load_pack("justus"), "Children Act 1989 section 47")
    assert s47["clause"] == "Appendix 2" and "48 hours" in s47["pack_says"] and "no 48-hour limit" in s47["applies_now"]
    duty = finding(load_pack("justus"), "Caldicott duty to share")
    assert "2013" in duty["source"] and "December 2020" in duty["source"]
    emergency = finding(load_pack("day_mer"), "calling the emergency services")
    assert "Chair" in emergency["pack_says"] and "Articles 6(1)(d) and 9(2)(c)" in emergency["source"]


# --- both ways: the same pack with the one thing said --------------------------------------------------
def test_a_pack_with_a_breach_process_gets_no_breach_finding(tmp_path):
    assert "breach notification" in topics(load_pack("dvip"))
    own = with_cite(tmp_path, "dvip", '{name: UK GDPR Article 33, clause: "1.04", text: "A personal data breach is '
                    'reported to the Information Commissioner within 72 hours of our becoming aware of it."}')
    assert "breach notification" not in topics(own)


def test_a_pack_with_a_complaints_process_gets_no_complaints_finding(tmp_path):
    assert "data protection complaints" in topics(load_pack("home_start"))
    own = with_cite(tmp_path, "home_start", '{name: Data Protection Act 2018 section 164A, clause: "8.10", text: '
                    '"Our complaints procedure covers data protection complaints; each is acknowledged within 30 days."}')
    assert "data protection complaints" not in topics(own)


def test_a_pack_that_states_the_new_clock_gets_no_clock_finding(tmp_path):
    own = variant(tmp_path, "dvip", "within 40 days of the request.",
                  "within 40 days of the request; the clock stops while we wait for the client to clarify it.")
    got = topics(own)
    assert "subject-access clock" not in got
    assert "subject-access deadline" in got, "the 40 days are still a departure"


def test_a_pack_that_takes_verbal_requests_gets_no_writing_finding(tmp_path):
    text = (PACKS_DIR / "dvip.yaml").read_text(encoding="utf-8")
    step = next(ln for ln in text.splitlines() if "step: request_in_writing" in ln)
    right = re.search(r"\n  right:\n    clause: \"9.06\"\n    text: ([^\n]*)\n", text)
    assert right
    text = text.replace(step + "\n", "")
    path = tmp_path / "no-step.yaml"
    path.write_text(text, encoding="utf-8")
    assert "subject-access request in writing" in topics(load_pack(str(path))), "9.06's right still says 'in writing'"
    path = tmp_path / "verbal.yaml"
    path.write_text(text.replace(right.group(1), "Clients are entitled to access their data, asking anyone at DVIP."),
                    encoding="utf-8")
    assert "subject-access request in writing" not in topics(load_pack(str(path)))


def test_third_party_information_weighed_not_withheld_as_a_block(tmp_path):
    blanket = "Information about other people, including other clients and staff, is withheld."
    assert finding(load_pack("day_mer"), "third-party information withheld")["pack_says"] == blanket
    own = variant(tmp_path, "day_mer", blanket,
                  "Information about other people is withheld unless they consent or it is reasonable to give it.")
    assert "third-party information withheld" not in topics(own)


def test_caldicott_counts_and_the_duty_to_share(tmp_path):
    own = variant(tmp_path, "justus", "  principles: 6\n", "  principles: 8\n")
    assert not {"Caldicott principles", "Caldicott duty to share"} & topics(own)
    own = variant(tmp_path, "justus", "text: The relevant legislation is",
                  "text: The duty to share information can be as important as the duty to protect confidentiality. "
                  "The relevant legislation is")
    got = topics(own)
    assert "Caldicott duty to share" not in got and "Caldicott principles" in got
    assert not {"Caldicott principles", "Caldicott duty to share"} & topics(load_pack("dvip")), "no Caldicott section"


def test_children_as_victims_only_for_domestic_abuse_services_that_do_not_say_it(tmp_path):
    own = with_cite(tmp_path, "dvip", '{name: Domestic Abuse Act 2021, clause: "3.02", text: "Children who see, '
                    'hear or experience the effects of domestic abuse are victims in their own right."}')
    assert "children as victims of domestic abuse" not in topics(own)
    assert "children as victims of domestic abuse" not in topics(load_pack("justus"))


def test_telling_the_family_about_a_report_unless_it_would_prejudice_an_investigation(tmp_path):
    own = variant(tmp_path, "home_start", "welfare of a child or vulnerable adult.\"}",
                  "welfare of a child or vulnerable adult, or would prejudice an investigation.\"}")
    assert "telling the client about a report" not in topics(own)
    assert "telling the client about a report" not in topics(load_pack("dvip")), "DVIP makes no such reports"


def test_an_emergency_call_that_needs_approval_is_found(tmp_path):
    old = "      decision: permit\n      basis: vital_interests\n"
    text = (PACKS_DIR / "justus.yaml").read_text(encoding="utf-8")
    start = text.index("- id: emergency_threat_to_life")
    at = text.index(old, start)
    text = (text[:at] + "      decision: permit_if_approved\n      approvals: [{any_of: [coordinator], count: 1, "
            "not_the_requester: true}]\n      basis: vital_interests\n" + text[at + len(old):])
    path = tmp_path / "approval.yaml"
    path.write_text(text, encoding="utf-8")
    got = finding(load_pack(str(path)), "calling the emergency services")
    assert got["clause"] == "4.1" and "Service coordinator" in got["pack_says"]


def test_a_trustee_veto_only_where_a_trustee_must_approve(tmp_path):
    own = variant(tmp_path, "day_mer", "any_of: [chair, vice_chair]", "any_of: [chair, vice_chair, data_protection_lead]")
    assert "trustee approval before a report" not in topics(own)
    assert "trustee approval before a report" not in topics(load_pack("justus")), "another worker or a trustee"


def test_retention_periods_for_each_record_kind(tmp_path):
    own = variant(tmp_path, "dvip", "    - id: client_file\n",
                  "    - id: personnel_files\n      clause: \"8.02\"\n      text: Personnel files are kept for six "
                  "years after employment ends.\n      when: {kind: [personnel_file]}\n      keep_years: 6\n"
                  "      action: destroy\n    - id: client_file\n")
    got = topics(own)
    assert "retention period: personnel files" not in got
    assert RETENTION - {"retention period: personnel files"} <= got


def test_every_record_kind_with_no_period_is_named(tmp_path):
    # DVIP 8.04 keeps monitoring forms with no period; 8.08 and 9.12 give the applicants' and the
    # unsolicited information's. JustUs gives none of them.
    assert {t for t in topics(load_pack("dvip")) if "_" in t and t.startswith("retention period:")} == \
        {"retention period: monitoring_form"}
    assert {"retention period: unsuccessful_application", "retention period: unsolicited_information",
            "retention period: monitoring_form"} <= topics(load_pack("justus"))
    own = variant(tmp_path, "dvip", "      when: {kind: [monitoring_form]}\n      action: review\n",
                  "      when: {kind: [monitoring_form]}\n      keep_years: 1\n      action: destroy\n")
    assert "retention period: monitoring_form" not in topics(own)
    got = finding(load_pack("dvip"), "retention period: monitoring_form")
    assert got["clause"] == "7.01" and "'monitoring_form'" in got["pack_says"]


def test_the_section_47_quotation_is_found_in_what_the_pack_cites(tmp_path):
    text = (PACKS_DIR / "justus.yaml").read_text(encoding="utf-8")
    line = next(ln for ln in text.splitlines() if ln.startswith("  - {name: Children Act 1989 section 47"))
    path = tmp_path / "no-s47.yaml"
    path.write_text(text.replace(line + "\n", ""), encoding="utf-8")
    assert "Children Act 1989 section 47" not in topics(load_pack(str(path)))


def test_confide_policy_lint_prints_them():
    out, err = io.StringIO(), io.StringIO()
    assert main(["lint", "dvip"], stdin=io.StringIO(""), stdout=out, stderr=err) == 0
    text = out.getvalue()
    for needle in ["[subject-access clock] clause 9.07", "[subject-access request in writing] clause 9.06",
                   "[data protection complaints]", "[breach notification]", "Data (Use and Access) Act 2025",
                   "[subpoena] clause Appendix B", "witness summons"]:
        assert needle in text, needle

"""The packs' `governance` section (issue 16): what each policy asks of the people who hold the records,
parsed with clear errors, and the questions the apps ask of it."""

from __future__ import annotations

import re
from pathlib import Path

import pytest

from confide.policy import PolicyError, governance, load_pack
from confide.policy.loader import compile_text

PACKS = Path(__file__).resolve().parents[2] / "confide" / "policy" / "packs"


def test_day_mer_chain_goes_to_the_coordinator_then_the_chair_and_never_the_complaints_officer():
    pack = load_pack("day_mer")
    chain = governance.breach_chain(pack)
    assert [step.roles for step in chain] == [("centre_coordinator",), ("chair", "vice_chair")]
    assert governance.never_told_of_breaches(pack) == {"complaints_officer"}
    assert all("complaints_officer" not in step.roles for step in chain)
    complaints = governance.complaints(pack)
    assert complaints["handled_by"] == {"complaints_officer"} and complaints["independent"]


@pytest.mark.parametrize("name", ["dvip", "home_start", "day_mer", "justus", "derbyshire"])
def test_every_pack_asks_a_declaration_before_a_worker_reaches_client_data(name):
    pack = load_pack(name)
    worker = next(role for role, r in pack.roles.items() if r.kind == "worker")
    required = governance.required_before_access(pack, worker)
    assert required, f"{name}: a worker signs something before opening a file"
    assert all(d.wording and d.clause for d in required)
    assert governance.training_for(pack, worker), f"{name}: a worker has training to keep current"
    assert governance.breach_chain(pack), f"{name}: a breach is escalated to someone"


def test_the_clauses_the_issue_names_are_the_ones_cited():
    dvip, home_start = load_pack("dvip"), load_pack("home_start")
    assert {d.clause for d in governance.declarations(dvip)} == {"8.01", "10.01", "11.02"}
    assert {d.clause for d in governance.declarations(home_start)} == {"3.1", "4.1", "5.1", "7.6"}
    assert governance.declaration(home_start, "contractor_undertaking").signed_by == "contractor"
    assert governance.declaration(dvip, "partner_agency_procedure").signed_by == "partner_agency"
    assert governance.personnel(dvip)["medical"]["clause"] == "8.07"
    assert governance.personnel(dvip)["contact_requests"]["clause"] == "5.01"


def _pack_with(old: str, new: str) -> str:
    text = (PACKS / "day_mer.yaml").read_text()
    assert old in text
    return text.replace(old, new, 1)


def test_a_changed_wording_is_a_new_version():
    pack = load_pack("day_mer")
    before = governance.declaration(pack, "confidentiality_agreement").version
    changed = compile_text(_pack_with("        understood and will follow", "        understood and shall follow"))
    assert governance.declaration(changed, "confidentiality_agreement").version != before


def test_a_chain_that_reaches_a_role_never_told_is_refused_with_its_line():
    text = _pack_with("      - roles: [chair, vice_chair]", "      - roles: [chair, complaints_officer]")
    with pytest.raises(PolicyError) as refused:
        compile_text(text)
    assert "never hears of a breach" in str(refused.value)
    assert re.match(r"<pack>:\d+: governance\.breaches\.chain\[1\]\.roles: ", str(refused.value))


def test_an_unknown_role_kind_in_a_declaration_is_refused():
    text = _pack_with("      for: {kinds: [worker, volunteer, manager, data_controller]}",
                      "      for: {kinds: [worker, volunteers]}")
    with pytest.raises(PolicyError) as refused:
        compile_text(text)
    assert "unknown kind of role 'volunteers'" in str(refused.value)


def test_a_pack_without_governance_asks_for_nothing():
    text = (PACKS / "day_mer.yaml").read_text()
    text = text[:text.index("\ngovernance:")] + "\n"
    pack = compile_text(text)
    assert governance.required_before_access(pack, "support_worker") == []
    assert governance.breach_chain(pack) == ()


def test_day_mer_staff_sign_the_agreement_s_own_words():
    # The Confidentiality Agreement's core sentence is what staff undertake, word for word.
    agreement = next(d for d in governance.declarations(load_pack("day_mer")) if d.id == "confidentiality_agreement")
    sentence = ("Nothing learned by the organisation from enquirers, including the fact of their visit, will be passed "
                "on to anyone outside the Service without their express permission.")
    assert sentence in " ".join(agreement.wording.split())

"""Each pack against scenario files drawn from its source policy's text."""

from __future__ import annotations

import functools

import pytest

from confide.policy import load_pack, pack_names
from confide.policy.loader import PACKS_DIR, load_file
from tests.base import SCENARIOS, scenarios

MINIMUM = {"dvip": 30, "derbyshire": 15, "justus": 15, "home_start": 15, "day_mer": 15}


def _cases() -> list:
    out = []
    for name in sorted(MINIMUM):
        path = SCENARIOS / f"{name}.yaml"
        if not path.exists():
            continue
        for i, sc in enumerate(scenarios(name)):
            out.append(pytest.param(name, sc, id=f"{name}-{i:02d}-{sc['name'][:50]}"))
    return out


def test_every_builtin_pack_has_enough_scenarios():
    assert sorted(pack_names()) == sorted(MINIMUM)
    for name, minimum in MINIMUM.items():
        assert len(scenarios(name)) >= minimum, name


def check(answer: dict, scenario: dict) -> None:
    expect = scenario["expect"]
    cited = [r["clause"] for r in answer["reasons"]]
    assert answer["decision"] == expect["decision"], (answer["decision"], answer["reasons"])
    assert scenario["clause"] in cited, f"clause {scenario['clause']} not cited; cited {cited}"
    for key, value in expect.items():
        if key == "decision":
            continue
        if key == "obligations":
            missing = set(value) - set(answer["obligations"])
            assert not missing, f"missing obligations {missing}; got {answer['obligations']}"
        elif key == "withhold":
            assert sorted(w["category"] for w in answer["withhold"]) == sorted(value)
        elif key == "legal_basis":
            assert answer["legal_basis"] == value
        else:
            assert answer[key] == value, (key, answer[key])


@functools.cache
def _fresh(name: str):
    """The same pack compiled afresh, so no memoised answer piece of another scenario is reused."""
    return load_file(PACKS_DIR / f"{name}.yaml")


@pytest.mark.parametrize(("name", "scenario"), _cases())
def test_scenario(name: str, scenario: dict) -> None:
    pack = load_pack(name)
    answer = pack.decide(scenario["request"])
    check(answer, scenario)
    assert pack.decide(scenario["request"]) == answer, "asked again, the same answer"
    assert _fresh(name).decide(scenario["request"]) == answer, "a freshly compiled pack answers the same"
    assert answer["pack"] == {"name": pack.name, "version": pack.version}
    assert answer["reasons"], "every answer has at least one reason"
    if answer["decision"] != "deny" and scenario["request"]["action"] == "disclose":
        assert answer["legal_basis"], "every permitted disclosure names its legal basis"


@pytest.mark.parametrize("name", sorted(MINIMUM))
def test_every_rule_of_every_pack_is_exercised_by_a_scenario(name):
    """Every prohibition, ground, approval rule, access grant, retention rule and subject-access rule
    of the pack is the reason of at least one scenario."""
    pack = load_pack(name)
    hit = set()
    for scenario in scenarios(name):
        answer = pack.decide(scenario["request"])
        action = scenario["request"]["action"]
        hit |= {(action, r["rule"]) for r in answer["reasons"]}
        hit |= {(action, r["rule"]) for w in answer.get("withhold", []) for r in w["reasons"]}
    missing = [(r.section, r.id) for r in pack.spec.all_rules() if (r.section.split(".")[0], r.id) not in hit]
    assert not missing


def test_the_sharing_workflow_asks_with_the_requesters_role():
    """Home-Start 7.2: the disclose request Confide builds names who asks, so the engine can hold
    communication with the referrer to the organiser."""
    from types import SimpleNamespace

    from confide.sharing.disclosure import Recipient, build_request

    pack = load_pack("home_start")
    client, case = SimpleNamespace(subject_role="parent", date_of_birth=None), SimpleNamespace(service="home_start")
    consent = {"status": "given", "explicit": True, "written": True, "covers_recipient": True, "covers_data": True}
    asked = {role: build_request(client, case, Recipient(kind="referrer"), ["case_notes"], "liaison", "email", [],
                                 False, consent, role) for role in ("organiser", "volunteer")}
    assert asked["organiser"]["requester"] == {"role": "organiser"}
    assert pack.decide(asked["organiser"])["decision"] == "permit"
    refused = pack.decide(asked["volunteer"])
    assert refused["decision"] == "deny" and refused["reasons"][0]["clause"] == "7.2"

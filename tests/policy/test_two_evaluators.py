"""The engine's two evaluators (issue 19 point 8): `reference.py` is the normative reading of a pack,
`fast.py` the path `decide` runs, and the differential tests (test_properties.py) hold the second to
the first. These tests keep that argument sound: the reference reads nothing the fast path
memoises, so a fault in the fast path's tables or answer pieces shows as a disagreement instead of
being shared; every scenario (each citing its policy clause) holds for the reference as it does for
`decide`; and the layers import one way only."""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

from confide.policy import pack_names
from confide.policy.answers import _Template
from confide.policy.loader import PACKS_DIR, load_file
from confide.policy.request import access_key, disclose_key
from tests.base import scenarios

POLICY = Path(__file__).resolve().parents[2] / "confide" / "policy"
LAYERS = ["request", "answers", "reference", "fast", "compiler"]


def _fresh(name: str):
    """The pack compiled afresh: every `decide` evaluates the request."""
    return load_file(PACKS_DIR / f"{name}.yaml")


def _requests(name: str) -> list[tuple[str, dict]]:
    return [(sc["name"], sc["request"]) for sc in scenarios(name) if sc["request"]["action"] in ("disclose", "access")]


def _reference(pack, request: dict) -> dict:
    if request["action"] == "disclose":
        return pack._decide_disclose_reference(disclose_key(pack, request))
    return pack._decide_access_reference(access_key(pack, request))


def _memoised(pack) -> list:
    return [*pack._templates.values(), *(out for _, out in pack._always_templates.values()),
            *pack._d_deny_templates.values()]


@pytest.mark.parametrize("name", pack_names())
def test_every_scenario_holds_for_the_reference_reading(name):
    """The scenarios cite the clause each answer rests on (tests/policy/scenarios/*.yaml); the
    normative reading gives the very answer `decide` gives for every disclose and access scenario."""
    pack = _fresh(name)
    for label, request in _requests(name):
        assert _reference(pack, request) == pack.decide(request), label


@pytest.mark.parametrize("name", pack_names())
def test_the_reference_reads_no_memoised_piece(name):
    """Poison every answer piece the fast path has memoised: `decide` now hands out the poisoned
    piece, the reference still gives the clean answer, so the differential test would catch a piece
    memoised under too coarse a key. (Before the split the reference assembled its answers from the
    same memoised pieces and agreed with any such fault.)"""
    pack = _fresh(name)
    requests = _requests(name)
    clean = [pack.decide(request) for _, request in requests]
    poisoned = 0
    for piece in _memoised(pack):
        if piece.__class__ is _Template:
            piece["poisoned"] = True
            poisoned += 1
    assert poisoned
    for (label, request), answer in zip(requests, clean, strict=True):
        assert pack.decide(request).get("poisoned"), label  # the fast path reads the memo ...
        assert _reference(pack, request) == answer, label  # ... the reference does not


def test_the_reference_memoises_nothing():
    pack = _fresh("home_start")
    for _, request in _requests("home_start"):
        _reference(pack, request)
    assert not _memoised(pack)


def _imports(layer: str) -> set[str]:
    tree = ast.parse((POLICY / f"{layer}.py").read_text(encoding="utf-8"))
    out = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.ImportFrom) and node.level == 1:
            out |= {node.module} if node.module else {a.name for a in node.names}
        elif isinstance(node, ast.ImportFrom) and (node.module or "").startswith("confide.policy."):
            out.add(node.module.rsplit(".", 1)[1])
    return out


def test_the_layers_import_one_way():
    """request <- answers <- reference <- fast <- compiler: each imports only layers before it, so
    the reference can never come to depend on the fast path it is the specification for."""
    for i, layer in enumerate(LAYERS):
        later = set(LAYERS[i:])
        assert not _imports(layer) & later, (layer, _imports(layer) & later)
    assert "fast" not in _imports("reference") and "reference" in _imports("fast")

"""Property tests (Hypothesis) over every built-in pack: the guarantees that hold whatever the request.

They are also the safety argument for the engine's two evaluators (confide/policy/README.md, "Two
evaluators"). `confide/policy/reference.py` is the normative reading of a pack: every rule evaluated
one at a time, in pack order, each answer written afresh. `confide/policy/fast.py` is what `decide`
runs: bitmask tables, memoised answer pieces and closures with the validation inlined. The fast path
is correct exactly when it gives the reference's answer on every request, and
`test_compiled_paths_agree_with_the_rule_by_rule_reference` checks that on random requests for every
pack (the fast closure against the strict validator, and the
bitmask evaluator against the reference on the same request tuple), as
`test_trustee_grants_compiled_and_reference_agree` does for grants naming trustees. Where they
differ, the reference is right. tests/policy/test_scenarios.py runs every scenario on a warm and a fresh
pack, and tests/policy/test_two_evaluators.py holds every scenario to the reference and checks the
reference shares no memoised piece with the fast path (so a fault there cannot hide by being shared).
"""

from __future__ import annotations

import copy

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from confide.policy import PolicyError, RequestError, load_pack, pack_names
from confide.policy.dates import EARLIEST, LATEST
from confide.policy.request import access_key, disclose_key

RANK = {"deny": 0, "permit_if_approved": 1, "permit": 2}
PACKS = pack_names()
# 100 random requests a property and pack, new ones each run: CI runs the suite twice (on each
# database), so each CI run still tries 200.
SETTINGS = settings(max_examples=100, deadline=None, suppress_health_check=[HealthCheck.too_slow])


def _maybe(strategy):
    return st.one_of(st.none(), strategy)


@st.composite
def disclose_requests(draw, pack_name: str, *, consent=None, grounds=None):
    pack = load_pack(pack_name)
    v = pack.spec.vocab
    req = {
        "action": "disclose",
        "subject": {"role": draw(st.sampled_from(sorted(v["subject_roles"])))},
        "data": draw(st.lists(st.sampled_from(sorted(v["data"])), min_size=1, max_size=3, unique=True)),
        "recipient": {"kind": draw(st.sampled_from(sorted(v["recipient_kinds"])))},
    }
    service = draw(_maybe(st.sampled_from(sorted(pack.services))))
    if service:
        req["subject"]["service"] = service
    if draw(st.booleans()):
        req["subject"]["has_capacity"] = draw(st.booleans())
    if draw(st.booleans()):
        req["subject"]["age"] = draw(st.integers(0, 99))
    rel = draw(_maybe(st.sampled_from(sorted(v["relationships"]))))
    if rel:
        req["recipient"]["relationship_to_subject"] = rel
    purpose = draw(_maybe(st.sampled_from(sorted(v["purposes"]))))
    if purpose:
        req["purpose"] = purpose
    if consent is None:
        consent = draw(st.fixed_dictionaries({
            "status": st.sampled_from(["given", "refused", "withdrawn", "expired", "not_sought"]),
            "explicit": st.booleans(), "written": st.booleans(),
            "covers_recipient": st.booleans(), "covers_data": st.booleans()}))
    if consent is not False:
        req["consent"] = consent
    if grounds is None:
        grounds = draw(st.lists(st.sampled_from(sorted(v["grounds"])), max_size=3, unique=True))
    if grounds:
        req["grounds"] = grounds
    channel = draw(_maybe(st.sampled_from(sorted(v["channels"]))))
    if channel:
        req["channel"] = channel
    if draw(st.booleans()):
        req["requester_identity_verified"] = draw(st.booleans())
    if draw(st.booleans()):
        req["anonymised"] = draw(st.booleans())
    if draw(st.booleans()):  # who asks (a pack role), for `requester_role` conditions
        req["requester"] = {"role": draw(st.sampled_from(sorted(pack.roles)))}
    return req


def consent_valid(pack, req, *, waive=()) -> bool:
    """Consent meets the pack's requirements, and the subject role's further ones (less `waive`)."""
    c = req.get("consent") or {}
    if c.get("status") != "given":
        return False
    needs = set(pack.spec.consent["requires"])
    extra = pack.spec.consent.get("subject_roles", {}).get(req["subject"]["role"])
    if extra:
        needs |= extra["requires"]
    flags = {"explicit": c.get("explicit", False), "written": c.get("written", False),
             "covers_recipient": c.get("covers_recipient", False), "covers_data": c.get("covers_data", False),
             "capacity": req["subject"].get("has_capacity", False)}
    return all(flags[n] for n in needs - set(waive))


def standing(pack) -> dict[str, str]:
    """The rules the subject agreed to in a document they signed (`agreed_in`), and the ground each
    stands on."""
    return {r.id: r.extra["agreed_in"]["ground"] for r in pack.spec.disclose_rules if "agreed_in" in r.extra}


invalid_consent = st.fixed_dictionaries({
    "status": st.sampled_from(["refused", "withdrawn", "expired", "not_sought"]),
    "explicit": st.booleans(), "written": st.booleans(),
    "covers_recipient": st.booleans(), "covers_data": st.booleans()})


@pytest.mark.parametrize("name", PACKS)
def test_no_consent_and_no_ground_nothing_leaves(name):
    pack = load_pack(name)

    @SETTINGS
    @given(st.data())
    def run(data):
        c = data.draw(st.one_of(st.just(False), invalid_consent))
        req = data.draw(disclose_requests(name, consent=c, grounds=[]))
        if req.get("anonymised"):
            return  # anonymised information is not personal data; its rules are checked below
        answer = pack.decide(req)
        if answer["decision"] != "deny":
            # Only what the subject agreed to in a document they signed (DVIP Appendix A), on its ground.
            rule = answer["reasons"][0]["rule"]
            assert rule in standing(pack), (req, answer)
            assert answer["grounds"] == [standing(pack)[rule]]
            return
        assert answer["decision"] == "deny"
    run()


@pytest.mark.parametrize("name", PACKS)
def test_what_is_always_said_is_said_whatever_the_answer(name):
    """An `always` entry's obligations and clause are in every answer whose request it holds for."""
    pack = load_pack(name)
    if not pack.spec.disclose_always:
        return

    @SETTINGS
    @given(st.data())
    def run(data):
        req = data.draw(disclose_requests(name))
        answer = pack.decide(req)
        key = disclose_key(pack, req)  # the request as the engine reads it
        for rule, when in pack._always:
            if when(key):
                assert set(rule.obligations) <= set(answer["obligations"])
                assert rule.id in {r["rule"] for r in answer["reasons"]}
    run()


@pytest.mark.parametrize("name", PACKS)
def test_withdrawing_or_expiring_consent_never_widens(name):
    pack = load_pack(name)

    @SETTINGS
    @given(st.data())
    def run(data):
        req = data.draw(disclose_requests(name))
        before = pack.decide(req)
        for status in ("withdrawn", "expired", "refused"):
            after_req = copy.deepcopy(req)
            after_req.setdefault("consent", {})["status"] = status
            after = pack.decide(after_req)
            assert RANK[after["decision"]] <= RANK[before["decision"]], (req, status)
            if before["decision"] == "deny":
                assert after["decision"] == "deny"
    run()


@pytest.mark.parametrize("name", PACKS)
def test_adding_a_ground_never_bypasses_an_absolute_prohibition(name):
    pack = load_pack(name)
    absolute = {r.id for r in pack.spec.prohibitions if r.extra["absolute"]}
    grounds = sorted(pack.spec.vocab["grounds"])

    @SETTINGS
    @given(st.data())
    def run(data):
        req = data.draw(disclose_requests(name))
        answer = pack.decide(req)
        hit = {r["rule"] for r in answer["reasons"]} & absolute
        if answer["decision"] != "deny" or not hit:
            return
        more = copy.deepcopy(req)
        more["grounds"] = sorted(set(req.get("grounds", [])) | set(data.draw(
            st.lists(st.sampled_from(grounds), min_size=1, max_size=len(grounds), unique=True))))
        again = pack.decide(more)
        assert again["decision"] == "deny"
        assert hit <= {r["rule"] for r in again["reasons"]}
    run()


@pytest.mark.parametrize("name", PACKS)
def test_every_answer_has_a_reason_and_every_permit_a_basis(name):
    pack = load_pack(name)

    @SETTINGS
    @given(st.data())
    def run(data):
        req = data.draw(disclose_requests(name))
        answer = pack.decide(req)
        assert answer["reasons"]
        assert all(r["clause"] and r["text"] and r["pack"] == name for r in answer["reasons"])
        assert answer["pack"] == {"name": pack.name, "version": pack.version}
        if answer["decision"] != "deny":
            assert answer["legal_basis"], req
            verbal = answer["decision"] == "permit_if_approved" and consent_valid(pack, req, waive=("written",))
            if not consent_valid(pack, req) and not verbal and not req.get("anonymised"):
                assert answer["grounds"], ("a permit without valid consent cites a ground", req, answer)
                assert set(answer["grounds"]) <= set(req.get("grounds", [])) | set(standing(pack).values())
        if answer["decision"] == "permit_if_approved":
            assert answer["approvals"]
    run()


@st.composite
def access_requests(draw, pack_name: str):
    pack = load_pack(pack_name)
    v = pack.spec.vocab
    actor = {"role": draw(st.sampled_from(sorted(pack.roles)))}
    if draw(st.booleans()):
        actor["team"] = draw(st.sampled_from(["north", "south"]))
    if draw(st.booleans()):
        actor["assigned_to_case"] = draw(st.booleans())
    record = {"kind": draw(st.sampled_from(sorted(v["access_record_kinds"])))}
    if draw(st.booleans()):
        record["service"] = draw(st.sampled_from(sorted(pack.services)))
    if draw(st.booleans()):
        record["team"] = draw(st.sampled_from(["north", "south"]))
    if draw(st.booleans()):
        record["sealed"] = draw(st.booleans())
    req = {"action": "access", "actor": actor, "record": record}
    purpose = draw(_maybe(st.sampled_from(sorted(v["purposes"]))))
    if purpose:
        req["purpose"] = purpose
    return req


def _names_trustee(when: dict, role: str) -> bool:
    return "trustee" in when.get("kinds", ()) or role in when.get("roles", ())


@pytest.mark.parametrize("name", PACKS)
def test_access_trustees_only_through_a_grant_naming_them_and_sealed_only_to_the_named_role(name):
    """A trustee is refused unless a grant that names their role, for the purpose asked, answers (Home-Start
    8.3/8.4); never by breaking the glass, never a sealed record; in a pack with no such grant, always."""
    pack = load_pack(name)
    open_to = pack.spec.access["sealed"].extra["open_to"]
    grants = {g.id: g for g in pack.spec.access["grants"]}

    @SETTINGS
    @given(access_requests(name))
    def run(req):
        answer = pack.decide(req)
        assert answer["reasons"]
        role = req["actor"]["role"]
        if pack.roles[role].kind == "trustee":
            if answer["decision"] == "deny":
                assert answer["reasons"][0]["rule"] == pack.spec.access["trustees"].id
            else:
                grant = grants[answer["reasons"][0]["rule"]]
                assert _names_trustee(grant.when, role) and req.get("purpose") in grant.when["purpose"]
                assert not req["record"].get("sealed")
                assert answer["decision"] == grant.decision
        if req["record"].get("sealed") and req["actor"]["role"] not in open_to:
            assert answer["decision"] == "deny"
        if answer["decision"] == "permit_if_approved":
            assert answer["flag_for_review"] and "record_reasons" in answer["obligations"]
    run()


@pytest.mark.parametrize("name", PACKS)
def test_subject_access_and_retention_always_answer_with_reasons(name):
    pack = load_pack(name)
    v = pack.spec.vocab

    @SETTINGS
    @given(st.dates(EARLIEST, LATEST), st.sampled_from(sorted(v["subject_roles"])),
           st.lists(st.sampled_from(sorted(v["record_contents"])), unique=True),
           st.sampled_from(sorted(v["record_kinds"])), st.lists(st.sampled_from(sorted(v["record_flags"])), unique=True))
    def run(day, role, contains, kind, flags):
        sar = pack.decide({"action": "subject_access", "received_on": day.isoformat(), "requester": {"role": role},
                           "record_contains": contains})
        assert sar["reasons"] and sar["statutory_due_on"] >= day.isoformat()
        assert (sar["due_on"] != sar["statutory_due_on"]) == any("12(3)" in w for w in sar["warnings"])
        ret = pack.decide({"action": "retain", "record": {"kind": kind, "closed_on": day.isoformat(), "flags": flags}})
        assert ret["reasons"]
        if "legal_hold" in flags:
            assert ret["destroy_on"] is None
    run()


junk = st.recursive(st.one_of(st.none(), st.booleans(), st.integers(), st.floats(allow_nan=False), st.text(max_size=5)),
                    lambda inner: st.one_of(st.lists(inner, max_size=3),
                                            st.dictionaries(st.text(max_size=5), inner, max_size=3)), max_leaves=8)


@pytest.mark.parametrize("name", PACKS)
def test_invalid_requests_raise_request_error_and_nothing_else(name):
    pack = load_pack(name)

    @SETTINGS
    @given(st.data())
    def run(data):
        req = data.draw(disclose_requests(name))
        where = data.draw(st.sampled_from(["top", "subject", "recipient", "consent"]))
        key = data.draw(st.sampled_from(["role", "kind", "status", "data", "grounds", "extra_field", "channel",
                                         "requester"]))
        value = data.draw(junk)
        target = req if where == "top" else req.setdefault(where, {})
        target[key] = value
        try:
            answer = pack.decide(req)
        except RequestError as exc:
            assert "\n" not in str(exc) and ":" in str(exc)
            return
        except PolicyError:  # pragma: no cover
            raise
        assert answer["decision"] in RANK
    run()


@pytest.mark.parametrize("name", PACKS)
def test_compiled_paths_agree_with_the_rule_by_rule_reference(name):
    """The bitset evaluator and the fast validator give exactly what the rule-by-rule evaluator and
    the strict validator give."""
    pack = load_pack(name)

    @SETTINGS
    @given(st.data())
    def run(data):
        req = data.draw(disclose_requests(name))
        fast = pack.decide(req)
        assert fast == pack._disclose_slow(req)
        assert fast == pack.decide(req)
        # The same request as the key the engine builds, through both evaluators.
        key = disclose_key(pack, req)
        assert pack._decide_disclose(key) == pack._decide_disclose_reference(key)
        if fast["reasons"][0]["rule"] == "default_deny":  # the refusal assembled from memoised pieces
            assert fast == pack._build_default_answer(key)
        areq = data.draw(access_requests(name))
        a = pack.decide(areq)
        assert a == pack._access_slow(areq)
        akey = access_key(pack, areq)
        assert pack._decide_access(akey) == pack._decide_access_reference(akey)
    run()


# A pack whose grants name trustees (by role and by kind) next to a grant that names no role at all:
# the compiled path and the reference agree, and only the grants naming a trustee ever reach one.
_TRUSTEE_GRANTS = """    - id: anyone_for_statistics
      clause: "8.3"
      text: Anyone may read the figures.
      when: {purpose: [statistics], record_kind: [statistics]}
      decision: permit
    - id: named_trustee_spot_check
      clause: "8.3"
      text: The trustee responsible for spot-checking files.
      when: {roles: [spot_check_trustee], purpose: [spot_check, audit], record_kind: [case_notes, client_file]}
      decision: permit
      obligations: [sign_record_of_access]
    - id: any_trustee_personnel
      clause: "8.4"
      text: Personnel files go to trustees if appropriate.
      when: {kinds: [trustee], record_kind: [personnel_file], purpose: [personnel_review, audit]}
      decision: permit_if_approved
      approvals: [{any_of: [data_protection_lead], count: 1, not_the_requester: true}]
      obligations: [record_reasons, flag_for_review]
"""


def _trustee_pack(tmp_path):
    from confide.policy.loader import PACKS_DIR

    text = (PACKS_DIR / "home_start.yaml").read_text(encoding="utf-8")
    marker = "    - id: data_controller_subject_access\n"
    assert text.count(marker) == 1
    path = tmp_path / "trustees.yaml"
    path.write_text(text.replace("pack: home_start", "pack: trustees").replace(marker, _TRUSTEE_GRANTS + marker),
                    encoding="utf-8")
    return load_pack(str(path))


def test_trustee_grants_compiled_and_reference_agree(tmp_path):
    pack = _trustee_pack(tmp_path)
    grants = {g.id: g for g in pack.spec.access["grants"]}
    roles, kinds = sorted(pack.roles), sorted(pack.spec.vocab["access_record_kinds"])
    purposes = sorted(pack.spec.vocab["purposes"])

    @SETTINGS
    @given(st.sampled_from(roles), st.sampled_from(kinds), _maybe(st.sampled_from(purposes)), st.booleans(),
           st.booleans(), st.booleans())
    def run(role, kind, purpose, assigned, sealed, same_team):
        req = {"action": "access", "actor": {"role": role, "team": "north", "assigned_to_case": assigned},
               "record": {"kind": kind, "team": "north" if same_team else "south", "sealed": sealed}}
        if purpose:
            req["purpose"] = purpose
        answer = pack.decide(req)
        assert answer == pack._access_slow(req)
        key = access_key(pack, req)
        assert pack._decide_access(key) == pack._decide_access_reference(key) == answer
        if pack.roles[role].kind == "trustee" and answer["decision"] != "deny":
            grant = grants[answer["reasons"][0]["rule"]]
            assert _names_trustee(grant.when, role) and not sealed
    run()
    ask = {"action": "access", "actor": {"role": "trustee"}, "record": {"kind": "statistics"}, "purpose": "statistics"}
    assert pack.decide(ask)["decision"] == "deny"  # a grant naming no role never reaches a trustee
    ask["actor"]["role"] = "organiser"
    assert pack.decide(ask)["decision"] == "permit"


def test_a_grant_naming_trustees_must_name_its_purpose(tmp_path):
    from confide.policy import PackError

    _trustee_pack(tmp_path)
    text = (tmp_path / "trustees.yaml").read_text(encoding="utf-8")
    for named, unnamed in [
            ("when: {kinds: [trustee], record_kind: [personnel_file], purpose: [personnel_review, audit]}",
             "when: {kinds: [trustee], record_kind: [personnel_file]}"),
            ("when: {roles: [spot_check_trustee], purpose: [spot_check, audit], record_kind: [case_notes, client_file]}",
             "when: {roles: [spot_check_trustee], record_kind: [case_notes, client_file]}")]:
        path = tmp_path / "bad.yaml"
        path.write_text(text.replace(named, unnamed), encoding="utf-8")
        with pytest.raises(PackError, match="must name the purpose"):
            load_pack(str(path))

"""Changes to the engine no other test noticed (mutation testing, docs/mutation.md), each now a test.

- A consent given with some of its keys left out: the property tests always send every key, so the
  fast path could read a missing `covers_data` (or `explicit`, `written`, `covers_recipient`) as
  true and nothing failed. The contract says a missing flag is false.
- Memoised answer pieces: a piece made for one request must never be handed to another. A key that
  left out one field (`sealed`, say) would give an ordinary record's permit to a sealed one, or a
  sealed record's refusal to an ordinary one, depending only on which was asked first. (There is no
  cache of whole decisions: it did not pay, bench/RESULTS.md.)

Every answer is compared with a copy of the pack compiled afresh, and with the rule-by-rule
reference evaluator (confide/policy/reference.py), the normative reading.
"""

from __future__ import annotations

import itertools
import random

import pytest

from confide.policy import RequestError, load_pack, pack_names
from confide.policy.loader import load_file
from confide.policy.request import access_key, disclose_key

PACKS = pack_names()
CONSENT_KEYS = ("status", "explicit", "written", "covers_recipient", "covers_data")
CONSENT_DEFAULTS = {"status": "not_sought", "explicit": False, "written": False, "covers_recipient": False,
                    "covers_data": False}


def fresh(pack):
    """The same pack compiled afresh: none of its memoised answer pieces made yet."""
    return load_file(pack.filename)


def disclose_request(pack, rng: random.Random) -> dict:
    v = pack.spec.vocab
    req = {"action": "disclose",
           "subject": {"role": rng.choice(sorted(v["subject_roles"])), "has_capacity": rng.random() < 0.8},
           "data": rng.sample(sorted(v["data"]), rng.randint(1, 2)),
           "recipient": {"kind": rng.choice(sorted(v["recipient_kinds"]))}}
    if rng.random() < 0.5:
        req["subject"]["service"] = rng.choice(sorted(pack.services))
    if rng.random() < 0.5:
        req["purpose"] = rng.choice(sorted(v["purposes"]))
    if rng.random() < 0.3:
        req["grounds"] = rng.sample(sorted(v["grounds"]), 1)
    return req


def access_request(pack, rng: random.Random) -> dict:
    v = pack.spec.vocab
    return {"action": "access",
            "actor": {"role": rng.choice(sorted(pack.roles)), "team": rng.choice(["north", "south"]),
                      "assigned_to_case": rng.random() < 0.5},
            "record": {"kind": rng.choice(sorted(v["access_record_kinds"])), "team": rng.choice(["north", "south"]),
                       "service": rng.choice(sorted(pack.services)), "sealed": rng.random() < 0.3},
            "purpose": rng.choice(sorted(v["purposes"]))}


@pytest.mark.parametrize("name", PACKS)
def test_a_consent_with_keys_left_out_reads_each_missing_flag_as_false(name):
    pack, truth = load_pack(name), fresh(load_pack(name))
    rng = random.Random(19)
    compared = permits_with_every_flag = 0
    for _ in range(60):
        req = disclose_request(pack, rng)
        status = rng.choice(["given", "refused", "withdrawn", "not_sought"])
        for r in range(len(CONSENT_KEYS)):
            for kept in itertools.combinations(CONSENT_KEYS[1:], r):
                consent = {"status": status, **dict.fromkeys(kept, True)}
                full = {**CONSENT_DEFAULTS, **consent}
                short = {**req, "consent": consent}
                expected = truth.decide({**req, "consent": full})
                assert pack.decide(short) == expected, (short, full)
                assert truth.decide(short) == expected
                assert pack._disclose_slow(short) == expected
                assert disclose_key(pack, short) == disclose_key(pack, {**req, "consent": full})
                compared += 1
        every = truth.decide({**req, "consent": {"status": "given", **dict.fromkeys(CONSENT_KEYS[1:], True)}})
        permits_with_every_flag += every["decision"] != "deny"
    assert compared == 60 * 16
    assert permits_with_every_flag, "some consent must matter, or this test could not fail"


@pytest.mark.parametrize("name", PACKS)
def test_consent_without_covers_data_does_not_cover_the_data(name):
    """Given, explicit, written and covering the recipient, but not the data: never the permit that
    full consent earns, unless the pack permits on other grounds as well."""
    pack = load_pack(name)
    rng = random.Random(7)
    differ = 0
    for _ in range(200):
        req = disclose_request(pack, rng)
        req.pop("grounds", None)
        full = {"status": "given", "explicit": True, "written": True, "covers_recipient": True, "covers_data": True}
        without = {k: v for k, v in full.items() if k != "covers_data"}
        a, b = pack.decide({**req, "consent": full}), pack.decide({**req, "consent": without})
        assert b == pack.decide({**req, "consent": {**without, "covers_data": False}})
        differ += a != b
    assert differ, "covers_data must change some answer in every pack"


def _pairs(pack, rng: random.Random):
    """Access requests in pairs differing in one field, each field in turn."""
    v = pack.spec.vocab
    changes = [
        ("record", "sealed", [True, False]),
        ("record", "kind", sorted(v["access_record_kinds"])),
        ("record", "service", sorted(pack.services)),
        ("record", "team", ["north", "south"]),
        ("actor", "team", ["north", "south"]),
        ("actor", "assigned_to_case", [True, False]),
        ("actor", "role", sorted(pack.roles)),
        (None, "purpose", sorted(v["purposes"])),
    ]
    for _ in range(40):
        base = access_request(pack, rng)
        for part, field, values in changes:
            other = {**base, "actor": dict(base["actor"]), "record": dict(base["record"])}
            (other[part] if part else other)[field] = rng.choice(values)
            yield base, other


@pytest.mark.parametrize("name", PACKS)
def test_memoised_pieces_never_answer_one_access_request_with_anothers(name):
    pack, truth = load_pack(name), fresh(load_pack(name))
    rng = random.Random(11)
    sealed_differs = 0
    for first, second in _pairs(pack, rng):
        for a, b in ((first, second), (second, first)):
            pack.decide(a)  # its memoised pieces now made
            answer = pack.decide(b)
            assert answer == truth.decide(b), (a, b)
            assert answer == truth._decide_access_reference(access_key(truth, b))
    for role, kind in itertools.product(sorted(pack.roles), sorted(pack.spec.vocab["access_record_kinds"])):
        ordinary = {"action": "access", "actor": {"role": role, "team": "north", "assigned_to_case": True},
                    "record": {"kind": kind, "team": "north", "sealed": False}, "purpose": "direct_support"}
        if "direct_support" not in pack.spec.vocab["purposes"]:
            continue
        sealed = {**ordinary, "record": {**ordinary["record"], "sealed": True}}
        for a, b in ((ordinary, sealed), (sealed, ordinary)):
            pack.decide(a)
            assert pack.decide(b) == truth.decide(b), (role, kind, b["record"]["sealed"])
        sealed_differs += truth.decide(ordinary) != truth.decide(sealed)
    assert sealed_differs, "a sealed record must be answered differently from an ordinary one somewhere"


@pytest.mark.parametrize("name", PACKS)
def test_memoised_pieces_never_answer_one_disclose_request_with_anothers(name):
    pack, truth = load_pack(name), fresh(load_pack(name))
    rng = random.Random(13)
    for _ in range(150):
        a, b = disclose_request(pack, rng), disclose_request(pack, rng)
        b = {**a, **{k: b[k] for k in rng.sample(sorted(b), 1)}}
        for consent in (None, {"status": "given", "explicit": True, "written": rng.random() < 0.5,
                               "covers_recipient": True, "covers_data": rng.random() < 0.5}):
            if consent is not None:
                b = {**b, "consent": consent}
            pack.decide(a)
            answer = pack.decide(b)
            assert answer == truth.decide(b), (a, b)
            assert answer == truth._decide_disclose_reference(disclose_key(truth, b))


# Each invalid request is refused naming its field, and the message says exactly what was found.
ERRORS = [
    ({"action": "disclose", "subject": {"role": "nobody"}}, "subject.role",
     "unknown subject role 'nobody'; expected one of: applicant, child, contractor, family_member, parent, "
     "perpetrator, service_user, staff, trustee, victim, volunteer"),
    ({"action": "disclose", "subject": {"role": True}}, "subject.role", "expected a subject role (text), found true"),
    ({"action": "disclose", "subject": {"role": False}}, "subject.role", "expected a subject role (text), found false"),
    ({"action": "disclose", "subject": {"role": float("inf")}}, "subject.role",
     "expected a subject role (text), found Infinity"),
    ({"action": "disclose", "subject": {"role": float("-inf")}}, "subject.role",
     "expected a subject role (text), found -Infinity"),
    ({"action": "disclose", "subject": {"role": 1.5}}, "subject.role", "expected a subject role (text), found 1.5"),
    ({"action": "disclose", "subject": {"role": "victim"}}, "data",
     "required; expected a non-empty list of data categories"),
    ({"action": "retain", "record": {"kind": "x"}}, "record.kind",
     "unknown record kind 'x'; expected one of: audit_event, client_file, consent_form, monitoring_form, "
     "personnel_file, unsolicited_information, unsuccessful_application, volunteer_file"),
    ({"action": "subject_access", "received_on": "2026-06-01", "requester": {"role": "victim"},
      "clarification": [{"answered_on": "2026-06-03"}]}, "clarification[0].asked_on",
     "required; expected a date as YYYY-MM-DD"),
]


@pytest.mark.parametrize(("request_", "field", "message"), ERRORS)
def test_an_invalid_request_is_refused_saying_exactly_what_was_found(request_, field, message):
    for pack in (load_pack("dvip"), fresh(load_pack("dvip"))):
        with pytest.raises(RequestError) as caught:
            pack.decide(request_)
        assert (caught.value.field, caught.value.message) == (field, message)


@pytest.mark.parametrize("name", PACKS)
def test_an_access_request_with_an_unknown_field_anywhere_is_refused(name):
    pack = load_pack(name)
    good = access_request(pack, random.Random(3))
    pack.decide(good)
    for part in ("actor", "record", None):
        bad = {**good, "actor": dict(good["actor"]), "record": dict(good["record"])}
        (bad[part] if part else bad)["colour"] = "blue"
        with pytest.raises(RequestError, match="colour"):
            pack.decide(bad)


@pytest.mark.parametrize("name", PACKS)
def test_an_answer_changed_by_its_caller_does_not_change_the_next_answer(name):
    """Answers come from memoised templates: every list and dict in them is frozen (or a copy), so a
    caller that edits what it was given cannot edit what the next caller is given."""
    pack, truth = load_pack(name), fresh(load_pack(name))
    rng = random.Random(5)
    for _ in range(30):
        for req in (access_request(pack, rng), disclose_request(pack, rng)):
            given = pack.decide(req)
            for key, value in list(given.items()):
                for edit in (lambda v: v.append("edited"), lambda v: v.clear(), lambda v: v.update(edited=1)):
                    try:
                        edit(value)
                    except (AttributeError, TypeError):
                        pass
                if isinstance(value, list) and value and isinstance(value[0], dict):
                    try:
                        value[0]["text"] = "edited"
                    except TypeError:
                        pass
                given[key] = "edited"
            assert pack.decide(req) == truth.decide(req)


def test_the_sar_clock_answer_names_each_of_its_parts():
    clock = load_pack("dvip").decide({"action": "subject_access", "received_on": "2026-06-01",
                                      "requester": {"role": "victim"}, "identity_confirmed_on": "2026-06-10"})["clock"]
    assert set(clock) == {"status", "starts_on", "waiting_for", "paused_since", "paused_days", "extended_by_months",
                          "tell_extension_by", "basis"}
    assert any("month's last day), plus any days that do not count, moved to the next working day" in line
               for line in clock["basis"])


# -- the second sample (seed 19): each test below was the first to notice one change ----------------
DISCLOSE = {"action": "disclose", "subject": {"role": "service_user", "has_capacity": True},
            "data": ["contact_details"], "recipient": {"kind": "police"}}
ACCESS = {"action": "access", "actor": {"role": "committee_member", "team": "north", "assigned_to_case": True},
          "record": {"kind": "client_file", "team": "north"}, "purpose": "direct_support"}
SAR = {"action": "subject_access", "received_on": "2026-06-01", "requester": {"role": "victim"}}


def test_an_absolute_prohibition_without_exception_is_final():
    """DVIP 3.08: never to a victim's partner, whatever consent or ground is added, so `final`."""
    pack = load_pack("dvip")
    full = {"status": "given", "explicit": True, "written": True, "covers_recipient": True, "covers_data": True}
    for consent in (None, full):
        req = {**DISCLOSE, "subject": {"role": "victim", "has_capacity": True}, "recipient": {"kind": "partner"}}
        if consent:
            req["consent"] = consent
        answer = pack.decide(req)
        assert answer["decision"] == "deny"
        assert "never_to_partner" in [r["rule"] for r in answer["reasons"]]
        assert answer["final"] is True


def test_the_strict_path_adds_the_always_obligations_to_a_permit():
    """Home-Start 10.2: the trustees are told of every police or court request, permitted or not, also
    on the strict path (`_disclose_slow`) that answers whatever the fast path does not."""
    pack, truth = load_pack("home_start"), fresh(load_pack("home_start"))
    rng = random.Random(23)
    permits_told = 0
    for _ in range(100):  # each on a pack compiled afresh, which is what costs
        req = disclose_request(pack, rng)
        req["recipient"] = {"kind": rng.choice(["police", "court"])}
        req["consent"] = {"status": "given", "explicit": True, "written": True, "covers_recipient": True,
                          "covers_data": True}
        expected = truth._decide_disclose_reference(disclose_key(truth, req))
        assert fresh(pack)._disclose_slow(req) == expected, req
        assert pack.decide(req) == expected, req
        permits_told += expected["decision"] != "deny" and any(
            r["rule"] == "trustees_told_of_police_and_court_requests" for r in expected["reasons"])
    assert permits_told, "some permit must carry the always entry, or this test could not fail"


@pytest.mark.parametrize(("part", "field", "value"), [
    (None, "colour", "blue"), ("subject", "colour", "blue"), ("recipient", "colour", "blue"),
    ("consent", "colour", "blue"),
    ("subject", "has_capacity", 1), ("subject", "has_capacity", 0),
    ("consent", "explicit", 1), ("consent", "written", 1), ("consent", "written", 0),
    ("consent", "covers_recipient", 1), ("consent", "covers_data", 0),
    (None, "anonymised", 1), (None, "anonymised", 0), (None, "requester_identity_verified", 1),
])
def test_a_disclose_request_with_an_unknown_field_or_a_number_for_a_flag_is_refused(part, field, value):
    """1 and 0 equal True and False in Python, but the contract's flags are true or false."""
    for pack in (load_pack("dvip"), fresh(load_pack("dvip"))):
        pack.decide({**DISCLOSE, "consent": {"status": "given"}})  # its memoised pieces made
        bad = {**DISCLOSE, "subject": dict(DISCLOSE["subject"]), "recipient": dict(DISCLOSE["recipient"]),
               "consent": {"status": "given"}}
        (bad[part] if part else bad)[field] = value
        with pytest.raises(RequestError) as caught:
            pack.decide(bad)
        assert caught.value.field == (f"{part}.{field}" if part else field)


def test_consent_that_is_not_valid_says_every_way_it_falls_short():
    pack = load_pack("dvip")
    answer = pack.decide({**DISCLOSE, "consent": {"status": "given", "explicit": False, "covers_recipient": False,
                                                  "covers_data": True}})
    assert answer["decision"] == "deny"
    assert {"pack": "dvip", "clause": "2.01", "rule": "consent",
            "text": "No valid consent: consent is not explicit; consent does not cover this recipient."} \
        in answer["reasons"]
    only = pack.decide({**DISCLOSE, "consent": {"status": "given", "explicit": True, "covers_data": True}})
    assert [r["text"] for r in only["reasons"] if r["rule"] == "consent"] == \
        ["No valid consent: consent does not cover this recipient."]


def test_a_victims_consent_needs_writing_and_cites_appendix_b():
    pack = load_pack("dvip")
    assert pack.consent_requirements("victim") == (
        frozenset({"explicit", "written", "covers_recipient", "covers_data", "capacity"}), "Appendix B")
    assert pack.consent_requirements("service_user") == (
        frozenset({"explicit", "covers_recipient", "covers_data", "capacity"}), "2.01")


def test_a_subject_access_fee_is_warned_about_in_full():
    warnings = load_pack("dvip").decide(SAR)["warnings"]
    assert "9.06: the pack charges £10; under UK GDPR Art 12(5) and 15(3) a subject-access request is free in " \
           "most cases (a reasonable fee only for manifestly unfounded or excessive requests, or further copies)." \
           in warnings


def test_a_clarification_asked_on_the_first_months_last_day_keeps_it_open_for_an_extension():
    """Received 1 June: the first month ends on 1 July. Clarification asked that day and still awaited;
    the requester told of a one-month extension on 10 July, after the first month but while it is held
    open, so the extension counts."""
    pack = load_pack("dvip")
    ext = {"months": 1, "reason": "Many records over several years.", "told_on": "2026-07-10"}
    answer = pack.decide({**SAR, "clarification": [{"asked_on": "2026-07-01"}], "extension": ext})
    assert answer["clock"]["status"] == "paused"
    assert answer["clock"]["paused_since"] == "2026-07-01"
    assert answer["clock"]["extended_by_months"] == 1
    assert not any("the extension does not count" in w for w in answer["warnings"])
    late = pack.decide({**SAR, "clarification": [{"asked_on": "2026-07-02"}], "extension": ext})
    assert late["clock"]["extended_by_months"] == 0
    assert any("the extension does not count" in w for w in late["warnings"])


def test_a_trustee_refused_access_is_still_recorded():
    for pack in (load_pack("dvip"), fresh(load_pack("dvip"))):
        answer = pack.decide(ACCESS)
        assert answer["decision"] == "deny"
        assert answer["obligations"] == ["record_decision"]
        assert [r["rule"] for r in answer["reasons"]] == ["trustees_see_no_client_data"]


MORE_ERRORS = [
    ({**SAR, "extension": {"months": 1, "told_on": "2026-06-10"}}, "extension.reason",
     "required; the reasons for the delay, which the requester must be told (UK GDPR Art 12A)"),
    ({**ACCESS, "record": {**ACCESS["record"], "service": "nowhere"}}, "record.service",
     "unknown service 'nowhere'; expected one of: stephens_place, vpp, wss"),
    ({k: v for k, v in DISCLOSE.items() if k != "recipient"}, "recipient",
     "required; expected an object with at least 'kind'"),
    ({**DISCLOSE, "purpose": "fun"}, "purpose",
     "unknown purpose 'fun'; expected one of: advice, audit, case_management, child_protection, complaint, "
     "court_report, cover, direct_support, emergency, liaison, line_management, payroll, quality_assurance, "
     "referral, research, risk_management, safeguarding, statistics, subject_access, supervision"),
    ({**DISCLOSE, "consent": {"status": "maybe"}}, "consent.status",
     "unknown consent status 'maybe'; expected one of: expired, given, not_sought, refused, withdrawn"),
    ({**DISCLOSE, "requester_identity_verified": "yes"}, "requester_identity_verified",
     "expected true or false, found 'yes'"),
]


@pytest.mark.parametrize(("request_", "field", "message"), MORE_ERRORS)
def test_more_invalid_requests_are_refused_saying_exactly_what_was_found(request_, field, message):
    test_an_invalid_request_is_refused_saying_exactly_what_was_found(request_, field, message)

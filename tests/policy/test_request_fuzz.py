"""No traceback ever from a bad request (issue 11 point 8): whatever JSON document arrives, every
built-in pack either answers it or raises `RequestError` naming the field in one line, and
`confide policy decide` exits 0 with an answer or 2 with exactly one line on stderr."""

from __future__ import annotations

import io
import json

import pytest
from hypothesis import HealthCheck, example, given, settings
from hypothesis import strategies as st

from confide.policy import RequestError, load_pack, pack_names
from confide.policy import request as c
from confide.policy.cli import main

PACKS = [load_pack(name) for name in pack_names()]
FIELD_NAMES = sorted(set().union(
    c.DISCLOSE_FIELDS, c.SUBJECT_FIELDS, c.RECIPIENT_FIELDS, c.CONSENT_FIELDS, c.ACCESS_FIELDS, c.ACTOR_FIELDS,
    c.RECORD_FIELDS, c.SAR_FIELDS, c.REQUESTER_FIELDS, c.RETAIN_FIELDS, c.RETAIN_RECORD_FIELDS,
    c.CLARIFICATION_FIELDS, c.EXTENSION_FIELDS))
WORDS = sorted({w for p in PACKS for key in ("subject_roles", "data", "recipient_kinds", "roles", "record_kinds",
                                             "access_record_kinds", "services", "purposes") for w in p.spec.vocab[key]})
BIG = 10 ** 5000  # more digits than Python turns into text by default: repr() of it raises ValueError
ODD = [2 ** 70, 1e308, -1e308, float("nan"), float("inf"), "\ud800", "\x00",
       "9999-12-31", "0001-01-01", "2026-02-30", "2026-W01-1", "2026-06-01", "", " ", "\n"]

# Drawn through map: Hypothesis describes a strategy by the repr() of its values, which BIG refuses
# and which would be 100,000 characters for the long text.
huge = st.sampled_from([1, -1]).map(lambda sign: sign * BIG)
long_text = st.sampled_from("xk").map(lambda ch: ch * 100_000)
scalars = st.one_of(st.none(), st.booleans(), st.integers(), st.floats(), st.text(max_size=8), huge, long_text,
                    st.sampled_from(ODD), st.sampled_from(WORDS), st.sampled_from(c.ACTIONS))
keys = st.one_of(st.sampled_from(FIELD_NAMES), st.text(max_size=6), st.sampled_from(["a\nb", " ", ""]), long_text)
documents = st.recursive(scalars, lambda inner: st.one_of(st.lists(inner, max_size=3),
                                                          st.dictionaries(keys, inner, max_size=3)), max_leaves=6)
# Request-shaped: an action (or junk where it goes) and some of the contract's fields.
shaped = st.builds(lambda action, rest: {**rest, "action": action},
                   st.one_of(st.sampled_from(c.ACTIONS), documents),
                   st.dictionaries(st.one_of(st.sampled_from(FIELD_NAMES), keys), documents, max_size=4))


def _valid(pack) -> list[dict]:
    """One valid request of each action for this pack (every field the contract has filled in)."""
    v = pack.spec.vocab
    first = {k: sorted(v[k])[0] for k in ("subject_roles", "data", "recipient_kinds", "roles", "record_kinds",
                                          "access_record_kinds", "services", "purposes", "grounds", "channels",
                                          "relationships", "record_flags", "record_contents")}
    return [
        {"action": "disclose", "subject": {"role": first["subject_roles"], "service": first["services"], "age": 30,
                                           "has_capacity": True},
         "data": [first["data"]], "recipient": {"kind": first["recipient_kinds"],
                                                "relationship_to_subject": first["relationships"]},
         "purpose": first["purposes"], "consent": {"status": "given", "explicit": True, "written": True,
                                                   "covers_recipient": True, "covers_data": True},
         "grounds": [first["grounds"]], "channel": first["channels"], "requester_identity_verified": True,
         "anonymised": False},
        {"action": "access", "actor": {"role": first["roles"], "team": "north", "assigned_to_case": True},
         "record": {"kind": first["access_record_kinds"], "service": first["services"], "team": "north",
                    "sealed": False}, "purpose": first["purposes"]},
        {"action": "subject_access", "received_on": "2026-06-01", "requester": {"role": first["subject_roles"],
                                                                                "service": first["services"]},
         "record_contains": [first["record_contents"]], "identity_confirmed_on": "2026-06-02",
         "authority_confirmed_on": "2026-06-03", "fee_paid_on": "2026-06-04",
         "clarification": [{"asked_on": "2026-06-05", "answered_on": "2026-06-06"}],
         "extension": {"months": 2, "reason": "Records held on paper in two offices.", "told_on": "2026-06-10"}},
        {"action": "retain", "record": {"kind": first["record_kinds"], "service": first["services"],
                                        "closed_on": "2020-03-01", "flags": [first["record_flags"]]}},
    ]


VALID = [r for p in PACKS for r in _valid(p)]


def _slots(value, path=()):
    """Every place in a request a value sits (object fields and list items), as paths."""
    if isinstance(value, dict):
        for k, v in value.items():
            yield (*path, k)
            yield from _slots(v, (*path, k))
    elif isinstance(value, list):
        for i, v in enumerate(value):
            yield (*path, i)
            yield from _slots(v, (*path, i))


@st.composite
def spoiled(draw):
    """A valid request with one value replaced by junk, or one junk field added somewhere."""
    doc = json.loads(json.dumps(draw(st.sampled_from(VALID))))
    *where, last = draw(st.sampled_from(list(_slots(doc))))
    target = doc
    for step in where:
        target = target[step]
    if draw(st.booleans()) and isinstance(target, dict):
        last = draw(keys)
    target[last] = draw(documents)
    return doc


anything = st.one_of(documents, shaped, spoiled())


def _decide_or_refuse(pack, doc):
    try:
        answer = pack.decide(doc)
    except RequestError as exc:
        message = str(exc)
        assert "\n" not in message and message.startswith(f"{exc.field}: ") and exc.field
        assert len(message) < 2000, message[:200]
        return None
    assert answer["decision"] in ("permit", "permit_if_approved", "deny") and answer["reasons"]
    json.dumps(answer)
    return answer


# 2,500 generated documents besides the written examples: a quarter of the 10,000 once run, each
# run drawing new ones (the suite runs twice in CI, on each database), for a quarter of the time.
@settings(max_examples=2_500, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large, HealthCheck.filter_too_much])
@given(anything)
@example({"action": {"nested": 1}})
@example({"action": ["access"]})
@example({"action": "disclose", "x": BIG})
@example({"action": "subject_access", "received_on": "9999-12-31", "requester": {"role": "victim"}})
@example({"action": "subject_access", "received_on": "0001-01-01", "requester": {"role": "victim"}})
@example({"action": "retain", "record": {"kind": "client_file", "closed_on": "9999-12-31"}})
@example({"action": "disclose", "subject": {"role": "victim", "age": BIG}, "data": ["case_notes"],
          "recipient": {"kind": "gp"}})
@example({"action": "disclose", "subject": {"role": "victim", "age": float("nan")}, "data": ["case_notes"],
          "recipient": {"kind": "gp"}})
@example({"action": "access", "actor": {"role": {"x": 1}}, "record": {"kind": "case_notes"}})
@example({"x" * 100_000: 1, "action": "retain"})
@example(None)
@example(BIG)
def test_every_pack_answers_or_refuses_any_json_document(doc):
    for pack in PACKS:
        _decide_or_refuse(pack, doc)


def _nested(depth):
    doc = 1
    for _ in range(depth):
        doc = [doc]
    return doc


def test_deep_nesting_in_process_is_refused_without_recursion():
    doc = {"action": "disclose", "subject": {"role": _nested(50_000)}}
    for pack in PACKS:
        with pytest.raises(RequestError) as exc:
            pack.decide(doc)
        assert exc.value.field == "subject.role" and "a list of 1 item(s)" in str(exc.value)


def test_huge_values_make_short_messages():
    pack = load_pack("dvip")
    for doc, field in [({"action": "retain", "k" * 100_000: 1}, "'kkkk"),
                       ({"action": "retain", "record": {"kind": "k" * 100_000}}, "record.kind"),
                       ({"action": "disclose", "subject": {"role": "victim", "age": BIG}}, "subject.age"),
                       ({"action": "retain", "record": {"kind": "client_file", "closed_on": "9" * 10}},
                        "record.closed_on")]:
        with pytest.raises(RequestError) as exc:
            pack.decide(doc)
        assert str(exc.value).startswith(field) and len(str(exc.value)) < 400


def test_dates_outside_the_years_confide_works_with_name_the_field():
    pack = load_pack("dvip")
    for doc, field in [
        ({"action": "subject_access", "received_on": "9999-12-31", "requester": {"role": "victim"}}, "received_on"),
        ({"action": "subject_access", "received_on": "0001-01-01", "requester": {"role": "victim"}}, "received_on"),
        ({"action": "subject_access", "received_on": "2199-12-31", "requester": {"role": "victim"},
          "clarification": [{"asked_on": "2200-01-01", "answered_on": None}]}, "clarification[0].asked_on"),
        ({"action": "retain", "record": {"kind": "client_file", "closed_on": "9999-12-31"}}, "record.closed_on"),
    ]:
        with pytest.raises(RequestError) as exc:
            pack.decide(doc)
        assert exc.value.field == field and "1900-01-01 to 2199-12-31" in str(exc.value)
    # the last day Confide takes still answers, with every deadline computed
    late = pack.decide({"action": "subject_access", "received_on": "2199-12-31", "requester": {"role": "victim"},
                        "extension": {"months": 2, "reason": "Many records.", "told_on": "2199-12-31"},
                        "clarification": [{"asked_on": "2199-12-31", "answered_on": "2199-12-31"}]})
    assert late["statutory_due_on"] == "2200-04-01"
    assert pack.decide({"action": "retain", "record": {"kind": "client_file", "closed_on": "2199-12-31"}})["reasons"]


# --- the command line --------------------------------------------------------------------------------
def _run(stdin):
    out, err = io.StringIO(), io.StringIO()
    if isinstance(stdin, bytes):
        stream = io.TextIOWrapper(io.BytesIO(stdin), encoding="utf-8")  # has .buffer, like sys.stdin
    else:
        stream = io.StringIO(stdin)
    code = main(["decide", "--pack", "dvip"], stdin=stream, stdout=out, stderr=err)
    return code, out.getvalue(), err.getvalue()


def _clean(code, out, err):
    if code == 0:
        assert err == "" and isinstance(json.loads(out), dict)
    else:
        assert code == 2 and out == ""
        assert err.count("\n") == 1 and err.startswith("confide policy: ") and len(err) < 2000, err[:200]


@settings(max_examples=500, deadline=None,
          suppress_health_check=[HealthCheck.too_slow, HealthCheck.data_too_large])
@given(anything)
def test_the_cli_exits_0_or_2_with_one_line_for_any_document(doc):
    try:
        text = json.dumps(doc)
    except ValueError:  # a number too long to write: the parametrised cases below send one
        return
    code, out, err = _run(text)
    _clean(code, out, err)
    if code == 0:
        assert json.loads(out) == json.loads(json.dumps(load_pack("dvip").decide(doc)))


@settings(max_examples=300, deadline=None)
@given(st.binary(max_size=40))
def test_the_cli_exits_0_or_2_with_one_line_for_any_bytes(raw):
    _clean(*_run(raw))


@pytest.mark.parametrize("stdin, needle", [
    (b"\xff\xfe{}", "request: not valid UTF-8"),
    (b'{"action": "\xed\xa0\x80"}', "request: not valid UTF-8"),     # a lone surrogate, encoded
    ('{"action": "\ud800"}', "request: not valid UTF-8"),            # one already in the text
    ("", "request: empty"),
    (" \n", "request: empty"),
    ("null", "request: expected a JSON object, found null"),
    ('"access"', "request: expected a JSON object, found 'access'"),
    ("[" * 100_000, "request: nested too deeply"),
    ('{"a":' * 50_000 + "1" + "}" * 50_000, "request: nested too deeply"),
    ('{"action": "disclose", "x": ' + "9" * 5000 + "}", "request: a number with too many digits"),
    ('{"action": "disclose", "x": 1e400}', "request: the number 1e400 is too large"),
    ('{"action": "disclose", "x": NaN}', "request: NaN is not valid JSON"),
    ('{"action": "disclose", "x": -Infinity}', "request: -Infinity is not valid JSON"),
    ('{"action": {"nested": 1}}', "action: expected one of"),
    ('{"action": ["access"]}', "action: expected one of"),
    ('{"action":"subject_access","received_on":"9999-12-31","requester":{"role":"victim"}}', "received_on: "),
    ('{"action":"subject_access","received_on":"0001-01-01","requester":{"role":"victim"}}', "received_on: "),
    ('{"action":"retain","record":{"kind":"client_file","closed_on":"9999-12-31"}}', "record.closed_on: "),
    ('{"action":"disclose","subject":{"role":"victim","age":1e308},"data":["case_notes"],"recipient":{"kind":"gp"}}',
     "subject.age: "),
    ('{"action":"retain","' + "k" * 100_000 + '":1}', "unknown field"),
])
def test_the_cli_names_what_is_wrong_in_one_line(stdin, needle):
    code, out, err = _run(stdin)
    _clean(code, out, err)
    assert code == 2 and needle in err, err[:200]

"""The factual-note check (confide/policy/wording.py) and the packs' `recording.factual` section."""

from __future__ import annotations

import dataclasses
import time

import pytest

from confide.policy import Finding, PackError, check_wording, compile_text, load_pack, pack_names
from confide.policy.explain import explain_pack
from confide.policy.loader import PACKS_DIR
from confide.policy.wording import HINTS, JUDGEMENT, SPECULATION, quoted_spans

DVIP_TEXT = (PACKS_DIR / "dvip.yaml").read_text(encoding="utf-8")

DVIP_903 = ("A file of notes concerning each client will be kept by DVIP's staff. The information recorded "
            "will be factual and not speculative.")
DVIP_605 = "Do not write derogatory comments about clients in their files (or anywhere else)."
JUSTUS_37 = ("Uncorroborated or speculative material about service users must not be entered onto their notes. "
             "Files can be subpoenaed, and disclosed to the client if a Subject Access Request is made.")


def spans(pack, text):
    return [(f.start, f.end, f.phrase, f.kind, f.clause) for f in check_wording(pack, text)]


def phrases(pack, text):
    return [f.phrase for f in check_wording(pack, text)]


def _line_of(text: str, needle: str) -> int:
    return next(i for i, line in enumerate(text.splitlines(), 1) if needle in line)


# --- the packs that carry the rule -----------------------------------------------------------------
def test_the_packs_whose_policy_says_so_carry_the_rule_with_its_clauses():
    dvip = load_pack("dvip").spec.recording["factual"]
    assert [(c["clause"], c["covers"]) for c in dvip] == [
        ("9.03", ("speculation",)), ("9.05", ("speculation",)), ("6.05", ("judgement",))]
    assert dvip[0]["text"] == DVIP_903 and dvip[2]["text"] == DVIP_605
    justus = load_pack("justus").spec.recording["factual"]
    assert [(c["clause"], c["covers"], c["text"]) for c in justus] == [
        ("3.7", ("speculation", "judgement"), JUSTUS_37)]
    assert {name for name in pack_names() if load_pack(name).spec.recording} == {"dvip", "justus"}


def test_dvip_findings_have_exact_offsets_and_cite_the_clause_for_each_kind():
    text = "I think he is a liar. He seemed  calm."
    found = check_wording(load_pack("dvip"), text)
    assert found == [
        Finding(0, 7, "I think", "speculation", "9.03", DVIP_903, HINTS["speculation"]),
        Finding(16, 20, "liar", "judgement", "6.05", DVIP_605, HINTS["judgement"]),
        Finding(25, 31, "seemed", "speculation", "9.03", DVIP_903, HINTS["speculation"]),
    ]
    for f in found:
        assert text[f.start:f.end] == f.phrase


def test_justus_findings_cite_3_7_for_both_kinds():
    text = "Client was hysterical and probably drunk."
    assert spans(load_pack("justus"), text) == [
        (11, 21, "hysterical", "judgement", "3.7"),
        (26, 34, "probably", "speculation", "3.7"),
    ]
    assert {f.clause_text for f in check_wording(load_pack("justus"), text)} == {JUSTUS_37}


def test_a_pack_without_the_rule_has_no_findings():
    text = "I think she is a lazy liar and obviously manipulative."
    assert len(check_wording(load_pack("dvip"), text)) == 5
    for name in ("home_start", "derbyshire", "day_mer"):
        assert load_pack(name).spec.recording == {}
        assert check_wording(load_pack(name), text) == []
    start = DVIP_TEXT.index("\nrecording:\n")
    without = DVIP_TEXT[:start] + DVIP_TEXT[DVIP_TEXT.index("\ncites:\n"):]
    pack = compile_text(without, "no-recording.yaml")
    assert pack.spec.recording == {} and check_wording(pack, text) == []


def test_a_kind_no_clause_covers_is_not_checked():
    text = DVIP_TEXT.replace("        covers: [judgement]\n", "        covers: [speculation]\n", 1)
    pack = compile_text(text, "speculation-only.yaml")
    assert phrases(pack, "I think she is a liar.") == ["I think"]


def test_the_policy_object_or_its_spec():
    pack = load_pack("dvip")
    text = "Obviously a drama queen."
    assert check_wording(pack.spec, text) == check_wording(pack, text)
    assert [f.kind for f in check_wording(pack, text)] == ["speculation", "judgement"]


def test_a_finding_is_a_frozen_value():
    f = check_wording(load_pack("dvip"), "lazy")[0]
    with pytest.raises(dataclasses.FrozenInstanceError):
        f.start = 3  # type: ignore[misc]
    assert [x.name for x in dataclasses.fields(Finding)] == [
        "start", "end", "phrase", "kind", "clause", "clause_text", "hint"]


# --- matching ---------------------------------------------------------------------------------------
def test_every_phrase_of_the_vocabulary_is_found_as_written_and_in_capitals():
    pack = load_pack("justus")
    for kind, words in (("speculation", SPECULATION), ("judgement", JUDGEMENT)):
        for phrase in words:
            for text in (phrase, phrase.upper(), f"Note: {phrase}."):
                found = check_wording(pack, text)
                assert [(f.phrase.lower(), f.kind) for f in found] == [(phrase.lower(), kind)], text


def test_whole_words_only():
    pack = load_pack("dvip")
    assert phrases(pack, "Madam, the nomad from Madrid made a maddening trip.") == []
    assert phrases(pack, "He said she was mad. MAD! (mad)") == ["mad", "MAD", "mad"]
    assert phrases(pack, "A liar; liars; reliar; liarliar; lazybones; slagheap; scummy.") == ["liar", "liars"]
    assert phrases(pack, "Clearly-marked exit. A mad-cap scheme.") == []  # joined by a hyphen: another word
    assert phrases(pack, "She is likely to attend; an unlikely result.") == ["likely", "unlikely"]


def test_curly_apostrophes_spaces_line_breaks_and_hyphens():
    pack = load_pack("dvip")
    assert phrases(pack, "I’m sure. I'm sure. Iʼm sure. I’d say so.") == ["I’m sure", "I'm sure", "Iʼm sure",
                                                                         "I’d say"]
    assert spans(pack, "He must’ve  left.") == [(3, 10, "must’ve", "speculation", "9.03")]
    assert spans(pack, "a drama   queen") == [(2, 15, "drama   queen", "judgement", "6.05")]
    assert spans(pack, "I\n think so") == [(0, 8, "I\n think", "speculation", "9.03")]
    assert phrases(pack, "attention seeking, attention-seeking, attention - seeking, a time waster") == [
        "attention seeking", "attention-seeking", "attention - seeking", "time waster"]


def test_the_same_word_used_as_a_plain_description_is_not_flagged():
    pack = load_pack("dvip")
    assert phrases(pack, "She was lying on the sofa. He was lying down. Found lying in the road.") == []
    assert phrases(pack, "She is lying about the money.") == ["lying"]
    assert phrases(pack, "She spoke clearly. The bruise was clearly visible. He clearly said no.") == []
    assert phrases(pack, "He was clearly drunk.") == ["clearly"]
    assert phrases(pack, "Financially unstable; unstable housing.") == []
    assert phrases(pack, "She is unstable.") == ["unstable"]


# --- quoted speech ----------------------------------------------------------------------------------
def test_quoted_speech_is_exempt():
    pack = load_pack("dvip")
    text = ('He said "she is a liar and lazy". She said “I think he’s mad”. '
            "Her sister said ‘she’s hysterical’ and 'she is a drama queen' too.")
    assert check_wording(pack, text) == []
    # The same words outside the quotation marks are found.
    assert phrases(pack, 'He said she is a liar. "Fine," she said, lazy.') == ["liar", "lazy"]


def test_a_single_straight_quoted_word_is_not_a_quotation_but_an_apostrophe_is_no_quote():
    pack = load_pack("dvip")
    # Straight single quotes count only when they span words (a lone one is usually an apostrophe).
    assert phrases(pack, "He called her 'mad'.") == ["mad"]
    assert phrases(pack, "He called her ‘mad’.") == []
    # Apostrophes do not open or close a quotation.
    assert phrases(pack, "The client's ex-partner's view: she's lazy, it's obvious.") == ["lazy"]
    assert phrases(pack, "She said 'I'm not lazy, I'm tired' and left; he is lazy.") == ["lazy"]


def test_an_unclosed_quotation_hides_nothing_after_a_blank_line():
    pack = load_pack("dvip")
    text = 'He said "she is a liar\n\nWorker: I think she is lazy.'
    assert phrases(pack, text) == ["liar", "I think", "lazy"]
    assert quoted_spans('a "b" c “d” e ‘f’ g \'h i\' j') == [(2, 5), (8, 11), (14, 17), (20, 25)]
    assert quoted_spans('"open\n\nstill open"') == []


# --- speed ------------------------------------------------------------------------------------------
def test_a_long_note_is_checked_quickly():
    pack = load_pack("justus")
    notes = [("I think she's 'a lazy liar, obviously' \u201cmad\u201d and unstable. " * 400)[:20000],
             ("'a " * 7000)[:20000], ('"a ' * 7000)[:20000], ("x" * 20000)]
    for text in notes:
        t0 = time.perf_counter()
        check_wording(pack, text)
        assert time.perf_counter() - t0 < 1.0
    assert len(check_wording(pack, notes[0])) > 300


# --- explain ----------------------------------------------------------------------------------------
def test_explain_lists_the_recording_clauses():
    text = explain_pack(load_pack("dvip"))
    for clause in ("9.03", "9.05", "6.05"):
        assert f"Clause {clause}\n" in text
    flat = " ".join(text.split())
    assert f"Writing notes [factual]: {DVIP_605}" in flat
    assert "Confide points out derogatory or labelling words about a person in a note" in flat
    assert "Writing notes [factual]" in explain_pack(load_pack("justus"))
    assert "Writing notes" not in explain_pack(load_pack("home_start"))


# --- the schema -------------------------------------------------------------------------------------
FACTUAL = '  factual:\n    clause: "9.03"\n'


def _error(text: str) -> PackError:
    with pytest.raises(PackError) as exc:
        compile_text(text, "own.yaml")
    return exc.value


def test_schema_refuses_an_unknown_key_in_the_recording_rule():
    assert FACTUAL in DVIP_TEXT
    text = DVIP_TEXT.replace(FACTUAL, FACTUAL + "    severity: warn\n", 1)
    line = _line_of(text, "severity: warn")
    assert str(_error(text)) == (f"own.yaml:{line}: recording.factual.severity: unknown field; "
                                 "expected one of: also, clause, covers, text")


def test_schema_refuses_a_recording_rule_without_a_clause():
    text = DVIP_TEXT.replace(FACTUAL, "  factual:\n", 1)
    line = _line_of(text, "  factual:")
    assert str(_error(text)) == f"own.yaml:{line}: recording.factual: missing required field 'clause'"


def test_schema_refuses_a_further_clause_without_text():
    old = '      - clause: "6.05"\n        text: Do not write derogatory comments about clients in their files (or anywhere else).\n'
    assert old in DVIP_TEXT
    text = DVIP_TEXT.replace(old, '      - clause: "6.05"\n', 1)
    line = _line_of(text, '- clause: "6.05"')
    assert str(_error(text)) == f"own.yaml:{line}: recording.factual.also[1]: missing required field 'text'"


@pytest.mark.parametrize(("old", "new", "message"), [
    ("recording:\n  factual:", "recording:\n  tone:\n    clause: \"1\"\n  factual:",
     "recording.tone: unknown field; expected one of: factual"),
    ("    covers: [speculation]\n    also:", "    covers: [gossip]\n    also:",
     "recording.factual.covers[0]: unknown kind of wording 'gossip'; expected one of: judgement, speculation"),
    ('    clause: "9.03"\n    text: A file', "    clause: 9.03\n    text: A file",
     "recording.factual.clause: clause numbers must be quoted text (write '9.03' in quotes) so that 3.10 is "
     "not read as 3.1"),
    ('      - clause: "9.05"', '      - clause: "9.03"', "recording.factual: clause 9.03 is cited twice"),
])
def test_schema_errors_in_the_recording_section(old, new, message):
    assert old in DVIP_TEXT
    text = DVIP_TEXT.replace(old, new, 1)
    err = _error(text)
    assert str(err).startswith(f"own.yaml:{err.line}: ") and str(err).endswith(message), str(err)


def test_schema_refuses_further_clauses_that_are_not_a_list():
    start, end = DVIP_TEXT.index("    also:\n"), DVIP_TEXT.index("\ncites:\n")
    text = DVIP_TEXT[:start] + '    also: "6.05"\n' + DVIP_TEXT[end:]
    line = _line_of(text, 'also: "6.05"')
    assert str(_error(text)) == (f"own.yaml:{line}: recording.factual.also: expected a list of further clauses, "
                                 "each with 'clause' and 'text'")


def test_check_wording_wants_text():
    with pytest.raises(TypeError, match="text must be a string"):
        check_wording(load_pack("dvip"), None)  # type: ignore[arg-type]
    assert check_wording(load_pack("dvip"), "") == []

"""The one rule for reasons and notes (confide.policy.reasons): what a reader sees is what counts.

Issue 12 point 6: a break-glass reason of ten zero-width spaces was accepted, and its reviewer saw a
blank. Issue 19 point 5: the ten-character minimum sat in five places under two names.
"""

from __future__ import annotations

import pytest

from confide.errors import ConfideError
from confide.policy import reasons, steps
from confide.policy.reasons import MIN_REASON, ReasonError, check_reason, is_blank, visible_length

ZWSP, ZWNJ, ZWJ, LRM, RLM, BOM, WJ = "\u200b", "\u200c", "\u200d", "\u200e", "\u200f", "\ufeff", "\u2060"


def test_the_minimum_is_ten():
    assert MIN_REASON == 10
    assert steps.MIN_NOTE == MIN_REASON, "the steps before sending use the same rule"


@pytest.mark.parametrize("text", [
    ZWSP * 10,
    ZWNJ * 10 + ZWJ * 10,
    LRM * 5 + RLM * 5,
    BOM * 10 + WJ * 10,
    "\u202e\u202a\u202b\u202c\u202d\u2066\u2067\u2068\u2069\u061c",   # bidirectional controls
    "\u00ad" * 12,                                                     # soft hyphens
    "\U000e0041\U000e0042" * 6,                                        # tag characters
    "\x00\x01\x07\x1b\x7f" * 3,                                        # control characters
    " \t\n\u00a0\u2003\u3000\u2028" * 3,                               # spaces, of every width
    "\u115f\u1160\u3164\uffa0" * 3,                                    # the Hangul fillers (letters that show nothing)
    "\u2800" * 10,                                                     # the blank Braille pattern
    "\u0301\u0308\u0327\u20dd" * 3,                                    # combining marks with no letter under them
    "\ufe0f\ufe0e\U000e0100" * 4,                                      # variation selectors
    ". , ; : ! ? - ( ) ' \" … — « »",                                  # punctuation alone
    "\ue000\uf8ff" * 6,                                                # private use
])
def test_invisible_characters_spaces_and_punctuation_count_for_nothing(text):
    assert visible_length(text) == 0
    assert is_blank(text)
    with pytest.raises(ReasonError):
        check_reason(text, "reason", what="give your reason")


def test_ten_zero_width_spaces_are_nothing_and_a_letter_among_joiners_is_one():
    assert len(ZWSP * 10) == 10 and visible_length(ZWSP * 10) == 0
    assert visible_length("a" + ZWJ * 9) == 1
    assert visible_length(ZWSP.join("abcdefghi")) == 9        # nine letters padded out to seventeen
    with pytest.raises(ReasonError):
        check_reason(ZWSP.join("abcdefghi"), "reason", what="give your reason")


def test_a_letter_counts_once_however_many_marks_sit_on_it():
    assert visible_length("e\u0301") == 1                      # é written as e and an accent
    assert visible_length("Z" + "\u0300\u0301\u0302\u0303" * 20) == 1
    assert visible_length("\u0301abc") == 3                    # the lone mark at the start counts for nothing


@pytest.mark.parametrize("text", [
    "Potrzebuję pomocy",                 # Polish
    "Zażółć gęślą",                      # Polish, every accented letter once
    "أحتاج إلى مساعدة",                  # Arabic
    "أَحْتَاجُ مُسَاعَدَة",                 # Arabic with its vowel marks: the marks add nothing, the letters count
    "她需要紧急帮助和住处",                # Chinese, ten characters
    "Ей нужна помощь",                   # Russian
    "मदद की ज़रूरत है अभी",                 # Hindi: vowel signs sit on their letters
])
def test_a_real_reason_of_ten_letters_in_any_script_passes(text):
    assert visible_length(text) >= MIN_REASON
    assert check_reason(f"  {text}\n", "reason", what="give your reason") == text


def test_ten_chinese_characters_are_exactly_ten_and_nine_are_not_enough():
    assert visible_length("她需要紧急帮助和住处") == 10
    with pytest.raises(ReasonError):
        check_reason("她需要紧急帮助和住", "reason", what="give your reason")
    import unicodedata

    polish = "Zażółć gęślą"                                      # eleven letters, however the accents are typed
    assert visible_length(polish) == visible_length(unicodedata.normalize("NFD", polish)) == 11


def test_an_emoji_counts_as_one_however_it_is_built():
    assert visible_length("🙂") == 1
    assert visible_length("👍🏽") == 1                           # with a skin tone
    assert visible_length("👨\u200d👩\u200d👧") == 1             # a family joined by zero-width joiners
    assert visible_length("🇬🇧") == 1 and visible_length("🇬🇧🇫🇷") == 2   # flags: two regional indicators each
    assert visible_length("1\ufe0f\u20e3") == 1                 # a keycap
    assert visible_length("❤\ufe0f") == 1
    assert visible_length("🙂" * 10) == 10


def test_the_stored_text_is_what_was_typed_less_surrounding_whitespace():
    typed = "  She phoned\u200b the helpline in distress.\n"
    assert check_reason(typed, "reason", what="give your reason") == typed.strip()


def test_the_error_names_the_field_and_keeps_each_places_own_words():
    with pytest.raises(ReasonError) as raised:
        check_reason(ZWSP * 10, "note", what="say why it was not done")
    assert raised.value.field == "note" and raised.value.code == "reason_too_short"
    assert str(raised.value) == ("say why it was not done (at least 10 letters or numbers; spaces, punctuation "
                                 "and invisible characters do not count)")
    assert raised.value.message == str(raised.value)


def test_a_service_raises_its_own_error_type_with_the_same_message():
    class TaskError(ConfideError):
        pass

    with pytest.raises(TaskError, match=r"^say why it was not done \(at least 10 letters or numbers") as raised:
        check_reason(ZWSP * 10, "note", what="say why it was not done", error=TaskError)
    assert raised.value.field == "note" and raised.value.code == "reason_too_short"
    assert reasons.reason_problem("ten letters", "note", what="x") is None


def test_a_step_before_sending_uses_the_one_rule():
    assert steps.note_problem("explore_implications", "done", ZWSP * 12) is not None
    assert steps.note_problem("explore_implications", "done", "\u3164" * 12) is not None
    assert steps.note_problem("explore_implications", "done", "Talked through who will see it.") is None

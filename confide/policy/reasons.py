"""The one rule for every free-text reason and note a person must write.

A reason for breaking the glass, an approver's notes, a request's reasons, a note saying how
something was sent or why a task or step was not done, a review of a break-glass opening, the
details of a request from outside: each is kept so that someone can read it later (a reviewer, the
data controller, a court). Each must say something. Ten zero-width spaces are ten characters to
`len()` and nothing at all to the reader, so the rule counts what a reader sees:

- each letter (any script: Latin, Arabic, Chinese, Polish with its accents...) and each number,
  once, however many combining marks (accents, vowel signs) sit on it;
- each emoji or other pictograph, once, however it is built (a skin-tone modifier, a sequence
  joined by zero-width joiners, a flag of two regional indicators);
- nothing else: spaces, punctuation, control and format characters (zero-width space and joiners,
  left-to-right and right-to-left marks, bidirectional controls, the byte-order mark, the word
  joiner, soft hyphens, tags), combining marks with no letter to sit on, variation selectors, the
  Hangul fillers and the blank Braille pattern (letters and symbols by category, blank on screen),
  private-use and unassigned characters.

Pure Python (no Django): services raise the error with the field it belongs to, and forms show
it on that field. The text stored is the text as typed (less surrounding whitespace): the count
decides only whether it is enough.
"""

from __future__ import annotations

import unicodedata

from confide.errors import ConfideError

# Every reason or note a person must write has at least this many letters or numbers.
MIN_REASON = 10

# What the rule asks for, in the words every message uses.
RULE = f"at least {MIN_REASON} letters or numbers; spaces, punctuation and invisible characters do not count"

# Characters that Unicode calls letters or symbols but that show nothing: the Hangul fillers
# (U+115F, U+1160, U+3164, U+FFA0), the blank Braille pattern, and the "null notehead".
BLANK = frozenset("\u115f\u1160\u3164\uffa0\u2800\U0001d159")
ZWJ = "\u200d"


def _regional_indicator(ch: str) -> bool:
    return "\U0001f1e6" <= ch <= "\U0001f1ff"


def visible_length(text: str | None) -> int:
    """How many letters, numbers and pictographs a reader sees in `text` (see the module's rule)."""
    count = 0
    joinable = False     # the last thing counted was a pictograph a zero-width joiner may extend
    joined = False       # ...and a zero-width joiner has followed it
    flag_half = False    # an odd regional indicator has been counted: the next one completes its flag
    for ch in text or "":
        category = unicodedata.category(ch)
        if ch == ZWJ:
            joined = joinable
            continue
        if category[0] in "CZMP" or category == "Sk" or ch in BLANK:
            # Spaces, controls, format characters, marks, punctuation and modifiers: never counted.
            # A variation selector or skin tone keeps a pictograph joinable; anything else ends it.
            if category[0] not in "MC" and category != "Sk":
                joinable = joined = flag_half = False
            continue
        if category == "So":
            if joined:
                joined = False   # the next part of one emoji sequence (a family, a profession)
                continue
            if _regional_indicator(ch):
                flag_half = not flag_half
                if not flag_half:
                    continue     # the second half of a flag
            else:
                flag_half = False
            joinable = True
            count += 1
            continue
        # A letter, a number, or a maths or currency sign (Sm, Sc): a letter or number counts.
        joinable = joined = flag_half = False
        if category[0] in "LN":
            count += 1
    return count


class ReasonError(ConfideError, ValueError):
    """A reason or note that does not say enough; `field` is the one it belongs to."""

    code = "reason_too_short"


def reason_problem(text: str | None, field: str, *, what: str) -> ReasonError | None:
    """Why `text` is not enough for `field` (a ReasonError, not raised: 'what (the rule)'), or None
    if it is."""
    if visible_length(text) >= MIN_REASON:
        return None
    return ReasonError(f"{what} ({RULE})", field=field)


def check_reason(text: str | None, field: str, *, what: str,
                 error: type[ConfideError] = ReasonError) -> str:
    """The reason as it will be stored (surrounding whitespace removed), or raise `error` (by default
    ReasonError; a service passes its own error type, so its callers catch what they always have)
    on `field` with 'what (the rule)', e.g. 'say why it was not done (at least 10 letters or
    numbers: ...)'. `what` is each place's own words of what to write."""
    problem = reason_problem(text, field, what=what)
    if problem is not None:
        raise error(problem.message, field=field, code=problem.code)
    return (text or "").strip()


def is_blank(text: str | None) -> bool:
    """True if a reader would see nothing worth reading: no letter, number or pictograph at all
    (only spaces, punctuation or invisible characters). For required text with no minimum, such as
    the body of a note."""
    return visible_length(text) == 0

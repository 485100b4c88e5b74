"""The factual-note check: words in a case note that a pack's `recording.factual` clauses rule out.

Several policies say how notes are written: DVIP 9.03 ("factual and not speculative") and 6.05 (no
derogatory comments), JustUs 3.7 (no uncorroborated or speculative material). `check_wording` finds
the words in a note that usually mean the note is guessing ("speculation") or labelling a person
("judgement"), and cites the pack's own clause for each. It is a prompt for the person writing, never
a decision: it refuses nothing and changes nothing, and a pack without the rule gets no findings.

    from confide.policy import load_pack
    from confide.policy.wording import check_wording
    for f in check_wording(load_pack("dvip"), note_text):
        f.start, f.end, f.phrase, f.kind, f.clause, f.clause_text, f.hint

Offsets are Python string indices (code points) into the text as given, so `text[f.start:f.end] ==
f.phrase`. Matching is case-insensitive, on whole words (so "madam" is not "mad"), and tolerant of
curly apostrophes, runs of spaces or line breaks between words, and hyphen-or-space in compounds
("attention seeking", "attention-seeking").

Quoted speech is exempt. Text inside quotation marks is someone's own words, and a note should
record what was said in the words used: "He called her a liar" must be written with the word, and the
way to show whose word it is is to quote it. So nothing inside a pair of quotation marks is flagged:
"..." (straight or curly double quotes), ‘...’ (curly single quotes) and '...' (straight single
quotes, only when the quoted part spans more than one word, since a lone straight quote is more often
an apostrophe). A quotation runs within one paragraph: an opening mark with no closing mark before a
blank line quotes nothing, so a stray mark cannot hide the rest of a note.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

from . import vocab

# --- vocabulary ------------------------------------------------------------------------------------
# Written with a plain apostrophe and single spaces; a hyphen means "hyphen or space" (and "-" joins
# no further words). Plural or other forms are listed where they are used as labels.

SPECULATION = (
    # the writer's own beliefs and impressions, written as if they were facts
    "I think", "I thought", "I don't think", "I do not think", "I feel", "I felt", "I believe",
    "I don't believe", "I suspect", "I reckon", "I guess", "I assume", "I presume", "I imagine",
    "I would imagine", "I'd imagine", "I'd say", "I would say", "I'm sure", "I am sure", "I'm certain",
    "I am certain", "I get the impression", "I got the impression", "I had the impression",
    "I get the feeling", "I got the feeling", "I had the feeling", "my impression", "my feeling is",
    "gut feeling", "in my opinion", "in my view",
    # hedges and guesses
    "probably", "presumably", "possibly", "perhaps", "maybe", "seem", "seems", "seemed", "seemingly",
    "appears to", "appeared to", "apparently", "likely", "unlikely", "bound to", "must have", "must've",
    # certainty that stands in for evidence
    "obviously", "clearly", "evidently", "no doubt", "undoubtedly", "without doubt",
)

JUDGEMENT = (
    # honesty
    "liar", "liars", "lying", "dishonest",
    # effort and worth
    "lazy", "layabout", "waster", "time-waster", "timewaster", "time-wasting", "wasting our time",
    "wasting my time", "useless", "pathetic", "feckless", "scrounger", "sponger", "benefit cheat",
    # emotion dismissed
    "hysterical", "hysterics", "histrionic", "drama queen", "overreacting", "over-reacting",
    "attention-seeking", "attention-seeker", "playing the victim", "crying wolf", "hormonal",
    "needy", "clingy", "stroppy", "mouthy", "gobby", "bolshy",
    # motive imputed
    "manipulative", "manipulator", "vindictive", "spiteful", "gold-digger",
    # mental state as an insult (a diagnosis is recorded as a diagnosis, with who made it)
    "crazy", "mad", "nutter", "nutcase", "nut job", "nutjob", "loony", "psycho", "schizo", "head-case",
    "headcase", "basket case", "unhinged", "deranged", "neurotic", "unstable", "irrational",
    # intelligence as an insult
    "stupid", "idiot", "moron", "retard", "retarded",
    # labels for a person or a family
    "difficult client", "difficult woman", "difficult man", "difficult person", "difficult mother",
    "difficult father", "difficult family", "problem family", "bad mother", "bad father", "bad parent",
    "unfit mother", "unfit father", "unfit parent", "troublemaker", "trouble-maker", "chaotic",
    "weirdo", "creepy", "vile", "disgusting", "scum", "scumbag", "lowlife", "low-life",
    # substance use and sex as insults
    "junkie", "junky", "druggie", "crackhead", "smackhead", "alkie", "alky", "drunkard", "wino",
    "slag", "slut", "slapper", "whore",
)

# Where the same word is a plain description: not flagged when the next word is one of these...
_NOT_BEFORE = {
    "lying": ("on", "in", "down", "there", "here", "under", "underneath", "across", "beside", "by", "next",
              "near", "flat", "face", "still", "asleep", "awake", "unconscious", "back", "around", "outside",
              "inside", "at", "against", "low", "beneath", "behind", "between", "with"),
    "unstable": ("housing", "accommodation", "tenancy", "tenancies", "employment", "income", "finances",
                 "work", "job", "address", "ground", "footing", "furniture", "structure", "ladder", "chair"),
    "clearly": ("visible", "audible", "heard", "seen", "marked", "labelled", "legible", "written", "printed",
                "stated", "said", "explained", "shown", "told", "asked", "refused", "agreed"),
}
# ...or when the word before it is one of these ("she spoke clearly", "financially unstable").
_NOT_AFTER = {
    "clearly": ("spoke", "speak", "speaks", "speaking", "said", "say", "says", "stated", "explained", "heard",
                "hear", "wrote", "write", "written", "read", "see", "saw", "seen", "shown", "showed", "marked",
                "labelled", "printed", "told", "talked", "talk", "talking", "visible", "audible", "asked"),
    "unstable": ("financially", "structurally", "physically"),
}

HINTS = {
    "speculation": "Write what was seen or said, and who said it. If it is your professional judgement, "
                   "say so and what it is based on.",
    "judgement": "Describe what the person said or did rather than labelling them. If these are someone's "
                 "own words, put them in quotation marks and say who said them.",
}
_PHRASE_HINTS = {
    "apparently": "Say who told you, and write what they said.",
}

_APOSTROPHES = "'\u2019\u2018\u02bc"
_HYPHENS = "\\-\u2010\u2011"


def _normal(phrase: str) -> str:
    """A phrase as written in the vocabulary: lower case, plain apostrophes, single spaces."""
    phrase = re.sub(f"[{_APOSTROPHES}]", "'", phrase.lower())
    phrase = re.sub(rf"\s*[{_HYPHENS}]\s*", "-", phrase)
    return re.sub(r"\s+", " ", phrase)


def _phrase_pattern(phrase: str) -> str:
    out = []
    for piece in re.split(r"( |-|')", phrase):
        if piece == " ":
            out.append(r"\s+")
        elif piece == "-":
            out.append(rf"(?:\s*[{_HYPHENS}]\s*|\s+)")
        elif piece == "'":
            out.append(f"[{_APOSTROPHES}]")
        elif piece:
            out.append(re.escape(piece))
    pattern = "".join(out)
    if phrase in _NOT_BEFORE:
        pattern += rf"(?!\s+(?:{'|'.join(_NOT_BEFORE[phrase])})(?!\w))"
    return pattern


def _compile(phrases: tuple[str, ...]) -> re.Pattern[str]:
    # Longest first, so "time-waster" wins over "waster" and "seemed" over "seem". Whole words only: no
    # letter, digit or hyphen joined on either side ("madam", "unlikely-sounding" are other words).
    alternatives = "|".join(_phrase_pattern(p) for p in sorted(set(phrases), key=lambda p: (-len(p), p)))
    return re.compile(rf"(?<![\w{_HYPHENS}])(?:{alternatives})(?![\w{_HYPHENS}])", re.IGNORECASE)


# One compiled pattern per kind of wording (vocab.WORDING_KINDS).
PATTERNS: dict[str, re.Pattern[str]] = {"speculation": _compile(SPECULATION), "judgement": _compile(JUDGEMENT)}

_WORD_BEFORE = re.compile(r"(\w+)\s+$")


@dataclass(frozen=True)
class Finding:
    """One phrase of a note that the pack's recording rule rules out."""

    start: int          # offset of the first character in the text
    end: int            # offset just after the last character: text[start:end] == phrase
    phrase: str         # the words as written in the note
    kind: str           # "speculation" or "judgement" (vocab.WORDING_KINDS)
    clause: str         # the pack's clause that rules it out, e.g. "9.03"
    clause_text: str    # what that clause says
    hint: str           # what to write instead, in plain English for the person writing the note


# --- quoted speech ---------------------------------------------------------------------------------
_QUOTE_MARKS = re.compile("[\"\u201c\u201d\u201e\u2018\u2019']|\\n[ \\t]*\\n")
_DOUBLE_OPEN = "\"\u201c\u201e"
_DOUBLE_CLOSE = "\"\u201d"


def quoted_spans(text: str) -> list[tuple[int, int]]:
    """The (start, end) of every quotation in the text, quotation marks included, in order.

    One pass over the quotation marks (linear in the length of the text): a quotation opens at an
    opening mark and closes at the first fitting closing mark in the same paragraph; a blank line
    abandons an open quotation. Inside a quotation other marks are ignored (an apostrophe, or a
    quotation within the quotation, is part of it)."""
    spans: list[tuple[int, int]] = []
    state: str | None = None
    opened = 0
    n = len(text)
    for m in _QUOTE_MARKS.finditer(text):
        mark, i = m.group(), m.start()
        if mark[0] == "\n":  # a paragraph break: an unclosed quotation quotes nothing
            state = None
            continue
        before = text[i - 1] if i > 0 else " "
        after = text[i + 1] if i + 1 < n else " "
        if state is None:
            if mark in _DOUBLE_OPEN:
                state, opened = "double", i
            elif mark == "\u2018":
                state, opened = "curly_single", i
            elif mark == "'" and not (before.isalnum() or before == "_") and not after.isspace():
                state, opened = "straight_single", i
        elif state == "double":
            if mark in _DOUBLE_CLOSE:
                spans.append((opened, i + 1))
                state = None
        elif state == "curly_single":
            if mark == "\u2019" and not (after.isalnum() or after == "_"):  # not an apostrophe (‘I’m’)
                spans.append((opened, i + 1))
                state = None
        elif state == "straight_single":
            if mark == "'" and not before.isspace() and not (after.isalnum() or after == "_"):
                if any(c.isspace() for c in text[opened + 1:i]):  # spans words: a quotation
                    spans.append((opened, i + 1))
                state = None
    return spans


def _inside(spans: list[tuple[int, int]], start: int, end: int) -> bool:
    # Spans come in order and never overlap (one quotation at a time), so a moving index would do;
    # the counts are small enough that a binary search keeps it simple.
    lo, hi = 0, len(spans)
    while lo < hi:
        mid = (lo + hi) // 2
        if spans[mid][0] <= start:
            lo = mid + 1
        else:
            hi = mid
    return lo > 0 and spans[lo - 1][1] >= end


# --- the check -------------------------------------------------------------------------------------
def factual_clauses(policy_or_spec: Any) -> list[dict[str, Any]]:
    """The pack's `recording.factual` clauses (first the main one, then its `also`), or []."""
    spec = getattr(policy_or_spec, "spec", policy_or_spec)
    return list(spec.recording.get("factual", ()))


def check_wording(policy_or_spec: Any, text: str) -> list[Finding]:
    """The phrases of `text` that the pack's `recording.factual` rule rules out, in order of position.

    `policy_or_spec` is a compiled `Pack` (what `load_pack` and `current_policy()` return) or its
    `PackSpec`. Each kind of wording is checked only where one of the pack's clauses covers it, and
    each finding cites the first such clause. Quoted speech is exempt (see the module docstring)."""
    if not isinstance(text, str):
        raise TypeError(f"text must be a string, not {type(text).__name__}")
    clauses = factual_clauses(policy_or_spec)
    if not clauses or not text:
        return []
    spans: list[tuple[int, int]] | None = None
    findings: list[Finding] = []
    for kind in vocab.WORDING_KINDS:
        clause = next((c for c in clauses if kind in c["covers"]), None)
        if clause is None:
            continue
        for m in PATTERNS[kind].finditer(text):
            start, end = m.span()
            phrase = m.group()
            key = _normal(phrase)
            if key in _NOT_AFTER:
                before = _WORD_BEFORE.search(text, max(0, start - 40), start)
                if before and before.group(1).lower() in _NOT_AFTER[key]:
                    continue
            if spans is None:
                spans = quoted_spans(text)
            if _inside(spans, start, end):
                continue
            findings.append(Finding(start=start, end=end, phrase=phrase, kind=kind, clause=clause["clause"],
                                    clause_text=clause["text"], hint=_PHRASE_HINTS.get(key, HINTS[kind])))
    findings.sort(key=lambda f: (f.start, f.end))
    return findings

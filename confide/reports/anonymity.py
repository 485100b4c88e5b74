"""What a reviewer of a case study checks by eye (Home-Start 3.3 and 7.5: case studies "are made
anonymous"): the drafting takes out the names, telephone numbers, addresses, emails, postcodes and
dates of birth Confide knows of; what it cannot know (a date, an age, a town, a school, an employer,
a name it was never told) is pointed out here for the second person to take out or leave. Pure
Python; a hint for a person, never a redaction of its own."""

from __future__ import annotations

import re
from dataclasses import dataclass

MONTHS = ("January|February|March|April|May|June|July|August|September|October|November|December|"
          "Jan|Feb|Mar|Apr|Jun|Jul|Aug|Sep|Sept|Oct|Nov|Dec")
DAYS = "Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday"
_DATE = re.compile(rf"\b\d{{1,2}}(?:st|nd|rd|th)?\s+(?:{MONTHS})\b(?:\s+\d{{4}})?|\b(?:{MONTHS})\s+\d{{4}}\b"
                   rf"|\b\d{{1,2}}[/.-]\d{{1,2}}[/.-]\d{{2,4}}\b|\b(?:19|20)\d{{2}}\b")
_AGE = re.compile(r"\b(?:aged?\s+\d{1,3}|\d{1,3}[- ]years?[- ]old|\d{1,3}\s*(?:yrs?|years?)\b)|\(\d{1,2}\)"
                  r"|(?<=,\s)\d{1,2}(?=,)", re.IGNORECASE)
# A capitalised word that does not begin a sentence: perhaps a name, a place, a school or an employer.
_PROPER = re.compile(r"(?<![.!?:\n]\s)(?<!^)(?<![.!?:\n])\b[A-Z][a-z'’-]+(?:\s+[A-Z][a-z'’-]+)*")
_COMMON = set(f"{MONTHS}|{DAYS}".split("|")) | {
    "I", "I'm", "I’ve", "Mum", "Dad", "Christmas", "Easter", "English", "British", "GP", "NHS", "Police",
    "Court", "School", "Council", "Home-Start", "Confide"}


@dataclass(frozen=True)
class Hint:
    kind: str   # "date", "age", "name or place"
    words: str  # as they stand in the text


def hints(text: str) -> list[Hint]:
    """Each date, age and capitalised word (not at a sentence's start) in the text, once each, in order."""
    found: list[Hint] = []
    seen: set[tuple[str, str]] = set()

    def add(kind: str, words: str) -> None:
        if (kind, words) not in seen:
            seen.add((kind, words))
            found.append(Hint(kind, words))

    for match in sorted([*((m.start(), "date", m.group()) for m in _DATE.finditer(text)),
                         *((m.start(), "age", m.group()) for m in _AGE.finditer(text))]):
        add(match[1], match[2])
    for m in _PROPER.finditer(text):
        words = m.group()
        if words.split()[0] in _COMMON or text[max(0, m.start() - 1):m.start()] == "[":
            continue
        add("name or place", words)
    return found

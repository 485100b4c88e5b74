"""Redactions proposed in a client's file before a subject-access copy is released (UK GDPR Art 15):
the details of other people it records (third parties, DPA 2018 Sch 2 para 16), found three ways:

- people_recorded: the names, aliases, phone numbers, email addresses and addresses of the people
  recorded around the client (their file's related people), wherever they appear;
- uk_pattern: our own patterns for UK details written the usual ways (phone numbers, postcodes,
  National Insurance numbers, house number and street, a date of birth after "born" or "DOB");
- presidio: Microsoft Presidio's pattern recognisers (phone numbers checked against the UK
  numbering plan, email addresses, NI numbers, NHS numbers with a valid check digit).

These are proposals only: a second person reviews each one before anything is released. The
client's own name is never proposed. Presidio's pattern and deny-list recognisers are used on their
own (no AnalyzerEngine, which would load an NLP model), built once per process and, for the people
around a client, once per client, since a file is thousands of texts. No word of the text is logged
(Presidio logs only its recognisers' names as they are built), and nothing leaves the process:
Presidio's email check here reads only the suffix list shipped with tldextract, never the network.
"""

from __future__ import annotations

import functools
import logging
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any

import regex

# Presidio says "Loaded recognizer: ..." at INFO for every recogniser it builds: noise in every log.
logging.getLogger("presidio-analyzer").setLevel(logging.WARNING)


@dataclass(frozen=True)
class Known:
    """What is recorded around the client, from their file."""

    names: list[str]                 # full names and aliases of the people recorded around the client
    phones: Sequence[str] = ()       # their phone numbers as recorded (any spacing)
    addresses: Sequence[str] = ()    # their addresses as recorded
    emails: Sequence[str] = ()
    client_names: Sequence[str] = ()  # the client's own name (and aliases): never proposed for redaction


@dataclass(frozen=True)
class Proposal:
    start: int        # character offsets into the text, end exclusive
    end: int
    what: str         # "name" | "phone" | "postcode" | "email" | "nino" | "nhs_number" | "date_of_birth" | "address"
    proposed_by: str  # "people_recorded" (from Known) | "uk_pattern" | "presidio"


PEOPLE_RECORDED, UK_PATTERN, PRESIDIO = "people_recorded", "uk_pattern", "presidio"

# Presidio's entity types (its own, and those of the recognisers built here) and what each proposes.
_WHAT = {
    "PHONE_NUMBER": "phone", "EMAIL_ADDRESS": "email", "UK_NINO": "nino", "UK_NHS": "nhs_number",
    "CONFIDE_UK_PHONE": "phone", "CONFIDE_UK_POSTCODE": "postcode", "CONFIDE_UK_NINO": "nino",
    "CONFIDE_DATE_OF_BIRTH": "date_of_birth", "CONFIDE_UK_ADDRESS": "address",
    "CONFIDE_PERSON": "name", "CONFIDE_KNOWN_PHONE": "phone", "CONFIDE_KNOWN_EMAIL": "email",
    "CONFIDE_KNOWN_ADDRESS": "address",
}

# --- UK patterns -------------------------------------------------------------------------------

# 0 (or +44, 0044, +44 (0)) and ten more digits, the first of them not 0, 4 or 6, written with
# single spaces, hyphens or dots between groups and the area code optionally in brackets:
# 07700 900123, 07700-900-123, +44 7700 900123, 020 7946 0000, 01632 960123, (01632) 960123.
UK_PHONE = (r"(?<![\w+])(?:(?:\+|00)[ ]?44[ \-]?(?:\(0\)[ \-]?)?|0|\(0(?=[\d ]{1,6}\)))[1235789]"
            r"(?:[ \-.]?\)?[ \-.]?\d){9}(?!\d)")

# Outward code (area letters, district) and inward code (sector digit, unit letters, never C I K M O V),
# in any case, except that a lower-case ordinal is not a unit ("the A1 2nd exit"; "B33 8TH" is a postcode).
UK_POSTCODE = r"\b(?:[A-PR-UWYZ][A-HK-Y]?\d[A-Z\d]?[ ]?\d(?!(?-i:st|nd|rd|th)\b)[ABD-HJLNP-UW-Z]{2}|GIR[ ]?0AA)\b"

# Presidio's NI number recogniser knows the prefixes HMRC issues; this one (capitals only, so that
# ordinary words followed by numbers are left alone) also takes the example prefix QQ and any spacing.
UK_NINO = r"\b[A-Z]{2}[ \-]*\d{2}[ \-]*\d{2}[ \-]*\d{2}[ \-]*[A-D]\b"

_MONTH = (r"(?:jan(?:uary)?|feb(?:ruary)?|mar(?:ch)?|apr(?:il)?|may|june?|july?|aug(?:ust)?"
          r"|sept?(?:ember)?|oct(?:ober)?|nov(?:ember)?|dec(?:ember)?)\b\.?")
_DAY = r"(?:0?[1-9]|[12]\d|3[01])"
_DATE = (rf"(?:{_DAY}[/.\-](?:0?[1-9]|1[0-2])[/.\-](?:\d{{4}}|\d{{2}})"
         rf"|\d{{4}}-(?:0?[1-9]|1[0-2])-{_DAY}"
         rf"|{_DAY}(?:st|nd|rd|th)?\s+(?:of\s+)?{_MONTH}(?:,?\s+\d{{4}})?"
         rf"|{_MONTH}\s+{_DAY}(?:st|nd|rd|th)?(?:,?\s+\d{{4}})?)(?![\w/])")
# A date that follows "born", "DOB", "D.O.B." or "date of birth" within 25 characters (and in the
# same sentence, with no other number between): only the date, not the word before it.
DATE_OF_BIRTH = (r"(?<![\w/])(?=\d|jan|feb|mar|apr|may|jun|jul|aug|sep|oct|nov|dec)"
                 r"(?<=(?:\bborn|\bd\.?[ ]?o\.?[ ]?b|\bdate\s+of\s+birth)\b\.?[^\n\d.;!?]{0,25})" + _DATE)

# A house number and street: "14 Larch Road", "Flat 2, 7 Mill Lane", "3a St Mary's Gardens". The
# street's name is capitalised (so "10 minutes down the road" is not an address); the common street
# words may be lower case, the ones that are also ordinary words ("close", "way", "park") may not.
_NOT_A_STREET_NAME = r"(?:Monday|Tuesday|Wednesday|Thursday|Friday|Saturday|Sunday|Days?|Weeks?|Hours?)\b"
_STREET_ANY_CASE = "road|street|avenue|lane|crescent|terrace|gardens|grove"
_STREET_CAPITALISED = "Close|Drive|Way|Court|Place|Hill|Walk|Row|Square|Park|Rd|St|Ave|Ln|Cres|Gdns|Sq|Terr|Pl"
UK_ADDRESS = (r"(?:\b(?i:flat|apartment|apt|unit)\.?[ ]+\d{1,4}[A-Za-z]?,?[ ]+)?"
              r"(?<![\w,.£$/:])\d{1,4}[A-Za-z]?,?[ ]+(?:(?!" + _NOT_A_STREET_NAME + r")[A-Z][\p{L}'’\-]*[ ]+){1,3}"
              rf"(?:(?i:{_STREET_ANY_CASE})|{_STREET_ANY_CASE.title()}|{_STREET_CAPITALISED}"
              rf"|{_STREET_ANY_CASE.upper()}|{_STREET_CAPITALISED.upper()})\b")

# --- names --------------------------------------------------------------------------------------

# Never proposed alone as part of a name: titles and the particles of surnames ("van", "de la").
_NOT_A_NAME_ALONE = frozenset(
    "mr mrs ms miss mx dr prof rev sir dame lady lord master mum dad nan "
    "van von der den del della de da di la le du des bin bint ibn al el ben abu st jr jnr sr snr".split())

# Parts of names that are also ordinary English words: proposed only when written with a capital
# ("Will", "WILL"), so that "she will" and "the green door" stay readable. Full names and aliases
# ("Will Green") are matched in any case.
_ORDINARY_WORDS = frozenset("""
    will bill mark rose grace hope faith joy dawn may april june summer autumn winter holly ivy
    daisy poppy lily ruby amber pearl heather hazel iris violet olive sky rain storm river drew
    jack frank earl guy pat sue rob bob don ray art val sandy rusty duke king prince grant chase
    hunter mason cole dean glen lance miles max rich penny ginger honey candy angel star sunny
    brook brown green white black grey gray young long short hall wood woods stone hill bell
    price mills ward page lane marsh moss wells fox lamb cook baker turner fisher bishop knight
    pope bird swan crow rice hart field fields ford best little small sharp strong good love
    sweet park parks gold silver day march frost snow west north south east banks bush brooks
    castle church cross house law power rush street waters bond chance cash hood moon sun noble
    gill carr archer butcher carpenter gardener cooper porter sergeant shepherd
    """.split())

_WORDS = regex.compile(r"[\p{L}\p{M}][\p{L}\p{M}'’.\-]*")


def _parts(name: str) -> list[str]:
    """A name's words, and the halves of a hyphenated word: "Mary-Jane O'Neil" gives Mary-Jane,
    Mary, Jane and O'Neil."""
    parts: list[str] = []
    for word in _WORDS.findall(name):
        word = word.strip(".-'’")
        if word:
            parts.append(word)
            if "-" in word:
                parts.extend(half for half in word.split("-") if half)
    return parts


def _letters(word: str) -> int:
    return sum(ch.isalpha() for ch in word)


# A name's words are separated by any whitespace or underscores ("Marisol_Quenby_statement.txt"), and
# a name is found whole: not inside another word (but beside an underscore, which is not a letter).
_NAME_GAP = r"[\s_]+"
_NAME_BEFORE = r"(?<![\p{L}\p{M}\p{N}])"
_NAME_AFTER = r"(?![\p{L}\p{M}\p{N}])"


def _flexible(words: Sequence[str]) -> str:
    """Words in sequence, as a whole name, any whitespace or underscores between them."""
    return _NAME_BEFORE + _NAME_GAP.join(regex.escape(w) for w in words) + _NAME_AFTER


# --- Presidio's recognisers, built once -----------------------------------------------------------

@functools.cache
def _fixed() -> list[tuple[Any, list[str], str]]:
    """The recognisers that do not depend on the client: (recogniser, entities, proposed_by)."""
    import tldextract
    from presidio_analyzer import Pattern, PatternRecognizer
    from presidio_analyzer.predefined_recognizers import (
        EmailRecognizer,
        NhsRecognizer,
        PhoneRecognizer,
        UkNinoRecognizer,
    )

    # Presidio checks an email's domain with tldextract, which by default fetches the public suffix
    # list over the network and caches it on disk; this one reads only the copy tldextract ships.
    offline = tldextract.TLDExtract(cache_dir=None, suffix_list_urls=(), fallback_to_snapshot=True)

    class OfflineEmailRecognizer(EmailRecognizer):
        def validate_result(self, pattern_text: str) -> bool:
            return offline(pattern_text).fqdn != ""

    def own(entity: str, name: str, pattern: str, *, any_case: bool = True) -> Any:
        flags = regex.DOTALL | regex.MULTILINE | (regex.IGNORECASE if any_case else 0)
        return PatternRecognizer(supported_entity=entity, name=name, patterns=[Pattern(name, pattern, 0.6)],
                                 global_regex_flags=flags)

    recognisers = [
        PhoneRecognizer(supported_regions=("GB",)),
        OfflineEmailRecognizer(),
        UkNinoRecognizer(),
        NhsRecognizer(),  # validates the modulus-11 check digit
    ]
    built = [(r, list(r.supported_entities), PRESIDIO) for r in recognisers]
    built += [(r, list(r.supported_entities), UK_PATTERN) for r in (
        own("CONFIDE_UK_PHONE", "uk_phone", UK_PHONE),
        own("CONFIDE_UK_POSTCODE", "uk_postcode", UK_POSTCODE),
        own("CONFIDE_UK_NINO", "uk_nino", UK_NINO, any_case=False),
        own("CONFIDE_DATE_OF_BIRTH", "date_of_birth", DATE_OF_BIRTH),
        own("CONFIDE_UK_ADDRESS", "uk_address", UK_ADDRESS, any_case=False),
    )]
    return built


@dataclass(frozen=True)
class _ForClient:
    recognisers: list[tuple[Any, list[str], str]]
    client: Any  # a compiled pattern finding the client's own names, or None


_PHONE_RUN = regex.compile(r"\+?\(?\d[\d \-.()]{7,}\d")
_EMAIL_IN = regex.compile(r"[^\s<>()\[\],;:\"']+@[^\s<>()\[\],;:\"']+\.[^\s<>()\[\],;:\"']*[^\s<>()\[\],;:\"'.]")


def _phone_pattern(recorded: str) -> str | None:
    """A recorded number as a pattern that finds it however it is spaced, with 0 or +44."""
    digits = "".join(ch for ch in recorded if ch.isdigit())
    international = recorded.lstrip().startswith("+") or digits.startswith("00")
    if international:
        digits = digits[2:] if digits.startswith("00") else digits
        if digits.startswith("44"):
            digits, international = digits[2:].lstrip("0"), False
    elif digits.startswith("0"):
        digits = digits[1:]
    if len(digits) < 6:
        return None
    sep = r"[ \-.()]*"
    body = sep.join(digits)
    if international:
        return rf"(?<![\w+])(?:\+|00)[ ]?{body}(?!\d)"
    opening = r"(?:\((?=[\d \-]{1,6}\)))?"  # a bracket only around the area code: (01632) 960123
    return rf"(?<![\w+])(?:(?:\+|00)[ ]?44[ \-]?(?:\(0\)[ \-]?)?{opening}|{opening}0{sep}){body}(?!\d)"


@functools.lru_cache(maxsize=8)
def _for_client(names: tuple[str, ...], phones: tuple[str, ...], addresses: tuple[str, ...],
                emails: tuple[str, ...], client_names: tuple[str, ...]) -> _ForClient:
    from presidio_analyzer import Pattern, PatternRecognizer

    class Deny(PatternRecognizer):
        """Presidio's deny-list recogniser, longest entry first (so "Tom Okafor" is found whole
        before "Tom"), any whitespace or underscores inside an entry, never inside another word or
        inside an email address (which is proposed whole, as an email)."""

        def _deny_list_to_regex(self, deny_list: list[str]) -> Any:
            ordered = sorted(set(deny_list), key=lambda e: (-len(e), e))
            alternatives = "|".join(_NAME_GAP.join(regex.escape(w) for w in e.split()) for e in ordered)
            return Pattern(name="deny_list", score=self.deny_list_score,
                           regex=rf"(?<![\p{{L}}\p{{M}}\p{{N}}@])(?:{alternatives})(?![\p{{L}}\p{{M}}\p{{N}}@]|[\w.+\-]*@)")

    client_full = {" ".join(n.split()).casefold() for n in client_names if n.strip()}
    client_parts = {p.casefold() for n in client_names for p in _parts(n)}

    any_case: set[str] = set()
    capitalised: set[str] = set()
    for name in names:
        full = " ".join(name.split())
        folded = full.casefold()
        if _letters(full) >= 2 and folded not in client_full and folded not in client_parts:
            (capitalised if folded in _ORDINARY_WORDS else any_case).add(full)
        for part in _parts(full):
            p = part.casefold()
            if _letters(part) < 3 or p in client_parts or p in _NOT_A_NAME_ALONE or p in client_full:
                continue
            (capitalised if p in _ORDINARY_WORDS else any_case).add(part)
    capitalised_forms = {form for word in capitalised for form in (word[:1].upper() + word[1:].lower(), word.upper())}

    phone_patterns: set[str] = set()
    for entry in (*phones, *addresses):
        for run in _PHONE_RUN.findall(entry):
            if sum(ch.isdigit() for ch in run) >= 9 and (pattern := _phone_pattern(run)):
                phone_patterns.add(pattern)
    email_list = {m.rstrip(".") for entry in emails for m in _EMAIL_IN.findall(entry)}
    address_patterns: set[str] = set()
    for address in addresses:
        if _letters(address) >= 3 and (whole := _WORDS_AND_NUMBERS.findall(address)):
            address_patterns.add(r"(?<!\w)" + r"\W+".join(regex.escape(w) for w in whole) + r"(?!\w)")
        for line in regex.split(r"[,\n;]", address):
            words = _WORDS_AND_NUMBERS.findall(line)
            if len(words) >= 2 and (house := _HOUSE_AND_STREET.search(line)):
                # The house number and street, and the street alone ("driving down Larch Road").
                street = _WORDS_AND_NUMBERS.findall(line[house.end() - 1:])
                for found_words in (words, street if len(street) >= 2 else []):
                    if found_words:
                        address_patterns.add(r"(?<!\w)" + r"\W+".join(map(regex.escape, found_words)) + r"(?!\w)")

    any_case_flags = regex.DOTALL | regex.MULTILINE | regex.IGNORECASE
    recognisers: list[Any] = []
    if any_case:
        recognisers.append(Deny(supported_entity="CONFIDE_PERSON", name="people_recorded",
                                deny_list=sorted(any_case), global_regex_flags=any_case_flags))
    if capitalised_forms:
        recognisers.append(Deny(supported_entity="CONFIDE_PERSON", name="people_recorded_capitalised",
                                deny_list=sorted(capitalised_forms), global_regex_flags=regex.DOTALL | regex.MULTILINE))
    if email_list:
        recognisers.append(Deny(supported_entity="CONFIDE_KNOWN_EMAIL", name="emails_recorded",
                                deny_list=sorted(email_list), global_regex_flags=any_case_flags))
    for entity, found in (("CONFIDE_KNOWN_PHONE", phone_patterns), ("CONFIDE_KNOWN_ADDRESS", address_patterns)):
        if found:
            recognisers.append(PatternRecognizer(
                supported_entity=entity, name=entity.lower(), global_regex_flags=any_case_flags,
                patterns=[Pattern(entity.lower(), p, 1.0) for p in sorted(found)]))

    client = None
    own = sorted({tuple(n.split()) for n in client_names if n.strip()}, key=lambda words: -len(" ".join(words)))
    if own:
        client = regex.compile("|".join(_flexible(words) for words in own), regex.IGNORECASE)
    return _ForClient(recognisers=[(r, list(r.supported_entities), PEOPLE_RECORDED) for r in recognisers],
                      client=client)


_WORDS_AND_NUMBERS = regex.compile(r"[\p{L}\p{M}\d][\p{L}\p{M}\d'’]*")
_HOUSE_AND_STREET = regex.compile(r"(?<!\w)\d{1,4}[A-Za-z]?,?\s+[\p{L}]")

# --- proposing --------------------------------------------------------------------------------------

_RANK = {PEOPLE_RECORDED: 0, UK_PATTERN: 1, PRESIDIO: 2}


def _outside(start: int, end: int, protected: list[tuple[int, int]], text: str) -> list[tuple[int, int]]:
    """The pieces of [start, end) outside the client's own names, trimmed of spaces and punctuation."""
    pieces = [(start, end)]
    for a, b in protected:
        kept = []
        for s, e in pieces:
            if b <= s or a >= e:
                kept.append((s, e))
                continue
            if s < a:
                kept.append((s, a))
            if b < e:
                kept.append((b, e))
        pieces = kept
    if pieces == [(start, end)]:
        return pieces
    trimmed = []
    for s, e in pieces:
        while s < e and not text[s].isalnum():
            s += 1
        while e > s and not text[e - 1].isalnum():
            e -= 1
        if s < e:
            trimmed.append((s, e))
    return trimmed


def propose(text: str, known: Known) -> list[Proposal]:
    """Sorted by start; overlapping or touching proposals merged (the merged one keeps the first's
    `what`, preferring "name"); never a span inside the client's own name."""
    if not text or not text.strip():
        return []
    for_client = _for_client(tuple(known.names), tuple(known.phones), tuple(known.addresses),
                             tuple(known.emails), tuple(known.client_names))
    found: list[Proposal] = []
    for recogniser, entities, by in (*_fixed(), *for_client.recognisers):
        for result in recogniser.analyze(text, entities=entities, nlp_artifacts=None):
            if result.end > result.start:
                found.append(Proposal(result.start, result.end, _WHAT[result.entity_type], by))
    if not found:
        return []
    # Ten digits that are partly a phone number's are not an NHS number, whatever their check digit
    # ("01632 960123 1234" is a phone number and another number, not 01632 and an NHS number).
    phones = [(p.start, p.end) for p in found if p.what == "phone"]
    if phones:
        found = [p for p in found if p.what != "nhs_number" or not any(s < p.end and p.start < e for s, e in phones)]

    protected = [m.span() for m in for_client.client.finditer(text)] if for_client.client else []
    if protected:
        found = [Proposal(s, e, p.what, p.proposed_by)
                 for p in found for s, e in _outside(p.start, p.end, protected, text)]

    found.sort(key=lambda p: (p.start, -p.end, p.what != "name", _RANK[p.proposed_by]))
    merged: list[Proposal] = []
    for p in found:
        if merged and p.start <= merged[-1].end:
            last = merged[-1]
            chosen = p if last.what != "name" and p.what == "name" else last
            merged[-1] = Proposal(last.start, max(last.end, p.end), chosen.what, chosen.proposed_by)
        else:
            merged.append(p)
    return merged

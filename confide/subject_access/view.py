"""What a subject-access copy shows, as plain data: built by confide.subject_access.compile from the
request's items and decisions, rendered to PDF by confide.subject_access.pdf. Nothing withheld is
ever put in here: a withheld passage or item is only its reason."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field


@dataclass(frozen=True)
class Part:
    """A piece of an item's words as released: the words, or a box standing for words withheld."""

    text: str = ""
    withheld: str = ""  # the box's label, e.g. "Sch 2 para 16: third party"; "" for words


@dataclass(frozen=True)
class ShownItem:
    number: int          # its number in the copy (1, 2, ...), for "item 12 was withheld"
    kind: str            # "Note", "Risk assessment", "Consent", ...
    title: str           # what it is: "Note of a telephone call", "Consent to share with ..."
    on: dt.date | None   # the date it carries
    parts: list[Part]    # the released words ([] when withheld whole)
    withheld: str = ""   # when the whole item is withheld: its reason code and reason; "" otherwise
    facts: list[tuple[str, str]] = field(default_factory=list)  # ("Recorded by", "Support worker"), ...


@dataclass(frozen=True)
class Section:
    title: str
    intro: str
    items: list[ShownItem]


@dataclass(frozen=True)
class Art15:
    """What UK GDPR Art 15(1) and (2) require beside the data itself."""

    purposes: list[str]
    recipients: list[str]
    retention: str
    sources: list[str]
    rights: list[str]
    complain: str
    automated: str
    safeguards: str  # Art 15(2): transfers outside the UK


@dataclass(frozen=True)
class ReleaseView:
    organisation: str
    organisation_contact: str      # how to reach the organisation (phone, address, email)
    client_name: str
    client_number: int
    received_on: dt.date
    prepared_on: dt.date
    draft: bool                    # a draft (the command line's, or before release) says so on every page
    sections: list[Section]
    art15: Art15
    withheld_items: int
    redactions: int
    supported_reading: str = ""    # the pack's offer of supported reading (DVIP 9.11), never instead of the copy
    exemptions: list[tuple[str, str]] = field(default_factory=list)  # (code, what it means) for each code used

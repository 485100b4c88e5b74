"""The subject-access copy as a PDF (UK GDPR Art 15): what the client receives, laid out by
confide.pdf (WeasyPrint, tagged, A4, the Noto fonts) from templates/pdf/subject_access.html.

It prints a ReleaseView (confide.subject_access.view) and nothing else: the view holds only what is
released, and a withheld passage or item only as its reason, so nothing withheld can reach the page.
The client's name is printed on the cover only: never in the PDF's title or metadata, never in the
file's name, never in a heading (headings become the PDF's bookmarks)."""

from __future__ import annotations

import datetime as dt
import re
from dataclasses import dataclass

from confide.pdf import render_pdf

from .view import Part, ReleaseView, ShownItem

__all__ = ["TITLE", "release_filename", "render_release"]

TITLE = "Subject access copy"
DRAFT = "DRAFT: not for release"
BLANK_LINE = re.compile(r"\n[ \t]*\n\s*")


@dataclass(frozen=True)
class Piece:
    """A run of a paragraph: released words, or the box standing for words withheld."""

    text: str = ""
    withheld: str = ""


def render_release(view: ReleaseView) -> bytes:
    """The copy as a PDF, titled "Subject access copy" (no name in it)."""
    sections = [{"number": number, "anchor": f"section-{number}", "section": section,
                 "items": [_item(item) for item in section.items]}
                for number, section in enumerate(view.sections, 1)]
    context = {
        "view": view,
        "sections": sections,
        "item_count": sum(len(section.items) for section in view.sections),
        "draft_words": DRAFT,
        "mentions_ico": _mentions_ico(view.art15.complain),
        "footer": (f"{TITLE}{' (draft)' if view.draft else ''}: client number {view.client_number}, "
                   f"prepared on {_long_date(view.prepared_on)}"),
    }
    return render_pdf("pdf/subject_access.html", context, title=TITLE)


def release_filename(view: ReleaseView) -> str:
    """The file's name: the client's number and the day it was prepared, never their name."""
    return f"subject-access-copy-{int(view.client_number)}-{view.prepared_on.isoformat()}.pdf"


def _item(item: ShownItem) -> dict:
    return {"item": item, "paragraphs": [] if item.withheld else paragraphs(item.parts)}


def paragraphs(parts: list[Part]) -> list[list[Piece]]:
    """The item's parts as paragraphs: its words split at blank lines (single line breaks are kept
    within a paragraph), each withheld box in its place in the flow of the words around it."""
    result: list[list[Piece]] = [[]]
    for part in parts:
        if part.withheld:
            result[-1].append(Piece(withheld=part.withheld))
            continue
        for index, chunk in enumerate(BLANK_LINE.split(part.text.replace("\r\n", "\n"))):
            if index:
                result.append([])
            if chunk:
                result[-1].append(Piece(text=chunk))
    tidy: list[list[Piece]] = []
    for paragraph in result:
        if paragraph and not paragraph[0].withheld:
            paragraph[0] = Piece(text=paragraph[0].text.lstrip())
        if paragraph and not paragraph[-1].withheld:
            paragraph[-1] = Piece(text=paragraph[-1].text.rstrip())
        paragraph = [piece for piece in paragraph if piece.withheld or piece.text]
        if paragraph:
            tidy.append(paragraph)
    return tidy


def _mentions_ico(words: str) -> bool:
    """Whether the organisation's own words on complaining already name the Information Commissioner
    (if not, the copy adds a sentence that does)."""
    lowered = words.lower()
    return "information commissioner" in lowered or "ico" in re.findall(r"[a-z]+", lowered)


MONTHS = ("January", "February", "March", "April", "May", "June", "July", "August", "September", "October",
          "November", "December")


def _long_date(day: dt.date) -> str:
    """3 May 2026, whatever the process's locale."""
    return f"{day.day} {MONTHS[day.month - 1]} {day.year}"

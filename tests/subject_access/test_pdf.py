"""The subject-access copy as a PDF (confide/subject_access/pdf.py): rendered by real WeasyPrint and
read back as the client, a copy-and-paste, a screen reader and a file list would get it: every page's
text (pypdf, and poppler's pdftotext), the metadata and bookmarks, and the file's bytes with every
stream decompressed. The view holds only what is released (a withheld passage or item is its reason),
so what is checked is that the released words all arrive, each box says why and nothing more, a draft
says so on every page, and the client's name is on the cover and nowhere else in the file."""

from __future__ import annotations

import datetime as dt
import io
import re
import shutil
import subprocess
import zlib
from dataclasses import replace
from pathlib import Path

import pytest
from pypdf import PdfReader

from confide.subject_access.pdf import release_filename, render_release
from confide.subject_access.view import Art15, Part, ReleaseView, Section, ShownItem

NAME = "Zoë Ní Bhriain"
THIRD_PARTY = "Sch 2 para 16: third party"
SERIOUS_HARM = "Sch 3 para 5: serious harm"
DRAFT = "DRAFT: not for release"
ART15 = Art15(
    purposes=["To give you support and to keep you and your children safe"],
    recipients=["Eastmere Children's Services, with your consent"],
    retention="We keep your file for six years after we last work with you, then destroy it.",
    sources=["You, when you talked to us", "The police, when they referred you to us"],
    rights=["You can ask us to correct anything that is wrong"],
    complain="Please tell our manager first, on 01632 960000.",
    automated="No decision about you is made by a computer alone.",
    safeguards="Your information is not sent outside the UK.",
)


def note(number: int, *parts: Part, **changes) -> ShownItem:
    item = ShownItem(number=number, kind="Note", title="Note of a telephone call", on=dt.date(2026, 5, 3),
                     parts=list(parts), facts=[("Recorded by", "Support worker")])
    return replace(item, **changes)


def make_view(*, draft: bool = False, name: str = NAME, sections: list[Section] | None = None, **changes) -> ReleaseView:
    if sections is None:
        sections = [
            Section("Notes of our conversations", "What staff wrote after talking with you.", [
                note(1, Part("You told me own words here about the move.\nThen "), Part(withheld=THIRD_PARTY),
                     Part(" came to the door.\n\nWe agreed own words here to call on Friday.")),
                note(2, Part("Second note, own words here, all of it released.")),
            ]),
            Section("Risk assessments", "Assessments of the risks to you.", [
                # Withheld whole: what compile may still fill in (kind, title, date, facts) is not printed.
                ShownItem(number=3, kind="Police risk form", title="Form from Constable Hollis Vantreight",
                          on=dt.date(2026, 2, 9), parts=[], withheld=SERIOUS_HARM,
                          facts=[("Written by", "Officer Quennell Ashgrove")]),
            ]),
        ]
    view = ReleaseView(
        organisation="Eastmere Women's Aid", organisation_contact="01632 960000\nrequests@example.org",
        client_name=name, client_number=4217, received_on=dt.date(2026, 4, 20), prepared_on=dt.date(2026, 5, 12),
        draft=draft, sections=sections, art15=ART15, withheld_items=1, redactions=1,
        supported_reading="A worker can go through this copy with you, in person or by telephone.",
        exemptions=[("Sch 2 para 16", "Information about other people"),
                    ("Sch 3 para 5", "Information that could cause serious harm")],
    )
    return replace(view, **changes)


def read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf), strict=True)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in read(pdf).pages]


def squash(text: str) -> str:
    return " ".join(text.split())


def bookmarks(outline) -> list[str]:
    titles: list[str] = []
    for entry in outline:
        titles += bookmarks(entry) if isinstance(entry, list) else [entry.title]
    return titles


def every_byte(pdf: bytes) -> bytes:
    """The file and every stream in it decompressed (object streams hold the bookmarks, the
    structure tree and the metadata once compressed)."""
    chunks = [pdf]
    for stream in re.finditer(rb"stream\r?\n(.*?)\r?\nendstream", pdf, re.S):
        try:
            chunks.append(zlib.decompress(stream.group(1)))
        except zlib.error:
            chunks.append(stream.group(1))
    return b"\n".join(chunks)


def pdftotext(pdf: bytes, tmp_path: Path) -> str:
    if not shutil.which("pdftotext"):
        pytest.fail("pdftotext is needed (apt-get install poppler-utils)")
    path = tmp_path / "copy.pdf"
    path.write_bytes(pdf)
    return subprocess.run(["pdftotext", "-enc", "UTF-8", str(path), "-"], check=True, capture_output=True,
                          text=True).stdout


@pytest.fixture(scope="module")
def final() -> bytes:
    return render_release(make_view(draft=False))


@pytest.fixture(scope="module")
def draft() -> bytes:
    return render_release(make_view(draft=True))


# --- what the client reads --------------------------------------------------------------------------
def test_the_released_words_are_all_there_with_each_withheld_passage_a_box_saying_why(final):
    text = squash(" ".join(page_texts(final)))
    assert text.count("own words here") == 3
    assert ("You told me own words here about the move. Then Withheld: Sch 2 para 16: third party came to the "
            "door.") in text
    assert "We agreed own words here to call on Friday." in text
    assert "Second note, own words here, all of it released." in text
    assert "Item 1: Note of a telephone call" in text and "Item 2: Note of a telephone call" in text
    assert "Note · 3 May 2026 · Recorded by: Support worker" in text


def test_an_item_withheld_whole_is_only_its_box_and_reason(final):
    text = squash(" ".join(page_texts(final)))
    assert "Item 3 withheld: Sch 3 para 5: serious harm" in text
    for detail in ("Police risk form", "Hollis Vantreight", "Quennell Ashgrove", "9 February 2026"):
        assert detail not in text, detail
    assert b"Vantreight" not in every_byte(final), "not in a bookmark either"


def test_line_breaks_and_paragraphs_are_kept_as_written(final):
    lines = [squash(line) for line in page_texts(final)[3].splitlines()]
    assert "You told me own words here about the move." in lines
    at = lines.index("You told me own words here about the move.")
    assert lines[at + 1] == "Then Withheld: Sch 2 para 16: third party came to the door."
    assert lines[at + 2] == "We agreed own words here to call on Friday."


def test_the_cover_says_what_it_is_for_whom_and_when(final):
    cover = squash(page_texts(final)[0])
    for words in ("Eastmere Women's Aid", "Your information: a copy of the records we hold about you",
                  f"For: {NAME}", "Client number: 4217", "We received your request on: 20 April 2026",
                  "This copy was prepared on: 12 May 2026", "01632 960000 requests@example.org"):
        assert words in cover, words


def test_how_to_read_it_explains_the_boxes_each_reason_and_the_offer_of_support(final):
    guide = squash(page_texts(final)[1])
    assert guide.startswith("How to read this copy")
    assert "The law lets us hold back information about other people" in guide
    assert "that could cause serious harm" in guide
    assert "Sch 2 para 16 Information about other people" in guide
    assert "Sch 3 para 5 Information that could cause serious harm" in guide
    assert "A worker can go through this copy with you, in person or by telephone." in guide
    assert "as well as this copy, never instead of it" in guide
    without = squash(page_texts(render_release(make_view(supported_reading="", exemptions=[])))[1])
    assert "Reading it with support" not in without and "Sch 2 para 16" not in without


def test_the_contents_give_each_sections_items_and_the_page_it_starts_on(final):
    texts = page_texts(final)
    contents = squash(texts[2])
    assert contents.startswith("Contents")
    for title, count in (("Notes of our conversations", "2 items"), ("Risk assessments", "1 item")):
        page = int(re.search(re.escape(f"{title}: {count}, from page ") + r"(\d+)", contents).group(1))
        assert texts[page - 1].lstrip().startswith(title), (title, texts[page - 1][:80])


def test_the_rights_and_other_information_the_law_requires(final):
    text = squash(" ".join(page_texts(final)))
    rights = text[text.index("Your rights and other information The law says"):]
    for line in (*ART15.purposes, *ART15.recipients, ART15.retention, *ART15.sources, *ART15.rights,
                 ART15.complain, ART15.automated, ART15.safeguards):
        assert line in rights, line
    # Where the organisation's words leave out the ICO, the copy says the client can go to it.
    assert "complain to the Information Commissioner's Office (ICO)" in rights
    mentioned = replace(ART15, complain="You can complain to the ICO at ico.org.uk.")
    again = squash(" ".join(page_texts(render_release(make_view(art15=mentioned)))))
    assert "You can complain to the ICO at ico.org.uk." in again
    assert "Information Commissioner's Office" not in again


def test_the_summary_counts_items_whole_items_withheld_and_passages_boxed(final):
    summary = squash(page_texts(final)[-1])
    assert "This copy has 3 items. 1 item was withheld whole. 1 passage was covered by a box." in summary
    none = squash(page_texts(render_release(make_view(withheld_items=0, redactions=2)))[-1])
    assert "No item was withheld whole. 2 passages were covered by a box." in none


def test_what_is_printed_is_text_never_markup():
    words = '<b>own</b> & <img src="http://127.0.0.1:9/x.png"> £250'
    view = make_view(sections=[Section("Notes", "", [note(1, Part(words))])])
    assert words in squash(" ".join(page_texts(render_release(view))))


# --- a draft ----------------------------------------------------------------------------------------
def test_a_draft_says_so_on_every_page_and_on_the_cover(draft):
    texts = page_texts(draft)
    assert len(texts) >= 5
    for number, text in enumerate(texts, 1):
        assert DRAFT in text, number
    assert squash(texts[0]).count(DRAFT) == 2, "at the top of the page, and on the cover itself"
    assert "Subject access copy (draft): client number 4217" in texts[0]


def test_a_copy_for_release_says_draft_nowhere(final):
    assert len(page_texts(final)) >= 5
    assert not any("draft" in text.lower() for text in page_texts(final))
    assert read(final).metadata.title == "Subject access copy"


# --- the name: on the cover, never in the file's name, metadata or bookmarks -----------------------
def test_the_name_is_in_no_metadata_bookmark_or_file_name(draft):
    reader = read(draft)
    assert dict(reader.metadata) == {"/Title": "Subject access copy", "/Producer": "Confide"}
    assert reader.xmp_metadata is None
    assert "Zoë" not in " ".join(bookmarks(reader.outline)) and "Bhriain" not in " ".join(bookmarks(reader.outline))
    assert "Item 1: Note of a telephone call" in bookmarks(reader.outline)
    raw = every_byte(draft)
    for piece in (NAME, "Bhriain"):
        for encoding in ("utf-8", "utf-16-be", "latin-1"):
            assert piece.encode(encoding) not in raw, (piece, encoding)
    view = make_view(draft=True)
    assert release_filename(view) == "subject-access-copy-4217-2026-05-12.pdf"
    assert f"For: {NAME}" in squash(page_texts(draft)[0])


@pytest.mark.parametrize("name", [NAME, "فاطمة الزهراء", "عمران حسین", "রহিমা খাতুন"])
def test_a_name_in_any_script_is_printed_and_read_back_exactly(name):
    pdf = render_release(make_view(name=name))
    cover = [line.strip() for line in page_texts(pdf)[0].splitlines()]
    assert f"For: {name}" in cover, cover
    assert "?" not in page_texts(pdf)[0]
    assert name not in release_filename(make_view(name=name))


# --- the boxes read as words, not nonsense ---------------------------------------------------------
def test_pdftotext_reads_each_box_label_whole_wherever_it_falls_on_the_line(tmp_path):
    # Boxes at every distance from the line's end, so that some wrap: each still reads as its words.
    items = [note(n, Part("own words here " + "word " * n), Part(withheld=THIRD_PARTY), Part(" and then own words."))
             for n in range(1, 25)]
    long_reason = "Sch 2 para 16: third party, a relative whose address and workplace were described"
    items.append(note(25, Part("Before "), Part(withheld=long_reason), Part(" after.")))
    text = squash(pdftotext(render_release(make_view(sections=[Section("Notes", "", items)])), tmp_path))
    for n in range(1, 25):
        assert f"own words here {'word ' * n}Withheld: {THIRD_PARTY} and then own words." in text, n
    assert f"Before Withheld: {long_reason} after." in text
    assert text.count("Withheld: ") == 25


# --- a long file ------------------------------------------------------------------------------------
def test_a_file_of_300_items_is_printed_whole_and_in_order():
    sections = [Section(f"Part {s} of the file", "", [
        note(s * 30 + n + 1, Part(f"Entry {s * 30 + n + 1} own words here, long enough to wrap across the page "
                                  "once the date and the worker's name are added to it."),
             *([Part(withheld=THIRD_PARTY), Part(" end.")] if n % 7 == 0 else []))
        for n in range(30)]) for s in range(10)]
    pdf = render_release(make_view(sections=sections, withheld_items=0, redactions=50))
    texts = page_texts(pdf)
    assert len(texts) > 30
    text = squash(" ".join(texts))
    assert [int(n) for n in re.findall(r"Entry (\d+) own words here", text)] == list(range(1, 301))
    assert text.count(f"Withheld: {THIRD_PARTY}") == 50
    assert "This copy has 300 items." in text
    assert all(f"Part {s} of the file: 30 items, from page" in squash(texts[2]) for s in range(10))

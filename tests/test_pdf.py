"""confide/pdf.py: the dependency-free PDF writer, read back with pypdf (a test-only dependency)."""

from __future__ import annotations

import io
import re

import pytest
from pypdf import PdfReader

from confide.pdf import MARGIN, PAGE_HEIGHT, PAGE_WIDTH, Block, render_pdf, render_pdf_report
from confide.policy import load_pack
from confide.policy.explain import render_document

FOOTER = "Confide · DVIP · consent form"
PAGE_NUMBER = re.compile(r"\s*Page (\d+) of (\d+)\s*$")


def read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-1.4\n") and pdf.rstrip().endswith(b"%%EOF")
    return PdfReader(io.BytesIO(pdf), strict=True)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in read(pdf).pages]


def body_lines(pdf: bytes, footer: str = FOOTER) -> list[str]:
    """The extracted lines of every page, in order, without each page's footer line."""
    lines: list[str] = []
    for text in page_texts(pdf):
        page = text.splitlines()
        assert PAGE_NUMBER.search(page[-1]), page[-1]
        assert page[-1].startswith(footer)
        lines += page[:-1]
    return lines


def squash(text: str) -> str:
    return " ".join(text.split())


def consent_blocks(document: str) -> list[Block]:
    """The plain-text consent form as blocks, as a caller would build them: title, a subtitle, then
    paragraphs and numbered items, with the text's own wrapping undone so the PDF wraps it."""
    lines = document.splitlines()
    blocks = [Block("title", lines[0]), Block("paragraph", lines[1]), Block("rule")]
    groups, current = [], []
    for line in lines[2:]:
        if line.strip():
            current.append(line)
        elif current:
            groups.append(current)
            current = []
    groups.append(current) if current else None
    for group in groups:
        if re.match(r"\d+\) ", group[0]):
            items: list[str] = []
            for line in group:
                if re.match(r"\d+\) ", line):
                    items.append(line)
                else:
                    items[-1] += " " + line.strip()
            blocks += [Block("item", item) for item in items]
        elif any("____" in line for line in group):
            blocks.append(Block("paragraph", "\n".join(group)))
        else:
            blocks.append(Block("paragraph", " ".join(group)))
    return blocks


# --- what a reader sees -----------------------------------------------------------------------------
def test_every_line_of_the_dvip_consent_form_is_in_the_pdf_in_order():
    document = render_document(load_pack("dvip"), "victim_consent")
    pdf = render_pdf(consent_blocks(document), title="Victim's consent", footer=FOOTER)
    extracted = squash(" ".join(body_lines(pdf)))
    position = 0
    for line in filter(None, map(squash, document.splitlines())):
        found = extracted.find(line, position)
        assert found >= 0, f"missing or out of order: {line!r}"
        position = found + len(line)
    assert "1) We will not share anything you tell us" in extracted


def test_a_long_document_spills_onto_pages_each_numbered_page_n_of_m_and_loses_nothing():
    blocks = [Block("title", "Disclosure record")]
    for n in range(1, 121):
        blocks += [Block("heading", f"Disclosure {n}"),
                   Block("paragraph", f"Paragraph {n} says what went, to whom and why, in a sentence long "
                                      "enough to wrap across the width of the page at least once.")]
    pdf = render_pdf(blocks, title="Disclosure record", footer=FOOTER)
    texts = page_texts(pdf)
    assert len(texts) >= 5
    for number, text in enumerate(texts, 1):
        last = text.splitlines()[-1]
        assert last.startswith(FOOTER) and last.endswith(f"Page {number} of {len(texts)}"), last
    extracted = squash(" ".join(body_lines(pdf)))
    assert [int(n) for n in re.findall(r"Paragraph (\d+) says", extracted)] == list(range(1, 121))
    assert [int(n) for n in re.findall(r"Disclosure (\d+)", extracted)] == list(range(1, 121))


def test_text_stays_inside_the_margins_of_an_a4_page():
    blocks = [Block("title", "A title " * 12), Block("paragraph", "words and more words " * 200),
              Block("item", "1) " + "an item that wraps " * 30), Block("field", "a value " * 60, label="Reason"),
              Block("signature", label="Signed")]
    reader = read(render_pdf(blocks, title="t", footer=FOOTER))
    for page in reader.pages:
        assert (float(page.mediabox.width), float(page.mediabox.height)) == (PAGE_WIDTH, PAGE_HEIGHT)
        origins: list[tuple[float, float, str]] = []

        def visit(text, cm, tm, font, size, origins=origins):
            origins.append((tm[4], tm[5], text))

        page.extract_text(visitor_text=visit)
        assert len(origins) > 10
        for x, y, text in origins:
            if text.strip() and not text.startswith(FOOTER) and not PAGE_NUMBER.match(text):
                assert MARGIN <= x < PAGE_WIDTH - MARGIN and MARGIN <= y <= PAGE_HEIGHT - MARGIN, (x, y, text)


def test_pages_are_a4():
    reader = read(render_pdf([Block("paragraph", "x")], title="t"))
    box = reader.pages[0].mediabox
    assert (round(float(box.width), 2), round(float(box.height), 2)) == (595.28, 841.89)


def test_wrapping_uses_the_real_glyph_widths():
    # "WWWW" is four times as wide as "iiii" in Helvetica: a count of characters would wrap both alike.
    wide = body_lines(render_pdf([Block("paragraph", " ".join(["WWWW"] * 60))], title="t", footer=FOOTER))
    narrow = body_lines(render_pdf([Block("paragraph", " ".join(["iiii"] * 200))], title="t", footer=FOOTER))
    assert [len(line.split()) for line in wide] == [11] * 5 + [5]
    assert [len(line.split()) for line in narrow] == [39] * 5 + [5]


def test_line_breaks_in_a_paragraph_are_kept_and_a_word_too_long_for_a_line_is_broken_not_lost():
    word = "x" * 400
    lines = body_lines(render_pdf([Block("paragraph", f"First line\nSecond line\n\n{word}\nlast")],
                                  title="t", footer=FOOTER))
    assert lines[:2] == ["First line", "Second line"]
    assert len(lines) > 5  # the long word takes several lines
    assert "".join(lines).count("x") == 400
    assert lines[-1] == "last"


def test_items_fields_and_signatures_read_as_a_person_would_say_them():
    blocks = [Block("item", "1) Police, for the child's safety"), Block("item", "No marker given"),
              Block("field", "Social services", label="Recipient"), Block("field", "2025-06-01", label="Date:"),
              Block("signature", label="Signed"), Block("signature", "Name of professional", label="Approved by"),
              Block("rule"), Block("space"), Block("paragraph", "After the gap")]
    lines = [squash(line) for line in body_lines(render_pdf(blocks, title="t", footer=FOOTER))]
    assert lines == ["1) Police, for the child's safety", "• No marker given", "Recipient: Social services",
                     "Date: 2025-06-01", "Signed:", "Approved by:", "Name of professional", "After the gap"]


def test_pound_dashes_curly_quotes_and_accents_survive():
    text = "£250 – paid — on Zoë’s “request” • café… €10 naïve Ødegård"
    pdf, replaced = render_pdf_report([Block("heading", text), Block("paragraph", text)], title="t", footer=FOOTER)
    assert replaced is False
    assert body_lines(pdf) == [text, text]


def test_parentheses_and_backslashes_survive():
    text = r"a (b) c) ( d\e \\server\share\ end\ (x"
    title = "Consent (Smith) \\ ) ("
    pdf = render_pdf([Block("paragraph", text), Block("field", text, label="Path (UNC)")], title=title,
                     footer="(footer) \\")
    assert body_lines(pdf, footer="(footer) \\") == [text, f"Path (UNC): {text}"]
    assert read(pdf).metadata.title == title


def test_characters_winansi_cannot_print_are_replaced_and_reported():
    pdf, replaced = render_pdf_report([Block("paragraph", "Łucja Wiśniewska")], title="Łucja Wiśniewska",
                                      footer=FOOTER)
    assert replaced is True
    assert body_lines(pdf) == ["Lucja Wisniewska"]
    assert read(pdf).metadata.title == "Łucja Wiśniewska"  # the document title is kept exactly

    pdf, replaced = render_pdf_report([Block("paragraph", "Ağa ő ☎ 😀 Ω đ")], title="t", footer=FOOTER)
    assert replaced is True
    assert body_lines(pdf) == ["Aga o ? ? ? d"]

    # Only the footer or a label needing a replacement counts too.
    assert render_pdf_report([], title="t", footer="Łódź")[1] is True
    assert render_pdf_report([Block("field", "x", label="Łódź")], title="t")[1] is True


def test_latin_1_text_and_decomposed_accents_need_no_replacement():
    pdf, replaced = render_pdf_report([Block("paragraph", "Zoë Ødegård, Ñandú, Œuvre, Straße, e\u0301")],
                                      title="t", footer=FOOTER)
    assert replaced is False
    assert body_lines(pdf) == ["Zoë Ødegård, Ñandú, Œuvre, Straße, é"]
    # A soft hyphen is invisible: leaving it out loses nothing, so it is not reported.
    assert render_pdf_report([Block("paragraph", "confi\u00addential")], title="t")[1] is False
    assert render_pdf(
        [Block("paragraph", "confi\u00addential")], title="t") == render_pdf([Block("paragraph", "confidential")],
                                                                              title="t")


def test_same_input_gives_identical_bytes():
    document = render_document(load_pack("dvip"), "victim_consent")
    first = render_pdf(consent_blocks(document), title="Consent – Łucja", footer=FOOTER)
    second = render_pdf(consent_blocks(document), title="Consent – Łucja", footer=FOOTER)
    assert first == second
    assert render_pdf(consent_blocks(document), title="Consent – Anna", footer=FOOTER) != first


def test_the_pdf_declares_its_title_producer_and_standard_fonts_without_embedding_any():
    pdf = render_pdf([Block("title", "Consent"), Block("paragraph", "Body")], title="Consent for A. Client")
    reader = read(pdf)
    assert reader.metadata.title == "Consent for A. Client"
    assert reader.metadata.producer == "Confide"
    fonts = reader.pages[0]["/Resources"]["/Font"]
    assert sorted(str(f["/BaseFont"]) for f in fonts.values()) == ["/Helvetica", "/Helvetica-Bold"]
    for font in fonts.values():
        assert font["/Encoding"] == "/WinAnsiEncoding"
        assert "/FontDescriptor" not in font
    assert b"CreationDate" not in pdf and b"ModDate" not in pdf


def test_an_empty_document_is_still_a_valid_one_page_pdf():
    pdf = render_pdf([], title="Nothing")
    texts = page_texts(pdf)
    assert len(texts) == 1
    assert texts[0].strip() == "Page 1 of 1"


def test_an_unknown_block_kind_is_refused():
    with pytest.raises(ValueError, match="unknown block kind 'table'"):
        render_pdf([Block("table", "x")], title="t")

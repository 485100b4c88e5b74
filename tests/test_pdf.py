"""confide/pdf.py: documents from templates through WeasyPrint, read back with pypdf (a test-only
dependency), as a reader's copy-and-paste or a screen reader would get them."""

from __future__ import annotations

import io
import re
import socket
import threading
from types import SimpleNamespace

import pytest
from pypdf import PdfReader

from confide.pdf import RefusedFetch, html_to_pdf, render_pdf
from confide.policy import load_pack
from confide.policy.explain import render_document
from confide.sharing.documents import consent_form_pdf, statement_pdf

# The names issue 13 asks for: Polish, Romanian, Arabic (right to left), Punjabi (Gurmukhi) and Chinese.
NAMES = ["Zofia Wójcik", "Ștefan Drăgulescu", "فاطمة الزهراء", "ਹਰਪ੍ਰੀਤ ਕੌਰ", "陈美玲"]
# And Urdu and Bengali, which the issue names as scripts a client's name may be written in.
MORE = ["عمران حسین", "রহিমা খাতুন"]
FOOTER = "Victim's consent: wording version 3, policy version 2"
PAGE_NUMBER = re.compile(r"Page (\d+) of (\d+)\s*$")


def read(pdf: bytes) -> PdfReader:
    assert pdf.startswith(b"%PDF-")
    return PdfReader(io.BytesIO(pdf), strict=True)


def page_texts(pdf: bytes) -> list[str]:
    return [page.extract_text() for page in read(pdf).pages]


def squash(text: str) -> str:
    return " ".join(text.split())


def statement(parts: list[dict], heading: str = "A statement", footer: str = FOOTER, title: str = "A statement") -> bytes:
    return render_pdf("pdf/statement.html", {"heading": heading, "parts": parts, "footer": footer}, title=title)


def wording(text: str, title: str = "Victim's consent") -> SimpleNamespace:
    return SimpleNamespace(title=title, text=text, version=3, pack_version=2)


# --- any script, exactly ----------------------------------------------------------------------------
def test_each_name_in_five_scripts_comes_back_exactly_as_typed():
    pdf = statement([{"kind": "paragraph", "text": f"Name: {name}"} for name in NAMES + MORE])
    lines = [line.strip() for line in page_texts(pdf)[0].splitlines()]
    for name in NAMES + MORE:
        # Exactly, and in logical order: the Arabic comes back as typed (first letter first), though
        # the page holds its shaped glyphs right to left; Gurmukhi's conjunct (ਪ੍ਰ) and vowel signs,
        # drawn as single glyphs, come back as the characters they were made from.
        assert f"Name: {name}" in lines, (name, lines)


def test_the_names_are_printed_in_real_fonts_for_their_scripts_not_replaced():
    reader = read(statement([{"kind": "paragraph", "text": name} for name in NAMES]))
    fonts = {str(font["/BaseFont"]).split("+")[-1] for font in reader.pages[0]["/Resources"]["/Font"].values()}
    assert "Noto-Sans" in fonts, fonts
    assert any("Arabic" in name for name in fonts), fonts
    assert any("Gurmukhi" in name for name in fonts), fonts
    assert any("CJK" in name for name in fonts), fonts
    assert "?" not in reader.pages[0].extract_text()


def test_a_name_in_a_title_footer_and_label_is_kept_too():
    consent = SimpleNamespace(scope_text="Police, for the children's safety", get_given_by_display=lambda: "A parent",
                              get_how_display=lambda: "In writing", given_on=None, expires_on=None)
    pdf = consent_form_pdf(wording("Consent\nWe will ask first.\n"), consent, given_by_name="فاطمة الزهراء")
    assert "Given by: A parent: فاطمة الزهراء" in squash(page_texts(pdf)[0])


# --- what a reader sees -----------------------------------------------------------------------------
def test_every_line_of_the_dvip_consent_form_is_in_the_pdf_in_order():
    document = render_document(load_pack("dvip"), "victim_consent")
    pdf = consent_form_pdf(wording(document))
    extracted = squash(" ".join(page_texts(pdf)))
    position = 0
    for line in filter(None, map(squash, document.replace("____________________", "").splitlines())):
        line = line.rstrip(":")
        found = extracted.find(line, position)
        assert found >= 0, f"missing or out of order: {line!r}"
        position = found + len(line)
    assert "1) We will not share anything you tell us" in extracted


def test_each_page_carries_the_footer_and_page_n_of_m_and_nothing_is_lost():
    parts = []
    for n in range(1, 121):
        parts.append({"kind": "paragraph", "text": f"Paragraph {n} says what went, to whom and why, in a sentence "
                                                   "long enough to wrap across the width of the page at least once."})
    texts = page_texts(statement(parts))
    assert len(texts) >= 3
    for number, text in enumerate(texts, 1):
        assert FOOTER in text, text[-200:]
        assert PAGE_NUMBER.search(text) and PAGE_NUMBER.search(text).groups() == (str(number), str(len(texts))), text[-80:]
    extracted = squash(" ".join(texts))
    assert [int(n) for n in re.findall(r"Paragraph (\d+) says", extracted)] == list(range(1, 121))


def test_pages_are_a4():
    box = read(statement([{"kind": "paragraph", "text": "x"}])).pages[0].mediabox
    assert (round(float(box.width)), round(float(box.height))) == (595, 842)


def test_items_and_lines_to_sign_read_as_a_person_would_say_them():
    pdf = statement_pdf(wording("The limits\n1) Police, for the\n   child's safety\n\nSigned: ____________________\n"))
    lines = [squash(line) for line in page_texts(pdf)[0].splitlines()]
    assert lines[:3] == ["The limits", "1) Police, for the child's safety", "Signed:"]


def test_what_is_printed_is_text_never_markup():
    pdf = statement([{"kind": "paragraph", "text": '<b>bold</b> & <img src="http://127.0.0.1:9/x.png"> £250 – “quoted”'}])
    assert '<b>bold</b> & <img src="http://127.0.0.1:9/x.png"> £250 – “quoted”' in squash(page_texts(pdf)[0])


def test_a_long_word_is_broken_onto_lines_not_lost_off_the_page():
    word = "x" * 400
    text = page_texts(statement([{"kind": "paragraph", "text": word}]))[0]
    body = [line for line in text.splitlines() if set(line.strip()) == {"x"}]
    assert len(body) > 2 and "".join(line.strip() for line in body) == word


# --- for screen readers, and what the file says about itself ----------------------------------------
def test_the_pdf_is_tagged_in_british_english_with_its_title_and_no_more_metadata():
    pdf = statement([{"kind": "paragraph", "text": "Body"}], title="Information shared by Test Support Service")
    reader = read(pdf)
    root = reader.trailer["/Root"]
    assert "/StructTreeRoot" in root, "no structure tree: a screen reader gets no headings or reading order"
    assert root["/MarkInfo"]["/Marked"] == True  # noqa: E712 (a pypdf BooleanObject)
    assert root["/Lang"] == "en-GB"
    assert reader.metadata.title == "Information shared by Test Support Service"
    assert reader.metadata.producer == "Confide"
    assert set(reader.metadata) == {"/Title", "/Producer"}, "no author, dates or software version"


# --- nothing fetched from anywhere ------------------------------------------------------------------
@pytest.fixture
def listener():
    """A server on a free local port that counts the connections it is sent."""
    server = socket.socket()
    server.bind(("127.0.0.1", 0))
    server.listen()
    server.settimeout(0.2)
    seen: list[int] = []
    stop = threading.Event()

    def accept():
        while not stop.is_set():
            try:
                conn, _ = server.accept()
            except OSError:
                continue
            seen.append(1)
            conn.close()

    thread = threading.Thread(target=accept, daemon=True)
    thread.start()
    yield server.getsockname()[1], seen
    stop.set()
    thread.join()
    server.close()


@pytest.mark.parametrize("markup", [
    '<img src="http://127.0.0.1:{port}/logo.png" alt="">',
    '<link rel="stylesheet" href="http://127.0.0.1:{port}/x.css">',
    '<p style="background: url(http://127.0.0.1:{port}/x.png)">x</p>',
    '<style>@font-face {{ font-family: X; src: url(http://127.0.0.1:{port}/x.woff) }} p {{ font-family: X }}</style><p>x</p>',
])
def test_an_address_on_the_network_is_refused_and_never_contacted(listener, markup):
    port, seen = listener
    html = f"<!doctype html><html lang='en-GB'><head><title>t</title></head><body>{markup.format(port=port)}</body></html>"
    with pytest.raises(RefusedFetch, match="only Confide's own files"):
        html_to_pdf(html)
    assert seen == []


def test_a_file_outside_confides_own_static_files_is_refused():
    for address in ("file:///etc/passwd", "../../settings.py", "data:text/css,p{color:red}"):
        with pytest.raises(RefusedFetch):
            html_to_pdf(f"<html><head><link rel='stylesheet' href='{address}'></head><body>x</body></html>")


def test_confides_own_stylesheet_is_used():
    # pdf.css sets A4 with "Page N of M" at the foot: without it there is no page number.
    assert "Page 1 of 1" in page_texts(statement([{"kind": "paragraph", "text": "x"}]))[0]
    assert "Page 1 of 1" not in page_texts(html_to_pdf("<html><body><p>x</p></body></html>"))[0]


def test_without_pango_a_pdf_says_what_to_install(monkeypatch):
    import builtins

    from confide import pdf as module

    real_import = builtins.__import__

    def no_pango(name, *args, **kwargs):
        if name.startswith("weasyprint"):
            raise OSError("cannot load library 'libpango-1.0-0'")
        return real_import(name, *args, **kwargs)

    module._weasyprint.cache_clear()
    monkeypatch.setattr(builtins, "__import__", no_pango)
    try:
        with pytest.raises(module.PdfUnavailable, match="apt-get install libpango-1.0-0 .*fonts-noto-core fonts-noto-cjk"):
            html_to_pdf("<html><body>x</body></html>")
    finally:
        monkeypatch.undo()
        module._weasyprint.cache_clear()
    assert html_to_pdf("<html><body>x</body></html>").startswith(b"%PDF-")


def test_the_faster_page_references_give_every_link_and_tag_the_right_page():
    """confide/pdf.py builds pydyf's page references once per page added, not once per tagged element:
    the references read while pages are still being added are the new list each time, and a
    many-page tagged document links each heading in its outline to its own page."""
    import pydyf

    html_to_pdf("<html><head><title>T</title></head><body><p>x</p></body></html>")  # loads WeasyPrint and pydyf
    prop = pydyf.PDF.__dict__["page_references"]
    pdf = pydyf.PDF()
    seen = []
    for _ in range(3):
        page = pydyf.Dictionary({"Type": "/Page"})
        pdf.add_object(page)
        pdf.add_page(page)
        seen.append(pdf.page_references)
    assert [len(refs) for refs in seen] == [1, 2, 3], "a page added is a reference more"
    if getattr(prop.fget, "confide", False):
        assert pdf.page_references == prop.fget.original(pdf)
    body = "".join(f'<h2 id="h{n}">Heading {n}</h2><p style="break-after: page">page {n}</p>' for n in range(1, 13))
    reader = PdfReader(io.BytesIO(html_to_pdf(f"<html><head><title>T</title></head><body>{body}</body></html>")))
    targets = [reader.get_destination_page_number(o) for o in reader.outline]
    assert targets == list(range(12)), "each heading's bookmark opens its own page"

"""A small PDF writer for printable documents: consent forms and disclosure records.

No third-party library: the output is plain text, headings and lines, which PDF 1.4 can carry with
its built-in fonts. What it does, and the choices made:

* A4 pages, 56 pt margins, Helvetica and Helvetica-Bold (two of the 14 standard PDF fonts) with
  WinAnsiEncoding, so no font file is embedded and every reader can show the text. Text is wrapped
  with the real glyph widths of those fonts (the tables below), breaking words that are too long
  for a line. Pages break automatically and each carries the footer and "Page N of M".
* Text is drawn one line per text-showing operator, in reading order, in uncompressed content
  streams, so tools such as pdftotext and pypdf extract it as it reads.
* Output is reproducible: the same input gives the same bytes (no dates, no random document ID).
  The document title goes into /Info exactly, as UTF-16; it may hold a client's name, which is
  acceptable as the file is given only to those allowed to see it.
* WinAnsiEncoding covers printable ASCII, Latin-1 and a few more (€, ‘ ’ “ ”, – —, •, …, Œ œ, Š š,
  Ž ž, Ÿ, ‹ ›, „ ‚, †, ‡, ‰, ™, ƒ, ˆ, ˜). Any other character is never dropped unnoticed and never
  raises: a letter becomes its base letter (ś → s, ő → o, through Unicode NFKD, and Ł → L, đ → d,
  ı → i and a few more through a small table, as NFKD does not decompose them), a few punctuation
  marks become their nearest WinAnsi form (− → -, ‐ → -), and anything else becomes "?".
  `render_pdf_report` says whether that happened, so that the caller can add a line such as "Some
  characters could not be printed in this PDF; the record in Confide holds them exactly." Only
  invisible formatting characters (soft hyphen, zero-width space and joiners, word joiner, byte
  order mark) are left out without counting as a replacement; tabs print as a space.

Block kinds: "title" (16 pt bold), "heading" (12 pt bold, kept with what follows), "paragraph"
(10.5 pt; a "\\n" in the text starts a new line), "item" (a numbered or bulleted line with a hanging
indent: a leading marker such as "1)", "2.", "(a)", "iv)", "•" or "-" followed by a space is used as
the marker, otherwise a bullet is added), "field" (the label in bold with a colon, then the value;
the value wraps under itself), "rule" (a horizontal line), "space" (one blank line) and "signature"
(the label, then a line to sign on; `text`, if also given, is printed small under the line).
Labels get a colon unless they already end with one.

The glyph widths come from Adobe's Core 14 AFM metrics for Helvetica and Helvetica-Bold:
Copyright (c) 1985, 1987, 1989, 1990, 1997, 1998, 1999 Adobe Systems Incorporated. All Rights
Reserved. Helvetica is a trademark of Linotype-Hell AG and/or its subsidiaries. Adobe permits the
use of the AFM data for any purpose provided the copyright notice is retained.
"""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

__all__ = ["Block", "render_pdf", "render_pdf_report"]

KINDS = frozenset({"title", "heading", "paragraph", "item", "field", "rule", "space", "signature"})


@dataclass(frozen=True)
class Block:
    kind: str  # "title" | "heading" | "paragraph" | "item" | "field" | "rule" | "space" | "signature"
    text: str = ""
    label: str = ""  # for "field" and "signature"


# Page geometry, in points (1/72 inch).
PAGE_WIDTH = 595.28
PAGE_HEIGHT = 841.89
MARGIN = 56.0
LINE_WIDTH = PAGE_WIDTH - 2 * MARGIN

TITLE_SIZE = 16.0
HEADING_SIZE = 12.0
BODY_SIZE = 10.5
CAPTION_SIZE = 8.5
FOOTER_SIZE = 8.5
LEADING = 1.35  # line spacing, as a multiple of the font size

FOOTER_BASELINE = 28.0  # the footer's last line, from the bottom edge
ITEM_INDENT = 20.0
SIGNATURE_LINE = 250.0  # the longest line to sign on

REGULAR, BOLD = "F1", "F2"

# Advance widths, in 1/1000 of the font size, of WinAnsi codes 0x20 to 0xFF (0 where the code has
# no glyph). From Adobe's Core 14 AFM files Helvetica.afm and Helvetica-Bold.afm.
_HELVETICA = (
    278, 278, 355, 556, 556, 889, 667, 191, 333, 333, 389, 584, 278, 333, 278, 278,  # 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 278, 278, 584, 584, 584, 556,  # 0x30
    1015, 667, 667, 722, 722, 667, 611, 778, 722, 278, 500, 667, 556, 833, 722, 778,  # 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 278, 278, 278, 469, 556,  # 0x50
    333, 556, 556, 500, 556, 556, 278, 556, 556, 222, 222, 500, 222, 833, 556, 556,  # 0x60
    556, 556, 333, 500, 278, 556, 500, 722, 500, 500, 500, 334, 260, 334, 584, 0,  # 0x70
    556, 0, 222, 556, 333, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,  # 0x80
    0, 222, 222, 333, 333, 350, 556, 1000, 333, 1000, 500, 333, 944, 0, 500, 667,  # 0x90
    278, 333, 556, 556, 556, 556, 260, 556, 333, 737, 370, 556, 584, 333, 737, 333,  # 0xa0
    400, 584, 333, 333, 333, 556, 537, 278, 333, 333, 365, 556, 834, 834, 834, 611,  # 0xb0
    667, 667, 667, 667, 667, 667, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,  # 0xc0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,  # 0xd0
    556, 556, 556, 556, 556, 556, 889, 500, 556, 556, 556, 556, 278, 278, 278, 278,  # 0xe0
    556, 556, 556, 556, 556, 556, 556, 584, 611, 556, 556, 556, 556, 500, 556, 500,  # 0xf0
)
_HELVETICA_BOLD = (
    278, 333, 474, 556, 556, 889, 722, 238, 333, 333, 389, 584, 278, 333, 278, 278,  # 0x20
    556, 556, 556, 556, 556, 556, 556, 556, 556, 556, 333, 333, 584, 584, 584, 611,  # 0x30
    975, 722, 722, 722, 722, 667, 611, 778, 722, 278, 556, 722, 611, 833, 722, 778,  # 0x40
    667, 778, 722, 667, 611, 722, 667, 944, 667, 667, 611, 333, 278, 333, 584, 556,  # 0x50
    333, 556, 611, 556, 611, 556, 333, 611, 611, 278, 278, 556, 278, 889, 611, 611,  # 0x60
    611, 611, 389, 556, 333, 611, 556, 778, 556, 556, 500, 389, 280, 389, 584, 0,  # 0x70
    556, 0, 278, 556, 500, 1000, 556, 556, 333, 1000, 667, 333, 1000, 0, 611, 0,  # 0x80
    0, 278, 278, 500, 500, 350, 556, 1000, 333, 1000, 556, 333, 944, 0, 500, 667,  # 0x90
    278, 333, 556, 556, 556, 556, 280, 556, 333, 737, 370, 556, 584, 333, 737, 333,  # 0xa0
    400, 584, 333, 333, 333, 611, 556, 278, 333, 333, 365, 556, 834, 834, 834, 611,  # 0xb0
    722, 722, 722, 722, 722, 722, 1000, 722, 667, 667, 667, 667, 278, 278, 278, 278,  # 0xc0
    722, 722, 778, 778, 778, 778, 778, 584, 778, 722, 722, 722, 722, 667, 667, 611,  # 0xd0
    556, 556, 556, 556, 556, 556, 889, 556, 556, 556, 556, 556, 278, 278, 278, 278,  # 0xe0
    611, 611, 611, 611, 611, 611, 611, 584, 611, 611, 611, 611, 611, 556, 611, 556,  # 0xf0
)
_WIDTHS = {REGULAR: _HELVETICA, BOLD: _HELVETICA_BOLD}

# Letters that NFKD leaves whole, with the letter printed in their place (also applied to what NFKD
# gives, so "‑" → "‐" → "-").
_BASE_LETTERS = {
    "Ł": "L", "ł": "l", "Đ": "D", "đ": "d", "Ħ": "H", "ħ": "h", "ı": "i", "Ŧ": "T", "ŧ": "t",
    "Ŋ": "N", "ŋ": "n", "ĸ": "k", "Ɨ": "I", "ɨ": "i", "Ƶ": "Z", "ƶ": "z", "Ɓ": "B", "ɓ": "b",
    "Ɗ": "D", "ɗ": "d", "Ƙ": "K", "ƙ": "k", "ȷ": "j", "Ǝ": "E", "ǝ": "e", "ə": "e", "Ə": "E",
    "ʻ": "‘", "ʼ": "’", "ˈ": "'",
    # Punctuation with a near WinAnsi twin.
    "‐": "-", "‑": "-", "‒": "–", "―": "—", "−": "-", "′": "'", "″": '"', "‴": "'''",
    "⁄": "/", "∕": "/", "◦": "•", "▪": "•", "‣": "•", "⁃": "-",
}
# Invisible formatting characters: nothing to print, so leaving them out loses nothing.
_INVISIBLE = frozenset("\u00ad\u200b\u200c\u200d\u2060\ufeff")


def _encodable(ch: str) -> bool:
    try:
        code = ch.encode("cp1252")[0]
    except UnicodeEncodeError:
        return False
    return code >= 0x20 and code != 0x7F


def _printable(text: str) -> tuple[str, bool]:
    """`text` with only characters WinAnsi can print, and whether any had to be replaced."""
    text = unicodedata.normalize("NFC", text.replace("\r\n", "\n").replace("\r", "\n").replace("\t", " "))
    out: list[str] = []
    replaced = False
    for ch in text:
        if ch in _INVISIBLE:  # before the WinAnsi test: a soft hyphen would print as a hyphen
            continue
        if ch == "\n" or _encodable(ch):
            out.append(ch)
            continue
        replaced = True
        if ch in _BASE_LETTERS:
            out.append(_BASE_LETTERS[ch])
            continue
        if unicodedata.combining(ch):  # a stray accent: its letter is already printed
            continue
        base = "".join(c for c in unicodedata.normalize("NFKD", ch) if not unicodedata.combining(c))
        base = "".join(_BASE_LETTERS.get(c, c) for c in base)
        if base and all(_encodable(c) for c in base) and base != ch:
            out.append(base)
        else:
            out.append("?")
    return "".join(out), replaced


def _width(text: str, font: str, size: float) -> float:
    widths = _WIDTHS[font]
    return sum(widths[b - 0x20] for b in text.encode("cp1252")) * size / 1000


def _break_word(word: str, font: str, size: float, width: float) -> list[str]:
    """A word too long for a line, in pieces that fit (at least one character each)."""
    pieces, current = [], ""
    for ch in word:
        if current and _width(current + ch, font, size) > width:
            pieces.append(current)
            current = ""
        current += ch
    if current:
        pieces.append(current)
    return pieces


def _wrap(text: str, font: str, size: float, first: float, rest: float | None = None) -> list[str]:
    """Lines of `text` no wider than `first` (the first line) and `rest` (the others).

    A "\\n" starts a new line. Lines break at spaces; spaces where a line breaks are not printed;
    spaces that begin a line in the text are kept, as indentation."""
    rest = first if rest is None else rest
    lines: list[str] = []
    for source in text.split("\n"):
        current = ""
        for token in re.findall(r"[^ ]+| +", source):
            limit = first if not lines else rest
            if _width(current + token, font, size) <= limit:
                current += token
                continue
            if token.startswith(" "):  # the break falls here
                lines.append(current)
                current = ""
                continue
            if current.strip():
                lines.append(current.rstrip(" "))
                current = ""
                limit = rest
            pieces = _break_word(token, font, size, limit)
            lines.extend(pieces[:-1])
            current = pieces[-1]
        lines.append(current.rstrip(" ") if current.strip() else "")
    return lines


def _num(value: float) -> str:
    text = f"{value:.2f}".rstrip("0").rstrip(".")
    return "0" if text in ("", "-0") else text


def _string(text: str) -> str:
    """A PDF literal string holding `text` in WinAnsi, with ( ) \\ escaped and other bytes in octal."""
    out = []
    for byte in text.encode("cp1252"):
        if byte in b"()\\":
            out.append("\\" + chr(byte))
        elif 0x20 <= byte < 0x7F:
            out.append(chr(byte))
        else:
            out.append(f"\\{byte:03o}")
    return "(" + "".join(out) + ")"


_MARKER = re.compile(r"(\(?(?:\d{1,3}|[A-Za-z]|[ivxlcdmIVXLCDM]{1,6})[.)]|[•\-–—*·]) +(?=\S)")


class _Layout:
    """Places lines on pages, top to bottom; each page is a list of content-stream operators."""

    def __init__(self, bottom: float):
        self.bottom = bottom
        self.pages: list[list[str]] = []
        self._new_page()

    def _new_page(self) -> None:
        self.pages.append([])
        self.top = PAGE_HEIGHT - MARGIN  # where the next line's box starts
        self.fresh = True  # nothing on this page yet

    @property
    def ops(self) -> list[str]:
        return self.pages[-1]

    def need(self, height: float) -> None:
        """Start a new page unless `height` more points fit on this one (a taller block is split)."""
        if not self.fresh and self.top - height < self.bottom:
            self._new_page()

    def gap(self, points: float) -> None:
        if not self.fresh:
            self.top -= points

    def line(self, parts: list[tuple[str, str]], size: float, x: float, *, shifts: list[float] | None = None,
             grey: float = 0.0) -> float:
        """One line of text made of (font, text) parts, in one BT/ET; returns its baseline.

        `shifts` moves the text that follows each part on by that many points (a hanging indent)."""
        leading = size * LEADING
        self.need(leading)
        baseline = self.top - size
        ops = [f"q {_num(grey)} g BT"] if grey else ["BT"]  # the colour is graphics state: q/Q restores it
        ops.append(f"1 0 0 1 {_num(x)} {_num(baseline)} Tm")
        for i, (font, text) in enumerate(parts):
            ops.append(f"/{font} {_num(size)} Tf")
            shift = (shifts or [0.0] * len(parts))[i]
            if shift:
                ops.append(f"[{_string(text)} {_num(-shift * 1000 / size)}] TJ")
            else:
                ops.append(f"{_string(text)} Tj")
        ops.append("ET Q" if grey else "ET")
        self.ops.append(" ".join(ops))
        self.top -= leading
        self.fresh = False
        return baseline

    def hline(self, x1: float, x2: float, y: float, width: float = 0.5, grey: float = 0.45) -> None:
        self.ops.append(f"q {_num(grey)} G {_num(width)} w {_num(x1)} {_num(y)} m {_num(x2)} {_num(y)} l S Q")
        self.fresh = False


def _label(text: str) -> str:
    text = text.strip()
    return text if not text or text.endswith(":") else text + ":"


def _place(layout: _Layout, block: Block, following: Block | None) -> None:
    kind = block.kind
    body_leading = BODY_SIZE * LEADING
    if kind in ("title", "heading"):
        size = TITLE_SIZE if kind == "title" else HEADING_SIZE
        layout.gap(10 if kind == "heading" else 4)
        lines = _wrap(block.text, BOLD, size, LINE_WIDTH)
        # Keep a heading with at least one line of what follows it.
        keep = body_leading if following is not None and following.kind not in ("rule", "space") else 0
        layout.need(len(lines) * size * LEADING + keep)
        for line in lines:
            layout.line([(BOLD, line)], size, MARGIN)
        layout.top -= 6 if kind == "title" else 2
    elif kind == "paragraph":
        for line in _wrap(block.text, REGULAR, BODY_SIZE, LINE_WIDTH):
            layout.line([(REGULAR, line)], BODY_SIZE, MARGIN)
        layout.top -= 6
    elif kind == "item":
        text = block.text.lstrip(" ")
        match = _MARKER.match(text)
        marker, text = (match.group(1), text[match.end():]) if match else ("•", text)
        marker_width = _width(marker + " ", REGULAR, BODY_SIZE)
        indent = max(ITEM_INDENT, marker_width + 2)
        lines = _wrap(text, REGULAR, BODY_SIZE, LINE_WIDTH - indent)
        layout.line([(REGULAR, marker + " "), (REGULAR, lines[0])], BODY_SIZE, MARGIN,
                    shifts=[indent - marker_width, 0.0])
        for line in lines[1:]:
            layout.line([(REGULAR, line)], BODY_SIZE, MARGIN + indent)
        layout.top -= 3
    elif kind == "field":
        label = _label(block.label)
        label_width = _width(label + " ", BOLD, BODY_SIZE) if label else 0.0
        hang = label_width if label_width <= LINE_WIDTH / 3 else ITEM_INDENT
        if label_width > LINE_WIDTH - 60:  # a label too long for one line: it wraps, the value goes under
            for line in _wrap(label, BOLD, BODY_SIZE, LINE_WIDTH):
                layout.line([(BOLD, line)], BODY_SIZE, MARGIN)
            lines = _wrap(block.text, REGULAR, BODY_SIZE, LINE_WIDTH - hang)
            first: list[tuple[str, str]] = [(REGULAR, lines[0])]
            first_x = MARGIN + hang
        else:
            lines = _wrap(block.text, REGULAR, BODY_SIZE, LINE_WIDTH - label_width, LINE_WIDTH - hang)
            first = [(BOLD, label + " "), (REGULAR, lines[0])] if label else [(REGULAR, lines[0])]
            first_x = MARGIN
        layout.line(first, BODY_SIZE, first_x)
        for line in lines[1:]:
            layout.line([(REGULAR, line)], BODY_SIZE, MARGIN + hang)
        layout.top -= 3
    elif kind == "rule":
        layout.gap(4)
        layout.need(10)
        layout.hline(MARGIN, PAGE_WIDTH - MARGIN, layout.top - 4)
        layout.top -= 10
    elif kind == "space":
        layout.gap(body_leading)
    elif kind == "signature":
        label = _label(block.label or block.text)
        caption = block.text if block.label else ""
        lines = _wrap(label, REGULAR, BODY_SIZE, LINE_WIDTH - 120)
        caption_lines = _wrap(caption, REGULAR, CAPTION_SIZE, LINE_WIDTH) if caption else []
        room = 22.0  # space above the line to write in
        layout.gap(room)
        layout.need(len(lines) * body_leading + len(caption_lines) * CAPTION_SIZE * LEADING + 4)
        if layout.fresh:
            layout.top -= room
        for line in lines[:-1]:
            layout.line([(REGULAR, line)], BODY_SIZE, MARGIN)
        baseline = layout.line([(REGULAR, lines[-1])], BODY_SIZE, MARGIN)
        start = MARGIN + _width(lines[-1], REGULAR, BODY_SIZE) + 6
        layout.hline(start, min(start + SIGNATURE_LINE, PAGE_WIDTH - MARGIN), baseline - 1.5, width=0.75, grey=0)
        for line in caption_lines:
            layout.line([(REGULAR, line)], CAPTION_SIZE, start, grey=0.3)
        layout.top -= 8


def _footer(page: int, pages: int, footer_lines: list[str]) -> str:
    ops = []
    leading = FOOTER_SIZE * LEADING
    y = FOOTER_BASELINE + (len(footer_lines) - 1) * leading
    for line in footer_lines:
        ops.append(f"q 0.3 g BT 1 0 0 1 {_num(MARGIN)} {_num(y)} Tm /{REGULAR} {_num(FOOTER_SIZE)} Tf "
                   f"{_string(line)} Tj ET Q")
        y -= leading
    number = f"Page {page} of {pages}"
    x = PAGE_WIDTH - MARGIN - _width(number, REGULAR, FOOTER_SIZE)
    ops.append(f"q 0.3 g BT 1 0 0 1 {_num(x)} {_num(FOOTER_BASELINE)} Tm /{REGULAR} {_num(FOOTER_SIZE)} Tf "
               f"{_string(number)} Tj ET Q")
    return "\n".join(ops)


def _text_string(text: str) -> str:
    """A PDF text string holding `text` exactly (UTF-16BE with a byte order mark), for /Info."""
    return "<FEFF" + text.encode("utf-16-be").hex().upper() + ">"


def _layout(blocks: list[Block], footer: str) -> list[str]:
    # The page number is sized for up to 9999 pages, so the footer text never runs into it.
    number_width = _width("Page 9999 of 9999", REGULAR, FOOTER_SIZE)
    footer_lines = _wrap(footer, REGULAR, FOOTER_SIZE, LINE_WIDTH - number_width - 12) if footer else []
    footer_top = FOOTER_BASELINE + max(len(footer_lines) - 1, 0) * FOOTER_SIZE * LEADING + FOOTER_SIZE
    layout = _Layout(bottom=max(MARGIN, footer_top + 14))
    for i, block in enumerate(blocks):
        _place(layout, block, blocks[i + 1] if i + 1 < len(blocks) else None)
    total = len(layout.pages)
    return ["\n".join([*ops, _footer(n, total, footer_lines)]) for n, ops in enumerate(layout.pages, 1)]


def _check(blocks: list[Block]) -> None:
    for block in blocks:
        if block.kind not in KINDS:
            raise ValueError(f"unknown block kind {block.kind!r}; expected one of {', '.join(sorted(KINDS))}")


def render_pdf_report(blocks: list[Block], *, title: str, footer: str = "") -> tuple[bytes, bool]:
    """The PDF, and True if any character could not be printed as it is and was replaced."""
    _check(blocks)
    replaced = False
    printable: list[Block] = []
    for block in blocks:
        text, text_replaced = _printable(block.text)
        label, label_replaced = _printable(block.label)
        replaced = replaced or text_replaced or label_replaced
        printable.append(Block(block.kind, text, label))
    footer, footer_replaced = _printable(footer)
    replaced = replaced or footer_replaced
    streams = _layout(printable, footer)

    # Objects: 1 catalog, 2 page tree, 3 and 4 fonts, 5 info, then a page and its contents per page.
    objects: list[bytes] = []
    page_ids = [6 + 2 * i for i in range(len(streams))]
    objects.append(b"<< /Type /Catalog /Pages 2 0 R /Lang (en-GB) "
                   b"/ViewerPreferences << /DisplayDocTitle true >> >>")
    kids = " ".join(f"{p} 0 R" for p in page_ids)
    objects.append(f"<< /Type /Pages /Kids [{kids}] /Count {len(page_ids)} >>".encode())
    for name in ("Helvetica", "Helvetica-Bold"):
        objects.append(f"<< /Type /Font /Subtype /Type1 /BaseFont /{name} /Encoding /WinAnsiEncoding >>".encode())
    objects.append(f"<< /Title {_text_string(title)} /Producer (Confide) >>".encode())
    media_box = f"[0 0 {_num(PAGE_WIDTH)} {_num(PAGE_HEIGHT)}]"
    for page_id, stream in zip(page_ids, streams, strict=True):
        objects.append(f"<< /Type /Page /Parent 2 0 R /MediaBox {media_box} /Resources << /Font << "
                       f"/{REGULAR} 3 0 R /{BOLD} 4 0 R >> >> /Contents {page_id + 1} 0 R >>".encode())
        data = stream.encode("ascii")
        objects.append(b"<< /Length %d >>\nstream\n" % len(data) + data + b"\nendstream")

    out = bytearray(b"%PDF-1.4\n%\xe2\xe3\xcf\xd3\n")
    offsets = []
    for number, body in enumerate(objects, 1):
        offsets.append(len(out))
        out += b"%d 0 obj\n" % number + body + b"\nendobj\n"
    xref = len(out)
    out += b"xref\n0 %d\n0000000000 65535 f \n" % (len(objects) + 1)
    for offset in offsets:
        out += b"%010d 00000 n \n" % offset
    digest = hashlib.md5(bytes(out), usedforsecurity=False).hexdigest().upper()  # an ID from the content
    out += (f"trailer\n<< /Size {len(objects) + 1} /Root 1 0 R /Info 5 0 R /ID [<{digest}> <{digest}>] >>\n"
            f"startxref\n{xref}\n%%EOF\n").encode()
    return bytes(out), replaced


def render_pdf(blocks: list[Block], *, title: str, footer: str = "") -> bytes:
    """The PDF for `blocks`. See `render_pdf_report` to learn whether any character was replaced."""
    return render_pdf_report(blocks, title=title, footer=footer)[0]

"""Printable documents: a Django template under templates/pdf/, laid out and written as PDF by
WeasyPrint (issue 13 point 7; it replaced a hand-written Windows-1252 writer that printed "?" for a
client called فاطمة and lost the accents of Wójcik).

What this module decides, so that no caller has to:

* Fonts come from the system through fontconfig: the Noto families (Debian's fonts-noto-core and
  fonts-noto-cjk, installed by the README's setup and .ci/run) cover every script a name may be
  written in; Pango and HarfBuzz shape them (Arabic joined, Gurmukhi and Bengali with their
  conjuncts). Only the glyphs used are embedded.
* Nothing is fetched from the network, ever: WeasyPrint is given a URL fetcher that answers only for
  Confide's own files under static/confide/ (the stylesheet) and stops the rendering at any other
  address. Templates escape what they print, so client text cannot add an address either.
* The PDF is tagged (a structure tree, for screen readers), its language is en-GB, and its metadata
  holds only the title the caller gives (which must not be a client's name: a title shows in a
  viewer's window and a recipient's file list) and "Confide" as the producer. No author, no dates.
* WeasyPrint is imported at the first PDF: a machine without Pango serves every page, and a PDF
  asked for there fails saying which Debian packages to install (`PdfUnavailable`).
"""

from __future__ import annotations

import functools
import logging
from pathlib import Path
from urllib.parse import unquote, urlsplit

from django.template.loader import render_to_string

__all__ = ["PdfUnavailable", "RefusedFetch", "STYLESHEET", "html_to_pdf", "render_pdf"]

STATIC = (Path(__file__).parent / "web" / "static" / "confide").resolve()
STYLESHEET = STATIC / "pdf.css"
SYSTEM_PACKAGES = "libpango-1.0-0 libpangoft2-1.0-0 libharfbuzz-subset0 fonts-noto-core fonts-noto-cjk"


class RefusedFetch(RuntimeError):
    """A template asked for something other than Confide's own files (a mistake in the template)."""


class PdfUnavailable(RuntimeError):
    """WeasyPrint's system libraries (Pango) are not installed: every page works, PDFs do not."""


@functools.cache
def _weasyprint():
    """WeasyPrint, imported at the first PDF rather than at start-up, so that a machine without
    Pango still serves every page and says plainly what a PDF needs."""
    # WeasyPrint tells its progress ("Step 5 - Creating layout - Page 1") at INFO from the moment it
    # is imported: no use in Confide's log.
    logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)
    try:
        import pydyf
        from weasyprint import HTML
        from weasyprint.urls import FatalURLFetchingError, URLFetcher
    except OSError as missing:
        raise PdfUnavailable(f"PDFs need Pango and the Noto fonts: apt-get install {SYSTEM_PACKAGES} "
                             f"(the README's setup) ({missing})") from None

    class LocalFilesOnly(URLFetcher):
        """Reads Confide's own static files and refuses every other address (http, https, ftp, data,
        a file elsewhere on the disk) by stopping the rendering: a document that asks for anything
        else is a mistake in a template, to be found by its tests, never a request to send."""

        def fetch(self, url, headers=None):
            parts = urlsplit(url)
            if parts.scheme == "file" and parts.netloc in ("", "localhost"):
                path = Path(unquote(parts.path)).resolve()
                if path.is_relative_to(STATIC) and path.is_file():
                    return super().fetch(path.as_uri(), headers)
            # The address comes from a template (which prints no client text into one), so it may be named.
            raise ValueError(f"a PDF may use only Confide's own files; refused {url[:80]}")

    _linear_page_references(pydyf)

    def producer(document, pdf) -> None:
        # WeasyPrint writes its name and version; what goes to another agency names no software version.
        pdf.info["Producer"] = pydyf.String("Confide")

    return HTML, LocalFilesOnly, FatalURLFetchingError, producer


def _linear_page_references(pydyf) -> None:
    """pydyf 0.13's `PDF.page_references` builds the tuple of every page's reference each time it is
    read, and WeasyPrint reads it once for every tagged element: pages × elements, 19.5 million steps
    for a 339-page subject-access copy (bench/sar.py: 16 % of its time). The same tuple, built again
    only when a page has been added since. Only the property pydyf 0.13 has is replaced; any other
    version is left as it is (tests/test_pdf.py holds that the references are unchanged)."""
    original = pydyf.PDF.__dict__.get("page_references")
    if not isinstance(original, property) or getattr(original.fget, "confide", False):
        return

    def page_references(self):
        kids = self.pages["Kids"]
        cached = self.__dict__.get("_confide_page_references")
        if cached is None or cached[0] != len(kids):
            cached = (len(kids), original.fget(self))
            self.__dict__["_confide_page_references"] = cached
        return cached[1]

    page_references.confide = True  # type: ignore[attr-defined]
    page_references.original = original.fget  # type: ignore[attr-defined]
    pydyf.PDF.page_references = property(page_references)


def render_pdf(template: str, context: dict, *, title: str) -> bytes:
    """The PDF of `template` (a name under templates/pdf/ extending pdf/base.html) with `context`,
    titled `title` (shown by viewers and kept in the metadata: never a client's name)."""
    return html_to_pdf(render_to_string(template, {**context, "title": title}))


def html_to_pdf(html: str) -> bytes:
    """The PDF of a whole HTML document (its <title> is the PDF's title; "pdf.css" and any other
    relative address is read from static/confide/)."""
    HTML, LocalFilesOnly, FatalURLFetchingError, producer = _weasyprint()
    fetcher = LocalFilesOnly(allowed_protocols=("file",), allow_redirects=False, fail_on_errors=True)
    try:
        document = HTML(string=html, base_url=STATIC.as_uri() + "/", url_fetcher=fetcher)
        return document.write_pdf(pdf_tags=True, finisher=producer)
    except FatalURLFetchingError as refused:  # a BaseException: made an ordinary error, so a page shows it as one
        raise RefusedFetch(str(refused.__cause__ or refused)) from None

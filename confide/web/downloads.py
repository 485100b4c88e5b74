"""Every file Confide hands over, built in one place.

A download is saved under a neutral name, its kind and number (`document-381.pdf`), never the name
it was uploaded with: a browser keeps the names of downloads in its history, and an original name
("Zelda-tenancy-Łódź.pdf") would leave a client's name on a shared computer after sign-out. The
extension comes from the original name only if it is one of a short list, else from the content
type. The header itself is Django's (content_disposition_header), so it is always well formed."""

from __future__ import annotations

import re

from django.http import HttpResponse
from django.utils.http import content_disposition_header

# Extensions a download may keep: common documents and images a support service is sent.
EXTENSIONS = frozenset({"pdf", "txt", "rtf", "csv", "doc", "docx", "odt", "xls", "xlsx", "ods",
                        "jpg", "jpeg", "png", "gif", "heic", "eml", "msg"})
BY_CONTENT_TYPE = {
    "application/pdf": "pdf", "text/plain": "txt", "text/csv": "csv", "application/rtf": "rtf",
    "text/rtf": "rtf", "application/msword": "doc",
    "application/vnd.openxmlformats-officedocument.wordprocessingml.document": "docx",
    "application/vnd.oasis.opendocument.text": "odt", "application/vnd.ms-excel": "xls",
    "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet": "xlsx",
    "application/vnd.oasis.opendocument.spreadsheet": "ods", "image/jpeg": "jpg", "image/png": "png",
    "image/gif": "gif", "image/heic": "heic", "message/rfc822": "eml",
}
_UNSAFE = re.compile(r"[^A-Za-z0-9-]+")


def _extension(name: str) -> str:
    stem, dot, ext = name.rpartition(".")
    ext = ext.lower()
    return ext if dot and stem and ext in EXTENSIONS else ""


def neutral_name(name: str, content_type: str = "", original: str = "") -> str:
    """`name` (a kind and a number, e.g. "document-381", or a generated "consent-7.pdf") as a file
    name of ASCII letters, digits and hyphens, with a safe extension; nothing of `original` but its
    extension, and that only if it is on the list."""
    ext = _extension(name)
    stem = name[: -len(ext) - 1] if ext else name
    stem = _UNSAFE.sub("-", stem).strip("-")[:80] or "download"
    ext = ext or _extension(original) or BY_CONTENT_TYPE.get(content_type.split(";")[0].strip().lower(), "")
    return f"{stem}.{ext}" if ext else stem


def attachment(content: bytes, content_type: str, name: str, *, original: str = "") -> HttpResponse:
    """A file to save, never to show in the browser, kept out of caches, under a neutral name."""
    response = HttpResponse(content, content_type=content_type or "application/octet-stream")
    response["Content-Disposition"] = content_disposition_header(True, neutral_name(name, content_type, original))
    response["Cache-Control"] = "no-store"
    return response

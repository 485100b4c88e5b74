"""Every file Confide hands over, built in one place.

A download is saved under a neutral name, its kind and number (`document-381.pdf`), never the name
it was uploaded with: a browser keeps the names of downloads in its history, and an original name
("Zelda-tenancy-Łódź.pdf") would leave a client's name on a shared computer after sign-out. The
extension comes from the original name only if it is one of a short list, else from the content
type. The response is Django's own FileResponse(as_attachment=True, filename=...), so the header is
always well formed, whatever the name (a non-ASCII one is sent as RFC 6266's filename*)."""

from __future__ import annotations

import io
import re

from django.http import FileResponse

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


def attachment(content: bytes, content_type: str, name: str, *, original: str = "") -> FileResponse:
    """A file to save, never to show in the browser, kept out of caches, under a neutral name.
    `content` is already in memory (decrypted, or generated), so it is handed over from there."""
    response = FileResponse(io.BytesIO(content), as_attachment=True,
                            filename=neutral_name(name, content_type, original),
                            content_type=content_type or "application/octet-stream")
    response["Cache-Control"] = "no-store"
    return response

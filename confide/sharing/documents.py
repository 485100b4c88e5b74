"""The PDFs of consent and sharing: a consent form in the exact wording of its version, a statement
of the limits of confidentiality, one shared entry as the recipient downloads it, and the printable
disclosure record (what went, to whom, why and on what basis). Each is a template under
templates/pdf/ made into a PDF by confide.pdf (WeasyPrint), so any script prints as written.

Callers pass in what they were allowed to read. The one exception is the recipient's copy of a
shared entry: it prints the client's name and date of birth only where the request chose them
(`Disclosure.include_name`, `include_date_of_birth`: chosen, recorded and shown to approvers), read
from the disclosure's own client once the gate has counted and audited the download."""

from __future__ import annotations

import re

from django.utils import timezone

from confide.accounts.models import Organisation
from confide.pdf import render_pdf
from confide.policy import vocab
from confide.records.models import DATA_CATEGORIES

CATEGORY_LABELS = dict(DATA_CATEGORIES)
SIGN_HERE = "____________________"
ITEM = re.compile(r"^\d{1,2}\) ")

_label = vocab.heading


def consent_form_pdf(wording, consent=None, given_by_name: str = "") -> bytes:
    """The form as generated from the pack, in the version's own words; with a consent, the scope
    and dates that person agreed to follow it."""
    agreed = None
    if consent is not None:
        agreed = {"scope": consent.scope_text, "given_by": consent.get_given_by_display(),
                  "given_by_name": given_by_name, "how": consent.get_how_display(), "given_on": consent.given_on,
                  "expires_on": consent.expires_on}
    context = {**_wording_parts(wording), "agreed": agreed, "footer": _footer(wording)}
    return render_pdf("pdf/consent_form.html", context, title=wording.title)


def statement_pdf(wording) -> bytes:
    """A statement of the limits of confidentiality, in the words of its version, to print, give,
    explain or sign (DVIP Appendix A, JustUs 2.1, Home-Start 1.1, ...)."""
    context = {**_wording_parts(wording), "footer": _footer(wording)}
    return render_pdf("pdf/statement.html", context, title=wording.title)


def _footer(wording) -> str:
    # What a client holds names the organisation running Confide, never the pack it was built from.
    return f"{wording.title}: wording version {wording.version}, policy version {wording.pack_version}"


def _wording_parts(wording) -> dict:
    """The wording's text as a heading (its first line) and parts: paragraphs (the text's own
    wrapping undone), numbered items ("1) ...") and lines to sign on ("Signed: ____")."""
    lines = wording.text.rstrip("\n").split("\n")
    parts: list[dict] = []
    paragraph: list[str] = []

    def flush():
        if paragraph:
            text = " ".join(paragraph)
            parts.append({"kind": "item" if ITEM.match(text) else "paragraph", "text": text})
            paragraph.clear()

    for line in lines[1:]:
        if not line.strip():
            flush()
        elif line.endswith(SIGN_HERE):
            flush()
            parts.append({"kind": "signature", "text": line.replace(SIGN_HERE, "").rstrip(": ")})
        elif ITEM.match(line.strip()):
            flush()
            paragraph.append(line.strip())
        else:
            paragraph.append(line.strip())
    flush()
    return {"heading": lines[0], "parts": parts}


def sender_title(organisation) -> str:
    """The title of what a recipient downloads: the sender, never the client nor the pack."""
    return f"Information shared by {organisation.name}" if organisation and organisation.name else "Information shared"


def entry_pdf(disclosure, entry, text: str, *, name: str = "", date_of_birth=None) -> bytes:
    """One shared entry, as the recipient downloads it: from whom, how to call back, about whom
    (only the identifying details the request chose, read and passed in by the gate: `name`,
    `date_of_birth`), why and on what basis, then the entry."""
    # The sender: the organisation, not its pack. Read afresh, not from the process's copy (the
    # header's), so a call-back number changed in the settings is the one printed at once.
    organisation = Organisation.objects.filter(pk=1).first()
    worker = disclosure.requested_by
    direct = (worker.work_phone or "").strip()
    about = {"number": disclosure.client_id, "name": name if disclosure.include_name else "",
             "date_of_birth": date_of_birth if disclosure.include_date_of_birth else None}
    title = sender_title(organisation)
    sender = {field: (getattr(organisation, field) or "").strip() if organisation else ""
              for field in ("name", "address", "phone", "email")}
    context = {
        "organisation": sender,
        "worker": {"name": worker.get_full_name() or worker.get_username(), "direct": bool(direct),
                   "call_back": direct or sender["phone"]},
        "about": about,
        "purpose": _label(disclosure.purpose),
        "grounds": [_label(g) for g in disclosure.grounds],
        "consent": (f"given by the client on {disclosure.consent.given_on:%-d %B %Y}" if disclosure.consent_id else ""),
        "lawful_basis": _basis_texts(disclosure.answer),
        "shared_on": timezone.localtime(disclosure.sent_at) if disclosure.sent_at else timezone.localdate(),
        "entry": {"kind": entry.get_kind_display(), "written_on": timezone.localtime(entry.created_at),
                  "categories": [CATEGORY_LABELS.get(c, c) for c in entry.categories], "text": text},
        "footer": f"{title}, in confidence. Our reference: disclosure {disclosure.pk}, item {entry.pk}.",
    }
    return render_pdf("pdf/shared_entry.html", context, title=title)


def _basis_texts(answer: dict) -> list[str]:
    return [basis if isinstance(basis, str) else str(basis.get("text", basis))
            for basis in answer.get("legal_basis", [])]


DECISIONS = {"permit": "it may be shared", "deny": "it may not be shared",
             "permit_if_approved": "it may be shared if approved"}


def disclosure_record_pdf(disclosure, *, client_name: str, recipient: str, reason: str, approvals: list[dict],
                          downloads: list[dict], sent_note: str) -> bytes:
    """The printable record: what went, to whom, why and on what basis, who approved, and when it
    was sent or downloaded."""
    answer = disclosure.answer
    pack = answer.get("pack") or {}
    chosen = [words for chosen, words in ((disclosure.include_name, "the client's name"),
                                          (disclosure.include_date_of_birth, "their date of birth")) if chosen]
    context = {
        "d": disclosure, "client_name": client_name, "to": recipient or _label(disclosure.recipient_kind),
        "kind": _label(disclosure.recipient_kind), "purpose": _label(disclosure.purpose),
        "grounds": [_label(g) for g in disclosure.grounds], "channel": _label(disclosure.channel),
        "data": [CATEGORY_LABELS.get(d, d) for d in disclosure.data],
        "identifying": " and ".join(chosen).capitalize() if chosen else "The client number only",
        "reason": reason, "decision": DECISIONS.get(answer.get("decision", ""), answer.get("decision", "")),
        "reasons": answer.get("reasons", []), "legal_basis": _basis_texts(answer),
        "approvals": approvals, "downloads": downloads, "sent_note": sent_note,
        "footer": f"Policy pack {pack.get('name', '')} version {pack.get('version', '')}",
    }
    return render_pdf("pdf/disclosure_record.html", context, title=f"Disclosure record {disclosure.pk}")

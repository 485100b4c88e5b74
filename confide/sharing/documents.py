"""The PDFs of consent and sharing: a consent form in the exact wording of its version, one shared
entry as the recipient downloads it, and the printable disclosure record (what went, to whom, why
and on what basis). Callers pass in what they were allowed to read; nothing here fetches."""

from __future__ import annotations

from confide.accounts.models import current_organisation
from confide.pdf import Block, render_pdf_report
from confide.policy import vocab
from confide.records.models import DATA_CATEGORIES

REPLACED = "Some characters could not be printed in this PDF; the record in Confide holds them exactly."
CATEGORY_LABELS = dict(DATA_CATEGORIES)


def _pdf(blocks: list[Block], title: str, footer: str) -> bytes:
    pdf, replaced = render_pdf_report(blocks, title=title, footer=footer)
    if replaced:
        pdf, _ = render_pdf_report([*blocks, Block("space"), Block("paragraph", REPLACED)], title=title, footer=footer)
    return pdf


_label = vocab.heading


def _when(moment) -> str:
    return f"{moment:%-d %B %Y, %H:%M}" if moment else ""


def consent_form_pdf(wording, consent=None, given_by_name: str = "") -> bytes:
    """The form as generated from the pack, in the version's own words; with a consent, the scope
    and dates that person agreed to follow it."""
    blocks = _wording_blocks(wording)
    if consent is not None:
        blocks += [Block("rule"), Block("heading", "What was agreed"), Block("paragraph", consent.scope_text),
                   Block("field", consent.get_given_by_display() + (f": {given_by_name}" if given_by_name else ""),
                         "Given by"),
                   Block("field", consent.get_how_display(), "How"),
                   Block("field", f"{consent.given_on:%-d %B %Y}", "Given on"),
                   Block("field", f"{consent.expires_on:%-d %B %Y}" if consent.expires_on else "No end date", "Ends on")]
    return _pdf(blocks, wording.title, _footer(wording))


def statement_pdf(wording) -> bytes:
    """A statement of the limits of confidentiality, in the words of its version, to print, give,
    explain or sign (DVIP Appendix A, JustUs 2.1, Home-Start 1.1, ...)."""
    return _pdf(_wording_blocks(wording), wording.title, _footer(wording))


def _footer(wording) -> str:
    # What a client holds names the organisation running Confide, never the pack it was built from.
    return f"{wording.title}: wording version {wording.version}, policy version {wording.pack_version}"


def _wording_blocks(wording) -> list[Block]:
    lines = wording.text.rstrip("\n").split("\n")
    blocks = [Block("title", lines[0])]
    paragraph: list[str] = []

    def flush():
        if paragraph:
            blocks.append(Block("paragraph", " ".join(paragraph)))
            paragraph.clear()

    for line in lines[1:]:
        if not line.strip():
            flush()
        elif line.endswith("____________________"):
            flush()
            blocks.append(Block("signature", label=line.replace("____________________", "").rstrip(": ")))
        elif line[:1].isdigit() and ") " in line[:4]:
            flush()
            paragraph.append(line)
        else:
            paragraph.append(line.strip())
    flush()
    return blocks


def entry_pdf(disclosure, entry, text: str) -> bytes:
    """One shared entry, as the recipient downloads it."""
    kind = entry.get_kind_display()
    organisation = current_organisation()  # the sender: the organisation, not its pack
    blocks = [Block("title", f"{kind} shared by {organisation.name if organisation else ''}".strip()),
              Block("field", f"client number {disclosure.client_id}", "About"),
              Block("field", f"{entry.created_at:%-d %B %Y}", "Written on"),
              Block("field", ", ".join(CATEGORY_LABELS.get(c, c) for c in entry.categories), "Kind of information"),
              Block("field", _label(disclosure.purpose), "Shared for"),
              Block("rule"), Block("paragraph", text), Block("rule"),
              Block("paragraph", "Shared in confidence, for the purpose above only. Do not pass it on without "
                                 "asking the organisation that shared it.")]
    return _pdf(blocks, f"{kind} {entry.pk}", f"Disclosure {disclosure.pk}")


def disclosure_record_pdf(disclosure, *, client_name: str, recipient: str, reason: str, approvals: list[dict],
                          downloads: list[dict], sent_note: str) -> bytes:
    """The printable record: what went, to whom, why and on what basis, who approved, and when it
    was sent or downloaded."""
    answer = disclosure.answer
    pack = answer.get("pack") or {}
    blocks = [Block("title", "Disclosure record"),
              Block("field", f"{client_name} (client number {disclosure.client_id})", "Client"),
              Block("field", f"{disclosure.pk}", "Disclosure"),
              Block("field", disclosure.get_status_display(), "Outcome"),
              Block("field", _when(disclosure.requested_at), "Asked for on"),
              Block("field", recipient or _label(disclosure.recipient_kind), "To"),
              Block("field", _label(disclosure.recipient_kind), "Kind of recipient"),
              Block("field", _label(disclosure.purpose), "Purpose"),
              Block("field", ", ".join(_label(g) for g in disclosure.grounds) or "None", "Grounds"),
              Block("field", _label(disclosure.channel), "Channel"),
              Block("field", ", ".join(CATEGORY_LABELS.get(d, d) for d in disclosure.data), "Information"),
              Block("heading", "Reasons given"), Block("paragraph", reason),
              Block("heading", "The policy's answer: " + {"permit": "it may be shared", "deny": "it may not be shared",
                                                          "permit_if_approved": "it may be shared if approved"}
                    .get(answer.get("decision", ""), answer.get("decision", "")))]
    for r in answer.get("reasons", []):
        blocks.append(Block("item", f"{r.get('text', '')} (clause {r.get('clause', '')})"))
    for basis in answer.get("legal_basis", []):
        blocks.append(Block("item", f"Legal basis: {basis if isinstance(basis, str) else basis.get('text', basis)}"))
    if disclosure.agreement_problems:
        blocks.append(Block("heading", "Information-sharing agreement"))
        blocks += [Block("item", p) for p in disclosure.agreement_problems]
    if approvals:
        blocks.append(Block("heading", "Approvals"))
        for a in approvals:
            blocks.append(Block("item", f"{a['decision']} by {a['who']} ({a['role']}) on {_when(a['at'])}, confirmed "
                                        f"with their {a['confirmed_with']}: {a['note']}"))
    if sent_note or downloads:
        blocks.append(Block("heading", "Sent"))
        if sent_note:
            blocks.append(Block("paragraph", sent_note))
        blocks += [Block("item", f"Downloaded through the secure link on {_when(d['at'])}: {d['what']}") for d in downloads]
    footer = f"Policy pack {pack.get('name', '')} version {pack.get('version', '')}"
    return _pdf(blocks, f"Disclosure record {disclosure.pk}", footer)

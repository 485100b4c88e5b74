"""The client's file as a page shows it: each case and entry worked out as plain strings in dicts
(the file page, confide/web/records_views.py, and its printable copy, confide/web/client_views.py),
and addresses for many records reversed once. Reads nothing itself: entries come from the gate."""

from __future__ import annotations

from functools import lru_cache

from django.conf import settings
from django.urls import get_script_prefix, get_urlconf, reverse
from django.utils import timezone
from django.utils.dates import MONTHS, MONTHS_3

from confide.records.entries import entry_text
from confide.records.models import CASE_FLAGS, DATA_CATEGORIES, Case, Entry, RelatedPerson
from confide.web import describe, entry_views
from confide.web.purposes import with_purpose

_URL_ID = 4_611_686_018_427_387_903  # stands for the id in a reversed address; no record has it


@lru_cache(maxsize=64)
def _url_around_id(name: str, urlconf: str, prefix: str) -> tuple[str, str]:
    before, _, after = reverse(name, urlconf=urlconf, args=[_URL_ID]).rpartition(str(_URL_ID))
    return before, after


def url(name: str, pk: int) -> str:
    """reverse(name, args=[pk]), for a page that links to many records: each name is reversed once
    (per URL conf and script prefix), then only the id changes."""
    before, after = _url_around_id(name, get_urlconf() or settings.ROOT_URLCONF, get_script_prefix())
    return f"{before}{int(pk)}{after}"


# The client's file is a page people open all day: what it shows of each case and entry is worked
# out here, as plain strings in dicts, because a template looks up a dict key faster than a
# model's attribute, and formats dates and labels far more slowly than Python (bench/RESULTS.md, web).
CATEGORY_LABELS = dict(DATA_CATEGORIES)
FLAG_LABELS = dict(CASE_FLAGS)
KIND_LABELS = dict(Entry.Kind.choices)
SOURCE_LABELS = {value: label.lower() for value, label in Entry.Source.choices}
RISK_LABELS = dict(Entry.Risk.choices)
STATUS_LABELS = dict(Case.Status.choices)
RELATIONSHIP_LABELS = dict(RelatedPerson.Relationship.choices)


def _day(value) -> str:
    """As the template filter date:"j M Y" writes a date (13 Nov 2026)."""
    return f"{value.day} {str(MONTHS_3[value.month]).title()} {value.year:04d}" if value else ""


def _moment(value) -> str:
    """As the template filter date:"j F Y, H:i" writes a time, in local time (13 November 2026, 20:17)."""
    value = timezone.localtime(value)
    return f"{value.day} {MONTHS[value.month]} {value.year:04d}, {value.hour:02d}:{value.minute:02d}"


REFERRAL_CONSENT = {True: "The family consented to the referral", False: "The family did not consent to the referral"}


def case_row(case, purpose: str) -> dict:
    return {"service": describe.service(case.service), "flags": [FLAG_LABELS.get(f, f) for f in case.flags],
            "referral_consent": REFERRAL_CONSENT.get(case.referral_consent, ""),
            "team": str(case.team), "status": STATUS_LABELS.get(case.status, case.status),
            "referred_on": _day(case.referred_on), "opened_on": _day(case.opened_on),
            "closed_on": _day(case.closed_on), "workers": ", ".join(case.worker_names) if case.worker_names else "None",
            "note_url": with_purpose(url("web:add_note", case.pk), purpose),
            "document_url": with_purpose(url("web:add_document", case.pk), purpose),
            "risk_url": with_purpose(url("web:add_risk_assessment", case.pk), purpose),
            "change_url": with_purpose(url("web:change_case", case.pk), purpose)}


def entry_row(grant, entry, names: dict[int, str], purpose: str, changes: dict[int, dict] | None = None) -> dict:
    row = {"kind": KIND_LABELS.get(entry.kind, entry.kind), "when": _moment(entry.created_at),
           "author": entry.author_name, "unsolicited": entry.unsolicited, "open": grant.may_open(entry)}
    if not row["open"]:
        row["sealed_reason"] = grant.sealed_reason(entry)
        return row
    row.update(entry_views.entry_row_extras(grant, entry, purpose, (changes or {}).get(entry.pk)))
    client = grant.client
    about = ([client.display_name] if entry.about_client else []) + [names.get(pk, "") for pk in entry.about_people_ids]
    clauses = entry.wording_confirmed.get("clauses") if isinstance(entry.wording_confirmed, dict) else None
    row.update(
        text=entry_text(client.pk, entry),  # decrypted only after the gate said yes
        about=", ".join(about), source=SOURCE_LABELS.get(entry.source, entry.source),
        categories=", ".join(CATEGORY_LABELS.get(c, c) for c in entry.categories), sealed=entry.sealed,
        wording_clauses=", ".join(str(c) for c in clauses) if clauses else "",
        risk=RISK_LABELS.get(entry.risk_level, entry.risk_level) if entry.risk_level else "",
        download_url=(with_purpose(url("web:download_document", entry.pk), purpose)
                      if entry.kind == Entry.Kind.DOCUMENT else ""))
    return row

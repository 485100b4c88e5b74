"""Correcting an entry, moving one written in the wrong file, and reading what an entry said before
(UK GDPR Art 16: a correction is a new version; the earlier one is kept, sealed). Thin, as the other
pages: every read through the gate (confide.records.access), every change one do_* function."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.contrib import messages
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from confide.audit.actions import Action
from confide.policy.reasons import RULE
from confide.records.access import (
    access_case_to_write,
    access_client_to_write,
    access_entry_history,
    access_entry_to_change,
)
from confide.records.entries import (
    EntryError,
    EntryFacts,
    do_correct_entry,
    do_move_entry,
    entry_text,
    long_date,
    version_text,
)
from confide.records.models import Entry, EntryVersion
from confide.web import describe
from confide.web.errors import add_to_form
from confide.web.purposes import asks_purpose, with_purpose
from confide.web.record_forms import NUMBER_MESSAGES, ContactFields

_CONTACT_LABELS = dict(Entry.Contact.choices)
_KIND_WORDS = {Entry.Kind.NOTE: "note", Entry.Kind.RISK_ASSESSMENT: "risk assessment", Entry.Kind.DOCUMENT: "document"}
_CHANGE_WORDS = {EntryVersion.Change.CORRECTED: "Corrected", EntryVersion.Change.MOVED: "Moved to this file"}


def contact_summary(kind: str, minutes: int | None, on) -> str:
    """A record of contact in words: "Telephone, 20 minutes, 3 December 2026"; "" for none."""
    if not kind:
        return ""
    parts = [_CONTACT_LABELS.get(kind, kind)]
    if minutes is not None and kind != Entry.Contact.MISSED:
        parts.append("1 minute" if minutes == 1 else f"{minutes} minutes")
    if on:
        parts.append(long_date(on))
    return ", ".join(parts)


def _file_url(client_id: int, purpose: str) -> str:
    return with_purpose(reverse("web:client_file", args=[client_id]), purpose)


def entry_row_extras(grant, entry: Entry, purpose: str, change: dict | None) -> dict:
    """What the client file shows of an entry that opened, beyond its words: the record of contact,
    its last correction or move, and the links to change it and to read its earlier versions, where
    the gate lets this person (ClientAccess.may_change, may_see_history)."""
    extras: dict = {"contact": contact_summary(entry.contact_kind, entry.duration_minutes, entry.contact_on)}
    if change is not None:
        extras["changed"] = {"what": _CHANGE_WORDS.get(change["change"], "Changed"),
                             "on": long_date(timezone.localtime(change["at"]).date()), "by": change["by"],
                             "version": entry.version}
    if grant.may_change(entry):
        extras["correct_url"] = with_purpose(reverse("web:correct_entry", args=[entry.pk]), purpose)
        extras["move_url"] = with_purpose(reverse("web:move_entry", args=[entry.pk]), purpose)
    if entry.version > 1 and grant.may_see_history(entry):
        extras["history_url"] = with_purpose(reverse("web:entry_history", args=[entry.pk]), purpose)
    return extras


# Correcting ------------------------------------------------------------------------------------------

class CorrectEntryForm(ContactFields, forms.Form):
    text = forms.CharField(label="The corrected text", max_length=20000, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text="Change what was wrong. The earlier version is kept, and who corrected it, "
                                     "when and why are shown on the file.",
                           error_messages={"required": "Write the corrected text."})
    reason = forms.CharField(label="Why is it being corrected?", max_length=2000,
                             widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=f"For example: the wrong date was typed, or the client asked for a mistake to "
                                       f"be put right. {RULE[:1].upper()}{RULE[1:]}.",
                             error_messages={"required": "Say why it is being corrected."})
    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1)
    field_order = ["text", "contact_kind", "contact_on", "duration_minutes", "reason"]

    def __init__(self, *args, kind: str, **kwargs):
        super().__init__(*args, **kwargs)
        del self.fields["next_contact_on"]  # planned on the case when a note is added, not corrected
        if kind == Entry.Kind.DOCUMENT:  # a document's words are its description; it records no contact
            self.fields["text"].label = "What the document is"
            self.fields["text"].max_length = 500
            for name in ("contact_kind", "contact_on", "duration_minutes"):
                del self.fields[name]


@require_http_methods(["GET", "POST"])
@asks_purpose
def correct_entry(request, entry_id: int, *, purpose: str):
    grant, entry = access_entry_to_change(request.user, entry_id, purpose)
    client = grant.client
    what = _KIND_WORDS.get(entry.kind, "entry")
    current = entry_text(client.pk, entry)  # opened only after the gate said yes
    form = CorrectEntryForm(request.POST or None, kind=entry.kind, initial={
        "text": current, "contact_kind": entry.contact_kind, "contact_on": entry.contact_on or timezone.localdate(),
        "duration_minutes": entry.duration_minutes, "version": entry.version})
    file_url = _file_url(client.pk, purpose)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        contact = None
        if "contact_kind" in form.fields:
            contact = EntryFacts(contact_kind=data.get("contact_kind") or "", contact_on=data.get("contact_on"),
                                 duration_minutes=data.get("duration_minutes"))
        try:
            do_correct_entry(request.user, entry, data["text"], data["reason"], contact, version=data["version"])
        except EntryError as exc:
            add_to_form(form, exc)
        else:
            messages.info(request, f"The {what} was corrected. The earlier version is kept.")
            return redirect(f"{file_url}#entries-heading")
    return render(request, "records/correct_entry.html", {
        "form": form, "client": client, "entry": entry, "what": what, "file_url": file_url,
        "written": f"{long_date(timezone.localtime(entry.created_at).date())}"},
        status=400 if form.errors else 200)


# Moving ----------------------------------------------------------------------------------------------

class MoveEntryForm(forms.Form):
    client = forms.IntegerField(
        label="The number of the client whose file it should be in", min_value=1, max_value=2**62,
        error_messages=NUMBER_MESSAGES, help_text="Shown beside the client's name at the top of their file.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    reason = forms.CharField(label="Why is it being moved?", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                             help_text=f"For example: written in the wrong client's file by mistake. "
                                       f"{RULE[:1].upper()}{RULE[1:]}.",
                             error_messages={"required": "Say why it is being moved."})
    case = forms.ChoiceField(label="Which of their cases?", required=False, widget=forms.RadioSelect,
                             error_messages={"invalid_choice": "Choose one of the cases listed."})
    # The client number the person was shown and confirmed (the second step).
    confirmed = forms.IntegerField(required=False, widget=forms.HiddenInput)

    def offer(self, cases) -> None:
        self.fields["case"].choices = [(str(case.pk), f"{describe.service(case.service)} ({case.team})")
                                       for case in cases]


@require_http_methods(["GET", "POST"])
@asks_purpose
def move_entry(request, entry_id: int, *, purpose: str):
    """Two steps: the number of the right client's file, then, once Confide shows whose file that is
    (opened through the gate for writing, as adding a note to it would be), the move confirmed."""
    grant, entry = access_entry_to_change(request.user, entry_id, purpose)
    client = grant.client
    what = _KIND_WORDS.get(entry.kind, "entry")
    form = MoveEntryForm(request.POST or None)
    context = {"form": form, "client": client, "entry": entry, "what": what, "file_url": _file_url(client.pk, purpose),
               "text": entry_text(client.pk, entry),
               "written": long_date(timezone.localtime(entry.created_at).date())}
    if request.method == "POST":
        number = _number(request.POST.get("client"))  # a number that is no client's is the form's to say
        target, refused = None, False
        if number is not None:
            try:
                target = access_client_to_write(request.user, number, purpose, action=Action.CASE_WRITE)
            except Http404:
                refused = True
        cases = [case for case in target.cases if case.pk != entry.case_id] if target is not None else []
        form.offer(cases)
        form.is_valid()
        if refused:
            form.add_error("client", "No file with that number is open to you to add to. Check the number.")
        elif target is not None and not cases:
            form.add_error("client", f"The {what} is already in that file. Enter the number of the file it should be in.")
        if len(cases) == 1 and "case" in form.cleaned_data:
            form.cleaned_data["case"] = str(cases[0].pk)  # the only one: nothing to choose
        if cases and not form.errors:
            context.update(target=target.client, cases=cases)
            if form.cleaned_data.get("confirmed") == number and form.cleaned_data.get("case"):
                _grant, to_case = access_case_to_write(request.user, form.cleaned_data["case"], purpose,
                                                       action=Action.CASE_WRITE)
                try:
                    do_move_entry(request.user, entry, to_case, form.cleaned_data["reason"])
                except EntryError as exc:
                    add_to_form(form, exc)
                else:
                    messages.info(request, f"The {what} was moved to this file. Its earlier versions moved with it.")
                    return redirect(f"{_file_url(to_case.client_id, purpose)}#entries-heading")
            elif form.cleaned_data.get("confirmed") == number:
                form.add_error("case", "Choose which of their cases it belongs to.")
    return render(request, "records/move_entry.html", context, status=400 if form.errors else 200)


# Earlier versions ------------------------------------------------------------------------------------

@require_GET
@asks_purpose
def entry_history(request, entry_id: int, *, purpose: str):
    grant, entry, versions = access_entry_history(request.user, None, entry_id, purpose)
    client = grant.client
    rows = []
    for version in versions:
        text, reason = version_text(client.pk, version)  # opened only after the gate said yes
        facts = version.facts if isinstance(version.facts, dict) else {}
        on = facts.get("contact_on")
        rows.append({
            "number": version.number, "change": version.get_change_display(), "moved": version.change == "moved",
            "by": version.changed_by.get_full_name() or version.changed_by.get_username(),
            "at": timezone.localtime(version.changed_at), "text": text, "reason": reason,
            "contact": contact_summary(facts.get("contact_kind") or "", facts.get("duration_minutes"),
                                       _date(on) if on else None),
            "from_case": facts.get("from_case")})
    return render(request, "records/entry_history.html", {
        "client": client, "entry": entry, "what": _KIND_WORDS.get(entry.kind, "entry"), "versions": rows,
        "text": entry_text(client.pk, entry), "file_url": _file_url(client.pk, purpose),
        "contact": contact_summary(entry.contact_kind, entry.duration_minutes, entry.contact_on),
        "written": long_date(timezone.localtime(entry.created_at).date())})


def _date(value: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(value)
    except (TypeError, ValueError):
        return None


def _number(value: str | None) -> int | None:
    """A client's number as typed, or None if it is not one (the form then says what is wrong)."""
    value = (value or "").strip()
    if not value.isascii() or not value.isdigit() or len(value) > 18:
        return None
    number = int(value)
    return number if 1 <= number <= 2**62 else None

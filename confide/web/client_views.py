"""The client file's own pages beside the file itself (issue 13): correcting the client's name or
date of birth with its history, a printable file for an authorised person, and the parts of the
record of access that filter and group it. Thin: every read goes through the gate
(confide.records.access), every write through a do_* function (confide.records.corrections).
"""

from __future__ import annotations

import datetime as dt

from django import forms
from django.db.models import Count, IntegerField, Max, Value
from django.db.models.functions import TruncDate
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from confide.audit.actions import Action
from confide.audit.models import AuditEvent
from confide.records.access import access_client, access_client_to_write
from confide.records.corrections import CorrectionError, do_correct_client_identity, earlier_value
from confide.records.identity import age_on, date_of_birth_problem
from confide.records.models import ClientCorrection
from confide.records.safe_contact import needs_checking, safe_contact_details
from confide.web import describe
from confide.web.errors import add_to_form
from confide.web.file_rows import case_row, entry_row
from confide.web.purposes import asks_purpose, with_purpose

# The page correcting each field (its address names the field: confide/web/urls.py).
CORRECT_URLS = {ClientCorrection.Field.NAME: "web:correct_name", ClientCorrection.Field.DATE_OF_BIRTH: "web:correct_date_of_birth"}
DATE_FORMATS = ["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y", "%d-%m-%Y", "%d.%m.%Y"]
DATE_HELP = "For example 27 3 1985, or 1985-03-27."


def long_date(value: dt.date | None) -> str:
    """27 March 1985."""
    return f"{value.day} {value:%B} {value.year:04d}" if value else ""


# What the file shows of who the client is ----------------------------------------------------------

def identity(grant, purpose: str) -> dict:
    """The client's date of birth and age as the file and its print show them, whether the date of
    birth cannot be right, the links to correct the name and the date of birth (for a purpose that
    is work on the case), and the history of corrections, newest first."""
    client = grant.client
    today = timezone.localdate()
    born = client.date_of_birth
    history = []
    for correction in grant.corrections():  # opened only after the gate said yes
        earlier = earlier_value(correction)
        who = correction.changed_by
        history.append({
            "field": correction.get_field_display(),
            "earlier": (long_date(earlier) if isinstance(earlier, dt.date) else earlier) or "Not given",
            "who": who.get_full_name() or who.get_username(), "at": correction.changed_at,
            "reason": correction.reason})
    url = lambda field: with_purpose(reverse(CORRECT_URLS[field], args=[client.pk]), purpose)  # noqa: E731
    return {"born": long_date(born), "age": age_on(born, today), "born_problem": date_of_birth_problem(born, today),
            "corrections": history,
            "correct_name_url": url(ClientCorrection.Field.NAME) if grant.may_write else None,
            "correct_born_url": url(ClientCorrection.Field.DATE_OF_BIRTH) if grant.may_write else None}


# Correcting the name or date of birth -------------------------------------------------------------

class CorrectionForm(forms.Form):
    reason = forms.CharField(
        label="Why is it being corrected?", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": "Say why it is being corrected, for the file's history."},
        help_text="For example: the client spelled it for me at our meeting. Kept with the file's history.")

    def __init__(self, *args, field: str, **kwargs):
        super().__init__(*args, **kwargs)
        if field == ClientCorrection.Field.NAME:
            self.fields["new_value"] = forms.CharField(
                label="The client's name as it should be", max_length=200,
                error_messages={"required": "Give the client's name as it should be.",
                                "max_length": "A name can be at most 200 characters."},
                widget=forms.TextInput(attrs={"autocomplete": "off", "dir": "auto"}))
        else:
            self.fields["new_value"] = forms.DateField(
                label="The date of birth as it should be", help_text=DATE_HELP, input_formats=DATE_FORMATS,
                error_messages={"required": "Give the date of birth as it should be.",
                                "invalid": "Enter the date of birth as day month year, for example 27 3 1985."},
                widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
        self.order_fields(["new_value", "reason"])

    def clean_new_value(self):
        value = self.cleaned_data["new_value"]
        if isinstance(value, dt.date):
            problem = date_of_birth_problem(value, timezone.localdate())
            if problem:
                raise forms.ValidationError(problem)
        return value


@require_http_methods(["GET", "POST"])
@asks_purpose
def correct_identity(request, client_id: int, field: str, *, purpose: str):
    """Correct the client's name or date of birth, saying why; the earlier value is kept and the
    file's history of corrections shown beneath."""
    grant = access_client_to_write(request.user, client_id, purpose, action=Action.CLIENT_IDENTITY_CORRECT)
    which = ClientCorrection.Field(field)  # one of the two, named by the address (urls.py)
    client = grant.client
    current = client.display_name if which == ClientCorrection.Field.NAME else long_date(client.date_of_birth)
    form = CorrectionForm(request.POST or None, field=which)
    if request.method == "POST" and form.is_valid():
        try:
            do_correct_client_identity(request.user, grant, which, form.cleaned_data["new_value"],
                                       form.cleaned_data["reason"])
        except CorrectionError as error:
            add_to_form(form, error)
        else:
            return redirect(with_purpose(reverse("web:client_file", args=[client.pk]), purpose) + "#identity-heading")
    return render(request, "records/correct_identity.html", {
        "client": client, "form": form, "field_label": ClientCorrection.Field(which).label.lower(),
        "is_name": which == ClientCorrection.Field.NAME, "current": current, "identity": identity(grant, purpose),
        "file_url": with_purpose(reverse("web:client_file", args=[client.pk]), purpose),
    }, status=400 if form.errors else 200)


# The printable file -------------------------------------------------------------------------------

@require_GET
@asks_purpose
def print_file(request, client_id: int, *, purpose: str):
    """The client's file on one page to print, for a person the gate lets read it for this purpose:
    what the file page shows them (every entry they may read, the people around the client, the
    safe contact rules), and nothing more. The opening is recorded as a print (CLIENT_FILE_PRINTED)."""

    grant = access_client(request.user, client_id, purpose, action=Action.CLIENT_FILE_PRINTED)
    client = grant.client
    people = grant.related_people()
    for person in people:  # `person.details` opened only after the gate said yes
        person.relationship_label = person.get_relationship_display()
    names = {person.pk: person.details.get("name", "") for person in people}
    entries = [entry_row(grant, entry, names, purpose) for entry in grant.entries(10_000)]
    contact = grant.safe_contact()
    safe = None
    if contact is not None:
        safe = {"details": safe_contact_details(contact), "contact": contact, "stale": needs_checking(contact)}
    user = request.user
    return render(request, "records/print_file.html", {
        "grant": grant, "client": client, "cases": [case_row(case, purpose) for case in grant.cases],
        "entries": entries, "people": people, "safe": safe, "identity": identity(grant, purpose),
        "purpose_label": describe.PURPOSES.get(purpose, purpose), "printed_at": timezone.now(),
        "printed_by": user.get_full_name() or user.get_username(),
        "file_url": with_purpose(reverse("web:client_file", args=[client.pk]), purpose),
    })


# The record of access: filtering and grouping -----------------------------------------------------

REFUSED_ONLY = "refused"  # the "what" choice for every refused attempt, whatever it was


class AccessFilterForm(forms.Form):
    """The record of access narrowed by who, what and when. Every choice is one the record holds."""

    who = forms.ChoiceField(label="Who", required=False,
                            error_messages={"invalid_choice": "Choose someone from the list of people."})
    what = forms.ChoiceField(label="What they did", required=False,
                             error_messages={"invalid_choice": "Choose one of the kinds of action listed."})
    since = forms.DateField(label="From", required=False, help_text=DATE_HELP, input_formats=DATE_FORMATS,
                            error_messages={"invalid": "Enter the first day as day month year, for example 1 12 2026."},
                            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))
    until = forms.DateField(label="To", required=False, help_text=DATE_HELP, input_formats=DATE_FORMATS,
                            error_messages={"invalid": "Enter the last day as day month year, for example 31 12 2026."},
                            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "numeric"}))

    def __init__(self, *args, people: list[tuple[str, str]], actions: list[tuple[str, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["who"].choices = [("", "Anyone"), *people]
        self.fields["what"].choices = [("", "Anything"), (REFUSED_ONLY, "Any refused attempt"), *actions]

    def clean(self):
        data = super().clean()
        since, until = data.get("since"), data.get("until")
        if since and until and since > until:
            self.add_error("until", "The last day is before the first: check the dates.")
        return data

    @property
    def narrowed(self) -> bool:
        return self.is_bound and self.is_valid() and any(self.cleaned_data.get(k) for k in self.fields)


def access_choices(client_id: int) -> tuple[list[tuple[int | None, str]], dict]:
    """The people and the actions this client's record of access holds (one query), and those
    people by number (one more), for the filter's choices and the page's rows."""
    from django.contrib.auth import get_user_model

    pairs = list(AuditEvent.objects.filter(client_id=client_id).order_by().values_list("actor_id", "action")
                 .distinct())
    users = {u.pk: u for u in get_user_model().objects.filter(pk__in={a for a, _ in pairs if a is not None})}
    return pairs, users


def filter_choices(pairs, users) -> tuple[list[tuple[str, str]], list[tuple[str, str]]]:
    people = sorted({(str(pk), users[pk].get_full_name() or users[pk].get_username())
                     for pk, _ in pairs if pk in users}, key=lambda choice: choice[1].casefold())
    actions = sorted({(action, describe.action_label(action)) for _, action in pairs}, key=lambda c: c[1])
    return people, actions


def _day_range(data) -> tuple[dt.datetime | None, dt.datetime | None]:
    zone = timezone.get_current_timezone()
    start = end = None
    if data.get("since"):
        start = dt.datetime.combine(data["since"], dt.time.min, tzinfo=zone)
    if data.get("until") and data["until"] < dt.date.max:
        end = dt.datetime.combine(data["until"] + dt.timedelta(days=1), dt.time.min, tzinfo=zone)
    return start, end


def access_page(client_id: int, data: dict, before: int | None, size: int) -> tuple[list[tuple[int, int]], bool]:
    """A page of the record of access, newest first: (event number, how many) for each row, and
    whether there are older rows. Every event is a row of its own, except this person's repeated
    views of the record of access itself: those of one person on one day are one row, placed at
    the newest of them, counting all of them (within the filter), so that reading the record does
    not fill it. Keyset paging on each row's event number; one query whatever the record's size."""
    events = AuditEvent.objects.filter(client_id=client_id)
    start, end = _day_range(data)
    if start is not None:
        events = events.filter(at__gte=start)
    if end is not None:
        events = events.filter(at__lt=end)
    if data.get("who"):
        events = events.filter(actor_id=int(data["who"]))
    what = data.get("what") or ""
    views = Action.CLIENT_RECORD_OF_ACCESS.value
    single = events.exclude(action=views)
    if what == REFUSED_ONLY:
        single = single.filter(action__endswith=".refused")
    elif what:
        single = single.filter(action=what)
    if before is not None:
        single = single.filter(seq__lt=before)
    # No ordering of their own: the parts of a union are ordered as one (and SQLite takes no other).
    single = single.order_by().values("seq").annotate(n=Value(1, output_field=IntegerField())).values("seq", "n")
    grouped = (events.filter(action=views).order_by()
               .annotate(day=TruncDate("at", tzinfo=timezone.get_current_timezone()))
               .values("actor_id", "day").annotate(top=Max("seq"), n=Count("seq")))
    if before is not None:
        grouped = grouped.filter(top__lt=before)
    grouped = grouped.values("top", "n")
    if what == views:
        rows, key = grouped, "top"
    elif what:
        rows, key = single, "seq"
    else:
        rows, key = single.union(grouped, all=True), "seq"  # a column takes the first part's name
    found = [(row[key], row["n"]) for row in rows.order_by("-" + key)[:size + 1]]
    return found[:size], len(found) > size

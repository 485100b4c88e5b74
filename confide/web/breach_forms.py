"""Forms for the breach register (confide/web/breach_views.py). They check what was typed; whether it
may be done, and the rules of Art 33 and 34 (a moment in the future, a missing rationale, a delay
without its reason), are confide.breaches.services', whose refusals are shown beside the field
they name (confide.web.errors)."""

from __future__ import annotations

import datetime as dt

from django import forms

from confide.breaches import clock
from confide.breaches.models import Breach
from confide.policy import vocab

DATE_FORMATS = ["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y", "%d-%m-%Y"]
TIME_FORMATS = ["%H:%M", "%H:%M:%S", "%H.%M"]
TEXT_MAX = 5000
CHOOSE = "Choose one from the list."
KNOWN = [("known", "This many people"), ("not_known", "Not known yet")]


def date_field(label: str, *, required: bool = True, help_text: str = "", missing: str = "Enter the date."):
    return forms.DateField(label=label, required=required, help_text=help_text, input_formats=DATE_FORMATS,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"invalid": "Enter the date as day month year, for example 3 12 2026.",
                                           "required": missing})


def time_field(label: str, *, required: bool = True, missing: str = "Enter the time."):
    return forms.TimeField(label=label, required=required, input_formats=TIME_FORMATS,
                           help_text="24-hour clock, for example 14:30.",
                           widget=forms.TimeInput(attrs={"type": "time"}, format="%H:%M"),
                           error_messages={"invalid": "Enter the time on the 24-hour clock, for example 14:30.",
                                           "required": missing})


def zone_field(label: str = "Time zone"):
    return forms.ChoiceField(label=label, choices=[(z, z) for z in clock.zones()], initial=clock.LONDON,
                             error_messages={"required": "Choose a time zone.", "invalid_choice": CHOOSE})


def text_field(label: str, *, required: bool = True, help_text: str = "", missing: str = "", rows: int = 4):
    return forms.CharField(label=label, required=required, max_length=TEXT_MAX, help_text=help_text,
                           widget=forms.Textarea(attrs={"rows": rows}),
                           error_messages={"required": missing or "Fill this in.",
                                           "max_length": f"Keep this to {TEXT_MAX} characters."})


def radio(label: str, choices, missing: str, help_text: str = ""):
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect, help_text=help_text,
                             error_messages={"required": missing, "invalid_choice": CHOOSE})


def _moment(form, data: dict, date_name: str, time_name: str, zone_name: str) -> dt.datetime | None:
    day, at, zone = data.get(date_name), data.get(time_name), data.get(zone_name) or clock.LONDON
    if day is None or at is None:
        return None
    try:
        return clock.moment(day, at, zone)
    except clock.BadMoment as error:
        form.add_error(time_name, str(error))
        return None


class FactsFields(forms.Form):
    """The data, how many people and the risk: asked when a breach is recorded and again when it is
    reassessed."""

    def __init__(self, *args, data_words=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["data_categories"] = forms.MultipleChoiceField(
            label="What kinds of personal data were involved?", widget=forms.CheckboxSelectMultiple,
            choices=[(w, vocab.heading(w)) for w in data_words],
            error_messages={"required": "Choose at least one kind of data the breach involved.",
                            "invalid_choice": CHOOSE})
        self.fields["people_known"] = radio("How many people are affected?", KNOWN,
                                            "Say how many people are affected, or that it is not known yet.")
        self.fields["people_affected"] = forms.IntegerField(
            label="Number of people", required=False, min_value=1, max_value=10**9 - 1,
            help_text="Only if known: in figures, for example 12.",
            widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
            error_messages={"invalid": "Enter the number of people in figures, for example 12.",
                            "min_value": "Enter 1 or more, or choose \"Not known yet\".",
                            "max_value": "Enter the number of people in figures, for example 12."})
        self.fields["risk"] = radio("What is the risk to the people affected?", Breach.Risk.choices,
                                    "Choose the risk to the people affected.",
                                    "A high risk means the people affected are told (Art 34), unless an exception "
                                    "applies.")

    def clean(self):
        data = super().clean()
        if data.get("people_known") == "known" and data.get("people_affected") is None \
                and "people_affected" not in self.errors:
            self.add_error("people_affected", "Enter how many people are affected, or choose \"Not known yet\".")
        if data.get("people_known") == "not_known":
            data["people_affected"] = None
        return data


class NewBreachForm(FactsFields):
    aware_date = date_field("Date the organisation became aware", missing="Enter the date the organisation became "
                            "aware of the breach.")
    aware_time = time_field("Time it became aware", missing="Enter the time the organisation became aware.")
    aware_zone = zone_field()
    what_happened = text_field("What happened", missing="Say what happened: what was disclosed, lost or seen, "
                               "and how.", help_text="What was disclosed, lost or seen, how, and what was done at "
                               "once. Kept sealed: it may name people.", rows=6)
    client_ids = forms.CharField(label="Client numbers (optional)", required=False, max_length=600,
                                 help_text="The numbers of the clients whose records were involved, separated by "
                                           "commas, for example 1042, 1043. Never a name.",
                                 error_messages={"max_length": "Enter up to 50 client numbers."})
    opened_from = forms.IntegerField(required=False, widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1,
                                     error_messages={"invalid": "This page is out of date: open it again.",
                                                     "min_value": "This page is out of date: open it again.",
                                                     "max_value": "This page is out of date: open it again."})

    field_order = ["aware_date", "aware_time", "aware_zone", "what_happened", "data_categories", "people_known",
                   "people_affected", "risk", "client_ids", "opened_from"]

    def clean_client_ids(self) -> list[int]:
        text = self.cleaned_data.get("client_ids") or ""
        numbers = []
        for part in text.replace(";", ",").replace(" ", ",").split(","):
            part = part.strip()
            if not part:
                continue
            if not part.isascii() or not part.isdigit() or not 0 < int(part) < 2**63:
                raise forms.ValidationError("Enter client numbers in figures only, separated by commas, for "
                                            "example 1042, 1043.")
            numbers.append(int(part))
        if len(numbers) > 50:
            raise forms.ValidationError("Enter up to 50 client numbers.")
        return numbers

    def clean(self):
        data = super().clean()
        data["aware_at"] = _moment(self, data, "aware_date", "aware_time", "aware_zone")
        return data


class ReassessForm(FactsFields):
    pass


class IcoForm(forms.Form):
    ico_decision = radio("Is the breach reported to the Information Commissioner's Office?", Breach.Decision.choices,
                         "Choose whether the breach is reported to the ICO.",
                         "Report it unless it is unlikely to result in a risk to people's rights and freedoms "
                         "(Art 33(1)).")
    ico_rationale = text_field("Why", missing="Say why: the reasons for the decision are recorded (Art 33(5)).")
    reported_date = date_field("Date it was reported (if it has been)", required=False)
    reported_time = time_field("Time it was reported", required=False)
    reported_zone = zone_field("Time zone of the report")
    ico_reference = forms.CharField(label="The ICO's reference (optional)", required=False, max_length=64,
                                    error_messages={"max_length": "Keep the reference to 64 characters."})
    delay_reason = text_field("Reason for the delay", required=False,
                              help_text="Needed when the report or the decision came later than 72 hours after the "
                                        "organisation became aware (Art 33(1)).")

    def clean(self):
        data = super().clean()
        if data.get("reported_date") and not data.get("reported_time") and "reported_time" not in self.errors:
            self.add_error("reported_time", "Enter the time it was reported, as well as the date.")
        if data.get("reported_time") and not data.get("reported_date") and "reported_date" not in self.errors:
            self.add_error("reported_date", "Enter the date it was reported, as well as the time.")
        if data.get("ico_decision") == Breach.Decision.REPORT:
            data["reported_at"] = _moment(self, data, "reported_date", "reported_time", "reported_zone")
        else:
            data["reported_at"] = None
        return data


class ToldForm(forms.Form):
    told = radio("Were the people affected told?", Breach.Told.choices,
                 "Choose whether the people affected were told.")
    told_on = date_field("Date they were told", required=False)
    told_how = text_field("How they were told, and what they were told", required=False,
                          help_text="For example: by letter, describing the breach, its likely consequences and "
                                    "what was done (Art 34(2)).")
    not_told_exception = radio("If not, which exception applies?", Breach.Exception_.choices, "",)
    not_told_why = text_field("Why the exception applies", required=False)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["not_told_exception"].required = False


CC_CHOICES = [(Breach.Decision.REPORT, "Make a serious incident report"),
              (Breach.Decision.NOT_REPORT, "Make no serious incident report")]


class CharityForm(forms.Form):
    cc_decision = radio("Is a serious incident report made to the Charity Commission?", CC_CHOICES,
                        "Choose whether a serious incident report is made.")
    cc_rationale = text_field("Why", missing="Say why, as the trustees decided.")
    cc_decided_on = date_field("Date decided", missing="Enter the day it was decided.")


class FindingsForm(forms.Form):
    evidence = text_field("Evidence", required=False, help_text="What was checked and found: records of access, "
                                                                  "emails, statements. No client's name.")
    lessons = text_field("Lessons learned", required=False, help_text="What changes so it does not happen again.")


class ReferForm(forms.Form):
    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"] = forms.TypedChoiceField(
            label="Who is referred for disciplinary action?", coerce=int,
            choices=[("", "Choose a person")] + [(p.pk, p.get_full_name() or p.username) for p in people],
            error_messages={"required": "Choose the member of staff or volunteer referred.", "invalid_choice": CHOOSE})


class CloseForm(forms.Form):
    confirm = forms.BooleanField(label="Everything the register asks for is recorded: close the breach.",
                                 error_messages={"required": "Tick the box to close the breach."})

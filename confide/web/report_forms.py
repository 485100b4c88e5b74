"""Forms for the report pages (confide/web/report_views.py). They check what was typed; whether it may
be done is confide.reports.services', whose refusals are shown beside the field they name."""

from __future__ import annotations

import datetime as dt

from django import forms

from confide.reports.figures import QUARTER
from confide.reports.models import CaseStudy

KINDS = [("quarter", "A quarter"), ("year", "A year"), ("custom", "A period of your own")]
DATE_HELP = "For example, 2026-07-01."


class DraftReportForm(forms.Form):
    kind = forms.ChoiceField(label="What period?", choices=KINDS, widget=forms.RadioSelect,
                             error_messages={"required": "Choose a quarter, a year or a period of your own.",
                                             "invalid_choice": "Choose one from the list."})
    quarter = forms.CharField(label="Quarter", required=False, max_length=7,
                              help_text="For a quarter: the year and quarter, for example 2026-Q3 (July to September).")
    starts_on = forms.DateField(label="First day", required=False, help_text=f"For a year or your own period. {DATE_HELP}",
                                error_messages={"invalid": "Enter the first day as a date, for example 2026-07-01."},
                                widget=forms.DateInput(attrs={"type": "date"}))
    ends_on = forms.DateField(label="Last day", required=False, help_text=f"For your own period only. {DATE_HELP}",
                              error_messages={"invalid": "Enter the last day as a date, for example 2026-09-30."},
                              widget=forms.DateInput(attrs={"type": "date"}))

    def clean(self):
        data = super().clean()
        kind = data.get("kind")
        if kind == "quarter":
            found = QUARTER.match((data.get("quarter") or "").strip())
            if not found:
                self.add_error("quarter", "Write the quarter as the year and quarter, for example 2026-Q3.")
            else:
                q = int(found.group(2))
                data["starts_on"] = dt.date(int(found.group(1)), 3 * q - 2, 1)
                data["ends_on"] = None
        elif kind == "year":
            if not data.get("starts_on") and "starts_on" not in self.errors:
                self.add_error("starts_on", "Enter the first day of the year, for example 2025-04-01.")
        elif kind == "custom":
            if not data.get("starts_on") and "starts_on" not in self.errors:
                self.add_error("starts_on", "Enter the first day of the period.")
            if not data.get("ends_on") and "ends_on" not in self.errors:
                self.add_error("ends_on", "Enter the last day of the period.")
        return data


class ReleaseReportForm(forms.Form):
    secret = forms.CharField(label="Confirm it is you: your password, or a code from your authenticator app",
                             max_length=200, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                             error_messages={"required": "Enter your password or a code to confirm it is you.",
                                             "max_length": "That is longer than any password: enter yours again."})


class CaseStudyForm(forms.Form):
    case = forms.IntegerField(label="Case number", min_value=1, max_value=2**63 - 1,
                              help_text="The number of a case you work on, for example 1042.",
                              error_messages={"required": "Enter the number of the case it is drawn from.",
                                              "invalid": "Enter the case's number in figures, for example 1042.",
                                              "min_value": "Enter the case's number in figures, for example 1042.",
                                              "max_value": "Enter the case's number in figures, for example 1042."},
                              widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    title = forms.CharField(label="Title", max_length=120, help_text="No name in it.",
                            error_messages={"required": "Give the case study a title.",
                                            "max_length": "Keep the title to 120 characters."})
    text = forms.CharField(label="The case study", max_length=20_000, widget=forms.Textarea(attrs={"rows": 12}),
                           help_text="Names, phone numbers, addresses, postcodes and other details are taken out "
                                     "as it is saved, and only the anonymised text is kept.",
                           error_messages={"required": "Write the case study.",
                                           "max_length": "Keep a case study to 20,000 characters."})


class ConsentForm(forms.Form):
    consent_on = forms.DateField(label="The day the client consented", help_text=DATE_HELP,
                                 widget=forms.DateInput(attrs={"type": "date"}),
                                 error_messages={"required": "Enter the day the client consented.",
                                                 "invalid": "Enter the day as a date, for example 2026-11-02."})
    how = forms.ChoiceField(label="How they consented", choices=CaseStudy.ConsentHow.choices,
                            widget=forms.RadioSelect,
                            error_messages={"required": "Choose how the client consented.",
                                            "invalid_choice": "Choose one from the list."})


class ReviewForm(forms.Form):
    decision = forms.ChoiceField(label="Your review", choices=[("pass", "It is anonymous: pass it for release"),
                                                               ("back", "Send it back: it needs changing")],
                                 widget=forms.RadioSelect,
                                 error_messages={"required": "Choose to pass it or send it back.",
                                                 "invalid_choice": "Choose one from the list."})
    note = forms.CharField(label="Note", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="What needs changing, if you send it back.",
                           error_messages={"max_length": "Keep the note to 2,000 characters."})


class ReleaseStudyForm(forms.Form):
    confirm = forms.BooleanField(label="Release this case study to trustees and funders",
                                 error_messages={"required": "Tick the box to release it."})


class ThresholdForm(forms.Form):
    threshold = forms.IntegerField(
        label="Hide counts up to", min_value=1, max_value=99,
        help_text="Counts from 1 to this number are hidden in every report drafted from now on. "
                  "Confide never goes below 7.",
        error_messages={"required": "Enter a whole number, for example 10.",
                        "invalid": "Enter a whole number, for example 10.",
                        "min_value": "Enter a number of at least 7.", "max_value": "Enter a number up to 99."})

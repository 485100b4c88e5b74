"""Forms for staff and volunteer records (confide/web/staffing_views.py). They check what was typed;
who may do what, and what the policy says, is confide.staffing's business, whose refusals (a
StaffingError naming its field) are shown beside the field here (confide.web.errors)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from confide.staffing.models import Applicant, MonitoringForm
from confide.staffing.monitoring import QUESTIONS
from confide.web.sharing_forms import DATE, word_choices

DATE_ERRORS = {"required": "Enter the date.", "invalid": "Enter the date as day, month and year."}
TEXT_LIMIT = 20_000
CHOOSE = "Choose one from the list."


def _people_choices(users, empty: str) -> list[tuple[str, str]]:
    return [("", empty), *((str(u.pk), f"{u.get_full_name() or u.get_username()} ({u.role_label})") for u in users)]


class OpenFileForm(forms.Form):
    person = forms.TypedChoiceField(label="Whose file", coerce=int,
                                    error_messages={"required": "Choose the person the file is about.",
                                                    "invalid_choice": CHOOSE})
    line_manager = forms.TypedChoiceField(label="Their line manager", coerce=int, required=False, empty_value=None,
                                          error_messages={"invalid_choice": CHOOSE})
    started_on = forms.DateField(label="The day they started (optional)", widget=DATE, required=False,
                                 error_messages=DATE_ERRORS)

    def __init__(self, *args, people, managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"].choices = _people_choices(people, "Choose…")
        self.fields["line_manager"].choices = _people_choices(managers, "None yet")


class LineManagerForm(forms.Form):
    line_manager = forms.TypedChoiceField(label="Line manager", coerce=int, required=False, empty_value=None,
                                          error_messages={"invalid_choice": CHOOSE})

    def __init__(self, *args, managers, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["line_manager"].choices = _people_choices(managers, "None")


class LeavingForm(forms.Form):
    left_on = forms.DateField(label="The day they left", widget=DATE,
                              error_messages={**DATE_ERRORS, "required": "Enter the day they left."})


class NoteForm(forms.Form):
    value = forms.CharField(label="Add to the notes (probation, appraisals)", widget=forms.Textarea(attrs={"rows": 4}),
                            max_length=TEXT_LIMIT,
                            error_messages={"required": "Write what to add.",
                                            "max_length": f"Keep it to {TEXT_LIMIT} characters."})


class MedicalForm(forms.Form):
    value = forms.CharField(label="Add to the sealed medical section", widget=forms.Textarea(attrs={"rows": 4}),
                            max_length=TEXT_LIMIT,
                            error_messages={"required": "Write what to add.",
                                            "max_length": f"Keep it to {TEXT_LIMIT} characters."})


class ContactForm(forms.Form):
    home_address = forms.CharField(label="Home address", widget=forms.Textarea(attrs={"rows": 3}), required=False,
                                   max_length=500, error_messages={"max_length": "Keep it to 500 characters."})
    phone = forms.CharField(label="Telephone number", required=False, max_length=40,
                            error_messages={"max_length": "Keep it to 40 characters."})


class ReferenceForm(forms.Form):
    referee = forms.CharField(label="Who gave the reference", max_length=200,
                              error_messages={"required": "Write who gave the reference.",
                                              "max_length": "Keep it to 200 characters."})
    text = forms.CharField(label="What the reference says (given in confidence)", widget=forms.Textarea(attrs={"rows": 4}),
                           max_length=TEXT_LIMIT,
                           error_messages={"required": "Write what the reference says.",
                                           "max_length": f"Keep it to {TEXT_LIMIT} characters."})


def _answer_field(name: str) -> forms.ChoiceField:
    label, choices = QUESTIONS[name]
    return forms.ChoiceField(label=label, required=False, choices=[("", "Not answered"), *choices],
                             widget=forms.RadioSelect, error_messages={"invalid_choice": CHOOSE})


class MonitoringAnswers(forms.Form):
    race = _answer_field("race")
    sex = _answer_field("sex")
    sexuality = _answer_field("sexuality")
    disability = _answer_field("disability")
    age_band = _answer_field("age_band")

    def answers(self) -> dict[str, str]:
        return {name: self.cleaned_data.get(name) or "" for name in QUESTIONS}


class MonitoringEntryForm(MonitoringAnswers):
    """A monitoring form as it came: who it is from (a cohort, never a person) and the year."""

    cohort = forms.ChoiceField(label="Who is it from?", choices=MonitoringForm.Cohort.choices, widget=forms.RadioSelect,
                               error_messages={"required": "Choose who the form is from.", "invalid_choice": CHOOSE})
    year = forms.IntegerField(label="Year received", min_value=1990, max_value=9999,
                              error_messages={"required": "Enter the year the form was received.",
                                              "invalid": "Enter the year in figures, for example 2026.",
                                              "min_value": "Enter the year in figures, for example 2026.",
                                              "max_value": "Enter the year in figures, for example 2026."},
                              widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))

    field_order = ["cohort", "year", *QUESTIONS]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["year"].initial = timezone.localdate().year


class ApplicationForm(MonitoringAnswers):
    post = forms.CharField(label="Post applied for", max_length=120,
                           error_messages={"required": "Write the post applied for.",
                                           "max_length": "Keep it to 120 characters."})
    received_on = forms.DateField(label="Received on", widget=DATE,
                                  error_messages={**DATE_ERRORS, "required": "Enter the day it was received."})
    name = forms.CharField(label="Applicant's name", max_length=200,
                           error_messages={"required": "Write the applicant's name.",
                                           "max_length": "Keep it to 200 characters."})
    email = forms.CharField(label="Email address (optional)", max_length=200, required=False,
                            error_messages={"max_length": "Keep it to 200 characters."})
    phone = forms.CharField(label="Telephone number (optional)", max_length=40, required=False,
                            error_messages={"max_length": "Keep it to 40 characters."})
    address = forms.CharField(label="Address (optional)", max_length=500, required=False,
                              widget=forms.Textarea(attrs={"rows": 3}),
                              error_messages={"max_length": "Keep it to 500 characters."})
    application = forms.CharField(label="The application and interview notes", widget=forms.Textarea(attrs={"rows": 5}),
                                  max_length=TEXT_LIMIT,
                                  error_messages={"required": "Write what the application says.",
                                                  "max_length": f"Keep it to {TEXT_LIMIT} characters."})

    field_order = ["post", "received_on", "name", "email", "phone", "address", "application", *QUESTIONS]

    def __init__(self, *args, kept: tuple[str, ...] = tuple(QUESTIONS), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        # Only the questions whose answers are kept about an applicant are asked (DVIP 8.08).
        for name in QUESTIONS:
            if name not in kept:
                del self.fields[name]

    def monitoring_fields(self):
        return [self[name] for name in QUESTIONS if name in self.fields]


class DecideForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", widget=forms.RadioSelect,
                                choices=[(Applicant.Outcome.APPOINTED, "Appointed"),
                                         (Applicant.Outcome.UNSUCCESSFUL, "Unsuccessful")],
                                error_messages={"required": "Choose the outcome.", "invalid_choice": CHOOSE})
    decided_on = forms.DateField(label="Decided on", widget=DATE,
                                 error_messages={**DATE_ERRORS, "required": "Enter the day it was decided."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["decided_on"].initial = timezone.localdate()


DATA_CHOICES = [("home_address", "Their home address"), ("contact_details", "Their telephone number or other contact details")]


class ContactRequestForm(forms.Form):
    about = forms.TypedChoiceField(label="Which worker did they ask about?", coerce=int,
                                   error_messages={"required": "Choose the worker they asked about.",
                                                   "invalid_choice": CHOOSE})
    data = forms.MultipleChoiceField(label="What did they ask for?", choices=DATA_CHOICES,
                                     widget=forms.CheckboxSelectMultiple,
                                     error_messages={"required": "Choose what they asked for.",
                                                     "invalid_choice": CHOOSE})
    recipient_kind = forms.ChoiceField(label="Who is asking?", error_messages={"required": "Choose who is asking.",
                                                                               "invalid_choice": CHOOSE})
    name = forms.CharField(label="Their name", max_length=200,
                           error_messages={"required": "Write who asked.", "max_length": "Keep it to 200 characters."})
    organisation = forms.CharField(label="Their organisation, or how they know the worker", max_length=200,
                                   error_messages={"required": "Write their organisation or relationship.",
                                                   "max_length": "Keep it to 200 characters."})
    why = forms.CharField(label="Why do they want it?", widget=forms.Textarea(attrs={"rows": 3}), max_length=2000,
                          help_text="Give the worker nothing now: the request goes to their line manager, who asks "
                                    "the worker.",
                          error_messages={"required": "Say why they asked.", "max_length": "Keep it to 2000 characters."})
    statutory = forms.CharField(label="Do they say the law obliges us to give it? (optional)", max_length=200,
                                required=False,
                                help_text="Only if they name a legal duty, for example HMRC for a tax query. Leave "
                                          "empty otherwise. The policy decides whether it applies.",
                                error_messages={"max_length": "Keep it to 200 characters."})

    def __init__(self, *args, pack, files, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["recipient_kind"].choices = [("", "Choose…"), *word_choices(pack.spec.vocab["recipient_kinds"])]
        self.fields["about"].choices = [("", "Choose…"), *(
            (str(f.pk), f.person.get_full_name() or f.person.get_username()) for f in files)]


class AskAccessForm(forms.Form):
    file = forms.TypedChoiceField(label="Whose personnel file do you need to read?", coerce=int,
                                  error_messages={"required": "Choose whose file you need to read.",
                                                  "invalid_choice": CHOOSE})
    reason = forms.CharField(label="Why do you need to read it?", widget=forms.Textarea(attrs={"rows": 3}),
                             max_length=2000, help_text="The person who approves it reads this.",
                             error_messages={"required": "Say why you need to read it.",
                                             "max_length": "Keep it to 2000 characters."})

    def __init__(self, *args, files, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["file"].choices = [("", "Choose…"), *(
            (str(f.pk), f.person.get_full_name() or f.person.get_username()) for f in files)]


class DecideAccessForm(forms.Form):
    decision = forms.ChoiceField(label="Your decision", widget=forms.RadioSelect,
                                 choices=[("approve", "Approve: they may read it for the next 7 days"),
                                          ("refuse", "Refuse")],
                                 error_messages={"required": "Choose whether you approve.", "invalid_choice": CHOOSE})


class ContactStepForm(forms.Form):
    next_step = forms.ChoiceField(choices=[("pass", "pass"), ("agree", "agree"), ("refuse", "refuse"), ("given", "given")],
                             error_messages={"required": "Choose what to do.", "invalid_choice": CHOOSE})

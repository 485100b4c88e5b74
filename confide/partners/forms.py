"""Forms for the partner directory. They check what was typed; the do_* functions check it again
(a duplicate name, staff of another agency) and say which field a problem is about."""

from __future__ import annotations

from django import forms

from confide.partners.directory import DATA_WORDS, PURPOSE_WORDS, DirectoryError, clean_phone
from confide.partners.models import AGENCY_KINDS
from confide.policy import vocab
from confide.records.models import DATA_CATEGORIES

DATE_FORMATS = ["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y", "%d-%m-%Y"]
DATE_HINT = "For example 1 4 2026, or 2026-04-01."


def _sentence(word: str) -> str:
    text = vocab.label(word)
    return text[:1].upper() + text[1:]


def _phone(form: forms.Form, name: str) -> str:
    try:
        return clean_phone(form.cleaned_data.get(name, ""), name)
    except DirectoryError as error:
        raise forms.ValidationError(str(error)) from None


def _date(label: str, *, required: bool = True, missing: str = "") -> forms.DateField:
    return forms.DateField(label=label, required=required, help_text=DATE_HINT, input_formats=DATE_FORMATS,
                           error_messages={"required": missing,
                                           "invalid": "Enter the date as day month year, for example 1 4 2026."})


class AgencyForm(forms.Form):
    name = forms.CharField(label="Name of the agency", max_length=200,
                           error_messages={"required": "Give the agency's name."},
                           help_text="As the agency calls itself, for example Northvale Children's Services.")
    kind = forms.ChoiceField(label="Kind of agency", choices=[("", "Choose a kind")] + AGENCY_KINDS,
                             error_messages={"required": "Choose what kind of agency this is."})
    # JustUs 3.3: the number a caller claiming to be from the agency is called back on.
    known_phone = forms.CharField(
        label="Switchboard number, from a trusted source", max_length=40,
        error_messages={"required": "Give the agency's switchboard number, taken from a trusted source such as "
                                    "its website or an official directory."},
        help_text="From the agency's website or an official directory, never from a caller or an email. Anyone "
                  "phoning as this agency is called back on this number before anything is said.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    secure_email = forms.EmailField(
        label="Secure email address (if any)", required=False, max_length=254,
        error_messages={"invalid": "Give the email address in full, for example name@example.org."},
        help_text="Where information may be sent by secure email.")
    address = forms.CharField(label="Address", required=False, max_length=1000, widget=forms.Textarea(attrs={"rows": 3}))
    notes = forms.CharField(label="Notes", required=False, max_length=5000, widget=forms.Textarea(attrs={"rows": 3}),
                            help_text="How to work with the agency. Never anything about a client.")

    def clean_known_phone(self):
        return _phone(self, "known_phone")


class ChangeAgencyForm(AgencyForm):
    active = forms.BooleanField(label="We still work with this agency", required=False)


class ContactForm(forms.Form):
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Give the person's name."})
    job_title = forms.CharField(label="Job title", max_length=200, required=False)
    email = forms.EmailField(label="Email address", required=False, max_length=254,
                             error_messages={"invalid": "Give the email address in full, for example name@example.org."})
    phone = forms.CharField(label="Phone number", max_length=40, required=False,
                            widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))

    def clean_phone(self):
        return _phone(self, "phone")


class ChangeContactForm(ContactForm):
    active = forms.BooleanField(label="Still works at the agency (untick when they have left)", required=False)


class AgreementForm(forms.Form):
    title = forms.CharField(label="Title", max_length=300, error_messages={"required": "Give the agreement's title."},
                            help_text="As it appears on the signed agreement.")
    reference = forms.CharField(label="Reference (if any)", max_length=100, required=False)
    starts_on = _date("In force from", missing="Give the date the agreement comes into force.")
    ends_on = _date("Until (if it has an end date)", required=False)
    data = forms.MultipleChoiceField(
        label="Information it covers", widget=forms.CheckboxSelectMultiple,
        choices=[(word, label) for word, label in DATA_CATEGORIES if word in DATA_WORDS],
        error_messages={"required": "Choose at least one kind of information the agreement covers."})
    purposes = forms.MultipleChoiceField(
        label="Purposes it covers", widget=forms.CheckboxSelectMultiple,
        choices=[(word, _sentence(word)) for word in PURPOSE_WORDS],
        error_messages={"required": "Choose at least one purpose the agreement covers."})
    contacts = forms.MultipleChoiceField(
        label="Named staff who may receive information under it", widget=forms.CheckboxSelectMultiple,
        error_messages={"required": "Name at least one member of the agency's staff who may receive information "
                                    "under the agreement."})

    def __init__(self, *args, contacts: list[tuple[int, str]], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contacts"].choices = [(str(pk), label) for pk, label in contacts]

    def clean(self):
        data = super().clean()
        starts_on, ends_on = data.get("starts_on"), data.get("ends_on")
        if starts_on and ends_on and ends_on <= starts_on:
            self.add_error("ends_on", "The end date must be after the start date.")
        return data


class EndAgreementForm(forms.Form):
    on = _date("Ended on", missing="Give the date the agreement ends.")

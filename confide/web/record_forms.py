"""Forms for client records. They check what was typed; who may do what is the gate's business."""

from __future__ import annotations

import uuid

from django import forms
from django.conf import settings
from django.utils import timezone

from confide.policy.reasons import ReasonError
from confide.records.break_glass import check_review_note
from confide.records.identity import date_of_birth_problem
from confide.records.models import CASE_FLAGS, DATA_CATEGORIES, SUBJECT_ROLES, Case, Entry, RelatedPerson
from confide.web import describe

NUMBER_MESSAGES = {"required": "Enter the client's number, for example 1042.",
                   "invalid": "Enter the client's number in figures, for example 1042.",
                   "min_value": "Enter the client's number, for example 1042.",
                   "max_value": "Enter the client's number, for example 1042."}

class OpenOutsideForm(forms.Form):
    """Open a file by its number, for a purpose. The purposes offered are those the pack could open
    a file outside this person's own cases for (confide.policy.filters); which of them opens a
    given file is the gate's answer."""

    client = forms.IntegerField(
        label="Client number", min_value=1, max_value=2**62, error_messages=NUMBER_MESSAGES,
        help_text="From the referral, a colleague or the client's letter, for example 1042.",
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    purpose = forms.ChoiceField(label="Why do you need this file?", choices=[],
                                error_messages={"invalid_choice": "Choose one of the purposes listed.",
                                                "required": "Choose why you need this file."})
    reason = forms.CharField(
        label="Your reason", required=False, max_length=2000,
        help_text="Needed if the file is outside your work: a manager reviews every such opening. "
                  "Say what you need it for, not what is in it.",
        widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, purposes: list[str], known: list[str], **kwargs):
        """`purposes` are offered; any of the pack's purposes (`known`) is taken, so one that could
        open nothing for this person goes to the gate, which refuses it at once and records the
        attempt, as it does every refused opening."""
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = [(p, describe.PURPOSES.get(p, p)) for p in known]
        self.fields["purpose"].widget.choices = [(p, describe.PURPOSES.get(p, p)) for p in purposes]


class EntryFactsForm(forms.Form):
    """What every entry says about itself: what kind of information, about whom, from whom."""

    categories = forms.MultipleChoiceField(
        label="What kind of information is this?", choices=DATA_CATEGORIES, initial=["case_notes"],
        widget=forms.CheckboxSelectMultiple, error_messages={"required": "Choose at least one kind of information."})
    about_client = forms.BooleanField(label="It is about the client", required=False, initial=True)
    about_people = forms.MultipleChoiceField(label="It is also about", required=False,
                                             widget=forms.CheckboxSelectMultiple)
    source = forms.ChoiceField(label="Where did it come from?", choices=Entry.Source.choices,
                               initial=Entry.Source.CLIENT, widget=forms.RadioSelect)
    sealed = forms.BooleanField(
        label="Seal it (medical records and the like): only the role the policy names can open it", required=False)
    unsolicited = forms.BooleanField(
        label="Nobody asked for this information: keep it apart, to be returned to the sender", required=False)
    # The form's one-time token, made as the form is shown: sent twice (a double click, a resent
    # POST), what it adds is saved once (confide.records.entries.AlreadySaved). Back then Save
    # re-fetches the form (no-store) with a new token, and the browser puts back what was typed:
    # that the service catches by its words (entries.SAME_WORDS_WITHIN).
    submission = forms.UUIDField(required=False, widget=forms.HiddenInput, error_messages={
        "invalid": "This form could not be read. Go back to the file and open the form again."})

    def __init__(self, *args, people: list[tuple[int, str]] = (), **kwargs):
        super().__init__(*args, **kwargs)
        if not self.is_bound:
            self.fields["submission"].initial = uuid.uuid4()
        self.fields["about_people"].choices = [(str(pk), label) for pk, label in people]
        if not people:
            del self.fields["about_people"]

    def clean(self):
        data = super().clean()
        if not data.get("about_client") and not data.get("about_people"):
            self.add_error("about_client", "Say whom this is about: the client, someone on their file, or both.")
        return data


DATE_FORMATS = ["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y", "%d-%m-%Y"]


def _date_field(label: str, *, required: bool = False, help_text: str = "", initial=None) -> forms.DateField:
    # type="date" takes and gives ISO dates (2026-12-03), whatever the browser shows; typed by hand
    # without it, day month year is taken too.
    return forms.DateField(label=label, required=required, help_text=help_text, initial=initial,
                           input_formats=DATE_FORMATS, widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"invalid": "Enter the date as day month year, for example 3 12 2026.",
                                           "required": "Enter the date."})


class ContactFields:
    """A record of contact (issue 13): when, how and for how long; and the next planned contact.
    That the date is not in the future nor before the referral is the service's check, beside
    the field (confide.records.entries). Fields for the forms built on it (their metaclass reads
    `declared_fields`), never a form of its own: nothing posts it alone."""

    declared_fields = {
        "contact_kind": forms.ChoiceField(
            label="Was this a contact with the client?", required=False, widget=forms.RadioSelect,
            choices=[("", "Not a contact: a note about the case")] + list(Entry.Contact.choices), initial="",
            error_messages={"invalid_choice": "Choose how the contact took place from the list."}),
        "contact_on": _date_field("Date of the contact",
                                  help_text="Today, or the day it took place. Not used for a note that is not a contact."),
        "duration_minutes": forms.IntegerField(
            label="How long it lasted, in minutes (optional)", required=False, min_value=0, max_value=600,
            help_text="Leave it empty for a missed appointment.",
            widget=forms.NumberInput(attrs={"inputmode": "numeric"}),
            error_messages={"invalid": "Enter the duration in whole minutes, for example 45.",
                            "min_value": "The duration is in minutes, from 0 to 600 (ten hours).",
                            "max_value": "The duration is in minutes, from 0 to 600 (ten hours)."}),
        "next_contact_on": _date_field("Next planned contact (optional)",
                                       help_text="Shown on the caseload. Leave it empty to keep the date already "
                                                 "planned."),
    }

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["contact_on"].initial = timezone.localdate()  # today, as the form is shown


class NoteForm(ContactFields, EntryFactsForm):
    text = forms.CharField(label="Note", max_length=20000, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text="Facts: what was seen, said and done, and who said it.",
                           error_messages={"required": "Write the note before saving it."})
    confirm_wording = forms.BooleanField(required=False, widget=forms.HiddenInput)
    field_order = ["text"]


class RiskAssessmentForm(ContactFields, EntryFactsForm):
    level = forms.ChoiceField(label="Level of risk", choices=Entry.Risk.choices, widget=forms.RadioSelect,
                              error_messages={"required": "Choose the level of risk."})
    text = forms.CharField(label="Assessment", max_length=20000, widget=forms.Textarea(attrs={"rows": 8}),
                           help_text="The risks identified, to whom, and the plan.",
                           error_messages={"required": "Write the assessment before saving it."})
    confirm_wording = forms.BooleanField(required=False, widget=forms.HiddenInput)
    field_order = ["level", "text"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["categories"].initial = ["risk_assessment"]


ALLOWED_TYPES = {
    "application/pdf", "image/jpeg", "image/png", "text/plain",
    "application/msword", "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "application/vnd.oasis.opendocument.text",
}


class DocumentForm(EntryFactsForm):
    file = forms.FileField(label="File", error_messages={"required": "Choose a file to upload.",
                                                         "empty": "That file is empty."},
                           help_text=f"PDF, Word, OpenDocument, plain text, JPEG or PNG, up to "
                                     f"{settings.UPLOAD_MAX_MB} MB. It is encrypted before it is stored.")
    description = forms.CharField(label="What is it?", max_length=500,
                                  error_messages={"required": "Say what the document is."},
                                  help_text="For example: signed consent form, letter from the housing office.")
    field_order = ["file", "description"]

    def clean_file(self):
        upload = self.cleaned_data["file"]
        if upload.size > settings.UPLOAD_MAX_MB * 1024 * 1024:
            raise forms.ValidationError(f"That file is larger than {settings.UPLOAD_MAX_MB} MB.")
        if upload.content_type not in ALLOWED_TYPES:
            raise forms.ValidationError("Confide takes PDF, Word, OpenDocument, plain text, JPEG or PNG files.")
        return upload


class RelatedPersonForm(forms.Form):
    relationship = forms.ChoiceField(label="Who are they to the client?", choices=RelatedPerson.Relationship.choices)
    name = forms.CharField(label="Name", max_length=200, error_messages={"required": "Give the person's name."},
                           help_text="Or how the client refers to them.")
    agency = forms.CharField(label="Agency (if any)", max_length=200, required=False)
    contact = forms.CharField(label="How to reach them (if known and safe to record)", max_length=300, required=False)
    notes = forms.CharField(label="Notes", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}))


class SafeContactForm(forms.Form):
    number = forms.CharField(label="Safe number", max_length=100, required=False,
                             help_text="A number only the client answers.")
    when = forms.CharField(label="When it is safe to call", max_length=300, required=False)
    say = forms.CharField(label="What to say if someone else answers", max_length=500, required=False)
    avoid = forms.CharField(label="Never", max_length=500, required=False,
                            help_text="For example: never leave a message; never write to the home address.")

    def clean(self):
        data = super().clean()
        if not data.get("number") and not data.get("when"):
            raise forms.ValidationError("Give a safe number, or a safe way and time to make contact.")
        return data


class ReviewForm(forms.Form):
    outcome = forms.ChoiceField(label="Your review", widget=forms.RadioSelect,
                                choices=[("appropriate", "The reason was good enough: no further action"),
                                         ("concern", "A concern: I will follow it up")],
                                error_messages={"required": "Choose the outcome of your review."})
    note = forms.CharField(label="Review note", max_length=2000, required=False, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="What you checked or will do. It is kept encrypted with the client's file.")

    def clean_note(self):
        try:
            return check_review_note(self.cleaned_data["note"])
        except ReasonError as error:
            raise forms.ValidationError(error.sentence()) from None


class ReferralForm(forms.Form):
    name = forms.CharField(label="Client's name", max_length=200,
                           error_messages={"required": "Give the client's name."},
                           help_text="As the client gives it. Only you and others who may open the file will see it.")
    date_of_birth = forms.DateField(label="Date of birth (if known)", required=False,
                                    help_text="For example 27 3 1985, or 1985-03-27.",
                                    input_formats=["%Y-%m-%d", "%d %m %Y", "%d/%m/%Y", "%d-%m-%Y"],
                                    error_messages={"invalid": "Enter the date of birth as day month year, "
                                                               "for example 27 3 1985."})
    subject_role = forms.ChoiceField(label="The client is", choices=SUBJECT_ROLES)
    service = forms.ChoiceField(label="Referred to the service")
    # Offered only once a possible duplicate is found (records_views.new_referral).
    different_person = forms.BooleanField(label="This is a different person: take the referral", required=False)

    def clean_date_of_birth(self):
        """A date someone alive could be born on (0 to 120 years ago, identity.OLDEST_AGE): a date in
        the future or longer ago is a mistyped year (issue 13)."""
        born = self.cleaned_data.get("date_of_birth")
        problem = date_of_birth_problem(born, timezone.localdate())
        if problem:
            raise forms.ValidationError(problem)
        return born

    def __init__(self, *args, services: list[tuple[str, str]], to_referral: dict | None = None,
                 to_support: dict | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["service"].choices = services
        if to_referral:  # Home-Start 7.1: a referral is accepted only with the family's consent
            self.fields["referral_consent"] = forms.BooleanField(
                label="The family has consented to this referral", help_text=f"{to_referral['text']} "
                f"(clause {to_referral['clause']})", error_messages={
                    "required": f"A referral is taken only when the family has consented to it "
                                f"(clause {to_referral['clause']})."})
        if to_support:  # JustUs 5.5: consent to support is asked for at intake
            self.fields["support_consent"] = forms.ChoiceField(
                label="Has the client agreed to support and assistance being offered and provided?",
                choices=[("verbal", "Yes, verbally"), ("written", "Yes, in writing"),
                         ("not_yet", "Not yet: I will ask at the first contact")], widget=forms.RadioSelect,
                help_text=f"{to_support['text']} (clause {to_support['clause']})",
                error_messages={"required": "Say whether the client has agreed to support."})


class CaseForm(forms.Form):
    status = forms.ChoiceField(label="Stage", choices=Case.Status.choices, widget=forms.RadioSelect)
    # A legal hold is not set or lifted here: it is the data controller's, with the retention work.
    flags = forms.MultipleChoiceField(label="Flags", required=False, widget=forms.CheckboxSelectMultiple,
                                      choices=[(w, label) for w, label in CASE_FLAGS if w != "legal_hold"],
                                      help_text="A family court risk assessment changes how long the records are kept.")

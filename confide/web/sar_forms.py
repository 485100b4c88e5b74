"""Forms for subject-access requests (confide/web/sar_views.py). They check what was typed; whether
it may be done, and every rule of the clock, is confide.subject_access.services' business, whose
refusals (a SarError naming its field) are shown beside the field here (confide.web.errors)."""

from __future__ import annotations

from django import forms
from django.utils import timezone

from confide.subject_access.models import Item, SubjectAccessRequest
from confide.subject_access.services import MAX_TEXT, PARA_16_FACTORS

# A browser's date field sends YYYY-MM-DD; a person typing one in takes any of the others.
DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y"]
DATE_WIDGET = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")
BAD_DATE = "Enter the date as day, month and year, for example 8/12/2026."
TOO_LONG = f"Keep it under {MAX_TEXT} characters."
OUT_OF_DATE = "This page is out of date: open the request again and make your change there."


def date_field(label: str, *, required: bool = True, missing: str = "Enter the date.", help_text: str = ""):
    return forms.DateField(label=label, required=required, input_formats=DATE_FORMATS, widget=DATE_WIDGET,
                           help_text=help_text, error_messages={"required": missing, "invalid": BAD_DATE})


def text_field(label: str, *, required: bool = True, missing: str = "", help_text: str = "", rows: int = 0):
    widget = forms.Textarea(attrs={"rows": rows}) if rows else forms.TextInput()
    return forms.CharField(label=label, required=required, max_length=MAX_TEXT, widget=widget, help_text=help_text,
                           error_messages={"required": missing or "Fill this in.", "max_length": TOO_LONG})


def radio(label: str, choices, *, missing: str, required: bool = True, help_text: str = ""):
    return forms.ChoiceField(label=label, choices=choices, widget=forms.RadioSelect, required=required,
                             help_text=help_text, error_messages={"required": missing,
                                                                 "invalid_choice": "Choose one from the list."})


class VersionedForm(forms.Form):
    """A change to a request carries the version of the request the person saw: a form from a page
    opened before someone else's change is refused (services.Stale), never saved over it."""

    version = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**31 - 1,
                                 error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE,
                                                 "min_value": OUT_OF_DATE, "max_value": OUT_OF_DATE})

    def __init__(self, *args, sar: SubjectAccessRequest | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if sar is not None:
            self.fields["version"].initial = sar.version


IDENTITY_CHECKED = [(value, label) for value, label in SubjectAccessRequest.IdentityCheck.choices
                    if value != SubjectAccessRequest.IdentityCheck.NOT_YET]


class LogRequestForm(forms.Form):
    received_on = date_field("When was the request received?", missing="Enter the day the request was received.",
                             help_text="The day it reached anyone in the organisation, not the day it reached you.")
    made = radio("How was it made?", SubjectAccessRequest.Made.choices, missing="Choose how the request was made.",
                 help_text="A request made by phone or in person is as valid as a letter: nobody has to use a "
                           "form or particular words.")
    made_by = radio("Who made it?", SubjectAccessRequest.By.choices, missing="Choose who made the request.")
    representative_name = text_field("The representative's name", required=False,
                                     help_text="Only if someone made the request for the client.")
    representative_relationship = text_field("Who they are to the client", required=False,
                                             help_text="For example: a solicitor, an advocate, a family member.")
    authority = text_field("How they showed the client's authority", required=False, rows=2,
                           help_text="For example: a signed letter from the client, seen on the day.")
    authority_confirmed_on = date_field("When was their authority confirmed?", required=False,
                                        help_text="Leave it empty until it is confirmed: the clock waits for it.")
    identity_check = radio("How was the requester's identity checked?", SubjectAccessRequest.IdentityCheck.choices,
                           missing="Choose how the requester's identity was checked.")
    identity_confirmed_on = date_field("When was their identity confirmed?", required=False,
                                       help_text="Leave it empty until it is confirmed: the clock starts from the "
                                                 "later of this and the day the request was received.")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["received_on"].initial = timezone.localdate()
        self.fields["made_by"].initial = SubjectAccessRequest.By.CLIENT
        self.fields["identity_check"].initial = SubjectAccessRequest.IdentityCheck.NOT_YET


class ConfirmForm(VersionedForm):
    identity_check = radio("How was the requester's identity checked?", IDENTITY_CHECKED, required=False,
                           missing="Choose how identity was checked.")
    identity_confirmed_on = date_field("When was their identity confirmed?", required=False)
    authority_confirmed_on = date_field("When was the representative's authority confirmed?", required=False)
    authority = text_field("How they showed the client's authority", required=False, rows=2)

    def __init__(self, *args, sar: SubjectAccessRequest | None = None, **kwargs):
        super().__init__(*args, sar=sar, **kwargs)
        if sar is not None and sar.made_by != SubjectAccessRequest.By.REPRESENTATIVE:
            del self.fields["authority_confirmed_on"], self.fields["authority"]


class AskForm(VersionedForm):
    asked_on = date_field("When did you ask the requester?", missing="Enter the day you asked.",
                          help_text="The clock pauses from this day until they answer.")


class AnswerForm(VersionedForm):
    answered_on = date_field("When did they answer?", missing="Enter the day they answered.",
                             help_text="The clock runs again from this day.")


class ExtendForm(VersionedForm):
    months = forms.TypedChoiceField(label="By how long?", coerce=int, widget=forms.RadioSelect,
                                    choices=[(1, "One more month"), (2, "Two more months")],
                                    error_messages={"required": "Choose one or two further months.",
                                                    "invalid_choice": "Choose one or two further months."})
    reason = text_field("Why more time is needed", rows=3, missing="Write why more time is needed.",
                        help_text="Only for a complex request, or many requests from the same person. The requester "
                                  "is told this.")
    told_on = date_field("When was the requester told?", missing="Enter the day the requester was told.",
                         help_text="They must be told within the first month, with the reasons.")


class SearchForm(VersionedForm):
    search = text_field("Where did you look?", rows=3, missing="Write where you looked.",
                        help_text="For example: this file in Confide, the paper file, the team's email and work "
                                  "phones.")
    searched_on = date_field("When did you finish looking?", missing="Enter the day the search was finished.")


STEP_CHOICES = [("supported_reading", "Supported reading was offered to the client"),
                ("declaration", "The signed declaration was received")]


class ProcedureStepForm(VersionedForm):
    step = radio("What was done?", STEP_CHOICES, missing="Choose what was done.")
    on = date_field("When?", missing="Enter the day it was done.")

    def __init__(self, *args, steps: list[str] | None = None, **kwargs):
        super().__init__(*args, **kwargs)
        if steps is not None:
            self.fields["step"].choices = [c for c in STEP_CHOICES if c[0] in steps] or STEP_CHOICES


class HealthOpinionForm(VersionedForm):
    health_opinion_on = date_field("When was the opinion given?", missing="Enter the day the opinion was given.",
                                   help_text="It can be relied on for six months.")
    health_opinion_by = text_field("Who gave it", missing="Write the health professional's name and role.",
                                   help_text="Their name and role, for example: Dr A Example, the client's GP.")
    serious_harm = radio("Would giving the health information be likely to cause serious harm?",
                         [("yes", "Yes: it is withheld"), ("no", "No: it may be given")],
                         missing="Choose yes or no.")


class WithdrawRequestForm(VersionedForm):
    confirm = forms.BooleanField(label="The requester has withdrawn the request",
                                 error_messages={"required": "Tick the box to confirm the request was withdrawn."})


class CompileForm(VersionedForm):
    pass


class RedactionsForm(VersionedForm):
    """A checkbox per redaction proposed in the request's items (`r<id>`): ticked, it is redacted."""

    def __init__(self, *args, redactions=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.redaction_ids = []
        for number, redaction in enumerate(redactions, start=1):
            name = f"r{redaction.pk}"
            self.fields[name] = forms.BooleanField(
                label=f"Redact {number} ({redaction.what.replace('_', ' ')})", required=False,
                initial=redaction.status != redaction.Status.REJECTED,
                widget=forms.CheckboxInput(attrs={"form": "redactions-form"}))
            self.redaction_ids.append((redaction.pk, name))

    def decisions(self) -> dict[int, bool]:
        return {pk: bool(self.cleaned_data.get(name)) for pk, name in self.redaction_ids}


DECISIONS = [(Item.Decision.RELEASE, "Release it as it is"),
             (Item.Decision.REDACT, "Release it with the other people's details redacted"),
             (Item.Decision.WITHHOLD, "Withhold it")]
BASIS_CHOICES = [("consent", "The other person consented"),
                 ("reasonable", "It is reasonable to give it without their consent (record the five factors below)"),
                 ("professional", "They acted as a professional, in that role")]


class ItemDecisionForm(VersionedForm):
    """A reviewer's decision on one item. Each item's form on the page has its own ids (auto_id), the
    same field names; `item` names the item."""

    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1,
                              error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE,
                                              "min_value": OUT_OF_DATE, "max_value": OUT_OF_DATE})
    decision = radio("Decision", DECISIONS, missing="Choose to release, release with redactions, or withhold.")
    basis = radio("If it is about someone else: why it may be given", BASIS_CHOICES, required=False,
                  missing="Choose why it may be given.")
    client_knows = forms.BooleanField(label="The client already knows this health information", required=False)
    reason = text_field("If it is withheld: why (the copy shows this)", required=False)

    def __init__(self, *args, item: Item | None = None, **kwargs):
        if item is not None:
            kwargs.setdefault("auto_id", f"id_item{item.pk}_%s")
        super().__init__(*args, **kwargs)
        for key, words in PARA_16_FACTORS:
            self.fields[key] = text_field(words, required=False, rows=2)
        if item is not None:
            self.fields["item"].initial = item.pk
            self.fields["decision"].initial = item.decision if item.decision in dict(DECISIONS) else ""
            basis = item.third_party_basis or {}
            self.fields["basis"].initial = basis.get("basis", "")
            for key, _words in PARA_16_FACTORS:
                self.fields[key].initial = basis.get(key, "")
            self.fields["client_knows"].initial = item.client_knows
            if item.decision == Item.Decision.WITHHOLD:
                self.fields["reason"].initial = item.reason
            if not item.health:
                del self.fields["client_knows"]

    def factors(self) -> dict[str, str]:
        return {key: self.cleaned_data.get(key, "") for key, _words in PARA_16_FACTORS}


class AddRedactionForm(VersionedForm):
    """Words the proposer could not know (a name nobody recorded), redacted wherever they appear in one item."""

    item = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1,
                              error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE,
                                              "min_value": OUT_OF_DATE, "max_value": OUT_OF_DATE})
    words = forms.CharField(label="Words to redact, exactly as they appear", max_length=200,
                            error_messages={"required": "Type the words to redact, exactly as they appear in the item.",
                                            "max_length": "Redact at most 200 characters at a time."})

    def __init__(self, *args, item: Item | None = None, **kwargs):
        if item is not None:
            kwargs.setdefault("auto_id", f"id_add{item.pk}_%s")
        super().__init__(*args, **kwargs)
        if item is not None:
            self.fields["item"].initial = item.pk


class ReleaseForm(VersionedForm):
    secret = forms.CharField(label="Confirm it is you: your password, or a code from your authenticator app",
                             max_length=200, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                             error_messages={"required": "Enter your password or a code to confirm it is you."})


class FindClientForm(forms.Form):
    client = forms.IntegerField(
        label="Client number", min_value=1, max_value=2**63 - 1,
        help_text="The number in the address of the client's file, for example 1042 in /clients/1042/.",
        error_messages={"required": "Enter the client's number, for example 1042.",
                        "invalid": "Enter the client's number in figures, for example 1042.",
                        "min_value": "Enter the client's number, for example 1042.",
                        "max_value": "Enter the client's number, for example 1042."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))

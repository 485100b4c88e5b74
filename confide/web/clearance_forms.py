"""Forms for declarations, induction and training (confide/web/clearance_views.py). They check what was
typed; whether it may be done (who records, whether the name matches, what a signed copy may be) is
confide.staffing.clearance's business, whose refusals (a ClearanceError naming its field) are shown
beside the field here (confide.web.errors)."""

from __future__ import annotations

from django import forms

from confide.staffing.clearance import MAX_COPY_BYTES, MAX_NAME
from confide.web.record_forms import DATE_FORMATS

OUT_OF_DATE = "This page is out of date: open it again and choose from the list."


def _date(label: str, help_text: str = "") -> forms.DateField:
    return forms.DateField(label=label, help_text=help_text, input_formats=DATE_FORMATS,
                           widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                           error_messages={"required": "Enter the date.",
                                           "invalid": "Enter the date as day month year, for example 3 12 2026."})


def _choice(label: str, choices, *, required_message: str) -> forms.ChoiceField:
    return forms.ChoiceField(label=label, choices=[("", "Choose…"), *choices],
                             error_messages={"required": required_message, "invalid_choice": OUT_OF_DATE})


class SignForm(forms.Form):
    """Signing one declaration: the person types their own name."""

    declaration = forms.CharField(widget=forms.HiddenInput, max_length=100,
                                  error_messages={"required": OUT_OF_DATE, "max_length": OUT_OF_DATE})
    typed_name = forms.CharField(label="Type your full name to sign", max_length=MAX_NAME,
                                 widget=forms.TextInput(attrs={"autocomplete": "name"}),
                                 error_messages={"required": "Type your full name to sign.",
                                                 "max_length": f"Keep your name under {MAX_NAME} characters."})


class InductionForm(forms.Form):
    def __init__(self, *args, people=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"] = _choice("Who was inducted", people, required_message="Choose who was inducted.")
        self.fields["completed_on"] = _date("Date the induction was completed")


class TrainingForm(forms.Form):
    def __init__(self, *args, people=(), modules=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"] = _choice("Who did the training", people, required_message="Choose who did the training.")
        self.fields["module"] = _choice("Which module", modules, required_message="Choose the training module.")
        self.fields["completed_on"] = _date("Date it was completed")


class CopyForm(forms.Form):
    """A declaration signed on paper: the scanned copy, recorded by a manager."""

    def __init__(self, *args, people=(), declarations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["person"] = _choice("Whose declaration", people, required_message="Choose whose declaration it is.")
        self.fields["declaration"] = _choice("Which declaration", declarations,
                                             required_message="Choose the declaration they signed.")
        self.fields["signed_on"] = _date("Date they signed it")
        self.fields["copy"] = forms.FileField(
            label="The signed copy", help_text=f"A PDF, PNG or JPEG file, up to {MAX_COPY_BYTES // (1024 * 1024)} MB. "
                                               "It is encrypted before it is stored.",
            error_messages={"required": "Choose the file of the signed copy.",
                            "empty": "That file is empty: choose the file of the signed copy."})


class OutsideForm(forms.Form):
    """A contractor's undertaking or a partner agency's copy of the procedure, signed outside Confide."""

    def __init__(self, *args, declarations=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["declaration"] = _choice("Which declaration", declarations,
                                             required_message="Choose the declaration they signed.")
        self.fields["signer_name"] = forms.CharField(
            label="Name of the person who signed", max_length=MAX_NAME,
            error_messages={"required": "Write the name of the person who signed.",
                            "max_length": f"Keep the name under {MAX_NAME} characters."})
        self.fields["organisation"] = forms.CharField(
            label="Their firm or agency", max_length=MAX_NAME,
            error_messages={"required": "Write the name of their firm or agency.",
                            "max_length": f"Keep it under {MAX_NAME} characters."})
        self.fields["signed_on"] = _date("Date they signed it")

"""Forms for the retention pages (confide/web/retention_views.py). They check what was typed; whether it
may be done (who may approve, whether a batch may be applied, whether a client number names a client)
is confide.retention.services' business, whose refusals (a RetentionError naming its field) are shown
beside the field here (confide.web.errors)."""

from __future__ import annotations

from django import forms

from confide.retention.models import LegalHold

MAX_AUTHORITY = 200
CLIENT_MISSING = "Enter the client's number, for example 1042, or choose \"Everything\"."
CLIENT_INVALID = "Enter the client's number in figures, for example 1042."
OUT_OF_DATE = "This page is out of date: open it again and choose from the list."


class ApproveForm(forms.Form):
    """One of the two approvals of a batch: the person confirms it is them, as when releasing a copy."""

    secret = forms.CharField(label="Confirm it is you: your password, or a code from your authenticator app",
                             max_length=200, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                             error_messages={"required": "Enter your password or a code to confirm it is you.",
                                             "max_length": "That is longer than any password: enter yours again."})


class ApplyForm(forms.Form):
    """Applying an approved batch: destruction cannot be undone, so it is asked for in words."""

    confirm = forms.BooleanField(
        label="I have checked every line above: destroy, minimise and return them now. This cannot be undone.",
        error_messages={"required": "Tick the box to confirm the batch is to be applied now."})


SCOPES = [("client", "One client's records"), ("everything", "Everything: no record at all is destroyed while it lasts")]


class PlaceHoldForm(forms.Form):
    kind = forms.ChoiceField(label="Why is it held?", choices=LegalHold.Kind.choices, widget=forms.RadioSelect,
                             error_messages={"required": "Choose why the records are held.",
                                             "invalid_choice": "Choose one from the list."})
    authority = forms.CharField(
        label="Who asked for it, or what requires it",
        help_text="For example: the county court and its claim number, or the police force and its reference. "
                  "No client's name.", max_length=MAX_AUTHORITY,
        error_messages={"required": "Write who asked for the hold, or what requires it.",
                        "max_length": f"Keep it under {MAX_AUTHORITY} characters."})
    scope = forms.ChoiceField(label="What does it cover?", choices=SCOPES, widget=forms.RadioSelect,
                              error_messages={"required": "Choose one client's records, or everything.",
                                              "invalid_choice": "Choose one from the list."})
    client = forms.IntegerField(
        label="Client number", required=False, min_value=1, max_value=2**63 - 1,
        help_text="Only for one client's records: the number in the address of their file, for example 1042.",
        error_messages={"invalid": CLIENT_INVALID, "min_value": CLIENT_INVALID, "max_value": CLIENT_INVALID},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scope"].initial = "client"

    def clean(self):
        data = super().clean()
        if data.get("scope") == "client" and data.get("client") is None and "client" not in self.errors:
            self.add_error("client", CLIENT_MISSING)
        if data.get("scope") == "everything":
            data["client"] = None
        return data


class ReleaseHoldForm(forms.Form):
    hold = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1,
                              error_messages={"required": OUT_OF_DATE, "invalid": OUT_OF_DATE,
                                              "min_value": OUT_OF_DATE, "max_value": OUT_OF_DATE})

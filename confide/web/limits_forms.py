"""Forms for telling a client the limits of confidentiality and for consent to support. They check
what was typed; who may do what is the gate's business, what the policy asks is confide.sharing.limits'."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone

from confide.sharing.models import LimitsTold, SupportConsent
from confide.web.sharing_forms import DATE, checked_upload


class LimitsToldForm(forms.Form):
    how = forms.ChoiceField(label="How were they told?", widget=forms.RadioSelect,
                            error_messages={"required": "Say how the client was told."})
    copy_given = forms.BooleanField(label="They were given a copy to keep", required=False)
    told_on = forms.DateField(label="Date they were told", widget=DATE,
                              error_messages={"required": "Enter the date the client was told.",
                                              "invalid": "Enter the date as day, month and year."})
    form_file = forms.FileField(label="The signed copy (optional)", required=False,
                                help_text=f"A scan or photo, up to {settings.UPLOAD_MAX_MB} MB. It is encrypted "
                                          "before it is stored.")

    def __init__(self, *args, ways: tuple[str, ...], **kwargs):
        super().__init__(*args, **kwargs)
        labels = dict(LimitsTold.How.choices)
        self.fields["how"].choices = [(w, labels[w]) for w in ways]
        self.fields["told_on"].initial = timezone.localdate()
        if LimitsTold.How.SIGNED not in ways:
            del self.fields["form_file"]

    def clean_form_file(self):
        return checked_upload(self.cleaned_data.get("form_file"))


class SupportConsentForm(forms.Form):
    how = forms.ChoiceField(label="How did they agree?", choices=SupportConsent.How.choices, widget=forms.RadioSelect,
                            error_messages={"required": "Say whether the client agreed verbally or in writing."})
    given_on = forms.DateField(label="Date they agreed", widget=DATE,
                               error_messages={"required": "Enter the date the client agreed.",
                                               "invalid": "Enter the date as day, month and year."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["given_on"].initial = timezone.localdate()

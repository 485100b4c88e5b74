"""Forms for consent and sharing. They check what was typed; who may do what is the gate's and
the engine's business."""

from __future__ import annotations

from django import forms
from django.conf import settings
from django.utils import timezone

from confide.policy import reasons as reason_rules
from confide.policy import steps as step_rules
from confide.records.models import DATA_CATEGORIES
from confide.sharing.models import Approval, Consent, IncomingRequest, Task
from confide.web import describe
from confide.web.record_forms import ALLOWED_TYPES

# A browser's date field takes only YYYY-MM-DD: a date filled in by the form (today, by default) in
# the locale's format is rejected by the browser and the form fails once.
DATE = forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


def checked_upload(upload):
    """A signed form or a court order: within the size limit, and a kind of file Confide takes."""
    if upload is None:
        return None
    if upload.size > settings.UPLOAD_MAX_MB * 1024 * 1024:
        raise forms.ValidationError(f"That file is larger than {settings.UPLOAD_MAX_MB} MB.")
    if upload.content_type not in ALLOWED_TYPES:
        raise forms.ValidationError("Upload a PDF, an image or a document, not that kind of file.")
    return upload


_label = describe.word


def word_choices(words) -> list[tuple[str, str]]:
    return sorted(((w, _label(w)) for w in words), key=lambda c: c[1])


class ConsentForm(forms.Form):
    given_by = forms.ChoiceField(label="Who gave consent?", choices=Consent.GivenBy.choices,
                                 initial=Consent.GivenBy.CLIENT, widget=forms.RadioSelect)
    given_by_name = forms.CharField(label="Name of the parent or guardian", required=False, max_length=200,
                                    help_text="Only if a parent or guardian gave consent for the client.")
    recipients = forms.MultipleChoiceField(label="To whom may information go?", required=False,
                                           widget=forms.CheckboxSelectMultiple)
    agencies = forms.MultipleChoiceField(label="Named agencies", required=False, widget=forms.CheckboxSelectMultiple)
    data = forms.MultipleChoiceField(label="Which information?", choices=DATA_CATEGORIES,
                                     widget=forms.CheckboxSelectMultiple,
                                     error_messages={"required": "Choose the information the person agreed may be shared."})
    purposes = forms.MultipleChoiceField(label="For what?", widget=forms.CheckboxSelectMultiple,
                                         error_messages={"required": "Choose what the person agreed it may be shared for."})
    how = forms.ChoiceField(label="How was consent given?", choices=Consent.How.choices, widget=forms.RadioSelect,
                            error_messages={"required": "Say whether consent was given in writing or verbally."})
    has_capacity = forms.BooleanField(label="They had the capacity to decide", required=False)
    informed = forms.BooleanField(label="They had enough information: why, to whom, and what could follow",
                                  required=False)
    free_from_duress = forms.BooleanField(label="Nobody pressured them to agree", required=False)
    given_on = forms.DateField(label="Date consent was given", widget=DATE,
                               error_messages={"required": "Enter the date consent was given.",
                                               "invalid": "Enter the date as day, month and year."})
    expires_on = forms.DateField(label="Date it ends", required=False, widget=DATE,
                                 error_messages={"invalid": "Enter the date as day, month and year."})
    form_file = forms.FileField(label="The signed form (optional)", required=False,
                                help_text=f"A scan or photo, up to {settings.UPLOAD_MAX_MB} MB. It is encrypted "
                                          "before it is stored.")

    def __init__(self, *args, pack, agencies, scope: tuple[str, ...] = (), **kwargs):
        super().__init__(*args, **kwargs)
        words = pack.spec.vocab
        kinds = [w for w in words["recipient_kinds"] if w not in ("partner", "ex_partner", "public", "trustees")]
        # The form's own scope first (DVIP Appendix B: police, probation, social services).
        self.fields["recipients"].choices = ([(w, _label(w)) for w in scope] +
                                             [c for c in word_choices(kinds) if c[0] not in scope])
        self.fields["agencies"].choices = [(str(a.pk), a.name) for a in agencies]
        if not agencies:
            del self.fields["agencies"]
        self.fields["purposes"].choices = word_choices(words["purposes"])
        self.fields["given_on"].initial = timezone.localdate()

    def clean_form_file(self):
        return checked_upload(self.cleaned_data.get("form_file"))


class WithdrawForm(forms.Form):
    withdrawn_on = forms.DateField(label="Date it was withdrawn", widget=DATE,
                                   error_messages={"required": "Enter the date consent was withdrawn.",
                                                   "invalid": "Enter the date as day, month and year."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["withdrawn_on"].initial = timezone.localdate()


class ShareForm(forms.Form):
    case = forms.ChoiceField(label="Which case?")
    to = forms.ChoiceField(label="Share with", error_messages={"required": "Choose who it would go to."})
    other_kind = forms.ChoiceField(label="Kind of recipient", required=False,
                                   help_text="Only if you chose someone not listed.")
    other_name = forms.CharField(label="Their name and organisation", required=False, max_length=200)
    entries = forms.MultipleChoiceField(
        label="What to share", widget=forms.CheckboxSelectMultiple,
        help_text="Only what the recipient needs: nothing is ticked until you tick it.",
        error_messages={"required": "Choose what to share: nothing is chosen until you choose it."})
    purpose = forms.ChoiceField(label="Purpose")
    grounds = forms.MultipleChoiceField(label="Grounds, if any (without consent)", required=False,
                                        widget=forms.CheckboxSelectMultiple)
    channel = forms.ChoiceField(label="How it would go")
    identity_verified = forms.BooleanField(
        label="I called them back on a number I found myself (not one they gave me), and it was them", required=False)
    callback_number = forms.CharField(
        label="The number you called back on", required=False, max_length=40,
        help_text="Only if you ticked the box above. For an agency, the number in the directory. It is kept with "
                  "the request as the record of the call back.")
    # Minimum necessary (Caldicott 3): what is sent names the client by number unless the purpose
    # needs more. Recorded with the request; shown to approvers; printed on what the recipient gets.
    include_name = forms.BooleanField(label="Include the client's name", required=False)
    include_date_of_birth = forms.BooleanField(label="Include their date of birth", required=False)
    reason = forms.CharField(label="Your reasons", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
                             help_text="Kept whichever way the decision goes. Approvers read it; trustees see it "
                                       "without the client's name, so do not name the client in it.",
                             error_messages={"required": "Write your reasons: they are kept whichever way it goes."})

    def __init__(self, *args, pack, cases, recipients, entries, **kwargs):
        super().__init__(*args, **kwargs)
        words = pack.spec.vocab
        self.fields["case"].choices = cases
        if len(cases) == 1:
            self.fields["case"].initial = cases[0][0]
            self.fields["case"].widget = forms.HiddenInput()
        self.fields["to"].choices = [("", "Choose…"), *recipients, ("other", "Someone not listed")]
        self.fields["other_kind"].choices = [("", "Choose…"), *word_choices(words["recipient_kinds"])]
        self.fields["entries"].choices = entries
        self.fields["purpose"].choices = [("", "Choose…"), *word_choices(words["purposes"])]
        self.fields["grounds"].choices = word_choices(words["grounds"])
        self.fields["channel"].choices = [("", "Choose…"), *word_choices(words["channels"])]

    def clean(self):
        data = super().clean()
        if data.get("identity_verified") and not data.get("callback_number", "").strip():
            self.add_error("callback_number", "Give the number you called back on.")
        if data.get("to") == "other":
            if not data.get("other_kind"):
                self.add_error("other_kind", "Choose what kind of recipient they are.")
            if not data.get("other_name", "").strip():
                self.add_error("other_name", "Give their name and organisation.")
        return data


class StepForm(forms.Form):
    """One step the policy requires before sending: what was done, or, where the policy allows it
    to be skipped, why not. Each step's form on the page has its own prefix (its word)."""

    outcome = forms.ChoiceField(label="Was it done?", widget=forms.RadioSelect,
                                error_messages={"required": "Say whether it was done."})
    note = forms.CharField(label="What was done", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           error_messages={"required": "Say what was done."})
    number = forms.CharField(label="The number you called back on", max_length=40, required=False)

    def __init__(self, *args, step: step_rules.Step, known_phone: str = "", **kwargs):
        super().__init__(*args, prefix=step.kind, **kwargs)
        self.step = step
        self.fields["note"].label = step.record
        if step.may_skip:
            self.fields["outcome"].choices = [("done", "Yes: it was done"),
                                              ("skipped", "No: it would raise the risk (say why)")]
            self.fields["note"].help_text = f"If it was not done, say why: it may be skipped only where {step.skip_when}."
        else:
            self.fields["outcome"].choices = [("done", "Yes: it was done")]
            self.fields["outcome"].initial = "done"
            self.fields["outcome"].widget = forms.HiddenInput()
        if step.needs_number:
            self.fields["number"].required = True
            self.fields["number"].initial = known_phone
            self.fields["number"].error_messages["required"] = "Give the number you called back on."
            self.fields["number"].help_text = "For an agency, the number in the directory; never one the caller gave."
        else:
            del self.fields["number"]

    def clean_note(self):
        note = self.cleaned_data["note"]
        if step_rules.real_length(note) < step_rules.MIN_NOTE:
            raise forms.ValidationError(f"Say what was done, or why not: write {reason_rules.RULE}.")
        return note


class DecideForm(forms.Form):
    decision = forms.ChoiceField(label="Your decision", widget=forms.RadioSelect,
                                 choices=[(Approval.Decision.APPROVE, "Approve: it may go"),
                                          (Approval.Decision.DECLINE, "Do not approve")],
                                 error_messages={"required": "Choose to approve or not to approve."})
    note = forms.CharField(label="Your notes", max_length=4000, widget=forms.Textarea(attrs={"rows": 4}),
                           help_text="Why you decided as you did. Kept with your decision.",
                           error_messages={"required": "Write your notes: they are kept with your decision."})
    secret = forms.CharField(label="Confirm it is you: your password, or a code from your authenticator app",
                             max_length=200, widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}),
                             error_messages={"required": "Enter your password or a code to confirm it is you."})


class SentForm(forms.Form):
    note = forms.CharField(label="How and when it was sent", max_length=2000, widget=forms.Textarea(attrs={"rows": 3}),
                           help_text="For example: read to the duty social worker by telephone at 14:10.",
                           error_messages={"required": "Say how and when it was sent."})


class TaskForm(forms.Form):
    outcome = forms.ChoiceField(label="Outcome", choices=Task.Outcome.choices, widget=forms.RadioSelect,
                                error_messages={"required": "Say whether it was done."})
    note = forms.CharField(label="Notes", required=False, max_length=2000, widget=forms.Textarea(attrs={"rows": 3}))

    def __init__(self, *args, task, **kwargs):
        super().__init__(*args, **kwargs)
        if not task.may_skip:
            self.fields["outcome"].choices = [(Task.Outcome.DONE, "Done")]


class IncomingForm(forms.Form):
    requester_kind = forms.ChoiceField(label="Who is asking?")
    agency = forms.ChoiceField(label="From which agency in the directory?", required=False,
                               help_text="If they say they are from an agency you work with. Leave empty if not.")
    how = forms.ChoiceField(label="How did the request come in?", choices=IncomingRequest.How.choices,
                            widget=forms.RadioSelect, error_messages={"required": "Say how the request came in."})
    details = forms.CharField(label="Who asked, what for, and what they said", max_length=4000,
                              widget=forms.Textarea(attrs={"rows": 4}),
                              help_text="Include the name and number they gave. Tell them nothing until you have "
                                        "checked who they are.",
                              error_messages={"required": "Say who asked and what for."})
    order = forms.ChoiceField(label="Is there a court order or witness summons?", required=False,
                              choices=IncomingRequest.Order.choices, widget=forms.RadioSelect)
    order_file = forms.FileField(label="The order or summons", required=False,
                                 help_text=f"Kept with the request, encrypted. Up to {settings.UPLOAD_MAX_MB} MB.")

    def __init__(self, *args, pack, agencies, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["requester_kind"].choices = [("", "Choose…"), *word_choices(pack.spec.vocab["recipient_kinds"])]
        self.fields["agency"].choices = [("", "Not in the directory"), *((str(a.pk), a.name) for a in agencies)]
        self.fields["order"].initial = ""

    def clean_order_file(self):
        return checked_upload(self.cleaned_data.get("order_file"))


class CallbackForm(forms.Form):
    number = forms.CharField(label="The number you called back on", max_length=40,
                             error_messages={"required": "Give the number you called back on."})
    outcome = forms.ChoiceField(label="Did the call back confirm who they are?", widget=forms.RadioSelect,
                                choices=[("confirmed", "Yes: the organisation confirmed the caller"),
                                         ("failed", "No: it could not be confirmed")],
                                error_messages={"required": "Say whether the call back confirmed who they are."})

"""Forms for the administrator's staff pages. They check what was typed and offer the roles of the
organisation's pack by their labels; the do_* functions of confide.accounts.services check again
(a username taken, the last administrator, a team needed) and name the field a problem is about."""

from __future__ import annotations

from django import forms

from confide.accounts.models import Team, current_policy
from confide.accounts.services import TASK_DUE_DAYS
from confide.partners.directory import DirectoryError, clean_phone

EMAIL_INVALID = "Give the email address in full, for example name@example.org."


def role_choices() -> list[tuple[str, str]]:
    """The pack's roles, by their labels, in the pack's order."""
    return [("", "Choose a role")] + [(name, role.label) for name, role in current_policy().roles.items()]


def _phone(form: forms.Form, name: str) -> str:
    try:
        return clean_phone(form.cleaned_data.get(name, ""), name)
    except DirectoryError as error:
        raise forms.ValidationError(str(error)) from None


class StaffSearchForm(forms.Form):
    q = forms.CharField(label="Search by name or username", required=False, max_length=100,
                        widget=forms.TextInput(attrs={"type": "search", "autocomplete": "off"}))


class RoleAndTeamMixin(forms.Form):
    role = forms.ChoiceField(
        label="Role", help_text="What they may see and do follows from their role in the organisation's policy.",
        error_messages={"required": "Choose their role.",
                        "invalid_choice": "That is not one of this organisation's roles: choose one from the list."})
    team = forms.ModelChoiceField(
        label="Team", queryset=Team.objects.order_by("name"), required=False, empty_label="No team (trustees only)",
        error_messages={"invalid_choice": "That team does not exist: choose one from the list."})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["role"].choices = role_choices()


class DetailsMixin(forms.Form):
    first_name = forms.CharField(label="First name", max_length=150,
                                 error_messages={"required": "Give their first name."})
    last_name = forms.CharField(label="Last name", max_length=150, error_messages={"required": "Give their last name."})
    email = forms.EmailField(label="Email address (optional)", required=False, max_length=254,
                             error_messages={"invalid": EMAIL_INVALID},
                             widget=forms.EmailInput(attrs={"autocomplete": "off"}))
    work_phone = forms.CharField(
        label="Work phone (optional)", max_length=40, required=False,
        help_text="A direct line a recipient may call back on, printed on what they share. Leave it empty to give "
                  "the organisation's own number instead.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))

    def clean_work_phone(self):
        return _phone(self, "work_phone")


class AddStaffForm(DetailsMixin, RoleAndTeamMixin):
    username = forms.CharField(
        label="Username", max_length=150,
        help_text="What they type to sign in: letters, numbers and @ . + - _ only, for example j.smith.",
        error_messages={"required": "Give them a username."},
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "none", "spellcheck": "false"}))
    password = forms.CharField(
        label="First password", strip=False,
        help_text="At least 12 characters. Tell it to them in person or by phone; they sign in with it and the "
                  "set-up code shown next.",
        error_messages={"required": "Give them a first password."},
        widget=forms.PasswordInput(attrs={"autocomplete": "new-password"}))

    field_order = ["first_name", "last_name", "username", "email", "role", "team", "work_phone", "password"]


class ChangeStaffForm(DetailsMixin, RoleAndTeamMixin):
    field_order = ["first_name", "last_name", "email", "role", "team", "work_phone"]


class OrganisationForm(forms.Form):
    phone = forms.CharField(
        label="Phone number", max_length=40, required=False,
        help_text="The switchboard a recipient calls back on, printed on what is shared.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}))
    email = forms.EmailField(label="Email address", required=False, max_length=254,
                             error_messages={"invalid": EMAIL_INVALID},
                             help_text="Printed on what is shared. A shared mailbox, not a person's.")
    address = forms.CharField(label="Postal address", required=False, max_length=1000,
                              widget=forms.Textarea(attrs={"rows": 4}), help_text="Printed on what is shared.")
    task_due_days = forms.IntegerField(
        label="Days to do a task", min_value=TASK_DUE_DAYS[0], max_value=TASK_DUE_DAYS[1],
        help_text=f"When the policy gives no time for a task, it is due this many days after it is set "
                  f"({TASK_DUE_DAYS[0]} to {TASK_DUE_DAYS[1]}).",
        error_messages={key: f"Give a number of days from {TASK_DUE_DAYS[0]} to {TASK_DUE_DAYS[1]}."
                        for key in ("required", "invalid", "min_value", "max_value")},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}))
    email_reminders = forms.BooleanField(
        label="Email people when something is waiting for them in Confide (the email never says what)", required=False)

    def clean_phone(self):
        return _phone(self, "phone")

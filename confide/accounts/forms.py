from django import forms


class PasswordForm(forms.Form):
    username = forms.CharField(label="Username", max_length=150,
                               widget=forms.TextInput(attrs={"autocomplete": "username", "autocapitalize": "none"}))
    password = forms.CharField(label="Password", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))


class CodeForm(forms.Form):
    code = forms.CharField(
        label="Six-digit code from your authenticator app", max_length=12,
        widget=forms.TextInput(attrs={"autocomplete": "one-time-code", "inputmode": "numeric"}),
    )

    def clean_code(self) -> str:
        code = "".join(self.cleaned_data["code"].split())
        if len(code) != 6 or not code.isdigit():
            raise forms.ValidationError("Enter the six digits your authenticator app shows, for example 123456.")
        return code


class SetUpForm(CodeForm):
    setup_code = forms.CharField(
        label="Set-up code from your administrator", max_length=20,
        help_text="Twelve letters and numbers, for example ABCD-EFGH-JK23. Your administrator gives it to you in person.",
        widget=forms.TextInput(attrs={"autocomplete": "off", "autocapitalize": "characters"}),
    )
    field_order = ["setup_code", "code"]

    def clean_setup_code(self) -> str:
        code = "".join(ch for ch in self.cleaned_data["setup_code"].upper() if ch.isalnum())
        if len(code) != 12:
            raise forms.ValidationError("Enter the twelve letters and numbers of your set-up code, for example ABCD-EFGH-JK23.")
        return code


class UnlockForm(forms.Form):
    password = forms.CharField(label="Password", strip=False,
                               widget=forms.PasswordInput(attrs={"autocomplete": "current-password"}))

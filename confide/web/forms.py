from django import forms


class RecordLookupForm(forms.Form):
    client = forms.IntegerField(
        label="Client number", min_value=1,
        help_text="The number in the address of the client's file, for example 1042 in /clients/1042/.",
        error_messages={"required": "Enter the client's number, for example 1042.",
                        "invalid": "Enter the client's number in figures, for example 1042.",
                        "min_value": "Enter the client's number, for example 1042."},
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
    )
    purpose = forms.ChoiceField(label="Why are you looking?", initial="audit")

    def __init__(self, *args, purposes: dict, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["purpose"].choices = list(purposes.items())

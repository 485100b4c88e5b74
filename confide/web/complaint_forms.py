"""Forms for complaints about data protection (confide/web/complaint_views.py). They check what was
typed; dates in the future, before receipt and steps out of order are confide.complaints.services'
refusals, shown beside the field they name."""

from __future__ import annotations

from django import forms

from confide.complaints.models import Complaint
from confide.web.breach_forms import date_field, radio, text_field


class NewComplaintForm(forms.Form):
    received_on = date_field("Date received", missing="Enter the day the complaint was received.")
    how_received = radio("How was it received?", Complaint.How.choices, "Choose how the complaint was received.")
    from_whom = text_field("Who made the complaint", missing="Say who made the complaint, and how to reply to them.",
                           help_text="Their name and how to reply. Kept sealed.", rows=2)
    about = text_field("What it is about", missing="Say what the complaint is about.",
                       help_text="Kept sealed: it may name people.")
    breach = forms.IntegerField(label="Breach number (optional)", required=False, min_value=1, max_value=2**63 - 1,
                                help_text="Only if the complaint is about a breach in the breach register: its number.",
                                widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off"}),
                                error_messages={"invalid": "Enter the breach's number in figures, for example 3.",
                                                "min_value": "Enter the breach's number in figures, for example 3.",
                                                "max_value": "Enter the breach's number in figures, for example 3."})


class AcknowledgeForm(forms.Form):
    acknowledged_on = date_field("Date acknowledged", missing="Enter the day the complaint was acknowledged.")


class InvestigateForm(forms.Form):
    investigation_started_on = date_field("Date the investigation began",
                                          missing="Enter the day the investigation began.")


class OutcomeForm(forms.Form):
    outcome = text_field("Outcome", missing="Write the outcome: what was found and what will be done.",
                         help_text="What was found and what will be done. Kept sealed.")
    told_on = date_field("Date the complainant was told", missing="Enter the day the complainant was told the outcome.")


class CloseComplaintForm(forms.Form):
    confirm = forms.BooleanField(label="The complainant has the outcome: close the complaint.",
                                 error_messages={"required": "Tick the box to close the complaint."})

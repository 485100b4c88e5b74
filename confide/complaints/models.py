"""Complaints about data protection (issue 16): logged, acknowledged within 30 days of receipt (DPA
2018 s164A, inserted by the Data (Use and Access) Act 2025, from 19 June 2026), investigated,
answered with an outcome and closed. Who complained, what about and the outcome may name people:
they are sealed under the installation's key. A complaint about a breach links to it; its handler
sees the breach's number and dates, never its contents (Day-Mer: the Complaints Officer stays
independent)."""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from confide.keys.sealed import Sealed


class Complaint(models.Model):
    class How(models.TextChoices):
        LETTER = "letter", "By letter"
        EMAIL = "email", "By email"
        PHONE = "phone", "By telephone"
        IN_PERSON = "in_person", "In person"
        FORM = "form", "On the organisation's complaints form"
        ICO = "ico", "Passed on by the Information Commissioner's Office"

    class Status(models.TextChoices):
        RECEIVED = "received", "Received: to acknowledge"
        ACKNOWLEDGED = "acknowledged", "Acknowledged"
        INVESTIGATING = "investigating", "Being investigated"
        ANSWERED = "answered", "Outcome told"
        CLOSED = "closed", "Closed"

    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    received_on = models.DateField()
    how_received = models.CharField(max_length=16, choices=How.choices)
    from_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    from_whom = Sealed("from_sealed", "complaint", "from_whom", client=None)
    about_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    about = Sealed("about_sealed", "complaint", "about", client=None)
    breach = models.ForeignKey("breaches.Breach", null=True, blank=True, on_delete=models.PROTECT,
                               related_name="complaints")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    acknowledged_on = models.DateField(null=True, blank=True)
    investigation_started_on = models.DateField(null=True, blank=True)
    outcome_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    outcome = Sealed("outcome_sealed", "complaint", "outcome", client=None)
    told_on = models.DateField(null=True, blank=True)  # the day the complainant was told the outcome
    closed_on = models.DateField(null=True, blank=True)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-received_on", "-id"]
        indexes = [models.Index(fields=["status", "received_on"], name="complaints_open")]

    def __str__(self) -> str:
        return f"complaint #{self.pk}"

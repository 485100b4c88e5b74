"""The breach register (issue 16; UK GDPR Art 33 and 34).

One Breach per incident: when the organisation became aware (an aware moment, stored in UTC, with
the zone it was given in so it is shown back as typed); what happened, sealed under the
installation's key (it may name people); the data categories (the pack's data words) and how many
people (or "not known yet"); the risk; the ICO decision with its rationale, when reported and the
reason for any delay past 72 hours; the people told when the risk is high, or which Art 34(3)
exception applies; the Charity Commission serious-incident decision; evidence and lessons learned;
client numbers only; the break-glass review it came from; a referral for disciplinary action; and
where it stands on the pack's escalation chain.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from confide.keys.sealed import Sealed

from . import clock


class Breach(models.Model):
    class Risk(models.TextChoices):
        NONE = "none", "Unlikely to result in a risk to people's rights and freedoms"
        RISK = "risk", "A risk to people's rights and freedoms"
        HIGH = "high", "A high risk to people's rights and freedoms"

    class Decision(models.TextChoices):
        REPORT = "report", "Report it"
        NOT_REPORT = "not_report", "Do not report it"

    class Told(models.TextChoices):
        TOLD = "told", "The people affected were told"
        NOT_TOLD = "not_told", "They were not told: an exception in Art 34(3) applies"

    class Exception_(models.TextChoices):
        PROTECTED = "protected", "Art 34(3)(a): the data was protected, for example encrypted, so it cannot be read"
        RISK_REMOVED = "risk_removed", "Art 34(3)(b): steps taken since mean the high risk is no longer likely"
        DISPROPORTIONATE = "disproportionate", ("Art 34(3)(c): telling each person would take disproportionate "
                                                "effort, so a public notice was given instead")

    class Status(models.TextChoices):
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    aware_at = models.DateTimeField(help_text="When the organisation became aware (stored in UTC).")
    aware_zone = models.CharField(max_length=64, default=clock.LONDON)
    what_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    what_happened = Sealed("what_sealed", "breach", "what_happened", client=None)
    data_categories = models.JSONField(default=list)  # the pack's data words
    people_affected = models.PositiveIntegerField(null=True, blank=True)  # None: not known yet
    risk = models.CharField(max_length=8, choices=Risk.choices)
    client_ids = models.JSONField(default=list, blank=True)  # client numbers only, never names
    opened_from = models.ForeignKey("records.BreakGlass", null=True, blank=True, on_delete=models.SET_NULL,
                                    related_name="+")
    # The ICO (Art 33).
    ico_decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    ico_rationale = models.TextField(blank=True)
    ico_decided_at = models.DateTimeField(null=True, blank=True)
    ico_decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                       related_name="+")
    reported_at = models.DateTimeField(null=True, blank=True)
    reported_zone = models.CharField(max_length=64, blank=True)
    ico_reference = models.CharField(max_length=64, blank=True)
    delay_reason = models.TextField(blank=True)
    # The people affected (Art 34), when the risk is high.
    told = models.CharField(max_length=16, choices=Told.choices, blank=True)
    told_on = models.DateField(null=True, blank=True)
    told_how = models.TextField(blank=True)
    not_told_exception = models.CharField(max_length=24, choices=Exception_.choices, blank=True)
    not_told_why = models.TextField(blank=True)
    # The Charity Commission's serious incident reporting.
    cc_decision = models.CharField(max_length=16, choices=Decision.choices, blank=True)
    cc_rationale = models.TextField(blank=True)
    cc_decided_on = models.DateField(null=True, blank=True)
    # What was found and learned.
    evidence = models.TextField(blank=True)
    lessons = models.TextField(blank=True)
    # A referral for disciplinary action (the pack's breaches.disciplinary clause: DVIP 1.01, 8.09).
    referred_person = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                        related_name="+")
    referred_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    referred_at = models.DateTimeField(null=True, blank=True)
    referral_clause = models.CharField(max_length=32, blank=True)
    # The pack's escalation chain: the step it has reached (1 = the first), and each "escalated".
    step = models.PositiveSmallIntegerField(default=1)
    escalations = models.JSONField(default=list, blank=True)  # [{"from": 1, "to": 2, "by": user id, "at": iso}]
    status = models.CharField(max_length=8, choices=Status.choices, default=Status.OPEN)
    closed_at = models.DateTimeField(null=True, blank=True)
    closed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                  related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-aware_at", "-id"]
        indexes = [models.Index(fields=["status", "aware_at"], name="breaches_open")]

    def __str__(self) -> str:
        return f"breach #{self.pk}"

    @property
    def ico_deadline(self):
        return clock.ico_deadline(self.aware_at)

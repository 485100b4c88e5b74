"""Retention (issue 15): when each record falls due under the pack's `retain` rules, the legal holds
that stop destruction, the batches two people approve, and the placeholder and certificate a
destruction leaves. Nothing here holds a name or a word of a client's records: numbers, classes,
rules, clauses and dates only."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class RecordClass(models.TextChoices):
    """The classes of record a schedule line is about (the pack's `retain` kinds, and Confide's own)."""

    CLIENT_FILE = "client_file", "A client's file (all their cases)"
    REFERRAL = "referral", "A referral never taken up"
    UNSUCCESSFUL_APPLICATION = "unsuccessful_application", "An unsuccessful applicant's papers"
    UNSOLICITED = "unsolicited_information", "Information nobody asked for"
    CONSENT_FORM = "consent_form", "A consent form"
    DISCLOSURE = "disclosure_record", "A record of sharing"
    SUBJECT_ACCESS = "subject_access_file", "A subject-access file"
    PERSONNEL_FILE = "personnel_file", "A personnel file"
    AUDIT_EVENT = "audit_event", "The audit log"


class DueAction(models.TextChoices):
    DESTROY = "destroy", "Destroy"
    MINIMISE = "minimise", "Keep only what the policy names"
    RETURN = "return_to_sender", "Return to the sender"
    ANONYMISE = "anonymise", "Anonymise"
    REVIEW = "review", "Review: the policy gives no period"
    KEEP = "keep", "Keep: still in use"


class Due(models.Model):
    """When one record falls due, as the pack's `retain` answer gives it, stored per record and worked
    out again when a case closes or a flag changes."""

    record_class = models.CharField(max_length=32, choices=RecordClass.choices)
    client = models.ForeignKey("records.Client", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    object_id = models.BigIntegerField()  # the client for a client file; the entry, consent... otherwise
    service = models.CharField(max_length=64, blank=True)
    due_on = models.DateField(null=True, blank=True)  # None: no period (review), or still in use (keep)
    action = models.CharField(max_length=24, choices=DueAction.choices)
    rule = models.CharField(max_length=100, blank=True)
    clause = models.CharField(max_length=100, blank=True)
    keep_only = models.JSONField(default=list, blank=True)
    closed_on = models.DateField(null=True, blank=True)  # what the period is counted from
    computed_at = models.DateTimeField(default=timezone.now)
    done_at = models.DateTimeField(null=True, blank=True)
    batch = models.ForeignKey("Batch", on_delete=models.PROTECT, null=True, blank=True, related_name="done")

    class Meta:
        ordering = ["due_on", "id"]
        constraints = [models.UniqueConstraint(fields=["record_class", "object_id"], name="retention_due_one")]
        indexes = [models.Index(fields=["done_at", "due_on"], name="retention_due_open")]

    def __str__(self) -> str:
        return f"{self.record_class} #{self.object_id}"


class LegalHold(models.Model):
    """A hold that stops destruction of everything it covers: one client's records, or everything."""

    class Kind(models.TextChoices):
        LITIGATION = "litigation", "Litigation"
        POLICE = "police_investigation", "Police investigation"
        SUBJECT_ACCESS = "subject_access", "Subject access in progress"
        COMPLAINT = "complaint", "Complaint"
        SAFEGUARDING = "safeguarding_review", "Safeguarding review"

    kind = models.CharField(max_length=32, choices=Kind.choices)
    client = models.ForeignKey("records.Client", on_delete=models.PROTECT, related_name="+", null=True, blank=True)
    authority = models.CharField(max_length=200)  # who asked or what requires it: a court, a force and reference
    placed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    placed_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-placed_at", "-id"]
        indexes = [models.Index(fields=["client", "released_at"], name="retention_hold_client")]

    def __str__(self) -> str:
        return f"legal hold #{self.pk}"


class Batch(models.Model):
    """What falls due on a day, frozen for review: exactly what would be destroyed, minimised or
    returned. Two different people approve it before it is applied."""

    class Status(models.TextChoices):
        PREPARED = "prepared", "Waiting for two approvals"
        APPLIED = "applied", "Applied"
        CANCELLED = "cancelled", "Cancelled"

    on = models.DateField()  # the day it was prepared for
    prepared_at = models.DateTimeField(default=timezone.now)
    prepared_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)  # None: the daily command
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PREPARED)
    # [{"due": id, "class": ..., "client": n, "object": n, "action": ..., "rule": ..., "clause": ...}]
    lines = models.JSONField(default=list)
    applied_at = models.DateTimeField(null=True, blank=True)
    result = models.JSONField(default=dict, blank=True)  # counts destroyed, held back, returned...

    class Meta:
        ordering = ["-id"]

    def __str__(self) -> str:
        return f"retention batch #{self.pk}"


class BatchApproval(models.Model):
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="approvals")
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=64)
    confirmed_with = models.CharField(max_length=32)  # password, second_factor, command_line
    approved_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["approved_at", "id"]
        constraints = [models.UniqueConstraint(fields=["batch", "approver"], name="retention_one_approval_each")]

    def __str__(self) -> str:
        return f"approval #{self.pk} of batch #{self.batch_id}"


class Destroyed(models.Model):
    """The placeholder a destroyed client file leaves: no content, only the number and the facts of
    the destruction. Its certificate is the audit event `retention.destroyed`."""

    client_number = models.BigIntegerField(unique=True)
    record_class = models.CharField(max_length=32, choices=RecordClass.choices)
    rule = models.CharField(max_length=100)
    clause = models.CharField(max_length=100)
    closed_on = models.DateField(null=True, blank=True)
    due_on = models.DateField(null=True, blank=True)
    destroyed_at = models.DateTimeField(default=timezone.now)
    batch = models.ForeignKey(Batch, on_delete=models.PROTECT, related_name="destroyed")
    counts = models.JSONField(default=dict)  # {"entries": n, "documents": n, ...}

    class Meta:
        ordering = ["-destroyed_at", "-id"]

    def __str__(self) -> str:
        return f"destroyed client #{self.client_number}"

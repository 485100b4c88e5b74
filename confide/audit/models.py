"""The audit log: an append-only, hash-chained table that every read and change of client data
passes through. Database triggers (migrations 0002 and 0003) refuse UPDATE and DELETE on it, and any
INSERT but the next event, which moves the head in the same statement (docs/audit.md)."""

from __future__ import annotations

from django.db import models


class AuditEvent(models.Model):
    seq = models.BigIntegerField(primary_key=True, help_text="1, 2, 3, … with no gaps.")
    at = models.DateTimeField()
    actor_id = models.BigIntegerField(null=True, help_text="The user's id; empty for the system or an unknown person.")
    actor = models.CharField(max_length=150, blank=True, help_text="The username at the time, kept if the account is renamed.")
    action = models.CharField(max_length=64)
    object_type = models.CharField(max_length=64, blank=True)
    object_id = models.CharField(max_length=64, blank=True)
    client_id = models.BigIntegerField(null=True, help_text="The client whose data this touched, for the record of access.")
    purpose = models.CharField(max_length=64, blank=True)
    # Canonical JSON (sorted keys, no spaces). Identifiers and decisions only, never client content.
    detail = models.TextField(default="{}")
    prev_hash = models.CharField(max_length=64)
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "audit_event"
        ordering = ["seq"]
        # One index beyond the key: every index is another page written and synced on every read
        # of client data (bench/audit.py). The record of access needs this one.
        indexes = [
            models.Index(fields=["client_id", "seq"], name="audit_client_seq"),
        ]

    def __str__(self) -> str:
        return f"#{self.seq} {self.action}"


class AuditHead(models.Model):
    """The chain's newest link. Appends lock this row, so events are numbered one at a time; the
    database moves it with each inserted event and refuses any other change; verify compares the
    chain's end with it, so events cut from the end are noticed."""

    id = models.PositiveSmallIntegerField(primary_key=True, default=1)
    seq = models.BigIntegerField(default=0)
    hash = models.CharField(max_length=64)

    class Meta:
        db_table = "audit_head"
        constraints = [models.CheckConstraint(condition=models.Q(id=1), name="one_audit_head")]

    def __str__(self) -> str:
        return f"head #{self.seq}"

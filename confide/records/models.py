"""Clients, their cases and the notes on them: the data Confide exists to protect.

Every read of these goes through confide.records.access, which asks the policy engine and writes
the audit event. Nothing else in Confide reads them for a person.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone


class Client(models.Model):
    display_name = models.CharField(max_length=200)
    date_of_birth = models.DateField(null=True, blank=True)
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="clients")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["display_name", "id"]

    def __str__(self) -> str:
        return f"client #{self.pk}"


class Case(models.Model):
    """A client's involvement with one service, from referral to closure."""

    class Status(models.TextChoices):
        REFERRAL = "referral", "Referral"
        OPEN = "open", "Open"
        CLOSED = "closed", "Closed"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases")
    service = models.CharField(max_length=64, help_text="A service named in the organisation's policy pack.")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REFERRAL)
    opened_on = models.DateField(default=timezone.localdate)
    closed_on = models.DateField(null=True, blank=True)
    workers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="cases", blank=True)

    class Meta:
        ordering = ["-opened_on", "id"]

    def __str__(self) -> str:
        return f"case #{self.pk}"


class Note(models.Model):
    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="notes")
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The body, encrypted under the client's data key (confide/keys) and bound to this note by
    # `ref`, so it reads back only as this note of this client. Never stored in clear.
    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    body_sealed = models.BinaryField()
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"note #{self.pk}"

    @property
    def body_context(self) -> str:
        return f"note:{self.ref}:body"

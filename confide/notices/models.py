"""In-app notices: "your request was approved", "a link was downloaded", "a task is yours", "a
consent is ending". A notice names no client and holds no content: it says what happened and links
to the page where, if the reader is still allowed, the gate shows the rest."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone


class Notice(models.Model):
    class Kind(models.TextChoices):
        REQUEST_APPROVED = "request_approved", "Request approved"
        REQUEST_NOT_APPROVED = "request_not_approved", "Request not approved"
        LINK_DOWNLOADED = "link_downloaded", "Link downloaded"
        TASK_ASSIGNED = "task_assigned", "Task for you"
        CONSENT_ENDING = "consent_ending", "Consent ending"
        APPROVAL_WAITING = "approval_waiting", "Approval waiting"
        BREACH_TO_ACT_ON = "breach_to_act_on", "Breach to act on"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="notices")
    kind = models.CharField(max_length=32, choices=Kind.choices)
    words = models.CharField(max_length=200)  # never a client's name or anything they said
    link = models.CharField(max_length=200, blank=True)  # a path inside Confide
    # What it is about, so that the same thing is not announced twice (e.g. a consent ending).
    object_type = models.CharField(max_length=32, blank=True)
    object_id = models.BigIntegerField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    read_at = models.DateTimeField(null=True, blank=True)
    emailed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-created_at", "-id"]
        indexes = [models.Index(fields=["user", "read_at"], name="notices_unread")]
        constraints = [models.UniqueConstraint(fields=["user", "kind", "object_type", "object_id"],
                                               name="one_notice_per_thing",
                                               condition=models.Q(object_id__isnull=False))]

    def __str__(self) -> str:
        return f"notice #{self.pk}"

"""The partner directory: agencies this service works with, their named staff, and the
information-sharing agreements that say which of those staff may receive what, for what, and from
when to when (DVIP 11.03; the Derbyshire information-sharing protocol).

Nothing here is client data: it is the service's own operational directory, read by its staff and
changed by managers and the data controller (confide.partners.directory).
"""

from __future__ import annotations

from datetime import date

from django.conf import settings
from django.db import models
from django.db.models.functions import Lower
from django.utils import timezone

from confide.policy import vocab

# The kinds of recipient an agency can be: the policy contract's recipient words, less those that
# are people rather than agencies, or not a partner at all. The field carries no `choices`, so that
# the vocabulary can grow without a migration; directory.py refuses any other word.
NOT_AGENCIES = frozenset({"partner", "ex_partner", "family_member", "trustees", "public"})
AGENCY_KINDS = [(kind, vocab.label(kind)[:1].upper() + vocab.label(kind)[1:])
                for kind in vocab.RECIPIENT_KINDS if kind not in NOT_AGENCIES]


def long_date(day: date) -> str:
    """21 November 2026: how dates read on pages and in the check's sentences."""
    return f"{day.day} {day:%B %Y}"


class Agency(models.Model):
    name = models.CharField(max_length=200)
    kind = models.CharField(max_length=32, help_text="A recipient kind word from the policy vocabulary.")
    address = models.TextField(blank=True)
    # JustUs 3.3: a caller who says they are from this agency is called back on this number, taken
    # from a trusted source (its website, an official directory), never on one the caller gives.
    known_phone = models.CharField(
        "switchboard number (from a trusted source)", max_length=40,
        help_text="The number a caller claiming to be from this agency is called back on before anything is said.")
    secure_email = models.EmailField(blank=True)
    notes = models.TextField(blank=True)
    active = models.BooleanField(default=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["name", "id"]
        verbose_name_plural = "agencies"
        constraints = [models.UniqueConstraint(Lower("name"), name="partners_agency_name_unique")]

    def __str__(self) -> str:
        return self.name

    @property
    def kind_label(self) -> str:
        return dict(AGENCY_KINDS).get(self.kind, self.kind)


class AgencyContact(models.Model):
    """A named member of an agency's staff. Someone who has left is marked inactive, not deleted:
    past disclosures still name them."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="contacts")
    name = models.CharField(max_length=200)
    job_title = models.CharField(max_length=200, blank=True)
    email = models.EmailField(blank=True)
    phone = models.CharField(max_length=40, blank=True)
    active = models.BooleanField(default=True)

    class Meta:
        ordering = ["-active", "name", "id"]

    def __str__(self) -> str:
        return self.name


class SharingAgreement(models.Model):
    """An information-sharing agreement with one agency. It is in force from `starts_on` to
    `ends_on` inclusive (open-ended without one); ended early, it is no longer in force on or after
    `ended_on`, so that an agreement ended today already flags a disclosure made today."""

    agency = models.ForeignKey(Agency, on_delete=models.PROTECT, related_name="agreements")
    title = models.CharField(max_length=300)
    reference = models.CharField(max_length=100, blank=True)
    starts_on = models.DateField()
    ends_on = models.DateField(null=True, blank=True)
    data = models.JSONField(default=list, help_text="Data-category words (confide.records.models.DATA_CATEGORIES).")
    purposes = models.JSONField(default=list, help_text="Purpose words from the policy vocabulary.")
    contacts = models.ManyToManyField(AgencyContact, related_name="agreements")
    ended_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")

    class Meta:
        ordering = ["-starts_on", "-id"]

    def __str__(self) -> str:
        return self.title

    def in_force_on(self, day: date) -> bool:
        if day < self.starts_on:
            return False
        if self.ends_on is not None and day > self.ends_on:
            return False
        return self.ended_on is None or day < self.ended_on

    def status_on(self, day: date) -> str:
        """Whether it is in force on a day, as a sentence: shown beside it and in the check."""
        if self.ended_on is not None and day >= self.ended_on:
            return f"Ended early on {long_date(self.ended_on)}."
        if day < self.starts_on:
            return f"Not yet in force: it starts on {long_date(self.starts_on)}."
        if self.ends_on is not None and day > self.ends_on:
            return f"Expired: it ran until {long_date(self.ends_on)}."
        if self.ended_on is not None:
            return f"In force; it ends early on {long_date(self.ended_on)}."
        if self.ends_on is not None:
            return f"In force until {long_date(self.ends_on)}."
        return "In force, with no end date."

"""Reports for trustees and funders (issue 17): aggregates only, with small numbers hidden
(confide/reports/sdc.py), reviewed and released by a named person, then frozen; and case studies,
anonymised, consented to and reviewed by a second person before release.

Nothing here holds a client's name or number: a report holds only its published tables (and, for
the data controller's review, why each hidden number is hidden); a case study holds only its
anonymised text, and the number of the case it was drafted from for the record of who wrote it.
"""

from __future__ import annotations

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.utils import timezone

from confide.reports import sdc

# The smallest count a report may ever show (DVIP 10.03, Home-Start 3.2, JustUs 2.3.2: no figure that
# could identify a client). No policy pack sets a minimum yet, so this is the floor, in this one place;
# the organisation may raise its own threshold above it (ReportSettings), never lower it.
MINIMUM_THRESHOLD = sdc.DEFAULT_THRESHOLD


class ReportSettings(models.Model):
    """The organisation's own rules for its reports (one row, number 1)."""

    threshold = models.PositiveSmallIntegerField(
        default=MINIMUM_THRESHOLD, validators=[MinValueValidator(MINIMUM_THRESHOLD), MaxValueValidator(99)],
        help_text="Counts from 1 to this number are hidden.")
    base = models.PositiveSmallIntegerField(default=sdc.DEFAULT_BASE, validators=[MinValueValidator(1),
                                                                                 MaxValueValidator(20)],
                                            help_text="Published counts are rounded to the nearest multiple.")
    # The month the organisation's year starts, for "year to date" (4: April, the usual charity year).
    year_starts = models.PositiveSmallIntegerField(default=4, validators=[MinValueValidator(1),
                                                                         MaxValueValidator(12)])

    def __str__(self) -> str:
        return f"report settings (threshold {self.threshold})"

    @classmethod
    def current(cls) -> ReportSettings:
        found = cls.objects.filter(pk=1).first()
        return found if found is not None else cls(pk=1)


class Report(models.Model):
    class Kind(models.TextChoices):
        QUARTER = "quarter", "Quarter"
        YEAR = "year", "Year"
        CUSTOM = "custom", "Custom period"

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft: not released"
        RELEASED = "released", "Released"

    kind = models.CharField(max_length=16, choices=Kind.choices)
    label = models.CharField(max_length=120)  # "Quarter 3 2026 (1 July to 30 September 2026)"
    starts_on = models.DateField()
    ends_on = models.DateField()
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    threshold = models.PositiveSmallIntegerField()
    base = models.PositiveSmallIntegerField()
    # The published tables (sdc.as_dict each: a hidden number is null), and beside them what each table
    # is (its subject and its period) and, for the reviewer only, why each hidden number is hidden.
    tables = models.JSONField(default=list)
    about = models.JSONField(default=list)
    reasons = models.JSONField(default=list)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(default=timezone.now)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    released_role = models.CharField(max_length=64, blank=True)
    confirmed_with = models.CharField(max_length=32, blank=True)
    sha256 = models.CharField(max_length=64, blank=True)  # of the released tables, as recorded in the audit chain

    class Meta:
        ordering = ["-ends_on", "-id"]

    def __str__(self) -> str:
        return f"report #{self.pk}"


class CaseStudy(models.Model):
    """A story of the work (Home-Start 3.3 and 7.5; DVIP's research appendix), anonymised as drafted."""

    class Status(models.TextChoices):
        DRAFT = "draft", "Draft"
        REVIEWED = "reviewed", "Reviewed: ready to release"
        SENT_BACK = "sent_back", "Sent back by the reviewer"
        RELEASED = "released", "Released"

    class ConsentHow(models.TextChoices):
        WRITING = "writing", "In writing"
        SPOKEN = "spoken", "Spoken, and recorded here"

    title = models.CharField(max_length=120)
    text = models.TextField()  # only ever the anonymised text
    redactions = models.JSONField(default=list)  # what was taken out: ["name", "phone", ...], never the words
    case_number = models.PositiveBigIntegerField()  # the case it was drafted from: the drafter's record only
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.DRAFT)
    drafted_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    drafted_at = models.DateTimeField(default=timezone.now)
    consent_on = models.DateField(null=True, blank=True)
    consent_how = models.CharField(max_length=16, choices=ConsentHow.choices, blank=True)
    consent_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                            null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note = models.TextField(blank=True)
    released_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["-drafted_at", "-id"]

    def __str__(self) -> str:
        return f"case study #{self.pk}"

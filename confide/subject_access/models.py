"""Subject access (UK GDPR Art 15): a client's request for their own records, the clock it runs on,
what was compiled from their file, what a reviewer decided to release, redact or withhold and why,
and the copy released.

Every text here that comes from or is about the client (the requester's representative, the search
made, each compiled item's words, the released PDF) is sealed under the client's own key, like the
file it came from, so that destroying the client's key (retention) destroys this too. Redactions
are kept as positions in the sealed text, never as the words they hide.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from confide.keys.sealed import BYTES, Sealed


class SubjectAccessRequest(models.Model):
    """One request by a client (or someone with their authority) for their own records."""

    class Status(models.TextChoices):
        OPEN = "open", "Open: not compiled yet"
        COMPILED = "compiled", "Compiled: being reviewed"
        RELEASED = "released", "Released"
        WITHDRAWN = "withdrawn", "Withdrawn by the requester"

    class Made(models.TextChoices):
        WRITING = "writing", "In writing (letter or form)"
        EMAIL = "email", "By email"
        VERBAL = "verbal", "Verbally (in person or by phone)"

    class By(models.TextChoices):
        CLIENT = "client", "The client"
        REPRESENTATIVE = "representative", "Someone acting for the client, with their authority"

    class IdentityCheck(models.TextChoices):
        KNOWN = "known", "Known to us: the client's worker recognised them"
        SAFE_CONTACT = "safe_contact", "Called back on the safe contact number"
        DOCUMENT = "document", "Identity document seen"
        QUESTIONS = "questions", "Questions only the client could answer"
        NOT_YET = "not_yet", "Not checked yet"

    client = models.ForeignKey("records.Client", on_delete=models.PROTECT, related_name="subject_access_requests")
    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    received_on = models.DateField()
    made = models.CharField(max_length=16, choices=Made.choices)
    made_by = models.CharField(max_length=16, choices=By.choices, default=By.CLIENT)
    # The representative (name, relationship, how their authority was shown): the client's data.
    representative_sealed = models.BinaryField(default=b"", blank=True)
    representative = Sealed("representative_sealed", "sar", "representative", kind="json")
    identity_check = models.CharField(max_length=16, choices=IdentityCheck.choices, default=IdentityCheck.NOT_YET)
    # The clock (UK GDPR Art 12A): it starts on the latest of receipt and these, once each is in.
    identity_confirmed_on = models.DateField(null=True, blank=True)
    authority_confirmed_on = models.DateField(null=True, blank=True)
    # [{"asked_on": "YYYY-MM-DD", "answered_on": "YYYY-MM-DD" | null}, ...]: the clock pauses.
    clarifications = models.JSONField(default=list, blank=True)
    extension_months = models.PositiveSmallIntegerField(null=True, blank=True)
    extension_told_on = models.DateField(null=True, blank=True)
    extension_reason_sealed = models.BinaryField(default=b"", blank=True)
    extension_reason = Sealed("extension_reason_sealed", "sar", "extension_reason")
    # The reasonable and proportionate search made: where was looked, sealed (it may say whom).
    search_sealed = models.BinaryField(default=b"", blank=True)
    search = Sealed("search_sealed", "sar", "search")
    searched_on = models.DateField(null=True, blank=True)
    # The pack's own steps (DVIP 9.11 supported reading, Appendix D's declaration).
    supported_reading_offered_on = models.DateField(null=True, blank=True)
    declaration_received_on = models.DateField(null=True, blank=True)
    # Health (DPA 2018 Sch 3 Part 2): the opinion of an appropriate health professional, given
    # within six months before release, that the serious-harm test is (not) met.
    health_opinion_on = models.DateField(null=True, blank=True)
    health_opinion_by_sealed = models.BinaryField(default=b"", blank=True)
    health_opinion_by = Sealed("health_opinion_by_sealed", "sar", "health_opinion_by")
    health_serious_harm = models.BooleanField(null=True, blank=True)  # None: no opinion; True: the test is met
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.OPEN)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(default=timezone.now)
    compiled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    compiled_at = models.DateTimeField(null=True, blank=True)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                    null=True, blank=True)
    released_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)
    version = models.PositiveIntegerField(default=1)  # bumped by every change: a stale form is refused

    class Meta:
        ordering = ["received_on", "id"]
        indexes = [models.Index(fields=["status", "received_on"], name="sar_status_received")]

    def __str__(self) -> str:
        return f"subject-access request #{self.pk}"


class Item(models.Model):
    """One thing compiled from the client's file for a request, as it was when compiled, with whom
    it is about, where it came from and what is to happen to it."""

    class Kind(models.TextChoices):
        ENTRY = "entry", "Note"
        RISK_ASSESSMENT = "risk_assessment", "Risk assessment"
        DOCUMENT = "document", "Document"
        CONSENT = "consent", "Consent"
        DISCLOSURE = "disclosure", "Information shared"
        ACCESS = "access", "Record of access"
        PERSON = "person", "Someone recorded around the client"
        CORRECTION = "correction", "Correction"

    class Decision(models.TextChoices):
        RELEASE = "release", "Release"
        REDACT = "redact", "Release with the other people's details redacted"
        WITHHOLD = "withhold", "Withhold"
        WAIT_HEALTH = "wait_health", "Waiting for a health professional's opinion"

    request = models.ForeignKey(SubjectAccessRequest, on_delete=models.CASCADE, related_name="items")
    client = models.ForeignKey("records.Client", on_delete=models.PROTECT, related_name="+")
    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    position = models.PositiveIntegerField()
    kind = models.CharField(max_length=24, choices=Kind.choices)
    object_id = models.BigIntegerField(null=True, blank=True)  # the entry, consent, disclosure... it came from
    on = models.DateField(null=True, blank=True)  # the date it carries
    # What it is and where from, as the release will say: sealed (a document's name, a recipient).
    title_sealed = models.BinaryField(default=b"", blank=True)
    title = Sealed("title_sealed", "sar_item", "title")
    text_sealed = models.BinaryField(default=b"", blank=True)
    text = Sealed("text_sealed", "sar_item", "text")
    # Whom it is about and who its source is: {"client": bool, "people": [ids], "source": "client" |
    # "worker" | "third_party" | "professional" | "organisation"}. No names.
    about = models.JSONField(default=dict, blank=True)
    categories = models.JSONField(default=list, blank=True)
    # What the copy says beside it: [["Recorded by", "Support worker"], ...] (labels only, no content).
    facts = models.JSONField(default=list, blank=True)
    health = models.BooleanField(default=False)
    client_knows = models.BooleanField(default=False)  # health: the client already knows it
    decision = models.CharField(max_length=16, choices=Decision.choices)
    # The exemption or rule and the reason shown in the release's box ("Sch 2 para 16: third party").
    code = models.CharField(max_length=64, blank=True)
    reason = models.CharField(max_length=300, blank=True)
    # Sch 2 para 16(3) factors recorded for releasing what is about someone else, or their consent,
    # or that they acted as a professional: {"basis": "consent" | "reasonable" | "professional", ...}.
    third_party_basis = models.JSONField(default=dict, blank=True)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["request", "position"]
        constraints = [models.UniqueConstraint(fields=["request", "position"], name="sar_item_position")]

    def __str__(self) -> str:
        return f"subject-access item #{self.pk}"


class Redaction(models.Model):
    """A passage of an item's text proposed for redaction: where it is (never the words), what kind
    of detail it is, who or what proposed it, and the reviewer's decision with its exemption."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", "Proposed"
        ACCEPTED = "accepted", "Redacted"
        REJECTED = "rejected", "Left in"

    item = models.ForeignKey(Item, on_delete=models.CASCADE, related_name="redactions")
    start = models.PositiveIntegerField()
    end = models.PositiveIntegerField()
    what = models.CharField(max_length=32)  # name, phone, postcode, email, nino, nhs_number, date_of_birth, address...
    proposed_by = models.CharField(max_length=32)  # people_recorded, uk_pattern, presidio, reviewer
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.PROPOSED)
    code = models.CharField(max_length=64, default="Sch 2 para 16")
    reason = models.CharField(max_length=200, default="third party")
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        ordering = ["item", "start", "end", "id"]

    def __str__(self) -> str:
        return f"redaction #{self.pk}"


class Release(models.Model):
    """The copy released to the requester: the PDF (sealed under the client's key), who compiled,
    who reviewed and released it, and counts of what was withheld (the exemptions log is the
    request's items and redactions)."""

    request = models.OneToOneField(SubjectAccessRequest, on_delete=models.PROTECT, related_name="release")
    client = models.ForeignKey("records.Client", on_delete=models.PROTECT, related_name="+")
    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    pdf_sealed = models.BinaryField()
    pdf = Sealed("pdf_sealed", "sar_release", "pdf", kind=BYTES)
    sha256 = models.CharField(max_length=64)
    compiled_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    released_at = models.DateTimeField(default=timezone.now)
    counts = models.JSONField(default=dict, blank=True)  # {"released": n, "redacted": n, "withheld": n, "redactions": n}

    def __str__(self) -> str:
        return f"subject-access release #{self.pk}"

"""Consent to share, and every decision to share or not: the register of what a person agreed to,
the requests to let information leave the organisation with the engine's whole answer, the
approvals they needed, how they went out, and the tasks the pack's obligations leave behind.

What a person said (a parent's name, a worker's reasons, an approver's notes, a signed form) is
sealed under the client's own data key, like the rest of the client's record: each through the
sealed column declared beside its `*_sealed` field (confide/keys/sealed.py), which makes its context
and reads as the one placeholder once the key is destroyed.
"""

from __future__ import annotations

import datetime as dt
import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from confide.keys.sealed import BYTES, Sealed


class FrozenWording(RuntimeError):
    """A form's wording cannot change once anyone has agreed to it: a new version is made instead."""


class FormWording(models.Model):
    """One version of a form's wording, generated from the organisation's policy pack. Once a
    consent has been recorded against it, it never changes: what a person was told is what the
    ICO asks an organisation to prove."""

    pack = models.CharField(max_length=64)
    pack_version = models.CharField(max_length=32)
    document = models.CharField(max_length=64)
    version = models.PositiveIntegerField()
    title = models.CharField(max_length=300)
    text = models.TextField()
    digest = models.CharField(max_length=64)  # SHA-256 of text
    created_at = models.DateTimeField(default=timezone.now)
    frozen_at = models.DateTimeField(null=True, blank=True)  # when the first consent used it

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["pack", "document", "version"], name="wording_version_once"),
            models.UniqueConstraint(fields=["pack", "document", "digest"], name="wording_text_once"),
        ]
        ordering = ["pack", "document", "-version"]

    def __str__(self) -> str:
        return f"{self.pack}/{self.document} v{self.version}"

    def save(self, *args, **kwargs):
        if self.pk is not None:
            stored = FormWording.objects.filter(pk=self.pk).values("text", "title", "frozen_at").first()
            if stored and stored["frozen_at"] is not None and (stored["text"], stored["title"]) != (self.text, self.title):
                raise FrozenWording(f"{self} has been agreed to; its wording cannot change")
        super().save(*args, **kwargs)


class Consent(models.Model):
    """What a person agreed to: who gave it, to whom it lets information go, which data, for which
    purposes, how, the capacity check (JustUs 5.2-5.3), when it was given, when it ends, and its
    withdrawal (JustUs 5.4). A later consent for the same scope supersedes it."""

    class GivenBy(models.TextChoices):
        CLIENT = "client", "The client"
        PARENT = "parent", "A parent"
        GUARDIAN = "guardian", "A guardian, or someone else with legal authority"

    class How(models.TextChoices):
        WRITTEN = "written", "In writing (a signed form)"
        VERBAL = "verbal", "Verbally"

    client = models.ForeignKey("records.Client", on_delete=models.PROTECT, related_name="consents")
    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    given_by = models.CharField(max_length=16, choices=GivenBy.choices, default=GivenBy.CLIENT)
    given_by_name_sealed = models.BinaryField(null=True, blank=True)  # a parent's or guardian's name
    given_by_name = Sealed("given_by_name_sealed", "consent", "name")
    recipients = models.JSONField(default=list)  # recipient kinds (policy contract)
    agencies = models.ManyToManyField("partners.Agency", blank=True, related_name="+")
    data = models.JSONField(default=list)  # data categories
    purposes = models.JSONField(default=list)
    how = models.CharField(max_length=16, choices=How.choices)
    has_capacity = models.BooleanField(default=False)
    informed = models.BooleanField(default=False)
    free_from_duress = models.BooleanField(default=False)
    given_on = models.DateField()
    expires_on = models.DateField(null=True, blank=True)
    wording = models.ForeignKey(FormWording, on_delete=models.PROTECT, related_name="consents")
    scope_text = models.TextField()  # the scope as it was put to the person, frozen with the consent
    form_filename_sealed = models.BinaryField(null=True, blank=True)
    form_content_sealed = models.BinaryField(null=True, blank=True)
    form_filename = Sealed("form_filename_sealed", "consent", "form_name")
    form_content = Sealed("form_content_sealed", "consent", "form", kind=BYTES)
    form_content_type = models.CharField(max_length=100, blank=True)
    form_size = models.PositiveIntegerField(null=True, blank=True)
    withdrawn_on = models.DateField(null=True, blank=True)
    withdrawn_recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True,
                                              blank=True, related_name="+")
    superseded_by = models.ForeignKey("self", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"consent #{self.pk}"

    def status(self, on: dt.date | None = None) -> str:
        """The policy contract's consent status on a day: given, withdrawn or expired (a superseded
        consent counts as withdrawn: the person has agreed to something else in its place)."""
        on = on or timezone.localdate()
        if self.withdrawn_on is not None and self.withdrawn_on <= on:
            return "withdrawn"
        if self.superseded_by_id is not None:
            return "withdrawn"
        if self.expires_on is not None and self.expires_on < on:
            return "expired"
        return "given"

    def status_label(self, on: dt.date | None = None) -> str:
        if self.superseded_by_id is not None and self.withdrawn_on is None:
            return "Replaced by a newer consent"
        return {"given": "In force", "withdrawn": "Withdrawn", "expired": "Expired"}[self.status(on)]


class Disclosure(models.Model):
    """One request to let information leave the organisation, and everything decided about it."""

    class Status(models.TextChoices):
        REFUSED = "refused", "Refused"
        AWAITING_APPROVAL = "awaiting_approval", "Waiting for approval"
        DECLINED = "declined", "Not approved"
        READY = "ready", "Approved: ready to send"
        SENT = "sent", "Sent"
        STOPPED = "stopped", "Stopped: the consent it relied on ended"
        CANCELLED = "cancelled", "Cancelled"

    client = models.ForeignKey("records.Client", on_delete=models.PROTECT, related_name="disclosures")
    case = models.ForeignKey("records.Case", on_delete=models.PROTECT, related_name="disclosures")
    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requester_role = models.CharField(max_length=64)
    requested_at = models.DateTimeField(default=timezone.now)
    # To whom: a named person at a partner agency, an agency, someone on the client's file, or other.
    recipient_kind = models.CharField(max_length=64)
    relationship = models.CharField(max_length=32, blank=True)
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    contact = models.ForeignKey("partners.AgencyContact", on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    related_person = models.ForeignKey("records.RelatedPerson", on_delete=models.PROTECT, null=True, blank=True,
                                       related_name="+")
    recipient_name_sealed = models.BinaryField(null=True, blank=True)  # for a recipient not in the directory
    recipient_name = Sealed("recipient_name_sealed", "disclosure", "recipient")
    # What, why and how.
    entries = models.ManyToManyField("records.Entry", blank=True, related_name="+")
    extra_data = models.JSONField(default=list, blank=True)  # categories shared beyond the entries
    data = models.JSONField(default=list)  # every category the engine was asked about
    purpose = models.CharField(max_length=64)
    channel = models.CharField(max_length=32)
    # The identifying details the requester chose to put on what is sent (minimum necessary:
    # chosen in the request, recorded, shown to approvers). Without them the recipient sees the
    # client's number only.
    include_name = models.BooleanField(default=False)
    include_date_of_birth = models.BooleanField(default=False)
    grounds = models.JSONField(default=list, blank=True)
    identity_verified = models.BooleanField(default=False)
    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, null=True, blank=True, related_name="disclosures")
    reason_sealed = models.BinaryField()  # the requester's reasons, whichever way it goes
    reason = Sealed("reason_sealed", "disclosure", "reason")
    # The engine's whole answer, and what was asked of it.
    request = models.JSONField()
    answer = models.JSONField()
    decision = models.CharField(max_length=32)
    final = models.BooleanField(default=False)
    agreement = models.ForeignKey("partners.SharingAgreement", on_delete=models.PROTECT, null=True, blank=True,
                                  related_name="+")
    agreement_problems = models.JSONField(default=list, blank=True)
    # The steps the policy requires before anything goes (confide.policy.steps), fixed when it is
    # asked: [{kind, clause, text}]. Each needs a DisclosureStep before it can be sent.
    before_sending = models.JSONField(default=list, blank=True)
    status = models.CharField(max_length=32, choices=Status.choices)
    status_changed_at = models.DateTimeField(default=timezone.now)
    sent_at = models.DateTimeField(null=True, blank=True)
    sent_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    sent_note_sealed = models.BinaryField(null=True, blank=True)
    sent_note = Sealed("sent_note_sealed", "disclosure", "sent")

    class Meta:
        ordering = ["-requested_at", "-id"]
        # The approvals page and every home page read the requests waiting for approval, newest
        # first, from here rather than from every request ever made (tests/web/test_flat_pages.py).
        indexes = [models.Index(fields=["status", "requested_at", "id"], name="sharing_disclosure_status")]

    def __str__(self) -> str:
        return f"disclosure #{self.pk}"

    @property
    def approval_steps(self) -> list[dict]:
        return list(self.answer.get("approvals") or [])


class Approval(models.Model):
    """One approver's decision on one step of a disclosure's approvals, with their written notes
    (Day-Mer's breach procedure asks for them) and how they proved it was them."""

    class Decision(models.TextChoices):
        APPROVE = "approve", "Approved"
        DECLINE = "decline", "Not approved"

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="approvals")
    step = models.PositiveSmallIntegerField()
    approver = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    role = models.CharField(max_length=64)
    decision = models.CharField(max_length=16, choices=Decision.choices)
    note_sealed = models.BinaryField()
    # Bound to the disclosure and to the approver (one decision each).
    note = Sealed("note_sealed", "disclosure", "approval:{o.approver_id}", ref="disclosure.ref",
                  client="disclosure.client_id")
    confirmed_with = models.CharField(max_length=16)  # "password" or "second_factor"
    at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["step", "at", "id"]
        constraints = [models.UniqueConstraint(fields=["disclosure", "approver"], name="one_decision_per_approver")]

    def __str__(self) -> str:
        return f"approval #{self.pk}"


class DisclosureStep(models.Model):
    """A step the policy requires before information leaves (confide.policy.steps: DVIP 2.01, 3.08
    and 4.01, Day-Mer's telling the client first, JustUs 3.3's call back), confirmed by the worker
    with what was done, or, where the policy allows it to be skipped, the reason it was not. Nothing
    is sent until every step of the request's answer has one."""

    class Outcome(models.TextChoices):
        DONE = "done", "Done"
        SKIPPED = "skipped", "Not done, with the reason"

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="steps")
    kind = models.CharField(max_length=64)  # the obligation word
    clause = models.CharField(max_length=100, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices)
    note_sealed = models.BinaryField()  # what was done, or why it was not
    # Bound to the disclosure and to the step (one confirmation each).
    note = Sealed("note_sealed", "disclosure", "step:{o.kind}", ref="disclosure.ref", client="disclosure.client_id")
    number = models.CharField(max_length=40, blank=True)  # the known number called back (JustUs 3.3)
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    done_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["done_at", "id"]
        constraints = [models.UniqueConstraint(fields=["disclosure", "kind"], name="one_confirmation_per_step")]

    def __str__(self) -> str:
        return f"step #{self.pk}"


class SecureLink(models.Model):
    """A one-time, expiring link for a partner agency to exactly the approved items. Only a hash of
    its token is kept: the link is shown once, to the person who made it."""

    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, related_name="links")
    token_hash = models.CharField(max_length=64, unique=True)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    revoked_at = models.DateTimeField(null=True, blank=True)
    revoked_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    downloaded = models.JSONField(default=list, blank=True)  # entry ids already downloaded (each once)

    class Meta:
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"secure link #{self.pk}"


class Task(models.Model):
    """Something a pack's obligation, or an automatic notification it requires, leaves to be done."""

    class Outcome(models.TextChoices):
        DONE = "done", "Done"
        NOT_DONE = "not_done", "Not done, with the reason"

    kind = models.CharField(max_length=64)  # the obligation or notification word
    title = models.CharField(max_length=300)
    clause = models.CharField(max_length=100, blank=True)
    client = models.ForeignKey("records.Client", on_delete=models.PROTECT, related_name="tasks")
    case = models.ForeignKey("records.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, null=True, blank=True, related_name="tasks")
    assigned_to = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    urgent = models.BooleanField(default=False)
    may_skip = models.BooleanField(default=False)  # e.g. not informing the client where that raises the risk
    due_on = models.DateField(null=True, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    created_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                   related_name="+")
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)
    outcome_note_sealed = models.BinaryField(null=True, blank=True)
    outcome_note = Sealed("outcome_note_sealed", "task", "outcome")
    done_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                related_name="+")
    done_at = models.DateTimeField(null=True, blank=True)
    ref = models.UUIDField(default=uuid.uuid4, editable=False)

    class Meta:
        ordering = ["-urgent", "due_on", "id"]

    def __str__(self) -> str:
        return f"task #{self.pk}"


class IncomingRequest(models.Model):
    """A request for a client's information from outside: police, a court, another agency, a
    relative. A telephone caller is called back on a number Confide already knows before anything
    is said (JustUs 3.3); a court order or subpoena is kept with the request (Home-Start 10.2)."""

    class How(models.TextChoices):
        PHONE = "phone", "Telephone"
        LETTER = "post", "Letter"
        EMAIL = "email", "Email"
        IN_PERSON = "in_person", "In person"

    class Order(models.TextChoices):
        NONE = "", "No order"
        COURT_ORDER = "court_order", "Court order"
        SUBPOENA = "subpoena", "Witness summons (subpoena)"

    class Verified(models.TextChoices):
        NOT_YET = "", "Not checked yet"
        CONFIRMED = "confirmed", "Confirmed by calling back on a known number"
        FAILED = "failed", "Could not be confirmed"

    client = models.ForeignKey("records.Client", on_delete=models.PROTECT, related_name="incoming_requests")
    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    requester_kind = models.CharField(max_length=64)  # a recipient kind: who is asking
    agency = models.ForeignKey("partners.Agency", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    how = models.CharField(max_length=16, choices=How.choices)
    details_sealed = models.BinaryField()  # who asked, what for, what they said
    details = Sealed("details_sealed", "request", "details")
    received_at = models.DateTimeField(default=timezone.now)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    order = models.CharField(max_length=16, choices=Order.choices, blank=True)
    order_filename_sealed = models.BinaryField(null=True, blank=True)
    order_content_sealed = models.BinaryField(null=True, blank=True)
    order_filename = Sealed("order_filename_sealed", "request", "order_name")
    order_content = Sealed("order_content_sealed", "request", "order", kind=BYTES)
    order_content_type = models.CharField(max_length=100, blank=True)
    order_size = models.PositiveIntegerField(null=True, blank=True)
    verified = models.CharField(max_length=16, choices=Verified.choices, blank=True)
    verified_number = models.CharField(max_length=40, blank=True)  # the known number called back
    verified_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True,
                                    related_name="+")
    verified_at = models.DateTimeField(null=True, blank=True)
    disclosure = models.ForeignKey(Disclosure, on_delete=models.PROTECT, null=True, blank=True, related_name="+")

    class Meta:
        ordering = ["-received_at", "-id"]

    def __str__(self) -> str:
        return f"incoming request #{self.pk}"


class LimitsTold(models.Model):
    """That a client was told the limits of their confidentiality (DVIP Appendices A and B,
    Derbyshire's "clear and explicit boundaries", JustUs 2.1, Home-Start 1.1, Day-Mer): which of the
    pack's statements, in which wording version (frozen by its hash, like a consent form's), how
    (given to keep, explained in person or by telephone, or signed, with the signed copy sealed
    under the client's key), on which day and by whom."""

    class How(models.TextChoices):
        GIVEN = "given", "Given to them to read and keep"
        IN_PERSON = "explained_in_person", "Explained in person"
        BY_PHONE = "explained_by_phone", "Explained by telephone"
        SIGNED = "signed", "Signed by them"

    client = models.ForeignKey("records.Client", on_delete=models.PROTECT, related_name="limits_told")
    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    wording = models.ForeignKey(FormWording, on_delete=models.PROTECT, related_name="limits_told")
    how = models.CharField(max_length=32, choices=How.choices)
    copy_given = models.BooleanField(default=False)
    told_on = models.DateField()
    form_filename_sealed = models.BinaryField(null=True, blank=True)
    form_content_sealed = models.BinaryField(null=True, blank=True)
    form_filename = Sealed("form_filename_sealed", "limits", "form_name")
    form_content = Sealed("form_content_sealed", "limits", "form", kind=BYTES)
    form_content_type = models.CharField(max_length=100, blank=True)
    form_size = models.PositiveIntegerField(null=True, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-told_on", "-id"]

    def __str__(self) -> str:
        return f"limits told #{self.pk}"


class SupportConsent(models.Model):
    """A client's consent to support and assistance being offered and provided, asked for at
    intake where the pack says so (JustUs 5.5: usually a verbal agreement, in writing for complex
    cases)."""

    class How(models.TextChoices):
        VERBAL = "verbal", "A verbal agreement"
        WRITTEN = "written", "In writing"

    client = models.ForeignKey("records.Client", on_delete=models.PROTECT, related_name="support_consents")
    case = models.ForeignKey("records.Case", on_delete=models.PROTECT, null=True, blank=True, related_name="+")
    how = models.CharField(max_length=16, choices=How.choices)
    given_on = models.DateField()
    clause = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["-given_on", "-id"]

    def __str__(self) -> str:
        return f"consent to support #{self.pk}"


class ConsentReminder(models.Model):
    """The task reminding a person of their right to withdraw one consent in force, at the interval
    the pack sets (JustUs 5.4: "should be regularly reminded of their right to do so"). When it is
    done and the consent is still in force, the next one is made."""

    consent = models.ForeignKey(Consent, on_delete=models.PROTECT, related_name="reminders")
    task = models.OneToOneField(Task, on_delete=models.PROTECT, related_name="consent_reminder")

    class Meta:
        ordering = ["id"]

    def __str__(self) -> str:
        return f"consent reminder #{self.pk}"

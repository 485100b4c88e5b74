"""Staff and volunteer records (issue 16).

**Keys.** What is held about a member of staff, a volunteer or an applicant is sealed like client
data, under a data key of its own, so the retention issue can crypto-shred one personnel file or one
application without touching anything else. The key store numbers client keys 1, 2, 3…; a personnel
file's key is numbered -N (N its file's number) and an applicant's -(APPLICANT_KEYS + N), so the two
never meet a client's and `KeyStore.destroy()` and the destruction journal treat them alike.

**Apart and only counted.** Equal-opportunities monitoring (DVIP 8.04) is a `MonitoringForm` with no
link to a person: it is detached on receipt and only ever counted. An applicant's own monitoring
answers are sealed apart from the application and, for an unsuccessful applicant, all that is kept
once the application is destroyed is the pack's `keep_only` fields (DVIP 8.08), as an unlinked form.
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models
from django.utils import timezone

from confide.keys.sealed import Sealed

APPLICANT_KEYS = 1_000_000_000  # an applicant's key number is -(APPLICANT_KEYS + its number)


class PersonnelFile(models.Model):
    """The file kept about one member of staff, volunteer or trustee: read by those the pack names
    (their line manager; Home-Start's HSUK reviewers; trustees if appropriate), its medical section
    sealed to the role the pack names (DVIP 8.07)."""

    person = models.OneToOneField(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="personnel_file")
    line_manager = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                     null=True, blank=True)
    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    started_on = models.DateField(null=True, blank=True)
    left_on = models.DateField(null=True, blank=True)  # what the retention period is counted from
    # Sealed under the file's own key: notes (probation, appraisals, 8.06), home contact details
    # (5.01: never given out without the worker's agreement), references (8.05: in confidence) and
    # the medical section (8.07: a sealed envelope).
    notes_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    notes = Sealed("notes_sealed", "personnel", "notes", client="key_number")
    contact_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    contact = Sealed("contact_sealed", "personnel", "contact", client="key_number", kind="json",
                     shown_in="home_address")
    references_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    references = Sealed("references_sealed", "personnel", "references", client="key_number", kind="json",
                        shown_in="text")
    medical_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    medical = Sealed("medical_sealed", "personnel", "medical", client="key_number")
    created_at = models.DateTimeField(default=timezone.now)
    updated_at = models.DateTimeField(default=timezone.now)
    destroyed_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"personnel file #{self.pk}"

    @property
    def key_number(self) -> int:
        return -self.pk


class Applicant(models.Model):
    """An application for a post: who applied and what they sent, sealed under its own key; the
    monitoring answers sealed apart (8.04); minimised to the pack's `keep_only` once unsuccessful
    (8.08)."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting for a decision"
        APPOINTED = "appointed", "Appointed"
        UNSUCCESSFUL = "unsuccessful", "Unsuccessful"

    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    post = models.CharField(max_length=120)  # the post applied for, not anything about the person
    received_on = models.DateField(default=timezone.localdate)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    decided_on = models.DateField(null=True, blank=True)
    details_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    details = Sealed("details_sealed", "applicant", "details", client="key_number", kind="json")  # name, email, phone, address
    application_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    application = Sealed("application_sealed", "applicant", "application", client="key_number")  # form and interview notes
    monitoring_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    monitoring = Sealed("monitoring_sealed", "applicant", "monitoring", client="key_number", kind="json",
                        shown_in="race")
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)
    minimised_at = models.DateTimeField(null=True, blank=True)

    def __str__(self) -> str:
        return f"application #{self.pk}"

    @property
    def key_number(self) -> int:
        return -(APPLICANT_KEYS + self.pk)


class MonitoringForm(models.Model):
    """Equal-opportunities monitoring, detached on receipt and kept apart (DVIP 8.04): no link to
    any person or application, only ever counted, and only in groups large enough to name nobody."""

    class Cohort(models.TextChoices):
        STAFF = "staff", "Staff"
        VOLUNTEER = "volunteer", "Volunteers"
        TRUSTEE = "trustee", "Trustees"
        APPLICANT = "applicant", "Applicants"

    cohort = models.CharField(max_length=16, choices=Cohort.choices)
    year = models.PositiveSmallIntegerField()  # the year it was received: no day that could point at someone
    # The answers, each a short word from the form's own list ("" where not answered or not kept).
    race = models.CharField(max_length=64, blank=True)
    sex = models.CharField(max_length=32, blank=True)
    sexuality = models.CharField(max_length=32, blank=True)
    disability = models.CharField(max_length=32, blank=True)
    age_band = models.CharField(max_length=16, blank=True)

    def __str__(self) -> str:
        return f"monitoring form ({self.cohort}, {self.year})"


class ContactRequest(models.Model):
    """Someone asks for a worker's home address or telephone number (DVIP 5.01): referred to the
    worker through their line manager before anything is given, and the engine answers from 5.01."""

    class Status(models.TextChoices):
        RECEIVED = "received", "Received: the line manager passes it to the worker"
        WITH_WORKER = "with_worker", "With the worker, who decides"
        AGREED = "agreed", "The worker agreed"
        REFUSED = "refused", "The worker refused"
        GIVEN = "given", "Given: as the worker agreed, or as the law requires"
        CLOSED = "closed", "Closed"

    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    about = models.ForeignKey(PersonnelFile, on_delete=models.PROTECT, related_name="contact_requests")
    data = models.JSONField(default=list)  # home_address, contact_details
    recipient_kind = models.CharField(max_length=64)  # the policy vocabulary's recipient kind
    # The legal duty the asker says obliges the organisation to give it (DVIP 5.01: "some Agencies ...
    # have some automatic right of access ... e.g. Inland Revenue"); "" when none is claimed.
    statutory = models.CharField(max_length=200, blank=True)
    # Who asks and why, sealed under the worker's file key (it says who is looking for them).
    asked_by_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    asked_by = Sealed("asked_by_sealed", "contact_request", "asked_by", client="about.key_number", kind="json")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.RECEIVED)
    decision = models.JSONField(default=dict, blank=True)  # the engine's latest answer (decision, reasons)
    logged_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    logged_at = models.DateTimeField(default=timezone.now)
    passed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                  null=True, blank=True)
    passed_at = models.DateTimeField(null=True, blank=True)
    answered_at = models.DateTimeField(null=True, blank=True)
    closed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"], name="staffing_contact_open")]

    def __str__(self) -> str:
        return f"contact request #{self.pk}"


class PersonnelApproval(models.Model):
    """Someone the policy lets read a personnel file only with an approval (Home-Start 8.4: "trustee/s
    if appropriate") asks, saying why; one of the roles the policy's approval names, never the asker,
    approves or refuses. Approved, it opens that file's sections to them, for that purpose, for
    APPROVAL_DAYS days (staffing/access.py). The reason is sealed under the file's key: it is about
    the worker."""

    class Status(models.TextChoices):
        WAITING = "waiting", "Waiting for approval"
        APPROVED = "approved", "Approved"
        REFUSED = "refused", "Refused"

    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    file = models.ForeignKey(PersonnelFile, on_delete=models.PROTECT, related_name="approvals")
    purpose = models.CharField(max_length=64)  # the personnel purpose asked for (the policy's word)
    approver_roles = models.JSONField(default=list)  # the roles the policy's approval names
    reason_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    reason = Sealed("reason_sealed", "personnel_approval", "reason", client="file.key_number")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.WAITING)
    requested_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    requested_at = models.DateTimeField(default=timezone.now)
    decided_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+",
                                   null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        indexes = [models.Index(fields=["status"], name="staffing_approval_status")]

    def __str__(self) -> str:
        return f"personnel approval #{self.pk}"


class Signature(models.Model):
    """A declaration signed: by a member of staff in Confide (a typed name, the date and the wording's
    version) or as an uploaded signed copy; or by a contractor or a partner agency (a name)."""

    class How(models.TextChoices):
        TYPED = "typed", "Signed in Confide"
        UPLOADED = "uploaded", "A signed copy uploaded"

    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    declaration = models.CharField(max_length=100)  # the pack's declaration id
    version = models.CharField(max_length=12)  # governance.Declaration.version of the words signed
    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="signatures",
                               null=True, blank=True)
    signer_name = models.CharField(max_length=200)  # as typed, or the contractor's or agency's signatory
    organisation = models.CharField(max_length=200, blank=True)  # a contractor's firm or partner agency
    signed_on = models.DateField(default=timezone.localdate)
    how = models.CharField(max_length=16, choices=How.choices, default=How.TYPED)
    copy_sealed = models.BinaryField(default=b"", blank=True, editable=False)
    copy = Sealed("copy_sealed", "signature", "copy", client=None, kind="text")  # base64 of the uploaded copy
    copy_type = models.CharField(max_length=100, blank=True)
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["person", "declaration"], name="staffing_signature_person")]

    def __str__(self) -> str:
        return f"signature #{self.pk} of {self.declaration}"


class Induction(models.Model):
    """A person's induction recorded by a manager: the policy given and its implications explained
    (DVIP 8.01, 12.01; Home-Start 3.1, 4.1, 5.1)."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="inductions")
    completed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"induction #{self.pk}"


class TrainingRecord(models.Model):
    """A training module completed (DVIP 12; Caldicott principle 5): due again after the module's
    refresh interval."""

    person = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="training")
    module = models.CharField(max_length=100)  # the pack's module id
    completed_on = models.DateField()
    recorded_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    recorded_at = models.DateTimeField(default=timezone.now)

    class Meta:
        indexes = [models.Index(fields=["person", "module", "completed_on"], name="staffing_training_latest")]

    def __str__(self) -> str:
        return f"training #{self.pk} ({self.module})"

"""Clients, the people around them, their cases and the entries on them: the data Confide exists
to protect.

Every read of these for a person goes through confide.records.access, which asks the policy engine
and writes the audit event. Everything a client said, everything about the people around them,
documents and safe contact details are stored only as ciphertext under the client's own data key
(confide/keys); so are a client's name and date of birth, found by name through a blind index
(confide/records/identity.py). Each sealed column is read and written through the `Sealed`
attribute declared beside it (confide/keys/sealed.py: its context, and the one placeholder once
the client's key is destroyed).
"""

from __future__ import annotations

import uuid

from django.conf import settings
from django.db import models, router, transaction
from django.utils import timezone

from confide.keys.sealed import Sealed

# The policy contract's core vocabulary (shared/design/policy-contract.md), the words Confide
# stores so that the engine can be asked about them.
SUBJECT_ROLES = [("service_user", "Service user"), ("victim", "Victim or survivor"), ("perpetrator", "Perpetrator"),
                 ("parent", "Parent"), ("child", "Child"), ("family_member", "Family member")]
DATA_CATEGORIES = [
    ("case_notes", "Case notes"), ("contact_details", "Contact details"), ("safe_contact", "Safe contact details"),
    ("home_address", "Home address"), ("risk_assessment", "Risk assessment"), ("attendance", "Attendance"),
    ("health", "Health"), ("medical_record", "Medical record"), ("sexual_violence", "Sexual violence"),
    ("hiv_status", "HIV status"), ("criminal_record", "Criminal record"), ("substance_use", "Substance use"),
    ("third_party", "About someone else (third party)"),
]
CASE_FLAGS = [("family_court_risk_assessment", "Family court risk assessment"), ("legal_hold", "Legal hold")]


class Client(models.Model):
    # Who the client is, sealed under their own key and bound to them: never in clear. Read and
    # set through `display_name` and `date_of_birth` (sealed as the client is saved).
    name_sealed = models.BinaryField(default=b"", editable=False)
    dob_sealed = models.BinaryField(default=b"", blank=True, editable=False)  # b"": not given
    sealed_name = Sealed("name_sealed", "client", "name", ref=None, client="pk")
    sealed_date_of_birth = Sealed("dob_sealed", "client", "date_of_birth", ref=None, client="pk", kind="date")
    subject_role = models.CharField(max_length=32, choices=SUBJECT_ROLES, default="service_user")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="clients")
    created_at = models.DateTimeField(default=timezone.now)
    # Destroyed under the retention schedule (confide.retention): the row stays as the placeholder that
    # keeps the number from being used again; every record of the client, and their key, are gone.
    destroyed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        # By number: no order of names can be asked of the database, which holds none.
        ordering = ["id"]

    def __str__(self) -> str:
        return f"client #{self.pk}"

    def save(self, *args, **kwargs):
        """A name or date of birth set on the object is sealed as it is saved, and the name indexed,
        in one transaction: a new client's row is written first, as the seal binds its number."""
        clear = self.__dict__.pop("_identity_to_seal", None)
        if not clear:
            return super().save(*args, **kwargs)
        from confide.records.identity import seal_identity

        with transaction.atomic(using=kwargs.get("using") or router.db_for_write(Client, instance=self)):
            super().save(*args, **kwargs)
            tokens = seal_identity(self, clear)
            Client.objects.filter(pk=self.pk).update(name_sealed=self.name_sealed, dob_sealed=self.dob_sealed)
            if "name" in clear:  # the old index rows replaced
                ClientNameToken.objects.filter(client_id=self.pk).delete()
                ClientNameToken.objects.bulk_create(ClientNameToken(client_id=self.pk, token=t) for t in tokens)
        return None

    @property
    def display_name(self) -> str:
        """The client's name, opened once per object; "" if none was given; the one placeholder
        (confide.keys.sealed.UNREADABLE) once their key is destroyed."""
        return self.sealed_name

    @display_name.setter
    def display_name(self, value: str) -> None:
        self.__dict__.setdefault("_identity_to_seal", {})["name"] = str(value)
        Client.sealed_name.remember(self, str(value))

    @property
    def date_of_birth(self):
        """The client's date of birth (a date, or None: not given, or no longer readable)."""
        return self.sealed_date_of_birth

    @date_of_birth.setter
    def date_of_birth(self, value) -> None:
        self.__dict__.setdefault("_identity_to_seal", {})["date_of_birth"] = value
        Client.sealed_date_of_birth.remember(self, value)


class ClientNameToken(models.Model):
    """The blind index of clients' names (confide/records/identity.py): a keyed hash of each part of a
    client's name and of each prefix of it, never the name or any part of it."""

    client = models.ForeignKey(Client, on_delete=models.CASCADE, related_name="+", db_index=False)
    token = models.CharField(max_length=22)

    class Meta:
        indexes = [models.Index(fields=["token", "client"], name="records_client_name_token"),
                   models.Index(fields=["client"], name="records_client_name_client")]

    def __str__(self) -> str:
        return f"name token of client #{self.client_id}"


class RelatedPerson(models.Model):
    """Someone around a client: a partner or ex-partner, a child, family, another agency's contact.
    Who they are (name, agency, how to reach them, notes) is the client's data, sealed like it."""

    class Relationship(models.TextChoices):
        PARTNER = "partner", "Partner"
        EX_PARTNER = "ex_partner", "Ex-partner"
        CHILD = "child", "Child"
        FAMILY = "family_member", "Family member"
        FRIEND = "friend", "Friend or supporter"
        AGENCY_CONTACT = "agency_contact", "Contact at another agency"
        OTHER = "other", "Other"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="people")
    relationship = models.CharField(max_length=32, choices=Relationship.choices)
    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    details_sealed = models.BinaryField()  # JSON: name, agency, contact, notes
    details = Sealed("details_sealed", "person", "details", kind="json")
    added_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    created_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"related person #{self.pk}"

    @property
    def details_context(self) -> str:
        """The encryption context of `details_sealed` (for scripts that seal or open it themselves)."""
        return RelatedPerson.details.context(self)


class Case(models.Model):
    """A client's involvement with one service, from referral to closure."""

    class Status(models.TextChoices):
        REFERRAL = "referral", "Referral"
        ASSESSMENT = "assessment", "Assessment"
        OPEN = "open", "Open"
        SUSPENDED = "suspended", "Suspended"
        CLOSED = "closed", "Closed"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="cases")
    service = models.CharField(max_length=64, help_text="A service named in the organisation's policy pack.")
    team = models.ForeignKey("accounts.Team", on_delete=models.PROTECT, related_name="cases")
    status = models.CharField(max_length=16, choices=Status.choices, default=Status.REFERRAL)
    referred_on = models.DateField(default=timezone.localdate)
    opened_on = models.DateField(null=True, blank=True)
    closed_on = models.DateField(null=True, blank=True)
    flags = models.JSONField(default=list, blank=True, help_text="Words from CASE_FLAGS that the packs ask about.")
    workers = models.ManyToManyField(settings.AUTH_USER_MODEL, related_name="cases", blank=True)
    # Whether the family consented to the referral, where the pack asks (Home-Start 7.1); None: not asked.
    referral_consent = models.BooleanField(null=True, blank=True)
    # The next planned contact with the client on this case (a worker's caseload shows it).
    next_contact_on = models.DateField(null=True, blank=True)

    # What the reports count (issue 17), never shown per client outside the file: who referred and
    # how the case ended. Blank: not recorded. (The risk level is the newest risk assessment's:
    # Entry.risk_level.)
    class ReferralSource(models.TextChoices):
        SELF = "self", "Self-referral"
        POLICE = "police", "Police"
        CHILDRENS_SERVICES = "childrens_services", "Children's services"
        HEALTH = "health", "Health (GP, hospital, health visitor)"
        PARTNER_AGENCY = "partner_agency", "Another agency"
        COURT = "court", "Court, Cafcass or probation"
        OTHER = "other", "Other"

    class Outcome(models.TextChoices):
        COMPLETED = "completed", "Support completed"
        REFERRED_ON = "referred_on", "Referred on to another service"
        DISENGAGED = "disengaged", "Stopped engaging"
        MOVED_AWAY = "moved_away", "Moved away"
        OTHER = "other", "Other"

    referral_source = models.CharField(max_length=32, choices=ReferralSource.choices, blank=True)
    outcome = models.CharField(max_length=16, choices=Outcome.choices, blank=True)

    class Meta:
        ordering = ["-referred_on", "id"]
        # A team's list reads its cases in client order and stops at the page's end (records/rows.py).
        indexes = [models.Index(fields=["team", "client"], name="records_case_team_client")]

    def __str__(self) -> str:
        return f"case #{self.pk}"

    def flag_labels(self) -> list[str]:
        labels = dict(CASE_FLAGS)
        return [labels.get(flag, flag) for flag in self.flags]


class OpenCaseCount(models.Model):
    """How many cases of each service are not closed: trustees' anonymised figures, read from here
    at the same cost whatever the number of cases. Kept by database triggers on records_case
    (migration 0011), in the same transaction as every insert, change and delete of a case, however
    it is made; never written by Confide's code. Numbers only: no client, case or team."""

    service = models.CharField(max_length=64, primary_key=True)
    n = models.BigIntegerField(default=0)

    class Meta:
        db_table = "records_opencasecount"

    def __str__(self) -> str:
        return f"{self.service}: {self.n}"


class Entry(models.Model):
    """Something recorded on a case: a note, a document or a risk assessment. It says what kinds of
    data it holds, whom it is about and where it came from, so that the packs' rules on access,
    sharing, subject access and retention can be asked about it."""

    class Kind(models.TextChoices):
        NOTE = "note", "Note"
        DOCUMENT = "document", "Document"
        RISK_ASSESSMENT = "risk_assessment", "Risk assessment"

    class Source(models.TextChoices):
        CLIENT = "client", "The client"
        THIRD_PARTY = "third_party", "Someone else (a third party)"
        WORKER = "worker", "A worker's own observation"

    class Risk(models.TextChoices):
        STANDARD = "standard", "Standard"
        MEDIUM = "medium", "Medium"
        HIGH = "high", "High"

    class Contact(models.TextChoices):
        """How the contact a note records took place ("" for a note that records no contact)."""

        FACE_TO_FACE = "face_to_face", "Face to face"
        PHONE = "phone", "Telephone"
        VIDEO = "video", "Video call"
        TEXT = "text", "Text message"
        EMAIL = "email", "Email"
        LETTER = "letter", "Letter"
        MISSED = "missed", "Missed appointment"

    case = models.ForeignKey(Case, on_delete=models.PROTECT, related_name="entries")
    kind = models.CharField(max_length=32, choices=Kind.choices, default=Kind.NOTE)
    author = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    # The body, encrypted under the client's data key and bound to this entry by `ref`, so it
    # reads back only as this entry of this client. Never stored in clear.
    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    body_sealed = models.BinaryField()
    # "note:" for every kind: entries were notes first, and the context is in their ciphertexts.
    body = Sealed("body_sealed", "note", "body", client="case.client_id")
    categories = models.JSONField(default=list, blank=True)
    about_client = models.BooleanField(default=True)
    about_people = models.ManyToManyField(RelatedPerson, related_name="entries", blank=True)
    source = models.CharField(max_length=32, choices=Source.choices, default=Source.WORKER)
    # A sealed entry (e.g. medical records, DVIP 8.07) opens only to the role the pack names.
    sealed = models.BooleanField(default=False)
    # Information nobody asked for, kept apart to be returned to its sender (DVIP 9.12).
    unsolicited = models.BooleanField(default=False)
    risk_level = models.CharField(max_length=16, choices=Risk.choices, blank=True)
    # The factual-wording check: which clauses' warnings the author read and confirmed, and how
    # many passages they kept. Never the wording itself.
    wording_confirmed = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(default=timezone.now)
    # A record of contact (issue 13): when, how and for how long. Not sealed: that a contact took
    # place is the organisation's own record of its work, and says nothing of what was said.
    contact_on = models.DateField(null=True, blank=True)
    contact_kind = models.CharField(max_length=16, choices=Contact.choices, blank=True)
    duration_minutes = models.PositiveSmallIntegerField(null=True, blank=True)
    # Corrections (UK GDPR Art 16): the number of the version the body now holds; each earlier
    # version is an EntryVersion, sealed. `corrected_at` is when the newest correction was made.
    version = models.PositiveSmallIntegerField(default=1)
    corrected_at = models.DateTimeField(null=True, blank=True)
    # The form's one-time token: a second submission of the same form (Back then Save, or a
    # double click) finds this entry instead of writing it twice.
    submission = models.UUIDField(null=True, blank=True, unique=True, editable=False)

    class Meta:
        ordering = ["-created_at", "-id"]
        verbose_name_plural = "entries"

    def __str__(self) -> str:
        return f"entry #{self.pk}"

    @property
    def body_context(self) -> str:
        """The encryption context of `body_sealed` (for scripts that seal or open it themselves)."""
        return Entry.body.context(self)

    @property
    def record_kind(self) -> str:
        """The kind of record the engine is asked about for this entry."""
        if "medical_record" in self.categories:
            return "medical_record"
        if self.kind == self.Kind.RISK_ASSESSMENT:
            return "risk_assessment"
        return "case_notes"


class EntryVersion(models.Model):
    """An earlier version of an entry, kept when it is corrected (UK GDPR Art 16: a correction is a
    new version; the earlier one stays, sealed, readable only by the roles the pack names), or the
    record that the entry was moved from another client's file, written there in error."""

    class Change(models.TextChoices):
        CORRECTED = "corrected", "Corrected"
        MOVED = "moved", "Moved from another file"

    entry = models.ForeignKey(Entry, on_delete=models.PROTECT, related_name="versions")
    # The client whose key seals this version: the entry's client (re-sealed if the entry moves).
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    number = models.PositiveSmallIntegerField()  # the version this was, before the change
    change = models.CharField(max_length=16, choices=Change.choices, default=Change.CORRECTED)
    body_sealed = models.BinaryField()  # the words as they were
    body = Sealed("body_sealed", "note_version", "body")
    # The facts as they were (contact date, kind, duration, categories...): no content.
    facts = models.JSONField(default=dict, blank=True)
    reason_sealed = models.BinaryField()  # why it was corrected or moved
    reason = Sealed("reason_sealed", "note_version", "reason")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["entry", "-number", "-id"]
        indexes = [models.Index(fields=["entry", "number"], name="records_entryversion_entry")]

    def __str__(self) -> str:
        return f"entry version #{self.pk}"


class ClientCorrection(models.Model):
    """A correction of a client's name or date of birth (UK GDPR Art 16): what it was, who changed
    it, when and why, sealed under the client's key like the value itself."""

    class Field(models.TextChoices):
        NAME = "name", "Name"
        DATE_OF_BIRTH = "date_of_birth", "Date of birth"

    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="corrections")
    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    field = models.CharField(max_length=16, choices=Field.choices)
    earlier_sealed = models.BinaryField()  # JSON: {"value": "..."}, "" for not given
    earlier = Sealed("earlier_sealed", "client_correction", "earlier", kind="json")
    reason_sealed = models.BinaryField()
    reason = Sealed("reason_sealed", "client_correction", "reason")
    changed_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    changed_at = models.DateTimeField(default=timezone.now)

    class Meta:
        ordering = ["client", "-changed_at", "-id"]

    def __str__(self) -> str:
        return f"client correction #{self.pk}"


class Document(models.Model):
    """An uploaded file, sealed whole under the client's data key. Kept apart from its entry so
    that a list of entries never loads the bytes."""

    entry = models.OneToOneField(Entry, on_delete=models.PROTECT, primary_key=True, related_name="document")
    filename_sealed = models.BinaryField()
    content_type = models.CharField(max_length=100)
    size = models.PositiveIntegerField()
    content_sealed = models.BinaryField()
    filename = Sealed("filename_sealed", "document", "filename", ref="entry.ref", client="entry.case.client_id")
    content = Sealed("content_sealed", "document", "content", ref="entry.ref", client="entry.case.client_id",
                     kind="bytes")

    def __str__(self) -> str:
        return f"document #{self.pk}"


class SafeContact(models.Model):
    """How to reach the client safely: a safe number, when it is safe to call, what to say if
    someone else answers. Shown at the top of the file; sealed; confirmed with the client often."""

    client = models.OneToOneField(Client, on_delete=models.PROTECT, primary_key=True, related_name="safe_contact")
    ref = models.UUIDField(default=uuid.uuid4)
    details_sealed = models.BinaryField()  # JSON: number, when, say, avoid
    details = Sealed("details_sealed", "safe_contact", "details", kind="json", shown_in="number")
    confirmed_on = models.DateField(default=timezone.localdate)
    updated_by = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+")
    updated_at = models.DateTimeField(default=timezone.now)

    def __str__(self) -> str:
        return f"safe contact for client #{self.pk}"


class BreakGlass(models.Model):
    """Someone opened a file outside their own work, with a stated reason (the pack's
    `permit_if_approved` for `access`). Each one waits in the review queue until a reviewer the
    pack names, never the person themself, looks at it."""

    class Outcome(models.TextChoices):
        PENDING = "pending", "Waiting for review"
        APPROPRIATE = "appropriate", "Reviewed: appropriate"
        CONCERN = "concern", "Reviewed: a concern, to be followed up"

    user = models.ForeignKey(settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="break_glass")
    client = models.ForeignKey(Client, on_delete=models.PROTECT, related_name="+")
    purpose = models.CharField(max_length=64)
    ref = models.UUIDField(default=uuid.uuid4, editable=False)
    reason_sealed = models.BinaryField()  # what they said, sealed under the client's key like the file
    reason = Sealed("reason_sealed", "break_glass", "reason")
    role = models.CharField(max_length=64, help_text="The role held when the glass was broken.")
    reviewer_roles = models.JSONField(default=list)
    clauses = models.JSONField(default=list)
    audit_seq = models.BigIntegerField(help_text="The audit event that recorded it.")
    created_at = models.DateTimeField(default=timezone.now)
    expires_at = models.DateTimeField()
    outcome = models.CharField(max_length=16, choices=Outcome.choices, default=Outcome.PENDING)
    reviewed_by = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT,
                                    related_name="+")
    reviewed_at = models.DateTimeField(null=True, blank=True)
    review_note_sealed = models.BinaryField(default=b"", blank=True)  # what the reviewer wrote, sealed like the reason
    review_note = Sealed("review_note_sealed", "break_glass", "review_note")

    class Meta:
        ordering = ["-created_at", "-id"]
        # The queue reads what waits by outcome; its history, newest first a page at a time, by
        # (created_at, id) (break_glass.review_queue, tests/web/test_flat_pages.py).
        indexes = [models.Index(fields=["outcome", "created_at"]),
                   models.Index(fields=["created_at", "id"], name="records_breakglass_created")]

    def __str__(self) -> str:
        return f"break-glass #{self.pk}"

"""Every sealed column goes through one helper (confide/keys/sealed.py): each round-trips, each is
bound by the same context as the data already stored, and once the client's key is destroyed each
shows the one placeholder on its page, never an error."""

from __future__ import annotations

import datetime as dt
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from confide.breaches.models import Breach
from confide.complaints.models import Complaint
from confide.complaints.services import NewComplaint, do_log_complaint
from confide.keys import KeyStoreError
from confide.keys.runtime import key_store
from confide.keys.sealed import UNREADABLE, Sealed
from confide.records.entries import EntryFacts, do_add_document, do_add_note
from confide.records.identity import reveal_names
from confide.records.models import (
    BreakGlass,
    Case,
    Client,
    ClientCorrection,
    Document,
    Entry,
    EntryVersion,
    RelatedPerson,
    SafeContact,
)
from confide.records.people import do_add_related_person
from confide.records.safe_contact import do_set_safe_contact
from confide.sharing.models import (
    Approval,
    Consent,
    Disclosure,
    DisclosureStep,
    FormWording,
    IncomingRequest,
    LimitsTold,
    Task,
)
from confide.staffing.models import Applicant, ContactRequest, PersonnelApproval, PersonnelFile, Signature
from confide.staffing.services import do_log_contact_request, do_open_personnel_file, do_record_application
from confide.subject_access.models import Item, Release, SubjectAccessRequest
from tests.base import ConfideTestCase
from tests.breaches.helpers import record as record_breach

# Fictional throughout.
NAME = "Perpetua Hollowell-Brandt"
TEXT = {
    "body": "Perpetua said the side gate is the safe way in after dark.",
    "filename": "hollowell-tenancy.txt",
    "content": b"Tenancy agreement for 4 Wrenfield Close.",
    "person": {"name": "Cuthbert Ravensmoor", "agency": "", "contact": "", "notes": "Ex-partner."},
    "safe": {"number": "07700 900537", "when": "Weekday mornings", "say": "Calling from the library.", "avoid": ""},
    "reason": "Covering for her worker, who is off sick this week.",
    "review_note": "Checked with the covering manager: appropriate.",
    "given_by_name": "Winifred Hollowell",
    "form_filename": "signed-consent.txt",
    "form_content": b"Signed: W. Hollowell.",
    "recipient": "Marrowby Family Centre",
    "disclosure_reason": "She asked us to tell the family centre about the move.",
    "sent_note": "Read out by telephone to the centre's manager.",
    "approval": "Approved: her written consent covers this.",
    "step": "Talked it through with her first.",
    "outcome": "Told her by telephone on Tuesday.",
    "details": "A constable asked whether she still lives at the old address.",
    "order_filename": "order.txt",
    "order_content": b"Order of the family court.",
    "limits_filename": "limits-signed.txt",
    "limits_content": b"Signed limits of confidentiality.",
    "totp": "JBSWY3DPEHPK3PXP",
    "earlier_body": "Perpetua said the front gate is the safe way in.",
    "version_reason": "The gate was the side gate, not the front.",
    "earlier": {"value": "1990-04-20"},
    "correction_reason": "Her passport gives the 2nd, not the 20th.",
    "representative": {"name": "Ottoline Fairweather", "relationship": "Solicitor", "authority": "Signed letter"},
    "extension_reason": "The paper file is in the archive store.",
    "search": "This file; the paper file; the shared mailbox.",
    "health_opinion_by": "Dr Ambrose Kettlewell, GP",
    "item_title": "Note of contact: telephone",
    "item_text": "Perpetua said the side gate is the safe way in after dark.",
    "release_pdf": b"%PDF-1.7 subject access copy",
}


# Staff records and governance records (fictional throughout).
STAFF = {
    "notes": "Probation passed: Linus settled in well on the rota.",
    "contact": {"home_address": "9 Thistledown Mews, Exampleton", "phone": "07700 900771"},
    "references": {"referee": "Araminta Pennywhistle", "text": "Linus was patient with every caller."},
    "medical": "Fit note: sprained wrist, one week.",
    "details": {"name": "Florian Quickthorpe", "email": "florian@example.org", "phone": "07700 900772",
                "address": "3 Foxglove Yard, Exampleton"},
    "application": "Eight years on a tenancy-support helpline.",
    "monitoring": {"race": "white", "sex": "male"},
    "asked_by": {"name": "Barnaby Quince", "organisation": "Exampleton police", "why": "A witness statement."},
    "what_happened": "A letter for Linus's client went to the wrong flat on Thistledown Mews.",
    "from_whom": "Ophelia Quarrington",
    "about": "Nobody rang her back about her son's referral.",
    "outcome": "Upheld: the call-back list is now checked every morning.",
    "copy": "iVBORw0KGgoAAAAA",  # base64 of the start of a PNG
    "reason": "A grievance appeal: the board needs Linus's appraisal notes.",
}


class StaffRecords:
    """One of each staff and governance record with something in every sealed column: personnel files
    and applications are sealed under keys of their own (minus the file's number; minus a billion and
    the applicant's number), a request for a worker's contact details under its file's key, and
    breaches, complaints and signed copies of declarations under the installation key (no client's)."""

    def __init__(self, p):
        manager, controller = p["manager"], p["data_controller"]
        self.file = do_open_personnel_file(manager, p["same_team"], manager, dt.date(2024, 4, 1))
        for part in ("notes", "contact", "references", "medical"):
            setattr(self.file, part, STAFF[part])
        self.file.save()
        self.applicant = do_record_application(manager, "Support worker", dt.date(2026, 1, 5), STAFF["details"],
                                               STAFF["application"])
        self.applicant.monitoring = STAFF["monitoring"]  # as an application recorded before answers were detached
        self.applicant.save()
        self.request = do_log_contact_request(controller, self.file, ["home_address"], "police", STAFF["asked_by"])
        self.breach = record_breach(p["assigned"], p["pack"], what=STAFF["what_happened"])
        self.complaint = do_log_complaint(controller, NewComplaint(
            received_on=timezone.localdate(), how_received="email", from_whom=STAFF["from_whom"], about=STAFF["about"]))
        self.complaint.outcome = STAFF["outcome"]
        self.complaint.save()
        self.signature = Signature.objects.create(declaration="confidentiality", version="1", person=p["assigned"],
                                                  signer_name="Linus Example", how=Signature.How.UPLOADED,
                                                  copy_type="image/png", recorded_by=manager)
        self.signature.copy = STAFF["copy"]
        self.signature.save()
        self.approval = PersonnelApproval.objects.create(file=self.file, purpose="personnel_review",
                                                         approver_roles=[manager.role], requested_by=controller)
        self.approval.reason = STAFF["reason"]
        self.approval.save()

    def columns(self):
        """(model, pk, attribute, the value stored, its context, the key it is sealed under: None for the
        installation key)."""
        f, a, r, b, c, s = self.file, self.applicant, self.request, self.breach, self.complaint, self.signature
        applicant_key = -(1_000_000_000 + a.pk)
        return [
            *[(PersonnelFile, f.pk, part, STAFF[part], f"personnel:{f.ref}:{part}", -f.pk)
              for part in ("notes", "contact", "references", "medical")],
            *[(Applicant, a.pk, part, STAFF[part], f"applicant:{a.ref}:{part}", applicant_key)
              for part in ("details", "application", "monitoring")],
            (ContactRequest, r.pk, "asked_by", STAFF["asked_by"], f"contact_request:{r.ref}:asked_by", -f.pk),
            (Breach, b.pk, "what_happened", STAFF["what_happened"], f"breach:{b.ref}:what_happened", None),
            *[(Complaint, c.pk, part, STAFF[part], f"complaint:{c.ref}:{part}", None)
              for part in ("from_whom", "about", "outcome")],
            (Signature, s.pk, "copy", STAFF["copy"], f"signature:{s.ref}:copy", None),
            (PersonnelApproval, self.approval.pk, "reason", STAFF["reason"],
             f"personnel_approval:{self.approval.ref}:reason", -f.pk),
        ]


@contextmanager
def own_key_store():
    """A key store of the test's own: destroying a key there touches no other test's clients."""
    with tempfile.TemporaryDirectory() as folder, override_settings(KEYSTORE_PATH=Path(folder) / "keys.sqlite3"):
        yield


class Records:
    """One client with something in every sealed column, made as Confide makes each (services where
    they are simple, the sealed attributes otherwise)."""

    def __init__(self, p):
        self.p = p
        worker, today, now = p["assigned"], timezone.localdate(), timezone.now()
        self.client = Client(display_name=NAME, team=p["north"], subject_role="victim")
        self.client.date_of_birth = dt.date(1990, 4, 2)
        self.client.save()
        self.case = Case.objects.create(client=self.client, service=p["case"].service, team=p["north"],
                                        status=Case.Status.OPEN)
        self.case.workers.add(worker)
        self.note = do_add_note(worker, self.case, TEXT["body"])
        self.document = do_add_document(worker, self.case, TEXT["filename"], "text/plain", TEXT["content"],
                                        "Tenancy agreement", EntryFacts()).document
        self.person = do_add_related_person(worker, self.client, "ex_partner", TEXT["person"])
        self.safe = do_set_safe_contact(worker, self.client, TEXT["safe"])
        self.glass = BreakGlass(user=p["same_team"], client=self.client, purpose="cover", role=p["same_team"].role,
                                reviewer_roles=[p["manager"].role], audit_seq=0, expires_at=now + dt.timedelta(hours=1),
                                outcome=BreakGlass.Outcome.APPROPRIATE, reviewed_by=p["manager"], reviewed_at=now)
        self.glass.reason, self.glass.review_note = TEXT["reason"], TEXT["review_note"]
        self.glass.save()
        wording = FormWording.objects.create(pack="dvip", pack_version="1", document="test_consent", version=1,
                                             title="Consent", text="I agree.", digest="0" * 64)
        self.consent = Consent(client=self.client, given_by=Consent.GivenBy.PARENT, recipients=["police"],
                               data=["case_notes"], purposes=["liaison"], how=Consent.How.WRITTEN, has_capacity=True,
                               informed=True, free_from_duress=True, given_on=today, wording=wording,
                               scope_text="The police, for liaison.", recorded_by=worker,
                               form_content_type="text/plain", form_size=len(TEXT["form_content"]))
        self.consent.given_by_name = TEXT["given_by_name"]
        self.consent.form_filename, self.consent.form_content = TEXT["form_filename"], TEXT["form_content"]
        self.consent.save()
        answer = {"decision": "permit", "reasons": [], "approvals": [], "obligations": [], "final": False}
        self.disclosure = Disclosure(client=self.client, case=self.case, requested_by=worker, requester_role=worker.role,
                                     recipient_kind="partner_agency", data=["case_notes"], purpose="liaison",
                                     channel="phone", request={}, answer=answer, decision="permit",
                                     status=Disclosure.Status.SENT, sent_at=now, sent_by=worker)
        self.disclosure.recipient_name = TEXT["recipient"]
        self.disclosure.reason = TEXT["disclosure_reason"]
        self.disclosure.sent_note = TEXT["sent_note"]
        self.disclosure.save()
        self.approval = Approval(disclosure=self.disclosure, step=0, approver=p["manager"], role=p["manager"].role,
                                 decision=Approval.Decision.APPROVE, confirmed_with="password")
        self.approval.note = TEXT["approval"]
        self.approval.save()
        self.step = DisclosureStep(disclosure=self.disclosure, kind="explore_implications", outcome="done",
                                   done_by=worker)
        self.step.note = TEXT["step"]
        self.step.save()
        self.task = Task(kind="inform_client", title="Tell the client", client=self.client, case=self.case,
                         assigned_to=worker, outcome=Task.Outcome.DONE, done_by=worker, done_at=now)
        self.task.outcome_note = TEXT["outcome"]
        self.task.save()
        self.incoming = IncomingRequest(client=self.client, requester_kind="police", how="phone", logged_by=worker,
                                        order="court_order", order_content_type="text/plain",
                                        order_size=len(TEXT["order_content"]))
        self.incoming.details = TEXT["details"]
        self.incoming.order_filename, self.incoming.order_content = TEXT["order_filename"], TEXT["order_content"]
        self.incoming.save()
        self.limits = LimitsTold(client=self.client, wording=wording, how="signed", told_on=today, recorded_by=worker)
        self.limits.form_filename, self.limits.form_content = TEXT["limits_filename"], TEXT["limits_content"]
        self.limits.save()
        self.version = EntryVersion(entry=self.note, client=self.client, number=1, changed_by=worker)
        self.version.body, self.version.reason = TEXT["earlier_body"], TEXT["version_reason"]
        self.version.save()
        self.correction = ClientCorrection(client=self.client, field="date_of_birth", changed_by=worker)
        self.correction.earlier, self.correction.reason = TEXT["earlier"], TEXT["correction_reason"]
        self.correction.save()
        self.sar = SubjectAccessRequest(client=self.client, received_on=today, made="writing", logged_by=worker)
        self.sar.representative, self.sar.extension_reason = TEXT["representative"], TEXT["extension_reason"]
        self.sar.search, self.sar.health_opinion_by = TEXT["search"], TEXT["health_opinion_by"]
        self.sar.save()
        self.item = Item(request=self.sar, client=self.client, position=1, kind="entry", decision="release")
        self.item.title, self.item.text = TEXT["item_title"], TEXT["item_text"]
        self.item.save()
        self.release = Release(request=self.sar, client=self.client, sha256="0" * 64, compiled_by=worker,
                               reviewed_by=worker)
        self.release.pdf = TEXT["release_pdf"]
        self.release.save()

    def columns(self):
        """(model, pk, attribute, the value stored, the context it was always sealed with)."""
        d, e = self.disclosure, self.note
        return [
            (Client, self.client.pk, "sealed_name", NAME, "client:name"),
            (Client, self.client.pk, "sealed_date_of_birth", dt.date(1990, 4, 2), "client:date_of_birth"),
            (Entry, e.pk, "body", TEXT["body"], f"note:{e.ref}:body"),
            (Document, self.document.pk, "filename", TEXT["filename"], f"document:{self.document.entry.ref}:filename"),
            (Document, self.document.pk, "content", TEXT["content"], f"document:{self.document.entry.ref}:content"),
            (RelatedPerson, self.person.pk, "details", TEXT["person"], f"person:{self.person.ref}:details"),
            (SafeContact, self.safe.pk, "details", TEXT["safe"], f"safe_contact:{self.safe.ref}:details"),
            (BreakGlass, self.glass.pk, "reason", TEXT["reason"], f"break_glass:{self.glass.ref}:reason"),
            (BreakGlass, self.glass.pk, "review_note", TEXT["review_note"], f"break_glass:{self.glass.ref}:review_note"),
            (Consent, self.consent.pk, "given_by_name", TEXT["given_by_name"], f"consent:{self.consent.ref}:name"),
            (Consent, self.consent.pk, "form_filename", TEXT["form_filename"], f"consent:{self.consent.ref}:form_name"),
            (Consent, self.consent.pk, "form_content", TEXT["form_content"], f"consent:{self.consent.ref}:form"),
            (Disclosure, d.pk, "recipient_name", TEXT["recipient"], f"disclosure:{d.ref}:recipient"),
            (Disclosure, d.pk, "reason", TEXT["disclosure_reason"], f"disclosure:{d.ref}:reason"),
            (Disclosure, d.pk, "sent_note", TEXT["sent_note"], f"disclosure:{d.ref}:sent"),
            (Approval, self.approval.pk, "note", TEXT["approval"], f"disclosure:{d.ref}:approval:{self.p['manager'].pk}"),
            (DisclosureStep, self.step.pk, "note", TEXT["step"], f"disclosure:{d.ref}:step:explore_implications"),
            (Task, self.task.pk, "outcome_note", TEXT["outcome"], f"task:{self.task.ref}:outcome"),
            (IncomingRequest, self.incoming.pk, "details", TEXT["details"], f"request:{self.incoming.ref}:details"),
            (IncomingRequest, self.incoming.pk, "order_filename", TEXT["order_filename"],
             f"request:{self.incoming.ref}:order_name"),
            (IncomingRequest, self.incoming.pk, "order_content", TEXT["order_content"],
             f"request:{self.incoming.ref}:order"),
            (LimitsTold, self.limits.pk, "form_filename", TEXT["limits_filename"], f"limits:{self.limits.ref}:form_name"),
            (LimitsTold, self.limits.pk, "form_content", TEXT["limits_content"], f"limits:{self.limits.ref}:form"),
            (EntryVersion, self.version.pk, "body", TEXT["earlier_body"], f"note_version:{self.version.ref}:body"),
            (EntryVersion, self.version.pk, "reason", TEXT["version_reason"], f"note_version:{self.version.ref}:reason"),
            (ClientCorrection, self.correction.pk, "earlier", TEXT["earlier"],
             f"client_correction:{self.correction.ref}:earlier"),
            (ClientCorrection, self.correction.pk, "reason", TEXT["correction_reason"],
             f"client_correction:{self.correction.ref}:reason"),
            (SubjectAccessRequest, self.sar.pk, "representative", TEXT["representative"],
             f"sar:{self.sar.ref}:representative"),
            (SubjectAccessRequest, self.sar.pk, "extension_reason", TEXT["extension_reason"],
             f"sar:{self.sar.ref}:extension_reason"),
            (SubjectAccessRequest, self.sar.pk, "search", TEXT["search"], f"sar:{self.sar.ref}:search"),
            (SubjectAccessRequest, self.sar.pk, "health_opinion_by", TEXT["health_opinion_by"],
             f"sar:{self.sar.ref}:health_opinion_by"),
            (Item, self.item.pk, "title", TEXT["item_title"], f"sar_item:{self.item.ref}:title"),
            (Item, self.item.pk, "text", TEXT["item_text"], f"sar_item:{self.item.ref}:text"),
            (Release, self.release.pk, "pdf", TEXT["release_pdf"], f"sar_release:{self.release.ref}:pdf"),
        ]


def every_sealed_column():
    """Every Sealed attribute declared on a model, as (model, attribute)."""
    from django.apps import apps

    return {(model, name) for model in apps.get_models() for name, value in vars(model).items()
            if isinstance(value, Sealed)}


class SealedColumnsTest(ConfideTestCase):
    def test_each_sealed_column_round_trips_and_is_bound_as_its_data_always_was(self):
        records = Records(self.p)
        columns = records.columns()
        from confide.accounts.models import User

        staff = {(model, attribute) for model, _, attribute, _, _, _ in StaffRecords(self.p).columns()}
        self.assertEqual({(model, attribute) for model, _, attribute, _, _ in columns} | staff | {(User, "totp_secret")},
                         every_sealed_column(), "every sealed column is in this test")
        for model, pk, attribute, value, context in columns:
            with self.subTest(column=f"{model.__name__}.{attribute}"):
                stored = model.objects.get(pk=pk)
                self.assertEqual(getattr(stored, attribute), value)
                sealed = getattr(model, attribute)
                self.assertEqual(sealed.context(stored), context, "the context of the data already stored")
                blob = bytes(getattr(stored, sealed.column))
                clear = value if isinstance(value, bytes) else str(value).encode()
                self.assertNotIn(clear[:12], blob)
                # Sealed as before this helper (KeyStore with the context written out) opens through it.
                client_id = records.client.pk
                old = (key_store().encrypt_bytes(client_id, value, context) if isinstance(value, bytes) else
                       key_store().encrypt(client_id, sealed._to_text(value), context))
                again = model.objects.get(pk=pk)
                setattr(again, sealed.column, old)
                self.assertEqual(getattr(again, attribute), value)
                # Moved onto another record of the same kind, or another client's, it does not open.
                with self.assertRaises(KeyStoreError):
                    key_store().decrypt_bytes(self.p["client"].pk, blob, context)

    def test_each_staff_and_governance_column_round_trips_under_its_own_key(self):
        records = StaffRecords(self.p)
        other_key = -(records.file.pk + 1000)  # another personnel file's key
        for model, pk, attribute, value, context, key in records.columns():
            with self.subTest(column=f"{model.__name__}.{attribute}"):
                stored = model.objects.get(pk=pk)
                self.assertEqual(getattr(stored, attribute), value)
                sealed = getattr(model, attribute)
                self.assertEqual(sealed.context(stored), context, "the context of the data already stored")
                blob = bytes(getattr(stored, sealed.column))
                clear = value if isinstance(value, bytes) else sealed._to_text(value).encode()
                self.assertNotIn(clear[:12], blob)
                if key is None:
                    self.assertEqual(key_store().unseal_installation(context, blob), clear)
                    with self.assertRaises(KeyStoreError):  # moved onto another record of the same kind
                        key_store().unseal_installation(context.replace(str(stored.ref), "0" * 32), blob)
                    continue
                self.assertEqual(key_store().decrypt(key, blob, context), sealed._to_text(value))
                again = model.objects.get(pk=pk)
                setattr(again, sealed.column, key_store().encrypt(key, sealed._to_text(value), context))
                self.assertEqual(getattr(again, attribute), value)
                with self.assertRaises(KeyStoreError):  # another file's key, or a client's
                    key_store().decrypt(other_key, blob, context)
                with self.assertRaises(KeyStoreError):
                    key_store().decrypt(self.p["client"].pk, blob, context)

    def test_a_staff_secret_round_trips_under_the_installation_key(self):
        user = self.p["same_team"]
        user.totp_secret = TEXT["totp"]
        user.save(update_fields=["totp_secret_sealed"])
        stored = type(user).objects.get(pk=user.pk)
        self.assertEqual(stored.totp_secret, TEXT["totp"])
        self.assertEqual(key_store().unseal_installation(f"user:{user.pk}:totp_secret", bytes(stored.totp_secret_sealed)),
                         TEXT["totp"].encode())
        stored.totp_secret = ""
        self.assertEqual((stored.totp_secret, bytes(stored.totp_secret_sealed)), ("", b""))

    def test_an_altered_ciphertext_reads_as_the_placeholder_and_is_logged_without_content(self):
        entry = Entry.objects.get(pk=self.p["note"].pk)
        blob = bytearray(entry.body_sealed)
        blob[-1] ^= 1
        entry.body_sealed = bytes(blob)
        with self.assertLogs("confide.keys.sealed", "WARNING") as logs:
            self.assertEqual(entry.body, UNREADABLE)
        self.assertNotIn("Zelda", "\n".join(logs.output))


class DestroyedKeyTest(ConfideTestCase):
    """Crypto-shredding: after the client's key is destroyed, every sealed column reads as the one
    placeholder, and every page that shows one says so, calmly, with no error."""

    def test_every_sealed_column_and_page_shows_the_one_placeholder(self):
        with own_key_store():
            records = Records(self.p)
            self.assertTrue(key_store().destroy(records.client.pk))
            for model, pk, attribute, value, _ in records.columns():
                with self.subTest(column=f"{model.__name__}.{attribute}"):
                    got = getattr(model.objects.get(pk=pk), attribute)
                    if isinstance(value, dict):
                        self.assertIn(UNREADABLE, got.values())
                    elif isinstance(value, str):
                        self.assertEqual(got, UNREADABLE)
                    else:  # a file's bytes, a date of birth: nothing to show, and no error
                        self.assertIsNone(got)
            # The bulk path of list pages: names opened with one read of keys.
            listed = list(Client.objects.filter(pk__in=[records.client.pk, self.p["client"].pk]).order_by("pk"))
            reveal_names(listed)
            self.assertEqual(listed[1].display_name, UNREADABLE)
            self.assert_pages(records)

    def test_a_personnel_file_and_an_application_shredded_read_as_the_placeholder(self):
        with own_key_store():
            records = StaffRecords(self.p)
            self.assertTrue(key_store().destroy(-records.file.pk))
            self.assertTrue(key_store().destroy(-(1_000_000_000 + records.applicant.pk)))
            for model, pk, attribute, value, _, key in records.columns():
                if key is None:
                    continue  # the installation's: no data key of one person to destroy
                with self.subTest(column=f"{model.__name__}.{attribute}"):
                    got = getattr(model.objects.get(pk=pk), attribute)
                    if isinstance(value, dict):
                        self.assertIn(UNREADABLE, got.values())
                    else:
                        self.assertEqual(got, UNREADABLE)

    def assert_pages(self, records):
        pages = {
            "assigned": [
                ("file", reverse("web:client_file", args=[records.client.pk]), 4),  # name, note, person, number
                ("people", reverse("web:related_people", args=[records.client.pk]), 2),
                ("safe contact", reverse("web:safe_contact", args=[records.client.pk]), 2),
                ("consent", reverse("web:consent", args=[records.consent.pk]), 1),
                ("disclosure", reverse("web:disclosure", args=[records.disclosure.pk]), 4),
                ("incoming", reverse("web:incoming", args=[records.incoming.pk]), 1),
                ("task", reverse("web:task", args=[records.task.pk]), 1),
            ],
            "manager": [("review", reverse("web:review", args=[records.glass.pk]), 2)],
        }
        for who, urls in pages.items():
            self.sign_in(who)
            for what, url, at_least in urls:
                with self.subTest(page=what):
                    page = self.client.get(url)
                    self.assertEqual(page.status_code, 200)
                    self.assertGreaterEqual(page.content.decode().count(UNREADABLE), at_least)
                    for clear in ("Perpetua", "Hollowell", "Ravensmoor", "07700 900537", "Marrowby", "constable"):
                        self.assertNotContains(page, clear)
        self.sign_in("assigned")
        for what, url in (("document", reverse("web:download_document", args=[records.document.pk])),
                          ("signed form", reverse("web:consent_signed_form", args=[records.consent.pk])),
                          ("order", reverse("web:incoming_order", args=[records.incoming.pk])),
                          ("limits", reverse("web:limits_signed_copy", args=[records.limits.pk]))):
            with self.subTest(download=what):
                self.assertEqual(self.client.get(url).status_code, 404, "nothing left to hand over; not an error")


class WritingToDestroyedRecordsTest(ConfideTestCase):
    """Once a client's key is destroyed nothing can be added to their file either: a page asked to
    write answers 410 with a plain sentence (never a server error), and nothing is saved."""

    def test_a_note_added_to_a_destroyed_file_is_refused_calmly(self):
        with own_key_store():
            client = Client.objects.create(display_name="Fictional Destroyed", team=self.p["north"])
            case = Case.objects.create(client=client, service=self.p["case"].service, team=self.p["north"],
                                       status=Case.Status.OPEN)
            case.workers.add(self.p["assigned"])
            self.assertTrue(key_store().destroy(client.pk))
            self.sign_in("assigned")
            before = Entry.objects.count()
            response = self.client.post(reverse("web:add_note", args=[case.pk]),
                                        {"text": "She rang about the tenancy.", "confirm_wording": "on", "categories": ["case_notes"],
                                         "about_client": "on", "source": "client"})
            self.assertEqual(response.status_code, 410)
            self.assertContains(response, "This client&#x27;s records were destroyed under the retention schedule, so "
                                          "nothing can be read from them or added to them.", status_code=410)
            self.assertNotContains(response, "Fictional Destroyed", status_code=410)
            self.assertEqual(Entry.objects.count(), before)

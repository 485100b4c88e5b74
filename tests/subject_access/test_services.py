"""Subject-access requests as the services write them: what a request must say to be logged (UK GDPR
Art 15 and 12: no form is required, a verbal request is valid, a representative needs the client's
authority), who may open it (the data controller, DVIP 9.06; a second reviewer only once compiled,
never the person who compiled it), the release (the reviewer's identity confirmed again, the copy
sealed under the client's key, recorded with its hash and counts, the audit log naming nobody), and
that a closed request changes no more. Real database, real keys, real PDF."""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.http import Http404
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.models import AuditEvent
from confide.subject_access import services
from confide.subject_access.access import access_sar, access_sar_client, access_sar_to_compile
from confide.subject_access.models import Item, Redaction, Release, SubjectAccessRequest
from confide.subject_access.services import Received, SarError, Stale
from tests.base import CLIENT_NAME, NOTE_TEXT, PERSON_NAME, ConfideTestCase

SECOND_PERSON = "A second person reviews and releases the copy: you compiled it."


class SarServiceTest(ConfideTestCase):
    """tests.base's client (Zelda, on DVIP's Violence Prevention Programme), her ex-partner Quentin on
    file, a note, a document about him and a sealed medical note. The data controller (Head of Service
    Delivery) logs and compiles; the team manager reviews and releases."""

    def setUp(self):
        super().setUp()
        self.controller, self.manager, self.worker = self.p["data_controller"], self.p["manager"], self.p["assigned"]
        self.today = timezone.localdate()

    def grant(self):
        return access_sar_client(self.controller, self.client_record.pk)

    def log(self, **changes) -> SubjectAccessRequest:
        fields = {"received_on": self.today - dt.timedelta(days=3), "made": "writing", "identity_check": "known",
                  "identity_confirmed_on": self.today - dt.timedelta(days=3), **changes}
        return services.do_log_request(self.controller, self.grant(), Received(**fields))

    def fresh(self, sar) -> SubjectAccessRequest:
        return SubjectAccessRequest.objects.get(pk=sar.pk)

    def compiled(self, by=None) -> SubjectAccessRequest:
        sar = self.log()
        return services.do_compile(by or self.controller, self.grant(), sar, sar.version)

    def ready(self, sar) -> SubjectAccessRequest:
        """Everything a reviewer does before release: the search recorded, each proposal accepted, the
        sealed medical note (waiting for a health opinion) withheld."""
        sar = services.do_record_search(self.controller, sar, self.fresh(sar).version, "This file; the paper file.",
                                        self.today)
        proposals = Redaction.objects.filter(item__request=sar, status=Redaction.Status.PROPOSED)
        services.do_decide_redactions(self.manager, sar, self.fresh(sar).version, {r.pk: True for r in proposals})
        for item in Item.objects.filter(request=sar, decision=Item.Decision.WAIT_HEALTH):
            services.do_decide_item(self.manager, sar, self.fresh(sar).version, item.pk, "withhold",
                                    reason="health information: no opinion sought")
        return self.fresh(sar)

    def assert_refused_unsaved(self, field: str, **changes) -> None:
        before = (SubjectAccessRequest.objects.count(), AuditEvent.objects.filter(action=Action.SAR_LOGGED).count())
        with self.assertRaises(SarError) as refused:
            self.log(**changes)
        self.assertEqual(refused.exception.field, field, str(refused.exception))
        after = (SubjectAccessRequest.objects.count(), AuditEvent.objects.filter(action=Action.SAR_LOGGED).count())
        self.assertEqual(after, before, "nothing saved, nothing recorded")

    # --- logging a request -------------------------------------------------------------------------
    def test_a_received_date_in_the_future_is_refused(self):
        self.assert_refused_unsaved("received_on", received_on=self.today + dt.timedelta(days=1))

    def test_identity_confirmed_before_the_request_was_received_is_refused(self):
        self.assert_refused_unsaved("identity_confirmed_on", identity_confirmed_on=self.today - dt.timedelta(days=4))

    def test_a_date_of_identity_without_saying_how_it_was_checked_is_refused(self):
        self.assert_refused_unsaved("identity_check", identity_check="not_yet")

    def test_a_verbal_request_is_as_valid_as_a_written_one(self):
        sar = self.log(made="verbal")
        self.assertEqual((sar.made, sar.status), ("verbal", "open"))
        event = AuditEvent.objects.filter(action=Action.SAR_LOGGED).get()
        self.assertEqual(json.loads(event.detail)["made"], "verbal")

    def test_a_representative_needs_a_name_and_a_relationship(self):
        self.assert_refused_unsaved("representative_name", made_by="representative", representative_name=" ",
                                    representative_relationship="solicitor")
        self.assert_refused_unsaved("representative_relationship", made_by="representative",
                                    representative_name="Imogen Farthingale", representative_relationship="")
        self.assert_refused_unsaved("made_by", representative_name="Imogen Farthingale")
        sar = self.log(made_by="representative", representative_name="Imogen Farthingale",
                       representative_relationship="solicitor")
        self.assertEqual(self.fresh(sar).representative["name"], "Imogen Farthingale")
        self.assertNotIn(b"Farthingale", bytes(self.fresh(sar).representative_sealed), "sealed, not in clear")
        sar = services.do_compile(self.controller, self.grant(), sar, sar.version)
        self.assertIn("The representative's authority has not been confirmed.",
                      services.why_not_release(self.manager, sar))

    # --- a stale form ------------------------------------------------------------------------------
    def test_a_change_from_a_form_opened_before_someone_elses_change_is_refused(self):
        sar = self.log()
        opened = sar.version
        services.do_record_search(self.controller, sar, opened, "This file in Confide.", self.today)
        with self.assertRaises(Stale):
            services.do_record_search(self.controller, sar, opened, "Somewhere else entirely.", self.today)
        self.assertEqual(self.fresh(sar).search, "This file in Confide.")
        self.assertEqual(self.fresh(sar).version, opened + 1)

    # --- who may open a request ----------------------------------------------------------------------
    def test_a_worker_gets_not_found_and_the_attempt_is_recorded_as_refused(self):
        sar = self.compiled()
        for write, action in ((False, Action.SAR_READ_REFUSED), (True, Action.SAR_WRITE_REFUSED)):
            with self.assertRaises(Http404):
                access_sar(self.worker, sar.pk, write=write)
            event = AuditEvent.objects.filter(action=action, actor_id=self.worker.pk).get()
            self.assertEqual((event.object_id, event.client_id), (str(sar.pk), self.client_record.pk))
            self.assertEqual(json.loads(event.detail)["reason"], "not_allowed")
        with self.assertRaises(Http404):
            access_sar(self.worker, sar.pk + 1000)
        self.assertEqual(json.loads(AuditEvent.objects.filter(action=Action.SAR_READ_REFUSED).last().detail)["reason"],
                         "not_found")

    def test_a_manager_reviews_only_once_compiled_and_cannot_compile(self):
        sar = self.log()
        with self.assertRaises(Http404):
            access_sar(self.manager, sar.pk)
        services.do_compile(self.controller, self.grant(), sar, sar.version)
        opened = access_sar(self.manager, sar.pk)
        self.assertTrue(opened.reviewer)
        self.assertEqual(json.loads(AuditEvent.objects.filter(action=Action.SAR_READ).last().detail)["basis"],
                         "second_review")
        with self.assertRaises(Http404):
            access_sar_to_compile(self.manager, sar.pk)

    def test_a_manager_who_compiled_cannot_review_or_release(self):
        sar = self.ready(self.compiled(by=self.manager))
        with self.assertRaises(Http404):
            access_sar(self.manager, sar.pk)
        self.assertIn(SECOND_PERSON, services.why_not_release(self.manager, sar))
        with self.assertRaises(SarError) as refused:
            services.do_release(self.manager, sar, sar.version, "manager-password-1")
        self.assertEqual(refused.exception.field, "release")
        self.assertFalse(Release.objects.exists())

    def test_the_person_who_compiled_cannot_release(self):
        sar = self.ready(self.compiled())
        self.assertEqual(services.why_not_release(self.controller, sar), [SECOND_PERSON])
        self.assertEqual(services.why_not_release(self.manager, sar), [])
        with self.assertRaises(SarError) as refused:
            services.do_release(self.controller, sar, sar.version, "controller-password-1")
        self.assertEqual((refused.exception.field, str(refused.exception)), ("release", SECOND_PERSON))
        self.assertFalse(Release.objects.exists())
        self.assertEqual(self.fresh(sar).status, "compiled")
        self.assertTrue(AuditEvent.objects.filter(action=Action.SAR_RELEASE_REFUSED, actor_id=self.controller.pk).exists())

    def test_a_worker_cannot_release_either(self):
        sar = self.ready(self.compiled())
        self.assertIn("Only the data controller or a manager may review and release a copy.",
                      services.why_not_release(self.worker, sar))
        with self.assertRaises(SarError):
            services.do_release(self.worker, sar, sar.version, "assigned-password-1")
        self.assertFalse(Release.objects.exists())

    def test_release_waits_for_the_search_and_the_proposals(self):
        sar = self.compiled()
        problems = services.why_not_release(self.manager, sar)
        self.assertIn("Record the search made (where you looked) before release.", problems)
        self.assertTrue(any("proposed redaction" in p and "still to be accepted or rejected" in p for p in problems))
        self.assertTrue(any("health professional" in p for p in problems))

    # --- the release ---------------------------------------------------------------------------------
    def test_a_wrong_password_releases_nothing(self):
        sar = self.ready(self.compiled())
        with self.assertRaises(SarError) as refused:
            services.do_release(self.manager, sar, sar.version, "not-my-password")
        self.assertEqual(refused.exception.field, "secret")
        self.assertIn("nothing was released", str(refused.exception))
        self.assertFalse(Release.objects.exists())
        self.assertEqual((self.fresh(sar).status, self.fresh(sar).version), ("compiled", sar.version))

    def test_the_release_is_recorded_with_its_hash_and_counts_sealed_and_naming_nobody_in_the_log(self):
        first_event = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
        sar = self.ready(self.compiled())
        release = services.do_release(self.manager, sar, sar.version, "manager-password-1")
        release = Release.objects.get(pk=release.pk)
        pdf = release.pdf
        self.assertTrue(pdf.startswith(b"%PDF-"))
        self.assertEqual(release.sha256, hashlib.sha256(pdf).hexdigest())
        self.assertNotIn(b"%PDF", bytes(release.pdf_sealed), "sealed under the client's key")
        self.assertNotIn(NOTE_TEXT.encode(), bytes(release.pdf_sealed))
        self.assertEqual((release.compiled_by_id, release.reviewed_by_id, release.client_id),
                         (self.controller.pk, self.manager.pk, self.client_record.pk))
        decisions = list(Item.objects.filter(request=sar).values_list("decision", flat=True))
        self.assertEqual(release.counts["released"], decisions.count("release"))
        self.assertEqual(release.counts["redacted"], decisions.count("redact"))
        self.assertEqual(release.counts["withheld"], decisions.count("withhold"))
        self.assertEqual(release.counts["redactions"],
                         Redaction.objects.filter(item__request=sar, status=Redaction.Status.ACCEPTED).count())
        self.assertGreaterEqual(release.counts["withheld"], 2, "Quentin's entry on file and the medical note")
        self.assertGreaterEqual(release.counts["redactions"], 1)
        sar = self.fresh(sar)
        self.assertEqual((sar.status, sar.reviewed_by_id), ("released", self.manager.pk))
        released = AuditEvent.objects.filter(action=Action.SAR_RELEASED).get()
        self.assertIn(release.sha256, released.detail)
        self.assertEqual(released.actor_id, self.manager.pk)
        names = [CLIENT_NAME, *CLIENT_NAME.split(), PERSON_NAME, *PERSON_NAME.split()]
        written = AuditEvent.objects.filter(seq__gt=first_event or 0)
        self.assertGreater(written.count(), 5)
        for event in written:
            for name in names:
                self.assertNotIn(name.lower(), event.detail.lower(), f"{event.action} names {name}")
                self.assertNotIn(name.lower(), event.object_id.lower())

    # --- a closed request ----------------------------------------------------------------------------
    def test_a_released_request_refuses_further_changes(self):
        sar = self.ready(self.compiled())
        services.do_release(self.manager, sar, sar.version, "manager-password-1")
        sar = self.fresh(sar)
        item = Item.objects.filter(request=sar).first()
        attempts = [
            lambda: services.do_record_search(self.controller, sar, sar.version, "Again.", self.today),
            lambda: services.do_decide_item(self.manager, sar, sar.version, item.pk, "withhold"),
            lambda: services.do_compile(self.controller, self.grant(), sar, sar.version),
            lambda: services.do_withdraw(self.controller, sar, sar.version),
            lambda: services.do_release(self.manager, sar, sar.version, "manager-password-1"),
        ]
        for attempt in attempts:
            with self.assertRaises(SarError):
                attempt()
        self.assertEqual(self.fresh(sar).version, sar.version)
        self.assertEqual(Release.objects.count(), 1)
        self.assertEqual(services.why_not_release(self.manager, sar), ["This request is closed."])

    def test_a_withdrawn_request_refuses_further_changes(self):
        sar = self.log(identity_check="not_yet", identity_confirmed_on=None)
        sar = services.do_withdraw(self.controller, sar, sar.version)
        self.assertEqual(sar.status, "withdrawn")
        attempts = [
            lambda: services.do_confirm(self.controller, sar, sar.version, identity_check="document",
                                        identity_confirmed_on=self.today),
            lambda: services.do_extend(self.controller, sar, sar.version, 2, "More time.", self.today),
            lambda: services.do_ask_clarification(self.controller, sar, sar.version, self.today),
            lambda: services.do_compile(self.controller, self.grant(), sar, sar.version),
        ]
        for attempt in attempts:
            with self.assertRaises(SarError) as refused:
                attempt()
            self.assertIn("closed", str(refused.exception))
        self.assertIsNone(self.fresh(sar).identity_confirmed_on)
        self.assertFalse(Item.objects.filter(request=sar).exists())

"""Home pages per role, the client file and the record of access, each from both sides."""

from __future__ import annotations

import datetime as dt
import json

from django.urls import reverse
from django.utils import timezone

from confide.audit.models import AuditEvent
from confide.records.models import Case, Client
from tests.base import CLIENT_NAME, NOTE_TEXT, OTHER_CLIENT_NAME, ConfideTestCase


class HomePageTests(ConfideTestCase):
    def test_a_worker_sees_their_own_clients_only(self):
        self.sign_in("assigned")
        page = self.client.get(reverse("web:home"))
        self.assertContains(page, CLIENT_NAME)
        self.assertNotContains(page, OTHER_CLIENT_NAME)
        self.sign_in("same_team")
        page = self.client.get(reverse("web:home"))
        self.assertNotContains(page, CLIENT_NAME, msg_prefix="a colleague's client is not listed")
        self.assertContains(page, "not working on any client")

    def test_every_listed_client_opens_and_the_listing_is_recorded(self):
        # The data controller works on a case too: listed only if the engine lets them open it.
        self.p["case"].workers.add(self.p["data_controller"])
        for who in ("assigned", "same_team", "other_team", "manager", "data_controller", "volunteer"):
            with self.subTest(who=who):
                self.sign_in(who)
                listed = self.client.get(reverse("web:home")).context["clients"]
                for client in listed:
                    self.assertEqual(self.client.get(reverse("web:client_file", args=[client.pk])).status_code, 200)
                if listed:
                    event = AuditEvent.objects.filter(action="clients.listed", actor_id=self.p[who].pk).latest("seq")
                    self.assertEqual(json.loads(event.detail)["client_ids"], [c.pk for c in listed])

    def test_a_trustee_sees_the_newest_released_report_and_no_live_counts(self):
        from confide.reports import services as report_services

        north = self.p["north"]
        for i in range(8):  # with the two cases of the base people: 8 on the VPP, 2 in the WSS
            client = Client.objects.create(display_name=f"Figure Person {i}", team=north)
            Case.objects.create(client=client, service="vpp" if i < 6 else "wss", team=north, status=Case.Status.OPEN)
        today = timezone.localdate()
        report = report_services.do_draft_report(self.p["manager"], "custom", today - dt.timedelta(days=90), today)
        report_services.do_release_report(self.p["data_controller"], report.pk, "controller-password-1")
        report.refresh_from_db()
        self.sign_in("trustee")
        page = self.client.get(reverse("web:home"))
        self.assertContains(page, "Figures for the committee")
        self.assertContains(page, f'<a href="{reverse("reports:report", args=[report.pk])}">{report.label}</a>',
                            html=True)
        self.assertNotContains(page, "Open cases by service")
        for name in (CLIENT_NAME, OTHER_CLIENT_NAME, "Figure Person"):
            self.assertNotContains(page, name)

    def test_a_trustee_cannot_open_a_client_file(self):
        self.sign_in("trustee")
        self.assertEqual(self.client.get(reverse("web:client_file", args=[self.p["client"].pk])).status_code, 404)

    def test_the_data_controller_sees_the_audit_log_state(self):
        self.sign_in("data_controller")
        page = self.client.get(reverse("web:home"))
        self.assertContains(page, "confide audit verify")

    def test_the_administrator_sees_staff_not_clients(self):
        self.sign_in("administrator")
        page = self.client.get(reverse("web:home"))
        self.assertContains(page, "Staff accounts")
        self.assertContains(page, "Ada Assigned")
        self.assertNotContains(page, CLIENT_NAME)


class ClientFileTests(ConfideTestCase):
    def file_url(self, client=None):
        return reverse("web:client_file", args=[(client or self.p["client"]).pk])

    def test_the_assigned_worker_opens_the_file_and_the_read_is_audited(self):
        self.sign_in("assigned")
        page = self.client.get(self.file_url())
        self.assertContains(page, NOTE_TEXT)
        event = AuditEvent.objects.filter(action="client.read").latest("seq")
        self.assertEqual((event.actor_id, event.client_id, event.purpose),
                         (self.p["assigned"].pk, self.p["client"].pk, "direct_support"))
        detail = json.loads(event.detail)
        self.assertEqual(detail["decision"], "permit")
        self.assertEqual(detail["pack"], "dvip")
        self.assertTrue(detail["clauses"], "the clause that permitted it is recorded")
        self.assertNotIn(NOTE_TEXT, event.detail)
        self.assertNotIn(CLIENT_NAME, event.detail)

    def test_everyone_else_gets_the_same_404_and_the_attempt_is_recorded(self):
        for who in ("same_team", "other_team", "trustee", "volunteer", "administrator"):
            with self.subTest(who=who):
                self.sign_in(who)
                before = AuditEvent.objects.count()
                response = self.client.get(self.file_url())
                self.assertEqual(response.status_code, 404)
                self.assertNotContains(response, CLIENT_NAME, status_code=404)
                refused = AuditEvent.objects.filter(seq__gt=before).get()
                self.assertEqual((refused.action, refused.client_id, refused.actor_id),
                                 ("client.read.refused", self.p["client"].pk, self.p[who].pk))

    def test_a_missing_client_is_a_404_and_is_recorded_without_a_client(self):
        self.sign_in("assigned")
        self.assertEqual(self.client.get(reverse("web:client_file", args=[424242])).status_code, 404)
        event = AuditEvent.objects.latest("seq")
        self.assertEqual((event.action, event.client_id, event.object_id), ("client.read.refused", None, "424242"))

    def test_wrong_methods_are_refused(self):
        self.sign_in("assigned")
        self.assertEqual(self.client.post(self.file_url()).status_code, 405)
        self.assertEqual(self.client.post(reverse("web:record_of_access", args=[self.p["client"].pk])).status_code, 405)


class RecordOfAccessTests(ConfideTestCase):
    def test_it_lists_who_looked_when_and_why_including_refused_attempts(self):
        self.sign_in("other_team")
        self.client.get(reverse("web:client_file", args=[self.p["client"].pk]))
        self.sign_in("assigned")
        self.client.get(reverse("web:client_file", args=[self.p["client"].pk]))
        page = self.client.get(reverse("web:record_of_access", args=[self.p["client"].pk]))
        self.assertContains(page, "Record of access")
        rows = page.context["rows"]
        self.assertEqual([(r["who"], r["what"], r["refused"]) for r in rows], [
            ("Ada Assigned", "Viewed this record of access", False),
            ("Ada Assigned", "Opened the client's file", False),
            ("Olly Otherteam", "Tried to open the client's file: refused", True),
            ("Ada Assigned", "Added a note", False),
            ("Ada Assigned", "Uploaded a document", False),
            ("Ada Assigned", "Changed the safe contact details", False),
            ("Ada Assigned", "Added someone to the client's file", False),
            ("Ada Assigned", "Added a note", False),
        ])
        self.assertEqual(rows[1]["why"], "Working with the client")
        self.assertEqual([r["role"] for r in rows], ["Violence Prevention Programme worker"] * 8)

    def test_it_shows_only_this_clients_events(self):
        other = self.p["other_client"]
        self.sign_in("other_team")
        self.client.get(reverse("web:client_file", args=[other.pk]))
        self.sign_in("assigned")
        page = self.client.get(reverse("web:record_of_access", args=[self.p["client"].pk]))
        self.assertNotContains(page, "Olly Otherteam")

    def test_a_person_who_cannot_open_the_file_cannot_see_its_record_of_access(self):
        self.sign_in("other_team")
        response = self.client.get(reverse("web:record_of_access", args=[self.p["client"].pk]))
        self.assertEqual(response.status_code, 404)
        self.assertNotContains(response, CLIENT_NAME, status_code=404)


class RecordOfAccessForAuditTests(ConfideTestCase):
    def url(self, purpose=None):
        base = reverse("web:record_of_access", args=[self.p["client"].pk])
        return f"{base}?purpose={purpose}" if purpose else base

    def test_the_data_controller_reads_it_for_an_audit_and_the_engine_decides(self):
        self.sign_in("data_controller")
        self.assertEqual(self.client.get(self.url()).status_code, 404, "not their client: not for direct work")
        page = self.client.get(self.url("audit"))
        self.assertContains(page, "Record of access")
        event = AuditEvent.objects.filter(action="client.record_of_access").latest("seq")
        self.assertEqual((event.purpose, event.actor_id), ("audit", self.p["data_controller"].pk))
        self.assertEqual(page.context["rows"][0]["why"], "Checking who has looked at the file")

    def test_a_worker_stating_an_audit_purpose_gets_nothing_more(self):
        self.sign_in("other_team")
        self.assertEqual(self.client.get(self.url("audit")).status_code, 404)
        self.assertEqual(AuditEvent.objects.latest("seq").action, "client.record_of_access.refused")

    def test_an_unknown_purpose_is_a_clear_error(self):
        self.sign_in("data_controller")
        response = self.client.get(self.url("curiosity"))
        self.assertContains(response, "That purpose is not one Confide knows", status_code=400)

    def test_the_lookup_form_sends_the_number_and_purpose_on_and_explains_bad_input(self):
        self.sign_in("data_controller")
        lookup = reverse("web:record_of_access_lookup")
        self.assertContains(self.client.get(lookup), "Find a record of access")
        self.assertRedirects(self.client.get(lookup, {"client": self.p["client"].pk, "purpose": "audit"}),
                             self.url("audit"))
        for bad, words in (({"client": "Zelda", "purpose": "audit"}, "in figures"),
                           ({"client": "", "purpose": "audit"}, "Enter the client&#x27;s number"),
                           ({"client": "3", "purpose": "gossip"}, "Select a valid choice")):
            self.assertContains(self.client.get(lookup, bad), words, status_code=400)


class MigrationTests(ConfideTestCase):
    def test_models_and_migrations_agree(self):
        from django.core.management import call_command

        call_command("makemigrations", "--check", "--dry-run", verbosity=0)

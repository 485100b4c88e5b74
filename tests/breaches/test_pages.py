"""The breach pages: record a breach and see its ICO deadline; forms refuse bad input beside the
field; the Day-Mer Complaints Officer is answered as for a missing page on every breach path."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from confide.breaches.models import Breach
from confide.web import breach_views
from tests.base import ConfideTestCase
from tests.breaches.helpers import WHAT, record


def form(**changes) -> dict:
    now = timezone.localtime(timezone.now() - dt.timedelta(hours=3))
    base = {"aware_date": now.date().isoformat(), "aware_time": now.strftime("%H:%M"), "aware_zone": "Europe/London",
            "what_happened": WHAT, "data_categories": ["case_notes", "health"], "people_known": "known",
            "people_affected": "4", "risk": "high", "client_ids": ""}
    return base | changes


class BreachPagesTests(ConfideTestCase):
    def test_a_manager_records_a_breach_and_sees_its_ico_deadline(self):
        self.sign_in("manager")
        self.assertEqual(self.client.get(reverse("breaches:new")).status_code, 200)
        response = self.client.post(reverse("breaches:new"), form(client_ids="1042, 1043"), follow=True)
        self.assertEqual(response.status_code, 200)
        breach = Breach.objects.get()
        page = response.content.decode()
        self.assertIn("ICO deadline", page)
        self.assertIn("(Europe/London)", page)
        self.assertIn(WHAT.replace("'", "&#x27;"), page)
        self.assertIn("1042, 1043", page)
        self.assertIn("left", page)
        panel = breach_views.home_panel(self.p["manager"], timezone.localdate())
        self.assertEqual(panel["rows"][0]["breach"].pk, breach.pk)
        self.assertEqual(panel["template"], "breaches/_home_panel.html")

    def test_bad_input_is_refused_beside_the_field(self):
        self.sign_in("manager")
        future = timezone.localtime(timezone.now() + dt.timedelta(hours=2))
        cases = [
            (form(aware_date=future.date().isoformat(), aware_time=future.strftime("%H:%M")), "in the future"),
            (form(aware_time="25:00"), "24-hour clock"),
            (form(aware_date="2026-03-29", aware_time="01:30"), "did not happen"),
            (form(what_happened=""), "Say what happened"),
            (form(data_categories=[]), "at least one kind of data"),
            (form(people_affected=""), "Enter how many people"),
            (form(people_affected="many"), "in figures"),
            (form(client_ids="Zelda"), "client numbers in figures only"),
            (form(risk=""), "Choose the risk"),
            (form(aware_zone="Mars/Base"), "Choose one from the list"),
        ]
        for data, words in cases:
            response = self.client.post(reverse("breaches:new"), data)
            self.assertEqual(response.status_code, 400, words)
            self.assertIn(words, response.content.decode(), words)
        self.assertFalse(Breach.objects.exists())

    def test_a_decision_not_to_report_without_a_rationale_is_refused_on_the_page(self):
        breach = record(self.p["manager"], self.p["pack"], risk="none")
        self.sign_in("data_controller")
        url = reverse("breaches:detail", args=[breach.pk])
        response = self.client.post(url, {"action": "ico", "ico-ico_decision": "not_report", "ico-ico_rationale": "",
                                          "ico-reported_zone": "Europe/London"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("Art 33(5)", response.content.decode())
        response = self.client.post(url, {"action": "ico", "ico-ico_decision": "not_report",
                                          "ico-ico_rationale": "Envelope returned unopened.",
                                          "ico-reported_zone": "Europe/London"}, follow=True)
        self.assertIn("Do not report it", response.content.decode())

    def test_a_breach_that_is_a_risk_cannot_be_decided_not_reported_on_the_page(self):
        breach = record(self.p["manager"], self.p["pack"], risk="high")
        self.sign_in("data_controller")
        response = self.client.post(reverse("breaches:detail", args=[breach.pk]), {
            "action": "ico", "ico-ico_decision": "not_report", "ico-ico_rationale": "We would rather not.",
            "ico-reported_zone": "Europe/London"})
        self.assertEqual(response.status_code, 400)
        self.assertIn("must be reported to the ICO (UK GDPR Art 33(1))", response.content.decode())
        breach.refresh_from_db()
        self.assertEqual(breach.ico_decision, "")

    def test_a_worker_sees_only_what_they_recorded(self):
        breach = record(self.p["manager"], self.p["pack"])
        self.sign_in("same_team")
        self.assertEqual(self.client.get(reverse("breaches:detail", args=[breach.pk])).status_code, 404)
        self.assertNotIn(f"Breach {breach.pk}", self.client.get(reverse("breaches:list")).content.decode())
        self.assertIsNone(breach_views.home_panel(self.p["same_team"], timezone.localdate()))


class DayMerPagesTests(ConfideTestCase):
    pack_name = "day_mer"

    def test_every_breach_path_is_shut_to_the_complaints_officer(self):
        breach = record(self.p["manager"], self.p["pack"])
        self.sign_in("administrator")
        detail = reverse("breaches:detail", args=[breach.pk])
        missing = self.client.get(reverse("breaches:detail", args=[breach.pk + 99]))
        self.assert_refused(self.client.get(detail), missing, where="detail")
        for url in (reverse("breaches:list"), reverse("breaches:new")):
            self.assertEqual(self.client.get(url).status_code, 404, url)
        self.assertEqual(self.client.post(reverse("breaches:new"), form()).status_code, 404)
        for action in ("ico", "escalate", "close", "findings"):
            self.assertEqual(self.client.post(detail, {"action": action}).status_code, 404, action)
        self.assertEqual(Breach.objects.count(), 1)
        self.assertIsNone(breach_views.home_panel(self.p["administrator"], timezone.localdate()))

    def test_the_coordinator_escalates_to_the_chair_who_sees_the_facts_only(self):
        breach = record(self.p["assigned"], self.p["pack"], client_ids=[1042])
        self.sign_in("manager")
        url = reverse("breaches:detail", args=[breach.pk])
        response = self.client.post(url, {"action": "escalate"}, follow=True)
        self.assertIn("escalated", response.content.decode())
        self.sign_in("trustee")
        page = self.client.get(url).content.decode()
        self.assertIn("briefed on the facts only", page)
        self.assertNotIn("Quentin", page)
        self.assertNotIn("1042", page)


class JunkTests(ConfideTestCase):
    """Odd input to every form on the breach and complaint pages: a clear 400 or a save, never a 500."""

    JUNK = ["", "0", "-1", "9" * 30, "0001-01-01", "9999-12-31", "00:00", "23:59", "Zelda\u202e", "x" * 6000,
            "Pacific/Kiritimati", "not_report", "report", "told", "not_told", "high"]

    def test_no_form_answers_with_a_server_error(self):
        breach = record(self.p["manager"], self.p["pack"])
        from tests.complaints.test_complaints import log
        complaint = log(self.p["data_controller"], timezone.localdate())
        self.sign_in("data_controller")
        fields = {"new": ["aware_date", "aware_time", "aware_zone", "what_happened", "data_categories",
                          "people_known", "people_affected", "risk", "client_ids", "opened_from"],
                  "ico": ["ico-ico_decision", "ico-ico_rationale", "ico-reported_date", "ico-reported_time",
                          "ico-reported_zone", "ico-delay_reason"],
                  "told": ["told-told", "told-told_on", "told-told_how", "told-not_told_exception"],
                  "charity": ["charity-cc_decision", "charity-cc_rationale", "charity-cc_decided_on"],
                  "refer": ["refer-person"], "reassess": ["reassess-people_affected", "reassess-risk"],
                  "acknowledge": ["acknowledge-acknowledged_on"], "outcome": ["outcome-outcome", "outcome-told_on"]}
        for action, names in fields.items():
            for junk in self.JUNK:
                data = {name: junk for name in names} | {"action": action}
                if action == "new":
                    url = reverse("breaches:new")
                elif action in ("acknowledge", "outcome"):
                    url = reverse("complaints:detail", args=[complaint.pk])
                else:
                    url = reverse("breaches:detail", args=[breach.pk])
                status = self.client.post(url, data).status_code
                self.assertIn(status, (200, 302, 400, 404, 409), f"{action} with {junk[:20]!r}")

"""The figures page: counts only, small numbers hidden, no totals to subtract from, and only for the
people who run the service or oversee it (trustees, managers, the data controller)."""

from __future__ import annotations

import datetime as dt

from django.urls import reverse
from django.utils import timezone

from confide.records.models import Case, Client
from tests.base import CLIENT_NAME, OTHER_CLIENT_NAME, ConfideTestCase


class FiguresPageTests(ConfideTestCase):
    def setUp(self):
        north = self.p["north"]
        today = timezone.localdate()
        for i in range(9):  # 7 referred this year to the VPP, 2 to the WSS; one VPP case long ago
            client = Client.objects.create(display_name=f"Figure Person {i}", team=north)
            referred = today - dt.timedelta(days=800 if i == 8 else 30)
            Case.objects.create(client=client, service="vpp" if i < 6 or i == 8 else "wss", team=north,
                                status=Case.Status.OPEN, referred_on=referred)

    def test_managers_see_the_figures_with_small_numbers_hidden_as_reports_hide_them_and_no_totals(self):
        self.sign_in("data_controller")
        page = self.client.get(reverse("web:figures"))
        self.assertContains(page, "Referrals in the last 12 months")
        # Referred in the year: the base people's two VPP cases and six more; two on the WSS. Counts up
        # to the reports' threshold (7 unless the organisation raises it) are hidden.
        self.assertContains(page, "<tr><td>Violence Prevention Programme</td><td>8</td></tr>", html=True)
        self.assertContains(page, "<tr><td>Women's Support Service</td><td>fewer than 8</td></tr>", html=True)
        self.assertNotContains(page, "Total")
        for name in (CLIENT_NAME, OTHER_CLIENT_NAME, "Figure Person"):
            self.assertNotContains(page, name)

    def test_a_trustee_is_sent_to_the_released_reports_never_live_counts(self):
        # Live counts change with each client: compared from one day to the next, they would point at
        # someone. The committee's figures are the released reports' (issue 17, DVIP 10.03).
        self.sign_in("trustee")
        home = self.client.get(reverse("web:home"))
        self.assertContains(home, "Figures for the committee")
        self.assertContains(home, "No report has been released yet.")
        self.assertNotContains(home, reverse("web:figures"))
        self.assertNotContains(home, "Violence Prevention Programme")
        self.assertRedirects(self.client.get(reverse("web:figures")), reverse("reports:list"))

    def test_a_worker_is_refused_the_figures(self):
        self.sign_in("assigned")
        self.assertEqual(self.client.get(reverse("web:figures")).status_code, 403)

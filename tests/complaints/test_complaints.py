"""Complaints about data protection: handled by the roles the pack names; acknowledged within 30
days (the date shown, overdue in words); a complaint about a breach shows the breach's number and
dates only, to Day-Mer's independent Complaints Officer, who never sees the breach itself."""

from __future__ import annotations

import datetime as dt

from django.http import Http404
from django.urls import reverse
from django.utils import timezone

from confide.complaints import access as gate
from confide.complaints import services
from confide.complaints.models import Complaint
from confide.web import complaint_views
from tests.base import ConfideTestCase
from tests.breaches.helpers import WHAT, record

FROM = "Mrs Philippa Quorndon-Vale, by email"  # fictional
ABOUT = "Her letter went to a neighbour at Nettle Lane."


def log(user, received_on, breach_id=None):
    return services.do_log_complaint(user, services.NewComplaint(received_on, "email", FROM, ABOUT, breach_id))


class DvipComplaintsTests(ConfideTestCase):
    """DVIP: the Head of Service Delivery (the data controller) handles them; nobody else."""

    def test_only_the_handler_reads_them(self):
        complaint = log(self.p["data_controller"], timezone.localdate())
        self.assertEqual(gate.access_complaint(self.p["data_controller"], complaint.pk).pk, complaint.pk)
        for who in ("assigned", "manager", "trustee"):
            with self.assertRaises(Http404):
                gate.access_complaint(self.p[who], complaint.pk)
            with self.assertRaises(services.ComplaintError):
                log(self.p[who], timezone.localdate())

    def test_the_acknowledgement_date_and_overdue(self):
        today = timezone.localdate()
        received = today - dt.timedelta(days=35)
        complaint = log(self.p["data_controller"], received)
        self.sign_in("data_controller")
        page = self.client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
        due = received + dt.timedelta(days=30)
        self.assertIn(f"{due.day} {due:%B %Y}", page)
        if received >= dt.date(2026, 6, 19):
            self.assertIn("Acknowledgement overdue by 5 days", page)
            panel = complaint_views.home_panel(self.p["data_controller"], today)
            self.assertEqual((panel["waiting"], panel["overdue"]), (1, 1))
        self.assertIsNone(complaint_views.home_panel(self.p["assigned"], today))

    def test_the_steps_in_order_and_bad_dates_refused(self):
        today = timezone.localdate()
        handler = self.p["data_controller"]
        with self.assertRaises(services.ComplaintError) as raised:
            log(handler, today + dt.timedelta(days=1))
        self.assertEqual(raised.exception.field, "received_on")
        complaint = log(handler, today - dt.timedelta(days=3))
        with self.assertRaises(services.ComplaintError) as raised:
            services.do_record_outcome(handler, complaint, "Upheld.", today)
        self.assertEqual(raised.exception.code, "not_acknowledged")
        with self.assertRaises(services.ComplaintError) as raised:
            services.do_acknowledge(handler, complaint, today - dt.timedelta(days=5))
        self.assertEqual(raised.exception.field, "acknowledged_on")
        services.do_acknowledge(handler, complaint, today)
        services.do_start_investigation(handler, complaint, today)
        services.do_record_outcome(handler, complaint, "Upheld: letters now checked twice.", today)
        services.do_close(handler, complaint)
        complaint = Complaint.objects.get(pk=complaint.pk)
        self.assertEqual((complaint.status, complaint.outcome), ("closed", "Upheld: letters now checked twice."))
        self.assertNotIn(FROM.encode(), bytes(complaint.from_sealed))

    def test_a_missing_breach_number_is_refused_beside_the_field(self):
        with self.assertRaises(services.ComplaintError) as raised:
            log(self.p["data_controller"], timezone.localdate(), breach_id=999)
        self.assertEqual(raised.exception.field, "breach")

    def test_the_pages_refuse_bad_input_clearly(self):
        self.sign_in("data_controller")
        url = reverse("complaints:new")
        for data, words in (({}, "Enter the day the complaint was received"),
                            ({"received_on": "31 02 2026"}, "day month year"),
                            ({"breach": "x"}, "breach&#x27;s number in figures")):
            response = self.client.post(url, data)
            self.assertEqual(response.status_code, 400)
            self.assertIn(words, response.content.decode())
        self.sign_in("assigned")
        self.assertEqual(self.client.get(url).status_code, 404)
        self.assertEqual(self.client.get(reverse("complaints:list")).status_code, 404)


class DayMerIndependenceTests(ConfideTestCase):
    pack_name = "day_mer"

    def test_the_officer_handles_a_complaint_about_a_breach_and_sees_only_its_number_and_dates(self):
        officer = self.p["administrator"]
        breach = record(self.p["manager"], self.p["pack"])
        complaint = log(officer, timezone.localdate(), breach_id=breach.pk)
        self.sign_in("administrator")
        page = self.client.get(reverse("complaints:detail", args=[complaint.pk])).content.decode()
        self.assertIn(f"Breach {breach.pk}", page)
        self.assertIn("Only its number and dates are shown here", page)
        self.assertNotIn("Quentin", page)
        self.assertNotIn(WHAT[:20], page)
        self.assertNotIn(reverse("breaches:detail", args=[breach.pk]), page)
        self.assertEqual(self.client.get(reverse("breaches:detail", args=[breach.pk])).status_code, 404)

    def test_the_data_protection_lead_does_not_handle_independent_complaints(self):
        complaint = log(self.p["administrator"], timezone.localdate())
        with self.assertRaises(Http404):
            gate.access_complaint(self.p["data_controller"], complaint.pk)
        with self.assertRaises(Http404):
            gate.access_complaint(self.p["manager"], complaint.pk)

"""Breaking the glass needs a reason a reviewer can read: blank space, however long, is no reason
(a gap mutation testing found, docs/mutation.md), and the reason is kept without its padding."""

from __future__ import annotations

from confide.audit.models import AuditEvent
from confide.records.break_glass import ReasonNeeded, do_open_outside
from confide.records.models import BreakGlass
from tests.base import ConfideTestCase


class BreakGlassReasonTests(ConfideTestCase):
    def test_a_reason_of_blank_space_is_no_reason(self):
        for blank in (" " * 40, "\t\n " * 15, "\u00a0" * 30 + "\u200b" * 10, ". , ; - " * 6):
            with self.subTest(blank=repr(blank)), self.assertRaises(ReasonNeeded):
                do_open_outside(self.same_team, self.p["other_client"].pk, "emergency", blank)
        self.assertFalse(BreakGlass.objects.exists())
        self.assertEqual(AuditEvent.objects.filter(action="client.open_outside.refused").count(), 4)

    def test_the_reason_is_kept_without_its_surrounding_space(self):
        _client, glass = do_open_outside(self.same_team, self.p["other_client"].pk, "emergency",
                                         "   Client rang in crisis; worker on leave.  \n")
        self.assertIsNotNone(glass)
        glass.refresh_from_db()
        self.assertEqual(glass.reason, "Client rang in crisis; worker on leave.")

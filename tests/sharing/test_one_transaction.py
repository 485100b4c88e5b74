"""Every user action is one durable transaction, and a check that comes before a write is made on
the row as it is now, locked, not on a copy read earlier (issue 19 point 4)."""

from __future__ import annotations

from django.db import transaction

from confide.accounts.services import do_check_password
from confide.records.cases import CaseError
from confide.records.models import Case
from confide.sharing.cases import do_change_case
from tests.base import ConfideTestCase


class DurableTests(ConfideTestCase):
    def test_the_outermost_write_of_an_action_refuses_to_run_inside_another_transaction(self):
        # Durable: once it returns, what it wrote is committed, not waiting on a caller that might
        # still roll it back. (Inside the test's own transaction Django skips the check.)
        for name, call in (
            ("do_check_password", lambda: do_check_password("nobody-here", "not-a-password")),
            ("do_change_case", lambda: do_change_case(self.p["assigned"], self.p["case"], "open", [])),
        ):
            with self.subTest(name), self.assertRaises(RuntimeError) as caught, transaction.atomic():
                call()
            self.assertIn("durable", str(caught.exception))


class LockedCheckTests(ConfideTestCase):
    def test_a_copy_read_before_a_legal_hold_was_set_cannot_lift_it(self):
        stale = Case.objects.get(pk=self.p["case"].pk)  # a page opened before the hold was set
        Case.objects.filter(pk=stale.pk).update(flags=["legal_hold"])  # set meanwhile by the data controller
        with self.assertRaises(CaseError):
            do_change_case(self.p["assigned"], stale, "closed", [])
        self.assertEqual(Case.objects.values_list("status", "flags").get(pk=stale.pk), (self.p["case"].status,
                                                                                        ["legal_hold"]))

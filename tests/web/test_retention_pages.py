"""The retention pages (confide/web/retention_views.py) on a real database, as the people who use them:
the data controller reads the whole schedule with its clauses, sees a closed case past its date in
what falls due (by the client's number, never their name), prepares a batch; a manager and the data
controller approve it, each re-entering their password (a wrong one is refused beside the field, and
nobody approves twice); then it is applied. Legal holds are placed (a client number that names nobody
is answered beside the field) and released. Workers, volunteers, trustees and the administrator are
answered as a missing page, on every one of them."""

from __future__ import annotations

import datetime as dt
import html
import re
import tempfile
from contextlib import contextmanager
from pathlib import Path

from django.test import override_settings
from django.urls import reverse
from django.utils import timezone

from confide.records.models import Case
from confide.retention import services
from confide.retention.models import Batch, BatchApproval, Due, LegalHold
from tests.base import CLIENT_NAME, ConfideTestCase

PAGES = ["web:retention_schedule", "web:retention_due", "web:retention_holds"]


def text(response) -> str:
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def past_due(p) -> Due:
    """The assigned worker's client, their case closed six years ago: DVIP 9.15 keeps the file five,
    so the schedule (worked out again as the case is saved) has it due a year ago."""
    case = Case.objects.get(pk=p["case"].pk)
    case.status, case.closed_on = Case.Status.CLOSED, timezone.localdate() - dt.timedelta(days=6 * 366)
    case.opened_on = case.closed_on - dt.timedelta(days=200)
    case.save()
    due = Due.objects.get(record_class="client_file", object_id=p["client"].pk)
    assert (due.action, due.clause, due.due_on) == ("destroy", "9.15", case.closed_on.replace(year=case.closed_on.year + 5))
    return due


@contextmanager
def own_key_store():
    """A key store (and so a destruction journal) of the test's own: a destroyed key is not rolled back
    with the database, and must never reach the installation's."""
    with tempfile.TemporaryDirectory() as folder, override_settings(KEYSTORE_PATH=Path(folder) / "keys.sqlite3"):
        yield


class RetentionPagesTest(ConfideTestCase):
    def setUp(self):
        stack = own_key_store()
        stack.__enter__()
        self.addCleanup(stack.__exit__, None, None, None)

    def batch_url(self, batch) -> str:
        return reverse("web:retention_batch", args=[batch.pk])

    def test_only_managers_and_the_data_controller_see_the_pages(self):
        batch = services.do_prepare_batch(timezone.localdate(), self.p["data_controller"])
        urls = [reverse(name) for name in PAGES] + [self.batch_url(batch)]
        for who in ("assigned", "other_team", "trustee", "volunteer", "administrator"):
            if who not in self.p:
                continue
            self.sign_in(who)
            for url in urls:
                # The schedule is only read: a POST to it is 405 for everyone (require_GET).
                for method in ("get", "post") if url != reverse("web:retention_schedule") else ("get",):
                    with self.subTest(who=who, url=url, method=method):
                        self.assert_refused(getattr(self.client, method)(url), where=f"{who} {method} {url}")
            home = self.client.get(reverse("web:home"))
            self.assertNotContains(home, 'href="/retention/due/"')
        for who in ("manager", "data_controller"):
            self.sign_in(who)
            for url in urls:
                with self.subTest(who=who, url=url):
                    self.assertEqual(self.client.get(url).status_code, 200)
            self.assertContains(self.client.get(reverse("web:home")), '<a href="/retention/due/">Retention</a>',
                                html=False)

    def test_the_schedule_shows_each_class_with_its_clause_and_flags_those_with_no_period(self):
        self.sign_in("data_controller")
        words = text(self.client.get(reverse("web:retention_schedule")))
        self.assertIn("Clause 9.15 of the policy", words)
        self.assertIn("The policy gives no period: review", words)
        self.assertNotRegex(words, r"\b\d{4}-\d{2}-\d{2}\b")

    def test_a_closed_case_past_its_date_is_due_prepared_approved_by_two_and_applied(self):
        due = past_due(self.p)
        client_id = self.p["client"].pk
        self.sign_in("data_controller")
        home = text(self.client.get(reverse("web:home")))
        self.assertIn("1 record falls due in the next 30 days", home)
        page = self.client.get(reverse("web:retention_due"))
        words = text(page)
        self.assertIn(f"Client {client_id}", words)
        self.assertIn("Clause 9.15 of the policy", words)
        self.assertIn(f"{due.due_on.day} {due.due_on:%B %Y}", words)
        self.assertNotIn(CLIENT_NAME, words)

        prepared = self.client.post(reverse("web:retention_due"))
        batch = Batch.objects.get()
        self.assertRedirects(prepared, self.batch_url(batch))
        page = self.client.get(self.batch_url(batch))
        words = text(page)
        self.assertIn(f"Client {client_id}", words)
        self.assertIn("Destroy", words)
        self.assertIn("It needs 2 more approvals", words)
        self.assertIn("Information is kept for 5 years once a client has left DVIP", words)
        self.assertNotIn("client_file", words)  # the rule in the policy's words, never its id
        self.assertNotRegex(words, r"\b\d{4}-\d{2}-\d{2}\b")
        self.assertNotContains(page, "Apply now")
        self.assertNotIn(CLIENT_NAME, words)

        # A wrong password is refused beside the field; nothing is recorded.
        wrong = self.client.post(self.batch_url(batch), {"action": "approve", "approve-secret": "not-my-password"})
        self.assertEqual(wrong.status_code, 400)
        self.assertContains(wrong, 'class="field-error"', status_code=400)
        self.assertFalse(BatchApproval.objects.exists())

        approved = self.client.post(self.batch_url(batch), {"action": "approve",
                                                            "approve-secret": "controller-password-1"})
        self.assertRedirects(approved, self.batch_url(batch))
        page = self.client.get(self.batch_url(batch))
        self.assertIn("Approved by Dara Controller", text(page))
        self.assertIn("You have approved this batch", text(page))
        self.assertNotContains(page, 'value="approve"')

        # The same person cannot approve twice, whatever they post.
        again = self.client.post(self.batch_url(batch), {"action": "approve",
                                                         "approve-secret": "controller-password-1"})
        self.assertEqual(again.status_code, 400)
        self.assertEqual(BatchApproval.objects.filter(batch=batch).count(), 1)
        # Nor apply it with one approval.
        early = self.client.post(self.batch_url(batch), {"action": "apply", "apply-confirm": "on"})
        self.assertEqual(early.status_code, 400)
        self.assertEqual(Batch.objects.get().status, Batch.Status.PREPARED)

        self.sign_in("manager")
        self.assertRedirects(self.client.post(self.batch_url(batch), {
            "action": "approve", "approve-secret": "manager-password-1"}), self.batch_url(batch))
        page = self.client.get(self.batch_url(batch))
        self.assertContains(page, "Apply now")
        unticked = self.client.post(self.batch_url(batch), {"action": "apply"})
        self.assertContains(unticked, "Tick the box to confirm", status_code=400)
        applied = self.client.post(self.batch_url(batch), {"action": "apply", "apply-confirm": "on"})
        self.assertRedirects(applied, self.batch_url(batch))
        batch.refresh_from_db()
        self.assertEqual(batch.status, Batch.Status.APPLIED)
        words = text(self.client.get(self.batch_url(batch)))
        self.assertIn("Applied on", words)
        self.assertIn("1 client file destroyed", words)

    def test_preparing_a_batch_works_every_date_out_again_first(self):
        # A stored line out of date (the pack, or a case, changed since it was worked out) is not what the
        # batch goes by: the page works the schedule out again, as the daily command does.
        due = past_due(self.p)
        Due.objects.filter(pk=due.pk).update(due_on=timezone.localdate() + dt.timedelta(days=400))
        self.sign_in("data_controller")
        prepared = self.client.post(reverse("web:retention_due"))
        batch = Batch.objects.get()
        self.assertRedirects(prepared, self.batch_url(batch))
        self.assertEqual([line["client"] for line in batch.lines], [self.p["client"].pk])
        Due.objects.filter(pk=due.pk).update(due_on=timezone.localdate() - dt.timedelta(days=1), rule="shortened")
        self.sign_in("manager")
        self.client.post(reverse("web:retention_due"))
        self.assertEqual(Due.objects.get(record_class="client_file", object_id=self.p["client"].pk).rule,
                         "client_file", "a line made shorter by hand is put back as the pack says")

    def test_records_with_no_period_are_listed_one_by_one_for_review(self):
        # DVIP gives personnel files no period: once the person has left, the file is listed for review.
        from confide.retention import schedule
        from confide.staffing.models import PersonnelFile

        self.sign_in("data_controller")
        self.assertIn("No record no longer in use is without a period", text(self.client.get(
            reverse("web:retention_due"))))
        PersonnelFile.objects.create(person=self.p["same_team"], line_manager=self.p["manager"],
                                     left_on=dt.date(2019, 8, 30))
        schedule.do_recompute()
        page = text(self.client.get(reverse("web:retention_due")))
        section = page[page.index("No period in the policy: for review"):page.index("Prepare a batch")]
        self.assertIn("1 record no longer in use", section)
        self.assertIn("30 August 2019", section)

    def test_open_cases_quiet_for_a_year_are_listed_so_that_someone_asks_if_the_client_has_left(self):
        # DVIP 9.15 counts from "once a client has left": a case left open after the client stopped coming
        # is never due, so the page lists it for a person to check and close.
        from confide.records.models import Entry

        self.sign_in("data_controller")
        page = text(self.client.get(reverse("web:retention_due")))
        self.assertIn("No open case has been quiet for 365 days.", page)
        Entry.objects.filter(case=self.p["case"]).update(created_at=timezone.now() - dt.timedelta(days=400))
        page = text(self.client.get(reverse("web:retention_due")))
        section = page[page.index("Open cases with nothing recorded for a year"):page.index("Prepare a batch")]
        self.assertIn(f"Client {self.p['client'].pk}, case {self.p['case'].pk}", section)
        self.assertNotIn(CLIENT_NAME, page)

    def test_holds_are_placed_answered_beside_the_field_and_released(self):
        self.sign_in("data_controller")
        url = reverse("web:retention_holds")
        nobody = self.client.post(url, {"action": "place", "place-kind": "litigation", "place-scope": "client",
                                        "place-authority": "County court, claim K00XX001", "place-client": "999999"})
        self.assertEqual(nobody.status_code, 400)
        self.assertContains(nobody, 'id="id_place-client_error"', status_code=400)
        words = self.client.post(url, {"action": "place", "place-kind": "litigation", "place-scope": "client",
                                       "place-authority": "County court", "place-client": "Zelda"})
        self.assertContains(words, "Enter the client&#x27;s number in figures", status_code=400)
        missing = self.client.post(url, {"action": "place", "place-kind": "police_investigation",
                                         "place-scope": "client", "place-authority": "Police ref 1"})
        self.assertContains(missing, 'id="id_place-client_error"', status_code=400)
        self.assertFalse(LegalHold.objects.exists())

        client_id = self.p["client"].pk
        placed = self.client.post(url, {"action": "place", "place-kind": "litigation", "place-scope": "client",
                                        "place-authority": "County court, claim K00XX001",
                                        "place-client": str(client_id)})
        self.assertRedirects(placed, url)
        hold = LegalHold.objects.get()
        self.assertEqual((hold.client_id, hold.kind, hold.placed_by_id),
                         (client_id, "litigation", self.p["data_controller"].pk))
        page = text(self.client.get(url))
        self.assertIn(f"Client {client_id}", page)
        self.assertIn("County court, claim K00XX001", page)
        self.assertIn(f"Release hold {hold.pk}", page)

        # Held: the due line says so.
        past_due(self.p)
        self.assertIn("Held: not destroyed", text(self.client.get(reverse("web:retention_due"))))

        released = self.client.post(url, {"action": "release", "hold": str(hold.pk)})
        self.assertRedirects(released, url)
        hold.refresh_from_db()
        self.assertEqual(hold.released_by_id, self.p["data_controller"].pk)
        page = text(self.client.get(url))
        self.assertIn("No legal hold is in place.", page)
        self.assertIn("By Dara Controller", page)

    def test_a_hold_on_everything(self):
        self.sign_in("manager")
        url = reverse("web:retention_holds")
        placed = self.client.post(url, {"action": "place", "place-kind": "safeguarding_review",
                                        "place-scope": "everything", "place-authority": "Local safeguarding board"})
        self.assertRedirects(placed, url)
        self.assertIsNone(LegalHold.objects.get().client_id)
        self.assertIn("Everything", text(self.client.get(url)))

    def test_a_missing_batch_is_not_found(self):
        self.sign_in("data_controller")
        self.assertEqual(self.client.get(reverse("web:retention_batch", args=[999999])).status_code, 404)
        self.assertEqual(self.client.post(reverse("web:retention_batch", args=[999999]),
                                          {"action": "approve"}).status_code, 404)

"""The subject-access pages (confide/web/sar_views.py) on a real database, as the people who use
them: the data controller logs a request from the client's file, sees the law's deadline beside the
pack's own (DVIP's 40 days is later than the law allows, and the page says so), records the search
and compiles the file; a second person (a manager) reviews the proposed redactions and the items
withheld, and releases the copy with their password; the copy downloads as a PDF. A worker is
refused every page, a wrong date or a stale form is answered beside the field, and an overdue
request is loud on the list and the home page."""

from __future__ import annotations

import datetime as dt
import html
import re

from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format

from confide.subject_access import access, services
from confide.subject_access.models import Item, Redaction, SubjectAccessRequest
from tests.base import CLIENT_NAME, PERSON_NAME, ConfideTestCase


def today() -> dt.date:
    return timezone.localdate()


def long_date(day: dt.date) -> str:
    return date_format(day, "j F Y")


def text(response) -> str:
    """The page as words, without its tags, its spacing collapsed."""
    return html.unescape(re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", response.content.decode())))


def logged(p, *, days_ago: int = 3, identity: bool = True) -> SubjectAccessRequest:
    """A request the data controller logged for the client, received `days_ago` days ago."""
    controller = p["data_controller"]
    grant = access.access_sar_client(controller, p["client"].pk)
    received = today() - dt.timedelta(days=days_ago)
    return services.do_log_request(controller, grant, services.Received(
        received_on=received, made=SubjectAccessRequest.Made.WRITING,
        identity_check="known" if identity else "not_yet", identity_confirmed_on=received if identity else None))


def compiled(p, sar: SubjectAccessRequest) -> SubjectAccessRequest:
    grant, sar = access.access_sar_to_compile(p["data_controller"], sar.pk)
    return services.do_compile(p["data_controller"], grant, sar, sar.version)


class SubjectAccessWalkTest(ConfideTestCase):
    def version(self, sar_id: int) -> int:
        return SubjectAccessRequest.objects.get(pk=sar_id).version

    def test_a_request_from_logging_to_the_released_copy(self):
        self.sign_in("data_controller")
        file_page = self.client.get(reverse("web:client_file", args=[self.client_record.pk]) + "?purpose=subject_access")
        new_url = reverse("web:sar_new", args=[self.client_record.pk])
        self.assertContains(file_page, f'<a href="{new_url}">Log a subject-access request</a>', html=False)

        received = today() - dt.timedelta(days=3)
        form = self.client.get(new_url)
        self.assertContains(form, "as valid as a letter")
        logged_page = self.client.post(new_url, {
            "received_on": received.isoformat(), "made": "verbal", "made_by": "client",
            "identity_check": "known", "identity_confirmed_on": received.isoformat()})
        sar = SubjectAccessRequest.objects.get()
        detail_url = reverse("web:sar_detail", args=[sar.pk])
        self.assertRedirects(logged_page, detail_url)
        self.assertNotIn(CLIENT_NAME, logged_page["Location"])

        # The clock: the law's date in the heading, the pack's later one beside it, and the warning.
        detail = self.client.get(detail_url)
        due = services.clock(sar).statutory_due_on
        words = text(detail)
        self.assertIn(f"Due by {long_date(due)}", words)
        self.assertIn(f"{(due - today()).days} days left", words)
        self.assertIn("the pack's deadline of 40 days", words)
        self.assertIn("answering on the pack's date would be late", words)
        self.assertIn(long_date(services.clock(sar).pack_due_on), words)
        self.assertNotIn("identity_confirmed_on", words)
        self.assertNotRegex(words, r"\b\d{4}-\d{2}-\d{2}\b", "dates are shown in words")
        self.assertIn("Offer to read the file with the client, with support", words)

        # The search, then compiling: on to the review.
        searched = self.client.post(detail_url, {"action": "search", "search-version": self.version(sar.pk),
                                                 "search-search": "This file, the paper file and the team inbox.",
                                                 "search-searched_on": today().isoformat()})
        self.assertRedirects(searched, detail_url)
        review_url = reverse("web:sar_review", args=[sar.pk])
        compiled_page = self.client.post(reverse("web:sar_compile", args=[sar.pk]),
                                         {"compile-version": self.version(sar.pk)})
        self.assertRedirects(compiled_page, review_url)

        # The compiler sees the items and why they may not release it; asking anyway is refused.
        review = self.client.get(review_url)
        self.assertContains(review, f"<mark>{PERSON_NAME}</mark>", html=False)
        self.assertContains(review, "Withheld from the copy")
        self.assertContains(review, "A second person reviews and releases the copy: you compiled it.")
        self.assertNotContains(review, "Release the copy</button>")
        refused = self.client.post(reverse("web:sar_release", args=[sar.pk]), {
            "release-version": self.version(sar.pk), "release-secret": "controller-password-1"})
        self.assertEqual(refused.status_code, 400)
        self.assertContains(refused, "A second person reviews and releases the copy: you compiled it.", status_code=400)

        # The manager, a second person: the request by the client's number, never their name.
        self.sign_in("manager")
        listing = self.client.get(reverse("web:sar_list"))
        self.assertContains(listing, f"Client {self.client_record.pk}")
        self.assertNotContains(listing, CLIENT_NAME)
        review = self.client.get(review_url)
        self.assertEqual(review.status_code, 200)
        self.assertNotContains(review, f"<bdi>{CLIENT_NAME}</bdi>", html=False)
        self.assertRegex(text(review), r"\d+ proposed redactions? (is|are) still to be accepted or rejected")

        proposals = list(Redaction.objects.filter(item__request=sar))
        self.assertTrue(proposals)
        decided = self.client.post(review_url, {"action": "redactions", "redactions-version": self.version(sar.pk),
                                                **{f"redactions-r{r.pk}": "on" for r in proposals}})
        self.assertRedirects(decided, review_url)
        self.assertEqual({r.status for r in Redaction.objects.filter(item__request=sar)}, {Redaction.Status.ACCEPTED})
        health = Item.objects.get(request=sar, decision=Item.Decision.WAIT_HEALTH)
        withheld = self.client.post(review_url, {"action": "item", "item": health.pk, "version": self.version(sar.pk),
                                                 "decision": "withhold", "reason": "health information, no opinion"})
        self.assertRedirects(withheld, review_url + f"#item-{health.position}", fetch_redirect_response=False)

        review = self.client.get(review_url)
        self.assertContains(review, "Release the copy</button>", html=False)
        log = text(review).split("Exemptions log", 1)[1]
        self.assertIn("Sch 2 para 16", log)
        self.assertIn("A name (redaction", log)
        self.assertNotIn(PERSON_NAME, log, "the log names what was kept out, never its words")

        wrong = self.client.post(reverse("web:sar_release", args=[sar.pk]), {
            "release-version": self.version(sar.pk), "release-secret": "not-my-password"})
        self.assertContains(wrong, "That is not your password or a current code from your app", status_code=400)
        self.assertContains(wrong, 'class="field-error"', status_code=400)
        released = self.client.post(reverse("web:sar_release", args=[sar.pk]), {
            "release-version": self.version(sar.pk), "release-secret": "manager-password-1"})
        self.assertRedirects(released, detail_url)

        self.sign_in("data_controller")
        detail = text(self.client.get(detail_url))
        self.assertIn("Reviewed and released by Mona Manager", detail)
        self.assertIn("Compiled by Dara Controller", detail)
        download = self.client.get(reverse("web:sar_download", args=[sar.pk]))
        self.assertEqual(download.status_code, 200)
        self.assertEqual(download["Content-Type"], "application/pdf")
        self.assertEqual(download["Cache-Control"], "no-store")
        self.assertIn(f'attachment; filename="subject-access-copy-{self.client_record.pk}-', download["Content-Disposition"])
        self.assertTrue(b"".join(download.streaming_content).startswith(b"%PDF-"))
        file_page = text(self.client.get(reverse("web:client_file", args=[self.client_record.pk])
                                         + "?purpose=subject_access"))
        self.assertIn(f"Request received on {long_date(received)} · Released on {long_date(today())} by Mona Manager",
                      file_page)

    def test_the_draft_preview_is_a_pdf_to_save_not_to_show(self):
        sar = compiled(self.p, logged(self.p))
        self.sign_in("data_controller")
        preview = self.client.get(reverse("web:sar_preview", args=[sar.pk]))
        self.assertEqual(preview.status_code, 200)
        self.assertEqual(preview["Content-Disposition"], f'attachment; filename="subject-access-draft-{sar.pk}.pdf"')
        self.assertEqual(preview["Cache-Control"], "no-store")
        self.assertTrue(b"".join(preview.streaming_content).startswith(b"%PDF-"))

    def test_a_worker_is_refused_every_subject_access_page(self):
        sar = compiled(self.p, logged(self.p))
        missing = 999999
        pages = ["web:sar_detail", "web:sar_compile", "web:sar_review", "web:sar_preview", "web:sar_release",
                 "web:sar_download"]
        for who in ("assigned", "same_team", "trustee"):
            self.sign_in(who)
            self.assertEqual(self.client.get(reverse("web:sar_list")).status_code, 404, who)
            self.assertEqual(self.client.get(reverse("web:sar_new", args=[self.client_record.pk])).status_code, 404)
            for name in pages:
                for method in ("get", "post"):
                    with self.subTest(who=who, page=name, method=method):
                        refused = getattr(self.client, method)(reverse(name, args=[sar.pk]), {"action": "search"})
                        absent = getattr(self.client, method)(reverse(name, args=[missing]), {"action": "search"})
                        if method == "post" and name in ("web:sar_preview", "web:sar_download"):
                            self.assertEqual((refused.status_code, absent.status_code), (405, 405))
                            continue
                        self.assert_refused(refused, absent, where=f"{who} {method} {name}")
        self.sign_in("assigned")
        file_page = self.client.get(reverse("web:client_file", args=[self.client_record.pk]))
        self.assertNotContains(file_page, "Log a subject-access request")
        self.assertContains(file_page, f"Request received on {long_date(sar.received_on)}")
        self.assertNotContains(file_page, reverse("web:sar_detail", args=[sar.pk]))


class SubjectAccessErrorsTest(ConfideTestCase):
    def test_a_date_that_does_not_exist_or_is_to_come_is_answered_beside_the_field(self):
        self.sign_in("data_controller")
        url = reverse("web:sar_new", args=[self.client_record.pk])
        post = {"made": "email", "made_by": "client", "identity_check": "not_yet"}
        bad = self.client.post(url, {**post, "received_on": "2026-02-30"})
        self.assertEqual(bad.status_code, 400)
        self.assertContains(bad, '<span class="visually-hidden">Error:</span> Enter the date as day, month and year',
                            status_code=400)
        later = self.client.post(url, {**post, "received_on": (today() + dt.timedelta(days=2)).isoformat()})
        self.assertEqual(later.status_code, 400)
        self.assertContains(later, "That date is in the future", status_code=400)
        self.assertContains(later, 'href="#id_received_on"', status_code=400)
        self.assertFalse(SubjectAccessRequest.objects.exists())

    def test_a_representative_needs_their_name_beside_its_field(self):
        self.sign_in("data_controller")
        response = self.client.post(reverse("web:sar_new", args=[self.client_record.pk]), {
            "received_on": today().isoformat(), "made": "writing", "made_by": "representative",
            "identity_check": "not_yet"})
        self.assertContains(response, "Write the representative", status_code=400)
        self.assertContains(response, 'href="#id_representative_name"', status_code=400)

    def test_a_form_from_before_someone_elses_change_is_refused_and_made_current(self):
        sar = logged(self.p)
        self.sign_in("data_controller")
        url = reverse("web:sar_detail", args=[sar.pk])
        old = sar.version
        first = self.client.post(url, {"action": "search", "search-version": old, "search-search": "This file.",
                                       "search-searched_on": today().isoformat()})
        self.assertRedirects(first, url)
        stale = self.client.post(url, {"action": "ask", "ask-version": old, "ask-asked_on": today().isoformat()})
        self.assertContains(stale, "Someone changed this request since you opened it. Nothing was saved",
                            status_code=400)
        self.assertEqual(SubjectAccessRequest.objects.get(pk=sar.pk).clarifications, [])
        self.assertContains(stale, f'name="ask-version" value="{old + 1}"', status_code=400)
        again = self.client.post(url, {"action": "ask", "ask-version": old + 1, "ask-asked_on": today().isoformat()})
        self.assertRedirects(again, url)
        self.assertIn("Paused", text(self.client.get(url)))

    def test_a_health_item_cannot_be_released_without_an_opinion(self):
        sar = compiled(self.p, logged(self.p))
        self.sign_in("manager")
        health = Item.objects.get(request=sar, decision=Item.Decision.WAIT_HEALTH)
        response = self.client.post(reverse("web:sar_review", args=[sar.pk]), {
            "action": "item", "item": health.pk, "version": sar.version, "decision": "release"})
        self.assertContains(response, "This is health information: record a health professional", status_code=400)
        self.assertContains(response, f'href="#id_item{health.pk}_client_knows"', status_code=400)
        self.assertEqual(Item.objects.get(pk=health.pk).decision, Item.Decision.WAIT_HEALTH)


class SubjectAccessOverdueTest(ConfideTestCase):
    def test_an_overdue_request_is_loud_on_the_list_and_the_home_page(self):
        sar = logged(self.p, days_ago=60)
        late = -services.clock(sar).days_left
        self.assertGreater(late, 0)
        self.sign_in("data_controller")
        listing = self.client.get(reverse("web:sar_list"))
        self.assertContains(listing, f'<strong class="warning">Overdue by {late} days</strong>', html=False)
        self.assertContains(listing, "1 request overdue.")
        self.assertContains(listing, f"<bdi>{CLIENT_NAME}</bdi>", html=False)
        home = self.client.get(reverse("web:home"))
        panel = text(home).split("Subject-access requests", 1)[1]
        self.assertIn("1 request open", panel)
        self.assertIn(f"Overdue by {late} days", panel)
        self.assertContains(home, '<strong class="warning">1 overdue</strong>', html=False)

    def test_the_home_panel_says_when_nothing_is_open_and_workers_have_none(self):
        self.sign_in("data_controller")
        self.assertContains(self.client.get(reverse("web:home")), "No subject-access requests are open.")
        self.sign_in("assigned")
        self.assertNotContains(self.client.get(reverse("web:home")), "Subject-access requests")

    def test_a_request_due_within_a_week_is_marked(self):
        sar = logged(self.p, days_ago=27)
        self.assertLessEqual(services.clock(sar).days_left, 7)
        self.sign_in("data_controller")
        listing = self.client.get(reverse("web:sar_list"))
        self.assertContains(listing, "Due soon")


class SubjectAccessStepsTest(ConfideTestCase):
    def test_a_representatives_request_waits_for_their_authority_then_runs_and_extends(self):
        self.sign_in("data_controller")
        received = today() - dt.timedelta(days=5)
        logged_page = self.client.post(reverse("web:sar_new", args=[self.client_record.pk]), {
            "received_on": received.isoformat(), "made": "writing", "made_by": "representative",
            "representative_name": "Perpetua Examplesolicitor", "representative_relationship": "Her solicitor",
            "identity_check": "document", "identity_confirmed_on": received.isoformat()})
        sar = SubjectAccessRequest.objects.get()
        url = reverse("web:sar_detail", args=[sar.pk])
        self.assertRedirects(logged_page, url)
        waiting = text(self.client.get(url))
        self.assertIn("No due date yet", waiting)
        self.assertIn("Not started: it starts when the representative's authority is confirmed.", waiting)
        self.assertIn("with their authority: Perpetua Examplesolicitor , Her solicitor", waiting)

        no_how = self.client.post(url, {"action": "confirm", "confirm-version": sar.version,
                                        "confirm-authority_confirmed_on": today().isoformat()})
        self.assertContains(no_how, "Write how their authority was shown", status_code=400)
        confirmed = self.client.post(url, {"action": "confirm", "confirm-version": sar.version,
                                           "confirm-authority_confirmed_on": today().isoformat(),
                                           "confirm-authority": "A letter signed by the client, seen today."})
        self.assertRedirects(confirmed, url)
        sar.refresh_from_db()
        running = text(self.client.get(url))
        self.assertIn(f"Due by {long_date(services.clock(sar).statutory_due_on)}", running)
        self.assertIn("Running.", running)

        extended = self.client.post(url, {"action": "extend", "extend-version": sar.version, "extend-months": "2",
                                          "extend-reason": "The file is long and spans three services.",
                                          "extend-told_on": today().isoformat()})
        self.assertRedirects(extended, url)
        page = text(self.client.get(url))
        self.assertIn("Extended by 2 months", page)
        self.assertNotIn("Extend the deadline", page, "a request is extended once")

    def test_a_reviewer_reads_the_request_but_cannot_change_its_steps(self):
        sar = compiled(self.p, logged(self.p))
        self.sign_in("manager")
        url = reverse("web:sar_detail", args=[sar.pk])
        page = self.client.get(url)
        self.assertContains(page, "You are reviewing this request as a second person")
        self.assertNotContains(page, "Record the search")
        changed = self.client.post(url, {"action": "search", "search-version": sar.version,
                                         "search-search": "Somewhere.", "search-searched_on": today().isoformat()})
        self.assertEqual(changed.status_code, 403)
        self.assertIsNone(SubjectAccessRequest.objects.get(pk=sar.pk).searched_on)

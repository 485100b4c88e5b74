"""Reports for trustees and funders (issue 17): the command line's published tables pass the outside
check's rules on a year of demo activity; a trustee sees released reports only and downloads their PDF
and CSV, and reaches nothing else; the CSV is guarded against formula injection; a released report is
frozen and its release is in the audit chain; a case study is anonymised, needs the client's consent and
a second reviewer before release."""

from __future__ import annotations

import argparse
import contextlib
import datetime as dt
import io
import json
import random

from django.urls import reverse

from confide.audit.models import AuditEvent
from confide.cli import cmd_report
from confide.records.models import Case, Client
from confide.reports import csvout, services
from confide.reports.demo import populate_year
from confide.reports.models import CaseStudy, Report, ReportSettings
from tests.base import CLIENT_NAME, PERSON_NAME, ConfideTestCase
from tests.reports.checks import problems

TODAY = dt.date(2026, 12, 6)
QUARTER = "2026-Q3"
Q3 = (dt.date(2026, 7, 1), dt.date(2026, 9, 30))
SHAPE = {"title", "rows", "columns", "cells", "row_totals", "column_totals", "total"}


class ReportTests(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.made = populate_year(TODAY, random.Random(17), clients=400)
        cls.draft = services.do_draft_report(cls.p["manager"], "quarter", *Q3)
        cls.released = services.do_draft_report(cls.p["manager"], "quarter", dt.date(2026, 4, 1), dt.date(2026, 6, 30))
        services.do_release_report(cls.p["data_controller"], cls.released.pk, "controller-password-1")

    def test_the_command_prints_the_published_tables_and_nothing_small_or_recoverable(self):
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = cmd_report(argparse.Namespace(report_command="quarter", quarter=QUARTER, json=True))
        self.assertEqual(code, 0)
        tables = json.loads(out.getvalue())
        self.assertGreaterEqual(len(tables), 12)
        for table in tables:
            self.assertEqual(set(table), SHAPE)
            self.assertEqual(len(table["cells"]), len(table["rows"]))
            self.assertTrue(all(len(r) == len(table["columns"]) for r in table["cells"]))
        self.assertEqual(problems(tables), [])
        published = [v for t in tables for r in t["cells"] for v in r]
        self.assertIn(None, published, "some numbers are hidden")
        self.assertTrue(any(v and v > 7 for v in published), "and some are real figures")
        self.assertTrue(all(v is None or v % 5 == 0 for v in published), "every number shown is rounded")
        self.assertTrue(AuditEvent.objects.filter(action="report.read", actor_id=None).exists())

    def test_the_command_prints_a_released_quarter_as_it_was_released(self):
        Case.objects.create(client=Client.objects.create(display_name="Perdita Fictional", team=self.p["north"]),
                            service=self.case.service, team=self.p["north"], referred_on=dt.date(2026, 5, 2),
                            referral_source="police")  # entered late: the release does not change
        out = io.StringIO()
        with contextlib.redirect_stdout(out):
            code = cmd_report(argparse.Namespace(report_command="quarter", quarter="2026-Q2", json=True))
        self.assertEqual(code, 0)
        self.assertEqual(json.loads(out.getvalue()), Report.objects.get(pk=self.released.pk).tables)

    def test_a_bad_quarter_is_one_line_and_exit_2(self):
        err = io.StringIO()
        with contextlib.redirect_stderr(err):
            code = cmd_report(argparse.Namespace(report_command="quarter", quarter="Q3-2026", json=True))
        self.assertEqual(code, 2)
        self.assertIn("2026-Q3", err.getvalue())

    def test_a_trustee_sees_released_reports_only_and_downloads_pdf_and_csv(self):
        self.sign_in("trustee")
        page = self.client.get(reverse("reports:list"))
        self.assertContains(page, self.released.label)
        self.assertNotContains(page, self.draft.label)
        self.assertNotContains(page, "Draft a report")
        shown = self.client.get(reverse("reports:report", args=[self.released.pk]))
        self.assertContains(shown, "Private and confidential")
        self.assertContains(shown, 'role="img"')
        self.assertNotContains(shown, "small count")  # a reason is the reviewer's, never the trustee's
        self.assertNotContains(shown, CLIENT_NAME)
        self.assert_refused(self.client.get(reverse("reports:report", args=[self.draft.pk])))
        self.assert_refused(self.client.get(reverse("reports:report_pdf", args=[self.draft.pk])))
        pdf = self.client.get(reverse("reports:report_pdf", args=[self.released.pk]))
        self.assertEqual(pdf["Content-Type"], "application/pdf")
        self.assertIn("attachment", pdf["Content-Disposition"])
        self.assertNotIn(CLIENT_NAME.split()[0], pdf["Content-Disposition"])
        self.assertTrue(b"".join(pdf.streaming_content).startswith(b"%PDF"))
        got = self.client.get(reverse("reports:report_csv", args=[self.released.pk]))
        text = b"".join(got.streaming_content).decode("utf-8-sig")
        self.assertTrue(text.startswith("Private and confidential"))
        self.assertIn("hidden", text)
        for line in text.splitlines():
            for cell in line.split(","):
                self.assertFalse(cell.isdigit() and 0 < int(cell) <= 7, line)
        # Nothing else: no client list, no draft, no case study before release, no drafting.
        self.assertNotContains(self.client.get(reverse("web:client_list")), CLIENT_NAME, status_code=200)
        self.assertEqual(self.client.post(reverse("reports:list"), {"kind": "quarter", "quarter": QUARTER}).status_code, 404)
        study = services.do_draft_case_study(self.p["assigned"], self.case.pk, "A year of support", "She came in June.")
        self.assert_refused(self.client.get(reverse("reports:case_study", args=[study.pk])))
        self.assertNotContains(self.client.get(reverse("reports:list")), "A year of support")
        self.assertTrue(AuditEvent.objects.filter(action="report.downloaded", actor_id=self.trustee.pk).exists())
        self.assertTrue(AuditEvent.objects.filter(action="report.read.refused", actor_id=self.trustee.pk).exists())

    def test_a_worker_reaches_no_report(self):
        self.sign_in("assigned")
        self.assert_refused(self.client.get(reverse("reports:report", args=[self.released.pk])))
        self.assertNotContains(self.client.get(reverse("reports:list")), self.released.label)

    def test_the_csv_is_guarded_against_formula_injection(self):
        for bad in ("=HYPERLINK(\"http://x\")", "+1", "-2+3", "@SUM(A1)", "\tx", "\rx"):
            self.assertEqual(csvout.guard(bad), "'" + bad)
        self.assertEqual(csvout.guard("Police"), "Police")
        report = Report(label="=cmd|' /C calc'!A0", starts_on=Q3[0], ends_on=Q3[1], threshold=7, base=5,
                        tables=[{"title": "@risky", "rows": ["-1 row"], "columns": ["+col"], "cells": [[None]],
                                 "row_totals": [None], "column_totals": [None], "total": 10}])
        text = csvout.report_csv(report)
        for cell in ("'=cmd", "'@risky", "'-1 row", "'+col"):
            self.assertIn(cell, text)
        self.assertNotIn("\n=", text.replace("\r\n", "\n"))

    def test_release_freezes_the_report_and_is_in_the_audit_chain(self):
        report = services.do_draft_report(self.p["manager"], "quarter", *Q3)
        with self.assertRaises(services.ReportError):
            services.do_release_report(self.p["data_controller"], report.pk, "wrong-password")
        self.assertEqual(Report.objects.get(pk=report.pk).status, Report.Status.DRAFT)
        released = services.do_release_report(self.p["data_controller"], report.pk, "controller-password-1")
        before = Report.objects.get(pk=released.pk).tables
        event = AuditEvent.objects.filter(action="report.released", object_id=str(report.pk)).get()
        detail = json.loads(event.detail) if isinstance(event.detail, str) else event.detail
        self.assertEqual(detail["sha256"], services.tables_digest(before))
        self.assertEqual(detail["clauses"], ["Appendix B"], "the policy's clause for anonymised reports (DVIP)")
        client = Client.objects.create(display_name="Perdita Fictional", team=self.p["north"])
        for day in range(40):  # forty more referrals in the quarter
            Case.objects.create(client=client, service=self.case.service, team=self.p["north"],
                                referred_on=dt.date(2026, 8, 1) + dt.timedelta(days=day), referral_source="police")
        self.assertEqual(Report.objects.get(pk=released.pk).tables, before, "the released figures never change")
        again = services.do_draft_report(self.p["manager"], "quarter", *Q3)
        self.assertNotEqual(again.tables, before, "a new draft counts the new cases")
        with self.assertRaises(services.ReportError):
            services.do_release_report(self.p["data_controller"], released.pk, "controller-password-1")

    def test_the_threshold_is_never_below_the_floor(self):
        with self.assertRaises(services.ReportError):
            services.do_set_threshold(self.p["data_controller"], 5)
        services.do_set_threshold(self.p["data_controller"], 9)
        self.assertEqual(ReportSettings.current().threshold, 9)
        report = services.do_draft_report(self.p["manager"], "quarter", *Q3)
        values = [v for t in report.tables for r in t["cells"] for v in r]
        self.assertFalse([v for v in values if v is not None and 0 < v <= 9])

    def test_a_manager_releases_a_draft_from_its_page(self):
        self.sign_in("data_controller")
        page = self.client.get(reverse("reports:report", args=[self.draft.pk]))
        self.assertContains(page, "Release the report")
        wrong = self.client.post(reverse("reports:report", args=[self.draft.pk]), {"secret": "nope"})
        self.assertEqual(wrong.status_code, 400)
        done = self.client.post(reverse("reports:report", args=[self.draft.pk]), {"secret": "controller-password-1"})
        self.assertEqual(done.status_code, 302)
        self.assertEqual(Report.objects.get(pk=self.draft.pk).status, Report.Status.RELEASED)
        bad = self.client.post(reverse("reports:list"), {"kind": "quarter", "quarter": "2026-Q9"})
        self.assertContains(bad, "for example 2026-Q3", status_code=400)


class CaseStudyTests(ConfideTestCase):
    def test_anonymised_consented_and_reviewed_by_a_second_person_before_release(self):
        text = (f"{CLIENT_NAME} first rang us in March. Her ex-partner {PERSON_NAME} had found her new address, "
                "14 Larch Road, MB1 2ZZ, and she called from 07700 900461. With support she moved on.")
        study = services.do_draft_case_study(self.assigned, self.case.pk, f"Support for {CLIENT_NAME}", text)
        kept = CaseStudy.objects.get(pk=study.pk)
        for secret in (CLIENT_NAME, PERSON_NAME, "Zelda", "Larch Road", "07700 900461", "MB1 2ZZ"):
            self.assertNotIn(secret, kept.text + kept.title)
        self.assertIn("[name]", kept.text)
        self.assertIn("moved on", kept.text)
        with self.assertRaises(services.ReportError) as refused:
            services.do_release_case_study(self.manager, study.pk)
        self.assertEqual(refused.exception.code, "needs_consent")
        services.do_record_case_study_consent(self.assigned, study.pk, TODAY - dt.timedelta(days=400), "writing")
        with self.assertRaises(services.ReportError) as refused:
            services.do_release_case_study(self.manager, study.pk)
        self.assertEqual(refused.exception.code, "needs_review")
        with self.assertRaises(services.ReportError):  # a worker is not a reviewer
            services.do_review_case_study(self.assigned, study.pk, True)
        services.do_review_case_study(self.manager, study.pk, True)
        services.do_release_case_study(self.p["data_controller"], study.pk)
        self.assertEqual(CaseStudy.objects.get(pk=study.pk).status, CaseStudy.Status.RELEASED)
        actions = set(AuditEvent.objects.filter(object_type="case_study").values_list("action", flat=True))
        self.assertTrue({"case_study.drafted", "case_study.consent_recorded", "case_study.reviewed",
                         "case_study.released"} <= actions)
        self.sign_in("trustee")
        page = self.client.get(reverse("reports:case_study", args=[study.pk]))
        self.assertContains(page, "moved on")
        self.assertNotContains(page, f"case {self.case.pk}")
        pdf = self.client.get(reverse("reports:case_study_pdf", args=[study.pk]))
        self.assertEqual(pdf.status_code, 200)

    def test_the_drafter_cannot_be_the_reviewer(self):
        study = services.do_draft_case_study(self.assigned, self.case.pk, "A story", "She found work.")
        services.do_review_case_study(self.manager, study.pk, False, "Say less about the town.")
        self.assertEqual(CaseStudy.objects.get(pk=study.pk).status, CaseStudy.Status.SENT_BACK)
        self.case.workers.add(self.manager)
        try:
            study = services.do_draft_case_study(self.manager, self.case.pk, "A story", "She found work.")
        except services.ReportError:
            return  # the pack does not let a manager draft from this case: nothing more to check
        with self.assertRaises(services.ReportError) as refused:
            services.do_review_case_study(self.manager, study.pk, True)
        self.assertEqual(refused.exception.code, "same_person")

    def test_a_sent_back_study_is_drafted_again_not_passed_as_it_stands(self):
        study = services.do_draft_case_study(self.assigned, self.case.pk, "A story", "She found work.")
        services.do_review_case_study(self.manager, study.pk, False, "Say less about the town.")
        with self.assertRaises(services.ReportError) as refused:
            services.do_review_case_study(self.p["data_controller"], study.pk, True)
        self.assertEqual(refused.exception.code, "sent_back")
        services.do_record_case_study_consent(self.assigned, study.pk, TODAY, "writing")
        with self.assertRaises(services.ReportError):
            services.do_release_case_study(self.manager, study.pk)
        self.assertEqual(CaseStudy.objects.get(pk=study.pk).status, CaseStudy.Status.SENT_BACK)

    def test_the_reviewer_is_shown_what_the_drafting_could_not_take_out(self):
        text = ("She came to us on 3 March 2026 after police in Hatfield were called. Her son Liam (2) attends "
                "Little Acorns nursery, and her partner works at Tesco Welwyn.")
        study = services.do_draft_case_study(self.assigned, self.case.pk, "A year of support", text)
        self.sign_in("manager")
        page = self.client.get(reverse("reports:case_study", args=[study.pk])).content.decode()
        review = page[page.index("Review it as the second person"):]
        for words in ("Date: “3 March 2026”", "Age: “(2)”", "Name or place: “Hatfield”", "Name or place: “Liam”",
                      "Name or place: “Little Acorns”", "Name or place: “Tesco Welwyn”"):
            self.assertIn(words, review)
        self.sign_in("assigned")  # the drafter does not review it, and is shown no such list
        self.assertNotIn("Check these", self.client.get(reverse("reports:case_study", args=[study.pk])).content.decode())

    def test_a_case_the_drafter_does_not_work_on_is_refused(self):
        with self.assertRaises(services.ReportError) as refused:
            services.do_draft_case_study(self.other_team, self.case.pk, "A story", "Text.")
        self.assertEqual(refused.exception.status, 404)
        self.assertFalse(CaseStudy.objects.exists())


class SmallNumberSettingTest(ConfideTestCase):
    """The organisation may hide more than Confide's floor of 7, never fewer (issue 17 point 2)."""

    def test_a_manager_raises_the_threshold_and_cannot_lower_it_below_seven(self):
        self.client.force_login(self.p["manager"])
        page = reverse("reports:settings")
        self.assertContains(self.client.get(page), "never hides fewer than counts up to 7")
        low = self.client.post(page, {"threshold": "5"})
        self.assertContains(low, "Choose a number from 7 to 99", status_code=400)
        self.assertEqual(ReportSettings.current().threshold, 7)
        self.assertRedirects(self.client.post(page, {"threshold": "10"}), reverse("reports:list"))
        self.assertEqual(ReportSettings.current().threshold, 10)
        self.client.force_login(self.p["trustee"])
        self.assertEqual(self.client.get(page).status_code, 404)


class AcrossReleasesTests(ConfideTestCase):
    """Two released quarters set side by side: this quarter's "previous quarter" is last quarter's
    "this quarter" as it was released, and nothing in either, added to or subtracted from the other,
    pins down a number that either hid (the attacker of tests/reports/test_sdc.py, over both)."""

    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        populate_year(TODAY, random.Random(23), clients=300)
        cls.q2 = services.do_draft_report(cls.p["manager"], "quarter", dt.date(2026, 4, 1), dt.date(2026, 6, 30))
        services.do_release_report(cls.p["data_controller"], cls.q2.pk, "controller-password-1")
        cls.q2.refresh_from_db()
        cls.q3 = services.do_draft_report(cls.p["manager"], "quarter", *Q3)

    def test_the_previous_quarter_is_published_as_it_was_released(self):
        this_q2 = {a["subject"]: t for t, a in zip(self.q2.tables, self.q2.about, strict=True) if a["period"] == "this"}
        previous = {a["subject"]: t for t, a in zip(self.q3.tables, self.q3.about, strict=True)
                    if a["period"] == "previous"}
        self.assertEqual(set(previous), set(this_q2))
        for subject, table in previous.items():
            released = this_q2[subject]
            for key in ("cells", "row_totals", "column_totals", "total"):
                self.assertEqual(table[key], released[key], f"{subject} {key}")

    def test_nothing_either_hid_can_be_recovered_from_both(self):
        from confide.reports import figures
        from confide.reports.sdc import Table
        from tests.reports.test_sdc import recoveries

        tables, links, published, dated = [], [], [], []
        for report, tag in ((self.q2, "Q2: "), (self.q3, "Q3: ")):
            built = figures.build("quarter", report.starts_on, report.ends_on, 4)
            keep = {t.title for t, a in zip(built.tables, built.about, strict=True) if a["period"] != "year"}
            tables += [Table(tag + t.title, t.rows, t.columns, t.counts) for t in built.tables if t.title in keep]
            links += [type(link)(tag + link.total, tuple(tag + p for p in link.parts), link.remainder)
                      for link in built.links if isinstance(link, figures.sdc.PeriodSum)]
            links += [type(link)(tag + link.first, tag + link.second) for link in built.links
                      if not isinstance(link, figures.sdc.PeriodSum) and link.first in keep]
            published += [{**t, "title": tag + t["title"]} for t in report.tables if t["title"] in keep]
            dated += [(s, first, last, tag + title) for s, first, last, title
                      in figures._dated_about(built, "quarter", report.starts_on, report.ends_on, 4)]
        links += figures._period_links(dated)
        self.assertEqual(recoveries(tables, links, json.dumps(published)), [])

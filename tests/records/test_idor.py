"""Insecure direct object references: for every page that takes an id, a record that exists but is not
the person's answers byte for byte as one that does not exist, whatever id is typed."""

from __future__ import annotations

from django.urls import URLPattern, reverse
from django.utils import timezone

from confide.records.break_glass import do_open_outside
from confide.records.entries import do_add_note
from confide.retention import services as retention_services
from confide.subject_access import access as sar_access
from confide.subject_access import services as sar_services
from tests.base import (
    ConfideTestCase,
    add_fixtures,
    every_url_pattern,
    sharing_fixtures,
    strip_volatile,
)
from tests.harness_fixtures.governance import governance_fixtures

# The pages that take an id, and which kind of record the id names.
ID_KIND = {"web:client_file": "client", "web:related_people": "client", "web:safe_contact": "client",
           "web:record_of_access": "client", "web:add_note": "case", "web:add_risk_assessment": "case",
           "web:add_document": "case", "web:change_case": "case", "web:download_document": "entry",
           "web:review": "glass",
           "web:sharing": "client", "web:new_consent": "client", "web:consent_form_pdf": "client", "web:share": "client",
           "web:new_request": "client", "web:report": "client", "web:consent": "consent", "web:consent_pdf": "consent",
           "web:consent_signed_form": "consent", "web:disclosure": "disclosure", "web:disclosure_record": "disclosure",
           "web:approve": "disclosure", "web:task": "task", "web:incoming": "request", "web:incoming_order": "request",
           "web:limits": "client", "web:limits_pdf": "client", "web:support_consent": "client",
           "web:limits_signed_copy": "limits"}
# The client file's own pages (issue 13): correcting the name and date of birth, and printing the file.
ID_KIND |= {"web:correct_name": "client", "web:correct_date_of_birth": "client", "web:print_file": "client"}
POSTABLE = {"web:change_case", "web:related_people", "web:safe_contact", "web:add_note", "web:add_risk_assessment", "web:add_document",
            "web:review", "web:new_consent", "web:share", "web:new_request", "web:consent", "web:disclosure",
            "web:approve", "web:task", "web:incoming", "web:report", "web:limits", "web:support_consent"}
POSTABLE |= {"web:correct_name", "web:correct_date_of_birth"}
# Setting a task on a client's file (issue 13, point 2): opened to write, as a note is.
ID_KIND |= {"web:add_task": "client"}
POSTABLE |= {"web:add_task"}
# Correcting, moving and reading the earlier versions of an entry (issue 13, point 3).
ID_KIND |= {"web:correct_entry": "entry", "web:move_entry": "entry", "web:entry_history": "entry"}
POSTABLE |= {"web:correct_entry", "web:move_entry"}
# Subject-access requests (confide/web/sar_views.py): logged from a client's file, then by the request's id.
SAR_PAGES = {"web:sar_detail", "web:sar_compile", "web:sar_review", "web:sar_preview", "web:sar_release",
             "web:sar_download"}
ID_KIND |= {"web:sar_new": "client"} | dict.fromkeys(SAR_PAGES, "sar")
POSTABLE |= {"web:sar_new", "web:sar_detail", "web:sar_compile", "web:sar_review", "web:sar_release"}
# Retention batches (confide/web/retention_views.py): for managers and the data controller only.
ID_KIND |= {"web:retention_batch": "batch"}
POSTABLE |= {"web:retention_batch"}
# Breaches and complaints (confide/web/breach_views.py, complaint_views.py): a breach opens to the pack's
# breach chain, the data controller and whoever recorded it; a complaint to the pack's complaint handlers.
ID_KIND |= {"breaches:detail": "breach", "complaints:detail": "complaint"}
POSTABLE |= {"breaches:detail", "complaints:detail"}
# Staff records (confide/web/staffing_views.py): a personnel file opens to its line manager (never to its
# subject, who asks by subject access), an application to managers, a request for a worker's contact
# details to the line manager and the worker it is about.
ID_KIND |= {"staffing:file": "personnel_file", "staffing:applicant": "applicant",
            "staffing:contact_request": "contact_request", "staffing:access_request": "approval"}
POSTABLE |= {"staffing:file", "staffing:applicant", "staffing:contact_request", "staffing:access_request"}
# A declaration's signed copy (confide/web/clearance_views.py): managers and the data controller only.
ID_KIND |= {"clearance:copy": "signature"}
# Reports and case studies (confide/web/report_views.py): released reports to trustees, every report to
# managers, none to workers; a case study to its drafter, managers, and (once released) trustees.
REPORT_PAGES = {"reports:report": "report", "reports:report_pdf": "report", "reports:report_csv": "report",
                "reports:case_study": "study", "reports:case_study_pdf": "study"}
ID_KIND |= REPORT_PAGES
POSTABLE |= {"reports:report", "reports:case_study"}
# Addressed by a secret token, not an id: tested in tests/sharing (a wrong, spent, revoked or expired
# link answers alike).
GOVERNANCE_KINDS = {"breach", "complaint", "personnel_file", "applicant", "contact_request", "signature", "report",
                    "study", "approval"}
TOKEN_PAGES = {"web:shared", "web:shared_download"}
ODD_IDS = [999999, 0, -1, 2**63, 2**64 + 7, "00", "1e3", "%20"]


def id_patterns() -> dict[str, URLPattern]:
    return {name: pattern for name, pattern in every_url_pattern() if pattern.pattern.converters
            and name not in TOKEN_PAGES
            # The partner directory holds no client data: staff read every agency in it, managers
            # change it (tests/web/test_partners_pages.py).
            and not name.startswith("partners:")
            # Nor do staff accounts: only the administrator opens them, and everyone else is refused
            # (tests/accounts/test_staff_admin.py).
            and not name.startswith("web:staff_")}


def raw_url(name: str, pk) -> str:
    """The page's address with any text where the id goes (reverse() refuses ids the converter would
    not match, but a person can type them)."""
    marker = 424242424242
    return reverse(name, args=[marker]).replace(str(marker), str(pk))


class IdorTests(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.p.update(add_fixtures(cls.p))
        # A break-glass by the same-team worker on the other team's client, for the review page.
        _client, cls.glass = do_open_outside(cls.p["same_team"], cls.p["other_client"].pk, "emergency",
                                             "Client rang in crisis; worker on leave.")
        # Consents, requests to share, tasks and requests from outside on both sides.
        cls.mine = sharing_fixtures(cls.p)["ids"]
        note = do_add_note(cls.p["other_team"], cls.p["other_case"], "Met at the south office.")
        cls.p["other_note"] = note
        cls.theirs = sharing_fixtures(cls.p, "other_team", "other_client", "other_case", "other_note", None)["ids"]
        # A subject-access request on the assigned worker's client, compiled: shut to every worker.
        controller = cls.p["data_controller"]
        grant = sar_access.access_sar_client(controller, cls.p["client"].pk)
        sar = sar_services.do_log_request(controller, grant, sar_services.Received(received_on=timezone.localdate(),
                                                                                   made="writing"))
        grant, sar = sar_access.access_sar_to_compile(controller, sar.pk)
        cls.sar = sar_services.do_compile(controller, grant, sar, sar.version)
        # A retention batch the data controller prepared: shut to every worker and the trustee.
        cls.batch = retention_services.do_prepare_batch(timezone.localdate(), controller)
        # Breaches, a complaint, staff records, a signed copy, reports and case studies.
        cls.g = governance_fixtures(cls.p)

    def test_every_page_that_takes_an_id_is_covered(self):
        self.assertEqual(set(id_patterns()), set(ID_KIND), "a new page with an id needs its IDOR cells here")

    def foreign_ids(self, who: str) -> dict[str, list[int]]:
        """Records that exist but are shut to this person."""
        p = self.p
        if who == "assigned":
            return {"client": [p["other_client"].pk, p["north_client"].pk], "case": [p["other_case"].pk, p["north_case"].pk],
                    "entry": [p["other_doc"].pk, p["north_doc"].pk, p["sealed_doc"].pk, p["sealed"].pk],
                    "glass": [self.glass.pk], "sar": [self.sar.pk], "batch": [self.batch.pk],
                    **self.sharing_ids(self.theirs), **self.governance_ids(who)}
        return {"client": [p["client"].pk, p["north_client"].pk], "case": [p["case"].pk, p["north_case"].pk],
                "entry": [p["document"].pk, p["note"].pk, p["north_doc"].pk], "glass": [self.glass.pk],
                "sar": [self.sar.pk], "batch": [self.batch.pk], **self.sharing_ids(self.mine),
                **self.governance_ids(who)}

    def governance_ids(self, who: str) -> dict[str, list[int]]:
        """The governance records shut to this person (every walker here is a worker or the trustee)."""
        g = self.g
        shut = {"breach": [g["other_breach" if who == "assigned" else "breach"].pk],  # their own opens to them
                "complaint": [g["complaint"].pk],  # the data controller's alone on DVIP
                "personnel_file": [g["personnel_file"].pk], "applicant": [g["applicant"].pk],
                "contact_request": [g["contact_request"].pk], "signature": [g["signature"].pk],
                "approval": [g["approval"].pk],  # a request to read a file: its asker and its deciders only
                # Workers reach no report; the trustee only released ones.
                "report": [g["draft_report"].pk] + ([] if who == "trustee" else [g["report"].pk]),
                # A draft case study opens to its drafter (and managers) only.
                "study": [g["other_study" if who == "assigned" else "study"].pk]}
        if who == "same_team":
            # The worker the file is about: the request for their address is theirs to answer.
            del shut["contact_request"]
        return shut

    @staticmethod
    def sharing_ids(ids: dict) -> dict[str, list[int]]:
        return {"consent": [ids["consent_id"]], "disclosure": [ids["disclosure_id"]], "task": [ids["task_id"]],
                "request": [ids["request_id"]], "limits": [ids["told_id"]]}

    def north_ids(self) -> dict[str, int]:
        return {"client": self.p["north_client"].pk, "case": self.p["north_case"].pk, "entry": self.p["north_doc"].pk}

    def fetch(self, method: str, url: str):
        return self.client.post(url, {"text": "x", "name": "y", "number": "1", "outcome": "concern"}) \
            if method == "POST" else self.client.get(url)

    def test_a_record_that_is_not_yours_answers_like_one_that_does_not_exist(self):
        cells = 0
        for who in ("assigned", "other_team", "trustee", "same_team"):
            self.sign_in(who)
            foreign = self.foreign_ids(who)
            if who == "same_team":  # the breaker: their own glass is shut to them too
                foreign = {"glass": [self.glass.pk], **self.governance_ids(who)}
            for name in ID_KIND:
                for pk in foreign.get(ID_KIND[name], []):
                    for method in ("GET", "POST") if name in POSTABLE else ("GET",):
                        for suffix in ("", "?purpose=supervision", "?purpose=cover"):
                            if name == "web:review" and suffix:
                                continue
                            if who == "assigned" and suffix and pk == self.north_ids().get(ID_KIND[name]):
                                continue  # their own team's file opens for cover and supervision
                            status = 400 if (name == "web:record_of_access" and "cover" in suffix) else 404
                            with self.subTest(who=who, page=name, pk=pk, method=method, suffix=suffix):
                                refused = self.fetch(method, raw_url(name, pk) + suffix)
                                missing = self.fetch(method, raw_url(name, 999999) + suffix)
                                self.assert_refused(refused, missing, status=status, where=f"{who} {method} {name} {pk}")
                                cells += 1
        self.assertGreater(cells, 150)

    def test_odd_ids_answer_like_a_missing_record(self):
        self.sign_in("assigned")
        for name in ID_KIND:
            missing = self.client.get(raw_url(name, 999999))
            self.assertEqual(missing.status_code, 404)
            for pk in ODD_IDS:
                for method in ("GET", "POST") if name in POSTABLE else ("GET",):
                    with self.subTest(page=name, pk=pk, method=method):
                        response = self.fetch(method, raw_url(name, pk))
                        self.assertEqual(response.status_code, 404)
                        self.assertEqual(strip_volatile(response.content), strip_volatile(missing.content))

    def test_the_ids_of_the_assigned_workers_own_records_do_open(self):
        # The other side of the cells above: the same addresses work for the person they belong to, so
        # the 404s above are refusals, not broken addresses.
        self.sign_in("assigned")
        p = self.p
        own = {"client": p["client"].pk, "case": p["case"].pk, "entry": p["document"].pk,
               **{kind: ids[0] for kind, ids in self.sharing_ids(self.mine).items()}}
        for name, kind in ID_KIND.items():
            if kind in GOVERNANCE_KINDS:
                continue  # below, each for the person it belongs to
            if kind in ("glass", "batch") or name == "web:approve" or name in SAR_PAGES or name == "web:sar_new":
                continue  # the manager's to open (below); a requester never approves their own request
            if name == "web:limits_pdf":
                continue  # DVIP has no written statement for a service user (tests/sharing/test_limits_statements.py)
            with self.subTest(page=name):
                self.assertEqual(self.client.get(raw_url(name, own[kind])).status_code, 200)
        self.sign_in("manager")
        self.assertEqual(self.client.get(raw_url("web:review", self.glass.pk)).status_code, 200)
        self.assertEqual(self.client.get(raw_url("web:approve", self.mine["disclosure_id"])).status_code, 200)
        # Subject-access pages open to the data controller (the download only once a copy is released).
        self.sign_in("data_controller")
        self.assertEqual(self.client.get(raw_url("web:sar_new", p["client"].pk)).status_code, 200)
        for name in SAR_PAGES - {"web:sar_download"}:
            with self.subTest(page=name):
                self.assertIn(self.client.get(raw_url(name, self.sar.pk)).status_code, (200, 302))
        # And the retention batch, to the data controller and a manager.
        self.assertEqual(self.client.get(raw_url("web:retention_batch", self.batch.pk)).status_code, 200)
        self.sign_in("manager")
        self.assertEqual(self.client.get(raw_url("web:retention_batch", self.batch.pk)).status_code, 200)
        # The governance pages, each for the people it belongs to.
        g = self.g
        opens = {"assigned": {"breaches:detail": g["breach"].pk, "reports:case_study": g["study"].pk},
                 "same_team": {"staffing:contact_request": g["contact_request"].pk},
                 "trustee": {"reports:report": g["report"].pk, "reports:report_pdf": g["report"].pk,
                             "reports:report_csv": g["report"].pk, "reports:case_study": g["released_study"].pk,
                             "reports:case_study_pdf": g["released_study"].pk},
                 "manager": {"breaches:detail": g["other_breach"].pk, "staffing:file": g["personnel_file"].pk,
                             "staffing:applicant": g["applicant"].pk,
                             "staffing:contact_request": g["contact_request"].pk,
                             "staffing:access_request": g["approval"].pk,
                             "clearance:copy": g["signature"].pk, "reports:report": g["draft_report"].pk,
                             "reports:case_study": g["other_study"].pk},
                 "data_controller": {"complaints:detail": g["complaint"].pk, "clearance:copy": g["signature"].pk}}
        covered = {name for pages in opens.values() for name in pages}
        self.assertEqual(covered, {name for name, kind in ID_KIND.items() if kind in GOVERNANCE_KINDS})
        for who, pages in opens.items():
            self.sign_in(who)
            for name, pk in pages.items():
                with self.subTest(who=who, page=name):
                    self.assertEqual(self.client.get(raw_url(name, pk)).status_code, 200)

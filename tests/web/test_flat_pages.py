"""Every page flat (issue 18 point 3): the team lists and searches, every role's home page, the record
of access, the approvals page, the break-glass review queue and the partner pages cost the same
whatever the size of the organisation.

Each page is opened at two sizes (SMALL and LARGE of the clients, cases, events, approvals,
openings or agencies it shows, made through the real services), and two things are asserted:
- the number of queries does not grow (no query per row);
- no SELECT at the larger size reads a whole table of client data (SQLite's EXPLAIN QUERY PLAN: a
  "SCAN <table>" of a records_, sharing_, audit_ or partners_ table without an index), since one
  query can grow by itself. The failure names the page, the SQL and its plan. (On SQLite only:
  on PostgreSQL, which plans by its statistics, the counts alone are asserted.)
Each page must also show more at the larger size than at the smaller (up to its page's end), so a
page measured empty cannot pass.
"""

from __future__ import annotations

import itertools
import re
from collections.abc import Callable
from datetime import timedelta

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from confide.accounts.models import current_organisation, current_policy
from confide.policy.filters import purposes_for_lists
from confide.records.models import Case, Client
from tests.base import ConfideTestCase

SMALL, LARGE = 5, 40
CLIENT_DATA_TABLES = ("records_", "sharing_", "audit_", "partners_")
INDEXED = ("USING INDEX", "USING COVERING INDEX", "USING INTEGER PRIMARY KEY")
# Partner tables a page reads whole by design: the directory (and the choice of agency on a form)
# names every agency the service works with. They grow with the service's partners, tens of them,
# never with its clients; they hold no client data (confide/partners/views.py).
WHOLE_BY_DESIGN = {"partners_agency", "partners_agencycontact", "partners_sharingagreement",
                   "partners_sharingagreement_contacts"}

_SQL_WORDS = {"WHERE", "ON", "JOIN", "LEFT", "INNER", "OUTER", "CROSS", "GROUP", "ORDER", "LIMIT", "USING", "AS",
              "UNION", "HAVING", "NATURAL"}
_TABLE_REF = re.compile(r'\b(?:FROM|JOIN)\s+"?(\w+)"?(?:\s+(?:AS\s+)?"?(\w+)"?)?', re.IGNORECASE)


def _tables_by_name(sql: str) -> dict[str, str]:
    """Each name a plan may call a table by (its own, or the alias the SQL gives it) -> the table."""
    names: dict[str, str] = {}
    for table, alias in _TABLE_REF.findall(sql):
        names[table] = table
        if alias and alias.upper() not in _SQL_WORDS:
            names[alias] = table
    return names


def whole_table_scans(sql: str) -> list[str]:
    """The lines of this SELECT's plan that read a whole table of client data, as 'table: line'."""
    with connection.cursor() as cursor:
        cursor.execute(f"EXPLAIN QUERY PLAN {sql}")
        plan = [row[-1] for row in cursor.fetchall()]
    names = _tables_by_name(sql)
    found = []
    for line in plan:
        scanned = re.match(r"SCAN (\w+)", line)
        if not scanned or any(way in line for way in INDEXED):
            continue
        table = names.get(scanned.group(1), scanned.group(1))
        if table.startswith(CLIENT_DATA_TABLES) and table not in WHOLE_BY_DESIGN:
            found.append(f"{table}: {line}")
    return found


def _short(sql: str) -> str:
    """The SQL with a long list of selected columns cut, for a failure message that can be read."""
    return re.sub(r"^SELECT (.{120,}?) FROM ", "SELECT … FROM ", sql, count=1)


class Page:
    """A page as one person opens it: (who, what to ask, how many items it shows)."""

    def __init__(self, name: str, who: str, url: str, data: dict | None = None,
                 shown: Callable | None = None):
        self.name, self.who, self.url, self.data, self.shown = name, who, url, data, shown


class FlatPagesTests(ConfideTestCase):
    def setUp(self):
        current_policy()  # read once per process, not per page
        current_organisation()
        self.counter = itertools.count()

    # Measuring ------------------------------------------------------------------------------------

    def open(self, page: Page):
        self.sign_in(page.who)  # just signed in: the page leaves the session as it is
        with CaptureQueriesContext(connection) as captured:
            response = (self.client.post(page.url, page.data) if page.data is not None
                        else self.client.get(page.url))
        self.assertEqual(response.status_code, 200, f"{page.name} answered {response.status_code}")
        shown = page.shown(response.context) if page.shown else None
        return [q["sql"] for q in captured], shown

    def assert_flat(self, pages: list[Page], grow: Callable[[int], None]) -> None:
        """Open each page at SMALL and at LARGE (grow(n) adds n of what the pages show): the
        queries do not grow in number, none at LARGE scans a whole client-data table, and each
        page shows more at LARGE."""
        for page in pages:
            self.open(page)  # once first: what a process reads once is not counted
        grow(SMALL)
        few = {page.name: self.open(page) for page in pages}
        grow(LARGE - SMALL)
        for page in pages:
            with self.subTest(page=page.name):
                queries, shown = self.open(page)
                small_queries, small_shown = few[page.name]
                self.assertEqual(len(queries), len(small_queries),
                                 f"{page.name}: {len(small_queries)} queries with {SMALL}, {len(queries)} with {LARGE}")
                if page.shown:
                    self.assertGreater(shown, small_shown, f"{page.name} showed no more at {LARGE} than at {SMALL}")
                problems = []
                for sql in queries if connection.vendor == "sqlite" else ():  # plans read as SQLite writes them
                    if sql.lstrip().upper().startswith(("SELECT", "WITH")):
                        scans = whole_table_scans(sql)
                        if scans:
                            problems.append(f"  SQL: {_short(sql)}\n  plan: {'; '.join(scans)}")
                if problems:
                    self.fail(f"{page.name} reads a whole table of client data:\n" + "\n".join(problems))

    # What the pages show ---------------------------------------------------------------------------

    def add_team_clients(self, n: int, team: str = "north") -> list[Client]:
        """n clients with open cases in a team, on every service in turn, each on the caseload of one
        of the team's two workers in turn (so a team list has their cases, and a worker's own list too)."""
        services = list(self.p["pack"].services)
        workers = [self.p["assigned"], self.p["same_team"]] if team == "north" else [self.p["other_team"]]
        made = []
        for _ in range(n):
            i = next(self.counter)
            client = Client.objects.create(display_name=f"Count Person {i}", team=self.p[team])
            case = Case.objects.create(client=client, service=services[i % len(services)], team=self.p[team],
                                       status=Case.Status.OPEN)
            case.workers.add(workers[i % len(workers)])
            made.append(client)
        return made

    def add_openings(self, n: int) -> None:
        """n files of the other team opened outside their work by a north worker (break-glass),
        waiting for the north team's manager and the data controller to review."""
        from confide.records.break_glass import do_open_outside

        for client in self.add_team_clients(n, team="south"):
            do_open_outside(self.p["same_team"], client.pk, "direct_support", "Duty line call, worker away today")

    def add_approvals(self, n: int) -> None:
        """n requests to share without consent, waiting for a manager's approval."""
        from tests.sharing.test_approvals import ask

        for _ in range(n):
            ask(self.p)

    def add_agencies(self, n: int) -> None:
        from confide.partners.directory import do_add_agency, do_add_agreement, do_add_contact

        today = timezone.localdate()
        for _ in range(n):
            i = next(self.counter)
            agency = do_add_agency(self.p["manager"], name=f"Example Agency {i}", kind="childrens_services",
                                   known_phone="01632 960100")
            contact = do_add_contact(self.p["manager"], agency, name=f"Jo Example {i}", job_title="Social worker")
            do_add_agreement(self.p["manager"], agency, title="Safeguarding children agreement",
                             starts_on=today - timedelta(days=10), ends_on=None, data=["case_notes"],
                             purposes=["child_protection"], contacts=[contact])

    # The pages -------------------------------------------------------------------------------------

    def team_people(self) -> list[tuple[str, str]]:
        """(person, purpose) for every team purpose a list is offered to a north person for."""
        found = []
        for who in ("assigned", "same_team", "volunteer", "manager", "data_controller", "administrator"):
            user = self.p.get(who)
            if user is None:
                continue
            for purpose in purposes_for_lists(self.p["pack"], role=user.role, has_team=True):
                if purpose != "direct_support":
                    found.append((who, purpose))
        return found

    def test_the_team_lists_and_searches(self):
        rows = lambda context: len(context["rows"])  # noqa: E731
        pages = []
        for who, purpose in self.team_people():
            url = reverse("web:client_list")
            pages.append(Page(f"{who}'s {purpose} list", who, f"{url}?purpose={purpose}", shown=rows))
            pages.append(Page(f"{who}'s {purpose} search", who, url, {"purpose": purpose, "q": "Count"}, shown=rows))
            pages.append(Page(f"{who}'s {purpose} search for nobody", who, url, {"purpose": purpose, "q": "Nobody"}))
        self.assertIn("supervision", {purpose for _, purpose in self.team_people()}, "a team list is offered")
        for who in ("assigned", "same_team"):
            pages.append(Page(f"{who}'s own list", who, reverse("web:client_list"), shown=rows))
            pages.append(Page(f"{who}'s own search", who, reverse("web:client_list"), {"q": "Count"}, shown=rows))
        self.assert_flat(pages, self.add_team_clients)

    def test_every_role_s_home_page(self):
        def grow(n):
            self.add_team_clients(n)
            self.add_openings(n)
            self.add_approvals(n)

        shown = {"assigned": lambda context: len(context["clients"]),
                 "manager": lambda context: context["reviews"] + context["approvals"]}
        pages = [Page(f"{who}'s home", who, reverse("web:home"), shown=shown.get(who))
                 for who in ("assigned", "same_team", "other_team", "volunteer", "manager", "data_controller",
                             "trustee", "administrator") if who in self.p]
        self.assert_flat(pages, grow)

    def test_the_record_of_access(self):
        client = self.p["client"]

        def grow(n):
            for _ in range(n):  # each opening of the file is an event in its record of access
                self.sign_in("assigned")
                self.assertEqual(self.client.get(reverse("web:client_file", args=[client.pk])).status_code, 200)

        url = reverse("web:record_of_access", args=[client.pk])
        self.assert_flat([Page("the record of access", "assigned", url, shown=lambda context: len(context["rows"])),
                          Page("the record of access, for an audit", "data_controller", f"{url}?purpose=audit",
                               shown=lambda context: len(context["rows"]))], grow)

    def test_the_approvals_page(self):
        self.assert_flat([Page("the approvals page", "manager", reverse("web:approvals"),
                               shown=lambda context: len(context["waiting"]))],
                         lambda n: (self.add_team_clients(n), self.add_approvals(n)))

    def test_the_review_queue(self):
        items = lambda context: len(context["items"])  # noqa: E731
        url = reverse("web:review_queue")
        self.assert_flat([Page("the manager's review queue", "manager", url, shown=items),
                          Page("the manager's review queue, all", "manager", f"{url}?show=all", shown=items),
                          Page("the data controller's review queue", "data_controller", url, shown=items),
                          Page("the data controller's review queue, all", "data_controller", f"{url}?show=all",
                               shown=items)],
                         self.add_openings)

    def test_the_partner_pages(self):
        from confide.partners.directory import do_add_agency, do_add_contact
        from confide.sharing.incoming import do_log_request

        p = self.p
        agency = do_add_agency(p["manager"], name="Eastmere Police", kind="police", known_phone="01632 960200")
        logged = do_log_request(p["assigned"], p["pack"], p["client"], requester_kind="police", agency=agency,
                                how="phone", details="DC Example asked for the last address.")

        def grow(n):
            self.add_team_clients(n)
            self.add_agencies(n)
            for client in Client.objects.exclude(pk=p["client"].pk).order_by("-pk")[:n]:
                do_log_request(p["assigned"], p["pack"], client, requester_kind="police", agency=agency,
                               how="phone", details="DC Example asked for an address.")
            for _ in range(n):
                do_add_contact(p["manager"], agency, name=f"Officer Example {next(self.counter)}")

        self.assert_flat([
            Page("the agency directory", "manager", reverse("partners:directory"),
                 shown=lambda context: len(context["agencies"])),
            Page("an agency", "manager", reverse("partners:agency", args=[agency.pk]),
                 shown=lambda context: len(context["contacts"])),
            Page("logging a request", "assigned", reverse("web:new_request", args=[p["client"].pk])),
            Page("a request from outside", "assigned", reverse("web:incoming", args=[logged.pk])),
        ], grow)


class RecordOfAccessPagingTests(ConfideTestCase):
    def test_the_record_of_access_is_read_a_page_at_a_time_newest_first(self):
        from confide.audit.actions import Action
        from confide.audit.models import AuditEvent
        from confide.audit.services import record_event
        from confide.web.views import ACCESS_PAGE

        client = self.p["client"]
        for _ in range(ACCESS_PAGE + 20):
            record_event(self.p["same_team"], Action.CLIENT_READ, object_type="client", object_id=client.pk,
                         client_id=client.pk, purpose="supervision", detail={"role": self.p["same_team"].role})
        self.sign_in("data_controller")
        url = reverse("web:record_of_access", args=[client.pk])
        first = self.client.get(url, {"purpose": "audit"})
        everything = list(AuditEvent.objects.filter(client_id=client.pk).order_by("-seq"))
        self.assertEqual(len(first.context["rows"]), ACCESS_PAGE)
        self.assertEqual([row["at"] for row in first.context["rows"]], [e.at for e in everything[:ACCESS_PAGE]])
        older = first.context["older_url"]
        self.assertIn("purpose=audit", older)  # the purpose stated is kept from page to page
        self.assertIsNone(first.context["newest_url"])
        second = self.client.get(older)
        self.assertEqual(second.status_code, 200)
        self.assertEqual([row["at"] for row in second.context["rows"]], [e.at for e in everything[ACCESS_PAGE:]])
        self.assertIsNone(second.context["older_url"])
        self.assertContains(second, "Newest entries")
        # A number no event could have starts from the newest again, as a list does.
        self.assertEqual(len(self.client.get(url, {"purpose": "audit", "before": "x"}).context["rows"]), ACCESS_PAGE)


class ReviewHistoryPagingTests(ConfideTestCase):
    def test_every_opening_is_read_a_page_at_a_time_newest_first(self):
        from confide.records.break_glass import do_open_outside
        from confide.records.models import BreakGlass
        from confide.web.review_views import HISTORY_PAGE

        south = self.p["south"]
        service = self.p["other_case"].service
        for i in range(HISTORY_PAGE + 5):
            client = Client.objects.create(display_name=f"Opened Person {i}", team=south)
            Case.objects.create(client=client, service=service, team=south, status=Case.Status.OPEN)
            do_open_outside(self.p["same_team"], client.pk, "direct_support", "Duty line call, worker away today")
        self.sign_in("manager")
        url = reverse("web:review_queue")
        first = self.client.get(url, {"show": "all"})
        newest_first = list(BreakGlass.objects.order_by("-created_at", "-id").values_list("pk", flat=True))
        self.assertEqual([item.pk for item in first.context["items"]], newest_first[:HISTORY_PAGE])
        second = self.client.get(first.context["older_url"])
        self.assertEqual([item.pk for item in second.context["items"]], newest_first[HISTORY_PAGE:])
        self.assertIsNone(second.context["older_url"])
        self.assertContains(second, "Newest openings")
        # Another reviewer's place marks nothing: an opening the data controller made is not the
        # manager's to review, so its number starts the history from its newest.
        self.assertEqual(len(self.client.get(url, {"show": "all", "before": "0"}).context["items"]), HISTORY_PAGE)
        # What waits is the queue to work through, oldest first.
        waiting = self.client.get(url).context["items"]
        self.assertEqual([item.pk for item in waiting], list(reversed(newest_first)))


class OpenCaseCountTests(ConfideTestCase):
    """Trustees' figures are read from counts the database keeps (records.OpenCaseCount): they must
    agree with counting the cases, however a case is made, changed or removed."""

    def counted(self) -> dict[str, int]:
        from django.db.models import Count

        rows = Case.objects.exclude(status=Case.Status.CLOSED).values("service").annotate(n=Count("id"))
        return {row["service"]: row["n"] for row in rows}

    def kept(self) -> dict[str, int]:
        from confide.records.models import OpenCaseCount

        return {row.service: row.n for row in OpenCaseCount.objects.filter(n__gt=0)}

    def test_the_counts_follow_every_change_of_a_case(self):
        from confide.records.cases import do_change_case

        north = self.p["north"]
        services = list(self.p["pack"].services)[:2]
        self.assertEqual(self.kept(), self.counted())
        made = [Case.objects.create(client=self.p["client"], service=services[i % 2], team=north,
                                    status=Case.Status.OPEN) for i in range(6)]
        Case.objects.bulk_create([Case(client=self.p["client"], service=services[0], team=north,
                                       status=status) for status in (Case.Status.REFERRAL, Case.Status.CLOSED)])
        self.assertEqual(self.kept(), self.counted())
        do_change_case(self.p["assigned"], self.p["case"], Case.Status.CLOSED, [])  # closed: no longer counted
        self.assertEqual(self.kept(), self.counted())
        Case.objects.filter(pk=made[0].pk).update(service=services[1])  # moved to another service
        Case.objects.filter(pk=made[1].pk).update(status=Case.Status.CLOSED)
        Case.objects.filter(pk=made[1].pk).update(status=Case.Status.SUSPENDED)  # and opened again
        self.assertEqual(self.kept(), self.counted())
        Case.objects.filter(pk__in=[made[2].pk, made[3].pk]).delete()
        self.assertEqual(self.kept(), self.counted())
        self.assertTrue(self.kept())

    def test_the_trustee_s_figures_are_the_counts(self):
        north = self.p["north"]
        for i in range(9):  # with the two cases of the base people, on the VPP: 9 there, 2 in the WSS
            client = Client.objects.create(display_name=f"Figure Person {i}", team=north)
            Case.objects.create(client=client, service="vpp" if i < 7 else "wss", team=north, status=Case.Status.OPEN)
        self.sign_in("data_controller")
        figures = {row["service"]: row["count"] for row in self.client.get(reverse("web:figures")).context["open"]}
        self.assertEqual(figures, {"Violence Prevention Programme": 9, "Women's Support Service": "fewer than 8"})


class AdministratorHomeTests(ConfideTestCase):
    """An administrator's home page lists staff accounts: a page of them, not every account of a
    large service (at 100,000 clients the demo has thousands, and the page took 134 ms)."""

    def test_the_staff_list_is_one_page_however_many_accounts(self):
        from unittest import mock

        from django.contrib.auth import get_user_model

        from confide.web import views

        User = get_user_model()
        for n in range(6):
            User.objects.create_user(username=f"extra{n}", password="unused-password-1", role=self.p["same_team"].role,
                                     team=self.p["north"], first_name="Fictional", last_name=f"Extra{n}")
        self.sign_in("administrator")
        with mock.patch.object(views, "STAFF_SHOWN", 4):
            page = self.client.get(reverse("web:home"))
        self.assertEqual(len(page.context["staff"]), 4)
        self.assertContains(page, "The first 4 accounts, by surname.")

"""One gate: no page reads client data, or decrypts it, around confide.records.access and
confide.records.break_glass.

Every SQL statement that touches a client-data table is recorded with its Python stack; it is
allowed inside a gate function, or after a gate said yes (wrote a permitted audit event) in the same
request. Every decryption is allowed only after a gate said yes for that client, whether one value
at a time or a page of a list opened in bulk. What is sealed under the installation's key (a breach's
account, a complaint, an uploaded signed declaration) opens only after its own gate said yes for that
record. A refused request may touch client tables only inside the gate, and decrypts nothing at all.
"""

from __future__ import annotations

import re
import traceback
from contextlib import ExitStack, contextmanager
from dataclasses import dataclass, field
from unittest import mock

from django.db import connection
from django.http import HttpResponse
from django.test import RequestFactory
from django.urls import reverse
from django.utils import timezone

import confide.breaches.access as breaches_access_module
import confide.complaints.access as complaints_access_module
import confide.records.access as access_module
import confide.records.break_glass as break_glass_module
import confide.sharing.access as sharing_access_module
import confide.staffing.access as staffing_access_module
import confide.staffing.clearance as clearance_module
import confide.staffing.monitoring as staffing_monitoring_module
import confide.subject_access.access as sar_access_module
from confide.audit.actions import Action
from confide.breaches.models import Breach
from confide.complaints.models import Complaint
from confide.keys import KeyStore
from confide.partners.demo import do_seed_partners
from confide.records.break_glass import do_open_outside
from confide.records.entries import entry_text
from confide.records.identity import reveal_names
from confide.records.models import Client, Entry
from confide.retention import services as retention_services
from confide.staffing.models import Signature
from confide.subject_access import services as sar_services
from tests.base import ConfideTestCase, add_fixtures, every_url_pattern, sharing_fixtures
from tests.harness_fixtures.governance import governance_fixtures

CLIENT_TABLES = re.compile(r'\b(records_client|records_case|records_entry|records_document|records_relatedperson|'
                           r'records_safecontact|records_breakglass|records_entry_about_people|records_case_workers|'
                           r'sharing_consent|sharing_consent_agencies|sharing_disclosure|sharing_disclosure_entries|'
                           r'sharing_approval|sharing_securelink|sharing_task|sharing_incomingrequest|'
                           r'sharing_limitstold|sharing_supportconsent|sharing_consentreminder|'
                           r'subject_access_subjectaccessrequest|subject_access_item|subject_access_redaction|'
                           r'subject_access_release)\b')
GATE_FILES = ("confide/records/access.py", "confide/records/break_glass.py", "confide/sharing/access.py",
              "confide/subject_access/access.py")


# Reads outside the gate that are known and named, each with why; anything else fails. (Reported:
# neither writes an audit event.)
ALLOWED_OUTSIDE_GATE = {
    # Trustees' anonymised figures: open cases counted per service, no names or ids, small numbers
    # suppressed (DVIP 10.03). A deliberate read of records_case around the engine.
    ("confide/web/figures_views.py", "anonymised_figures", "records_case"),
    # And referrals per service in the last 12 months, on the figures page (same rules).
    ("confide/web/figures_views.py", "referrals_by_service", "records_case"),
    # The break-glass review queue and its count on the home page: the queryset is built and
    # filtered by the gate (break_glass.review_queue/reviewable) but evaluated lazily in the view.
    ("confide/web/review_views.py", "queue", "records_breakglass"),
    ("confide/web/views.py", "home", "records_breakglass"),
    # The retention schedule worked out again before a batch is prepared on its page (the daily
    # command does the same): clients' numbers, cases' services, statuses and dates, entries' and
    # consent forms' numbers and dates. Nothing sealed is read, and no decryption is allowed here.
    ("confide/retention/schedule.py", "recompute",
     frozenset({"records_client", "records_case", "records_entry", "sharing_consent"})),
    # And, on the page of what falls due, the open cases with nothing recorded for a year: client and
    # case numbers, read by their entries' dates only.
    ("confide/retention/schedule.py", "dormant_cases", frozenset({"records_case", "records_entry"})),
}


# Records sealed under the installation's key, by the record word their seal's context begins with,
# and the object type their gate's audit event names. A person's own sign-in secret ("user") is
# opened by signing in, which is the accounts module's, not a read of anyone's record.
INSTALLATION_SEALED = {"breach": Breach, "complaint": Complaint, "signature": Signature}
SIGN_IN_SEALED = {"user"}
# Gate functions that open names in bulk without naming everyone opened, each with why: a referral's
# possible duplicates are compared by name and date of birth in memory, never shown; the matches'
# records of access hold the check (confide.records.access.access_possible_duplicates).
BULK_UNRECORDED = {"access_possible_duplicates"}


def in_gate(stack) -> bool:
    return any(frame.filename.replace("\\", "/").endswith(GATE_FILES) for frame in stack)


def allowed(stack, sql: str) -> bool:
    tables = set(CLIENT_TABLES.findall(sql))
    for frame in stack:
        for path, function, table in ALLOWED_OUTSIDE_GATE:
            permitted = table if isinstance(table, frozenset) else {table}
            if frame.filename.replace("\\", "/").endswith(path) and frame.name == function and tables <= permitted:
                return True
    return False


def short_stack(stack) -> str:
    return "\n".join(f"    {f.filename.split('/confide/')[-1]}:{f.lineno} {f.name}" for f in stack
                     if "/confide/" in f.filename and "/tests/" not in f.filename)


@dataclass
class Watch:
    permitted_clients: set = field(default_factory=set)
    permitted: bool = False
    problems: list = field(default_factory=list)
    permitted_objects: set = field(default_factory=set)
    client_sql: int = 0
    decrypts: int = 0
    unseals: int = 0


@contextmanager
def watching():
    """Record, for the requests made inside, every client-data query and decryption, and whether the
    gate had said yes before it."""
    watch = Watch()
    originals = {"access": access_module.record_event, "break_glass": break_glass_module.record_event,
                 "sharing": sharing_access_module.record_event, "subject_access": sar_access_module.record_event,
                 "staffing": staffing_access_module.record_event,
                 "monitoring": staffing_monitoring_module.record_event,
                 "breaches": breaches_access_module.record_event,
                 "complaints": complaints_access_module.record_event,
                 "clearance": clearance_module.record_event}

    def recorder(original):
        def record_event(actor, action, **kwargs):
            if not action.endswith(".refused"):
                watch.permitted = True
                if kwargs.get("client_id") is not None:
                    watch.permitted_clients.add(kwargs["client_id"])
                # Staff records: the data key a permitted read then opens (a personnel file's or an
                # applicant's negative key number; the counted applications' keys), never content.
                detail = kwargs.get("detail") or {}
                if detail.get("key") is not None:
                    watch.permitted_clients.add(detail["key"])
                watch.permitted_clients.update(detail.get("keys") or ())
                # A list: the clients the gate named in its event, whose names it has just opened.
                watch.permitted_clients.update(detail.get("client_ids") or ())
                # Installation-sealed records: the one the gate named, or those a list named. A breach's
                # dates (shown with a complaint about it) open none of its account.
                if kwargs.get("object_type") and action != Action.BREACH_DATES:
                    kind = kwargs["object_type"]
                    watch.permitted_objects.add((kind, str(kwargs.get("object_id"))))
                    watch.permitted_objects.update((kind, str(pk)) for pk in detail.get(f"{kind}es", ()))
                    watch.permitted_objects.update((kind, str(pk)) for pk in detail.get(f"{kind}s", ()))
            return original(actor, action, **kwargs)
        return record_event

    def sql_wrapper(execute, sql, params, many, context):
        if CLIENT_TABLES.search(sql):
            watch.client_sql += 1
            stack = traceback.extract_stack()[:-1]
            if not in_gate(stack) and not watch.permitted and not allowed(stack, sql):
                watch.problems.append(f"client-data SQL outside the gate, before it said yes:\n  {sql[:300]}\n"
                                      f"{short_stack(stack)}")
        return execute(sql, params, many, context)

    def decrypt_wrapper(original):
        def decrypt(self, client_id, blob, context):
            watch.decrypts += 1
            if client_id not in watch.permitted_clients:
                stack = traceback.extract_stack()[:-1]
                watch.problems.append(f"decrypted client {client_id}'s data ({context}) with no permitting gate "
                                      f"call for that client\n{short_stack(stack)}")
            return original(self, client_id, blob, context)
        return decrypt

    bulk: dict = {}  # client -> (context, stack): opened in bulk, to be named by the gate's event

    def decrypt_with_wrapper(original):
        def decrypt_with(key, client_id, blob, context):
            watch.decrypts += 1
            if client_id not in watch.permitted_clients:
                stack = traceback.extract_stack()[:-1]
                if not in_gate(stack):
                    watch.problems.append(f"decrypted client {client_id}'s data in bulk ({context}) with no "
                                          f"permitting gate call for that client\n{short_stack(stack)}")
                elif not any(frame.name in BULK_UNRECORDED for frame in stack):
                    bulk.setdefault(client_id, (context, stack))
            return original(key, client_id, blob, context)
        return staticmethod(decrypt_with)

    def unseal_wrapper(original):
        def unseal_installation(self, context, blob):
            kind, _, rest = context.partition(":")
            if kind not in SIGN_IN_SEALED:
                watch.unseals += 1
                model = INSTALLATION_SEALED.get(kind)
                pk = model.objects.filter(ref=rest.partition(":")[0]).values_list("pk", flat=True).first() \
                    if model is not None else None
                if pk is None or (kind, str(pk)) not in watch.permitted_objects:
                    stack = traceback.extract_stack()[:-1]
                    watch.problems.append(f"unsealed a {kind} ({context.rpartition(':')[2]}) under the installation's "
                                          f"key with no permitting gate call for it\n{short_stack(stack)}")
            return original(self, context, blob)
        return unseal_installation

    with ExitStack() as stack:
        stack.enter_context(mock.patch.object(access_module, "record_event", recorder(originals["access"])))
        stack.enter_context(mock.patch.object(break_glass_module, "record_event", recorder(originals["break_glass"])))
        stack.enter_context(mock.patch.object(sharing_access_module, "record_event", recorder(originals["sharing"])))
        stack.enter_context(mock.patch.object(sar_access_module, "record_event", recorder(originals["subject_access"])))
        stack.enter_context(mock.patch.object(staffing_access_module, "record_event", recorder(originals["staffing"])))
        stack.enter_context(mock.patch.object(staffing_monitoring_module, "record_event",
                                              recorder(originals["monitoring"])))
        stack.enter_context(mock.patch.object(KeyStore, "decrypt", decrypt_wrapper(KeyStore.decrypt)))
        stack.enter_context(mock.patch.object(KeyStore, "decrypt_bytes", decrypt_wrapper(KeyStore.decrypt_bytes)))
        stack.enter_context(mock.patch.object(KeyStore, "decrypt_with", decrypt_with_wrapper(KeyStore.decrypt_with)))
        stack.enter_context(mock.patch.object(KeyStore, "unseal_installation",
                                              unseal_wrapper(KeyStore.unseal_installation)))
        for name in ("breaches", "complaints", "clearance"):
            module = {"breaches": breaches_access_module, "complaints": complaints_access_module,
                      "clearance": clearance_module}[name]
            stack.enter_context(mock.patch.object(module, "record_event", recorder(originals[name])))
        stack.enter_context(connection.execute_wrapper(sql_wrapper))
        yield watch
    # A gate opens a page of names in one go and then records whom it listed: each client opened
    # so must be one the gate's events named by the end of the request.
    for client_id, (context, stack) in bulk.items():
        if client_id not in watch.permitted_clients:
            watch.problems.append(f"decrypted client {client_id}'s data in bulk ({context}) and no gate event named "
                                  f"that client\n{short_stack(stack)}")


# A deliberately bad page, for showing that the detector catches one.
def bad_view(request, entry_id):
    entry = Entry.objects.select_related("case").get(pk=entry_id)
    return HttpResponse(entry_text(entry.case.client_id, entry))


def bad_list_view(request):
    return HttpResponse(", ".join(Entry.objects.values_list("kind", flat=True)))


class OneGateTests(ConfideTestCase):
    @classmethod
    def setUpTestData(cls):
        super().setUpTestData()
        cls.p.update(add_fixtures(cls.p))
        # A break-glass by the same-team worker on the other team's client: the manager reviews it.
        _client, cls.glass = do_open_outside(cls.p["same_team"], cls.p["other_client"].pk, "emergency",
                                             "Client rang in crisis; worker on leave.")
        cls.partners = do_seed_partners(cls.p["manager"])  # the partner directory's pages hold no client data
        cls.sharing = sharing_fixtures(cls.p)
        # A subject-access request on the client, compiled by the data controller: the manager reviews it.
        controller = cls.p["data_controller"]
        grant = sar_access_module.access_sar_client(controller, cls.p["client"].pk)
        sar = sar_services.do_log_request(controller, grant, sar_services.Received(received_on=timezone.localdate(),
                                                                                   made="writing"))
        grant, sar = sar_access_module.access_sar_to_compile(controller, sar.pk)
        cls.sar = sar_services.do_compile(controller, grant, sar, sar.version)
        # A retention batch (numbers, classes and rules only): the manager opens it, everyone else is refused.
        cls.batch = retention_services.do_prepare_batch(timezone.localdate(), controller)
        # Breaches, a complaint, staff records, a signed copy, reports and case studies: the breach was
        # recorded by the assigned worker; the report and the case study (the assigned worker's) released.
        cls.g = governance_fixtures(cls.p)

    def ids(self) -> dict:
        """The ids put in every address: the assigned worker's client, case and document (open to them,
        shut to the other team and the trustee), and a break-glass the manager reviews."""
        p, g = self.p, self.g
        return {"client_id": p["client"].pk, "case_id": p["case"].pk, "entry_id": p["document"].pk,
                "glass_id": self.glass.pk, "agency_id": self.partners["police"].pk,
                "contact_id": self.partners["detective"].pk, "agreement_id": self.partners["police_agreement"].pk,
                "user_id": p["assigned"].pk, "sar_id": self.sar.pk, "batch_id": self.batch.pk,
                **self.sharing["ids"], "breach_id": g["breach"].pk, "complaint_id": g["complaint"].pk,
                "file_id": g["personnel_file"].pk, "applicant_id": g["applicant"].pk,
                "contact_request_id": g["contact_request"].pk, "signature_id": g["signature"].pk,
                "report_id": g["report"].pk, "study_id": g["released_study"].pk, "approval_id": g["approval"].pk}

    # Who walks each page, and whether it should be refused. "refused" = the person may not open
    # the record named, so the strict rule applies; "open" = a permitted request.
    WALKERS = [("assigned", "open"), ("manager", "open"), ("other_team", "refused"), ("trustee", "refused"),
               ("administrator", "refused"), ("volunteer", "refused")]
    POST_DATA = {"text": "Met at the office on Monday.", "categories": "case_notes", "about_client": "on",
                 "source": "client", "level": "standard", "relationship": "friend", "name": "A supporter",
                 "number": "07700 900999", "when": "Mornings", "outcome": "appropriate", "client": "1",
                 "purpose": "cover", "reason": ""}

    def walk(self):
        """Every URL pattern, for each walker, GET and POST; yields (name, who, mode, method, url)."""
        for name, pattern in every_url_pattern():
            kwargs = {key: self.ids()[key] for key in pattern.pattern.converters}
            url = reverse(name, kwargs=kwargs)
            for who, mode in self.WALKERS:
                if name.startswith("partners:"):
                    # The directory: staff read it, managers change it, trustees see none of it.
                    reads = name in ("partners:directory", "partners:agency")
                    mode = "refused" if who == "trustee" or (not reads and who != "manager") else "open"
                elif name.startswith("web:staff_") or name == "web:organisation_settings":
                    # Staff accounts hold no client data: the administrator's pages, refused to everyone
                    # else with a 403 (tests/accounts/test_staff_admin.py), not the 404 of a client's record.
                    mode = "open"
                elif name in ("web:shared", "web:shared_download"):
                    mode = "open"  # the recipient's link: no sign-in, the token is the key
                elif name == "web:approve":
                    # the team manager approves the assigned worker's request; the requester may not
                    mode = "open" if who == "manager" else "refused"
                elif name == "web:task":
                    mode = "open" if who == "assigned" else "refused"  # one's own tasks only
                elif name == "web:review":
                    # the manager reviews the glass; the assigned worker and others are refused it
                    mode = "open" if who == "manager" else "refused"
                elif name.startswith("web:sar_") and kwargs:
                    # a subject-access request: the manager reviews it (compiled by the data controller);
                    # every worker, and anyone else walking, is refused it, and its client's file for it
                    mode = "open" if who == "manager" and name != "web:sar_new" else "refused"
                elif name.startswith("web:retention_") and kwargs:
                    mode = "open" if who == "manager" else "refused"  # a retention batch: managers' only
                elif name == "breaches:detail":
                    # the assigned worker recorded the breach; the manager is in the pack's breach chain
                    mode = "open" if who in ("assigned", "manager") else "refused"
                elif name == "complaints:detail":
                    mode = "refused"  # on DVIP only the data controller (not walking here) opens complaints
                elif name.startswith(("staffing:", "clearance:")) and kwargs:
                    # a personnel file (the manager is its line manager), an application, a request for a
                    # worker's contact details, a signed copy of a declaration, a request to read a file
                    # (the manager's role decides it): the manager's only
                    mode = "open" if who == "manager" else "refused"
                elif name.startswith("reports:") and kwargs:
                    # a released report: managers and trustees; a released case study: those and its drafter
                    readers = {"manager", "trustee"} | ({"assigned"} if "study_id" in kwargs else set())
                    mode = "open" if who in readers else "refused"
                elif not kwargs:
                    mode = "open"  # no record named: lists, forms, account pages
                elif who == "manager":
                    continue  # not the manager's client for direct support: covered by the refused walkers
                for method in ("GET", "POST"):
                    yield name, who, mode, method, url

    def test_no_page_reads_or_decrypts_client_data_around_the_gate(self):
        walked, failures, permitted_seen, refused_seen = set(), [], 0, 0
        for name, who, mode, method, url in self.walk():
            if name == "accounts:logout" or name == "accounts:lock":
                if method == "POST":
                    continue  # would end the session for the rest of the walk
            self.sign_in(who)
            with watching() as watch:
                response = self.client.post(url, self.POST_DATA) if method == "POST" else self.client.get(url)
            walked.add(name)
            where = f"{who} {method} {url} -> {response.status_code}"
            self.assertLess(response.status_code, 500, where)
            if mode == "refused":
                self.assertIn(response.status_code, (404, 405), where)
                if response.status_code == 404:
                    refused_seen += 1
                    if watch.decrypts or watch.unseals:
                        failures.append(f"{where}: a refused request decrypted {watch.decrypts + watch.unseals} "
                                        f"value(s)")
            elif response.status_code in (200, 302):
                permitted_seen += 1
            failures += [f"{where}: {problem}" for problem in watch.problems]
        self.assertFalse(failures, "\n\n".join(failures))
        self.assertEqual(walked, {name for name, _ in every_url_pattern()}, "every URL pattern was walked")
        self.assertGreater(permitted_seen, 20, "the walk reached permitted pages")
        self.assertGreater(refused_seen, 15, "the walk reached refused pages")

    def test_a_permitted_file_read_is_watched(self):
        # The detector sees the client-data reads and decryptions of a real page, so its silence above
        # means something.
        self.sign_in("assigned")
        with watching() as watch:
            response = self.client.get(reverse("web:client_file", args=[self.client_record.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertGreater(watch.client_sql, 3)
        self.assertGreater(watch.decrypts, 3)
        self.assertEqual(watch.problems, [])
        self.assertEqual(watch.permitted_clients, {self.client_record.pk})

    def test_a_permitted_personnel_file_read_is_watched(self):
        # Staff records are sealed under keys of their own (a personnel file's is minus its number): the
        # detector ties their decryptions to the permitted read that names the key.
        self.sign_in("manager")
        personnel = self.g["personnel_file"]
        with watching() as watch:
            response = self.client.get(reverse("staffing:file", args=[personnel.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertGreater(watch.decrypts, 0)
        self.assertEqual(watch.problems, [])
        self.assertEqual(watch.permitted_clients, {personnel.key_number})
        self.sign_in("assigned")
        with watching() as watch:
            response = self.client.get(reverse("staffing:file", args=[personnel.pk]))
        self.assertEqual(response.status_code, 404)
        self.assertEqual((watch.decrypts, watch.permitted), (0, False))

    def test_a_refused_file_read_touches_client_tables_only_in_the_gate_and_decrypts_nothing(self):
        self.sign_in("other_team")
        with watching() as watch:
            response = self.client.get(reverse("web:client_file", args=[self.client_record.pk]))
        self.assertEqual(response.status_code, 404)
        self.assertGreater(watch.client_sql, 0, "the gate itself looked the client up")
        self.assertEqual(watch.decrypts, 0)
        self.assertEqual(watch.problems, [])
        self.assertFalse(watch.permitted)

    def test_the_detector_catches_a_page_that_reads_around_the_gate(self):
        request = RequestFactory().get("/bad/")
        request.user = self.other_team
        with watching() as watch:
            response = bad_view(request, self.p["note"].pk)
        self.assertEqual(response.status_code, 200, "the bad page did read the note")
        self.assertTrue(any("client-data SQL outside the gate" in p and "records_entry" in p for p in watch.problems),
                        watch.problems)
        self.assertTrue(any("decrypted client" in p for p in watch.problems), watch.problems)
        self.assertTrue(any("test_one_gate.py" not in p for p in watch.problems))
        with watching() as watch:
            bad_list_view(request)
        self.assertEqual(len(watch.problems), 1, watch.problems)

    def test_the_detector_catches_a_read_of_another_client_after_the_gate_opened_one(self):
        # Permitted for one client is not permitted for all: decrypting someone else's data after the
        # gate opened the assigned worker's client is caught.
        self.sign_in("assigned")
        request = RequestFactory().get("/bad/")
        request.user = self.assigned
        with watching() as watch:
            access_module.access_client(self.assigned, self.client_record.pk, "direct_support")
            bad_view(request, self.p["other_doc"].pk)
        self.assertTrue(any(f"decrypted client {self.p['other_client'].pk}'s" in p for p in watch.problems),
                        watch.problems)

    def test_the_allowed_exceptions_are_narrow(self):
        # Another table read in an allowed function, or the allowed table read elsewhere, still fails.
        request = RequestFactory().get("/bad/")
        request.user = self.trustee
        with watching() as watch:
            bad_list_view(request)
        self.assertTrue(watch.problems)
        stack = traceback.extract_stack()
        self.assertFalse(allowed(stack, 'SELECT * FROM "records_case"'), "not from anonymised_figures")

    def test_a_permitted_breach_read_is_watched_and_opening_one_around_its_gate_is_caught(self):
        # A breach's account is sealed under the installation's key: the detector ties its opening to
        # the breach gate's yes for that breach, so opening it with no gate, or another breach after
        # the gate opened one, is caught.
        breach = self.g["breach"]
        self.sign_in("manager")
        with watching() as watch:
            response = self.client.get(reverse("breaches:detail", args=[breach.pk]))
        self.assertEqual(response.status_code, 200)
        self.assertGreater(watch.unseals, 0, "the page opened the breach's account")
        self.assertEqual(watch.problems, [])
        with watching() as watch:
            Breach.objects.get(pk=breach.pk).what_happened  # noqa: B018 - read around the gate
        self.assertTrue(any("unsealed a breach (what_happened)" in p for p in watch.problems), watch.problems)
        self.assertTrue(any("test_one_gate.py" not in p for p in watch.problems))

    def test_a_list_opened_in_bulk_is_watched(self):
        # A page of a list opens its clients' text with the keys read in one query (Sealed.reveal):
        # those decryptions are watched like one-at-a-time ones.
        self.sign_in("assigned")
        with watching() as watch:
            response = self.client.get(reverse("web:client_list"))
        self.assertEqual(response.status_code, 200)
        self.assertGreater(watch.decrypts, 0, "the list opened its clients' names")
        self.assertEqual(watch.problems, [])
        with watching() as watch:
            reveal_names([Client.objects.get(pk=self.p["other_client"].pk)])
        self.assertTrue(any(f"decrypted client {self.p['other_client'].pk}'s data in bulk" in p
                            for p in watch.problems), watch.problems)

"""One base test case whose people encode need-to-know, and the helpers tests share.

People (as healthchecks' hc/test.py): the worker assigned to the client's case, a worker in the same
team, a worker in another team, a volunteer, a manager, the data controller, a trustee and an
administrator. Roles are taken from the organisation's pack by their kind, so the same tests hold for
every pack. `ConfideTestCase` makes them once per class and names them: `self.assigned`,
`self.same_team`, `self.other_team`, `self.manager`, `self.trustee`, and the client with a case,
`self.client_record` and `self.case` (`self.client` is Django's test client); `self.p` holds them all.

Helpers that more than one test module uses live here, never imported from another test module:
`assert_refused` (refused exactly as a missing record is), `assert_max_queries`, the gate fixtures
(`add_fixtures`, `sharing_fixtures`), `every_url_pattern`, `ask` (a request to share), `code_for` (a
TOTP code), `confide` (the command in its own process), `tamper`/`row` (the audit log as an insider
with a SQL prompt sees it) and `scenarios` (the policy scenarios).
"""

from __future__ import annotations

import datetime as dt
import os
import re
import socket
import subprocess
import sys
import time
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pyotp
import yaml
from django.contrib.auth import get_user_model
from django.db import connection
from django.test import TestCase
from django.test.utils import CaptureQueriesContext
from django.urls import URLPattern, URLResolver, get_resolver
from django.utils import timezone

from confide.accounts.middleware import LAST_SEEN
from confide.accounts.models import Organisation, Team
from confide.audit.models import AuditEvent
from confide.policy import load_pack
from confide.records import access as gate
from confide.records.entries import EntryFacts, do_add_document, do_add_note
from confide.records.identity import index_key, query_tokens
from confide.records.models import Case, Client, ClientNameToken
from confide.records.people import do_add_related_person
from confide.records.safe_contact import do_set_safe_contact
from confide.sharing.consent import Form, Given, do_record_consent, do_store_wording
from confide.sharing.disclosure import Asked, Recipient, do_decide, do_make_link, do_request_disclosure
from confide.sharing.incoming import do_log_request
from confide.sharing.models import Disclosure, LimitsTold, Task
from confide.sharing.tasks import do_add_task
from confide.staffing.demo import sign_everyone
from tests.audit import triggers

CLIENT_NAME = "Zelda Quillfeather"        # fictional; tests search pages and logs for it
OTHER_CLIENT_NAME = "Ambrose Thistlewick"  # fictional; belongs to the other team
NOTE_TEXT = "Zelda said the blue door is safe to use after six."
PERSON_NAME = "Quentin Marblewood"         # fictional; the client's ex-partner, on her file
SAFE_NUMBER = "07700 900461"               # Ofcom's drama range: never a real number
DOCUMENT_TEXT = b"Tenancy letter for the flat on Larkspur Row."
DOCUMENT_NAME = "tenancy-letter.txt"
SEALED_TEXT = "GP letter: medication reviewed on the ninth."

# More fictional people (add_fixtures): a second client of the north team whom nobody is assigned
# to, and what the other team's client has on file.
NORTH_NAME = "Wilhelmina Fenwright"
NORTH_NOTE = "Wilhelmina asked for the leaflet in large print."
NORTH_PERSON = "Horace Pettigrew"
NORTH_SAFE = "07700 900777"
NORTH_DOC = b"Housing benefit letter for the flat on Nettle Lane."
OTHER_NOTE = "Ambrose came to the group session on Tuesday."
OTHER_PERSON = "Cordelia Vantongeren"
OTHER_SAFE = "07700 900123"
OTHER_DOC = b"Probation appointment letter for Ambrose."
SEALED_DOC = b"Hospital discharge summary, kept sealed."

SECRET_TEXT = [CLIENT_NAME, PERSON_NAME, NOTE_TEXT, SAFE_NUMBER, SEALED_TEXT, OTHER_CLIENT_NAME, OTHER_NOTE,
               OTHER_PERSON, OTHER_SAFE, NORTH_NAME, NORTH_NOTE, NORTH_PERSON, NORTH_SAFE]
SECRET_BYTES = [DOCUMENT_TEXT, NORTH_DOC, OTHER_DOC, SEALED_DOC]


def role_of_kind(pack, kind: str) -> str:
    for name, role in pack.roles.items():
        if role.kind == kind:
            return name
    raise LookupError(f"pack {pack.name} has no role of kind {kind}")


def make_people(pack_name: str = "dvip") -> dict:
    pack = load_pack(pack_name)
    Organisation.objects.create(id=1, name="Test Support Service", pack=pack_name)
    north = Team.objects.create(name="North team", slug="north")
    south = Team.objects.create(name="South team", slug="south")
    User = get_user_model()

    def person(username, kind, team, first, last):
        user = User.objects.create_user(username=username, password=f"{username}-password-1",
                                        role=role_of_kind(pack, kind), team=team, first_name=first, last_name=last)
        return user

    people: dict = {
        "assigned": person("assigned", "worker", north, "Ada", "Assigned"),
        "same_team": person("sameteam", "worker", north, "Sam", "Teamson"),
        "other_team": person("otherteam", "worker", south, "Olly", "Otherteam"),
        "manager": person("manager", "manager", north, "Mona", "Manager"),
        "data_controller": person("controller", "data_controller", north, "Dara", "Controller"),
        "trustee": person("trustee", "trustee", None, "Tess", "Trustee"),
    }
    if any(role.kind == "volunteer" for role in pack.roles.values()):
        people["volunteer"] = person("volunteer", "volunteer", north, "Val", "Volunteer")
    if any(role.kind == "administrator" for role in pack.roles.values()):
        people["administrator"] = person("admin", "administrator", north, "Alex", "Admin")
    # Everyone has signed the declarations their pack asks for and been inducted (issue 16), so the
    # gate opens to them as before; tests of the gate's clearance check make people who have not.
    sign_everyone(list(people.values()), timezone.localdate())
    service = next(iter(pack.services))
    client = Client.objects.create(display_name=CLIENT_NAME, team=north)
    case = Case.objects.create(client=client, service=service, team=north, status=Case.Status.OPEN)
    case.workers.add(people["assigned"])
    note = do_add_note(people["assigned"], case, NOTE_TEXT)
    ex = do_add_related_person(people["assigned"], client, "ex_partner", {"name": PERSON_NAME})
    do_set_safe_contact(people["assigned"], client, {"number": SAFE_NUMBER, "when": "Weekdays before noon"})
    document = do_add_document(people["assigned"], case, DOCUMENT_NAME, "text/plain", DOCUMENT_TEXT,
                               "Tenancy letter", EntryFacts(about_people=[ex]))
    sealed = do_add_note(people["assigned"], case, SEALED_TEXT, EntryFacts(categories=["medical_record"], sealed=True))
    other = Client.objects.create(display_name=OTHER_CLIENT_NAME, team=south)
    other_case = Case.objects.create(client=other, service=service, team=south, status=Case.Status.OPEN)
    other_case.workers.add(people["other_team"])
    return {"pack": pack, "north": north, "south": south, "client": client, "case": case, "note": note,
            "document": document, "sealed": sealed, "ex_partner": ex, "other_client": other, "other_case": other_case,
            **people}


def clients_named(name: str) -> list[Client]:
    """The clients with exactly this name, found as the search finds them (the blind index: the
    database holds no name to compare) and then checked once decrypted."""
    found = Client.objects.all()
    for token in query_tokens(index_key(), name):
        found = found.filter(pk__in=ClientNameToken.objects.filter(token=token).values("client_id"))
    return [client for client in found if client.display_name == name]


def code_for(secret: str, offset_steps: int = 0) -> str:
    """The TOTP code an authenticator app would show now (or `offset_steps` periods from now)."""
    return pyotp.TOTP(secret).at(time.time() + 30 * offset_steps)


def ask(people, who="assigned", *, kind="childrens_services", grounds=("child_at_risk_of_significant_harm",),
        purpose="child_protection", channel="secure_email") -> Disclosure:
    """A request to share the client's note, made by `who` on the client's file."""
    user = people[who]
    grant = gate.access_client_to_write(user, people["client"].pk,
                                        "direct_support" if who != "manager" else "child_protection",
                                        action="client.sharing.write")
    asked = Asked(recipient=Recipient(kind=kind, name="Duty desk"), entries=[people["note"]], purpose=purpose,
                  channel=channel, grounds=list(grounds), reason="Concerns for the children raised at the visit.")
    return do_request_disclosure(user, people["pack"], grant, people["case"], asked)


def confide_env(var) -> dict:
    """The environment for running the `confide` command on its own var directory (none of ours)."""
    # Nor make's: run by `make test`, the command would think `make demo` ran it (confide/cli.py).
    env = {k: v for k, v in os.environ.items()
           if not k.startswith(("CONFIDE_", "MAKE")) and k not in ("DJANGO_SETTINGS_MODULE", "MFLAGS")}
    env["CONFIDE_VAR_DIR"] = str(var)
    return env


def confide(args, var, timeout=180):
    """Run the `confide` command as a person would, in its own process."""
    return subprocess.run([sys.executable, "-m", "confide.cli", *args], env=confide_env(var),
                          capture_output=True, text=True, timeout=timeout)


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


def tamper(*statements: tuple[str, list]) -> None:
    """What someone with the database file and a SQL prompt could do: switch the audit log's triggers
    off, change rows, switch them back on."""
    with triggers.off(), connection.cursor() as cursor:
        for sql, params in statements:
            cursor.execute(sql, params)


def row(seq: int) -> dict:
    """One audit event, as its database row."""
    return AuditEvent.objects.filter(seq=seq).values().get()


SCENARIOS = Path(__file__).parent / "policy" / "scenarios"


def scenarios(name: str) -> list[dict]:
    """The policy scenarios written for one pack (tests/policy/scenarios/NAME.yaml)."""
    data = yaml.safe_load((SCENARIOS / f"{name}.yaml").read_text(encoding="utf-8"))
    assert data["pack"] == name
    return data["scenarios"]


def every_url_pattern(resolver=None, namespace="") -> Iterator[tuple[str, URLPattern]]:
    """Every URL pattern Confide answers, as (namespaced name, pattern)."""
    resolver = resolver or get_resolver()
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            inner = f"{namespace}{entry.namespace}:" if entry.namespace else namespace
            yield from every_url_pattern(entry, inner)
        elif isinstance(entry, URLPattern):
            yield f"{namespace}{entry.name}", entry


def add_fixtures(p: dict) -> dict:
    """Give every target the same things on file, and add a sealed document to the client's case."""
    author = p["assigned"]
    north = Client.objects.create(display_name=NORTH_NAME, team=p["north"])
    north_case = Case.objects.create(client=north, service=p["case"].service, team=p["north"], status=Case.Status.OPEN)
    do_add_note(author, north_case, NORTH_NOTE)
    horace = do_add_related_person(author, north, "ex_partner", {"name": NORTH_PERSON})
    do_set_safe_contact(author, north, {"number": NORTH_SAFE, "when": "Evenings"})
    north_doc = do_add_document(author, north_case, "benefit.txt", "text/plain", NORTH_DOC, "Benefit letter",
                                EntryFacts(about_people=[horace]))
    other, other_case = p["other_client"], p["other_case"]
    do_add_note(p["other_team"], other_case, OTHER_NOTE)
    cordelia = do_add_related_person(p["other_team"], other, "partner", {"name": OTHER_PERSON})
    do_set_safe_contact(p["other_team"], other, {"number": OTHER_SAFE, "when": "Mornings"})
    other_doc = do_add_document(p["other_team"], other_case, "probation.txt", "text/plain", OTHER_DOC,
                                "Probation letter", EntryFacts(about_people=[cordelia]))
    sealed_doc = do_add_document(author, p["case"], "discharge.txt", "text/plain", SEALED_DOC, "Discharge summary",
                                 EntryFacts(categories=["medical_record"], sealed=True))
    return {"north_client": north, "north_case": north_case, "north_doc": north_doc, "other_doc": other_doc,
            "sealed_doc": sealed_doc}


def sharing_fixtures(p: dict, who: str = "assigned", client: str = "client", case: str = "case", note: str = "note",
                     approver: str | None = "manager") -> dict:
    """A consent (with its signed form), a request to share waiting for approval, and, with an
    approver, a second one approved with its task and secure link; and a logged request from
    outside with its court order. All on one client's file, by the worker on the case."""
    user, pack, the_client, the_case = p[who], p["pack"], p[client], p[case]
    grant = gate.access_client_to_write(user, the_client.pk, "direct_support", action="client.sharing.write")
    consent = do_record_consent(user, pack, "Test Support Service", the_client, the_case.service, Given(
        recipients=["police"], agencies=[], data=["case_notes"], purposes=["liaison"], how="written", has_capacity=True,
        informed=True, free_from_duress=True, given_on=timezone.localdate(),
        expires_on=timezone.localdate() + dt.timedelta(days=60),
        form_file=("signed-consent.txt", "text/plain", b"Signed consent form, scanned.")))

    def ask():
        return do_request_disclosure(user, pack, grant, the_case, Asked(
            recipient=Recipient(kind="social_services", name="Duty desk"), entries=[p[note]],
            purpose="child_protection", channel="secure_link", grounds=["child_at_risk_of_significant_harm"],
            reason="Concerns raised at the visit."))

    waiting = ask()
    ids = {"consent_id": consent.pk, "disclosure_id": waiting.pk}
    if approver:
        approved = ask()
        do_decide(p[approver], approved.pk, "approve", "Threshold met, share now.", f"{p[approver].username}-password-1")
        _link, ids["token"] = do_make_link(user, approved.pk)
        ids["task_id"] = Task.objects.filter(disclosure=approved).first().pk
    else:
        ids["task_id"] = do_add_task(None, kind="inform_subject", title_text="Tell the client", clause="1",
                                     client_id=the_client.pk, case_id=the_case.pk, assigned_to_id=user.pk).pk
    logged = do_log_request(user, pack, the_client, requester_kind="police", agency=None, how="phone",
                            details="DC Example asked for the last address.", order="court_order",
                            order_file=("order.txt", "text/plain", b"Order of the Family Court."))
    ids["request_id"] = logged.pk
    # A record that the client was told the limits of confidentiality and signed them, with the signed
    # copy sealed under the client's key (as confide.sharing.limits.do_record_limits_told keeps it).
    wording = do_store_wording(pack, Form("statement", "Statement", "The limits of confidentiality.\n", False))
    told = LimitsTold(client=the_client, wording=wording, how="signed", told_on=timezone.localdate(), recorded_by=user)
    told.form_filename, told.form_content = "signed.txt", b"Signed statement."
    told.form_content_type = "text/plain"
    told.save()
    ids["told_id"] = told.pk
    return {"ids": ids}


def strip_volatile(content: bytes) -> bytes:
    """A response body without its CSRF token or any nonce, for comparing two pages byte for byte."""
    content = re.sub(rb'name="csrfmiddlewaretoken" value="[^"]*"', b'name="csrfmiddlewaretoken" value=""', content)
    content = re.sub(rb'<meta name="csrf-token" content="[^"]*"', b'<meta name="csrf-token" content=""', content)
    return re.sub(rb'nonce="[^"]*"', b'nonce=""', content)


def assert_no_secrets(test, response, where: str):
    """Nothing on file for any of the fictional clients (names, notes, numbers, document bytes) is in
    the response, and nothing was sent as an attachment."""
    body = response.content
    for secret in SECRET_TEXT:
        test.assertNotIn(secret.encode(), body, f"{where}: {secret!r} shown")
    for secret in SECRET_BYTES:
        test.assertNotIn(secret, body, f"{where}: document bytes shown")
    disposition = response.get("Content-Disposition", "")
    test.assertNotIn("attachment", disposition, f"{where}: an attachment was sent")


class ConfideTestCase(TestCase):
    pack_name = "dvip"

    @classmethod
    def setUpTestData(cls):
        cls.p = make_people(cls.pack_name)
        # The named people. Each test gets its own copy of each (Django copies what setUpTestData
        # makes), so compare them with self.p's by primary key, not identity.
        cls.assigned = cls.p["assigned"]        # a worker on the client's case
        cls.same_team = cls.p["same_team"]      # a worker in the same team, not on the case
        cls.other_team = cls.p["other_team"]    # a worker in another team (on other_client's case)
        cls.manager = cls.p["manager"]          # the north team's manager
        cls.trustee = cls.p["trustee"]          # anonymised figures only
        cls.client_record = cls.p["client"]     # the client, with a case (self.client is the test client)
        cls.case = cls.p["case"]

    def assert_refused(self, response, like=None, *, status: int = 404, where: str = ""):
        """Refused exactly as a missing record is: a 404 (or `status`) showing nothing on file for any
        client and sending no attachment; given `like` (the response for a record that does not
        exist), the same bytes and content type, so the answer tells nobody the record exists."""
        self.assertEqual(response.status_code, status, where)
        assert_no_secrets(self, response, where or "refused")
        if like is not None:
            self.assertEqual(like.status_code, status, f"{where}: the missing record's answer")
            self.assertEqual(strip_volatile(response.content), strip_volatile(like.content), where)
            self.assertEqual(response.get("Content-Type"), like.get("Content-Type"), where)

    @contextmanager
    def assert_max_queries(self, most: int, *, fewest: int = 0):
        """The block runs at most `most` SQL statements (and at least `fewest`, so that a block that
        reads nothing is noticed); on failure the statements are listed. Yields the captured list."""
        with CaptureQueriesContext(connection) as captured:
            yield captured
        count = len(captured)
        listing = "\n".join(f"  {i}. {q['sql'][:300]}" for i, q in enumerate(captured.captured_queries, 1))
        self.assertLessEqual(count, most, f"{count} queries, expected at most {most}:\n{listing}")
        self.assertGreaterEqual(count, fewest, f"{count} queries, expected at least {fewest}:\n{listing}")

    def sign_in(self, who: str):
        """Sign in as one of the people, past both factors (those are tested in test_sign_in)."""
        user = self.p[who]
        self.client.force_login(user)
        session = self.client.session
        session[LAST_SEEN] = time.time()
        session.save()
        return user

"""`confide demo` as a new user meets it: a real SQLite file under a fresh var/, a real server,
a demo login that reaches its home page, and tampering by hand caught by `confide audit verify`."""

from __future__ import annotations

import http.client
import http.cookiejar
import json
import os
import re
import sqlite3
import subprocess
import sys
import time
import urllib.error
import urllib.parse
import urllib.request
from pathlib import Path

import pytest

from confide.demo import (
    DEMO_PASSWORD,
    NOTE_LINES,
    RISK_LINES,
    SAFE_TIMES,
    DemoError,
    do_ensure_demo,
)
from confide.policy import load_pack
from confide.staffing.monitoring import QUESTIONS
from tests.base import confide, confide_env, free_port, make_people
from tests.conftest import copy_of_made_demo


@pytest.fixture(scope="module")
def demo_var(made_demo, tmp_path_factory):
    # `confide demo --no-serve --clients 12` on a fresh var directory (made once for the run), copied.
    _, first = made_demo
    assert "Created the demo organisation" in first
    return copy_of_made_demo(made_demo, tmp_path_factory, "demo"), first


def test_demo_prints_a_login_for_every_role_and_reuses_what_exists(demo_var):
    var, output = demo_var
    from confide.policy import load_pack

    for role in load_pack("dvip").roles.values():
        assert role.label in output
    assert DEMO_PASSWORD in output
    assert (var / "confide.sqlite3").is_file() and (var / "secret_key").is_file()
    again = confide(["demo", "--no-serve", "--clients", "12"], var)
    assert again.returncode == 0
    assert again.stdout.startswith("Reusing the demo organisation")
    other_pack = confide(["demo", "--no-serve", "--pack", "justus"], var)
    assert other_pack.returncode == 2
    assert other_pack.stderr.startswith("confide: --pack: the demo here already uses 'dvip'")


MONITORING_WORDS = " ".join(f"{value} {words}" for _, choices in QUESTIONS.values() for value, words in choices)
SERVICE_WORDS = " ".join(service.label for service in load_pack("dvip").services.values())


def test_a_raw_look_at_the_database_files_shows_no_note_text(demo_var):
    var, _ = demo_var
    raw = b"".join(path.read_bytes() for path in var.glob("confide.sqlite3*"))
    assert b"records_entry" in raw and b"records_safecontact" in raw, "this is the database with the notes in it"
    for line in NOTE_LINES + RISK_LINES + SAFE_TIMES + ["Say you are calling from the surgery", "07700 900"]:
        assert line.encode() not in raw
        assert line[:25].encode() not in raw
    assert (var / "keystore.sqlite3").is_file(), "the keys are in a file of their own"
    assert b"data_keys" not in raw, "and not in the main database"


def test_a_raw_look_at_the_database_files_finds_no_clients_name_or_date_of_birth(demo_var):
    # DVIP 3.07: victims may contact DVIP without anyone outside the organisation knowing (Day-Mer:
    # "including the fact of their visit"). Each demo client's name and date of birth, read through
    # Confide with the keys, then looked for in the bytes of the database and its WAL.
    var, _ = demo_var
    shell = confide(["manage", "shell", "-c", "import json; from confide.records.models import Client; "
                     "from confide.accounts.models import User; from confide.partners.models import AgencyContact; "
                     "print(json.dumps([[[c.display_name, c.date_of_birth.isoformat()] for c in Client.objects.all()], "
                     "[n for u in User.objects.all() for n in (u.first_name, u.last_name)] "
                     "+ [n for a in AgencyContact.objects.all() for n in a.name.split()]]))"], var)
    assert shell.returncode == 0, shell.stderr
    people, staff_names = json.loads(shell.stdout.strip().splitlines()[-1])
    assert len(people) >= 12 and all(name and born for name, born in people)  # with the year of past clients
    raw = b"".join(path.read_bytes() for path in var.glob("confide.sqlite3*"))
    assert b"records_client" in raw and b"records_clientnametoken" in raw, "this is the database with the clients in it"
    for name, born in people:
        # Each part too, unless a member of staff or a partner agency's contact (whose names are theirs
        # to show, in clear in the directory) has a name that holds it ("Marc" in "Marcus").
        # Nor a word of the equal-opportunities forms' fixed answers, kept in clear and unlinked ("White"),
        # or of a service's name, which a released report's tables hold ("Stephen" in "Stephen's Place").
        # A short part turns up in megabytes of random bytes (ciphertext, keys, hashes) by chance: three
        # letters ("Zoe") nearly always, four ("Anna") now and then (seen once in CI, in a database whose
        # clear text holds no "Anna"); each letter more makes it 256 times rarer. The whole name and the
        # date of birth are looked for whatever their length.
        parts = {part for part in name.split() if not any(part in other for other in staff_names)
                 and part not in MONITORING_WORDS and part not in SERVICE_WORDS and len(part) >= 5}
        for text in {name, born, born.replace("-", ""), *parts}:
            assert text.encode() not in raw and text.encode("utf-16-le") not in raw, "a client's name or birth date"
    db = sqlite3.connect(var / "confide.sqlite3")
    try:
        tokens = [row[0] for row in db.execute("SELECT token FROM records_clientnametoken")]
    finally:
        db.close()
    assert tokens and all(len(found) == 22 for found in tokens)
    assert not {part.lower() for name, _ in people for part in name.split()} & {found.lower() for found in tokens}


def test_the_database_file_is_in_wal_mode_with_full_sync(demo_var):
    var, _ = demo_var
    db = sqlite3.connect(var / "confide.sqlite3")
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "wal"  # kept in the file itself
    db.close()
    shell = confide(["manage", "shell", "-c", "from django.db import connection; c = connection.cursor(); "
                     "c.execute('PRAGMA synchronous'); print(c.fetchone()[0])"], var)
    assert shell.stdout.strip().splitlines()[-1] == "2", "FULL: every commit is on disk before Confide goes on"


def test_the_served_demo_lets_a_demo_user_through_to_their_home_page(demo_var):
    var, _ = demo_var
    port = free_port()
    server = subprocess.Popen([sys.executable, "-m", "confide.cli", "demo", "--port", str(port)],
                              env=confide_env(var), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    try:
        jar = http.cookiejar.CookieJar()
        opener = urllib.request.build_opener(urllib.request.HTTPCookieProcessor(jar))
        base = f"http://127.0.0.1:{port}"
        for _ in range(100):
            try:
                page = opener.open(base + "/account/sign-in/", timeout=5).read().decode()
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the demo server did not start")
        assert "<h1>Sign in</h1>" in page and "Demo mode." in page
        token = re.search(r'name="csrfmiddlewaretoken" value="([^"]+)"', page).group(1)
        data = urllib.parse.urlencode({"username": "wss-worker", "password": DEMO_PASSWORD,
                                       "csrfmiddlewaretoken": token}).encode()
        home = opener.open(base + "/account/sign-in/", data=data, timeout=10)
        text = home.read().decode()
        assert home.url == base + "/"
        assert "<h1>Hello, " in text and "Your clients" in text
        assert "Women&#x27;s Support Service worker" in text
        first_client = re.search(r'href="(/clients/\d+/)"', text).group(1)
        file_page = opener.open(base + first_client, timeout=10).read().decode()
        assert any(line.replace("'", "&#x27;") in file_page for line in NOTE_LINES), "notes read back in clear"
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_a_rewrite_of_the_whole_chain_is_caught_against_a_kept_head(demo_var, tmp_path):
    import shutil

    from confide.audit.chain import GENESIS, event_hash

    var = tmp_path / "var"
    shutil.copytree(demo_var[0], var)
    kept = confide(["audit", "head"], var).stdout.strip()
    assert confide(["audit", "verify", "--against", kept], var).returncode == 0
    # Someone with the file rewrites event #1 and recomputes every hash and the head.
    db = sqlite3.connect(var / "confide.sqlite3")
    with db:
        db.execute("DROP TRIGGER audit_event_no_update")
        db.execute("DROP TRIGGER audit_head_only_append")  # the head moves only with an append (audit 0003)
        rows = db.execute("SELECT seq, CAST(at AS TEXT), actor_id, actor, action, object_type, object_id, client_id, "
                          "purpose, detail FROM audit_event ORDER BY seq").fetchall()
        prev = GENESIS
        for seq, at, *rest in rows:
            rest[2] = "forged"  # the action
            digest = event_hash(seq, f"{at[:10]}T{at[11:19]}.{at[20:26] if len(at) > 19 else '000000'}Z", *rest, prev)
            db.execute("UPDATE audit_event SET action = 'forged', prev_hash = ?, hash = ? WHERE seq = ?", (prev, digest, seq))
            prev = digest
        db.execute("UPDATE audit_head SET hash = ?", (prev,))
    db.close()
    signed = var / "audit_checkpoints.jsonl"  # left by a serve test: checkpoints catch the rewrite too
    if signed.exists():
        assert confide(["audit", "verify"], var).returncode == 1
        signed.unlink()
    assert confide(["audit", "verify"], var).returncode == 0, "a full rewrite passes the chain check alone"
    against = confide(["audit", "verify", "--against", kept], var)
    assert against.returncode == 1
    assert "no longer has the hash that was kept" in against.stderr
    bad = confide(["audit", "verify", "--against", "12 nothex"], var)
    assert bad.returncode == 2 and "expected what 'confide audit head' printed" in bad.stderr


def test_an_unreachable_database_is_one_line_not_a_traceback(tmp_path):
    env_var = tmp_path / "var"
    result = subprocess.run([sys.executable, "-m", "confide.cli", "audit", "verify"],
                            env=confide_env(env_var) | {"CONFIDE_DATABASE_URL": "postgresql://nobody:pw-secret@127.0.0.1:1/none"},
                            capture_output=True, text=True, timeout=60)
    assert result.returncode == 2
    assert len(result.stderr.strip().splitlines()) == 1
    assert result.stderr.startswith("confide: cannot read the audit log (")
    assert "pw-secret" not in result.stderr


def test_behind_an_https_proxy_the_scheme_is_believed_only_from_the_proxy(demo_var):
    var, _ = demo_var
    port = free_port()
    env = confide_env(var) | {"CONFIDE_HTTPS": "1"}
    server = subprocess.Popen([sys.executable, "-m", "confide.cli", "serve", "--port", str(port)],
                              env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)

    class NoRedirect(urllib.request.HTTPRedirectHandler):
        def redirect_request(self, *args, **kwargs):
            return None

    opener = urllib.request.build_opener(NoRedirect())

    def get(headers):
        request = urllib.request.Request(f"http://127.0.0.1:{port}/account/sign-in/", headers=headers)
        try:
            return opener.open(request, timeout=5)
        except urllib.error.HTTPError as error:
            return error

    try:
        for _ in range(100):
            try:
                via_proxy = get({"X-Forwarded-Proto": "https"})
                break
            except OSError:
                time.sleep(0.1)
        else:
            pytest.fail("the server did not start")
        assert via_proxy.status == 200
        assert via_proxy.headers["Strict-Transport-Security"].startswith("max-age=31536000")
        assert "Secure" in via_proxy.headers["Set-Cookie"]
        plain = get({})
        assert plain.status == 301 and plain.headers["Location"].startswith("https://")
    finally:
        server.terminate()
        server.wait(timeout=20)


def test_tampering_with_the_database_file_by_hand_is_caught(demo_var):
    var, _ = demo_var
    ok = confide(["audit", "verify"], var)
    assert ok.returncode == 0, ok.stderr
    assert ok.stdout.startswith("Audit log intact")
    parallel = confide(["audit", "verify", "--workers", "2"], var)  # hashes checked in two processes
    assert (parallel.returncode, parallel.stdout) == (0, ok.stdout)
    db = sqlite3.connect(var / "confide.sqlite3")
    with db:
        db.execute("DROP TRIGGER audit_event_no_update")
        db.execute("UPDATE audit_event SET actor = 'nobody' WHERE seq = 1")
    db.close()
    for workers in ("1", "2"):
        broken = confide(["audit", "verify", "--workers", workers], var)
        assert broken.returncode == 1
        assert "BROKEN at event #1" in broken.stderr
        assert "edited" in broken.stderr
    bad = confide(["audit", "verify", "--workers", "0"], var)
    assert bad.returncode == 2 and "expected 1 or more" in bad.stderr


@pytest.mark.django_db
def test_the_demo_never_touches_a_real_organisation():
    make_people("dvip")  # a real (not demo) organisation
    with pytest.raises(DemoError, match="holds a real organisation"):
        do_ensure_demo()


@pytest.mark.django_db
def test_an_unknown_pack_is_a_clear_error():
    with pytest.raises(DemoError, match="^--pack: "):
        do_ensure_demo(pack="no-such-pack")


def test_adding_staff_prints_a_one_time_set_up_code(demo_var, tmp_path):
    import shutil

    var = tmp_path / "var"
    shutil.copytree(demo_var[0], var)
    env = confide_env(var)
    added = subprocess.run([sys.executable, "-m", "confide.cli", "user", "add", "newbie", "--role", "wss_worker",
                            "--team", "north", "--first-name", "Nova", "--password-stdin"],
                           env=env, input="a long first password 42\n", capture_output=True, text=True, timeout=60)
    assert added.returncode == 0, added.stderr
    first = re.search(r"Set-up code for newbie: ([A-Z2-9]{4}-[A-Z2-9]{4}-[A-Z2-9]{4})", added.stdout)
    assert first and "never by email" in added.stdout
    again = confide(["user", "setup-code", "newbie"], var)
    second = re.search(r"Set-up code for newbie: (\S+)", again.stdout)
    assert second and second.group(1) != first.group(1)
    for args, words in ((["user", "add", "x", "--role", "wizard", "--team", "north"], "--role: expected one of vpp_worker"),
                        (["user", "add", "x", "--role", "wss_worker", "--team", "east"], "--team: no team 'east'"),
                        (["user", "add", "newbie", "--role", "wss_worker", "--team", "north"], "username: 'newbie' is taken"),
                        (["user", "setup-code", "nobody"], "username: no account 'nobody'")):
        refused = confide(args, var)
        assert refused.returncode == 2 and refused.stderr.startswith(f"confide: {words}"), refused.stderr
    weak = subprocess.run([sys.executable, "-m", "confide.cli", "user", "add", "weak", "--role", "wss_worker",
                           "--team", "north", "--password-stdin"], env=env, input="password\n",
                          capture_output=True, text=True, timeout=60)
    assert weak.returncode == 2 and weak.stderr.startswith("confide: password: ")


@pytest.mark.django_db
def test_in_the_demo_a_worker_lists_only_their_own_cases_and_can_break_the_glass_for_review(client):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from confide.records.models import BreakGlass, Client

    do_ensure_demo(clients=40)
    User = get_user_model()
    worker = User.objects.get(username="vpp-worker")
    client.force_login(worker)
    page = client.get(reverse("web:client_list")).content.decode()
    own = Client.objects.filter(cases__workers=worker).distinct()
    others = Client.objects.exclude(pk__in=own.values("pk"))
    assert own.exists() and others.exists()
    assert all(c.display_name in page for c in own), "every one of their own clients is listed"
    own_names = {c.display_name for c in own}
    assert not any(c.display_name in page for c in others if c.display_name not in own_names)
    stranger = others.filter(team__slug="south").first()
    response = client.post(reverse("web:open_outside"), {"client": stranger.pk, "purpose": "direct_support",
                                                         "reason": "Duty line: her worker is on leave today"})
    assert response.status_code == 302
    assert stranger.display_name in client.get(response["Location"]).content.decode()
    client.force_login(User.objects.get(username="team-manager"))
    queue = client.get(reverse("web:review_queue")).content.decode()
    glass = BreakGlass.objects.get(user=worker)
    assert reverse("web:review", args=[glass.pk]) in queue and worker.get_full_name() in queue


def _serving(var, processes: int) -> tuple[subprocess.Popen, str]:
    """`confide serve` in this many processes, once it answers: the server and its sign-in page."""
    port = free_port()
    env = confide_env(var) | {"CONFIDE_SERVE_PROCESSES": str(processes)}
    server = subprocess.Popen([sys.executable, "-m", "confide.cli", "serve", "--port", str(port)], env=env,
                              stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL)
    url = f"http://127.0.0.1:{port}/account/sign-in/"
    for _ in range(100):
        try:
            assert urllib.request.urlopen(url, timeout=5).status == 200
            return server, url
        except OSError:
            time.sleep(0.1)
    server.kill()
    pytest.fail("the server did not start")


def test_serving_in_several_processes_answers_and_stops_with_its_parent(demo_var):
    server, url = _serving(demo_var[0], 3)
    try:
        children = [int(pid) for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
        assert len(children) == 3, "three serving processes"
        for _ in range(12):  # every request is answered, whichever process takes it
            assert urllib.request.urlopen(url, timeout=5).status == 200  # noqa: S310 -- our own http server
    finally:
        server.kill()  # not a polite stop: the serving processes must still go with it
        server.wait(timeout=20)
    for _ in range(100):
        if not any(Path(f"/proc/{pid}").exists() for pid in children):
            break
        time.sleep(0.1)
    else:
        pytest.fail("serving processes outlived their parent")


def _sockets(pid: int) -> int:
    count = 0
    for fd in Path(f"/proc/{pid}/fd").iterdir():
        try:
            count += os.readlink(fd).startswith("socket:")
        except OSError:
            continue
    return count


def test_serving_processes_share_out_the_browsers_that_keep_their_connections_open(demo_var):
    # A browser sends page after page down one connection, served by whichever process accepted it.
    # Ten browsers on two processes: each process must take its share, not one take them all.
    server, url = _serving(demo_var[0], 2)
    port = urllib.parse.urlsplit(url).port
    browsers = []
    try:
        time.sleep(0.5)  # the connection above is closed and forgotten by its process
        children = [int(pid) for pid in Path(f"/proc/{server.pid}/task/{server.pid}/children").read_text().split()]
        before = {pid: _sockets(pid) for pid in children}
        for _ in range(10):
            browser = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
            browser.request("GET", "/account/sign-in/")
            assert browser.getresponse().status == 200
            browsers.append(browser)
        held = sorted(_sockets(pid) - before[pid] for pid in children)
        assert sum(held) == 10, held
        assert held[0] >= 4, f"connections per process: {held}"
    finally:
        for browser in browsers:
            browser.close()
        server.terminate()
        server.wait(timeout=20)


@pytest.mark.django_db
def test_in_the_demo_a_victims_notes_go_to_childrens_services_on_approval_and_never_to_her_ex_partner(client):
    # The "done when", on the demo itself: ask, see the reasons, a manager approves, the
    # agency downloads through the link once, and it is all on the client's record; the same request
    # to her ex-partner is refused citing DVIP 3.08, and the refusal is recorded.
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from confide.demo import DEMO_PASSWORD
    from confide.partners.models import AgencyContact
    from confide.records.models import Client, Entry
    from confide.sharing.models import Disclosure

    do_ensure_demo(clients=40)
    User = get_user_model()
    worker = User.objects.get(username="wss-worker")
    victim = (Client.objects.filter(cases__workers=worker, subject_role="victim", people__relationship="ex_partner",
                                    cases__entries__kind="note", disclosures__isnull=True).distinct().first())
    assert victim is not None, "the demo gives the worker a victim with an ex-partner on file"
    note = Entry.objects.filter(case__client=victim, kind="note", sealed=False).first()
    social_worker = AgencyContact.objects.get(agency__kind="childrens_services", name="Priya Fenwick")
    client.force_login(worker)
    share = reverse("web:share", args=[victim.pk])
    form = {"case": str(note.case_id), "entries": [str(note.pk)], "purpose": "child_protection",
            "grounds": ["child_at_risk_of_significant_harm"], "channel": "secure_link",
            "reason": "The younger child disclosed being hit at home; school has raised concerns."}
    asked = client.post(share, {**form, "to": f"contact:{social_worker.pk}"})
    assert asked.status_code == 302, asked.content.decode()[:2000]
    disclosure = Disclosure.objects.get(client=victim)
    page = client.get(asked["Location"]).content.decode()
    assert "it may be shared if approved" in page and "clause 3.02" in page and "Legal basis" in page
    client.force_login(User.objects.get(username="team-manager"))
    decided = client.post(reverse("web:approve", args=[disclosure.pk]),
                          {"decision": "approve", "note": "Threshold for a child protection referral is met.",
                           "secret": DEMO_PASSWORD})
    assert decided.status_code == 302
    client.force_login(worker)
    link_url = client.post(asked["Location"], {"action": "link"}).context["link_url"]
    client.logout()
    token = link_url.rstrip("/").rsplit("/", 1)[1]
    assert client.get(link_url).status_code == 200
    download = reverse("web:shared_download", args=[token, note.pk])
    assert client.post(download)["Content-Type"] == "application/pdf"
    assert client.post(download).status_code == 404, "each item downloads once"
    client.force_login(worker)
    sharing = client.get(reverse("web:sharing", args=[victim.pk])).content.decode()
    assert "Sent" in sharing and "Priya Fenwick" in sharing
    record = client.get(reverse("web:record_of_access", args=[victim.pk])).content.decode()
    for words in ("Asked to share information", "Approved a request to share", "Downloaded through a secure link",
                  "Team manager"):
        assert words in record, words
    # The same request to her ex-partner: refused, citing 3.08, final, and recorded.
    ex = victim.people.get(relationship="ex_partner")
    refused = client.post(share, {**form, "to": f"person:{ex.pk}", "grounds": [], "purpose": "liaison",
                                  "channel": "phone"})
    assert refused.status_code == 302
    refusal = Disclosure.objects.exclude(pk=disclosure.pk).get(client=victim)
    assert refusal.status == "refused" and refusal.final
    assert {r["clause"] for r in refusal.answer["reasons"]} == {"3.08"}
    assert "This refusal is final" in client.get(refused["Location"]).content.decode()
    assert "refused by the policy" in client.get(reverse("web:record_of_access", args=[victim.pk])).content.decode()


# Issue 13 point 11: `make demo` when the port is taken ---------------------------------------------

def test_a_port_in_use_is_one_line_saying_how_to_pick_another(demo_var):
    import socket

    var, _ = demo_var
    with socket.create_server(("127.0.0.1", 0)) as taken:
        port = taken.getsockname()[1]
        direct = confide(["demo", "--port", str(port)], var, timeout=60)
        by_make = subprocess.run([sys.executable, "-m", "confide.cli", "demo", "--port", str(port)],
                                 env=confide_env(var) | {"MAKELEVEL": "1"}, capture_output=True, text=True, timeout=60)
        serve = confide(["serve", "--port", str(port)], var, timeout=60)
    for ran, how in ((direct, "confide demo --port "), (by_make, "make demo PORT="), (serve, "confide serve --port ")):
        assert ran.returncode == 2, ran.stderr
        lines = ran.stderr.strip().splitlines()
        assert len(lines) == 1 and "Traceback" not in ran.stderr, ran.stderr
        assert re.fullmatch(rf"confide: Port {port} is in use\. Pick another: {re.escape(how)}\d+", lines[0]), lines[0]
        assert "serving" not in ran.stdout and "Open http" not in ran.stdout, "nothing claims to be served"


def test_the_makefile_passes_port_to_the_demo():
    makefile = (Path(__file__).resolve().parent.parent / "Makefile").read_text()
    assert "PORT   ?= 8000" in makefile
    assert "$(BIN)/confide demo --port $(PORT)" in makefile


def test_no_serve_does_not_claim_to_be_serving(demo_var):
    _, output = demo_var
    assert "Open http://" not in output and "is serving" not in output
    assert "It is not being served: start it with `confide serve`" in output


# Issue 13 point 10: a demo that reads true -----------------------------------------------------------

@pytest.mark.django_db
def test_the_demo_reads_true():
    from django.db.models import F

    from confide.demo import SERVICE_SEX
    from confide.policy import load_pack
    from confide.records.models import Case, Entry

    do_ensure_demo(clients=60)
    pack = load_pack("dvip")
    female = {"female": set(), "male": set()}
    from faker.providers.person.en_GB import Provider

    female_names, male_names = set(Provider.first_names_female), set(Provider.first_names_male)
    for case in Case.objects.select_related("client"):
        assert case.client.subject_role in pack.services[case.service].subject_roles, (case.service, case.client.subject_role)
        first = case.client.display_name.split()[0]
        if SERVICE_SEX.get(("dvip", case.service)) == "female":
            assert first in female_names, f"a {first} in the Women's Support Service"
            female["female"].add(case.pk)
        if SERVICE_SEX.get(("dvip", case.service)) == "male":
            assert first in male_names, f"a {first} in the Violence Prevention Programme"
            female["male"].add(case.pk)
    assert female["female"] and female["male"]
    assert not Entry.objects.filter(case__closed_on__isnull=False, created_at__date__gt=F("case__closed_on")).exists()
    assert not Entry.objects.filter(created_at__date__lt=F("case__referred_on")).exists()
    notes = Entry.objects.filter(kind="note")
    assert notes.exclude(contact_kind="").count() > notes.count() / 2, "most notes record a contact"
    assert not notes.exclude(contact_kind="").filter(contact_on__isnull=True).exists()
    assert Case.objects.exclude(status="closed").filter(next_contact_on__isnull=True).count() == 0


@pytest.mark.django_db
def test_every_demo_login_has_work_waiting_on_their_home_page(client):
    from django.contrib.auth import get_user_model
    from django.urls import reverse

    from confide.records.models import BreakGlass
    from confide.sharing.models import Consent, Disclosure, Task

    do_ensure_demo(clients=40)
    User = get_user_model()
    today = timezone_today()
    assert Disclosure.objects.filter(status="ready").exists(), "a request approved and ready to send"
    assert Disclosure.objects.filter(status="awaiting_approval").exists(), "a request waiting for approval"
    assert BreakGlass.objects.filter(outcome="pending").exists(), "a break-glass opening waiting for review"
    assert Consent.objects.filter(expires_on__lte=today + __import__("datetime").timedelta(days=30)).exists()
    due = Task.objects.filter(outcome="", due_on__isnull=False)
    assert due.filter(due_on__gte=today, due_on__lte=today + __import__("datetime").timedelta(days=7)).exists()
    assert due.filter(due_on__lt=today).exists(), "one overdue, for the manager's team list"
    ready = Disclosure.objects.get(status="ready").requested_by.username
    waiting = Disclosure.objects.get(status="awaiting_approval").requested_by.username
    expect = {"volunteer": "Your clients", "volunteer-south": "Your clients", ready: "Approved: ready to send",
              waiting: "Waiting for approval", "team-manager": "waiting for your approval",
              "head-of-service-delivery": "Access reviews"}
    for username, words in expect.items():
        client.force_login(User.objects.get(username=username))
        page = client.get(reverse("web:home")).content.decode()
        assert words in page, (username, words)
        assert re.search(r'href="/(clients|approvals|reviews|tasks|disclosures)/\d+/"', page), f"{username}: nothing to act on"
    client.force_login(User.objects.get(username="team-manager"))
    page = client.get(reverse("web:home")).content.decode()
    assert "Break-glass openings to review" in page and "/reviews/" in page and "was due" in page


def timezone_today():
    from django.utils import timezone

    return timezone.localdate()

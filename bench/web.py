"""Web benchmark: the pages people use all day, under concurrent users, each with its floor page.

    .venv/bin/python bench/web.py                   # 100,000 clients, SQLite and PostgreSQL, writes bench/RESULTS.md
    .venv/bin/python bench/web.py --quick           # smoke run: 2,000 clients, 4 users, 5 s per step, prints only
    .venv/bin/python bench/web.py --db sqlite --users 10 --duration 30 --clients 20000

The demo (`confide demo --no-serve --clients N`, about ten entries per client) is built once per
database and size under --work-dir and kept as a template. Each run works on copies of it made for
this run alone (a PostgreSQL database named with the pid and a random suffix, created from the
template and dropped at the end; a copy of the SQLite directory), so runs cannot collide and a
run never changes the template.

Two servers per database, both `confide serve` as it serves by default (waitress, one process per
core, at most 4), each on its own copy: the *gate* (Confide as it is) and the *floor*: the same
views, SQL and templates, with the gate's own work taken out (no audit event, no engine evaluation,
the list filter built once; bench/floor_urls.py). In each step (a number of users), for each
database in turn, gate and floor alternate in --rounds rounds (gate first, then floor first, ...)
sharing out the measured time, and each server's rounds are pooled, so every ratio is measured in
the same run and a change in the machine's other load falls on both alike.

Simulated users, shared out in this order (so 4 users are one of each, 10 users are 4 workers,
3 covering, 2 supervising and 1 volunteer):
  * *worker* (a worker account with a caseload): home page, own list, a search of it (three letters
    of a name on the list, sent as the page's search form sends it, and checked to find that
    client), one of its clients' files, that file's record of access;
  * *cover* (another such worker): the team list for cover (`/clients/?purpose=cover`), a search of
    it, and a file in their team and service for cover, drawn alternately from the list and from
    every such client of the team (so the whole population is reached, not the newest 50); every
    third time round, also a file of another team for cover, which the pack opens only by breaking
    the glass: the reason stated on "Open another file" (a redirect, 302, is the expected answer),
    then the file;
  * *supervisor* (a manager account): the team list for supervision, a search of it, then any
    client's file for supervision, drawn from the whole population (other teams' included), and
    that file's record of access;
  * *volunteer*: home page, own list, and the team list for cover, which the pack does not offer a
    volunteer: a quick refusal (400) or an empty list (200) are both the expected answer.
Every page is fetched back to back (no pause, unless --think), over one keep-alive connection per
user, from load-generator processes (10 users each). Any other status is an error and counted.

Measured per step: latency per page at the load generator (p50, p95, ms), pages a second, the CPU
of each server process, and the database's CPU: on PostgreSQL the backends serving that copy
(`pg_stat_activity`, their /proc CPU times); on SQLite it is inside the server's own processes.
Targets (issue 18 point 5): team list and team search p95 ≤ 100 ms at 10 users with 100,000
clients; the gate ≤ 1.5× its floor page.
"""

from __future__ import annotations

import argparse
import html
import http.client
import json
import math
import multiprocessing
import os
import random
import re
import secrets
import shutil
import socket
import sqlite3
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path
from urllib.parse import quote, urlencode

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.audit import machine, write_section  # noqa: E402 -- one writer of RESULTS.md sections, one machine line

PASSWORD = "demo-password-2026"  # noqa: S105 -- the demo's published password (confide/demo.py)
PACK = "dvip"
PG_URL = os.environ.get("BENCH_PG_URL", "postgresql://postgres@127.0.0.1:5432")
PROFILES = ["worker", "cover", "supervisor", "volunteer", "worker", "cover", "supervisor", "worker", "cover", "worker"]
PAGES = ["home", "list", "search", "file", "record", "team_list", "team_search", "team_file", "glass_open",
         "glass_file", "other_file", "other_record", "refused_list"]
PAGE_LABELS = {"home": "home page", "list": "own list", "search": "own search", "file": "own client's file",
               "record": "record of access, own client", "team_list": "team list (cover / supervision)",
               "team_search": "team search", "team_file": "team file for cover",
               "glass_open": "another team's file for cover: the reason stated (break-glass)",
               "glass_file": "another team's file for cover, once opened",
               "other_file": "any client's file for supervision", "other_record": "record of access, supervision",
               "refused_list": "volunteer's team list for cover"}
TARGET_PAGES = ["team_list", "team_search"]
TARGET_MS = 100.0
GATE_TARGET = 1.5
SERVER_THREADS = 8  # confide/cli.py _serve(): waitress threads per process, not configurable
# confide serve's own default (confide/settings.py SERVE_PROCESSES): one process per core, at most 4.
SERVE_PROCESSES = min(os.cpu_count() or 1, 4)
LINK = re.compile(r'<a href="/clients/(\d+)/(?:\?purpose=[a-z_]+)?">([^<]*)</a>')
SEARCH_FORM = re.compile(r'<form method="(get|post)"[^>]*role="search"')
SEARCH_MISSED = -1  # a search that answered 200 but did not list the client whose name it searched for
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')
USERS_PER_PROCESS = 10
# What a worker covering another team types when the policy asks why (fictional, and no client's detail).
GLASS_REASON = "Covering the duty line for a colleague in the other team who is on leave today; I need the safety plan."


# Building, copying and serving ----------------------------------------------------------------------

def _psql(database: str, sql: str) -> str:
    return subprocess.run(["psql", f"{PG_URL}/{database}", "-Atqc", sql], check=True, capture_output=True,
                          text=True).stdout


def _base_env() -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFIDE_") and k != "DJANGO_SETTINGS_MODULE"}
    env["CONFIDE_LOG_LEVEL"] = "WARNING"
    return env


def _env(var: Path, pg_name: str | None) -> dict:
    env = _base_env()
    env["CONFIDE_VAR_DIR"] = str(var)
    if pg_name:
        env["CONFIDE_DATABASE_URL"] = f"{PG_URL}/{pg_name}"
    return env


def build(database: str, clients: int, work: Path) -> dict:
    """The demo for this database and size, kept as a template: reused if built before with the same parameters."""
    home = work / f"{database}-{clients}"
    marker = home / "build.json"
    if marker.is_file():
        built = json.loads(marker.read_text())
        exists = database == "sqlite" or built.get("pg_name") in _psql("postgres", "SELECT datname FROM pg_database").split()
        if built.get("rc") == 0 and built.get("clients") == clients and built.get("pack") == PACK and exists:
            built["reused"] = True
            print(f"{database}: reusing the demo with {clients:,} clients in {home} "
                  f"(built {built.get('built_at', '?')} in {built['seconds']:.0f} s)", flush=True)
            return built
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    pg_name = f"confide_webtpl_{clients}_{os.getpid()}_{secrets.token_hex(3)}" if database == "postgresql" else None
    if pg_name:
        _psql("postgres", f"CREATE DATABASE {pg_name}")
    print(f"{database}: building the demo with {clients:,} clients in {home} ...", flush=True)
    start = time.perf_counter()
    with open(home / "build.log", "w") as log:
        rc = subprocess.run([sys.executable, "-m", "confide.cli", "demo", "--no-serve", "--pack", PACK,
                             "--clients", str(clients)], env=_env(home / "var", pg_name), cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, check=False).returncode
    seconds = time.perf_counter() - start
    if pg_name and rc == 0:
        # As autovacuum would soon after a bulk load; the run's copies inherit the statistics.
        _psql(pg_name, "ANALYZE")
    built = {"clients": clients, "pack": PACK, "database": database, "seconds": seconds, "rc": rc,
             "pg_name": pg_name, "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    marker.write_text(json.dumps(built))
    if rc != 0:
        raise SystemExit(f"{database}: confide demo failed (exit {rc}); see {home / 'build.log'}")
    print(f"{database}: built in {seconds:.0f} s", flush=True)
    built["reused"] = False
    return built


class Copy:
    """A copy of the built demo for this run alone: its own var directory and, on PostgreSQL, its
    own database (the template's name with the pid and a random suffix), removed by drop()."""

    def __init__(self, database: str, clients: int, work: Path, built: dict, label: str):
        self.database = database
        self.home = work / f"run-{os.getpid()}-{secrets.token_hex(3)}-{database}-{label}"
        shutil.copytree(work / f"{database}-{clients}" / "var", self.home / "var", symlinks=True)
        self.pg_name = None
        self._admin = None
        if database == "postgresql":
            self.pg_name = f"confide_webrun_{os.getpid()}_{secrets.token_hex(3)}_{label}"
            _psql("postgres", f"CREATE DATABASE {self.pg_name} TEMPLATE {built['pg_name']}")

    def env(self) -> dict:
        return _env(self.home / "var", self.pg_name)

    def query(self, sql: str, params: tuple = ()) -> list[tuple]:
        if self.database == "sqlite":
            with sqlite3.connect(self.home / "var" / "confide.sqlite3") as db:
                return db.execute(sql.replace("%s", "?"), params).fetchall()
        import psycopg

        with psycopg.connect(f"{PG_URL}/{self.pg_name}") as db:
            return db.execute(sql, params).fetchall()

    def backend_cpu(self) -> dict[int, float]:
        """PostgreSQL: CPU seconds of each backend serving this copy (Linux /proc); SQLite: none."""
        if self.pg_name is None:
            return {}
        import psycopg

        if self._admin is None:
            self._admin = psycopg.connect(f"{PG_URL}/postgres", autocommit=True)
        rows = self._admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (self.pg_name,)).fetchall()
        return _cpu_of([pid for (pid,) in rows])

    def drop(self) -> None:
        if self._admin is not None:
            self._admin.close()
        if self.pg_name:
            subprocess.run(["psql", f"{PG_URL}/postgres", "-qc", f"DROP DATABASE IF EXISTS {self.pg_name} WITH (FORCE)"],
                           check=False, capture_output=True)
        shutil.rmtree(self.home, ignore_errors=True)


def _cpu_of(pids: list[int]) -> dict[int, float]:
    found = {}
    for pid in pids:
        try:
            fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
        except (FileNotFoundError, ProcessLookupError, PermissionError):
            continue
        found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return found


def engine_version(copy: Copy) -> str:
    if copy.database == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    return "PostgreSQL " + copy.query("SHOW server_version")[0][0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, copy: Copy, floor: bool):
        self.port = free_port()
        self.floor = floor
        self.log = open(copy.home / f"serve-{'floor' if floor else 'gate'}.log", "w")  # noqa: SIM115 -- closed in stop()
        env = copy.env()
        env["CONFIDE_DEMO"] = "1"  # as `confide demo` serves it: the demo organisation waives the second factor
        env["CONFIDE_SERVE_PROCESSES"] = str(SERVE_PROCESSES)
        self.replaced_file = copy.home / "floor-replaced.json"
        if floor:
            env["DJANGO_SETTINGS_MODULE"] = "bench.floor_settings"
            env["BENCH_FLOOR_REPORT"] = str(self.replaced_file)
        self.process = subprocess.Popen([sys.executable, "-m", "confide.cli", "serve", "--port", str(self.port)],
                                        env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{copy.database}: confide serve exited ({self.process.returncode}); see {self.log.name}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"{copy.database}: confide serve did not start in 180 s")

    def replaced(self) -> list[str]:
        try:
            return json.loads(self.replaced_file.read_text())
        except (OSError, ValueError):
            return []

    def cpu_by_process(self) -> dict[int, float]:
        """CPU seconds of `confide serve` and of each process it forked to serve (Linux /proc)."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        return _cpu_of(pids)

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# The simulated users --------------------------------------------------------------------------------

class Browser:
    """One person at one browser: a keep-alive connection and its cookies."""

    def __init__(self, port: int):
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)

    def request(self, method: str, path: str, form: dict | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        try:
            self.connection.request(method, path, body=body, headers=headers)
            response = self.connection.getresponse()
            text = response.read().decode("utf-8", "replace")
        except (OSError, http.client.HTTPException):
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            return 0, ""
        for header in response.headers.get_all("Set-Cookie") or []:
            name, _, rest = header.partition("=")
            value = rest.split(";", 1)[0]
            if value in ("", '""'):
                self.cookies.pop(name.strip(), None)
            else:
                self.cookies[name.strip()] = value
        return response.status, text

    def sign_in(self, username: str) -> None:
        status, page = self.request("GET", "/account/sign-in/")
        token = CSRF_INPUT.search(page)
        if status != 200 or token is None:
            raise RuntimeError(f"sign-in page for {username}: HTTP {status}")
        status, _ = self.request("POST", "/account/sign-in/", {
            "csrfmiddlewaretoken": html.unescape(token.group(1)), "username": username, "password": PASSWORD})
        if status != 302:
            raise RuntimeError(f"signing in {username}: HTTP {status}, expected a redirect")


def _search_term(name: str) -> str:
    """Three letters of a name, as a worker half-remembering a client's surname would type them."""
    for part in reversed(name.split()):
        match = re.search(r"[A-Za-z]{3}", part)
        if match:
            return match.group(0)
    return name[:3]



def plan_users(copy: Copy, count: int) -> list[dict]:
    """The simulated users, by PROFILES: each an account (workers each their own; managers and
    volunteers shared when the demo has fewer accounts than users) and what it draws from."""
    from confide.policy import load_pack

    pack = load_pack(PACK)
    kinds = {name: role.kind for name, role in pack.roles.items()}
    services = {name: (tuple(role.services) or tuple(pack.services)) for name, role in pack.roles.items()}
    rows = copy.query("SELECT u.username, COUNT(DISTINCT c.client_id) FROM accounts_user u "
                      "JOIN records_case_workers w ON w.user_id = u.id JOIN records_case c ON c.id = w.case_id "
                      "GROUP BY u.username ORDER BY u.username")
    named = [row for row in rows if not row[0][-4:].isdigit()]
    generated = [row for row in rows if row[0][-4:].isdigit()]
    wanted_workers = sum(1 for i in range(count) if PROFILES[i % len(PROFILES)] in ("worker", "cover"))
    step = max(1, len(generated) // max(1, wanted_workers))
    workers = (named + generated[::step])[:wanted_workers]
    if len(workers) < wanted_workers:
        raise SystemExit(f"{copy.database}: only {len(workers)} workers have a caseload; {wanted_workers} users need as many")
    random.Random(2026).shuffle(workers)  # noqa: S311 -- which user gets which account, repeatably
    staff = {name: (role, team) for name, role, team in copy.query("SELECT username, role, team_id FROM accounts_user")}
    by_kind = {kind: sorted(name for name, (role, _) in staff.items() if kinds.get(role) == kind)
               for kind in ("manager", "volunteer")}
    every_client = [pk for (pk,) in copy.query("SELECT id FROM records_client")]
    rng = random.Random(18)  # noqa: S311 -- which clients, repeatably
    everyone = rng.sample(every_client, min(2000, len(every_client)))
    users, taken = [], {"manager": 0, "volunteer": 0}
    for i in range(count):
        profile = PROFILES[i % len(PROFILES)]
        if profile in ("worker", "cover"):
            username, caseload = workers.pop()
            user = {"profile": profile, "username": username, "caseload": caseload}
            if profile == "cover":
                role, team = staff[username]
                wanted = services[role]
                placeholders = ", ".join(["%s"] * len(wanted))  # placeholders only, never a value
                team_clients = [pk for (pk,) in copy.query(
                    "SELECT DISTINCT k.client_id FROM records_case k "  # noqa: S608
                    f"WHERE k.team_id = %s AND k.service IN ({placeholders})", (team, *wanted))]
                user["team_clients"] = rng.sample(team_clients, min(1000, len(team_clients)))
                user["team_size"] = len(team_clients)
                others = [pk for (pk,) in copy.query("SELECT id FROM records_client WHERE team_id <> %s", (team,))]
                user["other_team_clients"] = rng.sample(others, min(1000, len(others)))
        else:
            kind = "manager" if profile == "supervisor" else "volunteer"
            if not by_kind[kind]:
                raise SystemExit(f"{copy.database}: the demo has no {kind} account")
            username = by_kind[kind][taken[kind] % len(by_kind[kind])]
            taken[kind] += 1
            user = {"profile": profile, "username": username}
            if profile == "supervisor":
                user["everyone"] = everyone
        users.append(user)
    return users


def _user_loop(browser: Browser, user: dict, seed: int, start: float, measure_from: float, end: float, out: list,
               think: float) -> None:
    rng = random.Random(seed)  # noqa: S311 -- a repeatable choice of client, not security
    while time.time() < start:
        time.sleep(0.001)

    def timed(page: str, method: str, path: str, form: dict | None = None, ok: tuple = (200,)) -> str:
        began = time.time()
        t0 = time.perf_counter()
        status, text = browser.request(method, path, form)
        elapsed = time.perf_counter() - t0
        if measure_from <= began < end:
            out.append((page, elapsed, 200 if status in ok else status))
        if think:
            time.sleep(rng.uniform(0.5, 1.5) * think)  # reading the page; not part of its latency
        return text if status == 200 else ""

    def listed(text: str) -> list[tuple[str, str]]:
        return [(pk, html.unescape(name)) for pk, name in LINK.findall(text)]

    def search(page: str, text: str, names: list[tuple[str, str]], purpose: str) -> None:
        """Three letters of a listed client's name, sent as the list page's search form sends it."""
        form = SEARCH_FORM.search(text)
        token = html.unescape(match.group(1)) if (match := CSRF_INPUT.search(text)) else ""
        wanted, name = rng.choice(names)
        if form is None or form.group(1) == "post":  # by POST: the name stays out of the address
            found = timed(page, "POST", "/clients/", {"csrfmiddlewaretoken": token, "purpose": purpose,
                                                     "q": _search_term(name)})
        else:
            query = {"q": _search_term(name), **({"purpose": purpose} if purpose != "direct_support" else {})}
            found = timed(page, "GET", "/clients/?" + urlencode(query, quote_via=quote))
        if found and wanted not in {pk for pk, _ in LINK.findall(found)} and out and out[-1][0] == page:
            out[-1] = (page, out[-1][1], SEARCH_MISSED)

    profile = user["profile"]
    purpose = {"cover": "cover", "supervisor": "supervision"}.get(profile, "direct_support")
    suffix = f"?purpose={purpose}" if purpose != "direct_support" else ""
    turn = 0
    while time.time() < end:
        turn += 1
        if profile in ("worker", "volunteer"):
            timed("home", "GET", "/")
            text = timed("list", "GET", "/clients/")
            names = listed(text)
            if profile == "volunteer":
                timed("refused_list", "GET", "/clients/?purpose=cover", ok=(200, 400))
                if not names:
                    continue
            if not names:
                time.sleep(0.05)  # an error page: try again rather than spin
                continue
            search("search", text, names, "direct_support")
            pk, _ = rng.choice(names)
            timed("file", "GET", f"/clients/{pk}/")
            timed("record", "GET", f"/clients/{pk}/record-of-access/")
            continue
        text = timed("team_list", "GET", f"/clients/{suffix}")
        names = listed(text)
        if names:
            search("team_search", text, names, purpose)
        if profile == "cover":
            pool = [pk for pk, _ in names] if (turn % 2 and names) else user["team_clients"]
            if pool:
                timed("team_file", "GET", f"/clients/{rng.choice(pool)}/{suffix}")
            if turn % 3 == 0 and user["other_team_clients"]:
                pk = rng.choice(user["other_team_clients"])
                status, form = browser.request("GET", "/clients/open/")  # the form, not measured
                token = html.unescape(match.group(1)) if (match := CSRF_INPUT.search(form)) else ""
                timed("glass_open", "POST", "/clients/open/", {"csrfmiddlewaretoken": token, "client": pk,
                                                               "purpose": purpose, "reason": GLASS_REASON}, ok=(302,))
                timed("glass_file", "GET", f"/clients/{pk}/{suffix}")
        else:
            pk = rng.choice(user["everyone"])
            timed("other_file", "GET", f"/clients/{pk}/{suffix}")
            timed("other_record", "GET", f"/clients/{pk}/record-of-access/{suffix}")
        if not names:
            time.sleep(0.01)


def load_process(pipe, port: int, users: list[dict], seed: int, think: float) -> None:
    """One load-generator process: signs its users in, waits for the start, runs one thread per user."""
    browsers, problems = [], []
    for user in users:
        browser = Browser(port)
        try:
            browser.sign_in(user["username"])
        except RuntimeError as exc:
            problems.append(str(exc))
        browsers.append(browser)
    pipe.send(problems)
    start, measure_from, end = pipe.recv()
    outs = [[] for _ in browsers]
    threads = [threading.Thread(target=_user_loop, args=(b, users[i], seed * 1000 + i, start, measure_from, end,
                                                         outs[i], think))
               for i, b in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pipe.send([row for out in outs for row in out])


def drive(server: Server, copy: Copy, users: list[dict], warmup: float, duration: float, think: float = 0.0) -> dict:
    groups = [users[i:i + USERS_PER_PROCESS] for i in range(0, len(users), USERS_PER_PROCESS)]
    context = multiprocessing.get_context("fork")
    procs, pipes = [], []
    for n, group in enumerate(groups):
        parent, child = context.Pipe()
        proc = context.Process(target=load_process, args=(child, server.port, group, n + 1, think), daemon=True)
        proc.start()
        procs.append(proc)
        pipes.append(parent)
    problems = [p for pipe in pipes for p in pipe.recv()]
    if problems:
        for proc in procs:
            proc.kill()
        raise SystemExit("could not sign in: " + "; ".join(problems[:3]))
    start = time.time() + 0.5
    measure_from, end = start + warmup, start + warmup + duration
    for pipe in pipes:
        pipe.send((start, measure_from, end))
    client_cpu0 = os.times()
    time.sleep(max(0.0, measure_from - time.time()))
    before, db_before = server.cpu_by_process(), copy.backend_cpu()
    time.sleep(max(0.0, end - time.time()))
    after, db_after = server.cpu_by_process(), copy.backend_cpu()
    rows = [row for pipe in pipes for row in pipe.recv()]
    for proc in procs:
        proc.join()
    client_cpu1 = os.times()
    return {"users": len(users), "rows": rows, "duration": duration, "warmup": warmup,
            "by_pid": {pid: after[pid] - before.get(pid, 0.0) for pid in after},
            "db_cpu": sum(cpu - db_before.get(pid, 0.0) for pid, cpu in db_after.items()) if copy.pg_name else float("nan"),
            "client_cpu": (client_cpu1.children_user + client_cpu1.children_system
                           - client_cpu0.children_user - client_cpu0.children_system)}


def combine(parts: list[dict]) -> dict:
    """One step's figures from its rounds: every page's latencies pooled, CPU summed over the rounds."""
    rows = [row for part in parts for row in part["rows"]]
    duration = sum(part["duration"] for part in parts)
    by_pid: dict[int, float] = {}
    for part in parts:
        for pid, cpu in part["by_pid"].items():
            by_pid[pid] = by_pid.get(pid, 0.0) + cpu
    split = sorted(cpu / duration for cpu in by_pid.values())
    server_cpu = sum(by_pid.values())
    db_cpu = sum(part["db_cpu"] for part in parts)
    client_cpu = sum(part["client_cpu"] for part in parts)
    warmup = sum(part["warmup"] for part in parts)
    pages = max(1, len(rows))
    result = {"users": parts[0]["users"], "rounds": len(parts), "requests": len(rows), "per_s": len(rows) / duration,
              "errors": sum(1 for _, _, status in rows if status != 200),
              "error_statuses": sorted({status for _, _, status in rows if status != 200}),
              "server_cores": server_cpu / duration, "server_ms_per_page": server_cpu / pages * 1000,
              "db_cores": db_cpu / duration, "db_ms_per_page": db_cpu / pages * 1000,
              "server_split": [round(cores, 2) for cores in split if cores >= 0.01],
              "client_cores": client_cpu / (warmup + duration), "pages": {}}
    for page in PAGES:
        times = sorted(elapsed for p, elapsed, _ in rows if p == page)
        if times:
            result["pages"][page] = {"n": len(times), "errors": sum(1 for p, _, s in rows if p == page and s != 200),
                                     "p50": percentile(times, 50) * 1000, "p95": percentile(times, 95) * 1000}
    return result


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    if not values:
        return float("nan")
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


# Reporting ------------------------------------------------------------------------------------------

def _status(status: int) -> str:
    return {0: "no response", SEARCH_MISSED: "search missed the client"}.get(status, f"HTTP {status}")


def _ms(value: float) -> str:
    return "–" if value is None or math.isnan(value) else f"{value:,.0f}"


def _db_name(version: str) -> str:
    return version.split(" (")[0]


def report(args, command: str, builds: dict, versions: dict, plans: dict, results: list[dict], replaced: list[str],
           load_before: str) -> str:
    profiles = [PROFILES[i % len(PROFILES)] for i in range(max(args.users))]
    lines = [
        "## Web",
        "",
        f"Command: `{command}` (run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}).",
        f"Machine: {machine()} at the end, {load_before} at the start; "
        f"{', '.join(versions[db] for db in args.db)}. Shared and noisy: every ratio below is of two figures "
        "measured one after the other in this run.",
        "",
        f"Demo: `confide demo --clients {args.clients:,}` on the `{PACK}` pack ("
        + "; ".join(f"{_db_name(versions[db])}: {'reused, ' if builds[db]['reused'] else ''}built in "
                    f"{builds[db]['seconds']:,.0f} s" for db in args.db)
        + "), each run on copies of its own. Served by `confide serve` as it serves by default here: "
        f"{SERVE_PROCESSES} process{'es' if SERVE_PROCESSES > 1 else ''} sharing one socket, waitress with "
        f"{SERVER_THREADS} threads each. Users in order: {', '.join(profiles)} (what each opens: `bench/web.py` "
        f"docstring); in each step gate and floor alternate {args.rounds} times (gate first, then floor first, ...), "
        f"each time {args.warmup:g} s warm-up the first time and at most 2 s after, then "
        f"{args.duration / args.rounds:g} s measured, {args.duration:g} s in all per server and step"
        + (f", about {args.think:g} s on each page" if args.think else ", pages back to back with no pause")
        + ". *Gate*: Confide as it is. *Floor*: the same pages, SQL and templates on an identical copy, "
        f"with the gate's own work taken out ({', '.join(f'`{name}`' for name in replaced) or 'NOTHING: the floor is the gate'} "
        "replaced in confide/records/access.py, bench/floor_urls.py). Latency in ms from request sent to "
        "response read, at the load generator.",
        "",
        "| database | users | server | pages / s | errors | server CPU (cores, by process) | server CPU ms / page "
        "| database CPU (cores) | database CPU ms / page | load generator CPU (cores) |",
        "|---|---:|---|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        errors = f"{r['errors']:,}" + (f" ({', '.join(_status(s) for s in r['error_statuses'])})" if r["errors"] else "")
        split = f" ({' + '.join(f'{c:.2f}' for c in r['server_split'])})" if len(r["server_split"]) > 1 else ""
        db_cpu = "in the server" if math.isnan(r["db_cores"]) else f"{r['db_cores']:.2f}"
        db_ms = "–" if math.isnan(r["db_ms_per_page"]) else f"{r['db_ms_per_page']:.1f}"
        lines.append(f"| {_db_name(versions[r['db']])} | {r['users']} | {r['mode']} | {r['per_s']:,.1f} | {errors} "
                     f"| {r['server_cores']:.2f}{split} | {r['server_ms_per_page']:.1f} | {db_cpu} | {db_ms} "
                     f"| {r['client_cores']:.2f} |")
    lines += ["", "Per page: gate and floor p50 / p95 (ms), and the gate's p50 as a multiple of the floor's.", "",
              "| database | users | page | gate p50 | gate p95 | floor p50 | floor p95 | gate ÷ floor (p50) | pages (gate) |",
              "|---|---:|---|---:|---:|---:|---:|---:|---:|"]
    pairs = {}
    for r in results:
        pairs.setdefault((r["db"], r["users"]), {})[r["mode"]] = r
    for (db, users), pair in pairs.items():
        gate, floor = pair.get("gate"), pair.get("floor")
        for page in PAGES:
            g = gate["pages"].get(page) if gate else None
            f = floor["pages"].get(page) if floor else None
            if not g and not f:
                continue
            ratio = (f"{g['p50'] / f['p50']:.2f}×" if g and f and f["p50"] else "–")
            lines.append(f"| {_db_name(versions[db])} | {users} | {PAGE_LABELS[page]} | {_ms(g['p50'] if g else None)} "
                         f"| {_ms(g['p95'] if g else None)} | {_ms(f['p50'] if f else None)} "
                         f"| {_ms(f['p95'] if f else None)} | {ratio} | {g['n'] if g else 0:,} |")
    lines += ["", f"Against the targets, in this run ({args.clients:,} clients"
              + ("" if args.clients >= 100_000 else "; the targets are set at 100,000, so this is NOT the target's size")
              + "):"]
    for db in args.db:
        pair = pairs.get((db, 10))
        if not pair or "gate" not in pair:
            lines.append(f"- {_db_name(versions[db])}: not measured at 10 users.")
            continue
        gate, floor = pair["gate"], pair.get("floor")
        verdicts = []
        for page in TARGET_PAGES:
            g = gate["pages"].get(page)
            verdicts.append(f"{PAGE_LABELS[page]} p95 ≤ {TARGET_MS:.0f} ms "
                            + ("not measured" if not g else
                               f"{'met' if g['p95'] <= TARGET_MS else 'NOT met'} ({_ms(g['p95'])} ms)"))
        if floor:
            worst = max(((gate["pages"][p]["p50"] / floor["pages"][p]["p50"], p) for p in PAGES
                         if p in gate["pages"] and p in floor["pages"] and floor["pages"][p]["p50"]), default=None)
            cpu = gate["server_ms_per_page"] / floor["server_ms_per_page"] if floor["server_ms_per_page"] else float("nan")
            if worst:
                verdicts.append(f"gate ≤ {GATE_TARGET}× the floor on every page "
                                f"{'met' if worst[0] <= GATE_TARGET else 'NOT met'} (worst p50 ratio {worst[0]:.2f}×, "
                                f"{PAGE_LABELS[worst[1]]}; server CPU per page {cpu:.2f}×)")
        errors = f"; {gate['errors']} errors" if gate["errors"] else ""
        lines.append(f"- {_db_name(versions[db])}, 10 users: " + "; ".join(verdicts) + errors + ".")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per step (default 20)")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds before each step (default 5)")
    parser.add_argument("--users", default="4,10,50", help="comma-separated numbers of concurrent users (default 4,10,50)")
    parser.add_argument("--db", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--work-dir", default=str(Path(tempfile.gettempdir()) / "confide-web-bench"),
                        help="where demos are built and kept as templates, and each run's copies made")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a user spends on each page before the next (default 0: back to back, "
                             "the worst case; each pause is drawn between half and one and a half times this)")
    parser.add_argument("--rounds", type=int, default=4,
                        help="gate and floor alternate this many times in each step, the measured time shared out "
                             "(default 4)")
    parser.add_argument("--no-floor", action="store_true", help="measure the gate only")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2,000 clients, 4 users, 2 s warm-up, 5 s per step; prints only")
    parser.add_argument("--no-write", action="store_true", help="print only; do not write bench/RESULTS.md")
    args = parser.parse_args()
    command = ".venv/bin/python bench/web.py " + " ".join(sys.argv[1:])
    if args.quick:
        args.clients, args.duration, args.warmup, args.users, args.rounds = 2000, 6.0, 2.0, "4", 2
    args.db = [db.strip() for db in args.db.split(",") if db.strip()]
    if any(db not in ("sqlite", "postgresql") for db in args.db):
        parser.error("--db: expected sqlite, postgresql or both")
    args.users = [int(u) for u in args.users.split(",")]
    load_before = " ".join(f"{x:.2f}" for x in os.getloadavg())
    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    builds = {db: build(db, args.clients, work) for db in args.db}
    modes = ["gate"] if args.no_floor else ["gate", "floor"]
    copies: dict[tuple[str, str], Copy] = {}
    servers: dict[tuple[str, str], Server] = {}
    results, replaced = [], []
    try:
        for db in args.db:
            for mode in modes:
                copies[(db, mode)] = Copy(db, args.clients, work, builds[db], mode)
        versions = {db: engine_version(copies[(db, "gate")]) for db in args.db}
        plans = {db: plan_users(copies[(db, "gate")], max(args.users)) for db in args.db}
        for db in args.db:
            for mode in modes:
                servers[(db, mode)] = Server(copies[(db, mode)], floor=mode == "floor")
        for n in args.users:
            for db in args.db:
                # Gate and floor alternate in rounds (gate first, then floor first, ...), so a change in
                # the machine's other load during the step falls on both alike.
                parts: dict[str, list[dict]] = {mode: [] for mode in modes}
                for r in range(args.rounds):
                    for mode in (modes if r % 2 == 0 else modes[::-1]):
                        print(f"{db}: {n} users, {mode}, round {r + 1} of {args.rounds} ...", flush=True)
                        parts[mode].append(drive(servers[(db, mode)], copies[(db, mode)], plans[db][:n],
                                                 args.warmup if r == 0 else min(args.warmup, 2.0),
                                                 args.duration / args.rounds, args.think))
                for mode in modes:
                    result = combine(parts[mode])
                    result.update(db=db, mode=mode)
                    results.append(result)
                    p = result["pages"]
                    print("  " + "; ".join(f"{page} {_ms(p[page]['p50'])}/{_ms(p[page]['p95'])}" for page in p)
                          + f"; {result['per_s']:.1f} pages/s; {result['errors']} errors "
                          + str(result["error_statuses"]), flush=True)
        if "floor" in modes:
            replaced = servers[(args.db[0], "floor")].replaced()
    finally:
        for server in servers.values():
            server.stop()
        for copy in copies.values():
            copy.drop()
    text = report(args, command.strip(), builds, versions, plans, results, replaced, load_before)
    print()
    print(text)
    if not (args.quick or args.no_write):
        write_section(text, "web")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

"""Web benchmark: latency of the pages a worker uses all day, under concurrent users.

    .venv/bin/python bench/web.py                   # 100,000 clients, SQLite and PostgreSQL, writes bench/RESULTS.md
    .venv/bin/python bench/web.py --quick           # smoke run: 2,000 clients, 5 s per step, prints only
    .venv/bin/python bench/web.py --db sqlite --users 10 --duration 30

For each database it builds the demo (`confide demo --no-serve --clients N`; about ten entries per
client) under its own var dir in --work-dir, or reuses one already built there with the same
parameters, and serves it with `confide serve` (waitress) in a subprocess. Then, for each number
of users, every simulated user signs in through the real pages (its own session, its own worker
account and caseload) and loops client list -> search (three letters of a name from its list, sent
as the list page's search form sends it) -> client file (one of its clients) for --warmup seconds
unmeasured and --duration seconds measured.
Every page is also an audited read, so each request includes one durable commit. Any response but
200 is an error and is counted. The servers for both databases stay up and the steps alternate
between them, so the comparison is side by side in one run. Target (issue): p95 under 100 ms at
10 users, for every page.

The load generator runs in separate processes (--users-per-process users each, one thread per
user, one keep-alive connection per user), so that 50 users do not queue on one client-side GIL;
on a 2-core machine it still takes CPU from the server, and its CPU time is reported.
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
PAGES = ["list", "search", "file"]
TARGET_MS = 100.0
SERVER_THREADS = 8  # confide/cli.py _serve(): waitress threads per process, not configurable
# confide serve's own default (confide/settings.py SERVE_PROCESSES): one process per core, at most 4.
SERVE_PROCESSES = min(os.cpu_count() or 1, 4)
LINK = re.compile(r'<a href="/clients/(\d+)/">([^<]*)</a>')
SEARCH_FORM = re.compile(r'<form method="(get|post)"[^>]*role="search"')
SEARCH_MISSED = -1  # a search that answered 200 but did not list the client whose name it searched for
CSRF_INPUT = re.compile(r'name="csrfmiddlewaretoken" value="([^"]+)"')


# Building and serving ------------------------------------------------------------------------------

def _pg_admin(sql: str) -> None:
    subprocess.run(["psql", f"{PG_URL}/postgres", "-qc", sql], check=True, capture_output=True)


def _env(database: str, clients: int, work: Path) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFIDE_") and k != "DJANGO_SETTINGS_MODULE"}
    env["CONFIDE_VAR_DIR"] = str(work / f"{database}-{clients}" / "var")
    if database == "postgresql":
        env["CONFIDE_DATABASE_URL"] = f"{PG_URL}/confide_web_{clients}"
    env["CONFIDE_LOG_LEVEL"] = "WARNING"
    return env


def build(database: str, clients: int, work: Path) -> dict:
    """The demo for this database and client count: reused if built before with the same parameters."""
    home = work / f"{database}-{clients}"
    marker = home / "build.json"
    if marker.is_file():
        built = json.loads(marker.read_text())
        if built.get("rc") == 0 and built.get("clients") == clients and built.get("pack") == PACK:
            built["reused"] = True
            print(f"{database}: reusing the demo with {clients:,} clients in {home} "
                  f"(built {built.get('built_at', '?')} in {built['seconds']:.0f} s)", flush=True)
            return built
    shutil.rmtree(home, ignore_errors=True)
    home.mkdir(parents=True)
    if database == "postgresql":
        _pg_admin(f"DROP DATABASE IF EXISTS confide_web_{clients}")
        _pg_admin(f"CREATE DATABASE confide_web_{clients}")
    print(f"{database}: building the demo with {clients:,} clients in {home} ...", flush=True)
    start = time.perf_counter()
    with open(home / "build.log", "w") as log:
        rc = subprocess.run([sys.executable, "-m", "confide.cli", "demo", "--no-serve", "--pack", PACK,
                             "--clients", str(clients)], env=_env(database, clients, work), cwd=ROOT,
                            stdout=log, stderr=subprocess.STDOUT, check=False).returncode
    seconds = time.perf_counter() - start
    built = {"clients": clients, "pack": PACK, "database": database, "seconds": seconds, "rc": rc,
             "built_at": time.strftime("%Y-%m-%dT%H:%M:%SZ", time.gmtime())}
    marker.write_text(json.dumps(built))
    if rc != 0:
        raise SystemExit(f"{database}: confide demo failed (exit {rc}); see {home / 'build.log'}")
    print(f"{database}: built in {seconds:.0f} s", flush=True)
    built["reused"] = False
    return built


def _query(database: str, clients: int, work: Path, sql: str) -> list[tuple]:
    if database == "sqlite":
        with sqlite3.connect(work / f"sqlite-{clients}" / "var" / "confide.sqlite3") as db:
            return db.execute(sql).fetchall()
    import psycopg

    with psycopg.connect(f"{PG_URL}/confide_web_{clients}") as db:
        return db.execute(sql).fetchall()


def workers(database: str, clients: int, work: Path, count: int) -> list[tuple[str, int]]:
    """`count` worker accounts with a caseload, spread over the whole staff list (so both teams,
    every service, named and generated accounts), with the size of each one's caseload."""
    rows = _query(database, clients, work,
                  "SELECT u.username, COUNT(DISTINCT c.client_id) FROM accounts_user u "
                  "JOIN records_case_workers w ON w.user_id = u.id JOIN records_case c ON c.id = w.case_id "
                  "GROUP BY u.username ORDER BY u.username")
    named = [row for row in rows if not row[0][-4:].isdigit()]
    generated = [row for row in rows if row[0][-4:].isdigit()]
    step = max(1, len(generated) // max(1, count))
    chosen = (named + generated[::step])[:count]
    if len(chosen) < count:
        raise SystemExit(f"{database}: only {len(chosen)} workers have a caseload; {count} users need as many")
    random.Random(2026).shuffle(chosen)  # noqa: S311 -- which user gets which account, repeatably
    return chosen


def engine_version(database: str, clients: int, work: Path) -> str:
    if database == "sqlite":
        return f"SQLite {sqlite3.sqlite_version}"
    return "PostgreSQL " + _query(database, clients, work, "SHOW server_version")[0][0]


def free_port() -> int:
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        return s.getsockname()[1]


class Server:
    def __init__(self, database: str, clients: int, work: Path, number: int = 0):
        self.port = free_port()
        self.log = open(work / f"{database}-{clients}" / f"serve{number or ''}.log", "w")  # noqa: SIM115 -- closed in stop()
        env = _env(database, clients, work)
        env["CONFIDE_DEMO"] = "1"  # as `confide demo` serves it: the demo organisation waives the second factor
        env["CONFIDE_SERVE_PROCESSES"] = str(SERVE_PROCESSES)
        self.process = subprocess.Popen([sys.executable, "-m", "confide.cli", "serve", "--port", str(self.port)],
                                        env=env, cwd=ROOT, stdout=self.log, stderr=subprocess.STDOUT)
        deadline = time.monotonic() + 180
        while time.monotonic() < deadline:
            if self.process.poll() is not None:
                raise SystemExit(f"{database}: confide serve exited ({self.process.returncode}); see {self.log.name}")
            try:
                socket.create_connection(("127.0.0.1", self.port), timeout=1).close()
                return
            except OSError:
                time.sleep(0.2)
        self.stop()
        raise SystemExit(f"{database}: confide serve did not start in 180 s")

    def cpu_by_process(self) -> dict[int, float]:
        """CPU seconds of `confide serve` and of each process it forked to serve (Linux /proc)."""
        pids = [self.process.pid]
        children = Path(f"/proc/{self.process.pid}/task/{self.process.pid}/children")
        if children.exists():
            pids += [int(pid) for pid in children.read_text().split()]
        found = {}
        for pid in pids:
            try:
                fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
            except FileNotFoundError:
                continue
            found[pid] = (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
        return found

    def cpu_seconds(self) -> float:
        return sum(self.cpu_by_process().values())

    def stop(self) -> None:
        self.process.terminate()
        try:
            self.process.wait(timeout=20)
        except subprocess.TimeoutExpired:
            self.process.kill()
        self.log.close()


# The simulated users -------------------------------------------------------------------------------

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


def _user_loop(browser: Browser, seed: int, start: float, measure_from: float, end: float, out: list,
               think: float) -> None:
    rng = random.Random(seed)  # noqa: S311 -- a repeatable choice of client, not security
    clients: list[tuple[str, str]] = []
    while time.time() < start:
        time.sleep(0.001)

    def timed(page: str, method: str, path: str, form: dict | None = None) -> str:
        began = time.time()
        t0 = time.perf_counter()
        status, text = browser.request(method, path, form)
        elapsed = time.perf_counter() - t0
        if measure_from <= began < end:
            out.append((page, elapsed, status))
        if think:
            time.sleep(rng.uniform(0.5, 1.5) * think)  # reading the page; not part of its latency
        return text if status == 200 else ""

    search_by_post, token = True, ""
    while time.time() < end:
        text = timed("list", "GET", "/clients/")
        found = [(pk, html.unescape(name)) for pk, name in LINK.findall(text)]
        if found:
            clients = found
            form = SEARCH_FORM.search(text)
            search_by_post = form is None or form.group(1) == "post"
            token = html.unescape(match.group(1)) if (match := CSRF_INPUT.search(text)) else ""
        if not clients:
            time.sleep(0.05)  # an error page: try again rather than spin
            continue
        wanted, name = rng.choice(clients)
        # As the list page's search form sends it: by POST (the name stays out of the address) or GET.
        if search_by_post:
            text = timed("search", "POST", "/clients/",
                         {"csrfmiddlewaretoken": token, "purpose": "direct_support", "q": _search_term(name)})
        else:
            text = timed("search", "GET", "/clients/?" + urlencode({"q": _search_term(name)}, quote_via=quote))
        if text and wanted not in {pk for pk, _ in LINK.findall(text)} and out and out[-1][0] == "search":
            out[-1] = ("search", out[-1][1], SEARCH_MISSED)
        pk, _ = rng.choice(clients)
        timed("file", "GET", f"/clients/{pk}/")


def load_process(pipe, ports: list[int], usernames: list[str], seed: int, think: float) -> None:
    """One load-generator process: signs its users in, waits for the start, runs one thread per user."""
    browsers, problems = [], []
    for n, username in enumerate(usernames):
        browser = Browser(ports[n % len(ports)])
        try:
            browser.sign_in(username)
        except RuntimeError as exc:
            problems.append(str(exc))
        browsers.append(browser)
    pipe.send(problems)
    start, measure_from, end = pipe.recv()
    outs = [[] for _ in browsers]
    threads = [threading.Thread(target=_user_loop, args=(b, seed * 1000 + i, start, measure_from, end, outs[i], think))
               for i, b in enumerate(browsers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    pipe.send([row for out in outs for row in out])


def drive(servers: list[Server], accounts: list[str], warmup: float, duration: float, per_process: int,
          think: float = 0.0) -> dict:
    """Users are shared out over the servers (one, unless --server-processes says more), a session each."""
    groups = [accounts[i:i + per_process] for i in range(0, len(accounts), per_process)]
    context = multiprocessing.get_context("fork")
    procs, pipes = [], []
    for n, group in enumerate(groups):
        parent, child = context.Pipe()
        proc = context.Process(target=load_process, args=(child, [server.port for server in servers], group, n + 1, think), daemon=True)
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
    before = {pid: cpu for server in servers for pid, cpu in server.cpu_by_process().items()}
    time.sleep(max(0.0, end - time.time()))
    after = {pid: cpu for server in servers for pid, cpu in server.cpu_by_process().items()}
    split = sorted((after[pid] - before.get(pid, 0.0)) / duration for pid in after)
    server_cpu = sum(after.values()) - sum(before.values())
    rows = [row for pipe in pipes for row in pipe.recv()]
    for proc in procs:
        proc.join()
    client_cpu1 = os.times()
    client_cpu = (client_cpu1.children_user + client_cpu1.children_system
                  - client_cpu0.children_user - client_cpu0.children_system)
    result = {"users": len(accounts), "requests": len(rows), "per_s": len(rows) / duration,
              "errors": sum(1 for _, _, status in rows if status != 200),
              "error_statuses": sorted({status for _, _, status in rows if status != 200}),
              "server_cores": server_cpu / duration,
              "server_split": [round(cores, 2) for cores in split if cores >= 0.01], "client_cores": client_cpu / (warmup + duration), "pages": {}}
    for page in PAGES:
        times = sorted(elapsed for p, elapsed, _ in rows if p == page)
        result["pages"][page] = {"n": len(times), "errors": sum(1 for p, _, s in rows if p == page and s != 200),
                                 "p50": percentile(times, 50) * 1000, "p95": percentile(times, 95) * 1000}
    return result


def percentile(values: list[float], p: float) -> float:
    """Nearest rank: the smallest value with at least p % of the values at or below it."""
    if not values:
        return float("nan")
    return values[max(0, math.ceil(p / 100 * len(values)) - 1)]


# Reporting ------------------------------------------------------------------------------------------

def _served(processes: int) -> str:
    each = (f"`confide serve` as it serves by default here: {SERVE_PROCESSES} process"
            f"{'es' if SERVE_PROCESSES > 1 else ''} sharing one socket, waitress with {SERVER_THREADS} threads each")
    if processes == 1:
        return each
    return f"{processes} servers, each {each}, the users shared out over them as a load balancer would"


def _status(status: int) -> str:
    return {0: "no response", SEARCH_MISSED: "search missed the client"}.get(status, f"HTTP {status}")


def _split(result: dict) -> str:
    """How the server's CPU fell between its processes: far apart means one did the others' work."""
    split = result.get("server_split", [])
    return f" ({' + '.join(f'{cores:.2f}' for cores in split)})" if len(split) > 1 else ""


def _ms(value: float) -> str:
    return "–" if math.isnan(value) else f"{value:,.0f}"


def report(args, command: str, builds: dict, versions: dict, accounts: dict, results: list[dict]) -> str:
    lines = [
        "## Web",
        "",
        f"Command: `{command}` (run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}).",
        f"Machine: {machine()}; {', '.join(versions[db] for db in args.db)}. Shared and noisy: the databases "
        "were measured side by side, alternating, in this one run.",
        "",
        f"Demo: `confide demo --clients {args.clients}` on the `{PACK}` pack ("
        + "; ".join(f"{versions[db].split(' (')[0]}: {'reused, ' if builds[db]['reused'] else ''}built in "
                    f"{builds[db]['seconds']:,.0f} s" for db in args.db)
        + ("; PostgreSQL's statistics refreshed with `ANALYZE` first" if "postgresql" in args.db else "")
        + f"). Served by {_served(args.server_processes)}. Each user signs in as a different "
        f"worker (caseloads of {min(c for db in args.db for _, c in accounts[db])}–"
        f"{max(c for db in args.db for _, c in accounts[db])} clients) and loops client list → search (three "
        f"letters of a name on its list, sent as the page's search form sends it, and checked to list that client) → "
        f"client file (one of its clients): {args.warmup:g} s warm-up, then "
        f"{args.duration:g} s measured"
        + (f", about {args.think:g} s on each page before the next" if args.think else ", back to back with no pause "
           "between pages (the worst case: 10 such users ask more of the server than 10 people at work would)")
        + ". Every page is an audited read (one durable commit). Latency in ms, "
        "from request sent to response read, at the load generator.",
        "",
        "| database | users | list p50 | list p95 | search p50 | search p95 | file p50 | file p95 | pages / s "
        "| errors | server CPU (cores, by process) | load generator CPU (cores) |",
        "|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        p = r["pages"]
        errors = f"{r['errors']:,}" + (f" ({', '.join(_status(s) for s in r['error_statuses'])})" if r["errors"] else "")
        lines.append(f"| {versions[r['db']].split(' (')[0]} | {r['users']} | {_ms(p['list']['p50'])} | {_ms(p['list']['p95'])} "
                     f"| {_ms(p['search']['p50'])} | {_ms(p['search']['p95'])} | {_ms(p['file']['p50'])} "
                     f"| {_ms(p['file']['p95'])} | {r['per_s']:,.1f} | {errors} | {r['server_cores']:.2f}{_split(r)} "
                     f"| {r['client_cores']:.2f} |")
    lines += ["", f"Against the target (p95 under {TARGET_MS:.0f} ms at 10 users, every page), in this run:"]
    for db in args.db:
        at10 = [r for r in results if r["db"] == db and r["users"] == 10]
        if not at10:
            lines.append(f"- {versions[db].split(' (')[0]}: not measured at 10 users.")
            continue
        p = at10[0]["pages"]
        verdicts = [f"{page} {'met' if p[page]['p95'] < TARGET_MS else 'NOT met'} ({_ms(p[page]['p95'])} ms)"
                    for page in PAGES]
        errors = f"; {at10[0]['errors']} errors" if at10[0]["errors"] else ""
        lines.append(f"- {versions[db].split(' (')[0]}: " + "; ".join(verdicts) + errors + ".")
    return "\n".join(lines)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--clients", type=int, default=100_000)
    parser.add_argument("--duration", type=float, default=20.0, help="measured seconds per step (default 20)")
    parser.add_argument("--warmup", type=float, default=5.0, help="unmeasured seconds before each step (default 5)")
    parser.add_argument("--users", default="1,10,50", help="comma-separated numbers of concurrent users")
    parser.add_argument("--db", default="sqlite,postgresql", help="comma-separated: sqlite, postgresql")
    parser.add_argument("--users-per-process", type=int, default=10, help="simulated users per load-generator process")
    parser.add_argument("--work-dir", default=str(Path(tempfile.gettempdir()) / "confide-web-bench"), help="where demos are built and kept for reuse")
    parser.add_argument("--server-processes", type=int, default=1,
                        help="run this many `confide serve` processes and share the users out over them, as a "
                             "load balancer would (default 1, as Confide is served today)")
    parser.add_argument("--think", type=float, default=0.0,
                        help="mean seconds a user spends on each page before the next (default 0: back to back, "
                             "the worst case; each pause is drawn between half and one and a half times this)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2,000 clients, 2 s warm-up, 5 s per step")
    parser.add_argument("--no-write", action="store_true", help="print only; do not write bench/RESULTS.md")
    args = parser.parse_args()
    command = "bench/web.py " + " ".join(sys.argv[1:])
    if args.quick:
        args.clients, args.duration, args.warmup = 2000, 5.0, 2.0
    args.db = [db.strip() for db in args.db.split(",") if db.strip()]
    if any(db not in ("sqlite", "postgresql") for db in args.db):
        parser.error("--db: expected sqlite, postgresql or both")
    users = [int(u) for u in args.users.split(",")]
    work = Path(args.work_dir)
    work.mkdir(parents=True, exist_ok=True)
    builds = {db: build(db, args.clients, work) for db in args.db}
    if "postgresql" in args.db:
        # As autovacuum would soon after a bulk load: without statistics, the planner guesses the
        # list's join badly (a sequential scan of every case) and the first minutes are not typical.
        subprocess.run(["psql", f"{PG_URL}/confide_web_{args.clients}", "-qc", "ANALYZE"], check=True)
    versions = {db: engine_version(db, args.clients, work) for db in args.db}
    accounts = {db: workers(db, args.clients, work, max(users)) for db in args.db}
    servers = {}
    results = []
    try:
        for db in args.db:
            servers[db] = [Server(db, args.clients, work, n) for n in range(args.server_processes)]
        for n in users:
            for db in args.db:
                print(f"{db}: {n} users ...", flush=True)
                result = drive(servers[db], [name for name, _ in accounts[db][:n]], args.warmup, args.duration,
                               args.users_per_process, args.think)
                result["db"] = db
                results.append(result)
                p = result["pages"]
                print("  " + "; ".join(f"{page} p50 {_ms(p[page]['p50'])} ms p95 {_ms(p[page]['p95'])} ms"
                                       for page in PAGES)
                      + f"; {result['per_s']:.1f} pages/s; {result['errors']} errors; server cores "
                      + " + ".join(f"{cores:.2f}" for cores in result["server_split"]), flush=True)
    finally:
        for server in (server for group in servers.values() for server in group):
            server.stop()
    text = report(args, ".venv/bin/python " + command.strip(), builds, versions, accounts, results)
    print()
    print(text)
    if not (args.quick or args.no_write):
        write_section(text, "web")
    return 1 if any(r["errors"] for r in results) else 0


if __name__ == "__main__":
    sys.exit(main())

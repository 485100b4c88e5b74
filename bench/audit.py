"""Audit-log benchmark: the chain's append against the true floor, alone and concurrent; verification.

    .venv/bin/python bench/audit.py                 # both databases, writes bench/RESULTS.md
    .venv/bin/python bench/audit.py --only sqlite   # one database, prints only
    .venv/bin/python bench/audit.py --quick         # smoke run: small sizes, both databases, prints only

The floor (issue 18 point 4) is a raw durable insert of the same row, into a table with the same
columns and the same index as `audit_event` (its key and `(client_id, seq)`), through the database
driver itself (`sqlite3` / `psycopg`), one committed insert per event, on the same database file or
server, with the same durability (SQLite WAL with `synchronous=FULL`; PostgreSQL
`synchronous_commit=on`). It has no chain, no head row, no triggers and no Django.

1. *One connection*: `record_event()` (lock the head, hash, insert, the trigger moves the head,
   commit) and the floor's insert alternate in blocks (--block events each, the order swapped each
   pair: chain-floor, floor-chain, ...); each block gives a rate, and the section reports medians,
   spread and the median of the paired ratios.
2. *Concurrent*: the same from 10 threads of one process (each its own connection) and from 2
   processes, chain and floor alternating. On SQLite the floor's writers queue as the chain's do
   (a thread lock and `flock`, confide/audit/appendlock.py), since SQLite's busy handler would
   otherwise put them to sleep and flatter the chain; on PostgreSQL they do not queue at all, so
   concurrent floor inserts may share a WAL flush, which the chain's head lock rules out.
3. *Verification* of a long chain (`verify_chain()`), events per second.

Each database runs in child processes of its own (Django's settings are per process), on a
database made for this run (a temporary directory; a PostgreSQL database whose name holds the pid
and a random suffix, dropped afterwards). Targets (issue 18 point 5): the chain at most 1.3× the
floor on SQLite; (issue 2) 200,000 events verified per second.
"""

from __future__ import annotations

import argparse
import contextlib
import fcntl
import hashlib
import json
import os
import platform
import secrets
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
PG_ADMIN_URL = os.environ.get("BENCH_PG_ADMIN", "postgresql://postgres@127.0.0.1:5432/postgres")
RATIO_TARGET = 1.3
VERIFY_TARGET = 200_000
ACTOR_ID, ACTOR = 7, "bench-worker"
DETAIL = {"decision": "permit", "clauses": ["3.04"], "pack": "dvip", "pack_version": "1"}
COLUMNS = "seq, at, actor_id, actor, action, object_type, object_id, client_id, purpose, detail, prev_hash, hash"


# --- inside a child: Django set up on the run's database ---------------------------------------------
def _django():
    sys.path.insert(0, str(ROOT))
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "confide.settings")
    import django

    django.setup()


class _Actor:  # the fields record_event reads from a user
    pk = ACTOR_ID

    def get_username(self):
        return ACTOR


def _chain(count: int) -> None:
    from confide.audit.actions import Action
    from confide.audit.services import record_event

    actor = _Actor()
    for i in range(count):
        record_event(actor, Action("client.read"), object_type="client", object_id=i % 5000, client_id=i % 5000,
                     purpose="direct_support", detail=DETAIL)


class Floor:
    """A raw connection inserting the chain's row, durably, one commit per row, into `bench_floor`."""

    def __init__(self, url: str):
        self.sqlite = url.startswith("sqlite:")
        if self.sqlite:
            import sqlite3

            self.path = url.split("sqlite:///", 1)[1]
            self.db = sqlite3.connect(self.path, isolation_level=None, timeout=20, check_same_thread=False)
            self.db.execute("PRAGMA journal_mode=WAL")
            self.db.execute("PRAGMA synchronous=FULL")
            self.sql = f"INSERT INTO bench_floor ({COLUMNS}) VALUES ({', '.join('?' * 12)})"  # noqa: S608 -- constants only
        else:
            import psycopg

            self.db = psycopg.connect(url, autocommit=True)
            self.sql = f"INSERT INTO bench_floor ({COLUMNS}) VALUES ({', '.join(['%s'] * 12)})"  # noqa: S608 -- constants only
        self.detail = json.dumps(DETAIL, sort_keys=True, separators=(",", ":"))

    def insert(self, seqs: range, queue=contextlib.nullcontext) -> None:
        from datetime import UTC, datetime

        db, sql, detail = self.db, self.sql, self.detail
        for seq in seqs:
            at = datetime.now(UTC)
            row = (seq, at.isoformat(sep=" ") if self.sqlite else at, ACTOR_ID, ACTOR, "client.read", "client",
                   str(seq % 5000), seq % 5000, "direct_support", detail,
                   hashlib.sha256(b"%d" % (seq - 1)).hexdigest(), hashlib.sha256(b"%d" % seq).hexdigest())
            with queue():
                db.execute(sql, row)  # autocommit: one durable commit per row

    def close(self) -> None:
        self.db.close()


def _make_floor_table(connection) -> None:
    """`bench_floor`: audit_event's columns, key and index, without its triggers."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute("CREATE TABLE bench_floor (LIKE audit_event INCLUDING DEFAULTS INCLUDING CONSTRAINTS "
                           "INCLUDING INDEXES)")
            return
        cursor.execute("SELECT type, sql FROM sqlite_master WHERE tbl_name = 'audit_event' AND sql IS NOT NULL")
        for kind, sql in cursor.fetchall():
            if kind in ("table", "index"):
                cursor.execute(sql.replace('"audit_event"', '"bench_floor"').replace("audit_event", "bench_floor")
                               .replace('"audit_client_seq"', '"bench_floor_client_seq"'))


def _sqlite_queue(path: str):
    """The chain's own queue (appendlock): a thread lock, then flock on a file beside the database."""
    lock = threading.Lock()
    fd = os.open(path + "-bench-floor.lock", os.O_RDWR | os.O_CREAT, 0o600)

    @contextlib.contextmanager
    def queue():
        with lock:
            fcntl.flock(fd, fcntl.LOCK_EX)
            try:
                yield
            finally:
                fcntl.flock(fd, fcntl.LOCK_UN)
    return queue


def child(database: str, appends: int, block: int, threads: int, concurrent: int, verify_events: int) -> dict:
    _django()
    from django.core.management import call_command
    from django.db import connection, connections
    from django.utils import timezone

    from confide.audit.chain import canonical_detail, canonical_time, event_hash
    from confide.audit.models import AuditEvent, AuditHead
    from confide.audit.services import verify_chain

    call_command("migrate", interactive=False, verbosity=0)
    _make_floor_table(connection)
    url = os.environ["CONFIDE_DATABASE_URL"]
    floor = Floor(url)
    next_floor = [1]

    def floor_block(count: int, queue=contextlib.nullcontext) -> None:
        lo = next_floor[0]
        next_floor[0] += count
        floor.insert(range(lo, lo + count), queue)

    _chain(50)  # warm both paths (connections, statements) before anything is timed
    floor_block(50)

    # 1. One connection, interleaved blocks.
    chain_rates, floor_rates, ratios = [], [], []
    # CPU per append, which a slow or busy disk does not hide: this process's CPU (on SQLite, the
    # database's work too), plus on PostgreSQL the CPU of the backend serving each connection.
    backends = {"chain": _backend_pid(connection.cursor()), "floor": _backend_pid(floor.db.cursor())} \
        if connection.vendor == "postgresql" else {}
    cpu = {"chain": [], "floor": []}
    for pair in range(max(1, appends // block)):
        order = ("chain", "floor") if pair % 2 == 0 else ("floor", "chain")
        got = {}
        for kind in order:
            backend0 = _cpu_seconds(backends.get(kind))
            cpu0 = time.process_time()
            start = time.perf_counter()
            _chain(block) if kind == "chain" else floor_block(block)
            got[kind] = block / (time.perf_counter() - start)
            used = time.process_time() - cpu0 + _cpu_seconds(backends.get(kind)) - backend0
            cpu[kind].append(used / block * 1e6)
        chain_rates.append(got["chain"])
        floor_rates.append(got["floor"])
        ratios.append(got["floor"] / got["chain"])

    # 2. Concurrent: threads of this process, then processes; chain and floor alternating.
    sqlite_queue = _sqlite_queue(floor.path) if floor.sqlite else None

    def in_threads(kind: str) -> float:
        per = concurrent // threads
        barrier = threading.Barrier(threads + 1)
        floors = [Floor(url) for _ in range(threads)] if kind == "floor" else []
        seqs = [(next_floor[0] + t * per) for t in range(threads)]
        if kind == "floor":
            next_floor[0] += per * threads

        def work(t: int) -> None:
            barrier.wait()
            try:
                if kind == "chain":
                    _chain(per)
                else:
                    floors[t].insert(range(seqs[t], seqs[t] + per), sqlite_queue or contextlib.nullcontext)
            finally:
                connections.close_all()

        pool = [threading.Thread(target=work, args=(t,)) for t in range(threads)]
        for thread in pool:
            thread.start()
        barrier.wait()
        start = time.perf_counter()
        for thread in pool:
            thread.join()
        seconds = time.perf_counter() - start
        for f in floors:
            f.close()
        return per * threads / seconds

    def in_processes(kind: str, count: int = 2) -> float:
        per = concurrent // count
        start_at = time.time() + 4.0  # every worker imports and connects first, then all start together
        base = next_floor[0]
        next_floor[0] += per * count
        procs = [subprocess.Popen([sys.executable, __file__, "--worker", kind, "--count", str(per), "--start-at",
                                   str(start_at), "--first-seq", str(base + i * per)], stdout=subprocess.PIPE, text=True)
                 for i in range(count)]
        spans = [json.loads(p.communicate()[0].strip().splitlines()[-1]) for p in procs]
        if any(p.returncode for p in procs):
            raise SystemExit(f"{database}: a {kind} worker process failed")
        return per * count / (max(s["end"] for s in spans) - min(s["start"] for s in spans))

    rounds = 2
    concurrency = {"chain_threads": [], "floor_threads": [], "chain_processes": [], "floor_processes": []}
    for r in range(rounds):
        for kind in (("chain", "floor") if r % 2 == 0 else ("floor", "chain")):
            concurrency[f"{kind}_threads"].append(in_threads(kind))
        for kind in (("chain", "floor") if r % 2 == 0 else ("floor", "chain")):
            concurrency[f"{kind}_processes"].append(in_processes(kind))
    floor.close()
    after_appends = verify_chain()
    assert after_appends.ok, after_appends.message()
    appended_total = AuditHead.objects.get(pk=1).seq

    # 3. Verification over a long chain: extend it in bulk with valid links, then walk it all.
    head = AuditHead.objects.get(pk=1)
    seq, prev = head.seq, head.hash
    now = timezone.now()
    text = canonical_detail(DETAIL)
    batch = []
    while seq < verify_events:
        seq += 1
        digest = event_hash(seq, canonical_time(now), ACTOR_ID, ACTOR, "client.read", "client", str(seq % 5000),
                            seq % 5000, "direct_support", text, prev)
        batch.append(AuditEvent(seq=seq, at=now, actor_id=ACTOR_ID, actor=ACTOR, action="client.read",
                                object_type="client", object_id=str(seq % 5000), client_id=seq % 5000,
                                purpose="direct_support", detail=text, prev_hash=prev, hash=digest))
        prev = digest
        if len(batch) == 5000:
            AuditEvent.objects.bulk_create(batch)
            batch = []
    AuditEvent.objects.bulk_create(batch)  # each event moves the head, in the database (audit migration 0003)
    verify_chain()  # warm the cache once, as a second run would be
    start = time.perf_counter()
    result = verify_chain()
    seconds = time.perf_counter() - start
    assert result.ok, result.message()
    return {"database": database, "block": block, "pairs": len(ratios), "threads": threads, "concurrent": concurrent,
            "chain": _summary(chain_rates), "floor": _summary(floor_rates), "ratio": _summary(ratios),
            "cpu_us": {kind: _summary(values) for kind, values in cpu.items()},
            "concurrency": {k: _summary(v) for k, v in concurrency.items()}, "chain_intact_after": appended_total,
            "verified_events": result.checked, "verified_per_s": result.checked / seconds,
            "engine_version": _engine_version(connection)}


def worker(kind: str, count: int, start_at: float, first_seq: int) -> dict:
    """One of the concurrent processes: waits for the common start, appends `count` events, reports its span."""
    url = os.environ["CONFIDE_DATABASE_URL"]
    if kind == "chain":
        _django()
        from django.db import connection

        connection.ensure_connection()
        run = lambda: _chain(count)  # noqa: E731
    else:
        floor = Floor(url)
        queue = _sqlite_queue(floor.path) if floor.sqlite else contextlib.nullcontext
        run = lambda: floor.insert(range(first_seq, first_seq + count), queue)  # noqa: E731
    time.sleep(max(0.0, start_at - time.time()))
    start = time.time()
    run()
    return {"start": start, "end": time.time()}


def _backend_pid(cursor) -> int:
    cursor.execute("SELECT pg_backend_pid()")
    return cursor.fetchone()[0]


def _cpu_seconds(pid: int | None) -> float:
    """CPU seconds of a process (a PostgreSQL backend) from /proc; 0 for none."""
    if pid is None:
        return 0.0
    try:
        fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    except OSError:
        return 0.0
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _summary(values: list[float]) -> dict:
    return {"median": statistics.median(values), "low": min(values), "high": max(values), "n": len(values)}


def _engine_version(connection) -> str:
    with connection.cursor() as cursor:
        if connection.vendor == "sqlite":
            cursor.execute("select sqlite_version()")
            return "SQLite " + cursor.fetchone()[0]
        cursor.execute("show server_version")
        return "PostgreSQL " + cursor.fetchone()[0]


def run_one(database: str, args) -> dict:
    env = dict(os.environ)
    name = f"confide_bench_audit_{os.getpid()}_{secrets.token_hex(4)}"  # cannot collide with another run
    with tempfile.TemporaryDirectory(prefix="confide-bench-audit-") as var:
        env["CONFIDE_VAR_DIR"] = var
        if database == "sqlite":
            env["CONFIDE_DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
        else:
            subprocess.run(["psql", PG_ADMIN_URL, "-qc", f"CREATE DATABASE {name}"], check=True)
            env["CONFIDE_DATABASE_URL"] = f"{PG_ADMIN_URL.rsplit('/', 1)[0]}/{name}"
        try:
            out = subprocess.run([sys.executable, __file__, "--child", database, "--appends", str(args.appends),
                                  "--block", str(args.block), "--concurrent", str(args.concurrent),
                                  "--verify-events", str(args.verify_events)],
                                 env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
        finally:
            if database == "postgresql":
                subprocess.run(["psql", PG_ADMIN_URL, "-qc", f"DROP DATABASE IF EXISTS {name}"], check=False)
    return json.loads(out.strip().splitlines()[-1])


def machine() -> str:
    """The machine's figures, for every benchmark's section: cores, CPU, RAM, Python, kernel, load."""
    cpu, ram = "unknown CPU", "unknown RAM"
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
        for line in Path("/proc/meminfo").read_text().splitlines():
            if line.startswith("MemTotal"):
                ram = f"{int(line.split()[1]) / 1024 / 1024:.0f} GB RAM"
                break
    except OSError:
        pass
    load = " ".join(f"{x:.2f}" for x in os.getloadavg())
    return (f"{os.cpu_count()} cores ({cpu}), {ram}, Python {platform.python_version()}, "
            f"{platform.system()} {platform.release()}, load average {load} (1, 5, 15 min)")


def _cell(s: dict, fmt: str = ",.0f") -> str:
    return f"{s['median']:{fmt}} ({s['low']:{fmt}}–{s['high']:{fmt}})"


def report(results: list[dict], command: str, started: str, load_after: str) -> str:
    r0 = results[0]
    lines = [
        "## Audit log",
        "",
        f"Command: `{command}` (run {started}).",
        f"Machine: {machine_line} at the start, {load_after} at the end. Shared and noisy: compare the ratios "
        "within one run.",
        "",
        f"**One connection.** Appends per second, median of {r0['pairs']} pairs of interleaved blocks of "
        f"{r0['block']:,} (lowest–highest block in brackets). *Floor*: a raw durable insert of the same row, with "
        "the same key and index, through the driver (`bench/audit.py` docstring).",
        "",
        "| database | chain (`record_event`) / s | floor (raw insert) / s | chain cost (median of paired floor ÷ chain) "
        "| CPU µs per append, chain | CPU µs per append, floor | events verified / s |",
        "|---|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        lines.append(f"| {r['engine_version']} | {_cell(r['chain'])} | {_cell(r['floor'])} | {_cell(r['ratio'], '.2f')}× "
                     f"| {_cell(r['cpu_us']['chain'])} | {_cell(r['cpu_us']['floor'])} "
                     f"| {r['verified_per_s']:,.0f} ({r['verified_events']:,} events) |")
    lines += ["", "CPU per append: this process's CPU time (on SQLite that includes the database's own work), plus on "
              "PostgreSQL the CPU of the backend serving each connection (/proc), per event, median of the blocks. "
              "A slow or busy disk hides the chain's extra work in the rate (both wait for the same sync); the CPU "
              "columns show it."]
    lines += [
        "",
        f"**Concurrent.** {r0['concurrent']:,} appends in all, from {r0['threads']} threads of one process (each its "
        "own connection) and from 2 processes; chain and floor alternating, two rounds each (median, and "
        "lowest–highest). The chain was verified intact after all of them.",
        "",
        "| database | chain, 10 threads / s | floor, 10 threads / s | chain, 2 processes / s | floor, 2 processes / s |",
        "|---|---:|---:|---:|---:|",
    ]
    for r in results:
        c = r["concurrency"]
        lines.append(f"| {r['engine_version'].split(' (')[0]} | {_cell(c['chain_threads'])} | {_cell(c['floor_threads'])} "
                     f"| {_cell(c['chain_processes'])} | {_cell(c['floor_processes'])} |")
    lines += ["", "Against the targets, in this run:"]
    for r in results:
        name = r["engine_version"].split(" (")[0]
        ratio = r["ratio"]["median"]
        verify = "met" if r["verified_per_s"] >= VERIFY_TARGET else "NOT met"
        if name.startswith("SQLite"):
            chain = (f"chain ≤ {RATIO_TARGET}× the floor {'met' if ratio <= RATIO_TARGET else 'NOT met'} "
                     f"({ratio:.2f}×)")
        else:
            chain = f"chain {ratio:.2f}× the floor (no target on PostgreSQL)"
        lines.append(f"- {name}: {chain}; verification {verify} ({r['verified_per_s']:,.0f} / s against "
                     f"{VERIFY_TARGET:,}).")
    lines += [
        "",
        "What bounds the chain: both sides pay one durable commit per event, which is most of the floor's time. "
        "The chain adds, per event, Django's connection handling, reading the head row (on PostgreSQL a second "
        "round trip, `SELECT … FOR UPDATE`), the SHA-256 link, the trigger that checks the event is the next and "
        "moves the head (a second row written and synced), and on SQLite the append queue. Concurrent appends "
        "cannot share a commit on the chain (the head row is locked until each commits); the PostgreSQL floor's "
        "can, which is why its concurrent figures may run well ahead.",
    ]
    return "\n".join(lines)


machine_line = ""


def write_section(text: str, name: str = "audit") -> None:
    path = ROOT / "bench" / "RESULTS.md"
    begin, end = f"<!-- {name}:begin -->", f"<!-- {name}:end -->"
    current = path.read_text(encoding="utf-8") if path.exists() else "# Benchmark results\n"
    block = f"{begin}\n{text}\n{end}"
    if begin in current and end in current:
        head, rest = current.split(begin, 1)
        current = head + block + rest.split(end, 1)[1]
    else:
        current = current.rstrip("\n") + "\n\n" + block + "\n"
    path.write_text(current, encoding="utf-8")


def main() -> int:
    global machine_line
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child")
    parser.add_argument("--worker", choices=["chain", "floor"])
    parser.add_argument("--count", type=int)
    parser.add_argument("--start-at", type=float)
    parser.add_argument("--first-seq", type=int)
    parser.add_argument("--only", choices=["sqlite", "postgresql"])
    parser.add_argument("--appends", type=int, default=int(os.environ.get("BENCH_APPENDS", "20000")),
                        help="events on each side, one connection (default 20,000)")
    parser.add_argument("--block", type=int, default=1000, help="events per interleaved block (default 1,000)")
    parser.add_argument("--concurrent", type=int, default=10000, help="events per concurrent run (default 10,000)")
    parser.add_argument("--verify-events", type=int, default=int(os.environ.get("BENCH_VERIFY_EVENTS", "300000")))
    parser.add_argument("--quick", action="store_true", help="smoke run: small sizes, prints only")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    if args.worker:
        print(json.dumps(worker(args.worker, args.count, args.start_at, args.first_seq)))
        return 0
    if args.child:
        print(json.dumps(child(args.child, args.appends, args.block, 10, args.concurrent, args.verify_events)))
        return 0
    if args.quick:
        args.appends, args.block, args.concurrent, args.verify_events, args.no_write = 1000, 250, 1000, 20000, True
    command = ".venv/bin/python bench/audit.py " + " ".join(sys.argv[1:])
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    machine_line = machine()
    databases = [args.only] if args.only else ["sqlite", "postgresql"]
    results = []
    for db in databases:
        print(f"== {db}", flush=True)
        results.append(run_one(db, args))
        r = results[-1]
        print(f"  chain {r['chain']['median']:,.0f}/s floor {r['floor']['median']:,.0f}/s ratio "
              f"{r['ratio']['median']:.2f}; concurrent "
              + ", ".join(f"{k} {v['median']:,.0f}/s" for k, v in r["concurrency"].items()), flush=True)
    text = report(results, command.strip(), started, " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(text)
    if not (args.only or args.no_write):
        write_section(text)
    return 0


if __name__ == "__main__":
    sys.exit(main())

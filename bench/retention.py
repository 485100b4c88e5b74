"""Retention benchmark: working out when every record falls due (issue 15, point 8) for 100,000
clients; the issue's target is under 60 seconds.

    .venv/bin/python bench/retention.py              # 100,000 clients, 3 rounds, writes its section of bench/RESULTS.md
    .venv/bin/python bench/retention.py --quick      # smoke run: 1,000 clients, 3 rounds, prints only
    .venv/bin/python bench/retention.py --clients 20000 --no-write

A DVIP organisation is built on a database made for this run (a temporary directory: its own SQLite
file, keystore and master key, dropped at the end), written in bulk without encryption (the client
rows hold no name: the schedule never reads one): --clients clients with 1 to 3 cases each in the
pack's services, closed on dates spread over the last twelve years. About 70 % of the clients have
every case closed, 20 % still have one open, 5 % were referrals never taken up, and 6 % of the cases
carry a family-court risk assessment (DVIP 9.15: 8 years, not 5); 1 client in 100 has a piece of
unsolicited information (9.12).

Each round empties the schedule (not timed), then times `schedule.do_recompute()`: every client's
lines worked out from the pack's `retain` answer and inserted in bulk, with its audit event, in one
transaction. Then one more run with nothing to change (every line read and compared, none written).
Figures are the median of the rounds with the lowest and highest, never the best.
"""

from __future__ import annotations

import argparse
import datetime as dt
import json
import os
import random
import statistics
import subprocess
import sys
import tempfile
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))

from bench.audit import machine, write_section  # noqa: E402 -- one writer of RESULTS.md sections, one machine line

TARGET_S = 60.0
SEED = 2026
BATCH = 5000


# --- inside the child: Django on the run's database ---------------------------------------------------

def _django():
    os.environ.setdefault("DJANGO_SETTINGS_MODULE", "confide.settings")
    import django

    django.setup()


def build(clients: int) -> dict:
    """Clients, cases and a few unsolicited entries, in bulk. Returns what was built."""
    from django.contrib.auth import get_user_model
    from django.utils import timezone

    from confide.accounts.models import Organisation, Team
    from confide.policy import load_pack
    from confide.records.models import Case, Client, Entry

    start = time.perf_counter()
    rng = random.Random(SEED)  # noqa: S311 -- fictional data, not security
    pack = load_pack("dvip")
    services = list(pack.services)
    Organisation.objects.create(id=1, name="Bench Support Service", pack="dvip")
    team = Team.objects.create(name="North team", slug="north")
    worker = get_user_model().objects.create_user(username="bench-worker", password=None, team=team,
                                                  role=next(n for n, r in pack.roles.items() if r.kind == "worker"))
    today = timezone.localdate()
    counts = {"cases": 0, "all_closed": 0, "open": 0, "referral": 0, "family_court": 0, "unsolicited": 0}
    made = 0
    while made < clients:
        size = min(BATCH, clients - made)
        rows = Client.objects.bulk_create([Client(team=team) for _ in range(size)], batch_size=BATCH)
        cases = []
        for client in rows:
            kind = rng.random()
            for i in range(rng.choice([1, 1, 1, 2, 2, 3])):
                referred = today - dt.timedelta(days=rng.randint(60, 365 * 12))
                closed = min(today, referred + dt.timedelta(days=rng.randint(30, 500)))
                flags = ["family_court_risk_assessment"] if rng.random() < 0.06 else []
                counts["family_court"] += bool(flags)
                if kind < 0.05:  # a referral never taken up
                    status, opened = Case.Status.CLOSED, None
                elif kind < 0.25 and i == 0:  # one case still open
                    status, opened, closed = Case.Status.OPEN, referred + dt.timedelta(days=7), None
                else:
                    status, opened = Case.Status.CLOSED, referred + dt.timedelta(days=7)
                cases.append(Case(client=client, service=rng.choice(services), team=team, status=status,
                                  referred_on=referred, opened_on=opened, closed_on=closed, flags=flags))
            counts["referral" if kind < 0.05 else "open" if kind < 0.25 else "all_closed"] += 1
        Case.objects.bulk_create(cases, batch_size=BATCH)
        counts["cases"] += len(cases)
        entries = [Entry(case=case, author=worker, body_sealed=b"-", unsolicited=True, source="third_party")
                   for case in cases[::37]]
        Entry.objects.bulk_create(entries, batch_size=BATCH)
        counts["unsolicited"] += len(entries)
        made += size
    counts["built_s"] = time.perf_counter() - start
    return counts


def child(clients: int, rounds: int) -> dict:
    _django()
    from django.core.management import call_command
    from django.db import connection

    from confide.retention import schedule
    from confide.retention.models import Due

    call_command("migrate", interactive=False, verbosity=0)
    built = build(clients)
    queries = [0]

    def counting(execute, sql, params, many, context):
        queries[0] += 1
        return execute(sql, params, many, context)

    seconds, per_round_queries = [], []
    for _ in range(rounds):
        Due.objects.all().delete()
        queries[0] = 0
        with connection.execute_wrapper(counting):
            start = time.perf_counter()
            schedule.do_recompute()
            seconds.append(time.perf_counter() - start)
        per_round_queries.append(queries[0])
    start = time.perf_counter()
    schedule.do_recompute()
    unchanged = time.perf_counter() - start
    lines = {}
    for due in Due.objects.values_list("record_class", "action"):
        lines[f"{due[0]}/{due[1]}"] = lines.get(f"{due[0]}/{due[1]}", 0) + 1
    return {"engine": connection.vendor, "clients": clients, "rounds": rounds, "built": built,
            "seconds": {"median": statistics.median(seconds), "low": min(seconds), "high": max(seconds),
                        "all": seconds},
            "unchanged_s": unchanged, "queries": per_round_queries[-1], "lines": dict(sorted(lines.items())),
            "due_total": sum(lines.values())}


# --- the parent: a private database, the child, the section ----------------------------------------

def run(args) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFIDE_") and k != "DJANGO_SETTINGS_MODULE"}
    env["CONFIDE_LOG_LEVEL"] = "WARNING"
    with tempfile.TemporaryDirectory(prefix="confide-bench-retention-") as var:
        env["CONFIDE_VAR_DIR"] = var
        env["CONFIDE_DATABASE_URL"] = f"sqlite:///{var}/bench.sqlite3"
        out = subprocess.run([sys.executable, __file__, "--child", "--clients", str(args.clients), "--rounds",
                              str(args.rounds)], env=env, check=True, stdout=subprocess.PIPE, text=True).stdout
    return json.loads(out.strip().splitlines()[-1])


def report(r: dict, command: str, started: str, machine_line: str, load_after: str) -> str:
    b, s = r["built"], r["seconds"]
    met = s["median"] < TARGET_S
    rate = r["clients"] / s["median"]
    return "\n".join([
        "## Retention: working out every record's due date",
        "",
        f"Command: `{command}` (run {started}).",
        f"Machine: {machine_line} at the start, {load_after} at the end. Shared and noisy.",
        f"{r['engine']} on a database made for this run (a temporary directory, dropped after).",
        "",
        f"**The records** (bench/retention.py docstring): DVIP, **{r['clients']:,} clients** with {b['cases']:,} "
        f"cases ({b['all_closed']:,} clients with every case closed, {b['open']:,} with one open, "
        f"{b['referral']:,} referrals never taken up; {b['family_court']:,} cases with a family-court risk "
        f"assessment) and {b['unsolicited']:,} pieces of unsolicited information; built in bulk in "
        f"{b['built_s']:.0f} s (not measured).",
        "",
        f"**`schedule.do_recompute()`** on an empty schedule (every line worked out and inserted, one audit "
        f"event, one transaction), median of {r['rounds']} rounds (lowest–highest): "
        f"**{s['median']:.2f} s ({s['low']:.2f}–{s['high']:.2f})**, {rate:,.0f} clients a second, "
        f"{r['queries']:,} queries. Again with nothing to change: {r['unchanged_s']:.2f} s.",
        "",
        f"Lines on the schedule ({r['due_total']:,}): "
        + ", ".join(f"{k} {v:,}" for k, v in r["lines"].items()) + ".",
        "",
        f"Target (under {TARGET_S:.0f} s for {r['clients']:,} clients): **{'met' if met else 'NOT met'}**, "
        f"{s['median']:.2f} s median, {s['high']:.2f} s in the slowest round.",
    ])


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    parser.add_argument("--clients", type=int, default=int(os.environ.get("BENCH_RETENTION_CLIENTS", "100000")),
                        help="clients (default 100,000, the issue's size)")
    parser.add_argument("--rounds", type=int, default=3, help="rounds; the median is reported (default 3)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 1,000 clients, prints only")
    parser.add_argument("--no-write", action="store_true", help="print only; leave bench/RESULTS.md alone")
    args = parser.parse_args()
    if args.child:
        print(json.dumps(child(args.clients, args.rounds)))
        return 0
    if args.quick:
        args.clients, args.no_write = 1000, True
    command = (".venv/bin/python bench/retention.py " + " ".join(sys.argv[1:])).strip()
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    machine_line = machine()
    print(f"== retention: {args.clients:,} clients, {args.rounds} rounds", flush=True)
    result = run(args)
    text = report(result, command, started, machine_line, " ".join(f"{x:.2f}" for x in os.getloadavg()))
    print(text)
    if not args.no_write:
        write_section(text, "retention")
    return 0


if __name__ == "__main__":
    sys.exit(main())

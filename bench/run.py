"""Every benchmark, one after another, each writing its own section of bench/RESULTS.md.

    make bench          # or: .venv/bin/python bench/run.py
    .venv/bin/python bench/run.py --quick                 # smoke run of every benchmark, small sizes, prints only
    .venv/bin/python bench/run.py --web-clients 20000     # a faster first run of the web benchmark

The web benchmark (bench/web.py) runs at the issue's full size, 100,000 clients, so that its section
of RESULTS.md stays comparable. It builds its demo databases once, in the temporary directory, keeps
them as templates and measures each run on copies of its own: the first build takes about 3 minutes
on SQLite and 6 on PostgreSQL on a 2-core machine, then the measurement (gate and floor, 4, 10 and
50 users, both databases) about 6 minutes. --web-clients (or BENCH_WEB_CLIENTS) makes it smaller;
the section says which size it measured.

The subject-access benchmark (bench/sar.py) compiles and renders the copy of one client with 1,000
entries, 5 rounds: about 20 minutes on a 2-core machine, nearly all of it WeasyPrint.

Every figure is a median of interleaved rounds or blocks with its spread, never the best of several
(issue 18 point 4). Not part of the test suite: figures depend on the machine, and the machine is shared.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["audit.py", "crypto.py", "policy.py", "retention.py", "sar.py", "web.py"]


def main() -> int:
    parser = argparse.ArgumentParser(description="Run every benchmark.")
    parser.add_argument("--web-clients", type=int, default=int(os.environ.get("BENCH_WEB_CLIENTS", "100000")),
                        help="clients in the web benchmark's demo (default 100,000, the issue's full size)")
    parser.add_argument("--quick", action="store_true",
                        help="each benchmark's smoke run (small sizes, a few seconds to minutes each); writes nothing")
    args = parser.parse_args()
    extra = {name: ["--quick"] for name in BENCHMARKS} if args.quick else {"web.py": ["--clients", str(args.web_clients)]}
    failed = []
    for name in BENCHMARKS:
        print(f"== bench/{name}", flush=True)
        if subprocess.run([sys.executable, str(HERE / name), *extra.get(name, [])], check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print("Smoke runs done; nothing written." if args.quick else "Results are in bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())

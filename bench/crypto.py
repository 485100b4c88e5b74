"""Encryption at rest: 1 KB notes sealed and opened per second under a client's data key, side by
side with the data-key lookup in the key store that each note also needs.

    .venv/bin/python bench/crypto.py            # writes its section of bench/RESULTS.md
    .venv/bin/python bench/crypto.py --quick    # smoke run, prints only

Every measure runs in every round, in a fresh order each round, on the same number of operations;
the section reports the median of the rounds and their spread (lowest–highest), never the best.
"""

from __future__ import annotations

import argparse
import os
import platform
import random
import statistics
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.audit import machine, write_section  # noqa: E402
from confide.keys import KeyStore, MasterKey, seal, unseal  # noqa: E402


def rate(fn, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    return n / (time.perf_counter() - start)


def main() -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--n", type=int, default=int(os.environ.get("BENCH_NOTES", "20000")),
                        help="operations per measure per round (default 20,000)")
    parser.add_argument("--rounds", type=int, default=7, help="interleaved rounds; the median is reported (default 7)")
    parser.add_argument("--quick", action="store_true", help="smoke run: 2,000 operations, 3 rounds; prints only")
    args = parser.parse_args()
    if args.quick:
        args.n, args.rounds = 2000, 3
    command = ".venv/bin/python bench/crypto.py " + " ".join(sys.argv[1:])
    started = time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime())
    machine_line = machine()
    note = os.urandom(768).hex()[:1024].encode()  # 1 KB of text
    aad = b"confide:v1:client:1:note:1:body"
    with tempfile.TemporaryDirectory() as directory:
        store = KeyStore(Path(directory) / "keystore.sqlite3", MasterKey.generate())
        for client in range(1000):
            store.data_key(client, create=True)
        key = store.data_key(1)
        blob = seal(key, note, aad)
        measures = {
            "1 KB note sealed (AES-256-GCM, fresh nonce)": lambda i: seal(key, note, aad),
            "1 KB note opened": lambda i: unseal(key, blob, aad),
            "client data key fetched from the key store and unwrapped": lambda i: store.data_key(i % 1000),
            "`KeyStore.encrypt` then `decrypt` of a 1 KB note (two key lookups)":
                lambda i: store.decrypt(1, store.encrypt(1, note.decode(), "n"), "n"),
        }
        rates: dict[str, list[float]] = {label: [] for label in measures}
        order = list(measures)
        shuffle = random.Random(7)  # noqa: S311 -- the order of the measures, not security
        for _ in range(args.rounds):
            shuffle.shuffle(order)
            for label in order:
                rates[label].append(rate(measures[label], args.n))
    rows = [f"| {label} | {statistics.median(r):,.0f} | {min(r):,.0f}–{max(r):,.0f} |" for label, r in rates.items()]
    text = "\n".join([
        "## Encryption at rest",
        "",
        f"Command: `{command.strip()}` (run {started}).",
        f"Machine: {machine_line} at the start; cryptography {__import__('cryptography').__version__}, "
        f"{platform.python_implementation()}.",
        "",
        f"Per second on one core: the median of {args.rounds} interleaved rounds of {args.n:,} operations each, "
        "and the lowest and highest round.",
        "",
        "| one core | per second (median) | rounds (lowest–highest) |",
        "|---|---:|---:|",
        *rows,
        "",
        "The key lookup, not the cipher, is what a page pays per client; a page showing one client's file "
        "needs it once.",
    ])
    print(text)
    if not args.quick:
        write_section(text, "crypto")
    return 0


if __name__ == "__main__":
    sys.exit(main())

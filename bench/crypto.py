"""Encryption at rest: 1 KB notes sealed and opened per second under a client's data key, side by
side with the data-key lookup in the key store that each note also needs.

    .venv/bin/python bench/crypto.py       # writes its section of bench/RESULTS.md
"""

from __future__ import annotations

import os
import platform
import sys
import tempfile
import time
from pathlib import Path

sys.path.insert(0, str(Path(__file__).resolve().parents[1]))

from bench.audit import machine, write_section  # noqa: E402
from confide.keys import KeyStore, MasterKey, seal, unseal  # noqa: E402

N = int(os.environ.get("BENCH_NOTES", "100000"))


def rate(fn, n: int) -> float:
    start = time.perf_counter()
    for i in range(n):
        fn(i)
    return n / (time.perf_counter() - start)


def main() -> int:
    note = os.urandom(768).hex()[:1024].encode()  # 1 KB of text
    with tempfile.TemporaryDirectory() as directory:
        store = KeyStore(Path(directory) / "keystore.sqlite3", MasterKey.generate())
        for client in range(1000):
            store.data_key(client, create=True)
        key = store.data_key(1)
        blob = seal(key, note, b"confide:v1:client:1:note:1:body")
        sealed = rate(lambda i: seal(key, note, b"confide:v1:client:1:note:1:body"), N)
        opened = rate(lambda i: unseal(key, blob, b"confide:v1:client:1:note:1:body"), N)
        lookups = rate(lambda i: store.data_key(i % 1000), N // 5)
        end_to_end = rate(lambda i: store.decrypt(1, store.encrypt(1, note.decode(), "n"), "n"), N // 5)
    text = "\n".join([
        "## Encryption at rest",
        "",
        f"Command: `.venv/bin/python bench/crypto.py` (run {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}).",
        f"Machine: {machine()}; cryptography {__import__('cryptography').__version__}, {platform.python_implementation()}.",
        "",
        "| one core | per second |",
        "|---|---:|",
        f"| 1 KB note sealed (AES-256-GCM, fresh nonce) | {sealed:,.0f} |",
        f"| 1 KB note opened | {opened:,.0f} |",
        f"| client data key fetched from the key store and unwrapped | {lookups:,.0f} |",
        f"| `KeyStore.encrypt` then `decrypt` of a 1 KB note (two key lookups) | {end_to_end:,.0f} |",
        "",
        "The key lookup, not the cipher, is what a page pays per client; a page showing one client's file "
        "needs it once.",
    ])
    print(text)
    write_section(text, "crypto")
    return 0


if __name__ == "__main__":
    sys.exit(main())

"""Every benchmark, one after another, each writing its own section of bench/RESULTS.md.

    make bench          # or: .venv/bin/python bench/run.py

Not part of the test suite: figures depend on the machine, and the machine is shared.
"""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

HERE = Path(__file__).resolve().parent
BENCHMARKS = ["audit.py", "crypto.py", "policy.py"]


def main() -> int:
    failed = []
    for name in BENCHMARKS:
        print(f"== bench/{name}", flush=True)
        if subprocess.run([sys.executable, str(HERE / name)], check=False).returncode != 0:
            failed.append(name)
    if failed:
        print(f"failed: {', '.join(failed)}", file=sys.stderr)
        return 1
    print("Results are in bench/RESULTS.md")
    return 0


if __name__ == "__main__":
    sys.exit(main())

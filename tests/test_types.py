"""The trusted core type-checks clean (issue 19 point 9).

mypy with django-stubs runs over the targets listed in pyproject.toml's [tool.mypy] `files`: the
policy engine, the audit log, the key store and the gate. `make typecheck` runs the same command.
A cold run takes about ten seconds; later runs reuse the cache in .venv/mypy_cache.
"""

from __future__ import annotations

import subprocess
import sys
import tomllib
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent


def mypy(*args: str) -> subprocess.CompletedProcess:
    return subprocess.run([sys.executable, "-m", "mypy", *args], cwd=ROOT, capture_output=True, text=True,
                          timeout=300, check=False)


def test_the_trusted_core_type_checks_clean():
    run = mypy()
    assert run.returncode == 0, f"mypy found problems (run 'make typecheck'):\n{run.stdout}{run.stderr}"
    assert "Success: no issues found" in run.stdout


def test_the_targets_are_the_trusted_core():
    """A target dropped from the list would pass silently; the list names each part of the core."""
    config = tomllib.loads((ROOT / "pyproject.toml").read_text(encoding="utf-8"))["tool"]["mypy"]
    assert {"confide/policy", "confide/audit", "confide/keys", "confide/records/access.py",
            "confide/records/rows.py"} <= set(config["files"])
    assert "mypy_django_plugin.main" in config["plugins"]
    assert not config.get("ignore_errors", False)
    for target in config["files"]:
        assert (ROOT / target).exists(), f"{target} is listed for mypy but does not exist"


def test_mypy_would_notice_a_type_error(tmp_path):
    """The check can fail: the same configuration finds a real error in a file that has one."""
    bad = tmp_path / "bad.py"
    bad.write_text("def f(x: int) -> str:\n    return x\n", encoding="utf-8")
    run = mypy(str(bad))
    assert run.returncode == 1
    assert "Incompatible return value type" in run.stdout

"""Private by default (issue 12, point 4): var/ is 0700 and every file Confide writes there 0600, and
Confide refuses to start, with one line, when the database or a key file can be read by others."""

from __future__ import annotations

import os
import stat
import subprocess
import sys
from pathlib import Path

import pytest

from confide import conf


def mode(path: Path) -> int:
    return stat.S_IMODE(path.stat().st_mode)


def confide_env(var: Path, **extra) -> dict:
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFIDE_") and k != "DJANGO_SETTINGS_MODULE"}
    return env | {"CONFIDE_VAR_DIR": str(var)} | extra


def private_var(tmp_path: Path) -> Path:
    var = tmp_path / "var"
    var.mkdir(mode=0o700)
    os.chmod(var, 0o700)
    for name in ("secret_key", "master_key", "keystore.sqlite3", "confide.sqlite3"):
        (var / name).write_text("x\n")
        os.chmod(var / name, 0o600)
    return var


def check(var: Path) -> None:
    conf.check_private_files(var, var / "confide.sqlite3", var / "keystore.sqlite3")


@pytest.mark.parametrize("name", ["confide.sqlite3", "confide.sqlite3-wal", "confide.sqlite3-shm", "secret_key",
                                  "master_key", "audit_signing_key", "keystore.sqlite3", "keystore.sqlite3-journal"])
def test_a_database_or_key_file_others_can_read_is_refused_in_one_line_naming_the_chmod(tmp_path, name):
    var = private_var(tmp_path)
    check(var)  # all owner-only: starts
    (var / name).write_text("x\n")
    os.chmod(var / name, 0o644)
    with pytest.raises(conf.ConfigError) as refused:
        check(var)
    line = str(refused.value)
    assert "\n" not in line
    assert line.startswith(f"other users of this machine can read {var / name} (mode 644); ")
    assert f"run 'chmod 600 {var / name}' and start Confide again" in line
    os.chmod(var / name, 0o640)  # the group is other users too
    with pytest.raises(conf.ConfigError):
        check(var)
    os.chmod(var / name, 0o600)
    check(var)


def test_an_open_var_dir_is_refused_and_every_open_file_named_in_the_same_line(tmp_path):
    var = private_var(tmp_path)
    os.chmod(var, 0o755)  # noqa: S103 -- the open directory under test
    os.chmod(var / "confide.sqlite3", 0o644)
    with pytest.raises(conf.ConfigError) as refused:
        check(var)
    assert str(refused.value) == (
        f"other users of this machine can read {var} (mode 755), {var / 'confide.sqlite3'} (mode 644); "
        f"run 'chmod 700 {var} && chmod 600 {var / 'confide.sqlite3'}' and start Confide again")


def test_var_is_created_owner_only_whatever_the_umask(tmp_path):
    old = os.umask(0o022)
    try:
        conf.secret_key(tmp_path / "new" / "var")
    finally:
        os.umask(old)
    assert mode(tmp_path / "new" / "var") == 0o700
    assert mode(tmp_path / "new" / "var" / "secret_key") == 0o600


def test_the_command_and_the_wsgi_application_refuse_to_start_on_an_open_database(tmp_path):
    var = private_var(tmp_path)
    os.chmod(var / "confide.sqlite3", 0o644)
    served = subprocess.run([sys.executable, "-m", "confide.cli", "serve"], env=confide_env(var),
                            capture_output=True, text=True, timeout=60)
    assert served.returncode == 2
    assert served.stderr.splitlines() == [
        f"confide: other users of this machine can read {var / 'confide.sqlite3'} (mode 644); "
        f"run 'chmod 600 {var / 'confide.sqlite3'}' and start Confide again"]
    wsgi = subprocess.run([sys.executable, "-c", "import confide.wsgi"], env=confide_env(var),
                          capture_output=True, text=True, timeout=60)
    assert wsgi.returncode != 0
    assert f"can read {var / 'confide.sqlite3'} (mode 644)" in wsgi.stderr.splitlines()[-1]
    assert mode(var / "confide.sqlite3") == 0o644, "Confide does not change a file it refuses"


def test_a_fresh_demo_keeps_var_and_everything_in_it_to_its_owner(tmp_path):
    var = tmp_path / "var"
    # Started with a permissive umask: Confide sets its own before it creates anything.
    demo = subprocess.run([sys.executable, "-m", "confide.cli", "demo", "--no-serve", "--clients", "2"],
                          env=confide_env(var), capture_output=True, text=True, timeout=300, umask=0o022)
    assert demo.returncode == 0, demo.stderr
    assert mode(var) == 0o700
    found = {path.relative_to(var).as_posix(): mode(path) for path in var.rglob("*")}
    assert {"confide.sqlite3", "secret_key", "master_key", "keystore.sqlite3"} <= set(found)
    assert {name: m for name, m in found.items() if m != (0o700 if (var / name).is_dir() else 0o600)} == {}
    # The WAL and SHM files, while the database is open, and the audit lock file.
    opened = subprocess.run([sys.executable, "-m", "confide.cli", "manage", "shell", "-c",
                             "from confide.audit.services import record_event; record_event(None, 'client.read'); "
                             "import os; print(sorted(os.listdir(os.environ['CONFIDE_VAR_DIR'])))"],
                            env=confide_env(var), capture_output=True, text=True, timeout=120, umask=0o022)
    assert opened.returncode == 0, opened.stderr
    assert "confide.sqlite3-wal" in opened.stdout and "confide.sqlite3-audit.lock" in opened.stdout
    assert {path.name: mode(path) for path in var.iterdir() if mode(path) not in (0o600, 0o700)} == {}

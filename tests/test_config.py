"""Settings from the environment: a wrong value gets one line naming the variable; secrets never echo."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from confide import conf


def test_sqlite_urls(tmp_path, monkeypatch):
    monkeypatch.chdir(tmp_path)
    relative = conf.database_from_url("sqlite:///data/confide.db")
    assert relative["NAME"] == str(tmp_path / "data" / "confide.db")
    absolute = conf.database_from_url("sqlite:////srv/confide/confide.db")
    assert absolute["NAME"] == "/srv/confide/confide.db"
    assert "journal_mode=WAL" in absolute["OPTIONS"]["init_command"]
    assert "synchronous=FULL" in absolute["OPTIONS"]["init_command"]
    assert absolute["OPTIONS"]["transaction_mode"] == "IMMEDIATE"


def test_postgresql_url():
    db = conf.database_from_url("postgresql://confide:s%40cret@db.internal:6543/cases")
    assert db["ENGINE"] == "django.db.backends.postgresql"
    assert (db["USER"], db["PASSWORD"], db["HOST"], db["PORT"], db["NAME"]) == ("confide", "s@cret", "db.internal", "6543", "cases")


@pytest.mark.parametrize("url, words", [
    ("mysql://root:hunter22@localhost/cases", "got mysql://"),
    ("postgresql://confide:hunter22@db.internal:6543/", "no database name"),
    ("postgresql://confide:hunter22@db.internal:notaport/cases", "port is not a number"),
    ("sqlite://", "needs a file path"),
    ("just-a-path.db", "no scheme"),
])
def test_bad_database_urls_name_the_variable_and_never_echo_the_password(url, words):
    with pytest.raises(conf.ConfigError) as caught:
        conf.database_from_url(url)
    message = str(caught.value)
    assert message.startswith("CONFIDE_DATABASE_URL: ")
    assert words in message
    assert "hunter22" not in message
    assert "\n" not in message


def test_typed_helpers(monkeypatch):
    monkeypatch.setenv("CONFIDE_X", "perhaps")
    with pytest.raises(conf.ConfigError, match="^CONFIDE_X: expected one of 1, 0, true"):
        conf.env_bool("CONFIDE_X")
    monkeypatch.setenv("CONFIDE_X", "Yes")
    assert conf.env_bool("CONFIDE_X") is True
    monkeypatch.setenv("CONFIDE_N", "ten")
    with pytest.raises(conf.ConfigError, match="^CONFIDE_N: expected a whole number, got 'ten'"):
        conf.env_int("CONFIDE_N", 10)
    monkeypatch.setenv("CONFIDE_N", "0")
    with pytest.raises(conf.ConfigError, match="at least 1"):
        conf.env_int("CONFIDE_N", 10, minimum=1)
    monkeypatch.setenv("CONFIDE_L", " , ")
    with pytest.raises(conf.ConfigError, match="^CONFIDE_L: expected a comma-separated list"):
        conf.env_list("CONFIDE_L", ["a"])


def test_secret_key_is_generated_once_owner_only_and_reused(tmp_path, monkeypatch):
    monkeypatch.delenv("CONFIDE_SECRET_KEY", raising=False)
    monkeypatch.delenv("CONFIDE_SECRET_KEY_FILE", raising=False)
    first = conf.secret_key(tmp_path / "var")
    key_file = tmp_path / "var" / "secret_key"
    assert stat.S_IMODE(key_file.stat().st_mode) == 0o600
    assert len(first) >= 50
    assert conf.secret_key(tmp_path / "var") == first


def test_secret_key_from_the_environment_or_a_file(tmp_path, monkeypatch):
    monkeypatch.setenv("CONFIDE_SECRET_KEY", "too-short")
    with pytest.raises(conf.ConfigError, match="^CONFIDE_SECRET_KEY: expected at least 32"):
        conf.secret_key(tmp_path)
    monkeypatch.delenv("CONFIDE_SECRET_KEY")
    monkeypatch.setenv("CONFIDE_SECRET_KEY_FILE", str(tmp_path / "missing"))
    with pytest.raises(conf.ConfigError, match="^CONFIDE_SECRET_KEY_FILE: expected a readable file"):
        conf.secret_key(tmp_path)
    (tmp_path / "key").write_text("k" * 40 + "\n")
    monkeypatch.setenv("CONFIDE_SECRET_KEY_FILE", str(tmp_path / "key"))
    assert conf.secret_key(tmp_path) == "k" * 40
    monkeypatch.setenv("CONFIDE_SECRET_KEY", "x" * 40)
    with pytest.raises(conf.ConfigError, match="not both"):
        conf.secret_key(tmp_path)


def run_confide(args, env_extra, tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFIDE_") and k != "DJANGO_SETTINGS_MODULE"}
    env.update({"CONFIDE_VAR_DIR": str(tmp_path / "var")}, **env_extra)
    return subprocess.run([sys.executable, "-m", "confide.cli", *args], env=env, capture_output=True, text=True, timeout=120)


def test_the_command_stops_with_one_line_on_a_wrong_setting(tmp_path):
    result = run_confide(["audit", "verify"], {"CONFIDE_DATABASE_URL": "mysql://root:hunter22@localhost/x"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip().splitlines() == [
        "confide: CONFIDE_DATABASE_URL: expected sqlite:///PATH or postgresql://USER@HOST:PORT/NAME; got mysql://"]
    result = run_confide(["serve"], {"CONFIDE_IDLE_LOCK_MINUTES": "soon"}, tmp_path)
    assert result.returncode == 2
    assert result.stderr.strip() == "confide: CONFIDE_IDLE_LOCK_MINUTES: expected a whole number, got 'soon'"


def test_processes_starting_together_agree_on_one_secret_and_one_master_key(tmp_path):
    # CI starts the SQLite and PostgreSQL runs at the same moment on a fresh checkout; a server may
    # start several workers. Each must read the one key the first of them wrote, whole.
    var = tmp_path / "var"
    code = ("import sys; from pathlib import Path; from confide import conf; "
            "v = Path(sys.argv[1]); print(conf.secret_key(v), conf.master_key_text(v))")
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFIDE_")}
    runs = [subprocess.Popen([sys.executable, "-c", code, str(var)], stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                             text=True, env=env) for _ in range(8)]
    answers = [run.communicate(timeout=60) for run in runs]
    assert all(run.returncode == 0 for run in runs), [err for _, err in answers]
    assert len({out for out, _ in answers}) == 1
    secret, master = answers[0][0].split()
    assert (var / "secret_key").read_text().strip() == secret and (var / "master_key").read_text().strip() == master
    assert stat.S_IMODE((var / "secret_key").stat().st_mode) == 0o600
    assert sorted(p.name for p in var.iterdir()) == ["master_key", "secret_key"], "no partial file left behind"

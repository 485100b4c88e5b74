"""The audit log's settings: two PostgreSQL roles, the checkpoint signing key, its log and interval."""

from __future__ import annotations

import base64
import subprocess
import sys

import pytest
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey

from confide import conf

SERVING = conf.database_from_url("postgresql://confide_web:pw-serving@db.internal:5432/cases")


def test_the_owner_connection_is_the_same_database_as_another_user():
    owner = conf.owner_database("postgresql://confide_owner:pw-owner@db.internal:5432/cases", SERVING)
    assert (owner["USER"], owner["NAME"], owner["HOST"]) == ("confide_owner", "cases", "db.internal")
    assert owner["TEST"] == {"MIRROR": "default"}


@pytest.mark.parametrize("url, words", [
    ("postgresql://confide_owner:pw-owner@db.internal:5432/other", "the same database, host and port"),
    ("postgresql://confide_owner:pw-owner@elsewhere:5432/cases", "the same database, host and port"),
    ("postgresql://confide_web:pw-owner@db.internal:5432/cases", "a different user"),
    ("sqlite:///var/x.sqlite3", "only for PostgreSQL"),
    ("postgresql://confide_owner:pw-owner@db.internal:5432/", "no database name"),
])
def test_a_wrong_owner_url_names_the_variable_and_never_the_password(url, words):
    with pytest.raises(conf.ConfigError) as caught:
        conf.owner_database(url, SERVING)
    message = str(caught.value)
    assert message.startswith("CONFIDE_MIGRATE_DATABASE_URL: ")
    assert words in message
    assert "pw-owner" not in message and "pw-serving" not in message


def test_two_roles_need_postgresql_for_serving_too():
    with pytest.raises(conf.ConfigError, match="only for PostgreSQL"):
        conf.owner_database("postgresql://o@db/cases", conf.sqlite_database(conf.Path("/tmp/x.sqlite3")))  # noqa: S108


def test_a_signing_key_in_the_environment_is_checked(monkeypatch):
    monkeypatch.delenv("CONFIDE_AUDIT_SIGNING_KEY", raising=False)
    monkeypatch.delenv("CONFIDE_AUDIT_SIGNING_KEY_FILE", raising=False)
    assert conf.audit_signing_key() is None
    key = Ed25519PrivateKey.generate()
    raw = base64.b64encode(key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw,
                                             serialization.NoEncryption())).decode()
    monkeypatch.setenv("CONFIDE_AUDIT_SIGNING_KEY", raw)
    assert conf.audit_signing_key() == raw
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8,
                            serialization.NoEncryption()).decode()
    monkeypatch.setenv("CONFIDE_AUDIT_SIGNING_KEY", pem)
    assert conf.audit_signing_key() == pem.strip()
    monkeypatch.setenv("CONFIDE_AUDIT_SIGNING_KEY", "not-a-key")
    with pytest.raises(conf.ConfigError) as caught:
        conf.audit_signing_key()
    assert str(caught.value).startswith("CONFIDE_AUDIT_SIGNING_KEY: expected an Ed25519 private key")
    assert "not-a-key" not in str(caught.value)


def test_settings_put_the_key_and_the_log_in_var_and_sign_every_ten_minutes(tmp_path):
    script = ("from django.conf import settings as s; import django; django.setup(); "
              "print(s.AUDIT_SIGNING_KEY_PATH, s.AUDIT_CHECKPOINT_LOG, s.AUDIT_CHECKPOINT_MINUTES, 'owner' in s.DATABASES)")
    env = {"PATH": "/usr/bin:/bin", "CONFIDE_VAR_DIR": str(tmp_path), "DJANGO_SETTINGS_MODULE": "confide.settings"}
    out = subprocess.run([sys.executable, "-c", script], env=env, capture_output=True, text=True, timeout=60)
    assert out.returncode == 0, out.stderr
    assert out.stdout.split() == [str(tmp_path / "audit_signing_key"), str(tmp_path / "audit_checkpoints.jsonl"),
                                  "10", "False"]
    bad = subprocess.run([sys.executable, "-c", script], env=env | {"CONFIDE_AUDIT_CHECKPOINT_MINUTES": "0"},
                         capture_output=True, text=True, timeout=60)
    assert bad.returncode != 0 and "CONFIDE_AUDIT_CHECKPOINT_MINUTES: expected a whole number of at least 1" in bad.stderr

"""The key store's formats pinned by known answers, and the bindings a change would quietly loosen.

Ciphertexts and wrapped keys outlive the code: a blob written today must open after any upgrade,
so the byte layout (version, nonce, sealed text and tag) and every associated-data string are fixed
here by vectors computed once with AES-256-GCM from fixed inputs. The other tests are the gaps
mutation testing found (docs/mutation.md): each would fail if the code stopped doing what it says.
"""

from __future__ import annotations

import os
import sqlite3
import stat
import threading
from datetime import datetime

import pytest

import confide.keys
from confide.keys import KeyStore, KeyStoreError, MasterKey, WrongMasterKey

# Fixed inputs. Never real keys: counting bytes.
DATA_KEY = bytes(range(32))
MASTER = MasterKey(bytes(range(32, 64)))
WRAPPED_DATA_KEY = bytes(range(200, 232))
INSTALLATION_KEY = bytes(range(150, 182))
TEXT = "Zelda said the blue door is safe."

# AES-256-GCM under DATA_KEY, nonce 0x64..0x6f, associated data b"confide:v1:client:7:note:42:body".
TEXT_BLOB = bytes.fromhex(
    "01" "6465666768696a6b6c6d6e6f"
    "127eb20218c925ff57067f9cb2004a9f2eb7632aef039c0087b8df6888c2c32dba"
    "9abd41f5b8f2d236f1b7eb1241362c0b")
# WRAPPED_DATA_KEY wrapped by MASTER, nonce 0x01..0x0c, associated data b"confide:v1:data-key:client:7".
WRAPPED_BLOB = bytes.fromhex(
    "01" "0102030405060708090a0b0c"
    "b5fc4b9a5d5906529aceed14f4743d3bc706211adabf9a51359e23f8ad3a1d8a"
    "53baa1744f0103dc220f2bc50356ffeb")
# INSTALLATION_KEY wrapped by MASTER, nonce 0x14..0x1f, associated data b"confide:v1:installation-key:secrets".
WRAPPED_INSTALLATION_BLOB = bytes.fromhex(
    "01" "1415161718191a1b1c1d1e1f"
    "b1d6372458ab01ed1075c09620b546c47ec248d33819c08ac2c2c4e5b1a2e5b5"
    "39f3766db4211bd7095831d6e5d8facb")
# b"JBSWY3DPEHPK3PXP" under INSTALLATION_KEY, nonce 0x14..0x1f,
# associated data b"confide:v1:installation:user:3:totp_secret".
TOTP_BLOB = bytes.fromhex("01" "1415161718191a1b1c1d1e1f" "42415aa1f7f2e8bf651a7b81f7763b84"
                          "5132ff2111dd6779982366cb1875ae7d")
MASTER_KEY_ID = "e0f5ad4331336eaa"  # sha256(b"confide master key id:" + MASTER.key)[:16]


@pytest.fixture
def store(tmp_path):
    return KeyStore(tmp_path / "keystore.sqlite3", MASTER)


def fixed_nonce(monkeypatch, nonce: bytes) -> None:
    monkeypatch.setattr(confide.keys.os, "urandom", lambda n: nonce[:n])


def test_a_ciphertext_is_version_nonce_sealed_text_and_tag(monkeypatch):
    assert KeyStore.decrypt_with(DATA_KEY, 7, TEXT_BLOB, "note:42:body") == TEXT
    fixed_nonce(monkeypatch, bytes(range(100, 112)))
    assert KeyStore.encrypt_with(DATA_KEY, 7, TEXT, "note:42:body").hex() == TEXT_BLOB.hex()


def test_a_wrapped_data_key_and_the_master_key_id_have_known_answers(store, monkeypatch):
    assert MASTER.key_id == MASTER_KEY_ID
    assert MASTER.text() == "ICEiIyQlJicoKSorLC0uLzAxMjM0NTY3ODk6Ozw9Pj8="
    store._connect().execute("INSERT INTO data_keys VALUES (7, ?, ?, '2025-01-01T00:00:00+00:00')",
                             (WRAPPED_BLOB, MASTER_KEY_ID))
    assert store.data_key(7) == WRAPPED_DATA_KEY
    fixed_nonce(monkeypatch, bytes(range(1, 13)))
    assert confide.keys.seal(MASTER.key, WRAPPED_DATA_KEY, b"confide:v1:data-key:client:7") == WRAPPED_BLOB


def test_an_installation_key_and_what_it_seals_have_known_answers(store):
    store._connect().execute("INSERT INTO installation_keys VALUES ('secrets', ?, ?, '2025-01-01T00:00:00+00:00')",
                             (WRAPPED_INSTALLATION_BLOB, MASTER_KEY_ID))
    assert store.installation_key("secrets") == INSTALLATION_KEY
    assert store.unseal_installation("user:3:totp_secret", TOTP_BLOB) == b"JBSWY3DPEHPK3PXP"


def test_the_version_byte_is_checked_not_ignored():
    # The tag does not cover the version byte, so only the check itself refuses another version.
    for version in (b"\x00", b"\x02", b"\xff"):
        with pytest.raises(KeyStoreError, match=r"^not a Confide ciphertext \(unknown version or too short\)$"):
            KeyStore.decrypt_with(DATA_KEY, 7, version + TEXT_BLOB[1:], "note:42:body")


def test_the_shortest_ciphertext_opens_and_anything_shorter_is_refused_as_such():
    empty = KeyStore.encrypt_with(DATA_KEY, 7, "", "e")
    assert len(empty) == 1 + 12 + 16 and KeyStore.decrypt_with(DATA_KEY, 7, empty, "e") == ""
    for short in (b"", b"\x01", empty[:-1], empty[:6]):
        with pytest.raises(KeyStoreError, match="^not a Confide ciphertext"):
            KeyStore.decrypt_with(DATA_KEY, 7, short, "e")


def test_a_wrapped_data_key_is_bound_to_its_client(store):
    store.encrypt(7, TEXT, "note:1:body")
    db = store._connect()
    db.execute("INSERT INTO data_keys SELECT 8, wrapped, master_key_id, created_at FROM data_keys WHERE client_id = 7")
    with pytest.raises(KeyStoreError, match="altered, or moved"):
        store.data_key(8)
    with pytest.raises(KeyStoreError, match="altered, or moved"):
        store.existing_keys([8])
    assert store.existing_keys([7]) == {7: store.data_key(7)}


def test_an_installation_key_is_bound_to_its_name(store):
    store.installation_key("secrets")
    store._connect().execute("INSERT INTO installation_keys SELECT 'name-index', wrapped, master_key_id, created_at "
                             "FROM installation_keys WHERE name = 'secrets'")
    with pytest.raises(KeyStoreError, match="altered, or moved"):
        store.installation_key("name-index")


def test_rotate_leaves_the_same_object_on_the_new_master_key(store):
    blob = store.encrypt(1, TEXT, "n")
    secret = store.seal_installation("user:1:totp_secret", b"secret")
    new = MasterKey.generate()
    store.rotate(new)
    assert store.master == new and store.status()["master_key_id"] == new.key_id
    assert store.decrypt(1, blob, "n") == TEXT, "the object that rotated goes on reading"
    assert store.decrypt(2, store.encrypt(2, "after", "n"), "n") == "after"
    assert store.status()["wrapped_with"] == [new.key_id], "a key made after rotating is wrapped with the new key"
    assert KeyStore(store.path, new).unseal_installation("user:1:totp_secret", secret) == b"secret"


def test_secure_delete_is_turned_on_even_where_sqlite_leaves_it_off(tmp_path, monkeypatch):
    # Debian's SQLite has secure_delete on by default; another build may not. Pretend it is off.
    real_connect = sqlite3.connect

    def connect_without_secure_delete(*args, **kwargs):
        connection = real_connect(*args, **kwargs)
        connection.execute("PRAGMA secure_delete = OFF")
        return connection

    monkeypatch.setattr(confide.keys.sqlite3, "connect", connect_without_secure_delete)
    store = KeyStore(tmp_path / "keystore.sqlite3", MasterKey.generate())
    db = store._connect()
    assert db.execute("PRAGMA secure_delete").fetchone()[0] == 1
    assert db.execute("PRAGMA journal_mode").fetchone()[0] == "delete"
    assert db.execute("PRAGMA synchronous").fetchone()[0] == 2  # FULL
    store.encrypt(7, TEXT, "n")
    store.encrypt(8, TEXT, "n")
    wrapped = db.execute("SELECT wrapped FROM data_keys WHERE client_id = 7").fetchone()[0]
    store.destroy(7)
    assert wrapped not in store.path.read_bytes(), "the destroyed key's bytes are overwritten in the file"


def test_the_store_file_is_owner_only_whatever_the_umask_and_its_folders_are_made(tmp_path):
    old = os.umask(0o022)
    try:
        store = KeyStore(tmp_path / "a" / "b" / "keystore.sqlite3", MasterKey.generate())
    finally:
        os.umask(old)
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600


def test_each_thread_has_one_connection_of_its_own(store):
    mine = store._connect()
    assert store._connect() is mine
    theirs = []

    def in_another_thread():
        connection = store._connect()
        theirs.append((connection, connection is store._connect(),
                       connection.execute("PRAGMA secure_delete").fetchone()[0]))

    thread = threading.Thread(target=in_another_thread)
    thread.start()
    thread.join()
    assert theirs[0][0] is not mine and theirs[0][1:] == (True, 1)


def test_a_destruction_is_dated_in_utc(store):
    store.encrypt(7, TEXT, "n")
    store.destroy(7)
    when = store._connect().execute("SELECT destroyed_at FROM destroyed WHERE client_id = 7").fetchone()[0]
    assert datetime.fromisoformat(when).utcoffset().total_seconds() == 0


def test_a_failed_destruction_rolls_back_and_reports_the_first_error(store):
    store.encrypt(7, TEXT, "n")
    store._connect().execute("DROP TABLE destroyed")
    with pytest.raises(sqlite3.OperationalError, match="no such table: destroyed"):
        store.destroy(7)
    assert not store._connect().in_transaction
    assert store.decrypt(7, store.encrypt(7, TEXT, "n"), "n") == TEXT, "the key was not deleted"


def test_a_failed_bulk_creation_rolls_back(store):
    store._connect().execute("DROP TABLE destroyed")
    with pytest.raises(sqlite3.OperationalError, match="no such table: destroyed"):
        store.data_keys([1, 2], create=True)
    assert not store._connect().in_transaction


def test_a_failed_rotation_rolls_back_and_reports_the_first_error(store):
    store.encrypt(1, TEXT, "n")
    store._connect().execute("UPDATE data_keys SET wrapped = x'02' WHERE client_id = 1")
    with pytest.raises(KeyStoreError, match="not a Confide ciphertext"):
        store.rotate(MasterKey.generate())
    assert not store._connect().in_transaction and store.master == MASTER


def test_a_wrong_master_key_is_named_wherever_keys_are_read(store):
    store.encrypt(1, TEXT, "n")
    other = KeyStore(store.path, MasterKey.generate())
    message = f"wrapped with master key {MASTER_KEY_ID}, but the master key given is {other.master.key_id}"
    for read in (lambda: other.data_key(1), lambda: other.existing_keys([1])):
        with pytest.raises(WrongMasterKey, match=f"{message} \\(CONFIDE_MASTER_KEY\\)$"):
            read()

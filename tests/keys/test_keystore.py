"""Per-client keys: real AES-256-GCM, a key store apart from the database, crypto-shredding and
rotation. Each test looks at what an attacker with a file would see, not only at the API."""

from __future__ import annotations

import os
import stat
import subprocess
import sys

import pytest

from confide.keys import KeyDestroyed, KeyStore, KeyStoreError, MasterKey, WrongMasterKey

NOTE = "Zelda said the blue door is safe to use after six."


@pytest.fixture
def store(tmp_path):
    return KeyStore(tmp_path / "keys" / "keystore.sqlite3", MasterKey.generate())


def test_text_round_trips_and_the_ciphertext_holds_no_clear_text(store):
    blob = store.encrypt(7, NOTE, "note:1:body")
    assert NOTE.encode() not in blob and b"blue door" not in blob
    assert store.decrypt(7, blob, "note:1:body") == NOTE
    assert store.encrypt(7, NOTE, "note:1:body") != blob, "a fresh nonce every time"


def test_each_client_has_its_own_key_and_a_blob_only_opens_where_it_was_made(store):
    blob = store.encrypt(7, NOTE, "note:1:body")
    assert store.data_key(7) != store.data_key(8, create=True)
    for client_id, context in ((8, "note:1:body"), (7, "note:2:body"), (7, "note:1:title")):
        with pytest.raises(KeyStoreError, match="altered, or moved"):
            store.decrypt(client_id, blob, context)
    flipped = bytearray(blob)
    flipped[-1] ^= 1
    with pytest.raises(KeyStoreError, match="altered"):
        store.decrypt(7, bytes(flipped), "note:1:body")


def test_the_key_store_is_its_own_owner_only_file_holding_only_wrapped_keys(store):
    store.encrypt(7, NOTE, "note:1:body")
    assert stat.S_IMODE(store.path.stat().st_mode) == 0o600
    raw = store.path.read_bytes()
    assert store.data_key(7) not in raw, "data keys are stored wrapped, never as they are"


def test_destroying_a_key_makes_the_data_unreadable_and_overwrites_the_key(store):
    blob = store.encrypt(7, NOTE, "note:1:body")
    store.encrypt(8, "another client's note", "note:2:body")
    wrapped = store._connect().execute("SELECT wrapped FROM data_keys WHERE client_id = 7").fetchone()[0]
    assert wrapped in store.path.read_bytes()
    assert store.destroy(7) is True
    assert wrapped not in store.path.read_bytes(), "secure_delete: the wrapped key's bytes are gone from the file"
    assert not list(store.path.parent.glob("*-journal")) and not list(store.path.parent.glob("*-wal"))
    with pytest.raises(KeyDestroyed, match="client #7's data key was destroyed"):
        store.decrypt(7, blob, "note:1:body")
    with pytest.raises(KeyDestroyed):
        store.encrypt(7, "new text", "note:3:body")  # never a new key for a destroyed client
    assert store.decrypt(8, store.encrypt(8, "still here", "n"), "n") == "still here"
    assert store.destroy(7) is False


def test_rotation_rewraps_every_key_and_the_data_still_opens(store, tmp_path):
    blobs = {client: store.encrypt(client, f"note of {client}", "note") for client in range(1, 6)}
    old, new = store.master, MasterKey.generate()
    assert store.rotate(new) == 5
    again = KeyStore(store.path, new)
    assert all(again.decrypt(client, blob, "note") == f"note of {client}" for client, blob in blobs.items())
    with pytest.raises(WrongMasterKey, match=f"wrapped with master key {new.key_id}"):
        KeyStore(store.path, old).decrypt(1, blobs[1], "note")
    assert again.status()["wrapped_with"] == [new.key_id]


def test_rotation_is_all_or_nothing(store):
    store.encrypt(1, "a", "n")
    store._connect().execute("UPDATE data_keys SET master_key_id = 'someone-else' WHERE client_id = 1")
    store.encrypt(2, "b", "n")
    with pytest.raises(WrongMasterKey, match="nothing was changed"):
        store.rotate(MasterKey.generate())
    assert store.decrypt(2, store.encrypt(2, "b", "n"), "n") == "b"


def test_bad_master_keys_are_one_clear_line():
    with pytest.raises(KeyStoreError, match="^CONFIDE_MASTER_KEY: expected 32 random bytes in base64"):
        MasterKey.from_text("not base64 at all!", "CONFIDE_MASTER_KEY")
    with pytest.raises(KeyStoreError, match="got 16 bytes"):
        MasterKey.from_text(MasterKey.generate().text()[:22] + "==", "CONFIDE_MASTER_KEY")


def run(args, env, **kwargs):
    return subprocess.run([sys.executable, "-m", "confide.cli", *args], env=env, capture_output=True, text=True,
                          timeout=60, **kwargs)


def test_confide_keys_rotate_end_to_end(tmp_path):
    env = {k: v for k, v in os.environ.items() if not k.startswith("CONFIDE_") and k != "DJANGO_SETTINGS_MODULE"}
    env |= {"CONFIDE_VAR_DIR": str(tmp_path / "var"), "CONFIDE_MASTER_KEY": MasterKey.generate().text()}
    shell = ("from confide.keys.runtime import key_store\n"
             "print(key_store().encrypt(3, 'kept', 'n').hex())")
    blob = run(["manage", "shell", "-c", shell], env).stdout.strip().splitlines()[-1]
    new_key = run(["keys", "generate"], env).stdout.strip()
    (tmp_path / "new.key").write_text(new_key + "\n")
    rotated = run(["keys", "rotate", "--new-key-file", str(tmp_path / "new.key")], env)
    assert rotated.returncode == 0, rotated.stderr
    assert rotated.stdout.startswith("Re-wrapped 1 client data keys under master key ")
    with_old = run(["keys", "status"], env)
    assert with_old.returncode == 0 and "keys wrapped with" in with_old.stdout
    read = f"from confide.keys.runtime import key_store\nprint(key_store().decrypt(3, bytes.fromhex('{blob}'), 'n'))"
    old_read = run(["manage", "shell", "-c", read], env)
    assert "WrongMasterKey" in old_read.stderr
    assert run(["manage", "shell", "-c", read], env | {"CONFIDE_MASTER_KEY": new_key}).stdout.strip().endswith("kept")
    same = run(["keys", "rotate", "--new-key-file", str(tmp_path / "new.key")], env | {"CONFIDE_MASTER_KEY": new_key})
    assert same.returncode == 2 and "that is the current master key" in same.stderr
    missing = run(["keys", "rotate", "--new-key-file", str(tmp_path / "nope.key")], env)
    assert missing.returncode == 2 and missing.stderr.startswith("confide: --new-key-file: could not read")


def test_bulk_keys_are_made_in_one_go_and_never_for_a_destroyed_client(store):
    store.encrypt(2, "x", "n")
    store.destroy(2)
    with pytest.raises(KeyDestroyed):
        store.data_keys([1, 2, 3], create=True)
    keys = store.data_keys([1, 3, 4], create=True)
    assert sorted(keys) == [1, 3, 4] and len(set(keys.values())) == 3
    blob = KeyStore.encrypt_with(keys[3], 3, NOTE, "note:9:body")
    assert store.decrypt(3, blob, "note:9:body") == NOTE


def test_installation_secrets_are_sealed_bound_to_their_context_and_survive_rotation(store):
    secret = b"JBSWY3DPEHPK3PXP"
    blob = store.seal_installation("user:3:totp_secret", secret)
    assert secret not in blob and store.unseal_installation("user:3:totp_secret", blob) == secret
    with pytest.raises(KeyStoreError):
        store.unseal_installation("user:4:totp_secret", blob)  # another account's
    index_key = store.installation_key("name-index")
    assert index_key != store.installation_key("secrets") and len(index_key) == 32
    raw = store.path.read_bytes()
    assert index_key not in raw and store.installation_key("secrets") not in raw, "wrapped, never in clear"
    old, new = store.master, MasterKey.generate()
    store.rotate(new)
    again = KeyStore(store.path, new)
    assert again.unseal_installation("user:3:totp_secret", blob) == secret, "nothing sealed has to be rewritten"
    assert again.installation_key("name-index") == index_key, "the blind index stays searchable"
    with pytest.raises(WrongMasterKey):
        KeyStore(store.path, old).installation_key("name-index")


def test_existing_keys_reads_a_page_of_keys_at_once_and_leaves_out_destroyed_ones(store):
    blobs = {client: store.encrypt(client, f"name {client}", "client:name") for client in (1, 2, 3)}
    store.destroy(2)
    keys = store.existing_keys([1, 2, 3, 9])
    assert sorted(keys) == [1, 3]
    assert KeyStore.decrypt_with(keys[3], 3, blobs[3], "client:name") == "name 3"

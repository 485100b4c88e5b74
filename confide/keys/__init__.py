"""Encryption at rest with a data key per client (crypto-shredding).

Each client's records are encrypted with AES-256-GCM under that client's own data key. Data keys
are wrapped (AES-256-GCM again) by a master key that comes from the environment or a key file, and
are kept in a key store of their own: a separate SQLite file with `secure_delete` on, never the main
database. So:

- a backup of the main database alone holds only ciphertext;
- destroying a client's data key makes every copy of that client's data unreadable, backups of the
  main database included. Until backups of the *key store* that still hold the key expire, the
  client is recoverable from them: keep key-store backups only as long as the README says;
- `rotate()` re-wraps every data key under a new master key in one transaction.

Two keys of the installation's own (not any client's) are kept the same way (`installation_key()`):
the one that seals staff TOTP secrets (`seal_installation()`), and the key of the blind index that
finds clients by name (confide/records/identity.py). `rotate()` re-wraps them too, so nothing sealed
or indexed with them has to be rewritten.

Every ciphertext is bound to what it is (associated data: client, record, field), so a blob copied
onto another record or another client does not decrypt. No Django here: paths and keys are given.
Models seal and open their columns through confide/keys/sealed.py, which names each context.
"""

from __future__ import annotations

import base64
import hashlib
import os
import sqlite3
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from confide.errors import ConfideError

VERSION = b"\x01"
NONCE_BYTES = 12


class KeyStoreError(Exception):
    """The key store or a key is not as it must be. str() is one line."""


class KeyDestroyed(KeyStoreError, ConfideError):
    """This client's data key was destroyed: their records can no longer be read, by design, nor
    added to (a page asked to write to them answers 410 with a plain sentence, never a 500)."""

    code = "records_destroyed"
    status = 410

    def sentence(self) -> str:
        return ("This client's records were destroyed under the retention schedule, so nothing can be "
                "read from them or added to them.")


class WrongMasterKey(KeyStoreError):
    """The master key given is not the one the data keys are wrapped with."""


@dataclass(frozen=True)
class MasterKey:
    key: bytes

    def __post_init__(self):
        if len(self.key) != 32:
            raise KeyStoreError("a master key is 32 random bytes (44 characters of base64)")

    @property
    def key_id(self) -> str:
        """Names the key without revealing it, so a wrong key is reported as such."""
        return hashlib.sha256(b"confide master key id:" + self.key).hexdigest()[:16]

    @classmethod
    def from_text(cls, text: str, source: str) -> MasterKey:
        try:
            key = base64.urlsafe_b64decode(text.strip().encode("ascii"))
        except (ValueError, UnicodeEncodeError):
            raise KeyStoreError(f"{source}: expected 32 random bytes in base64 (make one with 'confide keys generate')") from None
        if len(key) != 32:
            raise KeyStoreError(f"{source}: expected 32 random bytes in base64, got {len(key)} bytes")
        return cls(key)

    @classmethod
    def generate(cls) -> MasterKey:
        return cls(AESGCM.generate_key(bit_length=256))

    def text(self) -> str:
        return base64.urlsafe_b64encode(self.key).decode("ascii")


def seal(key: bytes, plaintext: bytes, associated: bytes) -> bytes:
    """AES-256-GCM with a fresh random nonce: version byte, nonce, ciphertext and tag."""
    nonce = os.urandom(NONCE_BYTES)
    return VERSION + nonce + AESGCM(key).encrypt(nonce, plaintext, associated)


def unseal(key: bytes, blob: bytes, associated: bytes) -> bytes:
    if not blob or blob[:1] != VERSION or len(blob) < 1 + NONCE_BYTES + 16:
        raise KeyStoreError("not a Confide ciphertext (unknown version or too short)")
    try:
        return AESGCM(key).decrypt(blob[1:1 + NONCE_BYTES], blob[1 + NONCE_BYTES:], associated)
    except InvalidTag:
        raise KeyStoreError("the ciphertext does not match its key and context (altered, or moved from elsewhere)") from None


def _wrap_context(client_id: int) -> bytes:
    return f"confide:v1:data-key:client:{client_id}".encode()


def _data_context(client_id: int, context: str) -> bytes:
    return f"confide:v1:client:{client_id}:{context}".encode()


def _installation_wrap_context(name: str) -> bytes:
    return f"confide:v1:installation-key:{name}".encode()


def _installation_context(context: str) -> bytes:
    return f"confide:v1:installation:{context}".encode()


# The installation's own keys (not any client's), kept in the key store wrapped by the master key:
# the key that seals staff secrets (TOTP), and the key of the blind index that finds clients by name.
SECRETS_KEY = "secrets"
NAME_INDEX_KEY = "name-index"


class KeyStore:
    """The data keys, one per client, wrapped by the master key, in a SQLite file of their own."""

    def __init__(self, path: Path | str, master: MasterKey):
        self.path = Path(path)
        self.master = master
        self._local = threading.local()
        self._installation: dict[str, bytes] = {}  # installation keys once unwrapped (never a client's)
        self._connect()  # create the file and its tables now, so a wrong path fails at start

    def _connect(self) -> sqlite3.Connection:
        connection = getattr(self._local, "connection", None)
        if connection is None:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            new = not self.path.exists()
            connection = sqlite3.connect(self.path, isolation_level=None, timeout=20)
            if new:
                os.chmod(self.path, 0o600)
            # secure_delete overwrites a destroyed key's bytes in the file; a rollback journal (not
            # WAL) leaves no second copy of pages behind once a transaction commits.
            connection.execute("PRAGMA secure_delete = ON")
            connection.execute("PRAGMA journal_mode = DELETE")
            connection.execute("PRAGMA synchronous = FULL")
            connection.execute("CREATE TABLE IF NOT EXISTS data_keys (client_id INTEGER PRIMARY KEY, "
                               "wrapped BLOB NOT NULL, master_key_id TEXT NOT NULL, created_at TEXT NOT NULL)")
            connection.execute("CREATE TABLE IF NOT EXISTS destroyed (client_id INTEGER PRIMARY KEY, "
                               "destroyed_at TEXT NOT NULL)")
            connection.execute("CREATE TABLE IF NOT EXISTS installation_keys (name TEXT PRIMARY KEY, "
                               "wrapped BLOB NOT NULL, master_key_id TEXT NOT NULL, created_at TEXT NOT NULL)")
            self._local.connection = connection
        return connection

    def data_key(self, client_id: int, *, create: bool = False) -> bytes:
        """The client's data key; a new one if `create` and there is none. A destroyed key is
        never made again: that client's records stay unreadable."""
        db = self._connect()
        row = db.execute("SELECT wrapped, master_key_id FROM data_keys WHERE client_id = ?", (client_id,)).fetchone()
        if row is None:
            if db.execute("SELECT 1 FROM destroyed WHERE client_id = ?", (client_id,)).fetchone():
                raise KeyDestroyed(f"client #{client_id}'s data key was destroyed; their records cannot be read")
            if not create:
                raise KeyStoreError(f"client #{client_id} has no data key")
            key = AESGCM.generate_key(bit_length=256)
            db.execute("INSERT OR IGNORE INTO data_keys VALUES (?, ?, ?, ?)",
                       (client_id, seal(self.master.key, key, _wrap_context(client_id)), self.master.key_id,
                        datetime.now(UTC).isoformat()))
            return self.data_key(client_id)  # another process may have won the race: use theirs
        wrapped, key_id = row
        if key_id != self.master.key_id:
            raise WrongMasterKey(f"the key store is wrapped with master key {key_id}, but the master key given is "
                                 f"{self.master.key_id} (CONFIDE_MASTER_KEY)")
        return unseal(self.master.key, wrapped, _wrap_context(client_id))

    def data_keys(self, client_ids, *, create: bool = False) -> dict[int, bytes]:
        """Many clients' keys at once; missing ones made in one transaction (bulk imports, the demo)."""
        client_ids = sorted(set(client_ids))
        if create:
            db = self._connect()
            db.execute("BEGIN IMMEDIATE")
            try:
                destroyed = {row[0] for row in db.execute("SELECT client_id FROM destroyed")}
                now = datetime.now(UTC).isoformat()
                for client_id in client_ids:
                    if client_id not in destroyed:
                        key = AESGCM.generate_key(bit_length=256)
                        db.execute("INSERT OR IGNORE INTO data_keys VALUES (?, ?, ?, ?)",
                                   (client_id, seal(self.master.key, key, _wrap_context(client_id)),
                                    self.master.key_id, now))
                db.execute("COMMIT")
            except BaseException:
                db.execute("ROLLBACK")
                raise
        return {client_id: self.data_key(client_id) for client_id in client_ids}

    def existing_keys(self, client_ids) -> dict[int, bytes]:
        """The data keys these clients have, read in one query per 500 (a page of a list): a client
        whose key was destroyed, or who has none, is left out. Nothing is created."""
        client_ids = sorted(set(client_ids))
        db, found = self._connect(), {}
        for start in range(0, len(client_ids), 500):
            chunk = client_ids[start:start + 500]
            marks = ", ".join("?" * len(chunk))
            for client_id, wrapped, key_id in db.execute(
                    f"SELECT client_id, wrapped, master_key_id FROM data_keys WHERE client_id IN ({marks})", chunk):  # noqa: S608 -- placeholders only
                if key_id != self.master.key_id:
                    raise WrongMasterKey(f"the key store is wrapped with master key {key_id}, but the master key "
                                         f"given is {self.master.key_id} (CONFIDE_MASTER_KEY)")
                found[client_id] = unseal(self.master.key, wrapped, _wrap_context(client_id))
        return found

    @staticmethod
    def encrypt_with(key: bytes, client_id: int, plaintext: str, context: str) -> bytes:
        """encrypt(), with a key already in hand (from data_keys())."""
        return seal(key, plaintext.encode("utf-8"), _data_context(client_id, context))

    @staticmethod
    def decrypt_with(key: bytes, client_id: int, blob: bytes, context: str) -> str:
        """decrypt(), with a key already in hand (from existing_keys())."""
        return unseal(key, bytes(blob), _data_context(client_id, context)).decode("utf-8")

    def installation_key(self, name: str) -> bytes:
        """One of the installation's own keys (SECRETS_KEY, NAME_INDEX_KEY): made at first use,
        wrapped by the master key like a data key, never destroyed, kept in memory once read. Not in
        the main database, so a copy of it alone can neither unseal a staff secret nor compute the
        blind index of a name to look for."""
        if name in self._installation:
            return self._installation[name]
        db = self._connect()
        row = db.execute("SELECT wrapped, master_key_id FROM installation_keys WHERE name = ?", (name,)).fetchone()
        if row is None:
            key = AESGCM.generate_key(bit_length=256)
            db.execute("INSERT OR IGNORE INTO installation_keys VALUES (?, ?, ?, ?)",
                       (name, seal(self.master.key, key, _installation_wrap_context(name)), self.master.key_id,
                        datetime.now(UTC).isoformat()))
            return self.installation_key(name)  # another process may have won the race: use theirs
        wrapped, key_id = row
        if key_id != self.master.key_id:
            raise WrongMasterKey(f"the key store is wrapped with master key {key_id}, but the master key given is "
                                 f"{self.master.key_id} (CONFIDE_MASTER_KEY)")
        self._installation[name] = unseal(self.master.key, wrapped, _installation_wrap_context(name))
        return self._installation[name]

    def seal_installation(self, context: str, data: bytes) -> bytes:
        """Seal something that is the installation's, not a client's (a staff TOTP secret), under
        the installation's secrets key, which the master key wraps: `rotate()` re-wraps that key,
        so nothing sealed with it has to be rewritten. `context` binds it to its record and field."""
        return seal(self.installation_key(SECRETS_KEY), bytes(data), _installation_context(context))

    def unseal_installation(self, context: str, blob: bytes) -> bytes:
        return unseal(self.installation_key(SECRETS_KEY), bytes(blob), _installation_context(context))

    def encrypt(self, client_id: int, plaintext: str, context: str) -> bytes:
        """`context` says what the text is, e.g. 'note:42:body'; decrypting needs the same."""
        key = self.data_key(client_id, create=True)
        return seal(key, plaintext.encode("utf-8"), _data_context(client_id, context))

    def decrypt(self, client_id: int, blob: bytes, context: str) -> str:
        return unseal(self.data_key(client_id), bytes(blob), _data_context(client_id, context)).decode("utf-8")

    def encrypt_bytes(self, client_id: int, data: bytes, context: str) -> bytes:
        """encrypt() for bytes (an uploaded document)."""
        return seal(self.data_key(client_id, create=True), bytes(data), _data_context(client_id, context))

    def decrypt_bytes(self, client_id: int, blob: bytes, context: str) -> bytes:
        return unseal(self.data_key(client_id), bytes(blob), _data_context(client_id, context))

    def destroy(self, client_id: int) -> bool:
        """Crypto-shred: the data key is deleted (its bytes overwritten in the file) and the client
        recorded as destroyed. Returns False if there was no key."""
        db = self._connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            deleted = db.execute("DELETE FROM data_keys WHERE client_id = ?", (client_id,)).rowcount
            db.execute("INSERT OR IGNORE INTO destroyed VALUES (?, ?)", (client_id, datetime.now(UTC).isoformat()))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        return deleted == 1

    def rotate(self, new_master: MasterKey) -> int:
        """Re-wrap every data key under `new_master`, all or nothing. The data itself is not
        touched. Afterwards Confide must be given the new key (CONFIDE_MASTER_KEY)."""
        db = self._connect()
        db.execute("BEGIN IMMEDIATE")
        try:
            rows = db.execute("SELECT client_id, wrapped, master_key_id FROM data_keys").fetchall()
            for client_id, wrapped, key_id in rows:
                if key_id != self.master.key_id:
                    raise WrongMasterKey(f"client #{client_id}'s key is wrapped with master key {key_id}, not the "
                                         f"current one ({self.master.key_id}); nothing was changed")
                key = unseal(self.master.key, wrapped, _wrap_context(client_id))
                db.execute("UPDATE data_keys SET wrapped = ?, master_key_id = ? WHERE client_id = ?",
                           (seal(new_master.key, key, _wrap_context(client_id)), new_master.key_id, client_id))
            for name, wrapped, key_id in db.execute("SELECT name, wrapped, master_key_id FROM installation_keys").fetchall():
                if key_id != self.master.key_id:
                    raise WrongMasterKey(f"the installation key {name!r} is wrapped with master key {key_id}, not the "
                                         f"current one ({self.master.key_id}); nothing was changed")
                key = unseal(self.master.key, wrapped, _installation_wrap_context(name))
                db.execute("UPDATE installation_keys SET wrapped = ?, master_key_id = ? WHERE name = ?",
                           (seal(new_master.key, key, _installation_wrap_context(name)), new_master.key_id, name))
            db.execute("COMMIT")
        except BaseException:
            db.execute("ROLLBACK")
            raise
        self.master = new_master
        return len(rows)

    def status(self) -> dict:
        db = self._connect()
        keys = db.execute("SELECT count(*) FROM data_keys").fetchone()[0]
        destroyed = db.execute("SELECT count(*) FROM destroyed").fetchone()[0]
        wrapped_with = [r[0] for r in db.execute("SELECT DISTINCT master_key_id FROM data_keys")]
        return {"path": str(self.path), "data_keys": keys, "destroyed": destroyed,
                "master_key_id": self.master.key_id, "wrapped_with": wrapped_with}

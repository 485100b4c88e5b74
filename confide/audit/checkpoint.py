"""Signed checkpoints of the audit chain's head, kept outside the database.

The chain checks itself, but someone who can drop the triggers can cut the newest events and move
the head back, and the result is a consistent, shorter chain. A checkpoint is the head's number and
hash, with the time, signed with an Ed25519 key that is never in the database (var/audit_signing_key,
beside the master key, or CONFIDE_AUDIT_SIGNING_KEY), one JSON line appended to a log that is never
in the database either (var/audit_checkpoints.jsonl, or CONFIDE_AUDIT_CHECKPOINT_LOG). `confide audit
verify` checks every checkpoint: each must be signed by this installation's key, and its event must
still be in the chain with the same hash. A chain cut, rewritten or forked behind a checkpoint fails.

A checkpoint is signed only after the chain since the previous one has been checked (numbers,
links, hashes, head), so a chain that was already tampered with is never signed.

`confide serve` writes one every CONFIDE_AUDIT_CHECKPOINT_MINUTES (10) when events were added, from
one thread of its parent process (Checkpointer); `confide audit checkpoint` writes one at once.
The lines hold numbers, hashes and times only, never anything about a client.
"""

from __future__ import annotations

import base64
import contextlib
import fcntl
import hashlib
import json
import logging
import os
import threading
from dataclasses import dataclass
from datetime import UTC, datetime
from pathlib import Path
from typing import Literal, overload

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey

from confide.audit.chain import GENESIS, canonical_time

logger = logging.getLogger("confide.audit")
_SIGNED_PREFIX = "confide-audit-checkpoint/1"


class CheckpointError(Exception):
    """A checkpoint cannot be made or checked. str() is one line, with no client data."""


@dataclass(frozen=True)
class Checkpoint:
    seq: int
    hash: str
    at: str
    key: str
    sig: str
    line: int = 0  # its line in the log, from 1

    def message(self) -> bytes:
        return f"{_SIGNED_PREFIX}\n{self.seq}\n{self.hash}\n{self.at}\n{self.key}\n".encode("ascii")

    def json(self) -> str:
        return json.dumps({"seq": self.seq, "hash": self.hash, "at": self.at, "key": self.key, "sig": self.sig},
                          separators=(",", ":"))

    def name(self) -> str:
        return f"checkpoint on line {self.line} (event #{self.seq}, signed {self.at})"


# The key -------------------------------------------------------------------------------------------

def key_id(public: Ed25519PublicKey) -> str:
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return hashlib.sha256(raw).hexdigest()[:16]


def parse_key(text: str, where: str) -> Ed25519PrivateKey:
    """An Ed25519 private key as PEM (PKCS#8), or as its 32 raw bytes in base64."""
    text = text.strip()
    try:
        if text.startswith("-----BEGIN"):
            key = serialization.load_pem_private_key(text.encode("ascii"), password=None)
        else:
            raw = base64.b64decode(text.encode("ascii"), validate=True)
            if len(raw) != 32:
                raise ValueError("not 32 bytes")
            key = Ed25519PrivateKey.from_private_bytes(raw)
    except (ValueError, TypeError, UnicodeEncodeError):
        raise CheckpointError(f"{where}: expected an Ed25519 private key (PEM, or 32 bytes in base64)") from None
    if not isinstance(key, Ed25519PrivateKey):
        raise CheckpointError(f"{where}: expected an Ed25519 private key, found another kind")
    return key


@overload
def signing_key(create: Literal[True]) -> Ed25519PrivateKey: ...
@overload
def signing_key(create: bool) -> Ed25519PrivateKey | None: ...
def signing_key(create: bool) -> Ed25519PrivateKey | None:
    """CONFIDE_AUDIT_SIGNING_KEY (or _FILE), else var/audit_signing_key, made once (owner-only) when
    create is true. None when there is none and create is false."""
    from django.conf import settings

    if settings.AUDIT_SIGNING_KEY is not None:
        return parse_key(settings.AUDIT_SIGNING_KEY, "CONFIDE_AUDIT_SIGNING_KEY")
    path = Path(settings.AUDIT_SIGNING_KEY_PATH)
    try:
        return parse_key(path.read_text(encoding="ascii"), str(path))
    except FileNotFoundError:
        if not create:
            return None
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{path}: the audit signing key cannot be read ({type(exc).__name__})") from None
    key = Ed25519PrivateKey.generate()
    pem = key.private_bytes(serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption())
    path.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:  # another process made it a moment ago
        return parse_key(path.read_text(encoding="ascii"), str(path))
    with os.fdopen(fd, "wb") as handle:
        handle.write(pem)
    return key


# The log -------------------------------------------------------------------------------------------

def log_path() -> Path:
    from django.conf import settings

    return Path(settings.AUDIT_CHECKPOINT_LOG)


def _parse(text: str, line: int) -> Checkpoint | None:
    try:
        data = json.loads(text)
        checkpoint = Checkpoint(int(data["seq"]), str(data["hash"]), str(data["at"]), str(data["key"]),
                                str(data["sig"]), line)
    except (ValueError, TypeError, KeyError):
        return None
    if (type(data["seq"]) is not int or checkpoint.seq < 0 or len(checkpoint.hash) != 64
            or not all(c in "0123456789abcdef" for c in checkpoint.hash)):
        return None
    return checkpoint


def read_log(path: Path | None = None) -> list[Checkpoint | int]:
    """Every line of the log: a Checkpoint, or the line's number where it cannot be read."""
    path = path or log_path()
    try:
        text = path.read_text(encoding="utf-8")
    except FileNotFoundError:
        return []
    except (OSError, UnicodeDecodeError) as exc:
        raise CheckpointError(f"{path}: the checkpoint log cannot be read ({type(exc).__name__})") from None
    entries: list[Checkpoint | int] = []
    for number, line in enumerate(text.splitlines(), start=1):
        if line.strip():
            entries.append(_parse(line, number) or number)
    return entries


def signature_ok(checkpoint: Checkpoint, public: Ed25519PublicKey, public_id: str) -> bool:
    if checkpoint.key != public_id:
        return False
    try:
        public.verify(base64.b64decode(checkpoint.sig, validate=True), checkpoint.message())
    except (InvalidSignature, ValueError):
        return False
    return True


@contextlib.contextmanager
def _locked_log(path: Path):
    """The log opened for appending, held against other writers (serving and the command)."""
    path.parent.mkdir(parents=True, exist_ok=True)
    fd = os.open(path, os.O_WRONLY | os.O_APPEND | os.O_CREAT | os.O_CLOEXEC, 0o600)
    try:
        fcntl.flock(fd, fcntl.LOCK_EX)
        yield fd
    finally:
        os.close(fd)


def _newest_signed(entries, public: Ed25519PublicKey, public_id: str) -> Checkpoint | None:
    """The checkpoint with the highest number; it must be readable and signed by this key."""
    checkpoints = [entry for entry in entries if isinstance(entry, Checkpoint)]
    if not checkpoints:
        return None
    newest = max(checkpoints, key=lambda c: (c.seq, c.line))
    if not signature_ok(newest, public, public_id):
        raise CheckpointError(f"the {newest.name()} is not signed by this installation's audit signing key "
                              f"({public_id}); run 'confide audit verify'")
    return newest


def write_checkpoint(only_if_new: bool = False) -> Checkpoint | None:
    """Check the chain since the newest checkpoint, then sign its head and append the checkpoint.
    With only_if_new, nothing is written when no event was added since the newest checkpoint."""
    from confide.audit.services import check_span

    path = log_path()
    key = signing_key(create=True)
    public = key.public_key()
    public_id = key_id(public)
    with _locked_log(path) as fd:
        newest = _newest_signed(read_log(path), public, public_id)
        after = (newest.seq, newest.hash) if newest else (0, GENESIS)
        head = check_span(*after)
        if isinstance(head, str):
            where = f"the {newest.name()}" if newest else "the start of the chain"
            raise CheckpointError(f"the audit chain does not extend {where}: {head}; nothing was signed")
        if only_if_new and newest is not None and head == after:
            return None
        at = canonical_time(datetime.now(UTC))
        unsigned = Checkpoint(head[0], head[1], at, public_id, "")
        signature = base64.b64encode(key.sign(unsigned.message())).decode("ascii")
        checkpoint = Checkpoint(head[0], head[1], at, public_id, signature)
        os.write(fd, (checkpoint.json() + "\n").encode("ascii"))
        os.fsync(fd)
    return checkpoint


# Checking ------------------------------------------------------------------------------------------

@dataclass(frozen=True)
class CheckpointReport:
    count: int
    newest: Checkpoint | None = None
    problem: str = ""

    @property
    def ok(self) -> bool:
        return not self.problem


def check_checkpoints() -> CheckpointReport:
    """Every checkpoint in the log: readable, signed by this installation's key, and its event still
    in the chain with the hash it signed. The first that disagrees is named."""
    from confide.audit.models import AuditEvent

    path = log_path()
    entries = read_log(path)
    if not entries:
        return CheckpointReport(0)
    key = signing_key(create=False)
    if key is None:
        raise CheckpointError(f"{path} holds checkpoints but the audit signing key is missing "
                              "(var/audit_signing_key or CONFIDE_AUDIT_SIGNING_KEY), so they cannot be checked")
    public = key.public_key()
    public_id = key_id(public)
    checkpoints: list[Checkpoint] = []
    for entry in entries:
        if isinstance(entry, int):
            return CheckpointReport(0, None, f"line {entry} of {path} is not a checkpoint (the log was edited)")
        if not signature_ok(entry, public, public_id):
            return CheckpointReport(0, None, f"the {entry.name()} is not signed by this installation's audit "
                                             f"signing key ({public_id}): forged, or edited")
        checkpoints.append(entry)
    wanted = sorted({c.seq for c in checkpoints if c.seq > 0})
    found: dict[int, str] = {}
    for start in range(0, len(wanted), 500):
        found.update(AuditEvent.objects.filter(seq__in=wanted[start:start + 500]).values_list("seq", "hash"))
    last_seq = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first() or 0
    for checkpoint in checkpoints:
        if checkpoint.seq == 0:
            if checkpoint.hash != GENESIS:
                return CheckpointReport(0, None, f"the {checkpoint.name()} does not name the chain's start")
            continue
        digest = found.get(checkpoint.seq)
        if digest is None and checkpoint.seq > last_seq:
            problem = (f"the chain ends at #{last_seq}, before the {checkpoint.name()} "
                       "(events were cut from the end)")
        elif digest is None:
            problem = f"event #{checkpoint.seq}, signed in the {checkpoint.name()}, is missing (events were deleted)"
        elif digest != checkpoint.hash:
            problem = (f"event #{checkpoint.seq} no longer has the hash signed in the {checkpoint.name()} "
                       "(the chain was rewritten or forked since)")
        else:
            continue
        return CheckpointReport(len(checkpoints), None, problem)
    newest = max(checkpoints, key=lambda c: (c.seq, c.line))
    return CheckpointReport(len(checkpoints), newest)


# Serving -------------------------------------------------------------------------------------------

def checkpoint_round() -> Checkpoint | None:
    """One round of the serving thread: a checkpoint if events were added since the newest one.
    Never raises: a problem is logged (numbers only) and the next round tries again."""
    from django.db import connection

    try:
        return write_checkpoint(only_if_new=True)
    except CheckpointError as exc:
        logger.error("audit checkpoint not written: %s", exc)
    except Exception as exc:  # noqa: BLE001 -- serving goes on; the error class says what went wrong
        logger.error("audit checkpoint not written: %s", type(exc).__name__)
    finally:
        if not connection.in_atomic_block:
            connection.close()  # the serving thread's own connection; the next round opens a fresh one
    return None


class Checkpointer:
    """A checkpoint every `minutes` when events were added, from one background thread, and one
    more as it stops."""

    def __init__(self, minutes: int):
        self.seconds = minutes * 60
        self._stop = threading.Event()
        self._thread = threading.Thread(target=self._run, daemon=True, name="confide-audit-checkpoint")

    def start(self) -> Checkpointer:
        self._thread.start()
        return self

    def _run(self) -> None:
        while not self._stop.wait(self.seconds):
            checkpoint_round()
        checkpoint_round()

    def stop(self, timeout: float = 30) -> None:
        self._stop.set()
        if self._thread.is_alive():
            self._thread.join(timeout)

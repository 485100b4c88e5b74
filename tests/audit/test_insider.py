"""Issue 12, points 1 to 3: an insider cannot rewrite the audit log unseen.

1. The hash covers exactly what is stored: a time that is not in the one form Confide writes is an
   edit, whatever its hash (SQLite used to hash slices of the stored text, so '+05:00' went unseen).
2. The database refuses anything but the next event (SQLite's INSERT OR REPLACE included) and any
   move of the head but the append's own.
3. Signed checkpoints outside the database catch a chain cut, rewritten or forked behind them.

Every test runs on SQLite and, with CONFIDE_DATABASE_URL set, on PostgreSQL.
"""

from __future__ import annotations

import base64
import hashlib
import io
import json
import os
import stat
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from unittest import skipUnless

from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from django.db import DatabaseError, connection, transaction
from django.test import TestCase, TransactionTestCase, override_settings

from confide.audit import checkpoint
from confide.audit.chain import GENESIS, canonical_time, event_hash
from confide.audit.models import AuditEvent, AuditHead
from confide.audit.services import record_event, verify_chain
from confide.cli import main as confide_main
from tests.audit import triggers
from tests.base import row, tamper

COLUMNS = "seq, at, actor_id, actor, action, object_type, object_id, client_id, purpose, detail, prev_hash, hash"
SHIFTED = COLUMNS.replace("at,", "at || '+05:00',")  # the attack: the time moved five hours


def cli(*args: str) -> tuple[int, str, str]:
    out, err = io.StringIO(), io.StringIO()
    with redirect_stdout(out), redirect_stderr(err):
        code = confide_main(list(args))
    return code, out.getvalue(), err.getvalue()


def refused(test: TestCase, sql: str, params=()) -> str:
    """Run sql and require the database to refuse it; the chain is left as it was."""
    with test.assertRaises(DatabaseError) as caught, transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(sql, params)
    return str(caught.exception)


def rehash_from(seq: int, actor: str) -> None:
    """What someone with the triggers dropped does to rewrite history: change events from seq on,
    recompute every hash after, and move the head to match (a fork of the chain)."""
    before = row(seq - 1)["hash"] if seq > 1 else GENESIS
    statements = []
    for event in AuditEvent.objects.filter(seq__gte=seq).order_by("seq").values():
        digest = event_hash(event["seq"], canonical_time(event["at"]), event["actor_id"], actor, event["action"],
                            event["object_type"], event["object_id"], event["client_id"], event["purpose"],
                            event["detail"], before)
        statements.append(("UPDATE audit_event SET actor = %s, prev_hash = %s, hash = %s WHERE seq = %s",
                           [actor, before, digest, event["seq"]]))
        before = digest
    statements.append(("UPDATE audit_head SET hash = %s WHERE id = 1", [before]))
    tamper(*statements)


# 1. The hash covers exactly what is stored ---------------------------------------------------------

class KnownAnswerTests(TestCase):
    """The chain's format is fixed: these vectors are what any other implementation must produce."""

    VECTORS = [
        ((1, "2026-11-21T20:11:46.450412Z", 5, "contact-supervisor", "client.read", "client", "17", 17,
          "direct_support", '{"clauses":["9.03"],"decision":"permit"}', GENESIS),
         '[1,"2026-11-21T20:11:46.450412Z",5,"contact-supervisor","client.read","client","17",17,"direct_support",'
         '"{\\"clauses\\":[\\"9.03\\"],\\"decision\\":\\"permit\\"}","' + GENESIS + '"]',
         "93f5cc1a06997f507b23a7db8e50df6692b3378fd76374f064b0fcd0086263dd"),
        ((2, "2026-11-21T20:11:47.000000Z", None, "", "login.failed", "user", "", None, "",
          '{"reason":"unknown_account","text":"ünï – 😀 \\" \\n"}', "a" * 64),
         '[2,"2026-11-21T20:11:47.000000Z",null,"","login.failed","user","",null,"",'
         '"{\\"reason\\":\\"unknown_account\\",\\"text\\":\\"ünï – 😀 \\\\\\" \\\\n\\"}","' + "a" * 64 + '"]',
         "f98db395992db19c8560b6a460bd743bc48d21a630f761bdcea5da795288b034"),
    ]

    def test_event_hash_known_answers(self):
        for fields, payload, digest in self.VECTORS:
            with self.subTest(seq=fields[0]):
                self.assertEqual(hashlib.sha256(payload.encode("utf-8")).hexdigest(), digest)
                self.assertEqual(event_hash(*fields), digest)

    def test_canonical_time_takes_only_utc_and_writes_one_form(self):
        self.assertEqual(canonical_time(datetime(2026, 11, 21, 20, 11, 46, 450412, tzinfo=UTC)),
                         "2026-11-21T20:11:46.450412Z")
        self.assertEqual(canonical_time(datetime(5, 1, 2, 3, 4, 5, tzinfo=UTC)), "0005-01-02T03:04:05.000000Z")
        for odd in (datetime(2026, 11, 21, 20, 11, 46),  # noqa: DTZ001 -- naive: which zone?
                    datetime(2026, 11, 22, 1, 11, 46, tzinfo=timezone(timedelta(hours=5))),
                    "2026-11-21 20:11:46", None):
            with self.subTest(odd=odd), self.assertRaises(ValueError):
                canonical_time(odd)


class StoredTimeTests(TestCase):
    def setUp(self):
        for i in range(6):
            record_event(None, "clients.listed", client_id=i)

    @skipUnless(connection.vendor == "sqlite", "the stored text of a time is SQLite's")
    def test_a_time_not_stored_as_confide_stores_it_is_an_edit(self):
        for new_at in ("at || '+05:00'", "replace(at, ' ', 'T')", "substr(at, 1, 19) || '.000000'",
                       "substr(at, 1, 19) || '.450412 '", "1764000000", "upper(at) || 'Z'"):
            with self.subTest(new_at=new_at):
                tamper((f"UPDATE audit_event SET at = {new_at} WHERE seq = 4", []))  # noqa: S608 -- constant
                result = verify_chain()
                self.assertEqual((result.ok, result.broken_at), (False, 4), result.message())
                self.assertIn("time is not stored in the one form Confide writes", result.problem)
                tamper(("UPDATE audit_event SET at = %s WHERE seq = 4",
                        [connection.ops.adapt_datetimefield_value(row(3)["at"])]))  # back to a canonical form
        # The same check in several processes (a database file) is tests/audit/test_parallel_verify.py's.

    def test_a_time_with_no_canonical_form_is_an_edit(self):
        odd = "'infinity'" if connection.vendor == "postgresql" else "CAST(at AS BLOB)"  # the same bytes, not text
        tamper((f"UPDATE audit_event SET at = {odd} WHERE seq = 2", []))  # noqa: S608 -- constant
        result = verify_chain()
        self.assertEqual((result.ok, result.broken_at), (False, 2), result.message())


# 2. Append-only for real ---------------------------------------------------------------------------

class AppendOnlyTests(TestCase):
    def setUp(self):
        for i in range(5):
            record_event(None, "clients.listed", client_id=i)
        self.head = AuditHead.objects.values_list("seq", "hash").get(pk=1)

    def tearDown(self):
        self.assertEqual(AuditHead.objects.values_list("seq", "hash").get(pk=1), self.head)
        self.assertTrue(verify_chain().ok, verify_chain().message())

    def forged(self, seq: int, prev_hash: str) -> list:
        at = datetime.now(UTC)
        digest = event_hash(seq, canonical_time(at), None, "", "forged", "", "", None, "", "{}", prev_hash)
        return [seq, connection.ops.adapt_datetimefield_value(at), None, "", "forged", "", "", None, "", "{}",
                prev_hash, digest]

    def test_an_event_that_is_not_the_next_is_refused(self):
        insert = f"INSERT INTO audit_event ({COLUMNS}) VALUES (%s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s, %s)"  # noqa: S608
        seq, digest = self.head
        for name, values in {"a number skipped": self.forged(seq + 2, digest),
                             "a wrong previous hash": self.forged(seq + 1, "b" * 64)}.items():
            with self.subTest(name):
                self.assertIn("only the next event", refused(self, insert, values))
        message = refused(self, insert, self.forged(3, row(2)["hash"])).lower()  # a number already used
        self.assertTrue("unique" in message or "duplicate key" in message, message)

    @skipUnless(connection.vendor == "sqlite", "INSERT OR REPLACE is SQLite's")
    def test_insert_or_replace_over_an_event_is_refused(self):
        for extra in ("", "PRAGMA recursive_triggers = 0; "):
            for seq in (3, 5):  # one in the middle, and the newest
                with self.subTest(seq=seq, extra=extra):
                    if extra:
                        with connection.cursor() as cursor:
                            cursor.execute(extra)
                    message = refused(self, f"INSERT OR REPLACE INTO audit_event SELECT {SHIFTED} "  # noqa: S608
                                            "FROM audit_event WHERE seq = %s", [seq])
                    self.assertIn("only the next event", message)
                    message = refused(self, "REPLACE INTO audit_event SELECT * FROM audit_event WHERE seq = %s", [seq])
                    self.assertIn("only the next event", message)

    @skipUnless(connection.vendor == "postgresql", "ON CONFLICT is PostgreSQL's")
    def test_insert_on_conflict_update_over_an_event_is_refused(self):
        refused(self, "INSERT INTO audit_event SELECT * FROM audit_event WHERE seq = 5 "
                      "ON CONFLICT (seq) DO UPDATE SET actor = 'someone-else'")

    def test_the_head_moves_only_with_an_append(self):
        seq, digest = self.head
        for sql, params in [
            ("UPDATE audit_head SET seq = seq - 1", []),
            ("UPDATE audit_head SET seq = %s, hash = %s", [seq - 1, row(seq - 1)["hash"]]),  # the head moved back
            ("UPDATE audit_head SET seq = seq + 1", []),  # to an event that does not exist
            ("UPDATE audit_head SET hash = %s", ["c" * 64]),
            ("UPDATE audit_head SET seq = seq", []),
        ]:
            with self.subTest(sql=sql):
                self.assertIn("moves only with an appended event", refused(self, sql, params))

    def test_the_head_cannot_be_removed_or_replaced(self):
        self.assertIn("cannot be removed", refused(self, "DELETE FROM audit_head"))
        insert = "INSERT INTO audit_head (id, seq, hash) VALUES (1, %s, %s)"
        if connection.vendor == "sqlite":
            self.assertIn("INSERT refused", refused(self, "INSERT OR REPLACE INTO audit_head (id, seq, hash) VALUES (1, 2, %s)",
                                                    [row(2)["hash"]]))
        else:
            self.assertIn("cannot be removed", refused(self, "TRUNCATE audit_head"))
        self.assertIn("INSERT refused", refused(self, insert, list(self.head)))

    def test_appending_moves_the_head_in_the_database_itself(self):
        appended = record_event(None, "task.read")
        self.head = AuditHead.objects.values_list("seq", "hash").get(pk=1)
        self.assertEqual(self.head, (appended.seq, appended.hash))
        self.assertEqual(appended.seq, 6)


@skipUnless(connection.vendor == "postgresql", "roles are PostgreSQL's")
class ServingRoleTests(TestCase):
    """Confide serving as a role that does not own the tables cannot drop or disable the triggers,
    but can do its work: read, and append."""

    def test_a_serving_role_that_does_not_own_the_tables_cannot_switch_the_triggers_off(self):
        from confide.audit.dbroles import grant_serving_role

        role = f"confide_serving_test_{os.getpid()}"
        with connection.cursor() as cursor:
            cursor.execute(f'CREATE ROLE "{role}" NOLOGIN')
        grant_serving_role(connection, role)  # as the owner: the test connection owns the tables
        record_event(None, "tasks.listed")
        with connection.cursor() as cursor:
            cursor.execute(f'SET ROLE "{role}"')
        try:
            for sql in ("DROP TRIGGER audit_event_no_update_delete ON audit_event",
                        "DROP TRIGGER audit_head_only_append ON audit_head",
                        "ALTER TABLE audit_event DISABLE TRIGGER USER",
                        "ALTER TABLE audit_head DISABLE TRIGGER ALL",
                        "DROP TABLE audit_event",
                        "UPDATE audit_event SET actor = 'x'",
                        "DELETE FROM audit_head"):
                with self.subTest(sql=sql):
                    message = refused(self, sql)
                    self.assertTrue("must be owner" in message or "permission denied" in message, message)
            appended = record_event(None, "client.read")  # what serving needs still works
            self.assertEqual(AuditHead.objects.get(pk=1).seq, appended.seq)
            self.assertTrue(verify_chain().ok)
        finally:
            with connection.cursor() as cursor:
                cursor.execute("RESET ROLE")
        # The role and its grants go with the test's transaction.


# 3. Anchored outside the database ------------------------------------------------------------------

class CheckpointTestMixin:
    def setUp(self):
        super().setUp()
        self.var = Path(tempfile.mkdtemp(prefix="confide-checkpoints-"))
        self.settings_override = override_settings(
            AUDIT_SIGNING_KEY=None, AUDIT_SIGNING_KEY_PATH=self.var / "audit_signing_key",
            AUDIT_CHECKPOINT_LOG=self.var / "audit_checkpoints.jsonl")
        self.settings_override.enable()

    def tearDown(self):
        self.settings_override.disable()
        for path in self.var.iterdir():
            path.unlink()
        self.var.rmdir()
        super().tearDown()

    def lines(self) -> list[dict]:
        path = self.var / "audit_checkpoints.jsonl"
        return [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []


class CheckpointTests(CheckpointTestMixin, TestCase):
    def setUp(self):
        super().setUp()
        for i in range(15):
            record_event(None, "clients.listed", client_id=i % 4, detail={"n": i})

    def test_checkpoint_signs_the_head_into_a_private_log_outside_the_database(self):
        code, out, _ = cli("audit", "checkpoint")
        self.assertEqual(code, 0)
        head = AuditHead.objects.get(pk=1)
        self.assertIn(f"event #15 {head.hash}", out)
        [line] = self.lines()
        self.assertEqual((line["seq"], line["hash"]), (15, head.hash))
        for name in ("audit_signing_key", "audit_checkpoints.jsonl"):
            self.assertEqual(stat.S_IMODE((self.var / name).stat().st_mode), 0o600, name)
        self.assertIn(b"BEGIN PRIVATE KEY", (self.var / "audit_signing_key").read_bytes())
        code, out, err = cli("audit", "verify")
        self.assertEqual(code, 0, err)
        self.assertIn("It holds all 1 signed checkpoint (the newest #15", out)

    def test_the_tail_cut_is_caught_by_a_plain_verify(self):
        self.assertEqual(cli("audit", "checkpoint")[0], 0)
        # Triggers dropped, the newest ten events deleted, the head moved back to what is left.
        five = row(5)
        tamper(("DELETE FROM audit_event WHERE seq > 5", []),
               ("UPDATE audit_head SET seq = 5, hash = %s WHERE id = 1", [five["hash"]]))
        self.assertTrue(verify_chain().ok, "the chain alone cannot see the cut")
        code, _, err = cli("audit", "verify")
        self.assertEqual(code, 1)
        self.assertIn("BROKEN against its signed checkpoints", err)
        self.assertIn("the chain ends at #5, before the checkpoint on line 1 (event #15", err)
        self.assertIn("cut from the end", err)

    def test_a_rewritten_or_forked_chain_is_caught(self):
        self.assertEqual(cli("audit", "checkpoint")[0], 0)
        record_event(None, "clients.listed")
        self.assertEqual(cli("audit", "checkpoint")[0], 0)
        rehash_from(12, "someone-else")
        self.assertTrue(verify_chain().ok, "a consistent fork passes the chain check alone")
        code, _, err = cli("audit", "verify")
        self.assertEqual(code, 1)
        self.assertIn("event #15 no longer has the hash signed in the checkpoint on line 1", err)

    def test_a_forged_or_edited_checkpoint_is_caught(self):
        self.assertEqual(cli("audit", "checkpoint")[0], 0)
        path = self.var / "audit_checkpoints.jsonl"
        good = path.read_text()
        # Signed with a key of the attacker's own.
        other = Ed25519PrivateKey.generate()
        fake = checkpoint.Checkpoint(5, row(5)["hash"], "2026-12-01T00:00:00.000000Z", checkpoint.key_id(other.public_key()), "")
        fake = checkpoint.Checkpoint(fake.seq, fake.hash, fake.at, fake.key,
                                     base64.b64encode(other.sign(fake.message())).decode())
        path.write_text(good + fake.json() + "\n")
        code, _, err = cli("audit", "verify")
        self.assertEqual(code, 1)
        self.assertIn("checkpoint on line 2 (event #5", err)
        self.assertIn("not signed by this installation's audit signing key", err)
        # This installation's signature, with the number changed.
        edited = json.loads(good)
        edited["seq"] = 14
        edited["hash"] = row(14)["hash"]
        path.write_text(json.dumps(edited) + "\n")
        self.assertEqual(cli("audit", "verify")[0], 1)
        path.write_text("not json\n")
        code, _, err = cli("audit", "verify")
        self.assertEqual(code, 1)
        self.assertIn("line 1 of", err)

    def test_a_missing_signing_key_stops_verify_with_status_2(self):
        self.assertEqual(cli("audit", "checkpoint")[0], 0)
        (self.var / "audit_signing_key").unlink()
        code, _, err = cli("audit", "verify")
        self.assertEqual(code, 2)
        self.assertIn("signing key is missing", err)

    def test_a_tampered_chain_is_never_signed(self):
        self.assertEqual(cli("audit", "checkpoint")[0], 0)
        record_event(None, "clients.listed")
        record_event(None, "clients.listed")
        tamper(("UPDATE audit_event SET actor = 'someone-else' WHERE seq = 16", []))
        code, _, err = cli("audit", "checkpoint")
        self.assertEqual(code, 1)
        self.assertIn("event #16", err)
        self.assertIn("nothing was signed", err)
        self.assertEqual(len(self.lines()), 1)
        # Cut back behind the newest checkpoint: not signed either.
        tamper(("DELETE FROM audit_event WHERE seq > 12", []),
               ("UPDATE audit_head SET seq = 12, hash = %s WHERE id = 1", [row(12)["hash"]]))
        code, _, err = cli("audit", "checkpoint")
        self.assertEqual(code, 1)
        self.assertIn("behind event #15", err)
        self.assertEqual(len(self.lines()), 1)

    def test_the_serving_round_signs_only_when_events_were_added(self):
        first = checkpoint.checkpoint_round()
        self.assertEqual(first.seq, 15)
        self.assertIsNone(checkpoint.checkpoint_round())
        self.assertEqual(len(self.lines()), 1)
        record_event(None, "clients.listed")
        self.assertEqual(checkpoint.checkpoint_round().seq, 16)
        self.assertEqual([line["seq"] for line in self.lines()], [15, 16])
        self.assertEqual(cli("audit", "verify")[0], 0)

    def test_the_serving_round_logs_a_problem_and_signs_nothing(self):
        self.assertEqual(checkpoint.checkpoint_round().seq, 15)
        record_event(None, "clients.listed")
        tamper(("UPDATE audit_event SET purpose = 'x' WHERE seq = 16", []))
        with self.assertLogs("confide.audit", "ERROR") as logs:
            self.assertIsNone(checkpoint.checkpoint_round())
        self.assertIn("audit checkpoint not written", logs.output[0])
        self.assertEqual(len(self.lines()), 1)

    def test_a_signing_key_given_in_the_environment_is_used(self):
        key = Ed25519PrivateKey.generate()
        from cryptography.hazmat.primitives import serialization

        raw = key.private_bytes(serialization.Encoding.Raw, serialization.PrivateFormat.Raw, serialization.NoEncryption())
        with override_settings(AUDIT_SIGNING_KEY=base64.b64encode(raw).decode()):
            self.assertEqual(cli("audit", "checkpoint")[0], 0)
        self.assertFalse((self.var / "audit_signing_key").exists())
        self.assertEqual(self.lines()[0]["key"], checkpoint.key_id(key.public_key()))


class CheckpointerThreadTests(CheckpointTestMixin, triggers.FlushableAuditLogMixin, TransactionTestCase):
    def test_the_thread_signs_once_more_as_it_stops(self):
        for i in range(3):
            record_event(None, "clients.listed", client_id=i)
        checkpointer = checkpoint.Checkpointer(minutes=60).start()
        checkpointer.stop()
        self.assertFalse(checkpointer._thread.is_alive())
        self.assertEqual([line["seq"] for line in self.lines()], [3])

"""The audit log is append-only and tamper-evident: each kind of tampering is caught."""

from __future__ import annotations

import io
import tempfile
from contextlib import redirect_stderr, redirect_stdout
from pathlib import Path

from django.db import DatabaseError, connection, transaction
from django.test import TestCase, override_settings

from confide.audit.chain import GENESIS
from confide.audit.models import AuditEvent, AuditHead
from confide.audit.services import record_event, verify_chain
from confide.cli import main as confide_main
from tests.base import row, tamper


class AuditChainTests(TestCase):
    def setUp(self):
        for i in range(1, 11):
            record_event(None, "clients.listed", object_type="thing", object_id=i, client_id=100 + i % 3,
                         purpose="casework", detail={"n": i})

    def test_events_are_numbered_and_linked_from_the_start(self):
        events = list(AuditEvent.objects.order_by("seq"))
        self.assertEqual([e.seq for e in events], list(range(1, 11)))
        self.assertEqual(events[0].prev_hash, GENESIS)
        for before, after in zip(events, events[1:], strict=False):
            self.assertEqual(after.prev_hash, before.hash)
        head = AuditHead.objects.get(pk=1)
        self.assertEqual((head.seq, head.hash), (10, events[-1].hash))
        self.assertEqual(verify_chain().message(), "Audit log intact: 10 events, chain head #10.")

    def test_the_database_refuses_update_and_delete(self):
        for statement in ("UPDATE audit_event SET action = 'x' WHERE seq = 3", "DELETE FROM audit_event WHERE seq = 3"):
            with self.subTest(statement=statement), self.assertRaises(DatabaseError) as caught, transaction.atomic():
                with connection.cursor() as cursor:
                    cursor.execute(statement)
            self.assertIn("append-only", str(caught.exception))
        with self.assertRaises(DatabaseError), transaction.atomic():
            AuditEvent.objects.filter(seq=4).delete()
        self.assertEqual(AuditEvent.objects.count(), 10)
        self.assertTrue(verify_chain().ok)

    def test_an_edited_event_is_caught(self):
        tamper(("UPDATE audit_event SET actor = %s WHERE seq = 4", ["someone-else"]))
        result = verify_chain()
        self.assertFalse(result.ok)
        self.assertEqual(result.broken_at, 4)
        self.assertIn("edited", result.problem)
        self.assertEqual(result.checked, 3)

    def test_an_edited_detail_or_time_is_caught(self):
        tamper(("UPDATE audit_event SET detail = %s WHERE seq = 7", ['{"n":70}']))
        self.assertEqual((verify_chain().ok, verify_chain().broken_at), (False, 7))

    def test_a_deleted_event_is_caught(self):
        tamper(("DELETE FROM audit_event WHERE seq = 5", []))
        result = verify_chain()
        self.assertFalse(result.ok)
        self.assertEqual(result.broken_at, 5)
        self.assertIn("deleted", result.problem)

    def test_events_deleted_from_the_end_are_caught(self):
        tamper(("DELETE FROM audit_event WHERE seq >= 9", []))
        result = verify_chain()
        self.assertFalse(result.ok)
        self.assertEqual(result.broken_at, 9)
        self.assertIn("deleted from the end", result.problem)

    def test_an_inserted_event_is_caught_even_with_a_correct_hash_of_its_own(self):
        # Make room at #6 by renumbering #6..#10, then forge a well-formed event there.
        from confide.audit.chain import canonical_time, event_hash

        five = row(5)
        statements = [("UPDATE audit_event SET seq = seq + 100 WHERE seq >= 6", []),
                      ("UPDATE audit_event SET seq = seq - 99 WHERE seq >= 106", [])]
        at = connection.ops.adapt_datetimefield_value(five["at"])  # stored as Confide stores it
        digest = event_hash(6, canonical_time(five["at"]), None, "", "forged", "", "", None, "", "{}", five["hash"])
        statements.append((
            "INSERT INTO audit_event (seq, at, actor_id, actor, action, object_type, object_id, client_id, "
            "purpose, detail, prev_hash, hash) VALUES (6, %s, NULL, '', 'forged', '', '', NULL, '', '{}', %s, %s)",
            [at, five["hash"], digest]))
        tamper(*statements)
        self.assertEqual(AuditEvent.objects.count(), 11)
        result = verify_chain()
        self.assertFalse(result.ok)
        self.assertEqual(result.broken_at, 7)  # #6 is forged well; the event after it no longer links

    def test_an_event_appended_outside_confide_is_caught(self):
        from confide.audit.chain import canonical_time, event_hash

        ten = row(10)
        digest = event_hash(11, canonical_time(ten["at"]), None, "", "forged", "", "", None, "", "{}", ten["hash"])
        tamper(("INSERT INTO audit_event (seq, at, actor_id, actor, action, object_type, object_id, client_id, "
                 "purpose, detail, prev_hash, hash) VALUES (11, %s, NULL, '', 'forged', '', '', NULL, '', '{}', %s, %s)",
                 [connection.ops.adapt_datetimefield_value(ten["at"]), ten["hash"], digest]))
        result = verify_chain()
        self.assertFalse(result.ok)
        self.assertIn("outside Confide", result.problem)
        self.assertEqual((result.broken_at, result.checked), (11, 10))

    def test_reordered_events_are_caught(self):
        three, eight = row(3), row(8)
        columns = ["at", "actor_id", "actor", "action", "object_type", "object_id", "client_id", "purpose",
                   "detail", "prev_hash", "hash"]
        sets = ", ".join(f"{c} = %s" for c in columns)
        tamper(
            (f"UPDATE audit_event SET hash = %s WHERE seq = 3", ["x" * 64]),  # noqa: F541 -- free the unique hash
            (f"UPDATE audit_event SET {sets} WHERE seq = 8", [three[c] for c in columns]),  # noqa: S608 -- constant columns
            (f"UPDATE audit_event SET {sets} WHERE seq = 3", [eight[c] for c in columns]),  # noqa: S608
        )
        result = verify_chain()
        self.assertFalse(result.ok)
        self.assertEqual(result.broken_at, 3)
        self.assertIn("does not link", result.problem)

    def test_the_event_rolls_back_with_the_change_it_records(self):
        with self.assertRaises(RuntimeError), transaction.atomic():
            record_event(None, "note.added")
            raise RuntimeError("the change failed")
        self.assertFalse(AuditEvent.objects.filter(action="note.added").exists())
        self.assertEqual(AuditHead.objects.get(pk=1).seq, 10)
        record_event(None, "case.changed")
        self.assertEqual(AuditEvent.objects.get(action="case.changed").seq, 11)
        self.assertTrue(verify_chain().ok)

    def test_detail_refuses_nested_content(self):
        with self.assertRaises(TypeError):
            record_event(None, "note.added", detail={"form": {"name": "anything"}})

    @override_settings(AUDIT_CHECKPOINT_LOG=Path(tempfile.gettempdir()) / "confide-no-such-checkpoint-log.jsonl")
    def test_cli_verify_exit_codes(self):  # not the checkout's var/ checkpoints, which sign another database
        out = io.StringIO()
        with redirect_stdout(out):
            self.assertEqual(confide_main(["audit", "verify"]), 0)
        self.assertIn("intact: 10 events", out.getvalue())
        tamper(("UPDATE audit_event SET purpose = 'x' WHERE seq = 2", []))
        err = io.StringIO()
        with redirect_stderr(err):
            self.assertEqual(confide_main(["audit", "verify"]), 1)
        self.assertIn("BROKEN at event #2", err.getvalue())


class AwkwardTextTests(TestCase):
    def test_the_database_and_python_hash_awkward_text_alike(self):
        # On PostgreSQL verification hashes inside the database; it must agree with Python on
        # quotes, backslashes, control characters, non-ASCII and emoji.
        for text in ['quote " and \\ backslash', "line\nbreak\ttab\r", "ctrl \x01\x1f\x7f",
                     "ünïcødé – “curly” 😀", "\u2028\u2029", "null", ""]:
            record_event(None, "clients.listed", object_type=text[:20], object_id=text[:20], purpose=text[:20],
                         detail={"text": text})
        result = verify_chain()
        self.assertTrue(result.ok, result.message())
        self.assertEqual(result.checked, 7)

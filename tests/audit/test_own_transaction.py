"""record_event() outside any transaction (a plain read) begins and commits its own."""

from __future__ import annotations

import threading

from django.db import connection, connections, transaction
from django.test import TransactionTestCase

from confide.audit.models import AuditEvent, AuditHead
from confide.audit.services import AuditLogMissing, record_event, verify_chain
from tests.audit import triggers
from tests.audit.triggers import FlushableAuditLogMixin


class OwnTransactionTests(FlushableAuditLogMixin, TransactionTestCase):
    def test_an_event_on_its_own_is_committed_at_once(self):
        self.assertFalse(connection.in_atomic_block)
        record_event(None, "client.read", client_id=3)
        self.assertFalse(connection.in_atomic_block)
        self.assertTrue(connection.get_autocommit(), "the connection is left in autocommit")
        self.assertEqual(list(AuditEvent.objects.values_list("seq", "action")), [(1, "client.read")])
        self.assertEqual(AuditHead.objects.get(pk=1).seq, 1)

    def test_a_failed_append_rolls_back_and_leaves_the_connection_usable(self):
        record_event(None, "tasks.listed")
        with triggers.off():  # the database refuses to remove the head; only someone who drops the triggers can
            AuditHead.objects.filter(pk=1).delete()
        with self.assertRaises(AuditLogMissing):
            record_event(None, "approvals.listed")
        self.assertEqual(AuditEvent.objects.count(), 1)
        with connection.cursor() as cursor:  # not stuck inside a half-done transaction
            cursor.execute("INSERT INTO audit_head (id, seq, hash) SELECT 1, seq, hash FROM audit_event WHERE seq = 1")
        record_event(None, "consents.expiring_listed")
        self.assertEqual(list(AuditEvent.objects.values_list("seq", flat=True)), [1, 2])
        self.assertTrue(verify_chain().ok)

    def test_inside_a_transaction_the_event_joins_it(self):
        with self.assertRaises(RuntimeError), transaction.atomic():
            record_event(None, "note.added")
            raise RuntimeError("the change failed")
        self.assertEqual(AuditEvent.objects.count(), 0)
        self.assertEqual(AuditHead.objects.get(pk=1).seq, 0)

    def test_reads_at_the_same_moment_are_numbered_one_after_another(self):
        # Four serving threads, each on its own connection, as `confide serve` runs them.
        problems = []

        def read(n):
            try:
                for i in range(25):
                    record_event(None, "client.read", client_id=n, detail={"i": i})
            except Exception as exc:  # noqa: BLE001 -- reported below, with the test's failure
                problems.append(repr(exc))
            finally:
                connections.close_all()

        threads = [threading.Thread(target=read, args=(n,)) for n in range(4)]
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        self.assertEqual(problems, [])
        self.assertEqual(list(AuditEvent.objects.values_list("seq", flat=True)), list(range(1, 101)))
        self.assertEqual(AuditHead.objects.get(pk=1).seq, 100)
        self.assertTrue(verify_chain().ok)

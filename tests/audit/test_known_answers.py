"""The chain's encodings pinned by known answers, and the verifier's paths no other test ran in
this process (mutation testing, docs/mutation.md).

- canonical_detail and canonical_time: fixed inputs give exact text; a time in any zone but UTC
  is refused, whichever side of UTC and whatever the zone's name.
- An event written by record_event holds exactly the hash of its canonical fields.
- The parallel verifier (a database file, its ranges checked in worker processes) gives what one
  process gives; tests/audit/test_parallel_verify.py proves it through the CLI, in another process
  where a change to the code under test cannot be seen, so it is run here in process too.
- check_span and check_kept_head, which checkpoints and `verify --against` use.
- The PostgreSQL verifier, run when CONFIDE_DATABASE_URL is a PostgreSQL URL (skipped otherwise,
  saying so): each kind of tampering named as the SQLite verifier names it.
"""

from __future__ import annotations

import sqlite3
import tempfile
from datetime import UTC, datetime, timedelta, timezone
from pathlib import Path
from unittest import mock, skipUnless
from zoneinfo import ZoneInfo

from django.contrib.auth import get_user_model
from django.db import connection
from django.test import SimpleTestCase, TestCase

from confide.audit import services
from confide.audit.chain import (
    GENESIS,
    RangeCheck,
    canonical_detail,
    canonical_time,
    check_range_sqlite,
    check_range_sqlite_file,
    check_rows,
    event_hash,
)
from confide.audit.models import AuditEvent, AuditHead
from confide.audit.services import check_kept_head, check_span, record_event, verify_chain
from tests.base import row, tamper

AT = datetime(2026, 11, 21, 20, 11, 46, 450412, tzinfo=UTC)


class EncodingTests(SimpleTestCase):
    def test_canonical_detail_is_compact_sorted_json_keeping_every_character(self):
        self.assertEqual(canonical_detail({"reason": "sealed", "clauses": ["9.03", "1.01"], "n": 2, "ok": True,
                                           "none": None, "text": "ünï – 😀 \" \n"}),
                         '{"clauses":["9.03","1.01"],"n":2,"none":null,"ok":true,"reason":"sealed",'
                         '"text":"ünï – 😀 \\" \\n"}')
        self.assertEqual(canonical_detail(None), "{}")
        self.assertEqual(canonical_detail({}), "{}")

    def test_canonical_time_refuses_every_zone_but_utc(self):
        for zone in (timezone(timedelta(hours=5)), timezone(timedelta(hours=-5)), timezone(timedelta(minutes=1)),
                     ZoneInfo("Europe/London")):  # London in November is UTC+0, but in July it is not
            at = datetime(2026, 7, 1, 12, 0, tzinfo=zone)
            with self.subTest(zone=str(zone)), self.assertRaisesRegex(ValueError, "^an audit event's time must be in UTC"):
                canonical_time(at)
        with self.assertRaisesRegex(ValueError, "must be in UTC, with its zone"):
            canonical_time(datetime(2026, 7, 1, 12, 0))  # noqa: DTZ001 -- naive on purpose
        with self.assertRaisesRegex(ValueError, "^an audit event's time must be a datetime$"):
            canonical_time("2026-07-01T12:00:00Z")
        for utc in (UTC, timezone.utc, ZoneInfo("UTC")):  # noqa: UP017 -- the other spelling is the point
            with self.subTest(zone=str(utc)):
                self.assertEqual(canonical_time(AT.replace(tzinfo=utc)), "2026-11-21T20:11:46.450412Z")
        self.assertEqual(canonical_time(datetime(9999, 12, 31, 23, 59, 59, 999999, tzinfo=UTC)),
                         "9999-12-31T23:59:59.999999Z")

    def test_event_hash_changes_with_every_field(self):
        fields = [3, "2026-11-21T20:11:46.450412Z", 5, "ada", "client.read", "client", "17", 17, "direct_support",
                  "{}", GENESIS]
        digest = event_hash(*fields)
        # sha256 of '[3,"2026-11-21T20:11:46.450412Z",5,"ada","client.read","client","17",17,"direct_support","{}","000…0"]'
        self.assertEqual(digest, "8ba945977201d8ddece63deb885d4980e53ee67c7e1ce8382eaf60c5fe674b05")
        for i, other in enumerate([4, "2026-11-21T20:11:46.450413Z", 6, "adb", "client.list", "case", "18", 18,
                                   "audit", '{"a":1}', "1" * 64]):
            changed = list(fields)
            changed[i] = other
            with self.subTest(field=i):
                self.assertNotEqual(event_hash(*changed), digest)
        self.assertNotEqual(event_hash(*fields[:2], None, *fields[3:]), digest, "null is not 5")

    def test_no_rows_is_no_problem(self):
        self.assertEqual(check_rows([], 4, "a" * 64), (None, "", "a" * 64, 4))


class RecordedEventTests(TestCase):
    def test_an_event_holds_the_hash_of_its_canonical_fields(self):
        before = AuditHead.objects.get(pk=1)
        with mock.patch.object(services.timezone, "now", return_value=AT):
            appended = record_event(None, "clients.listed", object_type="client", object_id=17, client_id=17,
                                    purpose="direct_support", detail={"b": 2, "a": "ü"})
        event = row(appended.seq)
        self.assertEqual(appended.seq, before.seq + 1)
        self.assertEqual(event["prev_hash"], before.hash)
        self.assertEqual(event["detail"], '{"a":"ü","b":2}')
        self.assertEqual((event["object_id"], event["client_id"], event["actor"], event["actor_id"]),
                         ("17", 17, "", None))
        self.assertEqual(appended.hash, event_hash(appended.seq, "2026-11-21T20:11:46.450412Z", None, "",
                                                   "clients.listed", "client", "17", 17, "direct_support",
                                                   '{"a":"ü","b":2}', before.hash))
        self.assertEqual(event["hash"], appended.hash)
        self.assertEqual(AuditHead.objects.get(pk=1).hash, appended.hash)


def _events(n: int) -> None:
    for i in range(n):
        record_event(None, "clients.listed", detail={"n": i})


@skipUnless(connection.vendor == "sqlite", "the verifier's ranges and processes are SQLite's")
class ParallelVerifyInProcessTests(TestCase):
    """The ranges of a database file, checked in worker processes, in this process's test."""

    def setUp(self):
        _events(12)
        self.last = AuditEvent.objects.order_by("-seq").values_list("seq", flat=True).first()
        self.folder = tempfile.TemporaryDirectory()
        self.path = str(Path(self.folder.name) / "copy.sqlite3")
        self.copy()

    def tearDown(self):
        self.folder.cleanup()

    def copy(self) -> None:
        """The audit log as it is now (in this test's transaction) into a database file of its own."""
        columns = "seq, at || '', actor_id, actor, action, object_type, object_id, client_id, purpose, detail, " \
                  "prev_hash, hash"  # `at || ''`: the stored text, not the datetime Django would convert it to
        with connection.cursor() as cursor:
            cursor.execute("SELECT sql FROM sqlite_master WHERE type = 'table' AND name = 'audit_event'")
            table = cursor.fetchone()[0]
            cursor.execute(f"SELECT {columns} FROM audit_event ORDER BY seq")  # noqa: S608 -- constant
            rows = cursor.fetchall()
        target = sqlite3.connect(self.path)
        with target:
            target.execute("DROP TABLE IF EXISTS audit_event")
            target.execute(table)
            target.executemany(f"INSERT INTO audit_event VALUES ({', '.join('?' * 12)})", rows)  # noqa: S608
        target.close()

    def ranges(self, workers, name=None):
        with mock.patch.dict(connection.settings_dict, {"NAME": name or self.path}):
            return services._ranges_sqlite(connection.connection.cursor(), self.last, workers)

    def verify(self, workers):
        with mock.patch.dict(connection.settings_dict, {"NAME": self.path}):
            return verify_chain(workers=workers)

    def test_the_chain_is_split_into_ranges_that_join(self):
        parts = self.ranges(3)
        self.assertEqual(len(parts), 3)
        self.assertEqual([(start, stop) for start, stop, _ in parts][0][0], 1)
        self.assertEqual(parts[-1][1], self.last + 1)
        for (_, stop, before), (start, _, after) in zip(parts, parts[1:], strict=False):
            self.assertEqual(stop, start)
            self.assertEqual(after.first_prev_hash, before.last_hash)
        self.assertEqual(sum(part.count for _, _, part in parts), self.last)
        self.assertEqual(parts[-1][2].last_hash, AuditHead.objects.get(pk=1).hash)
        self.assertTrue(all(part.problem_seq is None for _, _, part in parts))

    def test_when_the_chain_is_split_and_when_it_is_not(self):
        (start, stop, _), = self.ranges(1)
        self.assertEqual((start, stop), (1, self.last + 1))
        for memory in (":memory:", "file:memorydb_default?mode=memory&cache=shared"):
            self.assertEqual(len(self.ranges(3, memory)), 1, memory)
        workers = self.last // 2
        self.assertGreater(len(self.ranges(workers)), 1, "two events a worker are enough to split")
        self.assertEqual(len(self.ranges(workers + 1)), 1, "fewer than two events a worker is not")
        self.assertEqual(len(self.ranges(None)), 1, "a short chain is checked in one process")
        with mock.patch.object(services, "PARALLEL_FROM", self.last), mock.patch.object(services.os, "cpu_count",
                                                                                        return_value=2):
            self.assertEqual(len(self.ranges(None)), 2, "a long one in one process a core")

    def test_the_number_of_workers_asked_for_is_the_number_used(self):
        with mock.patch.object(services, "_ranges_sqlite", wraps=services._ranges_sqlite) as split:
            self.verify(3)
        self.assertEqual(split.call_args.args[1:], (self.last, 3))

    def test_parallel_and_sequential_agree_on_an_intact_chain_and_on_an_edit(self):
        self.assertEqual(self.verify(3), verify_chain(workers=1))
        self.assertTrue(self.verify(3).ok)
        edited = self.last - 2
        tamper(("UPDATE audit_event SET actor = %s WHERE seq = %s", ["someone-else", edited]))
        self.copy()
        result = self.verify(3)
        self.assertEqual(result, verify_chain(workers=1))
        self.assertEqual((result.ok, result.broken_at, result.checked), (False, edited, edited - 1))

    def test_parallel_and_sequential_agree_on_every_kind_of_tampering(self):
        (_, j1, _), (j1_, j2, _), (j2_, stop, _) = self.ranges(3)  # where the three workers' ranges join
        n = self.last
        self.assertEqual((j1, j2, stop), (j1_, j2_, n + 1))
        scenarios = {  # name: (statements, (broken_at, checked))
            "edit the first event of a range": ([("UPDATE audit_event SET purpose = 'x' WHERE seq = %s", [j1])],
                                                (j1, j1 - 1)),
            "delete the first event of a range": ([("DELETE FROM audit_event WHERE seq = %s", [j1])], (j1, j1 - 1)),
            "delete the last events of a range": ([("DELETE FROM audit_event WHERE seq IN (%s, %s)", [j2 - 2, j2 - 1])],
                                                  (j2 - 2, j2 - 3)),
            "delete a whole range": ([("DELETE FROM audit_event WHERE seq >= %s AND seq < %s", [j1, j2])],
                                     (j1, j1 - 1)),
            "delete the very first event": ([("DELETE FROM audit_event WHERE seq = 1", [])], (1, 0)),
            "delete from the end": ([("DELETE FROM audit_event WHERE seq >= %s", [n - 1])], (n - 1, n - 2)),
            "relink the first event of a range": ([("UPDATE audit_event SET prev_hash = %s WHERE seq = %s",
                                                    ["1" * 64, j2])], (j2, j2 - 1)),
            "move the head's hash": ([("UPDATE audit_head SET hash = %s WHERE id = 1", ["2" * 64])], (n, n - 1)),
        }
        for name, (statements, (broken_at, checked)) in scenarios.items():
            with self.subTest(name):
                sid = connection.savepoint()
                tamper(*statements)
                self.copy()
                sequential = verify_chain(workers=1)
                self.assertEqual(self.verify(3), sequential)
                self.assertEqual((sequential.ok, sequential.broken_at, sequential.checked), (False, broken_at, checked))
                connection.savepoint_rollback(sid)

    def test_a_worker_reads_its_range_from_the_file_read_only(self):
        whole = check_range_sqlite_file(self.path, 1, self.last + 1)
        self.assertEqual((whole.problem_seq, whole.count, whole.first_prev_hash, whole.last_hash),
                         (None, self.last, GENESIS, AuditHead.objects.get(pk=1).hash))
        part = check_range_sqlite_file(self.path, 3, 6)
        self.assertEqual(part, RangeCheck(None, "", row(2)["hash"], 5, row(5)["hash"], 3))
        with sqlite3.connect(f"file:{self.path}?mode=ro", uri=True) as reader:
            self.assertEqual(check_range_sqlite(reader.cursor(), 3, 6), part)

    def test_a_range_that_runs_out_of_events_stops_at_the_last(self):
        cursor = connection.connection.cursor()
        part = check_range_sqlite(cursor, 1, self.last + 10, batch_size=5)
        self.assertEqual((part.problem_seq, part.count, part.last_seq), (None, self.last, self.last))
        self.assertEqual(part.first_prev_hash, GENESIS)
        self.assertEqual(part.last_hash, AuditHead.objects.get(pk=1).hash)
        tamper(("UPDATE audit_event SET actor = 'x' WHERE seq = 4", []))
        self.assertEqual(check_range_sqlite(cursor, 2, 8, batch_size=2),
                         RangeCheck(4, "edited", row(1)["hash"], 3, row(3)["hash"], 2))
        empty = check_range_sqlite(cursor, self.last + 1, self.last + 10)
        self.assertEqual((empty.count, empty.last_seq, empty.first_prev_hash), (0, None, None))


class VerifyResultTests(TestCase):
    """Each way the chain and its head can disagree, as the whole result verify_chain gives."""

    def setUp(self):
        _events(6)
        self.head = AuditHead.objects.get(pk=1)

    def test_an_intact_chain(self):
        self.assertEqual(verify_chain(), services.VerifyResult(True, self.head.seq, self.head.seq))

    def test_events_cut_from_the_end(self):
        tamper(("DELETE FROM audit_event WHERE seq > %s", [self.head.seq - 2]))
        n = self.head.seq
        self.assertEqual(verify_chain(), services.VerifyResult(
            False, n - 2, n, n - 1,
            f"the chain ends at #{n - 2} but the head records #{n} (events were deleted from the end)"))

    def test_a_head_whose_hash_is_not_the_last_events(self):
        tamper(("UPDATE audit_head SET hash = %s WHERE id = 1", ["2" * 64]))
        n = self.head.seq
        self.assertEqual(verify_chain(), services.VerifyResult(
            False, n - 1, n, n, f"the chain runs past the head (#{n}) or its last hash differs (events were "
                                "added outside Confide)"))

    def test_a_head_behind_the_chain_or_gone(self):
        n = self.head.seq
        tamper(("UPDATE audit_head SET seq = %s, hash = %s WHERE id = 1", [n - 2, row(n - 2)["hash"]]))
        result = verify_chain()
        self.assertEqual((result.ok, result.checked, result.head_seq, result.broken_at), (False, n - 2, n - 2, n - 1))
        tamper(("DELETE FROM audit_head", []))
        result = verify_chain()
        self.assertEqual((result.ok, result.checked, result.head_seq, result.broken_at), (False, 0, 0, 1))

    def test_a_problem_inside_the_chain_names_the_head_too(self):
        tamper(("UPDATE audit_event SET actor = 'x' WHERE seq = 2", []))
        self.assertEqual(verify_chain(), services.VerifyResult(
            False, 1, self.head.seq, 2, "its contents do not match its hash (the event was edited)"))


class RecordEventArgumentTests(TestCase):
    def test_the_actor_is_named_by_number_and_user_name(self):
        user = get_user_model().objects.create_user(username="ada-example", password="not-a-real-password-1")
        event = row(record_event(user, "clients.listed").seq)
        self.assertEqual((event["actor_id"], event["actor"], event["object_id"], event["object_type"],
                          event["purpose"], event["client_id"], event["detail"]),
                         (user.pk, "ada-example", "", "", "", None, "{}"))
        unsaved = get_user_model()(username="not-saved")
        event = row(record_event(unsaved, "clients.listed").seq)
        self.assertEqual((event["actor_id"], event["actor"]), (None, ""))

    def test_without_its_head_row_nothing_is_appended(self):
        tamper(("DELETE FROM audit_head", []))
        with self.assertRaisesRegex(services.AuditLogMissing,
                                    "^the audit log has no head row; run 'confide manage migrate'$"):
            record_event(None, "clients.listed")

    def test_what_is_refused_says_why(self):
        with self.assertRaisesRegex(ValueError, "^not an audit action: add it to confide.audit.actions.Action"):
            record_event(None, "no.such.action")
        with self.assertRaisesRegex(TypeError, "^audit detail keys must be strings$"):
            record_event(None, "clients.listed", detail={1: "x"})
        with self.assertRaisesRegex(TypeError, "^audit detail 'note' must be a plain value or a list of plain values$"):
            record_event(None, "clients.listed", detail={"note": {"text": "x"}})


class SpanAndKeptHeadTests(TestCase):
    def setUp(self):
        _events(9)
        self.head = AuditHead.objects.get(pk=1)

    def test_a_kept_head_is_found_or_reported_missing_or_rewritten(self):
        self.assertIsNone(check_kept_head(self.head.seq, self.head.hash))
        self.assertIn("no longer has the hash that was kept", check_kept_head(self.head.seq, "0" * 64))
        self.assertIn("is no longer in the log", check_kept_head(self.head.seq + 5, self.head.hash))

    def test_a_span_is_checked_batch_by_batch_to_the_head(self):
        middle = row(self.head.seq - 4)
        self.assertEqual(check_span(middle["seq"], middle["hash"], batch_size=2), (self.head.seq, self.head.hash))
        self.assertEqual(check_span(0, GENESIS, batch_size=3), (self.head.seq, self.head.hash))
        self.assertIn("no longer has the hash signed before", check_span(middle["seq"], "f" * 64))
        first = row(1)
        self.assertEqual(check_span(1, first["hash"]), (self.head.seq, self.head.hash))
        self.assertEqual(check_span(1, "f" * 64),
                         "event #1 no longer has the hash signed before (the chain has been rewritten)")

    def test_a_span_whose_last_events_were_cut_is_caught(self):
        tamper(("DELETE FROM audit_event WHERE seq >= %s", [self.head.seq - 1]))
        middle = row(self.head.seq - 4)
        self.assertEqual(check_span(middle["seq"], middle["hash"], batch_size=2),
                         f"event #{self.head.seq - 1} is missing; the chain ends before the head (#{self.head.seq})")


@skipUnless(connection.vendor == "postgresql",
            "the PostgreSQL verifier runs only on PostgreSQL: set CONFIDE_DATABASE_URL=postgresql://… to run it")
class PostgresVerifierTests(TestCase):
    def setUp(self):
        _events(8)
        self.head = AuditHead.objects.get(pk=1)

    def test_an_intact_chain_is_counted_to_its_head(self):
        result = verify_chain()
        self.assertEqual((result.ok, result.checked, result.head_seq), (True, self.head.seq, self.head.seq))
        with connection.cursor() as cursor:
            self.assertEqual(services._verify_postgresql(cursor.cursor), (None, "", self.head.seq, self.head.hash))

    def test_each_kind_of_tampering_is_named(self):
        last = self.head.seq
        cases = [
            (("UPDATE audit_event SET actor = 'x' WHERE seq = %s", [last - 3]), last - 3, "edited", last - 4),
            (("DELETE FROM audit_event WHERE seq = %s", [last - 3]), last - 3, "missing", last - 4),
            (("UPDATE audit_event SET prev_hash = %s WHERE seq = %s", ["1" * 64, last - 2]), last - 2, "link", last - 3),
            (("UPDATE audit_event SET at = 'infinity' WHERE seq = %s", [last - 1]), last - 1, "edited", last - 2),
        ]
        for statement, broken_at, problem, checked in cases:
            with self.subTest(problem=problem, sql=statement[0]):
                sid = connection.savepoint()
                tamper(statement)
                with connection.cursor() as cursor:
                    found = services._verify_postgresql(cursor.cursor)
                self.assertEqual(found, (broken_at, problem, checked, None))
                result = verify_chain()
                self.assertEqual((result.ok, result.broken_at, result.checked), (False, broken_at, checked))
                connection.savepoint_rollback(sid)

    def test_the_first_problem_wins_whether_an_edit_or_a_link(self):
        last = self.head.seq
        tamper(("UPDATE audit_event SET actor = 'x' WHERE seq = %s", [last - 1]),
               ("UPDATE audit_event SET prev_hash = %s WHERE seq = %s", ["1" * 64, last - 4]))
        with connection.cursor() as cursor:
            self.assertEqual(services._verify_postgresql(cursor.cursor)[:2], (last - 4, "link"))
        tamper(("UPDATE audit_event SET actor = 'x' WHERE seq = %s", [last - 6]))
        with connection.cursor() as cursor:
            self.assertEqual(services._verify_postgresql(cursor.cursor)[:2], (last - 6, "edited"))

    def test_events_cut_from_the_end_are_caught(self):
        tamper(("DELETE FROM audit_event WHERE seq >= %s", [self.head.seq - 1]))
        result = verify_chain()
        self.assertEqual((result.ok, result.broken_at), (False, self.head.seq - 1), result.message())

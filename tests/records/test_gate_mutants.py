"""What the gate's record of access says (confide/records/access.py), held where mutation testing
found nothing holding it: for each refusal and read, which client or record, which purpose, why
refused, which role, and the break-glass that opened it. A data controller reads these events; an
event that names the wrong thing, or leaves out why, is a record of access that misleads them."""

from __future__ import annotations

import json

import pytest
from django.http import Http404

from confide.audit.actions import Action
from confide.audit.models import AuditEvent
from confide.records import access as gate
from confide.records.break_glass import do_open_outside
from confide.records.entries import do_add_document
from confide.records.models import Case
from tests.base import ConfideTestCase

MISSING = 987654


def detail(event) -> dict:
    return json.loads(event.detail) if isinstance(event.detail, str) else event.detail


class GateRecordTests(ConfideTestCase):
    def last(self, action: str) -> AuditEvent:
        return AuditEvent.objects.filter(action=action).order_by("-seq").first()

    def refused(self, call, *args, **kwargs):
        with pytest.raises(Http404):
            call(*args, **kwargs)

    # _refuse_reading_purpose, through access_client_to_write and access_case_to_write
    def test_a_purpose_that_only_reads_is_refused_writing_and_the_refusal_names_the_client_and_why(self):
        self.refused(gate.access_client_to_write, self.assigned, self.client_record.pk, "supervision",
                     action=Action.CLIENT_PEOPLE)
        event = self.last("client.people.refused")
        self.assertEqual((event.object_type, event.object_id, event.purpose),
                         ("client", str(self.client_record.pk), "supervision"))
        self.assertEqual(detail(event), {"reason": "purpose_reads_only", "role": self.assigned.role})

    # access_case_to_write: no such case, and a case the opened file does not open
    def test_writing_to_a_missing_case_is_recorded_as_no_such_case(self):
        self.refused(gate.access_case_to_write, self.assigned, MISSING, "direct_support", action=Action.CASE_WRITE)
        event = self.last("case.write.refused")
        self.assertEqual((event.object_type, event.object_id, event.client_id), ("case", str(MISSING), None))
        self.assertEqual(detail(event), {"reason": "no_such_case"})

    def test_writing_to_a_case_of_the_client_not_opened_to_this_person_is_recorded_as_case_not_opened(self):
        # The client also has a case in the south team, nobody from the north on it: the assigned
        # worker's file opens through their own case, never through that one.
        south_case = Case.objects.create(client=self.client_record, service=self.case.service, team=self.p["south"],
                                         status=Case.Status.OPEN)
        self.refused(gate.access_case_to_write, self.assigned, south_case.pk, "direct_support",
                     action=Action.CASE_WRITE)
        event = self.last("case.write.refused")
        self.assertEqual((event.object_type, event.object_id, event.client_id, event.purpose),
                         ("case", str(south_case.pk), self.client_record.pk, "direct_support"))
        self.assertEqual(detail(event), {"reason": "case_not_opened", "role": self.assigned.role})

    # access_client
    def test_a_missing_client_is_recorded_as_a_client_number_tried(self):
        self.refused(gate.access_client, self.assigned, MISSING, "direct_support")
        event = self.last("client.read.refused")
        self.assertEqual((event.object_type, event.object_id, event.client_id), ("client", str(MISSING), None))
        self.assertEqual(detail(event)["reason"], "no_such_client")

    def test_a_refused_file_read_records_the_decision_and_the_role_held(self):
        self.refused(gate.access_client, self.other_team, self.client_record.pk, "direct_support")
        event = self.last("client.read.refused")
        asked = gate.outside_decision(self.other_team, "direct_support")
        self.assertEqual(detail(event)["decision"], asked["decision"])
        self.assertEqual(detail(event)["role"], self.other_team.role)
        self.assertEqual(detail(event)["cases"], [])

    def test_a_file_and_an_entry_opened_by_breaking_the_glass_name_the_break_glass(self):
        other_case = self.p["other_case"]
        document = do_add_document(self.other_team, other_case, "letter.txt", "text/plain", b"A fictional letter.",
                                   "Letter")
        _client, glass = do_open_outside(self.same_team, self.p["other_client"].pk, "emergency",
                                         "Client rang in crisis; worker on leave.")
        gate.access_client(self.same_team, self.p["other_client"].pk, "emergency")
        read = self.last("client.read")
        self.assertEqual(detail(read)["break_glass"], glass.pk)
        gate.access_entry(self.same_team, document.pk, "emergency", action=Action.DOCUMENT_DOWNLOAD)
        event = self.last("document.download")
        self.assertEqual((event.object_type, event.object_id, event.client_id),
                         ("entry", str(document.pk), self.p["other_client"].pk))
        self.assertEqual(detail(event), {"role": self.same_team.role, "kind": document.kind,
                                         "break_glass": glass.pk})

    # access_entry and access_document
    def test_a_missing_entry_is_recorded_as_no_such_entry(self):
        self.refused(gate.access_entry, self.assigned, MISSING, "direct_support", action=Action.DOCUMENT_DOWNLOAD)
        self.assertEqual(detail(self.last("document.download.refused"))["reason"], "no_such_entry")

    def test_a_note_asked_for_as_a_document_is_refused_as_no_such_document_and_no_download_recorded(self):
        note = self.p["note"]
        self.refused(gate.access_document, self.assigned, note.pk, "direct_support")
        event = self.last("document.download.refused")
        self.assertEqual((event.object_type, event.object_id), ("entry", str(note.pk)))
        self.assertEqual(detail(event)["reason"], "no_such_document")
        self.assertFalse(AuditEvent.objects.filter(action__in=["document.download", "document.download.file"],
                                                   object_id=str(note.pk)).exists())

    # the sealed entry's reason, shown on the file
    def test_a_sealed_entry_shows_the_clause_and_its_words(self):
        grant = gate.access_client(self.assigned, self.client_record.pk, "direct_support")
        sealed = self.p["sealed"]
        self.assertFalse(grant.may_open(sealed))
        self.assertEqual(grant.sealed_reason(sealed),
                         "8.07: Medical records are held on personnel files in a sealed envelope.")

    # lists and break-glass
    def test_a_list_without_a_search_is_recorded_as_listed_not_searched(self):
        gate.list_clients(self.assigned, "direct_support")
        event = AuditEvent.objects.filter(actor_id=self.assigned.pk).order_by("-seq").first()
        self.assertEqual(event.action, "clients.listed")
        self.assertEqual(detail(event)["client_ids"], [self.client_record.pk])

    def test_a_file_outside_ones_work_asks_for_a_reason_under_clause_1_01(self):
        asked = gate.outside_decision(self.other_team, "emergency")
        self.assertEqual((asked["decision"], gate.clauses(asked)), ("permit_if_approved", ["1.01"]))



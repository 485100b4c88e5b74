"""The one request the gate builds, and what it asks about a client with no case (gaps mutation
testing found in confide/records/access.py, docs/mutation.md)."""

from __future__ import annotations

from unittest import mock

from confide.records import access
from confide.records.models import Client
from tests.base import ConfideTestCase


class GateRequestTests(ConfideTestCase):
    def test_the_access_request_has_exactly_the_contracts_fields(self):
        self.assertEqual(access.access_request(self.assigned, "direct_support", "case_notes"), {
            "action": "access", "actor": {"role": self.assigned.role, "team": "north", "assigned_to_case": False},
            "record": {"kind": "case_notes", "sealed": False}, "purpose": "direct_support"})
        self.assertEqual(access.access_request(self.trustee, "audit", "medical_record", service="wss", team="south",
                                               assigned=True, sealed=True), {
            "action": "access", "actor": {"role": self.trustee.role, "team": None, "assigned_to_case": True},
            "record": {"kind": "medical_record", "sealed": True, "service": "wss", "team": "south"},
            "purpose": "audit"})

    def test_a_case_is_asked_about_with_its_service_team_and_whether_this_person_works_on_it(self):
        with mock.patch.object(access, "decide", wraps=access.decide) as asked:
            access.case_decision(self.assigned, self.case, "case_notes", "direct_support", sealed=True)
            access.case_decision(self.same_team, self.case, "case_notes", "direct_support")
        first, second = (call.args[0] for call in asked.call_args_list)
        self.assertEqual(first["record"], {"kind": "case_notes", "sealed": True, "service": self.case.service,
                                           "team": "north"})
        self.assertEqual((first["actor"]["assigned_to_case"], second["actor"]["assigned_to_case"]), (True, False))

    def test_a_client_with_no_case_is_asked_about_as_their_teams_with_nobody_assigned(self):
        caseless = Client.objects.create(display_name="Persephone Quill", team=self.p["north"])  # fictional
        with mock.patch.object(access, "decide", wraps=access.decide) as asked:
            opening = access.open_cases(self.assigned, caseless, "direct_support")
        (request,), _ = asked.call_args
        self.assertEqual(request["record"], {"kind": "case_notes", "sealed": False, "team": "north"})
        self.assertFalse(request["actor"]["assigned_to_case"])
        self.assertEqual(opening.cases, [])
        self.assertEqual(opening.decision, access.decide(request))

    def test_a_request_the_engine_will_not_answer_is_a_refusal(self):
        answer = access.decide(access.access_request(self.assigned, "no_such_purpose", "case_notes"))
        self.assertEqual(answer, access.DENY)
        self.assertEqual(answer["decision"], "deny")
        self.assertEqual(access.clauses({"reasons": [{"clause": "9.03"}, {}]}), ["9.03", ""])

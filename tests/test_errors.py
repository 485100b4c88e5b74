"""One error type with codes (issue 19, point 2): every refusal a service means is a ConfideError with a
message, the form field it is about, a stable code and an HTTP status; the web layer shows it in one
place (beside its field, or as a calm page with its status), the command line in another."""

from __future__ import annotations

import ast
import datetime as dt
from pathlib import Path

import pytest
from django import forms
from django.test import RequestFactory, SimpleTestCase
from django.utils import timezone

from confide import cli
from confide.accounts.services import AccountError
from confide.errors import ConfideError
from confide.partners.directory import DirectoryError
from confide.policy.errors import PackError, PolicyError, RequestError
from confide.policy.reasons import ReasonError, check_reason
from confide.policy.steps import note_problem
from confide.records.cases import CaseError
from confide.records.entries import EntryError
from confide.records.people import PersonError
from confide.records.safe_contact import SafeContactError
from confide.sharing.consent import ConsentError, do_withdraw_consent
from confide.sharing.disclosure import DisclosureError, IdentityNotConfirmed, NotAllowed
from confide.sharing.incoming import RequestError as IncomingRequestError
from confide.sharing.limits import LimitsError
from confide.sharing.tasks import TaskError
from confide.users import UserError
from confide.web.errors import add_to_form
from confide.web.middleware import DatabaseFaultMiddleware

ROOT = Path(__file__).resolve().parent.parent
SERVICE_ERRORS = [EntryError, CaseError, PersonError, SafeContactError, ConsentError, DisclosureError, TaskError,
                  LimitsError, IncomingRequestError, DirectoryError, AccountError, ReasonError]


def test_every_service_error_is_a_confide_error_and_still_what_it_was():
    for kind in SERVICE_ERRORS:
        assert issubclass(kind, ConfideError) and issubclass(kind, ValueError), kind
        assert kind.code and kind.code != ConfideError.code and kind.status == 400, kind
    for kind in (UserError, PolicyError, PackError, RequestError):
        assert issubclass(kind, ConfideError), kind
    assert issubclass(NotAllowed, PermissionError) and NotAllowed.status == 403
    assert len({kind.code for kind in SERVICE_ERRORS}) == len(SERVICE_ERRORS)  # each says which it is


def test_confide_errors_sits_at_the_bottom_of_the_import_graph():
    tree = ast.parse((ROOT / "confide" / "errors.py").read_text())
    imported = [node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)]
    imported += [alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names]
    assert imported == ["__future__"]


def test_the_field_is_passed_not_written_into_the_message():
    with pytest.raises(ConsentError) as raised:
        do_withdraw_consent(None, None, timezone.localdate() + dt.timedelta(days=2))
    assert raised.value.field == "withdrawn_on" and raised.value.code == "consent_invalid"
    assert str(raised.value) == "the date of withdrawal cannot be in the future"
    assert raised.value.sentence() == "The date of withdrawal cannot be in the future."
    with pytest.raises(TaskError) as raised:
        check_reason("  \u200b ", "note", what="say why it was not done", error=TaskError)
    assert (raised.value.field, raised.value.code) == ("note", "reason_too_short")
    assert not str(raised.value).startswith("note:")
    problem = note_problem("no_such_step", "done", "")
    assert problem is not None and problem.field == "step" and not problem.message.startswith("step:")


def test_the_policy_engine_keeps_its_one_line_with_the_field_for_the_command_line():
    error = RequestError("subject.age", "expected a whole number")
    assert (error.field, error.message, error.status) == ("subject.age", "expected a whole number", 400)
    assert str(error) == "subject.age: expected a whole number"
    pack = PackError("unknown word", file="x.yaml", line=3, field="roles")
    assert str(pack) == "x.yaml:3: roles: unknown word" and pack.message == "unknown word" and pack.status == 500


def test_identity_not_confirmed_is_shown_on_the_secret():
    error = IdentityNotConfirmed("wrong")
    assert error.outcome == "wrong" and error.field == "secret" and error.status == 403
    assert IdentityNotConfirmed("locked").code == "locked_out"


class _NoteForm(forms.Form):
    note = forms.CharField(required=False)


class WebTests(SimpleTestCase):
    def test_add_to_form_puts_the_message_on_its_field_or_above_the_form(self):
        form = _NoteForm({"note": ""})
        form.is_valid()
        add_to_form(form, TaskError("say why it was not done", field="note"))
        add_to_form(form, TaskError("this task has already been recorded", field="not_on_this_form"))
        add_to_form(form, NotAllowed("Only an approved request can be sent."))
        self.assertEqual(form.errors["note"], ["Say why it was not done."])
        self.assertEqual(form.non_field_errors(), ["This task has already been recorded.",
                                                   "Only an approved request can be sent."])

    def test_a_refusal_no_view_caught_is_a_calm_page_with_its_status(self):
        middleware = DatabaseFaultMiddleware(lambda request: None)
        request = RequestFactory().post("/disclosures/1/")
        with self.assertLogs("confide.faults", "INFO") as logged:
            response = middleware.process_exception(request, NotAllowed("This link has already been stopped."))
        self.assertEqual(response.status_code, 403)
        self.assertContains(response, "This link has already been stopped.", status_code=403)
        self.assertContains(response, "You cannot do that", status_code=403)
        self.assertIn("not_allowed", logged.output[0])
        self.assertNotIn("stopped", logged.output[0])  # the code goes to the log, never the message
        conflict = middleware.process_exception(request, ConfideError("that has changed", code="stale", status=409))
        self.assertEqual(conflict.status_code, 409)
        rejected = middleware.process_exception(request, RequestError("subject.age", "expected a whole number"))
        self.assertEqual(rejected.status_code, 400)
        # A broken pack, or anything that is not a refusal, stays an error of Confide's own (500).
        self.assertIsNone(middleware.process_exception(request, PackError("broken")))
        self.assertIsNone(middleware.process_exception(request, ValueError("a bug")))


def test_the_command_line_prints_a_refusal_in_one_line_with_its_field(capsys):
    assert cli._refused(UserError("no account 'nobody'", field="username")) == 2
    assert capsys.readouterr().err == "confide: username: no account 'nobody'\n"
    assert cli._refused(RequestError("request", "empty; expected a JSON object")) == 2
    assert capsys.readouterr().err == "confide: request: empty; expected a JSON object\n"
    assert cli._refused(UserError("there is no organisation yet")) == 2
    assert capsys.readouterr().err == "confide: there is no organisation yet\n"


def test_no_view_splits_a_field_back_out_of_a_message():
    views = [*sorted((ROOT / "confide" / "web").glob("*.py")), ROOT / "confide" / "partners" / "views.py"]
    for path in views:
        text = path.read_text()
        for habit in ('partition(": ")', 'split(": "', 'split(":", 1)'):
            assert habit not in text, f"{path.name} splits a message: {habit}"

"""Audit actions are a vocabulary (issue 19, point 6): every action record_event() writes is an
Action with a plain-English label, which the record of access shows; anything else is refused."""

import ast
from pathlib import Path

from django.test import TestCase

from confide.accounts.models import Organisation
from confide.audit.actions import KNOWN, LABELS, Action
from confide.audit.models import AuditEvent
from confide.audit.services import record_event
from confide.web.describe import access_row, action_label

CONFIDE = Path(__file__).resolve().parents[2] / "confide"


def _sources():
    for path in sorted(CONFIDE.rglob("*.py")):
        yield path, ast.parse(path.read_text(), filename=str(path))


def _is_record_event(call: ast.Call) -> bool:
    func = call.func
    return (isinstance(func, ast.Name) and func.id == "record_event") or (
        isinstance(func, ast.Attribute) and func.attr == "record_event")


def _action_arg(call: ast.Call):
    if len(call.args) >= 2:
        return call.args[1]
    return next((kw.value for kw in call.keywords if kw.arg == "action"), None)


def _outcomes(expr):
    """What an action expression may evaluate to: both arms of `a if test else b`, not its test."""
    if isinstance(expr, ast.IfExp):
        yield from _outcomes(expr.body)
        yield from _outcomes(expr.orelse)
    elif isinstance(expr, ast.BoolOp):
        for value in expr.values:
            yield from _outcomes(value)
    else:
        yield expr


def test_every_action_has_a_plain_english_label():
    assert set(LABELS) == set(Action)
    for action in Action:
        label = action.label
        assert label.strip() == label and label, action
        assert label[0].isupper(), f"{action}: {label!r} should start with a capital"
        assert "_" not in label and "." not in label.rstrip("."), f"{action}: {label!r} reads as code"


def test_the_values_are_the_codes_stored_before():
    # A StrEnum: an event stores (and hashes) exactly the string it always did.
    assert Action.CLIENT_READ == "client.read"
    assert str(Action.CLIENT_READ.refused()) == "client.read.refused"
    assert Action("document.download").on_file() is Action.DOCUMENT_DOWNLOAD_FILE
    assert KNOWN == {action.value for action in Action}


def test_an_action_with_no_refused_form_fails_at_the_call():
    try:
        Action.NOTE_ADDED.refused()
    except ValueError:
        return
    raise AssertionError("note.added.refused is not an action")


def test_no_call_in_confide_passes_a_bare_string_or_an_unknown_action():
    problems = []
    for path, tree in _sources():
        where = path.relative_to(CONFIDE.parent)
        for node in ast.walk(tree):
            # Every Action.X anywhere in confide/ (record_event calls, and the actions handed to the
            # gate: access_client(action=...), success_action=...) names a member.
            if (isinstance(node, ast.Attribute) and isinstance(node.value, ast.Name) and node.value.id == "Action"
                    and not node.attr.startswith("_") and node.attr not in Action.__members__
                    and not hasattr(Action, node.attr)):
                problems.append(f"{where}:{node.lineno}: Action.{node.attr} is not an action")
            if not (isinstance(node, ast.Call) and _is_record_event(node)):
                continue
            action = _action_arg(node)
            if action is None:
                continue
            for part in _outcomes(action):
                if isinstance(part, ast.Constant) and isinstance(part.value, str):
                    problems.append(f"{where}:{node.lineno}: record_event with the string {part.value!r}")
                elif isinstance(part, ast.JoinedStr):
                    problems.append(f"{where}:{node.lineno}: record_event with an action built as an f-string")
    assert problems == []


def test_the_scan_finds_record_event_calls():
    # The scan above is not vacuous: it sees the calls, and those with a member name one.
    members = 0
    for _, tree in _sources():
        for node in ast.walk(tree):
            if isinstance(node, ast.Call) and _is_record_event(node):
                action = _action_arg(node)
                if isinstance(action, ast.Attribute) and isinstance(action.value, ast.Name):
                    assert action.value.id == "Action" and action.attr in Action.__members__
                    members += 1
    assert members > 60


def test_the_vocabulary_imports_nothing_from_the_rest_of_confide():
    tree = ast.parse((CONFIDE / "audit" / "actions.py").read_text())
    imported = {node.module for node in ast.walk(tree) if isinstance(node, ast.ImportFrom)}
    imported |= {alias.name for node in ast.walk(tree) if isinstance(node, ast.Import) for alias in node.names}
    assert not any(name and name.startswith("confide") for name in imported)


class RecordEventTakesOnlyActions(TestCase):
    def test_an_unknown_action_is_refused_and_nothing_written(self):
        with self.assertRaises(ValueError):
            record_event(None, "client.peeked")
        self.assertFalse(AuditEvent.objects.exists())

    def test_a_member_and_its_plain_value_are_stored_as_the_same_string(self):
        record_event(None, Action.CLIENTS_LISTED)
        record_event(None, "clients.listed")
        stored = list(AuditEvent.objects.order_by("seq").values_list("action", flat=True))
        self.assertEqual(stored, ["clients.listed", "clients.listed"])
        self.assertIs(type(stored[0]), str)

    def test_the_record_of_access_shows_the_label(self):
        Organisation.objects.create(id=1, name="Test Support Service", pack="dvip")
        record_event(None, Action.CLIENT_READ_REFUSED, client_id=1)
        row = access_row(AuditEvent.objects.get(), None)
        self.assertEqual(row["what"], "Tried to open the client's file: refused")
        self.assertTrue(row["refused"])


def test_an_old_action_no_longer_in_the_vocabulary_is_shown_in_words():
    assert action_label("case.old_thing") == "Case old thing"
    assert action_label("") == "Unknown action"
    assert action_label("note.added") == Action.NOTE_ADDED.label

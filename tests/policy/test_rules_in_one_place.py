"""Rules live in the policy layer (issue 19 point 5): "where does this rule live?" has one answer.

Outside confide/policy, no code compares a role's name or kind with one written out (`user.role_kind
== "manager"`, `role in ("team_manager", ...)`), and no code writes out a set of purposes
(`("direct_support", "supervision")`): each asks confide.policy.vocab (or the pack) instead. The
scan reads the source's syntax tree, so a word in a comment, a docstring or a label is not counted.
"""

from __future__ import annotations

import ast
from pathlib import Path

from django.test import SimpleTestCase

from confide.policy import load_pack, vocab
from confide.policy.loader import pack_names

ROOT = Path(__file__).resolve().parents[2] / "confide"

# Kept, with the reason: only what is clearly not a rule.
ALLOWED = {
    # Fictional agencies' agreements: demo data, not a rule about purposes.
    ("confide/partners/demo.py", "purposes"),
    # Which fictional staff accounts the demo makes, and which of them hold its fictional cases.
    ("confide/demo.py", "roles"),
    # Which fictional workers hold and assess the demo's year of cases (issue 17's figures).
    ("confide/reports/demo.py", "roles"),
}


def _role_words() -> frozenset[str]:
    names = {name for pack in pack_names() for name in load_pack(pack).roles}
    return frozenset(vocab.ROLE_KINDS) | names


def _strings(node: ast.AST) -> list[str]:
    """The string constants a comparison's operand or a collection holds: itself, or its elements
    (a tuple, list or set literal, or frozenset()/set() of one)."""
    if isinstance(node, ast.Constant) and isinstance(node.value, str):
        return [node.value]
    if isinstance(node, ast.Call) and isinstance(node.func, ast.Name) and node.func.id in ("frozenset", "set") \
            and len(node.args) == 1:
        return _strings(node.args[0])
    if isinstance(node, (ast.Tuple, ast.List, ast.Set)):
        return [elt.value for elt in node.elts if isinstance(elt, ast.Constant) and isinstance(elt.value, str)]
    return []


def findings(source: str, role_words: frozenset[str]) -> list[tuple[int, str, str]]:
    """(line, "roles" or "purposes", what) for each rule written out in this source."""
    found = []
    purposes = frozenset(vocab.PURPOSES)
    for node in ast.walk(ast.parse(source)):
        if isinstance(node, ast.Compare):
            for operand in (node.left, *node.comparators):
                hits = sorted(set(_strings(operand)) & role_words)
                if hits:
                    found.append((node.lineno, "roles", ", ".join(hits)))
                named = set(_strings(operand)) & purposes
                if len(named) >= 2:
                    found.append((node.lineno, "purposes", ", ".join(sorted(named))))
        elif isinstance(node, (ast.Tuple, ast.List, ast.Set)):
            words = set(_strings(node))
            if len(words & purposes) >= 2:
                found.append((node.lineno, "purposes", ", ".join(sorted(words & purposes))))
            if len(words & set(vocab.ROLE_KINDS)) >= 2:
                found.append((node.lineno, "roles", ", ".join(sorted(words & set(vocab.ROLE_KINDS)))))
    return sorted(set(found))


class RulesInOnePlaceTests(SimpleTestCase):
    def test_no_role_check_or_set_of_purposes_is_written_out_outside_the_policy_layer(self):
        role_words = _role_words()
        problems = []
        for path in sorted(ROOT.rglob("*.py")):
            relative = path.relative_to(ROOT.parent).as_posix()
            if relative.startswith("confide/policy/") or "/migrations/" in relative:
                continue
            for line, what, words in findings(path.read_text(encoding="utf-8"), role_words):
                if (relative, what) not in ALLOWED:
                    problems.append(f"{relative}:{line}: {what} written out ({words}): ask confide.policy.vocab")
        self.assertEqual(problems, [])

    def test_the_scan_finds_what_it_looks_for(self):
        role_words = _role_words()
        source = (
            'if user.role_kind == "manager":\n    pass\n'
            'if user.role in ("team_manager", "x"):\n    pass\n'
            'KINDS = {"worker", "volunteer"}\n'
            'if purpose in ("direct_support", "supervision"):\n    pass\n'
            'LISTED = frozenset(["audit", "supervision"])\n'
            # Not rules: a single purpose, labels keyed by purpose, words in text.
            'if purpose == "direct_support":\n    pass\n'
            'LABELS = {"audit": "Audit", "supervision": "Supervision"}\n'
            '"""a manager or a trustee, for supervision and audit"""\n'
        )
        self.assertEqual([(line, what) for line, what, _ in findings(source, role_words)],
                         [(1, "roles"), (3, "roles"), (5, "roles"), (6, "purposes"), (8, "purposes")])

    def test_the_vocabulary_s_sets_use_only_its_own_words(self):
        for name in ("CASEWORK_KINDS", "MANAGER_KINDS", "LINE_MANAGER_KINDS", "AUDITOR_KINDS", "NAMELESS_KINDS",
                     "TEAMLESS_KINDS", "ADMINISTRATOR_KINDS"):
            with self.subTest(name):
                self.assertTrue(getattr(vocab, name) and getattr(vocab, name) <= set(vocab.ROLE_KINDS))
        for name in ("WRITING_PURPOSES", "LIST_PURPOSES", "NAMING_PURPOSES", "RECORD_OF_ACCESS_PURPOSES"):
            with self.subTest(name):
                self.assertTrue(getattr(vocab, name) and set(getattr(vocab, name)) <= set(vocab.PURPOSES))
        # Nobody who is never shown a client's name keeps the directory, lists clients or manages a team.
        self.assertFalse(vocab.NAMELESS_KINDS & (vocab.MANAGER_KINDS | vocab.CASEWORK_KINDS | vocab.LINE_MANAGER_KINDS))

"""The compiler: a validated pack made into a `Pack` that answers the contract's four questions.

A compiled `Pack` precomputes everything that does not depend on the request, and `decide`
validates the request in one pass into a tuple of plain values (a fast path for well-formed
requests, falling back to a strict validator that names the offending field) and evaluates it
(no cache of whole decisions: it did not pay, bench/RESULTS.md). Rules combine as "a permit and
no deny": a prohibition that matches refuses whatever else matches, an absolute one whatever ground
is claimed; otherwise the first permitting rule in pack order decides (a plain permit before a
permit-if-approved); with none, the answer is the pack's default refusal.

The engine is in layers, each importing only those before it:

- `request.py`: the request field sets, strict validation, and the request as a tuple;
- `answers.py`: decisions as frozen values, and how an answer is written for a rule;
- `reference.py`: the normative reading, every rule evaluated one at a time (the specification);
- `fast.py`: the same decisions from bitmask tables, memoised pieces and closures, held to
  `reference.py` by tests/policy/test_properties.py (README.md, "Two evaluators");
- this module: `Pack`, which compiles the spec and dispatches `decide`.
"""

from __future__ import annotations

from typing import Any

from . import vocab
from .answers import Answer, FrozenDict, FrozenList, _template
from .errors import RequestError
from .fast import Fast
from .filters import AccessFilter, access_filter
from .reference import compile_access_condition, compile_disclose_condition, grant_roles
from .request import (
    ACCESS_FIELDS,
    ACTIONS,
    ACTOR_FIELDS,
    CLARIFICATION_FIELDS,
    CONSENT_FIELDS,
    DISCLOSE_FIELDS,
    DISCLOSE_REQUESTER_FIELDS,
    EXTENSION_FIELDS,
    RECIPIENT_FIELDS,
    RECORD_FIELDS,
    REQUESTER_FIELDS,
    RETAIN_FIELDS,
    RETAIN_RECORD_FIELDS,
    SAR_FIELDS,
    SUBJECT_FIELDS,
    _show,
    access_key,
    disclose_key,
    retain_key,
    subject_access_key,
)
from .schema import PackSpec, Role, Service

# Names other modules have imported from here, before the engine was split into its layers.
__all__ = [
    "ACCESS_FIELDS", "ACTIONS", "ACTOR_FIELDS", "CLARIFICATION_FIELDS", "CONSENT_FIELDS", "DISCLOSE_FIELDS",
    "DISCLOSE_REQUESTER_FIELDS", "EXTENSION_FIELDS", "RECIPIENT_FIELDS", "RECORD_FIELDS", "REQUESTER_FIELDS",
    "RETAIN_FIELDS", "RETAIN_RECORD_FIELDS", "SAR_FIELDS", "SUBJECT_FIELDS", "Answer", "FrozenDict", "FrozenList",
    "Pack", "compile_access_condition", "compile_disclose_condition", "grant_roles",
]


class Pack(Fast):
    """A compiled policy pack. `decide(request)` answers the four questions of the contract.

    Its evaluators come from `fast.Fast` (what `decide` runs) and `reference.Reference` (the
    normative reading, which the tests hold the fast path to); answers are written by
    `answers.Answers`."""

    def __init__(self, spec: PackSpec) -> None:
        self.spec = spec
        self.name: str = spec.name
        self.version: str = spec.version
        self.title: str = spec.title
        self.source: str = spec.source
        self.filename: str = spec.filename
        self.roles: dict[str, Role] = dict(spec.roles)
        self.services: dict[str, Service] = dict(spec.services)
        self.documents = spec.documents
        self._pack_ref = {"name": spec.name, "version": spec.version}
        v = spec.vocab
        self._subject_roles = v["subject_roles"]
        self._data = v["data"]
        self._recipients = v["recipient_kinds"]
        self._relationships = v["relationships"]
        self._purposes = v["purposes"]
        self._grounds = v["grounds"]
        self._services = v["services"]
        self._roles = v["roles"]
        self._channels = v["channels"]
        self._statuses = frozenset(vocab.CONSENT_STATUS)
        self._access_kinds = v["access_record_kinds"]
        self._record_kinds = v["record_kinds"]
        self._record_flags = v["record_flags"]
        self._record_contents = v["record_contents"]
        self._role_services = {r.name: frozenset(r.services) for r in spec.roles.values()}
        self._role_kind = {r.name: r.kind for r in spec.roles.values()}
        self._compile_disclose()
        self._compile_consent()
        self._compile_access()
        self._compile_masks()
        self._templates: dict[tuple, Answer] = {}
        self._retain_pieces: dict[str, Any] | None = None
        self._builders = {"disclose": self._decide_disclose, "access": self._decide_access,
                          "subject_access": self._decide_sar, "retain": self._decide_retain}
        self._filters: dict[tuple, AccessFilter] = {}
        self._disclose = self._make_fast_disclose(self._disclose_slow)
        self._access = self._make_fast_access(self._access_slow)
        self._handlers = {"disclose": self._disclose, "access": self._access,
                          "subject_access": self._subject_access_slow, "retain": self._retain_slow}

    def __repr__(self) -> str:
        return f"<Pack {self.name} {self.version}>"

    # -- public API -------------------------------------------------------------------------
    def decide(self, request: dict[str, Any]) -> Answer:
        """The decision for one request of the contract. Raises `RequestError` for an invalid request;
        never raises for a valid one."""
        if request.__class__ is not dict:
            raise RequestError("request", f"expected a JSON object, found {_show(request)}")
        action = request.get("action")
        handler = self._handlers.get(action) if action.__class__ is str else None
        if handler is None:
            if action is None:
                raise RequestError("action", "missing; expected one of: " + ", ".join(ACTIONS))
            if action.__class__ is not str:
                raise RequestError("action", f"expected one of: {', '.join(ACTIONS)} (text), found {_show(action)}")
            raise RequestError("action", f"unknown action {_show(action)}; expected one of: " + ", ".join(ACTIONS))
        return handler(request)

    @property
    def purposes(self) -> list[str]:
        """The pack's purposes, in the vocabulary's order."""
        return [purpose for purpose in vocab.PURPOSES if purpose in self._purposes]

    def access_filter(self, *, role: str, has_team: bool, purpose: str, kind: str = "identity",
                      sealed: bool = False) -> AccessFilter:
        """`access` answered for every case at once (confide/policy/filters.py), kept per question."""
        key = (role, has_team, purpose, kind, sealed)
        found = self._filters.get(key)
        if found is None:
            found = self._filters[key] = access_filter(self, role=role, has_team=has_team, purpose=purpose,
                                                       kind=kind, sealed=sealed)
        return found

    # -- the strict validators (request.py), then the evaluation -------------------------------
    def _disclose_slow(self, req: dict[str, Any]) -> Answer:
        key = disclose_key(self, req)
        return self._evaluate("disclose", key)

    def _access_slow(self, req: dict[str, Any]) -> Answer:
        key = access_key(self, req)
        return self._evaluate("access", key)

    def _subject_access_slow(self, req: dict[str, Any]) -> Answer:
        key = subject_access_key(self, req)
        return self._evaluate("subject_access", key)

    def _retain_slow(self, req: dict[str, Any]) -> Answer:
        key = retain_key(self, req)
        return self._evaluate("retain", key)

    def _evaluate(self, action: str, key: tuple) -> Answer:
        return _template(self._builders[action](key)).copy()

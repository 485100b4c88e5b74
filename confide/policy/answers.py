"""Answers: decisions as values, and how an answer is written once its rule is known.

`FrozenList` / `FrozenDict` / `_Template`: answers share their nested lists and dicts with the
engine's caches, so those refuse change in place. `Answers` writes the answer for rules already
chosen (their reasons, approvals, obligations, legal basis, grounds); it evaluates no condition.
Both evaluators (`reference.py` and `fast.py`) build their answers with it.
"""

from __future__ import annotations

import copy
from collections.abc import Sequence
from typing import Any

from . import legal
from .request import D_ANON, D_DATA, D_GROUNDS, D_ROLE
from .schema import PackSpec, Rule

Answer = dict[str, Any]


def _read_only(self: Any, *args: Any, **kwargs: Any) -> None:
    raise TypeError("a decision is a value and cannot be changed in place: copy it first (list(x), dict(x))")


class FrozenList(list):
    """A list inside a decision. Decisions are values: answers share their nested lists and dicts with
    the engine's cache, so those refuse to change in place (and copy, pickle and compare as plain
    lists)."""

    __slots__ = ()
    # Deliberately not list's signatures: every mutator refuses.
    append = extend = insert = remove = pop = clear = sort = reverse = _read_only
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple:
        return (list, (list(self),))

    def __copy__(self) -> list:
        return list(self)

    def __deepcopy__(self, memo: dict) -> list:
        return [copy.deepcopy(x, memo) for x in self]


class FrozenDict(dict):
    """A dict inside a decision (see `FrozenList`)."""

    __slots__ = ()
    # Deliberately not dict's signatures: every mutator refuses.
    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _read_only  # type: ignore[assignment]

    def __reduce__(self) -> tuple:
        return (dict, (dict(self),))

    def __copy__(self) -> dict:
        return dict(self)

    def __deepcopy__(self, memo: dict) -> dict:
        return {k: copy.deepcopy(v, memo) for k, v in self.items()}


class _Template(dict):
    """A cached answer whose nested values are frozen; `decide` hands out `template.copy()`, a plain
    dict the caller may change at the top level."""

    __slots__ = ()


def _freeze(value: Any) -> Any:
    """Freeze plain lists and dicts, recursively; anything else (text, numbers, already frozen) as is."""
    cls = value.__class__
    if cls is list:
        return FrozenList([_freeze(x) if x.__class__ is list or x.__class__ is dict else x for x in value])
    if cls is dict:
        return FrozenDict({k: _freeze(x) if x.__class__ is list or x.__class__ is dict else x
                           for k, x in value.items()})
    return value


def _template(answer: Answer) -> Answer:
    if answer.__class__ is _Template:
        return answer
    out = _Template(answer)
    for key, value in answer.items():
        if value.__class__ is list or value.__class__ is dict:
            out[key] = _freeze(value)
    return out


class Answers:
    """How an answer is written for the rule that decides it (a mixin of `Pack`: it reads the
    pack's name, spec and compiled roles)."""

    # Set by `Pack.__init__` (compiler.py); declared here so the mixins that read them are checked.
    spec: PackSpec
    name: str
    _pack_ref: dict[str, str]
    _templates: dict[tuple, Any]
    _retain_pieces: dict[str, Any] | None
    _role_kind: dict[str, str]
    _role_services: dict[str, frozenset[str]]
    _subject_roles: frozenset[str]
    _data: frozenset[str]
    _recipients: frozenset[str]
    _relationships: frozenset[str]
    _purposes: frozenset[str]
    _grounds: frozenset[str]
    _services: frozenset[str]
    _roles: frozenset[str]
    _channels: frozenset[str]
    _access_kinds: frozenset[str]

    def reason(self, rule: Rule, text: str | None = None) -> dict[str, str]:
        return {"pack": self.name, "clause": rule.clause, "text": text or rule.text, "rule": rule.id}

    def _answer(self, decision: str, reasons: list[dict[str, str]], approvals: Sequence[dict[str, Any]] = (),
                obligations: list[str] | tuple[str, ...] = ()) -> Answer:
        seen: list[str] = []
        for ob in obligations:
            if ob not in seen:
                seen.append(ob)
        return {"decision": decision, "reasons": list(reasons), "approvals": [dict(a) for a in approvals],
                "obligations": seen, "pack": dict(self._pack_ref)}

    def _add_always(self, ans: Answer, rules: list[Rule]) -> Answer:
        out = dict(ans)
        out["reasons"] = [*ans["reasons"], *(self.reason(rule) for rule in rules)]
        obligations = list(ans["obligations"])
        for rule in rules:
            for ob in rule.obligations:
                if ob not in obligations:
                    obligations.append(ob)
        out["obligations"] = obligations
        return out

    def _deny_answer(self, denies: list[Rule]) -> Answer:
        obligations = ["record_decision"]
        for rule in denies:
            obligations.extend(rule.obligations)
        ans = self._answer("deny", [self.reason(rule) for rule in denies], (), obligations)
        ans["legal_basis"] = []
        ans["grounds"] = []
        # A refusal is final where the pack says so: an absolute prohibition with no exception
        # (DVIP 3.08, never to a victim's partner) refuses whatever consent or ground is added, so
        # asking again cannot change it. Any other refusal may change with consent or a ground.
        ans["final"] = any(rule.extra.get("absolute", True) and not rule.unless for rule in denies)
        return ans

    def _build_permit_answer(self, best: Rule, r: tuple) -> Answer:
        special = not r[D_ANON] and not self.spec.special_category.isdisjoint(r[D_DATA])
        criminal = not r[D_ANON] and (not self.spec.criminal_offence.isdisjoint(r[D_DATA])
                                      or r[D_ROLE] in self.spec.criminal_offence_roles)
        ans = self._answer(best.decision, [self.reason(best)], best.approvals, best.obligations)
        # A disclose permit always names its basis (schema.py requires it of every disclose rule).
        ans["legal_basis"] = legal.basis_texts(best.basis, special, criminal)  # type: ignore[arg-type]
        # A rule the subject agreed to in a document they signed (`agreed_in`, DVIP Appendix A) rests on
        # that standing ground whether or not it is claimed.
        standing = {best.extra["agreed_in"]["ground"]} if "agreed_in" in best.extra else set()
        ans["grounds"] = sorted((best.when.get("grounds", frozenset()) & r[D_GROUNDS]) | standing)
        return ans

    def _remember(self, key: tuple, value: Any) -> Any:
        """Memoise a piece of an answer; bounded like the decision cache (cleared when full)."""
        if len(self._templates) >= 65536:
            self._templates.clear()
        self._templates[key] = value
        return value

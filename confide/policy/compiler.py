"""The compiler: turns a validated pack into fast decision functions.

A compiled `Pack` precomputes everything that does not depend on the request: the vocabulary as
sets; for every condition and every word, the set of rules the word satisfies, as a bitmask; each
rule's reason, approvals, obligations and legal basis as answer templates. `decide` validates the
request in one pass into a tuple of plain values (a fast path for well-formed requests, falling back
to a strict validator that names the offending field), looks the answer up in a bounded cache keyed
by that tuple, and on a miss ANDs the masks of the request's words. Rules combine as "a permit and
no deny": a prohibition that matches refuses whatever else matches, an absolute one whatever ground
is claimed; otherwise the first permitting rule in pack order decides (a plain permit before a
permit-if-approved); with none, the answer is the pack's default refusal. The same rules are also
compiled into closures evaluated one by one (`_decide_*_reference`), which the tests hold the
bitmask evaluator to.
"""

from __future__ import annotations

import copy
import datetime as dt
from collections.abc import Callable
from typing import Any

from . import dates, legal, vocab
from .errors import RequestError
from .schema import PackSpec, Role, Rule, Service

_RANK = vocab.DECISION_RANK

Answer = dict[str, Any]


# --- request field sets --------------------------------------------------------------------------
DISCLOSE_FIELDS = frozenset({"action", "subject", "data", "recipient", "purpose", "consent", "grounds", "channel",
                             "requester_identity_verified", "anonymised", "requester"})
# Who asks to disclose (optional): the member of staff, by their role in the pack (Home-Start 7.2).
DISCLOSE_REQUESTER_FIELDS = frozenset({"role"})
SUBJECT_FIELDS = frozenset({"role", "service", "age", "has_capacity"})
RECIPIENT_FIELDS = frozenset({"kind", "relationship_to_subject"})
CONSENT_FIELDS = frozenset({"status", "explicit", "written", "covers_recipient", "covers_data"})
ACCESS_FIELDS = frozenset({"action", "actor", "record", "purpose"})
ACTOR_FIELDS = frozenset({"role", "team", "assigned_to_case"})
RECORD_FIELDS = frozenset({"kind", "service", "team", "sealed"})
SAR_FIELDS = frozenset({"action", "received_on", "requester", "record_contains", "identity_confirmed_on",
                        "authority_confirmed_on", "fee_paid_on", "clarification", "extension"})
# The subject-access clock (UK GDPR Art 12A): what starts it, what pauses it, what extends it.
SAR_STARTS = ("identity_confirmed_on", "authority_confirmed_on", "fee_paid_on")
CLARIFICATION_FIELDS = frozenset({"asked_on", "answered_on"})
EXTENSION_FIELDS = frozenset({"months", "reason", "told_on"})
REQUESTER_FIELDS = frozenset({"role", "service"})
RETAIN_FIELDS = frozenset({"action", "record"})
RETAIN_RECORD_FIELDS = frozenset({"kind", "service", "closed_on", "flags"})
ACTIONS = ("disclose", "access", "subject_access", "retain")

_CONSENT_DEFAULT = ("not_sought", False, False, False, False)
_EMPTY: frozenset[str] = frozenset()
_UNWRITTEN = frozenset({"written"})  # what `consent: verbal` leaves out of the pack's requirements


def _read_only(self: Any, *args: Any, **kwargs: Any) -> None:
    raise TypeError("a decision is a value and cannot be changed in place: copy it first (list(x), dict(x))")


class FrozenList(list):
    """A list inside a decision. Decisions are values: answers share their nested lists and dicts with
    the engine's cache, so those refuse to change in place (and copy, pickle and compare as plain
    lists)."""

    __slots__ = ()
    append = extend = insert = remove = pop = clear = sort = reverse = _read_only
    __setitem__ = __delitem__ = __iadd__ = __imul__ = _read_only

    def __reduce__(self) -> tuple:
        return (list, (list(self),))

    def __copy__(self) -> list:
        return list(self)

    def __deepcopy__(self, memo: dict) -> list:
        return [copy.deepcopy(x, memo) for x in self]


class FrozenDict(dict):
    """A dict inside a decision (see `FrozenList`)."""

    __slots__ = ()
    __setitem__ = __delitem__ = clear = pop = popitem = setdefault = update = __ior__ = _read_only

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


_SHOW_MAX = 60


def _show(value: Any) -> str:
    """A request value as an error message shows it: spelt as in JSON, at most about 60 characters,
    never the whole of a long text, a huge number or a deeply nested list or object (whose repr could
    be megabytes long, or fail outright)."""
    if value is None:
        return "null"
    if value is True or value is False:
        return "true" if value else "false"
    if isinstance(value, list | tuple):
        return f"a list of {len(value)} item(s)"
    if isinstance(value, dict):
        return f"an object with {len(value)} field(s)"
    if isinstance(value, int):
        return "a number with too many digits" if value.bit_length() > 192 else str(value)
    if isinstance(value, float):
        if value != value:
            return "NaN"
        if value in (float("inf"), float("-inf")):
            return "Infinity" if value > 0 else "-Infinity"
        return repr(value)
    if isinstance(value, str):
        if len(value) > _SHOW_MAX:
            return repr(value[:_SHOW_MAX]) + f"... ({len(value)} characters)"
        return repr(value)
    return f"a {type(value).__name__}"


def _key(key: Any) -> str:
    """A field name as an error message shows it: as it is when short and printable, else quoted (an
    empty name, spaces at either end) and shortened."""
    if key.__class__ is str and 0 < len(key) <= _SHOW_MAX and key.isprintable() and key.strip() == key:
        return key
    return _show(key)


def _unknown(prefix: str, key: Any, allowed: frozenset[str]) -> RequestError:
    return RequestError(f"{prefix}{_key(key)}", "unknown field; expected one of: " + ", ".join(sorted(allowed)))


def _object(value: Any, name: str, allowed: frozenset[str], expected: str) -> dict:
    """A part of the request that must be an object whose fields are all among `allowed` (an
    unknown field is an error, never ignored). `expected` says what was expected; "{found}" in it
    shows what came instead."""
    if value.__class__ is not dict:
        raise RequestError(name, expected.replace("{found}", _show(value)))
    for k in value:
        if k not in allowed:
            raise _unknown(f"{name}.", k, allowed)
    return value


def _word(value: Any, name: str, allowed: frozenset[str], what: str) -> str:
    if value.__class__ is not str or value not in allowed:
        if value.__class__ is not str:
            raise RequestError(name, f"expected a {what} (text), found {_show(value)}")
        raise RequestError(name, f"unknown {what} {_show(value)}; expected one of: " + ", ".join(sorted(allowed)))
    return value


def _words(value: Any, name: str, allowed: frozenset[str], what: str) -> frozenset[str]:
    if value.__class__ is not list:
        raise RequestError(name, f"expected a list of {what} words, found {_show(value)}")
    for i, word in enumerate(value):
        if word.__class__ is not str or word not in allowed:
            _word(word, f"{name}[{i}]", allowed, what)
    return frozenset(value)


def _bool(value: Any, name: str) -> bool:
    if value is True or value is False:
        return value
    raise RequestError(name, f"expected true or false, found {_show(value)}")


def _opt_text(value: Any, name: str) -> str | None:
    if value is None or value.__class__ is str:
        return value
    raise RequestError(name, f"expected text or null, found {_show(value)}")


_DIGITS = frozenset("0123456789")


def _date(value: Any, name: str, *, optional: bool = False) -> dt.date | None:
    """A date spelt YYYY-MM-DD (nothing else `fromisoformat` would take, such as week dates), within
    `dates.EARLIEST`..`dates.LATEST`: a date outside them (year 0001 or 9999) is a typing error, and
    a deadline counted from it could not be computed."""
    if value is None and optional:
        return None
    if value.__class__ is not str or len(value) != 10 or value[4] != "-" or value[7] != "-" \
            or not _DIGITS.issuperset(value[:4] + value[5:7] + value[8:]):
        raise RequestError(name, f"expected a date as YYYY-MM-DD, found {_show(value)}")
    try:
        day = dt.date.fromisoformat(value)
    except ValueError:
        raise RequestError(name, f"expected a date as YYYY-MM-DD, found {_show(value)}") from None
    if not dates.EARLIEST <= day <= dates.LATEST:
        raise RequestError(name, f"{value} is outside the dates Confide works with "
                                 f"({dates.EARLIEST.isoformat()} to {dates.LATEST.isoformat()})")
    return day


# --- condition compilation -----------------------------------------------------------------------
# A disclosure request becomes this tuple (its index names are the D_* constants):
D_ROLE, D_SERVICE, D_AGE, D_CAPACITY, D_DATA, D_RECIPIENT, D_RELATIONSHIP, D_PURPOSE, D_CONSENT, D_GROUNDS, \
    D_CHANNEL, D_VERIFIED, D_ANON, D_VALID, D_VERBAL, D_REQUESTER = range(16)
# D_VALID: consent meets every requirement; D_VERBAL: it meets every requirement but being in
# writing (so D_VALID implies D_VERBAL); D_REQUESTER: the requester's pack role, or None.
# An access request becomes (role, same_team, assigned, record_kind, service, sealed, purpose, own_service).
A_ROLE, A_SAME_TEAM, A_ASSIGNED, A_KIND, A_SERVICE, A_SEALED, A_PURPOSE, A_OWN_SERVICE = range(8)

Pred = Callable[[tuple], bool]


def _plain(*, role: str | None = None, data: frozenset[str] = _EMPTY, grounds: frozenset[str] = _EMPTY,
           anon: bool = False, valid: bool = False) -> tuple:
    """A disclosure tuple with the least permissive value in every other field, for building the
    pieces of answers that depend only on these."""
    return (role, None, None, False, data, None, None, None, _CONSENT_DEFAULT, grounds, None, False, anon, valid,
            valid, None)


def _in(idx: int, words: frozenset[str]) -> Pred:
    return lambda r: r[idx] in words


def _overlap(idx: int, words: frozenset[str]) -> Pred:
    return lambda r: not words.isdisjoint(r[idx])


def _subset(idx: int, words: frozenset[str]) -> Pred:
    return lambda r: r[idx] <= words


def _is(idx: int, value: Any) -> Pred:
    return lambda r: r[idx] is value


def _all(preds: list[Pred]) -> Pred:
    if not preds:
        return lambda r: True
    if len(preds) == 1:
        return preds[0]
    if len(preds) == 2:
        a, b = preds
        return lambda r: a(r) and b(r)
    if len(preds) == 3:
        a, b, c = preds
        return lambda r: a(r) and b(r) and c(r)
    tup = tuple(preds)

    def conj(r: tuple) -> bool:
        for p in tup:
            if not p(r):
                return False
        return True
    return conj


def compile_disclose_condition(cond: dict[str, Any]) -> Pred:
    preds: list[Pred] = []
    for key, value in cond.items():
        if key == "subject_role":
            preds.append(_in(D_ROLE, value))
        elif key == "service":
            preds.append(_in(D_SERVICE, value))
        elif key == "recipient":
            preds.append(_in(D_RECIPIENT, value))
        elif key == "relationship":
            preds.append(_in(D_RELATIONSHIP, value))
        elif key == "data":
            preds.append(_overlap(D_DATA, value))
        elif key == "data_only":
            preds.append(_subset(D_DATA, value))
        elif key == "purpose":
            preds.append(_in(D_PURPOSE, value))
        elif key == "grounds":
            preds.append(_overlap(D_GROUNDS, value))
        elif key == "grounds_only":
            preds.append(_subset(D_GROUNDS, value))
        elif key == "channel":
            preds.append(_in(D_CHANNEL, value))
        elif key == "consent":
            preds.append(_is(D_VALID if value == "valid" else D_VERBAL, True))
        elif key == "anonymised":
            preds.append(_is(D_ANON, value))
        elif key == "identity_verified":
            preds.append(_is(D_VERIFIED, value))
        elif key == "requester_role":
            preds.append(_in(D_REQUESTER, value))
        elif key == "subject_under_age":
            limit = value
            preds.append(lambda r, limit=limit: r[D_AGE] is not None and r[D_AGE] < limit)
        else:  # pragma: no cover - the schema admits no other key
            raise AssertionError(key)
    return _all(preds)


def compile_access_condition(cond: dict[str, Any], roles: dict[str, Role]) -> Pred:
    preds: list[Pred] = []
    for key, value in cond.items():
        if key == "kinds":
            names = frozenset(r.name for r in roles.values() if r.kind in value)
            preds.append(_in(A_ROLE, names))
        elif key == "roles":
            preds.append(_in(A_ROLE, value))
        elif key == "assigned":
            preds.append(_is(A_ASSIGNED, value))
        elif key == "same_team":
            preds.append(_is(A_SAME_TEAM, value))
        elif key == "own_service":
            preds.append(_is(A_OWN_SERVICE, value))
        elif key == "purpose":
            preds.append(_in(A_PURPOSE, value))
        elif key == "record_kind":
            preds.append(_in(A_KIND, value))
        elif key == "service":
            preds.append(_in(A_SERVICE, value))
        else:  # pragma: no cover
            raise AssertionError(key)
    return _all(preds)


def grant_roles(cond: dict[str, Any], roles: dict[str, Role]) -> frozenset[str]:
    """The roles an access grant can apply to: those its `kinds` and `roles` admit (every role when it
    names neither), but a trustee-kind role only where the grant names it, by `roles` or with
    `kinds: [trustee]` (the schema then insists on a purpose): a grant written for staff never
    reaches a trustee."""
    out = set()
    for name, role in roles.items():
        if ("kinds" in cond and role.kind not in cond["kinds"]) or ("roles" in cond and name not in cond["roles"]):
            continue
        if role.kind == "trustee" and not ("trustee" in cond.get("kinds", ()) or name in cond.get("roles", ())):
            continue
        out.add(name)
    return frozenset(out)


def _sar_match(cond: dict[str, Any], role: str, service: str | None, contains: frozenset[str]) -> bool:
    if "requester_role" in cond and role not in cond["requester_role"]:
        return False
    if "service" in cond and service not in cond["service"]:
        return False
    return not ("record_contains" in cond and cond["record_contains"].isdisjoint(contains))


# --- the subject-access clock ---------------------------------------------------------------------
# UK GDPR Art 12(3) and Art 12A, as the Data (Use and Access) Act 2025 made them (DPA 2018 s 54 says the
# same for Part 3): the answer is due within one month beginning with "the relevant time", the latest
# of when the request is received, when the information asked for to confirm identity (Art 12(6)) is
# received and when any fee is paid; the controller may ask for further information it reasonably
# requires to identify the information or processing the request concerns, and "the period beginning
# with the day on which the controller makes the request and ending with the day on which the
# controller receives the information does not count"; it may extend the period by two further months
# where that is necessary because of the complexity or number of requests, by telling the requester,
# with the reasons, before the end of the first month (which the pause does not count towards either).
_MAX_CLARIFICATIONS = 50
_LAW_MONTH = ("UK GDPR Art 12(3) and 12A: the answer is due within one calendar month beginning with the "
              "latest of the day the request was received, the day the requester's identity or authority "
              "to act was confirmed and the day any fee was paid")


def _sar_clock_fields(req: dict[str, Any], received: dt.date) -> tuple | None:
    """The clock fields of a subject-access request, validated, as a hashable tuple; None for a request
    without any (answered exactly as before they existed). A start field given as null is awaited:
    asked for but not yet confirmed or paid, so the clock has not started."""
    if not any(k in req for k in SAR_STARTS) and "clarification" not in req and "extension" not in req:
        return None
    starts = tuple((name, _date(req[name], name, optional=True)) for name in SAR_STARTS if name in req)
    clar = req.get("clarification")
    if clar is None:
        clar = []
    if clar.__class__ is not list:
        raise RequestError("clarification", f"expected a list of objects with asked_on and answered_on, "
                                            f"found {_show(clar)}")
    if len(clar) > _MAX_CLARIFICATIONS:
        raise RequestError("clarification", f"more than {_MAX_CLARIFICATIONS} requests for clarification")
    pauses = []
    for i, c in enumerate(clar):
        name = f"clarification[{i}]"
        _object(c, name, CLARIFICATION_FIELDS, "expected an object with asked_on and answered_on, found {found}")
        if "asked_on" not in c:
            raise RequestError(f"{name}.asked_on", "required; expected a date as YYYY-MM-DD")
        asked = _date(c["asked_on"], f"{name}.asked_on")
        answered = _date(c.get("answered_on"), f"{name}.answered_on", optional=True)
        if asked < received:
            raise RequestError(f"{name}.asked_on", f"{asked.isoformat()} is before received_on "
                                                   f"{received.isoformat()}")
        if answered is not None and answered < asked:
            raise RequestError(f"{name}.answered_on", f"{answered.isoformat()} is before asked_on "
                                                      f"{asked.isoformat()}")
        pauses.append((asked, answered))
    ext = req.get("extension")
    if ext is not None:
        _object(ext, "extension", EXTENSION_FIELDS, "expected an object with months, reason and told_on, found {found}")
        months = ext.get("months")
        if months.__class__ is not int or months not in (1, 2):
            raise RequestError("extension.months", f"expected 1 or 2 further months, found {_show(months)}")
        reason = ext.get("reason")
        if reason.__class__ is not str or not reason.strip():
            raise RequestError("extension.reason", "required; the reasons for the delay, which the requester "
                                                   "must be told (UK GDPR Art 12A)")
        if "told_on" not in ext:
            raise RequestError("extension.told_on", "required; the day the requester was told, as YYYY-MM-DD")
        told = _date(ext["told_on"], "extension.told_on")
        if told < received:
            raise RequestError("extension.told_on", f"{told.isoformat()} is before received_on "
                                                    f"{received.isoformat()}")
        ext = (months, told)
    return starts, tuple(pauses), ext


def _sar_clock_answer(received: dt.date, clock: tuple) -> tuple[str | None, dict[str, Any], list[str]]:
    """(statutory_due_on, the `clock` object, warnings) for a request that carries clock fields."""
    starts, pauses, ext = clock
    waiting = [name for name, day in starts if day is None]
    starts_on, started_by = received, "received_on"
    for name, day in starts:
        if day is not None and day > starts_on:
            starts_on, started_by = day, name
    basis = [f"{_LAW_MONTH}."]
    warnings: list[str] = []
    out: dict[str, Any] = {"status": "running", "starts_on": None, "waiting_for": waiting, "paused_since": None,
                           "paused_days": 0, "extended_by_months": 0, "tell_extension_by": None, "basis": basis}
    if waiting:
        out["status"] = "not_started"
        basis.append("The clock has not started: waiting for " + ", ".join(waiting) + ".")
        return None, out, warnings
    out["starts_on"] = starts_on.isoformat()
    basis[0] = f"{_LAW_MONTH}: it begins on {starts_on.isoformat()} ({started_by})."
    done = [(a, b) for a, b in pauses if b is not None]
    pending = sorted(a for a, b in pauses if b is None)
    first_end = dates.sar_period_end(starts_on, 1, done)
    first_due = dates.next_working_day(first_end)
    # A clarification still awaited that was asked within the first month keeps the first month open.
    open_pause = next((a for a in pending if max(a, starts_on) <= first_end), None)
    months = 1
    if ext is not None:
        n, told = ext
        if told <= first_due or (open_pause is not None and told >= open_pause):
            months += n
            out["extended_by_months"] = n
            basis.append(f"UK GDPR Art 12A: extended by {n} further month{'s' if n > 1 else ''}, the requester "
                         f"having been told on {told.isoformat()}, within the first month.")
        else:
            warnings.append(f"UK GDPR Art 12A: the extension does not count: the requester was told on "
                            f"{told.isoformat()}, but must be told, with the reasons, within the first month "
                            f"(by {first_due.isoformat()}).")
    end = dates.sar_period_end(starts_on, months, done)
    out["paused_days"] = (end - dates.add_months(starts_on, months)).days
    if out["paused_days"]:
        basis.append(f"UK GDPR Art 12A: {out['paused_days']} day(s) from asking for clarification to receiving it, "
                     "both included, do not count.")
    for asked in sorted({a for a, _ in done} | set(pending)):
        if max(asked, starts_on) > end:
            warnings.append(f"UK GDPR Art 12A: the clarification asked for on {asked.isoformat()} was asked after "
                            "the time limit had ended, so it does not stop the clock.")
    paused = next((a for a in pending if max(a, starts_on) <= end), None)
    if paused is not None:
        out["status"] = "paused"
        out["paused_since"] = paused.isoformat()
        basis.append(f"UK GDPR Art 12A: the clock is paused since {paused.isoformat()}, waiting for the "
                     "clarification asked for; it runs again from the day after the answer is received.")
        return None, out, warnings
    if months == 1:
        out["tell_extension_by"] = first_due.isoformat()
    due = dates.next_working_day(end)
    basis.append(f"Due on {due.isoformat()}: the same date {('one', 'two', 'three')[months - 1]} "
                 f"month{'s' if months > 1 else ''} on (or that "
                 "month's last day), plus any days that do not count, moved to the next working day where it "
                 "falls on a weekend or an England and Wales bank holiday.")
    return due.isoformat(), out, warnings


# --- answers -------------------------------------------------------------------------------------
class _Slow(Exception):
    """Raised inside a fast path to hand the request to the strict validator, which names the field."""


class Pack:
    """A compiled policy pack. `decide(request)` answers the four questions of the contract."""

    def __init__(self, spec: PackSpec, *, cache_size: int = 65536) -> None:
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
        self._cache_size = cache_size
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
        self._caches: dict[str, dict[tuple, Answer]] = {a: {} for a in ACTIONS}
        self._disclose = self._make_fast_disclose()
        self._access = self._make_fast_access()
        self._handlers = {"disclose": self._disclose, "access": self._access,
                          "subject_access": self._subject_access, "retain": self._retain}

    def __repr__(self) -> str:
        return f"<Pack {self.name} {self.version}>"

    def reason(self, rule: Rule, text: str | None = None) -> dict[str, str]:
        return {"pack": self.name, "clause": rule.clause, "text": text or rule.text, "rule": rule.id}

    def _answer(self, decision: str, reasons: list[dict[str, str]], approvals: list[dict[str, Any]] = (),
                obligations: list[str] | tuple[str, ...] = ()) -> Answer:
        seen: list[str] = []
        for ob in obligations:
            if ob not in seen:
                seen.append(ob)
        return {"decision": decision, "reasons": list(reasons), "approvals": [dict(a) for a in approvals],
                "obligations": seen, "pack": dict(self._pack_ref)}

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

    def clear_cache(self) -> None:
        for cache in self._caches.values():
            cache.clear()

    # -- disclose ---------------------------------------------------------------------------
    def _compile_disclose(self) -> None:
        spec = self.spec
        self._consent_requires = spec.consent["requires"]
        # A subject role's further requirements (DVIP Appendix B: a victim's consent is in writing).
        self._consent_by_role: dict[str, dict[str, Any]] = dict(spec.consent.get("subject_roles") or {})
        self._prohibitions = [(r, compile_disclose_condition(r.when),
                               compile_disclose_condition(r.unless) if r.unless else None) for r in spec.prohibitions]
        self._disclose_rules = [(r, compile_disclose_condition(r.when)) for r in spec.disclose_rules]
        # Refusals: which clause refuses when no rule permits (the first that holds, else the default).
        # Always: obligations (and their clause) added to every answer whose request they hold for.
        self._refusals = [(r, compile_disclose_condition(r.when)) for r in spec.disclose_refusals]
        self._always = [(r, compile_disclose_condition(r.when)) for r in spec.disclose_always]
        self._always_templates: dict[tuple, tuple[Answer, Answer]] = {}
        self._consent_rule = next((r for r in spec.disclose_rules if r.basis == "consent"), None)

    def _disclose_slow(self, req: dict[str, Any]) -> Answer:
        for k in req:
            if k not in DISCLOSE_FIELDS:
                raise _unknown("", k, DISCLOSE_FIELDS)
        subject = req.get("subject")
        _object(subject, "subject", SUBJECT_FIELDS, "required; expected an object with at least 'role'")
        role = _word(subject.get("role"), "subject.role", self._subject_roles, "subject role")
        service = subject.get("service")
        if service is not None:
            _word(service, "subject.service", self._services, "service")
        age = subject.get("age")
        if age is not None and (age.__class__ is not int or age < 0 or age > 130):
            raise RequestError("subject.age", f"expected a whole number of years from 0 to 130, found {_show(age)}")
        capacity = subject.get("has_capacity", False)
        if capacity is not False:
            _bool(capacity, "subject.has_capacity")
        if "data" not in req:
            raise RequestError("data", "required; expected a non-empty list of data categories")
        data = _words(req["data"], "data", self._data, "data category")
        if not data:
            raise RequestError("data", "expected a non-empty list of data categories")
        recipient = req.get("recipient")
        _object(recipient, "recipient", RECIPIENT_FIELDS, "required; expected an object with at least 'kind'")
        rkind = _word(recipient.get("kind"), "recipient.kind", self._recipients, "recipient kind")
        rel = recipient.get("relationship_to_subject")
        if rel is not None:
            _word(rel, "recipient.relationship_to_subject", self._relationships, "relationship")
        purpose = req.get("purpose")
        if purpose is not None:
            _word(purpose, "purpose", self._purposes, "purpose")
        consent = req.get("consent")
        if consent is None:
            ctuple = _CONSENT_DEFAULT
        else:
            _object(consent, "consent", CONSENT_FIELDS, "expected an object, found {found}")
            ctuple = (
                _word(consent.get("status", "not_sought"), "consent.status", self._statuses, "consent status"),
                _bool(consent.get("explicit", False), "consent.explicit"),
                _bool(consent.get("written", False), "consent.written"),
                _bool(consent.get("covers_recipient", False), "consent.covers_recipient"),
                _bool(consent.get("covers_data", False), "consent.covers_data"),
            )
        grounds = req.get("grounds")
        grounds = frozenset() if grounds is None else _words(grounds, "grounds", self._grounds, "ground")
        channel = req.get("channel")
        if channel is not None:
            _word(channel, "channel", self._channels, "channel")
        verified = req.get("requester_identity_verified", False)
        if verified is not False:
            _bool(verified, "requester_identity_verified")
        anon = req.get("anonymised", False)
        if anon is not False:
            _bool(anon, "anonymised")
        requester = req.get("requester")
        qrole = None
        if requester is not None:
            _object(requester, "requester", DISCLOSE_REQUESTER_FIELDS, "expected an object with 'role', found {found}")
            qrole = _word(requester.get("role"), "requester.role", self._roles, "role")
        key = (role, service, age, capacity, data, rkind, rel, purpose, ctuple, grounds, channel, verified, anon,
               self._consent_valid(ctuple, capacity, role), self._consent_valid(ctuple, capacity, role, _UNWRITTEN),
               qrole)
        return (self._caches["disclose"].get(key) or self._miss("disclose", key)).copy()

    def consent_requirements(self, role: str | None) -> tuple[frozenset[str], str]:
        """What valid consent needs for a subject of this role (`explicit`, `written`, ...), and the
        clause that says so: the role's own clause where the pack adds to its requirements for that
        role (DVIP Appendix B: a victim's consent in writing), otherwise the pack's."""
        extra = self._consent_by_role.get(role)
        return self._consent_requirements(role), (extra["clause"] if extra else self.spec.consent["clause"])

    def _consent_requirements(self, role: str | None) -> frozenset[str]:
        extra = self._consent_by_role.get(role)
        return self._consent_requires | extra["requires"] if extra else self._consent_requires

    def _consent_valid(self, c: tuple, capacity: bool, role: str | None = None, waive: frozenset[str] = _EMPTY) -> bool:
        """Whether consent `c` meets the pack's requirements for a subject of this role, leaving out
        the requirements in `waive` (`consent: verbal` waives `written`)."""
        if c[0] != "given":
            return False
        req = self._consent_requirements(role) - waive
        if "explicit" in req and not c[1]:
            return False
        if "written" in req and not c[2]:
            return False
        if "covers_recipient" in req and not c[3]:
            return False
        if "covers_data" in req and not c[4]:
            return False
        return not ("capacity" in req and not capacity)

    def consent_problems(self, r: tuple) -> list[str]:
        """Why consent is not valid for this request, in words (all requirements, the subject role's too)."""
        return self._problems(r[D_CONSENT], r[D_CAPACITY], self._consent_requirements(r[D_ROLE]))

    @staticmethod
    def _problems(c: tuple, capacity: bool, req: frozenset[str]) -> list[str]:
        if c[0] != "given":
            return [f"consent is {vocab.label(c[0])}" if c[0] != "not_sought" else "consent has not been sought"]
        out = []
        for flag, idx, words in (("explicit", 1, "consent is not explicit"), ("written", 2, "consent is not in writing"),
                                 ("covers_recipient", 3, "consent does not cover this recipient"),
                                 ("covers_data", 4, "consent does not cover this information")):
            if flag in req and not c[idx]:
                out.append(words)
        if "capacity" in req and not capacity:
            out.append("the subject's capacity to consent is not confirmed")
        return out

    def consent_reasons(self, c: tuple, capacity: bool, role: str | None) -> list[dict[str, str]]:
        """Why consent is not valid, as reasons: what the pack's general requirements miss cites the
        consent clause; what a subject role's further requirements miss cites that role's clause
        (DVIP: a victim's consent not in writing, Appendix B)."""
        c_spec = self.spec.consent
        out = []
        general = self._problems(c, capacity, self._consent_requires)
        if general:
            out.append({"pack": self.name, "clause": c_spec["clause"], "rule": "consent",
                        "text": "No valid consent: " + "; ".join(general) + "."})
        extra = self._consent_by_role.get(role)
        if extra and c[0] == "given":
            more = self._problems(c, capacity, extra["requires"] - self._consent_requires)
            if more:
                out.append({"pack": self.name, "clause": extra["clause"], "rule": "consent",
                            "text": "No valid consent: " + "; ".join(more) + ". " + extra["text"]})
        return out

    def _decide_disclose_reference(self, r: tuple) -> Answer:
        """Rule by rule, in pack order: the readable statement of what the bitset evaluator computes
        (the tests check that the two always agree)."""
        always = sum(1 << (self._d_always_start + i) for i, (_, when) in enumerate(self._always) if when(r))
        denies = [rule for rule, when, unless in self._prohibitions if when(r) and not (unless and unless(r))]
        if denies:
            return self._with_always(self._deny_answer(denies), always)
        best: Rule | None = None
        for rule, when in self._disclose_rules:
            if when(r) and (best is None or _RANK[rule.decision] > _RANK[best.decision]):
                best = rule
                if rule.decision == "permit":
                    break
        if best is None:
            refusal = next((i for i, (_, when) in enumerate(self._refusals) if when(r)), None)
            return self._with_always(self._default_answer(r, refusal), always)
        return self._with_always(self._permit_answer(best, r), always)

    def _with_always(self, t: Answer, amask: int) -> Answer:
        """`t` with the obligations (and clauses) of the pack's `always` entries in `amask` (bits of
        `_d_rules`) added: Home-Start 10.2, the trustees are told of every police or court request,
        whatever the answer. Memoised on the answer template (kept alive by the memo, so its id is
        not reused while the entry stands)."""
        if not amask:
            return t
        key = (id(t), amask)
        hit = self._always_templates.get(key)
        if hit is not None and hit[0] is t:
            return hit[1]
        out = _template(self._add_always(t, [rule for i, rule in enumerate(self._d_rules) if amask >> i & 1]))
        if len(self._always_templates) >= 65536:
            self._always_templates.clear()
        self._always_templates[key] = (t, out)
        return out

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

    def _default_answer(self, r: tuple, refusal: int | None = None) -> Answer:
        """The pack's default refusal (or the refusal of `self._refusals[refusal]`), with why consent
        was not valid and, where grounds were claimed, that no rule accepts them. Built from frozen
        pieces memoised on the few parts of the request they depend on."""
        if r[D_VALID] or r[D_ANON]:
            pkey, creasons = None, ()
        else:
            _, pkey, creasons, _ = self._consent_table(r[D_ROLE])[r[D_CONSENT]][r[D_CAPACITY]]
        return self._default_for(pkey, creasons, r[D_GROUNDS], r[D_RECIPIENT], refusal)

    def _consent_table(self, role: str | None) -> dict[tuple, tuple]:
        return self._consent_info_by_role.get(role, self._consent_info)

    def _compile_consent(self) -> None:
        """For every consent tuple (status, explicit, written, covers_recipient, covers_data) and
        capacity: whether consent is valid, and the reason saying why not (as a frozen piece, with a
        small key naming the problems). Indexed `[ctuple][capacity]`: a bool indexes the pair."""
        pkeys: dict[tuple, int] = {}
        infos: dict[str | None, dict[tuple, tuple]] = {}
        for role in (None, *self._consent_by_role):
            info: dict[tuple, tuple] = {}
            for status in vocab.CONSENT_STATUS:
                for bits in range(16):
                    ctuple = (status, bool(bits & 8), bool(bits & 4), bool(bits & 2), bool(bits & 1))
                    pair = []
                    for capacity in (False, True):
                        verbal = self._consent_valid(ctuple, capacity, role, _UNWRITTEN)
                        if self._consent_valid(ctuple, capacity, role):
                            pair.append((True, None, (), True))
                            continue
                        reasons = tuple(FrozenDict(x) for x in self.consent_reasons(ctuple, capacity, role))
                        pkey = pkeys.setdefault(tuple((x["clause"], x["text"]) for x in reasons), len(pkeys))
                        pair.append((False, pkey, reasons, verbal))
                    info[ctuple] = tuple(pair)
            infos[role] = info
        # Indexed [ctuple][capacity] (a bool indexes the pair): (valid, problems key, reasons, verbal).
        self._consent_info = infos[None]
        self._consent_info_by_role = {role: infos[role] for role in self._consent_by_role}
        default = self.spec.disclose_default
        base = _template(self._build_default_answer(_plain(valid=True), with_always=False))
        self._default_base = base
        self._default_reason = base["reasons"][0]
        self._default_ref = (self.name, default.clause, default.id)
        # The same base for each refusal: its reason and obligations instead of the default's.
        self._refusal_bases = {}
        for i, (rule, _) in enumerate(self._refusals):
            t = _Template(base)
            t["reasons"] = FrozenList([FrozenDict(self.reason(rule))])
            t["obligations"] = FrozenList(self._answer("deny", [], (), ["record_decision", *rule.obligations])
                                          ["obligations"])
            self._refusal_bases[i] = t

    def _default_for(self, pkey: int | None, creasons: tuple, grounds: frozenset[str],
                     recipient: str, refusal: int | None = None) -> Answer:
        tkey = ("default", refusal, pkey, grounds, recipient if grounds else None)
        t = self._templates.get(tkey)
        if t is not None:
            return t
        base = self._default_base if refusal is None else self._refusal_bases[refusal]
        reasons = [base["reasons"][0], *creasons]
        if grounds:
            gkey = ("default-grounds", recipient, grounds)
            greason = self._templates.get(gkey)
            if greason is None:
                name, clause, rule_id = self._default_ref
                greason = self._remember(gkey, FrozenDict({
                    "pack": name, "clause": clause, "rule": rule_id,
                    "text": "No rule of this pack lets this information go to "
                            f"{vocab.label(recipient)} on the ground(s) claimed: "
                            + ", ".join(vocab.label(g) for g in sorted(grounds)) + "."}))
            reasons.append(greason)
        t = _Template(base)
        t["reasons"] = FrozenList(reasons)
        return self._remember(tkey, t)

    def _remember(self, key: tuple, value: Any) -> Any:
        """Memoise a piece of an answer; bounded like the decision cache (cleared when full)."""
        if len(self._templates) >= 65536:
            self._templates.clear()
        self._templates[key] = value
        return value

    def _build_default_answer(self, r: tuple, *, with_always: bool = True) -> Answer:
        """The refusal when no rule permits, rule by rule: the first of the pack's `refusals` that holds,
        else its default; and (`with_always`) the pack's `always` entries that hold."""
        default = self.spec.disclose_default
        refusal = next((rule for rule, when in self._refusals if when(r)), None)
        reasons = [self.reason(refusal or default)]
        if not r[D_VALID] and not r[D_ANON]:
            reasons += self.consent_reasons(r[D_CONSENT], r[D_CAPACITY], r[D_ROLE])
        if r[D_GROUNDS]:
            reasons.append({"pack": self.name, "clause": default.clause, "rule": default.id,
                            "text": "No rule of this pack lets this information go to "
                                    f"{vocab.label(r[D_RECIPIENT])} on the ground(s) claimed: "
                                    + ", ".join(vocab.label(g) for g in sorted(r[D_GROUNDS])) + "."})
        ans = self._answer("deny", reasons, (), ["record_decision", *(refusal or default).obligations])
        ans["legal_basis"] = []
        ans["grounds"] = []
        ans["final"] = False  # consent, or a ground the pack accepts, could change this answer
        if with_always:
            always = [rule for rule, when in self._always if when(r)]
            if always:
                ans = self._add_always(ans, always)
        return ans

    def _permit_answer(self, best: Rule, r: tuple) -> Answer:
        return self._permit_for(best, r[D_ANON], r[D_DATA], r[D_ROLE], r[D_GROUNDS])

    def _permit_for(self, best: Rule, anon: bool, data: Any, role: str, grounds: Any) -> Answer:
        """`data` and `grounds`: the request's words (a frozenset or the request's list)."""
        spec = self.spec
        special = not anon and not spec.special_category.isdisjoint(data)
        criminal = not anon and (not spec.criminal_offence.isdisjoint(data) or role in spec.criminal_offence_roles)
        tkey = (best.id, special, criminal, best.when.get("grounds", _EMPTY).intersection(grounds))
        t = self._templates.get(tkey)
        if t is None:
            r = _plain(role=role, data=frozenset(data), grounds=frozenset(grounds), anon=anon)
            t = self._remember(tkey, _template(self._build_permit_answer(best, r)))
        return t

    def _build_permit_answer(self, best: Rule, r: tuple) -> Answer:
        special = not r[D_ANON] and not self.spec.special_category.isdisjoint(r[D_DATA])
        criminal = not r[D_ANON] and (not self.spec.criminal_offence.isdisjoint(r[D_DATA])
                                      or r[D_ROLE] in self.spec.criminal_offence_roles)
        ans = self._answer(best.decision, [self.reason(best)], best.approvals, best.obligations)
        ans["legal_basis"] = legal.basis_texts(best.basis, special, criminal)
        # A rule the subject agreed to in a document they signed (`agreed_in`, DVIP Appendix A) rests on
        # that standing ground whether or not it is claimed.
        standing = {best.extra["agreed_in"]["ground"]} if "agreed_in" in best.extra else set()
        ans["grounds"] = sorted((best.when.get("grounds", frozenset()) & r[D_GROUNDS]) | standing)
        return ans

    # -- access -----------------------------------------------------------------------------
    def _compile_access(self) -> None:
        acc = self.spec.access
        roles = self.spec.roles
        self._grant_roles = [grant_roles(g.when, roles) for g in acc["grants"]]
        self._grants = [(g, _all([_in(A_ROLE, reach), compile_access_condition(g.when, roles)]))
                        for g, reach in zip(acc["grants"], self._grant_roles, strict=True)]
        # Trustee-kind roles a grant names: only these reach the grants; every other trustee is
        # refused before any grant, as a pack without trustee grants refuses them all.
        trustees = frozenset(name for name, role in roles.items() if role.kind == "trustee")
        self._trustees_granted = trustees & frozenset().union(*self._grant_roles)
        self._trustees_refused = trustees - self._trustees_granted
        self._sealed_open = acc["sealed"].extra["open_to"]
        self._bg = acc["break_glass"]

    def _access_slow(self, req: dict[str, Any]) -> Answer:
        for k in req:
            if k not in ACCESS_FIELDS:
                raise _unknown("", k, ACCESS_FIELDS)
        actor = req.get("actor")
        _object(actor, "actor", ACTOR_FIELDS, "required; expected an object with at least 'role'")
        role = _word(actor.get("role"), "actor.role", self._roles, "role")
        ateam = _opt_text(actor.get("team"), "actor.team")
        assigned = actor.get("assigned_to_case", False)
        if assigned is not False:
            _bool(assigned, "actor.assigned_to_case")
        record = req.get("record")
        _object(record, "record", RECORD_FIELDS, "required; expected an object with at least 'kind'")
        kind = _word(record.get("kind"), "record.kind", self._access_kinds, "record kind")
        service = record.get("service")
        if service is not None:
            _word(service, "record.service", self._services, "service")
        rteam = _opt_text(record.get("team"), "record.team")
        sealed = record.get("sealed", False)
        if sealed is not False:
            _bool(sealed, "record.sealed")
        purpose = req.get("purpose")
        if purpose is not None:
            _word(purpose, "purpose", self._purposes, "purpose")
        served = self._role_services[role]
        key = (role, ateam is not None and ateam == rteam, assigned, kind, service, sealed, purpose,
               service is None or not served or service in served)
        return (self._caches["access"].get(key) or self._miss("access", key)).copy()

    def _decide_access_reference(self, r: tuple) -> Answer:
        pre = self._access_preamble(r)
        if pre is not None:
            return pre
        best: Rule | None = None
        for grant, when in self._grants:
            if when(r) and (best is None or _RANK[grant.decision] > _RANK[best.decision]):
                best = grant
                if grant.decision == "permit":
                    break
        return self._access_answer(best, r)

    def _access_preamble(self, r: tuple) -> Answer | None:
        """Trustees and sealed records, before any grant. A trustee-kind role no grant names is
        refused, and so is every trustee for a sealed record; a trustee a grant names goes on to the
        grants. The answers depend only on the outcome, so their templates are built once."""
        kind = self._role_kind[r[A_ROLE]]
        if kind == "trustee":
            if not r[A_SEALED] and r[A_ROLE] in self._trustees_granted:
                return None
        elif not r[A_SEALED]:
            return None
        tkey = ("access", "trustee" if kind == "trustee" else ("sealed", r[A_ROLE] in self._sealed_open))
        t = self._templates.get(tkey)
        if t is None:
            t = self._remember(tkey, _template(self._build_access_preamble(r)))
        return t

    def _build_access_preamble(self, r: tuple) -> Answer | None:
        acc = self.spec.access
        if self._role_kind[r[A_ROLE]] == "trustee":
            ans = self._answer("deny", [self.reason(acc["trustees"])], (), ["record_decision"])
            ans["flag_for_review"] = False
            return ans
        if r[A_SEALED]:
            rule = acc["sealed"]
            if r[A_ROLE] in self._sealed_open:
                ans = self._answer("permit", [self.reason(rule)], (), ["record_decision", *rule.obligations])
            else:
                ans = self._answer("deny", [self.reason(rule)], (), ["record_decision"])
            ans["flag_for_review"] = False
            return ans
        return None

    def _access_answer(self, best: Rule | None, r: tuple) -> Answer:
        if best is not None:
            tkey: tuple = ("access", "grant", best.id)
        elif self._role_kind[r[A_ROLE]] == "trustee":
            tkey = ("access", "trustee")  # no grant naming this trustee fits: refused, as trustees are
        else:
            bg = self._bg
            tkey = ("access", "break_glass" if self._role_kind[r[A_ROLE]] in bg.extra["kinds"]
                    and r[A_KIND] not in bg.extra["exclude_record_kinds"] else "default")
        t = self._templates.get(tkey)
        if t is None:
            t = self._remember(tkey, _template(self._build_access_answer(best, r)))
        return t

    def _build_access_answer(self, best: Rule | None, r: tuple) -> Answer:
        if best is not None:
            ans = self._answer(best.decision, [self.reason(best)], best.approvals, best.obligations)
            ans["flag_for_review"] = best.decision != "permit"
            return ans
        if self._role_kind[r[A_ROLE]] == "trustee":
            return self._build_access_preamble(r)
        bg = self._bg
        if self._role_kind[r[A_ROLE]] in bg.extra["kinds"] and r[A_KIND] not in bg.extra["exclude_record_kinds"]:
            ans = self._answer("permit_if_approved", [self.reason(bg)], bg.approvals,
                               ["record_reasons", "flag_for_review", *bg.obligations])
            ans["flag_for_review"] = True
            return ans
        ans = self._answer("deny", [self.reason(self.spec.access["default"])], (), ["record_decision"])
        ans["flag_for_review"] = False
        return ans

    # -- subject access ---------------------------------------------------------------------
    def _subject_access_slow(self, req: dict[str, Any]) -> Answer:
        for k in req:
            if k not in SAR_FIELDS:
                raise _unknown("", k, SAR_FIELDS)
        if "received_on" not in req:
            raise RequestError("received_on", "required; expected a date as YYYY-MM-DD")
        received = _date(req["received_on"], "received_on")
        requester = req.get("requester")
        _object(requester, "requester", REQUESTER_FIELDS, "required; expected an object with at least 'role'")
        role = _word(requester.get("role"), "requester.role", self._subject_roles, "subject role")
        service = requester.get("service")
        if service is not None:
            _word(service, "requester.service", self._services, "service")
        contains = req.get("record_contains")
        contains = frozenset() if contains is None else _words(contains, "record_contains", self._record_contents,
                                                               "record content")
        key = (received, role, service, contains, _sar_clock_fields(req, received))
        return (self._caches["subject_access"].get(key) or self._miss("subject_access", key)).copy()

    def _decide_sar(self, key: tuple) -> Answer:
        received, role, service, contains, clock = key
        # The static part depends on the request only through which of the pack's rules match.
        tkey = ("subject_access", tuple(i for i, rule in enumerate(self.spec.subject_access["rules"])
                                        if _sar_match(rule.when, role, service, contains)))
        static = self._templates.get(tkey)
        if static is None:
            static = self._remember(tkey, _template(self._sar_static(role, service, contains)))
        deadline = static["_deadline"]
        try:
            if deadline["unit"] == "days":
                due = received + dt.timedelta(days=deadline["amount"])
            else:
                due = dates.next_working_day(dates.add_months(received, deadline["amount"]))
            statutory = dates.statutory_sar_due(received)
            clocked = None if clock is None else _sar_clock_answer(received, clock)
        except (OverflowError, ValueError):  # only past 9999-12-31, which `_date` keeps far away
            raise RequestError("received_on", "too far in the future to compute a due date") from None
        warnings = []
        # The pack's deadline is compared with one month from receipt, as it always was: it is the pack's
        # departure from the law that the warning is about, whatever the clock of this request.
        if due != statutory:
            later = due > statutory
            warnings.append(f"{static['_deadline_clause']}: the pack's deadline of {static['_said']} gives "
                            f"{due.isoformat()}; UK GDPR Art 12(3) requires an answer within one calendar month, "
                            f"by {statutory.isoformat()}" + (" — answering on the pack's date would be late."
                                                             if later else "."))
        warnings += static["_warnings"]
        ans = {k: v for k, v in static.items() if k[0] != "_"}
        ans["due_on"] = due.isoformat()
        ans["statutory_due_on"] = statutory.isoformat()
        if clocked is not None:
            ans["statutory_due_on"], ans["clock"], late = clocked
            warnings += late
        ans["warnings"] = warnings
        return ans

    def _sar_static(self, role: str, service: str | None, contains: frozenset[str]) -> dict[str, Any]:
        """Everything in a subject-access answer that does not depend on the date received."""
        sa = self.spec.subject_access
        deadline = sa["deadline"].extra
        deadline_rule = sa["deadline"]
        fee = sa["fee"].extra["amount"] if sa["fee"] else None
        fee_rule = sa["fee"]
        reasons = [self.reason(sa["right"])]
        withhold: dict[str, list[dict[str, str]]] = {}
        procedure: list[str] = []
        warnings: list[str] = []
        for rule in sa["procedure"]:
            if rule.extra["step"] not in procedure:
                procedure.append(rule.extra["step"])
                reasons.append(self.reason(rule))
        for rule in sa["rules"]:
            if not _sar_match(rule.when, role, service, contains):
                continue
            reasons.append(self.reason(rule))
            for cat in rule.extra.get("withhold", ()):
                withhold.setdefault(cat, []).append(self.reason(rule))
            for step in rule.extra.get("procedure", ()):
                if step not in procedure:
                    procedure.append(step)
            if "deadline" in rule.extra:
                deadline, deadline_rule = rule.extra["deadline"], rule
            if "fee" in rule.extra:
                fee, fee_rule = rule.extra["fee"], rule
            if "warning" in rule.extra:
                warnings.append(f"{rule.clause}: {rule.extra['warning']}")
        if deadline["unit"] == "days":
            said = f"{deadline['amount']} days"
        else:
            said = f"{deadline['amount']} calendar month" + ("s" if deadline["amount"] > 1 else "")
        reasons.insert(1, self.reason(deadline_rule, f"{deadline_rule.text} Deadline in the pack: {said}."))
        if fee is not None:
            reasons.append(self.reason(fee_rule, f"{fee_rule.text} Fee in the pack: {fee}."))
            warnings.append(f"{fee_rule.clause}: the pack charges {fee}; under UK GDPR Art 12(5) and 15(3) a "
                            "subject-access request is free in most cases (a reasonable fee only for manifestly "
                            "unfounded or excessive requests, or further copies).")
        ans = self._answer("permit", reasons, (), ["record_decision"])
        ans["fee"] = fee
        ans["withhold"] = [{"category": c, "reasons": rs} for c, rs in withhold.items()]
        ans["procedure"] = procedure
        ans.update(_deadline=deadline, _deadline_clause=deadline_rule.clause, _said=said, _warnings=warnings)
        return ans

    # -- retention --------------------------------------------------------------------------
    def _retain_slow(self, req: dict[str, Any]) -> Answer:
        for k in req:
            if k not in RETAIN_FIELDS:
                raise _unknown("", k, RETAIN_FIELDS)
        record = req.get("record")
        _object(record, "record", RETAIN_RECORD_FIELDS, "required; expected an object with at least 'kind'")
        kind = _word(record.get("kind"), "record.kind", self._record_kinds, "record kind")
        service = record.get("service")
        if service is not None:
            _word(service, "record.service", self._services, "service")
        closed = _date(record.get("closed_on"), "record.closed_on", optional=True)
        flags = record.get("flags")
        flags = frozenset() if flags is None else _words(flags, "record.flags", self._record_flags, "record flag")
        key = (kind, service, closed, flags)
        return (self._caches["retain"].get(key) or self._miss("retain", key)).copy()

    def _decide_retain(self, key: tuple) -> Answer:
        """Assembled from frozen pieces (each rule's reason, the pack, the obligations) built once."""
        kind, service, closed, flags = key
        ret = self.spec.retain
        pieces = self._retain_pieces
        if pieces is None:
            pieces = self._retain_pieces = {
                "default": FrozenDict(self.reason(ret["default"])), "pack": FrozenDict(self._pack_ref),
                "obligations": FrozenList(["record_decision"]), "none": FrozenList(),
                "rules": [(rule, FrozenDict(self.reason(rule)), FrozenList(rule.extra.get("keep_only", ())))
                          for rule in ret["rules"]]}
        found = None
        for candidate in pieces["rules"]:
            w = candidate[0].when
            if "kind" in w and kind not in w["kind"]:
                continue
            if "service" in w and service not in w["service"]:
                continue
            if "flags" in w and w["flags"].isdisjoint(flags):
                continue
            found = candidate
            break
        if found is None:
            return {"decision": "permit", "reasons": FrozenList([pieces["default"]]), "approvals": pieces["none"],
                    "obligations": pieces["obligations"], "pack": pieces["pack"], "destroy_on": None,
                    "keep_only": pieces["none"], "action": "review"}
        rule, reason, keep_only = found
        action = rule.extra["action"]
        destroy_on = None
        reasons = [reason]
        if "period" in rule.extra and closed is not None:
            unit, amount = rule.extra["period"]
            try:
                if unit == "years":
                    destroy_on = dates.add_years(closed, amount)
                elif unit == "months":
                    destroy_on = dates.add_months(closed, amount)
                else:
                    destroy_on = closed + dt.timedelta(days=amount)
            except (OverflowError, ValueError):  # only past 9999-12-31, which `_date` keeps far away
                raise RequestError("record.closed_on", "too far in the future to compute a destruction date") \
                    from None
        elif action == "return_to_sender":
            destroy_on = closed
        elif closed is None and action == "destroy":
            reasons.append(FrozenDict({"pack": self.name, "clause": rule.clause, "rule": rule.id,
                                       "text": "The record is still open: the retention period starts when it is "
                                               "closed."}))
        if "legal_hold" in flags:
            reasons.insert(0, FrozenDict({"pack": self.name, "clause": ret["default"].clause, "rule": "legal_hold",
                                          "text": "A legal hold is in force: nothing is destroyed until it is "
                                                  "lifted."}))
            destroy_on = None
            action = "review"
        decision = "deny" if rule.extra["action"] == "return_to_sender" else "permit"
        return {"decision": decision, "reasons": FrozenList(reasons), "approvals": pieces["none"],
                "obligations": pieces["obligations"], "pack": pieces["pack"],
                "destroy_on": destroy_on.isoformat() if destroy_on else None, "keep_only": keep_only, "action": action}

    # -- the compiled fast paths ------------------------------------------------------------
    # Each rule is a bit. For every condition and every word the compiler precomputes the set of
    # rules (as an int bitmask) that the word satisfies, so evaluating a request is a handful of dict
    # lookups and bitwise ANDs whatever the number of rules, and "the first matching rule in pack
    # order" is the lowest set bit. `_decide_*_reference` are the same rules evaluated one by one.

    def _compile_masks(self) -> None:
        # The bits, in order: prohibitions, rules, refusals, always entries.
        prohibitions = [r for r, _, _ in self._prohibitions]
        rules = prohibitions + [r for r, _ in self._disclose_rules]
        n_p, n_r = len(prohibitions), len(rules)
        rules += [r for r, _ in self._refusals]
        n_f = len(rules)
        rules += [r for r, _ in self._always]
        self._d_rules = rules
        self._d_prohib_mask = (1 << n_p) - 1
        self._d_rule_mask = ((1 << n_r) - 1) & ~self._d_prohib_mask
        self._d_refusal_start, self._d_always_start = n_r, n_f
        self._d_refusal_mask = ((1 << n_f) - 1) & ~((1 << n_r) - 1)
        self._d_always_mask = ((1 << len(rules)) - 1) & ~((1 << n_f) - 1)
        self._d_permit_mask = sum(1 << i for i, r in enumerate(rules) if n_p <= i < n_r and r.decision == "permit")
        self._dw = self._disclose_tables([r.when for r in rules])
        self._du = self._disclose_tables([r.unless if r.unless else None for r in rules])
        self._when_mask = self._mask_function(self._dw)
        self._unless_mask = self._mask_function(self._du)
        self._d_deny_templates: dict[int, Answer] = {}
        grants = [g for g, _ in self._grants]
        self._a_grants = grants
        self._a_permit_mask = sum(1 << i for i, g in enumerate(grants) if g.decision == "permit")
        self._aw = self._access_tables([g.when for g in grants])

    @staticmethod
    def _in_table(conds: list[dict[str, Any] | None], key: str) -> tuple[dict[Any, int], int]:
        nocond, table = 0, {}
        for i, c in enumerate(conds):
            if c is None:
                continue
            if key not in c:
                nocond |= 1 << i
        for i, c in enumerate(conds):
            if c is not None and key in c:
                value = c[key]
                for word in (value if isinstance(value, frozenset) else (value,)):
                    table[word] = table.get(word, nocond) | (1 << i)
        return table, nocond

    def _disclose_tables(self, conds: list[dict[str, Any] | None]) -> dict[str, Any]:
        t: dict[str, Any] = {}
        for key in ("subject_role", "service", "recipient", "relationship", "purpose", "channel", "requester_role"):
            t[key] = self._in_table(conds, key)
        for key in ("data", "grounds"):  # any of the request's words
            table, nocond = self._in_table(conds, key)
            t[key] = ({w: m & ~nocond for w, m in table.items()}, nocond)
        for key in ("data_only", "grounds_only"):  # all of the request's words
            table, nocond = self._in_table(conds, key)
            t[key] = (table, nocond, any(c is not None and key in c for c in conds))
        for key in ("anonymised", "identity_verified"):
            table, nocond = self._in_table(conds, key)
            t[key] = {True: table.get(True, nocond), False: table.get(False, nocond)}
        # Indexed by valid + verbal: 2 (valid), 1 (valid but for being in writing), 0 (neither).
        table, nocond = self._in_table(conds, "consent")
        valid, verbal = table.get("valid", nocond), table.get("verbal", nocond)
        t["consent"] = {2: valid | verbal, 1: verbal, 0: nocond}
        ages = [(1 << i, c["subject_under_age"]) for i, c in enumerate(conds)
                if c is not None and "subject_under_age" in c]
        _, nocond = self._in_table(conds, "subject_under_age")
        t["age"] = (ages, nocond)
        return t

    @staticmethod
    def _disclose_mask(t: dict[str, Any], r: tuple) -> int:
        tab, d = t["subject_role"]
        m = tab.get(r[D_ROLE], d)
        tab, d = t["recipient"]
        m &= tab.get(r[D_RECIPIENT], d)
        if not m:
            return 0
        tab, d = t["service"]
        m &= tab.get(r[D_SERVICE], d)
        tab, d = t["relationship"]
        m &= tab.get(r[D_RELATIONSHIP], d)
        tab, d = t["purpose"]
        m &= tab.get(r[D_PURPOSE], d)
        tab, d = t["channel"]
        m &= tab.get(r[D_CHANNEL], d)
        tab, d = t["requester_role"]
        m &= tab.get(r[D_REQUESTER], d)
        m &= t["consent"][r[D_VALID] + r[D_VERBAL]] & t["anonymised"][r[D_ANON]] \
            & t["identity_verified"][r[D_VERIFIED]]
        if not m:
            return 0
        tab, x = t["data"]
        for word in r[D_DATA]:
            x |= tab.get(word, 0)
        m &= x
        tab, d, used = t["data_only"]
        if used:
            for word in r[D_DATA]:
                m &= tab.get(word, d)
        tab, x = t["grounds"]
        for word in r[D_GROUNDS]:
            x |= tab.get(word, 0)
        m &= x
        tab, d, used = t["grounds_only"]
        if used:
            for word in r[D_GROUNDS]:
                m &= tab.get(word, d)
        ages, x = t["age"]
        if ages:
            age = r[D_AGE]
            for bit, limit in ages:
                if age is not None and age < limit:
                    x |= bit
            m &= x
        return m

    @staticmethod
    def _mask_function(t: dict[str, Any]) -> Callable[[tuple], int]:
        """`_disclose_mask` with its tables bound as closure variables (the same computation, fewer
        lookups per request)."""
        role_get, role_d = t["subject_role"][0].get, t["subject_role"][1]
        rec_get, rec_d = t["recipient"][0].get, t["recipient"][1]
        svc_get, svc_d = t["service"][0].get, t["service"][1]
        rel_get, rel_d = t["relationship"][0].get, t["relationship"][1]
        pur_get, pur_d = t["purpose"][0].get, t["purpose"][1]
        ch_get, ch_d = t["channel"][0].get, t["channel"][1]
        req_get, req_d = t["requester_role"][0].get, t["requester_role"][1]
        consent_t, anon_t, ver_t = t["consent"], t["anonymised"], t["identity_verified"]
        data_get, data_nc = t["data"][0].get, t["data"][1]
        only_get, only_d, only_used = t["data_only"][0].get, t["data_only"][1], t["data_only"][2]
        gonly_get, gonly_d, gonly_used = t["grounds_only"][0].get, t["grounds_only"][1], t["grounds_only"][2]
        gr_get, gr_nc = t["grounds"][0].get, t["grounds"][1]
        ages, age_nc = t["age"]

        def mask(r: tuple) -> int:
            m = role_get(r[D_ROLE], role_d) & rec_get(r[D_RECIPIENT], rec_d)
            if not m:
                return 0
            m &= svc_get(r[D_SERVICE], svc_d) & rel_get(r[D_RELATIONSHIP], rel_d) & pur_get(r[D_PURPOSE], pur_d) \
                & ch_get(r[D_CHANNEL], ch_d) & req_get(r[D_REQUESTER], req_d) \
                & consent_t[r[D_VALID] + r[D_VERBAL]] & anon_t[r[D_ANON]] & ver_t[r[D_VERIFIED]]
            if not m:
                return 0
            x = data_nc
            for word in r[D_DATA]:
                x |= data_get(word, 0)
            m &= x
            if only_used:
                for word in r[D_DATA]:
                    m &= only_get(word, only_d)
            x = gr_nc
            for word in r[D_GROUNDS]:
                x |= gr_get(word, 0)
            m &= x
            if gonly_used:
                for word in r[D_GROUNDS]:
                    m &= gonly_get(word, gonly_d)
            if ages:
                x = age_nc
                age = r[D_AGE]
                for bit, limit in ages:
                    if age is not None and age < limit:
                        x |= bit
                m &= x
            return m
        return mask

    def _decide_disclose(self, r: tuple) -> Answer:
        w = self._when_mask(r)
        always = w & self._d_always_mask
        denies = w & self._d_prohib_mask
        if denies:
            denies &= ~self._unless_mask(r)
            if denies:
                t = self._d_deny_templates.get(denies)
                if t is None:
                    t = _template(self._deny_answer([rule for i, rule in enumerate(self._d_rules) if denies >> i & 1]))
                    self._d_deny_templates[denies] = t
                return self._with_always(t, always)
        permits = w & self._d_rule_mask
        if not permits:
            x = w & self._d_refusal_mask
            refusal = (x & -x).bit_length() - 1 - self._d_refusal_start if x else None
            return self._with_always(self._default_answer(r, refusal), always)
        x = (permits & self._d_permit_mask) or permits
        return self._with_always(self._permit_answer(self._d_rules[(x & -x).bit_length() - 1], r), always)

    def _access_tables(self, conds: list[dict[str, Any]]) -> dict[str, Any]:
        t: dict[str, Any] = {}
        roles_ok = {}
        reach = [grant_roles(c, self.spec.roles) for c in conds]
        for name in self.spec.roles:
            m = 0
            for i, names in enumerate(reach):
                if name in names:
                    m |= 1 << i
            roles_ok[name] = m
        t["role"] = roles_ok
        for key in ("assigned", "same_team", "own_service"):
            table, nocond = self._in_table(conds, key)
            t[key] = {True: table.get(True, nocond), False: table.get(False, nocond)}
        for key in ("purpose", "record_kind", "service"):
            t[key] = self._in_table(conds, key)
        return t

    def _decide_access(self, r: tuple) -> Answer:
        pre = self._access_preamble(r)
        if pre is not None:
            return pre
        t = self._aw
        m = t["role"][r[A_ROLE]] & t["assigned"][r[A_ASSIGNED]] & t["same_team"][r[A_SAME_TEAM]] \
            & t["own_service"][r[A_OWN_SERVICE]]
        tab, d = t["purpose"]
        m &= tab.get(r[A_PURPOSE], d)
        tab, d = t["record_kind"]
        m &= tab.get(r[A_KIND], d)
        tab, d = t["service"]
        m &= tab.get(r[A_SERVICE], d)
        if not m:
            return self._access_answer(None, r)
        x = (m & self._a_permit_mask) or m
        return self._access_answer(self._a_grants[(x & -x).bit_length() - 1], r)

    def _miss(self, action: str, key: tuple) -> Answer:
        t = _template(self._builders[action](key))
        if self._cache_size:
            cache = self._caches[action]
            if len(cache) >= self._cache_size:
                cache.clear()
            cache[key] = t
        return t

    def _fast_tables(self) -> dict[str, Any]:
        """The `when` and `unless` tables of `_compile_masks` merged for the fast path: each valid word
        maps to one int whose low bits are the rules whose `when` it satisfies and whose high bits
        (shifted by the number of rules) are the rules whose `unless` it satisfies, so one lookup both
        validates the word (a word outside the vocabulary is a `KeyError`) and evaluates it against
        every condition. Optional fields map `None` (left out) to the rules without that condition."""
        n = len(self._d_rules)
        dw, du = self._dw, self._du
        t: dict[str, Any] = {}
        for key, words, optional in (("subject_role", self._subject_roles, False), ("service", self._services, True),
                                     ("recipient", self._recipients, False),
                                     ("relationship", self._relationships, True),
                                     ("purpose", self._purposes, True), ("channel", self._channels, True),
                                     ("requester_role", self._roles, True)):
            (tw, w_d), (tu, u_d) = dw[key], du[key]
            table = {w: tw.get(w, w_d) | tu.get(w, u_d) << n for w in words}
            if optional:
                table[None] = w_d | u_d << n
            t[key] = table
        for key, words in (("data", self._data), ("grounds", self._grounds)):  # any of the request's words
            (tw, w_nc), (tu, u_nc) = dw[key], du[key]
            t[key] = ({w: tw.get(w, 0) | tu.get(w, 0) << n for w in words}, w_nc | u_nc << n)
        for key, words in (("data_only", self._data), ("grounds_only", self._grounds)):  # all of the request's
            (tw, w_d, w_used), (tu, u_d, u_used) = dw[key], du[key]
            t[key] = ({w: tw.get(w, w_d) | tu.get(w, u_d) << n for w in words}, w_used or u_used)
        for key in ("anonymised", "identity_verified"):
            t[key] = {v: dw[key][v] | du[key][v] << n for v in (True, False)}
        t["consent"] = {v: dw["consent"][v] | du["consent"][v] << n for v in (0, 1, 2)}  # by valid + verbal
        (w_ages, w_nc), (u_ages, u_nc) = dw["age"], du["age"]
        t["age"] = (tuple(w_ages) + tuple((bit << n, limit) for bit, limit in u_ages), w_nc | u_nc << n)
        return t

    def _make_fast_disclose(self) -> Callable[[dict[str, Any]], Answer]:
        """The fast path for `disclose`, as a closure over the pack's tables (no attribute lookups per
        request): the same checks as `_disclose_slow`, written for speed, then (on a cache miss) the
        same evaluation as `_decide_disclose`, with the `when` and `unless` tables merged
        (`_fast_tables`) and no intermediate tuple. Anything it is not sure of goes to
        `_disclose_slow`, which names the offending field."""
        t = self._fast_tables()
        n = len(self._d_rules)
        role_t, svc_t, rec_t, rel_t = t["subject_role"], t["service"], t["recipient"], t["relationship"]
        pur_t, ch_t, req_t = t["purpose"], t["channel"], t["requester_role"]
        data_t, data_nc = t["data"]
        only_t, only_used = t["data_only"]
        gonly_t, gonly_used = t["grounds_only"]
        gr_t, gr_nc = t["grounds"]
        valid_t, anon_t, ver_t = t["consent"], t["anonymised"], t["identity_verified"]
        ages, age_nc = t["age"]
        consent_info, consent_by_role = self._consent_info, self._consent_info_by_role
        prohib_mask, rule_mask, permit_mask = self._d_prohib_mask, self._d_rule_mask, self._d_permit_mask
        refusal_mask, refusal_start, always_mask = self._d_refusal_mask, self._d_refusal_start, self._d_always_mask
        with_always = self._with_always
        rules = self._d_rules
        deny_templates = self._d_deny_templates
        deny_answer = self._deny_answer
        default_for, permit_for = self._default_for, self._permit_for
        subject_roles, services, data_words = self._subject_roles, self._services, self._data
        recipients, relationships, purposes = self._recipients, self._relationships, self._purposes
        grounds_words, channels = self._grounds, self._channels
        slow = self._disclose_slow
        cache_size = self._cache_size
        cache = self._caches["disclose"]
        cache_get = cache.get

        def fast_disclose(req: dict[str, Any]) -> Answer:
            try:
                if not req.keys() <= DISCLOSE_FIELDS:
                    raise _Slow
                subject = req["subject"]
                if not subject.keys() <= SUBJECT_FIELDS:
                    raise _Slow
                role = subject["role"]
                service = subject.get("service")
                age = subject.get("age")
                capacity = subject.get("has_capacity", False)
                if role not in subject_roles or (service is not None and service not in services) \
                        or (age is not None and (age.__class__ is not int or not 0 <= age <= 130)) \
                        or (capacity is not False and capacity is not True):
                    raise _Slow
                data = req["data"]
                if data.__class__ is not list or not data:
                    raise _Slow
                fdata = frozenset(data)
                recipient = req["recipient"]
                if not fdata <= data_words or not recipient.keys() <= RECIPIENT_FIELDS:
                    raise _Slow
                rkind = recipient["kind"]
                rel = recipient.get("relationship_to_subject")
                purpose = req.get("purpose")
                if rkind not in recipients or (rel is not None and rel not in relationships) \
                        or (purpose is not None and purpose not in purposes):
                    raise _Slow
                consent = req.get("consent")
                cinfo = consent_by_role.get(role, consent_info) if consent_by_role else consent_info
                if consent is None:
                    ctuple = _CONSENT_DEFAULT
                    valid, pkey, creasons, verbal = cinfo[_CONSENT_DEFAULT][capacity]
                else:
                    if not consent.keys() <= CONSENT_FIELDS:
                        raise _Slow
                    ctuple = (consent.get("status", "not_sought"), consent.get("explicit", False),
                              consent.get("written", False), consent.get("covers_recipient", False),
                              consent.get("covers_data", False))
                    if not (ctuple[1] is True or ctuple[1] is False) \
                            or not (ctuple[2] is True or ctuple[2] is False) \
                            or not (ctuple[3] is True or ctuple[3] is False) \
                            or not (ctuple[4] is True or ctuple[4] is False):
                        raise _Slow
                    valid, pkey, creasons, verbal = cinfo[ctuple][capacity]  # an unknown status: KeyError
                grounds = req.get("grounds")
                if grounds is None:
                    grounds = _EMPTY
                elif grounds.__class__ is not list:
                    raise _Slow
                else:
                    grounds = frozenset(grounds)
                    if not grounds <= grounds_words:
                        raise _Slow
                channel = req.get("channel")
                verified = req.get("requester_identity_verified", False)
                anon = req.get("anonymised", False)
                if (channel is not None and channel not in channels) \
                        or (verified is not False and verified is not True) or (anon is not False and anon is not True):
                    raise _Slow
                requester = req.get("requester")
                if requester is None:
                    qrole = None
                else:
                    if not requester.keys() <= DISCLOSE_REQUESTER_FIELDS:
                        raise _Slow
                    qrole = requester["role"]
                    if qrole.__class__ is not str:
                        raise _Slow
                    mq = req_t[qrole]  # a role outside the pack: KeyError
            except (_Slow, KeyError, TypeError, AttributeError):
                return slow(req)
            if cache_size:
                key = (role, service, age, capacity, fdata, rkind, rel, purpose, ctuple, grounds, channel,
                       verified, anon, valid, verbal, qrole)
                t = cache_get(key)
                if t is not None:
                    return t.copy()
            # The request is valid: evaluate it. m: the rules whose `when` holds (low bits) and whose
            # `unless` holds (high bits).
            m = role_t[role] & rec_t[rkind] & svc_t[service] & rel_t[rel] & pur_t[purpose] & ch_t[channel] \
                & valid_t[valid + verbal] & anon_t[anon] & ver_t[verified] & (req_t[None] if qrole is None else mq)
            x = data_nc
            for word in fdata:
                x |= data_t[word]
            m &= x
            if only_used:
                for word in fdata:
                    m &= only_t[word]
            x = gr_nc
            for word in grounds:
                x |= gr_t[word]
            m &= x
            if gonly_used:
                for word in grounds:
                    m &= gonly_t[word]
            if ages:
                x = age_nc
                if age is not None:
                    for bit, limit in ages:
                        if age < limit:
                            x |= bit
                m &= x
            denies = m & prohib_mask & ~(m >> n)
            if denies:
                t = deny_templates.get(denies)
                if t is None:
                    t = deny_templates[denies] = _template(
                        deny_answer([rule for i, rule in enumerate(rules) if denies >> i & 1]))
            else:
                permits = m & rule_mask
                if not permits:
                    x = m & refusal_mask
                    t = default_for(None if valid or anon else pkey, () if anon else creasons, grounds, rkind,
                                    (x & -x).bit_length() - 1 - refusal_start if x else None)
                else:
                    x = (permits & permit_mask) or permits
                    t = permit_for(rules[(x & -x).bit_length() - 1], anon, fdata, role, grounds)
            x = m & always_mask
            if x:
                t = with_always(t, x)
            if cache_size:
                if len(cache) >= cache_size:
                    cache.clear()
                cache[key] = t
            return t.copy()
        return fast_disclose

    def _make_fast_access(self) -> Callable[[dict[str, Any]], Answer]:
        """The fast path for `access`, as a closure (the same checks as `_access_slow`, the same
        evaluation as `_decide_access`); anything it is not sure of goes to `_access_slow`."""
        roles, access_kinds, services, purposes = self._roles, self._access_kinds, self._services, self._purposes
        role_services = self._role_services
        t = self._aw
        role_t, assigned_t, same_t, own_t = t["role"], t["assigned"], t["same_team"], t["own_service"]
        pur_get, pur_d = t["purpose"][0].get, t["purpose"][1]
        kind_get, kind_d = t["record_kind"][0].get, t["record_kind"][1]
        svc_get, svc_d = t["service"][0].get, t["service"][1]
        permit_mask, grants = self._a_permit_mask, self._a_grants
        preamble, access_answer = self._access_preamble, self._access_answer
        trustees_refused = self._trustees_refused
        slow = self._access_slow
        cache_size = self._cache_size
        cache = self._caches["access"]
        cache_get = cache.get

        def fast_access(req: dict[str, Any]) -> Answer:
            try:
                actor = req["actor"]
                record = req["record"]
                if not (req.keys() <= ACCESS_FIELDS and actor.keys() <= ACTOR_FIELDS
                        and record.keys() <= RECORD_FIELDS):
                    raise _Slow
                role = actor["role"]
                ateam = actor.get("team")
                assigned = actor.get("assigned_to_case", False)
                kind = record["kind"]
                service = record.get("service")
                rteam = record.get("team")
                sealed = record.get("sealed", False)
                purpose = req.get("purpose")
                if role not in roles or kind not in access_kinds \
                        or (service is not None and service not in services) \
                        or (purpose is not None and purpose not in purposes) \
                        or (assigned is not False and assigned is not True) \
                        or (sealed is not False and sealed is not True) \
                        or (ateam is not None and ateam.__class__ is not str) \
                        or (rteam is not None and rteam.__class__ is not str):
                    raise _Slow
            except (_Slow, KeyError, TypeError, AttributeError):
                return slow(req)
            served = role_services[role]
            same_team = ateam is not None and ateam == rteam
            own = service is None or not served or service in served
            key = (role, same_team, assigned, kind, service, sealed, purpose, own)
            if cache_size:
                t = cache_get(key)
                if t is not None:
                    return t.copy()
            if sealed or role in trustees_refused:
                t = preamble(key)
            else:
                m = role_t[role] & assigned_t[assigned] & same_t[same_team] & own_t[own] & pur_get(purpose, pur_d) \
                    & kind_get(kind, kind_d) & svc_get(service, svc_d)
                if m:
                    x = (m & permit_mask) or m
                    t = access_answer(grants[(x & -x).bit_length() - 1], key)
                else:
                    t = access_answer(None, key)
            if cache_size:
                if len(cache) >= cache_size:
                    cache.clear()
                cache[key] = t
            return t.copy()
        return fast_access

    def _subject_access(self, req: dict[str, Any]) -> Answer:
        return self._subject_access_slow(req)

    def _retain(self, req: dict[str, Any]) -> Answer:
        return self._retain_slow(req)

"""Requests: what a well-formed question to the engine is, and its normal form.

Strict, one-pass validation of the four requests of the contract (`disclose`, `access`,
`subject_access`, `retain`): an unknown field, a wrong type or a word outside the pack's vocabulary
raises `RequestError` naming the field, and a field left out takes the least permissive value. A
valid request becomes a tuple of plain values (for `disclose` indexed by the `D_*` names, for
`access` by the `A_*` names), which is what both evaluators read (`reference.py`, `fast.py`) and
what the decision cache is keyed by.

The `*_key(pack, request)` functions read only the compiled pack's vocabulary sets and, for
consent, `pack._consent_valid` (the pack's reading of valid consent); they never decide anything.
The fast paths in `fast.py` repeat these checks inline for speed and hand anything they are not sure
of to these functions, so an error message always comes from here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any, overload

from . import dates
from .errors import RequestError

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


@overload
def _date(value: Any, name: str) -> dt.date: ...
@overload
def _date(value: Any, name: str, *, optional: bool) -> dt.date | None: ...
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


# --- the request as a tuple ----------------------------------------------------------------------
# A disclosure request becomes this tuple (its index names are the D_* constants):
D_ROLE, D_SERVICE, D_AGE, D_CAPACITY, D_DATA, D_RECIPIENT, D_RELATIONSHIP, D_PURPOSE, D_CONSENT, D_GROUNDS, \
    D_CHANNEL, D_VERIFIED, D_ANON, D_VALID, D_VERBAL, D_REQUESTER = range(16)
# D_VALID: consent meets every requirement; D_VERBAL: it meets every requirement but being in
# writing (so D_VALID implies D_VERBAL); D_REQUESTER: the requester's pack role, or None.
# An access request becomes (role, same_team, assigned, record_kind, service, sealed, purpose, own_service).
A_ROLE, A_SAME_TEAM, A_ASSIGNED, A_KIND, A_SERVICE, A_SEALED, A_PURPOSE, A_OWN_SERVICE = range(8)


def _plain(*, role: str | None = None, data: frozenset[str] = _EMPTY, grounds: frozenset[str] = _EMPTY,
           anon: bool = False, valid: bool = False) -> tuple:
    """A disclosure tuple with the least permissive value in every other field, for building the
    pieces of answers that depend only on these."""
    return (role, None, None, False, data, None, None, None, _CONSENT_DEFAULT, grounds, None, False, anon, valid,
            valid, None)


# --- normal forms ----------------------------------------------------------------------------------
def disclose_key(pack: Any, req: dict[str, Any]) -> tuple:
    """A `disclose` request, validated, as the D_* tuple."""
    for k in req:
        if k not in DISCLOSE_FIELDS:
            raise _unknown("", k, DISCLOSE_FIELDS)
    subject = req.get("subject")
    subject = _object(subject, "subject", SUBJECT_FIELDS, "required; expected an object with at least 'role'")
    role = _word(subject.get("role"), "subject.role", pack._subject_roles, "subject role")
    service = subject.get("service")
    if service is not None:
        _word(service, "subject.service", pack._services, "service")
    age = subject.get("age")
    if age is not None and (age.__class__ is not int or age < 0 or age > 130):
        raise RequestError("subject.age", f"expected a whole number of years from 0 to 130, found {_show(age)}")
    capacity = subject.get("has_capacity", False)
    if capacity is not False:
        _bool(capacity, "subject.has_capacity")
    if "data" not in req:
        raise RequestError("data", "required; expected a non-empty list of data categories")
    data = _words(req["data"], "data", pack._data, "data category")
    if not data:
        raise RequestError("data", "expected a non-empty list of data categories")
    recipient = req.get("recipient")
    recipient = _object(recipient, "recipient", RECIPIENT_FIELDS, "required; expected an object with at least 'kind'")
    rkind = _word(recipient.get("kind"), "recipient.kind", pack._recipients, "recipient kind")
    rel = recipient.get("relationship_to_subject")
    if rel is not None:
        _word(rel, "recipient.relationship_to_subject", pack._relationships, "relationship")
    purpose = req.get("purpose")
    if purpose is not None:
        _word(purpose, "purpose", pack._purposes, "purpose")
    consent = req.get("consent")
    if consent is None:
        ctuple = _CONSENT_DEFAULT
    else:
        consent = _object(consent, "consent", CONSENT_FIELDS, "expected an object, found {found}")
        ctuple = (
            _word(consent.get("status", "not_sought"), "consent.status", pack._statuses, "consent status"),
            _bool(consent.get("explicit", False), "consent.explicit"),
            _bool(consent.get("written", False), "consent.written"),
            _bool(consent.get("covers_recipient", False), "consent.covers_recipient"),
            _bool(consent.get("covers_data", False), "consent.covers_data"),
        )
    grounds = req.get("grounds")
    grounds = frozenset() if grounds is None else _words(grounds, "grounds", pack._grounds, "ground")
    channel = req.get("channel")
    if channel is not None:
        _word(channel, "channel", pack._channels, "channel")
    verified = req.get("requester_identity_verified", False)
    if verified is not False:
        _bool(verified, "requester_identity_verified")
    anon = req.get("anonymised", False)
    if anon is not False:
        _bool(anon, "anonymised")
    requester = req.get("requester")
    qrole = None
    if requester is not None:
        requester = _object(requester, "requester", DISCLOSE_REQUESTER_FIELDS, "expected an object with 'role', found {found}")
        qrole = _word(requester.get("role"), "requester.role", pack._roles, "role")
    key = (role, service, age, capacity, data, rkind, rel, purpose, ctuple, grounds, channel, verified, anon,
           pack._consent_valid(ctuple, capacity, role), pack._consent_valid(ctuple, capacity, role, _UNWRITTEN),
           qrole)
    return key


def access_key(pack: Any, req: dict[str, Any]) -> tuple:
    """An `access` request, validated, as the A_* tuple."""
    for k in req:
        if k not in ACCESS_FIELDS:
            raise _unknown("", k, ACCESS_FIELDS)
    actor = req.get("actor")
    actor = _object(actor, "actor", ACTOR_FIELDS, "required; expected an object with at least 'role'")
    role = _word(actor.get("role"), "actor.role", pack._roles, "role")
    ateam = _opt_text(actor.get("team"), "actor.team")
    assigned = actor.get("assigned_to_case", False)
    if assigned is not False:
        _bool(assigned, "actor.assigned_to_case")
    record = req.get("record")
    record = _object(record, "record", RECORD_FIELDS, "required; expected an object with at least 'kind'")
    kind = _word(record.get("kind"), "record.kind", pack._access_kinds, "record kind")
    service = record.get("service")
    if service is not None:
        _word(service, "record.service", pack._services, "service")
    rteam = _opt_text(record.get("team"), "record.team")
    sealed = record.get("sealed", False)
    if sealed is not False:
        _bool(sealed, "record.sealed")
    purpose = req.get("purpose")
    if purpose is not None:
        _word(purpose, "purpose", pack._purposes, "purpose")
    served = pack._role_services[role]
    key = (role, ateam is not None and ateam == rteam, assigned, kind, service, sealed, purpose,
           service is None or not served or service in served)
    return key


def subject_access_key(pack: Any, req: dict[str, Any]) -> tuple:
    """A `subject_access` request, validated: (received_on, role, service, record_contains, clock)."""
    for k in req:
        if k not in SAR_FIELDS:
            raise _unknown("", k, SAR_FIELDS)
    if "received_on" not in req:
        raise RequestError("received_on", "required; expected a date as YYYY-MM-DD")
    received = _date(req["received_on"], "received_on")
    requester = req.get("requester")
    requester = _object(requester, "requester", REQUESTER_FIELDS, "required; expected an object with at least 'role'")
    role = _word(requester.get("role"), "requester.role", pack._subject_roles, "subject role")
    service = requester.get("service")
    if service is not None:
        _word(service, "requester.service", pack._services, "service")
    contains = req.get("record_contains")
    contains = frozenset() if contains is None else _words(contains, "record_contains", pack._record_contents,
                                                           "record content")
    key = (received, role, service, contains, _sar_clock_fields(req, received))
    return key


def retain_key(pack: Any, req: dict[str, Any]) -> tuple:
    """A `retain` request, validated: (kind, service, closed_on, flags)."""
    for k in req:
        if k not in RETAIN_FIELDS:
            raise _unknown("", k, RETAIN_FIELDS)
    record = req.get("record")
    record = _object(record, "record", RETAIN_RECORD_FIELDS, "required; expected an object with at least 'kind'")
    kind = _word(record.get("kind"), "record.kind", pack._record_kinds, "record kind")
    service = record.get("service")
    if service is not None:
        _word(service, "record.service", pack._services, "service")
    closed = _date(record.get("closed_on"), "record.closed_on", optional=True)
    flags = record.get("flags")
    flags = frozenset() if flags is None else _words(flags, "record.flags", pack._record_flags, "record flag")
    key = (kind, service, closed, flags)
    return key


# --- the subject-access clock's fields (what they mean: `reference._sar_clock_answer`) -------------
_MAX_CLARIFICATIONS = 50


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
        c = _object(c, name, CLARIFICATION_FIELDS, "expected an object with asked_on and answered_on, found {found}")
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
        ext = _object(ext, "extension", EXTENSION_FIELDS, "expected an object with months, reason and told_on, found {found}")
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

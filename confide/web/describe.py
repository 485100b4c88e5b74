"""Plain-English labels for codes shown on pages."""

from __future__ import annotations

import json
from collections.abc import Mapping

from confide.accounts.models import current_policy
from confide.audit.actions import KNOWN, Action
from confide.policy import vocab
from confide.policy.loader import load_pack, pack_names

# Events with no signed-in person behind them: the recipient of a secure link, or Confide itself.
NOBODY = {"disclosure.link_opened": "The recipient (secure link)",
          "disclosure.link_opened.refused": "Someone with a link",
          "disclosure.downloaded": "The recipient (secure link)",
          "disclosure.downloaded.refused": "Someone with a link"}
_PURPOSE_WORDS = {
    "direct_support": "Working with the client",
    "supervision": "Supervision",
    "cover": "Covering for a colleague",
    "advice": "Giving advice on the case",
    "audit": "Checking who has looked at the file",
    "quality_assurance": "Quality assurance",
    "case_management": "Case management meeting",
    "child_protection": "Child protection",
    "risk_management": "Managing risk",
    "emergency": "An emergency",
    "subject_access": "Compiling a subject access request",
    "safeguarding": "Safeguarding",
    "referral": "Making a referral",
    "liaison": "Working with another agency",
    "court_report": "Writing a report for a court",
    "statistics": "Statistics",
    "research": "Research",
    "complaint": "Looking into a complaint",
    "line_management": "Line management",
    "payroll": "Payroll",
}


class _Purposes(Mapping):
    """Every purpose a page may name, core or the organisation's pack's own, in words. A mapping, so
    that `PURPOSES.get(purpose, purpose)` gives the words for any purpose the pack knows (and the
    code itself only for a word no pack has, which the pages refuse before they show it)."""

    def __getitem__(self, code: str) -> str:
        if code in _PURPOSE_WORDS:
            return _PURPOSE_WORDS[code]
        if code in _pack().purposes:
            return word(code)
        raise KeyError(code)

    def __iter__(self):
        return iter(_PURPOSE_WORDS)

    def __len__(self) -> int:
        return len(_PURPOSE_WORDS)


PURPOSES = _Purposes()


def _pack():
    return current_policy()


def word(code: str | None) -> str:
    """Any stored word of the policy vocabulary (a recipient kind, grounds, a channel, a data category,
    an obligation, a subject role, a service, a role, a purpose) as a page shows it: the pack's own
    label first, then Confide's words, begun with a capital. Nothing becomes a code on a page: a word
    nobody knows is shown with its underscores as spaces."""
    if not code:
        return ""
    if code in _PURPOSE_WORDS:
        return _PURPOSE_WORDS[code]
    return vocab.pack_word(_pack(), code) or vocab.heading(code)


def purpose(code: str | None) -> str:
    """A purpose in words ("child_protection" as "Child protection")."""
    return word(code) if code else "Not stated"


def pack_title(name: str | None) -> str:
    """A policy pack by its title ("dvip" as "Domestic Violence Intervention Project"), as a decision
    or a consent form recorded it; a pack no longer built in is shown by its name in words."""
    if not name:
        return ""
    current = _pack()
    if name == current.name:
        return current.title
    return load_pack(name).title if name in pack_names() else vocab.heading(name)


def words(codes) -> str:
    """Several words of the vocabulary, in words, separated by commas."""
    return ", ".join(word(c) for c in codes or ())


def action_label(action: str) -> str:
    """The label of an audit action; an old one no longer in the vocabulary is shown as its code,
    in words ("case.old_thing" as "Case old thing"), never an error."""
    if action in KNOWN:
        return Action(action).label
    words = action.replace(".", " ").replace("_", " ").strip()
    return words[:1].upper() + words[1:] if words else "Unknown action"


def role(name: str) -> str:
    found = current_policy().roles.get(name)
    return found.label if found is not None else name


def service(name: str) -> str:
    found = current_policy().services.get(name)
    return found.label if found is not None else name


def _local_day(moment) -> str:
    """3 December 2026, the day in local time."""
    from django.utils import timezone

    day = timezone.localtime(moment)
    return f"{day.day} {day:%B} {day.year:04d}"


def access_row(event, user, times: int = 1) -> dict:
    """A row of the record of access; `times` > 1 for one person's views of the record of access on
    one day, shown as one row at the newest of them."""
    detail = json.loads(event.detail or "{}")
    role_then = detail.get("role")
    roles = current_policy().roles
    role = roles[role_then].label if role_then in roles else (user.role_label if user else "")
    return {
        "at": event.at,
        "who": (user.get_full_name() or user.get_username()) if user else
        (event.actor or NOBODY.get(event.action, "Confide")),
        "role": role,  # the role at the time, as the event recorded it
        "what": action_label(event.action) if times <= 1 else
        f"{action_label(event.action)} {times} times on {_local_day(event.at)}",
        "times": times,
        "why": purpose(event.purpose),
        "clauses": ", ".join(c for c in detail.get("clauses", []) if c),
        "refused": event.action.endswith(".refused"),
    }

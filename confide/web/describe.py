"""Plain-English labels for codes shown on pages."""

from __future__ import annotations

import json

from confide.accounts.models import current_policy
from confide.audit.actions import KNOWN, Action
from confide.policy import vocab

# Events with no signed-in person behind them: the recipient of a secure link, or Confide itself.
NOBODY = {"disclosure.link_opened": "The recipient (secure link)",
          "disclosure.link_opened.refused": "Someone with a link",
          "disclosure.downloaded": "The recipient (secure link)",
          "disclosure.downloaded.refused": "Someone with a link"}
PURPOSES = {
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
}


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


def access_row(event, user) -> dict:
    detail = json.loads(event.detail or "{}")
    role_then = detail.get("role")
    roles = current_policy().roles
    role = roles[role_then].label if role_then in roles else (user.role_label if user else "")
    return {
        "at": event.at,
        "who": (user.get_full_name() or user.get_username()) if user else
        (event.actor or NOBODY.get(event.action, "Confide")),
        "role": role,  # the role at the time, as the event recorded it
        "what": action_label(event.action),
        "why": PURPOSES.get(event.purpose) or (vocab.label(event.purpose).capitalize() if event.purpose else "Not stated"),
        "clauses": ", ".join(c for c in detail.get("clauses", []) if c),
        "refused": event.action.endswith(".refused"),
    }

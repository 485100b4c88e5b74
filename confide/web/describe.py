"""Plain-English labels for codes shown on pages."""

from __future__ import annotations

import json

from confide.accounts.models import current_policy

ACTIONS = {
    "client.read": "Opened the client's file",
    "client.read.refused": "Tried to open the client's file: refused",
    "client.record_of_access": "Viewed this record of access",
    "client.record_of_access.refused": "Tried to view this record of access: refused",
    "note.added": "Added a note",
}
PURPOSES = {
    "direct_support": "Working with the client",
    "supervision": "Supervision",
    "cover": "Covering for a colleague",
    "advice": "Giving advice on the case",
    "audit": "Checking who has looked at the file",
    "quality_assurance": "Quality assurance",
}


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
        "who": (user.get_full_name() or user.get_username()) if user else (event.actor or "Unknown"),
        "role": role,  # the role at the time, as the event recorded it
        "what": ACTIONS.get(event.action, event.action),
        "why": PURPOSES.get(event.purpose, event.purpose or "Not stated"),
        "clauses": ", ".join(c for c in detail.get("clauses", []) if c),
        "refused": event.action.endswith(".refused"),
    }

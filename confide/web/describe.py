"""Plain-English labels for codes shown on pages."""

from __future__ import annotations

import json

from confide.accounts.models import current_policy

ACTIONS = {
    "client.read": "Opened the client's file",
    "client.read.refused": "Tried to open the client's file: refused",
    "client.record_of_access": "Viewed this record of access",
    "client.record_of_access.refused": "Tried to view this record of access: refused",
    "client.open_outside": "Opened the file outside their own cases, for a stated purpose",
    "client.open_outside.refused": "Tried to open the file outside their own cases: refused",
    "client.break_glass": "Broke the glass: opened the file with a stated reason (flagged for review)",
    "client.people": "Viewed the people around the client",
    "client.people.refused": "Tried to view the people around the client: refused",
    "client.safe_contact": "Viewed the safe contact details",
    "client.safe_contact.refused": "Tried to view the safe contact details: refused",
    "case.write": "Opened a case to add to it",
    "case.write.refused": "Tried to add to a case: refused",
    "document.download": "Downloaded a document",
    "document.download.refused": "Tried to download a document: refused",
    "document.download.file": "Opened the file to download a document",
    "document.download.file.refused": "Tried to download a document: refused",
    "note.added": "Added a note",
    "case.referral_taken": "Took the referral",
    "case.changed": "Changed the case's stage or flags",
    "risk_assessment.added": "Added a risk assessment",
    "document.added": "Uploaded a document",
    "person.added": "Added someone to the client's file",
    "safe_contact.updated": "Changed the safe contact details",
    "safe_contact.confirmed": "Confirmed the safe contact details are still safe",
    "break_glass.read": "Reviewed a break-glass opening of this file",
    "break_glass.reviewed": "Recorded the review of a break-glass opening",
    "clients.listed": "Listed clients",
}
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
        "who": (user.get_full_name() or user.get_username()) if user else (event.actor or "Unknown"),
        "role": role,  # the role at the time, as the event recorded it
        "what": ACTIONS.get(event.action, event.action),
        "why": PURPOSES.get(event.purpose, event.purpose or "Not stated"),
        "clauses": ", ".join(c for c in detail.get("clauses", []) if c),
        "refused": event.action.endswith(".refused"),
    }

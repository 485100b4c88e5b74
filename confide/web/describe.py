"""Plain-English labels for codes shown on pages."""

from __future__ import annotations

import json

from confide.accounts.models import current_policy
from confide.policy import vocab

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
    "client.sharing": "Viewed the client's consents and requests to share",
    "client.sharing.refused": "Tried to view the client's consents and requests to share: refused",
    "client.sharing.write": "Opened the file to record consent or ask to share",
    "client.sharing.write.refused": "Tried to record consent or ask to share: refused",
    "consent.recorded": "Recorded the client's consent",
    "consent.withdrawn": "Recorded that the client withdrew consent",
    "consent.read": "Viewed a consent",
    "consent.read.refused": "Tried to view a consent: refused",
    "consent.write": "Opened a consent to withdraw it",
    "consent.write.refused": "Tried to change a consent: refused",
    "client.limits": "Viewed the statement of the limits of confidentiality",
    "client.limits.refused": "Tried to view the statement of the limits of confidentiality: refused",
    "limits.record": "Opened the file to record that the client was told the limits of confidentiality",
    "limits.record.refused": "Tried to record that the client was told the limits of confidentiality: refused",
    "limits.recorded": "Recorded that the client was told the limits of confidentiality",
    "limits.read": "Viewed the signed statement of the limits of confidentiality",
    "limits.read.refused": "Tried to view the signed statement of the limits of confidentiality: refused",
    "client.support_consent": "Viewed the client's consent to support",
    "client.support_consent.refused": "Tried to view the client's consent to support: refused",
    "support_consent.record": "Opened the file to record consent to support",
    "support_consent.record.refused": "Tried to record consent to support: refused",
    "support_consent.recorded": "Recorded the client's consent to support",
    "disclosure.requested": "Asked to share information (the policy's answer is recorded with it)",
    "disclosure.refused_by_policy": "Asked to share information: refused by the policy, and the refusal recorded",
    "disclosure.read": "Viewed a request to share",
    "disclosure.read.refused": "Tried to view a request to share: refused",
    "disclosure.write": "Opened a request to share to send it",
    "disclosure.write.refused": "Tried to send a request to share: refused",
    "disclosure.approval_view": "Read a request to share, to decide on it",
    "disclosure.approved": "Approved a request to share",
    "disclosure.declined": "Did not approve a request to share",
    "disclosure.step_recorded": "Recorded a step the policy requires before sending (or why it was skipped)",
    "disclosure.sent": "Recorded that the information was sent",
    "disclosure.link_made": "Made a secure link for the recipient",
    "disclosure.link_revoked": "Stopped a secure link",
    "disclosure.link_opened": "The recipient opened the secure link",
    "disclosure.link_opened.refused": "Someone tried a secure link that no longer works",
    "disclosure.downloaded": "Downloaded through a secure link by the recipient",
    "disclosure.downloaded.refused": "Someone tried to download through a secure link: refused",
    "disclosure.stopped": "Stopped a request to share: the consent it relied on ended",
    "tasks.created": "Tasks made from the policy's obligations",
    "task.created": "A task the policy requires was made",
    "task.read": "Opened a task",
    "task.finished": "Recorded a task done",
    "request.logged": "Logged a request for information from outside",
    "request.called_back": "Called the person asking back on a known number",
    "request.read": "Viewed a request for information from outside",
    "request.read.refused": "Tried to view a request for information: refused",
    "request.write": "Opened a request for information to record the call back",
    "request.write.refused": "Tried to record a call back: refused",
    "report.made": "Reported something the policy says must be passed on",
    "consents.expiring_listed": "Saw the reminder of consents about to end",
    "approvals.listed": "Listed requests waiting for approval",
    "tasks.listed": "Listed their tasks",
    "consent_form.version_created": "A new version of a consent form's wording was stored",
}
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
        "what": ACTIONS.get(event.action, event.action),
        "why": PURPOSES.get(event.purpose) or (vocab.label(event.purpose).capitalize() if event.purpose else "Not stated"),
        "clauses": ", ".join(c for c in detail.get("clauses", []) if c),
        "refused": event.action.endswith(".refused"),
    }

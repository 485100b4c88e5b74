"""The disclosure workflow: "may I share this?" asked of the engine with everything it needs, the
answer stored whole, approvals by the people the pack names, delivery, and the tasks left behind.

Every step is one do_* function that writes its audit event in the same transaction. A refusal is
recorded as carefully as a permit (Derbyshire: "always record the reasons for your decision,
whether it is to share information or not").
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json
import secrets
from dataclasses import dataclass

from django.conf import settings
from django.contrib.auth import get_user_model
from django.db import transaction
from django.urls import reverse
from django.utils import timezone

from confide.accounts.services import do_check_password, do_check_second_factor
from confide.audit.actions import Action
from confide.audit.models import AuditEvent
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.notices.models import Notice
from confide.notices.services import notify
from confide.partners.directory import agreement_check
from confide.policy import RequestError, vocab
from confide.policy import approvals as approval_rules
from confide.policy import steps as step_rules
from confide.policy.reasons import check_reason
from confide.records.identity import age_on, years_between
from confide.records.models import Entry, RelatedPerson
from confide.sharing import tasks
from confide.sharing.consent import consent_for
from confide.sharing.incoming import callback_number
from confide.sharing.models import Approval, Disclosure, DisclosureStep, SecureLink
from confide.sharing.stopping import PENDING, do_move_disclosure, do_stop_disclosures, still_permitted

# Someone on the client's file, as the kind of recipient the contract knows.
PERSON_RECIPIENT = {
    RelatedPerson.Relationship.PARTNER: "partner", RelatedPerson.Relationship.EX_PARTNER: "ex_partner",
    RelatedPerson.Relationship.CHILD: "family_member", RelatedPerson.Relationship.FAMILY: "family_member",
    RelatedPerson.Relationship.FRIEND: "public", RelatedPerson.Relationship.AGENCY_CONTACT: "partner_agency",
    RelatedPerson.Relationship.OTHER: "public",
}
# Channels on which the disclosure is made by Confide itself; the rest are recorded when done.
RECORDED_CHANNELS = ("phone", "post", "in_person", "email", "secure_email", "fax")


class DisclosureError(ConfideError, ValueError):
    """A request that cannot be made as given; the message says why, `field` which part."""

    code = "disclosure_invalid"


class NotAllowed(ConfideError, PermissionError):
    """This person may not take this step (now); the message says why, in plain words."""

    code = "not_allowed"
    status = 403


class IdentityNotConfirmed(ConfideError, PermissionError):
    """The password or code given to confirm an approval was wrong (or the account is now locked).
    `outcome` is what the check said ("wrong", "locked", ...)."""

    code = "identity_not_confirmed"
    status = 403

    def __init__(self, outcome: str):
        super().__init__("That was not right. Enter your password, or a new code from your app.", field="secret",
                         code="locked_out" if outcome == "locked" else None)
        self.outcome = outcome


@dataclass
class Recipient:
    """To whom: a named person at a partner agency, an agency, someone on the client's file, or
    someone else (a kind of recipient and a name)."""

    kind: str
    agency: object | None = None   # partners.Agency
    contact: object | None = None  # partners.AgencyContact
    person: RelatedPerson | None = None
    name: str = ""
    relationship: str = ""


@dataclass
class Asked:
    recipient: Recipient
    entries: list[Entry]
    purpose: str
    channel: str
    grounds: list[str]
    reason: str
    identity_verified: bool = False
    incoming: object | None = None  # sharing.IncomingRequest
    callback_number: str = ""  # the known number called back on, where identity_verified (JustUs 3.3)
    # The identifying details to put on what is sent (minimum necessary: only if the purpose needs
    # them). Without them the recipient sees the client's number only.
    include_name: bool = False
    include_date_of_birth: bool = False


def _age(client) -> int | None:
    """The client's age for the engine (None: no date of birth). A date of birth nobody alive could
    have (in the future, or more than 120 years ago) is never guessed past: the policy's answer may
    turn on the client's age (a child's consent, a young person's safeguarding), so the request stops
    with a plain sentence and the file offers the correction (issue 13)."""
    born = client.date_of_birth
    if born is None:
        return None
    if age_on(born, timezone.localdate()) is None:
        raise DisclosureError(IMPOSSIBLE_AGE)
    return years_between(born, timezone.localdate())


IMPOSSIBLE_AGE = ("The client's date of birth on their file cannot be right (it is in the future, or more than "
                  "120 years ago), and the policy's answer can depend on their age, so it cannot be asked. Have "
                  "the date of birth corrected on their file, then ask again.")


def data_of(entries: list[Entry]) -> list[str]:
    """The kinds of information in these entries; an entry about someone else adds third-party data."""
    data: set[str] = set()
    for entry in entries:
        data.update(entry.categories)
        if entry.about_people.exists():
            data.add("third_party")
    return sorted(data)


def build_request(client, case, recipient: Recipient, data: list[str], purpose: str, channel: str,
                  grounds: list[str], identity_verified: bool, consent_contract: dict,
                  requester_role: str | None = None) -> dict:
    """The engine's `disclose` request (policy contract, section 1) for this disclosure, with who asks
    (their role in the pack: Home-Start 7.2, only the organiser talks to the referrer)."""
    subject = {"role": client.subject_role, "service": case.service}
    age = _age(client)
    if age is not None:
        subject["age"] = age
    if consent_contract.get("status") == "given":
        subject["has_capacity"] = True  # recorded with the consent (JustUs 5.2): capacity was checked then
    request = {"action": "disclose", "subject": subject, "data": list(data),
               "recipient": {"kind": recipient.kind,
                             "relationship_to_subject": recipient.relationship or None},
               "purpose": purpose, "consent": consent_contract, "grounds": list(grounds), "channel": channel,
               "requester_identity_verified": bool(identity_verified), "anonymised": False}
    if requester_role:
        request["requester"] = {"role": requester_role}
    return request


def _check(pack, grant, asked: Asked) -> None:
    words = pack.spec.vocab
    if not asked.entries:
        raise DisclosureError("choose what to share: nothing is chosen until you choose it", field="entries")
    readable = {entry.pk for entry in grant.entries(limit=10_000) if grant.may_open(entry)}
    if any(entry.pk not in readable for entry in asked.entries):
        raise DisclosureError("you can only share entries you can read on this file", field="entries")
    if asked.recipient.kind not in words["recipient_kinds"]:
        raise DisclosureError(f"not a kind of recipient Confide knows: {asked.recipient.kind}", field="recipient")
    if asked.purpose not in words["purposes"]:
        raise DisclosureError(f"not a purpose Confide knows: {asked.purpose}", field="purpose")
    if asked.channel not in words["channels"]:
        raise DisclosureError(f"not a way of sending Confide knows: {asked.channel}", field="channel")
    unknown = set(asked.grounds) - words["grounds"]
    if unknown:
        raise DisclosureError(f"not grounds Confide knows: {', '.join(sorted(unknown))}", field="grounds")
    check_reason(asked.reason, "reason", what="write your reasons, which are kept whichever way the decision goes",
                 error=DisclosureError)
    if asked.recipient.contact is not None and asked.recipient.contact.agency_id != getattr(asked.recipient.agency, "pk", None):
        raise DisclosureError("that person is not at that agency", field="recipient")
    if asked.recipient.person is not None and asked.recipient.person.client_id != grant.client.pk:
        raise DisclosureError("that person is not on this client's file", field="recipient")


def do_request_disclosure(user, pack, grant, case, asked: Asked) -> Disclosure:
    """Ask the engine whether this may go, and record the request and its whole answer, whatever it
    is: refused (final where the pack says so), waiting for approval, or ready to send."""
    if case.client_id != grant.client.pk or case not in grant.cases:
        raise DisclosureError("that case is not one of this client's cases you can work on", field="case")
    _check(pack, grant, asked)
    recipient = asked.recipient
    number = ""
    if asked.identity_verified and asked.callback_number.strip():
        number, problem = callback_number(asked.callback_number, recipient.agency)
        if problem:
            raise DisclosureError(problem, field="callback_number")
    data = data_of(asked.entries)
    found = consent_for(grant.client, recipient_kind=recipient.kind,
                        agency_id=getattr(recipient.agency, "pk", None), data=set(data), purpose=asked.purpose)
    identity_verified = asked.identity_verified or bool(asked.incoming is not None and asked.incoming.verified == "confirmed")
    request = build_request(grant.client, case, recipient, data, asked.purpose, asked.channel, asked.grounds,
                            identity_verified, found.contract, user.role if user.role in pack.roles else None)
    try:
        answer = pack.decide(request)
    except RequestError as error:
        if error.field != "subject.age":
            raise
        # Issue 13: an age the engine takes no answer for. Nothing is recorded.
        raise DisclosureError(IMPOSSIBLE_AGE) from None
    check = None
    if recipient.agency is not None:
        check = agreement_check(recipient.contact or recipient.agency, set(data), asked.purpose, timezone.localdate())
    status = {"deny": Disclosure.Status.REFUSED, "permit_if_approved": Disclosure.Status.AWAITING_APPROVAL,
              "permit": Disclosure.Status.READY}[answer["decision"]]
    with transaction.atomic(durable=True):
        disclosure = Disclosure(
            client=grant.client, case=case, requested_by=user, requester_role=user.role, recipient_kind=recipient.kind,
            relationship=recipient.relationship, agency=recipient.agency, contact=recipient.contact,
            related_person=recipient.person, data=data, purpose=asked.purpose, channel=asked.channel,
            include_name=bool(asked.include_name), include_date_of_birth=bool(asked.include_date_of_birth),
            grounds=sorted(set(asked.grounds)), identity_verified=identity_verified, consent=found.consent,
            request=request, answer=answer, decision=answer["decision"], final=bool(answer.get("final")),
            agreement=check.agreement if check else None, agreement_problems=list(check.problems) if check else [],
            before_sending=step_rules.required(pack, request, answer), status=status)
        disclosure.reason = asked.reason.strip()
        if recipient.name.strip():
            disclosure.recipient_name = recipient.name.strip()
        disclosure.save()
        disclosure.entries.set(asked.entries)
        if asked.incoming is not None:
            type(asked.incoming).objects.filter(pk=asked.incoming.pk).update(disclosure=disclosure)
        record_event(user, Action.DISCLOSURE_REFUSED_BY_POLICY if status == Disclosure.Status.REFUSED
                     else Action.DISCLOSURE_REQUESTED, object_type="disclosure", object_id=disclosure.pk,
                     client_id=grant.client.pk, purpose=asked.purpose, detail=_decision_detail(user, disclosure))
        _call_back_with_request(user, disclosure, asked, number)
        if status == Disclosure.Status.READY:
            tasks.do_add_obligation_tasks(disclosure)
        elif status == Disclosure.Status.AWAITING_APPROVAL:
            notify_approvers(disclosure)
        elif status == Disclosure.Status.REFUSED:
            tasks.do_add_obligation_tasks(disclosure, refused=True)
    return disclosure


def _decision_detail(user, disclosure: Disclosure) -> dict:
    pack = disclosure.answer.get("pack") or {}
    return {"decision": disclosure.decision, "final": disclosure.final,
            "clauses": [r.get("clause", "") for r in disclosure.answer.get("reasons", [])],
            "recipient": disclosure.recipient_kind, "agency": disclosure.agency_id, "contact": disclosure.contact_id,
            "entries": sorted(e.pk for e in disclosure.entries.all()), "data": disclosure.data,
            "grounds": disclosure.grounds, "channel": disclosure.channel, "consent": disclosure.consent_id,
            "agreement": disclosure.agreement_id, "agreement_flagged": bool(disclosure.agreement_problems),
            "include_name": disclosure.include_name, "include_date_of_birth": disclosure.include_date_of_birth,
            "pack": pack.get("name", ""), "pack_version": pack.get("version", ""), "role": user.role}


# Steps before sending ---------------------------------------------------------------------------------

def steps_outstanding(disclosure: Disclosure) -> list[dict]:
    """The steps the policy requires before this goes that nobody has recorded yet, in order."""
    done = {step.kind for step in disclosure.steps.all()}
    return [step for step in disclosure.before_sending if step["kind"] not in done]


def why_not_send(disclosure: Disclosure) -> str | None:
    """What is missing before this may be sent, in plain words; None if nothing is."""
    missing = steps_outstanding(disclosure)
    return " ".join(step_rules.refusal(step["kind"]) for step in missing) or None


def _save_step(user, disclosure: Disclosure, kind: str, outcome: str, note: str, *, number: str = "",
               done_by=None, done_at=None) -> DisclosureStep:
    """Store one confirmation, sealed under the client's key, and its audit event (the caller's
    transaction)."""
    wanted = next(s for s in disclosure.before_sending if s["kind"] == kind)
    step = DisclosureStep(disclosure=disclosure, kind=kind, clause=wanted.get("clause", ""), outcome=outcome,
                          number=number, done_by=done_by or user, done_at=done_at or timezone.now())
    step.note = note.strip()
    step.save()
    record_event(user, Action.DISCLOSURE_STEP_RECORDED, object_type="disclosure", object_id=disclosure.pk,
                 client_id=disclosure.client_id, purpose=disclosure.purpose,
                 detail={"step": kind, "clause": step.clause, "outcome": outcome, "role": getattr(user, "role", "")})
    return step


def _call_back_with_request(user, disclosure: Disclosure, asked: Asked, number: str) -> None:
    """JustUs 3.3: the call back made before the request was asked is its confirmation: from the
    request from outside it answers (who called, which number, when), or from the worker's own tick
    with the number they called. Without either it stays to be recorded before anything goes."""
    if not any(s["kind"] == "verify_requester_identity" for s in disclosure.before_sending):
        return
    incoming = asked.incoming
    if incoming is not None and incoming.verified == "confirmed" and incoming.verified_by_id:
        _save_step(user, disclosure, "verify_requester_identity", DisclosureStep.Outcome.DONE,
                   "Called back on a known number when the request from outside was logged: the organisation "
                   "confirmed the caller.", number=incoming.verified_number, done_by=incoming.verified_by,
                   done_at=incoming.verified_at)
    elif asked.identity_verified and number:
        _save_step(user, disclosure, "verify_requester_identity", DisclosureStep.Outcome.DONE,
                   "Called them back on a number I found myself (not one they gave me), and it was them.",
                   number=number)


def do_record_step(user, disclosure_id: int, kind: str, outcome: str, note: str, number: str = "") -> DisclosureStep:
    """A step the policy requires before sending, confirmed with what was done, or, where the policy
    allows it to be skipped, the reason it was not. Anyone who may work on the request may record it
    (the page asks the gate); who did is kept with it."""
    problem = step_rules.note_problem(kind, outcome, note)
    if problem is not None:
        raise DisclosureError(problem.message, field=problem.field, code=problem.code)
    with transaction.atomic(durable=True):
        disclosure = Disclosure.objects.select_for_update().get(pk=disclosure_id)
        if disclosure.status not in PENDING:
            raise NotAllowed("This request is not waiting to be sent, so there is nothing to record before sending.")
        if not any(s["kind"] == kind for s in disclosure.before_sending):
            raise DisclosureError("the policy does not ask for that step before this request is sent", field="step")
        if disclosure.steps.filter(kind=kind).exists():
            raise NotAllowed("That step has already been recorded.", code="already_recorded", status=409)
        if step_rules.BEFORE_SENDING[kind].needs_number:
            number, problem = callback_number(number, disclosure.agency)
            if problem:
                raise DisclosureError(problem, field="number")
        else:
            number = ""
        return _save_step(user, disclosure, kind, outcome, note, number=number)


def step_note(disclosure: Disclosure, step: DisclosureStep) -> str:
    step.disclosure = disclosure  # its context is the disclosure's: no need to read it again
    return step.note


# Approvals ------------------------------------------------------------------------------------------

def decided(disclosure: Disclosure) -> list[approval_rules.Decided]:
    return [approval_rules.Decided(a.step, a.approver_id, a.role)
            for a in disclosure.approvals.all() if a.decision == Approval.Decision.APPROVE]


def current_step(disclosure: Disclosure) -> int | None:
    if disclosure.status != Disclosure.Status.AWAITING_APPROVAL:
        return None
    return approval_rules.current_step(disclosure.approval_steps, disclosure.requester_role, decided(disclosure))


APPROVERS_TOLD = 50  # at most this many people are told of one step (a large service's managers)


def notify_approvers(disclosure: Disclosure) -> None:
    """The people who may decide on the step now waiting are told that a request waits for their
    approval: no client, no content, a link to the approval page (whose gate shows the rest). Runs
    in the caller's transaction; each person is told once per request."""
    step = current_step(disclosure)
    if step is None:
        return
    roles = list(disclosure.approval_steps[step].get("any_of", ()))
    people = (get_user_model().objects.filter(is_active=True, role__in=roles)
              .exclude(pk=disclosure.requested_by_id).order_by("id")[:APPROVERS_TOLD])
    for person in people:
        if why_not_approve(person, disclosure) is None:
            notify(person.pk, Notice.Kind.APPROVAL_WAITING, "A request to share information is waiting for your approval",
                   link=reverse("web:approve", args=[disclosure.pk]), object_type="disclosure",
                   object_id=disclosure.pk)


def why_not_approve(user, disclosure: Disclosure) -> str | None:
    """Why this person may not decide on this request now; None if they may."""
    if disclosure.status != Disclosure.Status.AWAITING_APPROVAL:
        return "This request is not waiting for approval."
    return approval_rules.why_not(disclosure.approval_steps, current_step(disclosure), role=user.role,
                                  user_id=user.pk, requester_id=disclosure.requested_by_id,
                                  approved=decided(disclosure))


def awaits_decision_of(user, disclosure: Disclosure) -> bool:
    """Whether the request is waiting for approval and this person has not yet decided on it (the
    approval page offers them the form only then; do_decide checks the rest)."""
    return (disclosure.status == Disclosure.Status.AWAITING_APPROVAL
            and not any(a.approver_id == user.pk for a in disclosure.approvals.all()))


def do_confirm_identity(user, secret: str) -> str:
    """Approving asks for the password again, or a code from the authenticator app: 'password' or
    'second_factor'. Wrong answers count towards locking the account, as at sign-in."""
    secret = (secret or "").strip()
    if secret.isdigit() and len(secret) == 6 and user.totp_secret:
        outcome = do_check_second_factor(user, secret)
        if outcome == "ok":
            return "second_factor"
        raise IdentityNotConfirmed(outcome)
    result = do_check_password(user.get_username(), secret, success_action=Action.APPROVAL_IDENTITY_CONFIRMED)
    if result.outcome == "ok":
        return "password"
    raise IdentityNotConfirmed(result.outcome)


def do_decide(user, disclosure_id: int, decision: str, note: str, secret: str) -> Disclosure:
    """An approver's decision on the step waiting for them, with their written notes. Their identity
    is confirmed first; the request is checked again against its consent before it moves on."""
    if decision not in Approval.Decision.values:
        raise DisclosureError("choose to approve or not to approve", field="decision")
    check_reason(note, "note", what="write your reasons, which are kept with your decision", error=DisclosureError)
    confirmed_with = do_confirm_identity(user, secret)
    with transaction.atomic(durable=True):
        disclosure = Disclosure.objects.select_for_update().get(pk=disclosure_id)
        why = why_not_approve(user, disclosure)
        if why is not None:
            raise NotAllowed(why)
        if decision == Approval.Decision.APPROVE and _stopped_by_consent(user, disclosure):
            return disclosure
        step = current_step(disclosure)
        approval = Approval(disclosure=disclosure, step=step, approver=user, role=user.role, decision=decision,
                            confirmed_with=confirmed_with)
        approval.note = note.strip()
        approval.save()
        if decision == Approval.Decision.DECLINE:
            do_move_disclosure(disclosure, Disclosure.Status.DECLINED)
        elif current_step(disclosure) is None:
            do_move_disclosure(disclosure, Disclosure.Status.READY)
            tasks.do_add_obligation_tasks(disclosure)
        tasks.notify_decided(disclosure)  # the requester is told once it is approved, or not approved
        if disclosure.status == Disclosure.Status.AWAITING_APPROVAL:
            notify_approvers(disclosure)  # the next step's approvers: Day-Mer's Chair after the Coordinator
        record_event(user, Action.DISCLOSURE_APPROVED if decision == "approve" else Action.DISCLOSURE_DECLINED,
                     object_type="disclosure", object_id=disclosure.pk, client_id=disclosure.client_id,
                     purpose=disclosure.purpose,
                     detail={"step": step, "role": user.role, "confirmed_with": confirmed_with,
                             "status": disclosure.status})
    return disclosure


def approval_note(disclosure: Disclosure, approval: Approval) -> str:
    approval.disclosure = disclosure  # its context is the disclosure's: no need to read it again
    return approval.note


def reason(disclosure: Disclosure) -> str:
    return disclosure.reason


def recipient_name(disclosure: Disclosure) -> str:
    if disclosure.contact_id:
        return f"{disclosure.contact.name}, {disclosure.agency.name}"
    if disclosure.agency_id:
        return disclosure.agency.name
    return disclosure.recipient_name


# Consent checked again ----------------------------------------------------------------------------

def _stopped_by_consent(user, disclosure: Disclosure) -> bool:
    if still_permitted(disclosure):
        return False
    do_stop_disclosures(user, Disclosure.objects.filter(pk=disclosure.pk), "consent_ended")
    disclosure.refresh_from_db()
    return True


# Delivery -------------------------------------------------------------------------------------------

CONSENT_ENDED = ("The consent this request relied on has been withdrawn or has expired, so it has been stopped "
                 "and nothing was sent.")
CONSENT_ENDED_AFTER = ("The consent this request relied on has been withdrawn or has expired, so no new link can be "
                       "made for it.")


def _stop_if_consent_ended(user, disclosure_id: int) -> None:
    """Before anything goes: stop the request (and commit that) if its consent has ended."""
    with transaction.atomic(durable=True):
        disclosure = Disclosure.objects.select_for_update().get(pk=disclosure_id)
        stopped = disclosure.status in PENDING and _stopped_by_consent(user, disclosure)
    if stopped:
        raise NotAllowed(CONSENT_ENDED)


def _ready(disclosure: Disclosure) -> None:
    if disclosure.status != Disclosure.Status.READY:
        raise NotAllowed("Only an approved request can be sent.")
    missing = why_not_send(disclosure)
    if missing:
        raise NotAllowed(missing)


def do_record_sent(user, disclosure_id: int, note: str) -> Disclosure:
    """Record a disclosure made by telephone, letter, email or in person, as the request said."""
    _stop_if_consent_ended(user, disclosure_id)
    with transaction.atomic(durable=True):
        disclosure = Disclosure.objects.select_for_update().get(pk=disclosure_id)
        if disclosure.channel == "secure_link":
            raise NotAllowed("This request is sent by secure link: make the link instead.")
        _ready(disclosure)
        check_reason(note, "note", what="say how and when it was sent", error=DisclosureError)
        disclosure.sent_at = timezone.now()
        disclosure.sent_by = user
        disclosure.sent_note = note.strip()
        disclosure.save(update_fields=["sent_at", "sent_by", "sent_note_sealed"])
        do_move_disclosure(disclosure, Disclosure.Status.SENT)
        _notify_sent(user, disclosure)
        record_event(user, Action.DISCLOSURE_SENT, object_type="disclosure", object_id=disclosure.pk,
                     client_id=disclosure.client_id, purpose=disclosure.purpose,
                     detail={"channel": disclosure.channel, "role": user.role})
    return disclosure


def sent_note(disclosure: Disclosure) -> str:
    return disclosure.sent_note


def _notify_sent(user, disclosure: Disclosure) -> None:
    """What the pack says must follow when information has gone (Home-Start 1.5: tell the family,
    unless that would tip anyone off, 2.2)."""
    tasks.do_add_sent_tasks(user, disclosure)


def _token_hash(token: str) -> str:
    return hashlib.sha256(token.encode()).hexdigest()


# The statuses a secure link may be made in: approved and not yet downloaded, or sent and needed
# again (the recipient lost the link, or the file). Stopped, cancelled, declined: never.
LINKABLE = (Disclosure.Status.READY, Disclosure.Status.SENT)
LINK_ISSUED = "Link issued, not yet downloaded"


def _live_links(disclosure: Disclosure, now: dt.datetime) -> list[SecureLink]:
    return [link for link in disclosure.links.all() if link.revoked_at is None and link.expires_at > now]


def why_not_link(user, disclosure: Disclosure) -> str | None:
    """Why this person may not make a secure link for this request now, in plain words; None if
    they may. The gate has already let them work on the case. A first link: anyone who may; a new
    one in place of an earlier link (which it stops): the person who asked, or a manager."""
    if disclosure.channel != "secure_link":
        return "This request is not sent by secure link."
    if disclosure.status not in LINKABLE:
        return "Only an approved request can be sent."
    if disclosure.status == Disclosure.Status.SENT and not still_permitted(disclosure):
        return CONSENT_ENDED_AFTER
    missing = why_not_send(disclosure)
    if missing:
        return missing
    if (disclosure.links.exists() and user.pk != disclosure.requested_by_id
            and user.role_kind not in vocab.MANAGER_KINDS):
        return "Only the person who asked for this, or a manager, can make a new link for it."
    return None


def do_make_link(user, disclosure_id: int) -> tuple[SecureLink, str]:
    """A one-time, expiring link to exactly the approved items, for the recipient. The token is
    returned once, to be passed on; only its hash is kept. A new link stops any earlier one still
    working, in the same transaction, so there is only ever one way in. Making a link sends
    nothing: the request is "sent" at the first download (sent_by_download)."""
    _stop_if_consent_ended(user, disclosure_id)
    with transaction.atomic(durable=True):
        disclosure = Disclosure.objects.select_for_update().get(pk=disclosure_id)
        why = why_not_link(user, disclosure)
        if why is not None:
            raise NotAllowed(why)
        now = timezone.now()
        earlier = _live_links(disclosure, now)
        SecureLink.objects.filter(pk__in=[link.pk for link in earlier]).update(revoked_at=now, revoked_by=user)
        token = secrets.token_urlsafe(32)
        link = SecureLink.objects.create(disclosure=disclosure, token_hash=_token_hash(token), created_by=user,
                                         created_at=now,
                                         expires_at=now + dt.timedelta(hours=settings.SHARE_LINK_HOURS))
        record_event(user, Action.DISCLOSURE_LINK_MADE, object_type="disclosure", object_id=disclosure.pk,
                     client_id=disclosure.client_id, purpose=disclosure.purpose,
                     detail={"link": link.pk, "expires_at": link.expires_at.isoformat(), "role": user.role,
                             "stopped": [old.pk for old in earlier], "status": disclosure.status})
    return link, token


def sent_by_download(disclosure_id: int, link: SecureLink) -> Disclosure:
    """The first download through a secure link is when the information went: the request is
    now Sent, dated, and what the pack says must follow once it has gone is set going. Runs in the
    caller's transaction (confide.sharing.access.do_link_download), whose audit event records the
    download itself; nothing happens for a request already sent."""
    disclosure = Disclosure.objects.select_for_update().get(pk=disclosure_id)
    if disclosure.status != Disclosure.Status.READY:
        return disclosure
    disclosure.sent_at = timezone.now()
    disclosure.save(update_fields=["sent_at"])
    do_move_disclosure(disclosure, Disclosure.Status.SENT)
    _notify_sent(None, disclosure)
    record_event(None, Action.DISCLOSURE_SENT, object_type="disclosure", object_id=disclosure.pk,
                 client_id=disclosure.client_id, purpose=disclosure.purpose,
                 detail={"channel": disclosure.channel, "link": link.pk, "by": "download"})
    return disclosure


def status_label(disclosure: Disclosure, now: dt.datetime | None = None) -> str:
    """Where a request stands, in words: an approved request with a secure link that nobody has
    used yet says so, rather than "ready to send" (or, as it once did, "Sent")."""
    if (disclosure.status == Disclosure.Status.READY and disclosure.channel == "secure_link"
            and _live_links(disclosure, now or timezone.now())):
        return LINK_ISSUED
    return disclosure.get_status_display()


def identifying_details(disclosure: Disclosure) -> str:
    """Which identifying details the request chose to put on what is sent, in words."""
    chosen = [words for words, on in (("the client's name", disclosure.include_name),
                                      ("their date of birth", disclosure.include_date_of_birth)) if on]
    if not chosen:
        return "Neither the client's name nor their date of birth: the client's number only"
    text = " and ".join(chosen)
    return text[:1].upper() + text[1:]


def do_revoke_link(user, disclosure: Disclosure, link_id: int) -> SecureLink:
    with transaction.atomic(durable=True):
        link = SecureLink.objects.select_for_update().filter(pk=link_id, disclosure=disclosure).first()
        if link is None:
            raise NotAllowed("There is no such link on this request.", code="not_found", status=404)
        if link.revoked_at is not None:
            raise NotAllowed("This link has already been stopped.", code="already_stopped", status=409)
        link.revoked_at = timezone.now()
        link.revoked_by = user
        link.save(update_fields=["revoked_at", "revoked_by"])
        record_event(user, Action.DISCLOSURE_LINK_REVOKED, object_type="disclosure", object_id=disclosure.pk,
                     client_id=disclosure.client_id, detail={"link": link.pk, "role": user.role})
    return link


def link_state(link: SecureLink, now: dt.datetime | None = None) -> str:
    """'live', 'revoked', 'expired' or 'used' (every item downloaded once)."""
    now = now or timezone.now()
    if link.revoked_at is not None:
        return "revoked"
    if link.expires_at <= now:
        return "expired"
    if set(link.downloaded) >= {e.pk for e in link.disclosure.entries.all()}:
        return "used"
    return "live"


def link_downloads(disclosure: Disclosure) -> list[dict]:
    """Each download through the request's secure links, oldest first, as the audit log recorded it:
    when, and which item ("Note (entry 12)"). The log is the record; the link keeps only which
    items are spent."""
    events = AuditEvent.objects.filter(client_id=disclosure.client_id, action=Action.DISCLOSURE_DOWNLOADED,
                                       object_type="secure_link",
                                       object_id__in=[str(link.pk) for link in disclosure.links.all()]).order_by("seq")
    kinds = {e.pk: e.get_kind_display() for e in disclosure.entries.all()}
    out = []
    for event in events:
        entry = json.loads(event.detail or "{}").get("entry")
        out.append({"at": event.at, "what": f"{kinds.get(entry, 'an item')} (entry {entry})"})
    return out


def why_entry_stays(entry: Entry) -> str | None:
    """An entry in a request to share stays in its file (confide.records.entries.MOVE_GUARDS): the
    request, its approvals and what was sent name it there, and moving it would make what was
    approved unreadable through its link."""
    if Disclosure.entries.through.objects.filter(entry_id=entry.pk).exists():
        return ("this is part of a request to share, so it cannot be moved: what was asked for and approved "
                "names it in this file. Ask a manager if the request should be stopped first.")
    return None

"""The gate for consents and disclosures: each read fetches and authorises together, writes its
audit event, and answers 404 alike for "missing" and "not allowed".

- A consent or a disclosure is part of the client's file: it opens to whoever the records gate
  (confide.records.access) opens the file to, for the purpose they give.
- An approver sees the request waiting for them (or one they decided) without opening the file:
  what would go, to whom, why and on what grounds, and the words of each entry where the engine
  lets their role read that kind of record for the request's purpose (recorded); trustees, who are
  briefed on the facts without confidentiality being breached (Day-Mer), never see the client's
  name. A role the pack bars from approving never sees it at all.
- A recipient with a secure link reaches exactly the approved items, each once, until the link
  expires or is stopped; anything else about a link answers the same "nothing here".
"""

from __future__ import annotations

import hashlib

from django.db import transaction
from django.http import Http404
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.ids import record_id
from confide.policy import vocab
from confide.records.access import access_client, access_client_to_write, case_decision, clauses, listable
from confide.records.entries import document_content, document_filename, entry_text
from confide.records.identity import reveal_names
from confide.records.models import Case, Client, Entry
from confide.sharing import documents
from confide.sharing.consent import EXPIRING_DAYS, expiring_soon
from confide.sharing.disclosure import link_state, sent_by_download, why_not_approve
from confide.sharing.models import Consent, Disclosure, IncomingRequest, LimitsTold, SecureLink, Task
from confide.sharing.stopping import still_permitted
from confide.sharing.tasks import is_overdue, notify_link_downloaded


def _client_of(model, pk: int, user, action: Action, purpose: str) -> int:
    client_id = model.objects.filter(pk=pk).values_list("client_id", flat=True).first()
    if client_id is None:
        record_event(user, action.refused(), object_type=model._meta.model_name, object_id=pk, purpose=purpose,
                     detail={"reason": "not_found"})
        raise Http404
    return client_id


def access_consents(user, client_id, purpose: str):
    """The client's file, to read its consent register and disclosures."""
    return access_client(user, client_id, purpose, action=Action.CLIENT_SHARING)


def access_client_to_share(user, client_id, purpose: str):
    """The client's file, to record a consent or ask to share: only for work on the case."""
    return access_client_to_write(user, client_id, purpose, action=Action.CLIENT_SHARING_WRITE)


def access_consent(user, consent_id, purpose: str, *, write: bool = False):
    pk = record_id(consent_id)
    action = Action.CONSENT_WRITE if write else Action.CONSENT_READ
    client_id = _client_of(Consent, pk, user, action, purpose)
    grant = (access_client_to_write if write else access_client)(user, client_id, purpose, action=action)
    return grant, Consent.objects.select_related("wording").get(pk=pk)


def access_limits_told(user, told_id, purpose: str):
    """A record of a client being told the limits of confidentiality (with its signed copy), on a
    file this person may open for this purpose."""
    pk = record_id(told_id)
    client_id = _client_of(LimitsTold, pk, user, Action.LIMITS_READ, purpose)
    grant = access_client(user, client_id, purpose, action=Action.LIMITS_READ)
    return grant, LimitsTold.objects.select_related("wording").get(pk=pk)


def access_disclosure(user, disclosure_id, purpose: str, *, write: bool = False):
    """A disclosure on a file this person may open for this purpose (to write: work on the case)."""
    pk = record_id(disclosure_id)
    action = Action.DISCLOSURE_WRITE if write else Action.DISCLOSURE_READ
    client_id = _client_of(Disclosure, pk, user, action, purpose)
    grant = (access_client_to_write if write else access_client)(user, client_id, purpose, action=action)
    disclosure = (Disclosure.objects.select_related("agency", "contact", "consent", "requested_by", "case")
                  .prefetch_related("approvals__approver", "links").get(pk=pk))
    return grant, disclosure


def access_disclosure_to_decide(user, disclosure_id) -> Disclosure:
    """The request as its approver sees it: waiting for them now, or one they decided."""
    pk = record_id(disclosure_id)
    disclosure = (Disclosure.objects.select_related("agency", "contact", "requested_by", "case")
                  .prefetch_related("approvals__approver").filter(pk=pk).first())
    if disclosure is None or (why_not_approve(user, disclosure) is not None
                              and not any(a.approver_id == user.pk for a in disclosure.approvals.all())):
        record_event(user, Action.DISCLOSURE_APPROVAL_VIEW_REFUSED, object_type="disclosure", object_id=pk,
                     detail={"reason": "not_found" if disclosure is None else "not_an_approver", "role": user.role})
        raise Http404
    record_event(user, Action.DISCLOSURE_APPROVAL_VIEW, object_type="disclosure", object_id=disclosure.pk,
                 client_id=disclosure.client_id, purpose=disclosure.purpose,
                 detail={"role": user.role, "status": disclosure.status})
    return disclosure


def access_words_to_decide(user, disclosure: Disclosure) -> list[dict]:
    """What each entry of the request says, for its approver (issue 13: approvers see the words
    they approve), read from a disclosure access_disclosure_to_decide has just let them see. Each
    entry's words open only where the engine lets this person read that kind of record (and seal)
    on the case for the request's own purpose, asked as the records gate asks it; otherwise, and so
    always for trustees (briefed on the facts, never the record: Day-Mer), the entry is described
    without its words. What was opened is recorded, with what was not."""
    if why_not_approve(user, disclosure) is not None and not any(
            a.approver_id == user.pk for a in disclosure.approvals.all()):
        raise Http404
    decisions: dict[tuple, dict] = {}
    shown = []
    for entry in disclosure.entries.order_by("created_at", "id"):
        key = (entry.record_kind, entry.sealed)
        if key not in decisions:
            decisions[key] = case_decision(user, disclosure.case, entry.record_kind, disclosure.purpose,
                                           sealed=entry.sealed)
        shown.append((entry, decisions[key]["decision"] == "permit"))
    opened = [entry.pk for entry, may in shown if may]
    if opened:
        record_event(user, Action.DISCLOSURE_APPROVAL_WORDS, object_type="disclosure", object_id=disclosure.pk,
                     client_id=disclosure.client_id, purpose=disclosure.purpose,
                     detail={"entries": opened, "not_shown": [entry.pk for entry, may in shown if not may],
                             "clauses": sorted({c for d in decisions.values() for c in clauses(d) if c}),
                             "role": user.role})
    return [{"entry": entry, "kind": entry.get_kind_display(), "on": entry.created_at,
             "text": entry_text(disclosure.client_id, entry) if may else None} for entry, may in shown]


def approver_may_see_name(user, client_id: int) -> bool:
    """Whether an approver is shown the client's name beside the request: only if a list could
    name the client to them anyway (their own case, or their team's for supervision, as the pack
    allows). Otherwise, and always for trustees, they decide on the facts with a client number."""
    if user.role_kind in vocab.NAMELESS_KINDS:
        return False
    return any(client_id in listable(user, [client_id], purpose) for purpose in vocab.NAMING_PURPOSES)


def access_task(user, task_id) -> Task:
    """A task of one's own, with `client_name` where a list could name its client to this person
    (otherwise ""); opening its client's file goes through the records gate."""
    pk = record_id(task_id)
    task = Task.objects.filter(pk=pk, assigned_to=user).select_related("client").first()
    if task is None:
        record_event(user, Action.TASK_READ_REFUSED, object_type="task", object_id=pk, detail={"role": user.role})
        raise Http404
    named = _nameable(user, [task.client_id])
    record_event(user, Action.TASK_READ, object_type="task", object_id=task.pk, client_id=task.client_id,
                 detail={"kind": task.kind, "role": user.role, "named": bool(named)})
    _name_clients([task], named)
    return task


# Secure links ---------------------------------------------------------------------------------------

def _link(token: str) -> SecureLink | None:
    if not token or len(token) > 100:
        return None
    digest = hashlib.sha256(token.encode()).hexdigest()
    return (SecureLink.objects.select_related("disclosure", "disclosure__agency", "disclosure__contact")
            .filter(token_hash=digest).first())


class LinkUsedUp(Http404):
    """The link's every item has been downloaded: the recipient, who holds the token, is told so
    plainly (and whom to call), with nothing else about the request. Any other link that does not
    work (expired, stopped, never made) answers alike, with the plain Http404."""


def open_link(token: str) -> tuple[SecureLink, list[Entry]]:
    """The recipient's view of a live link: what is there for them, each item once."""
    link = _link(token)
    if link is None or link_state(link) != "live" or not still_permitted(link.disclosure):
        state = link_state(link) if link else "unknown"
        record_event(None, Action.DISCLOSURE_LINK_OPENED_REFUSED, object_type="secure_link",
                     object_id=link.pk if link else "",
                     client_id=link.disclosure.client_id if link else None,
                     detail={"state": state})
        raise LinkUsedUp if state == "used" and still_permitted(link.disclosure) else Http404
    record_event(None, Action.DISCLOSURE_LINK_OPENED, object_type="secure_link", object_id=link.pk,
                 client_id=link.disclosure.client_id, purpose=link.disclosure.purpose,
                 detail={"disclosure": link.disclosure_id, "agency": link.disclosure.agency_id})
    return link, list(link.disclosure.entries.order_by("created_at", "id"))


def do_link_download(token: str, entry_id) -> tuple[str, str, bytes]:
    """One approved item, once, through a live link: (file name, content type, bytes). A note or
    risk assessment comes as a PDF; a document as it was uploaded. Each download is recorded."""
    pk = record_id(entry_id)
    with transaction.atomic(durable=True):
        link = _link(token)
        if link is not None:
            link = SecureLink.objects.select_for_update().select_related("disclosure").get(pk=link.pk)
        entry = link.disclosure.entries.filter(pk=pk).select_related("case", "document").first() if link else None
        if (link is None or entry is None or pk in link.downloaded or link_state(link) != "live"
                or not still_permitted(link.disclosure)):
            record_event(None, Action.DISCLOSURE_DOWNLOADED_REFUSED, object_type="secure_link",
                         object_id=link.pk if link else "", client_id=link.disclosure.client_id if link else None,
                         detail={"entry": pk, "state": link_state(link) if link else "unknown",
                                 "already": bool(link and pk in link.downloaded)})
            raise Http404
        link.downloaded = [*link.downloaded, pk]
        link.save(update_fields=["downloaded"])
        disclosure = link.disclosure
        record_event(None, Action.DISCLOSURE_DOWNLOADED, object_type="secure_link", object_id=link.pk,
                     client_id=disclosure.client_id, purpose=disclosure.purpose,
                     detail={"disclosure": disclosure.pk, "entry": pk, "agency": disclosure.agency_id,
                             "contact": disclosure.contact_id, "at": timezone.now().isoformat(),
                             "include_name": disclosure.include_name,
                             "include_date_of_birth": disclosure.include_date_of_birth})
        sent_by_download(disclosure.pk, link)  # issue 13: "Sent" once something has gone
        notify_link_downloaded(link)  # the person who issued the link is told, the first time
    client_id = disclosure.client_id
    if entry.kind == Entry.Kind.DOCUMENT:
        content = document_content(client_id, entry.document)
        if content is None:  # no longer readable (the client's key was destroyed): nothing to hand over
            raise Http404
        return document_filename(client_id, entry.document), entry.document.content_type, content
    # The identifying details the request chose (minimum necessary), read here, after the download
    # was recorded with them (include_* above), and nothing more.
    client = disclosure.client if (disclosure.include_name or disclosure.include_date_of_birth) else None
    pdf = documents.entry_pdf(disclosure, entry, entry_text(client_id, entry),
                              name=client.display_name if client and disclosure.include_name else "",
                              date_of_birth=client.date_of_birth if client and disclosure.include_date_of_birth else None)
    return f"{entry.kind.replace('_', '-')}-{entry.pk}.pdf", "application/pdf", pdf


def consents_expiring_for(user, days: int | None = None) -> list[Consent]:
    """Consents in force that end soon, for the clients on this person's own cases (the home page's
    reminder). Recorded, with the client numbers shown, when there are any."""
    mine = set(Case.objects.filter(workers=user).exclude(status=Case.Status.CLOSED).values_list("client_id", flat=True))
    # Only clients a list may name to this person: the records gate's own rule (a worker on a case
    # outside their service, say, is not shown the name), as the client list does.
    found = expiring_soon(listable(user, sorted(mine), "direct_support") if mine else [],
                          EXPIRING_DAYS if days is None else days)
    if found:
        record_event(user, Action.CONSENTS_EXPIRING_LISTED, object_type="consent",
                     detail={"consents": [c.pk for c in found], "client_ids": sorted({c.client_id for c in found}),
                             "role": user.role})
    for consent in found:
        consent.client_name = consent.client.display_name
    return found


def access_incoming(user, request_id, purpose: str, *, write: bool = False):
    """A request from outside, on a file this person may open for this purpose."""
    pk = record_id(request_id)
    action = Action.REQUEST_WRITE if write else Action.REQUEST_READ
    client_id = _client_of(IncomingRequest, pk, user, action, purpose)
    grant = (access_client_to_write if write else access_client)(user, client_id, purpose, action=action)
    return grant, IncomingRequest.objects.select_related("agency", "logged_by", "verified_by").get(pk=pk)


def approvals_waiting(user) -> list[Disclosure]:
    """Requests waiting for approval that this person could decide on now: their role is named on
    the waiting step, they did not ask, and they have not already approved. Each is shown by kind
    of recipient and purpose, never by the client's name; the listing is recorded when not empty."""
    waiting = (Disclosure.objects.filter(status=Disclosure.Status.AWAITING_APPROVAL).exclude(requested_by=user)
               .select_related("requested_by").prefetch_related("approvals"))
    mine = [d for d in waiting if why_not_approve(user, d) is None]
    if mine:
        record_event(user, Action.APPROVALS_LISTED, object_type="disclosure",
                     detail={"disclosures": [d.pk for d in mine], "role": user.role})
    return mine


def _task_order(today):
    # Overdue first (the longest overdue at the top), then urgent, then by due date.
    return lambda t: (not is_overdue(t, today), not t.urgent, t.due_on or today.max, t.pk)


def _nameable(user, client_ids) -> set[int]:
    """Of these clients, those a list could name to this person (their own case, or their team's for
    supervision, as the pack allows: the records gate's rule, as for approvers); never for trustees."""
    if not client_ids or user.role_kind in vocab.NAMELESS_KINDS:
        return set()
    named: set[int] = set()
    for purpose in vocab.NAMING_PURPOSES:  # one query each, whatever the number of tasks
        rest = sorted(set(client_ids) - named)
        if rest:
            named |= listable(user, rest, purpose)
    return named


def _name_clients(tasks: list[Task], named: set[int]) -> None:
    """Give each task `client_name`: its client's name if in `named`, else "" (the page says "a client
    you do not work with"). The names are opened together, their keys read in one query."""
    clients = {}
    for task in tasks:
        if task.client_id in named:
            clients.setdefault(task.client_id, task.client)
    reveal_names(list(clients.values()))
    for task in tasks:
        task.client_name = clients[task.client_id].display_name if task.client_id in clients else ""


def my_tasks(user) -> list[Task]:
    """This person's tasks still to do, overdue first, then urgent, then by due date; each with
    `overdue`, and `client_name` where a list could name the client to them (otherwise ""). The
    listing, with the clients it names, is recorded. A fixed number of queries, however many."""
    today = timezone.localdate()
    found = sorted(Task.objects.filter(assigned_to=user, outcome="").select_related("client"), key=_task_order(today))
    if found:
        named = _nameable(user, [t.client_id for t in found])
        record_event(user, Action.TASKS_LISTED, object_type="task",
                     detail={"tasks": [t.pk for t in found], "client_ids": sorted(named), "role": user.role})
        _name_clients(found, named)
    for task in found:
        task.overdue = is_overdue(task, today)
    return found


def team_overdue_tasks(user) -> list[Task]:
    """For a manager: the overdue tasks of the people in their team (their home page), longest
    overdue first, each with its `assigned_to` and `client_name` as my_tasks gives it. Nobody else
    manages a team: an empty list. Recorded when not empty."""
    if user.role_kind not in vocab.LINE_MANAGER_KINDS or user.team_id is None:
        return []
    today = timezone.localdate()
    found = sorted(Task.objects.filter(assigned_to__team_id=user.team_id, outcome="", due_on__lt=today)
                   .select_related("client", "assigned_to"), key=_task_order(today))
    if found:
        named = _nameable(user, [t.client_id for t in found])
        record_event(user, Action.TEAM_OVERDUE_LISTED, object_type="task",
                     detail={"tasks": [t.pk for t in found], "client_ids": sorted(named), "role": user.role})
        _name_clients(found, named)
    for task in found:
        task.overdue = True
    return found


HOME_SHOWN = 20  # a home page's panel shows this many at most, and links to the rest


def requests_in_hand(user, *, limit: int = HOME_SHOWN) -> list[Disclosure]:
    """This person's own requests to share still in hand: waiting for approval, or approved and
    ready to send. Newest first, each named by its client's name only where a list could name the
    client to them (`client_name`, else ""), as the consent reminder does. Recorded when not empty."""
    found = list(Disclosure.objects.filter(requested_by=user, status__in=[Disclosure.Status.AWAITING_APPROVAL,
                                                                          Disclosure.Status.READY])
                 .select_related("agency", "contact").order_by("-status_changed_at", "-id")[:limit])
    if not found:
        return found
    named = listable(user, sorted({d.client_id for d in found}), "direct_support")
    clients = list(Client.objects.filter(pk__in=named).only("id", "name_sealed")) if named else []
    reveal_names(clients)  # their keys read in one query
    names = {client.pk: client.display_name for client in clients}
    for disclosure in found:
        disclosure.client_name = names.get(disclosure.client_id, "")
    record_event(user, Action.OWN_REQUESTS_LISTED, object_type="disclosure",
                 detail={"disclosures": [d.pk for d in found], "client_ids": sorted(names), "role": user.role})
    return found

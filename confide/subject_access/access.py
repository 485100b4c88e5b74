"""The gate for subject access: each read asks the engine (or, for the second reviewer, the rule in
confide/policy/README.md "Subject access review"), writes its audit event, and answers 404 alike for
"missing" and "not allowed".

- The client's file opens for a request to whoever the packs let read it for the purpose
  `subject_access` (the data controller: DVIP 9.06, Home-Start 1.6, JustUs 3.7, ...), through the
  records gate, recorded as opened for that purpose.
- A request (its clock, its items, its draft) opens to the same people, and, once compiled, to a
  second person who reviews it: the data controller or a manager (vocab.MANAGER_KINDS) who did not
  compile it. No pack names the reviewer; the second pair of eyes is the ICO's expectation, and the
  reviewer reads only what is proposed for release, never the rest of the file.
- The command line's draft (`confide sar draft`) opens the whole file as the command's run, recorded
  with no person behind it.
"""

from __future__ import annotations

from dataclasses import dataclass

from django.http import Http404

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.ids import record_id
from confide.policy import vocab
from confide.records import rows
from confide.records.access import ClientAccess, access_client, access_request, decide
from confide.records.identity import reveal_names
from confide.subject_access.models import Release, SubjectAccessRequest

PURPOSE = "subject_access"
OPEN = (SubjectAccessRequest.Status.OPEN, SubjectAccessRequest.Status.COMPILED)


def answers_requests(user) -> bool:
    """Whether the pack lets this person read clients' files to answer subject-access requests."""
    return decide(access_request(user, PURPOSE, "case_notes"))["decision"] == "permit"


def may_review(user) -> bool:
    return getattr(user, "role_kind", "") in vocab.MANAGER_KINDS


def access_sar_client(user, client_id) -> ClientAccess:
    """The client's file, opened to log or compile their request (purpose subject_access): only for
    whoever answers requests (a worker whose own case it is may read it for many purposes, but does
    not compile a subject-access copy)."""
    if not answers_requests(user):
        record_event(user, Action.SAR_FILE_REFUSED, object_type="client", object_id=record_id(client_id),
                     purpose=PURPOSE, detail={"reason": "does_not_answer_requests", "role": user.role})
        raise Http404
    return access_client(user, client_id, PURPOSE, action=Action.SAR_FILE)


@dataclass
class SarAccess:
    sar: SubjectAccessRequest
    reviewer: bool  # opened as the second reviewer, not as the person who answers the request


def access_sar(user, sar_id, *, write: bool = False) -> SarAccess:
    """One request, to read (or, with `write`, to work on): for whoever answers requests, or for a
    second reviewer once it is compiled."""
    pk = record_id(sar_id)
    action = Action.SAR_WRITE if write else Action.SAR_READ
    sar = SubjectAccessRequest.objects.select_related("client", "compiled_by", "logged_by").filter(pk=pk).first()
    if sar is None:
        record_event(user, action.refused(), object_type="subject_access_request", object_id=pk, purpose=PURPOSE,
                     detail={"reason": "not_found"})
        raise Http404
    reviewer = False
    if not answers_requests(user):
        reviewer = (may_review(user) and sar.status != SubjectAccessRequest.Status.OPEN
                    and sar.compiled_by_id != user.pk)
        if not reviewer:
            record_event(user, action.refused(), object_type="subject_access_request", object_id=pk,
                         client_id=sar.client_id, purpose=PURPOSE, detail={"reason": "not_allowed", "role": user.role})
            raise Http404
    record_event(user, action, object_type="subject_access_request", object_id=pk, client_id=sar.client_id,
                 purpose=PURPOSE, detail={"role": user.role, "basis": "second_review" if reviewer else "data_controller"})
    return SarAccess(sar, reviewer)


def access_sar_to_compile(user, sar_id) -> tuple[ClientAccess, SubjectAccessRequest]:
    """A request and its client's file, to compile: only for whoever answers requests."""
    found = access_sar(user, sar_id, write=True)
    if found.reviewer:
        raise Http404
    return access_sar_client(user, found.sar.client_id), found.sar


def access_release(user, sar_id) -> Release:
    """The released copy, to download: for whoever answers requests, or the person who released it."""
    pk = record_id(sar_id)
    release = Release.objects.select_related("request").filter(request_id=pk).first()
    if release is None or not (answers_requests(user) or release.reviewed_by_id == user.pk):
        record_event(user, Action.SAR_DOWNLOAD_REFUSED, object_type="subject_access_request", object_id=pk,
                     client_id=release.client_id if release else None, purpose=PURPOSE,
                     detail={"reason": "not_found" if release is None else "not_allowed", "role": user.role})
        raise Http404
    record_event(user, Action.SAR_DOWNLOAD, object_type="subject_access_request", object_id=pk,
                 client_id=release.client_id, purpose=PURPOSE, detail={"role": user.role, "sha256": release.sha256})
    return release


@dataclass
class Listed:
    sar: SubjectAccessRequest
    name: str  # "" where this person may not see the client's name


def open_requests(user, *, limit: int = 200) -> list[Listed]:
    """The requests not yet answered, oldest first: for whoever answers requests (with the clients'
    names), and for reviewers (those compiled by someone else, by client number). Recorded as listed."""
    if answers_requests(user):
        found = list(SubjectAccessRequest.objects.filter(status__in=OPEN).select_related("client")
                     .order_by("received_on", "id")[:limit])
        reveal_names([s.client for s in found])
        listed = [Listed(s, s.client.display_name) for s in found]
    elif may_review(user):
        found = list(SubjectAccessRequest.objects.filter(status=SubjectAccessRequest.Status.COMPILED)
                     .exclude(compiled_by=user).select_related("client").order_by("received_on", "id")[:limit])
        listed = [Listed(s, "") for s in found]
    else:
        return []
    if listed:
        record_event(user, Action.SARS_LISTED, object_type="subject_access_request", purpose=PURPOSE,
                     detail={"role": user.role, "requests": [x.sar.pk for x in listed],
                             "named": [x.sar.client_id for x in listed if x.name]})
    return listed


def requests_on_file(grant: ClientAccess) -> list[SubjectAccessRequest]:
    """The subject-access requests of a client whose file the gate opened (the file shows them)."""
    return list(SubjectAccessRequest.objects.filter(client_id=grant.client.pk).select_related("reviewed_by")
                .order_by("-received_on", "-id"))


def access_file_for_command(client_id) -> ClientAccess:
    """The whole file, for the command line's strictest draft, recorded as the command's run.
    LookupError for no such client."""
    pk = record_id(client_id)
    client = rows.load_client(pk)
    if client is None:
        record_event(None, Action.SAR_DRAFTED_REFUSED, object_type="client",
                     object_id=pk, purpose=PURPOSE, detail={"reason": "no_such_client", "by": "command_line"})
        raise LookupError(pk)
    record_event(None, Action.SAR_DRAFTED, object_type="client", object_id=pk, client_id=pk, purpose=PURPOSE,
                 detail={"by": "command_line"})
    return ClientAccess(None, client, PURPOSE, list(client.loaded_cases),  # type: ignore[attr-defined]  # rows.load_client's
                        {"decision": "permit", "reasons": [], "approvals": [], "pack": {}})

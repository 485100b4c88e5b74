"""Requests for a client's information from outside: logged, the caller's identity checked by
calling back on a number Confide already knows before anything is said (JustUs 3.3), a court order
or witness summons kept with the request (Home-Start 10.2), then answered through the same
disclosure workflow as any other sharing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.keys import KeyDestroyed
from confide.keys.runtime import key_store
from confide.policy.reasons import check_reason
from confide.sharing.models import IncomingRequest


class RequestError(ValueError):
    """A request that cannot be logged as given; the message names the field and why."""


def do_log_request(user, pack, client, *, requester_kind: str, agency, how: str, details: str, order: str = "",
                   order_file: tuple[str, str, bytes] | None = None) -> IncomingRequest:
    if requester_kind not in pack.spec.vocab["recipient_kinds"]:
        raise RequestError("requester_kind: say who is asking")
    if agency is not None and agency.kind != requester_kind:
        requester_kind = agency.kind  # the directory knows what the agency is
    if how not in IncomingRequest.How.values:
        raise RequestError("how: say how the request came in")
    check_reason(details, "details", what="say who asked, what for, and what they said", error=RequestError)
    if order not in IncomingRequest.Order.values:
        raise RequestError("order: say whether there is a court order or witness summons")
    if order and order_file is None:
        # Home-Start 10.2: a court order or subpoena is recorded with the document itself.
        raise RequestError("order_file: attach the order or summons itself")
    store = key_store()
    with transaction.atomic():
        request = IncomingRequest(client=client, requester_kind=requester_kind, agency=agency, how=how,
                                  logged_by=user, order=order)
        request.details_sealed = store.encrypt(client.pk, details.strip(), request.context("details"))
        if order_file is not None:
            filename, content_type, content = order_file
            if not content:
                raise RequestError("order_file: the file is empty")
            request.order_filename_sealed = store.encrypt(client.pk, filename, request.context("order_name"))
            request.order_content_sealed = store.encrypt_bytes(client.pk, content, request.context("order"))
            request.order_content_type = content_type
            request.order_size = len(content)
        request.save()
        record_event(user, Action.REQUEST_LOGGED, object_type="incoming_request", object_id=request.pk, client_id=client.pk,
                     detail={"requester": requester_kind, "agency": getattr(agency, "pk", None), "how": how,
                             "order": order, "role": user.role})
    return request


def callback_number(number: str, agency) -> tuple[str, str | None]:
    """A number called back on (JustUs 3.3), tidied, and what is wrong with it (None if nothing): it
    must be a telephone number, and for an agency in the directory, the directory's number."""
    number = " ".join((number or "").split())
    if not number or sum(ch.isdigit() for ch in number) < 6:
        return number, "give the number you called back on"
    if agency is not None and agency.known_phone and \
            "".join(filter(str.isdigit, number)) != "".join(filter(str.isdigit, agency.known_phone)):
        return number, (f"call back on the number in the directory for {agency.name} ({agency.known_phone}), "
                        "not another")
    return number, None


def do_record_callback(user, request: IncomingRequest, *, number: str, confirmed: bool) -> IncomingRequest:
    """The call back: on the agency's number from the directory, or one the worker found
    themselves; never the number the caller gave. A request to share that answers this request
    carries the call back with it as its JustUs 3.3 step (confide.sharing.disclosure)."""
    number, problem = callback_number(number, request.agency)
    if problem:
        raise RequestError(f"number: {problem}")
    with transaction.atomic():
        request.verified = IncomingRequest.Verified.CONFIRMED if confirmed else IncomingRequest.Verified.FAILED
        request.verified_number = number
        request.verified_by = user
        request.verified_at = timezone.now()
        request.save(update_fields=["verified", "verified_number", "verified_by", "verified_at"])
        record_event(user, Action.REQUEST_CALLED_BACK, object_type="incoming_request", object_id=request.pk,
                     client_id=request.client_id, detail={"confirmed": confirmed, "role": user.role})
    return request


def details(request: IncomingRequest) -> str:
    try:
        return key_store().decrypt(request.client_id, bytes(request.details_sealed), request.context("details"))
    except KeyDestroyed:
        return "unreadable"


def order_document(request: IncomingRequest) -> tuple[str, str, bytes] | None:
    if not request.order_content_sealed:
        return None
    store = key_store()
    try:
        return (store.decrypt(request.client_id, bytes(request.order_filename_sealed), request.context("order_name")),
                request.order_content_type,
                store.decrypt_bytes(request.client_id, bytes(request.order_content_sealed), request.context("order")))
    except KeyDestroyed:
        return None

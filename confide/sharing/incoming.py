"""Requests for a client's information from outside: logged, the caller's identity checked by
calling back on a number Confide already knows before anything is said (JustUs 3.3), a court order
or witness summons kept with the request (Home-Start 10.2), then answered through the same
disclosure workflow as any other sharing."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.policy.reasons import check_reason
from confide.sharing.models import Disclosure, IncomingRequest


class RequestError(ConfideError, ValueError):
    """A request that cannot be logged as given; the message says why, `field` which part."""

    code = "request_invalid"


def do_log_request(user, pack, client, *, requester_kind: str, agency, how: str, details: str, order: str = "",
                   order_file: tuple[str, str, bytes] | None = None) -> IncomingRequest:
    if requester_kind not in pack.spec.vocab["recipient_kinds"]:
        raise RequestError("say who is asking", field="requester_kind")
    if agency is not None and agency.kind != requester_kind:
        requester_kind = agency.kind  # the directory knows what the agency is
    if how not in IncomingRequest.How.values:
        raise RequestError("say how the request came in", field="how")
    check_reason(details, "details", what="say who asked, what for, and what they said", error=RequestError)
    if order not in IncomingRequest.Order.values:
        raise RequestError("say whether there is a court order or witness summons", field="order")
    if order and order_file is None:
        # Home-Start 10.2: a court order or subpoena is recorded with the document itself.
        raise RequestError("attach the order or summons itself", field="order_file")
    with transaction.atomic(durable=True):
        request = IncomingRequest(client=client, requester_kind=requester_kind, agency=agency, how=how,
                                  logged_by=user, order=order)
        request.details = details.strip()
        if order_file is not None:
            filename, content_type, content = order_file
            if not content:
                raise RequestError("the file is empty", field="order_file")
            request.order_filename, request.order_content = filename, content
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
        raise RequestError(problem, field="number")
    with transaction.atomic(durable=True):
        request.verified = IncomingRequest.Verified.CONFIRMED if confirmed else IncomingRequest.Verified.FAILED
        request.verified_number = number
        request.verified_by = user
        request.verified_at = timezone.now()
        request.save(update_fields=["verified", "verified_number", "verified_by", "verified_at"])
        record_event(user, Action.REQUEST_CALLED_BACK, object_type="incoming_request", object_id=request.pk,
                     client_id=request.client_id, detail={"confirmed": confirmed, "role": user.role})
    return request


def may_answer(request: IncomingRequest) -> bool:
    """Not answered yet, or refused in a way that asking again could change (JustUs 3.3: after the
    call back)."""
    answer = request.disclosure
    return answer is None or (answer.status == Disclosure.Status.REFUSED and not answer.final)


def request_to_answer(client, number: str) -> IncomingRequest | None:
    """The request from outside that a sharing answers, if any: `number` names one logged on this
    client's file that may still be answered; anything else is none."""
    number = (number or "").strip()
    if not number.isdigit():
        return None
    found = IncomingRequest.objects.select_related("disclosure").filter(pk=int(number), client=client).first()
    return found if found is not None and may_answer(found) else None


def details(request: IncomingRequest) -> str:
    return request.details


def order_document(request: IncomingRequest) -> tuple[str, str, bytes] | None:
    """The order (name, content type, bytes); None if there is none, or it can no longer be read."""
    if request.order_content is None:
        return None
    return request.order_filename, request.order_content_type, request.order_content

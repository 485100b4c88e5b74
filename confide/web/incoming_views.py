"""Requests for a client's information from outside: logged, the caller called back on a number
Confide already knows, a court order kept with the request, then answered through the disclosure
workflow (confide/web/request_views.py). Thin: the gate (confide.sharing.access) reads, do_*
functions (confide.sharing.incoming) write."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from confide.accounts.models import current_policy
from confide.partners.models import Agency
from confide.sharing import access as gate
from confide.sharing.incoming import (
    RequestError,
    do_log_request,
    do_record_callback,
    may_answer,
    order_document,
)
from confide.sharing.incoming import details as incoming_details
from confide.sharing.models import IncomingRequest
from confide.web import describe
from confide.web.downloads import attachment
from confide.web.errors import add_to_form
from confide.web.purposes import asks_purpose, with_purpose
from confide.web.sharing_forms import CallbackForm, IncomingForm

_label = describe.word


@require_http_methods(["GET", "POST"])
@asks_purpose
def new_request(request, client_id: int, *, purpose: str):
    """Log a request for this client's information. Nothing is said to the person asking yet."""
    grant = gate.access_client_to_share(request.user, client_id, purpose)
    pack = current_policy()
    agencies = list(Agency.objects.filter(active=True))
    form = IncomingForm(request.POST or None, request.FILES or None, pack=pack, agencies=agencies)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        agency = next((a for a in agencies if str(a.pk) == data.get("agency")), None)
        upload = data.get("order_file")
        try:
            logged = do_log_request(request.user, pack, grant.client, requester_kind=data["requester_kind"],
                                    agency=agency, how=data["how"], details=data["details"], order=data.get("order", ""),
                                    order_file=(upload.name, upload.content_type, upload.read()) if upload else None)
        except RequestError as error:
            add_to_form(form, error)
        else:
            return redirect(with_purpose(reverse("web:incoming", args=[logged.pk]), purpose))
    return render(request, "sharing/new_request.html", {
        "grant": grant, "client": grant.client, "form": form,
        "sharing_url": with_purpose(reverse("web:sharing", args=[grant.client.pk]), purpose),
    }, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@asks_purpose
def incoming(request, request_id: int, *, purpose: str):
    """One request from outside: the call back, then the answer through the disclosure workflow."""
    write = request.method == "POST"
    grant, logged = gate.access_incoming(request.user, request_id, purpose, write=write)
    form = CallbackForm(request.POST or None, initial={"number": logged.agency.known_phone if logged.agency else ""})
    if write and form.is_valid():
        try:
            do_record_callback(request.user, logged, number=form.cleaned_data["number"],
                               confirmed=form.cleaned_data["outcome"] == "confirmed")
        except RequestError as error:
            add_to_form(form, error)
        else:
            return redirect(request.get_full_path())
    logged = IncomingRequest.objects.select_related("agency", "logged_by", "verified_by", "disclosure").get(pk=logged.pk)
    return render(request, "sharing/incoming.html", {
        "grant": grant, "client": grant.client, "r": logged, "details": incoming_details(logged), "form": form,
        "kind": _label(logged.requester_kind), "has_order": bool(logged.order_content_sealed),
        "order_url": with_purpose(reverse("web:incoming_order", args=[logged.pk]), purpose),
        "answer_url": with_purpose(reverse("web:share", args=[grant.client.pk]), purpose) +
        ("&" if "?" in with_purpose("", purpose) else "?") + f"request={logged.pk}",
        "disclosure_url": with_purpose(reverse("web:disclosure", args=[logged.disclosure_id]), purpose)
        if logged.disclosure_id else None, "may_answer": may_answer(logged),
        "sharing_url": with_purpose(reverse("web:sharing", args=[grant.client.pk]), purpose),
    }, status=400 if form.errors else 200)


@require_GET
@asks_purpose
def incoming_order(request, request_id: int, *, purpose: str):
    _grant, logged = gate.access_incoming(request.user, request_id, purpose)
    found = order_document(logged)
    if found is None:
        raise Http404
    filename, content_type, content = found
    return attachment(content, content_type, f"order-{logged.pk}", original=filename)

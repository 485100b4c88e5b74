"""Telling a client the limits of their confidentiality, and their consent to support. Thin: every
read goes through the gate (confide.records.access, confide.sharing.access), every write through a
do_* function (confide.sharing.limits); the pack says what is told and how."""

from __future__ import annotations

from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from confide.accounts.models import current_policy
from confide.audit.actions import Action
from confide.records.access import access_client, access_client_to_write
from confide.sharing import access as gate
from confide.sharing import documents
from confide.sharing.consent import do_store_wording, organisation_name
from confide.sharing.limits import (
    WAY_LABELS,
    LimitsError,
    Told,
    do_record_limits_told,
    do_record_support_consent,
    signed_copy,
    statement_for,
    support_clause,
    support_consent,
    told_current,
    told_history,
)
from confide.web.downloads import attachment
from confide.web.errors import add_to_form
from confide.web.limits_forms import LimitsToldForm, SupportConsentForm
from confide.web.purposes import asks_purpose, bad_request, with_purpose


def _service(grant) -> str | None:
    return grant.cases[0].service if grant.cases else None


def _client_for(request, client_id, purpose: str, *, read: Action, write: Action):
    """Through the gate: to read the page (GET), or to add to the file (POST)."""
    if request.method == "POST":
        return access_client_to_write(request.user, client_id, purpose, action=write)
    return access_client(request.user, client_id, purpose, action=read)


def _file_response(filename: str, content_type: str, content: bytes) -> HttpResponse:
    return attachment(content, content_type, filename)  # a neutral name: confide/web/downloads.py


def _who(user) -> str:
    return (user.get_full_name() or user.username) if user else ""


def file_panel(grant, purpose: str) -> dict:
    """What the client's file says about the limits of confidentiality and consent to support:
    read after the gate opened the file."""
    client = grant.client
    pack = current_policy()
    statement = statement_for(pack, client.subject_role, _service(grant), organisation_name())
    told = told_current(client, pack, statement)
    panel = {"statement": statement, "limits_url": with_purpose(reverse("web:limits", args=[client.pk]), purpose)}
    if told is not None:
        panel["told"] = {"how": WAY_LABELS.get(told.how, told.how), "on": told.told_on, "by": _who(told.recorded_by)}
    clause = support_clause(pack)
    if clause is not None:
        record = support_consent(client)
        panel["support"] = {"clause": clause, "record": record,
                            "url": with_purpose(reverse("web:support_consent", args=[client.pk]), purpose)}
    return panel


@require_http_methods(["GET", "POST"])
@asks_purpose
def limits(request, client_id: int, *, purpose: str):
    """Tell the client the limits of their confidentiality: the pack's statement for them, naming the
    organisation, to print; and a record of it being given, explained or signed."""
    grant = _client_for(request, client_id, purpose, read=Action.CLIENT_LIMITS, write=Action.LIMITS_RECORD)
    client = grant.client
    pack = current_policy()
    organisation = organisation_name()
    statement = statement_for(pack, client.subject_role, _service(grant), organisation)
    if statement is None and request.method == "POST":
        # No statement, so no form on the page to show a problem on: say so, rather than a bare 400.
        return bad_request(request, "No statement for this client",
                           "The policy has no written statement of the limits of confidentiality for this client, "
                           "so there is nothing to record here. Explain them using the policy.")
    form = LimitsToldForm(request.POST or None, request.FILES or None, ways=statement.ways if statement else ())
    file_url = with_purpose(reverse("web:client_file", args=[client.pk]), purpose)
    if request.method == "POST" and statement is not None and form.is_valid():
        data = form.cleaned_data
        upload = data.get("form_file")
        told = Told(how=data["how"], told_on=data["told_on"], copy_given=data["copy_given"],
                    form_file=(upload.name, upload.content_type, upload.read()) if upload else None)
        try:
            do_record_limits_told(request.user, pack, organisation, client, _service(grant), told)
        except LimitsError as error:
            add_to_form(form, error)
        else:
            return redirect(file_url)
    history = told_history(client)
    for record in history:
        record.how_label = WAY_LABELS.get(record.how, record.how)
        record.by = _who(record.recorded_by)
        record.copy_url = (with_purpose(reverse("web:limits_signed_copy", args=[record.pk]), purpose)
                           if record.form_content_sealed else "")
    return render(request, "sharing/limits.html", {
        "grant": grant, "client": client, "statement": statement, "form": form, "history": history,
        "current": told_current(client, pack, statement), "file_url": file_url,
        "pdf_url": with_purpose(reverse("web:limits_pdf", args=[client.pk]), purpose),
    }, status=400 if form.errors else 200)


@require_GET
@asks_purpose
def limits_pdf(request, client_id: int, *, purpose: str):
    """The client's statement of the limits of confidentiality, as a PDF to print."""
    grant = access_client(request.user, client_id, purpose, action=Action.CLIENT_LIMITS)
    pack = current_policy()
    statement = statement_for(pack, grant.client.subject_role, _service(grant), organisation_name())
    if statement is None:
        return bad_request(request, "No statement for this client",
                           "The policy has no statement of the limits of confidentiality for this client.")
    wording = do_store_wording(pack, statement.form)
    return _file_response(f"limits-of-confidentiality-v{wording.version}.pdf", "application/pdf",
                          documents.statement_pdf(wording))


@require_GET
@asks_purpose
def limits_signed_copy(request, told_id: int, *, purpose: str):
    _grant, record = gate.access_limits_told(request.user, told_id, purpose)
    found = signed_copy(record)
    if found is None:
        raise Http404
    filename, content_type, content = found
    return attachment(content, content_type, f"signed-copy-{record.pk}", original=filename)


@require_http_methods(["GET", "POST"])
@asks_purpose
def support_consent_page(request, client_id: int, *, purpose: str):
    """Record the client's consent to support and assistance (JustUs 5.5), where the pack asks for it."""
    grant = _client_for(request, client_id, purpose, read=Action.CLIENT_SUPPORT_CONSENT, write=Action.SUPPORT_CONSENT_RECORD)
    client = grant.client
    pack = current_policy()
    clause = support_clause(pack)
    if clause is None and request.method == "POST":
        return bad_request(request, "Not asked for here", "This organisation's policy does not ask for consent to "
                                                          "support.")
    form = SupportConsentForm(request.POST or None)
    file_url = with_purpose(reverse("web:client_file", args=[client.pk]), purpose)
    if request.method == "POST" and form.is_valid():
        case = grant.cases[0] if grant.cases else None
        try:
            do_record_support_consent(request.user, pack, client, case, form.cleaned_data["how"],
                                      form.cleaned_data["given_on"])
        except LimitsError as error:
            add_to_form(form, error)
        else:
            return redirect(file_url)
    return render(request, "sharing/support_consent.html", {
        "grant": grant, "client": client, "form": form, "clause": clause, "record": support_consent(client),
        "file_url": file_url, "today": timezone.localdate()}, status=400 if form.errors else 200)

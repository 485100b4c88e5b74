"""The client's sharing page and their consent register: consent recorded in the exact wording the
person was shown, the forms to print, and withdrawal. Thin: every read goes through the gate
(confide.sharing.access), every write through a do_* function (confide.sharing.consent)."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from confide.accounts.models import current_organisation, current_policy
from confide.partners.models import Agency
from confide.policy.notifications import reports_for
from confide.records.models import DATA_CATEGORIES
from confide.sharing import access as gate
from confide.sharing import documents
from confide.sharing.consent import (
    ConsentError,
    Given,
    consent_form,
    do_record_consent,
    do_store_wording,
    do_withdraw_consent,
    expiring_soon,
    given_by_name,
    signed_form,
)
from confide.sharing.disclosure import recipient_name
from confide.sharing.models import Consent, Disclosure
from confide.web import describe
from confide.web.downloads import attachment
from confide.web.errors import add_to_form
from confide.web.purposes import asks_purpose, with_purpose
from confide.web.sharing_forms import ConsentForm, WithdrawForm

CATEGORY_LABELS = dict(DATA_CATEGORIES)
_label = describe.word


def _service(grant) -> str | None:
    return grant.cases[0].service if grant.cases else None


@require_GET
@asks_purpose
def sharing(request, client_id: int, *, purpose: str):
    """The client's consent register, their disclosures (shared or refused), and open tasks."""
    grant = gate.access_consents(request.user, client_id, purpose)
    client = grant.client
    today = timezone.localdate()
    consents = list(Consent.objects.filter(client=client).select_related("wording").prefetch_related("agencies"))
    for consent in consents:
        consent.url = with_purpose(reverse("web:consent", args=[consent.pk]), purpose)
        consent.state = consent.status_label(today)
        consent.in_force = consent.status(today) == "given"
    soon = {c.pk for c in expiring_soon([client.pk])}
    disclosures = list(Disclosure.objects.filter(client=client).select_related("agency", "contact"))
    for disclosure in disclosures:
        disclosure.url = with_purpose(reverse("web:disclosure", args=[disclosure.pk]), purpose)
        disclosure.to = recipient_name(disclosure) or _label(disclosure.recipient_kind)
    tasks = list(client.tasks.filter(outcome="").select_related("assigned_to"))
    reports = reports_for(current_policy().name, client.subject_role) if grant.may_write else {}
    return render(request, "sharing/sharing.html", {
        "reports": [(name, r.label) for name, r in reports.items()],
        "report_url": with_purpose(reverse("web:report", args=[client.pk]), purpose),
        "request_url": with_purpose(reverse("web:new_request", args=[client.pk]), purpose),
        "grant": grant, "client": client, "consents": consents, "soon": soon, "disclosures": disclosures,
        "tasks": tasks, "purpose": purpose,
        "file_url": with_purpose(reverse("web:client_file", args=[client.pk]), purpose),
        "new_consent_url": with_purpose(reverse("web:new_consent", args=[client.pk]), purpose),
        "share_url": with_purpose(reverse("web:share", args=[client.pk]), purpose),
        "form_url": with_purpose(reverse("web:consent_form_pdf", args=[client.pk]), purpose),
    })


@require_GET
@asks_purpose
def consent_form_pdf(request, client_id: int, *, purpose: str):
    """The blank consent form for this client, generated from the pack, as a PDF to print."""
    grant = gate.access_consents(request.user, client_id, purpose)
    pack = current_policy()
    wording = do_store_wording(pack, consent_form(pack, grant.client.subject_role, _service(grant)))
    return attachment(documents.consent_form_pdf(wording), "application/pdf", f"consent-form-v{wording.version}.pdf")


@require_http_methods(["GET", "POST"])
@asks_purpose
def new_consent(request, client_id: int, *, purpose: str):
    grant = gate.access_client_to_share(request.user, client_id, purpose)
    client = grant.client
    pack = current_policy()
    form_doc = consent_form(pack, client.subject_role, _service(grant))
    scope = tuple(pack.documents[form_doc.document].get("consent_scope") or ()) if form_doc.document in pack.documents else ()
    agencies = list(Agency.objects.filter(active=True))
    form = ConsentForm(request.POST or None, request.FILES or None, pack=pack, agencies=agencies, scope=scope)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        upload = data.get("form_file")
        chosen = [a for a in agencies if str(a.pk) in set(data.get("agencies") or [])]
        given = Given(recipients=data["recipients"], agencies=chosen, data=data["data"], purposes=data["purposes"],
                      how=data["how"], has_capacity=data["has_capacity"], informed=data["informed"],
                      free_from_duress=data["free_from_duress"], given_on=data["given_on"],
                      expires_on=data.get("expires_on"), given_by=data["given_by"],
                      given_by_name=data.get("given_by_name", ""),
                      form_file=(upload.name, upload.content_type, upload.read()) if upload else None)
        try:
            consent = do_record_consent(request.user, pack, current_organisation().name, client, _service(grant), given)
        except ConsentError as error:
            add_to_form(form, error)
        else:
            return redirect(with_purpose(reverse("web:consent", args=[consent.pk]), purpose))
    requires, consent_clause = pack.consent_requirements(client.subject_role)
    return render(request, "sharing/new_consent.html", {
        "grant": grant, "client": client, "form": form, "form_doc": form_doc, "needs_written": "written" in requires,
        "consent_clause": consent_clause,
        "sharing_url": with_purpose(reverse("web:sharing", args=[client.pk]), purpose),
        "form_url": with_purpose(reverse("web:consent_form_pdf", args=[client.pk]), purpose),
    }, status=400 if form.errors else 200)


@require_http_methods(["GET", "POST"])
@asks_purpose
def consent(request, consent_id: int, *, purpose: str):
    write = request.method == "POST"
    grant, record = gate.access_consent(request.user, consent_id, purpose, write=write)
    form = WithdrawForm(request.POST or None)
    stopped = None
    if write and form.is_valid():
        try:
            stopped = do_withdraw_consent(request.user, record, form.cleaned_data["withdrawn_on"])
        except ConsentError as error:
            add_to_form(form, error)
        else:
            record.refresh_from_db()
    today = timezone.localdate()
    return render(request, "sharing/consent.html", {
        "grant": grant, "client": grant.client, "consent": record, "state": record.status_label(today),
        "in_force": record.status(today) == "given", "given_by_name": given_by_name(record),
        "form": form, "stopped": stopped, "has_form": bool(record.form_content_sealed),
        "recipients": [_label(r) for r in record.recipients] + [a.name for a in record.agencies.all()],
        "data": [CATEGORY_LABELS.get(d, d) for d in record.data], "purposes": [_label(p) for p in record.purposes],
        "sharing_url": with_purpose(reverse("web:sharing", args=[grant.client.pk]), purpose),
        "pdf_url": with_purpose(reverse("web:consent_pdf", args=[record.pk]), purpose),
        "signed_url": with_purpose(reverse("web:consent_signed_form", args=[record.pk]), purpose),
    }, status=400 if form.errors else 200)


@require_GET
@asks_purpose
def consent_pdf(request, consent_id: int, *, purpose: str):
    """The form exactly as this person was shown it, with what they agreed to."""
    _grant, record = gate.access_consent(request.user, consent_id, purpose)
    return attachment(documents.consent_form_pdf(record.wording, record, given_by_name(record)), "application/pdf",
                      f"consent-{record.pk}.pdf")


@require_GET
@asks_purpose
def consent_signed_form(request, consent_id: int, *, purpose: str):
    """The signed form as it was uploaded, saved under a neutral name (confide/web/downloads.py)."""
    _grant, record = gate.access_consent(request.user, consent_id, purpose)
    found = signed_form(record)
    if found is None:
        raise Http404
    filename, content_type, content = found
    return attachment(content, content_type, f"signed-form-{record.pk}", original=filename)

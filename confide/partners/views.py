"""The partner directory's pages. Thin: each fetches through an access_* helper of
confide.partners.directory, which answers 404 alike to "missing" and "not yours to see or change",
and writes through a do_* function. The directory holds no client data."""

from __future__ import annotations

from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from confide.partners.directory import (
    DATA_LABELS,
    DirectoryError,
    access_agency,
    access_agreement,
    access_contact,
    do_add_agency,
    do_add_agreement,
    do_add_contact,
    do_change_agency,
    do_change_contact,
    do_end_agreement,
    list_agencies,
    may_manage,
    must_manage,
)
from confide.partners.forms import (
    AgencyForm,
    AgreementForm,
    ChangeAgencyForm,
    ChangeContactForm,
    ContactForm,
    EndAgreementForm,
)
from confide.policy import vocab


def _status(form) -> int:
    return 400 if form.errors else 200


def _refuse_into(form, error: DirectoryError) -> None:
    """A do_* function's complaint, shown beside the field it is about (or above the form), as
    confide.web.errors.add_to_form shows every ConfideError (this app sits below the web layer)."""
    form.add_error(error.field if error.field in form.fields else None, error.sentence())


def _describe(agreement, today) -> None:
    agreement.in_force = agreement.in_force_on(today)
    agreement.status = agreement.status_on(today)
    agreement.data_labels = [DATA_LABELS.get(word, vocab.label(word)) for word in agreement.data]
    agreement.purpose_labels = [vocab.label(word) for word in agreement.purposes]


@require_GET
def directory(request):
    today = timezone.localdate()
    agencies = list(list_agencies(request.user))
    for agency in agencies:
        agency.in_force = [a for a in agency.agreements.all() if a.in_force_on(today)]
        agency.active_contacts = sum(1 for c in agency.contacts.all() if c.active)
    return render(request, "partners/directory.html", {
        "agencies": [a for a in agencies if a.active], "inactive": [a for a in agencies if not a.active],
        "may_manage": may_manage(request.user)})


@require_GET
def agency(request, agency_id: int):
    found = access_agency(request.user, agency_id)
    today = timezone.localdate()
    agreements = list(found.agreements.prefetch_related("contacts"))
    for agreement in agreements:
        _describe(agreement, today)
    return render(request, "partners/agency.html", {
        "agency": found, "contacts": list(found.contacts.all()), "agreements": agreements, "today": today,
        "may_manage": may_manage(request.user)})


@require_http_methods(["GET", "POST"])
def add_agency(request):
    must_manage(request.user)
    form = AgencyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            added = do_add_agency(request.user, **form.cleaned_data)
        except DirectoryError as error:
            _refuse_into(form, error)
        else:
            return redirect(reverse("partners:agency", args=[added.pk]))
    return render(request, "partners/agency_form.html", {"form": form, "agency": None}, status=_status(form))


@require_http_methods(["GET", "POST"])
def change_agency(request, agency_id: int):
    found = access_agency(request.user, agency_id, manage=True)
    initial = {name: getattr(found, name) for name in ChangeAgencyForm.base_fields}
    form = ChangeAgencyForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            do_change_agency(request.user, found, **form.cleaned_data)
        except DirectoryError as error:
            _refuse_into(form, error)
        else:
            return redirect(reverse("partners:agency", args=[found.pk]))
    return render(request, "partners/agency_form.html", {"form": form, "agency": found}, status=_status(form))


@require_http_methods(["GET", "POST"])
def add_contact(request, agency_id: int):
    found = access_agency(request.user, agency_id, manage=True)
    form = ContactForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            do_add_contact(request.user, found, **form.cleaned_data)
        except DirectoryError as error:
            _refuse_into(form, error)
        else:
            return redirect(reverse("partners:agency", args=[found.pk]))
    return render(request, "partners/contact_form.html", {"form": form, "agency": found, "contact": None},
                  status=_status(form))


@require_http_methods(["GET", "POST"])
def change_contact(request, contact_id: int):
    contact = access_contact(request.user, contact_id, manage=True)
    initial = {name: getattr(contact, name) for name in ChangeContactForm.base_fields}
    form = ChangeContactForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            do_change_contact(request.user, contact, **form.cleaned_data)
        except DirectoryError as error:
            _refuse_into(form, error)
        else:
            return redirect(reverse("partners:agency", args=[contact.agency_id]))
    return render(request, "partners/contact_form.html", {"form": form, "agency": contact.agency, "contact": contact},
                  status=_status(form))


@require_http_methods(["GET", "POST"])
def add_agreement(request, agency_id: int):
    found = access_agency(request.user, agency_id, manage=True)
    staff = [c for c in found.contacts.all() if c.active]
    choices = [(c.pk, f"{c.name} ({c.job_title})" if c.job_title else c.name) for c in staff]
    form = AgreementForm(request.POST or None, contacts=choices)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        chosen = {int(pk) for pk in data["contacts"]}
        try:
            do_add_agreement(request.user, found, title=data["title"], reference=data["reference"],
                             starts_on=data["starts_on"], ends_on=data["ends_on"], data=data["data"],
                             purposes=data["purposes"], contacts=[c for c in staff if c.pk in chosen])
        except DirectoryError as error:
            _refuse_into(form, error)
        else:
            return redirect(reverse("partners:agency", args=[found.pk]))
    return render(request, "partners/agreement_form.html", {"form": form, "agency": found, "has_staff": bool(staff)},
                  status=_status(form))


@require_http_methods(["GET", "POST"])
def end_agreement(request, agreement_id: int):
    agreement = access_agreement(request.user, agreement_id, manage=True)
    form = EndAgreementForm(request.POST or None, initial={"on": timezone.localdate()})
    if request.method == "POST" and agreement.ended_on is None and form.is_valid():
        try:
            do_end_agreement(request.user, agreement, form.cleaned_data["on"])
        except DirectoryError as error:
            _refuse_into(form, error)
        else:
            return redirect(reverse("partners:agency", args=[agreement.agency_id]))
    _describe(agreement, timezone.localdate())
    return render(request, "partners/end_agreement.html", {"form": form, "agreement": agreement,
                                                           "agency": agreement.agency}, status=_status(form))

"""The administrator's pages: the staff list, adding a person, changing their role, team or details,
disabling and re-enabling an account, a new set-up code, and the organisation's settings.

Thin, as every page: each asks accounts.services.may_administer first (everyone else gets the
standard refusal page, 403), then calls one do_* function of confide.accounts.services, which writes
the audit event and says what it refuses. Staff accounts hold no client data."""

from __future__ import annotations

from functools import wraps
from urllib.parse import urlencode

from django.contrib.auth import get_user_model
from django.core.exceptions import PermissionDenied
from django.core.paginator import Paginator
from django.db.models import Q
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from confide.accounts.models import Organisation
from confide.accounts.services import (
    SETUP_CODE_HOURS,
    AccountError,
    do_change_details,
    do_change_organisation,
    do_change_role,
    do_create_user,
    do_disable_user,
    do_enable_user,
    do_issue_setup_code,
    has_live_setup_code,
    may_administer,
)
from confide.ids import record_id
from confide.web.errors import add_to_form
from confide.web.staff_forms import AddStaffForm, ChangeStaffForm, OrganisationForm, StaffSearchForm

STAFF_PAGE = 50  # accounts on a page of the staff list
SEARCH_WORDS = 5  # words of a search that count; the rest are ignored


def administrators_only(view):
    """Deny by default: only a person whose role is of an administrator kind gets past."""
    @wraps(view)
    def wrapped(request, *args, **kwargs):
        if not may_administer(request.user):
            raise PermissionDenied
        return view(request, *args, **kwargs)
    return wrapped


def _member(user_id) -> object:
    member = get_user_model().objects.select_related("team").filter(pk=record_id(user_id)).first()
    if member is None:
        raise Http404
    return member


def _status(form) -> int:
    return 400 if form.errors else 200


@require_GET
@administrators_only
def staff_list(request):
    """Everyone with an account, a page at a time, by surname; searchable by name or username. Two
    flat queries (a count and the page), however many accounts there are."""
    form = StaffSearchForm(request.GET or None)
    query = form.cleaned_data["q"].strip() if form.is_valid() else ""
    staff = get_user_model().objects.select_related("team").order_by("last_name", "first_name", "id")
    for word in query.split()[:SEARCH_WORDS]:
        staff = staff.filter(Q(first_name__icontains=word) | Q(last_name__icontains=word) |
                             Q(username__icontains=word))
    page = Paginator(staff, STAFF_PAGE).get_page(request.GET.get("page"))
    keep = urlencode({"q": query}) + "&" if query else ""
    return render(request, "accounts/staff_list.html", {
        "form": form, "query": query, "page": page, "keep": keep})


@require_http_methods(["GET", "POST"])
@administrators_only
def add_staff(request):
    form = AddStaffForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            member, code = do_create_user(request.user, data["username"], role=data["role"], team=data["team"],
                                          first_name=data["first_name"], last_name=data["last_name"],
                                          email=data["email"], work_phone=data["work_phone"],
                                          password=data["password"])
        except AccountError as error:
            add_to_form(form, error)
        else:
            # Shown once, on this answer to the POST: Confide keeps only a hash of the code.
            return _member_page(request, member, setup_code=code, added=True)
    return render(request, "accounts/staff_form.html", {"form": form, "member": None}, status=_status(form))


# What the buttons on a person's page do: each is one do_* function.
_ACTIONS = {"disable": do_disable_user, "enable": do_enable_user}


@require_http_methods(["GET", "POST"])
@administrators_only
def staff_member(request, user_id: int):
    member = _member(user_id)
    if request.method == "GET":
        return _member_page(request, member)
    action = request.POST.get("do", "")
    try:
        if action == "setup_code":
            return _member_page(request, member, setup_code=do_issue_setup_code(member, issued_by=request.user))
        if action not in _ACTIONS:
            raise AccountError("that is not something this page can do: use one of its buttons", code="unknown_action")
        _ACTIONS[action](request.user, member)
    except AccountError as error:
        # A 400 whatever the refusal, as every form page answers one (the service's own status is
        # for an uncaught refusal's page).
        return _member_page(request, member, problem=error.sentence(), status=400)
    return redirect(reverse("web:staff_member", args=[member.pk]) + f"?done={action}")


_DONE = {"disable": "The account is disabled: they are signed out everywhere and cannot sign in.",
         "enable": "The account is enabled again: they can sign in with their password and second factor as before.",
         "changed": "Saved."}


def _member_page(request, member, *, setup_code: str = "", added: bool = False, problem: str = "", status: int = 200):
    return render(request, "accounts/staff_member.html", {
        "member": member, "own": member.pk == request.user.pk, "setup_code": setup_code, "added": added,
        "setup_hours": SETUP_CODE_HOURS, "waiting_code": has_live_setup_code(member), "problem": problem,
        "done": "" if setup_code or problem else _DONE.get(request.GET.get("done", ""), "")}, status=status)


@require_http_methods(["GET", "POST"])
@administrators_only
def change_staff(request, user_id: int):
    """Role, team, name and contact details. A new role or team signs the person out everywhere
    (do_change_role): it is saved first, so a refusal (their own role, the last administrator)
    leaves everything as it was."""
    member = _member(user_id)
    initial = {name: getattr(member, name) for name in ("first_name", "last_name", "email", "role", "work_phone")}
    initial["team"] = member.team_id
    form = ChangeStaffForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            if (data["role"], data["team"]) != (member.role, member.team):
                do_change_role(request.user, member, data["role"], data["team"])
            do_change_details(request.user, member, first_name=data["first_name"], last_name=data["last_name"],
                              email=data["email"], work_phone=data["work_phone"])
        except AccountError as error:
            add_to_form(form, error)
        else:
            return redirect(reverse("web:staff_member", args=[member.pk]) + "?done=changed")
    return render(request, "accounts/staff_form.html", {"form": form, "member": member}, status=_status(form))


@require_http_methods(["GET", "POST"])
@administrators_only
def organisation_settings(request):
    organisation = Organisation.objects.get(pk=1)
    initial = {name: getattr(organisation, name) for name in OrganisationForm.base_fields}
    form = OrganisationForm(request.POST or None, initial=initial)
    saved = request.GET.get("done") == "saved"
    if request.method == "POST" and form.is_valid():
        try:
            do_change_organisation(request.user, **form.cleaned_data)
        except AccountError as error:
            add_to_form(form, error)
        else:
            return redirect(reverse("web:organisation_settings") + "?done=saved")
    return render(request, "accounts/organisation_form.html", {"form": form, "organisation": organisation,
                                                                "saved": saved}, status=_status(form))

"""Staff and volunteer records (issue 16): personnel files (each section shown only as the gate
permits; the medical section sealed to the role the pack names), equal-opportunities monitoring
(recorded unlinked, only counted), applications, and requests for a worker's contact details (DVIP
5.01). Thin: every read is a confide.staffing.access function (audited, 404 alike for missing and
not allowed), every write one do_* of confide.staffing.services, whose refusals are shown beside the
field they name."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from confide.accounts.models import current_policy
from confide.errors import ConfideError
from confide.policy import governance, vocab
from confide.staffing import access, monitoring, services
from confide.staffing.models import Applicant, ContactRequest, PersonnelApproval, PersonnelFile
from confide.web import describe
from confide.web.errors import add_to_form
from confide.web.purposes import bad_request
from confide.web.staffing_forms import (
    DATA_CHOICES,
    ApplicationForm,
    AskAccessForm,
    ContactForm,
    ContactRequestForm,
    ContactStepForm,
    DecideAccessForm,
    DecideForm,
    LeavingForm,
    LineManagerForm,
    MedicalForm,
    MonitoringEntryForm,
    NoteForm,
    OpenFileForm,
    ReferenceForm,
)

STATUS_WORDS = dict(ContactRequest.Status.choices)
DATA_WORDS = dict(DATA_CHOICES)
DECISION_WORDS = {"permit": "Permitted", "permit_if_approved": "Permitted only with approval", "deny": "Not permitted"}
HOME_ROWS = 5


def _posted(request):
    return request.POST if request.method == "POST" else None


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _clause(part: str) -> str:
    """The clause the pack's governance section gives for a part of the personnel file ("" if none)."""
    return governance.personnel(current_policy()).get(part, {}).get("clause", "")


def _staff():
    return get_user_model().objects.filter(is_active=True).exclude(role="").order_by("last_name", "first_name")


def _managers():
    """Who may be a line manager: anyone on the staff but the trustees."""
    return [u for u in _staff() if u.role_kind not in vocab.NAMELESS_KINDS]


# Personnel files ---------------------------------------------------------------------------------

def _render_files(request, *, open_form=None, manager_form=None, leaving_form=None, status=200):
    user = request.user
    files = access.list_personnel_files(user)
    keeps = access.keeps_the_list(user)
    managers = _managers() if keeps else []
    without = [u for u in _staff() if not PersonnelFile.objects.filter(person=u).exists()] if keeps else []
    return render(request, "staffing/files.html", {
        "files": [{"file": f, "name": _name(f.person), "role": f.person.role_label,
                   "line_manager": _name(f.line_manager), "url": reverse("staffing:file", args=[f.pk])}
                  for f in files],
        "keeps": keeps,
        "open_form": open_form or OpenFileForm(prefix="open", people=without, managers=managers),
        "manager_form": manager_form or _file_pick_form(LineManagerForm, files, prefix="manager", managers=managers),
        "leaving_form": leaving_form or _file_pick_form(LeavingForm, files, prefix="leaving"),
        "monitoring_counts": monitoring.may_count(user),
        "applications": access.reads_applications(user),
    }, status=status)


def _file_pick_form(form_class, files, *, data=None, prefix, **kwargs):
    """A form with a `file` choice added (the files this person may see listed)."""
    from django import forms

    form = form_class(data, prefix=prefix, **kwargs)
    form.fields = {"file": forms.TypedChoiceField(
        label="Whose file", coerce=int, choices=[("", "Choose…"), *((str(f.pk), _name(f.person)) for f in files)],
        error_messages={"required": "Choose whose file.", "invalid_choice": "Choose one from the list."}),
        **form.fields}
    return form


@require_http_methods(["GET", "POST"])
def files(request):
    """The personnel files this person may see listed; for those who keep the list of staff, opening
    a file, setting a line manager and recording a leaving date."""
    user = request.user
    if not access.may_list(user):
        raise Http404
    if request.method == "GET":
        return _render_files(request)
    if not access.keeps_the_list(user):
        raise Http404
    action = request.POST.get("action", "")
    listed = list(PersonnelFile.objects.filter(destroyed_at__isnull=True).exclude(person=user)
                  .select_related("person"))
    by_pk = {f.pk: f for f in listed}
    users = {u.pk: u for u in _staff()}
    if action == "open":
        form = OpenFileForm(request.POST, prefix="open",
                            people=[u for u in _staff() if not PersonnelFile.objects.filter(person=u).exists()],
                            managers=_managers())
        if form.is_valid():
            data = form.cleaned_data
            try:
                file = services.do_open_personnel_file(user, users.get(data["person"]),
                                                       users.get(data["line_manager"]) if data["line_manager"] else None,
                                                       data.get("started_on"))
            except ConfideError as error:
                add_to_form(form, error)
            else:
                messages.info(request, f"A personnel file is open for {_name(file.person)}.")
                return redirect(reverse("staffing:files"))
        return _render_files(request, open_form=form)
    if action == "set_line_manager":
        form = _file_pick_form(LineManagerForm, listed, data=request.POST, prefix="manager", managers=_managers())
        if form.is_valid():
            data = form.cleaned_data
            try:
                services.do_set_line_manager(user, by_pk[data["file"]],
                                             users.get(data["line_manager"]) if data["line_manager"] else None)
            except ConfideError as error:
                add_to_form(form, error)
            else:
                messages.info(request, "The line manager is recorded.")
                return redirect(reverse("staffing:files"))
        return _render_files(request, manager_form=form)
    if action == "leaving":
        form = _file_pick_form(LeavingForm, listed, data=request.POST, prefix="leaving")
        if form.is_valid():
            try:
                services.do_record_leaving(user, by_pk[form.cleaned_data["file"]], form.cleaned_data["left_on"])
            except ConfideError as error:
                add_to_form(form, error)
            else:
                messages.info(request, "The leaving date is recorded: the retention period counts from it.")
                return redirect(reverse("staffing:files"))
        return _render_files(request, leaving_form=form)
    return bad_request(request, "That is not something to do with personnel files", "Go back and choose from the page.")


def _references(file: PersonnelFile) -> tuple[list[dict], bool]:
    value = file.references
    if isinstance(value, dict) and value.get("text") and "items" not in value:
        return [], True  # the placeholder: the key was destroyed
    return list(value.get("items", [])) if isinstance(value, dict) else [], False


def _purpose_asked(request) -> str | None:
    purpose = request.GET.get("purpose") or request.POST.get("purpose") or ""
    return purpose if purpose in access.PURPOSES else None


PART_WORDS = {"notes": "its notes", "contact": "its home contact details", "references": "its references"}


def _and(words: list[str]) -> str:
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1] if words else ""


FILE_FORMS = {"notes": NoteForm, "contact": ContactForm, "reference": ReferenceForm, "medical": MedicalForm}


def _render_file(request, grant, posted=None, status=200):
    file = grant.file
    medical_text = None
    try:
        medical_text = access.access_medical(request.user, file.pk, grant.purpose or None).text
    except Http404:
        medical_text = None
    sealed = access.sealed_rule()
    forms_ = {key: (posted[1] if posted and posted[0] == key else cls(prefix=key)) for key, cls in FILE_FORMS.items()}
    parts = grant.parts
    references, references_unreadable = _references(file) if "references" in parts else ([], False)
    return render(request, "staffing/file.html", {
        "grant": grant, "file": file, "name": _name(file.person), "role": file.person.role_label,
        "line_manager": _name(file.line_manager), "purpose": vocab.label(grant.purpose) if grant.purpose else "",
        "notes": file.notes if "notes" in parts else "", "contact": file.contact if "contact" in parts else {},
        "references": references, "references_unreadable": references_unreadable,
        "shut_parts": _and([PART_WORDS[part] for part in vocab.PERSONNEL_PARTS if part not in parts])
        if grant.sections else "",
        "shut_parts_count": len([part for part in vocab.PERSONNEL_PARTS if part not in parts]),
        "references_clause": _clause("references"), "file_clause": _clause("file"),
        "medical_open": medical_text is not None, "medical": medical_text or "",
        "sealed_roles": " or ".join(sealed["labels"]) or "the role the policy names",
        "sealed_clause": _clause("medical") or sealed["clause"],
        "forms": forms_, "posted": posted[1] if posted else None,
        # Each form also by its own name (the form fuzz finds a page's forms in its context).
        **{f"{key}_form": form for key, form in forms_.items()},
        "reasons": grant.decision.get("reasons", []),
    }, status=status)


@require_http_methods(["GET", "POST"])
def personnel_file(request, file_id: int):
    """One personnel file: each section as the gate permits, the medical section sealed."""
    grant = access.access_personnel_file(request.user, file_id, _purpose_asked(request))
    if request.method == "GET":
        return _render_file(request, grant)
    section = request.POST.get("action", "")
    if section not in FILE_FORMS:
        return bad_request(request, "That is not something to do with a personnel file",
                           "Go back and choose from the page.")
    form = FILE_FORMS[section](request.POST, prefix=section)
    if form.is_valid():
        value = form.cleaned_data if section in ("contact", "reference") else form.cleaned_data["value"]
        try:
            services.do_update_personnel(request.user, grant.file, "references" if section == "reference" else section,
                                         value)
        except ConfideError as error:
            add_to_form(form, error)
        else:
            messages.info(request, "Saved.")
            return redirect(reverse("staffing:file", args=[grant.file.pk]))
    return _render_file(request, grant, (section, form))


# Monitoring ------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def monitoring_entry(request):
    """Record a monitoring form as it came, with no link to anyone (8.04)."""
    if not access.keeps_the_list(request.user):
        raise Http404
    form = MonitoringEntryForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.do_record_monitoring(request.user, form.cleaned_data["cohort"], form.cleaned_data["year"],
                                          form.answers())
        except ConfideError as error:
            add_to_form(form, error)
        else:
            messages.info(request, "The form is recorded, with no link to anyone. It will only ever be counted.")
            return redirect(reverse("staffing:monitoring"))
    return render(request, "staffing/monitoring.html", {"form": form, "clause": _clause("monitoring"),
                                                        "counts": monitoring.may_count(request.user)})


@require_GET
def monitoring_counts(request):
    if not monitoring.may_count(request.user):
        raise Http404
    year = request.GET.get("year", "")
    year_value = int(year) if year.isdigit() and 1990 <= int(year) <= 9999 else None
    return render(request, "staffing/monitoring_counts.html", {
        "tables": monitoring.count_tables(request.user, year_value), "year": year_value,
        "small": monitoring.SMALL, "clause": _clause("monitoring")})


# Applications ------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def applicants(request):
    if not access.reads_applications(request.user):
        raise Http404
    form = ApplicationForm(_posted(request), kept=monitoring.applicant_fields(current_policy()))
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            applicant = services.do_record_application(
                request.user, data["post"], data["received_on"],
                {k: data.get(k, "") for k in ("name", "email", "phone", "address")}, data["application"],
                form.answers())
        except ConfideError as error:
            add_to_form(form, error)
        else:
            messages.info(request, "The application is recorded. Its monitoring answers are detached from it and "
                                   "only counted.")
            return redirect(reverse("staffing:applicant", args=[applicant.pk]))
    rows = [{"a": a, "url": reverse("staffing:applicant", args=[a.pk]), "outcome": a.get_outcome_display()}
            for a in access.list_applicants(request.user)]
    return render(request, "staffing/applicants.html", {"rows": rows, "form": form,
                                                        "monitoring_clause": _clause("monitoring")})


@require_http_methods(["GET", "POST"])
def applicant(request, applicant_id: int):
    found = access.access_applicant(request.user, applicant_id)
    form = DecideForm(_posted(request))
    if request.method == "POST" and form.is_valid():
        try:
            services.do_decide_application(request.user, found, form.cleaned_data["outcome"],
                                           form.cleaned_data["decided_on"])
        except ConfideError as error:
            add_to_form(form, error)
        else:
            messages.info(request, "The outcome is recorded.")
            return redirect(reverse("staffing:applicant", args=[found.pk]))
    minimised = found.minimised_at is not None
    return render(request, "staffing/applicant.html", {
        "a": found, "details": {} if minimised else found.details, "application": "" if minimised else found.application,
        "minimised": minimised, "form": form, "pending": found.outcome == Applicant.Outcome.PENDING})


# Requests for a worker's contact details (5.01) ----------------------------------------------------

def _decision_view(decision: dict) -> dict:
    return {"words": DECISION_WORDS.get(decision.get("decision", ""), "Not asked yet"),
            "permit": decision.get("decision") == "permit", "reasons": decision.get("reasons", []),
            "obligations": [describe.word(o) for o in decision.get("obligations", [])]}


def _request_row(r: ContactRequest) -> dict:
    return {"r": r, "worker": _name(r.about.person), "url": reverse("staffing:contact_request", args=[r.pk]),
            "data": ", ".join(DATA_WORDS.get(d, d) for d in r.data).lower(), "kind": describe.word(r.recipient_kind),
            "status": STATUS_WORDS.get(r.status, r.status)}


def _loggable_files(user):
    return list(PersonnelFile.objects.filter(destroyed_at__isnull=True, line_manager__isnull=False)
                .exclude(person=user).select_related("person").order_by("person__last_name", "person__first_name"))


@require_http_methods(["GET", "POST"])
def contact_requests(request):
    """Requests for a worker's home address or telephone number: log one (it goes to the worker's line
    manager), and those waiting for this person."""
    user = request.user
    if not getattr(user, "role", ""):
        raise Http404
    files_ = _loggable_files(user)
    form = ContactRequestForm(_posted(request), pack=current_policy(), files=files_)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        file = next((f for f in files_ if f.pk == data["about"]), None)
        try:
            logged = services.do_log_contact_request(user, file, data["data"], data["recipient_kind"],
                                                     {k: data[k] for k in ("name", "organisation", "why")},
                                                     data.get("statutory", ""))
        except ConfideError as error:
            add_to_form(form, error)
        else:
            messages.info(request, "The request is logged and gone to the worker's line manager. Give nothing "
                                   "yourself.")
            return redirect(reverse("staffing:contact_request", args=[logged.pk]))
    waiting = access.contact_requests_for(user)
    return render(request, "staffing/contact_requests.html", {
        "form": form, "clause": _clause("contact_requests"),
        **{key: [_request_row(r) for r in rows] for key, rows in waiting.items()}})


STEPS = {("their_line_manager", ContactRequest.Status.RECEIVED): ("pass",),
         ("the_worker", ContactRequest.Status.WITH_WORKER): ("agree", "refuse"),
         ("their_line_manager", ContactRequest.Status.AGREED): ("given",)}
# Where the law obliges it (DVIP 5.01), the line manager gives it once the worker has been told.
BY_LAW_STEPS = {("their_line_manager", ContactRequest.Status.WITH_WORKER): ("given",),
                ("their_line_manager", ContactRequest.Status.REFUSED): ("given",)}


def _steps(found, role, by_law: bool) -> tuple[str, ...]:
    steps = STEPS.get((role, found.status), ())
    if not steps and by_law:
        steps = BY_LAW_STEPS.get((role, found.status), ())
    return steps


@require_http_methods(["GET", "POST"])
def contact_request(request, contact_request_id: int):
    found, role = access.access_contact_request(request.user, contact_request_id)
    by_law = services.required_by_law(found)  # the policy asked once: the law obliges it, whatever the worker says
    form = ContactStepForm(_posted(request))
    if request.method == "POST":
        if form.is_valid() and form.cleaned_data["next_step"] in _steps(found, role, by_law):
            step = form.cleaned_data["next_step"]
            try:
                if step == "pass":
                    services.do_pass_contact_request(request.user, found)
                elif step in ("agree", "refuse"):
                    services.do_answer_contact_request(request.user, found, step == "agree")
                else:
                    services.do_mark_contact_given(request.user, found)
            except ConfideError as error:
                add_to_form(form, error)
            else:
                messages.info(request, {"pass": "Passed to the worker.", "agree": "Your agreement is recorded.",
                                        "refuse": "Your refusal is recorded: nothing will be given.",
                                        "given": "Recorded as given, as the law requires." if by_law
                                        else "Recorded as given, as the worker agreed."}[step])
                return redirect(reverse("staffing:contact_request", args=[found.pk]))
        elif form.is_valid():
            form.add_error(None, "This request is not at that step any more: open it again.")
    asked = found.asked_by if isinstance(found.asked_by, dict) else {}
    return render(request, "staffing/contact_request.html", {
        "row": _request_row(found), "asked": asked, "role": role, "steps": _steps(found, role, by_law),
        "by_law": by_law,
        "decision": _decision_view(found.decision or {}), "form": form, "clause": _clause("contact_requests"),
        "file_url": reverse("staffing:file", args=[found.about_id]) if role == "their_line_manager" else ""})


# The home page ------------------------------------------------------------------------------------

def home_panel(user, today: dt.date) -> dict | None:
    """Requests for contact details waiting for this person: as line manager (to pass on, or to give
    once agreed), as the worker (to answer). None when nothing waits."""
    if not getattr(user, "role", ""):
        return None
    S = ContactRequest.Status
    base = ContactRequest.objects.filter(about__destroyed_at__isnull=True)
    as_manager = base.filter(about__line_manager=user, status__in=[S.RECEIVED, S.AGREED]).count()
    as_worker = base.filter(about__person=user, status=S.WITH_WORKER).count()
    if not (as_manager or as_worker):
        return None
    return {"template": "staffing/_home_panel.html", "as_manager": as_manager, "as_worker": as_worker,
            "url": reverse("staffing:contact_requests")}


# Approvals to read a personnel file (Home-Start 8.4: "trustee/s if appropriate") ------------------

APPROVAL_WORDS = dict(PersonnelApproval.Status.choices)


def _approval_row(a: PersonnelApproval) -> dict:
    return {"a": a, "worker": _name(a.file.person), "asker": _name(a.requested_by),
            "status": APPROVAL_WORDS.get(a.status, a.status), "purpose": vocab.label(a.purpose),
            "url": reverse("staffing:access_request", args=[a.pk])}


def _askable_files(user):
    return [f for f in PersonnelFile.objects.filter(destroyed_at__isnull=True).exclude(person=user)
            .select_related("person").order_by("person__last_name", "person__first_name", "pk")
            if access.approvable_purpose(user, f)[0]]


@require_http_methods(["GET", "POST"])
def access_requests(request):
    """Ask to read a personnel file the policy opens to you only with an approval; the requests you
    asked, and those waiting for your decision."""
    user = request.user
    asks = access.may_ask(user)
    found = access.approvals_for(user)
    if not asks and not found["asked"] and not found["to_decide"]:
        raise Http404
    files_ = _askable_files(user) if asks else []
    form = AskAccessForm(_posted(request), files=files_) if asks else None
    if request.method == "POST":
        if form is None:
            raise Http404
        if form.is_valid():
            file = next((f for f in files_ if f.pk == form.cleaned_data["file"]), None)
            try:
                asked = services.do_ask_personnel_access(user, file, form.cleaned_data["reason"])
            except ConfideError as error:
                add_to_form(form, error)
            else:
                messages.info(request, "Your request is sent to the people who approve it. You will be told "
                                       "when it is decided.")
                return redirect(reverse("staffing:access_request", args=[asked.pk]))
    return render(request, "staffing/access_requests.html", {
        "form": form, "asked": [_approval_row(a) for a in found["asked"]],
        "to_decide": [_approval_row(a) for a in found["to_decide"]], "clause": _clause("file")},
        status=400 if form is not None and form.is_bound and form.errors else 200)


@require_http_methods(["GET", "POST"])
def access_request(request, approval_id: int):
    approval, role = access.access_approval(request.user, approval_id)
    form = DecideAccessForm(_posted(request)) if role == "approver" and \
        approval.status == PersonnelApproval.Status.WAITING else None
    if request.method == "POST":
        if form is None:
            return bad_request(request, "That request is not yours to decide now",
                               "Only someone in a role the policy names decides it, once, and never the "
                               "person who asked.")
        if form.is_valid():
            try:
                services.do_decide_personnel_access(request.user, approval, form.cleaned_data["decision"] == "approve")
            except ConfideError as error:
                add_to_form(form, error)
            else:
                messages.info(request, "Your decision is recorded, and the person who asked is told.")
                return redirect(reverse("staffing:access_request", args=[approval.pk]))
    open_until = None
    if approval.status == PersonnelApproval.Status.APPROVED and approval.decided_at is not None:
        open_until = approval.decided_at + dt.timedelta(days=access.APPROVAL_DAYS)
    return render(request, "staffing/access_request.html", {
        "row": _approval_row(approval), "role": role, "form": form, "reason": approval.reason,
        "decided_by": _name(approval.decided_by) if approval.decided_by else "",
        "open_until": open_until, "still_open": open_until is not None and open_until > timezone.now(),
        "file_url": reverse("staffing:file", args=[approval.file_id]) if role == "asker" else ""}, status=400 if form is not None and form.is_bound and form.errors else 200)


def approvals_panel(user, today: dt.date) -> dict | None:
    """Requests to read personnel files waiting for this person's decision, and, for someone the policy
    lets read files with an approval, where to ask; None when neither."""
    if not getattr(user, "role", ""):
        return None
    waiting = access.approvals_for(user, limit=HOME_ROWS)["to_decide"]
    asks = access.may_ask(user)
    if not waiting and not asks:
        return None
    return {"template": "staffing/_approvals_panel.html", "waiting": len(waiting), "asks": asks,
            "url": reverse("staffing:access_requests")}

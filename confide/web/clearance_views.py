"""Declarations, induction and training (issue 16). "Your declarations": each declaration the pack asks
this person to sign, in its full wording with its clause, and a form to sign it by typing their name;
their induction and training. The register (managers and the data controller, vocab.MANAGER_KINDS):
who has signed what, induction, each training module with when it was last done and is next due,
overdue ones said in words; forms to record induction, training, a signed copy, and contractors' or
partner agencies' signatures; a signed copy downloaded as an attachment with a neutral file name.
Staff names and dates only: never a client. Thin: every write is one do_* of
confide.staffing.clearance, whose refusals are shown beside the field they name."""

from __future__ import annotations

import datetime as dt
import io

from django.contrib import messages
from django.http import FileResponse, Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from confide.accounts.models import current_policy
from confide.policy import governance, vocab
from confide.records.access import answers_to_clearance
from confide.staffing import clearance
from confide.web.clearance_forms import CopyForm, InductionForm, OutsideForm, SignForm, TrainingForm
from confide.web.errors import add_to_form
from confide.web.purposes import bad_request

HOME_NAMES = 3  # names shown on the manager's panel before "and N more"


def may_manage(user) -> bool:
    return getattr(user, "role_kind", "") in vocab.MANAGER_KINDS


def _gate(request) -> None:
    if not may_manage(request.user):
        raise Http404


recorders = clearance.recorders


def _declaration_rows(user, today: dt.date, form: SignForm | None = None) -> list[dict]:
    pack = current_policy()
    signatures = list(user.signatures.all())
    rows = []
    for declaration in clearance.declarations_for(user, pack):
        state, signature = clearance.signature_state(declaration, signatures, today)
        bound = form if form is not None and form.data.get("declaration") == declaration.id else None
        rows.append({"declaration": declaration, "title": clearance.title_of(declaration), "state": state,
                     "signature": signature, "why": clearance.WHY.get(state, ""),
                     "due": clearance.next_due(signature.signed_on, declaration.refresh_months)
                     if signature is not None and state == "current" else None,
                     "form": bound or SignForm(initial={"declaration": declaration.id},
                                               auto_id=f"id_{declaration.id}_%s")})
    return rows


def _render_mine(request, today: dt.date, form: SignForm | None = None):
    user = request.user
    pack = current_policy()
    induction = governance.induction(pack)
    inducted = user.inductions.filter(completed_on__lte=today).order_by("-completed_on").first()
    training = [clearance.training_row(m, _last_done(user, m.id), today) for m in clearance.modules_for(user, pack)]
    rows = _declaration_rows(user, today, form)
    return render(request, "clearance/mine.html", {
        "rows": rows, "sign_form": form or next((row["form"] for row in rows if row["state"] != "current"),
                                  rows[0]["form"] if rows else None),  # the form the fuzz tests post
        "today": today, "name": clearance.name_of(user),
        "induction": induction if clearance.needs_induction(user, pack) else None, "inducted": inducted,
        "recorders": recorders(), "training": training, "missing": clearance.missing(user, today),
        "posted": form, "manages": may_manage(user),
    }, status=400 if form is not None and form.errors else 200)


def _last_done(user, module_id: str) -> dt.date | None:
    found = user.training.filter(module=module_id).order_by("-completed_on").first()
    return found.completed_on if found else None


@require_http_methods(["GET", "POST"])
def mine(request):
    """Your declarations: read each in full, sign by typing your name."""
    today = timezone.localdate()
    if request.method == "GET":
        return _render_mine(request, today)
    form = SignForm(request.POST)
    if form.is_valid():
        try:
            clearance.do_sign_declaration(request.user, form.cleaned_data["declaration"],
                                          form.cleaned_data["typed_name"], today)
        except clearance.ClearanceError as error:
            if error.field != "typed_name" and error.status == 404:
                return bad_request(request, "That is not a declaration for you to sign",
                                   "Go back and sign from the page.")
            add_to_form(form, error)
        else:
            messages.info(request, "Signed. Thank you.")
            return redirect(reverse("clearance:mine"))
    return _render_mine(request, today, form)


# The register ---------------------------------------------------------------------------------------

def _people_choices(rows, *, only=None) -> list[tuple[str, str]]:
    return [(str(row.person.pk), clearance.name_of(row.person)) for row in rows if only is None or only(row)]


def _forms(rows, data=None, files=None, action: str = ""):
    pack = current_policy()
    people = _people_choices(rows)
    staff_declarations = sorted({(x["declaration"].id, x["title"]) for row in rows for x in row.declarations})
    outside = [(d.id, clearance.title_of(d)) for d in clearance.outside_declarations()]
    modules = [(m.id, m.title) for m in governance.training(pack)]

    def bound(name, with_files=False):
        if action != name:
            return {}
        return {"data": data, "files": files} if with_files else {"data": data}

    return {
        "induction_form": InductionForm(**bound("induction"), people=_people_choices(
            rows, only=lambda r: r.induction_needed), prefix="induction"),
        "training_form": TrainingForm(**bound("training"), people=people, modules=modules, prefix="training"),
        "copy_form": CopyForm(**bound("copy", True), people=people, declarations=staff_declarations, prefix="copy"),
        "outside_form": OutsideForm(**bound("outside"), declarations=outside, prefix="outside") if outside else None,
    }


def _render_register(request, today: dt.date, forms: dict | None = None, posted=None):
    rows = clearance.register(today)
    forms = forms or _forms(rows)
    pack = current_policy()
    from confide.staffing.models import Signature

    uploaded = list(Signature.objects.filter(how=Signature.How.UPLOADED, person__isnull=False)
                    .select_related("person").order_by("-signed_on", "-id")[:50])
    outside = list(Signature.objects.filter(person__isnull=True).order_by("-signed_on", "-id")[:50])
    titles = {d.id: clearance.title_of(d) for d in governance.declarations(pack)}
    return render(request, "clearance/register.html", {
        "rows": rows, "today": today, "modules": governance.training(pack), "induction": governance.induction(pack),
        "uploaded": [{"signature": s, "title": titles.get(s.declaration, s.declaration),
                      "name": clearance.name_of(s.person)} for s in uploaded],
        "outside": [{"signature": s, "title": titles.get(s.declaration, s.declaration)} for s in outside],
        "outside_declarations": clearance.outside_declarations(), "posted": posted, **forms,
    }, status=400 if posted is not None and posted.errors else 200)


def _person_id(form) -> int | None:
    value = form.cleaned_data.get("person")
    return int(value) if value and str(value).isdigit() else None


@require_http_methods(["GET", "POST"])
def register(request):
    """Everyone's declarations, induction and training; the forms that record them."""
    _gate(request)
    today = timezone.localdate()
    if request.method == "GET":
        return _render_register(request, today)
    action = request.POST.get("action", "")
    if action not in ("induction", "training", "copy", "outside"):
        return bad_request(request, "That is not something to do on the register", "Go back and choose from the page.")
    rows = clearance.register(today)
    forms = _forms(rows, request.POST, request.FILES, action)
    form = forms[f"{action}_form"]
    if form is None:
        return bad_request(request, "The policy has no such declaration", "Go back and choose from the page.")
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "induction":
                clearance.do_record_induction(request.user, _person_id(form), data["completed_on"], today)
                done = "The induction is recorded."
            elif action == "training":
                clearance.do_record_training(request.user, _person_id(form), data["module"], data["completed_on"], today)
                done = "The training is recorded."
            elif action == "copy":
                upload = data["copy"]
                clearance.do_upload_signed_copy(request.user, _person_id(form), data["declaration"], upload.read(),
                                                upload.content_type or "", data["signed_on"], today)
                done = "The signed copy is recorded."
            else:
                clearance.do_record_outside_signature(request.user, data["declaration"], data["signer_name"],
                                                      data["organisation"], data["signed_on"], today)
                done = "The signature is recorded."
        except clearance.ClearanceError as error:
            add_to_form(form, error)
        else:
            messages.info(request, done)
            return redirect(reverse("clearance:register"))
    return _render_register(request, today, forms, posted=form)


@require_GET
def signed_copy(request, signature_id: int):
    """A signed copy, as an attachment with a neutral name, to managers and the data controller only."""
    _signature, data, filename = clearance.signed_copy(request.user, signature_id)
    content_type = _signature.copy_type or "application/octet-stream"
    response = FileResponse(io.BytesIO(data), as_attachment=True, filename=filename, content_type=content_type)
    response["Cache-Control"] = "no-store"
    return response


# The home page --------------------------------------------------------------------------------------

def home_panel(user, today: dt.date) -> dict | None:
    """For a person who is not cleared, what is missing, prominently (every kind that answers to the
    gate); for managers and the data controller, who is overdue for training and who has not signed."""
    kind = getattr(user, "role_kind", "")
    panel: dict = {"template": "clearance/_home_panel.html"}
    if answers_to_clearance(user):
        panel["missing"] = clearance.missing(user, today)
        if panel["missing"]:
            # The files waiting for them, by number only: each opens once they have signed (until then
            # the gate shows what is missing). No name is read before they are cleared.
            from confide.records.models import Case

            numbers = sorted(set(Case.objects.filter(workers=user).exclude(status=Case.Status.CLOSED)
                                 .values_list("client_id", flat=True)))
            panel["waiting"] = [{"number": n, "url": reverse("web:client_file", args=[n])} for n in numbers[:5]]
    if kind in vocab.MANAGER_KINDS:
        rows = clearance.register(today)
        overdue = [row for row in rows if row.overdue_training]
        unsigned = [row for row in rows if row.missing]
        panel.update({"manages": True, "overdue": len(overdue),
                      "overdue_names": [clearance.name_of(r.person) for r in overdue[:HOME_NAMES]],
                      "unsigned": len(unsigned),
                      "unsigned_names": [clearance.name_of(r.person) for r in unsigned[:HOME_NAMES]]})
    if not panel.get("missing") and not panel.get("manages"):
        return None
    return panel


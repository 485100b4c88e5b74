"""Consent and sharing pages. Thin: every read goes through a gate (confide.sharing.access, which
uses confide.records.access), every write through a do_* function; the engine decides."""

from __future__ import annotations

import json

from django.contrib.auth import logout
from django.contrib.auth.decorators import login_not_required
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from confide.accounts.models import current_organisation, current_policy
from confide.accounts.services import do_end_locked_out, locked_out_message
from confide.audit.actions import Action
from confide.audit.models import AuditEvent
from confide.partners.models import Agency, AgencyContact
from confide.policy import vocab
from confide.policy.notifications import reports_for
from confide.policy.steps import BEFORE_SENDING
from confide.records.entries import entry_text
from confide.records.models import DATA_CATEGORIES, Entry
from confide.sharing import access as gate
from confide.sharing import documents
from confide.sharing.consent import (
    ConsentError,
    Given,
    consent_form,
    do_record_consent,
    do_withdraw_consent,
    expiring_soon,
    given_by_name,
    signed_form,
    wording_for,
)
from confide.sharing.disclosure import (
    PERSON_RECIPIENT,
    Asked,
    DisclosureError,
    IdentityNotConfirmed,
    NotAllowed,
    Recipient,
    approval_note,
    current_step,
    do_decide,
    do_make_link,
    do_record_sent,
    do_record_step,
    do_request_disclosure,
    do_revoke_link,
    link_state,
    reason,
    recipient_name,
    sent_note,
    step_note,
    why_not_send,
)
from confide.sharing.incoming import RequestError, do_log_request, do_record_callback, order_document
from confide.sharing.incoming import details as incoming_details
from confide.sharing.models import Consent, Disclosure, IncomingRequest
from confide.sharing.tasks import TaskError, do_finish_task, do_report, outcome_note
from confide.web import describe
from confide.web.downloads import attachment
from confide.web.purposes import asks_purpose, bad_request, with_purpose
from confide.web.sharing_forms import (
    CallbackForm,
    ConsentForm,
    DecideForm,
    IncomingForm,
    SentForm,
    ShareForm,
    StepForm,
    TaskForm,
    WithdrawForm,
)

CATEGORY_LABELS = dict(DATA_CATEGORIES)


_label = vocab.heading


def _error_field(form, message: str) -> None:
    """Put a do_* function's 'field: message' on the field it names, or on the form."""
    field, _, text = message.partition(": ")
    if text and field in form.fields:
        form.add_error(field, text[:1].upper() + text[1:] + ("" if text.endswith(".") else "."))
    else:
        form.add_error(None, message[:1].upper() + message[1:])


def _service(grant) -> str | None:
    return grant.cases[0].service if grant.cases else None


# The client's consents and disclosures --------------------------------------------------------------

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
    wording = wording_for(pack, consent_form(pack, grant.client.subject_role, _service(grant)))
    return _pdf_response(documents.consent_form_pdf(wording), f"consent-form-v{wording.version}.pdf")


def _file_response(filename: str, content_type: str, content: bytes, *, default: str) -> HttpResponse:
    """A file to save, never to show in the browser, kept out of caches, under a neutral name
    (`default`: its kind and number), never the name it was stored with (confide/web/downloads.py)."""
    return attachment(content, content_type, default, original=filename)


def _pdf_response(pdf: bytes, filename: str) -> HttpResponse:
    return attachment(pdf, "application/pdf", filename)


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
            field = str(error).split(":", 1)[0]
            if field == "capacity":
                form.add_error("has_capacity", str(error).split(": ", 1)[1].capitalize() + ".")
            else:
                _error_field(form, str(error))
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
            _error_field(form, str(error))
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
    return _pdf_response(documents.consent_form_pdf(record.wording, record, given_by_name(record)),
                         f"consent-{record.pk}.pdf")


@require_GET
@asks_purpose
def consent_signed_form(request, consent_id: int, *, purpose: str):
    _grant, record = gate.access_consent(request.user, consent_id, purpose)
    found = signed_form(record)
    if found is None:
        raise Http404
    return _file_response(*found, default=f"signed-form-{record.pk}")


# Asking to share --------------------------------------------------------------------------------------

def _recipients(client) -> list[tuple[str, list[tuple[str, str]]] | tuple[str, str]]:
    """The choices of recipient: named staff of partner agencies, the agencies, people on file."""
    from confide.records.people import person_details

    groups: list = []
    contacts = list(AgencyContact.objects.filter(active=True, agency__active=True).select_related("agency"))
    if contacts:
        groups.append(("Named staff at partner agencies",
                       [(f"contact:{c.pk}", f"{c.name}, {c.job_title + ', ' if c.job_title else ''}{c.agency.name}")
                        for c in contacts]))
    agencies = list(Agency.objects.filter(active=True))
    if agencies:
        groups.append(("Partner agencies (no named person)", [(f"agency:{a.pk}", a.name) for a in agencies]))
    people = list(client.people.all())
    if people:
        groups.append(("People on the client's file",
                       [(f"person:{p.pk}", f"{person_details(p).get('name', '')} ({p.get_relationship_display().lower()})")
                        for p in people]))
    return groups


def _resolve_recipient(client, data) -> Recipient:
    to = data["to"]
    kind, _, pk = to.partition(":")
    if kind == "contact":
        contact = AgencyContact.objects.select_related("agency").filter(pk=pk, active=True).first()
        if contact is None:
            raise DisclosureError("to: that person is no longer in the directory")
        return Recipient(kind=contact.agency.kind, agency=contact.agency, contact=contact)
    if kind == "agency":
        agency = Agency.objects.filter(pk=pk, active=True).first()
        if agency is None:
            raise DisclosureError("to: that agency is no longer in the directory")
        return Recipient(kind=agency.kind, agency=agency)
    if kind == "person":
        person = client.people.filter(pk=pk).first()
        if person is None:
            raise DisclosureError("to: that person is not on this client's file")
        return Recipient(kind=PERSON_RECIPIENT[person.relationship], person=person,
                         relationship=person.relationship if person.relationship in ("partner", "ex_partner") else "")
    return Recipient(kind=data["other_kind"], name=data["other_name"])


def _answering(request, client) -> IncomingRequest | None:
    """The request from outside this sharing answers, if any: one logged on this client's file."""
    number = (request.POST.get("request") or request.GET.get("request") or "").strip()
    if not number.isdigit():
        return None
    found = IncomingRequest.objects.select_related("disclosure").filter(pk=int(number), client=client).first()
    return found if found is not None and _may_answer(found) else None


def _may_answer(logged: IncomingRequest) -> bool:
    """Not answered yet, or refused in a way that asking again could change (3.3: after the call back)."""
    answer = logged.disclosure
    return answer is None or (answer.status == Disclosure.Status.REFUSED and not answer.final)


@require_http_methods(["GET", "POST"])
@asks_purpose
def share(request, client_id: int, *, purpose: str):
    """Ask to share: who, what (nothing ticked until ticked), why, how. The engine's answer, with
    its reasons, is shown on the request's own page before anything is sent."""
    grant = gate.access_client_to_share(request.user, client_id, purpose)
    client = grant.client
    pack = current_policy()
    readable = [e for e in grant.entries(limit=200) if grant.may_open(e)]
    entry_choices = [(str(e.pk), f"{e.get_kind_display()} of {e.created_at:%-d %b %Y}: "
                      f"{', '.join(CATEGORY_LABELS.get(c, c) for c in e.categories)}") for e in readable]
    cases = [(str(c.pk), describe.service(c.service)) for c in grant.cases]
    answering = _answering(request, client)
    initial = {}
    if answering is not None:
        initial = {"to": f"agency:{answering.agency_id}" if answering.agency_id else "other",
                   "other_kind": answering.requester_kind,
                   "channel": answering.how if answering.how in pack.spec.vocab["channels"] else "",
                   # A witness summons is an order of a court too (DVIP Appendix B: "subpoenaed").
                   "grounds": ["court_order"] if answering.order else []}
    form = ShareForm(request.POST or None, pack=pack, cases=cases, recipients=_recipients(client), entries=entry_choices,
                     initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recipient = _resolve_recipient(client, data)
            case = next(c for c in grant.cases if str(c.pk) == data["case"])
            chosen = {int(pk) for pk in data["entries"]}
            asked = Asked(recipient=recipient, entries=list(Entry.objects.filter(pk__in=[e.pk for e in readable if e.pk in chosen])),
                          purpose=data["purpose"],
                          channel=data["channel"], grounds=data["grounds"], reason=data["reason"],
                          identity_verified=data["identity_verified"], incoming=answering,
                          callback_number=data.get("callback_number", ""))
            disclosure = do_request_disclosure(request.user, pack, grant, case, asked)
        except DisclosureError as error:
            _error_field(form, str(error))
        else:
            return redirect(with_purpose(reverse("web:disclosure", args=[disclosure.pk]), purpose))
    # Each entry's text is shown beside its box, so the worker sees what they would share.
    previews = {str(e.pk): entry_text(client.pk, e) for e in readable}
    return render(request, "sharing/share.html", {
        "grant": grant, "client": client, "form": form, "previews": previews, "answering": answering,
        "sharing_url": with_purpose(reverse("web:sharing", args=[client.pk]), purpose),
    }, status=400 if form.errors else 200)


def _answer_view(disclosure: Disclosure) -> dict:
    answer = disclosure.answer
    roles = current_policy().roles
    steps = []
    for index, step in enumerate(answer.get("approvals", [])):
        steps.append({"number": index + 1, "count": step.get("count", 1),
                      "roles": [roles[r].label if r in roles else r for r in step.get("any_of", [])],
                      "never": [roles[r].label if r in roles else r for r in step.get("never", [])],
                      "text": step.get("text", "")})
    return {"decision": answer.get("decision"), "reasons": answer.get("reasons", []),
            "legal_basis": answer.get("legal_basis", []), "steps": steps,
            "obligations": [_label(o) for o in answer.get("obligations", [])],
            "pack": answer.get("pack", {}), "final": disclosure.final}


def _approvals(disclosure: Disclosure) -> list[dict]:
    roles = current_policy().roles
    return [{"who": a.approver.get_full_name() or a.approver.get_username(),
             "role": roles[a.role].label if a.role in roles else a.role, "step": a.step + 1,
             "decision": a.get_decision_display(), "at": a.at, "note": approval_note(disclosure, a),
             "confirmed_with": "password" if a.confirmed_with == "password" else "authenticator code"}
            for a in disclosure.approvals.all()]


def _steps(disclosure: Disclosure, data=None, may_write: bool = False) -> list[dict]:
    """The steps the policy requires before sending, each with its clause, and who recorded what and
    when; a form for each still to do (bound to what was posted for the step being recorded)."""
    recorded = {step.kind: step for step in disclosure.steps.select_related("done_by")}
    open_to_record = may_write and disclosure.status in (Disclosure.Status.AWAITING_APPROVAL, Disclosure.Status.READY)
    known_phone = disclosure.agency.known_phone if disclosure.agency_id else ""
    out = []
    for wanted in disclosure.before_sending:
        kind = wanted["kind"]
        step = BEFORE_SENDING.get(kind)
        item = {"kind": kind, "clause": wanted.get("clause", ""), "text": wanted.get("text", ""),
                "title": step.title if step else _label(kind), "prompt": step.prompt if step else "",
                "done": None, "form": None}
        done = recorded.get(kind)
        if done is not None:
            item["done"] = {"who": done.done_by.get_full_name() or done.done_by.get_username(), "at": done.done_at,
                            "outcome": done.get_outcome_display(), "skipped": done.outcome == "skipped",
                            "note": step_note(disclosure, done), "number": done.number}
        elif open_to_record and step is not None:
            item["form"] = StepForm(data if data is not None and data.get("step") == kind else None, step=step,
                                    known_phone=known_phone)
        out.append(item)
    return out


def _downloads(disclosure: Disclosure) -> list[dict]:
    events = AuditEvent.objects.filter(client_id=disclosure.client_id, action=Action.DISCLOSURE_DOWNLOADED,
                                       object_type="secure_link",
                                       object_id__in=[str(link.pk) for link in disclosure.links.all()]).order_by("seq")
    kinds = {e.pk: e.get_kind_display() for e in disclosure.entries.all()}
    out = []
    for event in events:
        detail = json.loads(event.detail or "{}")
        out.append({"at": event.at, "what": f"{kinds.get(detail.get('entry'), 'an item')} (entry {detail.get('entry')})"})
    return out


@require_http_methods(["GET", "POST"])
@asks_purpose
def disclosure(request, disclosure_id: int, *, purpose: str):
    """One request: the engine's answer with its reasons, the approvals, and sending it."""
    action = request.POST.get("action", "") if request.method == "POST" else ""
    grant, record = gate.access_disclosure(request.user, disclosure_id, purpose, write=bool(action))
    sent_form = SentForm(request.POST if action == "sent" else None)
    token = problem = None
    steps = _steps(record, request.POST if action == "step" else None, may_write=grant.may_write)
    step_form = next((s["form"] for s in steps if s["form"] is not None and s["form"].is_bound), None)
    if action == "step":
        if step_form is None:
            return bad_request(request, "That step cannot be recorded here", "Go back to the request and try again.")
        if step_form.is_valid():
            data = step_form.cleaned_data
            try:
                do_record_step(request.user, record.pk, step_form.step.kind, data["outcome"], data["note"],
                               data.get("number", ""))
            except (NotAllowed, DisclosureError) as error:
                _error_field(step_form, str(error))
            else:
                return redirect(request.get_full_path())
    elif action == "link":
        try:
            _link, token = do_make_link(request.user, record.pk)
        except NotAllowed as error:
            problem = str(error)
    elif action == "sent" and not sent_form.is_valid() and not (
            record.status == Disclosure.Status.READY and grant.may_write and record.channel != "secure_link"):
        # The form is not on the page to show its errors on (as disclosure.html shows it): say why.
        problem = ("Nothing was recorded: only a request ready to send, by a way other than a secure link, "
                   "is recorded as sent.")
    elif action == "sent" and sent_form.is_valid():
        try:
            do_record_sent(request.user, record.pk, sent_form.cleaned_data["note"])
        except (NotAllowed, DisclosureError) as error:
            problem = str(error).split(": ", 1)[-1]
        else:
            return redirect(request.get_full_path())
    elif action == "revoke":
        try:
            do_revoke_link(request.user, record, int(request.POST.get("link", "0") or 0))
        except (NotAllowed, ValueError) as error:
            problem = str(error)
        else:
            return redirect(request.get_full_path())
    elif action and action != "sent":
        return bad_request(request, "That is not something Confide can do here", "Go back and try again.")
    if action:
        _grant, record = gate.access_disclosure(request.user, disclosure_id, purpose)
        if action != "step":
            steps = _steps(record, may_write=grant.may_write)
    links = [{"pk": link.pk, "created_at": link.created_at, "expires_at": link.expires_at, "state": link_state(link),
              "downloaded": len(link.downloaded)} for link in record.links.all()]
    return render(request, "sharing/disclosure.html", {
        "grant": grant, "client": grant.client, "d": record, "answer": _answer_view(record), "reason": reason(record),
        "to": recipient_name(record) or _label(record.recipient_kind), "kind": _label(record.recipient_kind),
        "purpose_label": _label(record.purpose), "grounds": [_label(g) for g in record.grounds],
        "channel": _label(record.channel), "data": [CATEGORY_LABELS.get(d, d) for d in record.data],
        "entries": list(record.entries.all()), "approvals": _approvals(record), "links": links, "token": token,
        "link_url": request.build_absolute_uri(reverse("web:shared", args=[token])) if token else None,
        "sent_form": sent_form, "sent_note": sent_note(record), "problem": problem, "downloads": _downloads(record),
        "tasks": list(record.tasks.all()), "purpose": purpose, "steps": steps,
        "not_yet": why_not_send(record) if record.status == Disclosure.Status.READY else None,
        "waiting_step": (current_step(record) or 0) + 1 if record.status == Disclosure.Status.AWAITING_APPROVAL else None,
        "sharing_url": with_purpose(reverse("web:sharing", args=[grant.client.pk]), purpose),
        "record_pdf_url": with_purpose(reverse("web:disclosure_record", args=[record.pk]), purpose),
    }, status=400 if (sent_form.errors or problem or (step_form is not None and step_form.errors)) else 200)


@require_GET
@asks_purpose
def disclosure_record(request, disclosure_id: int, *, purpose: str):
    """The printable disclosure record (PDF): what went, to whom, why and on what basis."""
    grant, record = gate.access_disclosure(request.user, disclosure_id, purpose)
    pdf = documents.disclosure_record_pdf(record, client_name=grant.client.display_name,
                                          recipient=recipient_name(record), reason=reason(record),
                                          approvals=_approvals(record), downloads=_downloads(record),
                                          sent_note=sent_note(record))
    return _pdf_response(pdf, f"disclosure-{record.pk}.pdf")


# Approvals --------------------------------------------------------------------------------------------

@require_GET
def approvals(request):
    """Requests waiting for this person's decision."""
    waiting = gate.approvals_waiting(request.user)
    for item in waiting:
        item.url = reverse("web:approve", args=[item.pk])
        item.kind_label = _label(item.recipient_kind)
        item.purpose_label = _label(item.purpose)
    return render(request, "sharing/approvals.html", {"waiting": waiting})


def _locked_out(request):
    """Too many wrong passwords or codes confirming a decision: the account is locked (counted as at
    sign-in), every session of the person ends, this one too, and they are told so, with nothing of
    the request on the page."""
    user = request.user
    user.refresh_from_db(fields=["locked_until"])
    message = locked_out_message(user)
    do_end_locked_out(user)
    logout(request)
    return render(request, "accounts/locked_out.html", {"message": message}, status=403)


@require_http_methods(["GET", "POST"])
def approve(request, disclosure_id: int):
    """The request as its approver sees it, and their decision, confirmed with their password or a
    code. Trustees are briefed on the facts without the client's name (Day-Mer)."""
    record = gate.access_disclosure_to_decide(request.user, disclosure_id)
    form = DecideForm(request.POST or None)
    problem = None
    status = 200
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            do_decide(request.user, record.pk, data["decision"], data["note"], data["secret"])
        except IdentityNotConfirmed as failed:
            if failed.outcome == "locked":
                return _locked_out(request)
            form.add_error("secret", "That was not right. Enter your password, or a new code from your app.")
        except NotAllowed as error:
            problem = str(error)
            status = 403
        except DisclosureError as error:
            _error_field(form, str(error))
        else:
            return redirect(reverse("web:approve", args=[record.pk]))
        record = gate.access_disclosure_to_decide(request.user, disclosure_id)
    if form.errors:
        status = 400
    may_decide = (record.status == Disclosure.Status.AWAITING_APPROVAL and
                  not any(a.approver_id == request.user.pk for a in record.approvals.all()))
    if form.errors and not may_decide and problem is None:
        # The form is not on the page to show its errors on: say why, as do_decide would.
        problem, status = "This request is not waiting for your decision, so nothing was recorded.", 403
    briefed_only = not gate.approver_may_see_name(request.user, record.client_id)
    entries = list(record.entries.all())
    return render(request, "sharing/approve.html", {
        "d": record, "form": form, "problem": problem, "answer": _answer_view(record), "reason": reason(record),
        "to": recipient_name(record) or _label(record.recipient_kind), "kind": _label(record.recipient_kind),
        "purpose_label": _label(record.purpose), "grounds": [_label(g) for g in record.grounds],
        "channel": _label(record.channel), "data": [CATEGORY_LABELS.get(d, d) for d in record.data],
        "entries": entries, "approvals": _approvals(record), "briefed_only": briefed_only,
        "client_label": f"client {record.client_id}" if briefed_only else f"{record.client.display_name} (client {record.client_id})",
        "may_decide": may_decide,
        "waiting_step": (current_step(record) or 0) + 1 if record.status == Disclosure.Status.AWAITING_APPROVAL else None,
    }, status=status)


# Tasks ------------------------------------------------------------------------------------------------

@require_GET
def tasks(request):
    return render(request, "sharing/tasks.html", {"tasks": [
        {"task": t, "url": reverse("web:task", args=[t.pk])} for t in gate.my_tasks(request.user)]})


@require_http_methods(["GET", "POST"])
def task(request, task_id: int):
    item = gate.access_task(request.user, task_id)
    form = TaskForm(request.POST or None, task=item)
    if request.method == "POST" and form.is_valid():
        try:
            do_finish_task(request.user, item, form.cleaned_data["outcome"], form.cleaned_data["note"])
        except TaskError as error:
            _error_field(form, str(error))
        else:
            return redirect(reverse("web:tasks"))
    return render(request, "sharing/task.html", {
        "task": item, "form": form, "note": outcome_note(item),
        # A manager's urgent task (a threat to a named person) opens the file to manage the risk.
        "file_url": reverse("web:client_file", args=[item.client_id]) +
        ("?purpose=risk_management" if item.urgent and request.user.role_kind == "manager" else ""),
    }, status=400 if form.errors else 200)


# The recipient's secure link ---------------------------------------------------------------------------

@login_not_required
@require_GET
def shared(request, token: str):
    """What a partner agency sees through its link: the approved items, each to download once. A
    GET never uses a download up, so a mail scanner that follows the link spends nothing."""
    link, entries = gate.open_link(token)
    done = set(link.downloaded)
    items = [{"pk": e.pk, "kind": e.get_kind_display(), "on": e.created_at, "done": e.pk in done} for e in entries]
    organisation = current_organisation()
    return render(request, "sharing/shared.html", {
        "items": items, "link": link, "link_token": token, "organisation": organisation.name if organisation else "",
        "to": recipient_name(link.disclosure) if link.disclosure.agency_id else ""})


@login_not_required
@require_POST
def shared_download(request, token: str, entry_id: int):
    return _file_response(*gate.link_download(token, entry_id), default=f"shared-item-{int(entry_id)}")



# Requests from outside --------------------------------------------------------------------------------

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
            _error_field(form, str(error))
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
            _error_field(form, str(error))
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
        if logged.disclosure_id else None, "may_answer": _may_answer(logged),
        "sharing_url": with_purpose(reverse("web:sharing", args=[grant.client.pk]), purpose),
    }, status=400 if form.errors else 200)


@require_GET
@asks_purpose
def incoming_order(request, request_id: int, *, purpose: str):
    _grant, logged = gate.access_incoming(request.user, request_id, purpose)
    found = order_document(logged)
    if found is None:
        raise Http404
    return _file_response(*found, default=f"order-{logged.pk}")


@require_http_methods(["GET", "POST"])
@asks_purpose
def report(request, client_id: int, *, purpose: str):
    """Report something the pack says must reach someone: a task for each person to tell."""
    grant = gate.access_client_to_share(request.user, client_id, purpose)
    if not grant.cases:
        raise Http404
    sharing_url = with_purpose(reverse("web:sharing", args=[grant.client.pk]), purpose)
    if request.method == "GET":
        reports = reports_for(current_policy().name, grant.client.subject_role)
        return render(request, "sharing/report.html", {
            "client": grant.client, "reports": [(name, r.label) for name, r in reports.items()],
            "report_url": request.get_full_path(), "sharing_url": sharing_url})
    try:
        made = do_report(request.user, current_policy().name, grant.client, grant.cases[0], request.POST.get("report", ""))
    except TaskError:
        return bad_request(request, "That is not something to report on this file", "Go back and choose from the list.")
    return render(request, "sharing/reported.html", {"client": grant.client, "tasks": made, "sharing_url": sharing_url})

"""Asking to share, and deciding: the request (who, what, why, how), the engine's answer with its
reasons, the steps before sending, approval by the people the pack names, and delivery (a secure
link, or recorded as sent). Thin: every read goes through the gate (confide.sharing.access), every
write through a do_* function (confide.sharing.disclosure); the engine decides."""

from __future__ import annotations

from django.contrib.auth import logout
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from confide.accounts.models import current_policy
from confide.accounts.services import do_end_locked_out, locked_out_message
from confide.policy.steps import BEFORE_SENDING
from confide.records.entries import entry_text
from confide.records.models import DATA_CATEGORIES, Entry
from confide.sharing import access as gate
from confide.sharing import documents
from confide.sharing.disclosure import (
    Asked,
    DisclosureError,
    IdentityNotConfirmed,
    NotAllowed,
    approval_note,
    awaits_decision_of,
    current_step,
    do_decide,
    do_make_link,
    do_record_sent,
    do_record_step,
    do_request_disclosure,
    do_revoke_link,
    identifying_details,
    link_downloads,
    link_state,
    reason,
    recipient_name,
    sent_note,
    status_label,
    step_note,
    why_not_link,
    why_not_send,
)
from confide.sharing.incoming import request_to_answer
from confide.sharing.models import Disclosure
from confide.sharing.recipients import recipient_choices, resolve_recipient
from confide.web import describe
from confide.web.downloads import attachment
from confide.web.errors import add_to_form
from confide.web.purposes import asks_purpose, bad_request, with_purpose
from confide.web.sharing_forms import DecideForm, SentForm, ShareForm, StepForm

CATEGORY_LABELS = dict(DATA_CATEGORIES)
# A secure link's state (confide.sharing.disclosure.link_state), in words.
LINK_STATES = {"live": "Working, not all downloaded yet", "used": "Everything downloaded: it no longer works",
               "expired": "Expired", "revoked": "Stopped"}
_label = describe.word


# Asking to share --------------------------------------------------------------------------------------

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
    answering = request_to_answer(client, request.POST.get("request") or request.GET.get("request") or "")
    initial = {}
    if answering is not None:
        initial = {"to": f"agency:{answering.agency_id}" if answering.agency_id else "other",
                   "other_kind": answering.requester_kind,
                   "channel": answering.how if answering.how in pack.spec.vocab["channels"] else "",
                   # A witness summons is an order of a court too (DVIP Appendix B: "subpoenaed").
                   "grounds": ["court_order"] if answering.order else []}
    form = ShareForm(request.POST or None, pack=pack, cases=cases, recipients=recipient_choices(client), entries=entry_choices,
                     initial=initial)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            recipient = resolve_recipient(client, data["to"], other_kind=data["other_kind"],
                                          other_name=data["other_name"])
            case = next(c for c in grant.cases if str(c.pk) == data["case"])
            chosen = {int(pk) for pk in data["entries"]}
            asked = Asked(recipient=recipient, entries=list(Entry.objects.filter(pk__in=[e.pk for e in readable if e.pk in chosen])),
                          purpose=data["purpose"],
                          channel=data["channel"], grounds=data["grounds"], reason=data["reason"],
                          identity_verified=data["identity_verified"], incoming=answering,
                          callback_number=data.get("callback_number", ""), include_name=data["include_name"],
                          include_date_of_birth=data["include_date_of_birth"])
            disclosure = do_request_disclosure(request.user, pack, grant, case, asked)
        except DisclosureError as error:
            add_to_form(form, error)
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
                add_to_form(step_form, error)
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
            problem = error.sentence()
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
              "state_label": LINK_STATES[link_state(link)], "downloaded": len(link.downloaded)}
             for link in record.links.all()]
    offer_link = (grant.may_write and record.channel == "secure_link"
                  and record.status in (Disclosure.Status.READY, Disclosure.Status.SENT))
    return render(request, "sharing/disclosure.html", {
        "grant": grant, "client": grant.client, "d": record, "answer": _answer_view(record), "reason": reason(record),
        "to": recipient_name(record) or _label(record.recipient_kind), "kind": _label(record.recipient_kind),
        "purpose_label": _label(record.purpose), "grounds": [_label(g) for g in record.grounds],
        "channel": _label(record.channel), "data": [CATEGORY_LABELS.get(d, d) for d in record.data],
        "entries": list(record.entries.all()), "approvals": _approvals(record), "links": links, "token": token,
        "link_url": request.build_absolute_uri(reverse("web:shared", args=[token])) if token else None,
        "status_label": status_label(record), "identifying": identifying_details(record),
        "offer_link": offer_link, "link_refused": why_not_link(request.user, record) if offer_link else None,
        "link_made": token is not None,
        "sent_form": sent_form, "sent_note": sent_note(record), "problem": problem, "downloads": link_downloads(record),
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
                                          approvals=_approvals(record), downloads=link_downloads(record),
                                          sent_note=sent_note(record))
    return attachment(pdf, "application/pdf", f"disclosure-{record.pk}.pdf")


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
            add_to_form(form, failed)
        except NotAllowed as error:
            problem = str(error)
            status = 403
        except DisclosureError as error:
            add_to_form(form, error)
        else:
            return redirect(reverse("web:approve", args=[record.pk]))
        record = gate.access_disclosure_to_decide(request.user, disclosure_id)
    if form.errors:
        status = 400
    may_decide = awaits_decision_of(request.user, record)
    if form.errors and not may_decide and problem is None:
        # The form is not on the page to show its errors on: say why, as do_decide would.
        problem, status = "This request is not waiting for your decision, so nothing was recorded.", 403
    briefed_only = not gate.approver_may_see_name(request.user, record.client_id)
    entries = list(record.entries.all())
    words = gate.access_words_to_decide(request.user, record)
    return render(request, "sharing/approve.html", {
        "d": record, "form": form, "problem": problem, "answer": _answer_view(record), "reason": reason(record),
        "to": recipient_name(record) or _label(record.recipient_kind), "kind": _label(record.recipient_kind),
        "purpose_label": _label(record.purpose), "grounds": [_label(g) for g in record.grounds],
        "channel": _label(record.channel), "data": [CATEGORY_LABELS.get(d, d) for d in record.data],
        "entries": entries, "approvals": _approvals(record), "briefed_only": briefed_only,
        "client_label": f"client {record.client_id}" if briefed_only else f"{record.client.display_name} (client {record.client_id})",
        "may_decide": may_decide, "words": words, "words_shown": any(w["text"] is not None for w in words),
        "identifying": identifying_details(record),
        "waiting_step": (current_step(record) or 0) + 1 if record.status == Disclosure.Status.AWAITING_APPROVAL else None,
    }, status=status)

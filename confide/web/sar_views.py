"""Subject-access requests (UK GDPR Art 15): the list of open requests with their deadlines, logging
a request from the client's file, the request's page (its clock beside the pack's own deadline, and
the steps recorded), compiling the file, the second person's review of what is released, redacted or
withheld, and the release of the copy. Thin: every read goes through the gate
(confide.subject_access.access), every write through one do_* function
(confide.subject_access.services), whose refusals are shown beside the field they name."""

from __future__ import annotations

import datetime as dt
from types import SimpleNamespace

from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404, QueryDict
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_GET, require_http_methods

from confide.accounts.services import do_end_locked_out, locked_out_message
from confide.subject_access import access, services
from confide.subject_access import compile as compiling
from confide.subject_access.models import Item, Redaction, SubjectAccessRequest
from confide.subject_access.pdf import release_filename
from confide.web.downloads import attachment
from confide.web.errors import add_to_form
from confide.web.purposes import bad_request, with_purpose
from confide.web.sar_forms import (
    AddRedactionForm,
    AnswerForm,
    AskForm,
    CompileForm,
    ConfirmForm,
    ExtendForm,
    FindClientForm,
    HealthOpinionForm,
    ItemDecisionForm,
    LogRequestForm,
    ProcedureStepForm,
    RedactionsForm,
    ReleaseForm,
    SearchForm,
    WithdrawRequestForm,
)

HOME_ROWS = 5
SOON_DAYS = 7
PURPOSE = access.PURPOSE
Status = SubjectAccessRequest.Status

STATUS_WORDS = {Status.OPEN: "Open: not compiled yet", Status.COMPILED: "Compiled: being reviewed",
                Status.RELEASED: "Released", Status.WITHDRAWN: "Withdrawn by the requester"}
SOURCE_WORDS = {"client": "the client", "worker": "a worker's own observation", "third_party": "someone else",
                "professional": "a professional at another agency", "organisation": "the organisation's own records"}


def day(value: dt.date | None) -> str:
    return date_format(value, "j F Y") if value else ""


def plural(n: int, word: str) -> str:
    return f"{n} {word}{'s' if n != 1 else ''}"


def due(sar: SubjectAccessRequest, clock: services.Clock) -> dict:
    """When the answer is due, as a person reads it: "12 days left", "Due today", or, loudly,
    "Overdue by 3 days"; or why there is no date yet."""
    if clock.status == "closed":
        words = "Answered: the copy was released" if sar.status == Status.RELEASED else "Closed: the request was withdrawn"
        return {"words": words, "overdue": False, "soon": False}
    if clock.statutory_due_on is None or clock.days_left is None:
        waiting = ("Paused: waiting for the requester's answer" if clock.status == "paused"
                   else "Not started: waiting for identity to be confirmed")
        if clock.status != "paused" and sar.made_by == SubjectAccessRequest.By.REPRESENTATIVE \
                and sar.identity_confirmed_on is not None:
            waiting = "Not started: waiting for the representative's authority to be confirmed"
        return {"words": waiting, "overdue": False, "soon": False}
    left = clock.days_left
    if left < 0:
        return {"words": f"Overdue by {plural(-left, 'day')}", "overdue": True, "soon": False}
    if left == 0:
        return {"words": "Due today", "overdue": False, "soon": True}
    return {"words": f"{plural(left, 'day')} left", "overdue": False, "soon": left <= SOON_DAYS}


def clock_words(sar: SubjectAccessRequest, clock: services.Clock) -> str:
    """The clock's state in words."""
    if clock.status == "not_started":
        if sar.identity_confirmed_on is None:
            return "Not started: it starts when the requester's identity is confirmed."
        return "Not started: it starts when the representative's authority is confirmed."
    if clock.status == "paused":
        return "Paused: waiting for the requester's answer to your question. It runs again from the day they answer."
    if clock.status == "extended":
        return f"Extended by {plural(sar.extension_months or 0, 'month')}."
    if clock.status == "closed":
        return "Closed: the request was released or withdrawn."
    return "Running."


def request_row(listed: access.Listed, today: dt.date, *, reviewer_view: bool = False) -> dict:
    """One request as the list and the home page show it."""
    sar = listed.sar
    clock = services.clock(sar, today=today)
    url_name = "web:sar_review" if not listed.name else "web:sar_detail"
    return {"sar": sar, "name": listed.name, "label": listed.name or f"Client {sar.client_id}",
            "url": reverse(url_name, args=[sar.pk]), "clock": clock, "due": due(sar, clock),
            "status": STATUS_WORDS.get(sar.status, "")}


def _may_see(user) -> bool:
    return access.answers_requests(user) or access.may_review(user)


def home_panel(user, today: dt.date) -> dict | None:
    """The home page's panel: how many requests are open, how many overdue, the next due date and
    the most urgent few; None for someone who neither answers nor reviews requests."""
    if not _may_see(user):
        return None
    rows = [request_row(listed, today) for listed in access.open_requests(user)]
    due_dates = [row["clock"].statutory_due_on for row in rows if row["clock"].statutory_due_on]
    rows.sort(key=lambda row: (row["clock"].statutory_due_on is None, row["clock"].statutory_due_on or today))
    return {"count": len(rows), "overdue": sum(1 for row in rows if row["due"]["overdue"]),
            "next_due": min(due_dates) if due_dates else None, "rows": rows[:HOME_ROWS]}


def file_panel(user, grant) -> dict:
    """The client file's short section: the client's requests, with links for those who answer
    them, and where to log a new one. Read after the gate opened the file."""
    answers = access.answers_requests(user)
    rows = []
    for sar in access.requests_on_file(grant):
        reviewer = sar.reviewed_by
        rows.append({"sar": sar, "status": STATUS_WORDS.get(sar.status, ""),
                     "released_by": (reviewer.get_full_name() or reviewer.username) if reviewer else "",
                     "url": reverse("web:sar_detail", args=[sar.pk]) if answers else ""})
    return {"rows": rows, "answers": answers,
            "new_url": reverse("web:sar_new", args=[grant.client.pk]) if answers else ""}


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else ""


def _file_url(sar) -> str:
    return with_purpose(reverse("web:client_file", args=[sar.client_id]), PURPOSE)


# The list ---------------------------------------------------------------------------------------------

@require_GET
def sar_list(request):
    """Open requests, oldest first, with their statutory due dates; overdue ones say so."""
    user = request.user
    if not _may_see(user):
        raise Http404
    answers = access.answers_requests(user)
    form = FindClientForm(request.GET or None)
    if answers and request.GET and form.is_valid():
        return redirect(reverse("web:sar_new", args=[form.cleaned_data["client"]]))
    today = timezone.localdate()
    rows = [request_row(listed, today) for listed in access.open_requests(user)]
    return render(request, "subject_access/list.html", {
        "rows": rows, "answers": answers, "form": form, "overdue": sum(1 for row in rows if row["due"]["overdue"])},
        status=400 if form.errors else 200)


# Logging a request --------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def sar_new(request, client_id: int):
    """Log a request, from the client's file: when and how it came, from whom, and how their
    identity (and a representative's authority) was checked."""
    if not access.answers_requests(request.user):
        # The file may open for this purpose to the client's own worker (the engine's answer for the
        # case), but only whoever answers requests logs one: refused as a missing client is.
        raise Http404
    grant = access.access_sar_client(request.user, client_id)
    form = LogRequestForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        received = services.Received(
            received_on=data["received_on"], made=data["made"], made_by=data["made_by"],
            representative_name=data.get("representative_name", ""),
            representative_relationship=data.get("representative_relationship", ""),
            authority=data.get("authority", ""), identity_check=data["identity_check"],
            identity_confirmed_on=data.get("identity_confirmed_on"),
            authority_confirmed_on=data.get("authority_confirmed_on"))
        try:
            sar = services.do_log_request(request.user, grant, received)
        except services.SarError as error:
            add_to_form(form, error)
        else:
            messages.info(request, "The request is logged. Its clock is below.")
            return redirect(reverse("web:sar_detail", args=[sar.pk]))
    return render(request, "subject_access/new.html", {
        "client": grant.client, "form": form,
        "file_url": with_purpose(reverse("web:client_file", args=[grant.client.pk]), PURPOSE)},
        status=400 if form.errors else 200)


# The request's page -------------------------------------------------------------------------------------

ACTIONS = {"confirm": ConfirmForm, "ask": AskForm, "answer": AnswerForm, "extend": ExtendForm,
           "search": SearchForm, "step": ProcedureStepForm, "health": HealthOpinionForm,
           "withdraw": WithdrawRequestForm}
DONE = {"confirm": "Recorded: the clock is worked out again from the day confirmed.",
        "ask": "Recorded: the clock is paused until they answer.", "answer": "Recorded: the clock runs again.",
        "extend": "Recorded: the request is extended.", "search": "Recorded: the search made.",
        "step": "Recorded.", "health": "Recorded: the health professional's opinion.",
        "withdraw": "Recorded: the request is withdrawn."}


def _steps_in(clock: services.Clock) -> list[str]:
    steps = [step for step, _words in clock.procedure]
    found = []
    if "offer_supported_reading" in steps:
        found.append("supported_reading")
    if "declaration_required" in steps or "acknowledge_and_send_policy" in steps:
        found.append("declaration")
    return found


def _detail_forms(sar, clock, bound: str | None = None, data=None) -> dict:
    forms = {}
    for action, form_class in ACTIONS.items():
        kwargs = {"sar": sar, "prefix": action}
        if action == "step":
            kwargs["steps"] = _steps_in(clock)
        forms[action] = form_class(data if action == bound else None, **kwargs)
    return forms


def _do(action: str, user, sar, form):
    data, version = form.cleaned_data, form.cleaned_data["version"]
    if action == "confirm":
        return services.do_confirm(user, sar, version, identity_check=data.get("identity_check") or None,
                                   identity_confirmed_on=data.get("identity_confirmed_on"),
                                   authority_confirmed_on=data.get("authority_confirmed_on"),
                                   authority=data.get("authority", ""))
    if action == "ask":
        return services.do_ask_clarification(user, sar, version, data["asked_on"])
    if action == "answer":
        return services.do_answer_clarification(user, sar, version, data["answered_on"])
    if action == "extend":
        return services.do_extend(user, sar, version, data["months"], data["reason"], data["told_on"])
    if action == "search":
        return services.do_record_search(user, sar, version, data["search"], data["searched_on"])
    if action == "step":
        return services.do_record_step(user, sar, version, data["step"], data["on"])
    if action == "health":
        return services.do_record_health_opinion(user, sar, version, on=data["health_opinion_on"],
                                                 by=data["health_opinion_by"],
                                                 serious_harm=data["serious_harm"] == "yes")
    return services.do_withdraw(user, sar, version)


def _refused(form, error: services.SarError, sar) -> None:
    """A service's refusal beside its field; for a stale form, the message, with the form made
    current (the page now shows the request as it is: look, then send it again)."""
    add_to_form(form, error)
    if isinstance(error, services.Stale) and form.is_bound:
        data = form.data.copy() if isinstance(form.data, QueryDict) else dict(form.data)
        data[form.add_prefix("version")] = str(SubjectAccessRequest.objects.values_list("version", flat=True)
                                               .get(pk=sar.pk))
        form.data = data


def _procedure(sar, clock) -> list[dict]:
    """The pack's own steps, and for those Confide records, whether (and when) they were."""
    rows = []
    for step, words in clock.procedure:
        done, recorded = "", True
        if step == "offer_supported_reading" and sar.supported_reading_offered_on:
            done = f"Offered on {day(sar.supported_reading_offered_on)}"
        elif step in ("declaration_required", "acknowledge_and_send_policy") and sar.declaration_received_on:
            done = f"Declaration received on {day(sar.declaration_received_on)}"
        elif step == "send_to_data_controller":
            done = f"Logged by {_name(sar.logged_by)}"
        elif step == "request_in_writing" and sar.made != SubjectAccessRequest.Made.VERBAL:
            done = "It was made in writing"
        elif step == "request_in_writing":
            done, recorded = "It was made verbally, which the law treats as equally valid: do not ask for it in writing", False
        elif step == "redact_third_parties" and sar.status in (Status.COMPILED, Status.RELEASED):
            done = "Proposed when the file was compiled: the reviewer decides each one"
        rows.append({"words": words, "done": done, "recorded": recorded and bool(done)})
    return rows


def _render_detail(request, found: access.SarAccess, *, bound: str | None = None, form=None, compile_form=None):
    sar = found.sar
    reviewer = found.reviewer
    today = timezone.localdate()
    clock = services.clock(sar, today=today)
    forms = _detail_forms(sar, clock)
    if bound is not None:
        forms[bound] = form
    if compile_form is None:
        compile_form = CompileForm(sar=sar, prefix="compile")
    waiting = any(c.get("answered_on") is None for c in sar.clarifications)
    closed = sar.status in (Status.RELEASED, Status.WITHDRAWN)
    representative = (sar.representative or {}) if sar.made_by == SubjectAccessRequest.By.REPRESENTATIVE \
        and not reviewer else {}
    release = getattr(sar, "release", None) if sar.status == Status.RELEASED else None
    posted = forms[bound] if bound is not None else compile_form if compile_form.is_bound else None
    health_items = Item.objects.filter(request=sar, health=True).count()
    context = {
        "sar": sar, "reviewer": reviewer, "closed": closed, "today": today,
        "client_label": f"Client {sar.client_id}" if reviewer else sar.client.display_name,
        "file_url": "" if reviewer else _file_url(sar),
        "made": sar.get_made_display(), "made_by": sar.get_made_by_display(), "representative": representative,
        "identity_check": sar.get_identity_check_display(),
        "clock": clock, "due": due(sar, clock), "clock_words": clock_words(sar, clock),
        "basis": clock.basis_in_words, "warnings": clock.warnings_in_words,
        "procedure": _procedure(sar, clock),
        "clarifications": [{"asked_on": dt.date.fromisoformat(c["asked_on"]),
                            "answered_on": dt.date.fromisoformat(c["answered_on"]) if c.get("answered_on") else None}
                           for c in sar.clarifications],
        "waiting": waiting, "forms": forms, "compile_form": compile_form, "posted": posted,
        "show_confirm": sar.identity_confirmed_on is None or (
            sar.made_by == SubjectAccessRequest.By.REPRESENTATIVE and sar.authority_confirmed_on is None),
        "show_steps": bool(_steps_in(clock)),
        "show_health": bool(health_items) or sar.health_opinion_on is not None,
        "health_items": health_items,
        "search": sar.search if sar.searched_on and not reviewer else "",
        "extension_reason": sar.extension_reason if sar.extension_months and not reviewer else "",
        "health_opinion_by": sar.health_opinion_by if sar.health_opinion_on and not reviewer else "",
        "logged_by": _name(sar.logged_by), "compiled_by": _name(sar.compiled_by),
        "release": release, "released_by": _name(release.reviewed_by) if release else "",
        "release_compiled_by": _name(release.compiled_by) if release else "",
        "list_url": reverse("web:sar_list"),
        "review_url": reverse("web:sar_review", args=[sar.pk]),
        "compile_url": reverse("web:sar_compile", args=[sar.pk]),
        "download_url": reverse("web:sar_download", args=[sar.pk]) if release else "",
    }
    # Each step's form is also in the context by its own name (confirm_form, search_form, ...), shown
    # or not, for whatever reads the page's forms (tests/web/test_form_fuzz.py).
    context.update({f"{action}_form": f for action, f in forms.items()})
    status = 400 if posted is not None and posted.errors else 200
    return render(request, "subject_access/detail.html", context, status=status)


@require_http_methods(["GET", "POST"])
def sar_detail(request, sar_id: int):
    """The request, its clock and its steps; each change a small form carrying the request's version."""
    found = access.access_sar(request.user, sar_id, write=request.method == "POST")
    if request.method == "GET":
        return _render_detail(request, found)
    if found.reviewer:
        return render(request, "web/error.html", {
            "status": 403, "title": "You cannot change this request",
            "message": "The person answering the request records its steps. As its reviewer, you decide what is "
                       "released on the review page."}, status=403)
    action = request.POST.get("action", "")
    if action not in ACTIONS:
        return bad_request(request, "That is not something to do on this request", "Go back and choose from the page.")
    sar = found.sar
    form = _detail_forms(sar, services.clock(sar), action, request.POST)[action]
    if form.is_valid():
        if action == "confirm" and form.cleaned_data.get("identity_check") \
                and not form.cleaned_data.get("identity_confirmed_on"):
            form.add_error("identity_confirmed_on", "Enter the day identity was confirmed.")
        else:
            try:
                _do(action, request.user, sar, form)
            except services.SarError as error:
                _refused(form, error, sar)
            else:
                messages.info(request, DONE[action])
                return redirect(reverse("web:sar_detail", args=[sar.pk]))
    return _render_detail(request, found, bound=action, form=form)


@require_http_methods(["GET", "POST"])
def sar_compile(request, sar_id: int):
    """Compile the client's file into the request's items (the person answering it, never its
    reviewer), then on to the review."""
    if request.method == "GET":
        found = access.access_sar(request.user, sar_id)
        return redirect(reverse("web:sar_detail", args=[found.sar.pk]))
    grant, sar = access.access_sar_to_compile(request.user, sar_id)
    form = CompileForm(request.POST, sar=sar, prefix="compile")
    if form.is_valid():
        try:
            services.do_compile(request.user, grant, sar, form.cleaned_data["version"])
        except services.SarError as error:
            _refused(form, error, sar)
        else:
            messages.info(request, "The file is compiled. A second person now reviews what is to be released.")
            return redirect(reverse("web:sar_review", args=[sar.pk]))
    return _render_detail(request, access.SarAccess(sar, False), compile_form=form)


# The review ---------------------------------------------------------------------------------------------

def _pieces(text: str, marks: list[dict]) -> list[dict]:
    """The item's words cut into plain runs and proposed redactions, each shown in place."""
    pieces, at = [], 0
    for mark in sorted(marks, key=lambda m: (m["start"], m["end"])):
        start, end = max(mark["start"], 0), min(mark["end"], len(text))
        if start < at or end <= start:
            continue  # overlaps one already shown: its checkbox is still listed
        if start > at:
            pieces.append({"text": text[at:start]})
        pieces.append({"text": text[start:end], "mark": mark})
        at = end
    if at < len(text):
        pieces.append({"text": text[at:]})
    return pieces


def _about(item: Item) -> str:
    """Whom the item is about and who its source is, in words (no names)."""
    about = item.about or {}
    people = len(about.get("people") or [])
    words = ["about the client" if about.get("client", True) else "not about the client"]
    if people:
        words.append("about one other person" if people == 1 else f"about {people} other people")
    source = SOURCE_WORDS.get(about.get("source", ""), "")
    return "It is " + " and ".join(words) + (f"; its source is {source}" if source else "") + "."


def _what(code: str) -> str:
    return code.replace("_", " ")


def _render_review(request, found: access.SarAccess, *, redactions_form=None, item_form=None, release_form=None,
                   add_form=None):
    sar = found.sar
    user = request.user
    items = list(Item.objects.filter(request=sar).prefetch_related("redactions").order_by("position"))
    every = [r for item in items for r in item.redactions.all()]
    if redactions_form is None:
        redactions_form = RedactionsForm(sar=sar, redactions=every, prefix="redactions")
    numbers = {r.pk: n for n, r in enumerate(every, start=1)}
    open_ = sar.status == Status.COMPILED
    rows, log = [], []
    for item in items:
        marks = [{"start": r.start, "end": r.end, "number": numbers[r.pk], "what": _what(r.what),
                  "status": r.get_status_display(), "field": redactions_form[f"r{r.pk}"]}
                 for r in item.redactions.all()]
        form = item_form if item_form is not None and item_form.is_bound and \
            str(item_form.data.get("item")) == str(item.pk) else ItemDecisionForm(sar=sar, item=item)
        withheld = item.decision in (Item.Decision.WITHHOLD, Item.Decision.WAIT_HEALTH)
        basis = item.third_party_basis or {}
        rows.append({"item": item, "title": item.title, "kind": item.get_kind_display(), "about": _about(item),
                     "decision": item.get_decision_display(), "code": compiling.label(item.code, item.reason)
                     if item.code or item.reason else "", "withheld": withheld,
                     "waiting": item.decision == Item.Decision.WAIT_HEALTH, "marks": marks,
                     "pieces": _pieces(item.text, marks), "form": form,
                     "basis": services.BASES.get(basis.get("basis", ""), ""),
                     "add_form": add_form if add_form is not None and add_form.is_bound and
                     str(add_form.data.get("item")) == str(item.pk) else AddRedactionForm(sar=sar, item=item)})
        if withheld:
            log.append({"number": item.position, "what": f"The whole item ({item.get_kind_display().lower()})",
                        "code": item.code or "Waiting", "reason": item.reason,
                        "meaning": compiling.EXEMPTIONS.get((item.code or "Waiting").split(";")[0], "")})
        for r in item.redactions.all():
            if r.status == Redaction.Status.ACCEPTED:
                log.append({"number": item.position, "what": f"A {_what(r.what)} (redaction {numbers[r.pk]})",
                            "code": r.code, "reason": r.reason, "meaning": compiling.EXEMPTIONS.get(r.code, "")})
    problems = services.why_not_release(user, sar) if open_ else []
    if release_form is None:
        release_form = ReleaseForm(sar=sar, prefix="release")
    posted = next((f for f in (redactions_form, item_form, release_form, add_form) if f is not None and f.is_bound),
                  None)
    release = getattr(sar, "release", None) if sar.status == Status.RELEASED else None
    return render(request, "subject_access/review.html", {
        "sar": sar, "reviewer": found.reviewer, "open": open_, "rows": rows, "log": log,
        "client_label": f"Client {sar.client_id}" if found.reviewer else sar.client.display_name,
        "redactions_form": redactions_form, "has_redactions": bool(every), "release_form": release_form,
        "item_form": rows[0]["form"] if rows else ItemDecisionForm(sar=sar),
        "add_form": next((r["add_form"] for r in rows if not r["withheld"]), AddRedactionForm(sar=sar)),
        "problems": problems, "posted": posted, "release": release,
        "compiled_by": _name(sar.compiled_by), "detail_url": reverse("web:sar_detail", args=[sar.pk]),
        "preview_url": reverse("web:sar_preview", args=[sar.pk]),
        "release_url": reverse("web:sar_release", args=[sar.pk]),
        "download_url": reverse("web:sar_download", args=[sar.pk]) if release else "",
    }, status=400 if posted is not None and posted.errors else 200)


@require_http_methods(["GET", "POST"])
def sar_review(request, sar_id: int):
    """Every compiled item, its words with the proposed redactions in place, and the decisions on
    them; the exemptions log; and, when nothing stops it, the release."""
    found = access.access_sar(request.user, sar_id, write=request.method == "POST")
    if request.method == "GET":
        return _render_review(request, found)
    sar = found.sar
    action = request.POST.get("action", "")
    if action == "redactions":
        every = list(Redaction.objects.filter(item__request=sar).order_by("item__position", "start", "end", "id"))
        form = RedactionsForm(request.POST, sar=sar, redactions=every, prefix="redactions")
        if form.is_valid():
            try:
                services.do_decide_redactions(request.user, sar, form.cleaned_data["version"], form.decisions())
            except services.SarError as error:
                _refused(form, error, sar)
            else:
                messages.info(request, "Saved: the redaction decisions.")
                return redirect(reverse("web:sar_review", args=[sar.pk]))
        return _render_review(request, found, redactions_form=form)
    if action == "item":
        item = Item.objects.filter(request=sar, pk=_number(request.POST.get("item"))).first()
        form = ItemDecisionForm(request.POST, sar=sar, item=item)
        if item is None:
            form.is_valid()
            form.add_error(None, "That item is not part of this request: open the request again.")
        elif form.is_valid():
            data = form.cleaned_data
            try:
                services.do_decide_item(request.user, sar, data["version"], item.pk, data["decision"],
                                        basis=data.get("basis") or "", factors=form.factors(),
                                        client_knows=bool(data.get("client_knows")), reason=data.get("reason") or "")
            except services.SarError as error:
                _refused(form, error, sar)
            else:
                messages.info(request, f"Saved: the decision on item {item.position}.")
                return redirect(reverse("web:sar_review", args=[sar.pk]) + f"#item-{item.position}")
        return _render_review(request, found, item_form=form)
    if action == "add_redaction":
        item = Item.objects.filter(request=sar, pk=_number(request.POST.get("item"))).first()
        form = AddRedactionForm(request.POST, sar=sar, item=item)
        if item is None:
            form.is_valid()
            form.add_error(None, "That item is not part of this request: open the request again.")
        elif form.is_valid():
            try:
                added = services.do_add_redaction(request.user, sar, form.cleaned_data["version"], item.pk,
                                                  form.cleaned_data["words"])
            except services.SarError as error:
                _refused(form, error, sar)
            else:
                messages.info(request, f"Redacted in item {item.position}: {plural(added, 'place')}.")
                return redirect(reverse("web:sar_review", args=[sar.pk]) + f"#item-{item.position}")
        return _render_review(request, found, add_form=form)
    return bad_request(request, "That is not something to do on this request", "Go back and choose from the page.")


def _number(value) -> int:
    try:
        number = int(str(value))
    except ValueError:
        return 0
    return number if 0 < number < 2**63 else 0


def _locked_out(request):
    """Too many wrong passwords or codes: the account is locked, every session ends, this one too."""
    user = request.user
    message = locked_out_message(user)
    do_end_locked_out(user)
    logout(request)
    return render(request, "accounts/locked_out.html", {"message": message}, status=403)


@require_http_methods(["GET", "POST"])
def sar_release(request, sar_id: int):
    """The second person releases the copy, confirming it is them with their password or a code."""
    found = access.access_sar(request.user, sar_id, write=request.method == "POST")
    if request.method == "GET":
        return redirect(reverse("web:sar_review", args=[found.sar.pk]))
    sar = found.sar
    form = ReleaseForm(request.POST, sar=sar, prefix="release")
    if form.is_valid():
        try:
            services.do_release(request.user, sar, form.cleaned_data["version"], form.cleaned_data["secret"])
        except services.SarError as error:
            if error.field == "secret":
                request.user.refresh_from_db(fields=["locked_until"])
                if request.user.is_locked_out():
                    return _locked_out(request)
            _refused(form, error, sar)
        else:
            messages.info(request, "The copy is released. Download it below and send it to the requester securely.")
            return redirect(reverse("web:sar_detail", args=[sar.pk]))
    found.sar.refresh_from_db()
    return _render_review(request, found, release_form=form)


# The files ----------------------------------------------------------------------------------------------

@require_GET
def sar_preview(request, sar_id: int):
    """The copy as it would be released now, marked as a draft on every page."""
    found = access.access_sar(request.user, sar_id)
    return attachment(services.preview_pdf(found.sar), "application/pdf", f"subject-access-draft-{found.sar.pk}.pdf")


@require_GET
def sar_download(request, sar_id: int):
    """The copy as released: the sealed PDF, under a name with the client's number, never their name."""
    release = access.access_release(request.user, sar_id)
    shown = SimpleNamespace(client_number=release.client_id, prepared_on=timezone.localdate(release.released_at))
    return attachment(release.pdf, "application/pdf", release_filename(shown))

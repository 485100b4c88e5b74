"""The breach register (issue 16; UK GDPR Art 33 and 34): the list, recording a breach (from a
break-glass review marked "concern", where there is one), and one breach with its ICO clock and each
step it asks for. Thin: who may read or act is confide.breaches.access's, every write one do_*
function of confide.breaches.services, whose refusals are shown beside the field they name."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import get_user_model
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_http_methods

from confide.accounts.models import current_policy
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.breaches import access as gate
from confide.breaches import clock, services
from confide.breaches.models import Breach
from confide.policy import governance, vocab
from confide.web import describe
from confide.web.breach_forms import (
    CharityForm,
    CloseForm,
    FindingsForm,
    IcoForm,
    NewBreachForm,
    ReassessForm,
    ReferForm,
    ToldForm,
)
from confide.web.errors import add_to_form

HOME_ROWS = 5
RISK_WORDS = {"none": "No likely risk", "risk": "A risk", "high": "A high risk"}


def _refuse_register(request) -> None:
    record_event(request.user, Action.BREACH_READ_REFUSED, object_type="breach",
                 detail={"reason": "kept_apart", "role": request.user.role})
    raise Http404


def clock_words(breach: Breach, now: dt.datetime) -> dict:
    """The ICO clock of one breach, as the pages show it."""
    deadline = breach.ico_deadline
    running = breach.status == Breach.Status.OPEN and not breach.reported_at and not (
        breach.ico_decision == Breach.Decision.NOT_REPORT)
    reported = breach.reported_at
    return {"deadline": clock.shown(deadline, clock.LONDON), "aware": clock.shown(breach.aware_at, breach.aware_zone),
            "running": running, "left": clock.time_left(deadline, now) if running else "",
            "overdue": running and now > deadline,
            "reported": clock.shown(reported, breach.reported_zone or clock.LONDON) if reported else "",
            "reported_late": bool(reported and reported > deadline),
            "reported_after": f"{clock.hours_between(breach.aware_at, reported):.0f} hours after becoming aware"
            if reported else ""}


def _row(breach: Breach, now: dt.datetime) -> dict:
    return {"breach": breach, "url": reverse("breaches:detail", args=[breach.pk]), "clock": clock_words(breach, now),
            "risk": RISK_WORDS.get(breach.risk, breach.risk)}


@require_http_methods(["GET"])
def breach_list(request):
    pack = current_policy()
    if gate.kept_apart(request.user, pack):
        _refuse_register(request)
    now = timezone.now()
    rows = [_row(b, now) for b in gate.list_breaches(request.user, pack=pack)]
    return render(request, "breaches/list.html", {
        "open": [r for r in rows if r["breach"].status == Breach.Status.OPEN],
        "closed": [r for r in rows if r["breach"].status == Breach.Status.CLOSED],
        "acts": gate.acts_on_breaches(request.user, pack), "rules": governance.breach_rules(pack)})


@require_http_methods(["GET", "POST"])
def breach_new(request):
    pack = current_policy()
    if not gate.may_record(request.user, pack):
        record_event(request.user, Action.BREACH_RECORDED_REFUSED, object_type="breach",
                     detail={"reason": "kept_apart", "role": request.user.role})
        raise Http404
    words = services.data_words(pack)
    initial = {"aware_zone": clock.LONDON}
    review = request.GET.get("review", "")
    if review.isascii() and review.isdigit() and 0 < int(review) < 2**63:
        initial["opened_from"] = int(review)
    form = NewBreachForm(request.POST if request.method == "POST" else None, data_words=words, initial=initial)
    if request.method == "POST" and form.is_valid():
        d = form.cleaned_data
        try:
            breach = services.do_record_breach(request.user, pack, services.NewBreach(
                aware_at=d["aware_at"], aware_zone=d["aware_zone"], what_happened=d["what_happened"],
                data_categories=d["data_categories"], people_affected=d["people_affected"], risk=d["risk"],
                client_ids=d["client_ids"], opened_from=d.get("opened_from")))
        except services.BreachError as error:
            add_to_form(form, error)
        else:
            deadline = clock.shown(breach.ico_deadline)
            messages.info(request, f"Breach {breach.pk} is recorded. The ICO deadline is {deadline}.")
            if clock.was_repeated(d["aware_date"], d["aware_time"], d["aware_zone"]):
                messages.info(request, "That time happened twice that night, as the clocks went back: the first "
                                       "is taken, which gives the earlier deadline.")
            return redirect(reverse("breaches:detail", args=[breach.pk]))
    opened_from = form["opened_from"].value() if form.is_bound else initial.get("opened_from")
    chain = governance.breach_chain(pack)
    return render(request, "breaches/new.html", {
        "form": form, "opened_from": opened_from,
        "first_step": ", ".join(describe.role(r) for r in chain[0].roles) if chain else ""},
        status=400 if form.errors else 200)


FORMS = {"reassess": ReassessForm, "ico": IcoForm, "told": ToldForm, "charity": CharityForm,
         "findings": FindingsForm, "refer": ReferForm, "close": CloseForm}


def _staff():
    return list(get_user_model().objects.filter(is_active=True).order_by("last_name", "first_name", "pk"))


def _make(name: str, data, breach: Breach, words: list[str]):
    cls = FORMS[name]
    if name == "reassess":
        initial = {"data_categories": breach.data_categories, "risk": breach.risk,
                   "people_known": "known" if breach.people_affected else "not_known",
                   "people_affected": breach.people_affected}
        return cls(data, data_words=words, initial=initial, prefix=name)
    if name == "refer":
        return cls(data, people=_staff(), prefix=name)
    if name == "ico":
        there = clock.local(breach.reported_at, breach.reported_zone or clock.LONDON)
        initial = {"ico_decision": breach.ico_decision, "ico_rationale": breach.ico_rationale,
                   "reported_date": there.date() if there else None,
                   "reported_time": there.time().replace(second=0, microsecond=0) if there else None,
                   "reported_zone": breach.reported_zone or clock.LONDON, "ico_reference": breach.ico_reference,
                   "delay_reason": breach.delay_reason}
        return cls(data, initial=initial, prefix=name)
    if name == "told":
        return cls(data, initial={"told": breach.told, "told_on": breach.told_on, "told_how": breach.told_how,
                                  "not_told_exception": breach.not_told_exception,
                                  "not_told_why": breach.not_told_why}, prefix=name)
    if name == "charity":
        return cls(data, initial={"cc_decision": breach.cc_decision, "cc_rationale": breach.cc_rationale,
                                  "cc_decided_on": breach.cc_decided_on}, prefix=name)
    if name == "findings":
        return cls(data, initial={"evidence": breach.evidence, "lessons": breach.lessons}, prefix=name)
    return cls(data, prefix=name)


def _apply(request, pack, name: str, form, found: gate.BreachAccess) -> str:
    d = form.cleaned_data
    user = request.user
    if name == "reassess":
        services.do_reassess(user, pack, found, d["data_categories"], d["people_affected"], d["risk"])
        return "The assessment is recorded."
    if name == "ico":
        services.do_decide_ico(user, found, d["ico_decision"], d["ico_rationale"], reported_at=d.get("reported_at"),
                               reported_zone=d["reported_zone"], reference=d["ico_reference"],
                               delay_reason=d["delay_reason"])
        return "The ICO decision is recorded."
    if name == "told":
        services.do_record_people_told(user, found, d["told"], told_on=d["told_on"], how=d["told_how"],
                                       exception=d["not_told_exception"], why=d["not_told_why"])
        return "What the people affected were told is recorded."
    if name == "charity":
        services.do_decide_charity_commission(user, found, d["cc_decision"], d["cc_rationale"], d["cc_decided_on"])
        return "The Charity Commission decision is recorded."
    if name == "findings":
        services.do_record_findings(user, found, d["evidence"], d["lessons"])
        return "The evidence and lessons are recorded."
    if name == "refer":
        services.do_refer_for_discipline(user, pack, found, d["person"])
        return "The referral for disciplinary action is recorded."
    services.do_close(user, found)
    return "The breach is closed."


@require_http_methods(["GET", "POST"])
def breach_detail(request, breach_id: int):
    pack = current_policy()
    posted_name = request.POST.get("action", "") if request.method == "POST" else ""
    found = gate.access_breach(request.user, breach_id, write=request.method == "POST", pack=pack)
    breach = found.breach
    words = services.data_words(pack)
    forms = {name: _make(name, None, breach, words) for name in FORMS}
    status = 200
    if request.method == "POST":
        if posted_name == "escalate":
            try:
                services.do_escalate(request.user, pack, found)
            except services.BreachError as error:
                messages.error(request, error.sentence())
            else:
                messages.info(request, f"Breach {breach.pk} is escalated: the next step of the procedure is told.")
            return redirect(reverse("breaches:detail", args=[breach.pk]))
        if posted_name not in FORMS:
            raise Http404
        form = _make(posted_name, request.POST, breach, words)
        forms[posted_name] = form
        if form.is_valid():
            try:
                said = _apply(request, pack, posted_name, form, found)
            except services.BreachError as error:
                add_to_form(form, error)
            else:
                messages.info(request, said)
                return redirect(reverse("breaches:detail", args=[breach.pk]))
        status = 400
    return render(request, "breaches/detail.html", _context(request, pack, found, forms, posted_name), status=status)


def _context(request, pack, found: gate.BreachAccess, forms: dict, posted: str) -> dict:
    breach, now = found.breach, timezone.now()
    chain = governance.breach_chain(pack)
    rules = governance.breach_rules(pack) or {}
    steps = [{"number": i, "roles": ", ".join(describe.role(r) for r in step.roles), "clause": step.clause,
              "text": step.text, "reached": i <= breach.step, "current": i == breach.step}
             for i, step in enumerate(chain, start=1)]
    names = {u.pk: (u.get_full_name() or u.username) for u in get_user_model().objects.filter(
        pk__in=[e.get("by") for e in breach.escalations])}
    escalations = [{"to": e.get("to"), "by": names.get(e.get("by"), "someone"),
                    "at": clock.shown(dt.datetime.fromisoformat(e["at"])) if e.get("at") else ""}
                   for e in breach.escalations]
    return {
        "found": found, "breach": breach, "clock": clock_words(breach, now),
        "risk": RISK_WORDS.get(breach.risk, breach.risk),
        "data": [vocab.heading(w) for w in breach.data_categories],
        "what_happened": "" if found.facts_only else breach.what_happened,
        "clients": [] if found.facts_only else breach.client_ids,
        "steps": steps, "escalations": escalations, "rules": rules,
        "may_escalate": gate.may_escalate(request.user, breach, pack),
        "disciplinary": rules.get("disciplinary"), "forms": forms, "posted": posted,
        **{f"{name}_form": form for name, form in forms.items()},  # each by name too (tests/web/test_form_fuzz.py)
        "exception_words": dict(Breach.Exception_.choices).get(breach.not_told_exception, ""),
        "decision_words": dict(Breach.Decision.choices), "told_words": dict(Breach.Told.choices).get(breach.told, ""),
        "referred_name": (breach.referred_person.get_full_name() or breach.referred_person.username)
        if breach.referred_person else "",
    }


def home_panel(user, today: dt.date) -> dict | None:
    """Open breaches with their ICO deadlines, for the chain's roles and the data controller; None
    for anyone else, or when none is open."""
    pack = current_policy()
    if not gate.acts_on_breaches(user, pack):
        return None
    now = timezone.now()
    rows = [_row(b, now) for b in gate.list_breaches(user, status=Breach.Status.OPEN, pack=pack)]
    if not rows:
        return None
    rows.sort(key=lambda r: r["breach"].aware_at)
    return {"template": "breaches/_home_panel.html", "rows": rows[:HOME_ROWS], "open": len(rows),
            "url": reverse("breaches:list")}

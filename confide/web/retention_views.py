"""Retention (issue 15): the whole schedule, one line per record class with its clause; what falls due in
the next 30 and 90 days; a batch, exactly what it would destroy, minimise or return, approved by two
different people and then applied; and legal holds, placed and released. For the data controller and
managers (vocab.MANAGER_KINDS) only; everyone else is answered as a missing page. These pages show
client NUMBERS, record classes, rules, clauses and dates: never a name or a word of a record. Thin:
what is due is confide.retention.schedule's, every write one do_* function of
confide.retention.services, whose refusals are shown beside the field they name."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET, require_http_methods

from confide.accounts.services import do_end_locked_out, locked_out_message
from confide.ids import record_id
from confide.policy import vocab
from confide.retention import schedule, services
from confide.retention.models import Batch, BatchApproval, Due, LegalHold, RecordClass
from confide.retention.models import DueAction as RetentionAction
from confide.web.errors import add_to_form
from confide.web.purposes import bad_request
from confide.web.retention_forms import ApplyForm, ApproveForm, PlaceHoldForm, ReleaseHoldForm

SOON_DAYS = 30
LATER_DAYS = 90
HOME_ROWS = 5
DUE_SHOWN = 500  # lines a section of what falls due shows; a batch shows every line it holds
APPROVALS_NEEDED = 2
CLASS_WORDS = dict(RecordClass.choices)
ACTION_WORDS = dict(RetentionAction.choices)
HOLD_WORDS = dict(LegalHold.Kind.choices)
# What a batch's result counts, in words; anything else by its own name, spaced.
RESULT_WORDS = {"destroyed": ("client file destroyed", "client files destroyed"),
                "returned": ("piece of unsolicited information recorded as returned to its sender",
                             "pieces of unsolicited information recorded as returned to their senders"),
                "minimised": ("unsuccessful application minimised (only what the policy names kept)",
                              "unsuccessful applications minimised (only what the policy names kept)"),
                "personnel_destroyed": ("personnel file destroyed", "personnel files destroyed"),
                "held": ("line held back by a legal hold", "lines held back by a legal hold"),
                "not_due": ("line no longer due, left as it was", "lines no longer due, left as they were"),
                "covered": ("line covered by a file destroyed in the same batch",
                            "lines covered by a file destroyed in the same batch"),
                "left_for_review": ("line left for a person to do (minimising or anonymising)",
                                    "lines left for a person to do (minimising or anonymising)")}


def may_see(user) -> bool:
    return getattr(user, "role_kind", "") in vocab.MANAGER_KINDS


def _gate(request) -> None:
    if not may_see(request.user):
        raise Http404


def _name(user) -> str:
    return (user.get_full_name() or user.username) if user is not None else "the daily command"


def clause_words(clause: str, rule: str = "") -> str:
    """The policy's clause as a person reads it: "Clause 9.15 of the policy"."""
    if clause:
        return f"Clause {clause} of the policy"
    return "No clause of the policy" if not rule else "The policy's rule"


def _class_words(value: str) -> str:
    return CLASS_WORDS.get(value, value.replace("_", " ").capitalize() if value else "")


def _action_words(value: str) -> str:
    return ACTION_WORDS.get(value, value.replace("_", " ").capitalize() if value else "")


def _held(client_id, held: set, everything: bool) -> bool:
    return everything or (client_id is not None and client_id in held)


def _holds_now() -> tuple[set, bool]:
    """The clients held now, and whether a hold covers everything (schedule.live_holds' rule)."""
    clients = set(LegalHold.objects.filter(released_at__isnull=True).values_list("client_id", flat=True))
    return clients - {None}, None in clients


# The whole schedule ------------------------------------------------------------------------------------

def _flag_words(flags) -> str:
    return ", ".join(str(f).replace("_", " ") for f in flags or ())


def _schedule_rows() -> list[dict]:
    rows = []
    for line in schedule.whole_schedule():
        rows.append({"class": line.get("class_label") or _class_words(line.get("class", "")),
                     "service": line.get("service_label") or "", "flags": _flag_words(line.get("flags")),
                     "period": line.get("period", ""), "no_period": bool(line.get("no_period")),
                     "action": line.get("action_label") or _action_words(line.get("action", "")),
                     "rule": line.get("rule", ""), "text": line.get("text", ""),
                     "clause": clause_words(line.get("clause", ""), line.get("rule", ""))})
    return rows


@require_GET
def retention_schedule(request):
    """Every record class, how long the policy keeps it and under which clause; those the policy gives
    no period for are flagged for review."""
    _gate(request)
    rows = _schedule_rows()
    return render(request, "retention/schedule.html", {
        "rows": rows, "no_period": sum(1 for row in rows if row["no_period"])})


# What falls due -----------------------------------------------------------------------------------------

def _rule_texts() -> dict[str, str]:
    """Each rule's own words in the policy, by the rule's id (shown beside its clause, never the id)."""
    return {line["rule"]: line.get("text", "") for line in schedule.whole_schedule() if line.get("rule")}


def due_row(due: Due, held: set, everything: bool, texts: dict[str, str]) -> dict:
    return {"client": due.client_id, "object": due.object_id, "class": _class_words(due.record_class),
            "rule": texts.get(due.rule, ""), "clause": clause_words(due.clause, due.rule), "due_on": due.due_on,
            "action": _action_words(due.action), "held": _held(due.client_id, held, everything),
            "closed_on": due.closed_on}


def _due_sections(today: dt.date) -> tuple[list[dict], list[dict]]:
    held, everything = _holds_now()
    texts = _rule_texts()
    soon = [due_row(d, held, everything, texts) for d in schedule.falling_due(today, within_days=SOON_DAYS)]
    shown = {(row["class"], row["object"]) for row in soon}
    later = [due_row(d, held, everything, texts) for d in schedule.falling_due(today, within_days=LATER_DAYS)]
    return soon, [row for row in later if (row["class"], row["object"]) not in shown]


def _batches_waiting():
    return Batch.objects.filter(status=Batch.Status.PREPARED).prefetch_related("approvals")


@require_http_methods(["GET", "POST"])
def retention_due(request):
    """What falls due in the next 30 days, then the rest of the next 90; and the button that freezes
    what is due today into a batch for two people to approve."""
    _gate(request)
    today = timezone.localdate()
    if request.method == "POST":
        try:
            schedule.do_recompute(actor=request.user)  # every line worked out again first, as the daily command does
            batch = services.do_prepare_batch(today, request.user)
        except services.RetentionError as error:
            messages.error(request, error.sentence())
            return redirect(reverse("web:retention_due"))
        messages.info(request, f"Batch {batch.pk} is prepared: check every line, then two people approve it.")
        return redirect(reverse("web:retention_batch", args=[batch.pk]))
    soon, later = _due_sections(today)
    more = {"soon": max(len(soon) - DUE_SHOWN, 0), "later": max(len(later) - DUE_SHOWN, 0)}
    waiting = [{"batch": b, "url": reverse("web:retention_batch", args=[b.pk]), "lines": len(b.lines),
                "approvals": len(b.approvals.all())} for b in _batches_waiting()]
    review_count, review = schedule.for_review(DUE_SHOWN)
    dormant_count, dormant = schedule.dormant_cases(today, DUE_SHOWN)
    held, everything = _holds_now()
    texts = _rule_texts()
    return render(request, "retention/due.html", {
        "soon": soon[:DUE_SHOWN], "later": later[:DUE_SHOWN], "more": more, "today": today, "soon_days": SOON_DAYS, "later_days": LATER_DAYS,
        "waiting": waiting, "review": [due_row(d, held, everything, texts) for d in review],
        "review_more": max(review_count - DUE_SHOWN, 0), "review_count": review_count,
        "dormant": [{"client": c, "case": k} for c, k in dormant],
        "dormant_count": dormant_count, "dormant_more": max(dormant_count - DUE_SHOWN, 0),
        "dormant_days": schedule.DORMANT_DAYS})


# A batch ------------------------------------------------------------------------------------------------

def _batch_lines(batch: Batch) -> list[dict]:
    held, everything = _holds_now()
    texts = _rule_texts()
    rows = []
    for line in batch.lines or []:
        client_id = line.get("client")
        due_on = line.get("due_on")
        rows.append({"client": client_id, "class": _class_words(line.get("class", "")),
                     "action": _action_words(line.get("action", "")), "rule": texts.get(line.get("rule", ""), ""),
                     "clause": clause_words(line.get("clause", ""), line.get("rule", "")),
                     "due_on": dt.date.fromisoformat(due_on) if isinstance(due_on, str) and due_on else due_on,
                     "keep_only": ", ".join(str(k).replace("_", " ") for k in line.get("keep_only") or []),
                     "held": _held(client_id, held, everything)})
    return rows


def _result_rows(result: dict) -> list[str]:
    """What applying the batch did, in words: counts only."""
    rows = []
    for key, (one, many) in RESULT_WORDS.items():
        n = result.get(key)
        if isinstance(n, int) and (n or key == "destroyed"):
            rows.append(f"{n} {one if n == 1 else many}")
    return rows


def _removed_words(result: dict) -> str:
    counts = result.get("counts") or {}
    return ", ".join(f"{n} {name.replace('_', ' ')}" for name, n in sorted(counts.items()) if isinstance(n, int) and n)


def _render_batch(request, batch: Batch, *, approve_form=None, apply_form=None):
    approvals = list(BatchApproval.objects.filter(batch=batch).select_related("approver"))
    prepared = batch.status == Batch.Status.PREPARED
    approved_by_me = any(a.approver_id == request.user.pk for a in approvals)
    approve_form = approve_form or ApproveForm(prefix="approve")
    apply_form = apply_form or ApplyForm(prefix="apply")
    posted = next((f for f in (approve_form, apply_form) if f.is_bound), None)
    lines = _batch_lines(batch)
    return render(request, "retention/batch.html", {
        "batch": batch, "lines": lines, "held": sum(1 for line in lines if line["held"]),
        "approvals": [{"name": _name(a.approver), "role": getattr(a.approver, "role_label", "") or a.role,
                       "at": a.approved_at, "with": a.get_confirmed_with_display()
                       if hasattr(a, "get_confirmed_with_display") else a.confirmed_with} for a in approvals],
        "needed": max(APPROVALS_NEEDED - len(approvals), 0), "prepared": prepared,
        "may_approve": prepared and not approved_by_me and len(approvals) < APPROVALS_NEEDED,
        "approved_by_me": approved_by_me, "may_apply": prepared and len(approvals) >= APPROVALS_NEEDED,
        "approve_form": approve_form, "apply_form": apply_form, "posted": posted,
        "result": _result_rows(batch.result) if batch.status == Batch.Status.APPLIED else [],
        "removed": _removed_words(batch.result) if batch.status == Batch.Status.APPLIED else "",
        "held_at_start": (batch.result or {}).get("held", 0) if prepared else 0,
        "prepared_by": _name(batch.prepared_by), "due_url": reverse("web:retention_due"),
    }, status=400 if posted is not None and posted.errors else 200)


def _locked_out(request):
    """Too many wrong passwords or codes: the account is locked, every session ends, this one too."""
    user = request.user
    message = locked_out_message(user)
    do_end_locked_out(user)
    logout(request)
    return render(request, "accounts/locked_out.html", {"message": message}, status=403)


@require_http_methods(["GET", "POST"])
def retention_batch(request, batch_id: int):
    """Every line of the batch, its approvals, the form to approve it, and once two people have, the
    button that applies it and, after, what was done."""
    _gate(request)
    batch = Batch.objects.filter(pk=record_id(batch_id)).select_related("prepared_by").first()
    if batch is None:
        raise Http404
    if request.method == "GET":
        return _render_batch(request, batch)
    action = request.POST.get("action", "")
    if action == "approve":
        form = ApproveForm(request.POST, prefix="approve")
        if form.is_valid():
            try:
                services.do_approve(batch.pk, request.user, form.cleaned_data["secret"])
            except services.RetentionError as error:
                if error.field == "secret":
                    request.user.refresh_from_db(fields=["locked_until"])
                    if request.user.is_locked_out():
                        return _locked_out(request)
                add_to_form(form, error)
            else:
                messages.info(request, "Your approval is recorded.")
                return redirect(reverse("web:retention_batch", args=[batch.pk]))
        batch.refresh_from_db()
        return _render_batch(request, batch, approve_form=form)
    if action == "apply":
        form = ApplyForm(request.POST, prefix="apply")
        if form.is_valid():
            try:
                services.do_apply(batch.pk, request.user)
            except services.RetentionError as error:
                add_to_form(form, error)
            else:
                messages.info(request, "The batch is applied. What was done is below.")
                return redirect(reverse("web:retention_batch", args=[batch.pk]))
        batch.refresh_from_db()
        return _render_batch(request, batch, apply_form=form)
    return bad_request(request, "That is not something to do with this batch", "Go back and choose from the page.")


# Legal holds --------------------------------------------------------------------------------------------

def _hold_rows(holds) -> list[dict]:
    return [{"hold": hold, "kind": HOLD_WORDS.get(hold.kind, hold.kind), "client": hold.client_id,
             "placed_by": _name(hold.placed_by), "released_by": _name(hold.released_by) if hold.released_by_id else "",
             "form": ReleaseHoldForm(initial={"hold": hold.pk}, auto_id=f"id_release{hold.pk}_%s")}
            for hold in holds]


def _render_holds(request, *, place_form=None, release_form=None):
    holds = LegalHold.objects.select_related("placed_by", "released_by")
    live = [h for h in holds if h.released_at is None]
    released = [h for h in holds if h.released_at is not None]
    place_form = place_form or PlaceHoldForm(prefix="place")
    release_form = release_form or ReleaseHoldForm()
    posted = next((f for f in (place_form, release_form) if f.is_bound), None)
    return render(request, "retention/holds.html", {
        "live": _hold_rows(live), "released": _hold_rows(released), "place_form": place_form,
        "release_form": release_form, "posted": posted,
    }, status=400 if posted is not None and posted.errors else 200)


@require_http_methods(["GET", "POST"])
def retention_holds(request):
    """Live and released legal holds; placing one (on a client's records, or everything); releasing one."""
    _gate(request)
    if request.method == "GET":
        return _render_holds(request)
    action = request.POST.get("action", "")
    if action == "place":
        form = PlaceHoldForm(request.POST, prefix="place")
        if form.is_valid():
            data = form.cleaned_data
            try:
                hold = services.do_place_hold(request.user, kind=data["kind"], authority=data["authority"],
                                              client_id=data.get("client"))
            except services.RetentionError as error:
                add_to_form(form, error)
            else:
                messages.info(request, f"Hold {hold.pk} is placed: nothing it covers is destroyed until it is released.")
                return redirect(reverse("web:retention_holds"))
        return _render_holds(request, place_form=form)
    if action == "release":
        form = ReleaseHoldForm(request.POST)
        if form.is_valid():
            try:
                services.do_release_hold(request.user, form.cleaned_data["hold"])
            except services.RetentionError as error:
                add_to_form(form, error)
            else:
                messages.info(request, f"Hold {form.cleaned_data['hold']} is released.")
                return redirect(reverse("web:retention_holds"))
        return _render_holds(request, release_form=form)
    return bad_request(request, "That is not something to do with legal holds", "Go back and choose from the page.")


# The home page ------------------------------------------------------------------------------------------

def home_panel(user, today: dt.date) -> dict | None:
    """The data controller's panel: lines falling due in 30 days, batches waiting for approval, live
    holds; None for anyone else."""
    if getattr(user, "role_kind", "") not in vocab.AUDITOR_KINDS:
        return None
    waiting = list(_batches_waiting())
    # schedule.falling_due's lines, counted in the database rather than loaded.
    due = Due.objects.filter(done_at__isnull=True, due_on__isnull=False, action__in=schedule.DOES_SOMETHING,
                             due_on__lte=today + dt.timedelta(days=SOON_DAYS)).count()
    return {"due": due,
            "batches": [{"batch": b, "url": reverse("web:retention_batch", args=[b.pk]),
                         "approvals": len(b.approvals.all())} for b in waiting[:HOME_ROWS]],
            "waiting": len(waiting), "holds": LegalHold.objects.filter(released_at__isnull=True).count()}

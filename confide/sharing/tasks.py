"""Tasks: what a decision's obligations leave to be done, the notifications a pack requires, and
what a worker sets on a client's file, each on the list of the person who must do it until they
record it done (or, where the pack allows, not done and why).

Every task is due on a date (`due_date`): the pack's own period where it gives one, otherwise the
organisation's default. The person it is given to is told (confide.notices) unless they set it
themselves. The notices that follow a request to share (approved, not approved, its link
downloaded) and a consent ending are made here too, as sharing's words for confide.notices.
"""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Q
from django.urls import reverse
from django.utils import timezone

from confide.accounts.models import current_organisation, current_policy
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.notices.models import Notice
from confide.notices.services import notify
from confide.policy import vocab
from confide.policy.notifications import OBLIGATION_NOTICES, not_told, on_sent, reports_for
from confide.policy.reasons import check_reason
from confide.records.models import Case
from confide.sharing.models import Approval, Consent, ConsentReminder, Disclosure, SecureLink, Task

# Obligations met by the disclosure's own record: its reasons are required when it is asked for
# and kept whichever way it goes, so they leave nothing more to do.
MET_BY_THE_RECORD = frozenset({"record_reasons", "record_decision", "flag_for_review"})
# What each obligation asks of the person who made the request, in plain words.
TITLES = {
    "inform_subject": "Tell the client what was shared, with whom and why",
    "inform_subject_unless_increases_risk": "Tell the client what was shared, unless that would raise the risk "
                                            "(if so, record why not)",
    "give_copy_of_consent_form": "Give the client a copy of their consent form",
    "notify_line_manager": "Tell your line manager about this disclosure",
    "inform_trustees": "Tell the trustees, without naming the client",
    "minimise_data": "Check only what is needed was shared",
    "anonymise": "Check what was shared was made anonymous",
    "share_on_agreed_terms_only": "Check it was shared only on the terms the client agreed",
    "explore_implications": "Talk through with the client what sharing could mean, and any limits they set",
    "explain_consequences": "Explain to the client the consequences of sharing",
    "use_secure_channel": "Send it by a secure channel only",
    "verify_requester_identity": "Confirm who is asking, by calling back on a known number",
    "encourage_self_report": "Encourage the client to tell the agency themselves",
    "call_emergency_services_now": "Call the emergency services now",
    "sign_record_of_access": "Sign the record of access",
}
MAY_SKIP = frozenset({"inform_subject_unless_increases_risk"})
URGENT = frozenset({"call_emergency_services_now"})


def title(kind: str) -> str:
    return TITLES.get(kind, vocab.label(kind).capitalize())


# Due dates --------------------------------------------------------------------------------------------

def due_date(*, urgent: bool = False, on: dt.date | None = None) -> dt.date:
    """When a task set on `on` (today) is due. The packs give a period for few of their obligations:
    those they mark urgent are due the day they are set (DVIP 3.10: the person threatened "will be
    informed as a matter of urgency"; JustUs 4.1: "call the appropriate emergency service
    immediately"), and the reminders of the right to withdraw come at the pack's own interval
    (JustUs 5.4, do_schedule_reminder). Anything else is due the organisation's default number of
    days later (Organisation.task_due_days)."""
    on = on or timezone.localdate()
    if urgent:
        return on
    organisation = current_organisation()
    return on + dt.timedelta(days=organisation.task_due_days if organisation is not None else 7)


def new_task(*, by: int | None, tell: bool = True, **fields) -> Task:
    """Make one task, due as `due_date` says unless `due_on` is given, set by the person `by` (None:
    by Confide, following the pack). The person it is for is told, unless they set it themselves, it
    is already recorded, or `tell` is false. Runs in the caller's transaction, whose audit event
    records it."""
    if fields.get("due_on") is None:
        fields["due_on"] = due_date(urgent=fields.get("urgent", False))
    task = Task.objects.create(created_by_id=by, **fields)
    if tell and task.assigned_to_id is not None and task.assigned_to_id != by and not task.outcome:
        notify(task.assigned_to_id, Notice.Kind.TASK_ASSIGNED, "A task has been given to you",
               link=reverse("web:task", args=[task.pk]), object_type="task", object_id=task.pk)
    return task


def is_overdue(task: Task, today: dt.date | None = None) -> bool:
    return not task.outcome and task.due_on is not None and task.due_on < (today or timezone.localdate())


def _obligation_notices(disclosure) -> dict:
    """The obligations of this pack that pass something on, each with its own words and clause
    (confide.policy.notifications.OBLIGATION_NOTICES), for the pack that answered."""
    return OBLIGATION_NOTICES.get((disclosure.answer.get("pack") or {}).get("name", ""), {})


def do_add_obligation_tasks(disclosure, *, refused: bool = False) -> list[Task]:
    """One task per obligation of the disclosure's answer that its record does not already meet,
    for the person who asked. Called in the transaction that makes the disclosure ready to go, and in
    the one that records a refusal: then only the obligations that hold whatever the answer (Home-Start
    10.2: the trustees are made aware of every police or court request, granted or refused) become
    tasks, since nothing went."""
    made = []
    before = {step["kind"] for step in disclosure.before_sending}  # confirmed before it goes, not after
    notices = _obligation_notices(disclosure)
    # The requester is told of tasks an approver's decision left them; not of those their own request
    # made at once (the page they are on lists them).
    tell = not refused and Approval.objects.filter(disclosure_id=disclosure.pk).exists()
    for kind in disclosure.answer.get("obligations", []):
        if kind in MET_BY_THE_RECORD or kind in before or (refused and kind not in notices):
            continue
        notice = notices.get(kind)
        if notice is not None:
            words, clause = notice.title, notice.clause
        else:
            words = title(kind)
            clause = next((r.get("clause", "") for r in disclosure.answer.get("reasons", [])), "")
        made.append(new_task(by=None, tell=tell, kind=kind, title=words, clause=clause,
                             client_id=disclosure.client_id, case_id=disclosure.case_id, disclosure=disclosure,
                             assigned_to_id=disclosure.requested_by_id, urgent=kind in URGENT,
                             may_skip=kind in MAY_SKIP))
    if made:
        record_event(None, Action.TASKS_CREATED, object_type="disclosure", object_id=disclosure.pk,
                     client_id=disclosure.client_id, detail={"tasks": [t.pk for t in made],
                                                             "kinds": [t.kind for t in made]})
    return made


def do_add_task(actor, *, kind: str, title_text: str, clause: str, client_id: int, case_id: int | None,
                assigned_to_id: int | None, urgent: bool = False, due_on=None) -> Task:
    """A task a pack's notification rule requires (confide.policy.notifications), due on `due_on`
    where the pack gives its period, otherwise as `due_date` says."""
    with transaction.atomic():
        task = new_task(by=getattr(actor, "pk", None), kind=kind, title=title_text, clause=clause, client_id=client_id,
                        case_id=case_id, assigned_to_id=assigned_to_id, urgent=urgent, due_on=due_on)
        record_event(actor, Action.TASK_CREATED, object_type="task", object_id=task.pk, client_id=client_id,
                     detail={"kind": kind, "clause": clause, "urgent": urgent})
    return task


class TaskError(ConfideError, ValueError):
    """A task's outcome, or a report, that cannot be recorded as given; `field` says which part."""

    code = "task_invalid"


def do_finish_task(user, task: Task, outcome: str, note: str) -> Task:
    """Record a task done, or, where its obligation allows, not done with the reason. The task is
    read again, its row locked, before the check that it is not already recorded."""
    if outcome not in Task.Outcome.values:
        raise TaskError("say whether it was done", field="outcome")
    if outcome == Task.Outcome.NOT_DONE and not task.may_skip:
        raise TaskError("this task cannot be left undone", field="outcome")
    if outcome == Task.Outcome.NOT_DONE:
        check_reason(note, "note", what="say why it was not done", error=TaskError)
    with transaction.atomic(durable=True):
        if Task.objects.select_for_update().get(pk=task.pk).outcome:
            raise TaskError("This task has already been recorded.", code="already_recorded", status=409)
        task.outcome = outcome
        task.done_by = user
        task.done_at = timezone.now()
        if note.strip():
            task.outcome_note = note.strip()
        task.save(update_fields=["outcome", "done_by", "done_at", "outcome_note_sealed"])
        record_event(user, Action.TASK_FINISHED, object_type="task", object_id=task.pk, client_id=task.client_id,
                     detail={"kind": task.kind, "outcome": outcome, "role": user.role})
        if task.kind == REMINDER:  # JustUs 5.4: the next reminder
            do_schedule_next_reminder(user, task)
    return task


def outcome_note(task: Task) -> str:
    return task.outcome_note


def do_add_notice_tasks(actor, notices, *, client_id: int, case, worker, disclosure=None) -> list[Task]:
    """Tasks for the notices a pack requires (confide.policy.notifications): for the worker, and
    where a notice says so, for each manager of the case's team too; those following a disclosure
    are kept with it. Runs in the caller's transaction; recorded with its clause."""
    made = []
    for notice in notices:
        people = [worker]
        if notice.for_manager:
            kinds = {name for name, role in current_policy().roles.items() if role.kind in vocab.LINE_MANAGER_KINDS}
            managers = list(get_user_model().objects.filter(team_id=case.team_id, role__in=kinds, is_active=True)
                            .exclude(pk=worker.pk))
            people = managers or [worker]
        for person in people:
            made.append(new_task(by=getattr(actor, "pk", None), kind=notice.kind, title=notice.title,
                                 clause=notice.clause, client_id=client_id, case_id=case.pk, assigned_to=person,
                                 urgent=notice.urgent, may_skip=notice.may_skip, disclosure=disclosure))
    if made:
        record_event(actor, Action.TASKS_CREATED, object_type="case", object_id=case.pk, client_id=client_id,
                     detail={"tasks": [t.pk for t in made], "kinds": [t.kind for t in made],
                             "clauses": sorted({t.clause for t in made})})
    return made


def do_add_sent_tasks(actor, disclosure) -> list[Task]:
    """What must follow once information has gone (Home-Start 1.5: tell the family), as tasks for the
    person who asked, kept with the disclosure. Where telling would tip someone off (a safeguarding
    referral, a terrorism or money-laundering report: Home-Start 2.2 and the law), no task asks it: one
    is recorded at once as not done, its reason in its title (not client data), so whoever reads the
    disclosure sees why the family was not told. Runs in the caller's transaction."""
    pack = current_policy().name
    grounds = list(disclosure.grounds or [])
    made = do_add_notice_tasks(actor, on_sent(pack, disclosure.recipient_kind, grounds), client_id=disclosure.client_id,
                        case=disclosure.case, worker=disclosure.requested_by, disclosure=disclosure)
    closed = []
    for notice in not_told(pack, disclosure.recipient_kind, grounds):
        task = new_task(by=getattr(actor, "pk", None), kind=notice.kind, title=notice.reason, clause=notice.clause,
                        client_id=disclosure.client_id, case_id=disclosure.case_id, disclosure=disclosure,
                        assigned_to_id=disclosure.requested_by_id, may_skip=True,
                        outcome=Task.Outcome.NOT_DONE, done_at=timezone.now())
        task.outcome_note = notice.reason
        task.save(update_fields=["outcome_note_sealed"])
        closed.append((task, notice))
    if closed:
        record_event(actor, Action.TASKS_NOT_TOLD, object_type="disclosure", object_id=disclosure.pk,
                     client_id=disclosure.client_id,
                     detail={"tasks": [t.pk for t, _ in closed], "kinds": [n.kind for _, n in closed],
                             "clauses": [n.clause for _, n in closed], "reasons": [n.reason for _, n in closed]})
    return made + [t for t, _ in closed]


def do_report(user, pack_name: str, client, case, name: str) -> list[Task]:
    """A worker reports something the pack says must reach someone (DVIP 3.10: a threat to a named
    person): the report is recorded and its tasks made, urgent ones first on the lists."""
    report = reports_for(pack_name, client.subject_role).get(name)
    if report is None:
        raise TaskError("that is not something to report on this client's file", field="report")
    with transaction.atomic(durable=True):
        record_event(user, Action.REPORT_MADE, object_type="case", object_id=case.pk, client_id=client.pk,
                     detail={"report": name, "role": user.role})
        return do_add_notice_tasks(user, report.notices, client_id=client.pk, case=case, worker=user)


REMINDER = "remind_right_to_withdraw"


# Reminders of the right to withdraw (JustUs 5.4) ---------------------------------------------------

def reminder_title(consent: Consent) -> str:
    return f"Remind the client they can withdraw their consent (given on {consent.given_on:%-d %B %Y})"


def do_schedule_reminder(actor, pack, consent: Consent, assigned_to_id: int | None, after: dt.date) -> Task | None:
    """The next reminder for a consent in force, due the pack's interval after `after`; none where
    the pack sets no interval. Runs in the caller's transaction."""
    remind = pack.spec.consent.get("remind_withdrawal")
    if remind is None or consent.status() != "given":
        return None
    task = do_add_task(actor, kind=REMINDER, title_text=reminder_title(consent), clause=remind["clause"],
                       client_id=consent.client_id, case_id=None, assigned_to_id=assigned_to_id,
                       due_on=after + dt.timedelta(days=remind["every_days"]))
    ConsentReminder.objects.create(consent=consent, task=task)
    return task


def do_close_reminders(user, consents: list[Consent], why: str) -> list[int]:
    """The open reminders of consents no longer in force are closed, not done, with the reason:
    there is nothing left to withdraw. Runs in the caller's transaction."""
    tasks = list(Task.objects.filter(consent_reminder__consent__in=consents, outcome=""))
    now = timezone.now()
    for task in tasks:
        task.outcome = Task.Outcome.NOT_DONE
        task.done_by = user
        task.done_at = now
        task.outcome_note = why
        task.save(update_fields=["outcome", "done_by", "done_at", "outcome_note_sealed"])
        record_event(user, Action.TASK_FINISHED, object_type="task", object_id=task.pk, client_id=task.client_id,
                     detail={"kind": task.kind, "outcome": task.outcome, "role": user.role, "closed": "consent_ended"})
    return [t.pk for t in tasks]


def do_schedule_next_reminder(user, task: Task) -> Task | None:
    """A reminder recorded done brings the next one, while its consent is still in force. Runs in
    the transaction that records the task done."""
    link = ConsentReminder.objects.filter(task=task).select_related("consent").first()
    if link is None or task.outcome != Task.Outcome.DONE:
        return None
    return do_schedule_reminder(user, current_policy(), link.consent, user.pk, timezone.localdate())


# Tasks a worker sets on a client's file ---------------------------------------------------------------

# What a worker may set, in words chosen here rather than typed: a task's title is shown on lists and
# kept unsealed, so it must never carry what a client said (Task.title is not encrypted).
BY_HAND = {
    "phone_client": "Phone the client, using the safe contact details",
    "book_session": "Book the next session",
    "write_up_contact": "Write up the last contact",
    "review_risk_assessment": "Review the risk assessment",
    "review_safety_plan": "Review the safety plan",
    "follow_up_referral": "Follow up the referral",
    "check_consent": "Check the client's consent is still in force",
    "review_case": "Review the case with a manager",
}
# How far ahead a task can be set: a year. Further off is a plan, not a task.
LATEST_DAYS = 366


def assignable(case: Case) -> list:
    """Who a task on this case can be given to: the case's workers, and the active people of its
    team who hold casework or manage it (never a trustee or an administrator), by name."""
    kinds = vocab.CASEWORK_KINDS | vocab.LINE_MANAGER_KINDS
    roles = [name for name, role in current_policy().roles.items() if role.kind in kinds]
    return list(get_user_model().objects.filter(Q(team_id=case.team_id) | Q(cases=case), is_active=True,
                                                role__in=roles).distinct().order_by("first_name", "last_name", "pk"))


def do_add_task_to_file(user, case: Case, *, what: str, due_on: dt.date | None, assigned_to_id: int | None) -> Task:
    """A task a worker sets on a case they work on (the caller has opened it through the gate to
    write): one of BY_HAND, for themselves or a colleague who can take it, due on the day they
    choose (by default the organisation's). Recorded; the colleague is told."""
    if what not in BY_HAND:
        raise TaskError("choose what needs doing from the list", field="what")
    if case.status == Case.Status.CLOSED:
        raise TaskError("this case is closed: a task cannot be added to it", field="case")
    today = timezone.localdate()
    if due_on is not None and due_on < today:
        raise TaskError("the due date cannot be in the past", field="due_on")
    if due_on is not None and due_on > today + dt.timedelta(days=LATEST_DAYS):
        raise TaskError("the due date must be within a year", field="due_on")
    people = {person.pk: person for person in assignable(case)}
    assigned_to_id = user.pk if assigned_to_id is None else assigned_to_id
    if assigned_to_id not in people:
        raise TaskError("choose someone who works on this case or in its team", field="assigned_to")
    with transaction.atomic(durable=True):
        # Back then Save, or a double click, must not set it twice.
        if Task.objects.filter(case_id=case.pk, kind=what, assigned_to_id=assigned_to_id, outcome="").exists():
            raise TaskError("That task is already waiting to be done on this case.", code="already_set", status=409)
        task = new_task(by=user.pk, kind=what, title=BY_HAND[what], clause="", client_id=case.client_id,
                        case_id=case.pk, assigned_to_id=assigned_to_id, due_on=due_on)
        record_event(user, Action.TASK_ADDED, object_type="task", object_id=task.pk, client_id=case.client_id,
                     detail={"kind": what, "case": case.pk, "assigned_to": assigned_to_id,
                             "due_on": task.due_on.isoformat(), "role": user.role})
    return task


# Notices that follow a request to share, and consents ending ------------------------------------------

def notify_decided(disclosure: Disclosure) -> None:
    """The person who asked to share is told once the approvers have decided: approved (every step
    done: it is ready to go) or not approved. A step approved with another still waiting tells
    nobody yet. Runs in the decision's transaction."""
    words = {str(Disclosure.Status.READY): (Notice.Kind.REQUEST_APPROVED,
                                            "Your request to share information was approved"),
             str(Disclosure.Status.DECLINED): (Notice.Kind.REQUEST_NOT_APPROVED,
                                               "Your request to share information was not approved")
             }.get(disclosure.status)
    if words is not None:
        notify(disclosure.requested_by_id, words[0], words[1], link=reverse("web:disclosure", args=[disclosure.pk]),
               object_type="disclosure", object_id=disclosure.pk)


def notify_link_downloaded(link: SecureLink) -> None:
    """The person who issued a secure link is told the first time something is downloaded through
    it. Runs in the download's transaction."""
    notify(link.created_by_id, Notice.Kind.LINK_DOWNLOADED, "A secure link you issued was downloaded",
           link=reverse("web:disclosure", args=[link.disclosure_id]), object_type="secure_link", object_id=link.pk)


# How far ahead a worker is told that a consent they rely on ends.
CONSENT_ENDING_DAYS = 14


def do_notify_consents_ending(on: dt.date | None = None, days: int = CONSENT_ENDING_DAYS) -> int:
    """The daily reminder (`confide remind`): each worker on a client's open case is told, once per
    consent, that a consent in force ends within `days` days of `on` (today). The notice names the
    date, never the client. Returns how many notices were given."""
    on = on or timezone.localdate()
    consents = list(Consent.objects.filter(withdrawn_on__isnull=True, superseded_by__isnull=True,
                                           expires_on__gte=on, expires_on__lte=on + dt.timedelta(days=days))
                    .order_by("expires_on", "id"))
    if not consents:
        return 0
    workers: dict[int, set[int]] = {}
    for client_id, worker_id in (Case.workers.through.objects
                                 .filter(case__client_id__in={c.client_id for c in consents})
                                 .exclude(case__status=Case.Status.CLOSED)
                                 .filter(user__is_active=True).values_list("case__client_id", "user_id")):
        workers.setdefault(client_id, set()).add(worker_id)
    given = []
    with transaction.atomic(durable=True):
        for consent in consents:
            for worker_id in sorted(workers.get(consent.client_id, ())):
                notice = notify(worker_id, Notice.Kind.CONSENT_ENDING,
                                f"A consent you rely on ends on {consent.expires_on.day} "
                                f"{consent.expires_on:%B %Y}",
                                link=reverse("web:consent", args=[consent.pk]), object_type="consent",
                                object_id=consent.pk)
                if notice is not None:
                    given.append((consent, notice))
        if given:
            record_event(None, Action.NOTICES_CONSENT_ENDING, object_type="consent",
                         detail={"consents": sorted({c.pk for c, _ in given}), "notices": [n.pk for _, n in given],
                                 "on": on.isoformat(), "days": days})
    return len(given)

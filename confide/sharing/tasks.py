"""Tasks: what a decision's obligations leave to be done, and the notifications a pack requires,
each on the list of the person who must do it until they record it done (or, where the pack
allows, not done and why)."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.db import transaction
from django.utils import timezone

from confide.accounts.models import current_policy
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.policy import vocab
from confide.policy.notifications import OBLIGATION_NOTICES, not_told, on_sent, reports_for
from confide.policy.reasons import check_reason
from confide.sharing.models import Consent, ConsentReminder, Task

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
    for kind in disclosure.answer.get("obligations", []):
        if kind in MET_BY_THE_RECORD or kind in before or (refused and kind not in notices):
            continue
        notice = notices.get(kind)
        if notice is not None:
            words, clause = notice.title, notice.clause
        else:
            words = title(kind)
            clause = next((r.get("clause", "") for r in disclosure.answer.get("reasons", [])), "")
        made.append(Task.objects.create(kind=kind, title=words, clause=clause, client_id=disclosure.client_id,
                                        case_id=disclosure.case_id, disclosure=disclosure,
                                        assigned_to_id=disclosure.requested_by_id, urgent=kind in URGENT,
                                        may_skip=kind in MAY_SKIP))
    if made:
        record_event(None, Action.TASKS_CREATED, object_type="disclosure", object_id=disclosure.pk,
                     client_id=disclosure.client_id, detail={"tasks": [t.pk for t in made],
                                                             "kinds": [t.kind for t in made]})
    return made


def do_add_task(actor, *, kind: str, title_text: str, clause: str, client_id: int, case_id: int | None,
                assigned_to_id: int | None, urgent: bool = False, due_on=None) -> Task:
    """A task a pack's notification rule requires (confide.policy.notifications)."""
    with transaction.atomic():
        task = Task.objects.create(kind=kind, title=title_text, clause=clause, client_id=client_id, case_id=case_id,
                                   assigned_to_id=assigned_to_id, urgent=urgent, due_on=due_on)
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
            made.append(Task.objects.create(kind=notice.kind, title=notice.title, clause=notice.clause,
                                            client_id=client_id, case_id=case.pk, assigned_to=person,
                                            urgent=notice.urgent, may_skip=notice.may_skip,
                                            disclosure=disclosure))
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
        task = Task.objects.create(kind=notice.kind, title=notice.reason, clause=notice.clause,
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

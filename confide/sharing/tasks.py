"""Tasks: what a decision's obligations leave to be done, and the notifications a pack requires,
each on the list of the person who must do it until they record it done (or, where the pack
allows, not done and why)."""

from __future__ import annotations

from django.db import transaction
from django.utils import timezone

from confide.audit.services import record_event
from confide.keys import KeyDestroyed
from confide.keys.runtime import key_store
from confide.policy import vocab
from confide.sharing.models import Task

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


def from_obligations(disclosure) -> list[Task]:
    """One task per obligation of the disclosure's answer that its record does not already meet,
    for the person who asked. Called in the transaction that makes the disclosure ready to go."""
    made = []
    for kind in disclosure.answer.get("obligations", []):
        if kind in MET_BY_THE_RECORD:
            continue
        clause = next((r.get("clause", "") for r in disclosure.answer.get("reasons", [])), "")
        made.append(Task.objects.create(kind=kind, title=title(kind), clause=clause, client_id=disclosure.client_id,
                                        case_id=disclosure.case_id, disclosure=disclosure,
                                        assigned_to_id=disclosure.requested_by_id, urgent=kind in URGENT,
                                        may_skip=kind in MAY_SKIP))
    if made:
        record_event(None, "tasks.created", object_type="disclosure", object_id=disclosure.pk,
                     client_id=disclosure.client_id, detail={"tasks": [t.pk for t in made],
                                                             "kinds": [t.kind for t in made]})
    return made


def do_add_task(actor, *, kind: str, title_text: str, clause: str, client_id: int, case_id: int | None,
                assigned_to_id: int | None, urgent: bool = False, due_on=None) -> Task:
    """A task a pack's notification rule requires (confide.policy.notifications)."""
    with transaction.atomic():
        task = Task.objects.create(kind=kind, title=title_text, clause=clause, client_id=client_id, case_id=case_id,
                                   assigned_to_id=assigned_to_id, urgent=urgent, due_on=due_on)
        record_event(actor, "task.created", object_type="task", object_id=task.pk, client_id=client_id,
                     detail={"kind": kind, "clause": clause, "urgent": urgent})
    return task


class TaskError(ValueError):
    pass


def do_finish_task(user, task: Task, outcome: str, note: str) -> Task:
    """Record a task done, or, where its obligation allows, not done with the reason."""
    if task.outcome:
        raise TaskError("This task has already been recorded.")
    if outcome not in Task.Outcome.values:
        raise TaskError("outcome: say whether it was done")
    if outcome == Task.Outcome.NOT_DONE and not task.may_skip:
        raise TaskError("outcome: this task cannot be left undone")
    if outcome == Task.Outcome.NOT_DONE and len(note.strip()) < 10:
        raise TaskError("note: say why it was not done (at least 10 characters)")
    with transaction.atomic():
        task.outcome = outcome
        task.done_by = user
        task.done_at = timezone.now()
        if note.strip():
            task.outcome_note_sealed = key_store().encrypt(task.client_id, note.strip(), task.context("outcome"))
        task.save(update_fields=["outcome", "done_by", "done_at", "outcome_note_sealed"])
        record_event(user, "task.finished", object_type="task", object_id=task.pk, client_id=task.client_id,
                     detail={"kind": task.kind, "outcome": outcome, "role": user.role})
    return task


def outcome_note(task: Task) -> str:
    if not task.outcome_note_sealed:
        return ""
    try:
        return key_store().decrypt(task.client_id, bytes(task.outcome_note_sealed), task.context("outcome"))
    except KeyDestroyed:
        return "unreadable"


def from_notices(actor, notices, *, client_id: int, case, worker) -> list[Task]:
    """Tasks for the notices a pack requires (confide.policy.notifications): for the worker, and
    where a notice says so, for each manager of the case's team too. Runs in the caller's
    transaction; recorded with its clause."""
    from django.contrib.auth import get_user_model

    from confide.accounts.models import current_policy

    made = []
    for notice in notices:
        people = [worker]
        if notice.for_manager:
            kinds = {name for name, role in current_policy().roles.items() if role.kind == "manager"}
            managers = list(get_user_model().objects.filter(team_id=case.team_id, role__in=kinds, is_active=True)
                            .exclude(pk=worker.pk))
            people = managers or [worker]
        for person in people:
            made.append(Task.objects.create(kind=notice.kind, title=notice.title, clause=notice.clause,
                                            client_id=client_id, case_id=case.pk, assigned_to=person,
                                            urgent=notice.urgent))
    if made:
        record_event(actor, "tasks.created", object_type="case", object_id=case.pk, client_id=client_id,
                     detail={"tasks": [t.pk for t in made], "kinds": [t.kind for t in made],
                             "clauses": sorted({t.clause for t in made})})
    return made


def do_report(user, pack_name: str, client, case, name: str) -> list[Task]:
    """A worker reports something the pack says must reach someone (DVIP 3.10: a threat to a named
    person): the report is recorded and its tasks made, urgent ones first on the lists."""
    from confide.policy.notifications import reports_for

    report = reports_for(pack_name, client.subject_role).get(name)
    if report is None:
        raise TaskError("report: that is not something to report on this client's file")
    with transaction.atomic():
        record_event(user, "report.made", object_type="case", object_id=case.pk, client_id=client.pk,
                     detail={"report": name, "role": user.role})
        return from_notices(user, report.notices, client_id=client.pk, case=case, worker=user)

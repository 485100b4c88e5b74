"""A person's tasks (what the policy left them to do after a decision, a sending or a report, and
what a colleague set them), each with its due date, whom it is for and, where they may know it,
the client's name; setting a task on a client's file; and reporting something the pack says must
reach someone. Thin: the gate (confide.sharing.access, confide.records.access) opens, do_*
functions (confide.sharing.tasks) write."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.dateformat import format as date_format
from django.views.decorators.http import require_GET, require_http_methods

from confide.accounts.models import current_organisation, current_policy
from confide.audit.actions import Action
from confide.policy import vocab
from confide.policy.notifications import reports_for
from confide.records.access import access_client_to_write
from confide.records.models import Case
from confide.sharing import access as gate
from confide.sharing.tasks import (
    BY_HAND,
    TaskError,
    assignable,
    do_add_task_to_file,
    do_finish_task,
    do_report,
    outcome_note,
)
from confide.web import describe
from confide.web.errors import add_to_form
from confide.web.purposes import asks_purpose, bad_request, with_purpose
from confide.web.sharing_forms import TaskForm

NOT_YOURS = "A client you do not work with"


def day(value: dt.date) -> str:
    return date_format(value, "j F Y")


def due(task, today: dt.date) -> dict:
    """When a task is due, as a person reads it: "Due 8 December 2026", "Due today", or, loudly,
    "Overdue by 2 days"."""
    if task.due_on is None:
        return {"words": "No due date", "overdue": False}
    late = (today - task.due_on).days
    if late > 0:
        return {"words": f"Overdue by {late} day{'s' if late != 1 else ''}", "overdue": True,
                "on": f"It was due on {day(task.due_on)}."}
    return {"words": "Due today" if late == 0 else f"Due {day(task.due_on)}", "overdue": False}


def task_row(task, today: dt.date, *, viewer=None) -> dict:
    """One task as the lists show it; `client_name` and `assigned_to` come from the gate's list."""
    person = task.assigned_to if viewer is not None and task.assigned_to_id != viewer.pk else None
    return {"task": task, "url": reverse("web:task", args=[task.pk]), "due": due(task, today),
            "client": getattr(task, "client_name", "") or "", "not_yours": NOT_YOURS,
            "assignee": (person.get_full_name() or person.username) if person is not None else "You"}


@require_GET
def tasks(request):
    today = timezone.localdate()
    user = request.user
    return render(request, "sharing/tasks.html", {
        "tasks": [task_row(t, today) for t in gate.my_tasks(user)],
        "team_overdue": [task_row(t, today, viewer=user) for t in gate.team_overdue_tasks(user)],
        "manages": user.role_kind in vocab.LINE_MANAGER_KINDS})


@require_http_methods(["GET", "POST"])
def task(request, task_id: int):
    item = gate.access_task(request.user, task_id)
    form = TaskForm(request.POST or None, task=item)
    if request.method == "POST" and form.is_valid():
        try:
            do_finish_task(request.user, item, form.cleaned_data["outcome"], form.cleaned_data["note"])
        except TaskError as error:
            add_to_form(form, error)
        else:
            return redirect(reverse("web:tasks"))
    return render(request, "sharing/task.html", {
        "task": item, "form": form, "note": outcome_note(item), "due": due(item, timezone.localdate()),
        "client_name": getattr(item, "client_name", ""), "not_yours": NOT_YOURS,
        "set_by": (item.created_by.get_full_name() or item.created_by.username) if item.created_by_id else "",
        # A manager's urgent task (a threat to a named person) opens the file to manage the risk.
        "file_url": reverse("web:client_file", args=[item.client_id]) +
        ("?purpose=risk_management" if item.urgent and request.user.role_kind in vocab.LINE_MANAGER_KINDS else ""),
    }, status=400 if form.errors else 200)


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


# Setting a task on a client's file ---------------------------------------------------------------------

DATE_FORMATS = ["%Y-%m-%d", "%d/%m/%Y", "%d %m %Y", "%d-%m-%Y"]


class AddTaskForm(forms.Form):
    case = forms.ChoiceField(label="Which case is it for?", widget=forms.RadioSelect,
                             error_messages={"required": "Choose the case it is for.",
                                             "invalid_choice": "Choose one of the client's open cases."})
    what = forms.ChoiceField(label="What needs doing?", widget=forms.RadioSelect, choices=list(BY_HAND.items()),
                             error_messages={"required": "Choose what needs doing.",
                                             "invalid_choice": "Choose what needs doing from the list."})
    assigned_to = forms.TypedChoiceField(label="Who will do it?", coerce=int,
                                         error_messages={"required": "Choose who will do it.",
                                                         "invalid_choice": "Choose someone from the list."})
    due_on = forms.DateField(label="When is it due?", required=False, input_formats=DATE_FORMATS,
                             widget=forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d"),
                             error_messages={"invalid": "Enter the date as day, month and year, for example "
                                                        "8/12/2026."})

    def __init__(self, *args, cases, people, default_days: int, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["case"].choices = [(str(c.pk), f"{describe.service(c.service)} ({c.get_status_display().lower()})")
                                       for c in cases]
        if len(cases) == 1:
            self.fields["case"].widget = forms.HiddenInput()
            self.fields["case"].initial = str(cases[0].pk)
        self.fields["assigned_to"].choices = [(p.pk, describe_person(p)) for p in people]
        self.fields["due_on"].help_text = (f"Leave it empty and it is due in {default_days} day"
                                           f"{'s' if default_days != 1 else ''}.")


def describe_person(person) -> str:
    return f"{person.get_full_name() or person.username} ({describe.role(person.role)})"


@require_http_methods(["GET", "POST"])
@asks_purpose
def add_task(request, client_id: int, *, purpose: str):
    """Set a task on a client's file, for oneself or a colleague on the case or in its team. The
    file is opened to write, as for a note; the task's words are chosen from a list, never typed."""
    grant = access_client_to_write(request.user, client_id, purpose, action=Action.CASE_WRITE)
    cases = [case for case in grant.cases if case.status != Case.Status.CLOSED]
    people: dict[int, object] = {}
    for case in cases:
        people.update({person.pk: person for person in assignable(case)})
    organisation = current_organisation()
    form = AddTaskForm(request.POST or None, cases=cases, people=list(people.values()),
                       default_days=organisation.task_due_days if organisation else 7,
                       initial={"assigned_to": request.user.pk})
    file_url = with_purpose(reverse("web:client_file", args=[grant.client.pk]), purpose)
    if request.method == "POST" and cases and form.is_valid():
        case = next(c for c in cases if str(c.pk) == form.cleaned_data["case"])
        try:
            do_add_task_to_file(request.user, case, what=form.cleaned_data["what"], due_on=form.cleaned_data["due_on"],
                                assigned_to_id=form.cleaned_data["assigned_to"])
        except TaskError as error:
            add_to_form(form, error)
        else:
            return redirect(file_url)
    return render(request, "sharing/add_task.html", {"client": grant.client, "form": form, "cases": cases,
                                                      "file_url": file_url},
                  status=400 if form.errors else 200)

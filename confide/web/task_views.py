"""A person's tasks (what the policy left them to do after a decision, a sending or a report), and
reporting something the pack says must reach someone. Thin: the gate (confide.sharing.access)
opens each task, do_* functions (confide.sharing.tasks) write."""

from __future__ import annotations

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from confide.accounts.models import current_policy
from confide.policy import vocab
from confide.policy.notifications import reports_for
from confide.sharing import access as gate
from confide.sharing.tasks import TaskError, do_finish_task, do_report, outcome_note
from confide.web.errors import add_to_form
from confide.web.purposes import asks_purpose, bad_request, with_purpose
from confide.web.sharing_forms import TaskForm


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
            add_to_form(form, error)
        else:
            return redirect(reverse("web:tasks"))
    return render(request, "sharing/task.html", {
        "task": item, "form": form, "note": outcome_note(item),
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

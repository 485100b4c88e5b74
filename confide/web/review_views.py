"""The break-glass review queue: every file opened outside someone's work, with their reason, for
the reviewers the pack names. Nobody sees their own openings here."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from confide.ids import record_id
from confide.policy import vocab
from confide.policy.reasons import ReasonError
from confide.records.break_glass import (
    access_break_glass,
    break_glass_reason,
    do_review_break_glass,
    review_note,
    review_queue,
)
from confide.web import describe
from confide.web.errors import add_to_form
from confide.web.record_forms import ReviewForm

QUEUE_PAGE = 200  # openings waiting, oldest first: the next 200 to review
HISTORY_PAGE = 100  # openings reviewed or not, newest first, on a page of the history


@require_GET
def queue(request):
    show_all = request.GET.get("show") == "all"
    before = None
    if show_all and request.GET.get("before"):
        try:
            before = record_id(request.GET["before"])
        except Http404:
            before = None  # no number an opening could have: the history from its newest
    size = HISTORY_PAGE if show_all else QUEUE_PAGE
    items = list(review_queue(request.user, pending_only=not show_all, before=before)[:size + 1])
    more, items = len(items) > size, items[:size]
    for item in items:
        item.purpose_label = describe.PURPOSES.get(item.purpose, item.purpose)
        item.role_label = describe.role(item.role)
    url = reverse("web:review_queue")
    return render(request, "records/review_queue.html", {
        "items": items, "show_all": show_all, "more_waiting": more and not show_all,
        "older_url": f"{url}?{urlencode({'show': 'all', 'before': items[-1].pk})}" if more and show_all else None,
        "newest_url": f"{url}?show=all" if before is not None else None})


@require_http_methods(["GET", "POST"])
def review(request, glass_id: int):
    glass = access_break_glass(request.user, glass_id)
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and glass.outcome == glass.Outcome.PENDING and form.is_valid():
        try:
            do_review_break_glass(request.user, glass, form.cleaned_data["outcome"], form.cleaned_data["note"])
        except ReasonError as error:
            add_to_form(form, error)
        except ValueError:
            # Someone else recorded the review a moment before (the row is checked again, locked).
            glass.refresh_from_db()
            form.add_error(None, "Someone else has just recorded the review of this opening: what they recorded "
                                 "is shown below. Nothing you entered was saved.")
        else:
            return redirect(reverse("web:review_queue"))
    glass.purpose_label = describe.PURPOSES.get(glass.purpose, glass.purpose)
    glass.role_label = describe.role(glass.role)
    return render(request, "records/review.html", {
        "glass": glass, "reason": break_glass_reason(glass), "note": review_note(glass), "form": form,
        # The purpose the reviewer states for reading the record: oversight, or the data controller's audit.
        "record_url": reverse("web:record_of_access", args=[glass.client_id])
        + ("?purpose=audit" if request.user.role_kind in vocab.AUDITOR_KINDS else "?purpose=supervision")},
        status=400 if form.errors else 200)

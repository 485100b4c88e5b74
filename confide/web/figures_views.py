"""Figures for the people who run the service: counts only, with small numbers hidden as the
organisation's reports hide them (the threshold on the reports' settings page, never below 7), never a
name or a number that points at one client. Trustees are sent to the released reports instead
(DVIP 10.03, Home-Start 3.2, JustUs 2.3.2; issue 17): live counts change with each client and could be
compared from one day to the next. No total is shown beside the hidden counts."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_GET

from confide.policy import vocab
from confide.records.models import Case, OpenCaseCount
from confide.reports.models import ReportSettings
from confide.web import describe

FIGURES_KINDS = vocab.MANAGER_KINDS | vocab.AUDITOR_KINDS


def _shown(n: int, threshold: int) -> int | str:
    return n if n > threshold else f"fewer than {threshold + 1}"


def anonymised_figures(threshold: int) -> list[dict]:
    """Open cases per service, with small numbers suppressed. No names, no ids. Read from the counts
    the database keeps as cases change (records.OpenCaseCount), a row per service, not by counting
    every case on each page."""
    rows = OpenCaseCount.objects.filter(n__gt=0).order_by("service").values_list("service", "n")
    return [{"service": describe.service(service), "count": _shown(n, threshold)} for service, n in rows]


def referrals_by_service(since, threshold: int) -> list[dict]:
    """Cases referred since a date, counted per service: no names, no ids, small numbers hidden. A
    deliberate read of records_case around the engine, like anonymised_figures (tests/records/
    test_one_gate.py names both)."""
    rows = (Case.objects.filter(referred_on__gt=since).values("service").annotate(n=Count("id"))
            .order_by("service").values_list("service", "n"))
    return [{"service": describe.service(service), "count": _shown(n, threshold)} for service, n in rows]


@require_GET
def figures(request):
    kind = request.user.role_kind
    if kind in vocab.NAMELESS_KINDS:
        return redirect(reverse("reports:list"))  # trustees: the released reports, never live counts
    if kind not in FIGURES_KINDS:
        raise PermissionDenied
    since = timezone.localdate() - timedelta(days=365)
    threshold = ReportSettings.current().threshold
    return render(request, "web/figures.html", {
        "open": anonymised_figures(threshold), "small": threshold + 1, "since": since,
        "referred": referrals_by_service(since, threshold)})

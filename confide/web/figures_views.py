"""Figures for trustees and the people who run the service: counts only, with small numbers hidden,
never a name or a number that points at one client (DVIP 10.03, Home-Start 3.2, JustUs 2.3.2).
No total is shown beside the hidden counts, so none can be recovered by subtraction. The reports a
committee signs off, with their periods and secondary suppression, are the reports issue's."""

from __future__ import annotations

from datetime import timedelta

from django.core.exceptions import PermissionDenied
from django.db.models import Count
from django.shortcuts import render
from django.utils import timezone
from django.views.decorators.http import require_GET

from confide.policy import vocab
from confide.records.models import Case
from confide.web import describe
from confide.web.views import SMALL_NUMBER, anonymised_figures

FIGURES_KINDS = vocab.NAMELESS_KINDS | vocab.MANAGER_KINDS | vocab.AUDITOR_KINDS


def _shown(n: int) -> int | str:
    return n if n >= SMALL_NUMBER else f"fewer than {SMALL_NUMBER}"


def referrals_by_service(since) -> list[dict]:
    """Cases referred since a date, counted per service: no names, no ids, small numbers hidden. A
    deliberate read of records_case around the engine, like anonymised_figures (tests/records/
    test_one_gate.py names both)."""
    rows = (Case.objects.filter(referred_on__gt=since).values("service").annotate(n=Count("id"))
            .order_by("service").values_list("service", "n"))
    return [{"service": describe.service(service), "count": _shown(n)} for service, n in rows]


@require_GET
def figures(request):
    if request.user.role_kind not in FIGURES_KINDS:
        raise PermissionDenied
    since = timezone.localdate() - timedelta(days=365)
    return render(request, "web/figures.html", {
        "open": anonymised_figures(), "small": SMALL_NUMBER, "since": since, "referred": referrals_by_service(since)})

"""Shared by the breach and complaint tests: a person in a named role, and a breach recorded."""

from __future__ import annotations

import datetime as dt

from django.contrib.auth import get_user_model
from django.utils import timezone

from confide.breaches import services
from confide.policy import vocab

WHAT = "Quentin's letter was posted to the wrong flat on Larkspur Row."  # fictional; searched for in logs


def person(p: dict, role: str, username: str | None = None):
    """A staff account in this role of the pack (trustees have no team)."""
    kind = p["pack"].roles[role].kind
    team = None if kind in vocab.TEAMLESS_KINDS else p["north"]
    name = username or f"r_{role}"[:30]
    return get_user_model().objects.create_user(username=name, password=f"{name}-password-1", role=role, team=team,
                                                first_name="Rhea", last_name=role.replace("_", " ").title())


def record(user, pack, *, hours_ago: float = 2, risk: str = "risk", what: str = WHAT, **more):
    aware = timezone.now() - dt.timedelta(hours=hours_ago)
    return services.do_record_breach(user, pack, services.NewBreach(
        aware_at=aware, aware_zone="Europe/London", what_happened=what, data_categories=["case_notes"],
        people_affected=3, risk=risk, **more))

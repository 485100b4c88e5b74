"""How the gates ask the policy engine whether a person may read something: the contract's `access`
request built in one place, and the engine's answer (a request it will not answer is a refusal).
Below records and the staff records alike, so each app's gate asks the same way
(confide/records/access.py, confide/staffing/access.py)."""

from __future__ import annotations

from typing import Any

from django.contrib.auth import get_user_model

from confide.accounts.models import Team, current_policy
from confide.plainrows import fixed_rows, load_instances
from confide.policy import PolicyError

DENY: dict[str, Any] = {"decision": "deny", "reasons": [], "approvals": [], "pack": {}}

_TEAM = ("id", "name", "slug")
_TEAM_SQL = "SELECT t.id, t.name, t.slug FROM accounts_team t WHERE t.id = %s"


def team_slug(user) -> str | None:
    """The person's team's slug. Their team is read once per request (then kept on the user, where
    the page header finds it too), by a fixed SELECT rather than the ORM's query for user.team."""
    if user.team_id is None:
        return None
    if not get_user_model()._meta.get_field("team").is_cached(user):
        user.team = load_instances(Team, _TEAM, fixed_rows(_TEAM_SQL, [user.team_id]))[0]
    return user.team.slug


def access_request(user, purpose: str, record_kind: str, *, service: str | None = None, team: str | None = None,
                   assigned: bool = False, sealed: bool = False) -> dict[str, Any]:
    """The policy contract's `access` request for this person reading a record: the one place it is
    built. `service` and `team` are the case's; None where there is no case to name them."""
    record: dict[str, Any] = {"kind": record_kind, "sealed": sealed}
    if service is not None:
        record["service"] = service
    if team is not None:
        record["team"] = team
    return {"action": "access", "actor": {"role": user.role, "team": team_slug(user), "assigned_to_case": assigned},
            "record": record, "purpose": purpose}


def decide(request: dict[str, Any]) -> dict[str, Any]:
    """The engine's answer; a request it will not answer is a refusal, never an error page that says why."""
    try:
        return current_policy().decide(request)
    except PolicyError:
        return DENY


def clauses(decision: dict[str, Any]) -> list[str]:
    return [reason.get("clause", "") for reason in decision.get("reasons", [])]

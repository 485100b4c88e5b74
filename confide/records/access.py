"""The one gate to client data.

access_client() fetches and authorises in one call: it asks the policy engine, writes the audit
event (permitted or refused) in the same transaction, and answers Http404 alike for "no such
client" and "not allowed", so an id reveals nothing. Views never read client data another way.
"""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import Http404

from confide.accounts.models import current_policy
from confide.audit.services import record_event
from confide.records.models import Case, Client

_RANK = {"deny": 0, "permit_if_approved": 1, "permit": 2}


def _with_cases(queryset):
    return queryset.select_related("team").prefetch_related(
        Prefetch("cases", queryset=Case.objects.select_related("team").prefetch_related("workers")))


def case_request(user, case: Case, record_kind: str, purpose: str) -> dict:
    """The policy contract's `access` request for this person reading this case's records."""
    return {
        "action": "access",
        "actor": {"role": user.role, "team": user.team.slug if user.team else None,
                  "assigned_to_case": any(worker.pk == user.pk for worker in case.workers.all())},
        "record": {"kind": record_kind, "service": case.service, "team": case.team.slug, "sealed": False},
        "purpose": purpose,
    }


def client_decision(user, client: Client, record_kind: str, purpose: str) -> tuple[dict, Case | None]:
    """The engine's answer for this client's records: each case is asked about on its own (its
    service, its team, whether this person works on it) and the most permissive answer stands,
    with the case it came from. A client with no case is asked about as its team's, unassigned."""
    policy = current_policy()
    best, best_case = None, None
    for case in client.cases.all():
        decision = policy.decide(case_request(user, case, record_kind, purpose))
        if best is None or _RANK[decision["decision"]] > _RANK[best["decision"]]:
            best, best_case = decision, case
            if decision["decision"] == "permit":
                break
    if best is None:
        best = policy.decide({
            "action": "access",
            "actor": {"role": user.role, "team": user.team.slug if user.team else None, "assigned_to_case": False},
            "record": {"kind": record_kind, "team": client.team.slug, "sealed": False},
            "purpose": purpose,
        })
    return best, best_case


def _clauses(decision: dict) -> list[str]:
    return [reason.get("clause", "") for reason in decision.get("reasons", [])]


def access_client(user, client_id, purpose: str, *, record_kind: str = "case_notes", action: str = "client.read") -> Client:
    """The client, if this person may read its records for this purpose; Http404 otherwise.

    Only an outright `permit` opens the file here; `permit_if_approved` (break-glass) needs the
    break-glass step, which records a stated reason first.
    """
    try:
        client_pk = int(client_id)
    except (TypeError, ValueError):
        raise Http404 from None
    # No transaction of its own: a read changes nothing, and its one audit event is committed
    # on its own by record_event() before anything is shown.
    client = _with_cases(Client.objects.filter(pk=client_pk)).first()
    if client is None:
        record_event(user, f"{action}.refused", object_type="client", object_id=client_pk,
                     purpose=purpose, detail={"reason": "no_such_client"})
        raise Http404
    decision, case = client_decision(user, client, record_kind, purpose)
    pack = decision.get("pack") or {}
    # The role at the time, so the record of access stays true if the person's role changes.
    detail = {"decision": decision["decision"], "clauses": _clauses(decision), "role": user.role,
              "case": case.pk if case else None, "pack": pack.get("name", ""), "pack_version": pack.get("version", "")}
    permitted = decision["decision"] == "permit"
    record_event(user, action if permitted else f"{action}.refused", object_type="client", object_id=client.pk,
                 client_id=client.pk, purpose=purpose, detail=detail)
    if not permitted:
        raise Http404
    return client


def list_clients(user, purpose: str = "direct_support", *, limit: int = 200) -> list[Client]:
    """The clients listed to this person: those on whose cases they work that the engine lets
    them open for this purpose. A list never names a client the person could not open, and the
    names it shows are recorded as read (one event, the clients' ids in its detail)."""
    candidates = _with_cases(Client.objects.filter(cases__workers=user).distinct()).order_by("display_name", "id")
    listed = [client for client in candidates[: limit * 2]
              if client_decision(user, client, "identity", purpose)[0]["decision"] == "permit"][:limit]
    if listed:
        record_event(user, "clients.listed", purpose=purpose,
                     detail={"client_ids": [client.pk for client in listed], "role": user.role})
    return listed

"""The one gate to client data.

access_client() fetches and authorises in one call: it asks the policy engine, writes the audit
event (permitted or refused) in the same transaction, and answers Http404 alike for "no such
client" and "not allowed", so an id reveals nothing. Views never read client data another way.
"""

from __future__ import annotations

from django.http import Http404

from confide.accounts.models import Organisation
from confide.audit.services import record_event
from confide.records.models import Case, Client


def access_request(user, client: Client, record_kind: str, purpose: str) -> dict:
    """The policy contract's `access` request for this person reading this client's records."""
    cases = list(client.cases.all())
    assigned = any(case.workers.filter(pk=user.pk).exists() for case in cases)
    service = next((case.service for case in cases if case.status != Case.Status.CLOSED), None)
    service = service or (cases[0].service if cases else None)
    record = {"kind": record_kind, "team": client.team.slug, "sealed": False}
    if service:
        record["service"] = service
    return {
        "action": "access",
        "actor": {"role": user.role, "team": user.team.slug if user.team else None, "assigned_to_case": assigned},
        "record": record,
        "purpose": purpose,
    }


def decide_access(user, client: Client, record_kind: str, purpose: str) -> dict:
    return Organisation.current().policy().decide(access_request(user, client, record_kind, purpose))


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
    client = Client.objects.select_related("team").filter(pk=client_pk).first()
    if client is None:
        record_event(user, f"{action}.refused", object_type="client", object_id=client_pk,
                     purpose=purpose, detail={"reason": "no_such_client"})
        raise Http404
    decision = decide_access(user, client, record_kind, purpose)
    pack = decision.get("pack") or {}
    detail = {"decision": decision["decision"], "clauses": _clauses(decision),
              "pack": pack.get("name", ""), "pack_version": pack.get("version", "")}
    permitted = decision["decision"] == "permit"
    record_event(user, action if permitted else f"{action}.refused", object_type="client", object_id=client.pk,
                 client_id=client.pk, purpose=purpose, detail=detail)
    if not permitted:
        raise Http404
    return client


def visible_clients(user):
    """The clients listed to this person: those on whose cases they work. Lists and counts never
    include a client the person could not open (need-to-know reaches lists too)."""
    return Client.objects.filter(cases__workers=user).distinct().select_related("team")

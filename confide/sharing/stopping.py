"""Stopping a request to share that may no longer go: the one piece of the workflow the consent
register needs (a withdrawn or expired consent stops what rested on it), kept below both so that
the register (consent.py) and the workflow (disclosure.py) do not import each other."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from confide.accounts.models import current_policy
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.sharing.models import Disclosure

PENDING = (Disclosure.Status.AWAITING_APPROVAL, Disclosure.Status.READY)


def do_move_disclosure(disclosure: Disclosure, status: str) -> None:
    """Move the disclosure to a status, dated now. Runs inside the caller's do_* transaction, whose
    audit event says why."""
    disclosure.status = status
    disclosure.status_changed_at = timezone.now()
    disclosure.save(update_fields=["status", "status_changed_at"])


def still_permitted(disclosure: Disclosure, on: dt.date | None = None) -> bool:
    """Whether the engine, asked again today with the consent as it now stands, would still let
    this go. A disclosure that rested on consent stops when the consent is withdrawn or expires; one
    that rested on a ground (a child at risk) does not."""
    if disclosure.consent_id is None:
        return True
    on = on or timezone.localdate()
    consent = disclosure.consent
    request = dict(disclosure.request)
    request["consent"] = {**request["consent"], "status": consent.status(on)}
    return current_policy().decide(request)["decision"] != "deny"


def do_stop_disclosures(user, disclosures, why: str) -> list[Disclosure]:
    """Stop these disclosures if they are still to go and no longer permitted; their secure links
    stop working. Runs inside the caller's transaction."""
    stopped = []
    now = timezone.now()
    for disclosure in disclosures.filter(status__in=[*PENDING, Disclosure.Status.SENT]).select_for_update():
        if still_permitted(disclosure):
            continue
        live_links = disclosure.links.filter(revoked_at__isnull=True)
        if disclosure.status == Disclosure.Status.SENT and not live_links.exists():
            continue  # already gone: nothing left to stop
        live_links.update(revoked_at=now, revoked_by=user)
        if disclosure.status != Disclosure.Status.SENT:
            do_move_disclosure(disclosure, Disclosure.Status.STOPPED)
        record_event(user, Action.DISCLOSURE_STOPPED, object_type="disclosure", object_id=disclosure.pk,
                     client_id=disclosure.client_id, detail={"why": why, "status": disclosure.status})
        stopped.append(disclosure)
    return stopped

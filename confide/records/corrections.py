"""Correcting a client's name or date of birth (UK GDPR Art 16: the right to rectification), with
nothing lost: the earlier value is kept, sealed under the client's key like the value itself, with
who changed it, when and why (records.ClientCorrection). The history is read through the gate
(ClientAccess.corrections) by whoever may read the file; the audit event says only which of the two
was corrected, never what it was or became.
"""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.policy.reasons import check_reason
from confide.records.access import ClientAccess
from confide.records.identity import date_of_birth_problem, same_name
from confide.records.models import Client, ClientCorrection

NAME_LONGEST = 200  # as a referral takes it


class CorrectionError(ConfideError, ValueError):
    """A correction that cannot be made as given; the message says why."""

    code = "correction_invalid"


def _shown(field: str, value) -> str:
    """A value as the history keeps it: the name as written, a date as 1985-03-27, "" for not given."""
    if value is None:
        return ""
    if field == ClientCorrection.Field.DATE_OF_BIRTH:
        return value.isoformat()
    return str(value)


def earlier_value(correction: ClientCorrection):
    """What the field held before this correction: a name (str), a date, or None for not given (or
    no longer readable, once the client's key is destroyed)."""
    value = (correction.earlier or {}).get("value")
    if not isinstance(value, str) or not value:
        return None
    if correction.field == ClientCorrection.Field.DATE_OF_BIRTH:
        try:
            return dt.date.fromisoformat(value)
        except ValueError:
            return None
    return value


def _clean(field: str, new_value, current):
    if field == ClientCorrection.Field.NAME:
        name = str(new_value or "").strip()
        if not name:
            raise CorrectionError("give the client's name as it should be", field="new_value")
        if len(name) > NAME_LONGEST:
            raise CorrectionError(f"a name can be at most {NAME_LONGEST} characters", field="new_value")
        if name == current:
            raise CorrectionError("that is the name already on the file: change it, or go back", field="new_value")
        return name
    if field == ClientCorrection.Field.DATE_OF_BIRTH:
        if new_value is not None and not isinstance(new_value, dt.date):
            raise CorrectionError("give the date of birth as a date, for example 27 3 1985", field="new_value")
        problem = date_of_birth_problem(new_value, timezone.localdate())
        if problem:
            raise CorrectionError(problem, field="new_value")
        if new_value == current:
            raise CorrectionError("that is the date of birth already on the file: change it, or go back",
                                  field="new_value")
        return new_value
    raise CorrectionError("only the client's name or date of birth can be corrected here", field="field")


def do_correct_client_identity(user, grant: ClientAccess, field: str, new_value, reason: str) -> ClientCorrection:
    """Correct the client's name (re-indexed for search) or date of birth (a date, or None to say it
    is not known), keeping what it was, who changed it, when and why. `grant` is the gate's answer
    for writing to the file (access_client_to_write); the reason is required. One transaction with
    its audit event, which holds no name, date or reason."""
    if not grant.may_write:
        raise CorrectionError("the file was opened for a purpose that only reads: open it to work with the client",
                              status=403)
    reason = check_reason(reason, "reason", what="say why it is being corrected, for the file's history",
                          error=CorrectionError)
    with transaction.atomic(durable=True):
        # Read again with its row locked: two corrections at once each keep what the other left.
        client = Client.objects.select_for_update().get(pk=grant.client.pk)
        current = client.display_name if field == ClientCorrection.Field.NAME else client.date_of_birth
        value = _clean(field, new_value, current)
        correction = ClientCorrection(client=client, field=field, changed_by=user)
        correction.earlier = {"value": _shown(field, current)}
        correction.reason = reason
        correction.save()
        if field == ClientCorrection.Field.NAME:
            client.display_name = value  # sealed and re-indexed as it is saved (Client.save)
        else:
            client.date_of_birth = value
        client.save()
        record_event(user, Action.CLIENT_IDENTITY_CORRECTED, object_type="client", object_id=client.pk,
                     client_id=client.pk, purpose=grant.purpose,
                     detail={"field": field, "correction": correction.pk, "role": user.role,
                             "spelling_only": field == ClientCorrection.Field.NAME and same_name(current, value)})
    grant.client = client
    return correction

"""Telling a client the limits of their confidentiality, and consent over time.

- The statement of the limits of confidentiality for a client's audience is one of the pack's
  documents (`kind: limits_statement`: DVIP Appendix A for Violence Prevention Programme clients,
  Appendix B for victims, Derbyshire's "clear and explicit boundaries", JustUs 2.1, Home-Start 1.1,
  Day-Mer's promise to its clients), rendered naming the organisation running Confide. That it was
  given, explained or signed is recorded against the wording version the client was told (a
  `FormWording`, frozen by its hash like a consent form's).
- Consent to support (JustUs 5.5) is recorded at intake where the pack asks for it.
- A consent in force brings a reminder task at the interval the pack sets (JustUs 5.4); when it is
  done and the consent is still in force, the next one is made.

Writes record that they happened (which statement, which version, how), never a name or a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import transaction
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.policy.explain import documents_for, render_document
from confide.policy.schema import ORGANISATION
from confide.sharing.consent import Form, do_store_wording
from confide.sharing.models import FormWording, LimitsTold, SupportConsent

WAY_LABELS = dict(LimitsTold.How.choices)


class LimitsError(ConfideError, ValueError):
    """What was told cannot be recorded as given; the message says why, `field` which part."""

    code = "limits_invalid"


@dataclass(frozen=True)
class Statement:
    """The statement of limits a client is told: the pack's document and its words today."""

    form: Form
    clause: str
    ways: tuple[str, ...]
    copy_to_signer: bool
    copy_required: bool

    @property
    def digest(self) -> str:
        return hashlib.sha256(self.form.text.encode()).hexdigest()


_rendered: dict[tuple, Statement | None] = {}


def statement_for(pack, subject_role: str, service: str | None, organisation: str) -> Statement | None:
    """The pack's statement of the limits of confidentiality for this person, naming the
    organisation; None where the pack has none for them."""
    key = (pack.name, pack.version, id(pack), subject_role, service, organisation)
    if key in _rendered:
        return _rendered[key]
    docs = documents_for(pack, "limits_statement", subject_role, service)
    found = None
    if docs:
        doc = docs[0]
        text = render_document(pack, doc["name"], organisation)
        found = Statement(Form(doc["name"], doc["title"].replace(ORGANISATION, organisation), text, False,
                               doc["copy_to_signer"]), doc["clause"], doc["ways"], doc["copy_to_signer"],
                          doc["copy_required"])
    if len(_rendered) > 256:
        _rendered.clear()
    _rendered[key] = found
    return found


def told_current(client, pack, statement: Statement | None) -> LimitsTold | None:
    """The latest record of the client being told this statement in its current words, if any.
    Call only after the gate has opened the client's file."""
    if statement is None:
        return None
    return (LimitsTold.objects.filter(client=client, wording__pack=pack.name, wording__document=statement.form.document,
                                      wording__digest=statement.digest).select_related("recorded_by").first())


def told_history(client) -> list[LimitsTold]:
    """Every record of the client being told the limits, newest first. After the gate only."""
    return list(LimitsTold.objects.filter(client=client).select_related("wording", "recorded_by"))


@dataclass
class Told:
    """What the worker records about telling the client the limits."""

    how: str
    told_on: dt.date
    copy_given: bool = False
    form_file: tuple[str, str, bytes] | None = None  # filename, content type, bytes of the signed copy


def _clause(clause: str) -> str:
    return f"clause {clause}" if clause[:1].isdigit() else clause


def do_record_limits_told(user, pack, organisation: str, client, service: str | None, told: Told) -> LimitsTold:
    """Record that the client was told the limits of their confidentiality, in the statement's
    words today (stored as a frozen wording version)."""
    statement = statement_for(pack, client.subject_role, service, organisation)
    if statement is None:
        raise LimitsError("the policy has no statement of the limits of confidentiality for this client", field="document")
    if told.how not in LimitsTold.How.values:
        raise LimitsError("say how the client was told", field="how")
    if told.how not in statement.ways:
        allowed = " or ".join(WAY_LABELS[w].lower() for w in statement.ways)
        raise LimitsError(f"{statement.form.title} is {allowed} ({_clause(statement.clause)})", field="how")
    if told.told_on > timezone.localdate():
        raise LimitsError("the date cannot be in the future", field="told_on")
    if told.form_file is not None and told.how != LimitsTold.How.SIGNED:
        raise LimitsError("a signed copy goes with a statement the client signed", field="form_file")
    if told.form_file is not None and not told.form_file[2]:
        raise LimitsError("the file is empty", field="form_file")
    if not told.copy_given and (statement.copy_required or (statement.copy_to_signer and told.how == "signed")):
        # Home-Start 1.1: "verbally and in writing"; DVIP Appendix B: "Always provide a copy to the
        # person signing".
        raise LimitsError(f"the client is given a copy of {statement.form.title} to keep "
                          f"({_clause(statement.clause)})", field="copy_given")
    wording = do_store_wording(pack, statement.form)
    with transaction.atomic(durable=True):
        record = LimitsTold(client=client, wording=wording, how=told.how, copy_given=told.copy_given,
                            told_on=told.told_on, recorded_by=user)
        if told.form_file is not None:
            filename, content_type, content = told.form_file
            record.form_filename, record.form_content = filename, content
            record.form_content_type = content_type
            record.form_size = len(content)
        record.save()
        if wording.frozen_at is None:
            FormWording.objects.filter(pk=wording.pk, frozen_at__isnull=True).update(frozen_at=timezone.now())
        record_event(user, Action.LIMITS_RECORDED, object_type="limits_told", object_id=record.pk, client_id=client.pk,
                     detail={"document": f"{wording.document} v{wording.version}", "how": told.how,
                             "copy_given": told.copy_given, "signed_copy": told.form_file is not None,
                             "told_on": str(told.told_on), "role": user.role})
    return record


def signed_copy(record: LimitsTold) -> tuple[str, str, bytes] | None:
    """The signed copy (name, content type, bytes); None if there is none, or it can no longer be read."""
    if record.form_content is None:
        return None
    return record.form_filename, record.form_content_type, record.form_content


# Consent to support (JustUs 5.5) -------------------------------------------------------------------

def support_clause(pack) -> dict | None:
    """The pack's clause asking for consent to support at intake, if it has one."""
    return pack.spec.consent.get("to_support")


def support_consent(client) -> SupportConsent | None:
    """The client's consent to support, if recorded. After the gate only."""
    return SupportConsent.objects.filter(client=client).first()


def do_record_support_consent(user, pack, client, case, how: str, given_on: dt.date) -> SupportConsent:
    clause = support_clause(pack)
    if clause is None:
        raise LimitsError("this organisation's policy does not ask for consent to support", field="how")
    if how not in SupportConsent.How.values:
        raise LimitsError("say whether the client agreed verbally or in writing", field="how")
    if given_on > timezone.localdate():
        raise LimitsError("the date cannot be in the future", field="given_on")
    with transaction.atomic():
        record = SupportConsent.objects.create(client=client, case=case, how=how, given_on=given_on,
                                               clause=clause["clause"], recorded_by=user)
        record_event(user, Action.SUPPORT_CONSENT_RECORDED, object_type="support_consent", object_id=record.pk,
                     client_id=client.pk, detail={"how": how, "clause": clause["clause"], "given_on": str(given_on),
                                                  "role": user.role})
    return record

"""Declarations, induction and the training register (issue 16): what a person still needs before the
gate lets them reach clients' records, and the writes that record it.

- A declaration is current for a person when they signed its CURRENT wording (a changed wording is a
  new `governance.Declaration.version`, signed again) and, if the pack gives it `refresh_months`,
  within that many months. Signed in Confide by typing one's name (`do_sign_declaration`), or as a
  signed copy a manager uploads (`do_upload_signed_copy`).
- Induction is current when a manager has recorded it (`do_record_induction`), for the kinds of role
  the pack names (`governance.needs_induction`).
- Training is a register, not a gate: each module for the person's role, when they last did it and
  when it is due again (`refresh_months`).
- Contractors' undertakings (Home-Start 7.6) and partner agencies' copies (DVIP 11.02) are recorded
  by a manager with the signatory's name (`do_record_outside_signature`).

`missing(user, today)` is what confide.records.access asks before any client's record is read;
`NotCleared` is its refusal, shown as the page "Before you can open clients' files".
Every write is one do_* function that commits its audit event in the same transaction; the audit
event names the person by number and the declaration or module by id, never a typed name.
"""

from __future__ import annotations

import base64
import calendar
import datetime as dt
from dataclasses import dataclass

from django.contrib.auth import get_user_model
from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from confide.accounts.models import current_organisation, current_policy
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.policy import governance
from confide.policy.vocab import MANAGER_KINDS

from .models import Induction, Signature, TrainingRecord

MAX_COPY_BYTES = 5 * 1024 * 1024  # a scanned page or two
MAX_NAME = 200
# What a signed copy may be, told by its first bytes (never by the name or type the browser sent).
COPY_TYPES = ((b"%PDF-", "application/pdf", "pdf"), (b"\x89PNG\r\n\x1a\n", "image/png", "png"),
              (b"\xff\xd8\xff", "image/jpeg", "jpg"))


class ClearanceError(ConfideError):
    """A declaration, induction or training record refused: who may not, a name that does not match,
    a file that is not a PDF or an image."""

    code = "clearance_refused"


@dataclass(frozen=True)
class Missing:
    """One thing a person still needs before the gate lets them reach clients' records."""

    what: str      # "declaration" or "induction"
    key: str       # the declaration's id, or "induction"
    title: str     # what it is, in words
    clause: str    # the pack's clause
    why: str       # in words: not signed, an earlier wording signed, due again, not recorded


class NotCleared(ConfideError):
    """The gate's refusal for a person whose declarations or induction are not current: shown as
    the page "Before you can open clients' files" with what is missing (confide.web.errors)."""

    code = "not_cleared"
    status = 403

    def __init__(self, missing: list[Missing]):
        super().__init__("Before you can open clients' files, sign the declarations the policy asks for and "
                         "have your induction recorded.")
        self.missing = missing


# -- dates ----------------------------------------------------------------------------------------

def add_months(day: dt.date, months: int) -> dt.date:
    """The same day `months` later (the month's last day where it has no such day: 31 January + 1 is
    28 or 29 February)."""
    year, month = divmod(day.month - 1 + months, 12)
    year += day.year
    return dt.date(year, month + 1, min(day.day, calendar.monthrange(year, month + 1)[1]))


def next_due(done_on: dt.date | None, refresh_months: int | None) -> dt.date | None:
    """When something done on `done_on` is due again; None if it never is (or was never done)."""
    if done_on is None or refresh_months is None:
        return None
    return add_months(done_on, refresh_months)


# -- the pack's questions, for one person ---------------------------------------------------------

def _pack():
    return current_policy()


def organisation_name() -> str:
    org = current_organisation()
    return org.name if org is not None else "The organisation"


def title_of(declaration: governance.Declaration) -> str:
    return declaration.title.replace("{organisation}", organisation_name())


def _known_role(pack, user) -> bool:
    return getattr(user, "role", "") in pack.spec.roles


def declarations_for(user, pack=None) -> list[governance.Declaration]:
    """The declarations this person signs (a role the pack no longer has signs none: the engine
    refuses such a person everything anyway)."""
    pack = pack or _pack()
    return governance.declarations_for(pack, user.role) if _known_role(pack, user) else []


def required_for(user, pack=None) -> list[governance.Declaration]:
    return [d for d in declarations_for(user, pack) if d.before_access]


def needs_induction(user, pack=None) -> bool:
    pack = pack or _pack()
    return _known_role(pack, user) and governance.needs_induction(pack, user.role)


def modules_for(user, pack=None) -> list[governance.Module]:
    pack = pack or _pack()
    return governance.training_for(pack, user.role) if _known_role(pack, user) else []


def signature_state(declaration: governance.Declaration, signatures: list[Signature], today: dt.date
                    ) -> tuple[str, Signature | None]:
    """Where a person stands with one declaration, from their signatures of it: ("current", the
    signature), ("due", the last one: refresh_months have passed), ("old_wording", the last one: they
    signed an earlier wording) or ("unsigned", None)."""
    mine = sorted((s for s in signatures if s.declaration == declaration.id),
                  key=lambda s: (s.signed_on, s.pk or 0), reverse=True)
    this_wording = [s for s in mine if s.version == declaration.version]
    if this_wording:
        latest = this_wording[0]
        due = next_due(latest.signed_on, declaration.refresh_months)
        if due is not None and today > due:
            return "due", latest
        return "current", latest
    if mine:
        return "old_wording", mine[0]
    return "unsigned", None


WHY = {
    "unsigned": "Not signed yet.",
    "old_wording": "The wording has changed since you signed it: read it again and sign the new wording.",
    "due": "It is due to be signed again.",
}


def missing(user, today: dt.date) -> list[Missing]:
    """What this person still needs before the gate lets them reach clients' records: each
    declaration the pack asks them to sign before access that is not current, and their induction
    if the pack asks for it and none is recorded. Two queries at most."""
    pack = _pack()
    required = required_for(user, pack)
    lacking: list[Missing] = []
    if required:
        signatures = list(Signature.objects.filter(person_id=user.pk, declaration__in=[d.id for d in required])
                          .only("id", "declaration", "version", "signed_on"))
        for declaration in required:
            state, _ = signature_state(declaration, signatures, today)
            if state != "current":
                lacking.append(Missing("declaration", declaration.id, title_of(declaration), declaration.clause,
                                       WHY[state]))
    if needs_induction(user, pack) and not Induction.objects.filter(person_id=user.pk, completed_on__lte=today).exists():
        induction = governance.induction(pack)
        lacking.append(Missing("induction", "induction", "Your induction", induction["clause"],
                               "Not recorded yet: a manager records it once your induction is done."))
    return lacking


def is_cleared(user, today: dt.date) -> bool:
    return not missing(user, today)


# -- the writes -----------------------------------------------------------------------------------

def _same_name(a: str, b: str) -> bool:
    return " ".join(a.split()).casefold() == " ".join(b.split()).casefold()


def name_of(user) -> str:
    return user.get_full_name().strip() or user.username


def _is_manager(user) -> bool:
    return user is not None and getattr(user, "is_active", False) and user.role_kind in MANAGER_KINDS


def _must_manage(user) -> None:
    if not _is_manager(user):
        raise ClearanceError("Only a manager or the data controller may record this.", code="not_allowed", status=403)


def _not_future(day: dt.date | None, today: dt.date, field: str) -> dt.date:
    if day is None:
        raise ClearanceError("Enter the date, for example 3 March 2026.", field=field)
    if day > today:
        raise ClearanceError("The date cannot be in the future.", field=field)
    return day


def _person(person_or_id):
    User = get_user_model()
    if isinstance(person_or_id, User):
        return person_or_id
    found = User.objects.filter(pk=person_or_id, is_active=True).first()
    if found is None:
        raise ClearanceError("Choose a member of staff from the list.", field="person", status=404)
    return found


def _staff_declaration(person, declaration_id: str, pack) -> governance.Declaration:
    declaration = next((d for d in declarations_for(person, pack) if d.id == declaration_id), None)
    if declaration is None:
        raise ClearanceError("That is not a declaration the policy asks this person to sign.", field="declaration",
                             status=404)
    return declaration


def do_sign_declaration(user, declaration_id: str, typed_name: str, today: dt.date) -> Signature:
    """The person signs one of their declarations by typing their own name (case and spacing
    forgiven): the signature records the date and the version of the wording signed."""
    pack = _pack()
    declaration = _staff_declaration(user, declaration_id, pack)
    typed = " ".join((typed_name or "").split())
    if not typed:
        raise ClearanceError("Type your full name to sign.", field="typed_name")
    if len(typed) > MAX_NAME or not _same_name(typed, name_of(user)):
        raise ClearanceError(f"Type your name exactly as Confide knows it: {name_of(user)}.", field="typed_name")
    with transaction.atomic():
        earlier = list(Signature.objects.select_for_update().filter(person=user, declaration=declaration.id))
        if signature_state(declaration, earlier, today)[0] == "current":
            raise ClearanceError("You have already signed this wording.", field="typed_name", status=409)
        signature = Signature.objects.create(declaration=declaration.id, version=declaration.version, person=user,
                                             signer_name=typed, signed_on=today, how=Signature.How.TYPED,
                                             recorded_by=user)
        record_event(user, Action.DECLARATION_SIGNED, object_type="signature", object_id=signature.pk,
                     detail={"person": user.pk, "declaration": declaration.id, "version": declaration.version,
                             "clause": declaration.clause, "how": "typed", "signed_on": today.isoformat()})
    return signature


def copy_type(data: bytes) -> tuple[str, str]:
    """The signed copy's type and file extension, told by its first bytes."""
    for magic, content_type, extension in COPY_TYPES:
        if data.startswith(magic):
            return content_type, extension
    raise ClearanceError("The signed copy must be a PDF, a PNG or a JPEG file: this file is none of them.",
                         field="copy")


def do_upload_signed_copy(by, person, declaration_id: str, data: bytes, content_type: str = "",
                          signed_on: dt.date | None = None, today: dt.date | None = None) -> Signature:
    """A manager records a declaration signed on paper, with the scanned copy (PDF, PNG or JPEG,
    up to 5 MB), sealed. The version recorded is the current wording's: the manager uploads a copy
    of the wording shown on the person's page."""
    _must_manage(by)
    today = today or timezone.localdate()
    person = _person(person)
    pack = _pack()
    declaration = _staff_declaration(person, declaration_id, pack)
    if not data:
        raise ClearanceError("Choose the file of the signed copy: this one is empty.", field="copy")
    if len(data) > MAX_COPY_BYTES:
        raise ClearanceError(f"The signed copy is too large: keep it under {MAX_COPY_BYTES // (1024 * 1024)} MB "
                             "(scan it at a lower resolution, or as a PDF).", field="copy")
    detected, _ = copy_type(data)
    signed_on = _not_future(signed_on or today, today, "signed_on")
    with transaction.atomic():
        signature = Signature(declaration=declaration.id, version=declaration.version, person=person,
                              signer_name=name_of(person), signed_on=signed_on, how=Signature.How.UPLOADED,
                              copy_type=detected, recorded_by=by)
        signature.save()
        signature.copy = base64.b64encode(data).decode("ascii")
        signature.save(update_fields=["copy_sealed"])
        record_event(by, Action.DECLARATION_COPY_UPLOADED, object_type="signature", object_id=signature.pk,
                     detail={"person": person.pk, "declaration": declaration.id, "version": declaration.version,
                             "clause": declaration.clause, "how": "uploaded", "type": detected,
                             "bytes": len(data), "signed_on": signed_on.isoformat()})
    return signature


def signed_copy(by, signature_id) -> tuple[Signature, bytes, str]:
    """A signed copy to download: for a manager or the data controller only, the read recorded.
    Refused as a missing one is otherwise."""
    from django.http import Http404

    signature = Signature.objects.filter(pk=signature_id, how=Signature.How.UPLOADED).first() \
        if str(signature_id).isdigit() else None
    if not _is_manager(by) or signature is None:
        record_event(by, Action.DECLARATION_COPY_DOWNLOADED.refused(),
                     object_type="signature", object_id=str(signature_id)[:20],
                     detail={"reason": "not_manager" if signature is not None else "no_such_copy",
                             "role": getattr(by, "role", "")})
        raise Http404
    # The read is recorded before the copy is opened, as every gate does.
    record_event(by, Action.DECLARATION_COPY_DOWNLOADED, object_type="signature", object_id=signature.pk,
                 detail={"person": signature.person_id, "declaration": signature.declaration})
    data = base64.b64decode(signature.copy or "")
    extension = next((ext for _, ctype, ext in COPY_TYPES if ctype == signature.copy_type), "bin")
    return signature, data, f"signed-declaration-{signature.pk}.{extension}"


def do_record_outside_signature(by, declaration_id: str, signer_name: str, organisation: str,
                                signed_on: dt.date | None, today: dt.date | None = None) -> Signature:
    """A contractor's undertaking (Home-Start 7.6) or a partner agency's copy of the procedure (DVIP
    11.02), signed outside Confide: the signatory's name, their firm or agency, and the date."""
    _must_manage(by)
    today = today or timezone.localdate()
    declaration = governance.declaration(_pack(), declaration_id)
    if declaration is None or declaration.signed_by == "staff":
        raise ClearanceError("Choose a contractor's or partner agency's declaration from the list.",
                             field="declaration", status=404)
    signer_name = " ".join((signer_name or "").split())
    organisation = " ".join((organisation or "").split())
    if not signer_name:
        raise ClearanceError("Write the name of the person who signed.", field="signer_name")
    if not organisation:
        raise ClearanceError("Write the name of their firm or agency.", field="organisation")
    if len(signer_name) > MAX_NAME:
        raise ClearanceError(f"Keep the name under {MAX_NAME} characters.", field="signer_name")
    if len(organisation) > MAX_NAME:
        raise ClearanceError(f"Keep the firm or agency under {MAX_NAME} characters.", field="organisation")
    signed_on = _not_future(signed_on, today, "signed_on")
    with transaction.atomic():
        signature = Signature.objects.create(declaration=declaration.id, version=declaration.version, person=None,
                                             signer_name=signer_name, organisation=organisation,
                                             signed_on=signed_on, how=Signature.How.TYPED, recorded_by=by)
        record_event(by, Action.DECLARATION_OUTSIDE_SIGNED, object_type="signature", object_id=signature.pk,
                     detail={"declaration": declaration.id, "version": declaration.version,
                             "clause": declaration.clause, "signer": declaration.signed_by,
                             "signed_on": signed_on.isoformat()})
    return signature


def do_record_induction(by, person, completed_on: dt.date | None, today: dt.date | None = None) -> Induction:
    """A manager records that a person's induction is done (DVIP 8.01, 12.01; Home-Start 3.1, 4.1,
    5.1). Never one's own: someone else vouches that it was done."""
    _must_manage(by)
    today = today or timezone.localdate()
    person = _person(person)
    if person.pk == by.pk:
        raise ClearanceError("Someone else records your own induction.", field="person", status=403)
    if governance.induction(_pack()) is None:
        raise ClearanceError("The policy asks for no induction to be recorded.", field="person", status=409)
    if not needs_induction(person):
        raise ClearanceError("The policy asks for no induction for this person's role.", field="person")
    completed_on = _not_future(completed_on, today, "completed_on")
    with transaction.atomic():
        induction = Induction.objects.create(person=person, completed_on=completed_on, recorded_by=by)
        record_event(by, Action.INDUCTION_RECORDED, object_type="induction", object_id=induction.pk,
                     detail={"person": person.pk, "completed_on": completed_on.isoformat(),
                             "clause": governance.induction(_pack())["clause"]})
    return induction


def do_record_training(by, person, module_id: str, completed_on: dt.date | None,
                       today: dt.date | None = None) -> TrainingRecord:
    """A manager records a training module a person completed (DVIP 12; Caldicott principle 5).
    A manager records it, their own included: the register is a reminder, not a gate."""
    _must_manage(by)
    today = today or timezone.localdate()
    person = _person(person)
    module = next((m for m in modules_for(person) if m.id == module_id), None)
    if module is None:
        raise ClearanceError("Choose a training module the policy sets for this person's role.", field="module")
    completed_on = _not_future(completed_on, today, "completed_on")
    with transaction.atomic():
        record = TrainingRecord.objects.create(person=person, module=module.id, completed_on=completed_on,
                                               recorded_by=by)
        record_event(by, Action.TRAINING_RECORDED, object_type="training", object_id=record.pk,
                     detail={"person": person.pk, "module": module.id, "clause": module.clause,
                             "completed_on": completed_on.isoformat()})
    return record


# -- the register -----------------------------------------------------------------------------------

@dataclass
class TrainingRow:
    module: governance.Module
    last_done: dt.date | None
    next_due: dt.date | None
    state: str  # "current", "overdue" or "never"

    @property
    def words(self) -> str:
        if self.state == "never":
            return "Not done yet"
        if self.state == "overdue":
            return f"Overdue: was due {self.next_due:%-d %B %Y}"
        return f"Due {self.next_due:%-d %B %Y}" if self.next_due else "Done; not due again"


def training_row(module: governance.Module, last_done: dt.date | None, today: dt.date) -> TrainingRow:
    """A module's place in the register: never done, overdue (its refresh interval has passed), or
    current with when it is next due."""
    if last_done is None:
        return TrainingRow(module, None, None, "never")
    due = next_due(last_done, module.refresh_months)
    return TrainingRow(module, last_done, due, "overdue" if due is not None and today > due else "current")


@dataclass
class PersonRow:
    person: object
    declarations: list[dict]  # declaration, title, state, signature
    induction_needed: bool
    inducted_on: dt.date | None
    training: list[TrainingRow]
    missing: list[Missing]

    @property
    def overdue_training(self) -> list[TrainingRow]:
        return [row for row in self.training if row.state != "current"]


def register(today: dt.date, people=None) -> list[PersonRow]:
    """Everyone active, with each declaration the pack asks them to sign, their induction and each
    training module for their role. Four queries, whatever the number of people."""
    pack = _pack()
    people = list(people if people is not None else
                  get_user_model().objects.filter(is_active=True).order_by("last_name", "first_name", "id"))
    ids = [p.pk for p in people]
    signatures: dict[int, list[Signature]] = {}
    for s in Signature.objects.filter(person_id__in=ids).only("id", "person_id", "declaration", "version",
                                                              "signed_on", "how"):
        signatures.setdefault(s.person_id, []).append(s)
    inducted = dict(Induction.objects.filter(person_id__in=ids, completed_on__lte=today).values("person_id")
                    .annotate(last=Max("completed_on")).values_list("person_id", "last"))
    done: dict[tuple[int, str], dt.date] = {
        (pid, module): last for pid, module, last in TrainingRecord.objects.filter(person_id__in=ids)
        .values("person_id", "module").annotate(last=Max("completed_on")).values_list("person_id", "module", "last")}
    rows = []
    for person in people:
        mine = signatures.get(person.pk, [])
        decls = []
        for d in declarations_for(person, pack):
            state, signature = signature_state(d, mine, today)
            decls.append({"declaration": d, "title": title_of(d), "state": state, "signature": signature})
        lacking = [Missing("declaration", x["declaration"].id, x["title"], x["declaration"].clause, WHY[x["state"]])
                   for x in decls if x["declaration"].before_access and x["state"] != "current"]
        need = needs_induction(person, pack)
        if need and person.pk not in inducted:
            lacking.append(Missing("induction", "induction", "Induction", governance.induction(pack)["clause"],
                                   "Not recorded yet."))
        training = [training_row(m, done.get((person.pk, m.id)), today) for m in modules_for(person, pack)]
        rows.append(PersonRow(person, decls, need, inducted.get(person.pk), training, lacking))
    return rows


def outside_declarations() -> list[governance.Declaration]:
    """The pack's declarations signed outside Confide: contractors' and partner agencies'."""
    return [d for d in governance.declarations(_pack()) if d.signed_by != "staff"]


def recorders() -> list[str]:
    """Who records an induction, in the pack's own words: its roles of a manager's kind."""
    return [role.label for role in current_policy().roles.values() if role.kind in MANAGER_KINDS]


def not_cleared_context(error) -> dict:
    """What the page "Before you can open clients' files" shows (confide.web.errors)."""
    return {"missing": error.missing, "recorders": recorders()}

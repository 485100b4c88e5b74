"""The partner directory's services: who may read and change it, every change as one do_* function
with its audit event, and the check a disclosure makes against the agreements.

Audit events name ids, vocabulary words and the names of fields changed, never what was typed: an
agency's notes or a contact's name are not written into the log.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date

from django.core.exceptions import ValidationError
from django.core.validators import validate_email
from django.db import IntegrityError, transaction
from django.db.models.functions import Lower
from django.http import Http404

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.ids import record_id
from confide.partners.models import AGENCY_KINDS, Agency, AgencyContact, SharingAgreement, long_date
from confide.policy import vocab
from confide.records.models import DATA_CATEGORIES

AGENCY_KIND_WORDS = frozenset(kind for kind, _ in AGENCY_KINDS)
DATA_WORDS = [word for word, _ in DATA_CATEGORIES]
DATA_LABELS = {word: label.lower() if word != "hiv_status" else label for word, label in DATA_CATEGORIES}
PURPOSE_WORDS = list(vocab.PURPOSES)

AGENCY_FIELDS = ("name", "kind", "known_phone", "address", "secure_email", "notes", "active")
CONTACT_FIELDS = ("name", "job_title", "email", "phone", "active")

# A telephone number as people write them: figures, spaces, brackets, hyphens, a leading +.
PHONE = re.compile(r"^\+?[0-9 ()\-]+$")


class DirectoryError(ConfideError, ValueError):
    """Bad input to a change of the directory. `field` names the field it is about, where one is."""

    code = "directory_invalid"

    def __init__(self, message: str, field: str | None = None, **kwargs):
        super().__init__(message, field=field, **kwargs)


# Who may read and change it ------------------------------------------------------------------------

def may_view(user) -> bool:
    """Staff of every kind the pack names, except trustees: the directory is operational."""
    if not getattr(user, "is_authenticated", False):
        return False
    kind = user.role_kind
    return bool(kind) and kind not in vocab.NAMELESS_KINDS


def may_manage(user) -> bool:
    """Managers and the data controller keep the directory and the agreements."""
    return bool(getattr(user, "is_authenticated", False)) and user.role_kind in vocab.MANAGER_KINDS


def _allowed(user, manage: bool) -> None:
    # Asked before anything is looked up, so that a refusal and a missing id answer alike.
    if not (may_manage(user) if manage else may_view(user)):
        raise Http404


def must_manage(user) -> None:
    """For pages that change the directory but name no record: Http404 unless may_manage."""
    _allowed(user, manage=True)


def access_agency(user, agency_id, *, manage: bool = False) -> Agency:
    """One agency, for a person who may read the directory (or change it, with manage=True);
    Http404 alike for a missing agency and a person who may not."""
    _allowed(user, manage)
    agency = Agency.objects.filter(pk=record_id(agency_id)).first()
    if agency is None:
        raise Http404
    return agency


def access_contact(user, contact_id, *, manage: bool = False) -> AgencyContact:
    _allowed(user, manage)
    contact = AgencyContact.objects.select_related("agency").filter(pk=record_id(contact_id)).first()
    if contact is None:
        raise Http404
    return contact


def access_agreement(user, agreement_id, *, manage: bool = False) -> SharingAgreement:
    _allowed(user, manage)
    agreement = SharingAgreement.objects.select_related("agency").filter(pk=record_id(agreement_id)).first()
    if agreement is None:
        raise Http404
    return agreement


def list_agencies(user):
    """Every agency, for a person who may read the directory; Http404 for anyone else."""
    _allowed(user, manage=False)
    return Agency.objects.prefetch_related("contacts", "agreements")


# Checking what was typed ---------------------------------------------------------------------------

def _text(value, field_name: str, *, required: str | None = None, max_length: int = 200) -> str:
    text = str(value if value is not None else "").strip()
    if required and not text:
        raise DirectoryError(required, field_name)
    if len(text) > max_length:
        raise DirectoryError(f"Keep this to {max_length} characters or fewer.", field_name)
    return text


def clean_phone(value, field_name: str, *, required: str | None = None) -> str:
    """A telephone number as typed, stripped; DirectoryError if it is not one."""
    text = _text(value, field_name, required=required, max_length=40)
    if text and (not PHONE.match(text) or not 6 <= sum(ch.isdigit() for ch in text) <= 15):
        raise DirectoryError("Give the number in figures, for example 01632 960000.", field_name)
    return text


def _email(value, field_name: str) -> str:
    text = _text(value, field_name, max_length=254)
    if text:
        try:
            validate_email(text)
        except ValidationError:
            raise DirectoryError("Give the email address in full, for example name@example.org.", field_name) from None
    return text


def _kind(value) -> str:
    if not value:
        raise DirectoryError("Choose what kind of agency this is.", "kind")
    if value not in AGENCY_KIND_WORDS:
        raise DirectoryError("That is not a kind of agency Confide knows: choose one from the list.", "kind")
    return value


def _unique_name(name: str, agency: Agency | None = None) -> None:
    others = Agency.objects.annotate(lower_name=Lower("name")).filter(lower_name=name.lower())
    if agency is not None:
        others = others.exclude(pk=agency.pk)
    if others.exists():
        raise DirectoryError(f"There is already an agency called {name} in the directory.", "name")


def _clean_agency(fields: dict, agency: Agency | None = None) -> dict:
    clean = {}
    for key, value in fields.items():
        if key == "name":
            clean[key] = _text(value, key, required="Give the agency's name.")
            _unique_name(clean[key], agency)
        elif key == "kind":
            clean[key] = _kind(value)
        elif key == "known_phone":
            clean[key] = clean_phone(value, key, required="Give the agency's switchboard number, taken from a trusted source "
                                                     "such as its website or an official directory.")
        elif key == "address":
            clean[key] = _text(value, key, max_length=1000)
        elif key == "secure_email":
            clean[key] = _email(value, key)
        elif key == "notes":
            clean[key] = _text(value, key, max_length=5000)
        elif key == "active":
            clean[key] = bool(value)
        else:
            raise DirectoryError(f"An agency has no field called {key}.")
    return clean


def _clean_contact(fields: dict) -> dict:
    clean = {}
    for key, value in fields.items():
        if key == "name":
            clean[key] = _text(value, key, required="Give the person's name.")
        elif key == "job_title":
            clean[key] = _text(value, key)
        elif key == "email":
            clean[key] = _email(value, key)
        elif key == "phone":
            clean[key] = clean_phone(value, key)
        elif key == "active":
            clean[key] = bool(value)
        else:
            raise DirectoryError(f"A contact has no field called {key}.")
    return clean


def _words(values: Iterable[str], known: list[str], field_name: str, *, empty: str, unknown: str) -> list[str]:
    chosen = set(values or ())
    if not chosen:
        raise DirectoryError(empty, field_name)
    strange = chosen - set(known)
    if strange:
        raise DirectoryError(unknown.format(", ".join(sorted(strange))), field_name)
    return [word for word in known if word in chosen]  # in the vocabulary's order, once each


def _is_date(value) -> bool:
    return isinstance(value, date)


# Changes -------------------------------------------------------------------------------------------

def do_add_agency(user, *, name: str, kind: str, known_phone: str, address: str = "", secure_email: str = "",
                  notes: str = "") -> Agency:
    clean = _clean_agency({"name": name, "kind": kind, "known_phone": known_phone, "address": address,
                           "secure_email": secure_email, "notes": notes})
    try:
        with transaction.atomic():
            agency = Agency.objects.create(created_by=user, **clean)
            record_event(user, Action.AGENCY_ADDED, object_type="agency", object_id=agency.pk,
                         detail={"kind": agency.kind, "role": user.role})
    except IntegrityError:  # the same name added at the same moment by someone else: the constraint's catch
        _unique_name(clean["name"])
        raise
    return agency


def do_change_agency(user, agency: Agency, **fields) -> Agency:
    """Change any of name, kind, known_phone, address, secure_email, notes and active. Only the
    fields that actually change are saved and named in the event."""
    clean = _clean_agency(fields, agency)
    changed = sorted(key for key, value in clean.items() if getattr(agency, key) != value)
    if not changed:
        return agency
    try:
        with transaction.atomic():
            for key in changed:
                setattr(agency, key, clean[key])
            agency.save(update_fields=changed)
            record_event(user, Action.AGENCY_CHANGED, object_type="agency", object_id=agency.pk,
                         detail={"fields": changed, "role": user.role})
    except IntegrityError:
        agency.refresh_from_db()
        _unique_name(clean.get("name", agency.name), agency)
        raise
    return agency


def do_add_contact(user, agency: Agency, *, name: str, job_title: str = "", email: str = "",
                   phone: str = "") -> AgencyContact:
    clean = _clean_contact({"name": name, "job_title": job_title, "email": email, "phone": phone})
    with transaction.atomic():
        contact = AgencyContact.objects.create(agency=agency, **clean)
        record_event(user, Action.AGENCY_CONTACT_ADDED, object_type="agency_contact", object_id=contact.pk,
                     detail={"agency": agency.pk, "role": user.role})
    return contact


def do_change_contact(user, contact: AgencyContact, **fields) -> AgencyContact:
    """Change any of name, job_title, email, phone and active; active=False marks someone who has
    left the agency. They stay named in past agreements and disclosures."""
    clean = _clean_contact(fields)
    changed = sorted(key for key, value in clean.items() if getattr(contact, key) != value)
    if not changed:
        return contact
    with transaction.atomic():
        for key in changed:
            setattr(contact, key, clean[key])
        contact.save(update_fields=changed)
        record_event(user, Action.AGENCY_CONTACT_CHANGED, object_type="agency_contact", object_id=contact.pk,
                     detail={"agency": contact.agency_id, "fields": changed, "role": user.role})
    return contact


def _agreement_contacts(agency: Agency, contacts) -> list[AgencyContact]:
    chosen = list(contacts or ())
    if not chosen:
        raise DirectoryError("Name at least one member of the agency's staff who may receive information "
                             "under the agreement.", "contacts")
    ids = [item.pk if isinstance(item, AgencyContact) else item for item in chosen]
    if not all(isinstance(pk, int) for pk in ids):
        raise DirectoryError("Choose the named staff from the agency's contacts.", "contacts")
    found = {contact.pk: contact for contact in AgencyContact.objects.filter(pk__in=ids)}
    result = []
    for pk in dict.fromkeys(ids):
        contact = found.get(pk)
        if contact is None or contact.agency_id != agency.pk:
            raise DirectoryError(f"Only staff of {agency.name} can be named in its agreement.", "contacts")
        if not contact.active:
            raise DirectoryError(f"{contact.name} has left {agency.name} (marked inactive), so cannot be named "
                                 f"in a new agreement.", "contacts")
        result.append(contact)
    return result


def do_add_agreement(user, agency: Agency, *, title: str, starts_on: date, ends_on: date | None,
                     data: Iterable[str], purposes: Iterable[str], contacts, reference: str = "") -> SharingAgreement:
    """Record an agreement. `contacts` are the agency's named staff (AgencyContact objects or their
    ids) who may receive information under it; `ends_on` None for an open-ended agreement."""
    title = _text(title, "title", required="Give the agreement's title.", max_length=300)
    reference = _text(reference, "reference", max_length=100)
    if not _is_date(starts_on):
        raise DirectoryError("Give the date the agreement comes into force.", "starts_on")
    if ends_on is not None and not _is_date(ends_on):
        raise DirectoryError("Give the date the agreement ends as a date, or leave it empty.", "ends_on")
    if ends_on is not None and ends_on <= starts_on:
        raise DirectoryError("The end date must be after the start date.", "ends_on")
    data = _words(data, DATA_WORDS, "data", empty="Choose at least one kind of information the agreement covers.",
                  unknown="Confide does not know these kinds of information: {}.")
    purposes = _words(purposes, PURPOSE_WORDS, "purposes", empty="Choose at least one purpose the agreement covers.",
                      unknown="Confide does not know these purposes: {}.")
    named = _agreement_contacts(agency, contacts)
    with transaction.atomic():
        agreement = SharingAgreement.objects.create(agency=agency, title=title, reference=reference,
                                                    starts_on=starts_on, ends_on=ends_on, data=data,
                                                    purposes=purposes, created_by=user)
        agreement.contacts.set(named)
        record_event(user, Action.AGREEMENT_ADDED, object_type="sharing_agreement", object_id=agreement.pk,
                     detail={"agency": agency.pk, "contacts": [c.pk for c in named], "data": data,
                             "purposes": purposes, "starts_on": starts_on.isoformat(),
                             "ends_on": ends_on.isoformat() if ends_on else None, "role": user.role})
    return agreement


def do_end_agreement(user, agreement: SharingAgreement, on: date) -> SharingAgreement:
    """End an agreement early: from `on` it is no longer in force."""
    if not _is_date(on):
        raise DirectoryError("Give the date the agreement ends.", "on")
    with transaction.atomic():
        # Read again with its row locked, and checked there: two people ending it at once cannot
        # both pass the check.
        locked = SharingAgreement.objects.select_for_update().only("ended_on", "starts_on", "ends_on").get(pk=agreement.pk)
        agreement.ended_on, agreement.starts_on, agreement.ends_on = locked.ended_on, locked.starts_on, locked.ends_on
        if agreement.ended_on is not None:
            raise DirectoryError(f"This agreement was already ended on {long_date(agreement.ended_on)}.", "on")
        if on < agreement.starts_on:
            raise DirectoryError(f"An agreement cannot end before it starts ({long_date(agreement.starts_on)}).", "on")
        if agreement.ends_on is not None and on > agreement.ends_on:
            raise DirectoryError(f"The agreement already runs out on {long_date(agreement.ends_on)}; "
                                 f"it cannot be ended after that.", "on")
        agreement.ended_on = on
        agreement.save(update_fields=["ended_on"])
        record_event(user, Action.AGREEMENT_ENDED, object_type="sharing_agreement", object_id=agreement.pk,
                     detail={"agency": agreement.agency_id, "on": on.isoformat(), "role": user.role})
    return agreement


# The check a disclosure makes ------------------------------------------------------------------------

@dataclass(frozen=True)
class AgreementCheck:
    """Whether an agreement in force covers a disclosure. `live` is True only when one covers all
    of it (the named person, still at the agency; every kind of data; the purpose), and then
    `problems` is empty. Otherwise `agreement` is the closest one in force (None if none is) and
    `problems` says, in plain sentences, what is missing. The disclosure shows them as a flag."""

    agreement: SharingAgreement | None
    live: bool
    problems: list[str] = field(default_factory=list)


def _gaps(agreement: SharingAgreement, contact: AgencyContact | None, data: set[str], purpose: str | None) -> list[str]:
    problems = []
    if contact is not None and contact.pk not in {c.pk for c in agreement.contacts.all()}:
        problems.append(f"{contact.name} is not named in the agreement.")
    missing = [word for word in DATA_WORDS if word in data and word not in agreement.data]
    missing += sorted(word for word in data if word not in DATA_WORDS)  # words no agreement can cover
    if missing:
        problems.append(f"The agreement does not cover: {', '.join(DATA_LABELS.get(w, vocab.label(w)) for w in missing)}.")
    if purpose is not None and purpose not in agreement.purposes:
        problems.append(f"The agreement does not cover this purpose: {vocab.label(purpose)}.")
    return problems


def _why_not_in_force(agreement: SharingAgreement, on: date) -> str:
    if agreement.ended_on is not None and on >= agreement.ended_on:
        return f"was ended early on {long_date(agreement.ended_on)}"
    if on < agreement.starts_on:
        return f"comes into force on {long_date(agreement.starts_on)}"
    return f"expired after {long_date(agreement.ends_on)}"


def agreement_check(contact_or_agency: AgencyContact | Agency, data: set[str], purpose: str | None,
                    on: date) -> AgreementCheck:
    """Check a disclosure of `data` for `purpose` on the day `on` to a named person at an agency
    (an AgencyContact) or to the agency with no one named (an Agency). DVIP 11.03: information goes
    to partners on the terms agreed, to the staff named, while the agreement is in force."""
    if isinstance(contact_or_agency, AgencyContact):
        contact, agency = contact_or_agency, contact_or_agency.agency
    else:
        contact, agency = None, contact_or_agency
    data = set(data or ())
    standing = []  # problems whatever the agreement
    if not agency.active:
        standing.append(f"{agency.name} is marked inactive in the partner directory.")
    if contact is not None and not contact.active:
        standing.append(f"{contact.name} has left {agency.name} (marked inactive).")
    agreements = list(agency.agreements.prefetch_related("contacts"))
    in_force = [a for a in agreements if a.in_force_on(on)]
    if not in_force:
        problems = [f"No information-sharing agreement with {agency.name} is in force on {long_date(on)}."]
        latest = max(agreements, key=lambda a: (a.starts_on, a.pk), default=None)
        if latest is not None:
            problems.append(f"The most recent, “{latest.title}”, {_why_not_in_force(latest, on)}.")
        return AgreementCheck(agreement=None, live=False, problems=problems + standing)
    # The closest: fewest gaps, then the most recent.
    best, gaps = min(((a, _gaps(a, contact, data, purpose)) for a in in_force),
                     key=lambda pair: (len(pair[1]), -pair[0].starts_on.toordinal(), -pair[0].pk))
    problems = standing + gaps
    return AgreementCheck(agreement=best, live=not problems, problems=problems)

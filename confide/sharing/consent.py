"""The consent register: recording what a person agreed to, in the exact wording they were shown,
withdrawing it, and finding the consent that covers a disclosure.

Writes record that they happened (which scope, which wording version), never a name or a file.
"""

from __future__ import annotations

import datetime as dt
import hashlib
from dataclasses import dataclass

from django.db import IntegrityError, transaction
from django.db.models import Max
from django.utils import timezone

from confide.accounts.models import current_organisation
from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.policy import vocab
from confide.policy.explain import documents_for, render_document
from confide.policy.schema import ORGANISATION
from confide.records.models import DATA_CATEGORIES
from confide.sharing.models import Consent, Disclosure, FormWording
from confide.sharing.stopping import do_stop_disclosures
from confide.sharing.tasks import TITLES, do_close_reminders, do_schedule_reminder, new_task

EXPIRING_DAYS = 28
GENERIC_DOCUMENT = "consent_to_share"
CATEGORY_LABELS = dict(DATA_CATEGORIES)


class ConsentError(ConfideError, ValueError):
    """A consent that cannot be recorded as given; the message says why, `field` which part."""

    code = "consent_invalid"


@dataclass(frozen=True)
class Form:
    """The form a person is shown for a consent: which of the pack's documents, and its words."""

    document: str
    title: str
    text: str
    expiry: bool
    copy_to_signer: bool = False


def organisation_name(organisation: str | None = None) -> str:
    """The name documents give the organisation: the one running Confide, never the pack's source."""
    if organisation and organisation.strip():
        return organisation.strip()
    found = current_organisation()
    return found.name if found is not None else "the organisation"


def consent_form(pack, subject_role: str, service: str | None, organisation: str | None = None) -> Form:
    """The pack's consent form for this person (DVIP Appendix B for a victim); where the pack has
    none, an agreement to share built from the pack's own consent clause. Either names the
    organisation running Confide (by default the current one)."""
    org = organisation_name(organisation)
    for doc in documents_for(pack, "consent_form", subject_role, service):
        if doc.get("consent_scope"):
            return Form(doc["name"], doc["title"].replace(ORGANISATION, org), render_document(pack, doc["name"], org),
                        bool(doc.get("expiry")), bool(doc.get("copy_to_signer")))
    clause = pack.spec.consent
    lines = [f"Agreement to share information: {org}", "",
             f"{org} keeps what you tell us confidential. We share it outside {org} only as you "
             "agree below, or where the law or our confidentiality policy requires it.", "",
             f"What makes your agreement valid ({_clause(clause['clause'])}): {clause['text']}", "",
             "You can withdraw your agreement at any time, and we will stop sharing under it from that day.", "",
             "Signed: ____________________", "Date: ____________________", "",
             f"Generated from the confidentiality policy of {org}, version {pack.version}: these are the rules "
             "Confide enforces."]
    return Form(GENERIC_DOCUMENT, f"Agreement to share information: {org}", "\n".join(lines) + "\n", False)


def _clause(clause: str) -> str:
    return f"clause {clause}" if clause[:1].isdigit() else clause


def do_store_wording(pack, form: Form) -> FormWording:
    """The stored version of this form's wording: the same text is always the same version; a
    changed pack makes a new version, and versions already agreed to never change."""
    digest = hashlib.sha256(form.text.encode()).hexdigest()
    found = FormWording.objects.filter(pack=pack.name, document=form.document, digest=digest).first()
    if found is not None:
        return found
    for _attempt in range(3):
        try:
            with transaction.atomic():
                last = FormWording.objects.filter(pack=pack.name, document=form.document).aggregate(v=Max("version"))["v"]
                wording = FormWording.objects.create(pack=pack.name, pack_version=pack.version, document=form.document,
                                                     version=(last or 0) + 1, title=form.title, text=form.text,
                                                     digest=digest)
                record_event(None, Action.CONSENT_FORM_VERSION_CREATED, object_type="form_wording", object_id=wording.pk,
                             detail={"pack": pack.name, "document": form.document, "version": wording.version})
                return wording
        except IntegrityError:  # someone else stored the same text or took the number first
            found = FormWording.objects.filter(pack=pack.name, document=form.document, digest=digest).first()
            if found is not None:
                return found
    raise RuntimeError("could not store the form's wording")


def scope_text(organisation: str, *, recipients: list[str], agency_names: list[str], data: list[str],
               purposes: list[str], expires_on: dt.date | None) -> str:
    """The scope of a consent as it is put to the person, in words, kept with the consent."""
    to = [*agency_names, *(vocab.label(kind) for kind in recipients)]
    ends = (f"This agreement ends on {expires_on:%-d %B %Y}" if expires_on else "This agreement has no end date") + \
        "; you can withdraw it sooner at any time."
    return (f"I agree that {organisation} may share {_and([CATEGORY_LABELS.get(d, d).lower() for d in data])} "
            f"with {_and(to)}, for {_and([vocab.label(p) for p in purposes])}. {ends}")


def _and(words: list[str]) -> str:
    words = [w for w in words if w]
    return words[0] if len(words) == 1 else ", ".join(words[:-1]) + " and " + words[-1] if words else "nobody"


@dataclass
class Given:
    """What the worker records about a consent."""

    recipients: list[str]
    agencies: list  # partners.Agency
    data: list[str]
    purposes: list[str]
    how: str
    has_capacity: bool
    informed: bool
    free_from_duress: bool
    given_on: dt.date
    expires_on: dt.date | None = None
    given_by: str = Consent.GivenBy.CLIENT
    given_by_name: str = ""
    form_file: tuple[str, str, bytes] | None = None  # filename, content type, bytes of the signed form


def _check(pack, given: Given, form: Form, today: dt.date) -> None:
    vocab_words = pack.spec.vocab
    if not given.recipients and not given.agencies:
        raise ConsentError("say to whom the person agreed information may go", field="recipients")
    unknown = set(given.recipients) - vocab_words["recipient_kinds"]
    if unknown:
        raise ConsentError(f"not kinds of recipient Confide knows: {', '.join(sorted(unknown))}", field="recipients")
    if not given.data:
        raise ConsentError("say which information the person agreed may be shared", field="data")
    unknown = set(given.data) - set(CATEGORY_LABELS)
    if unknown:
        raise ConsentError(f"unknown kinds of information: {', '.join(sorted(unknown))}", field="data")
    if not given.purposes:
        raise ConsentError("say what the person agreed it may be shared for", field="purposes")
    unknown = set(given.purposes) - vocab_words["purposes"]
    if unknown:
        raise ConsentError(f"unknown purposes: {', '.join(sorted(unknown))}", field="purposes")
    if given.how not in Consent.How.values:
        raise ConsentError("say whether the consent was given in writing or verbally", field="how")
    if given.given_by not in Consent.GivenBy.values:
        raise ConsentError("say who gave the consent", field="given_by")
    if given.given_by != Consent.GivenBy.CLIENT and not given.given_by_name.strip():
        raise ConsentError("give the name of the parent or guardian who gave consent", field="given_by_name")
    if not (given.has_capacity and given.informed and given.free_from_duress):
        # JustUs 5.2-5.3 (and every pack's consent clause): consent is valid only if the person had
        # capacity, had enough information to decide, and was under no duress.
        clause = pack.spec.consent
        raise ConsentError(f"consent can only be recorded as given when the person had capacity to decide, "
                           f"enough information, and no pressure to agree ({_clause(clause['clause'])})",
                           field="has_capacity", code="consent_not_valid")
    if given.given_on > today:
        raise ConsentError("the date consent was given cannot be in the future", field="given_on")
    if given.expires_on is not None and given.expires_on <= given.given_on:
        raise ConsentError("the end date must be after the date consent was given", field="expires_on")
    if form.expiry and given.expires_on is None:
        raise ConsentError(f"this form ({form.title}) has an expiry date: fill it in", field="expires_on")
    if given.form_file is not None and given.how != Consent.How.WRITTEN:
        raise ConsentError("a signed form goes with consent given in writing", field="form_file")


def _same_scope(a: Consent, given: Given, agency_ids: set[int]) -> bool:
    return (set(a.recipients) == set(given.recipients) and set(a.data) == set(given.data)
            and set(a.purposes) == set(given.purposes)
            and {ag.pk for ag in a.agencies.all()} == agency_ids)


def do_record_consent(user, pack, organisation: str, client, case_service: str | None, given: Given) -> Consent:
    """Record a consent in the exact wording the person was shown; an earlier consent of the same
    scope still in force is superseded by it."""
    today = timezone.localdate()
    form = consent_form(pack, client.subject_role, case_service, organisation)
    _check(pack, given, form, today)
    wording = do_store_wording(pack, form)
    with transaction.atomic(durable=True):
        consent = Consent(client=client, given_by=given.given_by, recipients=sorted(set(given.recipients)),
                          data=sorted(set(given.data)), purposes=sorted(set(given.purposes)), how=given.how,
                          has_capacity=True, informed=True, free_from_duress=True, given_on=given.given_on,
                          expires_on=given.expires_on, wording=wording, recorded_by=user,
                          scope_text=scope_text(organisation, recipients=sorted(set(given.recipients)),
                                                agency_names=[a.name for a in given.agencies],
                                                data=sorted(set(given.data)), purposes=sorted(set(given.purposes)),
                                                expires_on=given.expires_on))
        if given.given_by_name.strip():
            consent.given_by_name = given.given_by_name.strip()
        if given.form_file is not None:
            filename, content_type, content = given.form_file
            if not content:
                raise ConsentError("the file is empty", field="form_file")
            consent.form_filename, consent.form_content = filename, content
            consent.form_content_type = content_type
            consent.form_size = len(content)
        consent.save()
        consent.agencies.set(given.agencies)
        if wording.frozen_at is None:
            FormWording.objects.filter(pk=wording.pk, frozen_at__isnull=True).update(frozen_at=timezone.now())
        agency_ids = {a.pk for a in given.agencies}
        older = [c for c in Consent.objects.filter(client=client, superseded_by__isnull=True, withdrawn_on__isnull=True)
                 .exclude(pk=consent.pk).prefetch_related("agencies") if _same_scope(c, given, agency_ids)]
        Consent.objects.filter(pk__in=[c.pk for c in older]).update(superseded_by=consent)
        # JustUs 5.4: reminded regularly of the right to withdraw, at the pack's interval; a
        # consent replaced by this one needs no more reminders.
        do_close_reminders(user, older, "The consent was replaced by a newer one: no reminder is needed.")
        reminder = do_schedule_reminder(user, pack, consent, user.pk, given.given_on)
        if form.copy_to_signer:
            # DVIP Appendix B: "Always give a copy to the person signing this form."
            new_task(by=user.pk, kind="give_copy_of_consent_form", title=TITLES["give_copy_of_consent_form"],
                     clause=pack.documents[form.document]["clause"], client=client, assigned_to=user)
        record_event(user, Action.CONSENT_RECORDED, object_type="consent", object_id=consent.pk, client_id=client.pk,
                     detail={"recipients": consent.recipients, "agencies": sorted(agency_ids), "data": consent.data,
                             "purposes": consent.purposes, "how": consent.how, "given_by": consent.given_by,
                             "form": f"{wording.document} v{wording.version}", "signed_form": given.form_file is not None,
                             "expires_on": str(given.expires_on or ""), "supersedes": [c.pk for c in older],
                             "copy_task": form.copy_to_signer, "reminder_task": reminder.pk if reminder else None,
                             "role": user.role})
    return consent


def do_withdraw_consent(user, consent: Consent, on: dt.date) -> list[Disclosure]:
    """Record that consent was withdrawn (JustUs 5.4); every disclosure waiting on it stops, and
    its secure links stop working. Returns the disclosures stopped. The consent is read again, its
    row locked, before the check: two withdrawals at once cannot both pass it."""
    if on > timezone.localdate():
        raise ConsentError("the date of withdrawal cannot be in the future", field="withdrawn_on")
    with transaction.atomic(durable=True):
        locked = Consent.objects.select_for_update().get(pk=consent.pk)
        if locked.withdrawn_on is not None:
            raise ConsentError("this consent has already been withdrawn", code="already_withdrawn", status=409)
        if on < locked.given_on:
            raise ConsentError("the date of withdrawal cannot be before consent was given", field="withdrawn_on")
        consent.withdrawn_on = on
        consent.withdrawn_recorded_by = user
        consent.save(update_fields=["withdrawn_on", "withdrawn_recorded_by"])
        record_event(user, Action.CONSENT_WITHDRAWN, object_type="consent", object_id=consent.pk,
                     client_id=consent.client_id, detail={"withdrawn_on": str(on), "role": user.role})
        do_close_reminders(user, [consent], "The consent was withdrawn: no reminder is needed.")
        return do_stop_disclosures(user, Disclosure.objects.filter(consent=consent), "consent_withdrawn")


def given_by_name(consent: Consent) -> str:
    return consent.given_by_name


def signed_form(consent: Consent) -> tuple[str, str, bytes] | None:
    """The signed form (name, content type, bytes); None if there is none, or it can no longer be read."""
    if consent.form_content is None:
        return None
    return consent.form_filename, consent.form_content_type, consent.form_content


@dataclass(frozen=True)
class ConsentFound:
    """The consent a disclosure can rely on, if any, and what to tell the engine about it."""

    consent: Consent | None
    contract: dict


def consent_for(client, *, recipient_kind: str, agency_id: int | None, data: set[str], purpose: str,
                on: dt.date | None = None) -> ConsentFound:
    """The client's consent that covers this recipient, this data and this purpose on this day.
    Where none is in force, the nearest one, so the engine's reasons say what is missing (withdrawn,
    expired, or not covering the recipient or the data)."""
    on = on or timezone.localdate()
    best: tuple[int, Consent, dict] | None = None
    for consent in Consent.objects.filter(client=client).prefetch_related("agencies"):
        covers_recipient = recipient_kind in consent.recipients or (
            agency_id is not None and agency_id in {a.pk for a in consent.agencies.all()})
        covers_data = data <= set(consent.data) and purpose in consent.purposes
        status = consent.status(on)
        contract = {"status": status, "explicit": True, "written": consent.how == Consent.How.WRITTEN,
                    "covers_recipient": covers_recipient, "covers_data": covers_data}
        # Prefer a consent in force, then one that covers more, then the newest.
        score = (status == "given") * 4 + covers_recipient * 2 + covers_data
        if best is None or score > best[0]:
            best = (score, consent, contract)
    if best is None:
        return ConsentFound(None, {"status": "not_sought"})
    _, consent, contract = best
    relied = consent if contract["status"] == "given" and contract["covers_recipient"] and contract["covers_data"] \
        else None
    return ConsentFound(relied, contract)


def expiring_soon(client_ids, days: int = EXPIRING_DAYS) -> list[Consent]:
    """Consents in force for these clients that end within `days` days, soonest first."""
    today = timezone.localdate()
    return list(Consent.objects.filter(client_id__in=client_ids, withdrawn_on__isnull=True, superseded_by__isnull=True,
                                       expires_on__gte=today, expires_on__lte=today + dt.timedelta(days=days))
                .order_by("expires_on", "id"))

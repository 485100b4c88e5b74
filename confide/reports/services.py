"""Every change the reports app makes (issue 17): one do_* function each, in one transaction with its
audit event.

- do_draft_report: the figures for a period counted and protected (figures.protected) and stored as a
  draft: only the published tables, what each is about, and why each hidden number is hidden.
- do_release_report: a named manager or data controller (vocab.MANAGER_KINDS), their identity confirmed
  again as for any release (confide.sharing.disclosure.do_confirm_identity), reviews and releases it.
  The released tables are frozen: a later change in the cases changes nothing in them, and their
  SHA-256 is in the audit chain, so any later edit is found.
- Case studies (Home-Start 3.3 and 7.5; DVIP's research appendix): drafted from a case the drafter may
  work on, made anonymous as drafted with the subject-access redaction proposer (every proposal
  applied, the client's own name among them); the client's consent recorded; reviewed by a second
  person who did not draft it; then released.

Audit details hold numbers, codes and hashes only: never a count, a name or a word of a case study.
"""

from __future__ import annotations

import datetime as dt
import hashlib
import json

from django.db import transaction
from django.utils import timezone

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.errors import ConfideError
from confide.policy.vocab import MANAGER_KINDS
from confide.reports import figures
from confide.reports.models import MINIMUM_THRESHOLD, CaseStudy, Report, ReportSettings

MAX_TITLE = 120
MAX_TEXT = 20_000


class ReportError(ConfideError):
    """A report or case study step refused: who may not, a period that cannot be reported, a step out of order."""

    code = "report_refused"


def _may_prepare(user) -> None:
    if user is None or not getattr(user, "is_active", False) or user.role_kind not in MANAGER_KINDS:
        raise ReportError("Only a manager or the data controller may do this.", code="not_allowed", status=403)


def tables_digest(tables: list) -> str:
    return hashlib.sha256(json.dumps(tables, sort_keys=True, ensure_ascii=False).encode()).hexdigest()


# --- settings --------------------------------------------------------------------------------------

def do_set_threshold(user, threshold: int) -> ReportSettings:
    """The organisation's smallest number shown: at least MINIMUM_THRESHOLD, never lower."""
    _may_prepare(user)
    if not isinstance(threshold, int) or threshold < MINIMUM_THRESHOLD or threshold > 99:
        raise ReportError(f"Choose a number from {MINIMUM_THRESHOLD} to 99: counts up to it are hidden.",
                          field="threshold")
    with transaction.atomic():
        settings = ReportSettings.current()
        settings.threshold = threshold
        settings.save()
        record_event(user, Action.REPORT_SETTINGS_CHANGED, object_type="report_settings", object_id=1,
                     detail={"threshold": threshold})
    return settings


# --- reports ---------------------------------------------------------------------------------------

def period_label(kind: str, start: dt.date, end: dt.date) -> str:
    words = f"{figures._day(start)} to {figures._day(end)}"
    if kind == Report.Kind.QUARTER:
        q = figures.quarter_of(start)
        return f"Quarter {q[-1]} of {start.year} ({words})"
    if kind == Report.Kind.YEAR:
        return f"Year {words}"
    return f"Period {words}"


def do_draft_report(user, kind: str, start: dt.date, end: dt.date) -> Report:
    """Count and protect the figures for a period and keep them as a draft for review."""
    _may_prepare(user)
    if kind not in Report.Kind.values:
        raise ReportError("Choose a quarter, a year or a period of your own.", field="kind")
    if kind == Report.Kind.QUARTER:
        start, end = figures.parse_quarter(figures.quarter_of(start))
    elif kind == Report.Kind.YEAR:
        end = figures._shift_year(start, 1) - dt.timedelta(days=1)
    if start > timezone.localdate():
        raise ReportError("That period has not started yet.", field="start")
    settings = ReportSettings.current()
    try:
        released = Report.objects.filter(status=Report.Status.RELEASED, threshold=settings.threshold,
                                         base=settings.base).order_by("-released_at", "-id")
        made = figures.protected(kind, start, end, threshold=settings.threshold, base=settings.base,
                                 year_starts=settings.year_starts, released=released)
    except figures.PeriodError as exc:
        raise ReportError(str(exc).removeprefix("--quarter: "), field="start") from None
    from confide.reports.sdc import as_dict

    with transaction.atomic():
        report = Report.objects.create(
            kind=kind, label=period_label(kind, start, end), starts_on=start, ends_on=end,
            threshold=settings.threshold, base=settings.base, drafted_by=user,
            tables=[as_dict(t) for t in made.published], about=made.about,
            reasons=[figures.reasons_of(t) for t in made.published])
        record_event(user, Action.REPORT_DRAFTED, object_type="report", object_id=report.pk,
                     detail={"report": report.pk, "kind": kind, "starts_on": start.isoformat(),
                             "ends_on": end.isoformat(), "threshold": settings.threshold,
                             "tables": len(report.tables)})
    return report


def _policy_permits(data: str, *, consent: str = "not_sought", purpose: str = "statistics") -> list[str]:
    """The clauses under which the policy lets this go, anonymised, to the trustees; refused if it does not."""
    from confide.reports.access import clauses_of, release_decision

    decision = release_decision(data, consent=consent, purpose=purpose)
    if decision.get("decision") != "permit":
        raise ReportError("The organisation's policy does not say that anonymised figures may go to the "
                          "trustees, so nothing can be released.", code="policy_denies", status=403)
    return clauses_of(decision)


def do_release_report(user, report_id, secret: str | None = None, *, command_line: bool = False) -> Report:
    """Release a draft: a named manager or data controller, their identity confirmed (or, from the
    command line, run by whoever operates the server), reviews it; the policy is asked whether
    anonymised figures may go to the trustees; the tables are frozen as they stand and their SHA-256
    recorded in the audit chain with the policy's clauses."""
    from confide.sharing.disclosure import IdentityNotConfirmed, do_confirm_identity

    _may_prepare(user)
    _draft(report_id)  # refused before a password is asked for
    clauses = _policy_permits("statistics")
    if command_line:
        confirmed_with = "command_line"
    else:
        try:
            confirmed_with = do_confirm_identity(user, secret or "")
        except IdentityNotConfirmed as exc:
            raise ReportError(str(exc), field="secret", code=exc.code, status=exc.status) from None
    with transaction.atomic():
        report = _draft(report_id, lock=True)
        report.status = Report.Status.RELEASED
        report.released_by, report.released_at = user, timezone.now()
        report.released_role, report.confirmed_with = user.role, confirmed_with
        report.sha256 = tables_digest(report.tables)
        report.save(update_fields=["status", "released_by", "released_at", "released_role", "confirmed_with",
                                   "sha256"])
        record_event(user, Action.REPORT_RELEASED, object_type="report", object_id=report.pk,
                     detail={"report": report.pk, "sha256": report.sha256, "confirmed_with": confirmed_with,
                             "role": user.role, "clauses": clauses})
    return report


def _draft(report_id, *, lock: bool = False) -> Report:
    try:
        number = int(report_id)
    except (TypeError, ValueError):
        raise ReportError(f"There is no report {report_id!r}.", field="report", status=404) from None
    rows = Report.objects.select_for_update() if lock else Report.objects
    report = rows.filter(pk=number).first()
    if report is None:
        raise ReportError(f"There is no report number {number}.", field="report", status=404)
    if report.status != Report.Status.DRAFT:
        raise ReportError(f"Report {number} was already released; a released report never changes.",
                          field="report", status=409)
    return report


# --- case studies ----------------------------------------------------------------------------------

def anonymise(text: str, client, people) -> tuple[str, list[str]]:
    """The text with every detail the subject-access proposer finds taken out (the client's own name
    too: here it is the first thing to go), each replaced by what it was: "[name]", "[phone]"."""
    from confide.subject_access.compile import known_of
    from confide.subject_access.redaction import Known, propose

    around = known_of(client, people)
    own = [n for n in [client.display_name] if n and n.strip()]
    known = Known(names=[*around.names, *own], phones=around.phones, addresses=around.addresses,
                  emails=around.emails, client_names=())
    out, taken, last = [], [], 0
    for p in propose(text, known):
        out.append(text[last:p.start])
        out.append(f"[{p.what.replace('_', ' ')}]")
        taken.append(p.what)
        last = p.end
    out.append(text[last:])
    return "".join(out), taken


def do_draft_case_study(user, case_id, title: str, text: str) -> CaseStudy:
    """A case study drafted from a case the drafter may work on (the records gate decides), anonymised
    before it is kept: the words as written are never stored."""
    from confide.records.access import access_client
    from confide.records.models import Case

    title, text = (title or "").strip(), (text or "").strip()
    if not title:
        raise ReportError("Give the case study a title, with no name in it.", field="title")
    if len(title) > MAX_TITLE:
        raise ReportError(f"Keep the title to {MAX_TITLE} characters.", field="title")
    if not text:
        raise ReportError("Write the case study.", field="text")
    if len(text) > MAX_TEXT:
        raise ReportError(f"Keep a case study to {MAX_TEXT:,} characters.", field="text")
    try:
        case_pk = int(case_id)
    except (TypeError, ValueError):
        raise ReportError("Enter the case's number in figures.", field="case") from None
    client_id = Case.objects.filter(pk=case_pk).values_list("client_id", flat=True).first()
    from django.http import Http404

    try:
        if client_id is None:
            raise Http404
        grant = access_client(user, client_id, "direct_support")
    except Http404:
        raise ReportError(f"There is no case number {case_pk} that you work on.", field="case", status=404) from None
    if case_pk not in {c.pk for c in grant.cases}:
        raise ReportError(f"There is no case number {case_pk} that you work on.", field="case", status=404)
    people = list(grant.client.people.all())
    clean_title, title_taken = anonymise(title, grant.client, people)
    clean_text, taken = anonymise(text, grant.client, people)
    with transaction.atomic():
        study = CaseStudy.objects.create(title=clean_title, text=clean_text, redactions=title_taken + taken,
                                         case_number=case_pk, drafted_by=user)
        record_event(user, Action.CASE_STUDY_DRAFTED, object_type="case_study", object_id=study.pk,
                     client_id=client_id, detail={"case_study": study.pk, "case": case_pk,
                                                  "redactions": len(study.redactions)})
    return study


def _study(study_id, *, lock: bool = False) -> CaseStudy:
    try:
        number = int(study_id)
    except (TypeError, ValueError):
        raise ReportError(f"There is no case study {study_id!r}.", field="case_study", status=404) from None
    rows = CaseStudy.objects.select_for_update() if lock else CaseStudy.objects
    study = rows.filter(pk=number).first()
    if study is None:
        raise ReportError(f"There is no case study number {number}.", field="case_study", status=404)
    if study.status == CaseStudy.Status.RELEASED:
        raise ReportError("That case study was already released; it no longer changes.", field="case_study",
                          status=409)
    return study


def do_record_case_study_consent(user, study_id, consent_on: dt.date, how: str) -> CaseStudy:
    """The client's consent to this case study being used, when and how it was given. Recorded by
    the drafter or a manager."""
    if how not in CaseStudy.ConsentHow.values:
        raise ReportError("Say how the client gave their consent.", field="how")
    if not isinstance(consent_on, dt.date) or consent_on > timezone.localdate():
        raise ReportError("Give the day the client consented: today or earlier.", field="consent_on")
    with transaction.atomic():
        study = _study(study_id, lock=True)
        if user.pk != study.drafted_by_id and user.role_kind not in MANAGER_KINDS:
            raise ReportError("Only the person who drafted it or a manager may record consent.",
                              code="not_allowed", status=403)
        study.consent_on, study.consent_how, study.consent_recorded_by = consent_on, how, user
        study.save(update_fields=["consent_on", "consent_how", "consent_recorded_by"])
        record_event(user, Action.CASE_STUDY_CONSENT_RECORDED, object_type="case_study", object_id=study.pk,
                     detail={"case_study": study.pk, "how": how, "consent_on": consent_on.isoformat()})
    return study


def do_review_case_study(user, study_id, approve: bool, note: str = "") -> CaseStudy:
    """The second person's review: a manager or the data controller who did not draft it reads the
    anonymised text and passes it for release or sends it back."""
    _may_prepare(user)
    note = (note or "").strip()
    if not approve and not note:
        raise ReportError("Say what needs changing before it can be released.", field="note")
    if len(note) > 2000:
        raise ReportError("Keep the note to 2,000 characters.", field="note")
    with transaction.atomic():
        study = _study(study_id, lock=True)
        if study.drafted_by_id == user.pk:
            raise ReportError("A second person reviews a case study: not the person who drafted it.",
                              field="case_study", code="same_person", status=409)
        if study.status == CaseStudy.Status.SENT_BACK:
            raise ReportError("This case study was sent back: it is drafted again, as a new case study with the "
                              "changes asked for, and that one is reviewed.", field="case_study", code="sent_back",
                              status=409)
        study.reviewed_by, study.reviewed_at, study.review_note = user, timezone.now(), note
        study.status = CaseStudy.Status.REVIEWED if approve else CaseStudy.Status.SENT_BACK
        study.save(update_fields=["reviewed_by", "reviewed_at", "review_note", "status"])
        record_event(user, Action.CASE_STUDY_REVIEWED, object_type="case_study", object_id=study.pk,
                     detail={"case_study": study.pk, "approved": bool(approve)})
    return study


def do_release_case_study(user, study_id) -> CaseStudy:
    """Release a case study the client consented to and a second person passed."""
    _may_prepare(user)
    clauses = _policy_permits("case_study", consent="given", purpose="research")
    with transaction.atomic():
        study = _study(study_id, lock=True)
        if study.consent_on is None:
            raise ReportError("Record the client's consent before the case study is released.",
                              field="case_study", code="needs_consent", status=409)
        if study.status != CaseStudy.Status.REVIEWED or study.reviewed_by_id in (None, study.drafted_by_id):
            raise ReportError("A second person must review and pass the case study before it is released.",
                              field="case_study", code="needs_review", status=409)
        study.status, study.released_by, study.released_at = CaseStudy.Status.RELEASED, user, timezone.now()
        study.save(update_fields=["status", "released_by", "released_at"])
        digest = hashlib.sha256(f"{study.title}\n{study.text}".encode()).hexdigest()
        record_event(user, Action.CASE_STUDY_RELEASED, object_type="case_study", object_id=study.pk,
                     detail={"case_study": study.pk, "sha256": digest, "clauses": clauses})
    return study

"""Who may see what of the reports app (issue 17): each read recorded in the audit chain, and "missing"
and "not allowed" answered alike (Http404), so a number in an address tells nobody anything.

- Trustees (vocab.NAMELESS_KINDS), and funders through them, see released reports and released case
  studies only: published tables, charts, the PDF and the CSV. Nothing else of the app reaches them:
  no draft, no reason a number is hidden, no case study before release.
- Managers and the data controller (vocab.MANAGER_KINDS) draft, review and release: they see drafts
  too, with the reason each hidden number is hidden (never a count behind it).
- A case study's drafter sees their own draft, to record the client's consent.
No client's data is read here: a report holds only aggregates, a case study only anonymised text.
"""

from __future__ import annotations

from django.http import Http404

from confide.audit.actions import Action
from confide.audit.services import record_event
from confide.ids import record_id
from confide.policy import vocab
from confide.reports.models import CaseStudy, Report

READER_KINDS = vocab.NAMELESS_KINDS | vocab.MANAGER_KINDS | vocab.AUDITOR_KINDS


def release_decision(data: str, *, consent: str = "not_sought", purpose: str = "statistics") -> dict:
    """The policy engine's answer to "may this, anonymised, go to the trustees?" (DVIP Appendix B,
    Home-Start 7.5, JustUs 2.3.2): asked at every release, its clauses recorded with it. A pack that
    does not say so refuses the release: nothing fails open."""
    from confide.accounts.models import current_policy
    from confide.policy import PolicyError

    request = {"action": "disclose", "subject": {"role": "service_user"}, "data": [data],
               "recipient": {"kind": "trustees"}, "purpose": purpose, "anonymised": True,
               "consent": {"status": consent}}
    try:
        return current_policy().decide(request)
    except PolicyError:
        return {"decision": "deny", "reasons": []}


def clauses_of(decision: dict) -> list[str]:
    return [str(r.get("clause")) for r in decision.get("reasons", []) if r.get("clause")]


def may_prepare(user) -> bool:
    return getattr(user, "role_kind", "") in vocab.MANAGER_KINDS


def may_read(user) -> bool:
    return getattr(user, "role_kind", "") in READER_KINDS


def may_draft_case_study(user) -> bool:
    return getattr(user, "role_kind", "") in (vocab.CASEWORK_KINDS | vocab.MANAGER_KINDS)


def list_reports(user) -> list[Report]:
    """The reports this person may open: released ones for readers, drafts as well for preparers."""
    if not (may_read(user) or may_prepare(user)):
        return []
    rows = Report.objects.select_related("released_by", "drafted_by")
    if not may_prepare(user):
        rows = rows.filter(status=Report.Status.RELEASED)
    found = list(rows[:200])
    record_event(user, Action.REPORTS_LISTED, object_type="report",
                 detail={"role": user.role, "reports": [r.pk for r in found]})
    return found


def newest_released_report(user) -> Report | None:
    """The newest released report, for a reader's home page: its label and when it was released (no
    figure is read here; opening it is `access_report`, recorded)."""
    if not may_read(user):
        return None
    return Report.objects.filter(status=Report.Status.RELEASED).order_by("-released_at", "-id").first()


def access_report(user, report_id, *, download: str = "") -> Report:
    """One report, to view (or, with `download` "pdf" or "csv", to download)."""
    pk = record_id(report_id)
    report = Report.objects.select_related("released_by", "drafted_by").filter(pk=pk).first()
    allowed = report is not None and (
        may_prepare(user) or (may_read(user) and report.status == Report.Status.RELEASED))
    if not allowed:
        record_event(user, Action.REPORT_READ_REFUSED, object_type="report", object_id=pk,
                     detail={"reason": "not_found" if report is None else "not_allowed", "role": user.role})
        raise Http404
    action = Action.REPORT_DOWNLOADED if download else Action.REPORT_READ
    record_event(user, action, object_type="report", object_id=pk,
                 detail={"role": user.role, "status": report.status, **({"as": download} if download else {})})
    return report


def list_case_studies(user) -> list[CaseStudy]:
    if may_prepare(user):
        rows = CaseStudy.objects.all()
    elif may_read(user):
        rows = CaseStudy.objects.filter(status=CaseStudy.Status.RELEASED)
    elif may_draft_case_study(user):
        rows = CaseStudy.objects.filter(drafted_by=user)
    else:
        return []
    return list(rows.select_related("drafted_by", "reviewed_by")[:200])


def access_case_study(user, study_id) -> CaseStudy:
    """One case study: released ones to readers; every one to managers; a draft to its drafter."""
    pk = record_id(study_id)
    study = CaseStudy.objects.select_related("drafted_by", "reviewed_by", "released_by").filter(pk=pk).first()
    allowed = study is not None and (
        may_prepare(user) or (may_read(user) and study.status == CaseStudy.Status.RELEASED)
        or study.drafted_by_id == user.pk)
    if not allowed:
        record_event(user, Action.CASE_STUDY_READ_REFUSED, object_type="case_study", object_id=pk,
                     detail={"reason": "not_found" if study is None else "not_allowed", "role": user.role})
        raise Http404
    record_event(user, Action.CASE_STUDY_READ, object_type="case_study", object_id=pk,
                 detail={"role": user.role, "status": study.status})
    return study


def figures_for_command(kind: str, start, end):
    """The figures for a period as they would be published, for the command line: run by whoever
    operates the server, recorded with no person behind it. Aggregates only (figures.protected)."""
    from confide.reports import figures, sdc
    from confide.reports.models import ReportSettings

    settings = ReportSettings.current()
    released = Report.objects.filter(status=Report.Status.RELEASED, threshold=settings.threshold,
                                     base=settings.base).order_by("-released_at", "-id")
    same = released.filter(kind=kind, starts_on=start, ends_on=end).first()
    if same is not None:
        # Released already: its frozen tables, never a recount that could be set beside them.
        made = figures.Protected([sdc.from_dict(t) for t in same.tables], same.about)
    else:
        made = figures.protected(kind, start, end, threshold=settings.threshold, base=settings.base,
                                 year_starts=settings.year_starts, released=released)
    record_event(None, Action.REPORT_READ, object_type="report",
                 detail={"by": "command_line", "kind": kind, "starts_on": start.isoformat(),
                         "ends_on": end.isoformat(), "released": same.pk if same is not None else None})
    return made

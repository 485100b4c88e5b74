"""A report, or a released case study, as a PDF for a committee's papers (DVIP 10.02): "Private and
confidential" at the head of the first page and at the foot of every page; laid out by confide.pdf
(WeasyPrint) from templates/pdf/report.html, with the same tables and charts as the page."""

from __future__ import annotations

from confide.pdf import render_pdf
from confide.reports.display import sections

MARKING = "Private and confidential"


def render_report(report) -> bytes:
    draft = report.status != report.Status.RELEASED
    return render_pdf("pdf/report.html", {
        "report": report, "sections": sections(report), "marking": MARKING, "draft": draft,
        "footer": f"{MARKING}. {report.label}{' (DRAFT: not released)' if draft else ''}",
    }, title=f"Report: {report.label}")


def report_filename(report) -> str:
    return f"report-{report.starts_on.isoformat()}-to-{report.ends_on.isoformat()}.pdf"


def render_case_study(study) -> bytes:
    return render_pdf("pdf/case_study.html", {
        "study": study, "marking": MARKING, "footer": f"{MARKING}. Case study {study.pk}",
    }, title=f"Case study {study.pk}")

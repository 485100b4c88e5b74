"""Staff and governance: one page that leads to what the policy asks of the people who hold the
records (issue 16) and the figures for trustees (issue 17). It lists only the pages this person may
open: each app's own gate decides, and this page asks the same questions."""

from __future__ import annotations

from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from confide.breaches import access as breach_access
from confide.complaints import access as complaint_access
from confide.policy import vocab
from confide.reports import access as report_access
from confide.staffing import access as staffing_access
from confide.web import clearance_views


def links_for(user) -> list[dict]:
    """The governance pages this person may open, each with a line saying what it is for."""
    links = [{"url": reverse("clearance:mine"), "text": "Your declarations",
              "why": "What the policy asks you to sign before you open clients' files, and what you have signed."}]
    if clearance_views.may_manage(user):
        links.append({"url": reverse("clearance:register"), "text": "Declarations, induction and training",
                      "why": "Who has signed what, whose induction is recorded, and whose training is due."})
    if staffing_access.may_list(user):
        links.append({"url": reverse("staffing:files"), "text": "Personnel files",
                      "why": "Files about staff and volunteers, read by their line manager; medical sections sealed."})
    if getattr(user, "role_kind", "") not in vocab.NAMELESS_KINDS:
        links.append({"url": reverse("staffing:contact_requests"), "text": "Requests for contact details",
                      "why": "Someone asks for a worker's home address or phone: it goes to the worker through "
                             "their line manager."})
    if staffing_access.reads_applications(user):
        links.append({"url": reverse("staffing:applicants"), "text": "Applications for posts",
                      "why": "Applicants' papers; an unsuccessful application keeps only what the policy names."})
        links.append({"url": reverse("staffing:monitoring_counts"), "text": "Equal opportunities monitoring",
                      "why": "Counts only, kept apart from personnel files and never shown per person."})
    if breach_access.may_record(user):
        links.append({"url": reverse("breaches:list"), "text": "Breach register",
                      "why": "Personal data breaches, the ICO's 72-hour clock, and who is told."})
    if complaint_access.handles_complaints(user):
        links.append({"url": reverse("complaints:list"), "text": "Complaints about data protection",
                      "why": "Each complaint acknowledged within 30 days and answered with an outcome."})
    if report_access.may_read(user) or report_access.may_prepare(user):
        links.append({"url": reverse("reports:list"), "text": "Reports for trustees and funders",
                      "why": "Figures with small numbers hidden, released by a named person; case studies."})
    return links


@require_GET
def governance(request):
    return render(request, "web/governance.html", {"links": links_for(request.user)})

"""Reports for trustees and funders (issue 17): the list of reports and case studies, one report with its
charts and tables, its PDF and CSV, and case studies from draft to release. Thin: who may see what is
confide.reports.access's, every change one do_* function of confide.reports.services, whose refusals
are shown beside the field they name. These pages read only reports and case studies, which hold
aggregates and anonymised text: never a client's record."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import Http404
from django.shortcuts import redirect, render
from django.urls import reverse
from django.views.decorators.http import require_GET, require_http_methods

from confide.accounts.services import do_end_locked_out, locked_out_message
from confide.reports import access, anonymity, csvout, services
from confide.reports import pdf as pdfs
from confide.reports.display import sections
from confide.reports.models import MINIMUM_THRESHOLD, CaseStudy, Report, ReportSettings
from confide.web.downloads import attachment
from confide.web.errors import add_to_form
from confide.web.purposes import bad_request
from confide.web.report_forms import (
    CaseStudyForm,
    ConsentForm,
    DraftReportForm,
    ReleaseReportForm,
    ReleaseStudyForm,
    ReviewForm,
    ThresholdForm,
)


def _name(user) -> str:
    return (user.get_full_name() or user.get_username()) if user is not None else ""


def _gate(request) -> None:
    user = request.user
    if not (access.may_read(user) or access.may_prepare(user) or access.may_draft_case_study(user)):
        raise Http404


def _locked_out(request):
    message = locked_out_message(request.user)
    do_end_locked_out(request.user)
    logout(request)
    return render(request, "accounts/locked_out.html", {"message": message}, status=403)


def _render_list(request, form=None):
    user = request.user
    reports = access.list_reports(user)
    studies = access.list_case_studies(user)
    form = form if form is not None else (DraftReportForm(initial={"kind": "quarter"}) if access.may_prepare(user)
                                         else None)
    return render(request, "reports/list.html", {
        "reports": [{"report": r, "url": reverse("reports:report", args=[r.pk]),
                     "released_by": _name(r.released_by)} for r in reports],
        "studies": [{"study": s, "url": reverse("reports:case_study", args=[s.pk])} for s in studies],
        "form": form, "may_prepare": access.may_prepare(user),
        "may_draft_study": access.may_draft_case_study(user),
    }, status=400 if form is not None and form.is_bound and form.errors else 200)


@require_http_methods(["GET", "POST"])
def report_list(request):
    """The reports this person may open (released ones; drafts too for managers), and, for managers,
    the form that drafts a new one."""
    _gate(request)
    if request.method == "GET":
        return _render_list(request)
    if not access.may_prepare(request.user):
        raise Http404
    form = DraftReportForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            report = services.do_draft_report(request.user, data["kind"], data["starts_on"],
                                              data.get("ends_on") or data["starts_on"])
        except services.ReportError as error:
            add_to_form(form, error)
        else:
            messages.info(request, "The report is drafted. Check every table, then release it.")
            return redirect(reverse("reports:report", args=[report.pk]))
    return _render_list(request, form)


@require_http_methods(["GET", "POST"])
def report_settings(request):
    """The organisation's smallest number shown (never below Confide's floor of 7): a manager's or the
    data controller's to change; it applies to reports drafted from then on."""
    if not access.may_prepare(request.user):
        raise Http404
    current = ReportSettings.current()
    form = ThresholdForm(request.POST or None, initial={"threshold": current.threshold})
    if request.method == "POST" and form.is_valid():
        try:
            services.do_set_threshold(request.user, form.cleaned_data["threshold"])
        except services.ReportError as error:
            add_to_form(form, error)
        else:
            messages.info(request, f"Reports drafted from now on hide counts from 1 to {form.cleaned_data['threshold']}.")
            return redirect(reverse("reports:list"))
    return render(request, "reports/settings.html", {"form": form, "current": current, "floor": MINIMUM_THRESHOLD,
                                                     "list_url": reverse("reports:list")},
                  status=400 if form.is_bound and form.errors else 200)


def _render_report(request, report: Report, form=None):
    preparer = access.may_prepare(request.user)
    draft = report.status == Report.Status.DRAFT
    form = form or (ReleaseReportForm() if preparer and draft else None)
    return render(request, "reports/report.html", {
        "report": report, "sections": sections(report, reasons=preparer and draft), "draft": draft,
        "form": form, "released_by": _name(report.released_by), "drafted_by": _name(report.drafted_by),
        "pdf_url": reverse("reports:report_pdf", args=[report.pk]),
        "csv_url": reverse("reports:report_csv", args=[report.pk]),
        "list_url": reverse("reports:list"),
    }, status=400 if form is not None and form.is_bound and form.errors else 200)


@require_http_methods(["GET", "POST"])
def report(request, report_id: int):
    """One report: its charts and tables as published; for a manager, a draft's reasons and the form
    that releases it."""
    found = access.access_report(request.user, report_id)
    if request.method == "GET":
        return _render_report(request, found)
    if not access.may_prepare(request.user) or found.status != Report.Status.DRAFT:
        return bad_request(request, "That report cannot be changed", "A released report never changes.")
    form = ReleaseReportForm(request.POST)
    if form.is_valid():
        try:
            services.do_release_report(request.user, found.pk, form.cleaned_data["secret"])
        except services.ReportError as error:
            if error.field == "secret":
                request.user.refresh_from_db(fields=["locked_until"])
                if request.user.is_locked_out():
                    return _locked_out(request)
            add_to_form(form, error)
        else:
            messages.info(request, "The report is released. Trustees can now see it, as it stands.")
            return redirect(reverse("reports:report", args=[found.pk]))
    return _render_report(request, found, form)


@require_GET
def report_pdf(request, report_id: int):
    found = access.access_report(request.user, report_id, download="pdf")
    return attachment(pdfs.render_report(found), "application/pdf", pdfs.report_filename(found))


@require_GET
def report_csv(request, report_id: int):
    found = access.access_report(request.user, report_id, download="csv")
    return attachment(csvout.report_csv(found).encode("utf-8-sig"), "text/csv", csvout.csv_filename(found))


# Case studies -------------------------------------------------------------------------------------------

@require_http_methods(["GET", "POST"])
def case_study_new(request):
    """Draft a case study from a case one works on: anonymised as it is saved."""
    if not access.may_draft_case_study(request.user):
        raise Http404
    form = CaseStudyForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            study = services.do_draft_case_study(request.user, data["case"], data["title"], data["text"])
        except services.ReportError as error:
            add_to_form(form, error)
        else:
            messages.info(request, "The case study is saved, anonymised. Check it, then record the client's consent.")
            return redirect(reverse("reports:case_study", args=[study.pk]))
    return render(request, "reports/case_study_new.html", {"form": form, "list_url": reverse("reports:list")},
                  status=400 if form.is_bound and form.errors else 200)


def _steps_open(user, study: CaseStudy) -> dict[str, bool]:
    """Which of the study's steps this person may take now (each shows its form on the page)."""
    open_ = study.status != CaseStudy.Status.RELEASED
    preparer = access.may_prepare(user)
    return {"consent": open_ and (preparer or study.drafted_by_id == user.pk),
            "review": (open_ and preparer and study.drafted_by_id != user.pk
                       and study.status != CaseStudy.Status.SENT_BACK),
            "release": (open_ and preparer and study.status == CaseStudy.Status.REVIEWED
                        and study.consent_on is not None)}


def _render_study(request, study: CaseStudy, **forms):
    user = request.user
    open_ = study.status != CaseStudy.Status.RELEASED
    preparer = access.may_prepare(user)
    steps = _steps_open(user, study)
    may_consent, may_review, may_release = steps["consent"], steps["review"], steps["release"]
    posted = next((f for f in forms.values() if f is not None and f.is_bound), None)
    return render(request, "reports/case_study.html", {
        "study": study, "open": open_, "drafted_by": _name(study.drafted_by), "reviewed_by": _name(study.reviewed_by),
        "released_by": _name(study.released_by), "show_drafting": preparer or study.drafted_by_id == user.pk,
        "redactions": len(study.redactions or []),
        # For the second person: what the drafting could not know to take out (dates, ages, places).
        "hints": anonymity.hints(f"{study.title}\n{study.text}") if may_review else [],
        "consent_form": (forms.get("consent") or ConsentForm(prefix="consent")) if may_consent else None,
        "review_form": (forms.get("review") or ReviewForm(prefix="review")) if may_review else None,
        "release_form": (forms.get("release") or ReleaseStudyForm(prefix="release")) if may_release else None,
        "pdf_url": reverse("reports:case_study_pdf", args=[study.pk]), "list_url": reverse("reports:list"),
    }, status=400 if posted is not None and posted.errors else 200)


@require_http_methods(["GET", "POST"])
def case_study(request, study_id: int):
    study = access.access_case_study(request.user, study_id)
    if request.method == "GET":
        return _render_study(request, study)
    actions = request.POST.getlist("action")
    action = actions[0] if len(actions) == 1 else ""
    forms_by_action = {"consent": (ConsentForm, "consent"), "review": (ReviewForm, "review"),
                       "release": (ReleaseStudyForm, "release")}
    if action not in forms_by_action:
        return bad_request(request, "That is not something to do with this case study",
                           "Go back and choose from the page.")
    if not _steps_open(request.user, study)[action]:
        why = {"consent": "Only the person who drafted it, or a manager, records the client's consent, and only "
                          "before it is released.",
               "review": "The second person who reviews a case study is a manager who did not draft it.",
               "release": "A case study is released by a manager once the client's consent is recorded and a "
                          "second person has passed it."}[action]
        return bad_request(request, "That step is not open to you on this case study now", why)
    form_class, prefix = forms_by_action[action]
    form = form_class(request.POST, prefix=prefix)
    if form.is_valid():
        data = form.cleaned_data
        try:
            if action == "consent":
                services.do_record_case_study_consent(request.user, study.pk, data["consent_on"], data["how"])
                done = "The client's consent is recorded."
            elif action == "review":
                services.do_review_case_study(request.user, study.pk, data["decision"] == "pass", data["note"])
                done = "Your review is recorded."
            else:
                services.do_release_case_study(request.user, study.pk)
                done = "The case study is released."
        except services.ReportError as error:
            add_to_form(form, error)
        else:
            messages.info(request, done)
            return redirect(reverse("reports:case_study", args=[study.pk]))
    study.refresh_from_db()
    return _render_study(request, study, **{prefix: form})


@require_GET
def case_study_pdf(request, study_id: int):
    study = access.access_case_study(request.user, study_id)
    if study.status != CaseStudy.Status.RELEASED:
        raise Http404
    return attachment(pdfs.render_case_study(study), "application/pdf", f"case-study-{study.pk}.pdf")

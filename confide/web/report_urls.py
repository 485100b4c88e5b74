"""Routes for reports and case studies (issue 17), included from confide/urls.py at "reports/"."""

from django.urls import path

from confide.web import report_views

app_name = "reports"

urlpatterns = [
    path("", report_views.report_list, name="list"),
    path("settings/", report_views.report_settings, name="settings"),
    path("<int:report_id>/", report_views.report, name="report"),
    path("<int:report_id>/report.pdf", report_views.report_pdf, name="report_pdf"),
    path("<int:report_id>/report.csv", report_views.report_csv, name="report_csv"),
    path("case-studies/new/", report_views.case_study_new, name="case_study_new"),
    path("case-studies/<int:study_id>/", report_views.case_study, name="case_study"),
    path("case-studies/<int:study_id>/case-study.pdf", report_views.case_study_pdf, name="case_study_pdf"),
]

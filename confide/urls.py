from django.urls import include, path

urlpatterns = [
    path("", include("confide.web.urls")),
    path("account/", include("confide.accounts.urls")),
    path("partners/", include("confide.partners.urls")),
    path("staff-records/", include("confide.web.staffing_urls")),
    path("declarations/", include("confide.web.clearance_urls")),
    path("breaches/", include("confide.web.breach_urls")),
    path("complaints/", include("confide.web.complaint_urls")),
    path("reports/", include("confide.web.report_urls")),
]

handler400 = "confide.web.errors.bad_request"
handler403 = "confide.web.errors.forbidden"
handler404 = "confide.web.errors.not_found"
handler500 = "confide.web.errors.server_error"

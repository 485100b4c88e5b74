"""Routes for staff and volunteer records (included from confide/urls.py at staff-records/):
confide/web/staffing_views.py. Ids in addresses are numbers only; a name never is."""

from django.urls import path

from confide.web import staffing_views as views

app_name = "staffing"

urlpatterns = [
    path("", views.files, name="files"),
    path("<int:file_id>/", views.personnel_file, name="file"),
    path("monitoring/", views.monitoring_entry, name="monitoring"),
    path("monitoring/counts/", views.monitoring_counts, name="monitoring_counts"),
    path("applicants/", views.applicants, name="applicants"),
    path("applicants/<int:applicant_id>/", views.applicant, name="applicant"),
    path("contact-requests/", views.contact_requests, name="contact_requests"),
    path("access-requests/", views.access_requests, name="access_requests"),
    path("access-requests/<int:approval_id>/", views.access_request, name="access_request"),
    path("contact-requests/<int:contact_request_id>/", views.contact_request, name="contact_request"),
]

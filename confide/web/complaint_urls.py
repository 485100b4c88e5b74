"""Routes for complaint pages (included from confide/urls.py)."""

from django.urls import path

from confide.web import complaint_views

app_name = "complaints"

urlpatterns: list = [
    path("", complaint_views.complaint_list, name="list"),
    path("new/", complaint_views.complaint_new, name="new"),
    path("<int:complaint_id>/", complaint_views.complaint_detail, name="detail"),
]

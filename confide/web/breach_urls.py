"""Routes for breach pages (included from confide/urls.py)."""

from django.urls import path

from confide.web import breach_views

app_name = "breaches"

urlpatterns: list = [
    path("", breach_views.breach_list, name="list"),
    path("new/", breach_views.breach_new, name="new"),
    path("<int:breach_id>/", breach_views.breach_detail, name="detail"),
]

"""Routes for declarations, induction and training (included from confide/urls.py at "declarations/")."""

from django.urls import path

from confide.web import clearance_views

app_name = "clearance"

urlpatterns = [
    path("", clearance_views.mine, name="mine"),
    path("register/", clearance_views.register, name="register"),
    path("copies/<int:signature_id>/", clearance_views.signed_copy, name="copy"),
]

from django.urls import path

from confide.partners import views

app_name = "partners"
urlpatterns = [
    path("", views.directory, name="directory"),
    path("new/", views.add_agency, name="add_agency"),
    path("<int:agency_id>/", views.agency, name="agency"),
    path("<int:agency_id>/change/", views.change_agency, name="change_agency"),
    path("<int:agency_id>/contacts/new/", views.add_contact, name="add_contact"),
    path("<int:agency_id>/agreements/new/", views.add_agreement, name="add_agreement"),
    path("contacts/<int:contact_id>/", views.change_contact, name="change_contact"),
    path("agreements/<int:agreement_id>/end/", views.end_agreement, name="end_agreement"),
]

from django.urls import path

from confide.web import views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("clients/<int:client_id>/", views.client_file, name="client_file"),
    path("clients/<int:client_id>/record-of-access/", views.record_of_access, name="record_of_access"),
    path("record-of-access/", views.record_of_access_lookup, name="record_of_access_lookup"),
]

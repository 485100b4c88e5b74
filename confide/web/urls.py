from django.urls import path

from confide.web import records_views, review_views, views

app_name = "web"
urlpatterns = [
    path("", views.home, name="home"),
    path("clients/", records_views.client_list, name="client_list"),
    path("clients/open/", records_views.open_outside, name="open_outside"),
    path("clients/new/", records_views.new_referral, name="new_referral"),
    path("clients/<int:client_id>/", records_views.client_file, name="client_file"),
    path("clients/<int:client_id>/people/", records_views.related_people, name="related_people"),
    path("clients/<int:client_id>/safe-contact/", records_views.safe_contact, name="safe_contact"),
    path("clients/<int:client_id>/record-of-access/", views.record_of_access, name="record_of_access"),
    path("cases/<int:case_id>/", records_views.change_case, name="change_case"),
    path("cases/<int:case_id>/notes/new/", records_views.add_note, name="add_note"),
    path("cases/<int:case_id>/risk-assessments/new/", records_views.add_risk_assessment, name="add_risk_assessment"),
    path("cases/<int:case_id>/documents/new/", records_views.add_document, name="add_document"),
    path("documents/<int:entry_id>/", records_views.download_document, name="download_document"),
    path("reviews/", review_views.queue, name="review_queue"),
    path("reviews/<int:glass_id>/", review_views.review, name="review"),
    path("record-of-access/", views.record_of_access_lookup, name="record_of_access_lookup"),
]

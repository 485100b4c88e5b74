from django.urls import path

from confide.web import records_views, review_views, sharing_views, views

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
    path("clients/<int:client_id>/sharing/", sharing_views.sharing, name="sharing"),
    path("clients/<int:client_id>/consents/new/", sharing_views.new_consent, name="new_consent"),
    path("clients/<int:client_id>/consent-form.pdf", sharing_views.consent_form_pdf, name="consent_form_pdf"),
    path("clients/<int:client_id>/share/", sharing_views.share, name="share"),
    path("consents/<int:consent_id>/", sharing_views.consent, name="consent"),
    path("consents/<int:consent_id>/form.pdf", sharing_views.consent_pdf, name="consent_pdf"),
    path("consents/<int:consent_id>/signed-form/", sharing_views.consent_signed_form, name="consent_signed_form"),
    path("disclosures/<int:disclosure_id>/", sharing_views.disclosure, name="disclosure"),
    path("disclosures/<int:disclosure_id>/record.pdf", sharing_views.disclosure_record, name="disclosure_record"),
    path("clients/<int:client_id>/report/", sharing_views.report, name="report"),
    path("clients/<int:client_id>/requests/new/", sharing_views.new_request, name="new_request"),
    path("requests/<int:request_id>/", sharing_views.incoming, name="incoming"),
    path("requests/<int:request_id>/order/", sharing_views.incoming_order, name="incoming_order"),
    path("approvals/", sharing_views.approvals, name="approvals"),
    path("approvals/<int:disclosure_id>/", sharing_views.approve, name="approve"),
    path("tasks/", sharing_views.tasks, name="tasks"),
    path("tasks/<int:task_id>/", sharing_views.task, name="task"),
    # A partner agency's secure link: no sign-in; the token is the key (confide.sharing.access).
    path("shared/<str:token>/", sharing_views.shared, name="shared"),
    path("shared/<str:token>/<int:entry_id>/", sharing_views.shared_download, name="shared_download"),
]

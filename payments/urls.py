from django.urls import path

from payments import views, views_contracts, views_manual, views_work

app_name = "payments"
urlpatterns = [
    path("remittances/", views.inbox, name="inbox"),
    path("remittances/upload/", views.upload, name="upload"),
    path("remittances/paper/", views_manual.manual_eob, name="manual_eob"),
    path("remittances/<uuid:public_id>/", views.remittance_detail, name="remittance_detail"),
    path("remittances/<uuid:public_id>/preview/", views.remittance_preview, name="remittance_preview"),
    path("remittances/<uuid:public_id>/post/", views.remittance_post, name="remittance_post"),
    path("unmatched/", views_work.unmatched, name="unmatched"),
    path("unmatched/<uuid:public_id>/", views_work.match, name="claim_payment_match"),
    path("reversals/", views_work.held, name="held"),
    path("reversals/<uuid:public_id>/approve/", views_work.approve, name="claim_payment_approve"),
    path("underpayments/", views_contracts.underpayments, name="underpayments"),
    path("underpayments/export.csv", views_contracts.underpayments_export, name="underpayments_export"),
    path("claims/<uuid:public_id>/", views.claim_payments, name="claim_payments"),
]

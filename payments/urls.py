from django.urls import path

from payments import views, views_contracts, views_manual, views_patient, views_work

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
    # the patient's side: ledger, payments and receipts, refunds, plans, statements
    path("patient-balances/", views_patient.balances, name="patient_balances"),
    path("patients/<uuid:public_id>/", views_patient.ledger, name="patient_ledger"),
    path("patients/<uuid:public_id>/payments/", views_patient.payment_create, name="patient_payment_create"),
    path("patients/<uuid:public_id>/apply-credit/", views_patient.credit_apply, name="patient_credit_apply"),
    path("patients/<uuid:public_id>/refunds/", views_patient.refund_request, name="patient_refund_request"),
    path("patients/<uuid:public_id>/plan/", views_patient.plan_create, name="payment_plan_create"),
    path("patients/<uuid:public_id>/suppress/", views_patient.suppress, name="statement_suppress"),
    path("patients/<uuid:public_id>/statement/", views_patient.statement_now, name="patient_statement_now"),
    path("patient-payments/<uuid:public_id>/", views_patient.payment_detail, name="patient_payment_detail"),
    path("patient-payments/<uuid:public_id>/receipt.pdf", views_patient.receipt, name="patient_receipt"),
    path("plans/<uuid:public_id>/cancel/", views_patient.plan_cancel, name="payment_plan_cancel"),
    path(
        "suppressions/<uuid:public_id>/lift/",
        views_patient.suppression_lift,
        name="statement_suppression_lift",
    ),
    path("refunds/", views_patient.refunds, name="patient_refunds"),
    path("refunds/<uuid:public_id>/decide/", views_patient.refund_decide, name="patient_refund_decide"),
    path("statements/", views_patient.statement_runs, name="statement_runs"),
    path(
        "statements/runs/<uuid:public_id>/", views_patient.statement_run_detail, name="statement_run_detail"
    ),
    path("statements/<uuid:public_id>.pdf", views_patient.statement_pdf, name="statement_pdf"),
]

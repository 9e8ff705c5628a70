from django.urls import path
from rest_framework.routers import SimpleRouter

from payments.api import patient_views, views

app_name = "payments"
router = SimpleRouter()
router.register("remittances", views.RemittanceFileViewSet, basename="remittance")
router.register("claim-payments", views.ClaimPaymentViewSet, basename="claim-payment")
router.register("patients", patient_views.PatientLedgerViewSet, basename="patient-ledger")
router.register("patient-payments", patient_views.PatientPaymentViewSet, basename="patient-payment")
router.register("patient-refunds", patient_views.PatientRefundViewSet, basename="patient-refund")
router.register("statements", patient_views.StatementViewSet, basename="statement")
urlpatterns = [
    # POST /api/v1/payments/remittances as the issue spells it (no trailing slash): the same view
    path(
        "remittances",
        views.RemittanceUploadAlias.as_view({"get": "list", "post": "create"}),
        name="remittance-upload",
    ),
    *router.urls,
]

from django.urls import path
from rest_framework.routers import SimpleRouter

from payments.api import views

app_name = "payments"
router = SimpleRouter()
router.register("remittances", views.RemittanceFileViewSet, basename="remittance")
router.register("claim-payments", views.ClaimPaymentViewSet, basename="claim-payment")
urlpatterns = [
    # POST /api/v1/payments/remittances as the issue spells it (no trailing slash): the same view
    path(
        "remittances",
        views.RemittanceUploadAlias.as_view({"get": "list", "post": "create"}),
        name="remittance-upload",
    ),
    *router.urls,
]

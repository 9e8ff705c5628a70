from rest_framework.routers import SimpleRouter

from payments.api import views

app_name = "payments"
# "/?": POST /api/v1/payments/remittances works with or without the trailing slash
router = SimpleRouter(trailing_slash="/?")
router.register("remittances", views.RemittanceFileViewSet, basename="remittance")
router.register("claim-payments", views.ClaimPaymentViewSet, basename="claim-payment")
urlpatterns = router.urls

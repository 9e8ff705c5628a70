from rest_framework.routers import SimpleRouter

from claims.api import ready_to_bill, views

app_name = "claims"
router = SimpleRouter()
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("edits", views.ClaimEditViewSet, basename="edit")
router.register("batches", views.BatchViewSet, basename="batch")
router.register("ready-to-bill", ready_to_bill.ReadyToBillViewSet, basename="ready-to-bill")
router.register("build", ready_to_bill.ClaimBuildViewSet, basename="build")
router.register("payer-rules", views.PayerRuleViewSet, basename="payer-rule")
urlpatterns = router.urls

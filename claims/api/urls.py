from rest_framework.routers import SimpleRouter

from claims.api import views

app_name = "claims"
router = SimpleRouter()
router.register("claims", views.ClaimViewSet, basename="claim")
router.register("edits", views.ClaimEditViewSet, basename="edit")
router.register("batches", views.BatchViewSet, basename="batch")
router.register("payer-rules", views.PayerRuleViewSet, basename="payer-rule")
urlpatterns = router.urls

from rest_framework.routers import SimpleRouter

from intake.api import views

app_name = "intake"
router = SimpleRouter()
router.register("patients", views.PatientViewSet, basename="patient")
router.register("coverages", views.CoverageViewSet, basename="coverage")
router.register("orders", views.OrderViewSet, basename="order")
router.register("eligibility-checks", views.EligibilityCheckViewSet, basename="eligibility-check")
router.register("authorizations", views.AuthorizationViewSet, basename="authorization")
urlpatterns = router.urls

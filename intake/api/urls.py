from rest_framework.routers import SimpleRouter

from intake.api import views

app_name = "intake"
router = SimpleRouter()
router.register("patients", views.PatientViewSet, basename="patient")
urlpatterns = router.urls

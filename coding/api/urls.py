from django.urls import path
from rest_framework.routers import SimpleRouter

from coding.api import views
from coding.api.schedule import AppointmentViewSet

app_name = "coding"
router = SimpleRouter()
router.register("charge-lines", views.ChargeLineViewSet, basename="charge-line")
router.register("visits", views.VisitViewSet, basename="visit")
router.register("appointments", AppointmentViewSet, basename="appointment")
urlpatterns = [path("preview", views.CodingPreviewView.as_view(), name="preview"), *router.urls]

from django.urls import path
from rest_framework.routers import SimpleRouter

from denials.api import views

app_name = "denials"
router = SimpleRouter()
router.register("write-offs", views.WriteOffViewSet, basename="write-off")
router.register("", views.DenialViewSet, basename="denial")
urlpatterns = [
    path("reasons/", views.ReasonView.as_view(), name="reasons"),
    *router.urls,
]

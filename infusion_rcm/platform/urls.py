from django.urls import path

from infusion_rcm.platform import views

app_name = "platform"
urlpatterns = [path("dashboard/", views.dashboard, name="dashboard")]

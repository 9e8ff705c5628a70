from django.urls import path

from reports.api import views

app_name = "reports"
# As the issue spells them (no trailing slash).
urlpatterns = [
    path("ar-aging", views.ArAgingView.as_view(), name="ar-aging"),
    path("kpis", views.KpisView.as_view(), name="kpis"),
    path("denials", views.DenialsView.as_view(), name="denials"),
]

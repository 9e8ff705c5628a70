from django.urls import path

from reports import views

app_name = "reports"
urlpatterns = [
    path("", views.dashboard, name="dashboard"),
    path("ar-aging/", views.ar_aging, name="ar_aging"),
    path("ar-aging/claims/", views.ar_claims, name="ar_claims"),
    path("kpis/", views.kpis, name="kpis"),
    path("denials/", views.denials, name="denials"),
    path("denials/lines/", views.denial_lines, name="denial_lines"),
    path("monthly.pdf", views.monthly_report, name="monthly_report"),
]

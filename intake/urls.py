from django.urls import path

from intake import views

app_name = "intake"
urlpatterns = [
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/new/", views.patient_create, name="patient_create"),
    path("patients/<uuid:public_id>/", views.patient_detail, name="patient_detail"),
    path("patients/<uuid:public_id>/coverages/new/", views.coverage_create, name="coverage_create"),
    path("patients/<uuid:public_id>/orders/new/", views.order_create, name="order_create"),
    path("patients/<uuid:public_id>/authorizations/new/", views.auth_create, name="auth_create"),
    path("coverages/<uuid:public_id>/eligibility/new/", views.eligibility_create, name="eligibility_create"),
    path("eligibility/import-271/", views.eligibility_import, name="eligibility_import"),
    path("queue/", views.intake_queue, name="intake_queue"),
    path("orders/<uuid:public_id>/advance/", views.order_advance, name="order_advance"),
    path("orders/<uuid:public_id>/edit/", views.order_edit, name="order_edit"),
    path("authorizations/<uuid:public_id>/edit/", views.auth_edit, name="auth_edit"),
    path(
        "eligibility/<uuid:public_id>/270/", views.eligibility_270_download, name="eligibility_270_download"
    ),
    path("coverages/<uuid:public_id>/end/", views.coverage_end, name="coverage_end"),
    path("alerts/<int:pk>/resolve/", views.alert_resolve, name="alert_resolve"),
]

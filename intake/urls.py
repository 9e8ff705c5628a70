from django.urls import path

from intake import views

app_name = "intake"
urlpatterns = [
    path("patients/", views.patient_list, name="patient_list"),
    path("patients/<uuid:public_id>/", views.patient_detail, name="patient_detail"),
]

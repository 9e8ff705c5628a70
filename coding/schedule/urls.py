"""Schedule URLs, included in the coding namespace (coding/urls.py)."""

from django.urls import path

from coding.schedule import views

urlpatterns = [
    path("schedule/", views.schedule, name="schedule"),
    path("schedule/new/", views.appointment_create, name="appointment_create"),
    path("schedule/<uuid:public_id>/start/", views.appointment_start, name="appointment_start"),
    path("schedule/<uuid:public_id>/cancel/", views.appointment_cancel, name="appointment_cancel"),
    path("schedule/eligibility/", views.eligibility_ahead, name="eligibility_ahead"),
]

from django.urls import path

from coding import views
from coding.schedule.urls import urlpatterns as schedule_urlpatterns

app_name = "coding"
urlpatterns = [
    path("visits/", views.visit_list, name="visit_list"),
    path("visits/<uuid:public_id>/", views.visit_detail, name="visit_detail"),
    path("administrations/<int:pk>/delete/", views.administration_delete, name="administration_delete"),
    path("charges/", views.charge_review, name="charge_review"),
    path("charges/visits/<uuid:public_id>/accept/", views.charge_review_accept, name="charge_review_accept"),
    path("charges/lines/<uuid:public_id>/override/", views.charge_line_override, name="charge_line_override"),
    *schedule_urlpatterns,
]

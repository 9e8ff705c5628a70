from django.urls import path

from denials import views, views_appeals

app_name = "denials"
urlpatterns = [
    path("", views.queue, name="queue"),
    path("export.csv", views.export_csv, name="export"),
    path("reassign/", views.reassign, name="reassign"),
    path("views/", views.view_save, name="view_save"),
    path("views/<uuid:public_id>/", views.saved_view, name="saved_view"),
    path("views/<uuid:public_id>/delete/", views.view_delete, name="view_delete"),
    path("timely-filing/", views_appeals.timely_filing, name="timely_filing"),
    path("risk/", views_appeals.risk, name="risk"),
    path("risk/<int:pk>/release/", views_appeals.risk_release, name="risk_release"),
    path("write-offs/", views.write_offs, name="write_offs"),
    path("write-offs/<int:pk>/", views.write_off_decide, name="write_off_decide"),
    path("<uuid:public_id>/", views.detail, name="detail"),
    path("<uuid:public_id>/assign/", views.assign, name="assign"),
    path("<uuid:public_id>/status/", views.status, name="status"),
    path("<uuid:public_id>/note/", views.note, name="note"),
    path("<uuid:public_id>/correct/", views.correct, name="correct"),
    path("<uuid:public_id>/void/", views.void, name="void"),
    path("<uuid:public_id>/new-claim/", views.new_claim, name="new_claim"),
    path("<uuid:public_id>/rebill/", views.rebill, name="rebill"),
    path("<uuid:public_id>/bill-patient/", views.bill_patient, name="bill_patient"),
    path("<uuid:public_id>/write-off/", views.write_off, name="write_off"),
    path("<uuid:public_id>/recovered/", views.recovered, name="recovered"),
    path("<uuid:public_id>/appeal/", views_appeals.appeal_start, name="appeal_start"),
    path("appeals/<uuid:public_id>/letter.pdf", views_appeals.appeal_letter, name="appeal_letter"),
    path("appeals/<uuid:public_id>/send/", views_appeals.appeal_send, name="appeal_send"),
    path("appeals/<uuid:public_id>/decide/", views_appeals.appeal_decide, name="appeal_decide"),
]

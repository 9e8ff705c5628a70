from django.urls import path

from claims import views, views_edit, views_ready_to_bill

app_name = "claims"
urlpatterns = [
    path("", views.claim_list, name="claim_list"),
    path("ready-to-bill/", views_ready_to_bill.ready_to_bill, name="ready_to_bill"),
    path("ready-to-bill/build/", views_ready_to_bill.ready_to_bill_build, name="ready_to_bill_build"),
    path("ready-to-bill/builds/<uuid:public_id>/", views_ready_to_bill.build_run, name="build_run"),
    path("needs-fix/", views.needs_fix, name="needs_fix"),
    path("rejected/", views.rejected, name="rejected"),
    path("<uuid:public_id>/", views.claim_detail, name="claim_detail"),
    path("<uuid:public_id>/scrub/", views.claim_scrub, name="claim_scrub"),
    path("<uuid:public_id>/void/", views.claim_void, name="claim_void"),
    path("<uuid:public_id>/edit/", views_edit.claim_edit, name="claim_edit"),
    path("<uuid:public_id>/replace/", views_edit.claim_replace, name="claim_replace"),
    path("<uuid:public_id>/void-at-payer/", views_edit.claim_void_at_payer, name="claim_void_at_payer"),
    path("<uuid:public_id>/reopen/", views.claim_reopen, name="claim_reopen"),
    path("<uuid:public_id>/cms1500.pdf", views.claim_cms1500, name="claim_cms1500"),
    path("batches/", views.batch_list, name="batch_list"),
    path("batches/build/", views.batch_build, name="batch_build"),
    path("batches/<uuid:public_id>/", views.batch_detail, name="batch_detail"),
    path("batches/<uuid:public_id>/download/", views.batch_download, name="batch_download"),
    path("batches/<uuid:public_id>/release/", views.batch_release, name="batch_release"),
    path("batches/<uuid:public_id>/pull-back/", views.batch_pull_back, name="batch_pull_back"),
    path("acknowledgments/", views.acknowledgment_import, name="acknowledgment_import"),
]

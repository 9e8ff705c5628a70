"""Posting settings in the Django admin (admins only): the reversal approval amount."""

from __future__ import annotations

from django.contrib import admin

from infusion_rcm.common.admin import ReferenceDataAdmin
from payments.models import PostingPolicy


@admin.register(PostingPolicy)
class PostingPolicyAdmin(ReferenceDataAdmin):
    list_display = ["reversal_approval_amount", "updated_at"]

    def has_add_permission(self, request):
        # one row (pk 1): the services read it by that key
        return super().has_add_permission(request) and not PostingPolicy.objects.exists()

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        super().save_model(request, obj, form, change)

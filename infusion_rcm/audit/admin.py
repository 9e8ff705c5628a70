"""Read-only audit log in the Django admin."""

from django.contrib import admin

from infusion_rcm.accounts.roles import Capability, user_has
from infusion_rcm.audit.models import AuditEntry


@admin.register(AuditEntry)
class AuditEntryAdmin(admin.ModelAdmin):
    list_display = ("at", "username", "ip", "action", "object_type", "object_id")
    list_filter = ("action", "object_type")
    search_fields = ("username", "object_id")

    def has_module_permission(self, request):
        return user_has(request.user, Capability.AUDIT_VIEW)

    def has_view_permission(self, request, obj=None):
        return user_has(request.user, Capability.AUDIT_VIEW)

    def has_add_permission(self, request):
        return False

    def has_change_permission(self, request, obj=None):
        return False

    def has_delete_permission(self, request, obj=None):
        return False

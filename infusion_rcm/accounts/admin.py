"""User administration, for admins only (the site itself checks USER_MANAGE per model)."""

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin

from infusion_rcm.accounts.models import User
from infusion_rcm.accounts.roles import Capability, user_has


@admin.register(User)
class UserAdmin(DjangoUserAdmin):
    list_display = ("username", "first_name", "last_name", "is_active", "locked_until")
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Sign-in", {"fields": ("failed_logins", "locked_until")}))  # type: ignore[misc]  # set by Django's UserAdmin

    def _allowed(self, request) -> bool:
        return user_has(request.user, Capability.USER_MANAGE)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return False  # deactivate instead: the audit log keeps pointing at the person

"""Django admin base for reference data: only the admin role (REFERENCE_MANAGE) may touch it."""

from __future__ import annotations

from django.contrib import admin

from infusion_rcm.accounts.roles import Capability, user_has


class ReferenceDataAdmin(admin.ModelAdmin):
    """Payers, payer rules, fee schedules, the drug catalog, code sets.

    Rows are not deleted (claims and visits point at them): deactivate or end-date instead.
    A model whose rows nothing refers to may set `allow_delete = True`.
    """

    allow_delete = False

    def _allowed(self, request) -> bool:
        return user_has(request.user, Capability.REFERENCE_MANAGE)

    def has_module_permission(self, request):
        return self._allowed(request)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self.allow_delete and self._allowed(request)

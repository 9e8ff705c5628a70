"""Django admin base for reference data: only the admin role (REFERENCE_MANAGE) may touch it."""

from __future__ import annotations

from django.contrib import admin
from django.db.models import Model
from django.http import HttpRequest

from infusion_rcm.accounts.roles import Capability, user_has


class ReferenceDataAdmin(admin.ModelAdmin):  # type: ignore[type-arg]  # not subscriptable at run time
    """Payers, payer rules, fee schedules, the drug catalog, code sets.

    Rows are not deleted (claims and visits point at them): deactivate or end-date instead.
    A model whose rows nothing refers to may set `allow_delete = True`.
    """

    allow_delete = False

    def _allowed(self, request: HttpRequest) -> bool:
        return user_has(request.user, Capability.REFERENCE_MANAGE)

    def has_module_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_view_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_add_permission(self, request: HttpRequest) -> bool:
        return self._allowed(request)

    def has_change_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self._allowed(request)

    def has_delete_permission(self, request: HttpRequest, obj: Model | None = None) -> bool:
        return self.allow_delete and self._allowed(request)

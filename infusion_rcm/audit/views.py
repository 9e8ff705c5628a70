"""Audit log browser for admins: filter by user, action, object, dates."""

from __future__ import annotations

import django_filters
from django.core.paginator import Paginator
from django.db import connection
from django.db.models import Q
from django.shortcuts import render

from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability
from infusion_rcm.audit.models import AuditEntry


class AuditEntryFilter(django_filters.FilterSet):
    username = django_filters.CharFilter(lookup_expr="icontains", label="User")
    action = django_filters.ChoiceFilter(choices=AuditEntry.Action.choices)
    object_type = django_filters.CharFilter(lookup_expr="icontains", label="Object type")
    object_id = django_filters.CharFilter(label="Object id", method="filter_object_id")
    since = django_filters.DateFilter(field_name="at", lookup_expr="date__gte", label="From")
    until = django_filters.DateFilter(field_name="at", lookup_expr="date__lte", label="To")

    class Meta:
        model = AuditEntry
        fields = ["username", "action", "object_type", "object_id", "since", "until"]

    def filter_object_id(self, queryset, name, value):
        """One entry per row, or a list/bulk entry naming the id in extra; database or public id (PostgreSQL only)."""
        if connection.vendor == "postgresql":
            return queryset.filter(
                Q(object_id=value)
                | Q(extra__ids__contains=[value])
                | Q(extra__public_ids__contains=[value])
                | Q(extra__public_id=value)
            )
        return queryset.filter(object_id=value)


@requires(Capability.AUDIT_VIEW)
def entry_list(request):
    entries = AuditEntryFilter(request.GET, queryset=AuditEntry.objects.all())
    page = Paginator(entries.qs, 100).get_page(request.GET.get("page"))
    return render(request, "audit/entry_list.html", {"filter": entries, "page": page})

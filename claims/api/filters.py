"""The claim FilterSet, shared by the HTML claim list and the API (docs/conventions.md section 14.10)."""

from __future__ import annotations

import django_filters
from django.db.models import Q

from claims.domain.types import ClaimStatus
from claims.models import Claim
from infusion_rcm.common.models import enum_choices
from intake.models import Payer


class ClaimFilter(django_filters.FilterSet):
    status = django_filters.MultipleChoiceFilter(choices=enum_choices(ClaimStatus))
    payer = django_filters.ModelChoiceFilter(
        queryset=Payer.objects.order_by("name"), to_field_name="public_id", label="Payer"
    )
    service_from = django_filters.DateFilter(
        field_name="service_date_from", lookup_expr="gte", label="Service from"
    )
    service_to = django_filters.DateFilter(
        field_name="service_date_from", lookup_expr="lte", label="Service to"
    )
    amount_min = django_filters.NumberFilter(
        field_name="total_charge", lookup_expr="gte", label="Amount from"
    )
    amount_max = django_filters.NumberFilter(field_name="total_charge", lookup_expr="lte", label="Amount to")
    q = django_filters.CharFilter(method="search", label="Claim number or patient")

    class Meta:
        model = Claim
        fields = ["status", "payer", "form"]

    def search(self, queryset, name, value):
        value = value.strip()
        if not value:
            return queryset
        return queryset.filter(
            Q(claim_number__iexact=value)
            | Q(patient__last_name__icontains=value)
            | Q(patient__mrn__iexact=value)
        )

"""Payments API filters (plain text filters: the status values are documented on the fields)."""

from __future__ import annotations

import django_filters

from payments.models import ClaimPayment, RemittanceFile


class RemittanceFileFilter(django_filters.FilterSet):
    status = django_filters.CharFilter(help_text="received, parsed, failed or posted")
    source = django_filters.CharFilter(help_text="835 or paper")

    class Meta:
        model = RemittanceFile
        fields = ["status", "source"]


class ClaimPaymentFilter(django_filters.FilterSet):
    status = django_filters.CharFilter(help_text="pending, unmatched, held, posted or duplicate")
    claim_status_code = django_filters.CharFilter(help_text="CLP02, e.g. 1, 4, 22")
    is_reversal = django_filters.BooleanFilter()

    class Meta:
        model = ClaimPayment
        fields = ["status", "claim_status_code", "is_reversal"]

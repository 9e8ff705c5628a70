"""Reference data admins maintain: payers, billing providers, service locations, prescribers."""

from __future__ import annotations

from django import forms
from django.contrib import admin

from infusion_rcm.common.admin import ReferenceDataAdmin
from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.identifiers import validate_npi
from intake.models import BillingProvider, Payer, Prescriber, ServiceLocation


class NPIForm(forms.ModelForm):
    """Refuses an NPI that fails the CMS check-digit rule, with the domain's message."""

    def clean_npi(self):
        value = self.cleaned_data.get("npi", "")
        if not value:
            return value
        try:
            return validate_npi(value)
        except InvalidInputError as exc:
            raise forms.ValidationError(exc.message) from exc


@admin.register(Payer)
class PayerAdmin(ReferenceDataAdmin):
    list_display = (
        "name",
        "payer_id",
        "kind",
        "claim_form",
        "claim_filing_indicator",
        "timely_filing_days",
        "eligibility_freshness_days",
        "eligibility_lookahead_days",
        "active",
    )
    list_filter = ("kind", "claim_form", "active")
    search_fields = ("name", "payer_id")


@admin.register(BillingProvider)
class BillingProviderAdmin(ReferenceDataAdmin):
    form = NPIForm
    list_display = ("name", "npi", "tax_id", "taxonomy")


@admin.register(ServiceLocation)
class ServiceLocationAdmin(ReferenceDataAdmin):
    form = NPIForm
    list_display = ("name", "billing_provider", "site_of_care", "place_of_service")
    list_filter = ("site_of_care",)


@admin.register(Prescriber)
class PrescriberAdmin(ReferenceDataAdmin):
    form = NPIForm
    list_display = ("last_name", "first_name", "npi", "specialty", "taxonomy")
    search_fields = ("last_name", "npi")

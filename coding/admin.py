"""Admin pages for the drug catalog, NDCs, code sets and the charge master (admin role)."""

from django.contrib import admin

from coding.models import ChargeMasterEntry, CodeSetEntry, Drug, DrugNdc
from infusion_rcm.common.admin import ReferenceDataAdmin


class DrugNdcInline(admin.TabularInline):
    model = DrugNdc
    extra = 0


@admin.register(Drug)
class DrugAdmin(ReferenceDataAdmin):
    list_display = (
        "hcpcs",
        "description",
        "billing_unit_amount",
        "billing_unit",
        "drug_class",
        "single_dose",
        "active",
    )
    list_filter = ("drug_class", "single_dose", "active")
    search_fields = ("hcpcs", "description")
    inlines = [DrugNdcInline]


@admin.register(CodeSetEntry)
class CodeSetEntryAdmin(ReferenceDataAdmin):
    list_display = ("code", "family", "description", "effective_from", "effective_to")
    list_filter = ("family",)
    search_fields = ("code", "description")


@admin.register(ChargeMasterEntry)
class ChargeMasterEntryAdmin(ReferenceDataAdmin):
    list_display = ("code", "modifier", "unit_price", "effective_from", "effective_to")
    search_fields = ("code",)

"""Denials reference data in the Django admin (admins only): refinements of the reason catalog
per payer (DEN-M1), payers' appeal and corrected-claim windows, the write-off approval amount,
and the assignment rules (payer or category -> biller). Denials themselves are patient data and
are worked on the denial pages, not here."""

from __future__ import annotations

from typing import cast

from django import forms
from django.contrib import admin
from django.contrib.auth import get_user_model

from denials.catalog import explain_code
from denials.domain.catalog import GROUPS
from denials.models import AssignmentRule, DenialPolicy, PayerDenialTerms, ReasonRule, RiskPolicy
from infusion_rcm.common.admin import ReferenceDataAdmin
from intake.domain.types import PayerKind


class ReasonRuleForm(forms.ModelForm):
    payer_kind = forms.ChoiceField(
        choices=[("", "Any payer kind"), *[(k.value, k.label) for k in PayerKind]], required=False
    )

    class Meta:
        model = ReasonRule
        fields = [
            "payer",
            "payer_kind",
            "group",
            "carc",
            "rarc",
            "category",
            "next_action",
            "sentence",
            "active",
        ]

    def clean(self):
        data = super().clean() or {}
        for name in ("group", "carc", "rarc"):
            data[name] = (data.get(name) or "").strip().upper()
        if data["group"] and data["group"] not in GROUPS:
            self.add_error("group", f"One of {', '.join(GROUPS)}, or blank for any group.")
        if not (data["group"] or data["carc"] or data["rarc"]):
            raise forms.ValidationError("Name at least a group, a CARC or a remark code.")
        if data["carc"] and (not data["carc"].isalnum() or len(data["carc"]) > 5):
            self.add_error("carc", "A CARC as the remittance shows it, e.g. 197, A1 or B15.")
        if data["rarc"] and (not data["rarc"].isalnum() or not data["rarc"][0].isalpha()):
            self.add_error("rarc", "A remark code such as N54, M62 or MA130.")
        return data


@admin.register(ReasonRule)
class ReasonRuleAdmin(ReferenceDataAdmin):
    form = ReasonRuleForm
    allow_delete = True  # nothing points at a rule; a denial keeps the words it was given
    list_display = ["__str__", "payer", "payer_kind", "category", "next_action", "active", "now_means"]
    list_filter = ["active", "category", "next_action", "payer"]
    search_fields = ["carc", "rarc", "sentence"]

    @admin.display(description="what the code means now")
    def now_means(self, obj: ReasonRule) -> str:
        if not obj.carc:
            return "—"
        found = explain_code(
            group=obj.group or "CO", carc=obj.carc, rarcs=(obj.rarc,) if obj.rarc else (), payer=obj.payer
        )
        return f"{found.category.label} / {found.action.label}: {found.sentence}"


@admin.register(PayerDenialTerms)
class PayerDenialTermsAdmin(ReferenceDataAdmin):
    allow_delete = True
    list_display = ["payer", "appeal_days", "corrected_claim_days", "updated_at"]


@admin.register(DenialPolicy)
class DenialPolicyAdmin(ReferenceDataAdmin):
    list_display = ["write_off_approval_amount", "updated_at"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not DenialPolicy.objects.exists()

    def save_model(self, request, obj, form, change):
        obj.pk = 1  # one row: the services read it by that key
        super().save_model(request, obj, form, change)


class AssignmentRuleForm(forms.ModelForm):
    class Meta:
        model = AssignmentRule
        fields = ["payer", "category", "user", "order", "active"]

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["user"]).queryset = get_user_model().objects.filter(
            groups__name="biller", is_active=True
        )

    def clean(self):
        data = super().clean() or {}
        if not data.get("payer") and not data.get("category"):
            raise forms.ValidationError("Choose a payer, a category or both.")
        return data


@admin.register(AssignmentRule)
class AssignmentRuleAdmin(ReferenceDataAdmin):
    form = AssignmentRuleForm
    allow_delete = True
    list_display = ["__str__", "payer", "category", "user", "order", "active"]
    list_filter = ["active", "category"]


@admin.register(RiskPolicy)
class RiskPolicyAdmin(ReferenceDataAdmin):
    """The denial-risk threshold (DEN-RS1): a ready claim at or above it is held for review."""

    list_display = ["hold_threshold", "updated_at"]

    def has_add_permission(self, request):
        return super().has_add_permission(request) and not RiskPolicy.objects.exists()

    def save_model(self, request, obj, form, change):
        obj.pk = 1  # one row: the services read it by that key
        super().save_model(request, obj, form, change)

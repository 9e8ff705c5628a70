"""Payer rules in the Django admin (admins only): validated on save, versioned, and tried against
an existing claim from the rule's page before it is switched on. Shipped reference rules
(regulations, claims/reference_data) are marked, keep their id and scope, and are switched off
rather than deleted."""

from __future__ import annotations

from typing import Any, cast

from django import forms
from django.contrib import admin, messages
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from claims import services
from claims.forms import PayerRuleAdminForm, TryRuleForm
from claims.models import PayerRule, PayerRuleVersion
from claims.services.payer_rules_reference import reference_rule_index, reference_rule_keep_identity
from infusion_rcm.audit.services import audit_view
from infusion_rcm.common.admin import ReferenceDataAdmin
from infusion_rcm.common.errors import InvalidInputError


class PayerRuleVersionInline(admin.TabularInline):
    model = PayerRuleVersion
    extra = 0
    can_delete = False
    fields = ["version", "enabled", "config", "changed_by", "changed_at", "note"]
    readonly_fields = fields  # type: ignore[assignment]  # plain names, not fieldset groups

    def has_add_permission(self, request, obj=None):
        return False


class ShippedRuleFilter(admin.SimpleListFilter):
    title = "shipped reference rule"
    parameter_name = "shipped"

    def lookups(self, request, model_admin):
        return [("yes", "Yes"), ("no", "No")]

    def queryset(self, request, queryset):
        keys = list(reference_rule_index())
        if self.value() == "yes":
            return queryset.filter(rule_id__in=keys)
        if self.value() == "no":
            return queryset.exclude(rule_id__in=keys)
        return queryset


class RuleAdminForm(PayerRuleAdminForm):
    def clean(self):
        cleaned = cast(dict[str, Any], super().clean())  # Django returns cleaned_data
        config = cleaned.get("config")
        if self.instance.pk and isinstance(config, dict):
            try:
                reference_rule_keep_identity(
                    self.instance, rule_id=config.get("rule_id", ""), payer=cleaned.get("payer")
                )
            except InvalidInputError as exc:
                raise forms.ValidationError(exc.message) from exc
        return cleaned


@admin.register(PayerRule)
class PayerRuleAdmin(ReferenceDataAdmin):
    form = RuleAdminForm
    list_display = [
        "rule_id",
        "kind",
        "payer",
        "enabled",
        "shipped",
        "source",
        "version",
        "updated_at",
        "try_link",
    ]
    list_filter = ["enabled", ShippedRuleFilter, "kind", "payer"]
    search_fields = ["rule_id"]
    inlines = [PayerRuleVersionInline]
    readonly_fields = ["rule_id", "kind", "version", "shipped_reference"]

    @admin.display(boolean=True, description="Shipped reference rule")
    def shipped(self, obj):
        return obj.rule_id in reference_rule_index()

    @admin.display(description="Source")
    def source(self, obj):
        return (obj.config or {}).get("source", "")

    @admin.display(description="Shipped reference rule")
    def shipped_reference(self, obj):
        ref = reference_rule_index().get(obj.rule_id) if obj else None
        if ref is None:
            return "No: maintained here only."
        return format_html(
            "Yes: {} (claims/reference_data/payer_rules/{}). Switch it off with Enabled; "
            "load_reference_data keeps the switch and versions a changed file.",
            ref.title,
            ref.file_name,
        )

    def get_readonly_fields(self, request, obj=None):
        fields = list(super().get_readonly_fields(request, obj))
        if obj is not None and obj.rule_id in reference_rule_index():
            fields.append("payer")  # a regulation reaches every payer of its kinds, never one payer
        return fields

    @admin.display(description="Try")
    def try_link(self, obj):
        return format_html(
            '<a href="{}">Try against a claim</a>', reverse("admin:claims_payerrule_try", args=[obj.pk])
        )

    def save_model(self, request, obj, form, change):
        # Versioning and validation live in the service; the admin only collects the fields.
        previous = PayerRule.objects.get(pk=obj.pk) if change else None
        saved = services.payer_rule_save(
            rule=previous,
            payer=form.cleaned_data["payer"]
            if "payer" in form.cleaned_data
            else getattr(previous, "payer", None),
            config=form.cleaned_data["config"],
            enabled=form.cleaned_data.get("enabled", False),
            actor=request.user,
            note=form.cleaned_data.get("note", ""),
        )
        obj.pk = saved.pk
        obj.refresh_from_db()

    def get_urls(self):
        custom = [
            path("<int:pk>/try/", self.admin_site.admin_view(self.try_view), name="claims_payerrule_try")
        ]
        return custom + super().get_urls()

    def try_view(self, request, pk):
        if not self._allowed(request):
            from django.core.exceptions import PermissionDenied

            raise PermissionDenied
        rule = get_object_or_404(PayerRule, pk=pk)
        form = TryRuleForm(request.POST or None)
        edits = None
        if request.method == "POST" and form.is_valid():
            edits = services.payer_rule_try(config=rule.config, payer=rule.payer, claim=form.claim)
            audit_view(request, form.claim)  # the edits can quote the claim's diagnoses and codes
            if rule.payer_id and rule.payer_id != form.claim.payer_id:
                messages.warning(request, "This rule is for another payer: it raises nothing on this claim.")
        context = {
            **self.admin_site.each_context(request),
            "title": f"Try {rule.rule_id} against a claim",
            "rule": rule,
            "form": form,
            "edits": edits,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "claims/admin_try_rule.html", context)

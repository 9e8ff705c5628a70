"""Payer rules in the Django admin (admins only): validated on save, versioned, and tried against
an existing claim from the rule's page before it is switched on."""

from __future__ import annotations

from django.contrib import admin, messages
from django.shortcuts import get_object_or_404
from django.template.response import TemplateResponse
from django.urls import path, reverse
from django.utils.html import format_html

from claims import services
from claims.forms import PayerRuleAdminForm, TryRuleForm
from claims.models import PayerRule, PayerRuleVersion
from infusion_rcm.common.admin import ReferenceDataAdmin


class PayerRuleVersionInline(admin.TabularInline):
    model = PayerRuleVersion
    extra = 0
    can_delete = False
    fields = ["version", "enabled", "config", "changed_by", "changed_at", "note"]
    readonly_fields = fields

    def has_add_permission(self, request, obj=None):
        return False


@admin.register(PayerRule)
class PayerRuleAdmin(ReferenceDataAdmin):
    form = PayerRuleAdminForm
    list_display = ["rule_id", "kind", "payer", "enabled", "version", "updated_at", "try_link"]
    list_filter = ["enabled", "kind", "payer"]
    search_fields = ["rule_id"]
    inlines = [PayerRuleVersionInline]
    readonly_fields = ["rule_id", "kind", "version"]

    @admin.display(description="Try")
    def try_link(self, obj):
        return format_html(
            '<a href="{}">Try against a claim</a>', reverse("admin:claims_payerrule_try", args=[obj.pk])
        )

    def save_model(self, request, obj, form, change):
        # Versioning and validation live in the service; the admin only collects the fields.
        saved = services.payer_rule_save(
            rule=PayerRule.objects.get(pk=obj.pk) if change else None,
            payer=form.cleaned_data.get("payer"),
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

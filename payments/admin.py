"""Payments reference data in the Django admin (admins only): the posting policy (reversal
approval amount, underpayment tolerance), each billing provider's statement settings (what its
statements print, the defaults of a statement run) and fee schedules (payer contracts, Medicare fee and ASP
lists) with their rates, and the CSV upload of a fee schedule version."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied
from django.db.models import Count, Q
from django.shortcuts import redirect
from django.template.response import TemplateResponse
from django.urls import path, reverse

from infusion_rcm.accounts.roles import Capability, user_has
from infusion_rcm.common.admin import ReferenceDataAdmin
from infusion_rcm.common.errors import DomainError
from payments.domain.contracts import CODE_PATTERN, MODIFIER_PATTERN, PricingMethod, ScheduleKind
from payments.forms import FeeScheduleUploadForm
from payments.models import FeeSchedule, FeeScheduleRate, PostingPolicy
from payments.models_patient import StatementSettings
from payments.services.contracts import fee_schedule_import


@admin.register(PostingPolicy)
class PostingPolicyAdmin(ReferenceDataAdmin):
    list_display = [
        "reversal_approval_amount",
        "underpayment_tolerance",
        "underpayment_tolerance_percent",
        "updated_at",
    ]

    def has_add_permission(self, request):
        # one row (pk 1): the services read it by that key
        return super().has_add_permission(request) and not PostingPolicy.objects.exists()

    def save_model(self, request, obj, form, change):
        obj.pk = 1
        super().save_model(request, obj, form, change)


@admin.register(StatementSettings)
class StatementSettingsAdmin(ReferenceDataAdmin):
    list_display = ["billing_provider", "billing_phone", "minimum_balance", "interval_days", "due_in_days"]
    list_select_related = ["billing_provider"]


class FeeScheduleRateForm(forms.ModelForm):
    """The checks of the CSV import, for a rate typed in the admin."""

    class Meta:
        model = FeeScheduleRate
        fields = ["code", "modifier", "method", "rate", "percent", "description"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        code = (data.get("code") or "").upper()
        modifier = (data.get("modifier") or "").upper()
        if code and not CODE_PATTERN.match(code):
            self.add_error(
                "code", "A 5-character CPT/HCPCS code, a prefix such as J*, or * for every other code."
            )
        if not MODIFIER_PATTERN.match(modifier):
            self.add_error("modifier", "Two letters or digits, or blank for any modifier.")
        data["code"], data["modifier"] = code, modifier
        method, rate, percent = data.get("method"), data.get("rate"), data.get("percent")
        if method == PricingMethod.RATE and (rate is None or percent is not None):
            self.add_error("rate", "The rate method takes a rate (dollars per unit) and no percent.")
        if method and method != PricingMethod.RATE and (percent is None or rate is not None):
            self.add_error("percent", f"The {method} method takes a percent and no rate.")
        return data


class FeeScheduleRateInline(admin.TabularInline):
    """The rates of a version, on its page; the same role check as ReferenceDataAdmin (an inline
    asks Django's model permissions otherwise, which roles do not grant)."""

    model = FeeScheduleRate
    form = FeeScheduleRateForm
    extra = 0

    def _allowed(self, request) -> bool:
        return user_has(request.user, Capability.REFERENCE_MANAGE)

    def has_view_permission(self, request, obj=None):
        return self._allowed(request)

    def has_add_permission(self, request, obj=None):
        return self._allowed(request)

    def has_change_permission(self, request, obj=None):
        return self._allowed(request)

    def has_delete_permission(self, request, obj=None):
        return self._allowed(request)


class FeeScheduleForm(forms.ModelForm):
    class Meta:
        model = FeeSchedule
        fields = ["kind", "payer", "name", "effective_from", "effective_to"]

    def clean(self):
        super().clean()
        data = self.cleaned_data
        start, end = data.get("effective_from"), data.get("effective_to")
        if start is None or data.get("kind") is None:
            return data
        others = FeeSchedule.objects.filter(kind=data["kind"], payer=data.get("payer")).exclude(
            pk=self.instance.pk
        )
        overlap = others.filter(Q(effective_to__isnull=True) | Q(effective_to__gte=start))
        if end is not None:
            overlap = overlap.filter(effective_from__lte=end)
        clash = overlap.first()
        if clash is not None:
            raise forms.ValidationError(f"These dates overlap {clash}: one version in force per day.")
        return data


@admin.register(FeeSchedule)
class FeeScheduleAdmin(ReferenceDataAdmin):
    form = FeeScheduleForm
    inlines = [FeeScheduleRateInline]
    list_display = [
        "name",
        "kind",
        "payer",
        "effective_from",
        "effective_to",
        "rate_count",
        "file_name",
        "imported_by",
    ]
    list_filter = ["kind", "payer"]
    search_fields = ["name", "payer__name", "payer__payer_id"]
    readonly_fields = ["file_name", "imported_by", "created_at", "updated_at"]
    change_list_template = "payments/admin/fee_schedule_change_list.html"

    def get_queryset(self, request):
        return super().get_queryset(request).select_related("payer", "imported_by").annotate(n=Count("rates"))

    @admin.display(description="rates", ordering="n")
    def rate_count(self, obj):
        return obj.n

    def get_urls(self):
        custom = [
            path("import/", self.admin_site.admin_view(self.import_view), name="payments_feeschedule_import"),
        ]
        return custom + super().get_urls()

    def import_view(self, request):
        if not self._allowed(request):
            raise PermissionDenied
        form = FeeScheduleUploadForm(request.POST or None, request.FILES or None)
        if request.method == "POST" and form.is_valid():
            data = form.cleaned_data
            try:
                schedule = fee_schedule_import(
                    text=form.text,
                    kind=ScheduleKind(data["kind"]),
                    payer=data["payer"],
                    effective_from=data["effective_from"],
                    effective_to=data["effective_to"],
                    name=data["name"],
                    file_name=data["file"].name,
                    replace=data["replace"],
                    actor=request.user,
                )
            except DomainError as exc:
                problems = exc.extra.get("problems")
                form.add_error(
                    None,
                    "Nothing was imported. Fix these lines and import the file again:"
                    if problems
                    else exc.message,
                )
                for problem in problems or []:
                    form.add_error(None, problem)
            else:
                messages.success(request, f"Imported {schedule} with {schedule.rates.count()} rates.")
                return redirect(reverse("admin:payments_feeschedule_change", args=[schedule.pk]))
        context = {
            **self.admin_site.each_context(request),
            "title": "Import a fee schedule from CSV",
            "form": form,
            "opts": self.model._meta,
        }
        return TemplateResponse(request, "payments/admin/fee_schedule_import.html", context)

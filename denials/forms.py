"""Forms of the denial page and the queue: shape checks only; the services decide."""

from __future__ import annotations

from decimal import Decimal
from typing import cast

from django import forms
from django.contrib.auth import get_user_model
from django.http import QueryDict

from claims.domain.claim_edit import ClaimChanges, LineChange
from denials.domain.types import DenialStatus
from denials.models import Denial
from intake.models import Coverage

REASON_ATTRS = {"rows": 2, "cols": 60}


def billers():
    return get_user_model().objects.filter(groups__name="biller", is_active=True).order_by("username")


class _BillerChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return obj.get_full_name() or obj.get_username()


class AssignForm(forms.Form):
    owner = _BillerChoice(queryset=billers(), required=False, empty_label="Nobody", label="Owner")

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        cast(forms.ModelChoiceField, self.fields["owner"]).queryset = billers()


class BulkAssignForm(AssignForm):
    denials = forms.CharField(widget=forms.HiddenInput, required=False)

    def clean_denials(self):
        ids = [v for v in cast(QueryDict, self.data).getlist("denial") if v]
        if not ids:
            raise forms.ValidationError("Tick the denials to reassign.")
        return ids


class StatusForm(forms.Form):
    status = forms.ChoiceField(
        choices=[(s.value, s.label) for s in DenialStatus if s != DenialStatus.RESOLVED], label="Status"
    )
    note = forms.CharField(required=False, widget=forms.Textarea(attrs=REASON_ATTRS), label="Note (optional)")


class NoteForm(forms.Form):
    text = forms.CharField(
        widget=forms.Textarea(attrs={"rows": 3, "cols": 60}), label="Note", max_length=5000
    )


class ReasonForm(forms.Form):
    reason = forms.CharField(widget=forms.Textarea(attrs=REASON_ATTRS), label="Reason", max_length=2000)


class RecoveredForm(forms.Form):
    amount = forms.DecimalField(
        max_digits=12, decimal_places=2, min_value=Decimal("0.01"), label="Amount recovered"
    )
    note = forms.CharField(
        widget=forms.Textarea(attrs=REASON_ATTRS), label="How it was recovered", max_length=2000
    )


class BillPatientForm(forms.Form):
    note = forms.CharField(required=False, widget=forms.Textarea(attrs=REASON_ATTRS), label="Note (optional)")


class _CoverageChoice(forms.ModelChoiceField):
    def label_from_instance(self, obj):
        return f"{obj.payer.name} ({obj.get_rank_display()}, member {obj.member_id})"


class RebillForm(ReasonForm):
    coverage = _CoverageChoice(queryset=Coverage.objects.none(), label="Bill this coverage")

    def __init__(self, *args, denial: Denial, **kwargs):
        super().__init__(*args, **kwargs)
        field = cast(forms.ModelChoiceField, self.fields["coverage"])
        field.queryset = (
            Coverage.objects.filter(patient_id=denial.claim.patient_id)
            .exclude(pk=denial.claim.coverage_id)
            .select_related("payer")
        )


class CorrectionForm(ReasonForm):
    """The corrections a denial usually needs: the denied line's code, modifiers and units, the
    diagnoses, the authorization number. Blank fields keep their value."""

    code = forms.CharField(required=False, max_length=5, label="Procedure code")
    modifiers = forms.CharField(required=False, max_length=20, label="Modifiers", help_text="e.g. JZ 59")
    units = forms.CharField(required=False, max_length=10, label="Units")
    diagnosis_codes = forms.CharField(
        required=False, max_length=200, label="Diagnoses", help_text="e.g. K50.90 Z79.899"
    )
    prior_auth_number = forms.CharField(required=False, max_length=50, label="Authorization number")

    def changes(self, denial: Denial) -> ClaimChanges:
        data = self.cleaned_data
        values = {}
        if data.get("diagnosis_codes", "").strip():
            values["diagnosis_codes"] = data["diagnosis_codes"].strip()
        if data.get("prior_auth_number", "").strip():
            values["prior_auth_number"] = data["prior_auth_number"].strip()
        line_values = {
            name: data[name].strip() for name in ("code", "modifiers", "units") if data.get(name, "").strip()
        }
        lines: tuple[LineChange, ...] = ()
        if line_values and denial.claim_line is not None:
            lines = (LineChange(key=denial.claim_line.line_control_number, values=line_values),)
        return ClaimChanges(values=values, lines=lines)

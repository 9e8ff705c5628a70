"""Intake forms: they check the shape of the input; the services check the rules."""

from __future__ import annotations

from decimal import Decimal
from typing import Any, cast

from django import forms

from infusion_rcm.common.identifiers import format_icd10cm
from infusion_rcm.common.models import enum_choices
from intake.domain.authorization import AuthStatus
from intake.domain.coverage import CoverageRank
from intake.domain.types import Relationship
from intake.models import BillingProvider, Coverage, Order, Patient, Payer, Prescriber, ServiceLocation


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def _choices(enum) -> list[tuple[str, str]]:
    return enum_choices(enum)


class PatientForm(forms.ModelForm):
    billing_provider = forms.ModelChoiceField(queryset=BillingProvider.objects.all())
    confirm_not_duplicate = forms.BooleanField(
        required=False, label="This is a different person from the likely duplicates listed above"
    )

    class Meta:
        model = Patient
        fields = [
            "billing_provider", "mrn", "first_name", "last_name", "date_of_birth", "sex", "address_line1",
            "address_line2", "city", "state", "zip_code", "phone", "guarantor_name", "guarantor_relationship",
        ]  # fmt: skip
        widgets = {"date_of_birth": DateInput()}

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        providers = BillingProvider.objects.all()
        if providers.count() == 1:
            self.fields["billing_provider"].initial = providers.first()
        self.fields["state"].help_text = "Two letters, e.g. IL"

    def clean_state(self):
        return self.cleaned_data["state"].upper()


class CoverageForm(forms.Form):
    payer = forms.ModelChoiceField(queryset=Payer.objects.filter(active=True))
    rank = forms.ChoiceField(choices=_choices(CoverageRank))
    member_id = forms.CharField(max_length=80, help_text="Medicare: the 11-character MBI, e.g. 1EG4-TE5-MK73")
    group_number = forms.CharField(max_length=50, required=False)
    relationship = forms.ChoiceField(
        choices=_choices(Relationship),
        initial=Relationship.SELF,
        label="Patient's relationship to subscriber",
    )
    subscriber_first_name = forms.CharField(max_length=35, required=False)
    subscriber_last_name = forms.CharField(max_length=60, required=False)
    subscriber_date_of_birth = forms.DateField(required=False, widget=DateInput())
    effective_date = forms.DateField(widget=DateInput())
    end_date = forms.DateField(required=False, widget=DateInput())


class OrderForm(forms.Form):
    prescriber = forms.ModelChoiceField(queryset=Prescriber.objects.all())
    location = forms.ModelChoiceField(queryset=ServiceLocation.objects.none(), label="Site of care")
    therapy = forms.CharField(max_length=80)
    diagnosis_codes = forms.CharField(
        max_length=200, help_text="ICD-10-CM billable codes separated by commas, primary first (e.g. K50.90)"
    )
    start_date = forms.DateField(widget=DateInput())
    end_date = forms.DateField(required=False, widget=DateInput())
    notes = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, patient: Patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["location"].queryset = ServiceLocation.objects.filter(  # type: ignore[attr-defined]  # a ModelChoiceField
            billing_provider=patient.billing_provider
        )

    def clean_diagnosis_codes(self):
        return [
            c.strip() for c in self.cleaned_data["diagnosis_codes"].replace(";", ",").split(",") if c.strip()
        ]


class DrugForm(forms.Form):
    hcpcs = forms.CharField(max_length=5, label="HCPCS", required=False)
    dose = forms.DecimalField(max_digits=10, decimal_places=3, required=False)
    dose_unit = forms.ChoiceField(
        choices=[("", "—"), ("mg", "mg"), ("g", "g"), ("mcg", "mcg"), ("mL", "mL"), ("units", "units")],
        required=False,
    )
    frequency = forms.CharField(max_length=40, required=False)
    duration = forms.CharField(max_length=40, required=False)

    def clean(self):
        data = cast(dict[str, Any], super().clean())  # Django returns cleaned_data
        if data.get("hcpcs") and (
            data.get("dose") is None or not data.get("dose_unit") or not data.get("frequency")
        ):
            raise forms.ValidationError("Give the dose, its unit and the frequency for each drug.")
        return data


DrugFormSet = forms.formset_factory(DrugForm, extra=3, max_num=10)


class EligibilityForm(forms.Form):
    checked_on = forms.DateField(widget=DateInput())
    service_date = forms.DateField(widget=DateInput())
    active = forms.TypedChoiceField(
        choices=[("true", "Active"), ("false", "Not active")], coerce=lambda v: v == "true", label="Coverage"
    )
    plan_name = forms.CharField(max_length=80, required=False)
    copay = forms.DecimalField(max_digits=12, decimal_places=2, required=False)
    coinsurance_percent = forms.DecimalField(
        max_digits=5, decimal_places=2, required=False, label="Coinsurance %"
    )
    deductible = forms.DecimalField(max_digits=12, decimal_places=2, required=False)
    deductible_remaining = forms.DecimalField(max_digits=12, decimal_places=2, required=False)
    out_of_pocket_remaining = forms.DecimalField(max_digits=12, decimal_places=2, required=False)
    message = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 2}), label="Notes")


class Request270Form(forms.Form):
    service_date = forms.DateField(widget=DateInput())


class Import271Form(forms.Form):
    file = forms.FileField(required=False, label="271 file")
    text = forms.CharField(required=False, widget=forms.Textarea(attrs={"rows": 6}), label="or paste the 271")

    def clean(self):
        data = cast(dict[str, Any], super().clean())  # Django returns cleaned_data
        upload = data.get("file")
        if upload:
            try:
                data["text"] = upload.read().decode("utf-8-sig")
            except UnicodeDecodeError as exc:
                raise forms.ValidationError("The file is not a text (X12) file.") from exc
        if not (data.get("text") or "").strip():
            raise forms.ValidationError("Choose a 271 file or paste its text.")
        return data


class AuthForm(forms.Form):
    coverage = forms.ModelChoiceField(queryset=Coverage.objects.none())
    order = forms.ModelChoiceField(queryset=Order.objects.none(), required=False)
    auth_number = forms.CharField(max_length=50)
    start_date = forms.DateField(widget=DateInput())
    end_date = forms.DateField(widget=DateInput())
    status = forms.ChoiceField(choices=_choices(AuthStatus), initial=AuthStatus.APPROVED)

    def __init__(self, *args, patient: Patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["coverage"].queryset = Coverage.objects.filter(patient=patient).select_related("payer")  # type: ignore[attr-defined]  # a ModelChoiceField
        self.fields["order"].queryset = Order.objects.filter(patient=patient)  # type: ignore[attr-defined]  # a ModelChoiceField


class AuthServiceForm(forms.Form):
    code = forms.CharField(max_length=5, required=False, help_text="HCPCS/CPT")
    authorized_units = forms.DecimalField(max_digits=10, decimal_places=3, required=False)
    unit_kind = forms.ChoiceField(choices=[("units", "Units"), ("visits", "Visits")], initial="units")

    def clean(self):
        data = cast(dict[str, Any], super().clean())  # Django returns cleaned_data
        if data.get("code") and data.get("authorized_units") is None:
            raise forms.ValidationError("Give the authorized units for each code.")
        return data


AuthServiceFormSet = forms.formset_factory(AuthServiceForm, extra=3, max_num=10)


class AdvanceForm(forms.Form):
    no_auth_reason = forms.CharField(
        max_length=200,
        required=False,
        label="No authorization required because",
        help_text="Only when the payer requires no prior authorization for these codes.",
    )


class CoverageEndForm(forms.Form):
    end_date = forms.DateField(widget=forms.DateInput(attrs={"type": "date"}), label="Ends on")


REASON_HELP = "Why it changed (e.g. the payer's letter of 3/4); kept with the change history."


class OrderEditForm(OrderForm):
    """The order form filled from the order; the drugs come in their own formset."""

    reason = forms.CharField(
        max_length=300, required=False, label="Reason for the change", help_text=REASON_HELP
    )

    @staticmethod
    def initial_for(order: Order) -> dict[str, Any]:
        return {
            "prescriber": order.prescriber_id,
            "location": order.location_id,
            "therapy": order.therapy,
            "diagnosis_codes": ", ".join(format_icd10cm(c) for c in order.diagnosis_codes),
            "start_date": order.start_date,
            "end_date": order.end_date,
            "notes": order.notes,
        }


DrugEditFormSet = forms.formset_factory(DrugForm, extra=1, max_num=10)


def plain_number(value: Decimal) -> str:
    """400.000 -> "400", 2.500 -> "2.5" (never "4E+2"): how a stored amount is shown in a field."""
    return format(value.normalize(), "f")


def drug_initial(order: Order) -> list[dict[str, Any]]:
    return [
        {"hcpcs": d.hcpcs, "dose": plain_number(d.dose), "dose_unit": d.dose_unit, "frequency": d.frequency,
         "duration": d.duration}
        for d in order.drugs.all().order_by("id")
    ]  # fmt: skip


class AuthEditForm(forms.Form):
    order = forms.ModelChoiceField(queryset=Order.objects.none(), required=False)
    auth_number = forms.CharField(max_length=50)
    start_date = forms.DateField(widget=DateInput())
    end_date = forms.DateField(widget=DateInput())
    status = forms.ChoiceField(choices=_choices(AuthStatus))
    reason = forms.CharField(
        max_length=300, required=False, label="Reason for the change", help_text=REASON_HELP
    )

    def __init__(self, *args, patient: Patient, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["order"].queryset = Order.objects.filter(patient=patient)  # type: ignore[attr-defined]  # a ModelChoiceField


class AuthServiceEditForm(AuthServiceForm):
    used_units = forms.DecimalField(
        max_digits=10,
        decimal_places=3,
        min_value=0,
        required=False,
        label="Used",
        help_text="Units used so far; never below what signed visits drew",
    )
    field_order = ["code", "authorized_units", "used_units", "unit_kind"]


AuthServiceEditFormSet = forms.formset_factory(AuthServiceEditForm, extra=1, max_num=10)

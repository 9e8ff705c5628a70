"""Forms of the patient side: a patient payment (and what it pays), a refund request and a
manager's decision, a payment plan, a statement suppression, a statement run."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.utils import timezone

from infusion_rcm.common.models import enum_choices
from intake.forms import DateInput
from payments.domain.patient import PaymentChannel, PaymentMethod
from payments.domain.statement import SuppressionReason


class PatientPaymentForm(forms.Form):
    amount = forms.DecimalField(min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    method = forms.ChoiceField(choices=enum_choices(PaymentMethod))
    channel = forms.ChoiceField(label="Received", choices=enum_choices(PaymentChannel))
    reference = forms.CharField(
        required=False,
        max_length=40,
        help_text="Check number, or the card terminal's approval reference (never the card number)",
    )
    received_on = forms.DateField(widget=DateInput, initial=timezone.localdate)
    payer_name = forms.CharField(required=False, max_length=95, label="Paid by (if not the patient)")
    note = forms.CharField(required=False, max_length=300)
    apply = forms.ChoiceField(
        choices=[("oldest", "Oldest balance first"), ("chosen", "To the services below")],
        initial="oldest",
        widget=forms.RadioSelect,
    )
    plan = forms.BooleanField(required=False, label="Counts toward the payment plan")

    def __init__(self, *args, services=(), **kwargs):
        super().__init__(*args, **kwargs)
        self.service_fields = []
        for public_id, label, due in services:
            name = f"apply_{public_id}"
            self.fields[name] = forms.DecimalField(
                required=False,
                min_value=Decimal("0.01"),
                label=f"{label} (owes {due})",
                max_digits=12,
                decimal_places=2,
            )
            self.service_fields.append((public_id, name))

    def applications(self) -> list[tuple[str, Decimal]]:
        if self.cleaned_data.get("apply") != "chosen":
            return []
        out = [
            (pid, self.cleaned_data[name]) for pid, name in self.service_fields if self.cleaned_data.get(name)
        ]
        return out

    def clean(self):
        data = super().clean() or {}
        if data.get("apply") == "chosen" and not any(data.get(name) for _, name in self.service_fields):
            raise forms.ValidationError(
                "Give the amount for at least one service, or apply to the oldest balance first."
            )
        return data


class RefundRequestForm(forms.Form):
    amount = forms.DecimalField(min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    reason = forms.CharField(
        max_length=300, help_text="e.g. coinsurance paid twice; secondary paid after the patient"
    )


class RefundDecisionForm(forms.Form):
    decision = forms.ChoiceField(choices=[("approve", "Approve"), ("reject", "Reject")])
    reference = forms.CharField(required=False, max_length=40, label="Refund check number")
    note = forms.CharField(required=False, max_length=300)


class PaymentPlanForm(forms.Form):
    total = forms.DecimalField(min_value=Decimal("0.01"), max_digits=12, decimal_places=2)
    instalments = forms.IntegerField(min_value=1, max_value=60, initial=3)
    first_due = forms.DateField(widget=DateInput)
    every_days = forms.IntegerField(min_value=7, max_value=92, initial=30, label="Days between instalments")
    note = forms.CharField(required=False, max_length=300)


class SuppressionForm(forms.Form):
    reason = forms.ChoiceField(choices=enum_choices(SuppressionReason))
    note = forms.CharField(required=False, max_length=300)
    starts_on = forms.DateField(widget=DateInput, initial=timezone.localdate)
    ends_on = forms.DateField(widget=DateInput, required=False, help_text="blank: until lifted")


class StatementRunForm(forms.Form):
    as_of = forms.DateField(label="Statement date", widget=DateInput, initial=timezone.localdate)
    minimum = forms.DecimalField(
        label="Minimum patient balance",
        min_value=Decimal("0.00"),
        required=False,
        max_digits=12,
        decimal_places=2,
    )
    interval_days = forms.IntegerField(
        label="Not sent a statement in the last (days)", min_value=0, max_value=365, required=False
    )


class BalanceFilterForm(forms.Form):
    show = forms.ChoiceField(
        required=False,
        choices=[
            ("due", "Patients who owe"),
            ("credit", "Credit balances"),
            ("pending", "Waiting on insurance"),
        ],
        initial="due",
    )

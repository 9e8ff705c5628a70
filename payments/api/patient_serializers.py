"""API shapes of the patient side: the ledger, patient payments (and the command that records
one), refunds, statements and statement runs. Money goes out as strings with two places; money
coming in must be a string or an integer (a JSON float has already lost the cents)."""

from __future__ import annotations

from decimal import Decimal

from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from infusion_rcm.common.models import enum_choices
from payments.domain.patient import PaymentChannel, PaymentMethod
from payments.models_patient import PatientPayment, PatientRefund, Statement, StatementRun


@extend_schema_field(OpenApiTypes.STR)
class MoneyInput(serializers.Field):
    """An amount as a string ("25.00"); floats refused."""

    def to_internal_value(self, data):
        if isinstance(data, (float, bool)):
            raise serializers.ValidationError(
                'Give amounts as strings with cents, e.g. "25.00", never a JSON float.'
            )
        try:
            return Decimal(str(data))
        except ArithmeticError:
            raise serializers.ValidationError(f"{data!r} is not an amount.") from None

    def to_representation(self, value):
        return f"{value:.2f}"


class ApplicationInput(serializers.Serializer):
    service = serializers.UUIDField(help_text="the service's claim (public id), as the ledger lists it")
    amount = MoneyInput()


class PatientPaymentInput(serializers.Serializer):
    patient = serializers.UUIDField()
    amount = MoneyInput()
    method = serializers.ChoiceField(choices=enum_choices(PaymentMethod))
    channel = serializers.ChoiceField(choices=enum_choices(PaymentChannel))
    reference = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    received_on = serializers.DateField()
    payer_name = serializers.CharField(required=False, allow_blank=True, max_length=95, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")
    applications = ApplicationInput(
        many=True, required=False, help_text="to these services; none: the oldest patient-due first"
    )
    plan = serializers.BooleanField(required=False, default=False, help_text="counts toward the active plan")


class ApplicationSerializer(serializers.Serializer):
    service = serializers.UUIDField(source="claim.public_id")
    claim_number = serializers.CharField(source="claim.claim_number")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class PatientPaymentSerializer(serializers.ModelSerializer):
    patient = serializers.UUIDField(source="patient.public_id")
    receipt_number = serializers.CharField()
    applications = ApplicationSerializer(many=True)
    received_by = serializers.CharField(source="received_by.username")

    class Meta:
        model = PatientPayment
        fields = [
            "public_id",
            "receipt_number",
            "patient",
            "received_on",
            "channel",
            "method",
            "reference",
            "amount",
            "payer_name",
            "note",
            "applications",
            "balance_after",
            "patient_due_after",
            "received_by",
            "created_at",
        ]


class RefundInput(serializers.Serializer):
    patient = serializers.UUIDField()
    amount = MoneyInput()
    reason = serializers.CharField(max_length=300)


class RefundDecisionInput(serializers.Serializer):
    approve = serializers.BooleanField()
    reference = serializers.CharField(required=False, allow_blank=True, max_length=40, default="")
    note = serializers.CharField(required=False, allow_blank=True, max_length=300, default="")


class RefundSerializer(serializers.ModelSerializer):
    patient = serializers.UUIDField(source="patient.public_id")
    requested_by = serializers.CharField(source="requested_by.username")
    decided_by = serializers.CharField(source="decided_by.username", allow_null=True, default=None)
    status = serializers.CharField(
        read_only=True, help_text="requested (waits for a manager), approved or rejected"
    )

    class Meta:
        model = PatientRefund
        fields = [
            "public_id",
            "patient",
            "amount",
            "reason",
            "status",
            "requested_by",
            "decided_by",
            "decided_at",
            "decision_note",
            "reference",
            "created_at",
        ]


class StatementSerializer(serializers.ModelSerializer):
    number = serializers.CharField()
    patient = serializers.UUIDField(source="patient.public_id")
    run = serializers.UUIDField(source="run.public_id", allow_null=True, default=None)

    class Meta:
        model = Statement
        fields = [
            "public_id",
            "number",
            "patient",
            "run",
            "statement_date",
            "due_date",
            "amount_due",
            "patient_due",
            "insurance_pending",
            "credit",
            "dunning_level",
            "created_at",
        ]


class StatementDetailSerializer(StatementSerializer):
    class Meta(StatementSerializer.Meta):
        fields = [*StatementSerializer.Meta.fields, "content"]


class StatementRunInput(serializers.Serializer):
    as_of = serializers.DateField(required=False, help_text="statement date (default today)")
    minimum = MoneyInput(required=False, help_text="minimum patient-due (default: the settings)")
    interval_days = serializers.IntegerField(required=False, min_value=0, max_value=365)


class StatementRunSerializer(serializers.ModelSerializer):
    statements = serializers.SerializerMethodField()

    class Meta:
        model = StatementRun
        fields = [
            "public_id",
            "run_on",
            "minimum_balance",
            "interval_days",
            "statement_count",
            "total_due",
            "skipped",
            "statements",
            "created_at",
        ]

    def get_statements(self, obj) -> list[str]:
        return [str(s) for s in obj.statements.values_list("public_id", flat=True)]


class PayerResultSerializer(serializers.Serializer):
    payer = serializers.CharField(source="payer_name")
    adjudicated = serializers.BooleanField()
    paid = serializers.DecimalField(max_digits=12, decimal_places=2)
    adjusted = serializers.DecimalField(max_digits=12, decimal_places=2)
    patient_responsibility = serializers.DecimalField(max_digits=12, decimal_places=2)
    adjudicated_on = serializers.DateField(allow_null=True)
    reasons = serializers.ListField(child=serializers.CharField())


class ServiceSerializer(serializers.Serializer):
    service = serializers.UUIDField()
    claim_number = serializers.CharField()
    date_of_service = serializers.DateField()
    description = serializers.CharField()
    charge = serializers.DecimalField(max_digits=12, decimal_places=2)
    insurance_paid = serializers.DecimalField(max_digits=12, decimal_places=2)
    adjusted = serializers.DecimalField(max_digits=12, decimal_places=2)
    patient_paid = serializers.DecimalField(max_digits=12, decimal_places=2)
    state = serializers.CharField(help_text="insurance_pending, patient_due or settled")
    insurance_pending = serializers.DecimalField(max_digits=12, decimal_places=2)
    patient_due = serializers.DecimalField(max_digits=12, decimal_places=2)
    credit = serializers.DecimalField(max_digits=12, decimal_places=2)
    due_since = serializers.DateField(allow_null=True)
    waiting_on = serializers.CharField()
    payers = PayerResultSerializer(many=True)


class ActivitySerializer(serializers.Serializer):
    on = serializers.DateField()
    kind = serializers.CharField()
    text = serializers.CharField()
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)
    balance = serializers.DecimalField(max_digits=12, decimal_places=2)


class LedgerSerializer(serializers.Serializer):
    patient = serializers.UUIDField()
    charges = serializers.DecimalField(max_digits=12, decimal_places=2)
    insurance_paid = serializers.DecimalField(max_digits=12, decimal_places=2)
    adjusted = serializers.DecimalField(max_digits=12, decimal_places=2)
    patient_payments = serializers.DecimalField(max_digits=12, decimal_places=2)
    refunds = serializers.DecimalField(max_digits=12, decimal_places=2)
    unapplied = serializers.DecimalField(max_digits=12, decimal_places=2)
    credit = serializers.DecimalField(max_digits=12, decimal_places=2)
    insurance_pending = serializers.DecimalField(max_digits=12, decimal_places=2)
    patient_due = serializers.DecimalField(max_digits=12, decimal_places=2)
    balance = serializers.DecimalField(max_digits=12, decimal_places=2)
    services = ServiceSerializer(many=True)
    activity = ActivitySerializer(many=True)

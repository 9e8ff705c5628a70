"""Payments API serializers: remittance files (list, detail with everything in them), claim
payments, the upload and match inputs. Codes go out with their meaning, so a reader needs no
code list."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from payments.domain.codes import AdjustmentGroup, ClaimStatus, PlbReason
from payments.models import (
    Adjustment,
    ClaimPayment,
    LinePayment,
    ProviderAdjustment,
    Remittance,
    RemittanceFile,
)

_GROUPS = {g.value: g.meaning for g in AdjustmentGroup}
_STATUSES = {s.value: s.meaning for s in ClaimStatus}
_PLB = {r.value: r.meaning for r in PlbReason}


class AdjustmentSerializer(serializers.ModelSerializer):
    group_meaning = serializers.SerializerMethodField()

    class Meta:
        model = Adjustment
        fields = ["group", "group_meaning", "reason", "amount", "quantity"]

    def get_group_meaning(self, obj) -> str:
        return _GROUPS.get(obj.group, obj.group)


class LinePaymentSerializer(serializers.ModelSerializer):
    claim_line = serializers.SerializerMethodField(help_text="our line control number, when matched")
    match_method = serializers.CharField(read_only=True, help_text="control_number, procedure or none")
    adjustments = AdjustmentSerializer(many=True, read_only=True)
    remark_codes = serializers.SerializerMethodField()

    class Meta:
        model = LinePayment
        fields = [
            "sequence",
            "line_control_number",
            "claim_line",
            "match_method",
            "procedure_qualifier",
            "procedure_code",
            "modifiers",
            "original_procedure_code",
            "original_modifiers",
            "revenue_code",
            "units_paid",
            "original_units",
            "service_date_from",
            "service_date_to",
            "charge",
            "paid",
            "allowed",
            "adjustments",
            "remark_codes",
        ]

    def get_claim_line(self, obj) -> str | None:
        return obj.claim_line.line_control_number if obj.claim_line_id else None

    def get_remark_codes(self, obj) -> list[str]:
        return [r.code for r in obj.remarks.all()]


class ClaimPaymentSerializer(serializers.ModelSerializer):
    status = serializers.CharField(
        read_only=True, help_text="pending, unmatched, held, posted or duplicate (posting, not the claim's)"
    )
    match_method = serializers.CharField(
        read_only=True, help_text="claim_number, payer_claim_number, manual or none"
    )
    claim: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True
    )
    claim_number = serializers.CharField(source="claim.claim_number", read_only=True, default=None)
    claim_status_meaning = serializers.SerializerMethodField()
    patient_name = serializers.SerializerMethodField()
    file: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        source="remittance.file", slug_field="public_id", read_only=True
    )

    class Meta:
        model = ClaimPayment
        fields = [
            "public_id",
            "file",
            "status",
            "patient_control_number",
            "claim",
            "claim_number",
            "match_method",
            "claim_status_code",
            "claim_status_meaning",
            "is_reversal",
            "payer_claim_number",
            "charge",
            "paid",
            "patient_responsibility",
            "patient_name",
            "member_id",
            "service_date_from",
            "service_date_to",
            "crossover_carrier",
            "claim_status_result",
            "note",
            "posted_at",
        ]

    def get_claim_status_meaning(self, obj) -> str:
        return _STATUSES.get(obj.claim_status_code, obj.claim_status_code)

    def get_patient_name(self, obj) -> str:
        return ", ".join(p for p in (obj.patient_last_name, obj.patient_first_name) if p)


class ClaimPaymentDetailSerializer(ClaimPaymentSerializer):
    adjustments = serializers.SerializerMethodField(help_text="claim-level adjustments (CAS)")
    lines = LinePaymentSerializer(many=True, read_only=True)

    class Meta(ClaimPaymentSerializer.Meta):
        fields = [*ClaimPaymentSerializer.Meta.fields, "adjustments", "lines"]

    def get_adjustments(self, obj) -> list[dict]:
        rows = getattr(obj, "claim_adjustments", None)
        if rows is None:
            rows = obj.adjustments.filter(line_payment__isnull=True).order_by("pk")
        return list(AdjustmentSerializer(rows, many=True).data)


class ProviderAdjustmentSerializer(serializers.ModelSerializer):
    reason_meaning = serializers.SerializerMethodField()
    claim: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True
    )

    class Meta:
        model = ProviderAdjustment
        fields = [
            "provider_identifier",
            "fiscal_period_date",
            "reason",
            "reason_meaning",
            "reference",
            "amount",
            "claim",
        ]

    def get_reason_meaning(self, obj) -> str:
        return _PLB.get(obj.reason, obj.reason)


class RemittanceSerializer(serializers.ModelSerializer):
    claim_payments = ClaimPaymentDetailSerializer(many=True, read_only=True)
    provider_adjustments = ProviderAdjustmentSerializer(many=True, read_only=True)
    payer: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True
    )

    class Meta:
        model = Remittance
        fields = [
            "sequence",
            "payer",
            "payer_identifier",
            "payer_name",
            "payee_name",
            "payee_npi",
            "payee_tin",
            "trace_number",
            "payment_amount",
            "payment_method",
            "credit_debit",
            "payment_date",
            "production_date",
            "claim_count",
            "provider_adjustment_total",
            "provider_adjustments",
            "claim_payments",
        ]


class RemittanceFileSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="received, parsed, failed or posted")
    source = serializers.CharField(  # type: ignore[assignment]  # the model field "source" shadows Field.source
        read_only=True, help_text="835 (an 835 file) or paper (a paper EOB entered by hand)"
    )
    received_by = serializers.SlugRelatedField(slug_field="username", read_only=True)  # type: ignore[var-annotated]
    balanced = serializers.SerializerMethodField(help_text="read and balanced (false: refused, see error)")

    class Meta:
        model = RemittanceFile
        fields = [
            "public_id",
            "source",
            "file_name",
            "status",
            "balanced",
            "interchange_control",
            "sender_id",
            "usage",
            "remittance_count",
            "claim_count",
            "total_paid",
            "total_claims_paid",
            "provider_adjustment_total",
            "error",
            "warnings",
            "received_by",
            "created_at",
            "posted_at",
        ]

    def get_balanced(self, obj) -> bool | None:
        if obj.status == "received":
            return None
        return obj.status != "failed"


class RemittanceFileDetailSerializer(RemittanceFileSerializer):
    remittances = RemittanceSerializer(many=True, read_only=True)

    class Meta(RemittanceFileSerializer.Meta):
        fields = [*RemittanceFileSerializer.Meta.fields, "remittances"]


class UploadSerializer(serializers.Serializer):
    file = serializers.FileField(required=False, help_text="the 835 file (multipart)")
    text = serializers.CharField(required=False, trim_whitespace=False, help_text="or the 835 as text")
    file_name = serializers.CharField(required=False, max_length=200)
    post = serializers.BooleanField(
        default=True, help_text="post once read (on the era queue); false: keep it parsed for a preview"
    )

    def validate(self, attrs):
        if not attrs.get("file") and not attrs.get("text"):
            raise serializers.ValidationError("Send the 835 as a file (multipart 'file') or as 'text'.")
        return attrs


class UploadResultSerializer(serializers.Serializer):
    file = RemittanceFileSerializer()
    created = serializers.BooleanField(
        help_text="false: this exact file was received before (nothing changes)"
    )
    queued = serializers.BooleanField(help_text="posting was queued on the era queue")


class PostResultSerializer(serializers.Serializer):
    file = serializers.UUIDField()
    status = serializers.CharField()
    claims_posted = serializers.IntegerField()
    claims_already_posted = serializers.IntegerField()
    unmatched = serializers.IntegerField()
    held = serializers.IntegerField()
    total_paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    errors = serializers.ListField(child=serializers.CharField())  # type: ignore[assignment]  # the output key "errors" shadows Serializer.errors


class PreviewClaimSerializer(serializers.Serializer):
    claim_payment = serializers.UUIDField()
    patient_control_number = serializers.CharField()
    claim = serializers.UUIDField(allow_null=True)
    claim_status_now = serializers.CharField(allow_null=True)
    claim_status_after = serializers.CharField(allow_null=True)
    status_reason = serializers.CharField()
    paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    patient_responsibility = serializers.DecimalField(max_digits=14, decimal_places=2)
    adjustment_amount = serializers.DecimalField(max_digits=14, decimal_places=2)
    fate = serializers.CharField(
        help_text="post, hold: <why>, unmatched, duplicate, or its status once posted"
    )


class PreviewSerializer(serializers.Serializer):
    file = serializers.UUIDField()
    status = serializers.CharField()
    would_post = serializers.IntegerField()
    would_hold = serializers.IntegerField()
    unmatched = serializers.IntegerField()
    duplicates = serializers.IntegerField()
    total_paid = serializers.DecimalField(max_digits=14, decimal_places=2)
    claims = PreviewClaimSerializer(many=True)
    provider_adjustments = serializers.ListField(child=serializers.DictField())


class MatchSerializer(serializers.Serializer):
    claim = serializers.UUIDField(help_text="public id of our claim this payment is for")


class CandidateSerializer(serializers.Serializer):
    public_id = serializers.UUIDField()
    claim_number = serializers.CharField()
    status = serializers.CharField()
    patient_name = serializers.SerializerMethodField()
    payer_name = serializers.CharField(source="payer.name")
    service_date_from = serializers.DateField()
    service_date_to = serializers.DateField()
    total_charge = serializers.DecimalField(max_digits=12, decimal_places=2)

    def get_patient_name(self, obj) -> str:
        return str(obj.patient)


class CandidateQuerySerializer(serializers.Serializer):
    patient = serializers.CharField(required=False, allow_blank=True, help_text='"last" or "last, first"')
    service_date = serializers.DateField(required=False)
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)

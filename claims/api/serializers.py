"""Claims API serializers: output shapes for claims, edits, events, batches; payer rule input."""

from __future__ import annotations

from typing import Any

from rest_framework import serializers

from claims import services
from claims.domain.types import ClaimForm
from claims.models import Claim, ClaimEdit, ClaimEvent, ClaimLine, PayerRule, SubmissionBatch
from infusion_rcm.common.errors import InvalidInputError
from intake.models import Payer


class ClaimLineSerializer(serializers.ModelSerializer):
    class Meta:
        model = ClaimLine
        fields = [
            "line_number",
            "line_control_number",
            "service_date_from",
            "service_date_to",
            "code",
            "modifiers",
            "units",
            "charge",
            "diagnosis_pointers",
            "ndc",
            "ndc_quantity",
            "ndc_unit",
            "revenue_code",
        ]


class ClaimEditSerializer(serializers.ModelSerializer):
    claim: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True
    )

    class Meta:
        model = ClaimEdit
        fields = [
            "id",
            "claim",
            "code",
            "severity",
            "message",
            "fix_hint",
            "line_number",
            "rule_id",
            "created_at",
        ]


class ClaimEventSerializer(serializers.ModelSerializer):
    actor: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = ClaimEvent
        fields = ["from_status", "to_status", "actor", "reason", "payload", "created_at"]


class ClaimSerializer(serializers.ModelSerializer):
    # Plain strings in the schema: the status / form choice sets are documented on the model and
    # shared with other apps' "status" fields, which would otherwise collide as enum names.
    status = serializers.CharField(read_only=True, help_text="claim status (draft, needs_fix, ready, ...)")
    form = serializers.CharField(read_only=True, help_text="837P or 837I")
    payer: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True
    )
    payer_name = serializers.CharField(source="payer.name", read_only=True)
    patient: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True
    )
    batch: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True
    )

    class Meta:
        model = Claim
        fields = [
            "public_id",
            "claim_number",
            "status",
            "form",
            "frequency_code",
            "patient",
            "payer",
            "payer_name",
            "service_date_from",
            "service_date_to",
            "total_charge",
            "place_of_service",
            "diagnosis_codes",
            "prior_auth_number",
            "payer_claim_number",
            "status_reason",
            "batch",
            "created_at",
            "updated_at",
        ]


class ClaimDetailSerializer(ClaimSerializer):
    lines = ClaimLineSerializer(many=True, read_only=True)
    edits = ClaimEditSerializer(many=True, read_only=True)
    events = ClaimEventSerializer(many=True, read_only=True)

    class Meta(ClaimSerializer.Meta):
        fields = [*ClaimSerializer.Meta.fields, "lines", "edits", "events"]


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=500)


class VoidCheckSerializer(serializers.Serializer):
    status = serializers.CharField()
    can_void = serializers.BooleanField()


class QueuedSerializer(serializers.Serializer):
    queued = serializers.BooleanField()
    detail = serializers.CharField()


class BatchSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="held, ready, released or withdrawn")
    form = serializers.CharField(read_only=True, help_text="837P or 837I")
    payer: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True
    )
    payer_name = serializers.CharField(source="payer.name", read_only=True)

    class Meta:
        model = SubmissionBatch
        fields = [
            "public_id",
            "payer",
            "payer_name",
            "form",
            "status",
            "interchange_control_number",
            "group_control_number",
            "file_name",
            "claim_count",
            "total_charge",
            "validated",
            "validation_errors",
            "created_at",
            "released_at",
        ]


class BatchBuildSerializer(serializers.Serializer):
    payer: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Payer.objects.all()
    )
    form = serializers.CharField(
        required=False, help_text="837P or 837I; default: the oldest ready claim's form"
    )

    def validate_form(self, value):
        if value not in {f.value for f in ClaimForm}:
            raise serializers.ValidationError("Use 837P or 837I.")
        return value


class ReadyPayerSerializer(serializers.Serializer):
    payer = serializers.UUIDField()
    payer_name = serializers.CharField()
    form = serializers.CharField()
    claims = serializers.IntegerField()
    total_charge = serializers.DecimalField(max_digits=14, decimal_places=2)


class PayerRuleSerializer(serializers.ModelSerializer):
    """Admin CRUD; `config` is validated with the pydantic rule union (parse_payer_rules)."""

    payer: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Payer.objects.all(), allow_null=True, required=False
    )
    note = serializers.CharField(write_only=True, required=False, allow_blank=True, max_length=200)

    class Meta:
        model = PayerRule
        fields = ["id", "rule_id", "kind", "payer", "config", "enabled", "version", "note", "updated_at"]
        read_only_fields = ["rule_id", "kind", "version", "updated_at"]

    def validate_config(self, value):
        try:
            services.payer_rule_validate(value)
        except InvalidInputError as exc:
            raise serializers.ValidationError(exc.message) from exc
        return value

    def create(self, validated_data):
        return self._save(None, validated_data)

    def update(self, instance, validated_data):
        return self._save(instance, validated_data)

    def _save(self, instance, data):
        user = self.context["request"].user
        return services.payer_rule_save(
            rule=instance,
            payer=data.get("payer", instance.payer if instance else None),
            config=data.get("config", instance.config if instance else {}),
            enabled=data.get("enabled", instance.enabled if instance else False),
            actor=user,
            note=data.get("note", ""),
        )

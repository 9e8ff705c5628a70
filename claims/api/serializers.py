"""Claims API serializers: output shapes for claims, edits, events, batches; payer rule input."""

from __future__ import annotations

from collections import defaultdict
from decimal import Decimal
from typing import Any

from django.db.models import Sum
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from claims import services
from claims.domain.types import ClaimForm
from claims.models import Claim, ClaimEdit, ClaimEvent, ClaimLine, PayerRule, SubmissionBatch
from infusion_rcm.common.errors import InvalidInputError
from intake.models import Payer

# A claim's money is the payments ledger: rows of payments.Posting point here by foreign key
# (related_name "postings" on Claim and ClaimLine) and are summed by `category` (paid,
# patient_responsibility, adjustment). They are read through that reverse relation by field name
# so claims never imports payments: apps import only from the apps to their left
# (docs/architecture.md), and a selector in payments called from here would be that import.
# One query per claim, shared by the claim and its lines through the serializer context.
_ZERO = Decimal("0.00")


def _claim_money(context: Any, claim_id: int) -> dict:
    cache = context.setdefault("_claim_money", {})
    if claim_id not in cache:
        money: dict[str, Any] = {"claim": defaultdict(lambda: _ZERO), "lines": defaultdict(list)}
        rows = (
            Claim(pk=claim_id)
            .postings.values("claim_line_id", "category", "group", "reason")
            .annotate(total=Sum("amount"))
            .order_by("claim_line_id", "category", "group", "reason")
        )
        for row in rows:
            money["claim"][row["category"]] += row["total"]
            if row["claim_line_id"] is None:
                continue
            if row["category"] == "paid":
                money["claim"][("line_paid", row["claim_line_id"])] += row["total"]
            elif row["total"] != _ZERO:  # a reversed adjustment nets to zero: gone
                money["lines"][row["claim_line_id"]].append(
                    {"group": row["group"], "reason": row["reason"], "amount": str(row["total"])}
                )
        cache[claim_id] = money
    return cache[claim_id]


class LineAdjustmentSerializer(serializers.Serializer):
    group = serializers.CharField(help_text="CO, PR, OA, PI or CR")
    reason = serializers.CharField(help_text="CARC")
    amount = serializers.DecimalField(max_digits=12, decimal_places=2)


class ClaimLineSerializer(serializers.ModelSerializer):
    paid_amount = serializers.SerializerMethodField(
        help_text="what payers paid on this line (835 SVC03, net)"
    )
    adjustments = serializers.SerializerMethodField(help_text="net adjustments posted on this line")

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_paid_amount(self, obj) -> str:
        return str(_claim_money(self.context, obj.claim_id)["claim"][("line_paid", obj.pk)])

    @extend_schema_field(LineAdjustmentSerializer(many=True))
    def get_adjustments(self, obj) -> list[dict]:
        return _claim_money(self.context, obj.claim_id)["lines"].get(obj.pk, [])

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
            "paid_amount",
            "adjustments",
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
    # Coordination of benefits (docs/billing-rules/secondary-claims.md), read-only: the next
    # payer's claims are built from the posted remittance, never through the API.
    payer_sequence = serializers.CharField(
        read_only=True, help_text="payer responsibility (SBR01): P primary, S secondary, T tertiary"
    )
    prior_claim: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="public_id",
        read_only=True,
        help_text="the claim whose payer's adjudication this next-payer claim was built from "
        "(null for a primary claim)",
    )
    forwarded_to = serializers.CharField(
        read_only=True,
        help_text="crossover: the carrier the payer forwarded the claim to itself (835 NM1*TT); blank if none",
    )
    forwarded_coverage: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="public_id", read_only=True, help_text="crossover: the coverage the claim was forwarded to"
    )
    forwarded_on = serializers.DateField(
        read_only=True, help_text="crossover: the remittance date that said so"
    )
    forwarded_era_on = serializers.DateField(
        read_only=True,
        help_text="crossover: when the crossover payer's own remittance posted (null: still waiting)",
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
            "payer_sequence",
            "prior_claim",
            "forwarded_to",
            "forwarded_coverage",
            "forwarded_on",
            "forwarded_era_on",
            "created_at",
            "updated_at",
        ]


class ClaimDetailSerializer(ClaimSerializer):
    lines = ClaimLineSerializer(many=True, read_only=True)
    edits = ClaimEditSerializer(many=True, read_only=True)
    events = ClaimEventSerializer(many=True, read_only=True)
    next_payer_claims: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="public_id",
        many=True,
        read_only=True,
        help_text="the secondary (or tertiary) claims built from this claim's adjudications",
    )

    paid_amount = serializers.SerializerMethodField(
        help_text="paid by payers (sum of 835 payments, net of reversals)"
    )
    patient_responsibility = serializers.SerializerMethodField(
        help_text="PR adjustments: the patient's share"
    )
    adjustment_amount = serializers.SerializerMethodField(
        help_text="CO / OA / PI adjustments (written off or to work)"
    )
    balance = serializers.SerializerMethodField(
        help_text="total charge - paid - adjustments: still to collect (patient responsibility included)"
    )

    class Meta(ClaimSerializer.Meta):
        fields = [
            *ClaimSerializer.Meta.fields,
            "paid_amount",
            "patient_responsibility",
            "adjustment_amount",
            "balance",
            "next_payer_claims",
            "lines",
            "edits",
            "events",
        ]

    def _money(self, obj, category: str) -> Decimal:
        return _claim_money(self.context, obj.pk)["claim"][category]

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_paid_amount(self, obj) -> str:
        return str(self._money(obj, "paid"))

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_patient_responsibility(self, obj) -> str:
        return str(self._money(obj, "patient_responsibility"))

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_adjustment_amount(self, obj) -> str:
        return str(self._money(obj, "adjustment"))

    @extend_schema_field(serializers.DecimalField(max_digits=12, decimal_places=2))
    def get_balance(self, obj) -> str:
        return str(obj.total_charge - self._money(obj, "paid") - self._money(obj, "adjustment"))


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


# ---------------------------------------------------------------------------
# Claim edit and corrections (claims.api.claim_edit)
# ---------------------------------------------------------------------------


class LineEditSerializer(serializers.Serializer):
    """One line of an edit: fields left out keep their value."""

    line_control_number = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=30,
        help_text="An existing line (REF*6R); leave out to add a line.",
    )
    remove = serializers.BooleanField(
        required=False, default=False, help_text="Take this line off the claim."
    )
    code = serializers.CharField(required=False, max_length=5)
    modifiers = serializers.ListField(child=serializers.CharField(max_length=2), required=False, max_length=4)
    units = serializers.DecimalField(max_digits=10, decimal_places=3, required=False)
    charge = serializers.DecimalField(max_digits=12, decimal_places=2, required=False)
    service_date_from = serializers.DateField(required=False)
    service_date_to = serializers.DateField(required=False)
    diagnosis_pointers = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=25), required=False, max_length=4
    )
    ndc = serializers.CharField(required=False, allow_blank=True, max_length=13)
    ndc_quantity = serializers.DecimalField(max_digits=10, decimal_places=3, required=False, allow_null=True)
    ndc_unit = serializers.CharField(
        required=False, allow_blank=True, max_length=2, help_text="UN, ML, GR, F2 or ME"
    )
    revenue_code = serializers.CharField(required=False, allow_blank=True, max_length=4)


class ClaimEditInputSerializer(serializers.Serializer):
    """A biller's edit: the claim's `version` (from GET .../edit/), why, and the values that change."""

    version = serializers.CharField(
        max_length=64, help_text="The version the edit was made on (GET .../edit/)."
    )
    reason = serializers.CharField(max_length=500, help_text="Why the claim changes; kept in its history.")
    diagnosis_codes = serializers.ListField(
        child=serializers.CharField(max_length=10),
        required=False,
        max_length=25,
        help_text="ICD-10-CM; first = principal",
    )
    prior_auth_number = serializers.CharField(required=False, allow_blank=True, max_length=50)
    place_of_service = serializers.CharField(required=False, allow_blank=True, max_length=2)
    rendering_provider_npi = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=10
    )
    supervising_provider_npi = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=10
    )
    referring_provider_npi = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=10
    )
    ordering_provider_npi = serializers.CharField(
        required=False, allow_blank=True, allow_null=True, max_length=10
    )
    lines = LineEditSerializer(many=True, required=False)


class FindingSerializer(serializers.Serializer):
    code = serializers.CharField()
    severity = serializers.CharField()
    message = serializers.CharField()
    fix_hint = serializers.CharField()
    line_number = serializers.IntegerField(allow_null=True)
    field = serializers.CharField(help_text="The edit field that fixes it ('' when the claim holds none).")


class ClaimEditStateSerializer(serializers.Serializer):
    version = serializers.CharField()
    editable = serializers.BooleanField()
    status = serializers.CharField()
    form = serializers.CharField()
    diagnosis_codes = serializers.ListField(child=serializers.CharField())
    prior_auth_number = serializers.CharField()
    place_of_service = serializers.CharField()
    providers = serializers.DictField(child=serializers.CharField(), help_text="role -> NPI ('' when none)")
    lines = ClaimLineSerializer(many=True)
    findings = FindingSerializer(many=True)


class CorrectionOptionsSerializer(serializers.Serializer):
    status = serializers.CharField()
    edit = serializers.BooleanField()
    void = serializers.BooleanField()
    replace = serializers.BooleanField()
    void_at_payer = serializers.BooleanField()
    reopening = serializers.ListField(
        child=serializers.CharField(),
        help_text="Medicare Part B: what to do instead of a replacement or void.",
    )
    waiting = serializers.CharField()

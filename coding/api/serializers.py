from rest_framework import serializers

from coding.models import ChargeLine, Visit, VisitFinding


class ChargeLineSerializer(serializers.ModelSerializer):
    visit = serializers.UUIDField(source="visit.public_id", read_only=True)
    billed_code = serializers.CharField(read_only=True)
    billed_modifiers = serializers.ListField(child=serializers.CharField(), read_only=True)
    billed_units = serializers.IntegerField(read_only=True)

    class Meta:
        model = ChargeLine
        fields = [
            "public_id",
            "visit",
            "line_number",
            "service_date_from",
            "service_date_to",
            "code",
            "modifiers",
            "units",
            "reason",
            "rule_ids",
            "ndc",
            "ndc_quantity",
            "ndc_unit",
            "unit_price",
            "charge",
            "status",
            "billed_code",
            "billed_modifiers",
            "billed_units",
            "override_reason",
        ]


class VisitFindingSerializer(serializers.ModelSerializer):
    """A warning or note stored with the visit: the engine's (at signing) or intake's (at the start)."""

    class Meta:
        model = VisitFinding
        fields = ["source", "severity", "rule_id", "message", "code", "path"]


class VisitSerializer(serializers.ModelSerializer):
    patient = serializers.UUIDField(source="patient.public_id", read_only=True)
    charge_lines = ChargeLineSerializer(many=True, read_only=True)
    findings = VisitFindingSerializer(many=True, read_only=True)

    class Meta:
        model = Visit
        fields = [
            "public_id",
            "patient",
            "date_of_service",
            "status",
            "signed_at",
            "charge_lines",
            "findings",
        ]


class PreviewLineSerializer(serializers.Serializer):
    code = serializers.CharField()
    modifiers = serializers.ListField(child=serializers.CharField())
    units = serializers.IntegerField()
    reason = serializers.CharField()
    rule_ids = serializers.ListField(child=serializers.CharField())
    ndc = serializers.CharField(required=False)
    ndc_quantity = serializers.CharField(required=False)
    ndc_unit = serializers.CharField(required=False)


class PreviewWarningSerializer(serializers.Serializer):
    severity = serializers.CharField()
    code = serializers.CharField()
    message = serializers.CharField()
    path = serializers.CharField()


class PreviewResultSerializer(serializers.Serializer):
    id = serializers.CharField()
    place_of_service = serializers.CharField()
    claim_form = serializers.CharField()
    lines = PreviewLineSerializer(many=True)
    warnings = PreviewWarningSerializer(many=True)

"""Denials API serializers: denials with their reason in words, history, and the action inputs."""

from __future__ import annotations

from decimal import Decimal

from rest_framework import serializers

from denials.catalog import reason_in_words
from denials.models import Denial, DenialEvent, WriteOffRequest
from payments.reason_codes import rarc_description


class DenialSerializer(serializers.ModelSerializer):
    status = serializers.CharField(read_only=True, help_text="new, in_progress, waiting_on_payer or resolved")
    category = serializers.CharField(read_only=True)
    next_action = serializers.CharField(read_only=True)
    resolution = serializers.CharField(
        read_only=True, help_text="recovered, written_off, patient_billed, voided, reversed or blank"
    )
    claim = serializers.UUIDField(source="claim.public_id", read_only=True)
    claim_number = serializers.CharField(source="claim.claim_number", read_only=True)
    payer = serializers.CharField(source="payer.name", read_only=True)
    line = serializers.SerializerMethodField(
        help_text="the denied line's control number; null: the whole claim"
    )
    reason = serializers.SerializerMethodField(help_text="group-CARC and its description")
    category_label = serializers.CharField(source="get_category_display", read_only=True)
    next_action_label = serializers.CharField(source="get_next_action_display", read_only=True)
    owner = serializers.SerializerMethodField()

    class Meta:
        model = Denial
        fields = [
            "public_id",
            "claim",
            "claim_number",
            "payer",
            "line",
            "group",
            "carc",
            "rarcs",
            "reason",
            "category",
            "category_label",
            "next_action",
            "next_action_label",
            "sentence",
            "amount",
            "service_date",
            "notice_date",
            "appeal_deadline",
            "corrected_claim_deadline",
            "due_date",
            "priority",
            "status",
            "resolution",
            "recovered_amount",
            "owner",
        ]

    def get_line(self, obj) -> str | None:
        return obj.claim_line.line_control_number if obj.claim_line_id else None

    def get_reason(self, obj) -> str:
        return reason_in_words(obj.group, obj.carc)

    def get_owner(self, obj) -> str | None:
        return obj.owner.get_username() if obj.owner_id else None


class DenialEventSerializer(serializers.ModelSerializer):
    actor = serializers.SerializerMethodField()

    class Meta:
        model = DenialEvent
        fields = ["created_at", "kind", "from_status", "to_status", "message", "actor"]

    def get_actor(self, obj) -> str | None:
        return obj.actor.get_username() if obj.actor_id else None


class DenialDetailSerializer(DenialSerializer):
    events = DenialEventSerializer(many=True, read_only=True)
    reasons = serializers.JSONField(read_only=True, help_text="every adjustment that made it a denial")
    remarks = serializers.SerializerMethodField()
    deadline_basis = serializers.CharField(read_only=True)
    result_claim = serializers.SerializerMethodField(help_text="the claim an action sent in its place")

    class Meta(DenialSerializer.Meta):
        fields = [
            *DenialSerializer.Meta.fields,
            "reasons",
            "remarks",
            "deadline_basis",
            "result_claim",
            "events",
        ]

    def get_remarks(self, obj) -> list[dict[str, str]]:
        return [{"code": c, "description": rarc_description(c)} for c in obj.rarcs]

    def get_result_claim(self, obj) -> str | None:
        return obj.result_claim.claim_number if obj.result_claim_id else None


class ExplanationQuerySerializer(serializers.Serializer):
    group = serializers.CharField(max_length=2, required=False, help_text="CO, PR, OA, PI or CR")
    carc = serializers.CharField(max_length=5, required=False, help_text="the claim adjustment reason code")
    code = serializers.CharField(
        max_length=8, required=False, help_text="group and CARC at once, e.g. CO-197"
    )
    rarc = serializers.ListField(child=serializers.CharField(max_length=8), required=False)
    payer = serializers.CharField(max_length=80, required=False, help_text="a payer's electronic payer ID")


class RarcSerializer(serializers.Serializer):
    code = serializers.CharField()
    description = serializers.CharField()


class ExplanationSerializer(serializers.Serializer):
    group = serializers.CharField()
    group_meaning = serializers.CharField()
    carc = serializers.CharField()
    carc_description = serializers.CharField()
    rarcs = RarcSerializer(many=True)
    category = serializers.CharField()
    category_label = serializers.CharField()
    next_action = serializers.CharField()
    next_action_label = serializers.CharField()
    sentence = serializers.CharField()
    rule = serializers.CharField(help_text="the catalog rule that decided")
    source = serializers.CharField(help_text="shipped or admin")  # type: ignore[assignment]  # the catalog's name for a rule's origin


class ReasonRuleSerializer(serializers.Serializer):
    group = serializers.CharField()
    carc = serializers.CharField()
    rarc = serializers.CharField()
    payer_kind = serializers.CharField()
    payer = serializers.CharField()
    category = serializers.CharField(allow_null=True)
    next_action = serializers.CharField()
    sentence = serializers.CharField()
    source = serializers.CharField()  # type: ignore[assignment]  # the catalog's name for a rule's origin


class ReasonTextSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)


class NoteSerializer(serializers.Serializer):
    text = serializers.CharField(max_length=5000)


class StatusSerializer(serializers.Serializer):
    status = serializers.CharField(max_length=20, help_text="new, in_progress or waiting_on_payer")
    note = serializers.CharField(max_length=5000, required=False, allow_blank=True)


class AssignSerializer(serializers.Serializer):
    owner = serializers.CharField(allow_null=True, help_text="a biller's username; null: nobody")


class LineCorrectionSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=5, required=False)
    modifiers = serializers.ListField(child=serializers.CharField(max_length=2), required=False, max_length=4)
    units = serializers.CharField(max_length=10, required=False, help_text="a whole number, e.g. 40")


class CorrectSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    line = LineCorrectionSerializer(required=False, help_text="changes to the denied line")
    diagnosis_codes = serializers.ListField(child=serializers.CharField(max_length=8), required=False)
    prior_auth_number = serializers.CharField(max_length=50, required=False)


class RebillSerializer(serializers.Serializer):
    reason = serializers.CharField(max_length=2000)
    coverage = serializers.UUIDField(help_text="the public id of another coverage of the patient")


class RecoveredSerializer(serializers.Serializer):
    amount = serializers.DecimalField(max_digits=12, decimal_places=2, min_value=Decimal("0.01"))
    note = serializers.CharField(max_length=2000)


class BillPatientSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)


class ClaimResultSerializer(serializers.Serializer):
    claim = serializers.UUIDField()
    claim_number = serializers.CharField()
    frequency_code = serializers.CharField()
    denial = DenialSerializer()


class WriteOffSerializer(serializers.ModelSerializer):
    denial = serializers.UUIDField(source="denial.public_id", read_only=True)
    status = serializers.CharField(read_only=True, help_text="pending, approved or refused")
    requested_by = serializers.SerializerMethodField()

    class Meta:
        model = WriteOffRequest
        fields = ["id", "denial", "amount", "reason", "status", "requested_by", "created_at", "decision_note"]

    def get_requested_by(self, obj) -> str | None:
        return obj.requested_by.get_username() if obj.requested_by_id else None


class WriteOffResultSerializer(serializers.Serializer):
    denial = DenialSerializer()
    write_off = WriteOffSerializer(allow_null=True)


class DecisionSerializer(serializers.Serializer):
    note = serializers.CharField(max_length=2000, required=False, allow_blank=True)

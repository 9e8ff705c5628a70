"""Intake API: output serializers (what a role may read) and input serializers (what a service takes)."""

from __future__ import annotations

from typing import Any, cast

from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from infusion_rcm.common.models import enum_choices
from intake import mappers
from intake.domain.authorization import AuthStatus, burn_down
from intake.domain.coverage import CoverageRank
from intake.domain.types import OrderStatus, Relationship
from intake.models import (
    AuthorizedService,
    BillingProvider,
    Coverage,
    EligibilityCheck,
    IntakeEvent,
    Order,
    OrderDrug,
    Patient,
    Payer,
    Prescriber,
    PriorAuthorization,
    ServiceLocation,
)

# Choice sets shared by a read and an edit serializer: named once in the schema
# (SPECTACULAR_SETTINGS["ENUM_NAME_OVERRIDES"]), so an edit endpoint reuses the read enum.
AUTH_STATUS_CHOICES = enum_choices(AuthStatus)
UNIT_KIND_CHOICES = list(AuthorizedService._meta.get_field("unit_kind").choices or [])

# --- patients --------------------------------------------------------------------------------------


class PatientSerializer(serializers.ModelSerializer):
    class Meta:
        model = Patient
        fields = [
            "public_id", "mrn", "first_name", "last_name", "date_of_birth", "sex",
            "address_line1", "address_line2", "city", "state", "zip_code", "phone",
            "guarantor_name", "guarantor_relationship",
        ]  # fmt: skip
        read_only_fields = ["public_id"]


class PatientCreatedSerializer(PatientSerializer):
    likely_duplicates = serializers.SerializerMethodField(
        help_text="Public ids of patients with the same name and date of birth (a warning, not a refusal)."
    )

    class Meta(PatientSerializer.Meta):
        fields = [*PatientSerializer.Meta.fields, "likely_duplicates"]

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField()))
    def get_likely_duplicates(self, obj):
        return [str(p.public_id) for p in self.context.get("duplicates", [])]


class PatientInputSerializer(serializers.Serializer):
    billing_provider_npi = serializers.SlugRelatedField(
        slug_field="npi",
        queryset=BillingProvider.objects.all(),
        required=False,
        help_text="NPI of the billing provider; may be left out when there is only one.",
    )
    mrn = serializers.CharField(max_length=30)
    first_name = serializers.CharField(max_length=35)
    last_name = serializers.CharField(max_length=60)
    date_of_birth = serializers.DateField()
    sex = serializers.ChoiceField(choices=Patient.Sex.choices)
    address_line1 = serializers.CharField(max_length=55)
    address_line2 = serializers.CharField(max_length=55, required=False, default="", allow_blank=True)
    city = serializers.CharField(max_length=30)
    state = serializers.RegexField(r"^[A-Za-z]{2}$", max_length=2)
    zip_code = serializers.RegexField(r"^\d{5}(\d{4})?$", max_length=9)
    phone = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    guarantor_name = serializers.CharField(max_length=95, required=False, default="", allow_blank=True)
    guarantor_relationship = serializers.CharField(
        max_length=30, required=False, default="", allow_blank=True
    )

    def validate(self, attrs):
        if "billing_provider_npi" not in attrs:
            providers = list(BillingProvider.objects.all()[:2])
            if len(providers) != 1:
                raise serializers.ValidationError(
                    {"billing_provider_npi": "Name the billing provider's NPI."}
                )
            attrs["billing_provider_npi"] = providers[0]
        return attrs


# --- coverage --------------------------------------------------------------------------------------


class PayerBriefSerializer(serializers.ModelSerializer):
    class Meta:
        model = Payer
        fields = ["payer_id", "name", "kind", "claim_form"]


class CoverageSerializer(serializers.ModelSerializer):
    patient = serializers.UUIDField(source="patient.public_id", read_only=True)
    payer = PayerBriefSerializer(read_only=True)

    class Meta:
        model = Coverage
        fields = [
            "public_id", "patient", "payer", "rank", "member_id", "group_number", "relationship",
            "subscriber_first_name", "subscriber_last_name", "subscriber_date_of_birth",
            "effective_date", "end_date",
        ]  # fmt: skip


class CoverageInputSerializer(serializers.Serializer):
    patient = serializers.SlugRelatedField(slug_field="public_id", queryset=Patient.objects.all())
    payer = serializers.SlugRelatedField(
        slug_field="payer_id", queryset=Payer.objects.filter(active=True), help_text="electronic payer ID"
    )
    rank = serializers.ChoiceField(choices=[r.value for r in CoverageRank])
    member_id = serializers.CharField(max_length=80)
    group_number = serializers.CharField(max_length=50, required=False, default="", allow_blank=True)
    relationship = serializers.ChoiceField(choices=[r.value for r in Relationship], default=Relationship.SELF)
    subscriber_first_name = serializers.CharField(max_length=35, required=False, default="", allow_blank=True)
    subscriber_last_name = serializers.CharField(max_length=60, required=False, default="", allow_blank=True)
    subscriber_date_of_birth = serializers.DateField(required=False, allow_null=True, default=None)
    effective_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True, default=None)


# --- orders ----------------------------------------------------------------------------------------


class OrderDrugSerializer(serializers.ModelSerializer):
    class Meta:
        model = OrderDrug
        fields = ["hcpcs", "dose", "dose_unit", "frequency", "duration"]


class OrderSerializer(serializers.ModelSerializer):
    patient = serializers.UUIDField(source="patient.public_id", read_only=True)
    prescriber_npi = serializers.CharField(source="prescriber.npi", read_only=True)
    prescriber_name = serializers.CharField(source="prescriber.__str__", read_only=True)
    location = serializers.CharField(source="location.name", read_only=True)
    drugs = OrderDrugSerializer(many=True, read_only=True)

    class Meta:
        model = Order
        fields = [
            "public_id", "patient", "prescriber_npi", "prescriber_name", "location", "therapy",
            "diagnosis_codes", "start_date", "end_date", "status", "auth_not_required_reason", "notes", "drugs",
        ]  # fmt: skip


class DrugInputSerializer(serializers.Serializer):
    hcpcs = serializers.CharField(max_length=5)
    dose = serializers.DecimalField(max_digits=10, decimal_places=3)
    dose_unit = serializers.CharField(max_length=8)
    frequency = serializers.CharField(max_length=40)
    duration = serializers.CharField(max_length=40, required=False, default="", allow_blank=True)


class OrderInputSerializer(serializers.Serializer):
    patient = serializers.SlugRelatedField(slug_field="public_id", queryset=Patient.objects.all())
    prescriber_npi = serializers.SlugRelatedField(
        slug_field="npi", queryset=Prescriber.objects.all(), help_text="NPI of a prescriber on file"
    )
    location = serializers.PrimaryKeyRelatedField(
        queryset=ServiceLocation.objects.all(), help_text="site of care id"
    )
    therapy = serializers.CharField(max_length=80)
    diagnosis_codes = serializers.ListField(
        child=serializers.CharField(max_length=10), min_length=1, max_length=12
    )
    start_date = serializers.DateField()
    end_date = serializers.DateField(required=False, allow_null=True, default=None)
    notes = serializers.CharField(required=False, default="", allow_blank=True)
    drugs = DrugInputSerializer(many=True)


class OrderEditInputSerializer(serializers.Serializer):
    """Only the fields sent change; `drugs`, when sent, is the order's whole new drug list."""

    prescriber_npi = serializers.SlugRelatedField(
        slug_field="npi",
        queryset=Prescriber.objects.all(),
        required=False,
        help_text="NPI of a prescriber on file",
    )
    location = serializers.PrimaryKeyRelatedField(
        queryset=ServiceLocation.objects.all(), required=False, help_text="site of care id"
    )
    therapy = serializers.CharField(max_length=80, required=False)
    diagnosis_codes = serializers.ListField(
        child=serializers.CharField(max_length=10), min_length=1, max_length=12, required=False
    )
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False, allow_null=True)
    notes = serializers.CharField(required=False, allow_blank=True)
    drugs = DrugInputSerializer(many=True, required=False)
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)

    def validate(self, attrs):
        if not set(attrs) - {"reason"}:
            raise serializers.ValidationError("Send at least one field to change.")
        return attrs


class IntakeEventSerializer(serializers.ModelSerializer):
    actor = serializers.CharField(source="actor.get_username", read_only=True, allow_null=True, default=None)

    class Meta:
        model = IntakeEvent
        fields = ["created_at", "kind", "actor", "changed_fields", "from_status", "to_status", "reason"]


class OrderAdvanceInputSerializer(serializers.Serializer):
    to_status = serializers.ChoiceField(choices=[s.value for s in OrderStatus])
    no_auth_reason = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)


class OrderAdvanceSerializer(serializers.Serializer):
    status = serializers.CharField()
    next_status = serializers.CharField(allow_null=True)
    blockers = serializers.ListField(child=serializers.CharField())
    missing_auth = serializers.ListField(child=serializers.CharField())
    eligibility_stale = serializers.BooleanField()


# --- eligibility -----------------------------------------------------------------------------------


class EligibilityCheckSerializer(serializers.ModelSerializer):
    coverage = serializers.UUIDField(source="coverage.public_id", read_only=True)
    patient = serializers.UUIDField(source="coverage.patient.public_id", read_only=True)
    payer = serializers.CharField(source="coverage.payer.name", read_only=True)

    class Meta:
        model = EligibilityCheck
        fields = [
            "public_id", "coverage", "patient", "payer", "checked_on", "service_date", "source", "status",
            "active", "plan_name", "copay", "coinsurance_percent", "deductible", "deductible_remaining",
            "out_of_pocket_remaining", "message", "trace_number",
        ]  # fmt: skip


class EligibilityCheckInputSerializer(serializers.Serializer):
    coverage = serializers.SlugRelatedField(slug_field="public_id", queryset=Coverage.objects.all())
    mode = serializers.ChoiceField(
        choices=["manual", "270"],
        default="manual",
        help_text="manual: the payer's answer typed in; 270: send an inquiry and wait for the 271",
    )
    service_date = serializers.DateField()
    checked_on = serializers.DateField(required=False, help_text="manual only; defaults to today")
    active = serializers.BooleanField(required=False, allow_null=True, default=None)
    plan_name = serializers.CharField(max_length=80, required=False, default="", allow_blank=True)
    copay = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    coinsurance_percent = serializers.DecimalField(
        max_digits=5, decimal_places=2, required=False, allow_null=True, default=None
    )
    deductible = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    deductible_remaining = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    out_of_pocket_remaining = serializers.DecimalField(
        max_digits=12, decimal_places=2, required=False, allow_null=True, default=None
    )
    message = serializers.CharField(required=False, default="", allow_blank=True)

    def validate(self, attrs):
        if attrs["mode"] == "manual" and attrs.get("active") is None:
            raise serializers.ValidationError(
                {"active": "Say whether the payer reports the coverage active."}
            )
        return attrs


class Import271InputSerializer(serializers.Serializer):
    text = serializers.CharField(trim_whitespace=False, help_text="the 271 file's text (ISA ... IEA)")


# --- prior authorizations --------------------------------------------------------------------------


class AuthorizedServiceSerializer(serializers.ModelSerializer):
    remaining_units = serializers.SerializerMethodField()
    percent_remaining = serializers.SerializerMethodField()

    class Meta:
        model = AuthorizedService
        fields = [
            "code",
            "unit_kind",
            "authorized_units",
            "used_units",
            "remaining_units",
            "percent_remaining",
        ]

    def _burn(self, obj):
        cache = cast(dict[str, Any], self.context).setdefault("_burn", {})  # a dict at run time
        if obj.authorization_id not in cache:
            cache[obj.authorization_id] = {
                b.code: b for b in burn_down(mappers.authorization(obj.authorization))
            }
        return cache[obj.authorization_id][obj.code]

    @extend_schema_field(serializers.DecimalField(max_digits=10, decimal_places=3))
    def get_remaining_units(self, obj) -> str:
        return str(self._burn(obj).remaining)

    @extend_schema_field(serializers.DecimalField(max_digits=5, decimal_places=2))
    def get_percent_remaining(self, obj) -> str:
        return str(self._burn(obj).percent_remaining)


class AuthorizationSerializer(serializers.ModelSerializer):
    patient = serializers.UUIDField(source="patient.public_id", read_only=True)
    coverage = serializers.UUIDField(source="coverage.public_id", read_only=True)
    payer = serializers.CharField(source="coverage.payer.name", read_only=True)
    order = serializers.UUIDField(source="order.public_id", read_only=True, allow_null=True)
    services = AuthorizedServiceSerializer(many=True, read_only=True)

    class Meta:
        model = PriorAuthorization
        fields = [
            "public_id", "patient", "coverage", "payer", "order", "auth_number", "start_date", "end_date",
            "status", "services",
        ]  # fmt: skip


class AuthServiceInputSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=5)
    authorized_units = serializers.DecimalField(max_digits=10, decimal_places=3)
    unit_kind = serializers.ChoiceField(choices=["units", "visits"], default="units")


class AuthorizationInputSerializer(serializers.Serializer):
    coverage = serializers.SlugRelatedField(slug_field="public_id", queryset=Coverage.objects.all())
    order = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Order.objects.all(), required=False, allow_null=True, default=None
    )
    auth_number = serializers.CharField(max_length=50)
    start_date = serializers.DateField()
    end_date = serializers.DateField()
    status = serializers.ChoiceField(choices=[s.value for s in AuthStatus], default=AuthStatus.APPROVED)
    services = AuthServiceInputSerializer(many=True)


class AuthServiceEditSerializer(serializers.Serializer):
    code = serializers.CharField(max_length=5)
    authorized_units = serializers.DecimalField(max_digits=10, decimal_places=3)
    used_units = serializers.DecimalField(
        max_digits=10,
        decimal_places=3,
        required=False,
        allow_null=True,
        default=None,
        help_text="units used so far (never below what signed visits drew); left out: unchanged",
    )
    unit_kind = serializers.ChoiceField(choices=UNIT_KIND_CHOICES, default="units")


class AuthorizationEditInputSerializer(serializers.Serializer):
    """Only the fields sent change; `services`, when sent, is the whole new list of codes."""

    order = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Order.objects.all(), required=False, allow_null=True
    )
    auth_number = serializers.CharField(max_length=50, required=False)
    start_date = serializers.DateField(required=False)
    end_date = serializers.DateField(required=False)
    status = serializers.ChoiceField(choices=AUTH_STATUS_CHOICES, required=False)
    services = AuthServiceEditSerializer(many=True, required=False)
    reason = serializers.CharField(max_length=300, required=False, default="", allow_blank=True)

    def validate(self, attrs):
        if not set(attrs) - {"reason"}:
            raise serializers.ValidationError("Send at least one field to change.")
        return attrs

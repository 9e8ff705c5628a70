"""Ready to bill over the API: the queue (GET /api/v1/claims/ready-to-bill/) and claim builds
(POST /api/v1/claims/build/ queues one on the default queue and answers 202 with the build to
follow at its `url`; GET lists and shows builds, with the claims they made and what they skipped)."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils import timezone
from drf_spectacular.utils import extend_schema, extend_schema_field
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.response import Response

from claims import selectors, services
from claims.models import Claim, ClaimBuildRun
from coding.models import Visit
from infusion_rcm.accounts.roles import Capability
from infusion_rcm.audit.services import audit_list
from infusion_rcm.common.viewsets import CapabilityViewSetMixin


class ReadyVisitSerializer(serializers.Serializer):
    visit = serializers.UUIDField(source="visit.public_id")
    patient = serializers.UUIDField(source="visit.patient.public_id")
    patient_name = serializers.CharField(source="visit.patient")
    date_of_service = serializers.DateField(source="visit.date_of_service")
    site_of_care = serializers.CharField(
        source="visit.location.site_of_care", help_text="aic, ais, home, ..."
    )
    location = serializers.CharField(source="visit.location.name")
    payer = serializers.UUIDField(source="payer.public_id", allow_null=True, help_text="null: no coverage")
    payer_name = serializers.CharField(source="payer.name", allow_null=True)
    lines = serializers.IntegerField()
    total_charge = serializers.DecimalField(source="total", max_digits=14, decimal_places=2)
    held_until = serializers.DateField(
        allow_null=True, help_text="Monthly-span payer: the month's claim is built after this day"
    )


class BuiltClaimSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text="claim status now (draft until scrubbed)")

    class Meta:
        model = Claim
        fields = ["public_id", "claim_number", "status", "total_charge"]


class SkippedVisitSerializer(serializers.Serializer):
    visit = serializers.CharField(help_text="the visit's public id")
    reason = serializers.CharField()


class ClaimBuildRunSerializer(serializers.ModelSerializer):
    status = serializers.CharField(help_text="queued, running, done or failed")
    url = serializers.SerializerMethodField()
    visits = serializers.SerializerMethodField()
    claims = serializers.SerializerMethodField()
    skipped = SkippedVisitSerializer(many=True, read_only=True)
    requested_by: serializers.SlugRelatedField[Any] = serializers.SlugRelatedField(
        slug_field="username", read_only=True
    )

    class Meta:
        model = ClaimBuildRun
        fields = [
            "public_id",
            "url",
            "status",
            "visits",
            "claims",
            "skipped",
            "error",
            "requested_by",
            "created_at",
            "finished_at",
        ]

    def get_url(self, run: ClaimBuildRun) -> str:
        path = reverse("api:claims:build-detail", kwargs={"public_id": run.public_id})
        request = self.context.get("request")
        return request.build_absolute_uri(path) if request else path

    @extend_schema_field(serializers.ListField(child=serializers.UUIDField(), allow_null=True))
    def get_visits(self, run: ClaimBuildRun):
        if run.visit_ids is None:
            return None
        return [
            str(v) for v in Visit.objects.filter(pk__in=run.visit_ids).values_list("public_id", flat=True)
        ]

    @extend_schema_field(BuiltClaimSerializer(many=True))
    def get_claims(self, run: ClaimBuildRun):
        claims = Claim.objects.filter(pk__in=run.claim_ids).order_by("claim_number")
        request = self.context.get("request")
        if request is not None:
            audit_list(request, Claim, [c.pk for c in claims])
        return BuiltClaimSerializer(claims, many=True).data


class BuildRequestSerializer(serializers.Serializer):
    visits = serializers.ListField(
        child=serializers.UUIDField(),
        required=False,
        allow_null=True,
        max_length=5000,
        help_text="Visit public ids to build; leave out (or null) to build every ready visit",
    )

    def validate_visits(self, value):
        if value is None:
            return None
        if not value:
            raise serializers.ValidationError(
                "Name at least one visit, or leave `visits` out to build every ready visit."
            )
        found = dict(Visit.objects.filter(public_id__in=value).values_list("public_id", "pk"))
        unknown = [str(v) for v in dict.fromkeys(value) if v not in found]
        if unknown:
            raise serializers.ValidationError(f"No such visit: {', '.join(unknown[:20])}.")
        return [found[v] for v in dict.fromkeys(value)]


class ReadyToBillViewSet(CapabilityViewSetMixin, viewsets.GenericViewSet):
    """Signed visits whose charges are reviewed and on no live claim, oldest first."""

    required_capability = Capability.BILLING_VIEW
    serializer_class = ReadyVisitSerializer
    lookup_field = "pk"

    def get_queryset(self):
        return selectors.ready_to_bill_queue()

    def list(self, request):
        page = self.paginate_queryset(self.get_queryset())
        rows = selectors.ready_to_bill_rows(page or [], as_of=timezone.localdate())
        audit_list(request, Visit, [r.visit.pk for r in rows])
        return self.get_paginated_response(ReadyVisitSerializer(rows, many=True).data)


class ClaimBuildViewSet(
    CapabilityViewSetMixin, mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet
):
    """Claim builds: POST queues one (biller), GET follows it (billers and managers)."""

    required_capability = Capability.BILLING_VIEW
    action_capabilities = {"create": Capability.BILLING_WORK}
    serializer_class = ClaimBuildRunSerializer

    def get_queryset(self):
        return ClaimBuildRun.objects.select_related("requested_by").order_by("-created_at", "-pk")

    @extend_schema(
        request=BuildRequestSerializer,
        responses={202: ClaimBuildRunSerializer},
        description=(
            "Build claims from ready visits (all, or `visits`) on the default queue; each claim is "
            "scrubbed once built. Follow the build at its `url` until `status` is done."
        ),
    )
    def create(self, request):
        data = BuildRequestSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        run = services.claim_build_request(visit_ids=data.validated_data.get("visits"), actor=request.user)
        run.refresh_from_db()  # embedded mode builds in-process before this line
        return Response(
            ClaimBuildRunSerializer(run, context={"request": request}).data, status=status.HTTP_202_ACCEPTED
        )

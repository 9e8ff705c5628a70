"""Claims API: claims (filters; scrub and void actions), edits, batches (download, build), payer rules."""

from __future__ import annotations

from django.db.models import Prefetch
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from claims import selectors, services
from claims.api.claim_edit import EDIT_CAPABILITIES, ClaimEditActions
from claims.api.filters import ClaimFilter
from claims.api.serializers import (
    BatchBuildSerializer,
    BatchSerializer,
    ClaimDetailSerializer,
    ClaimEditSerializer,
    ClaimSerializer,
    PayerRuleSerializer,
    QueuedSerializer,
    ReadyPayerSerializer,
    ReasonSerializer,
    VoidCheckSerializer,
)
from claims.domain.transitions import CLAIM_TRANSITIONS
from claims.domain.types import ClaimStatus
from claims.models import Claim
from infusion_rcm.accounts.roles import Capability
from infusion_rcm.audit.services import audit_event
from infusion_rcm.common.viewsets import AuditedReadOnlyViewSet, CapabilityViewSetMixin


class ClaimViewSet(ClaimEditActions, AuditedReadOnlyViewSet):
    """Claims; billers and managers read. `scrub` and `void` are biller actions (GET shows the
    current edits / whether a void is allowed; POST does it); so are `edit`, `replace` and
    `void-at-payer` (claims.api.claim_edit)."""

    required_capability = Capability.BILLING_VIEW
    action_capabilities = {
        "scrub": Capability.BILLING_WORK,
        "void": Capability.BILLING_WORK,
        **EDIT_CAPABILITIES,
    }
    filterset_class = ClaimFilter

    def get_queryset(self):
        # the next-payer and crossover fields read their claim and coverage in the same query
        claims = selectors.claim_list().select_related("prior_claim", "forwarded_coverage")
        if self.action == "retrieve":
            return claims.prefetch_related(
                "lines",
                "edits",
                "events__actor",
                Prefetch(
                    "next_payer_claims", queryset=Claim.objects.only("pk", "public_id", "prior_claim_id")
                ),
            )
        return claims

    def get_serializer_class(self):
        return ClaimDetailSerializer if self.action == "retrieve" else ClaimSerializer

    @extend_schema(
        methods=["GET"], responses=ClaimEditSerializer(many=True), description="The claim's current edits."
    )
    @extend_schema(
        methods=["POST"],
        request=None,
        responses={202: QueuedSerializer},
        description="Queue a scrub of the claim on the scrub queue.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def scrub(self, request, public_id=None):
        claim = self.get_object()
        if request.method == "GET":
            return Response(ClaimEditSerializer(claim.edits.all(), many=True).data)
        if claim.status not in services.SCRUBBABLE:
            raise services.ClaimStateError(f"A {claim.status} claim cannot be scrubbed.")
        services.claim_scrub_request(claim=claim)
        return Response({"queued": True, "detail": "Scrub queued."}, status=status.HTTP_202_ACCEPTED)

    @extend_schema(
        methods=["GET"], responses=VoidCheckSerializer, description="Whether the claim may be voided now."
    )
    @extend_schema(
        methods=["POST"], request=ReasonSerializer, responses=ClaimSerializer, description="Void the claim."
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def void(self, request, public_id=None):
        claim = self.get_object()
        if request.method == "GET":
            can = CLAIM_TRANSITIONS.allowed(claim.status, ClaimStatus.VOID)
            return Response({"status": claim.status, "can_void": can})
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.claim_void(claim=claim, actor=request.user, reason=data.validated_data["reason"])
        claim.refresh_from_db()
        return Response(ClaimSerializer(claim).data)


class ClaimEditViewSet(AuditedReadOnlyViewSet):
    """Scrubber edits across claims (filter by claim, severity, code)."""

    required_capability = Capability.BILLING_VIEW
    serializer_class = ClaimEditSerializer
    lookup_field = "pk"
    filterset_fields = ["severity", "code", "rule_id"]

    def get_queryset(self):
        qs = selectors.edit_list()
        claim = self.request.query_params.get("claim")
        return qs.filter(claim__public_id=claim) if claim else qs


class BatchViewSet(CapabilityViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """837 batches: list, detail (with pyx12 errors), download, build (biller)."""

    required_capability = Capability.BILLING_VIEW
    action_capabilities = {"build": Capability.BILLING_WORK}
    serializer_class = BatchSerializer
    filterset_fields = ["status", "form"]

    def get_queryset(self):
        return selectors.batch_list()

    @extend_schema(responses={(200, "application/edi-x12"): OpenApiTypes.BINARY})
    @action(detail=True, methods=["get"])
    def download(self, request, public_id=None):
        batch = self.get_object()
        audit_event(action="export", target=batch, user=request.user)
        response = HttpResponse(batch.content, content_type="application/edi-x12")
        response["Content-Disposition"] = f'attachment; filename="{batch.file_name}"'
        return response

    @extend_schema(
        methods=["GET"],
        responses=ReadyPayerSerializer(many=True),
        description="Payers with ready claims: what a build would take.",
    )
    @extend_schema(
        methods=["POST"],
        request=BatchBuildSerializer,
        responses={202: QueuedSerializer},
        description="Queue building a batch of the payer's ready claims on the batch queue.",
    )
    @action(detail=False, methods=["get", "post"], pagination_class=None)
    def build(self, request):
        if request.method == "GET":
            return Response(ReadyPayerSerializer(selectors.payers_with_ready_claims(), many=True).data)
        data = BatchBuildSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.batch_build_request(payer=data.validated_data["payer"], form=data.validated_data.get("form"))
        return Response({"queued": True, "detail": "Batch build queued."}, status=status.HTTP_202_ACCEPTED)


class PayerRuleViewSet(CapabilityViewSetMixin, viewsets.ModelViewSet):
    """Payer rules (admins): config validated with the pydantic rule union; every save is versioned."""

    required_capability = Capability.REFERENCE_MANAGE
    serializer_class = PayerRuleSerializer
    lookup_field = "pk"

    def get_queryset(self):
        return selectors.payer_rule_list()

    @extend_schema(
        responses={204: OpenApiResponse(description="Rule switched off (rules are never deleted).")}
    )
    def destroy(self, request, *args, **kwargs):
        rule = self.get_object()
        services.payer_rule_save(
            rule=rule,
            payer=rule.payer,
            config=rule.config,
            enabled=False,
            actor=request.user,
            note="switched off (delete)",
        )
        return Response(status=status.HTTP_204_NO_CONTENT)

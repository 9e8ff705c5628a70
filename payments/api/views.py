"""Payments API: remittance files (upload, list, detail, preview, post, paper EOB entry) and claim
payments (list, detail; match by hand, approve a held reversal). Billers post; managers read."""

from __future__ import annotations

import pydantic
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.parsers import BaseParser, FormParser, JSONParser, MultiPartParser
from rest_framework.response import Response

from claims.models import Claim
from infusion_rcm.accounts.roles import Capability, user_has
from infusion_rcm.audit.services import audit_event, audit_list
from infusion_rcm.common.api import HasCapability
from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.viewsets import AuditedReadOnlyViewSet
from payments import selectors, services
from payments.api.filters import ClaimPaymentFilter, RemittanceFileFilter
from payments.api.serializers import (
    CandidateQuerySerializer,
    CandidateSerializer,
    ClaimPaymentDetailSerializer,
    ClaimPaymentSerializer,
    MatchSerializer,
    PostResultSerializer,
    PreviewSerializer,
    RemittanceFileDetailSerializer,
    RemittanceFileSerializer,
    UploadResultSerializer,
    UploadSerializer,
)
from payments.domain.manual_eob import ManualEob


class X12TextParser(BaseParser):
    """A raw 835 in the request body (text/plain or application/edi-x12)."""

    media_type = "text/*"

    def parse(self, stream, media_type=None, parser_context=None):
        return {"text": _decode(stream.read())}


class EdiParser(X12TextParser):
    media_type = "application/edi-x12"


def _decode(raw: bytes) -> str:
    try:
        return raw.decode("utf-8")
    except UnicodeDecodeError:
        # X12 is ASCII; a stray byte from a payer's system must not turn into a 500
        return raw.decode("latin-1")


class RouteCapability(HasCapability):
    """HasCapability, and for a method the route does not serve (GET on a POST-only action) the
    capability of what it does serve: a role that may not use the route gets 403, not 405."""

    def has_permission(self, request, view) -> bool:
        if getattr(view, "action", None) is None and getattr(view, "action_map", None):
            needed = {
                view.action_capabilities.get(a, view.required_capability) for a in view.action_map.values()
            }
            return bool(request.user and request.user.is_authenticated) and all(
                user_has(request.user, c) for c in needed
            )
        return super().has_permission(request, view)


def _result(result: services.PostResult) -> dict:
    return {
        "file": result.file.public_id,
        "status": result.file.status,
        "claims_posted": result.claims_posted,
        "claims_already_posted": result.claims_already_posted,
        "unmatched": result.unmatched,
        "held": result.held,
        "total_paid": result.file.total_paid,
        "errors": result.errors,
    }


def _pydantic_errors(exc: pydantic.ValidationError) -> InvalidInputError:
    problems = [
        f"{'.'.join(str(p) for p in err['loc']) or 'body'}: {err['msg']}"
        for err in exc.errors(include_url=False)
    ]
    return InvalidInputError("The EOB is not complete: " + "; ".join(problems), extra={"problems": problems})


class RemittanceFileViewSet(AuditedReadOnlyViewSet):
    """835 files and paper EOBs: the ERA inbox (list), a remittance with its claims, lines,
    adjustments and PLB (detail); upload (POST), preview, post, and paper EOB entry (billers)."""

    permission_classes = [RouteCapability]
    required_capability = Capability.BILLING_VIEW
    action_capabilities = {
        "create": Capability.BILLING_WORK,
        "post": Capability.BILLING_WORK,
        "manual": Capability.BILLING_WORK,
    }
    parser_classes = [JSONParser, MultiPartParser, FormParser, X12TextParser, EdiParser]
    filterset_class = RemittanceFileFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.remittance_file_detail()
        return selectors.remittance_file_list()

    def get_serializer_class(self):
        if self.action == "retrieve":
            return RemittanceFileDetailSerializer
        return RemittanceFileSerializer

    @extend_schema(
        request={
            "multipart/form-data": UploadSerializer,
            "application/json": UploadSerializer,
            "text/plain": OpenApiTypes.STR,
            "application/edi-x12": OpenApiTypes.STR,
        },
        responses={201: UploadResultSerializer, 200: UploadResultSerializer},
        parameters=[
            OpenApiParameter("post", OpenApiTypes.BOOL, description="false: read only, for a preview")
        ],
        description=(
            "Upload an 835 (multipart 'file', JSON 'text', or the raw text as the body). It is read "
            "at once: a file that cannot be read or does not balance is refused whole (400, with "
            "the claim, the figures and the segment position) and kept in the inbox as failed. A "
            "readable file is posted on the era queue unless post=false. The same file again is "
            "answered with the first one (200) and changes nothing."
        ),
    )
    def create(self, request):
        data = UploadSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        upload = data.validated_data.get("file")
        text = _decode(upload.read()) if upload else data.validated_data["text"]
        name = data.validated_data.get("file_name") or (upload.name if upload else "upload.835")
        post = data.validated_data["post"]
        if "post" in request.query_params:
            post = request.query_params["post"].lower() not in ("0", "false", "no")
        file, created = services.remittance_file_upload(
            text=text, file_name=name, actor=request.user, post=post
        )
        audit_event(action="create" if created else "view", target=file, user=request.user)
        body = {"file": RemittanceFileSerializer(file).data, "created": created, "queued": post and created}
        return Response(body, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK)

    @extend_schema(
        responses=PreviewSerializer, description="What posting this file does (or did), writing nothing."
    )
    @action(detail=True, methods=["get"])
    def preview(self, request, public_id=None):
        file = self.get_object()
        audit_event(action="view", target=file, user=request.user)
        return Response(services.remittance_file_preview(file=file))

    @extend_schema(
        request=None,
        responses=PostResultSerializer,
        description="Post a parsed file now (idempotent: a posted file is reported, not posted again).",
    )
    @action(detail=True, methods=["post"])
    def post(self, request, public_id=None):
        file = self.get_object()
        result = services.remittance_file_process(file=file, actor=request.user)
        return Response(_result(result))

    @extend_schema(
        request=ManualEob,
        responses={201: RemittanceFileDetailSerializer},
        description=(
            "Enter a paper EOB: the same checks (balancing) and posting as an 835; the file's "
            "source is 'paper' and received_by is who entered it."
        ),
    )
    @action(detail=False, methods=["post"])
    def manual(self, request):
        try:
            eob = ManualEob.model_validate(request.data)
        except pydantic.ValidationError as exc:
            raise _pydantic_errors(exc) from None
        file = services.manual_eob_enter(eob=eob, actor=request.user)
        detail = selectors.remittance_file_detail().get(pk=file.pk)
        return Response(RemittanceFileDetailSerializer(detail).data, status=status.HTTP_201_CREATED)


class ClaimPaymentViewSet(AuditedReadOnlyViewSet):
    """Claim payments across files (filter by status: unmatched, held ...); billers match an
    unmatched one by hand (with candidate claims by patient, date and amount) and approve held
    reversals."""

    permission_classes = [RouteCapability]
    required_capability = Capability.BILLING_VIEW
    action_capabilities = {"match": Capability.BILLING_WORK, "approve": Capability.BILLING_WORK}
    filterset_class = ClaimPaymentFilter

    def get_queryset(self):
        qs = selectors.claim_payment_list()
        if self.action == "retrieve":
            return qs.prefetch_related(
                "lines__adjustments", "lines__remarks", "lines__claim_line", "adjustments"
            )
        return qs

    def get_serializer_class(self):
        return ClaimPaymentDetailSerializer if self.action == "retrieve" else ClaimPaymentSerializer

    @extend_schema(
        parameters=[CandidateQuerySerializer],
        responses=CandidateSerializer(many=True),
        description="Claims this payment may be for; by default the payment's patient, first date and charge.",
    )
    @action(detail=True, methods=["get"], pagination_class=None)
    def candidates(self, request, public_id=None):
        payment = self.get_object()
        query = CandidateQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        given = query.validated_data
        if not given:  # nothing asked: what the payment itself says
            given = {
                "patient": payment.patient_last_name,
                "service_date": payment.service_date_from,
                "amount": payment.charge,
            }
        claims = list(
            selectors.match_candidates(
                patient=given.get("patient", ""),
                service_date=given.get("service_date"),
                amount=given.get("amount"),
            )
        )
        audit_list(request, Claim, [c.public_id for c in claims])
        return Response(CandidateSerializer(claims, many=True).data)

    @extend_schema(
        request=MatchSerializer,
        responses=ClaimPaymentSerializer,
        description="Match to a claim; it then posts.",
    )
    @action(detail=True, methods=["post"])
    def match(self, request, public_id=None):
        payment = self.get_object()
        data = MatchSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        claim = get_object_or_404(Claim, public_id=data.validated_data["claim"])
        payment = services.claim_payment_match(claim_payment=payment, claim=claim, actor=request.user)
        return Response(ClaimPaymentSerializer(payment).data)

    @extend_schema(
        request=None, responses=ClaimPaymentSerializer, description="Approve a held reversal; it posts."
    )
    @action(detail=True, methods=["post"])
    def approve(self, request, public_id=None):
        payment = services.claim_payment_approve(claim_payment=self.get_object(), actor=request.user)
        return Response(ClaimPaymentSerializer(payment).data)


@extend_schema_view(list=extend_schema(exclude=True), create=extend_schema(exclude=True))
class RemittanceUploadAlias(RemittanceFileViewSet):
    """/api/v1/payments/remittances without the trailing slash (the schema lists the slashed one)."""

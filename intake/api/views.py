"""Intake API: audited reads, create endpoints that run an input serializer through a service.

Reads follow the role table: nurses read patients and orders; coverage, eligibility and auths need
BILLING_VIEW; every write needs BILLING_WORK.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import transaction
from django.http import HttpResponse
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema, extend_schema_view
from rest_framework import mixins, status
from rest_framework.decorators import action
from rest_framework.exceptions import PermissionDenied
from rest_framework.response import Response
from rest_framework.viewsets import GenericViewSet

from infusion_rcm.accounts.roles import Capability, user_has
from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.audit.services import audit_event, audit_list
from infusion_rcm.common.errors import DomainError
from infusion_rcm.common.viewsets import AuditedReadOnlyViewSet
from intake import selectors, services
from intake.api import serializers as s
from intake.domain.types import OrderStatus
from intake.models import EligibilityCheck, IntakeEvent

PATIENT_FILTER = OpenApiParameter("patient_id", str, description="public id of the patient")


if TYPE_CHECKING:
    # The mixin sits in front of a DRF viewset; this tells mypy where get_queryset & co. come from.
    _CreateBase = GenericViewSet[Any]
else:
    _CreateBase = object


class _CreateViaService(mixins.CreateModelMixin, _CreateBase):
    """POST: validate with `input_serializer_class`, call `perform_service`, answer with the output serializer."""

    input_serializer_class: type[s.serializers.Serializer]

    def perform_service(self, data: dict):  # pragma: no cover - each viewset defines it
        raise NotImplementedError

    def create(self, request, *args, **kwargs):
        data = self.input_serializer_class(data=request.data)
        data.is_valid(raise_exception=True)
        instance = self.perform_service(dict(data.validated_data))
        instance = self.get_queryset().get(pk=instance.pk)
        return Response(self.get_serializer(instance).data, status=status.HTTP_201_CREATED)


def _require_work(request) -> None:
    if not user_has(request.user, Capability.BILLING_WORK):
        raise PermissionDenied


@extend_schema_view(
    list=extend_schema(parameters=[OpenApiParameter("q", str, description="name, MRN or date of birth")]),
    create=extend_schema(request=s.PatientInputSerializer, responses={201: s.PatientCreatedSerializer}),
)
class PatientViewSet(_CreateViaService, AuditedReadOnlyViewSet):
    required_capability = Capability.PATIENT_VIEW
    action_capabilities = {"create": Capability.BILLING_WORK}
    serializer_class = s.PatientSerializer
    input_serializer_class = s.PatientInputSerializer

    def get_queryset(self):
        patients = selectors.patient_list(search=self.request.query_params.get("q", ""))
        if self.action == "list":  # a nurse lists her day's patients; one she was sent to still opens
            return selectors.patients_visible_to(self.request.user, patients)
        return patients

    def create(self, request, *args, **kwargs):
        data = s.PatientInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        provider = fields.pop("billing_provider_npi")
        duplicates = selectors.patient_likely_duplicates(
            first_name=fields["first_name"],
            last_name=fields["last_name"],
            date_of_birth=fields["date_of_birth"],
        )
        patient = services.patient_create(billing_provider=provider, **fields)
        body = s.PatientCreatedSerializer(patient, context={"duplicates": duplicates}).data
        return Response(body, status=status.HTTP_201_CREATED)


@extend_schema_view(
    list=extend_schema(parameters=[PATIENT_FILTER]),
    create=extend_schema(request=s.CoverageInputSerializer, responses={201: s.CoverageSerializer}),
)
class CoverageViewSet(_CreateViaService, AuditedReadOnlyViewSet):
    required_capability = Capability.BILLING_VIEW
    action_capabilities = {"create": Capability.BILLING_WORK}
    serializer_class = s.CoverageSerializer
    input_serializer_class = s.CoverageInputSerializer

    def get_queryset(self):
        return selectors.coverage_list(patient_public_id=self.request.query_params.get("patient_id"))

    def perform_service(self, data):
        return services.coverage_create(**data)


@extend_schema_view(
    list=extend_schema(
        parameters=[PATIENT_FILTER, OpenApiParameter("status", str, enum=[x.value for x in OrderStatus])]
    ),
    create=extend_schema(request=s.OrderInputSerializer, responses={201: s.OrderSerializer}),
)
class OrderViewSet(_CreateViaService, AuditedReadOnlyViewSet):
    """Orders; an EHR pushes new orders (with their drugs) with POST."""

    required_capability = Capability.PATIENT_VIEW
    action_capabilities = {
        "create": Capability.BILLING_WORK,
        "advance": Capability.BILLING_VIEW,
        "edit": Capability.BILLING_WORK,
        "history": Capability.BILLING_VIEW,
    }
    serializer_class = s.OrderSerializer
    input_serializer_class = s.OrderInputSerializer

    def get_queryset(self):
        params = self.request.query_params
        return selectors.order_list(patient_public_id=params.get("patient_id"), status=params.get("status"))

    def perform_service(self, data):
        prescriber = data.pop("prescriber_npi")
        drugs = [dict(d) for d in data.pop("drugs")]
        return services.order_create(prescriber=prescriber, drugs=drugs, **data)

    @extend_schema(
        methods=["GET"], request=None, responses={200: s.OrderAdvanceSerializer},
        description="Where the order stands in the intake queue and what blocks its next move.",
    )  # fmt: skip
    @extend_schema(
        methods=["POST"], request=s.OrderAdvanceInputSerializer, responses={200: s.OrderSerializer}
    )
    @action(detail=True, methods=["get", "post"])
    def advance(self, request, public_id=None):
        order = self.get_object()
        if request.method == "GET":
            row = selectors.order_row(order)
            next_status = services.NEXT_STATUS.get(order.status)
            blockers = services.order_blockers(order=order, to_status=next_status) if next_status else []
            body = {
                "status": order.status,
                "next_status": next_status,
                "blockers": blockers,
                "missing_auth": row.missing_auth,
                "eligibility_stale": row.eligibility_stale,
            }
            return Response(s.OrderAdvanceSerializer(body).data)
        _require_work(request)
        data = s.OrderAdvanceInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        services.order_advance(order=order, actor=request.user, **data.validated_data)
        return Response(self.get_serializer(self.get_queryset().get(pk=order.pk)).data)

    @extend_schema(
        request=s.OrderEditInputSerializer,
        responses={200: s.OrderSerializer},
        description="Correct an order: only the fields sent change (drugs: the whole new list). The status "
        "stays; an order past auth obtained must keep an authorization for every drug code. Audited, "
        "with an event naming the changed fields.",
    )
    @action(detail=True, methods=["post"])
    def edit(self, request, public_id=None):
        order = self.get_object()
        data = s.OrderEditInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "prescriber_npi" in fields:
            fields["prescriber"] = fields.pop("prescriber_npi")
        if "drugs" in fields:
            fields["drugs"] = [dict(d) for d in fields["drugs"]]
        services.order_update(order=order, actor=request.user, **fields)
        return Response(self.get_serializer(self.get_queryset().get(pk=order.pk)).data)

    @extend_schema(responses={200: s.IntakeEventSerializer(many=True)}, description="Changes to the order.")
    @action(detail=True, methods=["get"])
    def history(self, request, public_id=None):
        rows = list(selectors.order_events(self.get_object()))
        audit_list(request, IntakeEvent, [r.pk for r in rows])
        return Response(s.IntakeEventSerializer(rows, many=True).data)


@extend_schema_view(
    list=extend_schema(parameters=[PATIENT_FILTER]),
    create=extend_schema(
        request=s.EligibilityCheckInputSerializer,
        responses={201: s.EligibilityCheckSerializer},
        description="mode=manual records the payer's answer; mode=270 writes an inquiry (status pending).",
    ),
)
class EligibilityCheckViewSet(_CreateViaService, AuditedReadOnlyViewSet):
    required_capability = Capability.BILLING_VIEW
    action_capabilities = {
        "create": Capability.BILLING_WORK,
        "import_271": Capability.BILLING_VIEW,
        "request_270": Capability.BILLING_VIEW,
    }
    serializer_class = s.EligibilityCheckSerializer
    input_serializer_class = s.EligibilityCheckInputSerializer

    def get_queryset(self):
        return selectors.eligibility_check_list(patient_public_id=self.request.query_params.get("patient_id"))

    def perform_service(self, data):
        mode = data.pop("mode")
        if mode == "270":
            return services.eligibility_request(coverage=data["coverage"], service_date=data["service_date"])
        data.setdefault("checked_on", selectors.today())
        return services.eligibility_check_record(**data)

    @extend_schema(
        methods=["GET"], request=None, responses={200: s.EligibilityCheckSerializer(many=True)},
        description="Checks waiting for their 271.",
    )  # fmt: skip
    @extend_schema(
        methods=["POST"], request=s.Import271InputSerializer, responses={200: s.EligibilityCheckSerializer(many=True)},
        description="Read a 271 into the pending checks it answers; a refused file changes nothing (400).",
    )  # fmt: skip
    @action(detail=False, methods=["get", "post"], url_path="import-271", url_name="import-271")
    def import_271(self, request):
        if request.method == "GET":
            rows = list(selectors.pending_eligibility_checks()[:200])
            audit_list(request, EligibilityCheck, [r.public_id for r in rows])
            return Response(s.EligibilityCheckSerializer(rows, many=True).data)
        _require_work(request)
        data = s.Import271InputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        with transaction.atomic():
            checks = services.eligibility_import_271(text=data.validated_data["text"], actor=request.user)
        rows = selectors.eligibility_check_list().filter(pk__in=[c.pk for c in checks])
        return Response(s.EligibilityCheckSerializer(rows, many=True).data)

    @extend_schema(
        responses={
            (200, "application/edi-x12"): OpenApiResponse(OpenApiTypes.STR, description="the 270 file"),
            400: OpenApiResponse(description="no 270 written yet (it is written on the eligibility queue)"),
        },
        description="The inquiry's 270 file (X12 005010X279A1), as sent; the download is audited.",
    )
    @action(detail=True, methods=["get"], url_path="270", url_name="270")
    def request_270(self, request, public_id=None):
        check = self.get_object()
        if not check.request_270:
            raise DomainError(
                "This inquiry has no 270 yet: it is written on the eligibility queue.",
                code="eligibility.no_270",
            )
        audit_event(action=AuditEntry.Action.EXPORT, target=check, user=request.user, extra={"file": "270"})
        response = HttpResponse(check.request_270, content_type="application/edi-x12; charset=utf-8")
        response["Content-Disposition"] = (
            f'attachment; filename="{check.trace_number or check.public_id}.270.x12"'
        )
        return response


@extend_schema_view(
    list=extend_schema(parameters=[PATIENT_FILTER]),
    create=extend_schema(request=s.AuthorizationInputSerializer, responses={201: s.AuthorizationSerializer}),
)
class AuthorizationViewSet(_CreateViaService, AuditedReadOnlyViewSet):
    required_capability = Capability.BILLING_VIEW
    action_capabilities = {"create": Capability.BILLING_WORK, "edit": Capability.BILLING_WORK}
    serializer_class = s.AuthorizationSerializer
    input_serializer_class = s.AuthorizationInputSerializer

    def get_queryset(self):
        return selectors.authorization_list(patient_public_id=self.request.query_params.get("patient_id"))

    def perform_service(self, data):
        services_in = [dict(x) for x in data.pop("services")]
        coverage = data["coverage"]
        return services.auth_create(patient=coverage.patient, services=services_in, **data)

    @extend_schema(
        request=s.AuthorizationEditInputSerializer,
        responses={200: s.AuthorizationSerializer},
        description="Record what the payer changed: only the fields sent change (services: the whole new "
        "list). Used units never go below what signed visits drew; a code visits drew from stays.",
    )
    @action(detail=True, methods=["post"])
    def edit(self, request, public_id=None):
        auth = self.get_object()
        data = s.AuthorizationEditInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        fields = dict(data.validated_data)
        if "services" in fields:
            fields["services"] = [dict(x) for x in fields["services"]]
        services.auth_update(auth=auth, actor=request.user, **fields)
        return Response(self.get_serializer(self.get_queryset().get(pk=auth.pk)).data)

    @extend_schema(
        responses={200: s.IntakeEventSerializer(many=True)}, description="Changes to the authorization."
    )
    @action(detail=True, methods=["get"])
    def history(self, request, public_id=None):
        rows = list(selectors.authorization_events(self.get_object()))
        audit_list(request, IntakeEvent, [r.pk for r in rows])
        return Response(s.IntakeEventSerializer(rows, many=True).data)

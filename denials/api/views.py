"""Denials API: the work queue (list with the queue's filters, detail with history), each
action as a command endpoint, the reason catalog (explain a code, or list the rules), and the
write-offs managers approve. Billers work denials; managers read and decide write-offs; nurses
and admins get 403 (admins edit the mapping in the Django admin)."""

from __future__ import annotations

from django.contrib.auth import get_user_model
from django.shortcuts import get_object_or_404
from drf_spectacular.utils import extend_schema
from rest_framework import status as http
from rest_framework import viewsets
from rest_framework.decorators import action
from rest_framework.response import Response
from rest_framework.views import APIView

from claims.domain.claim_edit import ClaimChanges, LineChange
from denials import selectors, services
from denials.api.serializers import (
    AssignSerializer,
    BillPatientSerializer,
    ClaimResultSerializer,
    CorrectSerializer,
    DecisionSerializer,
    DenialDetailSerializer,
    DenialSerializer,
    ExplanationQuerySerializer,
    ExplanationSerializer,
    NoteSerializer,
    ReasonTextSerializer,
    RebillSerializer,
    RecoveredSerializer,
    StatusSerializer,
    WriteOffResultSerializer,
    WriteOffSerializer,
)
from denials.catalog import current_catalog, explain_code
from denials.domain.catalog import normalise_code, normalise_rarc
from denials.filters import DenialFilter
from denials.models import Denial, WriteOffRequest
from infusion_rcm.accounts.roles import Capability
from infusion_rcm.audit.services import audit_event, audit_list
from infusion_rcm.common.api import HasCapability
from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.viewsets import AuditedReadOnlyViewSet, CapabilityViewSetMixin
from intake.models import Coverage, Payer
from payments.api.views import RouteCapability

WORK = Capability.BILLING_WORK


def _claim_result(claim, denial: Denial) -> dict:
    denial.refresh_from_db()
    return {
        "claim": claim.public_id,
        "claim_number": claim.claim_number,
        "frequency_code": claim.frequency_code,
        "denial": DenialSerializer(denial).data,
    }


class DenialViewSet(AuditedReadOnlyViewSet):
    """Denials: the queue (filters as on the page: status, category, next_action, payer (public
    id), owner (username, me, none), due (overdue, 7, 30, later), q, order (priority, due,
    amount, newest)) and one denial with its history; commands for each action."""

    permission_classes = [RouteCapability]
    required_capability = Capability.BILLING_VIEW
    action_capabilities = dict.fromkeys(
        (
            "assign",
            "status",
            "note",
            "correct",
            "void",
            "new_claim",
            "rebill",
            "bill_patient",
            "write_off",
            "recovered",
        ),
        WORK,
    )
    filterset_class = DenialFilter

    def get_queryset(self):
        if self.action == "retrieve":
            return selectors.denial_detail()
        return selectors.denial_queue()

    def get_serializer_class(self):
        return DenialDetailSerializer if self.action == "retrieve" else DenialSerializer

    def _input(self, serializer_class):
        data = serializer_class(data=self.request.data)
        data.is_valid(raise_exception=True)
        return data.validated_data

    def _done(self, denial: Denial) -> Response:
        denial.refresh_from_db()
        return Response(DenialSerializer(denial).data)

    @extend_schema(
        request=AssignSerializer,
        responses=DenialSerializer,
        description="Give the denial to a biller (or nobody).",
    )
    @action(detail=True, methods=["post"])
    def assign(self, request, public_id=None):
        data = self._input(AssignSerializer)
        user = None
        if data["owner"]:
            user = get_user_model().objects.filter(username=data["owner"]).first()
            if user is None:
                raise InvalidInputError(f"No user '{data['owner']}'.", code="denials.bad_owner")
        return self._done(services.denial_assign(denial=self.get_object(), user=user, actor=request.user))

    @extend_schema(
        request=StatusSerializer,
        responses=DenialSerializer,
        description="Move between new, in progress and waiting on payer.",
    )
    @action(detail=True, methods=["post"])
    def status(self, request, public_id=None):
        data = self._input(StatusSerializer)
        denial = services.denial_move(
            denial=self.get_object(), to=data["status"], actor=request.user, note=data.get("note", "")
        )
        return self._done(denial)

    @extend_schema(
        request=NoteSerializer, responses=DenialSerializer, description="Add a note to the history."
    )
    @action(detail=True, methods=["post"])
    def note(self, request, public_id=None):
        data = self._input(NoteSerializer)
        denial = self.get_object()
        services.denial_note(denial=denial, text=data["text"], actor=request.user)
        return self._done(denial)

    @extend_schema(
        request=CorrectSerializer,
        responses={201: ClaimResultSerializer},
        description="Send a corrected claim (frequency 7 with the payer's claim number) with these changes.",
    )
    @action(detail=True, methods=["post"])
    def correct(self, request, public_id=None):
        data = self._input(CorrectSerializer)
        denial = self.get_object()
        values = {k: data[k] for k in ("diagnosis_codes", "prior_auth_number") if k in data}
        lines: tuple[LineChange, ...] = ()
        if data.get("line"):
            if denial.claim_line is None:
                raise InvalidInputError("This denial is for the whole claim: it has no line to change.")
            lines = (LineChange(key=denial.claim_line.line_control_number, values=dict(data["line"])),)
        claim = services.denial_correct(
            denial=denial,
            actor=request.user,
            reason=data["reason"],
            changes=ClaimChanges(values=values, lines=lines),
        )
        return Response(_claim_result(claim, denial), status=http.HTTP_201_CREATED)

    @extend_schema(
        request=ReasonTextSerializer,
        responses={201: ClaimResultSerializer},
        description="Void the claim at the payer (frequency 8).",
    )
    @action(detail=True, methods=["post"])
    def void(self, request, public_id=None):
        data = self._input(ReasonTextSerializer)
        denial = self.get_object()
        claim = services.denial_void(denial=denial, actor=request.user, reason=data["reason"])
        return Response(_claim_result(claim, denial), status=http.HTTP_201_CREATED)

    @extend_schema(
        request=ReasonTextSerializer,
        responses={201: ClaimResultSerializer},
        description="A new claim (frequency 1) to the same payer.",
    )
    @action(detail=True, methods=["post"], url_path="new-claim")
    def new_claim(self, request, public_id=None):
        data = self._input(ReasonTextSerializer)
        denial = self.get_object()
        claim = services.denial_new_claim(denial=denial, actor=request.user, reason=data["reason"])
        return Response(_claim_result(claim, denial), status=http.HTTP_201_CREATED)

    @extend_schema(
        request=RebillSerializer,
        responses={201: ClaimResultSerializer},
        description="A new claim to another coverage of the patient.",
    )
    @action(detail=True, methods=["post"])
    def rebill(self, request, public_id=None):
        data = self._input(RebillSerializer)
        denial = self.get_object()
        coverage = Coverage.objects.filter(public_id=data["coverage"]).first()
        if coverage is None:
            raise InvalidInputError("No coverage with that id.", code="denials.bad_coverage")
        claim = services.denial_new_claim(
            denial=denial, actor=request.user, reason=data["reason"], coverage=coverage
        )
        return Response(_claim_result(claim, denial), status=http.HTTP_201_CREATED)

    @extend_schema(
        request=BillPatientSerializer,
        responses=DenialSerializer,
        description="Bill the patient what the payer assigned to the patient (group PR).",
    )
    @action(detail=True, methods=["post"], url_path="bill-patient")
    def bill_patient(self, request, public_id=None):
        data = self._input(BillPatientSerializer)
        return self._done(
            services.denial_bill_patient(
                denial=self.get_object(), actor=request.user, note=data.get("note", "")
            )
        )

    @extend_schema(
        request=ReasonTextSerializer,
        responses=WriteOffResultSerializer,
        description="Write off; above the admins' amount it waits for a manager (write_off is then the request).",
    )
    @action(detail=True, methods=["post"], url_path="write-off")
    def write_off(self, request, public_id=None):
        data = self._input(ReasonTextSerializer)
        denial = self.get_object()
        result = services.denial_write_off(denial=denial, actor=request.user, reason=data["reason"])
        denial.refresh_from_db()
        pending = result if isinstance(result, WriteOffRequest) else None
        return Response(
            {
                "denial": DenialSerializer(denial).data,
                "write_off": WriteOffSerializer(pending).data if pending else None,
            }
        )

    @extend_schema(
        request=RecoveredSerializer, responses=DenialSerializer, description="Recovered outside a remittance."
    )
    @action(detail=True, methods=["post"])
    def recovered(self, request, public_id=None):
        data = self._input(RecoveredSerializer)
        return self._done(
            services.denial_mark_recovered(
                denial=self.get_object(), actor=request.user, amount=data["amount"], note=data["note"]
            )
        )


class ReasonView(APIView):
    """GET /api/v1/denials/reasons/?group=CO&carc=197&rarc=N54 (or code=CO-197; payer=<payer ID>):
    the category, next action and sentence for the biller. Without a CARC: the catalog's rules."""

    permission_classes = [HasCapability]
    required_capability = Capability.BILLING_VIEW

    @extend_schema(parameters=[ExplanationQuerySerializer], responses=ExplanationSerializer)
    def get(self, request):
        params = {k: v for k, v in request.query_params.items() if k != "rarc"}
        params["rarc"] = [
            r for value in request.query_params.getlist("rarc") for r in value.split(",") if r.strip()
        ]
        query = ExplanationQuerySerializer(data=params)
        query.is_valid(raise_exception=True)
        data = query.validated_data
        if not data.get("carc") and not data.get("code"):
            if data.get("group") or data.get("rarc"):
                raise InvalidInputError(
                    "Give the CARC too: carc=197 (or code=CO-197).", code="denials.carc_required"
                )
            return Response(
                [
                    {
                        "group": r.group,
                        "carc": r.carc,
                        "rarc": r.rarc,
                        "payer_kind": r.payer_kind,
                        "payer": r.payer,
                        "category": r.category.value if r.category else None,
                        "next_action": r.action.value,
                        "sentence": r.sentence,
                        "source": r.source,
                    }
                    for r in current_catalog().rules
                ]
            )
        text = data.get("code") or f"{data.get('group', '')}-{data['carc']}"
        group, carc = normalise_code(text)
        rarcs = tuple(normalise_rarc(r) for r in data.get("rarc", []))
        payer = None
        if data.get("payer"):
            payer = Payer.objects.filter(payer_id=data["payer"]).first()
            if payer is None:
                raise InvalidInputError(
                    f"No payer with payer ID '{data['payer']}'.", code="denials.bad_payer"
                )
        return Response(explain_code(group=group, carc=carc, rarcs=rarcs, payer=payer).as_dict())


class WriteOffViewSet(CapabilityViewSetMixin, viewsets.GenericViewSet):
    """Write-offs waiting for a manager; approve or refuse (managers)."""

    permission_classes = [RouteCapability]
    required_capability = Capability.DASHBOARD_VIEW
    action_capabilities = {"approve": Capability.DASHBOARD_VIEW, "refuse": Capability.DASHBOARD_VIEW}
    lookup_field = "pk"
    serializer_class = WriteOffSerializer

    def get_queryset(self):
        return selectors.write_offs_pending()

    def list(self, request):
        rows = list(self.get_queryset())
        audit_list(request, Denial, [w.denial.public_id for w in rows])
        return Response(WriteOffSerializer(rows, many=True).data)

    @extend_schema(request=DecisionSerializer, responses=WriteOffSerializer)
    @action(detail=True, methods=["post"])
    def approve(self, request, pk=None):
        row = get_object_or_404(WriteOffRequest, pk=pk)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.write_off_approve(
            request=row, actor=request.user, note=data.validated_data.get("note", "")
        )
        audit_event(action="update", target=done.denial, user=request.user)
        return Response(WriteOffSerializer(done).data)

    @extend_schema(request=DecisionSerializer, responses=WriteOffSerializer)
    @action(detail=True, methods=["post"])
    def refuse(self, request, pk=None):
        row = get_object_or_404(WriteOffRequest, pk=pk)
        data = DecisionSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        done = services.write_off_refuse(
            request=row, actor=request.user, note=data.validated_data.get("note", "")
        )
        return Response(WriteOffSerializer(done).data)

"""Patient side of the payments API: a patient's ledger, patient payments (record one, list,
receipt PDF), refunds (a biller asks, a manager decides), statements (list, detail, stored PDF)
and statement runs (run one). Billers write; managers read and decide refunds; nurses 403."""

from __future__ import annotations

from django.http import HttpResponse
from django.shortcuts import get_object_or_404
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter, OpenApiResponse, extend_schema
from rest_framework import mixins, status, viewsets
from rest_framework.decorators import action
from rest_framework.response import Response

from infusion_rcm.accounts.roles import Capability
from infusion_rcm.audit.services import audit_event, audit_view
from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.viewsets import AuditedReadOnlyViewSet, CapabilityViewSetMixin
from intake.models import Patient
from payments.api.patient_serializers import (
    LedgerSerializer,
    PatientPaymentInput,
    PatientPaymentSerializer,
    RefundDecisionInput,
    RefundInput,
    RefundSerializer,
    StatementDetailSerializer,
    StatementRunInput,
    StatementRunSerializer,
    StatementSerializer,
)
from payments.api.views import RouteCapability
from payments.domain.patient import PlanStatus
from payments.models_patient import PatientPayment, PatientRefund, PaymentPlan, Statement, StatementRun
from payments.services import patient_payments as pay
from payments.services import statements
from payments.services.patient_ledger import account, activity
from payments.services.patient_receipts import receipt_pdf

PDF = {(200, "application/pdf"): OpenApiTypes.BINARY}


def _pdf(data: bytes, name: str) -> HttpResponse:
    response = HttpResponse(data, content_type="application/pdf")
    response["Content-Disposition"] = f'inline; filename="{name}"'
    return response


def _patient(public_id) -> Patient:
    return get_object_or_404(Patient, public_id=public_id)


class PatientLedgerViewSet(CapabilityViewSetMixin, viewsets.GenericViewSet):
    """A patient's account: every service with what each payer paid and adjusted, what the
    patient owes, what is still with insurance, credit, and the history with running balance."""

    required_capability = Capability.BILLING_VIEW
    queryset = Patient.objects.all()
    serializer_class = LedgerSerializer

    @extend_schema(responses=LedgerSerializer)
    @action(detail=True, methods=["get"])
    def ledger(self, request, public_id=None):
        patient = self.get_object()
        acct = account(patient)
        audit_view(request, patient)
        b = acct.balance
        body = {
            "patient": patient.public_id,
            **{
                k: getattr(b, k)
                for k in (
                    "charges",
                    "insurance_paid",
                    "adjusted",
                    "patient_payments",
                    "refunds",
                    "unapplied",
                    "credit",
                    "insurance_pending",
                    "patient_due",
                    "balance",
                )
            },
            "services": [
                {
                    "service": acct.info[s.key].claim_public_id,
                    "claim_number": acct.info[s.key].claim_number,
                    "date_of_service": s.date_of_service,
                    "description": s.description,
                    "charge": s.charge,
                    "insurance_paid": s.insurance_paid,
                    "adjusted": s.adjusted,
                    "patient_paid": s.patient_paid,
                    "state": s.state.value,
                    "insurance_pending": s.insurance_pending,
                    "patient_due": s.patient_due,
                    "credit": s.credit,
                    "due_since": s.due_since,
                    "waiting_on": s.waiting_on,
                    "payers": s.payers,
                }
                for s in b.services
            ],
            "activity": activity(patient, acct),
        }
        return Response(LedgerSerializer(body).data)


class PatientPaymentViewSet(mixins.CreateModelMixin, AuditedReadOnlyViewSet):
    """Patient payments: list (?patient=<public id>), detail, record one (POST), receipt PDF."""

    permission_classes = [RouteCapability]
    required_capability = Capability.BILLING_VIEW
    action_capabilities = {"create": Capability.BILLING_WORK}
    serializer_class = PatientPaymentSerializer

    def get_queryset(self):
        qs = PatientPayment.objects.select_related("patient", "received_by").prefetch_related(
            "applications__claim"
        )
        patient = self.request.query_params.get("patient")
        if patient:
            qs = qs.filter(patient__public_id=patient)
        return qs

    @extend_schema(
        parameters=[OpenApiParameter("patient", OpenApiTypes.UUID, description="one patient's payments")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(
        request=PatientPaymentInput,
        responses={201: PatientPaymentSerializer},
        description=(
            "Record a payment taken at the front desk or by mail (cash, check with its number, card "
            "with the terminal's reference, never the card number), applied to the services named or "
            "to the oldest patient-due first; the rest stays on account. Refused whole (400) on any "
            "bad figure: an amount not above zero, more than a service's patient-due, a service not "
            "the patient's, applications adding up to more than the payment."
        ),
    )
    def create(self, request, *args, **kwargs):
        data = PatientPaymentInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        patient = _patient(d["patient"])
        plan = None
        if d["plan"]:
            plan = PaymentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE).first()
            if plan is None:
                raise InvalidInputError("This patient has no active payment plan.")
        payment = pay.patient_payment_record(
            patient=patient,
            amount=d["amount"],
            method=d["method"],
            channel=d["channel"],
            reference=d["reference"],
            received_on=d["received_on"],
            applications=[(str(a["service"]), a["amount"]) for a in d.get("applications") or []] or None,
            payer_name=d["payer_name"],
            note=d["note"],
            plan=plan,
            actor=request.user,
        )
        payment = self.get_queryset().get(pk=payment.pk)
        return Response(PatientPaymentSerializer(payment).data, status=status.HTTP_201_CREATED)

    @extend_schema(responses=PDF, description="The payment's receipt (PDF).")
    @action(detail=True, methods=["get"])
    def receipt(self, request, public_id=None):
        payment = self.get_object()
        audit_event(action="export", target=payment, user=request.user)
        return _pdf(receipt_pdf(payment), f"receipt_{payment.receipt_number}.pdf")


class PatientRefundViewSet(mixins.CreateModelMixin, AuditedReadOnlyViewSet):
    """Refunds of credit balances: a biller asks (POST), a manager decides (POST decide)."""

    permission_classes = [RouteCapability]
    required_capability = Capability.BILLING_VIEW
    # managers decide (DASHBOARD_VIEW, the managers' capability, as for denials' write-offs): a
    # biller gets 403 as on the Refunds page, not a 400 from the service
    action_capabilities = {"create": Capability.BILLING_WORK, "decide": Capability.DASHBOARD_VIEW}
    serializer_class = RefundSerializer

    def get_queryset(self):
        return PatientRefund.objects.select_related("patient", "requested_by", "decided_by")

    @extend_schema(request=RefundInput, responses={201: RefundSerializer})
    def create(self, request, *args, **kwargs):
        data = RefundInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        refund = pay.patient_refund_request(
            patient=_patient(d["patient"]), amount=d["amount"], reason=d["reason"], actor=request.user
        )
        return Response(RefundSerializer(refund).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        request=RefundDecisionInput,
        responses={
            200: RefundSerializer,
            400: OpenApiResponse(description="already decided, or the credit changed"),
        },
        description="A manager approves (it counts on the ledger) or rejects the refund.",
    )
    @action(detail=True, methods=["post"])
    def decide(self, request, public_id=None):
        data = RefundDecisionInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        refund = pay.patient_refund_decide(
            refund=self.get_object(),
            approve=d["approve"],
            note=d["note"],
            reference=d["reference"],
            actor=request.user,
        )
        return Response(RefundSerializer(refund).data)


class StatementViewSet(AuditedReadOnlyViewSet):
    """Statements as sent (list ?patient=, detail with every printed figure, the stored PDF) and
    statement runs (POST run)."""

    permission_classes = [RouteCapability]
    required_capability = Capability.BILLING_VIEW
    action_capabilities = {"run": Capability.BILLING_WORK}

    def get_queryset(self):
        qs = Statement.objects.select_related("patient", "run")
        if self.action != "pdf":
            qs = qs.defer("pdf")
        patient = self.request.query_params.get("patient")
        if patient:
            qs = qs.filter(patient__public_id=patient)
        return qs

    def get_serializer_class(self):
        return StatementDetailSerializer if self.action == "retrieve" else StatementSerializer

    @extend_schema(
        parameters=[OpenApiParameter("patient", OpenApiTypes.UUID, description="one patient's statements")]
    )
    def list(self, request, *args, **kwargs):
        return super().list(request, *args, **kwargs)

    @extend_schema(responses=PDF, description="The statement's PDF as it was sent (stored, not re-rendered).")
    @action(detail=True, methods=["get"])
    def pdf(self, request, public_id=None):
        statement = self.get_object()
        audit_event(action="export", target=statement, user=request.user)
        return _pdf(bytes(statement.pdf), f"statement_{statement.number}.pdf")

    @extend_schema(
        request=StatementRunInput,
        responses={201: StatementRunSerializer},
        description=(
            "Run statements: every patient who owes at least the minimum after the last insurance "
            "paid, sent none in the last interval_days, and not suppressed."
        ),
    )
    @action(detail=False, methods=["post"])
    def run(self, request):
        data = StatementRunInput(data=request.data)
        data.is_valid(raise_exception=True)
        d = data.validated_data
        result = statements.statement_run(
            actor=request.user,
            as_of=d.get("as_of"),
            minimum=d.get("minimum"),
            interval_days=d.get("interval_days"),
        )
        run = StatementRun.objects.get(pk=result.run.pk)
        return Response(StatementRunSerializer(run).data, status=status.HTTP_201_CREATED)

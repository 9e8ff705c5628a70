"""Schedule API: the booked visits (nurses and billing roles read), booking and cancelling (billers)."""

from __future__ import annotations

from drf_spectacular.utils import OpenApiParameter, extend_schema, extend_schema_view
from rest_framework import serializers, status
from rest_framework.decorators import action
from rest_framework.response import Response

from coding.models import Appointment
from coding.schedule import selectors, services
from coding.schedule.forms import nurses
from infusion_rcm.accounts.models import User
from infusion_rcm.accounts.roles import Capability, user_has
from infusion_rcm.common.viewsets import AuditedReadOnlyViewSet
from intake.models import Order

VISIT_STATES = list(selectors.VISIT_STATES)


class AppointmentSerializer(serializers.ModelSerializer):
    patient = serializers.UUIDField(source="patient.public_id", read_only=True)
    order = serializers.UUIDField(source="order.public_id", read_only=True)
    location = serializers.CharField(source="location.name", read_only=True)
    nurse = serializers.CharField(source="nurse.get_username", read_only=True)
    visit = serializers.UUIDField(source="visit.public_id", read_only=True, allow_null=True, default=None)
    visit_state = serializers.SerializerMethodField(help_text="not_started, in_progress or signed")

    class Meta:
        model = Appointment
        fields = [
            "public_id", "patient", "order", "location", "date", "start_time", "duration_minutes", "setting",
            "chair", "nurse", "status", "visit", "visit_state", "notes",
        ]  # fmt: skip

    def get_visit_state(self, obj) -> str:
        return selectors.ScheduleRow(obj).state


class AppointmentInputSerializer(serializers.Serializer):
    order = serializers.SlugRelatedField(
        slug_field="public_id", queryset=Order.objects.select_related("location")
    )
    date = serializers.DateField()
    start_time = serializers.TimeField()
    duration_minutes = serializers.IntegerField(min_value=5, max_value=24 * 60, default=120)
    chair = serializers.CharField(max_length=20, required=False, default="", allow_blank=True)
    nurse = serializers.SlugRelatedField(
        slug_field="username", queryset=User.objects.none(), help_text="username of a nurse"
    )
    notes = serializers.CharField(max_length=200, required=False, default="", allow_blank=True)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["nurse"].queryset = nurses()  # type: ignore[attr-defined]  # a related field


@extend_schema_view(
    list=extend_schema(
        parameters=[
            OpenApiParameter("date", str, description="YYYY-MM-DD; the day's bookings"),
            OpenApiParameter("status", str, description="scheduled or cancelled"),
        ]
    ),
)
class AppointmentViewSet(AuditedReadOnlyViewSet):
    """Booked visits. Nurses and billing roles read; billers book and cancel."""

    required_capability = Capability.PATIENT_VIEW
    action_capabilities = {"create": Capability.BILLING_WORK, "cancel": Capability.BILLING_WORK}
    serializer_class = AppointmentSerializer

    def check_permissions(self, request):
        super().check_permissions(request)
        # Reading the schedule is for the roles that work it: nurses, billers, managers.
        if self.action in ("list", "retrieve") and not (
            user_has(request.user, Capability.VISIT_DOCUMENT)
            or user_has(request.user, Capability.BILLING_VIEW)
        ):
            self.permission_denied(request)

    def get_queryset(self):
        qs = Appointment.objects.select_related("patient", "order", "location", "nurse", "visit").order_by(
            "date", "start_time", "id"
        )
        params = self.request.query_params
        if params.get("date"):
            qs = qs.filter(date=serializers.DateField().to_internal_value(params["date"]))
        if params.get("status"):
            qs = qs.filter(status=params["status"])
        return qs

    @extend_schema(request=AppointmentInputSerializer, responses={201: AppointmentSerializer})
    def create(self, request, *args, **kwargs):
        data = AppointmentInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        appointment = services.appointment_book(actor=request.user, **data.validated_data)
        body = AppointmentSerializer(self.get_queryset().get(pk=appointment.pk)).data
        return Response(body, status=status.HTTP_201_CREATED)

    @extend_schema(request=None, responses={200: AppointmentSerializer})
    @action(detail=True, methods=["post"])
    def cancel(self, request, public_id=None):
        appointment = services.appointment_cancel(appointment=self.get_object(), actor=request.user)
        return Response(AppointmentSerializer(self.get_queryset().get(pk=appointment.pk)).data)

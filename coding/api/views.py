from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema
from rest_framework.response import Response
from rest_framework.views import APIView

from coding.api.serializers import ChargeLineSerializer, PreviewResultSerializer, VisitSerializer
from coding.domain.engine import code_encounter
from coding.domain.parse import parse_encounter
from coding.models import ChargeLine, Visit
from coding.tables import code_tables
from infusion_rcm.accounts.roles import Capability
from infusion_rcm.common.api import HasCapability
from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.viewsets import AuditedReadOnlyViewSet


class CodingPreviewView(APIView):
    """Code one encounter (docs/encounter-format.md) without storing anything."""

    permission_classes = [HasCapability]
    required_capability = Capability.BILLING_VIEW

    @extend_schema(request=OpenApiTypes.OBJECT, responses=PreviewResultSerializer)
    def post(self, request):
        if not isinstance(request.data, dict):
            raise InvalidInputError("Send one encounter as a JSON object.")
        tables = code_tables()
        encounter = parse_encounter(dict(request.data))
        return Response(code_encounter(encounter, catalog=tables).as_dict())


class ChargeLineViewSet(AuditedReadOnlyViewSet):
    required_capability = Capability.BILLING_VIEW
    serializer_class = ChargeLineSerializer
    queryset = ChargeLine.objects.select_related("visit").order_by("visit_id", "line_number")
    filterset_fields = ["status"]


class VisitViewSet(AuditedReadOnlyViewSet):
    required_capability = Capability.BILLING_VIEW
    serializer_class = VisitSerializer
    queryset = Visit.objects.select_related("patient").prefetch_related("charge_lines__visit", "findings")
    filterset_fields = ["status", "date_of_service"]

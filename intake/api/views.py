from infusion_rcm.accounts.roles import Capability
from infusion_rcm.common.viewsets import AuditedReadOnlyViewSet
from intake import selectors
from intake.api.serializers import PatientSerializer


class PatientViewSet(AuditedReadOnlyViewSet):
    required_capability = Capability.PATIENT_VIEW
    serializer_class = PatientSerializer

    def get_queryset(self):
        return selectors.patient_list(search=self.request.query_params.get("q", ""))

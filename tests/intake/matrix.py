"""Intake pages and endpoints in the permission matrix (GET)."""

from tests.factories import PatientFactory
from tests.matrix_roles import CLINICAL


def _patient() -> dict:
    return {"public_id": PatientFactory().public_id}


EXPECTED = {
    "intake:patient_list": CLINICAL,
    "intake:patient_detail": CLINICAL,
    "api:intake:patient-list": CLINICAL,
    "api:intake:patient-detail": CLINICAL,
}
ARGS = {
    "intake:patient_detail": _patient,
    "api:intake:patient-detail": _patient,
}

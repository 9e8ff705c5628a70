"""Intake writes, by use case: prescribers, patients, coverage, orders and the intake queue,
eligibility (manual, 270/271), prior auths and their draw-down (for coding), and the alerts.

Every function validates the whole input before writing anything and raises a DomainError whose
message tells a biller what to fix. Logs carry ids only, never patient data.
"""

from intake.services.alerts import alerts_resolve, auth_alerts_raise, auth_overdraw_flag
from intake.services.authorizations import AuthServiceInput, auth_create, auth_draw_down
from intake.services.common import CoverageOverlapError, DuplicateError, OrderPreconditionError
from intake.services.coverages import coverage_create, coverage_end
from intake.services.eligibility import (
    eligibility_build_270,
    eligibility_check_record,
    eligibility_import_271,
    eligibility_request,
)
from intake.services.orders import (
    NEXT_STATUS,
    ORDER_TRANSITIONS,
    DrugInput,
    order_advance,
    order_blockers,
    order_create,
)
from intake.services.patients import PATIENT_FIELDS, patient_create
from intake.services.prescribers import prescriber_create

__all__ = [
    "NEXT_STATUS",
    "ORDER_TRANSITIONS",
    "PATIENT_FIELDS",
    "AuthServiceInput",
    "CoverageOverlapError",
    "DrugInput",
    "DuplicateError",
    "OrderPreconditionError",
    "alerts_resolve",
    "auth_alerts_raise",
    "auth_create",
    "auth_draw_down",
    "auth_overdraw_flag",
    "coverage_create",
    "coverage_end",
    "eligibility_build_270",
    "eligibility_check_record",
    "eligibility_import_271",
    "eligibility_request",
    "order_advance",
    "order_blockers",
    "order_create",
    "patient_create",
    "prescriber_create",
]

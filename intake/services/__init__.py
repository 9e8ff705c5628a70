"""Intake writes, by use case: prescribers, patients, coverage, orders and the intake queue,
eligibility (manual, 270/271, ahead of booked visits), prior auths and their draw-down (for coding),
order and authorization edits (each an IntakeEvent), and the alerts.

Every function validates the whole input before writing anything and raises a DomainError whose
message tells a biller what to fix. Logs carry ids only, never patient data.
"""

from intake.services.alerts import (
    alert_raise_once,
    alerts_resolve,
    alerts_resolve_kind,
    auth_alerts_raise,
    auth_overdraw_flag,
)
from intake.services.auth_edit import AuthServiceEdit, auth_update
from intake.services.authorizations import AuthServiceInput, auth_create, auth_draw_down
from intake.services.common import CoverageOverlapError, DuplicateError, OrderPreconditionError
from intake.services.coverages import coverage_create, coverage_end
from intake.services.eligibility import (
    eligibility_build_270,
    eligibility_check_record,
    eligibility_import_271,
    eligibility_request,
)
from intake.services.eligibility_ahead import EligibilityAheadRun, eligibility_ahead
from intake.services.order_edit import KEEP, order_update
from intake.services.orders import (
    NEXT_STATUS,
    ORDER_TRANSITIONS,
    DrugInput,
    order_advance,
    order_blockers,
    order_create,
    order_scheduled,
    order_unscheduled,
    order_visit_started,
)
from intake.services.patients import PATIENT_FIELDS, patient_create
from intake.services.prescribers import prescriber_create

__all__ = [
    "KEEP",
    "NEXT_STATUS",
    "ORDER_TRANSITIONS",
    "PATIENT_FIELDS",
    "AuthServiceEdit",
    "AuthServiceInput",
    "CoverageOverlapError",
    "DrugInput",
    "DuplicateError",
    "EligibilityAheadRun",
    "OrderPreconditionError",
    "alert_raise_once",
    "alerts_resolve",
    "alerts_resolve_kind",
    "auth_alerts_raise",
    "auth_create",
    "auth_draw_down",
    "auth_overdraw_flag",
    "auth_update",
    "coverage_create",
    "coverage_end",
    "eligibility_ahead",
    "eligibility_build_270",
    "eligibility_check_record",
    "eligibility_import_271",
    "eligibility_request",
    "order_advance",
    "order_blockers",
    "order_create",
    "order_scheduled",
    "order_unscheduled",
    "order_update",
    "order_visit_started",
    "patient_create",
    "prescriber_create",
]

"""Intake pages and endpoints in the permission matrix (GET)."""

from tests.factories import PatientFactory
from tests.matrix_roles import BILLER, BILLING_READ, CLINICAL


def _patient() -> dict:
    return {"public_id": PatientFactory().public_id}


def _coverage() -> dict:
    from tests.intake.factories import CoverageFactory

    return {"public_id": CoverageFactory().public_id}


def _order() -> dict:
    from tests.intake.factories import OrderFactory

    return {"public_id": OrderFactory().public_id}


def _check() -> dict:
    from tests.intake.factories import EligibilityCheckFactory

    return {"public_id": EligibilityCheckFactory().public_id}


def _check_with_270() -> dict:
    from tests.intake.factories import EligibilityCheckFactory

    check = EligibilityCheckFactory(status="pending", trace_number="IRCM000000777", request_270="ISA*00~")
    return {"public_id": check.public_id}


def _auth() -> dict:
    from tests.intake.factories import PriorAuthorizationFactory

    return {"public_id": PriorAuthorizationFactory().public_id}


def _alert() -> dict:
    from intake.models import IntakeAlert

    patient = PatientFactory()
    return {
        "pk": IntakeAlert.objects.create(
            kind="expiring", patient=patient, message="m", raised_on="2026-11-01"
        ).pk
    }


EXPECTED = {
    "intake:alert_resolve": BILLER,
    "intake:coverage_end": BILLER,
    # pages
    "intake:patient_list": CLINICAL,
    "intake:patient_detail": CLINICAL,  # sections by capability: nurses see no coverage money
    "intake:patient_create": BILLER,
    "intake:coverage_create": BILLER,
    "intake:order_create": BILLER,
    "intake:auth_create": BILLER,
    "intake:eligibility_create": BILLER,
    "intake:eligibility_import": BILLER,
    "intake:intake_queue": BILLING_READ,
    "intake:order_advance": BILLER,
    "intake:order_edit": BILLER,
    "intake:auth_edit": BILLER,
    "intake:eligibility_270_download": BILLING_READ,
    # API
    "api:intake:patient-list": CLINICAL,
    "api:intake:patient-detail": CLINICAL,
    "api:intake:order-list": CLINICAL,
    "api:intake:order-detail": CLINICAL,
    "api:intake:order-advance": BILLING_READ,  # GET shows blockers; POST needs BILLING_WORK
    "api:intake:coverage-list": BILLING_READ,
    "api:intake:coverage-detail": BILLING_READ,
    "api:intake:eligibility-check-list": BILLING_READ,
    "api:intake:eligibility-check-detail": BILLING_READ,
    "api:intake:eligibility-check-import-271": BILLING_READ,  # GET lists pending; POST needs BILLING_WORK
    "api:intake:authorization-list": BILLING_READ,
    "api:intake:authorization-detail": BILLING_READ,
    "api:intake:order-edit": BILLER,  # POST only: 405 on GET for billers
    "api:intake:order-history": BILLING_READ,
    "api:intake:authorization-edit": BILLER,
    "api:intake:authorization-history": BILLING_READ,
    "api:intake:eligibility-check-270": BILLING_READ,
}
ARGS = {
    "intake:alert_resolve": _alert,
    "intake:coverage_end": _coverage,
    "intake:patient_detail": _patient,
    "intake:coverage_create": _patient,
    "intake:order_create": _patient,
    "intake:auth_create": _patient,
    "intake:eligibility_create": _coverage,
    "intake:order_advance": _order,
    "api:intake:patient-detail": _patient,
    "api:intake:order-detail": _order,
    "api:intake:order-advance": _order,
    "api:intake:coverage-detail": _coverage,
    "api:intake:eligibility-check-detail": _check,
    "api:intake:authorization-detail": _auth,
    "intake:order_edit": _order,
    "intake:auth_edit": _auth,
    "intake:eligibility_270_download": _check_with_270,
    "api:intake:order-edit": _order,
    "api:intake:order-history": _order,
    "api:intake:authorization-edit": _auth,
    "api:intake:authorization-history": _auth,
    "api:intake:eligibility-check-270": _check_with_270,
}

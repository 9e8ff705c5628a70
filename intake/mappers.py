"""ORM rows <-> intake domain types (coverage periods, authorizations, 270 requests, 271 answers)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal

from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.money import to_money
from intake.domain import authorization as auth_domain
from intake.domain.coverage import CoveragePeriod, CoverageRank
from intake.domain.eligibility_270 import (
    EligibilityDependent,
    EligibilityPayer,
    EligibilityProvider,
    EligibilityRequest,
    EligibilitySubscriber,
)
from intake.domain.eligibility_response import CoverageStatus, EligibilitySubject, Rejection
from intake.domain.types import Relationship
from intake.models import Coverage, EligibilityCheck, PriorAuthorization

HUNDRED = Decimal(100)


def coverage_period(coverage: Coverage) -> CoveragePeriod:
    return CoveragePeriod(
        id=coverage.pk,
        rank=CoverageRank(coverage.rank),
        effective=coverage.effective_date,
        end=coverage.end_date,
    )


def authorization(auth: PriorAuthorization) -> auth_domain.Authorization:
    """The domain view of an auth; `auth.services` should be prefetched."""
    return auth_domain.Authorization(
        id=auth.pk,
        number=auth.auth_number,
        start=auth.start_date,
        end=auth.end_date,
        status=auth_domain.AuthStatus(auth.status),
        services=tuple(
            auth_domain.AuthorizedService(code=s.code, authorized=s.authorized_units, used=s.used_units)
            for s in auth.services.all()
        ),
    )


def eligibility_request(check: EligibilityCheck, *, created: datetime) -> EligibilityRequest:
    """The 270 inquiry for a pending check: payer, billing provider, subscriber and (if not self) dependent."""
    coverage = check.coverage
    patient = coverage.patient
    provider = patient.billing_provider
    payer = coverage.payer
    gender = patient.sex if patient.sex in ("M", "F", "U") else None
    if coverage.relationship == Relationship.SELF:
        subscriber = EligibilitySubscriber(
            member_id=coverage.member_id,
            last_name=patient.last_name,
            first_name=patient.first_name,
            birth_date=patient.date_of_birth,
            gender=gender,
        )
        dependent = None
    else:
        subscriber = EligibilitySubscriber(
            member_id=coverage.member_id,
            last_name=coverage.subscriber_last_name or None,
            first_name=coverage.subscriber_first_name or None,
            birth_date=coverage.subscriber_date_of_birth,
        )
        dependent = EligibilityDependent(
            last_name=patient.last_name,
            first_name=patient.first_name,
            birth_date=patient.date_of_birth,
            gender=gender,
        )
    return EligibilityRequest(
        payer=EligibilityPayer(name=payer.name, payer_id=payer.payer_id),
        provider=EligibilityProvider(name=provider.name, identifier=provider.npi),
        subscriber=subscriber,
        dependent=dependent,
        reference_id=check.trace_number,
        created=created,
        trace_number=check.trace_number,
        # TRN03: "1" followed by the billing provider's EIN (005010X279A1 2000C TRN03).
        trace_originator=f"1{provider.tax_id}",
        service_date=check.service_date,
    )


def _money(value: Decimal | None, what: str) -> Decimal | None:
    if value is None:
        return None
    if value < 0:
        raise InvalidInputError(
            f"271 refused: the {what} amount {value} is negative.", code="x12.271.invalid"
        )
    if value >= Decimal("1e10"):
        raise InvalidInputError(
            f"271 refused: the {what} amount {value} is too large.", code="x12.271.invalid"
        )
    return to_money(value)


def _rejection_message(rejections: tuple[Rejection, ...] | list[Rejection]) -> str:
    parts = []
    for r in rejections:
        text = f"{r.reason} (AAA {r.reason_code})"
        if r.follow_up:
            text += f": {r.follow_up}"
        parts.append(text)
    return "Payer rejected the inquiry: " + "; ".join(parts) if parts else ""


def eligibility_fields_from_271(subject: EligibilitySubject, *, received_on: date) -> dict:
    """Check fields from one 271 subject: status, active, plan and in-network money (refuses impossible values)."""
    if subject.rejections:
        return {
            "status": EligibilityCheck.Status.FAILED,
            "active": None,
            "message": _rejection_message(subject.rejections)[:1000],
            "checked_on": received_on,
        }
    percent = subject.coinsurance_percent(in_network=True)
    if percent is not None:
        if not Decimal(0) <= percent <= Decimal(1):
            raise InvalidInputError(
                f"271 refused: coinsurance {percent} is not a fraction between 0 and 1 (EB08).",
                code="x12.271.invalid",
            )
        percent = (percent * HUNDRED).quantize(Decimal("0.01"))
    status = subject.status
    return {
        "status": EligibilityCheck.Status.COMPLETE,
        "active": None if status is CoverageStatus.UNKNOWN else status is CoverageStatus.ACTIVE,
        "plan_name": subject.plan_description[:80],
        "copay": _money(subject.copay(in_network=True), "copay"),
        "coinsurance_percent": percent,
        "deductible": _money(subject.deductible(in_network=True), "deductible"),
        "deductible_remaining": _money(
            subject.deductible(remaining=True, in_network=True), "deductible remaining"
        ),
        "out_of_pocket_remaining": _money(
            subject.out_of_pocket_amount(remaining=True, in_network=True), "out-of-pocket remaining"
        ),
        "message": "",
        "checked_on": received_on,
    }


def eligibility_fields_from_rejection(rejections, *, received_on: date) -> dict:
    """Check fields for a 271 refused at payer/provider level (AAA in 2000A/2100A/2100B)."""
    return {
        "status": EligibilityCheck.Status.FAILED,
        "active": None,
        "message": _rejection_message(list(rejections))[:1000],
        "checked_on": received_on,
    }

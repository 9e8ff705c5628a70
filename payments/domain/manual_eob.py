"""A paper EOB entered by hand, in the shape of an 835, built into the same `Remittance` model.

Pure (pydantic). A biller types what the paper explanation of benefits says: the payer, the check
(number, date, amount), each claim with its status, charge, payment and adjustments, its lines,
and any provider-level amounts. `to_remittance` builds the very models the 835 reader returns and
runs the reader's three balancing rules (`balancing`), so a paper remit is refused for the same
reasons, with the same messages, and then posts through the same posting code as an 835.

Money arrives as strings or decimals (never floats, which have already lost the cents) and must
be exact to the cent; codes are the 835's (CLP02 status, CAS group, PLB reason).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from infusion_rcm.common.errors import InvalidInputError
from payments.domain.balancing import claim_imbalance, line_imbalance, payment_imbalance
from payments.domain.codes import (
    AdjustmentGroup,
    ClaimStatus,
    CreditDebit,
    HandlingCode,
    PaymentMethod,
    PlbReason,
    ProcedureQualifier,
)
from payments.domain.remittance import (
    Adjustment,
    ClaimPayment,
    Party,
    Payee,
    Payer,
    Payment,
    Procedure,
    ProviderAdjustment,
    ProviderAdjustmentItem,
    Reference,
    Remittance,
    ServiceLinePayment,
    Trace,
)

CENT = Decimal("0.01")
PAPER_VERSION = "paper EOB"


def _exact_money(value: object) -> Decimal:
    if isinstance(value, float):
        raise ValueError('give amounts as text (e.g. "120.50"), not as a floating-point number')
    try:
        amount = Decimal(str(value).strip())
    except ArithmeticError:
        raise ValueError(f"{value!r} is not an amount") from None
    if not amount.is_finite() or amount.quantize(CENT) != amount:
        raise ValueError(f"{value!r} is not an amount in dollars and cents")
    return amount.quantize(CENT)


Money = Annotated[Decimal, BeforeValidator(_exact_money)]


class _Input(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class EobAdjustment(_Input):
    """One adjustment as the EOB states it (a CAS triplet): who bears it, the CARC, the amount."""

    group: AdjustmentGroup
    reason: str = Field(pattern=r"^[0-9A-Z]{1,5}$", description="CARC, e.g. 45, 2, 197")
    amount: Money
    quantity: Decimal | None = None


class EobLine(_Input):
    """One service line of a claim on the EOB."""

    code: str = Field(min_length=1, max_length=48, description="procedure code as paid, e.g. J1745")
    modifiers: list[str] = Field(default_factory=list, max_length=4)
    units: Decimal = Field(default=Decimal(1), gt=0)
    service_date: date | None = None
    charge: Money
    paid: Money
    allowed: Money | None = None
    line_control_number: str = Field(default="", max_length=50, description="our line number, if printed")
    adjustments: list[EobAdjustment] = Field(default_factory=list)
    remark_codes: list[str] = Field(default_factory=list)


class EobClaim(_Input):
    """One claim on the EOB (an 835 CLP)."""

    claim_number: str = Field(min_length=1, max_length=38, description="our patient control number")
    status: ClaimStatus = Field(description="CLP02: 1 primary, 2 secondary, 4 denied, 22 reversal ...")
    charge: Money
    paid: Money
    patient_responsibility: Money | None = None
    payer_claim_number: str = Field(default="", max_length=50)
    patient_last_name: str = Field(default="", max_length=60)
    patient_first_name: str = Field(default="", max_length=35)
    member_id: str = Field(default="", max_length=80)
    adjustments: list[EobAdjustment] = Field(default_factory=list)
    lines: list[EobLine] = Field(default_factory=list)


class EobProviderAdjustment(_Input):
    """A provider-level amount on the EOB (an 835 PLB): interest, recoupment, forwarding balance."""

    reason: PlbReason
    reference: str = Field(default="", max_length=50)
    amount: Money = Field(description="positive takes money back (recoupment); negative adds (interest)")


class ManualEob(_Input):
    """A whole paper EOB: one payment (check) from one payer."""

    payer_name: str = Field(min_length=1, max_length=60)
    payer_id: str = Field(default="", max_length=80, description="the payer's id, if known")
    check_number: str = Field(min_length=1, max_length=50, description="check or EFT trace number (TRN02)")
    payment_date: date
    payment_amount: Money
    payment_method: PaymentMethod = PaymentMethod.CHECK
    claims: list[EobClaim] = Field(min_length=1)
    provider_adjustments: list[EobProviderAdjustment] = Field(default_factory=list)

    @field_validator("payment_amount")
    @classmethod
    def _not_negative(cls, value: Decimal) -> Decimal:
        if value < 0:
            raise ValueError("a payment amount is never negative (a debit is stated as a credit/debit flag)")
        return value


def _adjustments(rows: list[EobAdjustment]) -> tuple[Adjustment, ...]:
    return tuple(
        Adjustment(group=a.group, reason=a.reason, amount=a.amount, quantity=a.quantity) for a in rows
    )


def _line(line: EobLine, position: int) -> ServiceLinePayment:
    return ServiceLinePayment(
        procedure=Procedure(
            qualifier=ProcedureQualifier.HCPCS, code=line.code.upper(), modifiers=tuple(line.modifiers)
        ),
        charge=line.charge,
        paid=line.paid,
        units_paid=line.units,
        service_date=line.service_date,
        adjustments=_adjustments(line.adjustments),
        line_control_number=line.line_control_number or None,
        allowed=line.allowed,
        remarks=tuple(Reference(qualifier="HE", value=code) for code in line.remark_codes),
        position=position,
    )


def _claim(claim: EobClaim, position: int) -> ClaimPayment:
    patient = None
    if claim.patient_last_name or claim.member_id:
        patient = Party(
            entity="QC",
            entity_type="1",
            last_name=claim.patient_last_name or None,
            first_name=claim.patient_first_name or None,
            id_qualifier="MI" if claim.member_id else None,
            identifier=claim.member_id or None,
        )
    return ClaimPayment(
        patient_control_number=claim.claim_number,
        status=claim.status,
        charge=claim.charge,
        paid=claim.paid,
        patient_responsibility=claim.patient_responsibility,
        payer_claim_control_number=claim.payer_claim_number or None,
        adjustments=_adjustments(claim.adjustments),
        patient=patient,
        lines=tuple(_line(line, position * 100 + n) for n, line in enumerate(claim.lines, start=1)),
        position=position * 100,
    )


def to_remittance(eob: ManualEob, *, payee_name: str, payee_npi: str, provider_id: str) -> Remittance:
    """The `Remittance` the paper EOB describes, balanced like an 835 or refused (InvalidInputError
    naming the claim and the figures, code `remittance.unbalanced`)."""
    claims = tuple(_claim(c, n) for n, c in enumerate(eob.claims, start=1))
    problems: list[str] = []
    for claim in claims:
        for line in claim.lines:
            message = line_imbalance(line, claim_id=claim.patient_control_number)
            if message:
                problems.append(message)
        message = claim_imbalance(claim)
        if message:
            problems.append(message)
    plb: tuple[ProviderAdjustment, ...] = ()
    if eob.provider_adjustments:
        plb = (
            ProviderAdjustment(
                provider_id=provider_id,
                fiscal_period_date=date(eob.payment_date.year, 12, 31),
                items=tuple(
                    ProviderAdjustmentItem(reason=p.reason, reference=p.reference or None, amount=p.amount)
                    for p in eob.provider_adjustments
                ),
                position=len(claims) * 100 + 100,
            ),
        )
    provider_total = sum((p.amount for p in eob.provider_adjustments), Decimal("0.00"))
    message = payment_imbalance(
        transaction="paper EOB",
        payment=eob.payment_amount,
        claims_paid=sum((c.paid for c in claims), Decimal("0.00")),
        provider_adjustments=provider_total,
    )
    if message:
        problems.append(message)
    if problems:
        raise InvalidInputError(
            " ".join(problems), code="remittance.unbalanced", extra={"problems": problems}
        )
    return Remittance(
        interchange_control="",
        group_control="",
        transaction_control="",
        group_sender_id=eob.payer_id or eob.payer_name,
        group_receiver_id="",
        version=PAPER_VERSION,
        position=0,
        payment=Payment(
            handling=HandlingCode.PAYMENT_WITH_REMITTANCE,
            amount=eob.payment_amount,
            credit_debit=CreditDebit.CREDIT,
            method=eob.payment_method,
            effective_date=eob.payment_date,
        ),
        trace=Trace(trace_type="1", trace_number=eob.check_number),
        payer=Payer(name=eob.payer_name, identifier=eob.payer_id or None),
        payee=Payee(name=payee_name, id_qualifier="XX", identifier=payee_npi),
        claims=claims,
        provider_adjustments=plb,
    )

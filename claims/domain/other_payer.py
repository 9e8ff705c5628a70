"""What an earlier payer did with a claim: the input of the next payer's claim (COB).

Pure module (standard library + pydantic + infusion_rcm.common only). A secondary (or tertiary)
claim carries, for every payer that adjudicated the claim before, one `PriorPayerAdjudication`:
who the payer and its subscriber are, the payer's claim number, what it paid, when, and every
adjustment it made, at claim level and line by line. The 837 writer turns each one into loops
2320 / 2330A / 2330B and, per service line, 2430 (claims.domain.x12_837_cob); the claims service
stores it on the secondary claim as a JSON snapshot (`Claim.prior_adjudications`), so the claim
always says what it was built from, even if the remittance is later reversed.

Sources: ASC X12 005010X222A1 (837P) and 005010X223A2 (837I) loops 2320 (SBR, CAS, AMT*D,
AMT*EAF, OI, MOA), 2330A (NM1*IL), 2330B (NM1*PR, DTP*573, REF*F8), 2430 (SVD, CAS, DTP*573);
docs/billing-rules/secondary-claims.md.
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field, field_validator

from infusion_rcm.common.money import exact_amount, to_money

ZERO = Decimal("0.00")

# SBR01 payer responsibility sequence (X222A1 2000B / 2320 SBR01, element 1138): P primary,
# S secondary, T tertiary (A-H: payers 4 to 11, not used here).
PayerSequence = Literal["P", "S", "T"]
SEQUENCES: tuple[PayerSequence, ...] = ("P", "S", "T")

# CAS01 claim adjustment group codes (X12 element 1033).
AdjustmentGroupCode = Literal["CO", "CR", "OA", "PI", "PR"]

# SBR02 / 2320 SBR02 individual relationship code: 18 self, 01 spouse, 19 child, 20 employee,
# 21 unknown, 39 organ donor, 40 cadaver donor, 53 life partner, G8 other.
RelationshipCode = Literal["18", "01", "19", "20", "21", "39", "40", "53", "G8"]


def _money(value: Any) -> Decimal:
    return to_money(exact_amount(value))


Money = Annotated[Decimal, BeforeValidator(_money)]
Quantity = Annotated[Decimal, BeforeValidator(exact_amount)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


class OtherPayerAdjustment(_Frozen):
    """One CAS triplet as the prior payer sent it in its 835 (positive reduces the payment)."""

    group: AdjustmentGroupCode
    reason: str = Field(min_length=1, max_length=5, description="CARC")
    amount: Money
    quantity: Quantity | None = None
    description: str = Field(
        default="", max_length=300, description="the code in words, for the claim page (not sent in X12)"
    )


class OtherPayerLine(_Frozen):
    """One service line as the prior payer adjudicated it (835 SVC -> 837 2430).

    `line_control_number` ties it to the claim line it paid (REF*6R we sent and the 835 echoed);
    `code`/`modifiers` are the procedure as adjudicated, `units` as paid.
    """

    line_control_number: str = Field(min_length=1, max_length=50)
    code: str = Field(min_length=1, max_length=48)
    modifiers: tuple[str, ...] = Field(default=(), max_length=4)
    revenue_code: str | None = None
    units: Quantity
    paid: Money
    adjustments: tuple[OtherPayerAdjustment, ...] = ()

    @property
    def patient_responsibility(self) -> Decimal:
        return to_money(sum((a.amount for a in self.adjustments if a.group == "PR"), ZERO))


class OtherSubscriber(_Frozen):
    """2330A: the prior payer's insured (the patient, or the policyholder of a dependant)."""

    last_name: str = Field(min_length=1, max_length=60)
    first_name: str | None = Field(default=None, max_length=35)
    member_id: str = Field(min_length=1, max_length=80)
    group_number: str | None = Field(default=None, max_length=50)
    relationship: RelationshipCode = Field(
        default="18", description="2320 SBR02: the patient to this insured"
    )


class PriorPayerAdjudication(_Frozen):
    """One earlier payer's adjudication of the claim, as posted from its remittance.

    `sequence` is that payer's place (P for the primary on a secondary claim); `payer_id` is its
    NM1*PR identifier, repeated in each 2430 SVD01. `denied` records that it paid nothing and the
    adjustments say why (the next payer still gets them).
    """

    sequence: PayerSequence
    payer_name: str = Field(min_length=1, max_length=60)
    payer_id: str = Field(min_length=2, max_length=80)
    filing_indicator: str = Field(pattern=r"^[0-9A-Z]{2}$", description="2320 SBR09")
    subscriber: OtherSubscriber
    payer_claim_number: str | None = Field(default=None, max_length=50, description="2330B REF*F8 (CLP07)")
    adjudication_date: date = Field(description="DTP*573: the remittance's payment date (BPR16)")
    claim_status_code: str = Field(default="1", max_length=2, description="CLP02 as the payer sent it")
    charge: Money = Field(description="CLP03")
    paid: Money = Field(description="CLP04 -> 2320 AMT*D")
    claim_adjustments: tuple[OtherPayerAdjustment, ...] = ()
    lines: tuple[OtherPayerLine, ...] = ()
    remark_codes: tuple[str, ...] = Field(default=(), max_length=5, description="MOA remark codes")
    source: str = Field(
        default="", max_length=80, description="what it was built from, e.g. the claim payment id"
    )

    @field_validator("remark_codes")
    @classmethod
    def _remarks(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(code.strip().upper() for code in value if code.strip())

    @property
    def denied(self) -> bool:
        return self.paid == ZERO and self.patient_responsibility == ZERO

    @property
    def all_adjustments(self) -> tuple[OtherPayerAdjustment, ...]:
        return (*self.claim_adjustments, *(a for line in self.lines for a in line.adjustments))

    @property
    def patient_responsibility(self) -> Decimal:
        """AMT*EAF remaining patient liability: every PR amount of this payer (claim and lines)."""
        return to_money(sum((a.amount for a in self.all_adjustments if a.group == "PR"), ZERO))

    def line_for(self, line_control_number: str) -> OtherPayerLine | None:
        return next((ln for ln in self.lines if ln.line_control_number == line_control_number), None)

    def balance_gap(self) -> Decimal:
        """CLP03 - CLP04 - every adjustment: zero for an adjudication that balances (the 835 rule
        the 837 COB balancing repeats: charge = paid + claim CAS + line CAS)."""
        adjusted = sum((a.amount for a in self.all_adjustments), ZERO)
        return to_money(self.charge - self.paid - adjusted)


def next_sequence(sequence: PayerSequence) -> PayerSequence | None:
    """The payer after `sequence` (P -> S -> T), or None after the tertiary."""
    index = SEQUENCES.index(sequence)
    return SEQUENCES[index + 1] if index + 1 < len(SEQUENCES) else None


# CLP02 codes of a claim the payer forwarded to the next payer itself (crossover): 19 processed
# as primary, forwarded; 20 as secondary, forwarded; 21 as tertiary, forwarded (X12 element 1029).
FORWARDED_STATUS_CODES = frozenset({"19", "20", "21"})
# MOA / LQ remark codes that say the claim was forwarded (CMS RARC list; COB-5): MA18 "the
# claim information is also being forwarded to the patient's supplemental insurer", MA07 "...
# forwarded to Medicaid for review", N89 "payment information for this claim has been forwarded
# to more than one other payer".
FORWARDED_REMARK_CODES = frozenset({"MA18", "MA07", "N89"})


def was_forwarded(*, claim_status_code: str, crossover_carrier: str, remark_codes: tuple[str, ...]) -> bool:
    """True when the remittance says the payer sent the claim on to the next payer (crossover):
    CLP02 19/20/21, a crossover carrier (NM1*TT), or a forwarding remark (MA18, MA07, N89).
    Then no next-payer claim is sent: the next payer adjudicates from the crossover and sends its
    own remittance."""
    if claim_status_code in FORWARDED_STATUS_CODES or crossover_carrier.strip():
        return True
    return bool(FORWARDED_REMARK_CODES & {code.upper() for code in remark_codes})

"""What an 835 says, as frozen models: one `Remittance` per ST..SE transaction set of an `EraFile`.

Pure module (standard library + pydantic). The reader (`x12_835`) fills these after checking
every element and the balancing, so a model built from a file is always balanced to the cent.

Conventions that hold for every model here:
- Money is `Decimal` (strict: a float, an int or a string is refused) and, from the reader, exact
  to the cent; signs are as sent (a reversal, CLP02 = 22, carries negative amounts).
- A segment the payer did not send is `None` or an empty tuple; a named field pulls out the one
  qualifier posting needs (REF*6R, AMT*B6), and the rest stay in the generic tuple beside it.
- `position` is the segment's place in the file (ISA = 1), for messages a biller can act on.

Loop and segment names are those of ASC X12 005010X221A1 (Health Care Claim Payment/Advice).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated

from pydantic import BaseModel, ConfigDict, Strict

from payments.domain.codes import (
    AMOUNT_QUALIFIERS,
    SUMMARY_ELEMENTS,
    AdjustmentGroup,
    ClaimStatus,
    CreditDebit,
    HandlingCode,
    PaymentMethod,
    PlbReason,
    ProcedureQualifier,
)

Money = Annotated[Decimal, Strict()]
Count = Annotated[Decimal, Strict()]  # units, days, quantities: decimals, any precision


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------------------
# Small pieces shared by several loops
# ---------------------------------------------------------------------------


class Reference(_Frozen):
    """REF: a qualified identifier (REF01 qualifier, REF02 value)."""

    qualifier: str
    value: str


class SupplementalAmount(_Frozen):
    """AMT: a qualified amount (AMT01, AMT02), e.g. AU coverage, I interest, B6 allowed."""

    qualifier: str
    amount: Money

    @property
    def meaning(self) -> str:
        return AMOUNT_QUALIFIERS.get(self.qualifier, "unlisted qualifier")


class SupplementalQuantity(_Frozen):
    """QTY: a qualified quantity (QTY01, QTY02), e.g. CA covered days."""

    qualifier: str
    quantity: Count


class SummaryAmount(_Frozen):
    """One numbered element of TS3, TS2 or MIA, e.g. `TS313` total MSP payer amount."""

    element: str
    value: Count

    @property
    def meaning(self) -> str:
        return SUMMARY_ELEMENTS.get(self.element, "element not described")


class Communication(_Frozen):
    """PER03/04 (05/06, 07/08): TE phone, EX extension, FX fax, EM e-mail, UR web address."""

    qualifier: str
    number: str


class Contact(_Frozen):
    """PER: CX business contact, BL technical contact, IC web site."""

    function: str
    name: str | None = None
    numbers: tuple[Communication, ...] = ()


class Address(_Frozen):
    """N3 / N4 as sent (no normalisation: this is what the payer has on file)."""

    line1: str | None = None
    line2: str | None = None
    city: str | None = None
    state: str | None = None
    postal_code: str | None = None
    country: str | None = None
    country_subdivision: str | None = None


class Party(_Frozen):
    """NM1 of loop 2100: patient (QC), insured (IL), corrected patient/insured (74), rendering
    provider (82), crossover carrier (TT), corrected priority payer (PR), other subscriber (GB)."""

    entity: str  # NM101
    entity_type: str  # NM102: 1 person, 2 non-person
    last_name: str | None = None  # or the organization's name
    first_name: str | None = None
    middle_name: str | None = None
    suffix: str | None = None
    id_qualifier: str | None = None  # NM108, e.g. MI member id, HN HIC, XX NPI, PI payer id
    identifier: str | None = None  # NM109


# ---------------------------------------------------------------------------
# Adjustments
# ---------------------------------------------------------------------------


class Adjustment(_Frozen):
    """One reason/amount/quantity triplet of a CAS segment (a CAS carries up to six).

    `amount` is what the group bears: positive reduces the payment, negative adds to it.
    """

    group: AdjustmentGroup  # CAS01
    reason: str  # CARC, e.g. 45; descriptions live in the denials app's catalogue
    amount: Money
    quantity: Count | None = None


class ProviderAdjustmentItem(_Frozen):
    """One reason/amount pair of a PLB: the composite `WO:12345` and its amount.

    Positive reduces the payment (a recoupment); negative increases it (interest owed, L6).
    """

    reason: PlbReason
    reference: str | None = None  # PLB03-2: often the payer's claim number or the patient account
    amount: Money


class ProviderAdjustment(_Frozen):
    """PLB: adjustments not tied to one claim line (loop-free, after the claims)."""

    provider_id: str  # PLB01: NPI or TIN the payer knows the provider by
    fiscal_period_date: date  # PLB02: end of the provider's fiscal year
    items: tuple[ProviderAdjustmentItem, ...]
    position: int

    @property
    def total(self) -> Decimal:
        return sum((item.amount for item in self.items), Decimal("0.00"))


# ---------------------------------------------------------------------------
# Service lines and claims
# ---------------------------------------------------------------------------


class Procedure(_Frozen):
    """SVC01 / SVC06 composite: qualifier, code, up to four modifiers, description."""

    qualifier: ProcedureQualifier
    code: str
    modifiers: tuple[str, ...] = ()
    description: str | None = None  # component 7


class ServiceLinePayment(_Frozen):
    """Loop 2110: one adjudicated service line."""

    procedure: Procedure  # SVC01, as adjudicated
    charge: Money  # SVC02
    paid: Money  # SVC03
    revenue_code: str | None = None  # SVC04 (institutional)
    units_paid: Count  # SVC05; the guide says an absent SVC05 means one
    original_procedure: Procedure | None = None  # SVC06: as submitted, when the payer changed it
    original_units: Count | None = None  # SVC07: submitted units, when they differ from SVC05
    service_date: date | None = None  # DTM*472
    service_from: date | None = None  # DTM*150
    service_to: date | None = None  # DTM*151
    adjustments: tuple[Adjustment, ...] = ()
    line_control_number: str | None = None  # REF*6R: our 837 line item control number, if echoed
    references: tuple[Reference, ...] = ()  # every other REF (e.g. LU location, 1B, HPI)
    allowed: Money | None = None  # AMT*B6
    amounts: tuple[SupplementalAmount, ...] = ()  # every other AMT (KH, T, ZK...)
    quantities: tuple[SupplementalQuantity, ...] = ()
    remarks: tuple[Reference, ...] = ()  # LQ: HE remittance advice remark code, RX NCPDP reject
    position: int  # of the SVC segment

    @property
    def adjusted(self) -> Decimal:
        return sum((a.amount for a in self.adjustments), Decimal("0.00"))


class InpatientAdjudication(_Frozen):
    """MIA: inpatient adjudication information (Medicare Part A and institutional payers)."""

    covered_days: Count | None = None  # MIA01
    lifetime_psychiatric_days: Count | None = None  # MIA03
    cost_report_days: Count | None = None  # MIA15
    remark_codes: tuple[str, ...] = ()  # MIA05, MIA20..23 (RARC)
    amounts: tuple[SummaryAmount, ...] = ()  # the money elements, by element number


class OutpatientAdjudication(_Frozen):
    """MOA: outpatient adjudication information."""

    reimbursement_rate: Count | None = None  # MOA01, a fraction (0.8 = 80 %)
    hcpcs_payable: Money | None = None  # MOA02
    remark_codes: tuple[str, ...] = ()  # MOA03..07 (RARC)
    esrd_payment: Money | None = None  # MOA08
    nonpayable_professional_component: Money | None = None  # MOA09


class ClaimPayment(_Frozen):
    """Loop 2100: one claim as the payer adjudicated it (CLP and what follows, up to the next CLP)."""

    patient_control_number: str  # CLP01: our CLM01, echoed back
    status: ClaimStatus  # CLP02
    charge: Money  # CLP03
    paid: Money  # CLP04
    patient_responsibility: Money | None = None  # CLP05
    filing_indicator: str | None = None  # CLP06: 12 PPO, MB Medicare B, MC Medicaid ...
    payer_claim_control_number: str | None = None  # CLP07: the payer's ICN
    facility_code: str | None = None  # CLP08: place of service or bill-type digits
    frequency_code: str | None = None  # CLP09
    drg_code: str | None = None  # CLP11
    drg_weight: Count | None = None  # CLP12
    discharge_fraction: Count | None = None  # CLP13
    header_number: int | None = None  # LX01 of the loop 2000 the claim sits in
    adjustments: tuple[Adjustment, ...] = ()  # claim-level CAS
    patient: Party | None = None  # NM1*QC
    insured: Party | None = None  # NM1*IL
    corrected_patient: Party | None = None  # NM1*74
    rendering_provider: Party | None = None  # NM1*82
    crossover_carrier: Party | None = None  # NM1*TT
    corrected_priority_payer: Party | None = None  # NM1*PR
    other_subscriber: Party | None = None  # NM1*GB
    inpatient: InpatientAdjudication | None = None  # MIA
    outpatient: OutpatientAdjudication | None = None  # MOA
    references: tuple[Reference, ...] = ()  # REF: 1K, EA, F8, 1L, CE, 28, 9A ...
    statement_from: date | None = None  # DTM*232
    statement_to: date | None = None  # DTM*233
    coverage_expiration: date | None = None  # DTM*036
    received: date | None = None  # DTM*050
    contacts: tuple[Contact, ...] = ()  # PER*CX
    amounts: tuple[SupplementalAmount, ...] = ()  # AMT: AU, D8, I, F5 ...
    quantities: tuple[SupplementalQuantity, ...] = ()  # QTY
    lines: tuple[ServiceLinePayment, ...] = ()
    position: int  # of the CLP segment

    def reference(self, qualifier: str) -> str | None:
        """The first REF of this qualifier, e.g. `reference("F8")` original reference number."""
        return next((r.value for r in self.references if r.qualifier == qualifier), None)

    def amount(self, qualifier: str) -> Decimal | None:
        """The AMT of this qualifier, e.g. `amount("I")` interest."""
        return next((a.amount for a in self.amounts if a.qualifier == qualifier), None)

    @property
    def adjusted(self) -> Decimal:
        """Claim-level plus line-level adjustments."""
        claim = sum((a.amount for a in self.adjustments), Decimal("0.00"))
        return claim + sum((line.adjusted for line in self.lines), Decimal("0.00"))


# ---------------------------------------------------------------------------
# The transaction set
# ---------------------------------------------------------------------------


class BankAccount(_Frozen):
    """BPR06..09 (payer's bank) or BPR12..15 (provider's bank)."""

    dfi_qualifier: str | None = None  # 01 ABA routing, 04 Canadian
    dfi_number: str | None = None
    account_qualifier: str | None = None  # DA demand deposit, SG savings
    account_number: str | None = None


class Payment(_Frozen):
    """BPR: the money of the whole transaction set."""

    handling: HandlingCode  # BPR01
    amount: Money  # BPR02: total actual provider payment
    credit_debit: CreditDebit  # BPR03
    method: PaymentMethod  # BPR04
    payment_format: str | None = None  # BPR05: CCP, CTX
    payer_bank: BankAccount | None = None
    originating_company_id: str | None = None  # BPR10
    originating_company_supplemental: str | None = None  # BPR11
    provider_bank: BankAccount | None = None
    effective_date: date  # BPR16: check issue or EFT effective date


class Trace(_Frozen):
    """TRN: ties the remittance to the money (check number or EFT trace number)."""

    trace_type: str  # TRN01: 1 current transaction
    trace_number: str  # TRN02
    originating_company_id: str | None = None  # TRN03: "1" + payer EIN
    originating_company_supplemental: str | None = None  # TRN04


class Payer(_Frozen):
    """Loop 1000A: N1*PR with N3, N4, REF (2U, EO, HI, NF) and PER (CX, BL, IC)."""

    name: str
    id_qualifier: str | None = None  # N103: XV CMS plan id
    identifier: str | None = None  # N104
    address: Address | None = None
    references: tuple[Reference, ...] = ()
    contacts: tuple[Contact, ...] = ()


class Delivery(_Frozen):
    """RDM: how the payer delivers the remittance detail when it is not this file (BM mail, EM e-mail,
    FT file transfer, OL on-line)."""

    transport: str
    name: str | None = None
    address: str | None = None  # RDM03 communication number


class Payee(_Frozen):
    """Loop 1000B: N1*PE with N3, N4, REF (TJ tax id, PQ payee id, 0B licence ...), RDM."""

    name: str
    id_qualifier: str  # N103: XX NPI, FI tax id, XV CMS plan id
    identifier: str  # N104
    address: Address | None = None
    references: tuple[Reference, ...] = ()
    delivery: Delivery | None = None  # RDM

    @property
    def npi(self) -> str | None:
        return self.identifier if self.id_qualifier == "XX" else None

    @property
    def tin(self) -> str | None:
        """REF*TJ, or N104 when the payee is identified by tax id (FI)."""
        ref = next((r.value for r in self.references if r.qualifier == "TJ"), None)
        return ref or (self.identifier if self.id_qualifier == "FI" else None)


class ProviderSummary(_Frozen):
    """TS3: provider summary of the claims in one loop 2000 (institutional payers)."""

    provider_id: str  # TS301
    facility_code: str  # TS302
    fiscal_period_end: date  # TS303
    claim_count: Count  # TS304
    total_charge: Money  # TS305
    amounts: tuple[SummaryAmount, ...] = ()  # TS313 ... (and 004010 elements some payers still send)


class HeaderNumber(_Frozen):
    """Loop 2000: LX groups claims (by provider, type of bill or period); TS3 / TS2 summarise them."""

    number: int  # LX01
    provider_summary: ProviderSummary | None = None  # TS3
    supplemental_summary: tuple[SummaryAmount, ...] = ()  # TS2 (Medicare Part A DRG totals)
    position: int


class Remittance(_Frozen):
    """One 835 transaction set: one payment (or non-payment) from one payer to one payee."""

    interchange_control: str  # ISA13
    group_control: str  # GS06
    transaction_control: str  # ST02
    group_sender_id: str  # GS02: the payer's application sender code
    group_receiver_id: str  # GS03
    version: str  # ST03 / GS08
    position: int  # of the ST segment
    payment: Payment
    trace: Trace
    currency: str = "USD"  # CUR02; the reader refuses any other
    receiver_id: str | None = None  # REF*EV
    version_id: str | None = None  # REF*F2: payer's adjudication system version
    production_date: date | None = None  # DTM*405
    payer: Payer
    payee: Payee
    headers: tuple[HeaderNumber, ...] = ()
    claims: tuple[ClaimPayment, ...] = ()  # in file order; `header_number` says which LX
    provider_adjustments: tuple[ProviderAdjustment, ...] = ()

    @property
    def payer_id(self) -> str:
        """The payer's id: N1*PR REF*2U, else N104 (XV), else REF*EO, else GS02."""
        ref = next((r.value for r in self.payer.references if r.qualifier == "2U"), None)
        if ref:
            return ref
        if self.payer.identifier:
            return self.payer.identifier
        eo = next((r.value for r in self.payer.references if r.qualifier == "EO"), None)
        return eo or self.group_sender_id

    @property
    def provider_adjustment_total(self) -> Decimal:
        return sum((plb.total for plb in self.provider_adjustments), Decimal("0.00"))


class EraFile(_Frozen):
    """One 835 file (one ISA..IEA interchange) as read: every remittance in it, balanced."""

    interchange_control: str  # ISA13
    sender_id: str  # ISA06
    receiver_id: str  # ISA08
    interchange_date: str  # ISA09 YYMMDD
    interchange_time: str  # ISA10 HHMM
    usage: str  # ISA15: P production, T test
    remittances: tuple[Remittance, ...]
    warnings: tuple[str, ...] = ()  # envelope warnings, then what the reader tolerated

    @property
    def claims(self) -> tuple[ClaimPayment, ...]:
        return tuple(c for r in self.remittances for c in r.claims)

"""Claim domain types: the claim status enum, the claim draft the scrubber and the 837 writer
read, payer-rule configuration, and the edits the scrubber returns.

Pure module (standard library + pydantic + infusion_rcm.common only). Every model is frozen and
refuses unknown fields. Money and units are `Decimal`; a float is refused at the boundary because
it has already lost the cents (docs/conventions.md section 6).

Models are deliberately lenient about *business* completeness (no lines, no diagnosis, a missing
place of service): a half-finished draft must still be scrubbable, and the scrubber reports what
is missing as edits a biller can act on. The 837 writer raises `InvalidInputError` for anything it
cannot write.
"""

from __future__ import annotations

import re
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Annotated, Any, Literal

from pydantic import (
    AfterValidator,
    BaseModel,
    BeforeValidator,
    ConfigDict,
    Field,
    TypeAdapter,
    field_validator,
    model_validator,
)

from claims.domain.other_payer import PayerSequence, PriorPayerAdjudication
from infusion_rcm.common.identifiers import normalize_icd10cm, normalize_ndc
from infusion_rcm.common.money import exact_amount, to_money
from intake.domain.types import ClaimForm as ClaimForm  # re-exported; 837P = X222A1, 837I = X223A2

# ---------------------------------------------------------------------------
# Status
# ---------------------------------------------------------------------------


class ClaimStatus(StrEnum):
    """Where a claim is in its life. Values are stored as strings (docs/conventions.md section 4)."""

    DRAFT = "draft"  # being built or corrected; not yet scrubbed clean
    NEEDS_FIX = "needs_fix"  # scrubbed and at least one error-severity edit is open
    READY = "ready"  # scrubbed with no errors; may be put in a batch
    BATCHED = "batched"  # placed in a submission batch (837 file) that is not yet released
    SUBMITTED = "submitted"  # the batch file was released to the clearinghouse/payer
    ACCEPTED = "accepted"  # 999 and 277CA accepted it into adjudication (277CA A2)
    REJECTED = "rejected"  # 999 or 277CA rejected it (front-end edit); never adjudicated, not "filed"
    PAID = "paid"  # 835 paid it in full (per contract) or with patient responsibility only
    PARTIALLY_PAID = "partially_paid"  # 835 paid part of it; some lines denied or reduced
    DENIED = "denied"  # 835 paid nothing (CLP02 = 4 or all lines denied)
    APPEALED = "appealed"  # an appeal / redetermination is pending with the payer
    CLOSED = "closed"  # nothing more to do: balance settled, written off or appeal exhausted
    VOID = "void"  # cancelled before adjudication (never reached the payer, or rejected and abandoned)
    REPLACED = "replaced"  # superseded by a replacement (frequency 7) or voided at the payer (frequency 8)


class PayerKind(StrEnum):
    MEDICARE = "medicare"
    MEDICARE_ADVANTAGE = "medicare_advantage"
    MEDICAID = "medicaid"
    COMMERCIAL = "commercial"
    OTHER = "other"  # TRICARE, VA, workers' compensation, auto ...: the payer names its SBR09


# Their members are always their own subscriber (SBR02 18, no 2000C patient loop): Medicare and
# Medicaid enrol individuals, never dependants (CMS 837P companion guides; state Medicaid guides).
OWN_SUBSCRIBER_KINDS = frozenset({PayerKind.MEDICARE, PayerKind.MEDICARE_ADVANTAGE, PayerKind.MEDICAID})


class Severity(StrEnum):
    ERROR = "error"  # blocks submission: the claim goes to needs_fix
    WARNING = "warning"  # a biller should look; the claim may still be submitted


# ---------------------------------------------------------------------------
# Value helpers
# ---------------------------------------------------------------------------


def _money(value: Any) -> Decimal:
    return to_money(exact_amount(value))


Money = Annotated[Decimal, BeforeValidator(_money)]
Quantity = Annotated[Decimal, BeforeValidator(exact_amount)]


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)


# ---------------------------------------------------------------------------
# Parties
# ---------------------------------------------------------------------------


class Address(_Frozen):
    line1: str = Field(min_length=1, max_length=55)
    line2: str | None = Field(default=None, max_length=55)
    city: str = Field(min_length=2, max_length=30)
    state: str = Field(min_length=2, max_length=2)
    zip: str = Field(description="5 or 9 digits; a hyphen is removed")

    @field_validator("zip")
    @classmethod
    def _zip_digits(cls, value: str) -> str:
        digits = value.replace("-", "").replace(" ", "")
        if not digits.isdigit() or len(digits) not in (5, 9):
            raise ValueError("ZIP must be 5 or 9 digits")
        return digits

    @field_validator("state")
    @classmethod
    def _state_upper(cls, value: str) -> str:
        return value.upper()


class BillingProvider(_Frozen):
    """2010AA billing provider: an organization (NM102 = 2) identified by its NPI."""

    name: str = Field(min_length=1, max_length=60)
    npi: str
    tax_id: str = Field(description="EIN, 9 digits; a hyphen is removed")
    taxonomy: str | None = Field(default=None, description="PRV*BI provider taxonomy code, 10 chars")
    address: Address

    @field_validator("tax_id")
    @classmethod
    def _tax_digits(cls, value: str) -> str:
        return value.replace("-", "").replace(" ", "")


class ProviderRef(_Frozen):
    """A person provider (rendering, referring, attending, supervising): NM102 = 1."""

    last_name: str = Field(min_length=1, max_length=60)
    first_name: str | None = Field(default=None, max_length=35)
    npi: str
    taxonomy: str | None = Field(default=None, description="NUCC taxonomy, PRV*PE / PRV*AT")

    @field_validator("taxonomy")
    @classmethod
    def _taxonomy_blank(cls, value: str | None) -> str | None:
        return value.strip().upper() or None if value else None


class ServiceFacility(_Frozen):
    """2310C (837P) / 2310E (837I) service facility location, when it differs from the billing address."""

    name: str = Field(min_length=1, max_length=60)
    npi: str | None = None
    address: Address


Gender = Literal["M", "F", "U"]


class Subscriber(_Frozen):
    """2010BA subscriber (the insured member)."""

    last_name: str = Field(min_length=1, max_length=60)
    first_name: str | None = Field(default=None, max_length=35)
    middle_name: str | None = Field(default=None, max_length=25)
    member_id: str = Field(min_length=1, max_length=80)
    group_number: str | None = Field(default=None, max_length=50)
    dob: date | None = None
    gender: Gender | None = None
    address: Address | None = None


# PAT01 individual relationship codes allowed by 005010X222A1/X223A2 2000C.
PatientRelationship = Literal["01", "19", "20", "21", "39", "40", "53", "G8"]


class Patient(_Frozen):
    """2000C/2010CA patient, only when the patient is not the subscriber."""

    relationship: PatientRelationship = Field(
        description="01 spouse, 19 child, 20 employee, 21 unknown, G8 other"
    )
    last_name: str = Field(min_length=1, max_length=60)
    first_name: str | None = Field(default=None, max_length=35)
    middle_name: str | None = Field(default=None, max_length=25)
    dob: date
    gender: Gender
    address: Address


class Payer(_Frozen):
    name: str = Field(min_length=1, max_length=60)
    payer_id: str = Field(min_length=2, max_length=80, description="NM1*PR*...*PI payer id")
    kind: PayerKind
    filing_indicator: str | None = Field(
        default=None,
        pattern=r"^[0-9A-Z]{2}$",
        description="SBR09 from the payer's data (CH TRICARE, BL, VA, WC ...); None: from the kind",
    )
    max_lines: int | None = Field(
        default=None, ge=1, le=999, description="lines the payer takes per claim; None: the guide's"
    )


class Submitter(_Frozen):
    """1000A submitter (us or our clearinghouse account)."""

    name: str = Field(min_length=1, max_length=60)
    submitter_id: str = Field(min_length=2, max_length=80, description="ETIN assigned by the receiver")
    contact_name: str = Field(min_length=1, max_length=60)
    phone: str = Field(min_length=10, max_length=20)
    email: str | None = None

    @field_validator("phone")
    @classmethod
    def _phone_digits(cls, value: str) -> str:
        digits = re.sub(r"\D", "", value)
        if len(digits) < 10:
            raise ValueError("phone needs at least 10 digits")
        return digits


class Receiver(_Frozen):
    """1000B receiver (clearinghouse or payer)."""

    name: str = Field(min_length=1, max_length=60)
    receiver_id: str = Field(min_length=2, max_length=80)


# ---------------------------------------------------------------------------
# Claim
# ---------------------------------------------------------------------------

NdcUnit = Literal["UN", "ML", "GR", "F2", "ME"]
FrequencyCode = Literal["1", "7", "8"]


class ServiceLine(_Frozen):
    """One 2400 service line (SV1 on 837P, SV2 on 837I) with its optional 2410 drug loop."""

    line_number: int = Field(ge=1)
    line_control_number: str = Field(
        min_length=1, max_length=50, description="REF*6R; the 835 echoes it back for line posting"
    )
    date_from: date
    date_to: date | None = Field(
        default=None, description="defaults to date_from; a later date writes DTP*472*RD8"
    )
    code: str = Field(min_length=5, max_length=5, description="CPT/HCPCS, e.g. 96365, J9035, S9500")
    modifiers: tuple[str, ...] = Field(default=(), max_length=4)
    units: Quantity
    charge: Money
    diagnosis_pointers: tuple[int, ...] = Field(
        default=(), max_length=4, description="1-based into ClaimDraft.diagnoses"
    )
    ndc: str | None = Field(default=None, description="11 digits 5-4-2; hyphenated labels are normalized")
    ndc_quantity: Quantity | None = None
    ndc_unit: NdcUnit | None = None
    revenue_code: str | None = Field(default=None, description="837I SV201, e.g. 0260, 0636")
    rendering_provider: ProviderRef | None = Field(
        default=None, description="837P 2420A / 837I 2420C when the line's is not the claim's"
    )

    @field_validator("code")
    @classmethod
    def _code_upper(cls, value: str) -> str:
        return value.upper()

    @field_validator("modifiers")
    @classmethod
    def _modifiers_upper(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        mods = tuple(m.strip().upper() for m in value)
        for mod in mods:
            if len(mod) != 2 or not mod.isalnum():
                raise ValueError(f"modifier {mod!r} must be 2 letters/digits")
        return mods

    @field_validator("ndc")
    @classmethod
    def _ndc_normalized(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        # A draft keeps what it cannot normalise so the scrubber can show it (LINE_NDC_FORMAT).
        return normalize_ndc(value) or value.strip().replace(" ", "")

    @model_validator(mode="after")
    def _default_date_to(self) -> ServiceLine:
        if self.date_to is None:
            object.__setattr__(self, "date_to", self.date_from)
        return self

    @property
    def service_to(self) -> date:
        return self.date_to or self.date_from

    @property
    def days(self) -> int:
        """Calendar days the line spans (1 for a single date)."""
        return max((self.service_to - self.date_from).days + 1, 1)


class ClaimDraft(_Frozen):
    """Everything needed to scrub a claim and write it in an 837 (one 2300 loop).

    `patient` is None when the patient is the subscriber (SBR02 = 18).
    """

    claim_id: str = Field(
        min_length=1, max_length=38, description="CLM01 patient control number (payers keep 20)"
    )
    form: ClaimForm
    frequency_code: FrequencyCode = "1"
    billing_provider: BillingProvider
    rendering_provider: ProviderRef | None = None
    referring_provider: ProviderRef | None = None
    attending_provider: ProviderRef | None = Field(default=None, description="837I 2310A; required there")
    supervising_provider: ProviderRef | None = Field(
        default=None, description="837P 2310D; sent when not the rendering provider"
    )
    subscriber: Subscriber
    patient: Patient | None = None
    payer: Payer
    place_of_service: str | None = Field(
        default=None, description="837P CLM05-1, e.g. 11 office, 12 home, 49"
    )
    facility_type_code: str | None = Field(
        default=None, description="837I CLM05-1 (bill type first 2 digits), e.g. 13"
    )
    patient_status_code: str = Field(default="01", description="837I CL103")
    service_facility: ServiceFacility | None = None
    diagnoses: tuple[str, ...] = Field(default=(), description="ICD-10-CM, first is principal; dots removed")
    prior_auth_number: str | None = Field(default=None, max_length=50, description="2300 REF*G1")
    original_claim_reference: str | None = Field(
        default=None, max_length=50, description="payer claim control number for frequency 7/8 (REF*F8)"
    )
    lines: tuple[ServiceLine, ...] = ()
    payer_sequence: PayerSequence = Field(
        default="P", description="2000B SBR01: P primary, S secondary, T tertiary (this payer's place)"
    )
    other_payers: tuple[PriorPayerAdjudication, ...] = Field(
        default=(), description="2320/2330/2430: each earlier payer's adjudication (a secondary's COB data)"
    )

    @field_validator("diagnoses")
    @classmethod
    def _dx_normalized(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        return tuple(normalize_icd10cm(code) for code in value if code.strip())

    @property
    def patient_is_subscriber(self) -> bool:
        return self.patient is None

    @property
    def total_charge(self) -> Decimal:
        return to_money(sum((line.charge for line in self.lines), Decimal("0")))

    @property
    def sorted_lines(self) -> tuple[ServiceLine, ...]:
        """Lines in writing order: line number, then date (docs/conventions.md section 2)."""
        return tuple(sorted(self.lines, key=lambda ln: (ln.line_number, ln.date_from)))

    @property
    def statement_from(self) -> date | None:
        return min((ln.date_from for ln in self.lines), default=None)

    @property
    def statement_to(self) -> date | None:
        return max((ln.service_to for ln in self.lines), default=None)


# ---------------------------------------------------------------------------
# Payer rules (admin-maintained configuration, validated at the boundary)
# ---------------------------------------------------------------------------


class _RuleBase(_Frozen):
    rule_id: str = Field(min_length=1, max_length=64, description="stable id shown on every edit it raises")
    description: str = ""
    source: str = Field(default="", description="policy citation, e.g. 'REFERENCE DRG-W2; CMS MLN JW/JZ FAQ'")
    severity: Severity = Severity.ERROR
    payer_kinds: tuple[PayerKind, ...] = Field(default=(), description="empty: applies to every payer kind")
    effective_from: date | None = Field(default=None, description="date of service on or after")
    effective_to: date | None = Field(default=None, description="date of service on or before")

    @model_validator(mode="after")
    def _window(self) -> _RuleBase:
        if self.effective_from and self.effective_to and self.effective_from > self.effective_to:
            raise ValueError("effective_from is after effective_to")
        return self


CodeStr = Annotated[str, AfterValidator(lambda v: v.strip().upper())]
DxPrefix = Annotated[str, AfterValidator(normalize_icd10cm)]


class ModifierRequiredRule(_RuleBase):
    """Lines with one of `codes` must carry at least one of `modifiers_any_of` (e.g. JW/JZ)."""

    kind: Literal["modifier_required"]
    codes: tuple[CodeStr, ...] = Field(min_length=1)
    modifiers_any_of: tuple[CodeStr, ...] = Field(min_length=1)
    satisfied_by_same_code_line: bool = Field(
        default=False,
        description="a line is also satisfied when another line with the same code and date carries one of the "
        "modifiers (the administered line beside a JW waste line, REFERENCE DRG-W1)",
    )


class NdcRequiredRule(_RuleBase):
    """Lines whose code starts with one of `code_prefixes` need an NDC in 2410 (REFERENCE DRG-N2)."""

    kind: Literal["ndc_required"]
    code_prefixes: tuple[CodeStr, ...] = Field(min_length=1)


class PriorAuthRequiredRule(_RuleBase):
    """Lines with one of `codes` need an authorization in force (REFERENCE section 6.1)."""

    kind: Literal["prior_auth_required"]
    codes: tuple[CodeStr, ...] = Field(min_length=1)


class MaxUnitsPerDayRule(_RuleBase):
    """At most `units` of `code` per date of service (MUE-style; spans are spread evenly over their days)."""

    kind: Literal["max_units_per_day"]
    code: CodeStr = Field(min_length=5, max_length=5)
    units: Quantity = Field(gt=0)


class CoveredDiagnosesRule(_RuleBase):
    """A drug `code` is covered only for diagnoses starting with one of `icd10_prefixes` (LCD/medical policy)."""

    kind: Literal["covered_diagnoses"]
    code: CodeStr = Field(min_length=5, max_length=5)
    icd10_prefixes: tuple[DxPrefix, ...] = Field(min_length=1)


class TimelyFilingRule(_RuleBase):
    """Claims must be filed within `days` of the date of service (REFERENCE TF-1..TF-3); overrides the built-in limit."""

    kind: Literal["timely_filing"]
    days: int = Field(gt=0, le=3 * 365)
    basis: Literal["from", "through"] = Field(
        default="from",
        description="'from' = each line's from date (Part B); 'through' = claim through date (837I)",
    )
    warn_within_days: int = Field(default=14, ge=0)


class ClaimFormRule(_RuleBase):
    """The payer takes this claim form only (e.g. a hospital outpatient plan that wants 837I)."""

    kind: Literal["claim_form"]
    form: ClaimForm


ProviderRole = Literal["rendering", "supervising", "referring"]


class ProviderRequiredRule(_RuleBase):
    """Claims (optionally only at some places of service) must name a `role` provider.

    E.g. Medicare Part B returns a group's claim without the individual's NPI (2310B) as
    unprocessable; a plan may want the supervising physician of an infusion nurse (2310D).
    """

    kind: Literal["provider_required"]
    role: ProviderRole
    places_of_service: tuple[str, ...] = Field(
        default=(), description="837P CLM05-1 values it applies to; empty: every claim"
    )

    @field_validator("places_of_service")
    @classmethod
    def _pos_shape(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        for pos in value:
            if not re.fullmatch(r"\d{2}", pos):
                raise ValueError(f"place of service {pos!r} must be 2 digits")
        return value


class ZeroChargeAllowedRule(_RuleBase):
    """The payer takes $0 lines for `codes` (empty: any code), e.g. bundled supplies it tracks.

    Without such a rule a $0 line is an error (LINE_CHARGE_ZERO): it is nearly always a code with
    no charge-master price, and a payer pays nothing on it.
    """

    kind: Literal["zero_charge_allowed"]
    codes: tuple[CodeStr, ...] = ()


PayerRule = Annotated[
    ModifierRequiredRule
    | NdcRequiredRule
    | PriorAuthRequiredRule
    | MaxUnitsPerDayRule
    | CoveredDiagnosesRule
    | TimelyFilingRule
    | ClaimFormRule
    | ProviderRequiredRule
    | ZeroChargeAllowedRule,
    Field(discriminator="kind"),
]

_RULES_ADAPTER: TypeAdapter[list[PayerRule]] = TypeAdapter(list[PayerRule])


def parse_payer_rules(data: Any) -> tuple[PayerRule, ...]:
    """Validate admin-entered rule configuration (a list of dicts, e.g. from JSON).

    Raises `pydantic.ValidationError` naming the rule index, kind and field that is wrong.
    """
    rules = _RULES_ADAPTER.validate_python(data)
    ids = [r.rule_id for r in rules]
    duplicates = sorted({i for i in ids if ids.count(i) > 1})
    if duplicates:
        raise ValueError(f"duplicate rule_id: {', '.join(duplicates)}")
    return tuple(rules)


# ---------------------------------------------------------------------------
# Scrubber output
# ---------------------------------------------------------------------------


class Edit(_Frozen):
    """One scrubber finding: what is wrong, how bad, and what a biller should do about it."""

    code: str = Field(description="stable machine code, e.g. NPI_INVALID, PAYER_MODIFIER_REQUIRED")
    severity: Severity
    message: str
    fix_hint: str
    line_number: int | None = None
    rule_id: str | None = Field(default=None, description="payer rule id, or None for a built-in edit")
    source: str = Field(
        default="", description="citation: REFERENCE rule id, implementation guide loop/segment"
    )

    @property
    def blocking(self) -> bool:
        return self.severity is Severity.ERROR


Finding = Edit

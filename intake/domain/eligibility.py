"""X12 270 eligibility inquiry writer and 271 eligibility response reader (005010X279A1).

Pure module, over the shared envelope/segment code in `infusion_rcm.common.x12`.

270 layout written (ASC X12N 005010X279A1 Health Care Eligibility Benefit Inquiry and Response, 270
section; loop and segment names as in the guide):
    ST, BHT*0022*13 (inquiry)                           header
    2000A HL*n**20*1, 2100A NM1*PR*2 ... PI/XV          information source (payer)
    2000B HL*n*p*21*1, 2100B NM1*1P*1|2 ... XX          information receiver (provider)
    2000C HL*n*p*22*0|1, TRN*1 (when no dependent)      subscriber
          2100C NM1*IL*1 ... MI, DMG*D8, DTP*291 (when no dependent)
          2110C EQ (service type, or HC procedure in EQ02)
    2000D HL*n*p*23*0, TRN*1, 2100D NM1*03*1, DMG, DTP*291, 2110D EQ   dependent (patient is not subscriber)
The trace (TRN), date of service and EQ go in the patient's loop: the subscriber's when the patient is
the subscriber, the dependent's otherwise (guide notes on 2000C TRN and 2100C DTP).

271 reading follows the 271 section of the same guide: AAA request-validation segments in 2000A, 2100A,
2100B, 2100C/D and 2110C/D; EB eligibility/benefit segments in 2110C/D with their DTP, REF, MSG and the
2120C/D LS/NM1/LE related-entity loop. EB01 1-5 mean active coverage, 6-8 inactive. EB07 is a money
amount, EB08 a percent expressed as a fraction (0.2 = 20 %), EB06 time period 29 means "remaining"
(33 lifetime remaining), EB12 is the in-plan-network indicator (Y/N; W not applicable, U unknown).

Structural problems raise InvalidInputError and nothing partial is returned. Deviations that do not lose
data are accepted and listed in `EligibilityResponse.notes` (e.g. GS01 HS on a group holding a 271: the
transaction set id ST01 decides; SE02 differing from ST02; GE/IEA trailers missing after a complete
ST..SE transaction).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field, field_validator, model_validator

from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.money import to_money
from infusion_rcm.common.x12 import (
    Composite,
    Envelope,
    delimiters_of,
    element,
    interchange,
    segment,
    tokenize,
)
from intake.domain.identifiers import validate_npi

IMPLEMENTATION_GUIDE = "005010X279A1"


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# =====================================================================================================
# 270 request
# =====================================================================================================

_SERVICE_TYPE = re.compile(r"[0-9A-Z]{1,2}")
_PROCEDURE = re.compile(r"[0-9A-Z]{5}")


def _required_text(value: str, what: str) -> str:
    text = value.strip()
    if not text:
        raise ValueError(f"{what} is required")
    return text


class EligibilityPayer(_Model):
    """2100A information source: payer name (NM103) and payer id (NM109, qualifier PI or XV)."""

    name: str
    payer_id: str
    id_qualifier: Literal["PI", "XV"] = "PI"

    @field_validator("name", "payer_id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        return _required_text(value, "payer name and id")


class EligibilityProvider(_Model):
    """2100B information receiver: the billing/rendering provider asking.

    `name` is the organization name (NM102=2) or the person's last name (NM102=1, with `first_name`).
    `identifier` is the NPI when `id_qualifier` is XX (the HIPAA default; the NPI check digit is
    verified); SV/PI carry a payer-assigned number as in the guide examples.
    """

    name: str
    identifier: str
    is_organization: bool = True
    first_name: str | None = None
    id_qualifier: Literal["XX", "SV", "PI", "FI"] = "XX"

    @field_validator("name", "identifier")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        return _required_text(value, "provider name and identifier")

    @model_validator(mode="after")
    def _npi(self) -> EligibilityProvider:
        if self.id_qualifier == "XX":
            validate_npi(self.identifier)
        return self


class EligibilitySubscriber(_Model):
    """2100C subscriber: member id (NM109, MI) and, when known, name, birth date and gender.

    The guide lets the name be left out when the member id, birth date and patient loop identify the
    person (the guide's dependent example sends only the member id).
    """

    member_id: str
    last_name: str | None = None
    first_name: str | None = None
    middle_name: str | None = None
    birth_date: date | None = None
    gender: Literal["M", "F", "U"] | None = None

    @field_validator("member_id")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        return _required_text(value, "member id")


class EligibilityDependent(_Model):
    """2100D dependent: the patient when the patient is not the subscriber (no own member id)."""

    last_name: str
    first_name: str | None = None
    middle_name: str | None = None
    birth_date: date | None = None
    gender: Literal["M", "F", "U"] | None = None

    @field_validator("last_name")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        return _required_text(value, "dependent last name")


class EligibilityRequest(_Model):
    """Everything one 270 inquiry says. Dates and ids are handed in (no clock, no counters).

    - `reference_id`: BHT03, the submitter's reference for this inquiry.
    - `created`: BHT04/BHT05 date and time the inquiry was created.
    - `trace_number` / `trace_originator`: TRN02 / TRN03. The payer echoes the trace in the 271 (TRN*2),
      which is how the response is matched to the request. TRN03 is 10 characters: "1" + EIN, or
      "9" + an id the originator chooses.
    - `service_date` (and `service_end` for a range): DTP*291 plan date / date of service.
    - `service_types`: EQ01 service type codes, one 2110 loop each (30 = health benefit plan coverage;
      1 medical care, 33 chiropractic, 42 home health, 78 chemotherapy, 98 physician office ...).
    - `procedure_codes`: HCPCS/CPT codes asked about specifically, one EQ*HC:<code> loop each.
    """

    payer: EligibilityPayer
    provider: EligibilityProvider
    subscriber: EligibilitySubscriber
    dependent: EligibilityDependent | None = None
    reference_id: str
    created: datetime
    trace_number: str
    trace_originator: str
    service_date: date | None = None
    service_end: date | None = None
    service_types: tuple[str, ...] = ("30",)
    procedure_codes: tuple[str, ...] = ()

    @field_validator("reference_id", "trace_number")
    @classmethod
    def _not_blank(cls, value: str) -> str:
        return _required_text(value, "BHT03 reference id and TRN02 trace number")

    @field_validator("trace_originator")
    @classmethod
    def _originator(cls, value: str) -> str:
        value = value.strip()
        if len(value) != 10:
            raise ValueError("TRN03 trace originator must be 10 characters ('1' + EIN, or '9' + own id)")
        return value

    @field_validator("service_types")
    @classmethod
    def _service_types(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(v.strip().upper() for v in value)
        for code in cleaned:
            if not _SERVICE_TYPE.fullmatch(code):
                raise ValueError(f"service type code {code!r} must be 1-2 letters or digits (EQ01)")
        return cleaned

    @field_validator("procedure_codes")
    @classmethod
    def _procedures(cls, value: tuple[str, ...]) -> tuple[str, ...]:
        cleaned = tuple(v.strip().upper() for v in value)
        for code in cleaned:
            if not _PROCEDURE.fullmatch(code):
                raise ValueError(f"procedure code {code!r} must be a 5-character HCPCS/CPT code")
        return cleaned

    @model_validator(mode="after")
    def _consistent(self) -> EligibilityRequest:
        if not self.service_types and not self.procedure_codes:
            raise ValueError("ask about at least one service type or procedure code")
        if self.service_end is not None:
            if self.service_date is None:
                raise ValueError("service_end needs service_date")
            if self.service_end < self.service_date:
                raise ValueError("service_end is before service_date")
        return self


def _d8(value: date) -> str:
    return value.strftime("%Y%m%d")


def _patient_segments(request: EligibilityRequest) -> list[str]:
    """TRN*1 trace (2000C when the subscriber is the patient, else 2000D)."""
    return [segment("TRN", "1", request.trace_number, request.trace_originator)]


def _date_and_inquiry(request: EligibilityRequest) -> list[str]:
    """DTP*291 (2100C/2100D) and one EQ per 2110C/2110D loop, in the patient's loop."""
    out: list[str] = []
    if request.service_date is not None:
        if request.service_end is not None and request.service_end != request.service_date:
            out.append(
                segment("DTP", "291", "RD8", f"{_d8(request.service_date)}-{_d8(request.service_end)}")
            )
        else:
            out.append(segment("DTP", "291", "D8", _d8(request.service_date)))
    out.extend(segment("EQ", code) for code in request.service_types)
    out.extend(segment("EQ", "", Composite("HC", code)) for code in request.procedure_codes)
    return out


def _dmg(birth_date: date | None, gender: str | None) -> list[str]:
    if birth_date is None:
        return []
    return [segment("DMG", "D8", _d8(birth_date), gender or "")]


def build_270_body(request: EligibilityRequest) -> list[str]:
    """The 270 segments between ST and SE (BHT through the last EQ), in guide order."""
    has_dependent = request.dependent is not None
    provider = request.provider
    sub = request.subscriber
    body = [
        segment(
            "BHT",
            "0022",
            "13",
            request.reference_id,
            _d8(request.created.date()),
            request.created.strftime("%H%M"),
        ),
        segment("HL", 1, "", "20", 1),
        segment(
            "NM1",
            "PR",
            "2",
            request.payer.name,
            "",
            "",
            "",
            "",
            request.payer.id_qualifier,
            request.payer.payer_id,
        ),
        segment("HL", 2, 1, "21", 1),
        segment(
            "NM1",
            "1P",
            "2" if provider.is_organization else "1",
            provider.name,
            "" if provider.is_organization else (provider.first_name or ""),
            "",
            "",
            "",
            provider.id_qualifier,
            provider.identifier,
        ),
        segment("HL", 3, 2, "22", 1 if has_dependent else 0),
    ]
    if not has_dependent:
        body.extend(_patient_segments(request))
    body.append(
        segment(
            "NM1",
            "IL",
            "1",
            sub.last_name or "",
            sub.first_name or "",
            sub.middle_name or "",
            "",
            "",
            "MI",
            sub.member_id,
        )
    )
    body.extend(_dmg(sub.birth_date, sub.gender))
    if request.dependent is None:
        body.extend(_date_and_inquiry(request))
    else:
        dep = request.dependent
        body.append(segment("HL", 4, 3, "23", 0))
        body.extend(_patient_segments(request))
        body.append(segment("NM1", "03", "1", dep.last_name, dep.first_name or "", dep.middle_name or ""))
        body.extend(_dmg(dep.birth_date, dep.gender))
        body.extend(_date_and_inquiry(request))
    return body


def build_270(request: EligibilityRequest, envelope: Envelope) -> str:
    """A complete 005010X279A1 270 interchange (ISA..IEA) for one inquiry.

    The envelope must be an eligibility group: GS01 = HS and GS08/ST03 = 005010X279A1.
    """
    if envelope.functional_id != "HS":
        raise InvalidInputError(
            f"A 270 goes in a functional group with GS01 = HS, not {envelope.functional_id!r}."
        )
    if envelope.version != IMPLEMENTATION_GUIDE:
        raise InvalidInputError(
            f"A 270 must declare version {IMPLEMENTATION_GUIDE} in GS08/ST03, not {envelope.version!r}."
        )
    return interchange(envelope, [("270", build_270_body(request))])


# =====================================================================================================
# 271 response models
# =====================================================================================================

EB01_DESCRIPTIONS = {
    "1": "Active Coverage",
    "2": "Active - Full Risk Capitation",
    "3": "Active - Services Capitated",
    "4": "Active - Services Capitated to Primary Care Physician",
    "5": "Active - Pending Investigation",
    "6": "Inactive",
    "7": "Inactive - Pending Eligibility Update",
    "8": "Inactive - Pending Investigation",
    "A": "Co-Insurance",
    "B": "Co-Payment",
    "C": "Deductible",
    "CB": "Coverage Basis",
    "D": "Benefit Description",
    "E": "Exclusions",
    "F": "Limitations",
    "G": "Out of Pocket (Stop Loss)",
    "H": "Unlimited",
    "I": "Non-Covered",
    "J": "Cost Containment",
    "K": "Reserve",
    "L": "Primary Care Provider",
    "M": "Pre-existing Condition",
    "MC": "Managed Care Coordinator",
    "N": "Services Restricted to Following Provider",
    "O": "Not Deemed a Medical Necessity",
    "P": "Benefit Disclaimer",
    "Q": "Second Surgical Opinion Required",
    "R": "Other or Additional Payor",
    "S": "Prior Year(s) History",
    "T": "Card(s) Reported Lost/Stolen",
    "U": "Contact Following Entity for Eligibility or Benefit Information",
    "V": "Cannot Process",
    "W": "Other Source of Data",
    "X": "Health Care Facility",
    "Y": "Spend Down",
}
ACTIVE_CODES = frozenset({"1", "2", "3", "4", "5"})
INACTIVE_CODES = frozenset({"6", "7", "8"})
REMAINING_PERIODS = frozenset({"29", "33"})  # EB06: 29 remaining, 33 lifetime remaining

# AAA03 reject reason codes and AAA04 follow-up action codes used in the 271 (005010X279A1).
AAA_REASONS = {
    "04": "Authorized Quantity Exceeded",
    "15": "Required application data missing",
    "33": "Input Errors",
    "35": "Out of Network",
    "41": "Authorization/Access Restrictions",
    "42": "Unable to Respond at Current Time",
    "43": "Invalid/Missing Provider Identification",
    "44": "Invalid/Missing Provider Name",
    "45": "Invalid/Missing Provider Specialty",
    "46": "Invalid/Missing Provider Phone Number",
    "47": "Invalid/Missing Provider State",
    "48": "Invalid/Missing Referring Provider Identification Number",
    "49": "Provider is Not Primary Care Physician",
    "50": "Provider Ineligible for Inquiries",
    "51": "Provider Not on File",
    "52": "Service Dates Not Within Provider Plan Enrollment",
    "53": "Inquired Benefit Inconsistent with Provider Type",
    "54": "Inappropriate Product/Service ID Qualifier",
    "55": "Inappropriate Product/Service ID",
    "56": "Inappropriate Date",
    "57": "Invalid/Missing Date(s) of Service",
    "58": "Invalid/Missing Date-of-Birth",
    "60": "Date of Birth Follows Date(s) of Service",
    "61": "Date of Death Precedes Date(s) of Service",
    "62": "Date of Service Not Within Allowable Inquiry Period",
    "63": "Date of Service in Future",
    "64": "Invalid/Missing Patient ID",
    "65": "Invalid/Missing Patient Name",
    "66": "Invalid/Missing Patient Gender Code",
    "67": "Patient Not Found",
    "68": "Duplicate Patient ID Number",
    "69": "Inconsistent with Patient's Age",
    "70": "Inconsistent with Patient's Gender",
    "71": "Patient Birth Date Does Not Match That for the Patient on the Database",
    "72": "Invalid/Missing Subscriber/Insured ID",
    "73": "Invalid/Missing Subscriber/Insured Name",
    "74": "Invalid/Missing Subscriber/Insured Gender Code",
    "75": "Subscriber/Insured Not Found",
    "76": "Duplicate Subscriber/Insured ID Number",
    "77": "Subscriber Found, Patient Not Found",
    "78": "Subscriber/Insured Not in Group/Plan Identified",
    "79": "Invalid Participant Identification",
    "80": "No Response received - Transaction Terminated",
    "97": "Invalid or Missing Provider Address",
    "T4": "Payer Name or Identifier Missing",
}
AAA_FOLLOW_UPS = {
    "C": "Please Correct and Resubmit",
    "N": "Resubmission Not Allowed",
    "P": "Please Resubmit Original Transaction",
    "R": "Resubmission Allowed",
    "S": "Do Not Resubmit; Inquiry Initiated to a Third Party",
    "W": "Please Wait 30 Days and Resubmit",
    "X": "Please Wait 10 Days and Resubmit",
    "Y": "Do Not Resubmit; We Will Hand Deliver",
}


class CoverageStatus(StrEnum):
    ACTIVE = "active"  # an EB01 of 1-5 was returned
    INACTIVE = "inactive"  # EB01 6-8 and no active EB
    UNKNOWN = "unknown"  # no coverage EB at all (e.g. the request was rejected by AAA)


class Party(_Model):
    """An NM1 name: entity code (NM101), name or last name, first name, id qualifier and id."""

    entity_code: str
    name: str = ""
    first_name: str = ""
    id_qualifier: str = ""
    identifier: str = ""


class DatePeriod(_Model):
    """A DTP: qualifier (291 plan, 346 plan begin, 307 eligibility, 356/357 eligibility begin/end ...)."""

    qualifier: str
    start: date
    end: date | None = None


class Reference(_Model):
    """A REF: qualifier (6P group number, 18 plan number, N6 plan network ...), value, description."""

    qualifier: str
    value: str
    description: str = ""


class Trace(_Model):
    """A TRN: type 2 echoes the inquirer's trace; type 1 is one the payer assigned."""

    trace_type: str
    number: str
    originator: str = ""


class Rejection(_Model):
    """An AAA request-validation segment: why the payer could not answer (part of) the inquiry."""

    loop: str
    valid_request: bool
    reason_code: str
    reason: str
    follow_up_code: str = ""
    follow_up: str = ""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def message(self) -> str:
        text = f"{self.reason or 'Rejected'} (AAA reject reason {self.reason_code}, loop {self.loop})"
        if self.follow_up:
            text += f": {self.follow_up}"
        return text + "."


class Benefit(_Model):
    """One EB segment with the 2110 DTP/REF/MSG/AAA and the 2120 related entities that follow it."""

    code: str
    description: str
    coverage_level: str = ""
    service_types: tuple[str, ...] = ()
    insurance_type: str = ""
    plan_description: str = ""
    time_period: str = ""
    amount: Decimal | None = None
    percent: Decimal | None = Field(default=None, description="EB08 as sent: a fraction, 0.2 means 20 %")
    quantity_qualifier: str = ""
    quantity: Decimal | None = None
    authorization_required: bool | None = None
    in_network: bool | None = None
    procedure: str = ""
    dates: tuple[DatePeriod, ...] = ()
    references: tuple[Reference, ...] = ()
    messages: tuple[str, ...] = ()
    related_entities: tuple[Party, ...] = ()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def is_remaining(self) -> bool:
        """EB06 29 (remaining) or 33 (lifetime remaining): the amount is what is left, not the total."""
        return self.time_period in REMAINING_PERIODS


def _pick(
    benefits: Sequence[Benefit], *, remaining: bool, in_network: bool | None, coverage_level: str | None
) -> Decimal | None:
    for b in benefits:
        if b.is_remaining != remaining or b.amount is None:
            continue
        if in_network is not None and b.in_network not in (in_network, None):
            continue
        if coverage_level is not None and b.coverage_level not in (coverage_level, ""):
            continue
        return b.amount
    return None


class EligibilitySubject(_Model):
    """A subscriber (HL 22, loop 2000C) or dependent (HL 23, loop 2000D) with its benefits."""

    level: Literal["subscriber", "dependent"]
    hl_id: str
    member: Party
    member_id: str = ""
    traces: tuple[Trace, ...] = ()
    birth_date: date | None = None
    gender: str = ""
    relationship_code: str = ""
    dates: tuple[DatePeriod, ...] = ()
    references: tuple[Reference, ...] = ()
    rejections: tuple[Rejection, ...] = ()
    benefits: tuple[Benefit, ...] = ()

    @computed_field  # type: ignore[prop-decorator]
    @property
    def trace_number(self) -> str:
        """The echoed inquiry trace (TRN*2), else the first trace given."""
        for trace in self.traces:
            if trace.trace_type == "2":
                return trace.number
        return self.traces[0].number if self.traces else ""

    @computed_field  # type: ignore[prop-decorator]
    @property
    def status(self) -> CoverageStatus:
        codes = {b.code for b in self.benefits}
        if codes & ACTIVE_CODES:
            return CoverageStatus.ACTIVE
        if codes & INACTIVE_CODES:
            return CoverageStatus.INACTIVE
        return CoverageStatus.UNKNOWN

    @computed_field  # type: ignore[prop-decorator]
    @property
    def active(self) -> bool:
        return self.status is CoverageStatus.ACTIVE

    @computed_field  # type: ignore[prop-decorator]
    @property
    def plan_description(self) -> str:
        """EB05 of the first coverage EB (1-8) that has one, else of any EB."""
        for b in self.benefits:
            if b.code in ACTIVE_CODES | INACTIVE_CODES and b.plan_description:
                return b.plan_description
        return next((b.plan_description for b in self.benefits if b.plan_description), "")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def group_number(self) -> str:
        return next((r.value for r in self.references if r.qualifier == "6P"), "")

    @computed_field  # type: ignore[prop-decorator]
    @property
    def group_description(self) -> str:
        return next((r.description for r in self.references if r.qualifier == "6P"), "")

    @property
    def copays(self) -> tuple[Benefit, ...]:
        return tuple(b for b in self.benefits if b.code == "B")

    @property
    def coinsurance(self) -> tuple[Benefit, ...]:
        return tuple(b for b in self.benefits if b.code == "A")

    @property
    def deductibles(self) -> tuple[Benefit, ...]:
        return tuple(b for b in self.benefits if b.code == "C")

    @property
    def out_of_pocket(self) -> tuple[Benefit, ...]:
        return tuple(b for b in self.benefits if b.code == "G")

    def copay(self, *, in_network: bool | None = None) -> Decimal | None:
        """First EB01=B amount, for in- or out-of-network when asked (EB12 absent matches either)."""
        return _pick(self.copays, remaining=False, in_network=in_network, coverage_level=None)

    def coinsurance_percent(self, *, in_network: bool | None = None) -> Decimal | None:
        """First EB01=A EB08 as a fraction (0.2 = 20 %)."""
        for b in self.coinsurance:
            if b.percent is None:
                continue
            if in_network is not None and b.in_network not in (in_network, None):
                continue
            return b.percent
        return None

    def deductible(
        self, *, remaining: bool = False, in_network: bool | None = None, coverage_level: str | None = None
    ) -> Decimal | None:
        """EB01=C amount: the total (EB06 not 29) or, with remaining=True, what is left (EB06 29)."""
        return _pick(
            self.deductibles, remaining=remaining, in_network=in_network, coverage_level=coverage_level
        )

    def out_of_pocket_amount(
        self, *, remaining: bool = False, in_network: bool | None = None, coverage_level: str | None = None
    ) -> Decimal | None:
        """EB01=G amount: the stop-loss total or, with remaining=True, what is left."""
        return _pick(
            self.out_of_pocket, remaining=remaining, in_network=in_network, coverage_level=coverage_level
        )


class EligibilityTransaction(_Model):
    """One ST*271 ... SE transaction set."""

    control_number: str
    reference_id: str
    response_type: str  # BHT02: 11 response, 06 confirmation
    created: date | None = None
    payer: Party
    receiver: Party | None = None
    rejections: tuple[Rejection, ...] = ()  # AAA in 2000A, 2100A, 2100B (payer or provider level)
    subjects: tuple[EligibilitySubject, ...] = ()


class EligibilityResponse(_Model):
    """A whole 271 interchange, read completely or not at all."""

    interchange_control: str
    sender_id: str
    receiver_id: str
    functional_id: str
    version: str
    transactions: tuple[EligibilityTransaction, ...]
    notes: tuple[str, ...] = ()

    @property
    def subjects(self) -> tuple[EligibilitySubject, ...]:
        return tuple(s for t in self.transactions for s in t.subjects)

    @property
    def rejections(self) -> tuple[Rejection, ...]:
        """Every AAA in the interchange: payer/provider level first, then per subject and benefit."""
        top = [r for t in self.transactions for r in t.rejections]
        per_subject = [r for s in self.subjects for r in s.rejections]
        return (*top, *per_subject)

    @property
    def rejected(self) -> bool:
        return bool(self.rejections)

    def for_trace(self, trace_number: str) -> EligibilitySubject | None:
        """The subject whose TRN echoes the trace number sent in the 270."""
        return next((s for s in self.subjects if any(t.number == trace_number for t in s.traces)), None)


# =====================================================================================================
# 271 reader
# =====================================================================================================

_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)")
_KNOWN_271 = frozenset(
    {"BHT", "HL", "TRN", "NM1", "REF", "N3", "N4", "PER", "PRV", "DMG", "INS", "HI", "DTP", "MPI",
     "AAA", "EB", "HSD", "MSG", "III", "LS", "LE"}
)  # fmt: skip
_LEVEL_LETTER = {"20": "A", "21": "B", "22": "C", "23": "D"}
_PARENT_LEVEL = {"21": "20", "22": "21", "23": "22"}


def _fail(message: str) -> InvalidInputError:
    return InvalidInputError(f"271 refused: {message}", code="x12.271.invalid")


def _number(value: str, what: str, where: str) -> Decimal | None:
    if value == "":
        return None
    if not _NUMBER.fullmatch(value):
        raise _fail(f"{what} {value!r} in {where} is not a number.")
    return Decimal(value)


def _parse_d8(value: str, where: str) -> date:
    if len(value) != 8 or not value.isdigit():
        raise _fail(f"date {value!r} in {where} is not CCYYMMDD.")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise _fail(f"date {value!r} in {where} is not a calendar date.") from exc


def _parse_period(qualifier: str, fmt: str, value: str, where: str) -> DatePeriod:
    if fmt == "D8":
        return DatePeriod(qualifier=qualifier, start=_parse_d8(value, where))
    if fmt == "RD8":
        start, sep, end = value.partition("-")
        if not sep:
            raise _fail(f"date range {value!r} in {where} is not CCYYMMDD-CCYYMMDD.")
        return DatePeriod(qualifier=qualifier, start=_parse_d8(start, where), end=_parse_d8(end, where))
    raise _fail(f"date format {fmt!r} in {where} is not D8 or RD8.")


def _yn(value: str) -> bool | None:
    return {"Y": True, "N": False}.get(value)


@dataclass
class _BenefitBuilder:
    fields: dict[str, object]
    dates: list[DatePeriod] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    messages: list[str] = field(default_factory=list)
    related: list[Party] = field(default_factory=list)

    def build(self) -> Benefit:
        return Benefit(
            **self.fields,  # type: ignore[arg-type]
            dates=tuple(self.dates),
            references=tuple(self.references),
            messages=tuple(self.messages),
            related_entities=tuple(self.related),
        )


@dataclass
class _Node:
    hl_id: str
    level: str
    parent: str
    name: Party | None = None
    traces: list[Trace] = field(default_factory=list)
    birth_date: date | None = None
    gender: str = ""
    relationship: str = ""
    dates: list[DatePeriod] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    benefits: list[_BenefitBuilder] = field(default_factory=list)
    in_related_loop: bool = False


def _party(seg: Sequence[str]) -> Party:
    return Party(
        entity_code=element(seg, 1),
        name=element(seg, 3),
        first_name=element(seg, 4),
        id_qualifier=element(seg, 8),
        identifier=element(seg, 9),
    )


def _rejection(seg: Sequence[str], loop: str) -> Rejection:
    valid = element(seg, 1)
    reason = element(seg, 3)
    follow = element(seg, 4)
    if valid not in ("Y", "N") or not reason:
        raise _fail(f"AAA segment in loop {loop} needs AAA01 Y/N and a reject reason code in AAA03.")
    return Rejection(
        loop=loop,
        valid_request=valid == "Y",
        reason_code=reason,
        reason=AAA_REASONS.get(reason, "Unlisted reject reason"),
        follow_up_code=follow,
        follow_up=AAA_FOLLOW_UPS.get(follow, ""),
    )


def _benefit(seg: Sequence[str], rep: str, comp: str, where: str) -> _BenefitBuilder:
    code = element(seg, 1)
    if not code:
        raise _fail(f"EB segment in {where} has no EB01 eligibility or benefit code.")
    amount_text = element(seg, 7)
    amount = _number(amount_text, "EB07 amount", where)
    service_types = tuple(v for v in element(seg, 3).split(rep) if v) if element(seg, 3) else ()
    procedure = element(seg, 13)
    return _BenefitBuilder(
        fields={
            "code": code,
            "description": EB01_DESCRIPTIONS.get(code, ""),
            "coverage_level": element(seg, 2),
            "service_types": service_types,
            "insurance_type": element(seg, 4),
            "plan_description": element(seg, 5),
            "time_period": element(seg, 6),
            "amount": to_money(amount) if amount is not None else None,
            "percent": _number(element(seg, 8), "EB08 percent", where),
            "quantity_qualifier": element(seg, 9),
            "quantity": _number(element(seg, 10), "EB10 quantity", where),
            "authorization_required": _yn(element(seg, 11)),
            "in_network": _yn(element(seg, 12)),
            "procedure": ":".join(p for p in procedure.split(comp)) if procedure else "",
        }
    )


def _parse_transaction(body: list[list[str]], control: str, rep: str, comp: str) -> EligibilityTransaction:
    """Map the segments between ST and SE of one 271 to an EligibilityTransaction."""
    where_tx = f"transaction {control}"
    if not body or body[0][0] != "BHT":
        raise _fail(f"{where_tx} does not start with its BHT beginning segment.")
    bht = body[0]
    if element(bht, 1) != "0022":
        raise _fail(
            f"{where_tx}: BHT01 is {element(bht, 1)!r}, expected 0022 (information source, receiver, subscriber, dependent)."
        )
    created = _parse_d8(element(bht, 4), f"{where_tx} BHT04") if element(bht, 4) else None

    nodes: dict[str, _Node] = {}
    order: list[_Node] = []
    top_rejections: list[Rejection] = []
    current: _Node | None = None

    for index, seg in enumerate(body[1:], start=2):
        seg_id = seg[0]
        where = f"{where_tx}, segment {index} ({seg_id})"
        if seg_id not in _KNOWN_271:
            raise _fail(f"{where}: {seg_id} is not a 271 segment.")
        if seg_id == "HL":
            hl_id, parent, level = element(seg, 1), element(seg, 2), element(seg, 3)
            if not hl_id or hl_id in nodes:
                raise _fail(f"{where}: HL01 {hl_id!r} is missing or repeated.")
            if level not in _LEVEL_LETTER:
                raise _fail(f"{where}: HL03 level {level!r} is not 20, 21, 22 or 23.")
            wanted_parent = _PARENT_LEVEL.get(level)
            if wanted_parent is None:
                if parent:
                    raise _fail(f"{where}: an information source HL (20) has no parent.")
            elif parent not in nodes or nodes[parent].level != wanted_parent:
                raise _fail(
                    f"{where}: HL level {level} must point to a level {wanted_parent} parent, not {parent!r}."
                )
            current = _Node(hl_id=hl_id, level=level, parent=parent)
            nodes[hl_id] = current
            order.append(current)
            continue
        if current is None:
            raise _fail(f"{where}: segment before the first HL.")
        letter = _LEVEL_LETTER[current.level]
        last_benefit = current.benefits[-1] if current.benefits else None
        if current.in_related_loop:
            # 2120C/D: NM1, N3, N4, PER, PRV describe an entity related to the last EB.
            if seg_id == "LE":
                current.in_related_loop = False
            elif seg_id == "NM1" and last_benefit is not None:
                last_benefit.related.append(_party(seg))
            elif seg_id not in ("N3", "N4", "PER", "PRV"):
                raise _fail(f"{where}: {seg_id} inside the LS/LE related-entity loop.")
            continue
        if seg_id == "NM1":
            if current.name is not None or current.benefits:
                raise _fail(f"{where}: a second name (NM1) in HL {current.hl_id} outside an LS/LE loop.")
            current.name = _party(seg)
            expected = {"22": "IL", "23": "03"}.get(current.level)
            if expected and current.name.entity_code != expected:
                raise _fail(f"{where}: NM101 is {current.name.entity_code!r}; this loop needs {expected}.")
            continue
        if seg_id == "AAA":
            if last_benefit is not None:
                loop = f"2110{letter}"
            elif current.name is not None:
                loop = f"2100{letter}"
            else:
                loop = f"2000{letter}"
            rejection = _rejection(seg, loop)
            (current.rejections if current.level in ("22", "23") else top_rejections).append(rejection)
            continue
        if current.level in ("20", "21"):
            continue  # N3/N4/PER/PRV/REF of payer or receiver: not used
        if seg_id == "EB":
            if current.name is None:
                raise _fail(f"{where}: EB before the subscriber/dependent name (NM1).")
            current.benefits.append(_benefit(seg, rep, comp, where))
        elif seg_id == "LS":
            if last_benefit is None:
                raise _fail(f"{where}: LS loop without a preceding EB.")
            current.in_related_loop = True
        elif seg_id == "LE":
            raise _fail(f"{where}: LE without a matching LS.")
        elif seg_id == "TRN":
            current.traces.append(
                Trace(trace_type=element(seg, 1), number=element(seg, 2), originator=element(seg, 3))
            )
        elif seg_id == "DTP":
            period = _parse_period(element(seg, 1), element(seg, 2), element(seg, 3), where)
            (last_benefit.dates if last_benefit else current.dates).append(period)
        elif seg_id == "REF":
            ref = Reference(qualifier=element(seg, 1), value=element(seg, 2), description=element(seg, 3))
            (last_benefit.references if last_benefit else current.references).append(ref)
        elif seg_id == "MSG" and last_benefit is not None:
            last_benefit.messages.append(element(seg, 1))
        elif seg_id == "DMG":
            if element(seg, 1) == "D8" and element(seg, 2):
                current.birth_date = _parse_d8(element(seg, 2), where)
            current.gender = element(seg, 3)
        elif seg_id == "INS":
            current.relationship = element(seg, 2)
        # N3, N4, PRV, HI, MPI, HSD, III: not needed by the app.

    if current is not None and current.in_related_loop:
        raise _fail(f"{where_tx}: an LS related-entity loop is not closed by LE.")
    sources = [n for n in order if n.level == "20"]
    if not sources:
        raise _fail(f"{where_tx} has no information source (HL level 20).")
    for node in order:
        if node.name is None:
            raise _fail(f"{where_tx}: HL {node.hl_id} (level {node.level}) has no NM1 name segment.")
    receivers = [n for n in order if n.level == "21"]
    subjects = []
    for node in order:
        if node.level not in ("22", "23"):
            continue
        assert node.name is not None  # checked above
        member_id = node.name.identifier
        if node.level == "23" and not member_id:
            parent_name = nodes[node.parent].name
            member_id = parent_name.identifier if parent_name else ""
        subjects.append(
            EligibilitySubject(
                level="subscriber" if node.level == "22" else "dependent",
                hl_id=node.hl_id,
                member=node.name,
                member_id=member_id,
                traces=tuple(node.traces),
                birth_date=node.birth_date,
                gender=node.gender,
                relationship_code=node.relationship,
                dates=tuple(node.dates),
                references=tuple(node.references),
                rejections=tuple(node.rejections),
                benefits=tuple(b.build() for b in node.benefits),
            )
        )
    payer = sources[0].name
    assert payer is not None
    return EligibilityTransaction(
        control_number=control,
        reference_id=element(bht, 3),
        response_type=element(bht, 2),
        created=created,
        payer=payer,
        receiver=receivers[0].name if receivers else None,
        rejections=tuple(top_rejections),
        subjects=tuple(subjects),
    )


def parse_271(text: str) -> EligibilityResponse:
    """Read a 271 interchange completely, or raise InvalidInputError saying what is wrong with it."""
    if not isinstance(text, str):
        raise _fail(f"expected the file's text (str), got {type(text).__name__}; decode it first.")
    if not text.lstrip("\ufeff \r\n\t"):
        raise _fail("the file is empty.")
    delims = delimiters_of(text)
    segments = tokenize(text)
    notes: list[str] = []
    isa = segments[0]
    if len(isa) != 17:
        raise _fail(f"the ISA header has {len(isa) - 1} elements instead of 16.")
    isa_control = element(isa, 13)

    transactions: list[EligibilityTransaction] = []
    gs: list[str] | None = None
    first_gs: list[str] | None = None
    group_tx_count = 0
    groups = 0
    saw_ge = saw_iea = False
    i = 1
    while i < len(segments):
        seg = segments[i]
        seg_id = seg[0]
        if seg_id == "GS":
            if gs is not None and not saw_ge:
                raise _fail("a new GS group starts before the previous one's GE trailer.")
            gs, group_tx_count, saw_ge = seg, 0, False
            first_gs = first_gs or seg
            groups += 1
            i += 1
            continue
        if seg_id == "ST":
            if gs is None:
                raise _fail("ST transaction header outside a GS functional group.")
            set_id, control = element(seg, 1), element(seg, 2)
            if set_id != "271":
                raise _fail(
                    f"the file holds a {set_id or 'unnamed'} transaction (GS01 {element(gs, 1)}), "
                    "not a 271 eligibility response."
                )
            if element(gs, 1) != "HB":
                notes.append(
                    f"GS01 is {element(gs, 1)!r} instead of 'HB' for transaction {control}; "
                    "read as a 271 because ST01 says 271."
                )
            end = next(
                (j for j in range(i + 1, len(segments)) if segments[j][0] in ("SE", "ST", "GE", "IEA")), None
            )
            if end is None or segments[end][0] != "SE":
                raise _fail(f"transaction {control} is truncated: no SE trailer.")
            se = segments[end]
            count = end - i + 1
            if element(se, 1) != str(count):
                raise _fail(
                    f"transaction {control}: SE01 says {element(se, 1) or 'nothing'} segments but there are {count}; "
                    "segments are missing or extra."
                )
            if element(se, 2) != control:
                notes.append(
                    f"SE02 {element(se, 2)!r} differs from ST02 {control!r}; the SE01 count matches."
                )
            version = element(seg, 3) or element(gs, 8)
            if version != IMPLEMENTATION_GUIDE:
                notes.append(f"transaction {control} declares {version!r}, read as {IMPLEMENTATION_GUIDE}.")
            transactions.append(
                _parse_transaction(segments[i + 1 : end], control, delims.repetition, delims.component)
            )
            group_tx_count += 1
            i = end + 1
            continue
        if seg_id == "GE":
            if gs is None or saw_ge:
                raise _fail("GE trailer without a GS header.")
            if element(seg, 1) != str(group_tx_count):
                raise _fail(f"GE01 says {element(seg, 1)} transactions but the group holds {group_tx_count}.")
            if element(seg, 2) != element(gs, 6):
                notes.append(f"GE02 {element(seg, 2)!r} differs from GS06 {element(gs, 6)!r}.")
            saw_ge = True
            i += 1
            continue
        if seg_id == "IEA":
            if element(seg, 1) != str(groups):
                raise _fail(f"IEA01 says {element(seg, 1)} groups but the interchange holds {groups}.")
            if element(seg, 2) != isa_control:
                notes.append(f"IEA02 {element(seg, 2)!r} differs from ISA13 {isa_control!r}.")
            saw_iea = True
            if i != len(segments) - 1:
                raise _fail("segments follow the IEA trailer (only one interchange per file is read).")
            i += 1
            continue
        raise _fail(f"segment {seg_id} appears outside a transaction (ST..SE).")

    if gs is None or first_gs is None:
        raise _fail("no GS functional group.")
    if not transactions:
        raise _fail("no ST*271 transaction in the file.")
    if not saw_ge:
        notes.append("the GE group trailer is missing; every transaction was complete (SE count checked).")
    if not saw_iea:
        notes.append(
            "the IEA interchange trailer is missing; every transaction was complete (SE count checked)."
        )
    return EligibilityResponse(
        interchange_control=isa_control,
        sender_id=element(isa, 6).strip(),
        receiver_id=element(isa, 8).strip(),
        functional_id=element(first_gs, 1),
        version=element(first_gs, 8),
        transactions=tuple(transactions),
        notes=tuple(notes),
    )

"""X12 270 eligibility inquiry (005010X279A1): the request model and the 270 writer.

Pure. The envelope and segments come from `infusion_rcm.x12.writer`; the control numbers are
handed in with the `Envelope` (the control-number service takes them).

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
"""

from __future__ import annotations

import re
from datetime import date, datetime
from typing import Literal

from pydantic import BaseModel, ConfigDict, field_validator, model_validator

from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.identifiers import validate_npi
from infusion_rcm.x12.writer import Composite, Envelope, interchange, segment
from intake.domain.eligibility_codes import IMPLEMENTATION_GUIDE


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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

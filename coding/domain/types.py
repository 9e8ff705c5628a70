"""Input and output types of the coding engine (docs/encounter-format.md, version 1).

Inputs cross a trust boundary (API payloads, `code_visits` files), so they are pydantic v2 models,
frozen and closed (`extra="forbid"`). Outputs are built in the hot loop, so they are typed NamedTuples
(immutable records) with an `as_dict()` for JSON; the engine never re-validates its own output. A
NamedTuple is built by one tuple allocation, where a frozen dataclass's __init__ sets every field
through object.__setattr__: for the 13 fields of a ChargeLine that was 4x slower, and the engine
builds about five lines per encounter (bench/coding.py).

A few optional input fields go beyond the original v1 format; docs/encounter-format.md lists them all.
Each names the rule it serves:
`primary` (ADM-I2 coder override), `ends_next_day` (ADM-T5), `protocol_hydration` (ADM-H2),
`purpose="kvo"` (ADM-H4), routes `intra_arterial`, `on_body_injector`, `pump_refill`,
`implanted_pump_refill`, `port_irrigation` (ADM-INJ1, ADM-CH1, 96521-96523), NDC fields (DRG-N1..N3),
`HomeTherapy.mode` (S-code sub-families, §3.2), `HomeTherapy.start_day` (HIT-P3/P5 per-day ranking),
`NursingVisit.credential` / `initial_visit` (HIT-N1, HIT-M3) and `Administration.access` (ADM-I3: the
vascular access as site + side + device, compared as an identity).
"""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Annotated, Any, Literal, NamedTuple

from pydantic import BaseModel, BeforeValidator, ConfigDict, Field

from coding.domain.vascular_access import AccessDevice, AccessSide, AccessSite, access_label
from infusion_rcm.common.money import exact_amount

SiteOfCare = Literal["office", "aic", "ais", "hopd", "home"]
PayerType = Literal["medicare", "medicare_advantage", "medicaid", "commercial"]
Purpose = Literal["chemotherapy", "hormonal_chemotherapy", "therapeutic", "hydration", "kvo"]
Route = Literal[
    "iv_infusion",
    "iv_push",
    "subcutaneous_infusion",
    "subcutaneous",
    "intramuscular",
    "pump_start",
    "intra_arterial",
    "on_body_injector",
    "pump_refill",
    "implanted_pump_refill",
    "port_irrigation",
]
DoseUnit = Literal["mg", "g", "mcg", "mL", "units"]
NdcUnit = Literal["UN", "ML", "GR", "F2", "ME"]

CLOCK_PATTERN = r"^([01]\d|2[0-3]):[0-5]\d$"


Amount = Annotated[Decimal, BeforeValidator(exact_amount), Field(ge=0, allow_inf_nan=False)]
Clock = Annotated[str, Field(pattern=CLOCK_PATTERN)]

_MODEL = ConfigDict(frozen=True, extra="forbid")


class Evaluation(BaseModel):
    """Same-day E/M by a physician or practitioner (ADM-EM1, ADM-EM2)."""

    model_config = _MODEL
    code: Annotated[str, Field(pattern=r"^99\d{3}$")]
    separately_identifiable: bool = False


class VascularAccess(BaseModel):
    """ADM-I3: the access an administration runs through. Equal site, side and device = one access."""

    model_config = _MODEL
    site: AccessSite
    side: AccessSide
    device: AccessDevice

    @property
    def label(self) -> str:
        return access_label(self.site, self.side, self.device)


class Administration(BaseModel):
    """One documented drug or fluid administration in an office, AIC, AIS or HOPD (§1.10).

    `access`, when given, is the access identity the engine compares (its label replaces `iv_site`);
    `iv_site` is a bare label for documentation that has no structured access.
    """

    model_config = _MODEL
    drug: str | None = None
    purpose: Purpose | None = None
    route: Route
    start: Clock
    stop: Clock | None = None
    ends_next_day: bool = False
    dose: Amount | None = None
    dose_unit: DoseUnit | None = None
    wasted: Amount | None = None
    iv_site: Annotated[str, Field(min_length=1, max_length=20)] = "A"
    access: VascularAccess | None = None
    encounter: Annotated[int, Field(ge=1, le=9)] = 1
    primary: bool = False
    protocol_hydration: bool = False
    ndc: str | None = None
    ndc_quantity: Amount | None = None
    ndc_unit: NdcUnit | None = None


class TherapyAdditive(BaseModel):
    """A drug added per day to a home therapy (e.g. TPN lipids, HIT-P2)."""

    model_config = _MODEL
    drug: str
    dose: Amount
    dose_unit: DoseUnit


class HomeTherapy(BaseModel):
    """One home-infusion therapy; the list order is the order of precedence (HIT-P4 tie-break)."""

    model_config = _MODEL
    therapy: Annotated[str, Field(min_length=1, max_length=40)]
    mode: str | None = None
    drug: str | None = None
    frequency_hours: Annotated[int, Field(ge=1, le=24 * 31)] | None = None
    dose: Amount | None = None
    dose_unit: DoseUnit | None = None
    volume_ml_per_day: Amount | None = None
    additives: tuple[TherapyAdditive, ...] = ()
    days: Annotated[int, Field(ge=1, le=366)] = 1
    # HIT-P3/P5: the period day the therapy starts on (1 = date_of_service), so therapies that overlap
    # on only some days are ranked per day.
    start_day: Annotated[int, Field(ge=1, le=366)] = 1
    ndc: str | None = None


class NursingVisit(BaseModel):
    """A home nursing visit with documented start and stop (HIT-N1)."""

    model_config = _MODEL
    start: Clock
    stop: Clock
    ends_next_day: bool = False
    credential: Literal["RN", "LPN"] = "RN"
    initial_visit: bool = False


class Encounter(BaseModel):
    """One patient's services on one date of service at one site of care."""

    model_config = _MODEL
    id: Annotated[str, Field(min_length=1, max_length=80)]
    date_of_service: date
    site_of_care: SiteOfCare
    payer_type: PayerType
    evaluation: Evaluation | None = None
    administrations: tuple[Administration, ...] = ()
    home_therapies: tuple[HomeTherapy, ...] = ()
    nursing_visits: tuple[NursingVisit, ...] = ()


# --- outputs -------------------------------------------------------------------------------------


class ChargeLine(NamedTuple):
    """One billable line. Identified by (code, modifiers, units); the rest explains and supports it.

    `ndc*` are set on drug lines that carry an NDC (DRG-N2: 2410 LIN02=N4 / LIN03 / CTP04 / CTP05-01).
    `fee_factor` is the contractual share of a 2nd/3rd per diem (HIT-P4), None when paid in full.
    """

    code: str
    modifiers: tuple[str, ...]
    units: int
    reason: str
    rule_ids: tuple[str, ...] = ()
    family: str = ""
    ndc: str | None = None
    ndc_qualifier: str | None = None
    ndc_quantity: Decimal | None = None
    ndc_unit: str | None = None
    encounter: int | None = None
    iv_site: str | None = None
    fee_factor: Decimal | None = None

    def key(self) -> tuple[str, tuple[str, ...], int]:
        return (self.code, tuple(sorted(self.modifiers)), self.units)

    def as_dict(self) -> dict[str, Any]:
        out: dict[str, Any] = {
            "code": self.code,
            "modifiers": list(self.modifiers),
            "units": self.units,
            "reason": self.reason,
            "rule_ids": list(self.rule_ids),
            "family": self.family,
        }
        if self.ndc is not None:
            out["ndc"] = self.ndc
            out["ndc_qualifier"] = self.ndc_qualifier
            out["ndc_quantity"] = None if self.ndc_quantity is None else str(self.ndc_quantity)
            out["ndc_unit"] = self.ndc_unit
        if self.encounter is not None:
            out["encounter"] = self.encounter
        if self.iv_site is not None:
            out["iv_site"] = self.iv_site
        if self.fee_factor is not None:
            out["fee_factor"] = str(self.fee_factor)
        return out


class Finding(NamedTuple):
    """A non-blocking problem for the biller (severity "warning") or a note ("info")."""

    severity: str
    code: str
    message: str
    path: str = ""

    def as_dict(self) -> dict[str, str]:
        return {"severity": self.severity, "code": self.code, "message": self.message, "path": self.path}


class CodingResult(NamedTuple):
    """The engine's answer for one encounter (docs/encounter-format.md "Output")."""

    encounter_id: str
    lines: tuple[ChargeLine, ...]
    warnings: tuple[Finding, ...] = ()
    place_of_service: str = ""
    claim_form: str = ""

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.encounter_id,
            "place_of_service": self.place_of_service,
            "claim_form": self.claim_form,
            "lines": [line.as_dict() for line in self.lines],
            "warnings": [w.as_dict() for w in self.warnings],
        }

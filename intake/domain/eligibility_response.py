"""What a 271 eligibility response says (005010X279A1, 271 section), as read by `eligibility_271`.

Pure, frozen models. EB01 1-5 mean active coverage, 6-8 inactive. EB07 is a money amount, EB08 a
percent expressed as a fraction (0.2 = 20 %), EB06 time period 29 means "remaining" (33 lifetime
remaining), EB12 is the in-plan-network indicator (Y/N; W not applicable, U unknown).
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from enum import StrEnum
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, computed_field

from intake.domain.eligibility_codes import ACTIVE_CODES, INACTIVE_CODES, REMAINING_PERIODS


class _Model(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


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

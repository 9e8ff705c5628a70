"""What the administration coder works on: categories, kinds, classified administrations, IV services.

The rules are in docs/billing-rules/administration.md. Categories and kinds are IntEnums because
their order is the ADM-I2 hierarchy: the lowest category, then the lowest kind, is the initial
service (chemotherapy > therapeutic > hydration; infusion > push).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal
from enum import IntEnum

from coding.domain.timing import clock_of

FAMILY = "administration"


class AdministrationCategory(IntEnum):
    """ADM-D2/ADM-D3 category of an administration, in ADM-I2 hierarchy order."""

    CHEMOTHERAPY = 0  # chemotherapy and complex biologics (96401-96549)
    THERAPEUTIC = 1  # therapeutic, prophylactic or diagnostic (96365-96379)
    HYDRATION = 2  # prepackaged fluid and electrolytes (96360/96361)
    KEEP_VEIN_OPEN = 3  # KVO or vehicle fluid: never a service of its own (ADM-H4)


class AdministrationKind(IntEnum):
    """How it was given, after ADM-D1/ADM-T1 (15 minutes or less is a push or an injection).

    Only IV_INFUSION and IV_PUSH take part in the IV hierarchy, infusion ranking before push.
    """

    IV_INFUSION = 0
    IV_PUSH = 1
    SC_INFUSION = 2  # 96369-96371 (ADM-SC1)
    INJECTION = 3  # SC or IM injection, 96372 / 96401 / 96402
    INTRA_ARTERIAL = 4  # 96373
    ON_BODY_INJECTOR = 5  # 96377
    PUMP_START = 6  # 96416 (chemotherapy) or unlisted 96379
    PORTABLE_PUMP_REFILL = 7  # 96521
    IMPLANTED_PUMP_REFILL = 8  # 96522
    PORT_IRRIGATION = 9  # 96523 (ADM-B1)


# Bound once: on CPython 3.11 an `Enum.MEMBER` lookup goes through EnumType.__getattr__ (slow path),
# and span() runs for every line reason.
_IV_PUSH = AdministrationKind.IV_PUSH


class ClassifiedAdministration:
    """One documented administration after classification (ADM-D1..D3, ADM-T1), times in minutes
    after midnight of the date of service (a stop past midnight is over 1440, ADM-T5).

    Read-only by convention, never written after classification. A plain slots class rather than a
    frozen dataclass: a frozen dataclass's __init__ sets each of these 13 fields through
    object.__setattr__, which made building them a tenth of the engine's time (bench/coding.py)."""

    __slots__ = (
        "category",
        "drug",
        "encounter",
        "hormonal",
        "iv_site",
        "kind",
        "name",
        "path",
        "primary",
        "protocol_hydration",
        "start",
        "stop",
        "volume_ml",
    )

    def __init__(
        self,
        *,
        path: str,
        drug: str | None,
        name: str,
        category: AdministrationCategory,
        hormonal: bool,
        kind: AdministrationKind,
        start: int,
        stop: int,
        iv_site: str,
        encounter: int,
        primary: bool,
        protocol_hydration: bool,
        volume_ml: Decimal | None,
    ) -> None:
        self.path = path  # where it is in the encounter's input, for findings: administrations[2]
        self.drug = drug  # HCPCS code of the drug; None for plain fluid
        self.name = name  # as the biller reads it in the reasons
        self.category = category
        self.hormonal = hormonal  # hormonal antineoplastic (96402 rather than 96401, ADM-CH3)
        self.kind = kind
        self.start = start
        self.stop = stop
        self.iv_site = iv_site  # vascular access: each may have its own initial service (ADM-I3)
        self.encounter = encounter  # a separate encounter the same day has its own initial (ADM-I3)
        self.primary = primary  # documented as the primary reason for the visit (ADM-I2 override)
        self.protocol_hydration = protocol_hydration  # fluid the drug's own protocol requires (ADM-H2)
        self.volume_ml = volume_ml  # for a payer's hydration minimum volume (ADM-H4)

    @property
    def minutes(self) -> int:
        return self.stop - self.start

    def __repr__(self) -> str:
        return f"ClassifiedAdministration({self.path}, {self.name!r}, {self.start}-{self.stop})"


class IvService:
    """A service in the IV hierarchy: one push, or one infusion chain of the same drug on one site
    (ADM-T4). Built from its first administration; a chain grows as bags follow, so it is mutable.
    A plain slots class: one is built per IV service of every encounter (bench/coding.py)."""

    __slots__ = ("category", "drug", "iv_site", "kind", "minutes", "name", "note", "primary", "start", "stop")

    def __init__(self, first: ClassifiedAdministration, minutes: int) -> None:
        self.category = first.category
        self.kind = first.kind
        self.drug = first.drug
        self.name = first.name
        self.iv_site = first.iv_site
        self.start = first.start
        self.stop = first.stop
        self.minutes = minutes  # billable minutes: may differ from stop - start (bag changes, ADM-H3)
        self.primary = first.primary
        self.note = ""  # how the minutes were reached, shown after them

    def span(self) -> str:
        if self.kind == _IV_PUSH:
            return f"at {clock_of(self.start)}"
        return f"{clock_of(self.start)}–{clock_of(self.stop)} ({self.minutes} min{self.note})"

    def rank(self) -> tuple[int, int, int, int, str]:
        """ADM-I2 order: the smallest rank is the initial service."""
        return (self.category, self.kind, self.start, -self.minutes, self.drug or "")


@dataclass(slots=True)
class IvEncounterState:
    """What one encounter has already reported: the one concurrent infusion (ADM-C1) and the start of
    the last reported push of each drug (ADM-P1, ADM-P2)."""

    encounter: int
    concurrent_used: bool = False
    last_push_start: dict[str | None, int] = field(default_factory=dict)

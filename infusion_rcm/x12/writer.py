"""Writing X12: element cleaning, segments, composites and the ISA/GS/ST ... SE/GE/IEA envelope.

Pure. Control numbers are handed in (the control-number service in `control_numbers` takes them
from PostgreSQL sequences), so the same input always writes the same bytes. Delimiters are fixed
for what we send: `*` element, `:` component, `^` repetition, `~` segment (005010 envelope,
ISA11 is the repetition separator).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from infusion_rcm.common.errors import InvalidInputError

ELEMENT_SEP = "*"
COMPONENT_SEP = ":"
REPETITION_SEP = "^"
SEGMENT_TERM = "~"
INTERCHANGE_VERSION = "00501"
MAX_CONTROL = 999_999_999  # ISA13 and GS06 are at most nine digits

# Characters that would break the envelope if they appeared inside a value.
_FORBIDDEN = re.compile(r"[*:^~\r\n]")


def clean(value: object) -> str:
    """Render one element value: strip delimiters and surrounding space, upper-case.

    X12 basic character set is upper-case; payers reject embedded delimiters outright.
    """
    text = "" if value is None else str(value)
    return _FORBIDDEN.sub(" ", text).strip().upper()


@dataclass(frozen=True)
class Composite:
    """A composite element such as SV1-01 `HC:96365:25`; trailing empty components dropped."""

    parts: tuple[object, ...]

    def __init__(self, *parts: object) -> None:
        object.__setattr__(self, "parts", parts)

    def render(self) -> str:
        items = [clean(p) for p in self.parts]
        while items and items[-1] == "":
            items.pop()
        return COMPONENT_SEP.join(items)


def segment(seg_id: str, *elements: object) -> str:
    """One segment without its terminator; trailing empty elements are dropped (X12 rule)."""
    parts = [e.render() if isinstance(e, Composite) else clean(e) for e in elements]
    while parts and parts[-1] == "":
        parts.pop()
    return ELEMENT_SEP.join([seg_id, *parts])


@dataclass(frozen=True)
class Envelope:
    """Interchange and group identity. Control numbers are handed in (no hidden state)."""

    sender_id: str
    receiver_id: str
    interchange_control: int
    group_control: int
    functional_id: str  # GS01: HC (837), HS (270), HP (835)
    version: str  # GS08 / ST03 implementation guide, e.g. 005010X222A1
    created: datetime
    usage: str = "P"  # ISA15: P production, T test
    sender_qualifier: str = "ZZ"
    receiver_qualifier: str = "ZZ"
    acknowledgment_requested: bool = False  # ISA14: ask for a TA1


def transaction_set_control(number: int) -> str:
    """ST02 of the n-th transaction set of a group: 0001, 0002, ... (unique within the group)."""
    return f"{number:04d}"


def interchange(envelope: Envelope, transactions: Sequence[tuple[str, Sequence[str]]]) -> str:
    """Wrap transaction bodies in ST/SE, one GS/GE and one ISA/IEA.

    `transactions` is a list of (transaction set id, body segments without ST/SE). ST02 control
    numbers are 0001, 0002, ... within the group; SE01 counts ST through SE.
    """
    for what, number in (("interchange", envelope.interchange_control), ("group", envelope.group_control)):
        if not 0 < number <= MAX_CONTROL:
            raise InvalidInputError(f"{what} control number must be 1..{MAX_CONTROL}")
    if not transactions:
        raise InvalidInputError("an interchange needs at least one transaction set")
    when = envelope.created
    isa = ELEMENT_SEP.join(
        [
            "ISA",
            "00",
            " " * 10,
            "00",
            " " * 10,
            envelope.sender_qualifier.ljust(2)[:2],
            clean(envelope.sender_id).ljust(15)[:15],
            envelope.receiver_qualifier.ljust(2)[:2],
            clean(envelope.receiver_id).ljust(15)[:15],
            when.strftime("%y%m%d"),
            when.strftime("%H%M"),
            REPETITION_SEP,
            INTERCHANGE_VERSION,
            f"{envelope.interchange_control:09d}",
            "1" if envelope.acknowledgment_requested else "0",
            envelope.usage,
            COMPONENT_SEP,
        ]
    )
    out = [
        isa,
        segment(
            "GS",
            envelope.functional_id,
            envelope.sender_id,
            envelope.receiver_id,
            when.strftime("%Y%m%d"),
            when.strftime("%H%M"),
            envelope.group_control,
            "X",
            envelope.version,
        ),
    ]
    for number, (set_id, body) in enumerate(transactions, start=1):
        control = transaction_set_control(number)
        out.append(segment("ST", set_id, control, envelope.version))
        out.extend(body)
        out.append(segment("SE", len(body) + 2, control))
    out.append(segment("GE", len(transactions), envelope.group_control))
    out.append(segment("IEA", 1, f"{envelope.interchange_control:09d}"))
    return SEGMENT_TERM.join(out) + SEGMENT_TERM + "\n"

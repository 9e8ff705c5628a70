"""X12 envelope and segment code shared by the 270, 837, 835, 999 and 277CA modules.

Pure module. Writing: `Segment` values joined with fixed delimiters, wrapped in an
ISA/GS/ST ... SE/GE/IEA envelope. Reading: `tokenize` takes the delimiters from the ISA
segment itself (ISA is fixed-width: element separator at byte 3, repetition separator at
ISA11, component separator at ISA16, segment terminator right after), as the X12 5010
envelope standard defines.
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

# Characters that would break the envelope if they appeared inside a value.
_FORBIDDEN = re.compile(r"[*:^~\r\n]")


def clean(value: object) -> str:
    """Render one element value: strip delimiters and surrounding space, upper-case.

    X12 basic character set is upper-case; payers reject embedded delimiters outright.
    """
    text = "" if value is None else str(value)
    return _FORBIDDEN.sub(" ", text).strip().upper()


def segment(seg_id: str, *elements: object) -> str:
    """One segment without its terminator; trailing empty elements are dropped (X12 rule)."""
    parts = [clean(e) if not isinstance(e, Composite) else e.render() for e in elements]
    while parts and parts[-1] == "":
        parts.pop()
    return ELEMENT_SEP.join([seg_id, *parts])


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


def interchange(envelope: Envelope, transactions: Sequence[tuple[str, Sequence[str]]]) -> str:
    """Wrap transaction bodies in ST/SE, one GS/GE and one ISA/IEA.

    `transactions` is a list of (transaction set id, body segments without ST/SE). ST02
    control numbers are 0001, 0002, ... within the group; SE01 counts ST through SE.
    """
    if not 0 < envelope.interchange_control < 10**9:
        raise InvalidInputError("interchange control number must be 1..999999999")
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
            "00501",
            f"{envelope.interchange_control:09d}",
            "0",
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
        control = f"{number:04d}"
        st = segment("ST", set_id, control, envelope.version)
        out.append(st)
        out.extend(body)
        out.append(segment("SE", len(body) + 2, control))
    out.append(segment("GE", len(transactions), envelope.group_control))
    out.append(segment("IEA", 1, f"{envelope.interchange_control:09d}"))
    return SEGMENT_TERM.join(out) + SEGMENT_TERM + "\n"


@dataclass(frozen=True)
class Delimiters:
    element: str
    component: str
    repetition: str
    segment: str


def delimiters_of(text: str) -> Delimiters:
    """Read the delimiters from a fixed-width ISA segment."""
    body = text.lstrip("\ufeff \r\n\t")
    if not body.startswith("ISA") or len(body) < 106:
        raise InvalidInputError("The file does not start with an ISA interchange header.")
    element = body[3]
    fields = body[:106].split(element)
    if len(fields) < 17:
        raise InvalidInputError("The ISA header does not have its 16 elements.")
    return Delimiters(element=element, component=body[104], repetition=fields[11][:1], segment=body[105])


def tokenize(text: str) -> list[list[str]]:
    """Split an X12 interchange into segments of elements (delimiters taken from ISA).

    Line breaks after segment terminators are tolerated; a file without ISA is refused.
    """
    delims = delimiters_of(text)
    body = text.lstrip("\ufeff \r\n\t")
    segments: list[list[str]] = []
    for raw in body.split(delims.segment):
        raw = raw.strip("\r\n\t ")
        if raw:
            segments.append(raw.split(delims.element))
    return segments


def element(seg: Sequence[str], index: int, default: str = "") -> str:
    """Element `index` (1-based, as the guides number them) or `default` when absent."""
    return seg[index] if len(seg) > index else default

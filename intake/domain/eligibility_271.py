"""X12 271 eligibility response reader (005010X279A1).

Pure. The envelope is read by `infusion_rcm.x12.reader.read_interchange`, with its uniform
refusals and warnings: a file of another version (ISA12 not 00501, GS08/ST03 not 005010X279A1,
such as a 4010 271) or another transaction set is refused; tolerated deviations (GS01 HS on a
group holding a 271, SE02 not repeating ST02, GE/IEA missing after complete sets) are listed
in `EligibilityResponse.notes`. Every fault raises `X12Error` naming the segment's position in
the file, and nothing partial is returned.

The body follows the 271 section of the guide: AAA request-validation segments in 2000A, 2100A,
2100B, 2100C/D and 2110C/D; EB eligibility/benefit segments in 2110C/D with their DTP, REF, MSG
and the 2120C/D LS/NM1/LE related-entity loop (the models are in `eligibility_response`, the
code tables in `eligibility_codes`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from infusion_rcm.common.money import to_money
from infusion_rcm.x12.errors import X12Error
from infusion_rcm.x12.reader import (
    Delimiters,
    Expect,
    Transaction,
    components,
    element,
    read_interchange,
    repetitions,
)
from intake.domain.eligibility_codes import (
    AAA_FOLLOW_UPS,
    AAA_REASONS,
    EB01_DESCRIPTIONS,
    IMPLEMENTATION_GUIDE,
)
from intake.domain.eligibility_response import (
    Benefit,
    DatePeriod,
    EligibilityResponse,
    EligibilitySubject,
    EligibilityTransaction,
    Party,
    Reference,
    Rejection,
    Trace,
)

EXPECT_271 = Expect(
    what="271 eligibility response",
    set_id="271",
    functional_ids=frozenset({"HB"}),
    versions=frozenset({IMPLEMENTATION_GUIDE}),
)
_NUMBER = re.compile(r"-?(?:\d+(?:\.\d*)?|\.\d+)", re.ASCII)  # X12 digits are 0-9, not any Unicode digit
_NUMBER_MAX = 18  # X12 R (decimal) elements of the 271 are at most 18 characters (EB07 AMT)
_KNOWN_271 = frozenset(
    {"BHT", "HL", "TRN", "NM1", "REF", "N3", "N4", "PER", "PRV", "DMG", "INS", "HI", "DTP", "MPI",
     "AAA", "EB", "HSD", "MSG", "III", "LS", "LE"}
)  # fmt: skip
_LEVEL_LETTER = {"20": "A", "21": "B", "22": "C", "23": "D"}
_PARENT_LEVEL = {"21": "20", "22": "21", "23": "22"}


class _Fault(Exception):
    """A fault in the segment being read; the segment loop locates it with `Transaction.error`."""


def _number(value: str, what: str) -> Decimal | None:
    if value == "":
        return None
    if not _NUMBER.fullmatch(value):
        raise _Fault(f"{what} {value!r} is not a number.")
    if len(value) > _NUMBER_MAX:
        raise _Fault(f"{what} {value!r} is longer than {_NUMBER_MAX} characters.")
    return Decimal(value)


def _parse_d8(value: str, what: str) -> date:
    if len(value) != 8 or not (value.isascii() and value.isdigit()):
        raise _Fault(f"{what} {value!r} is not CCYYMMDD.")
    try:
        return date(int(value[:4]), int(value[4:6]), int(value[6:]))
    except ValueError as exc:
        raise _Fault(f"{what} {value!r} is not a calendar date.") from exc


def _parse_period(qualifier: str, fmt: str, value: str) -> DatePeriod:
    if fmt == "D8":
        return DatePeriod(qualifier=qualifier, start=_parse_d8(value, "date"))
    if fmt == "RD8":
        start, sep, end = value.partition("-")
        if not sep:
            raise _Fault(f"date range {value!r} is not CCYYMMDD-CCYYMMDD.")
        return DatePeriod(qualifier=qualifier, start=_parse_d8(start, "date"), end=_parse_d8(end, "date"))
    raise _Fault(f"date format {fmt!r} is not D8 or RD8.")


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
            **self.fields,
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
    index: int  # of its HL in the transaction body, for messages
    name: Party | None = None
    traces: list[Trace] = field(default_factory=list)
    birth_date: date | None = None
    gender: str = ""
    relationship: str = ""
    dates: list[DatePeriod] = field(default_factory=list)
    references: list[Reference] = field(default_factory=list)
    rejections: list[Rejection] = field(default_factory=list)
    benefits: list[_BenefitBuilder] = field(default_factory=list)
    related_loop: int | None = None  # body index of the open LS, while in 2120C/D


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
        raise _Fault(f"AAA segment in loop {loop} needs AAA01 Y/N and a reject reason code in AAA03.")
    return Rejection(
        loop=loop,
        valid_request=valid == "Y",
        reason_code=reason,
        reason=AAA_REASONS.get(reason, "Unlisted reject reason"),
        follow_up_code=follow,
        follow_up=AAA_FOLLOW_UPS.get(follow, ""),
    )


def _benefit(seg: Sequence[str], delimiters: Delimiters) -> _BenefitBuilder:
    code = element(seg, 1)
    if not code:
        raise _Fault("EB segment has no EB01 eligibility or benefit code.")
    amount = _number(element(seg, 7), "EB07 amount")
    procedure = element(seg, 13)
    return _BenefitBuilder(
        fields={
            "code": code,
            "description": EB01_DESCRIPTIONS.get(code, ""),
            "coverage_level": element(seg, 2),
            "service_types": tuple(v for v in repetitions(element(seg, 3), delimiters) if v),
            "insurance_type": element(seg, 4),
            "plan_description": element(seg, 5),
            "time_period": element(seg, 6),
            "amount": to_money(amount) if amount is not None else None,
            "percent": _number(element(seg, 8), "EB08 percent"),
            "quantity_qualifier": element(seg, 9),
            "quantity": _number(element(seg, 10), "EB10 quantity"),
            "authorization_required": _yn(element(seg, 11)),
            "in_network": _yn(element(seg, 12)),
            # Our own component separator, whatever the sender's ISA16 was.
            "procedure": ":".join(components(procedure, delimiters)) if procedure else "",
        }
    )


class _TransactionReader:
    """The HL tree of one 271 transaction set, built segment by segment."""

    def __init__(self, delimiters: Delimiters) -> None:
        self.delimiters = delimiters
        self.nodes: dict[str, _Node] = {}
        self.order: list[_Node] = []
        self.top_rejections: list[Rejection] = []
        self.current: _Node | None = None

    def hl(self, index: int, seg: Sequence[str]) -> None:
        if self.current is not None and self.current.related_loop is not None:
            raise _Fault("an HL starts inside an LS related-entity loop that no LE closed.")
        hl_id, parent, level = element(seg, 1), element(seg, 2), element(seg, 3)
        if not hl_id or hl_id in self.nodes:
            raise _Fault(f"HL01 {hl_id!r} is missing or repeated.")
        if level not in _LEVEL_LETTER:
            raise _Fault(f"HL03 level {level!r} is not 20, 21, 22 or 23.")
        wanted_parent = _PARENT_LEVEL.get(level)
        if wanted_parent is None:
            if parent:
                raise _Fault("an information source HL (20) has no parent.")
        elif parent not in self.nodes or self.nodes[parent].level != wanted_parent:
            raise _Fault(f"HL level {level} must point to a level {wanted_parent} parent, not {parent!r}.")
        self.current = _Node(hl_id=hl_id, level=level, parent=parent, index=index)
        self.nodes[hl_id] = self.current
        self.order.append(self.current)

    def segment(self, index: int, seg: Sequence[str]) -> None:
        seg_id = seg[0]
        if seg_id not in _KNOWN_271:
            raise _Fault(f"{seg_id} is not a 271 segment.")
        if seg_id == "HL":
            self.hl(index, seg)
            return
        node = self.current
        if node is None:
            raise _Fault(f"{seg_id} segment before the first HL.")
        last_benefit = node.benefits[-1] if node.benefits else None
        if node.related_loop is not None:
            # 2120C/D: NM1, N3, N4, PER, PRV describe an entity related to the last EB.
            if seg_id == "LE":
                node.related_loop = None
            elif seg_id == "NM1" and last_benefit is not None:
                last_benefit.related.append(_party(seg))
            elif seg_id not in ("N3", "N4", "PER", "PRV"):
                raise _Fault(f"{seg_id} inside the LS/LE related-entity loop.")
            return
        if seg_id == "NM1":
            if node.name is not None or node.benefits:
                raise _Fault(f"a second name (NM1) in HL {node.hl_id} outside an LS/LE loop.")
            node.name = _party(seg)
            expected = {"22": "IL", "23": "03"}.get(node.level)
            if expected and node.name.entity_code != expected:
                raise _Fault(f"NM101 is {node.name.entity_code!r}; this loop needs {expected}.")
            return
        if seg_id == "AAA":
            letter = _LEVEL_LETTER[node.level]
            loop = "2110" if last_benefit is not None else "2100" if node.name is not None else "2000"
            rejection = _rejection(seg, loop + letter)
            (node.rejections if node.level in ("22", "23") else self.top_rejections).append(rejection)
            return
        if node.level in ("20", "21"):
            return  # N3/N4/PER/PRV/REF of payer or receiver: not used
        self.subject_segment(node, last_benefit, index, seg)

    def subject_segment(
        self, node: _Node, last_benefit: _BenefitBuilder | None, index: int, seg: Sequence[str]
    ) -> None:
        """A segment of a subscriber (2000C..2110C) or dependent (2000D..2110D) loop."""
        seg_id = seg[0]
        if seg_id == "EB":
            if node.name is None:
                raise _Fault("EB before the subscriber/dependent name (NM1).")
            node.benefits.append(_benefit(seg, self.delimiters))
        elif seg_id == "LS":
            if last_benefit is None:
                raise _Fault("LS loop without a preceding EB.")
            node.related_loop = index
        elif seg_id == "LE":
            raise _Fault("LE without a matching LS.")
        elif seg_id == "TRN":
            node.traces.append(
                Trace(trace_type=element(seg, 1), number=element(seg, 2), originator=element(seg, 3))
            )
        elif seg_id == "DTP":
            period = _parse_period(element(seg, 1), element(seg, 2), element(seg, 3))
            (last_benefit.dates if last_benefit else node.dates).append(period)
        elif seg_id == "REF":
            ref = Reference(qualifier=element(seg, 1), value=element(seg, 2), description=element(seg, 3))
            (last_benefit.references if last_benefit else node.references).append(ref)
        elif seg_id == "MSG" and last_benefit is not None:
            last_benefit.messages.append(element(seg, 1))
        elif seg_id == "DMG":
            if element(seg, 1) == "D8" and element(seg, 2):
                node.birth_date = _parse_d8(element(seg, 2), "DMG02 birth date")
            node.gender = element(seg, 3)
        elif seg_id == "INS":
            node.relationship = element(seg, 2)
        # N3, N4, PRV, HI, MPI, HSD, III: not needed by the app.

    def subjects(self) -> tuple[EligibilitySubject, ...]:
        subjects = []
        for node in self.order:
            if node.level not in ("22", "23") or node.name is None:
                continue
            member_id = node.name.identifier
            if node.level == "23" and not member_id:
                parent_name = self.nodes[node.parent].name
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
        return tuple(subjects)


def read_271_transaction(tx: Transaction, delimiters: Delimiters) -> EligibilityTransaction:
    """Map one 271 transaction set (ST..SE, as the envelope reader hands it) to its model."""
    what = f"transaction set {tx.control}"
    if not tx.body or tx.body[0][0] != "BHT":
        raise tx.error(0, f"{what} does not start with its BHT beginning segment.")
    bht = tx.body[0]
    if element(bht, 1) != "0022":
        raise tx.error(
            0,
            f"BHT01 is {element(bht, 1)!r}, expected 0022 (information source, receiver, subscriber, "
            "dependent).",
        )
    try:
        created = _parse_d8(element(bht, 4), "BHT04 date") if element(bht, 4) else None
    except _Fault as fault:
        raise tx.error(0, str(fault)) from None
    reader = _TransactionReader(delimiters)
    for index in range(1, len(tx.body)):
        try:
            reader.segment(index, tx.body[index])
        except _Fault as fault:
            raise tx.error(index, str(fault)) from None
    if reader.current is not None and reader.current.related_loop is not None:
        raise tx.error(reader.current.related_loop, "this LS related-entity loop is not closed by LE.")
    sources = [n for n in reader.order if n.level == "20"]
    if not sources:
        raise X12Error(
            f"{what} has no information source (HL level 20).", position=tx.position, segment_id="ST"
        )
    for node in reader.order:
        if node.name is None:
            raise tx.error(node.index, f"HL {node.hl_id} (level {node.level}) has no NM1 name segment.")
    receivers = [n.name for n in reader.order if n.level == "21"]
    payer = sources[0].name
    assert payer is not None  # every node has a name, checked above
    return EligibilityTransaction(
        control_number=tx.control,
        reference_id=element(bht, 3),
        response_type=element(bht, 2),
        created=created,
        payer=payer,
        receiver=receivers[0] if receivers else None,
        rejections=tuple(reader.top_rejections),
        subjects=reader.subjects(),
    )


def parse_271(text: str) -> EligibilityResponse:
    """Read a 271 interchange completely, or raise `X12Error` saying what is wrong and where."""
    interchange = read_interchange(text, EXPECT_271)
    first = interchange.groups[0]
    return EligibilityResponse(
        interchange_control=interchange.control,
        sender_id=interchange.sender_id,
        receiver_id=interchange.receiver_id,
        functional_id=first.functional_id,
        version=first.version,
        transactions=tuple(
            read_271_transaction(tx, interchange.delimiters) for tx in interchange.transactions
        ),
        notes=interchange.warnings,
    )

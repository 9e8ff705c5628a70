"""X12 271 eligibility response reader (005010X279A1).

Pure. Reading follows the 271 section of the guide: AAA request-validation segments in 2000A,
2100A, 2100B, 2100C/D and 2110C/D; EB eligibility/benefit segments in 2110C/D with their DTP,
REF, MSG and the 2120C/D LS/NM1/LE related-entity loop (the models are in
`eligibility_response`, the code tables in `eligibility_codes`).

Structural problems raise InvalidInputError and nothing partial is returned. Deviations that do not lose
data are accepted and listed in `EligibilityResponse.notes` (e.g. GS01 HS on a group holding a 271: the
transaction set id ST01 decides; SE02 differing from ST02; GE/IEA trailers missing after a complete
ST..SE transaction).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.money import to_money
from infusion_rcm.x12.reader import delimiters_of, element, tokenize
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

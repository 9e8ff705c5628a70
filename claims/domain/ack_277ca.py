"""Reader for the 277CA claim acknowledgment an 837 gets back (005010X214).

Pure. Text in, frozen pydantic models out; nothing partial is returned. The envelope is read by
`infusion_rcm.x12.reader.read_interchange` (uniform refusals and warnings); body faults are
refused naming the segment's position.

HL levels (005010X214 loops 2000A-2000D): 20 information source (the payer), 21 information
receiver (us; its TRN02 in 2200B echoes the BHT03 of our 837, which is our 9-digit ISA13),
19 billing provider, PT patient / claim (TRN02 in 2200D echoes our CLM01). Each level names its
parent in HL02, and a level under the wrong parent is refused: the 21 level's TRN02 is how a
status above claim level finds the batch it is about (`LevelAck277.batch_reference`).
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from claims.domain.claim_status_codes import describe, explain
from infusion_rcm.common.money import to_money
from infusion_rcm.x12.errors import X12Error
from infusion_rcm.x12.reader import Expect, Transaction, element, read_interchange

EXPECT_277CA = Expect(
    what="277CA claim acknowledgment",
    set_id="277",
    functional_ids=frozenset({"HN"}),
    versions=frozenset({"005010X214"}),
)

LEVEL_SOURCE, LEVEL_RECEIVER, LEVEL_PROVIDER, LEVEL_CLAIM = "20", "21", "19", "PT"
PARENT_LEVEL = {
    LEVEL_SOURCE: None,
    LEVEL_RECEIVER: LEVEL_SOURCE,
    LEVEL_PROVIDER: LEVEL_RECEIVER,
    LEVEL_CLAIM: LEVEL_PROVIDER,
}


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ClaimAckStatus(StrEnum):
    ACCEPTED = "accepted"  # accepted into adjudication (A2; A5 split; DR02)
    REJECTED = "rejected"  # returned as unprocessable / not found / invalid (A3, A4, A6, A7, A8, DR03-DR08)
    PENDING = "pending"  # only receipt/forwarding acknowledged (A0, A1) or an unclassified category


ACCEPTED_CATEGORIES = frozenset({"A2", "A5", "DR02"})
REJECTED_CATEGORIES = frozenset(
    {"A3", "A4", "A6", "A7", "A8", "DR03", "DR04", "DR05", "DR06", "DR07", "DR08"}
)


class StatusInfo(_Frozen):
    """One health care claim status composite (STC01, STC10 or STC11)."""

    category: str  # e.g. A2 accepted, A7 rejected for invalid information
    status: str  # claim status code, e.g. 20 accepted for processing, 562 entity's NPI
    entity: str | None = None  # entity identifier code, e.g. 85 billing provider, QC patient


def classify(statuses: Sequence[StatusInfo]) -> ClaimAckStatus:
    """A rejection category anywhere wins, then an acceptance; otherwise only receipt is known."""
    categories = {s.category for s in statuses}
    if categories & REJECTED_CATEGORIES:
        return ClaimAckStatus.REJECTED
    if categories & ACCEPTED_CATEGORIES:
        return ClaimAckStatus.ACCEPTED
    return ClaimAckStatus.PENDING


def status_codes(statuses: Sequence[StatusInfo]) -> str:
    """`A7:562:85, A6:128` as a biller reads them off the clearinghouse report."""
    return ", ".join(f"{s.category}:{s.status}" + (f":{s.entity}" if s.entity else "") for s in statuses)


def status_words(statuses: Sequence[StatusInfo]) -> str:
    """The statuses in words (claims.domain.claim_status_codes): 'A7:562:85 Rejected for invalid
    information: Entity's National Provider Identifier (NPI) (billing provider)'."""
    return describe(explain((s.category, s.status, s.entity) for s in statuses))


class LineAck277(_Frozen):
    """2220D service line status (SVC + STC + REF*FJ line item control number)."""

    line_control_number: str | None  # REF*FJ, echoes our REF*6R
    procedure: str | None  # SVC01-2
    charge: Decimal | None
    status: ClaimAckStatus
    statuses: tuple[StatusInfo, ...]
    free_text: str | None = None


class ClaimAck277(_Frozen):
    """2200D claim status: our CLM01 (TRN02), the payer's claim number (REF*1K), and the verdict."""

    patient_control_number: str  # TRN02 in 2200D = the CLM01 we sent
    payer_claim_control_number: str | None  # REF*1K
    clearinghouse_trace_number: str | None  # REF*D9
    status: ClaimAckStatus
    statuses: tuple[StatusInfo, ...]
    status_date: date | None  # STC02
    action_code: str | None  # STC03 (WQ accept, U reject)
    total_charge: Decimal | None  # STC04
    free_text: str | None  # STC12
    patient_last_name: str | None
    patient_first_name: str | None
    member_id: str | None
    service_date_from: date | None
    service_date_to: date | None
    lines: tuple[LineAck277, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.status is ClaimAckStatus.ACCEPTED


class LevelAck277(_Frozen):
    """Status reported above claim level: information receiver (HL 21) or billing provider (HL 19)."""

    level: str  # "21" information receiver, "19" billing provider
    hl_id: str  # HL01
    name: str | None
    identifier_qualifier: str | None  # NM108: 46 ETIN, XX NPI
    identifier: str | None  # NM109
    trace_number: str | None  # TRN02 of this level
    batch_reference: str | None  # TRN02 of the 2200B information receiver: our BHT03 (= ISA13)
    status: ClaimAckStatus
    statuses: tuple[StatusInfo, ...]
    total_charge: Decimal | None
    free_text: str | None

    @property
    def rejected(self) -> bool:
        return self.status is ClaimAckStatus.REJECTED

    @property
    def provider_npi(self) -> str | None:
        """The billing provider's NPI when this level names one (NM108 XX)."""
        return self.identifier if self.identifier_qualifier == "XX" else None


class Ack277CA(_Frozen):
    interchange_control_number: str  # ISA13 of the 277CA itself
    sender_id: str  # ISA06: the clearinghouse or payer
    receiver_id: str  # ISA08: us
    reference: str  # BHT03
    created: date  # BHT04
    payer_name: str | None  # 2100A information source
    levels: tuple[LevelAck277, ...]
    claims: tuple[ClaimAck277, ...]
    envelope_warnings: tuple[str, ...] = ()


def ccyymmdd(tx: Transaction, index: int, value: str, what: str) -> date:
    """A CCYYMMDD date at body segment `index`, or an error located there."""
    if len(value) != 8 or not (value.isascii() and value.isdigit()):
        raise tx.error(index, f"{what} {value!r} is not a CCYYMMDD date.")
    try:
        return datetime.strptime(value, "%Y%m%d").date()  # noqa: DTZ007 - a calendar date, no time zone
    except ValueError as exc:
        raise tx.error(index, f"{what} {value!r} is not a CCYYMMDD date.") from exc


# X12 type R: an optional minus, ASCII digits and an optional point; no exponent, sign or
# separators (Decimal() would take '1E5', 'NaN' and full-width digits). STC04 / SVC02 are R 1-18.
_AMOUNT = re.compile(r"-?(?:[0-9]+\.?[0-9]*|\.[0-9]+)")
_MAX_AMOUNT_LENGTH = 18


def amount(tx: Transaction, index: int, value: str, what: str) -> Decimal | None:
    """A monetary amount (quantized to cents) at body segment `index`; None when empty."""
    if not value:
        return None
    if len(value) > _MAX_AMOUNT_LENGTH:
        raise tx.error(index, f"{what} {value!r} is longer than {_MAX_AMOUNT_LENGTH} characters.")
    if not _AMOUNT.fullmatch(value):
        raise tx.error(index, f"{what} {value!r} is not an amount (digits 0-9 with an optional point).")
    try:
        return to_money(Decimal(value))
    except (InvalidOperation, ValueError) as exc:  # pragma: no cover - the pattern admits only numbers
        raise tx.error(index, f"{what} {value!r} is not an amount.") from exc


def parse_277ca(text: str) -> Ack277CA:
    """Read a 277CA claim acknowledgment: one `ClaimAck277` per 2200D claim, levels above it kept."""
    ic = read_interchange(text, EXPECT_277CA)
    component = ic.delimiters.component
    levels: list[LevelAck277] = []
    claims: list[ClaimAck277] = []
    payer_name: str | None = None
    for tx in ic.transactions:
        found = _read_set(tx, component)
        levels += found.levels
        claims += found.claims
        payer_name = payer_name or found.payer_name
    first = ic.transactions[0]
    bht = first.body[0]
    return Ack277CA(
        interchange_control_number=ic.control,
        sender_id=ic.sender_id,
        receiver_id=ic.receiver_id,
        reference=element(bht, 3),
        created=ccyymmdd(first, 0, element(bht, 4), "BHT04"),
        payer_name=payer_name,
        levels=tuple(levels),
        claims=tuple(claims),
        envelope_warnings=ic.warnings,
    )


class _SetContent:
    def __init__(self) -> None:
        self.levels: list[LevelAck277] = []
        self.claims: list[ClaimAck277] = []
        self.payer_name: str | None = None


def _read_set(tx: Transaction, component: str) -> _SetContent:
    body = tx.body
    if not body or body[0][0] != "BHT" or element(body[0], 1) != "0085":
        raise tx.error(0, "the first segment of a 277CA must be BHT*0085.")
    # HL blocks as (index of each segment) so every fault names its position in the file.
    blocks: list[list[int]] = []
    for index in range(1, len(body)):
        if body[index][0] == "HL":
            blocks.append([index])
        elif not blocks:
            raise tx.error(index, f"{body[index][0]} before the first HL.")
        else:
            blocks[-1].append(index)
    if not blocks:
        raise X12Error(
            "the 277CA transaction set has no HL levels.", position=tx.position_of(len(body)), segment_id="SE"
        )
    out = _SetContent()
    kinds: dict[str, str] = {}  # HL01 -> HL03
    receiver_trace: dict[str, str | None] = {}  # HL01 of a 21 level -> its TRN02
    for block in blocks:
        hl_index = block[0]
        hl = body[hl_index]
        hl_id, parent, level = element(hl, 1), element(hl, 2), element(hl, 3)
        if level not in PARENT_LEVEL:
            raise tx.error(hl_index, f"HL03 {level!r} is not a 277CA level (20, 21, 19, PT).")
        if not hl_id or hl_id in kinds:
            raise tx.error(hl_index, f"HL01 {hl_id!r} is empty or repeats an earlier level.")
        expected = PARENT_LEVEL[level]
        if (expected is None and parent) or (expected is not None and kinds.get(parent) != expected):
            raise tx.error(
                hl_index,
                f"HL {hl_id} (level {level}) names parent {parent or 'none'}; it must sit under "
                + (f"a level {expected} HL." if expected else "no other level."),
            )
        kinds[hl_id] = level
        segs = block[1:]
        if level == LEVEL_SOURCE:
            for index in segs:
                if body[index][0] == "NM1" and element(body[index], 1) == "PR":
                    out.payer_name = element(body[index], 3) or None
        elif level == LEVEL_CLAIM:
            out.claims.append(_claim(tx, hl_index, segs, component))
        else:
            found = _level(tx, hl_index, segs, component, receiver_trace.get(parent))
            if level == LEVEL_RECEIVER:
                found = found.model_copy(update={"batch_reference": found.trace_number})
                receiver_trace[hl_id] = found.trace_number
            out.levels.append(found)
    return out


def _stc(tx: Transaction, index: int, component: str) -> tuple[list[StatusInfo], dict[str, object]]:
    seg = tx.body[index]
    statuses: list[StatusInfo] = []
    for position in (1, 10, 11):
        value = element(seg, position)
        if not value:
            if position == 1:
                raise tx.error(index, "STC01 (claim status) is missing.")
            continue
        parts = value.split(component)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise tx.error(index, f"STC{position:02d} {value!r} needs a category and a status code.")
        statuses.append(
            StatusInfo(
                category=parts[0], status=parts[1], entity=(parts[2] if len(parts) > 2 and parts[2] else None)
            )
        )
    extra: dict[str, object] = {
        "status_date": ccyymmdd(tx, index, element(seg, 2), "STC02") if element(seg, 2) else None,
        "action_code": element(seg, 3) or None,
        "total_charge": amount(tx, index, element(seg, 4), "STC04"),
        "free_text": element(seg, 12) or None,
    }
    return statuses, extra


def _level(
    tx: Transaction, hl_index: int, segs: list[int], component: str, batch_reference: str | None
) -> LevelAck277:
    hl = tx.body[hl_index]
    name = qualifier = identifier = trace = None
    statuses: list[StatusInfo] = []
    extra: dict[str, object] = {"total_charge": None, "free_text": None}
    for index in segs:
        seg = tx.body[index]
        tag = seg[0]
        if tag == "NM1":
            name = " ".join(p for p in (element(seg, 3), element(seg, 4)) if p) or None
            qualifier = element(seg, 8) or None
            identifier = element(seg, 9) or None
        elif tag == "TRN":
            trace = element(seg, 2) or None
        elif tag == "STC":
            found, info = _stc(tx, index, component)
            if not statuses:
                extra = info
            statuses += found
    return LevelAck277(
        level=element(hl, 3),
        hl_id=element(hl, 1),
        name=name,
        identifier_qualifier=qualifier,
        identifier=identifier,
        trace_number=trace,
        batch_reference=batch_reference,
        status=classify(statuses),
        statuses=tuple(statuses),
        total_charge=extra.get("total_charge"),
        free_text=extra.get("free_text"),
    )


def _dtp_range(tx: Transaction, index: int) -> tuple[date, date]:
    seg = tx.body[index]
    qualifier, value = element(seg, 2), element(seg, 3)
    if qualifier == "D8":
        day = ccyymmdd(tx, index, value, "DTP03")
        return day, day
    if qualifier == "RD8" and "-" in value:
        start, end = value.split("-", 1)
        return ccyymmdd(tx, index, start, "DTP03"), ccyymmdd(tx, index, end, "DTP03")
    raise tx.error(index, f"DTP format {qualifier!r} is not D8 or RD8.")


def _claim(tx: Transaction, hl_index: int, segs: list[int], component: str) -> ClaimAck277:
    data: dict[str, object] = {
        "payer_claim_control_number": None,
        "clearinghouse_trace_number": None,
        "patient_last_name": None,
        "patient_first_name": None,
        "member_id": None,
        "service_date_from": None,
        "service_date_to": None,
        "status_date": None,
        "action_code": None,
        "total_charge": None,
        "free_text": None,
    }
    pcn: str | None = None
    statuses: list[StatusInfo] = []
    lines: list[LineAck277] = []
    line: dict[str, object] | None = None

    def close_line() -> None:
        nonlocal line
        if line is not None:
            found = line.pop("statuses")
            lines.append(LineAck277(**line, statuses=tuple(found), status=classify(found)))  # type: ignore[arg-type]
        line = None

    for index in segs:
        seg = tx.body[index]
        tag = seg[0]
        if tag == "SVC":
            close_line()
            proc = element(seg, 1).split(component)
            line = {
                "line_control_number": None,
                "procedure": proc[1] if len(proc) > 1 else None,
                "charge": amount(tx, index, element(seg, 2), "SVC02"),
                "statuses": [],
                "free_text": None,
            }
        elif line is not None:
            if tag == "STC":
                found, info = _stc(tx, index, component)
                line["statuses"] += found  # type: ignore[operator]
                line["free_text"] = line["free_text"] or info["free_text"]
            elif tag == "REF" and element(seg, 1) == "FJ":
                line["line_control_number"] = element(seg, 2) or None
            elif tag not in ("REF", "DTP"):
                raise tx.error(index, f"unexpected segment {tag} in a service line status.")
        elif tag == "NM1":
            data["patient_last_name"] = element(seg, 3) or None
            data["patient_first_name"] = element(seg, 4) or None
            data["member_id"] = element(seg, 9) or None
        elif tag == "TRN":
            if element(seg, 1) != "2" or not element(seg, 2):
                raise tx.error(index, "a claim's TRN must be TRN*2*<patient control number>.")
            pcn = element(seg, 2)
        elif tag == "STC":
            found, info = _stc(tx, index, component)
            if not statuses:
                data.update(info)
            statuses += found
        elif tag == "REF":
            if element(seg, 1) == "1K":
                data["payer_claim_control_number"] = element(seg, 2) or None
            elif element(seg, 1) == "D9":
                data["clearinghouse_trace_number"] = element(seg, 2) or None
        elif tag == "DTP":
            if element(seg, 1) == "472":
                data["service_date_from"], data["service_date_to"] = _dtp_range(tx, index)
        else:
            raise tx.error(index, f"unexpected segment {tag} in a claim status.")
    close_line()
    if pcn is None:
        raise tx.error(hl_index, "the claim has no TRN*2 patient control number.")
    if not statuses:
        raise tx.error(hl_index, "the claim has no STC status.")
    return ClaimAck277(
        patient_control_number=pcn,
        status=classify(statuses),
        statuses=tuple(statuses),
        lines=tuple(lines),
        **data,
    )

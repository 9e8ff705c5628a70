"""Readers for the acknowledgments an 837 batch gets back: 999 (005010X231A1) and 277CA (005010X214).

Pure. Text in, frozen pydantic models out. Delimiters are taken from the ISA header
(`infusion_rcm.common.x12.tokenize`). Malformed input raises `InvalidInputError` naming the
segment; nothing partial is returned.

Deliberate tolerance (MANIFEST.md: readers reject or tolerate each sample deliberately):
- an IEA02 that does not repeat ISA13 is recorded in `envelope_warnings` instead of refusing the
  whole acknowledgment (one published 999 sample has it; the content is still unambiguous);
- GS08 / ST03 of a 999 may be `005010X231` or `005010X231A1` (pyx12 writes the former).
Everything else in the envelope (GS/GE and ST/SE pairing, SE01 segment counts, GE01 counts) is
checked, because a mismatch there usually means a truncated or spliced file.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from enum import StrEnum

from pydantic import BaseModel, ConfigDict

from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.money import to_money
from infusion_rcm.common.x12 import delimiters_of, element, tokenize


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


# ---------------------------------------------------------------------------
# Envelope walking (shared by both readers)
# ---------------------------------------------------------------------------


@dataclass
class _Transaction:
    gs: list[str]
    st: list[str]
    body: list[list[str]] = field(default_factory=list)


@dataclass
class _Interchange:
    isa: list[str]
    component: str
    repetition: str
    transactions: list[_Transaction]
    warnings: list[str]


def _bad(message: str) -> InvalidInputError:
    return InvalidInputError(message, code="x12.malformed")


def _walk(text: str, *, functional_id: str, set_id: str, versions: Sequence[str], what: str) -> _Interchange:
    if not isinstance(text, str) or not text.strip():
        raise _bad(f"The {what} file is empty.")
    delims = delimiters_of(text)
    segments = tokenize(text)
    isa = segments[0]
    if len(isa) != 17:
        raise _bad(f"The {what} ISA header does not have 16 elements.")
    if segments[-1][0] != "IEA":
        raise _bad(f"The {what} file has no IEA trailer (truncated?).")
    warnings: list[str] = []
    transactions: list[_Transaction] = []
    gs: list[str] | None = None
    st: _Transaction | None = None
    groups = 0
    st_in_group = 0
    seg_count = 0
    for seg in segments[1:-1]:
        tag = seg[0]
        if tag == "GS":
            if gs is not None:
                raise _bad(f"GS {element(seg, 6)} starts before GS {element(gs, 6)} is closed by GE.")
            if element(seg, 1) != functional_id:
                raise _bad(f"Expected a {what} (GS01 = {functional_id}) but GS01 is '{element(seg, 1)}'.")
            if element(seg, 8) not in versions:
                raise _bad(f"GS08 '{element(seg, 8)}' is not a {what} version ({', '.join(versions)}).")
            gs, groups, st_in_group = seg, groups + 1, 0
        elif tag == "GE":
            if gs is None or st is not None:
                raise _bad("GE without an open GS group, or inside a transaction set.")
            if element(seg, 2) != element(gs, 6):
                raise _bad(f"GE02 '{element(seg, 2)}' does not match GS06 '{element(gs, 6)}'.")
            if element(seg, 1) != str(st_in_group):
                raise _bad(f"GE01 says {element(seg, 1)} transaction sets; the group has {st_in_group}.")
            gs = None
        elif tag == "ST":
            if gs is None or st is not None:
                raise _bad("ST outside a GS group or before the previous SE.")
            if element(seg, 1) != set_id:
                raise _bad(f"Expected transaction set {set_id}, found ST01 '{element(seg, 1)}'.")
            if element(seg, 3) and element(seg, 3) not in versions:
                raise _bad(f"ST03 '{element(seg, 3)}' is not a {what} version.")
            st = _Transaction(gs=gs, st=seg)
            seg_count = 1
        elif tag == "SE":
            if st is None:
                raise _bad("SE without ST.")
            seg_count += 1
            if element(seg, 2) != element(st.st, 2):
                raise _bad(f"SE02 '{element(seg, 2)}' does not match ST02 '{element(st.st, 2)}'.")
            if element(seg, 1) != str(seg_count):
                raise _bad(
                    f"SE01 says {element(seg, 1)} segments; transaction set {element(st.st, 2)} has {seg_count}."
                )
            transactions.append(st)
            st_in_group += 1
            st = None
        elif st is not None:
            st.body.append(seg)
            seg_count += 1
        else:
            raise _bad(f"Segment {tag} outside a transaction set.")
    if gs is not None or st is not None:
        raise _bad(f"The {what} file ends inside an open GS or ST.")
    iea = segments[-1]
    if element(iea, 1) != str(groups):
        raise _bad(f"IEA01 says {element(iea, 1)} groups; the interchange has {groups}.")
    if element(iea, 2) != element(isa, 13):
        warnings.append(f"IEA02 '{element(iea, 2)}' does not repeat ISA13 '{element(isa, 13)}'.")
    if not transactions:
        raise _bad(f"The {what} file holds no transaction set.")
    return _Interchange(isa, delims.component, delims.repetition, transactions, warnings)


def _ccyymmdd(value: str, where: str) -> date:
    try:
        return datetime.strptime(value, "%Y%m%d").date()  # noqa: DTZ007 - a calendar date, no time zone
    except ValueError as exc:
        raise _bad(f"{where}: '{value}' is not a CCYYMMDD date.") from exc


def _amount(value: str, where: str) -> Decimal | None:
    if not value:
        return None
    try:
        return to_money(Decimal(value))
    except (InvalidOperation, ValueError) as exc:
        raise _bad(f"{where}: '{value}' is not an amount.") from exc


def _int(value: str, where: str) -> int | None:
    if not value:
        return None
    if not value.isdigit():
        raise _bad(f"{where}: '{value}' is not a number.")
    return int(value)


# ---------------------------------------------------------------------------
# 999
# ---------------------------------------------------------------------------

# IK501 / AK901 codes (005010X231A1).
_IK5_CODES = {"A", "E", "M", "R", "W", "X"}
_AK9_CODES = {"A", "E", "M", "P", "R", "W", "X"}
_ACCEPTED_CODES = {"A", "E"}  # E = accepted, but errors were noted


class ElementError(_Frozen):
    """IK4: an element in error within the IK3 segment."""

    position: str  # IK401 as sent, e.g. "2" or "5:3" (element:component)
    element_reference: str  # IK402 data element reference number
    error_code: (
        str  # IK403 implementation data element syntax error code (e.g. 1 mandatory missing, 7 invalid code)
    )
    bad_value: str | None = None  # IK404 copy of the bad data element


class SegmentError(_Frozen):
    """IK3 with its IK4 element errors and CTX context (e.g. CTX*CLM01:<patient control number>)."""

    segment_id: str  # IK301
    segment_position: int  # IK302, position within the transaction set (ST = 1)
    loop_id: str | None  # IK303, e.g. 2300
    error_code: str  # IK304 implementation segment syntax error code (e.g. 8 segment has data element errors)
    elements: tuple[ElementError, ...] = ()
    context: tuple[str, ...] = ()

    @property
    def claim_ids(self) -> tuple[str, ...]:
        """CLM01 values the 999 names in business-unit CTX segments (CTX*CLM01:<id>)."""
        ids = []
        for ctx in self.context:
            name, _, value = ctx.partition("=")
            if name == "CLM01" and value:
                ids.append(value)
        return tuple(ids)


class TransactionSetAck(_Frozen):
    """AK2 ... IK5: the outcome for one transaction set (one ST..SE of our 837 file)."""

    group_control_number: str  # AK102 = GS06 of the acknowledged file
    transaction_set_id: str  # AK201, e.g. 837
    control_number: str  # AK202 = ST02 of the acknowledged transaction set
    version: str | None  # AK203
    status: str  # IK501: A accepted, E accepted with errors, R/M/W/X rejected
    syntax_error_codes: tuple[str, ...] = ()  # IK502-IK506
    errors: tuple[SegmentError, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.status in _ACCEPTED_CODES


class GroupAck(_Frozen):
    """AK1 ... AK9: the outcome for one functional group of the acknowledged file."""

    functional_id: str  # AK101, HC for claims
    group_control_number: str  # AK102
    version: str | None  # AK103
    status: str  # AK901: A, E, P partially accepted, R, M, W, X
    transaction_sets_included: int  # AK902
    transaction_sets_received: int  # AK903
    transaction_sets_accepted: int  # AK904
    transactions: tuple[TransactionSetAck, ...]


class Ack999(_Frozen):
    interchange_control_number: str  # ISA13 of the 999 itself
    sender_id: str
    receiver_id: str
    groups: tuple[GroupAck, ...]
    envelope_warnings: tuple[str, ...] = ()

    @property
    def transactions(self) -> tuple[TransactionSetAck, ...]:
        return tuple(t for g in self.groups for t in g.transactions)


def parse_999(text: str) -> Ack999:
    """Read a 999 implementation acknowledgment: one `TransactionSetAck` per acknowledged ST.

    Structure per 999 transaction set: AK1, then AK2 loops (AK2, IK3 with IK4/CTX ..., IK5), then AK9.
    """
    ic = _walk(text, functional_id="FA", set_id="999", versions=("005010X231A1", "005010X231"), what="999")
    groups: list[GroupAck] = []
    for tx in ic.transactions:
        groups.append(_parse_999_set(tx, ic.component))
    isa = ic.isa
    return Ack999(
        interchange_control_number=element(isa, 13),
        sender_id=element(isa, 6).strip(),
        receiver_id=element(isa, 8).strip(),
        groups=tuple(groups),
        envelope_warnings=tuple(ic.warnings),
    )


def _parse_999_set(tx: _Transaction, component: str) -> GroupAck:
    st_control = element(tx.st, 2)
    where = f"999 {st_control}"
    body = tx.body
    if not body or body[0][0] != "AK1":
        raise _bad(f"{where}: the first segment must be AK1.")
    ak1 = body[0]
    if not element(ak1, 1) or not element(ak1, 2):
        raise _bad(f"{where}: AK1 needs the functional id and group control number.")
    group_control = element(ak1, 2)
    transactions: list[TransactionSetAck] = []
    current: dict[str, object] | None = None
    seg_errors: list[SegmentError] = []
    ik3: dict[str, object] | None = None
    ik4s: list[ElementError] = []
    contexts: list[str] = []
    ak9: list[str] | None = None

    def close_ik3() -> None:
        nonlocal ik3, ik4s, contexts
        if ik3 is not None:
            seg_errors.append(SegmentError(**ik3, elements=tuple(ik4s), context=tuple(contexts)))  # type: ignore[arg-type]
        ik3, ik4s, contexts = None, [], []

    for seg in body[1:]:
        tag = seg[0]
        if ak9 is not None:
            raise _bad(f"{where}: {tag} after AK9.")
        if tag == "AK2":
            if current is not None:
                raise _bad(f"{where}: AK2 {element(seg, 2)} starts before the previous AK2 has its IK5.")
            if element(seg, 1) == "" or element(seg, 2) == "" or len(seg) > 4:
                raise _bad(
                    f"{where}: AK2 must carry the transaction set id and control number (and at most a version)."
                )
            current = {"id": element(seg, 1), "control": element(seg, 2), "version": element(seg, 3) or None}
            seg_errors = []
        elif tag == "IK3":
            if current is None:
                raise _bad(f"{where}: IK3 outside an AK2 loop.")
            close_ik3()
            position = _int(element(seg, 2), f"{where} IK302")
            if not element(seg, 1) or position is None or not element(seg, 4):
                raise _bad(f"{where}: IK3 needs segment id, position and error code.")
            ik3 = {
                "segment_id": element(seg, 1),
                "segment_position": position,
                "loop_id": element(seg, 3) or None,
                "error_code": element(seg, 4),
            }
        elif tag == "IK4":
            if ik3 is None:
                raise _bad(f"{where}: IK4 outside an IK3.")
            if not element(seg, 1) or not element(seg, 3):
                raise _bad(f"{where}: IK4 needs the element position and error code.")
            ik4s.append(
                ElementError(
                    position=element(seg, 1),
                    element_reference=element(seg, 2),
                    error_code=element(seg, 3),
                    bad_value=element(seg, 4) or None,
                )
            )
        elif tag == "CTX":
            if ik3 is None:
                raise _bad(f"{where}: CTX outside an IK3.")
            first = element(seg, 1)
            name, _, value = first.partition(component)
            contexts.append(f"{name}={value}" if value else first)
            contexts.extend(e for e in seg[2:] if e)
        elif tag == "IK5":
            if current is None:
                raise _bad(f"{where}: IK5 outside an AK2 loop.")
            status = element(seg, 1)
            if status not in _IK5_CODES:
                raise _bad(f"{where}: IK501 '{status}' is not a 999 acknowledgment code.")
            close_ik3()
            transactions.append(
                TransactionSetAck(
                    group_control_number=group_control,
                    transaction_set_id=str(current["id"]),
                    control_number=str(current["control"]),
                    version=current["version"],  # type: ignore[arg-type]
                    status=status,
                    syntax_error_codes=tuple(e for e in seg[2:7] if e),
                    errors=tuple(seg_errors),
                )
            )
            current = None
        elif tag == "AK9":
            if current is not None:
                raise _bad(f"{where}: AK9 before the open AK2 has its IK5.")
            ak9 = seg
        else:
            raise _bad(f"{where}: unexpected segment {tag} in a 999.")
    if ak9 is None:
        raise _bad(f"{where}: AK9 is missing.")
    status = element(ak9, 1)
    if status not in _AK9_CODES:
        raise _bad(f"{where}: AK901 '{status}' is not a 999 group acknowledgment code.")
    counts = [_int(element(ak9, i), f"{where} AK90{i}") for i in (2, 3, 4)]
    if any(c is None for c in counts):
        raise _bad(f"{where}: AK9 needs the included, received and accepted counts.")
    included, received, accepted = (int(c or 0) for c in counts)
    return GroupAck(
        functional_id=element(ak1, 1).strip(),
        group_control_number=group_control,
        version=element(ak1, 3) or None,
        status=status,
        transaction_sets_included=included,
        transaction_sets_received=received,
        transaction_sets_accepted=accepted,
        transactions=tuple(transactions),
    )


# ---------------------------------------------------------------------------
# 277CA
# ---------------------------------------------------------------------------


class ClaimAckStatus(StrEnum):
    ACCEPTED = "accepted"  # accepted into adjudication (A2; A5 split; DR02)
    REJECTED = "rejected"  # returned as unprocessable / not found / invalid (A3, A4, A6, A7, A8, DR03-DR08)
    PENDING = "pending"  # only receipt/forwarding acknowledged (A0, A1) or an unclassified category


_ACCEPTED_CATEGORIES = {"A2", "A5", "DR02"}
_REJECTED_CATEGORIES = {"A3", "A4", "A6", "A7", "A8", "DR03", "DR04", "DR05", "DR06", "DR07", "DR08"}


class StatusInfo(_Frozen):
    """One health care claim status composite (STC01, STC10 or STC11)."""

    category: str  # e.g. A2 accepted, A7 rejected for invalid information
    status: str  # claim status code, e.g. 20 accepted for processing, 562 entity's NPI
    entity: str | None = None  # entity identifier code, e.g. 85 billing provider, QC patient


def _classify(statuses: Sequence[StatusInfo]) -> ClaimAckStatus:
    categories = {s.category for s in statuses}
    if categories & _REJECTED_CATEGORIES:
        return ClaimAckStatus.REJECTED
    if categories & _ACCEPTED_CATEGORIES:
        return ClaimAckStatus.ACCEPTED
    return ClaimAckStatus.PENDING


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
    name: str | None
    identifier: str | None  # NM109 (ETIN or NPI)
    trace_number: str | None  # TRN02
    status: ClaimAckStatus
    statuses: tuple[StatusInfo, ...]
    total_charge: Decimal | None
    free_text: str | None


class Ack277CA(_Frozen):
    interchange_control_number: str
    reference: str  # BHT03
    created: date  # BHT04
    payer_name: str | None  # 2100A information source
    levels: tuple[LevelAck277, ...]
    claims: tuple[ClaimAck277, ...]
    envelope_warnings: tuple[str, ...] = ()


def _stc(seg: list[str], component: str, where: str) -> tuple[list[StatusInfo], dict[str, object]]:
    statuses: list[StatusInfo] = []
    for index in (1, 10, 11):
        value = element(seg, index)
        if not value:
            if index == 1:
                raise _bad(f"{where}: STC01 (claim status) is missing.")
            continue
        parts = value.split(component)
        if len(parts) < 2 or not parts[0] or not parts[1]:
            raise _bad(f"{where}: STC{index:02d} '{value}' needs a category and a status code.")
        statuses.append(
            StatusInfo(
                category=parts[0], status=parts[1], entity=(parts[2] if len(parts) > 2 and parts[2] else None)
            )
        )
    extra = {
        "status_date": _ccyymmdd(element(seg, 2), f"{where} STC02") if element(seg, 2) else None,
        "action_code": element(seg, 3) or None,
        "total_charge": _amount(element(seg, 4), f"{where} STC04"),
        "free_text": element(seg, 12) or None,
    }
    return statuses, extra


def _dtp_range(seg: list[str], where: str) -> tuple[date, date]:
    qualifier, value = element(seg, 2), element(seg, 3)
    if qualifier == "D8":
        day = _ccyymmdd(value, where)
        return day, day
    if qualifier == "RD8" and "-" in value:
        start, end = value.split("-", 1)
        return _ccyymmdd(start, where), _ccyymmdd(end, where)
    raise _bad(f"{where}: DTP format '{qualifier}' is not D8 or RD8.")


def parse_277ca(text: str) -> Ack277CA:
    """Read a 277CA claim acknowledgment (005010X214): one `ClaimAck277` per 2200D claim.

    HL levels: 20 information source (payer), 21 information receiver (submitter, batch status),
    19 billing provider, PT patient/claim. The claim is identified by TRN02 in 2200D (our CLM01).
    """
    ic = _walk(text, functional_id="HN", set_id="277", versions=("005010X214",), what="277CA")
    levels: list[LevelAck277] = []
    claims: list[ClaimAck277] = []
    first_bht: list[str] | None = None
    payer_name: str | None = None
    for tx in ic.transactions:
        where = f"277CA {element(tx.st, 2)}"
        body = tx.body
        if not body or body[0][0] != "BHT" or element(body[0], 1) != "0085":
            raise _bad(f"{where}: the first segment must be BHT*0085.")
        first_bht = first_bht or body[0]
        # split into HL blocks
        blocks: list[list[list[str]]] = []
        for seg in body[1:]:
            if seg[0] == "HL":
                blocks.append([seg])
            elif not blocks:
                raise _bad(f"{where}: {seg[0]} before the first HL.")
            else:
                blocks[-1].append(seg)
        if not blocks:
            raise _bad(f"{where}: no HL levels.")
        for block in blocks:
            level = element(block[0], 3)
            if level == "20":
                for seg in block:
                    if seg[0] == "NM1" and element(seg, 1) == "PR":
                        payer_name = element(seg, 3) or None
            elif level in ("21", "19"):
                levels.append(_level(block, ic.component, where))
            elif level == "PT":
                claims.append(_claim(block, ic.component, where))
            else:
                raise _bad(f"{where}: HL03 '{level}' is not a 277CA level (20, 21, 19, PT).")
    if first_bht is None:  # pragma: no cover - _walk refuses a file without a transaction set
        raise _bad("The 277CA file holds no transaction set.")
    return Ack277CA(
        interchange_control_number=element(ic.isa, 13),
        reference=element(first_bht, 3),
        created=_ccyymmdd(element(first_bht, 4), "277CA BHT04"),
        payer_name=payer_name,
        levels=tuple(levels),
        claims=tuple(claims),
        envelope_warnings=tuple(ic.warnings),
    )


def _level(block: list[list[str]], component: str, where: str) -> LevelAck277:
    level = element(block[0], 3)
    name = identifier = trace = None
    statuses: list[StatusInfo] = []
    extra: dict[str, object] = {"total_charge": None, "free_text": None}
    for seg in block[1:]:
        tag = seg[0]
        if tag == "NM1":
            name = " ".join(p for p in (element(seg, 3), element(seg, 4)) if p) or None
            identifier = element(seg, 9) or None
        elif tag == "TRN":
            trace = element(seg, 2) or None
        elif tag == "STC":
            found, info = _stc(seg, component, f"{where} HL {element(block[0], 1)}")
            statuses += found
            if extra["total_charge"] is None:
                extra = info
    return LevelAck277(
        level=level,
        name=name,
        identifier=identifier,
        trace_number=trace,
        status=_classify(statuses),
        statuses=tuple(statuses),
        total_charge=extra.get("total_charge"),  # type: ignore[arg-type]
        free_text=extra.get("free_text"),  # type: ignore[arg-type]
    )


def _claim(block: list[list[str]], component: str, where: str) -> ClaimAck277:
    here = f"{where} HL {element(block[0], 1)}"
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
            lines.append(LineAck277(**line, statuses=tuple(found), status=_classify(found)))  # type: ignore[arg-type]
        line = None

    for seg in block[1:]:
        tag = seg[0]
        if tag == "SVC":
            close_line()
            proc = element(seg, 1).split(component)
            line = {
                "line_control_number": None,
                "procedure": proc[1] if len(proc) > 1 else None,
                "charge": _amount(element(seg, 2), f"{here} SVC02"),
                "statuses": [],
                "free_text": None,
            }
        elif line is not None:
            if tag == "STC":
                found, info = _stc(seg, component, f"{here} line STC")
                line["statuses"] += found  # type: ignore[operator]
                line["free_text"] = line["free_text"] or info["free_text"]
            elif tag == "REF" and element(seg, 1) == "FJ":
                line["line_control_number"] = element(seg, 2) or None
            elif tag in ("REF", "DTP"):
                continue
            else:
                raise _bad(f"{here}: unexpected segment {tag} in a service line status.")
        elif tag == "NM1":
            data["patient_last_name"] = element(seg, 3) or None
            data["patient_first_name"] = element(seg, 4) or None
            data["member_id"] = element(seg, 9) or None
        elif tag == "TRN":
            if element(seg, 1) != "2" or not element(seg, 2):
                raise _bad(f"{here}: claim TRN must be TRN*2*<patient control number>.")
            pcn = element(seg, 2)
        elif tag == "STC":
            found, info = _stc(seg, component, f"{here} STC")
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
                data["service_date_from"], data["service_date_to"] = _dtp_range(seg, f"{here} DTP*472")
        else:
            raise _bad(f"{here}: unexpected segment {tag} in a claim status.")
    close_line()
    if pcn is None:
        raise _bad(f"{here}: the claim has no TRN*2 patient control number.")
    if not statuses:
        raise _bad(f"{here}: the claim has no STC status.")
    return ClaimAck277(
        patient_control_number=pcn,
        status=_classify(statuses),
        statuses=tuple(statuses),
        lines=tuple(lines),
        **data,  # type: ignore[arg-type]
    )

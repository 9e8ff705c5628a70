"""Reader for the 999 implementation acknowledgment an 837 (or a 270) gets back (005010X231A1).

Pure. Text in, frozen pydantic models out; nothing partial is returned. The envelope is read by
`infusion_rcm.x12.reader.read_interchange`, so envelope faults get its uniform answers (refused,
or read with a warning in `envelope_warnings`). GS08 / ST03 may be `005010X231A1` or
`005010X231` (pyx12 writes the latter).

What identifies the acknowledged file is kept: the 999's own ISA06 / ISA08 (the 999 is addressed
to us, so ISA08 is our sender id), per group AK101 (GS01 of our file), AK102 (our GS06) and AK103
(our GS08), per set AK201 (our ST01) and AK202 (our ST02).

Body rules, each refused with the segment's position (005010X231A1 loop 2000 AK2 / 2100 IK3):
AK1 first; AK2 ... IK5 loops, IK3 (with IK4 / CTX) only inside one; AK9 last, with its three
counts. AK904 (sets accepted) must agree with the IK5 outcomes when AK2 loops are reported, and
an AK901 that rejects the group while an IK5 accepts one of its sets is refused: the two would
lead to opposite actions on the same claims. An AK901 rejection with no AK2 loop is a
group-level rejection (`GroupAck.rejected_as_group`): every set of the group is rejected.
"""

from __future__ import annotations

from pydantic import BaseModel, ConfigDict

from infusion_rcm.x12.errors import X12Error
from infusion_rcm.x12.reader import Expect, Transaction, element, read_interchange

EXPECT_999 = Expect(
    what="999 implementation acknowledgment",
    set_id="999",
    functional_ids=frozenset({"FA"}),
    versions=frozenset({"005010X231A1", "005010X231"}),
)

# IK501 / AK901 codes (005010X231A1).
IK5_CODES = frozenset({"A", "E", "M", "R", "W", "X"})
AK9_CODES = frozenset({"A", "E", "M", "P", "R", "W", "X"})
ACCEPTED_CODES = frozenset({"A", "E"})  # E = accepted, but errors were noted
REJECTED_CODES = frozenset({"M", "R", "W", "X"})


class _Frozen(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid")


class ElementError(_Frozen):
    """IK4: an element in error within the IK3 segment."""

    position: str  # IK401 as sent, e.g. "2" or "5:3" (element:component)
    element_reference: str  # IK402 data element reference number
    error_code: str  # IK403 syntax error code (e.g. 1 mandatory missing, 7 invalid code)
    bad_value: str | None = None  # IK404 copy of the bad data element


class SegmentError(_Frozen):
    """IK3 with its IK4 element errors and CTX context (e.g. CTX*CLM01:<patient control number>)."""

    segment_id: str  # IK301
    segment_position: int  # IK302, position within the transaction set (ST = 1)
    loop_id: str | None  # IK303, e.g. 2300
    error_code: str  # IK304 segment syntax error code (e.g. 8 segment has data element errors)
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
    """AK2 ... IK5: the outcome for one transaction set (one ST..SE of the acknowledged file)."""

    functional_id: str  # AK101 of its group = GS01 of the acknowledged file
    group_control_number: str  # AK102 = GS06 of the acknowledged file
    transaction_set_id: str  # AK201 = ST01, e.g. 837
    control_number: str  # AK202 = ST02 of the acknowledged transaction set
    version: str | None  # AK203
    status: str  # IK501: A accepted, E accepted with errors, R/M/W/X rejected
    syntax_error_codes: tuple[str, ...] = ()  # IK502-IK506
    errors: tuple[SegmentError, ...] = ()

    @property
    def accepted(self) -> bool:
        return self.status in ACCEPTED_CODES


class GroupAck(_Frozen):
    """AK1 ... AK9: the outcome for one functional group of the acknowledged file."""

    functional_id: str  # AK101: HC for an 837, HS for a 270
    group_control_number: str  # AK102 = our GS06
    version: str | None  # AK103 = our GS08
    status: str  # AK901: A, E, P partially accepted, R, M, W, X
    transaction_sets_included: int  # AK902
    transaction_sets_received: int  # AK903
    transaction_sets_accepted: int  # AK904
    syntax_error_codes: tuple[str, ...] = ()  # AK905-AK909
    transactions: tuple[TransactionSetAck, ...]

    @property
    def rejected(self) -> bool:
        return self.status in REJECTED_CODES

    @property
    def rejected_as_group(self) -> bool:
        """The whole group is rejected and no set is reported on its own (AK901 R etc., no AK2)."""
        return self.rejected and not self.transactions


class Ack999(_Frozen):
    interchange_control_number: str  # ISA13 of the 999 itself
    sender_id: str  # ISA06: the clearinghouse or payer
    receiver_id: str  # ISA08: us (the sender of the acknowledged file)
    groups: tuple[GroupAck, ...]
    envelope_warnings: tuple[str, ...] = ()

    @property
    def transactions(self) -> tuple[TransactionSetAck, ...]:
        return tuple(t for g in self.groups for t in g.transactions)


def parse_999(text: str) -> Ack999:
    """Read a 999: one `GroupAck` per 999 transaction set (each acknowledges one group of ours).

    Structure per 999 transaction set: AK1, then AK2 loops (AK2, IK3 with IK4/CTX ..., IK5), then AK9.
    """
    ic = read_interchange(text, EXPECT_999)
    return Ack999(
        interchange_control_number=ic.control,
        sender_id=ic.sender_id,
        receiver_id=ic.receiver_id,
        groups=tuple(read_999_set(tx, ic.delimiters.component) for tx in ic.transactions),
        envelope_warnings=ic.warnings,
    )


_MAX_NUMBER_DIGITS = 10  # IK302 is N0 1-10; the AK9 counts are N0 1-6


def _number(tx: Transaction, index: int, value: str, what: str) -> int:
    """An unsigned count or position at body segment `index`, or an error located there.

    X12 N0 is ASCII 0-9 only: Python's isdigit() also takes '²' (which int() then refuses) and
    Arabic-Indic or full-width digits (which int() silently reads), so both are refused here.
    """
    if not (value.isascii() and value.isdigit()):
        raise tx.error(index, f"{what} {value!r} is not a number (digits 0-9).")
    if len(value) > _MAX_NUMBER_DIGITS:
        raise tx.error(index, f"{what} {value!r} is longer than {_MAX_NUMBER_DIGITS} digits.")
    return int(value)


class _Set999:
    """The AK2 / IK3 state while one 999 transaction set is read; `read_999_set` is its only user."""

    def __init__(self, tx: Transaction, component: str) -> None:
        self.tx = tx
        self.component = component
        self.functional_id = ""
        self.group_control = ""
        self.sets: list[TransactionSetAck] = []
        self.ak2: list[str] | None = None
        self.seg_errors: list[SegmentError] = []
        self.ik3: dict[str, object] | None = None
        self.ik4s: list[ElementError] = []
        self.contexts: list[str] = []

    def close_ik3(self) -> None:
        if self.ik3 is not None:
            self.seg_errors.append(
                SegmentError(**self.ik3, elements=tuple(self.ik4s), context=tuple(self.contexts))
            )
        self.ik3, self.ik4s, self.contexts = None, [], []

    def read(self, index: int, seg: list[str]) -> None:
        tag = seg[0]
        handler = {
            "AK2": self.ak2_open,
            "IK3": self.ik3_open,
            "IK4": self.ik4,
            "CTX": self.ctx,
            "IK5": self.ik5,
        }
        if tag not in handler:
            raise self.tx.error(index, f"unexpected segment {tag} in a 999.")
        handler[tag](index, seg)

    def ak2_open(self, index: int, seg: list[str]) -> None:
        if self.ak2 is not None:
            raise self.tx.error(index, f"AK2 {element(seg, 2)} starts before the previous AK2 has its IK5.")
        if not element(seg, 1) or not element(seg, 2) or len(seg) > 4:
            raise self.tx.error(
                index, "AK2 must carry the transaction set id and control number (and at most a version)."
            )
        self.ak2, self.seg_errors = seg, []

    def ik3_open(self, index: int, seg: list[str]) -> None:
        if self.ak2 is None:
            raise self.tx.error(index, "IK3 outside an AK2 loop.")
        self.close_ik3()
        if not element(seg, 1) or not element(seg, 2) or not element(seg, 4):
            raise self.tx.error(index, "IK3 needs segment id, position and error code.")
        self.ik3 = {
            "segment_id": element(seg, 1),
            "segment_position": _number(self.tx, index, element(seg, 2), "IK302"),
            "loop_id": element(seg, 3) or None,
            "error_code": element(seg, 4),
        }

    def ik4(self, index: int, seg: list[str]) -> None:
        if self.ik3 is None:
            raise self.tx.error(index, "IK4 outside an IK3.")
        if not element(seg, 1) or not element(seg, 3):
            raise self.tx.error(index, "IK4 needs the element position and error code.")
        self.ik4s.append(
            ElementError(
                position=element(seg, 1),
                element_reference=element(seg, 2),
                error_code=element(seg, 3),
                bad_value=element(seg, 4) or None,
            )
        )

    def ctx(self, index: int, seg: list[str]) -> None:
        if self.ik3 is None:
            raise self.tx.error(index, "CTX outside an IK3.")
        first = element(seg, 1)
        name, _, value = first.partition(self.component)
        self.contexts.append(f"{name}={value}" if value else first)
        self.contexts.extend(e for e in seg[2:] if e)

    def ik5(self, index: int, seg: list[str]) -> None:
        if self.ak2 is None:
            raise self.tx.error(index, "IK5 outside an AK2 loop.")
        status = element(seg, 1)
        if status not in IK5_CODES:
            raise self.tx.error(index, f"IK501 {status!r} is not a 999 acknowledgment code.")
        self.close_ik3()
        self.sets.append(
            TransactionSetAck(
                functional_id=self.functional_id,
                group_control_number=self.group_control,
                transaction_set_id=element(self.ak2, 1),
                control_number=element(self.ak2, 2),
                version=element(self.ak2, 3) or None,
                status=status,
                syntax_error_codes=tuple(e for e in seg[2:7] if e),
                errors=tuple(self.seg_errors),
            )
        )
        self.ak2 = None


def read_999_set(tx: Transaction, component: str) -> GroupAck:
    """One 999 transaction set (AK1 ... AK9): the outcome of one functional group we sent."""
    body = tx.body
    if not body or body[0][0] != "AK1":
        raise tx.error(0, "the first segment of a 999 must be AK1.")
    ak1 = body[0]
    state = _Set999(tx, component)
    state.functional_id, state.group_control = element(ak1, 1).strip(), element(ak1, 2)
    if not state.functional_id or not state.group_control:
        raise tx.error(0, "AK1 needs the functional id (AK101) and group control number (AK102).")
    ak9_index: int | None = None
    for index in range(1, len(body)):
        seg = body[index]
        if ak9_index is not None:
            raise tx.error(index, f"{seg[0]} after AK9.")
        if seg[0] == "AK9":
            if state.ak2 is not None:
                raise tx.error(index, "AK9 before the open AK2 has its IK5.")
            ak9_index = index
        else:
            state.read(index, seg)
    if ak9_index is None:
        raise X12Error(
            "AK9 is missing before SE (it closes every 999 transaction set).",
            position=tx.position_of(len(body)),
            segment_id="SE",
        )
    last, ak9 = ak9_index, body[ak9_index]
    status = element(ak9, 1)
    if status not in AK9_CODES:
        raise tx.error(last, f"AK901 {status!r} is not a 999 group acknowledgment code.")
    if not all(element(ak9, i) for i in (2, 3, 4)):
        raise tx.error(last, "AK9 needs the included, received and accepted counts (AK902-AK904).")
    included, received, accepted = (_number(tx, last, element(ak9, i), f"AK90{i}") for i in (2, 3, 4))
    group = GroupAck(
        functional_id=state.functional_id,
        group_control_number=state.group_control,
        version=element(ak1, 3) or None,
        status=status,
        transaction_sets_included=included,
        transaction_sets_received=received,
        transaction_sets_accepted=accepted,
        syntax_error_codes=tuple(e for e in ak9[5:10] if e),
        transactions=tuple(state.sets),
    )
    _check_group_outcome(tx, last, group)
    return group


def _check_group_outcome(tx: Transaction, ak9_index: int, group: GroupAck) -> None:
    if not group.transactions:
        return
    accepted = sum(t.accepted for t in group.transactions)
    if group.rejected and accepted:
        raise tx.error(
            ak9_index,
            f"AK901 {group.status} rejects group {group.group_control_number} but IK5 accepts "
            f"{accepted} of its transaction sets; ask the sender for a corrected 999.",
        )
    if group.transaction_sets_accepted != accepted:
        raise tx.error(
            ak9_index,
            f"AK904 says {group.transaction_sets_accepted} transaction sets accepted; the IK5 "
            f"segments accept {accepted}.",
        )


def describe(group: GroupAck, tx: TransactionSetAck | None = None) -> str:
    """Why a group or set was rejected, for the claim's status reason (segment errors or codes)."""
    if tx is not None and tx.errors:
        return "; ".join(f"{e.segment_id} at {e.segment_position} (error {e.error_code})" for e in tx.errors)
    if tx is not None:
        codes = f", error {', '.join(tx.syntax_error_codes)}" if tx.syntax_error_codes else ""
        return f"IK5 {tx.status}{codes}"
    codes = f", error {', '.join(group.syntax_error_codes)}" if group.syntax_error_codes else ""
    return f"AK9 {group.status}{codes}"

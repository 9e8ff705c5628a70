"""Reading X12: the one envelope reader under the 271, 999, 277CA and 835 readers.

Pure. `read_interchange(text, expect)` takes the delimiters from the fixed-width ISA segment,
walks ISA / GS / ST ... SE / GE / IEA, checks every count, and hands each transaction set's body
to the transaction reader with the position of every segment (ISA is segment 1). It reads one
interchange per file, of the 005010 envelope, in the implementation guides the caller names.

The same fault gets the same answer in every transaction (`X12Error`, naming the segment):

refused (the file could be truncated, spliced or of another kind):
  not text, empty, no ISA header, an ISA without its 16 elements, an interchange version other
  than 00501 (a 4010 file puts `U` where 5010 has the repetition separator, and its loops differ),
  a GS08 / ST03 the reader does not read, an ST01 of another transaction set, a segment outside
  GS or ST, a group or set opened before the previous one is closed, SE01 / GE01 / IEA01 counts
  that disagree with the file, a transaction set without SE, segments after IEA, no set at all;
read, with a warning in `Interchange.warnings` (the content is still unambiguous):
  SE02 / GE02 / IEA02 not repeating their header's control number, a GS01 functional identifier
  that disagrees with an ST01 that is right, a missing GE or IEA after complete transaction sets
  (each SE count checked), an ISA11 that is a letter or digit (no repetition separator).

Source: ASC X12 005010 envelope (ISA/IEA, GS/GE, ST/SE control segments) as the 005010X2xx
implementation guides' appendix B describe it.
"""

from __future__ import annotations

import re
from bisect import bisect_right
from collections.abc import Iterator, Sequence
from dataclasses import dataclass, field

from infusion_rcm.x12.errors import X12Error

INTERCHANGE_VERSION = "00501"
ISA_LENGTH = 106  # fixed width through the segment terminator


@dataclass(frozen=True, slots=True)
class Delimiters:
    element: str
    component: str
    repetition: str | None  # None when ISA11 is not a usable separator
    segment: str


@dataclass(frozen=True, slots=True)
class Expect:
    """What the caller reads: transaction set id, functional identifier(s), implementation guides."""

    what: str  # for messages: "271 eligibility response"
    set_id: str  # ST01
    functional_ids: frozenset[str]  # GS01
    versions: frozenset[str]  # GS08 / ST03


@dataclass(frozen=True, slots=True)
class Transaction:
    """One ST..SE transaction set: its body (without ST and SE) and where it sits in the file.

    `texts` holds each body segment as text (no terminator); `body` the same segments split into
    elements, made on first use: the 835 reader works from `texts` and splits only what it must.
    """

    set_id: str
    control: str  # ST02
    version: str  # ST03, or GS08 when ST03 is empty
    texts: tuple[str, ...]
    position: int  # of the ST segment
    group_control: str  # GS06 of its group
    functional_id: str  # GS01 of its group
    separator: str = "*"  # element separator (ISA, byte 4)
    _body: list[tuple[list[str], ...]] = field(default_factory=list, repr=False, compare=False)

    @property
    def body(self) -> tuple[list[str], ...]:
        """Every body segment split into its elements (element 0 is the segment id)."""
        cached = self._body
        if not cached:
            sep = self.separator
            cached.append(tuple([text.split(sep) for text in self.texts]))
        return cached[0]

    def tag(self, index: int) -> str:
        """The segment id of body segment `index` (0-based)."""
        return self.texts[index].split(self.separator, 1)[0]

    def position_of(self, index: int) -> int:
        """File position of body segment `index` (0-based)."""
        return self.position + 1 + index

    def segments(self) -> Iterator[tuple[int, list[str]]]:
        """(position, segment) for each body segment."""
        for index, seg in enumerate(self.body):
            yield self.position_of(index), seg

    def error(self, index: int, message: str) -> X12Error:
        """An error located at body segment `index`."""
        seg_id = self.tag(index) if 0 <= index < len(self.texts) else None
        return X12Error(message, position=self.position_of(index), segment_id=seg_id)


@dataclass(frozen=True, slots=True)
class Group:
    """One GS..GE functional group."""

    functional_id: str  # GS01
    sender_id: str  # GS02
    receiver_id: str  # GS03
    date: str  # GS04 CCYYMMDD
    time: str  # GS05
    control: str  # GS06
    version: str  # GS08
    position: int
    transactions: tuple[Transaction, ...]


@dataclass(frozen=True, slots=True)
class Interchange:
    """One ISA..IEA interchange as read."""

    sender_qualifier: str  # ISA05
    sender_id: str  # ISA06, trimmed
    receiver_qualifier: str  # ISA07
    receiver_id: str  # ISA08, trimmed
    date: str  # ISA09 YYMMDD
    time: str  # ISA10 HHMM
    control: str  # ISA13
    acknowledgment_requested: bool  # ISA14
    usage: str  # ISA15: P production, T test
    delimiters: Delimiters
    groups: tuple[Group, ...]
    warnings: tuple[str, ...] = field(default=())

    @property
    def transactions(self) -> tuple[Transaction, ...]:
        return tuple(tx for group in self.groups for tx in group.transactions)


def element(seg: Sequence[str], index: int, default: str = "") -> str:
    """Element `index` (1-based, as the guides number them) or `default` when absent."""
    return seg[index] if len(seg) > index else default


def components(value: str, delimiters: Delimiters) -> list[str]:
    """Split a composite element (e.g. SVC01 `HC:J1745:JZ`) into its components."""
    return value.split(delimiters.component)


def repetitions(value: str, delimiters: Delimiters) -> list[str]:
    """Split a repeated element (e.g. EB03 `1^33^35`); a file without a separator has one value."""
    if not value:
        return []
    return value.split(delimiters.repetition) if delimiters.repetition else [value]


def _strip_lead(text: str) -> str:
    return text.lstrip("\ufeff \r\n\t")


def delimiters_of(text: str) -> Delimiters:
    """The delimiters of a fixed-width ISA header (element at byte 3, ISA11, ISA16, terminator)."""
    body = _strip_lead(text)
    if not body.startswith("ISA"):
        raise X12Error("the file does not start with an ISA interchange header.", position=1)
    if len(body) < ISA_LENGTH:
        raise X12Error(
            "the ISA header is shorter than its fixed 106 characters.", position=1, segment_id="ISA"
        )
    sep = body[3]
    fields = body[:ISA_LENGTH].split(sep)
    if len(fields) != 17:
        raise X12Error(
            f"the ISA header has {len(fields) - 1} elements instead of 16.", position=1, segment_id="ISA"
        )
    rep = fields[11][:1]
    return Delimiters(
        element=sep,
        component=body[104],
        repetition=None if rep.isalnum() or rep in ("", " ") else rep,
        segment=body[105],
    )


_SPACE = "\r\n\t "  # stripped from both ends of every segment


def segment_texts(text: str, delims: Delimiters) -> list[str]:
    """The interchange's segments as text (see `_split`)."""
    return _split(text, delims)[0]


def _split(text: str, delims: Delimiters) -> tuple[list[str], str]:
    """The segments as text, stripped of line breaks and spaces at their ends, empty ones dropped;
    and the same segments joined by the segment terminator (a trailing one possible).

    Why not simply split and strip each: a 10,000-claim 835 has 220,000 segments, and touching each
    one more time costs more than the rest of the envelope. When no segment can have white space
    at either end (the usual file, or one with a line break after each terminator, which is taken
    out first) one split gives the same list.
    """
    body = _strip_lead(text)
    term = delims.segment
    clean = body.rstrip(_SPACE)
    if "\n" in clean:
        clean = clean.replace(term + "\r\n", term).replace(term + "\n", term)
    if (
        "\n" in clean
        or "\r" in clean
        or "\t" in clean
        or term + term in clean
        or " " + term in clean
        or term + " " in clean
    ):
        texts = [seg for raw in body.split(term) if (seg := raw.strip(_SPACE))]
        return texts, term.join(texts)
    texts = clean.split(term)
    if not texts[-1]:
        texts.pop()
    return texts, clean


def tokenize(text: str) -> list[list[str]]:
    """Split an interchange into segments of elements (delimiters from ISA); line breaks tolerated."""
    delims = delimiters_of(text)
    sep = delims.element
    return [seg.split(sep) for seg in segment_texts(text, delims)]


_CONTROL_TAGS = ("GS", "GE", "ST", "SE", "IEA")  # the segments that end a transaction set's body


def _control_segments(joined: str, delims: Delimiters) -> list[int]:
    """Indices (ascending) of the segments whose id is GS, GE, ST, SE or IEA.

    Found in the joined text by one regular expression (a segment terminator, the id, then an
    element separator, a terminator or the end), which is many times faster than looking at the
    id of each of a large file's segments; the index of a match is the number of terminators
    before it.
    """
    term, sep = re.escape(delims.segment), re.escape(delims.element)
    pattern = re.compile(f"{term}(?:{'|'.join(_CONTROL_TAGS)})(?={sep}|{term}|\\Z)")
    indices: list[int] = []
    index, offset = 0, 0
    for match in pattern.finditer(joined):
        index += joined.count(delims.segment, offset, match.start() + 1)
        offset = match.start() + 1
        indices.append(index)
    return indices


class _Walk:
    """State of one envelope walk; `read_interchange` is its only user."""

    def __init__(self, texts: list[str], joined: str, delims: Delimiters, expect: Expect) -> None:
        self.texts = texts
        self.sep = delims.element
        self.expect = expect
        self.controls = _control_segments(joined, delims)
        self.warnings: list[str] = []
        self.groups: list[Group] = []

    def tag(self, index: int) -> str:
        return self.texts[index].split(self.sep, 1)[0]

    def elements(self, index: int) -> list[str]:
        return self.texts[index].split(self.sep)

    def fail(self, position: int, message: str) -> X12Error:
        seg_id = self.tag(position - 1) if 0 < position <= len(self.texts) else None
        return X12Error(message, position=position, segment_id=seg_id)

    def run(self) -> None:
        index = 1  # texts[0] is ISA
        count = len(self.texts)
        iea_seen = False
        while index < count:
            tag = self.tag(index)
            if tag == "GS":
                index = self.group(index)
            elif tag == "IEA":
                self.close_interchange(index)
                iea_seen = True
                if index != count - 1:
                    raise self.fail(index + 2, "segments follow the IEA trailer (one interchange per file).")
                index += 1
            else:
                raise self.fail(index + 1, f"segment {tag} appears outside a GS functional group.")
        if not iea_seen:
            self.warnings.append(
                "the IEA interchange trailer is missing; every transaction set was complete."
            )
        if not any(g.transactions for g in self.groups):
            raise X12Error(f"the file holds no {self.expect.set_id} transaction set.")

    def group(self, start: int) -> int:
        gs = self.elements(start)
        position = start + 1
        functional_id, version = element(gs, 1), element(gs, 8)
        transactions: list[Transaction] = []
        index = start + 1
        count = len(self.texts)
        closed = False
        while index < count:
            tag = self.tag(index)
            if tag == "ST":
                tx, index = self.transaction(index, gs, position)
                transactions.append(tx)
                continue
            if tag == "GE":
                seg = self.elements(index)
                if element(seg, 1) != str(len(transactions)):
                    raise self.fail(
                        index + 1,
                        f"GE01 says {element(seg, 1) or 'nothing'} transaction sets; the group holds "
                        f"{len(transactions)}.",
                    )
                if element(seg, 2) != element(gs, 6):
                    self.warnings.append(f"GE02 {element(seg, 2)!r} does not repeat GS06 {element(gs, 6)!r}.")
                index += 1
                closed = True
                break
            if tag in ("GS", "IEA"):
                break
            raise self.fail(index + 1, f"segment {tag} appears outside a transaction set (ST..SE).")
        if not closed:
            if index < count and self.tag(index) == "GS":
                raise self.fail(index + 1, "a GS group starts before the previous group's GE trailer.")
            self.warnings.append(
                f"group {element(gs, 6)} has no GE trailer; every transaction set was complete."
            )
        if functional_id not in self.expect.functional_ids and transactions:
            self.warnings.append(
                f"GS01 is {functional_id!r} instead of {' or '.join(sorted(self.expect.functional_ids))!r}; "
                f"read as a {self.expect.what} because ST01 says {self.expect.set_id}."
            )
        self.groups.append(
            Group(
                functional_id=functional_id,
                sender_id=element(gs, 2),
                receiver_id=element(gs, 3),
                date=element(gs, 4),
                time=element(gs, 5),
                control=element(gs, 6),
                version=version,
                position=position,
                transactions=tuple(transactions),
            )
        )
        return index

    def transaction(self, start: int, gs: list[str], gs_position: int) -> tuple[Transaction, int]:
        st = self.elements(start)
        position = start + 1
        set_id, control = element(st, 1), element(st, 2)
        if set_id != self.expect.set_id:
            raise self.fail(
                position, f"the file holds a {set_id or 'unnamed'} transaction set, not a {self.expect.what}."
            )
        guides = " or ".join(sorted(self.expect.versions))
        if element(gs, 8) not in self.expect.versions:
            raise self.fail(
                gs_position,
                f"GS08 declares {element(gs, 8) or 'no version'}; a {self.expect.what} must be {guides}.",
            )
        version = element(st, 3) or element(gs, 8)
        if version not in self.expect.versions:
            raise self.fail(position, f"ST03 declares {version}; a {self.expect.what} must be {guides}.")
        # the first GS, GE, ST, SE or IEA after the ST (or the end of the file)
        controls = self.controls
        found = bisect_right(controls, start)
        end = controls[found] if found < len(controls) else len(self.texts)
        if end >= len(self.texts) or self.tag(end) != "SE":
            raise self.fail(
                position, f"transaction set {control} has no SE trailer (truncated or spliced file)."
            )
        se = self.elements(end)
        count = end - start + 1
        if element(se, 1) != str(count):
            raise self.fail(
                end + 1,
                f"SE01 says {element(se, 1) or 'nothing'} segments; transaction set {control} has {count} "
                "(segments are missing or extra).",
            )
        if element(se, 2) != control:
            self.warnings.append(f"SE02 {element(se, 2)!r} does not repeat ST02 {control!r}.")
        tx = Transaction(
            set_id=set_id,
            control=control,
            version=version,
            texts=tuple(self.texts[start + 1 : end]),
            position=position,
            group_control=element(gs, 6),
            functional_id=element(gs, 1),
            separator=self.sep,
        )
        return tx, end + 1

    def close_interchange(self, index: int) -> None:
        iea = self.elements(index)
        if element(iea, 1) != str(len(self.groups)):
            raise self.fail(
                index + 1,
                f"IEA01 says {element(iea, 1) or 'nothing'} groups; the interchange holds {len(self.groups)}.",
            )
        isa13 = element(self.elements(0), 13)
        if element(iea, 2) != isa13:
            self.warnings.append(f"IEA02 {element(iea, 2)!r} does not repeat ISA13 {isa13!r}.")


def read_interchange(text: str, expect: Expect) -> Interchange:
    """Read one interchange completely, or raise `X12Error` saying what is wrong and where."""
    if not isinstance(text, str):
        raise X12Error(f"expected the file's text, got {type(text).__name__}; decode the file first.")
    if not _strip_lead(text):
        raise X12Error(f"the {expect.what} file is empty.")
    delims = delimiters_of(text)
    texts, joined = _split(text, delims)
    isa = texts[0].split(delims.element)
    if len(isa) != 17:
        raise X12Error(
            f"the ISA header has {len(isa) - 1} elements instead of 16.", position=1, segment_id="ISA"
        )
    version = element(isa, 12)
    if version != INTERCHANGE_VERSION:
        hint = " (X12 4010)" if version == "00401" else ""
        raise X12Error(
            f"interchange version ISA12 is {version or 'empty'}{hint}; only 005010 ({INTERCHANGE_VERSION}) "
            "files are read. Ask the sender for the 5010 file.",
            position=1,
            segment_id="ISA",
            code="x12.version",
        )
    walk = _Walk(texts, joined, delims, expect)
    if delims.repetition is None:
        walk.warnings.append(
            f"ISA11 {element(isa, 11)!r} is not a repetition separator; values are read unsplit."
        )
    walk.run()
    return Interchange(
        sender_qualifier=element(isa, 5),
        sender_id=element(isa, 6).strip(),
        receiver_qualifier=element(isa, 7),
        receiver_id=element(isa, 8).strip(),
        date=element(isa, 9),
        time=element(isa, 10),
        control=element(isa, 13),
        acknowledgment_requested=element(isa, 14) == "1",
        usage=element(isa, 15),
        delimiters=delims,
        groups=tuple(walk.groups),
        warnings=tuple(walk.warnings),
    )

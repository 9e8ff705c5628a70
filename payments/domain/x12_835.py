"""Reading 835 remittance advice (ASC X12 005010X221A1) into `EraFile` / `Remittance` models.

Pure. `parse_835(text)` reads the envelope with the one X12 reader (`read_interchange`: ISA/GS/ST
counts, 5010 only, GS08 / ST03 005010X221A1), then each transaction set segment by segment:

    header      BPR (first), TRN, CUR, REF*EV/F2, DTM*405
    1000A       N1*PR, N3, N4, REF, PER                 payer
    1000B       N1*PE, N3, N4, REF, RDM                 payee
    2000        LX, TS3, TS2                            header number (optional)
    2100        CLP, CAS, NM1, MIA, MOA, REF, DTM, PER, AMT, QTY      claim payment
    2110        SVC, DTM, CAS, REF, AMT, QTY, LQ        service line payment
    summary     PLB                                     provider-level adjustments

Elements are read by `x12_elements` (strict decimals, money exact to the cent, dates, codes);
the balancing rules are `balancing`; the models are `remittance`; the code lists `codes`.

The whole file is refused (`X12Error`, naming the segment's position from the ISA) when:
- an element the payment depends on is missing or malformed: BPR01-04 and BPR16, TRN02, N1*PE's
  identifier, CLP01-04, SVC01-03, CAS triplets, PLB01-04 pairs;
- an amount is not strictly decimal (optional minus, digits, optional point: no exponent, no
  sign +, no thousands separator) or has fractions of a cent; a date is not CCYYMMDD;
- a code of a closed list is unknown: BPR01/03/04, CLP02, CAS01, PLB03-1, SVC01-1;
- a segment is out of its loop (a CAS before any CLP, an NM1 after the claim's first SVC, a CLP
  after PLB), or the amounts are not in US dollars (CUR02);
- any of the three balancing rules fails (`balancing`), with the claim and the figures.
It is read, with a warning in `EraFile.warnings`, when a segment the guide does not define in an
835 appears (skipped), a DTM qualifier is not one we read, a CAS uses group CR, or claims come
without an LX header number. Envelope warnings (`read_interchange`) come first.

There is no streaming claim iterator, on purpose. A file is refused whole, so no claim may be
handed to posting before the last PLB has balanced the payment. What streams is the reading: the
envelope keeps each segment as one string (`Transaction.texts`), and the walk splits a segment
into elements only the first time its text is seen (a memo per transaction set, `read`), so the
file is never held as lists of elements. Measured on the bench's 10,000-claim, 4.6 MB file: 57 MB
of models, 58 MB at peak (it was 131 MB when every segment was held split). Posting iterates
`EraFile.claims` (or each `Remittance.claims`).
"""

from __future__ import annotations

import gc
from collections.abc import Callable, Iterator, Sequence
from contextlib import contextmanager
from datetime import date
from decimal import Decimal
from itertools import islice
from typing import Any

from infusion_rcm.x12.errors import X12Error
from infusion_rcm.x12.reader import Delimiters, Expect, Group, Transaction, element, read_interchange
from payments.domain.balancing import claim_imbalance, line_imbalance, payment_imbalance
from payments.domain.codes import (
    AdjustmentGroup,
    ClaimStatus,
    CreditDebit,
    HandlingCode,
    PaymentMethod,
    PlbReason,
    ProcedureQualifier,
)
from payments.domain.remittance import (
    Adjustment,
    BankAccount,
    ClaimPayment,
    Communication,
    Contact,
    Delivery,
    EraFile,
    HeaderNumber,
    InpatientAdjudication,
    OutpatientAdjudication,
    Party,
    Payee,
    Payer,
    Payment,
    Procedure,
    ProviderAdjustment,
    ProviderAdjustmentItem,
    ProviderSummary,
    Reference,
    Remittance,
    ServiceLinePayment,
    SummaryAmount,
    SupplementalAmount,
    SupplementalQuantity,
    Trace,
)
from payments.domain.x12_elements import (
    REASON_CODE,
    BadElement,
    by_value,
    optional,
    read_code,
    read_date,
    read_decimal,
    read_money,
    template,
    trusted,
)

IMPLEMENTATION_GUIDE = "005010X221A1"
EXPECT_835 = Expect(
    what="835 remittance advice",
    set_id="835",
    functional_ids=frozenset({"HP"}),
    versions=frozenset({IMPLEMENTATION_GUIDE}),
)
ONE = Decimal(1)
ZERO = Decimal("0.00")

_HANDLING = by_value(HandlingCode)
_CREDIT_DEBIT = by_value(CreditDebit)
_METHOD = by_value(PaymentMethod)
_STATUS = by_value(ClaimStatus)
_GROUP = by_value(AdjustmentGroup)
_PLB_REASON = by_value(PlbReason)
_QUALIFIER = by_value(ProcedureQualifier)

_CLAIM_PARTIES = {
    "QC": "patient",
    "IL": "insured",
    "74": "corrected_patient",
    "82": "rendering_provider",
    "TT": "crossover_carrier",
    "PR": "corrected_priority_payer",
    "GB": "other_subscriber",
}
_CLAIM_DATES = {
    "232": "statement_from",
    "233": "statement_to",
    "036": "coverage_expiration",
    "050": "received",
}
_LINE_DATES = {"472": "service_date", "150": "service_from", "151": "service_to"}
_HEADER_DATES = {"405": "production_date"}
_MIA_COUNTS = {1: "covered_days", 3: "lifetime_psychiatric_days", 15: "cost_report_days"}
_MIA_REMARKS = (5, 20, 21, 22, 23)
_MIA_AMOUNTS = (2, 4, 6, 7, 8, 9, 10, 11, 12, 13, 14, 16, 17, 18, 19, 24)
_MAX_CAS = 20  # CAS01 and six triplets
_CAS_NAMES = {k: (f"CAS{k:02d}", f"CAS{k + 1:02d}", f"CAS{k + 2:02d}") for k in range(2, _MAX_CAS, 3)}
_MAX_PLB = 15  # PLB01, PLB02 and six reason/amount pairs


_CLAIM_TEMPLATE = template(ClaimPayment)
_LINE_TEMPLATE = template(ServiceLinePayment)


# What a segment's text reads as, once: the memo of `_TransactionReader.read` holds one entry per
# distinct text of these segments, (kind, ...), and applies it to the open loop every time.
_CAS, _DTM, _SVC, _AMT, _LQ, _NM1 = range(6)
_CR = AdjustmentGroup.CORRECTION_REVERSAL
_CR_WARNING = (
    "CAS group CR (corrections and reversals) is not used in 005010 (reversals are CLP02 = 22); read as sent."
)


def _out_of_place(tag: str, where: str) -> BadElement:
    return BadElement(f"{tag} is out of place: it belongs {where}.", code="x12.structure")


class _Warnings:
    """Tolerated deviations, each said once with how often it occurred (a 10,000-claim file must
    not produce 10,000 lines)."""

    def __init__(self) -> None:
        self._seen: dict[str, list[Any]] = {}

    def add(self, key: str, message: str) -> None:
        entry = self._seen.get(key)
        if entry is None:
            self._seen[key] = [message, 1]
        else:
            entry[1] += 1

    def render(self) -> list[str]:
        return [msg if n == 1 else f"{msg.rstrip('.')} ({n} times)." for msg, n in self._seen.values()]


# ---------------------------------------------------------------------------
# One transaction set
# ---------------------------------------------------------------------------


class _TransactionReader:
    """Walks one ST..SE body. Loop state is explicit: `area`, the open claim and the open line.

    The open claim and line are dicts of their model's fields; a tuple field (adjustments,
    references, ...) stays the empty tuple until something is added to it, and the names of those
    made lists are kept (`claim_lists`, `line_lists`) to be made tuples again when the loop closes.
    """

    def __init__(
        self,
        tx: Transaction,
        group: Group,
        interchange_control: str,
        delims: Delimiters,
        warnings: _Warnings,
    ) -> None:
        self.tx = tx
        self.group = group
        self.interchange_control = interchange_control
        self.component = delims.component
        self.warnings = warnings
        self.money: dict[str, Decimal] = {}
        self.dates: dict[str, date] = {}
        self.procedures: dict[str, Procedure] = {}
        self.reasons: set[str] = set()  # CARCs already checked
        self.index = 0
        self.area = "header"  # header, payer, payee, detail, summary
        self.payment: Payment | None = None
        self.trace: Trace | None = None
        self.header: dict[str, Any] = {}  # CUR, REF*EV / F2, DTM*405
        self.payer: dict[str, Any] | None = None
        self.payee: dict[str, Any] | None = None
        self.party: dict[str, Any] | None = None  # payer or payee being read
        self.lx: dict[str, Any] | None = None
        self.lx_has_claims = False
        self.headers: list[HeaderNumber] = []
        self.claim: dict[str, Any] | None = None
        self.claim_lists: list[str] = []
        self.claim_line_adjusted = ZERO  # the open claim's closed lines' CAS total
        self.line: dict[str, Any] | None = None
        self.line_lists: list[str] = []
        self.claims: list[ClaimPayment] = []
        self.claims_paid = ZERO
        self.plbs: list[ProviderAdjustment] = []
        # segments read in `read` itself, from what a text read as (`_memo`), are "memo" here
        self.handlers: dict[str, Callable[[list[str]], Sequence[Any] | None]] = {
            "TRN": self.trn,
            "CUR": self.cur,
            "REF": self.ref,
            "DTM": self.dtm,  # memo
            "N1": self.n1,
            "N3": self.n3,
            "N4": self.n4,
            "PER": self.per,
            "RDM": self.rdm,
            "LX": self.lx_,
            "TS3": self.ts3,
            "TS2": self.ts2,
            "CLP": self.clp,
            "CAS": self.cas,  # memo
            "NM1": self.nm1,  # memo
            "MIA": self.mia,
            "MOA": self.moa,
            "AMT": self.amt,  # memo
            "QTY": self.qty,
            "SVC": self.svc,  # memo
            "LQ": self.lq,  # memo
            "PLB": self.plb,
        }

    # -- errors ----------------------------------------------------------------------------------

    def fail(self, message: str, *, index: int | None = None, code: str | None = None) -> X12Error:
        at = self.index if index is None else index
        tx = self.tx
        seg_id = tx.tag(at) if 0 <= at < len(tx.texts) else None
        return X12Error(message, position=tx.position_of(at), segment_id=seg_id, code=code)

    @staticmethod
    def out_of_place(seg: list[str], where: str) -> BadElement:
        return _out_of_place(seg[0], where)

    # -- the walk --------------------------------------------------------------------------------

    def read(self) -> Remittance:
        """Read every segment in order.

        Why a memo: an 835 repeats itself. Across thousands of claims the same CAS, DTM, SVC, AMT,
        LQ and NM1 segments recur (one fee schedule, a few dates of service, the same patients),
        and what such a segment's elements read as does not depend on where it stands. So each
        distinct text is split and read once (`handlers`, which check the loop first, in the order
        the guide's rules are checked, and return what the text reads as); every occurrence,
        the first included, is then applied to the open loop here, where the loop is checked
        again. A text that fails to read is never kept (the file is refused).
        """
        tx = self.tx
        texts = tx.texts
        if not texts or tx.tag(0) != "BPR":
            raise self.fail("an 835 begins with BPR (financial information) right after ST.", index=0)
        sep = tx.separator
        ref_6r = f"REF{sep}6R{sep}"  # a line control number: unique, read here without a split
        handlers = self.handlers
        memo: dict[str, Any] = {}
        recall = memo.get
        warnings = self.warnings
        dates = self.dates
        first_position = tx.position + 1
        # the open line and claim, as in self.line and self.claim (reloaded after every handler)
        line: dict[str, Any] | None = None
        line_cas: list[Adjustment] = []  # the open line's adjustments
        claim: dict[str, Any] | None = None
        index = 0
        try:
            self.bpr(texts[0].split(sep))
            for index, text in enumerate(islice(texts, 1, None), 1):
                hit: Any = recall(text)
                if hit is None:
                    if line is not None and text.startswith(ref_6r):
                        value = text[len(ref_6r) :]
                        if sep not in value:
                            value = value.strip()
                            if value:
                                line["line_control_number"] = value
                                continue
                    seg = text.split(sep)
                    self.index = index
                    handler = handlers.get(seg[0])
                    if handler is None:
                        self.unknown(seg)
                        continue
                    hit = handler(seg)
                    line, claim = self.line, self.claim
                    if hit is None:
                        continue
                    memo[text] = hit
                kind = hit[0]
                if kind == _CAS:  # (kind, group, adjustments)
                    if line is not None:
                        line_cas += hit[2]
                    elif claim is not None:
                        self.extend(claim, self.claim_lists, "adjustments", hit[2])
                    else:
                        raise _out_of_place("CAS", "to a claim (after CLP) or a service line (after SVC)")
                    if hit[1] is _CR:
                        warnings.add("CR", _CR_WARNING)
                elif kind == _DTM:  # [kind, qualifier, value, date once read]
                    if line is not None:
                        target, names, loop = line, _LINE_DATES, "2110"
                    elif claim is not None:
                        target, names, loop = claim, _CLAIM_DATES, "2100"
                    elif self.area == "header":
                        target, names, loop = self.header, _HEADER_DATES, "header"
                    else:
                        raise _out_of_place("DTM", "to the header, a claim or a service line")
                    qualifier = hit[1]
                    name = names.get(qualifier)
                    if name is None:
                        warnings.add(
                            f"DTM{loop}{qualifier}",
                            f"DTM*{qualifier} is not a loop {loop} date this reader reads; skipped.",
                        )
                    else:
                        day = hit[3]
                        if day is None:
                            day = hit[3] = read_date(hit[2], "DTM02", dates)
                        target[name] = day
                elif kind == _SVC:  # (kind, the line's fields as read)
                    if claim is None:
                        raise _out_of_place("SVC", "to a claim (after CLP)")
                    if line is not None:
                        self.close_line()
                    line = hit[1].copy()
                    line["adjustments"] = line_cas = []
                    line["position"] = first_position + index
                    self.line = line
                elif kind == _AMT:  # (kind, qualifier, amount, SupplementalAmount)
                    if line is not None:
                        if hit[1] == "B6":
                            line["allowed"] = hit[2]
                        else:
                            self.extend(line, self.line_lists, "amounts", hit[3:])
                    elif claim is not None:
                        self.extend(claim, self.claim_lists, "amounts", hit[3:])
                    else:
                        raise _out_of_place("AMT", "to a claim or a service line")
                elif kind == _LQ:  # (kind, Reference)
                    if line is None:
                        raise _out_of_place("LQ", "to a service line (after SVC)")
                    self.extend(line, self.line_lists, "remarks", hit[1:])
                else:  # _NM1: (kind, entity, field or None, Party)
                    claim = self.claim_only("NM1")
                    entity, field = hit[1], hit[2]
                    if field is None:
                        warnings.add(f"NM1{entity}", f"NM1*{entity} is not a loop 2100 party; skipped.")
                    elif claim[field] is not None:
                        raise BadElement(f"a second NM1*{entity} in claim {claim['patient_control_number']}.")
                    else:
                        claim[field] = hit[3]
            index = len(texts) - 1
            self.index = index
            self.close_claim()
            self.close_header()
        except BadElement as bad:
            raise self.fail(str(bad), index=index, code=bad.code) from None
        return self.finish()

    @staticmethod
    def extend(record: dict[str, Any], opened: list[str], name: str, items: Sequence[Any]) -> None:
        """Add `items` to the tuple field `name` of the open claim or line `record`."""
        values = record[name]
        if values.__class__ is tuple:
            values = record[name] = list(values)
            opened.append(name)
        values.extend(items)

    def unknown(self, seg: list[str]) -> None:
        self.warnings.add(
            f"unknown:{seg[0]}",
            f"segment {seg[0]} is not part of an {IMPLEMENTATION_GUIDE} 835 and was not read (first at "
            f"segment {self.tx.position_of(self.index)}).",
        )

    def finish(self) -> Remittance:
        tx = self.tx
        if self.trace is None:
            raise X12Error(
                "the 835 has no TRN (reassociation trace number) after BPR.",
                position=tx.position,
                segment_id="ST",
            )
        if self.payer is None or self.payee is None:
            missing = "N1*PR (payer)" if self.payer is None else "N1*PE (payee)"
            raise X12Error(f"the 835 has no {missing} loop.", position=tx.position, segment_id="ST")
        assert self.payment is not None  # read first, or read() raised
        plb_total = ZERO
        for plb in self.plbs:
            plb_total += plb.total
        imbalance = payment_imbalance(
            transaction=tx.control,
            payment=self.payment.amount,
            claims_paid=self.claims_paid,
            provider_adjustments=plb_total,
        )
        if imbalance:
            raise self.fail(imbalance, index=0, code="era.unbalanced")
        return Remittance(
            interchange_control=self.interchange_control,
            group_control=self.group.control,
            transaction_control=tx.control,
            group_sender_id=self.group.sender_id,
            group_receiver_id=self.group.receiver_id,
            version=tx.version,
            position=tx.position,
            payment=self.payment,
            trace=self.trace,
            currency=self.header.get("currency", "USD"),
            receiver_id=self.header.get("EV"),
            version_id=self.header.get("F2"),
            production_date=self.header.get("production_date"),
            payer=Payer(**self.payer),
            payee=Payee(**self.payee),
            headers=tuple(self.headers),
            claims=tuple(self.claims),
            provider_adjustments=tuple(self.plbs),
        )

    # -- header ----------------------------------------------------------------------------------

    def bpr(self, seg: list[str]) -> None:
        handling = read_code(element(seg, 1), _HANDLING, "BPR01", "handling code")
        amount = read_money(element(seg, 2), "BPR02", self.money)
        credit_debit = read_code(element(seg, 3), _CREDIT_DEBIT, "BPR03", "credit/debit flag")
        method = read_code(element(seg, 4), _METHOD, "BPR04", "payment method")
        effective = element(seg, 16)
        if not effective:
            hint = ""
            b15 = element(seg, 15)
            if len(b15) == 8 and b15.isdigit():
                hint = (
                    f"; BPR15 (the provider's account number) holds {b15}, which looks like the date "
                    "one element early"
                )
            raise BadElement(
                f"BPR16 (check issue or EFT effective date) is missing{hint}. Ask the payer for a "
                "corrected file: the payment date is needed to post the deposit."
            )
        self.payment = Payment(
            handling=handling,
            amount=amount,
            credit_debit=credit_debit,
            method=method,
            payment_format=optional(seg, 5),
            payer_bank=self.bank(seg, 6),
            originating_company_id=optional(seg, 10),
            originating_company_supplemental=optional(seg, 11),
            provider_bank=self.bank(seg, 12),
            effective_date=read_date(effective, "BPR16", self.dates),
        )

    @staticmethod
    def bank(seg: list[str], first: int) -> BankAccount | None:
        values = [optional(seg, first + k) for k in range(4)]
        if not any(values):
            return None
        return BankAccount(
            dfi_qualifier=values[0],
            dfi_number=values[1],
            account_qualifier=values[2],
            account_number=values[3],
        )

    def trn(self, seg: list[str]) -> None:
        if self.area != "header" or self.trace is not None:
            raise self.out_of_place(seg, "once in the header, after BPR")
        number = optional(seg, 2)
        if number is None:
            raise BadElement("TRN02 (check or EFT trace number) is missing.")
        self.trace = Trace(
            trace_type=element(seg, 1),
            trace_number=number,
            originating_company_id=optional(seg, 3),
            originating_company_supplemental=optional(seg, 4),
        )

    def cur(self, seg: list[str]) -> None:
        if self.area != "header":
            raise self.out_of_place(seg, "in the header")
        currency = element(seg, 2)
        if currency != "USD":
            raise BadElement(
                f"CUR02 says the amounts are in {currency or 'an unnamed currency'}; only US dollars are "
                "posted.",
                code="era.currency",
            )
        self.header["currency"] = currency

    def dtm(self, seg: list[str]) -> list[Any]:
        if self.line is None and self.claim is None and self.area != "header":
            raise self.out_of_place(seg, "to the header, a claim or a service line")
        return [_DTM, element(seg, 1), element(seg, 2), None]

    # -- payer and payee -------------------------------------------------------------------------

    def n1(self, seg: list[str]) -> None:
        if self.trace is None:
            raise BadElement("the header has no TRN (reassociation trace number) before N1.")
        entity = element(seg, 1)
        if entity == "PR" and self.area == "header":
            self.area = "payer"
            name = optional(seg, 2)
            if name is None:
                raise BadElement("N1*PR has no payer name (N102).")
            self.payer = self.party = {
                "name": name,
                "id_qualifier": optional(seg, 3),
                "identifier": optional(seg, 4),
                "references": [],
                "contacts": [],
            }
        elif entity == "PE" and self.area == "payer":
            self.area = "payee"
            qualifier, identifier = optional(seg, 3), optional(seg, 4)
            if qualifier is None or identifier is None:
                raise BadElement("N1*PE names no payee identifier (N103 qualifier and N104 NPI or tax id).")
            self.payee = self.party = {
                "name": optional(seg, 2) or "",
                "id_qualifier": qualifier,
                "identifier": identifier,
                "references": [],
            }
        elif entity in ("PR", "PE"):
            raise self.out_of_place(seg, "once each, payer (N1*PR) then payee (N1*PE), after the header")
        else:
            raise BadElement(f"N1*{entity}: an 835 has only N1*PR (payer) and N1*PE (payee).")

    def n3(self, seg: list[str]) -> None:
        address = self.address(seg)
        address["line1"], address["line2"] = optional(seg, 1), optional(seg, 2)

    def n4(self, seg: list[str]) -> None:
        address = self.address(seg)
        address["city"], address["state"], address["postal_code"] = (
            optional(seg, 1),
            optional(seg, 2),
            optional(seg, 3),
        )
        address["country"], address["country_subdivision"] = optional(seg, 4), optional(seg, 6)

    def address(self, seg: list[str]) -> dict[str, Any]:
        """The address being read (a dict: pydantic builds the Address when the party is built)."""
        if self.area not in ("payer", "payee") or self.party is None:
            raise self.out_of_place(seg, "to the payer (N1*PR) or payee (N1*PE)")
        address: dict[str, Any] = self.party.setdefault("address", {})
        return address

    def per(self, seg: list[str]) -> None:
        numbers = []
        for k in (3, 5, 7):
            qualifier, number = optional(seg, k), optional(seg, k + 1)
            if qualifier and number:
                numbers.append(Communication(qualifier=qualifier, number=number))
        contact = Contact(function=element(seg, 1), name=optional(seg, 2), numbers=tuple(numbers))
        if self.claim is not None and self.line is None:
            self.extend(self.claim, self.claim_lists, "contacts", (contact,))
        elif self.area == "payer" and self.payer is not None:
            self.payer["contacts"].append(contact)
        else:
            raise self.out_of_place(seg, "to the payer (N1*PR) or to a claim before its first SVC")

    def rdm(self, seg: list[str]) -> None:
        if self.area != "payee" or self.payee is None:
            raise self.out_of_place(seg, "to the payee (N1*PE)")
        self.payee["delivery"] = Delivery(
            transport=element(seg, 1), name=optional(seg, 2), address=optional(seg, 3)
        )

    # -- loop 2000 -------------------------------------------------------------------------------

    def enter_detail(self, seg: list[str]) -> None:
        if self.area == "summary":
            raise self.out_of_place(seg, "before PLB: the provider adjustments close the transaction set")
        if self.area != "detail":
            if self.payee is None:
                raise BadElement(f"{seg[0]} before the payer (N1*PR) and payee (N1*PE) loops.")
            self.area = "detail"
            self.party = None

    def lx_(self, seg: list[str]) -> None:
        self.enter_detail(seg)
        self.close_claim()
        self.close_header()
        raw = element(seg, 1)
        if not (raw.isascii() and raw.isdigit()) or len(raw) > 6:  # N0 1-6; '²' is a digit to Python
            raise BadElement(f"LX01 {raw!r} is not a header number.")
        self.lx = {"number": int(raw), "position": self.tx.position_of(self.index)}
        self.lx_has_claims = False

    def close_header(self) -> None:
        if self.lx is not None:
            self.headers.append(HeaderNumber(**self.lx))
            self.lx = None

    def summary_target(self, seg: list[str]) -> dict[str, Any]:
        if self.lx is None or self.lx_has_claims:
            raise self.out_of_place(seg, "right after LX, before the header number's first CLP")
        return self.lx

    def ts3(self, seg: list[str]) -> None:
        target = self.summary_target(seg)
        provider = optional(seg, 1)
        facility = optional(seg, 2)
        if provider is None or facility is None:
            raise BadElement("TS301 (provider id) and TS302 (facility code) are required.")
        target["provider_summary"] = ProviderSummary(
            provider_id=provider,
            facility_code=facility,
            fiscal_period_end=read_date(element(seg, 3), "TS303", self.dates),
            claim_count=read_decimal(element(seg, 4), "TS304"),
            total_charge=read_money(element(seg, 5), "TS305", self.money),
            amounts=self.numbered(seg, "TS3", range(6, 25)),
        )

    def ts2(self, seg: list[str]) -> None:
        self.summary_target(seg)["supplemental_summary"] = self.numbered(seg, "TS2", range(1, 20))

    @staticmethod
    def numbered(seg: list[str], tag: str, elements: range) -> tuple[SummaryAmount, ...]:
        out = []
        for k in elements:
            value = element(seg, k)
            if value:
                name = f"{tag}{k:02d}"
                out.append(SummaryAmount(element=name, value=read_decimal(value, name)))
        return tuple(out)

    # -- loop 2100 -------------------------------------------------------------------------------

    def clp(self, seg: list[str]) -> None:
        self.enter_detail(seg)
        self.close_claim()
        pcn = optional(seg, 1)
        if pcn is None:
            raise BadElement("CLP01 (patient control number) is missing.")
        if self.lx is None:
            self.warnings.add("nolx", "claims are not grouped under an LX header number; read without one.")
        else:
            self.lx_has_claims = True
        money = self.money
        if len(seg) < 14:
            seg = seg + [""] * (14 - len(seg))  # absent elements read as empty ones
        claim = _CLAIM_TEMPLATE.copy()
        claim["patient_control_number"] = pcn
        status = _STATUS.get(seg[2])
        claim["status"] = (
            status if status is not None else read_code(seg[2], _STATUS, "CLP02", "claim status code")
        )
        claim["charge"] = money.get(seg[3]) or read_money(seg[3], "CLP03", money)
        claim["paid"] = money.get(seg[4]) or read_money(seg[4], "CLP04", money)
        if seg[5]:
            claim["patient_responsibility"] = money.get(seg[5]) or read_money(seg[5], "CLP05", money)
        claim["filing_indicator"] = seg[6].strip() or None
        claim["payer_claim_control_number"] = seg[7].strip() or None
        claim["facility_code"] = seg[8].strip() or None
        claim["frequency_code"] = seg[9].strip() or None
        claim["drg_code"] = seg[11].strip() or None
        weight, discharge = seg[12], seg[13]
        if weight:
            claim["drg_weight"] = read_decimal(weight, "CLP12")
        if discharge:
            claim["discharge_fraction"] = read_decimal(discharge, "CLP13")
        claim["header_number"] = None if self.lx is None else self.lx["number"]
        claim["lines"] = []
        claim["position"] = self.tx.position_of(self.index)
        self.claim = claim
        self.claim_lists = []
        self.claim_line_adjusted = ZERO

    def claim_only(self, tag: str) -> dict[str, Any]:
        """The open claim, for a segment that may not follow its service lines."""
        if self.claim is None:
            raise _out_of_place(tag, "to a claim (after CLP)")
        if self.line is not None:
            raise _out_of_place(tag, "to the claim, before its first SVC (service line)")
        return self.claim

    def close_claim(self) -> None:
        if self.line is not None:
            self.close_line()
        data = self.claim
        if data is None:
            return
        self.claim = None
        data["lines"] = tuple(data["lines"])
        for name in self.claim_lists:
            data[name] = tuple(data[name])
        claim = trusted(ClaimPayment, data)
        # the rule of `claim_imbalance`, with the lines' CAS totals summed as they closed
        at_claim = ZERO
        for adjustment in data["adjustments"]:
            at_claim += adjustment.amount
        paid = data["paid"]
        if data["charge"] - paid != at_claim + self.claim_line_adjusted:
            problem = claim_imbalance(claim)
            if problem:
                raise X12Error(problem, position=data["position"], segment_id="CLP", code="era.unbalanced")
        self.claims_paid += paid
        self.claims.append(claim)

    def cas(self, seg: list[str]) -> tuple[Any, ...]:
        """(kind, group, adjustments) of a CAS segment's text."""
        if self.line is None and self.claim is None:
            raise self.out_of_place(seg, "to a claim (after CLP) or a service line (after SVC)")
        n = len(seg)
        if n > _MAX_CAS:
            raise BadElement("a CAS holds at most six reason/amount/quantity triplets (CAS02 to CAS19).")
        group = _GROUP.get(seg[1]) if n > 1 else None
        if group is None:
            read_code(element(seg, 1), _GROUP, "CAS01", "claim adjustment group code")
        money, reasons = self.money, self.reasons
        adjustments = []
        for k in range(2, n, 3):
            reason = seg[k]
            amount = seg[k + 1] if n > k + 1 else ""
            quantity = seg[k + 2] if n > k + 2 else ""
            if not (reason or amount or quantity):
                continue
            reason_name, amount_name, quantity_name = _CAS_NAMES[k]
            if reason not in reasons:
                if not REASON_CODE.fullmatch(reason):
                    raise BadElement(
                        f"{reason_name} {reason or '(empty)'!r} is not a claim adjustment reason code."
                    )
                reasons.add(reason)
            adjustments.append(
                trusted(
                    Adjustment,
                    {
                        "group": group,
                        "reason": reason,
                        "amount": read_money(amount, amount_name, money),
                        "quantity": read_decimal(quantity, quantity_name) if quantity else None,
                    },
                )
            )
        if not adjustments:
            raise BadElement("CAS has no reason/amount triplet.")
        return (_CAS, group, tuple(adjustments))

    def nm1(self, seg: list[str]) -> tuple[Any, ...]:
        """(kind, entity, the claim's field or None, Party) of an NM1 segment's text."""
        if len(seg) < 10:
            seg = seg + [""] * (10 - len(seg))  # absent elements read as empty ones
        entity = seg[1]
        return (
            _NM1,
            entity,
            _CLAIM_PARTIES.get(entity),
            trusted(
                Party,
                {
                    "entity": entity,
                    "entity_type": seg[2],
                    "last_name": seg[3].strip() or None,
                    "first_name": seg[4].strip() or None,
                    "middle_name": seg[5].strip() or None,
                    "suffix": seg[7].strip() or None,
                    "id_qualifier": seg[8].strip() or None,
                    "identifier": seg[9].strip() or None,
                },
            ),
        )

    def mia(self, seg: list[str]) -> None:
        claim = self.claim_only(seg[0])
        counts = {}
        for k, name in _MIA_COUNTS.items():
            value = element(seg, k)
            if value:
                counts[name] = read_decimal(value, f"MIA{k:02d}")
        amounts = []
        for k in _MIA_AMOUNTS:
            value = element(seg, k)
            if value:
                amounts.append(
                    SummaryAmount(element=f"MIA{k:02d}", value=read_money(value, f"MIA{k:02d}", self.money))
                )
        remarks = tuple(code for k in _MIA_REMARKS if (code := optional(seg, k)))
        claim["inpatient"] = InpatientAdjudication(**counts, remark_codes=remarks, amounts=tuple(amounts))

    def moa(self, seg: list[str]) -> None:
        claim = self.claim_only(seg[0])
        rate, payable, esrd, nonpayable = element(seg, 1), element(seg, 2), element(seg, 8), element(seg, 9)
        claim["outpatient"] = OutpatientAdjudication(
            reimbursement_rate=read_decimal(rate, "MOA01") if rate else None,
            hcpcs_payable=read_money(payable, "MOA02", self.money) if payable else None,
            remark_codes=tuple(code for k in range(3, 8) if (code := optional(seg, k))),
            esrd_payment=read_money(esrd, "MOA08", self.money) if esrd else None,
            nonpayable_professional_component=read_money(nonpayable, "MOA09", self.money)
            if nonpayable
            else None,
        )

    def amt(self, seg: list[str]) -> tuple[Any, ...]:
        """(kind, qualifier, amount, SupplementalAmount) of an AMT segment's text."""
        qualifier = element(seg, 1)
        amount = read_money(element(seg, 2), "AMT02", self.money)
        return (
            _AMT,
            qualifier,
            amount,
            trusted(SupplementalAmount, {"qualifier": qualifier, "amount": amount}),
        )

    def qty(self, seg: list[str]) -> None:
        qualifier = element(seg, 1)
        value = element(seg, 2)
        if not value:
            raise BadElement(f"QTY*{qualifier} has no quantity (QTY02).")
        quantity = SupplementalQuantity(
            qualifier=qualifier, quantity=read_decimal(value, f"QTY02 ({qualifier})")
        )
        if self.line is not None:
            self.extend(self.line, self.line_lists, "quantities", (quantity,))
        elif self.claim is not None:
            self.extend(self.claim, self.claim_lists, "quantities", (quantity,))
        else:
            raise self.out_of_place(seg, "to a claim or a service line")

    # -- loop 2110 -------------------------------------------------------------------------------

    def procedure(self, value: str, name: str) -> Procedure:
        cached = self.procedures.get(value)
        if cached is not None:
            return cached
        parts = value.split(self.component)
        if parts[0] not in _QUALIFIER:
            stray = next((ch for ch in ":>^|\\" if ch in parts[0]), None)
            if stray is not None:
                raise BadElement(
                    f"{name} {value!r} is split with {stray!r}, but the file's component separator "
                    f"(ISA16) is {self.component!r}."
                )
        qualifier = read_code(parts[0], _QUALIFIER, f"{name}-1", "product/service id qualifier")
        code = parts[1].strip() if len(parts) > 1 else ""
        if not code:
            raise BadElement(f"{name} {value!r} names no procedure or service code ({name}-2).")
        procedure = Procedure(
            qualifier=qualifier,
            code=code,
            modifiers=tuple(m for m in parts[2:6] if m),
            description=parts[6] if len(parts) > 6 and parts[6] else None,
        )
        self.procedures[value] = procedure
        return procedure

    def svc(self, seg: list[str]) -> tuple[Any, ...]:
        """(kind, the line's fields as read) of an SVC segment's text."""
        if self.claim is None:
            raise self.out_of_place(seg, "to a claim (after CLP)")
        if self.line is not None:
            self.close_line()
        money = self.money
        n = len(seg)
        line = _LINE_TEMPLATE.copy()
        line["procedure"] = self.procedure(element(seg, 1), "SVC01")
        line["charge"] = read_money(element(seg, 2), "SVC02", money)
        line["paid"] = read_money(element(seg, 3), "SVC03", money)
        # The 835 guide: an absent SVC05 (units paid) means one unit.
        line["units_paid"] = ONE
        if n > 4:
            line["revenue_code"] = optional(seg, 4)
            units, original, original_units = seg[5] if n > 5 else "", element(seg, 6), element(seg, 7)
            if units:
                line["units_paid"] = read_decimal(units, "SVC05")
            if original:
                line["original_procedure"] = self.procedure(original, "SVC06")
            if original_units:
                line["original_units"] = read_decimal(original_units, "SVC07")
        return (_SVC, line)

    def close_line(self) -> None:
        data = self.line
        if data is None:
            return
        self.line = None
        claim = self.claim
        assert claim is not None
        adjustments = data["adjustments"] = tuple(data["adjustments"])
        if self.line_lists:
            for name in self.line_lists:
                data[name] = tuple(data[name])
            self.line_lists = []
        line = trusted(ServiceLinePayment, data)
        # the rule of `line_imbalance`, its message only when the figures differ
        adjusted = ZERO
        for adjustment in adjustments:
            adjusted += adjustment.amount
        if data["charge"] - data["paid"] != adjusted:
            problem = line_imbalance(line, claim_id=claim["patient_control_number"])
            if problem:
                raise X12Error(problem, position=data["position"], segment_id="SVC", code="era.unbalanced")
        self.claim_line_adjusted += adjusted
        claim["lines"].append(line)

    def ref(self, seg: list[str]) -> None:
        qualifier, value = element(seg, 1), optional(seg, 2)
        if value is None:
            raise BadElement(f"REF*{qualifier} has no value (REF02).")
        line = self.line
        if line is not None:
            if qualifier == "6R":
                line["line_control_number"] = value
                return
            self.extend(line, self.line_lists, "references", (self.reference(qualifier, value),))
        elif self.claim is not None:
            self.extend(self.claim, self.claim_lists, "references", (self.reference(qualifier, value),))
        elif self.area == "header":
            if qualifier in ("EV", "F2"):
                self.header[qualifier] = value
            else:
                self.warnings.add(
                    f"REF{qualifier}", f"header REF*{qualifier} is not an 835 header reference; not read."
                )
        elif self.area in ("payer", "payee") and self.party is not None:
            self.party["references"].append(self.reference(qualifier, value))
        else:
            raise self.out_of_place(seg, "to the header, payer, payee, a claim or a service line")

    @staticmethod
    def reference(qualifier: str, value: str) -> Reference:
        return trusted(Reference, {"qualifier": qualifier, "value": value})

    def lq(self, seg: list[str]) -> tuple[Any, ...]:
        """(kind, Reference) of an LQ segment's text."""
        if self.line is None:
            raise self.out_of_place(seg, "to a service line (after SVC)")
        code = optional(seg, 2)
        if code is None:
            raise BadElement("LQ02 (remark code) is missing.")
        return (_LQ, trusted(Reference, {"qualifier": element(seg, 1), "value": code}))

    # -- summary ---------------------------------------------------------------------------------

    def plb(self, seg: list[str]) -> None:
        if self.area not in ("detail", "summary", "payee"):
            raise self.out_of_place(seg, "after the claims, at the end of the transaction set")
        if self.payee is None:
            raise BadElement("PLB before the payer (N1*PR) and payee (N1*PE) loops.")
        self.close_claim()
        self.close_header()
        self.area = "summary"
        provider = optional(seg, 1)
        if provider is None:
            raise BadElement("PLB01 (provider identifier) is missing.")
        if len(seg) > _MAX_PLB:
            raise BadElement("a PLB holds at most six adjustment reason/amount pairs (PLB03 to PLB14).")
        items = []
        for k in range(3, len(seg), 2):
            composite, amount = seg[k], element(seg, k + 1)
            if not composite and not amount:
                continue
            parts = composite.split(self.component)
            items.append(
                ProviderAdjustmentItem(
                    reason=read_code(
                        parts[0], _PLB_REASON, f"PLB{k:02d}-1", "provider adjustment reason code"
                    ),
                    reference=(parts[1].strip() or None) if len(parts) > 1 else None,
                    amount=read_money(amount, f"PLB{k + 1:02d}", self.money),
                )
            )
        if not items:
            raise BadElement("PLB has no adjustment reason/amount pair (PLB03/PLB04).")
        self.plbs.append(
            ProviderAdjustment(
                provider_id=provider,
                fiscal_period_date=read_date(element(seg, 2), "PLB02", self.dates),
                items=tuple(items),
                position=self.tx.position_of(self.index),
            )
        )


# ---------------------------------------------------------------------------
# Entry points
# ---------------------------------------------------------------------------


@contextmanager
def _collector_paused() -> Iterator[None]:
    """Pause the cyclic garbage collector while a file is read, and keep what was read out of its
    young generations.

    Why: reading allocates a container object per model, tuple and dict, and every one stays alive
    until the reader returns; the collector would rescan that growing heap over and over although
    none of it can be garbage (measured: 40 % of the reading time of a 10,000-claim file). Pausing
    alone only defers the work: the first collection after it walks every object made meanwhile
    (measured: a fifth of the reading time). So, unless someone else froze objects (`gc.freeze`),
    everything alive is moved straight to the oldest generation (`freeze` then `unfreeze`, which
    relink lists and walk nothing), where full collections see it as they see any long-lived
    object. Reference counting still frees everything; collection resumes, as it was, on return.
    """
    was_enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if was_enabled:
            if gc.get_freeze_count() == 0:
                gc.freeze()
                gc.unfreeze()
            gc.enable()


def parse_835(text: str) -> EraFile:
    """Read an 835 file completely, or raise `X12Error` saying what is wrong and where.

    Every transaction set (ST..SE) becomes one `Remittance`; each is balanced on its own.
    """
    with _collector_paused():
        interchange = read_interchange(text, EXPECT_835)
        warnings = _Warnings()
        remittances = [
            _TransactionReader(tx, group, interchange.control, interchange.delimiters, warnings).read()
            for group in interchange.groups
            for tx in group.transactions
        ]
    return EraFile(
        interchange_control=interchange.control,
        sender_id=interchange.sender_id,
        receiver_id=interchange.receiver_id,
        interchange_date=interchange.date,
        interchange_time=interchange.time,
        usage=interchange.usage,
        remittances=tuple(remittances),
        warnings=(*interchange.warnings, *warnings.render()),
    )

"""835 text for tests: a payer/payee header, claims written as segment strings, the 5010 envelope."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime

from infusion_rcm.x12.writer import Envelope, interchange

ENVELOPE = Envelope(
    sender_id="ACMEHEALTH",
    receiver_id="INFUSIONRCM",
    interchange_control=905,
    group_control=17,
    functional_id="HP",
    version="005010X221A1",
    created=datetime(2026, 12, 15, 6, 30),
)


def bpr(paid: str, *, method: str = "ACH", date: str = "20261215") -> str:
    return (
        f"BPR*I*{paid}*C*{method}*CCP*01*011000015*DA*123456789*1512345678**01*021000021*DA*987654321*{date}"
    )


HEADER = [
    "TRN*1*EFT20261215001*1512345678",
    "DTM*405*20261214",
    "N1*PR*ACME HEALTH PLAN*XV*ACME1",
    "N3*1 MAIN STREET*SUITE 200",
    "N4*HARTFORD*CT*061010000",
    "REF*2U*ACME01",
    "PER*CX*CLAIMS*TE*8005550100*EX*12",
    "PER*BL*EDI*EM*EDI@ACME.EXAMPLE",
    "N1*PE*INFUSION CENTER*XX*1234567893",
    "N3*5 CLINIC ROAD",
    "N4*NEW HAVEN*CT*06510",
    "REF*TJ*123456789",
]


def body(paid: str, *detail: str, header: Sequence[str] = HEADER, lx: bool = True) -> list[str]:
    """One transaction set body: BPR paying `paid`, the header, LX*1, then `detail` as given."""
    return [bpr(paid), *header, *(["LX*1"] if lx else []), *detail]


def era(paid: str, *detail: str, header: Sequence[str] = HEADER, lx: bool = True) -> str:
    """A whole 835 file holding one transaction set."""
    return interchange(ENVELOPE, [("835", body(paid, *detail, header=header, lx=lx))])


def era_of(*bodies: Sequence[str]) -> str:
    """A whole 835 file holding one transaction set per body."""
    return interchange(ENVELOPE, [("835", list(b)) for b in bodies])


def position_of(text: str, prefix: str, occurrence: int = 1) -> int:
    """File position (ISA = 1) of the n-th segment starting with `prefix`."""
    seen = 0
    for number, seg in enumerate((s.strip() for s in text.split("~") if s.strip()), start=1):
        if seg.startswith(prefix):
            seen += 1
            if seen == occurrence:
                return number
    raise AssertionError(f"no segment {prefix!r} in the file")


# A small claim that balances: 300.00 charged, 200.00 paid, CO-45 60.00 and PR-2 40.00 on the line.
CLAIM = [
    "CLP*PCN1001*1*300*200*40*12*ICN9001*11*1",
    "NM1*QC*1*DOE*JANE****MI*M123456789",
    "DTM*232*20261201",
    "DTM*233*20261201",
    "SVC*HC:J1745:JZ*300*200**10",
    "DTM*472*20261201",
    "CAS*CO*45*60",
    "CAS*PR*2*40",
    "REF*6R*1001-1",
    "AMT*B6*240",
]

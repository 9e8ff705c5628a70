"""Benchmark of the pure 835 reader: one generated 10,000-claim remittance file, read in memory.

Run from the repo root: DJANGO_ENV=test .venv/bin/python bench/remittance.py [--claims N] [--profile]
Prints:
    BENCH era.read_mb_per_s <n> MB/s      parse_835 on the whole file (envelope, models, balancing)
The file (about 4.6 MB) is generated with a fixed seed: about three service lines per claim,
CO/PR adjustments, denials, reversals, claim-level reductions, interest and a recoupment in PLB;
it balances to the cent, and its generation is not timed. The figure is the best of three reads
in CPU time of this process (the reader is single-threaded): on the shared 2-core machine the
wall clock mostly measures the other jobs. Wall time and the envelope reader's own speed go to
stderr for comparison.
"""

from __future__ import annotations

import argparse
import cProfile
import gc
import pstats
import random
import sys
import time
from collections.abc import Callable
from datetime import datetime
from decimal import Decimal
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from infusion_rcm.x12.reader import read_interchange  # noqa: E402
from infusion_rcm.x12.writer import Envelope, interchange  # noqa: E402
from payments.domain.x12_835 import EXPECT_835, parse_835  # noqa: E402

N = 10_000
SEED = 20261201
CODES = [
    ("J1745", "10", Decimal("118.44")),
    ("J2350", "600", Decimal("18.71")),
    ("J0897", "60", Decimal("21.02")),
    ("96365", "1", Decimal("212.00")),
    ("96366", "1", Decimal("58.00")),
    ("96375", "1", Decimal("61.00")),
    ("J7050", "2", Decimal("1.10")),
    ("99211", "1", Decimal("44.00")),
]
CENT = Decimal("0.01")


def _claim(rng: random.Random, i: int) -> tuple[list[str], Decimal]:
    """One balanced claim (CLP .. its last line); returns the segments and CLP04."""
    status = rng.choice(("1", "1", "1", "1", "2", "4", "22"))
    sign = -1 if status == "22" else 1  # a reversal repeats the original with every sign flipped
    dos = f"202611{rng.randrange(1, 29):02d}"
    lines: list[str] = []
    charge_total = paid_total = Decimal(0)
    for n in range(rng.choice((2, 3, 3, 4))):
        code, units, unit_price = rng.choice(CODES)
        charge = (unit_price * Decimal(units) * Decimal("1.8")).quantize(CENT) * sign
        if status == "4":
            allowed = paid = Decimal("0.00")
            cas = [f"CAS*CO*{rng.choice(('16', '50', '197'))}*{charge}"]
        else:
            allowed = (charge * Decimal("0.62")).quantize(CENT)
            patient = (allowed * Decimal("0.2")).quantize(CENT)
            paid = allowed - patient
            cas = [f"CAS*CO*45*{charge - allowed}", f"CAS*PR*2*{patient}"]
        modifier = ":JZ" if code.startswith("J") and rng.random() < 0.5 else ""
        lines += [
            f"SVC*HC:{code}{modifier}*{charge}*{paid}**{units}",
            f"DTM*472*{dos}",
            *cas,
            f"REF*6R*{i:06d}{n + 1:02d}",
            f"AMT*B6*{allowed}",
        ]
        if status == "4":
            lines.append("LQ*HE*N130")
        charge_total += charge
        paid_total += paid
    claim_cas = []
    if status == "1" and rng.random() < 0.1:
        # a claim-level reduction on top of the lines (sequestration, CARC 253)
        claim_cas = ["CAS*CO*253*1.00"]
        paid_total -= Decimal("1.00")
    head = [
        f"CLP*PCN{i:07d}*{status}*{charge_total}*{paid_total}**12*ICN{i:010d}*11*{'8' if status == '22' else '1'}",
        *claim_cas,
        f"NM1*QC*1*PATIENT{i % 977}*ALEX****MI*M{i:09d}",
        f"DTM*232*{dos}",
        f"DTM*233*{dos}",
    ]
    return head + lines, paid_total


def build_835(claims: int = N, seed: int = SEED) -> str:
    rng = random.Random(seed)
    paid = Decimal(0)
    detail: list[str] = ["LX*1"]
    for i in range(claims):
        segments, claim_paid = _claim(rng, i)
        detail += segments
        paid += claim_paid
    interest, recoupment = Decimal("12.34"), Decimal("250.00")
    total = paid + interest - recoupment
    body = [
        f"BPR*I*{total}*C*ACH*CCP*01*011000015*DA*123456789*1512345678**01*021000021*DA*987654321*20261215",
        "TRN*1*EFT20261215001*1512345678",
        "DTM*405*20261214",
        "N1*PR*BENCH HEALTH PLAN",
        "N3*1 PAYER WAY",
        "N4*HARTFORD*CT*061010000",
        "REF*2U*BHP01",
        "PER*BL*EDI SUPPORT*TE*8005550100",
        "N1*PE*INFUSION CENTER*XX*1234567893",
        "REF*TJ*123456789",
        *detail,
        f"PLB*1234567893*20261231*L6*-{interest}*WO:ICN0000000001*{recoupment}",
    ]
    envelope = Envelope(
        sender_id="BENCHPAYER",
        receiver_id="INFUSIONRCM",
        interchange_control=1,
        group_control=1,
        functional_id="HP",
        version="005010X221A1",
        created=datetime(2026, 12, 15, 6, 0),
    )
    return interchange(envelope, [("835", body)])


def _best_of(runs: int, work: Callable[[str], object], text: str) -> tuple[float, float]:
    """(CPU seconds, wall seconds) of the fastest of `runs` calls."""
    best_cpu = best_wall = float("inf")
    for _ in range(runs):
        cpu, wall = time.process_time(), time.perf_counter()
        work(text)
        best_cpu = min(best_cpu, time.process_time() - cpu)
        best_wall = min(best_wall, time.perf_counter() - wall)
        gc.collect()
    return best_cpu, best_wall


def main() -> None:
    parser = argparse.ArgumentParser()
    parser.add_argument("--claims", type=int, default=N)
    parser.add_argument("--profile", action="store_true", help="print the 25 costliest functions instead")
    args = parser.parse_args()
    text = build_835(args.claims)
    megabytes = len(text.encode()) / 1_000_000
    era = parse_835(text)  # warm-up, and a check that the generated file is what we think
    assert len(era.claims) == args.claims, len(era.claims)
    del era
    if args.profile:
        profiler = cProfile.Profile()
        profiler.runcall(parse_835, text)
        pstats.Stats(profiler).sort_stats("tottime").print_stats(25)
        return
    gc.collect()
    cpu, wall = _best_of(3, parse_835, text)
    envelope_cpu, _ = _best_of(3, lambda t: read_interchange(t, EXPECT_835), text)
    print(
        f"{megabytes:.1f} MB, {args.claims} claims: parse_835 {cpu:.2f} s CPU ({wall:.2f} s wall); "
        f"the envelope reader alone {megabytes / envelope_cpu:.1f} MB/s CPU",
        file=sys.stderr,
        flush=True,
    )
    print(f"BENCH era.read_mb_per_s {megabytes / cpu:.1f} MB/s")
    # ---- BENCH era.post_claims_per_s ------------------------------------------------------------
    # Reserved for the posting figure (payments posting: match claims, write postings), added by
    # the change that builds posting. Nothing is printed for it until that code exists.


if __name__ == "__main__":
    main()

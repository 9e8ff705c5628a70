"""Benchmark of the pure coding engine: 100,000 varied encounters on one core.

Run from the repo root: .venv/bin/python bench/coding.py
Prints exactly one line: BENCH coding.encounters_per_s <n> enc/s
Encounters are generated with a fixed seed and validated into Encounter objects before timing.
"""

from __future__ import annotations

import gc
import random
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
if str(ROOT) not in sys.path:
    sys.path.insert(0, str(ROOT))

from coding.domain.catalog import load_code_tables  # noqa: E402
from coding.domain.engine import code_encounter  # noqa: E402
from coding.domain.types import Encounter  # noqa: E402

N = 100_000
SEED = 20261102

IV = [
    ("J1745", "400"),
    ("Q5103", "350"),
    ("J1459", "30000"),
    ("J3380", "300"),
    ("J2350", "600"),
    ("J3370", "1250"),
    ("J0696", "1000"),
    ("J2543", "3375"),
    ("J1756", "200"),
    ("J9045", "450"),
    ("J9263", "170"),
    ("J9312", "700"),
    ("J0640", "400"),
]
PUSHES = [("J2405", "4"), ("J1100", "10"), ("J1200", "25"), ("J9190", "800"), ("J1626", "1")]
INJECTIONS = [
    ("J0897", "60", "subcutaneous"),
    ("J9217", "22.5", "intramuscular"),
    ("J2506", "6", "subcutaneous"),
    ("J9041", "2.6", "subcutaneous"),
]
HOME = [
    ("anti_infective", "J2185", 8, "1000"),
    ("anti_infective", "J3370", 12, "1000"),
    ("anti_infective", "J0696", 24, "2000"),
    ("anti_tnf", "J1745", None, "400"),
    ("immunotherapy", "J1559", None, "10000"),
    ("inotropic", "J2260", 24, "50"),
]


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


def _clinic(rng: random.Random, i: int) -> dict:
    site = rng.choice(("office", "office", "aic", "hopd", "ais"))
    payer = rng.choice(("medicare", "commercial", "commercial", "medicaid", "medicare_advantage"))
    t = rng.randrange(7 * 60, 11 * 60)
    adms = []
    if rng.random() < 0.3:
        length = rng.choice((25, 45, 60, 90, 120))
        adms.append(
            {"route": "iv_infusion", "start": _clock(t), "stop": _clock(t + length), "purpose": "hydration"}
        )
        t += length + 5
    for _ in range(rng.choice((1, 1, 1, 2, 2, 3))):
        drug, dose = rng.choice(IV)
        length = rng.choice((14, 20, 30, 60, 90, 91, 120, 165, 190, 240))
        adm = {
            "route": "iv_infusion",
            "drug": drug,
            "dose": dose,
            "dose_unit": "mg",
            "start": _clock(t),
            "stop": _clock(t + length),
            "wasted": rng.choice(("0", "0", "5", "150")),
        }
        if drug == "J0640":
            adm["purpose"] = "therapeutic"
        if rng.random() < 0.1:
            adm["iv_site"] = "B"
        adms.append(adm)
        t += rng.choice((length + 5, length // 2))
    for _ in range(rng.choice((0, 0, 1, 2))):
        drug, dose = rng.choice(PUSHES)
        adms.append(
            {
                "route": "iv_push",
                "drug": drug,
                "dose": dose,
                "dose_unit": "mg",
                "start": _clock(t),
                "stop": _clock(t + 2),
                "wasted": "0",
            }
        )
        t += rng.choice((5, 35))
    if rng.random() < 0.15:
        drug, dose, route = rng.choice(INJECTIONS)
        adms.append(
            {"route": route, "drug": drug, "dose": dose, "dose_unit": "mg", "start": _clock(t), "wasted": "0"}
        )
    rng.shuffle(adms)
    data = {
        "id": f"bench-{i}",
        "date_of_service": "2026-11-02",
        "site_of_care": site,
        "payer_type": payer,
        "administrations": adms,
    }
    if rng.random() < 0.2:
        data["evaluation"] = {
            "code": rng.choice(("99211", "99213", "99214")),
            "separately_identifiable": rng.random() < 0.8,
        }
    return data


def _home(rng: random.Random, i: int) -> dict:
    therapies = []
    for name, drug, freq, dose in rng.sample(HOME, rng.choice((1, 1, 2, 3))):
        therapies.append(
            {
                "therapy": name,
                "drug": drug,
                "frequency_hours": freq,
                "dose": dose,
                "dose_unit": "mg",
                "days": rng.choice((1, 1, 3, 7)),
            }
        )
    if rng.random() < 0.2:
        therapies.append(
            {
                "therapy": "tpn",
                "volume_ml_per_day": rng.choice(("900", "1800", "2600")),
                "additives": [{"drug": "B4185", "dose": "25", "dose_unit": "g"}],
            }
        )
    nursing = []
    if rng.random() < 0.5:
        start = rng.randrange(8 * 60, 14 * 60)
        nursing.append({"start": _clock(start), "stop": _clock(start + rng.choice((45, 120, 160, 200)))})
    return {
        "id": f"bench-{i}",
        "date_of_service": "2026-11-02",
        "site_of_care": "home",
        "payer_type": rng.choice(("commercial", "commercial", "medicare_advantage", "medicaid", "medicare")),
        "home_therapies": therapies,
        "nursing_visits": nursing,
    }


def build(n: int = N) -> list[Encounter]:
    rng = random.Random(SEED)
    return [
        Encounter.model_validate(_home(rng, i) if rng.random() < 0.2 else _clinic(rng, i)) for i in range(n)
    ]


def main() -> None:
    tables = load_code_tables(ROOT / "coding" / "data" / "drugs.csv")
    encounters = build()
    for enc in encounters[:200]:  # warm caches
        code_encounter(enc, catalog=tables)
    # the pre-built inputs are long-lived: keep the cyclic GC from rescanning them while timing
    gc.collect()
    gc.freeze()
    started = time.perf_counter()
    for enc in encounters:
        code_encounter(enc, catalog=tables)
    elapsed = time.perf_counter() - started
    print(f"BENCH coding.encounters_per_s {int(len(encounters) / elapsed)} enc/s")


if __name__ == "__main__":
    main()

"""Hostile-input bench: hypothesis-generated inputs through every X12 reader and file import.

Run from the repo root: DJANGO_ENV=test .venv/bin/python bench/fuzz.py [--inputs N]
Prints:
    BENCH fuzz.inputs <n> inputs     inputs generated and read, over all readers (default >= 10,000)
    BENCH fuzz.crashes <n> crashes   inputs that raised anything but the reader's error type
    BENCH fuzz.<reader>.inputs / .crashes per reader
The readers and strategies are tests/fuzz/targets.py (the suite runs the same with a small
budget). Each crash's reader, exception and a short repr of the input go to stderr. No database.
"""

from __future__ import annotations

import argparse
import os
import sys
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]
sys.path.insert(0, str(ROOT))
os.environ.setdefault("DJANGO_SETTINGS_MODULE", "infusion_rcm.settings.test")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--inputs", type=int, default=10_000, help="total inputs over all readers")
    args = parser.parse_args()

    import django

    django.setup()
    from tests.fuzz.targets import targets

    all_targets = targets()
    per_target = -(-args.inputs // len(all_targets))
    total = crashes = 0
    for target in all_targets:
        counts = _run_one(target, per_target)
        total += counts["inputs"]
        crashes += counts["crashes"]
        print(f"BENCH fuzz.{target.name}.inputs {counts['inputs']} inputs")
        print(f"BENCH fuzz.{target.name}.crashes {counts['crashes']} crashes")
    print(f"BENCH fuzz.inputs {total} inputs")
    print(f"BENCH fuzz.crashes {crashes} crashes")


def _run_one(target, per_target: int) -> dict[str, int]:
    from hypothesis import HealthCheck, Phase, given, settings

    from tests.fuzz.targets import read_or_refuse

    counts = {"inputs": 0, "crashes": 0}

    @settings(
        max_examples=per_target,
        deadline=None,
        database=None,
        phases=[Phase.generate],
        suppress_health_check=list(HealthCheck),
    )
    @given(target.inputs)
    def run(value):
        counts["inputs"] += 1
        crash = read_or_refuse(target, value)
        if crash is not None:
            counts["crashes"] += 1
            print(f"crash {target.name}: {type(crash).__name__}: {crash} on {value!r:.200}", file=sys.stderr)

    run()
    return counts


if __name__ == "__main__":
    main()

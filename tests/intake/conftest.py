"""Intake DB-test helpers: the shared 271 samples and a frozen 'today'."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
import time_machine

SHARED_X12 = Path(__file__).resolve().parents[2].parent / "shared" / "x12"
TODAY = dt.date(2026, 3, 10)


def sample_271(name: str) -> str:
    path = SHARED_X12 / "271" / name
    if not path.exists():
        pytest.skip(f"shared X12 sample missing: {path}")
    return path.read_text(encoding="utf-8")


@pytest.fixture
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0), tick=False):
        yield TODAY

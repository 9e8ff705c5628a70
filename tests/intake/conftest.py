"""Intake DB-test helpers: the 271 samples in tests/fixtures and a frozen 'today'."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine

from tests.fixture_files import read_x12

TODAY = dt.date(2026, 3, 10)


def sample_271(name: str) -> str:
    return read_x12("271", name)


@pytest.fixture
def frozen_today():
    with time_machine.travel(dt.datetime(2026, 3, 10, 9, 0), tick=False):
        yield TODAY

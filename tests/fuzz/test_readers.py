"""Hostile input, in CI: each reader and import reads or refuses with its error type, never
another exception (a small budget; bench/fuzz.py runs >= 10,000 inputs)."""

from __future__ import annotations

import pytest
from hypothesis import HealthCheck, given, settings

from tests.fuzz.targets import read_or_refuse, targets

pytestmark = pytest.mark.fuzz
TARGETS = {t.name: t for t in targets()}


@pytest.mark.parametrize("name", sorted(TARGETS))
def test_reads_or_refuses(name):
    target = TARGETS[name]

    @settings(max_examples=150, deadline=None, database=None, suppress_health_check=list(HealthCheck))
    @given(target.inputs)
    def run(value):
        crash = read_or_refuse(target, value)
        if crash is not None:
            raise crash

    run()

"""Every worked example of tests/fixtures/coding/encounters.json (lines compared as a multiset of
(code, sorted modifiers, units), docs/encounter-format.md)."""

from __future__ import annotations

from collections import Counter

import pytest

from coding.domain.engine import code_encounter
from coding.domain.parse import parse_encounter
from tests.coding.domain.conftest import load_examples

EXAMPLES = load_examples()


def _expected(example: dict) -> Counter:
    return Counter(
        (ln["code"], tuple(sorted(ln["modifiers"])), ln["units"]) for ln in example["expected_lines"]
    )


@pytest.mark.parametrize("example", EXAMPLES, ids=[e["title"] for e in EXAMPLES])
def test_example(example, catalog):
    encounter = parse_encounter(example, catalog=catalog)
    result = code_encounter(encounter, catalog=catalog)
    assert Counter(line.key() for line in result.lines) == _expected(example), [
        (ln.code, ln.modifiers, ln.units, ln.reason) for ln in result.lines
    ]
    for line in result.lines:
        assert any(rule in line.reason for rule in line.rule_ids), line.reason


def test_examples_cover_every_title():
    assert len({e["title"] for e in EXAMPLES}) == len(EXAMPLES)

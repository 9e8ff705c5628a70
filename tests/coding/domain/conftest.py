"""Shared fixtures for the pure coding-engine tests (no Django, no database)."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from coding.domain.catalog import CodeTables, load_drug_catalog_csv
from tests.fixture_files import fixture_path

REPO = Path(__file__).resolve().parents[3]
DRUGS_CSV = REPO / "coding" / "data" / "drugs.csv"


@pytest.fixture(scope="session")
def catalog() -> CodeTables:
    return CodeTables(drugs=load_drug_catalog_csv(DRUGS_CSV))


def load_examples() -> list[dict]:
    return json.loads(fixture_path("coding", "encounters.json").read_text())

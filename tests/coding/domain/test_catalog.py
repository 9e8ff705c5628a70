"""Reference data files: drugs.csv loads, code_sets.csv covers every code the engine can emit."""

from __future__ import annotations

import csv
from decimal import Decimal

import pytest

from coding.domain.catalog import (
    ANTI_INFECTIVE_BY_FREQUENCY,
    HIT_GCODES,
    HYDRATION_TIERS,
    PER_DIEM_BY_THERAPY,
    TPN_TIERS,
    DrugCatalog,
    load_drug_catalog_csv,
)
from infusion_rcm.common.errors import InvalidInputError
from tests.coding.domain.conftest import DRUGS_CSV, REPO


def test_the_shipped_drug_catalog_loads():
    catalog = load_drug_catalog_csv(DRUGS_CSV)
    assert len(catalog) == 66
    infliximab = catalog.get("J1745")
    assert (infliximab.billing_unit_amount, infliximab.billing_unit, infliximab.single_dose) == (
        Decimal(10),
        "mg",
        True,
    )
    assert catalog.get("J3380").verify_current and not catalog.get("J1745").verify_current


def test_catalog_rows_are_validated():
    with pytest.raises(InvalidInputError, match="unknown drug_class"):
        DrugCatalog.from_rows(
            [
                {
                    "hcpcs": "J0001",
                    "name": "x",
                    "billing_unit_amount": "1",
                    "billing_unit": "mg",
                    "drug_class": "magic",
                }
            ]
        )
    with pytest.raises(InvalidInputError, match="row 2"):
        DrugCatalog.from_rows(
            [
                {
                    "hcpcs": "J0001",
                    "name": "x",
                    "billing_unit_amount": "ten",
                    "billing_unit": "mg",
                    "drug_class": "therapeutic",
                }
            ]
        )


def test_code_sets_csv_lists_every_emitted_code():
    with open(REPO / "coding" / "data" / "code_sets.csv", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert set(rows[0]) == {"code", "family", "description", "effective_from"}
    listed = {row["code"] for row in rows}
    emitted = set(ANTI_INFECTIVE_BY_FREQUENCY.values()) | {"S9494", "S9373", "S9364"}
    emitted |= {code for family in PER_DIEM_BY_THERAPY.values() for code in family.values()}
    emitted |= {code for _, code in HYDRATION_TIERS + TPN_TIERS}
    emitted |= {code for pair in HIT_GCODES.values() for code in pair}
    emitted |= {
        "96360",
        "96361",
        "96365",
        "96366",
        "96367",
        "96368",
        "96369",
        "96370",
        "96371",
        "96372",
        "96373",
        "96374",
        "96375",
        "96376",
        "96377",
        "96379",
        "96401",
        "96402",
        "96409",
        "96411",
        "96413",
        "96415",
        "96416",
        "96417",
        "96521",
        "96522",
        "96523",
        "99601",
        "99602",
        "S9124",
    }
    assert emitted <= listed

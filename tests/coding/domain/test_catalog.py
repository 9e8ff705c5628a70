"""Reference data files: drugs.csv loads, code_sets.csv covers every code the engine can emit."""

from __future__ import annotations

import csv
import importlib
from decimal import Decimal

import pytest

from coding.domain.catalog import (
    ANTI_INFECTIVE_BY_FREQUENCY,
    DME_PUMP,
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


def test_drugs_csv_columns():
    with open(DRUGS_CSV, newline="") as handle:
        header = next(csv.reader(handle))
    assert header == [
        "hcpcs",
        "name",
        "billing_unit_amount",
        "billing_unit",
        "drug_class",
        "single_dose",
        "verify_current",
        "medicare_home_benefit",
    ]


def test_medicare_home_benefit_follows_the_external_infusion_pump_lcd():
    """HIT-M1..M3: L33794 / A52507 list the pump drugs; IVIG and PN have Part B benefits of their own;
    every other drug is Part D at home (docs/billing-rules/home-infusion-routing.md has the list)."""
    catalog = load_drug_catalog_csv(DRUGS_CSV)
    benefit = {code: drug.medicare_home_benefit for code, drug in catalog.drugs.items()}
    pump = {code for code, value in benefit.items() if value == DME_PUMP}
    assert pump == {"J0133", "J0289", "J1250", "J1555", "J1559", "J1575", "J2260", "J9190", "J9370"}
    assert {code for code, value in benefit.items() if value == "ivig_pidd"} == {
        "J1459",
        "J1557",
        "J1561",
        "J1568",
        "J1569",
        "J1572",
    }
    assert benefit["B4185"] == "parenteral_nutrition"
    # the usual home antibiotics are not pump-LCD drugs (the infusion pump NCD excludes vancomycin)
    assert not any(benefit[code] for code in ("J3370", "J2185", "J0696", "J1335", "J0878", "J2543"))
    assert catalog.get("J2260").dme_pump_covered and not catalog.get("J2185").dme_pump_covered


def test_medicare_home_benefit_is_validated_and_optional():
    row = {"hcpcs": "J0001", "name": "x", "billing_unit_amount": "1", "billing_unit": "mg"}
    old_layout = DrugCatalog.from_rows([{**row, "drug_class": "therapeutic"}])
    assert old_layout.get("J0001").medicare_home_benefit == ""
    with pytest.raises(InvalidInputError, match="unknown medicare_home_benefit 'part_b'"):
        DrugCatalog.from_rows([{**row, "drug_class": "therapeutic", "medicare_home_benefit": "part_b"}])


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


def test_the_migration_fills_what_drugs_csv_ships():
    migration = importlib.import_module("coding.migrations.0003_drug_medicare_home_benefit")
    catalog = load_drug_catalog_csv(DRUGS_CSV)
    shipped = {code: d.medicare_home_benefit for code, d in catalog.drugs.items() if d.medicare_home_benefit}
    assert shipped == migration.SHIPPED

"""docs/billing-rules/drugs.md (drug units, JW/JZ, NDC): one test or table per rule id."""

from __future__ import annotations

from dataclasses import replace
from decimal import Decimal

import pytest

from coding.domain.catalog import DrugCatalog
from coding.domain.errors import EncounterError
from infusion_rcm.common.identifiers import normalize_ndc
from tests.coding.domain.helpers import adm, codes, enc, keys, run, want


def _with_drugs(catalog, *rows):
    drugs = dict(catalog.drugs.drugs)
    extra = DrugCatalog.from_rows(
        {
            "hcpcs": code,
            "name": name,
            "billing_unit_amount": amount,
            "billing_unit": "mg",
            "drug_class": "therapeutic",
            "single_dose": single,
            "verify_current": "",
        }
        for code, name, amount, single in rows
    )
    drugs.update(extra.drugs)
    return replace(catalog, drugs=DrugCatalog(drugs))


def drugs(result):
    return keys(result, "drug")


def test_drg_u1_round_up_to_whole_units(catalog):
    """FCSO: 10 mg given of a "6 mg" code = 1.67 -> 2 units."""
    tables = _with_drugs(catalog, ("J9990", "test drug per 6 mg", "6", "false"))
    result = run(tables, enc(administrations=[adm("10:00", None, "J9990", "10", route="iv_push")]))
    assert drugs(result) == want(("J9990", 2))


@pytest.mark.parametrize(
    ("drug", "dose", "unit", "units"),
    [
        ("J1745", "350", "mg", 35),  # infliximab 5 mg/kg x 70 kg (S39)
        ("J1459", "40", "g", 80),  # grams converted to the 500 mg unit
        ("J2506", "6", "mg", 12),  # pegfilgrastim 6 mg = 12 x 0.5 mg
        ("J2469", "250", "mcg", 10),  # palonosetron 0.25 mg = 10 x 25 mcg
        ("J2543", "3375", "mg", 3),  # 1.125 g unit, exact division
        ("J7030", "1500", "mL", 2),  # saline per 1000 cc
    ],
)
def test_drg_u1_units_with_unit_conversion(catalog, drug, dose, unit, units):
    result = run(catalog, enc(administrations=[adm("10:00", None, drug, dose, unit=unit, route="iv_push")]))
    assert drugs(result) == want((drug, units))


def test_drg_u2_doses_of_one_code_add_up_before_rounding(catalog):
    data = enc(
        administrations=[
            adm("09:00", None, "J2916", "62.5", route="iv_push"),
            adm("13:00", None, "J2916", "62.5", route="iv_push", encounter=2),
        ]
    )
    assert drugs(run(catalog, data)) == want(("J2916", 10))


def test_drg_b1_biosimilar_is_billed_under_its_own_code(catalog):
    data = enc(administrations=[adm("09:00", "11:00", "Q5103", "400")])
    assert drugs(run(catalog, data)) == want(("Q5103", 40))


def test_drg_b1_two_products_one_code_flagged(catalog):
    data = enc(
        administrations=[
            adm("09:00", "09:30", "J1756", "100", ndc="0517-2340-01"),
            adm("09:30", "10:00", "J1756", "100", ndc="0517-2340-99"),
        ]
    )
    assert "DRG-B1" in codes(run(catalog, data))


def test_drg_c1_codes_to_verify_are_flagged_and_retired_codes_refused(catalog):
    result = run(catalog, enc(administrations=[adm("10:00", None, "J0897", "60", route="subcutaneous")]))
    assert "DRG-C1" in codes(result)
    with pytest.raises(EncounterError, match=r"administrations\[0\]\.drug J2505 is not in the drug catalog"):
        run(catalog, enc(administrations=[adm("10:00", None, "J2505", "6", route="subcutaneous")]))


def test_drg_w1_w3_jw_line_rounded_down(catalog):
    """Administered rounded up, discarded rounded down (1.2 g -> 2 units of 500 mg)."""
    data = enc(
        payer_type="medicare",
        administrations=[adm("09:00", "12:10", "J1569", "28.8", unit="g", wasted="1.2")],
    )
    assert drugs(run(catalog, data)) == want(("J1569", 58), ("J1569", 2, "JW"))


def test_drg_w3_one_unit_covering_dose_and_waste_is_one_jz_line(catalog):
    """Noridian DME: 70 mg from a 100 mg vial of a "100 mg" code -> one line, JZ, no JW."""
    tables = _with_drugs(catalog, ("J9991", "test drug per 100 mg", "100", "true"))
    data = enc(payer_type="medicare", administrations=[adm("10:00", "10:30", "J9991", "70", wasted="30")])
    assert drugs(run(tables, data)) == want(("J9991", 1, "JZ"))


def test_drg_w3_waste_under_one_unit_gets_no_jw(catalog):
    data = enc(payer_type="medicare", administrations=[adm("10:00", "11:00", "J1745", "395", wasted="5")])
    assert drugs(run(catalog, data)) == want(("J1745", 40, "JZ"))


def test_drg_w2_jz_only_for_medicare_single_dose_drugs(catalog):
    single = [adm("09:00", "10:00", "J1745", "400", wasted="0")]
    assert drugs(run(catalog, enc(payer_type="medicare", administrations=single))) == want(
        ("J1745", 40, "JZ")
    )
    assert drugs(run(catalog, enc(payer_type="commercial", administrations=single))) == want(("J1745", 40))
    multi = [adm("09:00", None, "J2405", "4", route="iv_push", wasted="0")]
    assert drugs(run(catalog, enc(payer_type="medicare", administrations=multi))) == want(("J2405", 4))


def test_drg_w2_undocumented_waste_is_a_warning(catalog):
    result = run(catalog, enc(payer_type="medicare", administrations=[adm("09:00", "10:00", "J1745", "400")]))
    assert drugs(result) == want(("J1745", 40))
    [finding] = [w for w in result.warnings if w.code == "DRG-W2"]
    assert finding.severity == "warning" and finding.path == "administrations[0].wasted"


def test_drg_w4_other_payers_can_opt_in_to_jw_jz(catalog):
    data = enc(payer_type="medicaid", administrations=[adm("09:00", "10:00", "J1745", "400", wasted="0")])
    assert drugs(run(catalog, data)) == want(("J1745", 40))
    assert drugs(run(catalog, data, jw_jz_payers=frozenset({"medicare", "medicaid"}))) == want(
        ("J1745", 40, "JZ")
    )


@pytest.mark.parametrize(
    ("raw", "normal"),
    [
        ("1234-1234-12", "01234123412"),
        ("12345-123-12", "12345012312"),
        ("12345-1234-1", "12345123401"),
        ("12345-1234-12", "12345123412"),
        ("55513067001", "55513067001"),
        ("5551306700", None),
        ("12-34-56", None),
        ("abcde-1234-12", None),
    ],
)
def test_drg_n1_ndc_11_digit_5_4_2(raw, normal):
    assert normalize_ndc(raw) == normal


def test_drg_n2_ndc_fields_on_the_drug_line(catalog):
    """Avsola 300 mg = Q5121 x30 HCPCS units, NDC quantity 3 vials (UN)."""
    data = enc(
        administrations=[
            adm("09:00", "11:00", "Q5121", "300", ndc="55513-0670-01", ndc_quantity="3", ndc_unit="UN")
        ]
    )
    [line] = [ln for ln in run(catalog, data).lines if ln.family == "drug"]
    assert (line.code, line.units, line.ndc, line.ndc_qualifier, line.ndc_quantity, line.ndc_unit) == (
        "Q5121",
        30,
        "55513067001",
        "N4",
        Decimal(3),
        "UN",
    )
    assert "DRG-N1" in line.rule_ids


@pytest.mark.parametrize(
    ("unit", "dose", "qty", "qualifier"),
    [
        ("mL", "250", Decimal(250), "ML"),
        ("g", "10", Decimal(10), "GR"),
        ("mg", "500", Decimal(500), "ME"),
    ],
)
def test_drg_n3_ndc_quantity_from_the_dose(catalog, unit, dose, qty, qualifier):
    drug = {"mL": "J7050", "g": "B4185", "mg": "J1756"}[unit]
    data = enc(
        administrations=[adm("10:00", None, drug, dose, unit=unit, route="iv_push", ndc="12345-1234-12")]
    )
    [line] = [ln for ln in run(catalog, data).lines if ln.family == "drug"]
    assert (line.ndc_quantity, line.ndc_unit) == (qty, qualifier)


def test_drg_n3_medicaid_needs_ndc_and_some_payers_refuse_me(catalog):
    data = enc(payer_type="medicaid", administrations=[adm("10:00", None, "J1756", "200", route="iv_push")])
    assert "DRG-N3" in codes(run(catalog, data))
    with_ndc = enc(administrations=[adm("10:00", None, "J1756", "200", route="iv_push", ndc="12345-1234-12")])
    assert "DRG-N3" not in codes(run(catalog, with_ndc))
    assert "DRG-N3" in codes(run(catalog, with_ndc, ndc_milligram_unit_ok=False))


def test_drg_n1_invalid_ndc_blocks(catalog):
    with pytest.raises(EncounterError, match=r"encounter t-1: administrations\[0\]\.ndc"):
        run(catalog, enc(administrations=[adm("10:00", None, "J1756", "200", route="iv_push", ndc="123")]))


def test_drug_line_reason_cites_rules(catalog):
    result = run(
        catalog,
        enc(payer_type="medicare", administrations=[adm("09:00", "11:45", "J1745", "400", wasted="0")]),
    )
    [line] = [ln for ln in result.lines if ln.family == "drug"]
    assert "DRG-U1" in line.reason and "DRG-W2" in line.reason and "400 mg" in line.reason

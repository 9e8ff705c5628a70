"""The JW waste line carries the NDC quantity of what was discarded (DRG-N2, DRG-W1).

Issue 9: a Medicare drug line with JW got the NDC but no CTP quantity, so the scrubber blocked
it (LINE_NDC_QUANTITY_MISSING) and Medicare waste could not be billed at all.
"""

from __future__ import annotations

from decimal import Decimal

from tests.coding.domain.helpers import adm, enc, run

NDC = "50242-0060-01"


def _drug_lines(result):
    return [ln for ln in result.lines if ln.family == "drug"]


def test_jw_line_ndc_quantity_is_the_documented_waste(catalog):
    data = enc(
        payer_type="medicare",
        administrations=[adm("09:00", "10:30", "J9312", "340", wasted="60", ndc=NDC)],
    )
    given, waste = _drug_lines(run(catalog, data))
    assert (given.modifiers, given.units, given.ndc_quantity, given.ndc_unit) == (
        (),
        34,
        Decimal("340"),
        "ME",
    )
    assert (waste.modifiers, waste.units) == (("JW",), 6)
    assert (waste.ndc, waste.ndc_qualifier, waste.ndc_quantity, waste.ndc_unit) == (
        "50242006001",
        "N4",
        Decimal("60"),
        "ME",
    )


def test_jw_line_in_grams_and_summed_over_administrations(catalog):
    data = enc(
        payer_type="medicare",
        administrations=[
            adm("09:00", "10:00", "J1569", "14.4", unit="g", wasted="0.6", ndc=NDC),
            adm("10:00", "12:10", "J1569", "14.4", unit="g", wasted="0.6", ndc=NDC),
        ],
    )
    *_, waste = _drug_lines(run(catalog, data))
    assert (waste.modifiers, waste.units) == (("JW",), 2)
    assert (waste.ndc_quantity, waste.ndc_unit) == (Decimal("1.2"), "GR")


def test_jw_line_has_a_quantity_when_the_vials_are_documented(catalog):
    """Vials opened (UN) stay on the administered line; the waste line reports the discarded dose."""
    data = enc(
        payer_type="medicare",
        administrations=[
            adm("09:00", "10:30", "J9312", "340", wasted="60", ndc=NDC, ndc_quantity="1", ndc_unit="UN")
        ],
    )
    given, waste = _drug_lines(run(catalog, data))
    assert (given.ndc_quantity, given.ndc_unit) == (Decimal("1"), "UN")
    assert (waste.ndc_quantity, waste.ndc_unit) == (Decimal("60"), "ME")


def test_no_ndc_no_quantity_on_the_jw_line(catalog):
    data = enc(payer_type="medicare", administrations=[adm("09:00", "10:30", "J9312", "340", wasted="60")])
    *_, waste = _drug_lines(run(catalog, data))
    assert waste.modifiers == ("JW",) and waste.ndc is None and waste.ndc_quantity is None

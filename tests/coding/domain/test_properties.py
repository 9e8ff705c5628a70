"""Property tests (hypothesis) of the coding engine over random office/AIC/hospital encounters."""

from __future__ import annotations

import os
import random
from collections import Counter
from dataclasses import replace
from decimal import Decimal

from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from coding.domain.catalog import CodeTables, load_drug_catalog_csv
from coding.domain.engine import code_encounter
from coding.domain.types import Administration, Encounter
from tests.coding.domain.conftest import DRUGS_CSV

TABLES = CodeTables(drugs=load_drug_catalog_csv(DRUGS_CSV))
# bag-change gap 0: every billed minute is a documented minute (ADM-T4's gap would otherwise count)
STRICT = replace(TABLES, options=replace(TABLES.options, bag_change_max_gap_minutes=0))

IV_DRUGS = [
    "J1745",
    "J3370",
    "J0696",
    "J2543",
    "J9045",
    "J9263",
    "J0640",
    "J1756",
    "J2405",
    "J1100",
    "J1459",
    "J7030",
    None,
    None,
]
ROUTES = (
    ["iv_infusion"] * 6
    + ["iv_push"] * 2
    + ["subcutaneous", "intramuscular", "subcutaneous_infusion", "pump_start"]
)
FIRST_HOUR = {"96365": 16, "96367": 16, "96413": 16, "96417": 16, "96369": 16, "96360": 31}
PER_UNIT = {"96366": 60, "96415": 60, "96370": 60, "96361": 31}
INITIAL = {"96360", "96365", "96374", "96409", "96413"}


def _clock(minutes: int) -> str:
    return f"{minutes // 60:02d}:{minutes % 60:02d}"


@st.composite
def administrations(draw):
    drug = draw(st.sampled_from(IV_DRUGS))
    route = draw(st.sampled_from(ROUTES))
    start = draw(st.integers(6 * 60, 18 * 60))
    length = draw(st.sampled_from([0, 2, 10, 15, 16, 30, 31, 45, 60, 61, 90, 91, 120, 151, 200, 211]))
    if route == "pump_start" and drug is None:
        drug = "J9190"
    fields = {
        "route": route,
        "start": _clock(start),
        "iv_site": draw(st.sampled_from(["A", "A", "B"])),
        "encounter": draw(st.sampled_from([1, 1, 1, 2])),
    }
    if route != "pump_start":
        fields["stop"] = _clock(start + length)
    if drug is None:
        fields["purpose"] = draw(st.sampled_from(["hydration", "hydration", "kvo"]))
    else:
        catalog_drug = TABLES.drugs.get(drug)
        unit = "mL" if catalog_drug.billing_unit == "mL" else "mg"
        fields.update(
            drug=drug,
            dose_unit=unit,
            dose=Decimal(draw(st.integers(1, 4000))) / draw(st.sampled_from([1, 10, 4])),
            wasted=draw(st.sampled_from([None, Decimal(0), Decimal("7.5"), Decimal(600)])),
        )
        if drug == "J0640":
            fields["purpose"] = "therapeutic"
    return Administration(**fields)


@st.composite
def encounters(draw):
    return Encounter(
        id="prop",
        date_of_service="2026-11-02",
        site_of_care=draw(st.sampled_from(["office", "aic", "hopd", "ais"])),
        payer_type=draw(st.sampled_from(["medicare", "commercial", "medicaid", "medicare_advantage"])),
        administrations=tuple(draw(st.lists(administrations(), min_size=1, max_size=7))),
    )


SETTINGS = settings(
    max_examples=int(os.environ.get("CODING_PROPERTY_EXAMPLES", "300")),
    deadline=None,
    suppress_health_check=[HealthCheck.too_slow],
)


@SETTINGS
@given(encounters())
def test_no_minute_is_billed_twice(encounter):
    """Time-based codes never need more minutes than were documented (ADM-T1..T4, ADM-SC1)."""
    result = code_encounter(encounter, catalog=STRICT)
    documented = 0
    for a in encounter.administrations:
        if a.route in ("iv_infusion", "subcutaneous_infusion") and a.purpose != "kvo":
            minutes = int(a.stop[:2]) * 60 + int(a.stop[3:]) - int(a.start[:2]) * 60 - int(a.start[3:])
            if a.route == "subcutaneous_infusion" or minutes > 15:
                documented += minutes
    needed = 0
    for line in result.lines:
        needed += FIRST_HOUR.get(line.code, 0) * line.units + PER_UNIT.get(line.code, 0) * line.units
    assert needed <= documented


@SETTINGS
@given(encounters())
def test_at_most_one_initial_per_site_and_encounter(encounter):
    """ADM-I1 / ADM-I3: one plain initial; more only with XS/XE, at most one per (encounter, IV site)."""
    result = code_encounter(encounter, catalog=TABLES)
    plain = sum(ln.units for ln in result.lines if ln.code in INITIAL and not ln.modifiers)
    total = sum(ln.units for ln in result.lines if ln.code in INITIAL)
    sites = {
        (a.encounter, a.iv_site) for a in encounter.administrations if a.route in ("iv_infusion", "iv_push")
    }
    assert plain <= 1
    assert total <= len(sites)


@SETTINGS
@given(encounters())
def test_drug_units_never_below_dose(encounter):
    """DRG-U1: units x billing unit >= total dose given."""
    result = code_encounter(encounter, catalog=TABLES)
    given_amounts: Counter = Counter()
    for a in encounter.administrations:
        if a.drug is None:
            continue
        drug = TABLES.drugs.get(a.drug)
        if not (a.purpose == "kvo" and drug.drug_class == "hydration_fluid"):
            given_amounts[a.drug] += a.dose * drug.scale[a.dose_unit]
    for line in result.lines:
        if line.family == "drug" and "JW" not in line.modifiers:
            drug = TABLES.drugs.get(line.code)
            assert line.units * drug.billing_unit_amount >= given_amounts[line.code]
            assert (line.units - 1) * drug.billing_unit_amount < given_amounts[line.code]


@SETTINGS
@given(encounters(), st.randoms(use_true_random=False))
def test_input_order_never_changes_the_output(encounter, rnd: random.Random):
    result = code_encounter(encounter, catalog=TABLES)
    shuffled = list(encounter.administrations)
    rnd.shuffle(shuffled)
    again = code_encounter(encounter.model_copy(update={"administrations": tuple(shuffled)}), catalog=TABLES)
    assert Counter(ln.key() for ln in again.lines) == Counter(ln.key() for ln in result.lines)
    assert again.lines == result.lines

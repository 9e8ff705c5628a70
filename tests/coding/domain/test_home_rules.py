"""docs/billing-rules/home-infusion.md and sites-of-care.md: one test or table per rule id."""

from __future__ import annotations

import random
import re
from collections import Counter
from decimal import Decimal

import pytest

from coding.domain.errors import EncounterError
from tests.coding.domain.helpers import adm, codes, enc, keys, run, want


def home(*therapies, nursing=(), **fields) -> dict:
    data = enc(site_of_care="home", home_therapies=list(therapies), nursing_visits=list(nursing))
    data.update(fields)
    return data


def therapy(name: str, **fields) -> dict:
    return {"therapy": name, **fields}


def per_diems(result):
    return keys(result, "per_diem")


MERO = therapy("anti_infective", drug="J2185", frequency_hours=8, dose="1000", dose_unit="mg")
VANC = therapy("anti_infective", drug="J3370", frequency_hours=12, dose="1000", dose_unit="mg")


def test_hit_p1_drugs_billed_beside_the_per_diem(catalog):
    result = run(catalog, home(MERO))
    assert per_diems(result) == want(("S9502",))
    assert keys(result, "drug") == want(("J2185", 30))


@pytest.mark.parametrize(
    ("volume", "code"),
    [
        (None, "S9364"),
        ("900", "S9365"),
        ("1000", "S9365"),
        ("1500", "S9366"),
        ("2500", "S9367"),
        ("3200", "S9368"),
    ],
)
def test_hit_p2_tpn_volume_tiers(catalog, volume, code):
    t = therapy("tpn", additives=[{"drug": "B4185", "dose": "20", "dose_unit": "g"}])
    if volume:
        t["volume_ml_per_day"] = volume
    result = run(catalog, home(t))
    assert per_diems(result) == want((code,))
    assert keys(result, "drug") == want(("B4185", 2))


def test_hit_p2_lipid_volume_tier_is_configurable(catalog):
    t = therapy(
        "tpn", volume_ml_per_day="1900", additives=[{"drug": "B4185", "dose": "250", "dose_unit": "g"}]
    )
    assert per_diems(run(catalog, home(t))) == want(("S9366",))


def test_hit_p3_p4_order_modifiers_and_fee_factors(catalog):
    """IDSA example and a third therapy: more frequent first, SH second, SJ third; contract factors."""
    hydration = therapy("hydration", volume_ml_per_day="1000")
    result = run(catalog, home(VANC, hydration, MERO))
    assert per_diems(result) == want(("S9502",), ("S9501", 1, "SH"), ("S9374", 1, "SJ"))
    factors = {ln.code: ln.fee_factor for ln in result.lines if ln.family == "per_diem"}
    assert factors == {"S9502": None, "S9501": Decimal("0.50"), "S9374": Decimal("0.25")}
    custom = run(catalog, home(VANC, MERO), per_diem_fee_factors=(Decimal(1), Decimal("0.3333")))
    assert {ln.fee_factor for ln in custom.lines if "SH" in ln.modifiers} == {Decimal("0.3333")}


def test_hit_p4_tie_break_keeps_the_documented_order(catalog):
    first = therapy("anti_tnf", drug="J1745", dose="400", dose_unit="mg")
    second = therapy("corticosteroid", drug="J2930", dose="125", dose_unit="mg")
    assert per_diems(run(catalog, home(first, second))) == want(("S9359",), ("S9490", 1, "SH"))
    assert per_diems(run(catalog, home(second, first))) == want(("S9490",), ("S9359", 1, "SH"))


# --- HIT-P3..P5 per day: SH is the 2nd therapy given *that day*, a per diem is one day's unit -------

CEFTRIAXONE = therapy("anti_infective", drug="J0696", frequency_hours=24, dose="2000", dose_unit="mg")
HYDRATION = therapy("hydration", volume_ml_per_day="1000")


def test_hit_p3_partial_overlap_is_ranked_per_day(catalog):
    """Meropenem days 1-5, vancomycin days 4-8: vancomycin is the 2nd therapy only on days 4-5; on
    days 6-8 it is given alone and is the primary per diem, so no SH."""
    result = run(catalog, home({**MERO, "days": 5}, {**VANC, "start_day": 4, "days": 5}))
    assert per_diems(result) == want(("S9502", 5), ("S9501", 2, "SH"), ("S9501", 3))
    factors = {ln.modifiers: ln.fee_factor for ln in result.lines if ln.code == "S9501"}
    assert factors == {("SH",): Decimal("0.50"), (): None}
    reasons = {ln.modifiers: ln.reason for ln in result.lines if ln.code == "S9501"}
    assert "days 4–5" in reasons[("SH",)] and "days 6–8" in reasons[()]
    assert "no SH/SJ" in reasons[()]


def test_hit_p3_primary_stopping_early_hands_the_first_place_on(catalog):
    """Meropenem q8h for 3 days, ceftriaxone q24h for 7: ceftriaxone is SH while meropenem runs and the
    primary per diem from day 4 (the fault billed S9500-SH x7)."""
    result = run(catalog, home({**MERO, "days": 3}, {**CEFTRIAXONE, "days": 7}))
    assert per_diems(result) == want(("S9502", 3), ("S9500", 3, "SH"), ("S9500", 4))
    # the drugs are untouched by the ranking (IDSA: drug charges are not reduced)
    assert keys(result, "drug") == want(("J2185", 90), ("J0696", 56))


def test_hit_p3_three_therapies_with_staggered_starts(catalog):
    """Meropenem days 1-10, vancomycin days 3-7, hydration days 5-9: hydration is the 3rd therapy (SJ)
    on days 5-7 and the 2nd (SH) on days 8-9 once vancomycin stops."""
    data = home(
        {**MERO, "days": 10},
        {**VANC, "start_day": 3, "days": 5},
        {**HYDRATION, "start_day": 5, "days": 5},
    )
    result = run(catalog, data)
    assert per_diems(result) == want(
        ("S9502", 10), ("S9501", 5, "SH"), ("S9374", 3, "SJ"), ("S9374", 2, "SH")
    )
    factors = {(ln.code, ln.modifiers): ln.fee_factor for ln in result.lines if ln.family == "per_diem"}
    assert factors[("S9374", ("SJ",))] == Decimal("0.25")
    assert factors[("S9374", ("SH",))] == Decimal("0.50")


def test_hit_p3_a_therapy_that_is_first_again_keeps_one_plain_line(catalog):
    """Hydration days 1-9 with meropenem days 3-5: hydration is plain on days 1-2 and 6-9 (one line of 6
    units, as days of one code add up) and SH on days 3-5."""
    result = run(catalog, home({**HYDRATION, "days": 9}, {**MERO, "start_day": 3, "days": 3}))
    assert per_diems(result) == want(("S9374", 6), ("S9374", 3, "SH"), ("S9502", 3))


def test_hit_p3_identical_spans_are_unchanged(catalog):
    """Therapies given on the same days keep one line each, ranked once (the behaviour before)."""
    expected = want(("S9502", 7), ("S9501", 7, "SH"), ("S9374", 7, "SJ"))
    same = [{**VANC, "days": 7}, {**HYDRATION, "days": 7}, {**MERO, "days": 7}]
    result = run(catalog, home(*same))
    assert per_diems(result) == expected
    assert [ln.code for ln in result.lines if ln.family == "per_diem"] == ["S9502", "S9501", "S9374"]
    assert not any(re.search(r"days \d", ln.reason) for ln in result.lines if ln.family == "per_diem")
    later = run(catalog, home(*({**t, "start_day": 3} for t in same)))
    assert per_diems(later) == expected
    ais = run(catalog, home({**MERO, "days": 2}, {**VANC, "days": 2}, site_of_care="ais"))
    assert per_diems(ais) == want(("S9502", 2, "SS"), ("S9501", 2, "SH", "SS"))


def _per_day_reference(therapies: list[dict]) -> Counter:
    """The rule read literally: for each day, rank that day's therapies and give each one a unit."""
    out: Counter = Counter()
    codes_by_interval = {8: "S9502", 12: "S9501", 24: "S9500", 6: "S9503"}
    for day in range(1, 40):
        given = [
            (t["frequency_hours"], i)
            for i, t in enumerate(therapies)
            if t["start_day"] <= day < t["start_day"] + t["days"]
        ]
        for rank, (hours, _) in enumerate(sorted(given)):
            mods = () if rank == 0 else ("SH",) if rank == 1 else ("SJ",)
            out[(codes_by_interval[hours], mods, 1)] += 1
    return out


def test_hit_p3_per_day_ranking_matches_the_rule_day_by_day(catalog):
    rng = random.Random(20261102)
    for _ in range(150):
        therapies = [
            {
                **MERO,
                "drug": None,
                "dose": None,
                "dose_unit": None,
                "frequency_hours": rng.choice((6, 8, 12, 24)),
                "start_day": rng.randint(1, 8),
                "days": rng.randint(1, 12),
            }
            for _ in range(rng.randint(1, 4))
        ]
        clean = [{k: v for k, v in t.items() if v is not None} for t in therapies]
        got: Counter = Counter()
        for line in run(catalog, home(*clean)).lines:
            if line.family == "per_diem":
                got[(line.code, line.modifiers, 1)] += line.units
        assert got == _per_day_reference(therapies), therapies


def test_hit_p5_per_diem_per_day_and_not_for_weekly_therapy(catalog):
    assert per_diems(run(catalog, home({**MERO, "days": 7}))) == want(("S9502", 7))
    weekly = therapy("immunotherapy", drug="J1559", frequency_hours=168, dose="10", dose_unit="g")
    result = run(catalog, home(weekly))
    assert per_diems(result) == want()
    assert keys(result, "drug") == want(("J1559", 100))
    assert "HIT-P5" in codes(result)


@pytest.mark.parametrize(
    ("fields", "code"),
    [
        ({"therapy": "anti_infective", "frequency_hours": 3}, "S9497"),
        ({"therapy": "anti_infective", "frequency_hours": 4}, "S9504"),
        ({"therapy": "anti_infective", "frequency_hours": 6}, "S9503"),
        ({"therapy": "anti_infective", "frequency_hours": 24}, "S9500"),
        ({"therapy": "anti_infective"}, "S9494"),
        ({"therapy": "pain_management"}, "S9325"),
        ({"therapy": "pain_management", "mode": "continuous"}, "S9326"),
        ({"therapy": "pain_management", "mode": "implanted_pump"}, "S9328"),
        ({"therapy": "chemotherapy", "mode": "intermittent"}, "S9331"),
        ({"therapy": "hydration"}, "S9373"),
        ({"therapy": "hydration", "volume_ml_per_day": "1500"}, "S9375"),
        ({"therapy": "hydration", "volume_ml_per_day": "3500"}, "S9377"),
        ({"therapy": "enteral", "mode": "pump"}, "S9342"),
        ({"therapy": "immunotherapy"}, "S9338"),
        ({"therapy": "anti_tnf"}, "S9359"),
        ({"therapy": "inotropic"}, "S9348"),
        ({"therapy": "anticoagulant", "mode": "intermittent"}, "S9372"),
        ({"therapy": "catheter_care", "mode": "simple"}, "S5498"),
        ({"therapy": "infusion_noc"}, "S9379"),
    ],
)
def test_hit_section_3_2_per_diem_codes(catalog, fields, code):
    assert per_diems(run(catalog, home(fields))) == want((code,))


def test_hit_section_3_2_unknown_family_or_mode_blocks(catalog):
    with pytest.raises(EncounterError, match=r"home_therapies\[0\]\.therapy 'aromatherapy'"):
        run(catalog, home(therapy("aromatherapy")))
    with pytest.raises(EncounterError, match=r"home_therapies\[0\]\.mode"):
        run(catalog, home(therapy("enteral", mode="drip")))


@pytest.mark.parametrize(
    ("visits", "expected"),
    [
        ([("09:00", "10:00")], want(("99601",))),
        ([("09:00", "11:00")], want(("99601",))),
        ([("09:00", "11:30")], want(("99601",))),
        ([("09:00", "11:31")], want(("99601",), ("99602",))),
        ([("09:00", "11:40")], want(("99601",), ("99602",))),
        ([("09:00", "13:00")], want(("99601",), ("99602", 2))),
        ([("08:00", "09:30"), ("15:00", "16:15")], want(("99601",), ("99602",))),
    ],
)
def test_hit_n1_nursing_visit_hours(catalog, visits, expected):
    nursing = [{"start": s, "stop": e} for s, e in visits]
    assert keys(run(catalog, home(nursing=nursing))) == expected


def test_hit_n1_daily_cap_lpn_and_sd(catalog):
    long_day = run(catalog, home(nursing=[{"start": "08:00", "stop": "14:00"}]))
    assert keys(long_day) == want(("99601",), ("99602", 2))
    assert "HIT-N1" in codes(long_day)
    lpn = run(catalog, home(nursing=[{"start": "09:00", "stop": "10:40", "credential": "LPN"}]))
    assert keys(lpn) == want(("S9124", 2))
    sd = run(catalog, home(nursing=[{"start": "09:00", "stop": "10:00"}]), nursing_modifier="SD")
    assert keys(sd) == want(("99601", 1, "SD"))


def test_hit_a1_infusion_suite_per_diem_carries_ss(catalog):
    result = run(catalog, home(MERO, VANC, site_of_care="ais"))
    assert per_diems(result) == want(("S9502", 1, "SS"), ("S9501", 1, "SH", "SS"))
    assert result.place_of_service == "49"
    medicare = run(catalog, home(MERO, site_of_care="ais", payer_type="medicare"))
    assert "SOC-AIS" in codes(medicare)


def test_hit_a1_nursing_in_the_suite_is_contract_specific(catalog):
    result = run(catalog, home(nursing=[{"start": "09:00", "stop": "10:00"}], site_of_care="ais"))
    assert "HIT-A1" in codes(result)


ACYCLOVIR = therapy("anti_infective", drug="J0133", frequency_hours=8, dose="500", dose_unit="mg")
MILRINONE = therapy("inotropic", drug="J2260", frequency_hours=24, dose="50", dose_unit="mg")
VISIT = {"start": "09:00", "stop": "10:00"}


def warning(result, code: str, path: str):
    return next(w for w in result.warnings if w.code == code and w.path == path)


def test_hit_m1_m2_medicare_ffs_gets_no_per_diem(catalog):
    result = run(catalog, home(ACYCLOVIR, payer_type="medicare"))
    assert per_diems(result) == want()
    assert keys(result, "drug") == want(("J0133", 300))
    assert {"HIT-M1", "HIT-M2"} <= codes(result)


def test_hit_m2_pump_lcd_drug_is_billed_on_part_b_dme_with_the_hit_day(catalog):
    """Milrinone is on the external infusion pump LCD (L33794): its J-code goes to the DME MAC and the
    nurse's visit on that drug day is an HIT services day (G0068)."""
    result = run(catalog, home({**MILRINONE, "days": 7}, nursing=[VISIT], payer_type="medicare"))
    (line,) = (ln for ln in result.lines if ln.family == "drug")
    assert (line.code, line.units) == ("J2260", 70)
    assert "HIT-M2: Medicare FFS, drug on the external infusion pump LCD (L33794): Part B DME" in line.reason
    assert "HIT-M2" in line.rule_ids
    (hit,) = (ln for ln in result.lines if ln.family == "hit")
    assert hit.code == "G0068" and "J2260 milrinone" in hit.reason and "L33794" in hit.reason
    assert per_diems(result) == want() and "HIT-M2" in codes(result)


def test_hit_m3_drug_not_on_the_pump_lcd_goes_to_part_d(catalog):
    """Meropenem is not on the pump LCD: under Medicare FFS it is a Part D drug, so no Part B J-code,
    no per diem and no HIT G-code (the fault billed J2185 and G0068)."""
    result = run(catalog, home(MERO, nursing=[VISIT], payer_type="medicare"))
    assert keys(result) == want()
    part_d = warning(result, "HIT-M1", "home_therapies[0].drug")
    assert "J2185" in part_d.message and "Part D" in part_d.message and "L33794" in part_d.message
    assert "no G-code" in warning(result, "HIT-M3", "nursing_visits").message
    assert "HIT-M2" not in codes(result)  # nothing for the DME MAC
    commercial = run(catalog, home(MERO, nursing=[VISIT]))
    assert keys(commercial, "drug") == want(("J2185", 30))
    assert all("HIT-M" not in ln.reason for ln in commercial.lines)


def test_hit_m2_m3_each_drug_is_routed_on_its_own(catalog):
    """Vancomycin (not on the LCD; the infusion pump NCD excludes it) beside acyclovir (on it): only
    acyclovir is a Part B line, and it alone makes the HIT day."""
    result = run(catalog, home(VANC, ACYCLOVIR, nursing=[VISIT], payer_type="medicare"))
    assert keys(result, "drug") == want(("J0133", 300))
    assert keys(result, "hit") == want(("G0068", 4))
    assert "J3370" in warning(result, "HIT-M1", "home_therapies[0].drug").message
    (hit,) = (ln for ln in result.lines if ln.family == "hit")
    assert "J0133" in hit.reason and "J3370" not in hit.reason


def test_hit_m1_other_part_b_home_benefits_keep_their_line_but_make_no_hit_day(catalog):
    ivig = therapy("immunotherapy", drug="J1459", dose="30000", dose_unit="mg")
    result = run(catalog, home(ivig, nursing=[VISIT], payer_type="medicare"))
    (line,) = (ln for ln in result.lines if ln.family == "drug")
    assert line.code == "J1459" and "home IVIG benefit" in line.reason and "HIT-M1" in line.rule_ids
    assert keys(result, "hit") == want() and "HIT-M3" in codes(result)
    tpn = therapy(
        "tpn", volume_ml_per_day="1500", additives=[{"drug": "B4185", "dose": "20", "dose_unit": "g"}]
    )
    lipids = run(catalog, home(tpn, payer_type="medicare"))
    (line,) = (ln for ln in lipids.lines if ln.family == "drug")
    assert line.code == "B4185" and "parenteral nutrition benefit" in line.reason


@pytest.mark.parametrize(
    ("drug", "initial", "code"),
    [
        (ACYCLOVIR, False, "G0068"),
        (ACYCLOVIR, True, "G0088"),
        (therapy("immunotherapy", drug="J1559", dose="10000", dose_unit="mg"), False, "G0069"),
        (
            therapy("chemotherapy", mode="continuous", drug="J9190", dose="2000", dose_unit="mg"),
            True,
            "G0090",
        ),
        (MILRINONE, False, "G0068"),
    ],
)
def test_hit_m3_medicare_hit_g_codes(catalog, drug, initial, code):
    visit = {**VISIT, "initial_visit": initial}
    result = run(catalog, home(drug, nursing=[visit], payer_type="medicare"))
    assert keys(result, "hit") == want((code, 4))
    per_day = run(catalog, home(drug, nursing=[visit], payer_type="medicare"), hit_units="per_day")
    assert keys(per_day, "hit") == want((code, 1))
    assert keys(result, "nursing") == want()


def test_hit_m3_a_therapy_without_a_documented_drug_makes_no_hit_day(catalog):
    result = run(catalog, home(therapy("anti_infective"), nursing=[VISIT], payer_type="medicare"))
    assert keys(result) == want() and "HIT-M3" in codes(result)


def test_hit_m3_no_g_code_without_a_drug_day(catalog):
    result = run(catalog, home(nursing=[{"start": "09:00", "stop": "10:00"}], payer_type="medicare"))
    assert keys(result) == want() and "HIT-M3" in codes(result)


def test_hit_m4_nursing_codes_for_a_medicare_denial(catalog):
    data = home(MERO, nursing=[{"start": "09:00", "stop": "10:00"}], payer_type="medicare")
    result = run(catalog, data, medicare_home_mode="denial_for_secondary")
    assert keys(result, "nursing") == want(("99601",))
    assert "HIT-M4" in codes(result)


def test_hit_3_6_medicare_advantage_and_medicaid_use_per_diems(catalog):
    assert per_diems(run(catalog, home(MERO, payer_type="medicare_advantage"))) == want(("S9502",))
    medicaid = run(catalog, home(MERO, payer_type="medicaid"))
    assert per_diems(medicaid) == want(("S9502",))
    assert "HIT-M1" in codes(medicaid)
    none = run(
        catalog,
        home(MERO, payer_type="medicaid"),
        per_diem_payers=frozenset({"commercial", "medicare_advantage"}),
    )
    assert per_diems(none) == want()


# --- §4 site of care -----------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("site", "pos", "form"),
    [
        ("office", "11", "837P"),
        ("aic", "11", "837P"),
        ("ais", "49", "837P"),
        ("hopd", "22", "837I"),
        ("home", "12", "837P"),
    ],
)
def test_soc_pos_place_of_service_and_claim_form(catalog, site, pos, form):
    data = enc(site_of_care=site)
    result = run(catalog, data)
    assert (result.place_of_service, result.claim_form) == (pos, form)


def test_soc_pos_aic_can_be_49_for_some_payers(catalog):
    result = run(
        catalog,
        enc(site_of_care="aic"),
        place_of_service={"office": "11", "aic": "49", "ais": "49", "home": "12", "hopd": "22"},
    )
    assert result.place_of_service == "49"


def test_soc_sup1_medicare_aic_supervision_note(catalog):
    data = enc(
        site_of_care="aic",
        payer_type="medicare",
        administrations=[adm("09:00", "10:00", "J1745", "400", wasted="0")],
    )
    assert "SOC-SUP1" in codes(run(catalog, data))
    assert "SOC-SUP1" not in codes(run(catalog, {**data, "site_of_care": "hopd"}))  # SOC-SUP2: general


def test_soc_home_and_clinic_services_do_not_mix(catalog):
    with pytest.raises(EncounterError, match="encounter t-1: administrations are coded only"):
        run(catalog, home(administrations=[adm("09:00", "10:00", "J1745", "400")]))
    with pytest.raises(EncounterError, match="encounter t-1: home_therapies are home infusion services"):
        run(catalog, enc(home_therapies=[MERO]))

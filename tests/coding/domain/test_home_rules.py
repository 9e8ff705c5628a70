"""docs/billing-rules/home-infusion.md and sites-of-care.md: one test or table per rule id."""

from __future__ import annotations

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


def test_hit_m1_m2_medicare_ffs_gets_no_per_diem(catalog):
    result = run(catalog, home(MERO, payer_type="medicare"))
    assert per_diems(result) == want()
    assert keys(result, "drug") == want(("J2185", 30))
    assert {"HIT-M1", "HIT-M2"} <= codes(result)


@pytest.mark.parametrize(
    ("name", "initial", "code"),
    [
        ("anti_infective", False, "G0068"),
        ("anti_infective", True, "G0088"),
        ("immunotherapy", False, "G0069"),
        ("chemotherapy", True, "G0090"),
        ("inotropic", False, "G0068"),
    ],
)
def test_hit_m3_medicare_hit_g_codes(catalog, name, initial, code):
    visit = {"start": "09:00", "stop": "10:00", "initial_visit": initial}
    result = run(catalog, home(therapy(name), nursing=[visit], payer_type="medicare"))
    assert keys(result, "hit") == want((code, 4))
    per_day = run(catalog, home(therapy(name), nursing=[visit], payer_type="medicare"), hit_units="per_day")
    assert keys(per_day, "hit") == want((code, 1))
    assert keys(result, "nursing") == want()


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

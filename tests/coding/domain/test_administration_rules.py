"""docs/billing-rules/administration.md (administration codes): one test or table per rule id."""

from __future__ import annotations

import pytest

from coding.domain.timing import additional_hours, addon_hours_from_zero
from tests.coding.domain.helpers import adm, admin, codes, enc, hyd, keys, run, want

NS = "hydration"


# --- §1.11 worked examples, table-driven ---------------------------------------------------------

WORKED = [
    ("1 NS 25 min (ADM-T2)", "office", [hyd("10:00", "10:25")], want()),
    ("2 NS 200 min (ADM-T3)", "office", [hyd("09:00", "12:20")], want(("96360",), ("96361", 2))),
    ("3 drug 15 min (ADM-T1)", "office", [adm("14:00", "14:15", "J0696", "1000")], want(("96374",))),
    ("4 drug 16 min (ADM-T1)", "office", [adm("14:00", "14:16", "J0696", "1000")], want(("96365",))),
    (
        "5 infliximab 165 min (ADM-T3)",
        "office",
        [adm("09:00", "11:45", "J1745", "400")],
        want(("96365",), ("96366", 2)),
    ),
    ("6a IVIG 90 min (ADM-T3)", "office", [adm("10:00", "11:30", "J1459", "40000")], want(("96365",))),
    (
        "6b IVIG 91 min (ADM-T3)",
        "office",
        [adm("10:00", "11:31", "J1459", "40000")],
        want(("96365",), ("96366",)),
    ),
    (
        "7 sequential (ADM-S1)",
        "office",
        [adm("08:00", "09:45", "J3370", "1000"), adm("09:50", "10:20", "J0696", "1000")],
        want(("96365",), ("96366",), ("96367",)),
    ),
    (
        "8 concurrent (ADM-C1)",
        "office",
        [adm("10:00", "11:00", "J3370", "1000"), adm("10:10", "10:40", "J2543", "3375")],
        want(("96365",), ("96368",)),
    ),
    (
        "9 infusion then new push (ADM-P1)",
        "office",
        [adm("09:00", "10:00", "J3262", "560"), adm("10:05", "10:06", "J2405", "4", route="iv_push")],
        want(("96365",), ("96375",)),
    ),
    (
        "10 NS then carboplatin (ADM-I2, ADM-H2)",
        "office",
        [hyd("08:00", "09:00"), adm("09:05", "09:35", "J9045", "450")],
        want(("96413",), ("96361",)),
    ),
    (
        "11 oxaliplatin with NS concurrently (ADM-H3)",
        "office",
        [adm("09:00", "11:00", "J9263", "150"), hyd("09:00", "11:00")],
        want(("96413",), ("96415",)),
    ),
    (
        "12a same drug pushed twice, hospital (ADM-P2)",
        "hopd",
        [
            adm("09:00", None, "J2405", "4", route="iv_push"),
            adm("10:00", None, "J2405", "4", route="iv_push"),
        ],
        want(("96374",), ("96376",)),
    ),
    (
        "12b same drug pushed twice, office (ADM-P2)",
        "office",
        [
            adm("09:00", None, "J2405", "4", route="iv_push"),
            adm("10:00", None, "J2405", "4", route="iv_push"),
        ],
        want(("96374",)),
    ),
]


@pytest.mark.parametrize(
    ("site", "administrations", "expected"), [w[1:] for w in WORKED], ids=[w[0] for w in WORKED]
)
def test_reference_worked_examples_1_11(catalog, site, administrations, expected):
    assert admin(run(catalog, enc(site_of_care=site, administrations=administrations))) == expected


# --- definitions ---------------------------------------------------------------------------------


def test_adm_d1_documented_push_stays_a_push_even_over_15_minutes(catalog):
    """ADM-D1 / ADM-CH1 slow-push note: continuous presence makes it a push."""
    result = run(catalog, enc(administrations=[adm("10:00", "10:20", "J1439", "750", route="iv_push")]))
    assert admin(result) == want(("96374",))


def test_adm_d2_drug_documented_as_hydration_goes_to_review(catalog):
    result = run(
        catalog, enc(administrations=[hyd("10:00", "11:00", drug="J1756", dose="200", dose_unit="mg")])
    )
    assert "ADM-D2" in codes(result)


def test_adm_d3_payer_can_make_a_monoclonal_antibody_complex(catalog):
    data = enc(administrations=[adm("09:00", "11:00", "J1745", "400")])
    assert admin(run(catalog, data)) == want(("96365",), ("96366",))
    assert admin(run(catalog, data, admin_category_overrides={"J1745": "chemotherapy"})) == want(
        ("96413",), ("96415",)
    )


def test_adm_d3_leucovorin_with_chemo_is_not_chemo(catalog):
    """ADM-D3 / ADM-CH2: leucovorin after oxaliplatin is a therapeutic sequential 96367, not 96417."""
    data = enc(
        administrations=[
            adm("09:00", "11:00", "J9263", "150"),
            adm("11:05", "11:50", "J0640", "400", purpose="therapeutic"),
        ]
    )
    assert admin(run(catalog, data)) == want(("96413",), ("96415",), ("96367",))


# --- time rules ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("minutes", "units"),
    [(16, 0), (60, 0), (75, 0), (90, 0), (91, 1), (150, 1), (151, 2), (210, 2), (211, 3)],
)
def test_adm_t3_additional_hour_thresholds(minutes, units):
    assert additional_hours(minutes) == units


@pytest.mark.parametrize(("minutes", "units"), [(30, 0), (31, 1), (60, 1), (90, 1), (91, 2), (151, 3)])
def test_adm_t3_standalone_add_on_hours(minutes, units):
    """ADM-H2 96361 after another initial: each hour or part of more than 30 min."""
    assert addon_hours_from_zero(minutes) == units


@pytest.mark.parametrize(("stop", "expected"), [("10:30", want()), ("10:31", want(("96360",)))])
def test_adm_t2_hydration_needs_31_minutes(catalog, stop, expected):
    assert admin(run(catalog, enc(administrations=[hyd("10:00", stop)]))) == expected


def test_adm_t2_payer_variant_threshold(catalog):
    result = run(catalog, enc(administrations=[hyd("10:00", "10:20")]), hydration_min_minutes=16)
    assert admin(result) == want(("96360",))


def test_adm_t4_bag_change_does_not_restart_the_clock(catalog):
    data = enc(
        administrations=[adm("09:00", "10:00", "J1459", "20000"), adm("10:05", "10:40", "J1459", "10000")]
    )
    result = run(catalog, data)
    assert admin(result) == want(("96365",), ("96366",))
    assert keys(result, "drug") == want(("J1459", 60))


def test_adm_t4_separate_same_drug_infusions_are_added_and_flagged(catalog):
    data = enc(
        administrations=[adm("08:00", "09:00", "J3370", "1000"), adm("14:00", "14:40", "J3370", "1000")]
    )
    result = run(catalog, data)
    assert admin(result) == want(("96365",), ("96366",))
    assert "ADM-T4" in codes(result)
    not_summed = run(catalog, data, sum_same_drug_infusions=False)
    assert admin(not_summed) == want(("96365",))
    assert "ADM-T4" in codes(not_summed)


def test_adm_t5_hydration_across_midnight(catalog):
    data = enc(site_of_care="hopd", administrations=[hyd("23:00", "02:00", ends_next_day=True)])
    assert admin(run(catalog, data)) == want(("96360",), ("96361", 2))


# --- choosing the initial ------------------------------------------------------------------------


def test_adm_i1_one_initial_per_encounter(catalog):
    data = enc(
        administrations=[
            adm("09:00", "10:00", "J1745", "400"),
            adm("10:00", "10:30", "J3370", "500"),
            adm("10:35", "10:36", "J2405", "4", route="iv_push"),
            hyd("11:00", "12:00"),
        ]
    )
    lines = admin(run(catalog, data))
    initials = {"96360", "96365", "96374", "96409", "96413"}
    assert sum(n for (code, _, _), n in lines.items() if code in initials) == 1
    assert lines == want(("96365",), ("96367",), ("96375",), ("96361",))


def test_adm_i2_facility_hierarchy_push_outranks_hydration(catalog):
    data = enc(
        site_of_care="hopd",
        administrations=[hyd("08:00", "09:00"), adm("09:05", None, "J2405", "4", route="iv_push")],
    )
    assert admin(run(catalog, data)) == want(("96374",), ("96361",))


def test_adm_i2_office_primary_reason_override(catalog):
    administrations = [hyd("08:00", "09:30", primary=True), adm("09:35", None, "J2405", "4", route="iv_push")]
    assert admin(run(catalog, enc(administrations=administrations))) == want(("96360",), ("96375",))
    hospital = run(catalog, enc(site_of_care="hopd", administrations=administrations))
    assert admin(hospital) == want(("96374",), ("96361",))
    assert "ADM-I2" in codes(hospital)


def test_adm_i2_hierarchy_ignores_order_given(catalog):
    """Chemo given after a therapeutic infusion is still the initial service."""
    data = enc(administrations=[adm("08:00", "08:45", "J1756", "200"), adm("09:00", "09:40", "J9045", "450")])
    assert admin(run(catalog, data)) == want(("96413",), ("96367",))


def test_adm_i3_second_site_gets_a_second_initial_with_xs(catalog):
    data = enc(
        administrations=[
            adm("09:00", "10:00", "J1745", "400", iv_site="A"),
            adm("09:00", "10:00", "J3370", "1000", iv_site="B"),
        ]
    )
    assert admin(run(catalog, data)) == want(("96365",), ("96365", 1, "XS"))


def test_adm_i3_two_chemo_drugs_two_sites(catalog):
    data = enc(
        administrations=[
            adm("09:00", "09:50", "J9045", "450", iv_site="L-arm"),
            adm("09:00", "09:50", "J9263", "150", iv_site="R-arm"),
        ]
    )
    assert admin(run(catalog, data)) == want(("96413",), ("96413", 1, "XS"))


def test_adm_i3_separate_encounter_same_day_gets_xe(catalog):
    data = enc(
        administrations=[
            adm("09:00", "09:30", "J1756", "200"),
            adm("15:00", "15:40", "J3370", "1000", encounter=2),
        ]
    )
    assert admin(run(catalog, data)) == want(("96365",), ("96365", 1, "XE"))


# --- sequential, concurrent, pushes --------------------------------------------------------------


def test_adm_s1_aapc_levoleucovorin_after_chemo_push(catalog):
    """AAPC example: 5-FU push initial (96409), 2 h 05 min leucovorin infusion -> 96367 + 96366 x1."""
    data = enc(
        administrations=[
            adm("09:00", None, "J9190", "500", route="iv_push"),
            adm("09:05", "11:10", "J0640", "200", purpose="therapeutic"),
        ]
    )
    assert admin(run(catalog, data)) == want(("96409",), ("96367",), ("96366",))


def test_adm_s1_sequential_chemo_is_96417_with_its_own_hours(catalog):
    data = enc(administrations=[adm("09:00", "09:30", "J9045", "450"), adm("09:35", "11:35", "J9263", "150")])
    assert admin(run(catalog, data)) == want(("96413",), ("96417",), ("96415",))


def test_adm_c1_concurrent_only_once_and_hydration_never_concurrent(catalog):
    data = enc(
        administrations=[
            adm("10:00", "11:00", "J3370", "1000"),
            adm("10:05", "10:50", "J2543", "3375"),
            adm("10:10", "10:45", "J2185", "1000"),
            hyd("10:00", "11:00"),
        ]
    )
    result = run(catalog, data)
    assert admin(result) == want(("96365",), ("96368",))
    assert "ADM-C1" in codes(result) and "ADM-H3" in codes(result)


def test_adm_c1_concurrent_with_chemo_initial(catalog):
    data = enc(
        administrations=[
            adm("09:00", "11:00", "J9263", "150"),
            adm("09:00", "11:00", "J0640", "400", purpose="therapeutic"),
        ]
    )
    assert admin(run(catalog, data)) == want(("96413",), ("96415",), ("96368",))


def test_adm_c1_short_overlap_is_sequential(catalog):
    """Overlap under 16 minutes (MAC, configurable) is not a concurrent infusion."""
    data = enc(
        administrations=[adm("10:00", "11:00", "J3370", "1000"), adm("10:50", "11:30", "J2543", "3375")]
    )
    assert admin(run(catalog, data)) == want(("96365",), ("96367",))


def test_adm_p1_each_new_push_is_96375_and_chemo_push_after_chemo_is_96411(catalog):
    data = enc(
        administrations=[
            adm("09:00", "10:00", "J1745", "400"),
            adm("10:05", None, "J2405", "4", route="iv_push"),
            adm("10:10", None, "J1100", "10", route="iv_push"),
        ]
    )
    assert admin(run(catalog, data)) == want(("96365",), ("96375", 2))
    chemo = enc(
        administrations=[
            adm("09:00", "11:00", "J9263", "150"),
            adm("11:05", None, "J9190", "500", route="iv_push"),
        ]
    )
    assert admin(run(catalog, chemo)) == want(("96413",), ("96415",), ("96411",))


def test_adm_p2_repeat_push_within_30_minutes_not_reported_in_hospital(catalog):
    data = enc(
        site_of_care="hopd",
        administrations=[
            adm("09:00", None, "J2405", "4", route="iv_push"),
            adm("09:30", None, "J2405", "4", route="iv_push"),
        ],
    )
    result = run(catalog, data)
    assert admin(result) == want(("96374",))
    assert keys(result, "drug") == want(("J2405", 8))


def test_adm_p2_no_96375_for_the_same_drug_in_an_office(catalog):
    data = enc(
        administrations=[
            adm("09:00", "10:00", "J1745", "400"),
            adm("10:05", None, "J2405", "4", route="iv_push"),
            adm("11:05", None, "J2405", "4", route="iv_push"),
        ]
    )
    assert admin(run(catalog, data)) == want(("96365",), ("96375",))


# --- chemo, injections, SC infusion --------------------------------------------------------------


def test_adm_ch1_folfox_day_one(catalog):
    data = enc(
        administrations=[
            adm("09:00", "11:00", "J9263", "170"),
            adm("09:00", "11:00", "J0640", "400", purpose="therapeutic"),
            adm("11:05", None, "J9190", "800", route="iv_push"),
            adm("11:10", None, "J9190", "4800", route="pump_start"),
        ]
    )
    result = run(catalog, data)
    assert admin(result) == want(("96413",), ("96415",), ("96368",), ("96411",), ("96416",))
    assert keys(result, "drug")[("J9190", (), 12)] == 1  # 5600 mg / 500 mg


def test_adm_ch1_pump_refill_codes(catalog):
    data = enc(administrations=[adm("10:00", None, "J9190", "2400", route="pump_refill")])
    assert admin(run(catalog, data)) == want(("96521",))


def test_adm_ch2_non_chemo_drugs_in_a_chemo_visit_use_therapeutic_add_ons(catalog):
    data = enc(
        administrations=[
            adm("08:30", None, "J2405", "8", route="iv_push"),
            adm("08:35", "08:55", "J1100", "12"),
            adm("09:00", "10:00", "J9045", "450"),
        ]
    )
    assert admin(run(catalog, data)) == want(("96413",), ("96375",), ("96367",))


@pytest.mark.parametrize(
    ("drug", "dose", "route", "code"),
    [
        ("J9041", "2.6", "subcutaneous", "96401"),
        ("J9217", "22.5", "intramuscular", "96402"),
        ("J0897", "60", "subcutaneous", "96372"),
    ],
)
def test_adm_ch3_sc_im_injections(catalog, drug, dose, route, code):
    result = run(catalog, enc(administrations=[adm("10:00", None, drug, dose, route=route)]))
    assert admin(result) == want((code,))


@pytest.mark.parametrize(("route", "code"), [("intra_arterial", "96373"), ("on_body_injector", "96377")])
def test_adm_inj1_other_injections(catalog, route, code):
    result = run(catalog, enc(administrations=[adm("10:00", None, "J2506", "6", route=route)]))
    assert admin(result) == want((code,))


def test_adm_inj1_injection_beside_an_iv_service_is_its_own_service_and_flagged(catalog):
    data = enc(
        administrations=[
            adm("09:00", "10:00", "J1745", "400"),
            adm("10:30", None, "J0897", "60", route="subcutaneous"),
        ]
    )
    result = run(catalog, data)
    assert admin(result) == want(("96365",), ("96372",))
    assert "ADM-INJ1" in codes(result)


def test_adm_sc1_sc_infusion_sites_set_up_together_and_a_later_set_up(catalog):
    data = enc(
        administrations=[
            adm("10:00", "11:35", "J1559", "5000", route="subcutaneous_infusion", iv_site="abdomen-L"),
            adm("10:00", "11:35", "J1559", "5000", route="subcutaneous_infusion", iv_site="abdomen-R"),
            adm("12:00", "12:40", "J1559", "2000", route="subcutaneous_infusion", iv_site="thigh"),
        ]
    )
    result = run(catalog, data)
    assert admin(result) == want(("96369",), ("96370",), ("96371",))
    assert keys(result, "drug") == want(("J1559", 120))


# --- hydration -----------------------------------------------------------------------------------


def test_adm_h1_billed_hydration_reminds_of_necessity_and_order(catalog):
    assert "ADM-H1" in codes(run(catalog, enc(administrations=[hyd("10:00", "11:00")])))


def test_adm_h2_hydration_after_a_push(catalog):
    data = enc(administrations=[adm("09:00", None, "J2405", "4", route="iv_push"), hyd("09:05", "10:05")])
    assert admin(run(catalog, data)) == want(("96374",), ("96361",))


def test_adm_h2_protocol_hydration_goes_to_review(catalog):
    data = enc(
        administrations=[
            hyd("08:00", "09:00", protocol_hydration=True),
            adm("09:05", "10:05", "J9045", "450"),
        ]
    )
    result = run(catalog, data)
    assert admin(result) == want(("96413",))
    assert "ADM-H2" in codes(result)
    assert admin(run(catalog, data, report_protocol_hydration=True)) == want(("96413",), ("96361",))


def test_adm_h3_only_the_non_concurrent_part_of_hydration_counts(catalog):
    data = enc(administrations=[hyd("08:00", "10:00"), adm("09:00", "10:00", "J1756", "200")])
    assert admin(run(catalog, data)) == want(("96365",), ("96361",))


def test_adm_h4_kvo_and_vehicle_fluid_are_not_hydration(catalog):
    data = enc(administrations=[adm("08:00", "12:00", "J7030", "1000", unit="mL", purpose="kvo")])
    result = run(catalog, data)
    assert result.lines == ()
    assert "ADM-H4" in codes(result)


def test_adm_h4_payer_volume_minimum(catalog):
    data = enc(administrations=[hyd("08:00", "09:00", drug="J7050", dose="250", dose_unit="mL")])
    assert admin(run(catalog, data)) == want(("96360",))
    assert admin(run(catalog, data, hydration_min_volume_ml=500)) == want()


def test_adm_b1_port_irrigation_only_alone(catalog):
    alone = enc(administrations=[adm("10:00", None, route="port_irrigation")])
    assert admin(run(catalog, alone)) == want(("96523",))
    with_infusion = enc(
        administrations=[adm("09:00", "10:00", "J1745", "400"), adm("10:05", None, route="port_irrigation")]
    )
    assert admin(run(catalog, with_infusion)) == want(("96365",))


# --- E/M and facility ----------------------------------------------------------------------------


def test_adm_em1_em_needs_to_be_separately_identifiable(catalog):
    infusion = [adm("09:00", "10:00", "J1745", "400")]
    not_separate = run(catalog, enc(evaluation={"code": "99213"}, administrations=infusion))
    assert keys(not_separate, "em") == want()
    assert "ADM-EM1" in codes(not_separate)
    alone = run(catalog, enc(evaluation={"code": "99213", "separately_identifiable": True}))
    assert keys(alone) == want(("99213",))


def test_adm_em2_medicare_does_not_pay_99211_with_administration(catalog):
    data = enc(
        payer_type="medicare",
        evaluation={"code": "99211", "separately_identifiable": True},
        administrations=[adm("09:00", "10:00", "J1756", "200", wasted="0")],
    )
    result = run(catalog, data)
    assert keys(result, "em") == want()
    assert "ADM-EM2" in codes(result)
    commercial = run(catalog, {**data, "payer_type": "commercial"})
    assert keys(commercial, "em") == want(("99211", 1, "25"))


def test_adm_f1_hospital_admin_codes_go_on_the_facility_claim(catalog):
    data = enc(
        site_of_care="hopd",
        evaluation={"code": "99214", "separately_identifiable": True},
        administrations=[adm("09:00", "10:00", "J1745", "400")],
    )
    result = run(catalog, data)
    assert result.claim_form == "837I"
    assert "ADM-F1" in codes(result)
    office = run(catalog, {**data, "site_of_care": "office"})
    assert office.claim_form == "837P" and "ADM-F1" not in codes(office)

"""parse_encounter: blocking input problems name the encounter and the field."""

from __future__ import annotations

import pytest

from coding.domain.errors import EncounterError
from coding.domain.parse import parse_encounter, parse_encounters
from infusion_rcm.common.errors import InvalidInputError
from tests.coding.domain.helpers import adm, enc, hyd


def _raises(data, message, catalog=None):
    with pytest.raises(EncounterError) as info:
        parse_encounter(data, catalog=catalog)
    assert str(info.value) == message
    assert isinstance(info.value, InvalidInputError)
    return info.value


def test_stop_before_start():
    data = enc(id="visit-7", administrations=[hyd("06:00", "07:00"), adm("09:00", "08:00", "J1745", "400")])
    error = _raises(data, "encounter visit-7: administrations[1].stop 08:00 is before start 09:00")
    assert error.path == "administrations[1].stop" and error.encounter_id == "visit-7"


def test_unknown_drug(catalog):
    data = enc(id="visit-3", administrations=[adm("09:00", "10:00", "J9999", "1")])
    _raises(data, "encounter visit-3: administrations[0].drug J9999 is not in the drug catalog", catalog)


def test_unknown_drug_is_only_checked_with_a_catalog():
    parse_encounter(enc(administrations=[adm("09:00", "10:00", "J9999", "1")]))


def test_missing_required_field():
    data = enc()
    del data["payer_type"]
    _raises(data, "encounter t-1: payer_type is required")


def test_bad_clock_time():
    with pytest.raises(
        EncounterError, match=r"^encounter t-1: administrations\[0\]\.start '9:00' is not a valid"
    ):
        parse_encounter(enc(administrations=[adm("9:00", "10:00")]))


def test_unknown_route_literal():
    with pytest.raises(EncounterError, match=r"administrations\[0\]\.route 'iv_drip' is not one of"):
        parse_encounter(enc(administrations=[adm("09:00", "10:00", route="iv_drip")]))


def test_extra_field_refused():
    _raises(
        enc(administrations=[{**adm("09:00", "10:00"), "colour": "red"}]),
        "encounter t-1: administrations[0].colour is not a field of the encounter format",
    )


def test_float_amounts_refused():
    with pytest.raises(EncounterError, match=r"administrations\[0\]\.dose"):
        parse_encounter(enc(administrations=[adm("09:00", "10:00", "J1745", 400.5)]))


def test_negative_amount_refused():
    with pytest.raises(EncounterError, match=r"administrations\[0\]\.wasted"):
        parse_encounter(enc(administrations=[adm("09:00", "10:00", "J1745", "400", wasted="-1")]))


def test_infusion_needs_a_stop():
    _raises(
        enc(administrations=[adm("09:00", None, "J1745", "400")]),
        "encounter t-1: administrations[0].stop is required for an infusion: start and stop times are "
        "documented (ADM-T4)",
    )


def test_drug_needs_a_dose():
    data = enc(administrations=[{"route": "iv_push", "start": "09:00", "drug": "J2405"}])
    _raises(data, "encounter t-1: administrations[0].dose is required when a drug (J2405) is given")


def test_dose_unit_must_convert(catalog):
    data = enc(administrations=[adm("09:00", "10:00", "J1745", "400", unit="mL")])
    _raises(
        data,
        "encounter t-1: administrations[0].dose_unit mL cannot be converted to the billing unit mg of J1745",
        catalog,
    )


def test_home_therapy_unknown_drug(catalog):
    data = enc(
        site_of_care="home",
        home_therapies=[{"therapy": "anti_infective", "drug": "J0000", "dose": "1", "dose_unit": "mg"}],
    )
    _raises(data, "encounter t-1: home_therapies[0].drug J0000 is not in the drug catalog", catalog)


def test_nursing_stop_before_start():
    data = enc(site_of_care="home", nursing_visits=[{"start": "10:00", "stop": "09:00"}])
    _raises(data, "encounter t-1: nursing_visits[0].stop 09:00 is before start 10:00")


def test_not_an_object():
    with pytest.raises(EncounterError, match="must be a JSON object"):
        parse_encounter(["x"])  # type: ignore[arg-type]


def test_example_keys_are_ignored_and_defaults_filled():
    data = enc(title="x", expected_lines=[], rules=[], administrations=[adm("09:00", "10:00")])
    encounter = parse_encounter(data)
    assert encounter.administrations[0].iv_site == "A" and encounter.administrations[0].encounter == 1


def test_parse_encounters_list(catalog):
    assert [e.id for e in parse_encounters([enc(id="a"), enc(id="b")], catalog=catalog)] == ["a", "b"]
    with pytest.raises(EncounterError, match="encounter b: date_of_service"):
        parse_encounters([enc(id="a"), enc(id="b", date_of_service="2026-13-40")])


def test_midnight_needs_ends_next_day():
    parse_encounter(enc(administrations=[hyd("23:00", "01:00", ends_next_day=True)]))
    with pytest.raises(EncounterError, match="before start"):
        parse_encounter(enc(administrations=[hyd("23:00", "01:00")]))

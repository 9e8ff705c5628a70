"""ADM-I3: the engine compares vascular access identities (site + side + device), not typed labels."""

from __future__ import annotations

import pytest
from pydantic import ValidationError

from coding.domain.types import Administration
from coding.domain.vascular_access import ACCESS_DEVICES, ACCESS_SIDES, ACCESS_SITES, access_label
from tests.coding.domain.helpers import adm, admin, enc, hyd, run, want

R_AC = {"site": "antecubital", "side": "right", "device": "peripheral_iv"}
L_AC = {"site": "antecubital", "side": "left", "device": "peripheral_iv"}


def test_hydration_after_a_drug_on_one_structured_access_is_a_subsequent_hour(catalog):
    """The issue's case: one right antecubital IV, documented twice; 96361, not a second 96360-XS."""
    data = enc(
        administrations=[
            adm("09:00", "10:00", "J1745", "400", access=dict(R_AC)),
            hyd("10:05", "11:10", access=dict(R_AC)),
        ]
    )
    assert admin(run(catalog, data)) == want(("96365",), ("96361",))


def test_the_access_identity_wins_over_the_typed_label(catalog):
    """Labels typed differently ("R AC", "R antecubital") on the same access are one access."""
    data = enc(
        administrations=[
            adm("09:00", "10:00", "J1745", "400", iv_site="R AC", access=dict(R_AC)),
            hyd("10:05", "11:10", iv_site="R antecubital", access=dict(R_AC)),
        ]
    )
    assert admin(run(catalog, data)) == want(("96365",), ("96361",))


def test_two_accesses_differing_only_by_side_are_two_sites(catalog):
    data = enc(
        administrations=[
            adm("09:00", "10:00", "J1745", "400", access=dict(R_AC)),
            adm("09:00", "10:00", "J3380", "300", access=dict(L_AC)),
        ]
    )
    assert admin(run(catalog, data)) == want(("96365",), ("96365", 1, "XS"))


def test_lines_name_the_access_by_its_label(catalog):
    data = enc(administrations=[adm("09:00", "10:00", "J1745", "400", access=dict(R_AC))])
    line = next(line for line in run(catalog, data).lines if line.code == "96365")
    assert line.iv_site == "right antecubital peripheral IV"


def test_an_access_off_the_lists_is_refused():
    with pytest.raises(ValidationError):
        Administration.model_validate(
            {"route": "iv_push", "start": "09:00", "access": {"site": "AC", "side": "R", "device": "iv"}}
        )


def test_labels_are_one_to_one_with_identities():
    labels = {
        access_label(site, side, device)
        for site in ACCESS_SITES
        for side in ACCESS_SIDES
        for device in ACCESS_DEVICES
    }
    assert len(labels) == len(ACCESS_SITES) * len(ACCESS_SIDES) * len(ACCESS_DEVICES)

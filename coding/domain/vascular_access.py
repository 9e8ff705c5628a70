"""The vascular access an administration runs through, as an identity rather than a label (ADM-I3).

One initial service is reported per access per encounter; a second initial (XS) needs a second,
separate access. A nurse who types "R AC" for one bag and "R antecubital" for the next has used one
vein, so free text cannot be what the engine compares: an access is site + side + device, each from
a closed list, and two administrations share an access exactly when the three are equal.
Documentation that only has a label (`iv_site`, e.g. "A"/"B" from older records or files) keeps
comparing labels.
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType
from typing import Literal

# value -> what the nurse reads. Ordered as a nurse scans them: peripheral sites first.
ACCESS_SITES: Mapping[str, str] = MappingProxyType(
    {
        "antecubital": "antecubital",
        "forearm": "forearm",
        "hand": "hand",
        "wrist": "wrist",
        "upper_arm": "upper arm",
        "external_jugular": "external jugular",
        "chest": "chest",
        "subclavian": "subclavian",
        "internal_jugular": "internal jugular",
        "femoral": "femoral",
        "abdomen": "abdomen (subcutaneous)",
        "thigh": "thigh (subcutaneous)",
        "foot": "foot",
        "scalp": "scalp",
    }
)
ACCESS_SIDES: Mapping[str, str] = MappingProxyType({"right": "right", "left": "left", "midline": "midline"})
ACCESS_DEVICES: Mapping[str, str] = MappingProxyType(
    {
        "peripheral_iv": "peripheral IV",
        "midline_catheter": "midline catheter",
        "picc": "PICC",
        "implanted_port": "implanted port",
        "tunneled_cvc": "tunneled central line",
        "non_tunneled_cvc": "non-tunneled central line",
        "subcutaneous_set": "subcutaneous needle set",
    }
)

AccessSite = Literal[
    "antecubital",
    "forearm",
    "hand",
    "wrist",
    "upper_arm",
    "external_jugular",
    "chest",
    "subclavian",
    "internal_jugular",
    "femoral",
    "abdomen",
    "thigh",
    "foot",
    "scalp",
]
AccessSide = Literal["right", "left", "midline"]
AccessDevice = Literal[
    "peripheral_iv",
    "midline_catheter",
    "picc",
    "implanted_port",
    "tunneled_cvc",
    "non_tunneled_cvc",
    "subcutaneous_set",
]

_LABELS: dict[tuple[str, str, str], str] = {}


def access_label(site: str, side: str, device: str) -> str:
    """The access's identity as the biller reads it, e.g. "right antecubital peripheral IV".

    One label per (site, side, device) and one (site, side, device) per label, so equal labels are
    equal identities; memoised because the engine asks once per administration.
    """
    key = (site, side, device)
    label = _LABELS.get(key)
    if label is None:
        label = _LABELS[key] = f"{ACCESS_SIDES[side]} {ACCESS_SITES[site]} {ACCESS_DEVICES[device]}"
    return label

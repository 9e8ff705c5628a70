"""The one place-of-service rule: site of care -> CMS place-of-service code (docs SOC-POS).

Pure. The coding engine's suggestion (`CodingResult.place_of_service`) and the claim's CLM05-1
both come from here, so the charge review and the 837 never disagree for a site of care.

11 office, and a freestanding ambulatory infusion center (AIC): the physician-owned infusion
center bills as the office it is [H]; some payers want 49 for it (`[L]`, a payer setting passed
as `overrides`). 49 independent clinic for a pharmacy's ambulatory infusion suite, 12 home,
22 on-campus outpatient hospital (a physician's claim for HOPD services).
Sources: CMS place-of-service code set; docs/billing-rules/sites-of-care.md (S51).
"""

from __future__ import annotations

from collections.abc import Mapping
from types import MappingProxyType

PLACE_OF_SERVICE_BY_SITE: Mapping[str, str] = MappingProxyType(
    {"office": "11", "aic": "11", "ais": "49", "home": "12", "hopd": "22"}
)


def place_of_service_for(site_of_care: str, overrides: Mapping[str, str] | None = None) -> str:
    """The 2-digit place of service for a site of care ('' for an unknown site)."""
    site = str(site_of_care)
    if overrides and overrides.get(site):
        return overrides[site]
    return PLACE_OF_SERVICE_BY_SITE.get(site, "")

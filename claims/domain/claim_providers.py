"""Who goes on a claim as rendering and supervising provider, from what the visit documents.

Pure (works on any practitioner key: ids, or ProviderRef). REFERENCE SOC-SUP1 and the 837P guide:

- An infusion nurse bills no NPI of her own: in an office or an ambulatory infusion center the
  services are billed "incident to" the supervising physician, who is then the rendering provider
  (2310B); a supervising physician other than the rendering provider goes in 2310D.
- Home infusion: the payer decides (`Payer.home_infusion_rendering_provider`): the documented
  practitioner (typically the dispensing pharmacist), the ordering physician, or nobody (the
  pharmacy as billing provider renders; no 2310B).
"""

from __future__ import annotations

from typing import TypeVar

from intake.domain.types import RenderingProviderSource, SiteOfCare

T = TypeVar("T")


def claim_providers(
    *,
    site_of_care: str,
    preference: str,
    rendering: T | None,
    supervising: T | None,
    ordering: T | None,
) -> tuple[T | None, T | None]:
    """(rendering, supervising) for a claim of a visit at `site_of_care` to a payer whose home
    infusion preference is `preference` (a RenderingProviderSource value)."""
    if site_of_care == SiteOfCare.HOME:
        if preference == RenderingProviderSource.NONE:
            return None, None
        if preference == RenderingProviderSource.ORDERING:
            return ordering, supervising
    return (rendering if rendering is not None else supervising), supervising

"""Claim plans at build time: the practitioners a claim carries, and the split of a claim with
more lines than its payer takes into claims that each fit (claims.domain.line_split).

A plan is (unsaved claim, its unsaved lines, the charge line ids it takes), as
claims.services.build makes them.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from claims.domain.claim_providers import claim_providers
from claims.domain.line_split import split_by_date
from claims.domain.x12_837 import MAX_LINES
from claims.models import Claim, ClaimLine
from claims.services.build_spans import Plan
from infusion_rcm.common.money import ZERO, to_money
from intake.domain.types import ClaimForm, RenderingProviderSource

# Fields a split part does not copy from the claim it comes from (its own identity and figures).
_OWN_FIELDS = {"id", "public_id", "claim_number", "created_at", "updated_at"}


def visit_claim_providers(
    visit: Mapping[str, Any], *, site_of_care: str, payer: Mapping[str, Any], ordering_id: int | None
) -> tuple[int | None, int | None]:
    """(rendering, supervising) practitioner ids for a visit's claim, as its payer wants them."""
    return claim_providers(
        site_of_care=site_of_care,
        preference=payer.get("home_infusion_rendering_provider") or RenderingProviderSource.DOCUMENTED,
        rendering=visit.get("rendering_provider_id"),
        supervising=visit.get("supervising_provider_id"),
        ordering=ordering_id,
    )


def mark_line_renderers(plans: list[Plan], *, rendering_of_charge: Mapping[int, int | None]) -> None:
    """A line rendered by someone other than its claim's rendering provider names them (2420A).

    Only span claims (visits merged into one claim) can mix practitioners; `rendering_of_charge`
    maps a charge line id to the rendering provider its visit's claim would have had.
    """
    for claim, lines, _ in plans:
        for line in lines:
            own = rendering_of_charge.get(line.charge_line_id) if line.charge_line_id else None
            if own is not None and own != claim.rendering_provider_id:
                line.rendering_provider_id = own


def line_limit_for(claim: Claim, payer: Mapping[str, Any]) -> int:
    guide = MAX_LINES[ClaimForm(claim.form)]
    own = payer.get("max_claim_lines")
    return min(guide, own) if own else guide


def split_over_limit(plans: list[Plan], *, payers: Mapping[int, Mapping[str, Any]]) -> list[Plan]:
    """Plans over their payer's line limit become several plans, split by date of service; each
    part is a claim of its own (dates, total and lines renumbered), with the same patient, payer,
    providers, diagnoses and authorization."""
    out: list[Plan] = []
    for claim, lines, charge_ids in plans:
        limit = line_limit_for(claim, payers[claim.payer_id])
        if len(lines) <= limit:
            out.append((claim, lines, charge_ids))
            continue
        for index, part in enumerate(split_by_date(lines, limit, lambda ln: ln.service_date_from)):
            out.append(_part(claim, part, first=index == 0))
    return out


def _copy(claim: Claim) -> Claim:
    fields = {f.attname: getattr(claim, f.attname) for f in Claim._meta.concrete_fields}
    copy = Claim(**{name: value for name, value in fields.items() if name not in _OWN_FIELDS})
    copy.diagnosis_codes = list(claim.diagnosis_codes)
    return copy


def _part(claim: Claim, lines: list[ClaimLine], *, first: bool) -> Plan:
    part = claim if first else _copy(claim)
    for number, line in enumerate(lines, start=1):
        line.line_number = number
    part.service_date_from = min(ln.service_date_from for ln in lines)
    part.service_date_to = max(ln.service_date_to for ln in lines)
    part.total_charge = to_money(sum((ln.charge for ln in lines), ZERO))
    charge_ids = sorted({ln.charge_line_id for ln in lines if ln.charge_line_id is not None})
    return part, lines, charge_ids

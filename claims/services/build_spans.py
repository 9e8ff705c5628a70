"""Span claims at build time: chunks that keep a patient's visits together, and the merge of
one-visit claim plans into one claim per patient, payer and period (claims.domain.claim_span)."""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from django.db.models import QuerySet

from claims.domain.claim_span import ClaimSpan, SpanVisit, group_visits, merge_diagnoses, remap_pointers
from claims.models import Claim, ClaimLine
from claims.services.common import CHUNK
from infusion_rcm.common.money import ZERO, to_money
from intake.domain.types import SiteOfCare

Plan = tuple[Claim, list[ClaimLine], list[int]]  # unsaved claim, its lines, the charge line ids


def patient_chunks(lines: QuerySet[Any], size: int = CHUNK) -> list[list[int]]:
    """The visit ids of `lines` in chunks of about `size`; a patient's visits never straddle two
    chunks, so the visits of one span claim are always built in the same transaction."""
    chunks: list[list[int]] = []
    current: list[int] = []
    last_patient = None
    for patient_id, visit_id in sorted(set(lines.values_list("visit__patient_id", "visit_id"))):
        if len(current) >= size and patient_id != last_patient:
            chunks.append(current)
            current = []
        current.append(visit_id)
        last_patient = patient_id
    if current:
        chunks.append(current)
    return chunks


def merge_span_claims(
    plans: list[Plan],
    *,
    visits: Mapping[int, Mapping[str, Any]],
    payers: Mapping[int, Mapping[str, Any]],
    locations: Mapping[int, Mapping[str, Any]],
) -> list[Plan]:
    """Plans of home visits whose payer bills by calendar month become one plan per patient,
    coverage, location and month: lines renumbered in date order, diagnoses merged (pointers
    follow), dates and total over all of them. Other plans are returned as they are."""
    span_visits = [
        SpanVisit(
            ref=index,
            claim_key=(claim.patient_id, claim.coverage_id, claim.location_id, claim.form),
            date_of_service=visits[claim.visit_id]["date_of_service"],  # type: ignore[index]  # built from a visit
            home=locations[claim.location_id]["site_of_care"] == SiteOfCare.HOME,
            span=ClaimSpan(payers[claim.payer_id].get("claim_span") or ClaimSpan.VISIT),
        )
        for index, (claim, _, _) in enumerate(plans)
    ]
    groups = group_visits(span_visits)
    if all(len(group) == 1 for group in groups):
        return plans
    return [plans[group[0]] if len(group) == 1 else _merge([plans[i] for i in group]) for group in groups]


def _merge(parts: list[Plan]) -> Plan:
    claim = parts[0][0]
    diagnoses = merge_diagnoses([part.diagnosis_codes for part, _, _ in parts])
    lines: list[ClaimLine] = []
    for part, part_lines, _ in parts:
        for line in part_lines:
            line.line_number = len(lines) + 1
            if line.diagnosis_pointers:
                line.diagnosis_pointers = remap_pointers(
                    line.diagnosis_pointers, part.diagnosis_codes, diagnoses
                )
            lines.append(line)
    claim.diagnosis_codes = diagnoses
    claim.prior_auth_number = next((p.prior_auth_number for p, _, _ in parts if p.prior_auth_number), "")
    claim.service_date_from = min(p.service_date_from for p, _, _ in parts)
    claim.service_date_to = max(p.service_date_to for p, _, _ in parts)
    claim.total_charge = to_money(sum((p.total_charge for p, _, _ in parts), ZERO))
    return claim, lines, [charge_id for _, _, ids in parts for charge_id in ids]

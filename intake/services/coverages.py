"""Coverage: a patient's policies, at most one in force per rank on any date."""

from __future__ import annotations

from datetime import date
from typing import cast

from django.db import transaction

from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.identifiers import validate_mbi
from intake import mappers
from intake.domain.coverage import CoverageRank, find_overlap
from intake.domain.types import PayerKind, Relationship
from intake.models import Coverage, Patient, Payer
from intake.services.common import CoverageOverlapError, dates_check


def coverage_create(
    *,
    patient: Patient,
    payer: Payer,
    rank: str,
    member_id: str,
    effective_date: date,
    end_date: date | None = None,
    group_number: str = "",
    relationship: str = Relationship.SELF,
    subscriber_first_name: str = "",
    subscriber_last_name: str = "",
    subscriber_date_of_birth: date | None = None,
) -> Coverage:
    """A policy for a patient. Refuses an end before the effective date, a malformed MBI on a Medicare
    payer, and a policy overlapping another of the same rank. Locks the patient row so two clerks adding
    coverage at once cannot both pass the overlap check."""
    try:
        rank = CoverageRank(rank)
    except ValueError as exc:
        raise InvalidInputError("The rank must be primary, secondary or tertiary.") from exc
    dates_check(effective_date, end_date, "coverage")
    member_id = (member_id or "").strip().upper()
    if not member_id:
        raise InvalidInputError("The member ID is missing.", code="coverage.member_id_missing")
    if payer.kind == PayerKind.MEDICARE:
        member_id = validate_mbi(member_id)
    if relationship != Relationship.SELF and not subscriber_last_name.strip():
        raise InvalidInputError(
            "The subscriber's last name is needed when the patient is not the subscriber.",
            code="coverage.subscriber_missing",
        )
    with transaction.atomic():
        Patient.objects.select_for_update().filter(pk=patient.pk).first()
        existing = [mappers.coverage_period(c) for c in Coverage.objects.filter(patient=patient)]
        candidate = Coverage(
            patient=patient,
            payer=payer,
            rank=rank,
            member_id=member_id,
            group_number=group_number.strip(),
            relationship=relationship,
            subscriber_first_name=subscriber_first_name.strip(),
            subscriber_last_name=subscriber_last_name.strip(),
            subscriber_date_of_birth=subscriber_date_of_birth,
            effective_date=effective_date,
            end_date=end_date,
        )
        clash = find_overlap(existing, mappers.coverage_period(candidate))
        if clash is not None:
            other = Coverage.objects.select_related("payer").get(pk=cast(int, clash.id))  # a Coverage pk
            raise CoverageOverlapError(
                f"The patient already has a {rank.value} policy ({other.payer.name}, from "
                f"{other.effective_date.isoformat()}{' to ' + other.end_date.isoformat() if other.end_date else ''}) "
                "in force on these dates: end that policy first or pick another rank.",
                extra={"coverage": str(other.public_id)},
            )
        candidate.save()
    return candidate


def coverage_end(*, coverage: Coverage, end_date: date) -> Coverage:
    """Terminate a policy (the payer's term date), e.g. when the patient changes plans."""
    with transaction.atomic():
        locked = Coverage.objects.select_for_update().get(pk=coverage.pk)
        dates_check(locked.effective_date, end_date, "coverage")
        if locked.end_date is not None and end_date > locked.end_date:
            raise InvalidInputError(
                f"The policy already ends on {locked.end_date.isoformat()}; a later end would re-open it. "
                "Add a new coverage instead.",
                code="coverage.end_later",
            )
        locked.end_date = end_date
        locked.save(update_fields=["end_date", "updated_at"])
    return locked

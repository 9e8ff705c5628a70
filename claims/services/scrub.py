"""Scrubbing claims against payer rules and the built-in edits (one claim, or many set-based)."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from typing import Any

from django.db import transaction
from django.db.models import Max
from django.utils import timezone

from claims import mappers, selectors
from claims.domain import types as d
from claims.domain.scrub_coding_findings import CodingFinding
from claims.domain.scrubber import AuthInForce, ScrubContext, duplicate_keys, has_errors, scrub
from claims.models import (
    Claim,
    ClaimEdit,
    ClaimLine,
)
from claims.services.common import (
    CHUNK,
    NOT_LIVE,
    SCRUBBABLE,
    USABLE_AUTH,
    ClaimStateError,
    S,
    _auth_rows,
    _enqueue_scrub,
)
from claims.services.transitions import _lock_statuses, _transition_many
from coding import selectors as coding_selectors
from infusion_rcm.common.errors import InvalidInputError
from intake.domain.authorization import normalize_code
from intake.domain.diagnosis import validate_icd10cm
from intake.models import (
    AuthUsage,
    EligibilityCheck,
    Payer,
    PriorAuthorization,
)

# ---------------------------------------------------------------------------
# Scrub
# ---------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def icd10_valid(code: str) -> bool:
    """ICD-10-CM code-set lookup as the scrubber wants it: a bool, billable codes only."""
    try:
        validate_icd10cm(code)
    except InvalidInputError:
        return False
    return True


def scrub_preload() -> None:
    """Load the ICD-10-CM table now rather than on the first scrub (workers call it at start)."""
    icd10_valid("Z00.00")


@dataclass
class _ScrubWorld:
    """What the scrubber needs beyond the claims, loaded once per chunk."""

    as_of: date
    rules: dict[int, list[d.PayerRule]]
    eligibility: dict[int, date]
    auths: dict[int, list[tuple[Any, dict[int, dict[str, Decimal]]]]]  # (auth, service -> source -> units)
    keys_by_patient: dict[int, list[tuple[int, frozenset[str]]]]
    freshness: dict[int, int]
    code_in_force: Callable[[str, date], bool] | None = None
    coding_findings: dict[int, tuple[CodingFinding, ...]] = field(default_factory=dict)


def _load_world(claims: Sequence[Any], drafts: dict[int, d.ClaimDraft]) -> _ScrubWorld:
    as_of = timezone.localdate()
    coverage_ids = {c.coverage_id for c in claims}
    patient_ids = {c.patient_id for c in claims}
    payer_ids = {c.payer_id for c in claims}
    eligibility = dict(
        EligibilityCheck.objects.filter(coverage_id__in=coverage_ids, status=EligibilityCheck.Status.COMPLETE)
        .values("coverage_id")
        .annotate(last=Max("checked_on"))
        .values_list("coverage_id", "last")
    )
    auth_rows = _auth_rows(
        PriorAuthorization.objects.filter(coverage_id__in=coverage_ids, status__in=USABLE_AUTH)
    )
    usage: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    sources = {f"visit:{c.visit_public_id}" for c in claims if c.visit_id}
    service_ids = [s.id for a in auth_rows for s in a.service_rows]
    if service_ids and sources:
        for row in AuthUsage.objects.filter(service_id__in=service_ids, source__in=sources).values(
            "service_id", "source", "units"
        ):
            usage[row["service_id"]][row["source"]] += row["units"]
    auths: dict[int, list] = defaultdict(list)
    for auth in auth_rows:
        auths[auth.coverage_id].append((auth, usage))
    keys_by_patient: dict[int, list[tuple[int, frozenset[str]]]] = defaultdict(list)
    for claim in claims:
        keys_by_patient[claim.patient_id].append((claim.pk, duplicate_keys(drafts[claim.pk])))
    other_ids = list(
        Claim.objects.filter(patient_id__in=patient_ids)
        .exclude(status__in=NOT_LIVE)
        .exclude(pk__in=list(drafts))
        .values_list("pk", flat=True)
    )
    others = selectors.claim_rows_for_drafts(other_ids)
    cache = mappers.DraftCache()
    for other in others:
        keys_by_patient[other.patient_id].append(
            (other.pk, duplicate_keys(mappers.claim_to_draft(other, other.lines, cache=cache)))
        )
    freshness = dict(Payer.objects.filter(pk__in=payer_ids).values_list("pk", "eligibility_freshness_days"))
    calendar = coding_selectors.code_set_calendar()
    visits_of: dict[int, set[int]] = defaultdict(set)
    for claim in claims:
        if claim.visit_id:
            visits_of[claim.pk].add(claim.visit_id)
    for claim_id, visit_id in ClaimLine.objects.filter(
        claim_id__in=[c.pk for c in claims], charge_line__isnull=False
    ).values_list("claim_id", "charge_line__visit_id"):
        visits_of[claim_id].add(visit_id)
    stored = coding_selectors.findings_by_visit({v for vs in visits_of.values() for v in vs})
    coding_findings = {
        claim_id: tuple(
            CodingFinding(rule_id=rule, code=code, message=message)
            for v in sorted(visit_ids)
            for rule, code, message in stored.get(v, [])
        )
        for claim_id, visit_ids in visits_of.items()
    }
    return _ScrubWorld(
        as_of=as_of,
        rules=selectors.enabled_rules_for(payer_ids=payer_ids),
        eligibility=eligibility,
        auths=auths,
        keys_by_patient=keys_by_patient,
        freshness=freshness,
        # With no code sets loaded (a fresh install) the check is skipped rather than failing every line.
        code_in_force=(lambda code, day: code in calendar.codes_on(day)) if calendar else None,
        coding_findings=coding_findings,
    )


def _context(claim: Any, world: _ScrubWorld) -> ScrubContext:
    """`claim` is a row from selectors.claim_rows_for_drafts."""
    source = f"visit:{claim.visit_public_id}" if claim.visit_id else None
    auths = []
    for auth, usage in world.auths.get(claim.coverage_id, []):
        for service in auth.service_rows:
            # This claim's own visit already drew its units down when it was coded: add them back.
            own = usage.get(service.pk, {}).get(source, Decimal(0)) if source else Decimal(0)
            auths.append(
                AuthInForce(
                    auth_number=auth.auth_number,
                    code=normalize_code(service.code),
                    remaining_units=service.authorized_units - service.used_units + own,
                    start=auth.start_date,
                    end=auth.end_date,
                )
            )
    seen: set[str] = set()
    for other_id, keys in world.keys_by_patient.get(claim.patient_id, []):
        if other_id not in (claim.pk, claim.replaces_id):
            seen |= keys
    return ScrubContext(
        as_of=world.as_of,
        auths=tuple(auths),
        eligibility_verified_on=world.eligibility.get(claim.coverage_id),
        eligibility_fresh_days=world.freshness.get(claim.payer_id, 30),
        seen_claim_keys=frozenset(seen),
        valid_icd10=icd10_valid,
        code_in_force=world.code_in_force,
        coding_findings=world.coding_findings.get(claim.pk, ()),
    )


def _single_scrub_inputs(claim: Claim) -> tuple[d.ClaimDraft, ScrubContext]:
    (row,) = selectors.claim_rows_for_drafts([claim.pk])
    draft = mappers.claim_to_draft(row, row.lines)
    world = _load_world([row], {row.pk: draft})
    return draft, _context(row, world)


def claim_scrub(*, claim: Claim, actor=None) -> list[ClaimEdit]:
    """Scrub one claim: replace its edits and move draft/needs_fix/ready -> needs_fix or ready.

    Raises ClaimStateError for a claim past scrubbing (batched and later). Takes the claim's row lock.
    """
    outcome = claims_scrub_many(claim_ids=[claim.pk], actor=actor, strict=True)
    claim.status = outcome.statuses.get(claim.pk, claim.status)
    return list(ClaimEdit.objects.filter(claim_id=claim.pk))


@dataclass
class ScrubOutcome:
    statuses: dict[int, str] = field(default_factory=dict)
    skipped: list[int] = field(default_factory=list)
    edits: int = 0


def claims_scrub_many(*, claim_ids: Iterable[int], actor=None, strict: bool = False) -> ScrubOutcome:
    """Scrub many claims with a few queries per chunk of CHUNK claims (one transaction each).

    Claims are locked in id order and their status re-read under the lock; claims no longer
    scrubbable are skipped (or, with strict, refused). Edits are replaced in bulk; status moves are
    bulk UPDATEs with one ClaimEvent per move.
    """
    ids = sorted(set(claim_ids))
    outcome = ScrubOutcome()
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            _scrub_chunk(ids[start : start + CHUNK], actor, strict, outcome)
    return outcome


def _scrub_chunk(ids: list[int], actor, strict: bool, outcome: ScrubOutcome) -> None:
    statuses = _lock_statuses(ids)
    todo = [cid for cid in ids if statuses.get(cid) in SCRUBBABLE]
    refused = [cid for cid in ids if cid not in todo]
    if refused and strict:
        raise ClaimStateError(
            f"A claim that is {statuses.get(refused[0], 'gone')} cannot be scrubbed again.",
            extra={"status": statuses.get(refused[0])},
        )
    outcome.skipped += refused
    if not todo:
        return
    claims = selectors.claim_rows_for_drafts(todo)
    cache = mappers.DraftCache()
    drafts = {c.pk: mappers.claim_to_draft(c, c.lines, cache=cache) for c in claims}
    world = _load_world(claims, drafts)
    new_edits: list[ClaimEdit] = []
    moves: list[tuple[int, str, str]] = []
    payloads: dict[int, dict] = {}
    for claim in claims:
        rules = world.rules.get(claim.payer_id, [])
        edits = scrub(drafts[claim.pk], rules, context=_context(claim, world))
        new_edits += [ClaimEdit(claim_id=claim.pk, **mappers.edit_fields(e)) for e in edits]
        target = S.NEEDS_FIX if has_errors(edits) else S.READY
        current = statuses[claim.pk]
        if current != target:
            moves.append((claim.pk, current, target.value))
            errors = sum(1 for e in edits if e.blocking)
            payloads[claim.pk] = {"errors": errors, "warnings": len(edits) - errors}
        outcome.statuses[claim.pk] = target.value
    ClaimEdit.objects.filter(claim_id__in=todo).delete()
    ClaimEdit.objects.bulk_create(new_edits, batch_size=5000)
    outcome.edits += len(new_edits)
    _transition_many(moves, actor=actor, reason="Scrubbed", payloads=payloads)


def claim_scrub_request(*, claim: Claim) -> None:
    """Queue a scrub of the claim on the `scrub` queue once the current transaction commits."""
    claim_id = claim.pk
    transaction.on_commit(lambda: _enqueue_scrub([claim_id]))

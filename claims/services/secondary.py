"""The next payer's claim: a secondary (then tertiary) claim built from the earlier payers'
adjudications, and the crossover claims that payers forward themselves.

Payments calls these after a remittance posts (payments.services.next_payer, on the
CLAIM_PAYMENTS_POSTED event): claims never reads payments, it is handed the adjudications as pure
`PriorPayerAdjudication`s (claims.domain.other_payer) and stores them on the new claim, which then
goes through the normal scrub -> batch path and is written with loops 2320/2330/2430.

- `claim_build_next_payer`: one next-payer claim per adjudication (the claim it follows and the
  posted claim payment's id are unique together, under the prior claim's row lock), to the
  coverage of the next rank in force on the date of service; none when there is no such coverage.
- `next_payer_claims_withdraw`: the earlier payer took its payment back (an 835 reversal): a
  next-payer claim not yet sent is voided; one already sent is flagged for the biller.
- `claim_forwarded_record` / `claim_crossover_era_record`: a crossover, and the crossover payer's
  own remittance when it comes; `crossover_waiting` lists those still waiting after N days.

Rules COB-1 (payer order), COB-5 (crossover), COB-6 (reversal): docs/billing-rules/secondary-claims.md.
"""

from __future__ import annotations

import logging
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from decimal import Decimal

from django.conf import settings
from django.db import transaction
from django.db.models import QuerySet

from claims import mappers, selectors
from claims.domain.other_payer import SEQUENCES, PayerSequence, PriorPayerAdjudication, next_sequence
from claims.domain.x12_837_cob import check_other_payers, cob_balance_problems
from claims.models import Claim, ClaimEvent, ClaimLine
from claims.services.build import claim_number_format
from claims.services.common import NOT_LIVE, S, control_numbers_take
from claims.services.corrections import claim_void
from claims.services.scrub import claim_scrub_request
from claims.services.transitions import _user
from infusion_rcm.common.errors import DomainError, InvalidInputError
from intake.domain.coverage import CoveragePeriod, CoverageRank, coverages_in_force
from intake.models import Coverage

logger = logging.getLogger(__name__)

# Days a forwarded (crossover) claim waits for the next payer's own remittance before the biller
# gets a follow-up (settings.CROSSOVER_ERA_WAIT_DAYS overrides). Medicare crossovers to Medigap
# and Medicaid usually pay within two to four weeks of the Medicare remittance.
DEFAULT_CROSSOVER_WAIT_DAYS = 30
RANK_OF: dict[str, CoverageRank] = {
    "P": CoverageRank.PRIMARY,
    "S": CoverageRank.SECONDARY,
    "T": CoverageRank.TERTIARY,
}
NOT_SENT = (S.DRAFT, S.NEEDS_FIX, S.READY, S.BATCHED)
_COPIED = (
    "patient_id",
    "billing_provider_id",
    "location_id",
    "visit_id",
    "referring_provider_id",
    "rendering_provider_id",
    "supervising_provider_id",
    "form",
    "place_of_service",
    "service_date_from",
    "service_date_to",
    "total_charge",
)
_LINE_COPIED = (
    "line_number",
    "service_date_from",
    "service_date_to",
    "code",
    "modifiers",
    "units",
    "charge",
    "diagnosis_pointers",
    "ndc",
    "ndc_quantity",
    "ndc_unit",
    "revenue_code",
    "rendering_provider_id",
)


class NextPayerError(DomainError):
    code = "claim.next_payer"


def crossover_wait_days() -> int:
    return int(getattr(settings, "CROSSOVER_ERA_WAIT_DAYS", DEFAULT_CROSSOVER_WAIT_DAYS))


@dataclass
class NextPayerOutcome:
    """What `claim_build_next_payer` did: the claim (new or the one built before), or why none."""

    claim: Claim | None
    created: bool = False
    reason: str = ""


def next_coverage(claim: Claim, sequence: PayerSequence) -> Coverage | None:
    """The patient's coverage of rank `sequence` in force on the claim's first date of service."""
    rank = RANK_OF[sequence]
    rows = list(Coverage.objects.filter(patient_id=claim.patient_id, rank=rank.value).select_related("payer"))
    periods = [CoveragePeriod(id=c.pk, rank=rank, effective=c.effective_date, end=c.end_date) for c in rows]
    in_force = coverages_in_force(periods, claim.service_date_from)
    return next((c for c in rows if c.pk == in_force[0].id), None) if in_force else None


def _renumbered(
    adjudications: Sequence[PriorPayerAdjudication], numbers: dict[str, str]
) -> list[PriorPayerAdjudication]:
    """The adjudications with each line's control number moved to the new claim's line (the
    835 echoed the prior claim's REF*6R; 2430 must name the line of the claim it is on)."""
    out = []
    for adjudication in adjudications:
        lines = tuple(
            line.model_copy(update={"line_control_number": numbers[line.line_control_number]})
            for line in adjudication.lines
            if line.line_control_number in numbers
        )
        out.append(adjudication.model_copy(update={"lines": lines}))
    return out


def claim_build_next_payer(
    *,
    prior_claim: Claim,
    adjudications: Sequence[PriorPayerAdjudication],
    key: str,
    actor=None,
    scrub: bool = True,
) -> NextPayerOutcome:
    """Build the claim to the payer after the last of `adjudications` (every earlier payer's, in
    any order; the last payer's is the one just posted, identified by `key`).

    Idempotent: the same prior claim and key give the claim built the first time (the prior
    claim's row lock serializes two workers; a unique constraint backs it). No claim when the
    patient has no coverage of the next rank in force on the date of service, or after the
    tertiary. The new claim copies the prior claim's services, providers and diagnoses, bills the
    next coverage, and is queued for scrubbing like any built claim.
    """
    if not adjudications:
        raise InvalidInputError("A next-payer claim needs the earlier payer's adjudication.")
    ordered = sorted(adjudications, key=lambda a: SEQUENCES.index(a.sequence))
    sequence = next_sequence(ordered[-1].sequence)
    if sequence is None:
        return NextPayerOutcome(None, reason="the tertiary payer is the last one billed")
    with transaction.atomic():
        prior = Claim.objects.select_for_update(no_key=True).get(pk=prior_claim.pk)
        existing = Claim.objects.filter(prior_claim=prior, prior_adjudication_key=key).first()
        if existing is not None:
            return NextPayerOutcome(existing, reason="already built for this adjudication")
        coverage = next_coverage(prior, sequence)
        if coverage is None:
            rank = RANK_OF[sequence].value
            return NextPayerOutcome(
                None, reason=f"no {rank} coverage in force on {prior.service_date_from.isoformat()}"
            )
        claim = Claim(
            **{name: getattr(prior, name) for name in _COPIED},
            claim_number=claim_number_format(control_numbers_take("claim")[0]),
            coverage=coverage,
            payer_id=coverage.payer_id,
            status=S.DRAFT.value,
            frequency_code="1",
            diagnosis_codes=list(prior.diagnosis_codes),
            payer_sequence=sequence,
            prior_claim=prior,
            prior_adjudication_key=key,
        )
        claim.save()
        numbers: dict[str, str] = {}
        new_lines = []
        for line in ClaimLine.objects.filter(claim=prior).order_by("line_number"):
            control = f"{claim.claim_number}-{line.line_number}"
            numbers[line.line_control_number] = control
            new_lines.append(
                ClaimLine(
                    claim=claim,
                    line_control_number=control,
                    # the charge lines stay on the primary's claim: voiding this one must not free them
                    charge_line=None,
                    **{name: getattr(line, name) for name in _LINE_COPIED},
                )
            )
        ClaimLine.objects.bulk_create(new_lines)
        renumbered = _renumbered(ordered, numbers)
        claim.prior_adjudications = [a.model_dump(mode="json") for a in renumbered]
        (row,) = selectors.claim_rows_for_drafts([claim.pk])
        row.prior_adjudications = claim.prior_adjudications
        draft = mappers.claim_to_draft(row, row.lines)
        check_other_payers(draft)
        problems = cob_balance_problems(draft)
        claim.status_reason = "; ".join(problems)[:2000]
        claim.save(update_fields=["prior_adjudications", "status_reason", "updated_at"])
        last = ordered[-1]
        word = {"S": "Secondary", "T": "Tertiary"}[sequence]
        outcome = "denied it" if last.denied else f"paid {last.paid}"
        ClaimEvent.objects.create(
            claim=claim,
            from_status="",
            to_status=S.DRAFT.value,
            actor=_user(actor),
            reason=(
                f"{word} claim to {coverage.payer.name}, built from {prior.claim_number}: "
                f"{last.payer_name} {outcome} on {last.adjudication_date.isoformat()}"
            ),
            payload={
                "prior_claim": prior.claim_number,
                "claim_payment": key,
                "balance_problems": problems,
            },
        )
        if scrub:
            claim_scrub_request(claim=claim)
    logger.info("next-payer claim %s (%s) built from claim %s", claim.pk, sequence, prior.pk)
    return NextPayerOutcome(claim, created=True)


def next_payer_claims_withdraw(*, prior_claim: Claim, key: str, actor=None, reason: str) -> list[Claim]:
    """The adjudication `key` of `prior_claim` was reversed: its next-payer claims cannot stand.

    One not yet sent (draft, needs fix, ready, batched) is voided (out of its unreleased batch);
    one already with the payer keeps its status and is flagged on its page: void it at that payer
    or replace it once the earlier payer's corrected remittance posts.
    """
    out = []
    for claim in Claim.objects.filter(prior_claim=prior_claim, prior_adjudication_key=key).exclude(
        status__in=NOT_LIVE
    ):
        if claim.status in NOT_SENT:
            out.append(claim_void(claim=claim, actor=actor, reason=reason))
            continue
        with transaction.atomic():
            locked = Claim.objects.select_for_update(no_key=True).get(pk=claim.pk)
            note = f"{reason}: void this claim at {locked.payer.name} or correct it once the new remittance posts"
            locked.status_reason = note[:2000]
            locked.save(update_fields=["status_reason", "updated_at"])
            ClaimEvent.objects.create(
                claim=locked,
                from_status=locked.status,
                to_status=locked.status,
                actor=_user(actor),
                reason=note,
                payload={"reversed_claim_payment": key},
            )
        out.append(locked)
    return out


def claim_forwarded_record(*, claim: Claim, carrier: str, on: date, actor=None) -> Claim:
    """The payer forwarded the claim to the next payer (crossover): no next-payer claim is built;
    the claim waits for that payer's own remittance. Idempotent (the first forwarding counts)."""
    with transaction.atomic():
        locked = Claim.objects.select_for_update(no_key=True).get(pk=claim.pk)
        if locked.forwarded_on is not None:
            return locked
        sequence = next_sequence(locked.payer_sequence)  # type: ignore[arg-type]  # P/S/T by constraint
        coverage = next_coverage(locked, sequence) if sequence else None
        locked.forwarded_to = (carrier or (coverage.payer.name if coverage else "the next payer"))[:60]
        locked.forwarded_coverage = coverage
        locked.forwarded_on = on
        locked.save(update_fields=["forwarded_to", "forwarded_coverage", "forwarded_on", "updated_at"])
        ClaimEvent.objects.create(
            claim=locked,
            from_status=locked.status,
            to_status=locked.status,
            actor=_user(actor),
            reason=f"Forwarded to {locked.forwarded_to} by {locked.payer.name} (crossover): waiting for its ERA",
            payload={"crossover_carrier": carrier},
        )
    return locked


def claim_crossover_era_record(*, claim: Claim, on: date) -> bool:
    """The crossover payer's own remittance for the forwarded claim posted (True if first)."""
    return bool(
        Claim.objects.filter(pk=claim.pk, forwarded_on__isnull=False, forwarded_era_on__isnull=True).update(
            forwarded_era_on=on
        )
    )


def crossover_waiting(*, as_of: date, days: int | None = None) -> QuerySet[Claim]:
    """Forwarded claims whose crossover payer has sent no remittance `days` after forwarding."""
    wait = crossover_wait_days() if days is None else days
    return (
        Claim.objects.filter(forwarded_on__lte=as_of - timedelta(days=wait), forwarded_era_on__isnull=True)
        .exclude(status__in=NOT_LIVE)
        .select_related("payer", "patient", "forwarded_coverage__payer")
        .order_by("forwarded_on", "pk")
    )


# ---------------------------------------------------------------------------
# The claim page's section (a read: no writes)
# ---------------------------------------------------------------------------


@dataclass
class PriorPayerFigures:
    """One earlier payer's adjudication as the claim page shows it: adjustments summed by code."""

    adjudication: PriorPayerAdjudication
    adjustments: list[tuple[str, Decimal]]  # (the code in words, amount)

    @property
    def patient_responsibility(self) -> Decimal:
        return self.adjudication.patient_responsibility


@dataclass
class NextPayerSummary:
    """What the claim page says about other payers: what this claim was built from, the claims
    built from it, and a crossover's wait."""

    label: str  # "Secondary claim" / "Tertiary claim" / ""
    prior_claim: Claim | None
    prior_payers: list[PriorPayerFigures]
    next_claims: list[Claim]
    wait_days: int
    overdue: bool

    @property
    def shown(self) -> bool:
        return bool(self.prior_claim or self.next_claims or self.prior_payers)


def _figures(adjudication: PriorPayerAdjudication) -> PriorPayerFigures:
    sums: dict[tuple[str, str], Decimal] = {}
    words: dict[tuple[str, str], str] = {}
    for a in adjudication.all_adjustments:
        key = (a.group, a.reason)
        sums[key] = sums.get(key, Decimal("0.00")) + a.amount
        words.setdefault(key, a.description or f"{a.group}-{a.reason}")
    return PriorPayerFigures(adjudication, [(words[k], sums[k]) for k in sums])


def next_payer_summary(claim: Claim, *, as_of: date) -> NextPayerSummary:
    wait = crossover_wait_days()
    overdue = bool(
        claim.forwarded_on and not claim.forwarded_era_on and (as_of - claim.forwarded_on).days >= wait
    )
    prior = (
        Claim.objects.select_related("payer").filter(pk=claim.prior_claim_id).first()
        if claim.prior_claim_id
        else None
    )
    return NextPayerSummary(
        label={"S": "Secondary claim", "T": "Tertiary claim"}.get(claim.payer_sequence, ""),
        prior_claim=prior,
        prior_payers=[_figures(a) for a in mappers.other_payers_of(claim)],
        next_claims=list(claim.next_payer_claims.select_related("payer").order_by("pk")),
        wait_days=wait,
        overdue=overdue,
    )

"""After a remittance posts: the next payer's claim, from the posted rows (issue 12, 1 and 2).

Subscribed to CLAIM_PAYMENTS_POSTED (payments.apps); the subscriber only enqueues
`next_payer_claims_task`, which calls `next_payer_after_posting` (retried on database errors).
For each posted claim payment, in order:

1. A reversal (CLP02 22): the next-payer claims built from the payment it reverses are withdrawn
   (claims.services.secondary.next_payer_claims_withdraw: voided if not sent, flagged if sent).
2. A remittance from another payer than the claim's (the crossover payer's own ERA for a claim
   its primary forwarded): recorded on the claim, which stops waiting; nothing else is built.
3. A predetermination (25) or a claim the payer says is not its own (23): nothing.
4. The claim's own payer forwarded it (CLP02 19/20/21, NM1*TT, MOA MA18/N89): the crossover is
   recorded; no next-payer claim is sent (the payer did it); a follow-up appears if the next
   payer's ERA has not come within CROSSOVER_ERA_WAIT_DAYS (crossover_followups_raise, daily).
5. Otherwise (paid, partly paid, or denied): the payer's adjudication is read from the posted rows
   (`adjudication_of`: CLP03/CLP04, claim and line CAS, SVC paid per line, MOA remarks, the payer
   claim number, the remittance date) and, with the earlier payers' adjudications the claim
   already carries, handed to claims.services.secondary.claim_build_next_payer, which builds the
   secondary (or tertiary) claim when a coverage of the next rank is in force on the date of
   service, after a denial too (COB-4). Idempotent per claim payment.

Rules COB-1..COB-6: docs/billing-rules/secondary-claims.md.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from types import SimpleNamespace

from django.db.models import Q

from claims import mappers
from claims.domain.other_payer import (
    OtherPayerAdjustment,
    OtherPayerLine,
    OtherSubscriber,
    PriorPayerAdjudication,
    was_forwarded,
)
from claims.domain.types import ClaimForm
from claims.domain.x12_837 import claim_filing_indicator
from claims.models import Claim
from claims.services import secondary as claims_secondary
from infusion_rcm.common.errors import DomainError
from intake import services as intake_services
from intake.models import Coverage
from payments.domain.posting import PaymentStatus
from payments.models import ClaimPayment
from payments.reason_codes import adjustment_in_words

logger = logging.getLogger(__name__)

REVERSAL = "22"
NOTHING_TO_BILL = frozenset({"23", "25"})  # not our claim (forwarded elsewhere); predetermination
CROSSOVER_ALERT = "crossover_era_missing"


@dataclass
class NextPayerRun:
    """What one call did, by claim payment id (for the task's result and the tests)."""

    built: list[int] = field(default_factory=list)  # next-payer claim ids (new or found)
    forwarded: list[int] = field(default_factory=list)  # claim ids recorded as crossed over
    crossover_received: list[int] = field(default_factory=list)  # claim ids whose crossover ERA came
    withdrawn: list[int] = field(default_factory=list)  # next-payer claim ids voided or flagged
    skipped: dict[int, str] = field(default_factory=dict)


def _adjustment(row) -> OtherPayerAdjustment:
    return OtherPayerAdjustment(
        group=row.group,
        reason=row.reason,
        amount=row.amount,
        quantity=row.quantity,
        description=adjustment_in_words(row.group, row.reason)[:300],
    )


def adjudication_of(
    payment: ClaimPayment, claim: Claim, *, coverage: Coverage | None = None, sequence: str | None = None
) -> PriorPayerAdjudication:
    """The payer's adjudication as posted: `payment` with its lines, adjustments and remarks
    prefetched (see `_payments`), for `claim` (the claim it paid, with payer and coverage).
    `coverage` / `sequence`: the payer is not the claim's own but the one it was forwarded to
    (a crossover payer's own remittance on the claim), at that place.

    A line the 835 paid that matched none of our lines has no 2430 to go in: its adjustments are
    reported at claim level, so the claim still balances (charge = paid + every adjustment).
    """
    billed = (
        claim
        if coverage is None
        else SimpleNamespace(patient=claim.patient, coverage=coverage, payer=coverage.payer)
    )
    subscriber, dependent = mappers.subscriber_and_patient(billed)  # type: ignore[arg-type]  # Claim-shaped
    lines: list[OtherPayerLine] = []
    claim_adjustments = [_adjustment(a) for a in payment.adjustments.all() if a.line_payment_id is None]
    for line in payment.lines.all():
        adjustments = tuple(_adjustment(a) for a in line.adjustments.all())
        ours = line.claim_line
        if ours is None:
            claim_adjustments.extend(adjustments)
            continue
        # SVD03 is the procedure as adjudicated; a revenue-code-only line (NU) keeps our HCPCS.
        adjudicated_code = line.procedure_code if line.procedure_qualifier in ("HC", "") else ours.code
        lines.append(
            OtherPayerLine(
                line_control_number=ours.line_control_number,
                code=adjudicated_code or ours.code,
                modifiers=tuple(line.modifiers or ()) if adjudicated_code else tuple(ours.modifiers),
                revenue_code=line.revenue_code or ours.revenue_code or None,
                units=line.units_paid,
                paid=line.paid,
                adjustments=adjustments,
            )
        )
    remarks = [r.code for r in payment.remarks.all() if r.line_payment_id is None and r.qualifier == "MOA"]
    payer = claim.payer if coverage is None else coverage.payer
    return PriorPayerAdjudication(
        sequence=sequence or claim.payer_sequence,
        payer_name=payer.name[:60],
        payer_id=payer.payer_id,
        filing_indicator=claim_filing_indicator(
            mappers.payer_kind(payer.kind), ClaimForm(claim.form), payer.claim_filing_indicator or None
        )
        or "ZZ",
        subscriber=OtherSubscriber(
            last_name=subscriber.last_name,
            first_name=subscriber.first_name,
            member_id=subscriber.member_id,
            group_number=subscriber.group_number,
            relationship="18" if dependent is None else dependent.relationship,
        ),
        payer_claim_number=payment.payer_claim_number or None,
        adjudication_date=payment.remittance.payment_date,
        claim_status_code=payment.claim_status_code,
        charge=payment.charge,
        paid=payment.paid,
        claim_adjustments=tuple(claim_adjustments),
        lines=tuple(lines),
        remark_codes=tuple(remarks[:5]),
        source=f"claim payment {payment.public_id}",
    )


def _payments(ids: Iterable[int]):
    return (
        ClaimPayment.objects.filter(pk__in=list(ids), status=PaymentStatus.POSTED, claim__isnull=False)
        .select_related(
            "remittance",
            "claim__payer",
            "claim__coverage",
            "claim__patient",
            "reversal_of",
        )
        .prefetch_related("lines__claim_line", "lines__adjustments", "adjustments", "remarks")
        .order_by("remittance__payment_date", "pk")
    )


def _from_other_payer(payment: ClaimPayment, claim: Claim) -> bool:
    """The remittance is another payer's than the claim's: a crossover payer's own ERA."""
    remittance = payment.remittance
    if remittance.payer_id is not None:
        return remittance.payer_id != claim.payer_id
    # An unknown payer id: the crossover payer says it processed the claim after another payer.
    return claim.forwarded_on is not None and payment.claim_status_code in ("2", "3", "20", "21")


def next_payer_after_posting(*, claim_payment_ids: Iterable[int], actor=None) -> NextPayerRun:
    """React to posted claim payments (module docstring); safe to run twice on the same ids."""
    run = NextPayerRun()
    for payment in _payments(claim_payment_ids):
        claim = payment.claim
        assert claim is not None  # filtered: claim__isnull=False
        code = payment.claim_status_code
        if payment.is_reversal or code == REVERSAL:
            original = payment.reversal_of
            if original is not None:
                withdrawn = claims_secondary.next_payer_claims_withdraw(
                    prior_claim=claim,
                    key=str(original.public_id),
                    actor=actor,
                    reason=f"{claim.payer.name} reversed its payment of {claim.claim_number}",
                )
                run.withdrawn += [c.pk for c in withdrawn]
            continue
        if _from_other_payer(payment, claim):
            if claims_secondary.claim_crossover_era_record(claim=claim, on=payment.remittance.payment_date):
                intake_services.alerts_resolve_kind(kind=f"{CROSSOVER_ALERT}:{claim.claim_number}")
            run.crossover_received.append(claim.pk)
            _after_crossover(payment, claim, run, actor)
            continue
        if code in NOTHING_TO_BILL:
            run.skipped[payment.pk] = f"CLP02 {code}: nothing for a next payer"
            continue
        remarks = tuple(r.code for r in payment.remarks.all())
        if was_forwarded(
            claim_status_code=code, crossover_carrier=payment.crossover_carrier, remark_codes=remarks
        ):
            claims_secondary.claim_forwarded_record(
                claim=claim,
                carrier=payment.crossover_carrier,
                on=payment.remittance.payment_date,
                actor=actor,
            )
            run.forwarded.append(claim.pk)
            continue
        try:
            adjudication = adjudication_of(payment, claim)
            outcome = claims_secondary.claim_build_next_payer(
                prior_claim=claim,
                adjudications=[*mappers.other_payers_of(claim), adjudication],
                key=str(payment.public_id),
                actor=actor,
            )
        except DomainError as exc:
            # Logged without patient data; the claim keeps its status and a biller can bill by hand.
            logger.warning("next-payer claim for claim %s not built: %s", claim.pk, exc.code)
            run.skipped[payment.pk] = exc.message
            continue
        if outcome.claim is not None:
            run.built.append(outcome.claim.pk)
        else:
            run.skipped[payment.pk] = outcome.reason
    return run


def _forwarding_payment(claim: Claim) -> ClaimPayment | None:
    """The claim's own payer's latest posted, unreversed payment (the one that forwarded it)."""
    return (
        _payments(
            ClaimPayment.objects.filter(
                claim=claim, status=PaymentStatus.POSTED, is_reversal=False, reversals__isnull=True
            )
            .filter(Q(remittance__payer_id=claim.payer_id) | Q(remittance__payer__isnull=True))
            .exclude(claim_status_code__in=["2", "3"])
            .values_list("pk", flat=True)
        )
        .order_by("-remittance__payment_date", "-pk")
        .first()
    )


def _after_crossover(payment: ClaimPayment, claim: Claim, run: NextPayerRun, actor) -> None:
    """The crossover payer adjudicated the forwarded claim: the payer after it (a tertiary) gets
    a claim with both adjudications, unless this payer forwarded it again (COB-5)."""
    coverage = claim.forwarded_coverage
    remarks = tuple(r.code for r in payment.remarks.all())
    forwarded_again = was_forwarded(
        claim_status_code=payment.claim_status_code,
        crossover_carrier=payment.crossover_carrier,
        remark_codes=remarks,
    )
    first = _forwarding_payment(claim)
    if coverage is None or forwarded_again or first is None:
        return
    try:
        sequence = "S" if claim.payer_sequence == "P" else "T"
        outcome = claims_secondary.claim_build_next_payer(
            prior_claim=claim,
            adjudications=[
                *mappers.other_payers_of(claim),
                adjudication_of(first, claim),
                adjudication_of(payment, claim, coverage=coverage, sequence=sequence),
            ],
            key=str(payment.public_id),
            actor=actor,
        )
    except DomainError as exc:
        logger.warning("next-payer claim after the crossover of claim %s not built: %s", claim.pk, exc.code)
        run.skipped[payment.pk] = exc.message
        return
    if outcome.claim is not None:
        run.built.append(outcome.claim.pk)


def crossover_followups_raise(*, as_of: date, days: int | None = None) -> int:
    """A follow-up (intake alert, on the intake queue and the patient's page) for each forwarded
    claim whose crossover payer sent no remittance within the wait; once per claim until resolved."""
    raised = 0
    for claim in claims_secondary.crossover_waiting(as_of=as_of, days=days):
        waited = (as_of - claim.forwarded_on).days if claim.forwarded_on else 0
        message = (
            f"Claim {claim.claim_number} was forwarded to {claim.forwarded_to} on {claim.forwarded_on:%Y-%m-%d} "
            f"(crossover from {claim.payer.name}); no remittance from it after {waited} days. Ask "
            f"{claim.forwarded_to} for the claim's status."
        )
        _, made = intake_services.alert_raise_once(
            kind=f"{CROSSOVER_ALERT}:{claim.claim_number}",
            patient_id=claim.patient_id,
            message=message,
            raised_on=as_of,
        )
        raised += int(made)
    return raised

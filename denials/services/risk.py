"""Denial-risk score of ready claims (DEN-RS1) and the hold for review above the admins'
threshold. The scrubber (claims) does not know denials: a beat task scores every ready claim
scrubbed since its last score and, above RiskPolicy.hold_threshold, asks the claims
service to move it back to needs fix with the reasons (claims.services.claim_transition). A
biller's release puts it back to ready and it is not held again for that score."""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from decimal import Decimal

from django.db import transaction
from django.db.models import F, Q
from django.utils import timezone

from claims import services as claim_services
from claims.domain.types import ClaimStatus
from claims.models import Claim, ClaimLine
from denials.domain.risk import CodeHistory, Risk, office_rate, score
from denials.domain.types import Category
from denials.models import Denial
from denials.models_appeals import DenialRiskScore, RiskPolicy
from denials.services.work import DenialStateError
from payments.models import ClaimPayment

logger = logging.getLogger(__name__)
WINDOW_DAYS = 365


def hold_threshold() -> Decimal:
    policy = RiskPolicy.objects.filter(pk=1).first()
    return policy.hold_threshold if policy else RiskPolicy._meta.get_field("hold_threshold").default


def _history(payer_id: int, since: dt.date) -> tuple[Decimal, dict[str, CodeHistory]]:
    adjudicated = set(
        ClaimPayment.objects.filter(
            status="posted", is_reversal=False, claim__payer_id=payer_id, remittance__payment_date__gte=since
        ).values_list("claim_id", flat=True)
    )
    codes_of: dict[int, set[str]] = defaultdict(set)
    for claim_id, code in ClaimLine.objects.filter(claim_id__in=adjudicated).values_list("claim_id", "code"):
        codes_of[claim_id].add(code)
    claims_with: dict[str, set[int]] = defaultdict(set)
    for claim_id, codes in codes_of.items():
        for code in codes:
            claims_with[code].add(claim_id)
    denied_with: dict[str, set[int]] = defaultdict(set)
    by_category: dict[str, dict[str, set[int]]] = defaultdict(lambda: defaultdict(set))
    denied_claims: set[int] = set()
    for claim_id, code, category in Denial.objects.filter(claim_id__in=adjudicated).values_list(
        "claim_id", "claim_line__code", "category"
    ):
        denied_claims.add(claim_id)
        label = Category(category).label.lower()
        for c in [code] if code else codes_of.get(claim_id, ()):  # a claim-level denial: every code
            denied_with[c].add(claim_id)
            by_category[c][label].add(claim_id)
    prior = office_rate(denied_claims=len(denied_claims), claims=len(adjudicated))
    history = {
        code: CodeHistory(
            code=code,
            claims=len(ids),
            denied=len(denied_with.get(code, ())),
            by_category={k: len(v) for k, v in by_category.get(code, {}).items()},
        )
        for code, ids in claims_with.items()
    }
    return prior, history


def claim_risk(claim: Claim, *, today: dt.date | None = None) -> Risk:
    today = today or timezone.localdate()
    prior, history = _history(claim.payer_id, today - dt.timedelta(days=WINDOW_DAYS))
    codes = list(claim.lines.order_by("line_number").values_list("code", flat=True))
    return score(payer=claim.payer.name, codes=codes, history=history, prior=prior)


def claim_risk_refresh(*, claim: Claim, actor=None, today: dt.date | None = None) -> DenialRiskScore:
    """Score one claim; hold it (ready -> needs fix) above the threshold unless a biller
    released it before."""
    risk = claim_risk(claim, today=today)
    now = timezone.now()
    with transaction.atomic():
        row, _ = DenialRiskScore.objects.select_for_update().get_or_create(
            claim=claim,
            defaults={"probability": risk.probability, "reasons": list(risk.reasons), "computed_at": now},
        )
        row.probability, row.reasons, row.computed_at = risk.probability, list(risk.reasons), now
        hold = risk.probability > hold_threshold() and row.reviewed_by_id is None
        if hold and claim.status == ClaimStatus.READY:
            why = risk.reasons[0] if risk.reasons else "the office's history with this payer"
            claim_services.claim_transition(
                claim=claim,
                to=ClaimStatus.NEEDS_FIX,
                actor=actor,
                reason=f"Held for review: denial risk {risk.probability * 100:.0f}% ({why}). "
                "Release it on Denials -> Denial risk after checking.",
                payload={"denial_risk": str(risk.probability)},
            )
            row.held = True
        row.save()
    return row


def claims_risk_score_ready(*, today: dt.date | None = None, actor=None) -> int:
    """Score every ready claim with no score or scrubbed since its score. Returns how many."""
    ids = list(
        Claim.objects.filter(status=ClaimStatus.READY)
        .filter(Q(denial_risk__isnull=True) | Q(denial_risk__computed_at__lt=F("updated_at")))
        .order_by("pk")
        .values_list("pk", flat=True)
    )
    for claim in Claim.objects.filter(pk__in=ids).select_related("payer").order_by("pk"):
        claim_risk_refresh(claim=claim, actor=actor, today=today)
    if ids:
        logger.info("denial risk: %s ready claims scored", len(ids))
    return len(ids)


def claim_risk_release(*, score_row: DenialRiskScore, actor) -> DenialRiskScore:
    """A biller checked a held claim: back to ready, not held again for this score."""
    with transaction.atomic():
        row = DenialRiskScore.objects.select_for_update().select_related("claim").get(pk=score_row.pk)
        if not row.held or row.reviewed_by_id:
            raise DenialStateError("This claim is not held for review.")
        if row.claim.status == ClaimStatus.NEEDS_FIX:
            claim_services.claim_transition(
                claim=row.claim,
                to=ClaimStatus.READY,
                actor=actor,
                reason=f"Released after review of its denial risk ({row.percent}%)",
            )
        row.held, row.reviewed_by, row.reviewed_at = False, actor, timezone.now()
        row.save()
    return row

"""Denials from posted claim payments, and their resolution when money comes after all.

`denials_from_claim_payments` is what the CLAIM_PAYMENTS_POSTED subscriber's task calls. It
locks the claim payments (id order, so two workers on overlapping events serialize), reads
their lines, adjustments and remarks with a few queries, asks the pure detector
(denials.domain.detect) which lines are denials, and inserts the ones not there yet: the unique
constraint on (claim payment, line) makes a repeat insert nothing, and the lock makes the
history rows (created, assigned) written once. Then, for every claim the event names, open
denials of earlier claim payments are resolved: recovered when a later payment paid the line
(or the claim, for a claim-level denial) on this claim or on the claim an action sent in its
place, reversed when the payer reversed the claim payment and nothing was paid since.
"""

from __future__ import annotations

import datetime as dt
import logging
from collections import defaultdict
from collections.abc import Iterable, Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Q
from django.utils import timezone

from denials.catalog import current_catalog
from denials.domain.deadlines import PayerTerms, deadlines, due_date
from denials.domain.detect import AdjFacts, DenialFinding, LineFacts, PaidClaimFacts, find_denials
from denials.domain.priority import priority
from denials.domain.types import OPEN_STATUSES, Category, DenialStatus, Resolution
from denials.models import AssignmentRule, Denial, DenialEvent, PayerDenialTerms
from denials.services.appeals import appeals_record_recovery
from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.audit.services import audit_events_bulk
from payments.models import Adjustment, ClaimPayment, LinePayment, RemarkCode

logger = logging.getLogger(__name__)
ZERO = Decimal("0.00")
POSTED = "posted"


def _terms() -> dict[int, PayerTerms]:
    return {
        t.payer_id: PayerTerms(appeal_days=t.appeal_days, corrected_claim_days=t.corrected_claim_days)
        for t in PayerDenialTerms.objects.all()
    }


def owner_for(rules: Sequence[AssignmentRule], *, payer_id: int, category: str) -> int | None:
    """The user id of the matching rule (DEN-A1): one naming both the payer and the category
    first; among the others (payer only, category only) the lowest `order`, then the oldest."""
    best: tuple[int, int, int] | None = None
    owner = None
    for rule in rules:
        if rule.payer_id is not None and rule.payer_id != payer_id:
            continue
        if rule.category and rule.category != category:
            continue
        rank = (-int(rule.payer_id is not None and bool(rule.category)), rule.order, rule.pk)
        if best is None or rank < best:
            best, owner = rank, rule.user_id
    return owner


def _facts(payments: Sequence[ClaimPayment]) -> dict[int, tuple[PaidClaimFacts, dict[int, LinePayment]]]:
    ids = [p.pk for p in payments]
    lines: dict[int, list[LinePayment]] = defaultdict(list)
    for line in (
        LinePayment.objects.filter(claim_payment_id__in=ids)
        .select_related("claim_line")
        .order_by("claim_payment_id", "sequence")
    ):
        lines[line.claim_payment_id].append(line)
    adjustments: dict[tuple[int, int | None], list[AdjFacts]] = defaultdict(list)
    for cp_id, lp_id, group, reason, amount in (
        Adjustment.objects.filter(claim_payment_id__in=ids)
        .order_by("pk")
        .values_list("claim_payment_id", "line_payment_id", "group", "reason", "amount")
    ):
        adjustments[(cp_id, lp_id)].append(AdjFacts(group, reason, amount))
    remarks: dict[tuple[int, int | None], list[str]] = defaultdict(list)
    for cp_id, lp_id, code in (
        RemarkCode.objects.filter(claim_payment_id__in=ids)
        .order_by("pk")
        .values_list("claim_payment_id", "line_payment_id", "code")
    ):
        remarks[(cp_id, lp_id)].append(code)
    out = {}
    for payment in payments:
        claim = payment.claim
        assert claim is not None  # only matched, posted payments are read
        facts = PaidClaimFacts(
            status=payment.claim_status_code,
            charge=payment.charge,
            paid=payment.paid,
            adjustments=tuple(adjustments.get((payment.pk, None), ())),
            remarks=tuple(remarks.get((payment.pk, None), ())),
            lines=tuple(
                LineFacts(
                    key=line.pk,
                    charge=line.charge,
                    paid=line.paid,
                    adjustments=tuple(adjustments.get((payment.pk, line.pk), ())),
                    remarks=tuple(remarks.get((payment.pk, line.pk), ())),
                )
                for line in lines.get(payment.pk, [])
            ),
            payer=claim.payer.payer_id,
            payer_kind=claim.payer.kind,
        )
        out[payment.pk] = (facts, {line.pk: line for line in lines.get(payment.pk, [])})
    return out


def _denial_row(
    payment: ClaimPayment,
    finding: DenialFinding,
    line: LinePayment | None,
    *,
    terms: dict[int, PayerTerms],
    rules: Sequence[AssignmentRule],
    today: dt.date,
) -> Denial:
    claim = payment.claim
    assert claim is not None
    payer = claim.payer
    explanation = finding.explanation
    notice = payment.remittance.payment_date
    claim_line = line.claim_line if line is not None else None
    service = (
        (line.service_date_from if line is not None else None)
        or (claim_line.service_date_from if claim_line is not None else None)
        or payment.service_date_from
        or claim.service_date_from
    )
    found = deadlines(
        payer_kind=payer.kind,
        form=claim.form,
        notice=notice,
        service_date=service,
        timely_filing_days=payer.timely_filing_days,
        terms=terms.get(payer.pk, PayerTerms()),
    )
    due = due_date(explanation.action, found, notice=notice)
    return Denial(
        claim=claim,
        claim_line=claim_line,
        claim_payment=payment,
        line_payment=line,
        payer=payer,
        group=explanation.group,
        carc=explanation.carc,
        rarcs=list(explanation.rarcs),
        reasons=[
            {
                "group": a.group,
                "carc": a.carc,
                "amount": str(a.amount),
                "category": e.category.value,
                "words": e.in_words,
            }
            for a, e in finding.reasons
        ],
        category=explanation.category.value,
        next_action=explanation.action.value,
        sentence=explanation.sentence,
        rule=explanation.rule[:200],
        charge=finding.charge,
        paid=finding.paid,
        amount=finding.amount,
        service_date=service,
        notice_date=notice,
        appeal_deadline=found.appeal,
        corrected_claim_deadline=found.corrected_claim,
        deadline_basis=found.basis[:200],
        due_date=due,
        priority=priority(amount=finding.amount, category=explanation.category, due=due, today=today),
        owner_id=owner_for(rules, payer_id=payer.pk, category=explanation.category.value),
    )


def denials_from_claim_payments(
    *, claim_payment_ids: Iterable[int], today: dt.date | None = None, actor=None
) -> list[Denial]:
    """Create the denials of these posted claim payments (those not created yet) and resolve
    what later payments recovered. Idempotent. Returns the denials created now."""
    today = today or timezone.localdate()
    ids = sorted(set(claim_payment_ids))
    if not ids:
        return []
    with transaction.atomic():
        payments = list(
            ClaimPayment.objects.select_for_update(no_key=True, of=("self",))
            .filter(pk__in=ids, status=POSTED, claim__isnull=False)
            .select_related("claim__payer", "remittance")
            .order_by("pk")
        )
        existing = set(
            Denial.objects.filter(claim_payment_id__in=[p.pk for p in payments]).values_list(
                "claim_payment_id", "line_payment_id"
            )
        )
        catalog = current_catalog()
        terms = _terms()
        rules = list(AssignmentRule.objects.filter(active=True).order_by("order", "pk"))
        rows: list[Denial] = []
        adjudications = [p for p in payments if not p.is_reversal]
        facts_by_payment = _facts(adjudications)
        for payment in adjudications:
            facts, lines = facts_by_payment[payment.pk]
            for finding in find_denials(catalog, facts):
                if (payment.pk, finding.line_key) in existing:
                    continue
                line = lines.get(finding.line_key) if finding.line_key is not None else None
                rows.append(_denial_row(payment, finding, line, terms=terms, rules=rules, today=today))
        created = Denial.objects.bulk_create(rows)
        audit_events_bulk(
            action=AuditEntry.Action.CREATE, model=Denial, ids=[d.pk for d in created], user=actor
        )
        events = DenialEvent.objects.bulk_create(
            [
                DenialEvent(
                    denial=d,
                    kind=DenialEvent.Kind.CREATED,
                    to_status=DenialStatus.NEW,
                    message=f"From the remittance of {d.notice_date:%Y-%m-%d}: {d.group}-{d.carc}, "
                    f"{Category(d.category).label.lower()}, {d.amount} at stake",
                    payload={"claim_payment": str(d.claim_payment.public_id)},
                )
                for d in created
            ]
            + [
                DenialEvent(
                    denial=d,
                    kind=DenialEvent.Kind.ASSIGNED,
                    message="Assigned by the assignment rules",
                    payload={"owner": d.owner_id},
                )
                for d in created
                if d.owner_id
            ]
        )
        audit_events_bulk(
            action=AuditEntry.Action.CREATE, model=DenialEvent, ids=[e.pk for e in events], user=actor
        )
        resolved = denials_resolve_recovered(claim_ids={p.claim_id for p in payments if p.claim_id})
    if created or resolved:
        logger.info(
            "denials: %s created, %s resolved from %s claim payments", len(created), resolved, len(ids)
        )
    return created


def _later_paid(denial: Denial, claim_ids: set[int]) -> Decimal:
    """What posted, non-reversal claim payments after the denial's own paid on its line (or
    claim) on `claim_ids` (its claim and the claim an action sent in its place)."""
    later = ClaimPayment.objects.filter(
        claim_id__in=claim_ids, status=POSTED, is_reversal=False, pk__gt=denial.claim_payment_id
    )
    if denial.claim_line_id is None:
        return sum(later.values_list("paid", flat=True), ZERO)
    line = denial.claim_line
    assert line is not None
    lines = LinePayment.objects.filter(claim_payment__in=later).filter(
        Q(claim_line_id=line.pk)
        | Q(
            claim_line__claim_id__in=claim_ids - {denial.claim_id},
            claim_line__code=line.code,
            claim_line__service_date_from=line.service_date_from,
        )
    )
    return sum(lines.values_list("paid", flat=True), ZERO)


def denials_resolve_recovered(*, claim_ids: Iterable[int]) -> int:
    """Resolve the open denials of these claims (or of claims they were sent in place of) that
    a later payment recovered, or whose claim payment the payer reversed. Returns how many."""
    claim_ids = set(claim_ids)
    if not claim_ids:
        return 0
    candidates = list(
        Denial.objects.select_for_update(no_key=True, of=("self",))
        .filter(Q(claim_id__in=claim_ids) | Q(result_claim_id__in=claim_ids))
        .filter(status__in=[s.value for s in OPEN_STATUSES])
        .select_related("claim_line")
        .order_by("pk")
    )
    reversed_ids = set(
        ClaimPayment.objects.filter(
            reversal_of_id__in={d.claim_payment_id for d in candidates}, status=POSTED
        ).values_list("reversal_of_id", flat=True)
    )
    count = 0
    now = timezone.now()
    for denial in candidates:
        targets = {denial.claim_id} | ({denial.result_claim_id} if denial.result_claim_id else set())
        paid = _later_paid(denial, targets)
        if paid > ZERO:
            resolution, recovered = Resolution.RECOVERED, min(paid, denial.amount)
            message = f"A later payment paid {paid}: recovered {recovered} of {denial.amount}"
        elif denial.claim_payment_id in reversed_ids:
            resolution, recovered = Resolution.REVERSED, ZERO
            message = "The payer reversed this adjudication (CLP02 22); nothing paid since"
        else:
            continue
        before = denial.status
        denial.status, denial.resolution = DenialStatus.RESOLVED, resolution
        denial.recovered_amount, denial.resolved_at = recovered, now
        denial.save(update_fields=["status", "resolution", "recovered_amount", "resolved_at", "updated_at"])
        if recovered > ZERO:
            appeals_record_recovery(denial=denial, recovered=recovered)  # the appeal that won it
        DenialEvent.objects.create(
            denial=denial,
            kind=DenialEvent.Kind.RESOLVED,
            from_status=before,
            to_status=DenialStatus.RESOLVED,
            message=message,
            payload={"resolution": resolution.value, "recovered": str(recovered)},
        )
        count += 1
    return count


def denials_reprioritize(*, today: dt.date | None = None) -> int:
    """Recompute the priority of every open denial for `today` (the deadline comes closer each
    day; DEN-P1). Idempotent per day. Returns how many changed."""
    today = today or timezone.localdate()
    changed: list[Denial] = []
    for denial in Denial.objects.filter(status__in=[s.value for s in OPEN_STATUSES]).only(
        "pk", "amount", "category", "due_date", "priority"
    ):
        value = priority(
            amount=denial.amount, category=Category(denial.category), due=denial.due_date, today=today
        )
        if value != denial.priority:
            denial.priority = value
            changed.append(denial)
    Denial.objects.bulk_update(changed, ["priority"], batch_size=2000)
    audit_events_bulk(
        action=AuditEntry.Action.UPDATE,
        model=Denial,
        ids=[d.pk for d in changed],
        changed_fields=["priority"],
    )
    return len(changed)

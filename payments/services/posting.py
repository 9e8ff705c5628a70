"""Posting: turn stored claim payments into ledger rows and claim statuses, exactly once.

`remittance_file_post` claims the file with one conditional UPDATE (parsed -> posted) inside the
posting transaction: a second worker on the same file blocks on that row until the first
commits, then updates nothing and returns. Claim payments post in file order; each writes
Posting rows (paid, patient responsibility, adjustments, line by line), its claim's status move
(`claims.services.transitions.claims_adjudicate`: claims locked in id order, one ClaimEvent per
move) and its own status. A reversal (CLP02 22) writes, for the earlier posting it reverses, new
rows with every amount negated (`Posting.reverses`); one that takes back more than the admins'
approval amount is held, with the claim payments behind it for the same claim, until a biller
approves. PLB amounts post as provider-level rows. `remittance_file_preview` runs the same plan
and writes nothing.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import connection, transaction
from django.db.models import Count
from django.utils import timezone

from claims.models import Claim
from claims.services.transitions import Adjudication, claims_adjudicate
from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.audit.services import audit_events_bulk
from infusion_rcm.common.events import CLAIM_PAYMENTS_POSTED, publish_on_commit
from payments.domain.posting import (
    Adj,
    ClaimDecision,
    FileStatus,
    PaidClaim,
    PaidLine,
    PaymentStatus,
    PostingCategory,
    claim_decision,
    ledger_entries,
)
from payments.models import Adjustment, ClaimPayment, LinePayment, Posting, ProviderAdjustment, RemittanceFile
from payments.services.bulk import insert_rows
from payments.services.common import (
    RemittanceStateError,
    reversal_approval_amount,
    user_or_none,
    without_cyclic_gc,
)
from payments.services.contracts import line_payments_price

CHUNK = 5000
ZERO = Decimal("0.00")
POSTING_FIELDS = [
    "remittance_id",
    "claim_payment_id",
    "line_payment_id",
    "claim_id",
    "claim_line_id",
    "category",
    "group",
    "reason",
    "amount",
    "reverses_id",
    "actor_id",
]


@dataclass
class PostResult:
    """What posting a file did (the counts `import_835` prints)."""

    file: RemittanceFile
    claims_posted: int = 0  # claim payments this call posted
    claims_already_posted: int = 0  # posted before (the file again) or duplicates of an earlier file
    unmatched: int = 0
    held: int = 0
    errors: list[str] = field(default_factory=list)


@dataclass
class _Payment:
    """The columns of a stored claim payment posting reads and writes (no model instance: a file
    holds thousands)."""

    pk: int
    public_id: object
    remittance_id: int
    sequence: int
    claim_id: int
    claim_status_code: str
    is_reversal: bool
    payer_claim_number: str
    charge: Decimal
    paid: Decimal
    crossover_carrier: str
    status: str
    patient_control_number: str
    reversal_of_id: int | None = None


_PAYMENT_COLUMNS = [
    "pk",
    "public_id",
    "remittance_id",
    "sequence",
    "claim_id",
    "claim_status_code",
    "is_reversal",
    "payer_claim_number",
    "charge",
    "paid",
    "crossover_carrier",
    "status",
    "patient_control_number",
]


def _payments(queryset) -> list[_Payment]:
    return [_Payment(*values) for values in queryset.values_list(*_PAYMENT_COLUMNS)]


@dataclass
class _Row:
    """A stored claim payment with its lines and adjustments, as posting needs them."""

    payment: _Payment
    lines: list[tuple[int, int | None, PaidLine]]  # (line payment id, claim line id, line)
    claim_adjustments: list[Adj]

    def paid_claim(self) -> PaidClaim:
        return PaidClaim(
            status=self.payment.claim_status_code,
            charge=self.payment.charge,
            paid=self.payment.paid,
            crossover_carrier=self.payment.crossover_carrier,
            adjustments=tuple(self.claim_adjustments),
            lines=tuple(line for _, _, line in self.lines),
        )


def _load(payments: Sequence[_Payment]) -> list[_Row]:
    """Lines and adjustments of these claim payments, with two queries per few thousand."""
    ids = [p.pk for p in payments]
    lines: dict[int, list[tuple[int, int | None, PaidLine]]] = defaultdict(list)
    line_adjustments: dict[int, list[Adj]] = defaultdict(list)
    claim_adjustments: dict[int, list[Adj]] = defaultdict(list)
    for start in range(0, len(ids), CHUNK):
        part = ids[start : start + CHUNK]
        for cp_id, line_id, group, reason, amount in (
            Adjustment.objects.filter(claim_payment_id__in=part)
            .order_by("pk")
            .values_list("claim_payment_id", "line_payment_id", "group", "reason", "amount")
        ):
            target = line_adjustments[line_id] if line_id else claim_adjustments[cp_id]
            target.append(Adj(group, reason, amount))
        rows = (
            LinePayment.objects.filter(claim_payment_id__in=part)
            .order_by("claim_payment_id", "sequence")
            .values_list(
                "pk",
                "claim_payment_id",
                "claim_line_id",
                "line_control_number",
                "procedure_code",
                "modifiers",
                "original_procedure_code",
                "original_modifiers",
                "units_paid",
                "original_units",
                "service_date_from",
                "service_date_to",
                "paid",
            )
        )
        for (
            pk,
            cp_id,
            claim_line_id,
            control,
            code,
            mods,
            ocode,
            omods,
            units,
            ounits,
            start_d,
            end_d,
            paid,
        ) in rows:
            lines[cp_id].append(
                (
                    pk,
                    claim_line_id,
                    PaidLine(
                        control_number=control,
                        code=ocode or code,
                        modifiers=tuple(omods if ocode else mods),
                        units=ounits if ounits is not None else units,
                        date_from=start_d,
                        date_to=end_d,
                        paid=paid,
                        adjustments=tuple(line_adjustments.get(pk, ())),
                    ),
                )
            )
    return [_Row(p, lines.get(p.pk, []), claim_adjustments.get(p.pk, [])) for p in payments]


@dataclass
class _Plan:
    """Which stored claim payments post, and which wait (held), decided in file order."""

    post: list[_Row] = field(default_factory=list)
    hold: list[tuple[_Row, str]] = field(default_factory=list)


def _plan(rows: Iterable[_Row], *, threshold: Decimal, approved: frozenset[int] = frozenset()) -> _Plan:
    plan = _Plan()
    waiting: set[int] = set()  # claims with a held reversal earlier in this batch
    for row in rows:
        payment = row.payment
        if payment.claim_id in waiting:
            plan.hold.append((row, "Waits for the held reversal of this claim before it."))
            continue
        taken_back = -payment.paid
        if payment.is_reversal and taken_back > threshold and payment.pk not in approved:
            waiting.add(payment.claim_id)
            plan.hold.append(
                (row, f"Reversal takes back {taken_back}, above {threshold}: a biller must approve it.")
            )
            continue
        plan.post.append(row)
    return plan


def _originals(rows: Sequence[_Row]) -> dict[int, ClaimPayment]:
    """For each reversal: the earlier posted claim payment of its claim that it reverses (the one
    with the same payer claim number if any, else the latest not yet reversed)."""
    reversals = [r.payment for r in rows if r.payment.is_reversal]
    if not reversals:
        return {}
    candidates: dict[int | None, list[ClaimPayment]] = defaultdict(list)
    for cp in (
        ClaimPayment.objects.filter(
            claim_id__in={p.claim_id for p in reversals},
            status=PaymentStatus.POSTED,
            is_reversal=False,
            reversals__isnull=True,
        )
        .order_by("-posted_at", "-pk")
        .only("pk", "claim_id", "payer_claim_number")
    ):
        candidates[cp.claim_id].append(cp)
    found: dict[int, ClaimPayment] = {}
    for reversal in reversals:
        pool = candidates.get(reversal.claim_id, [])
        pick = next((c for c in pool if c.payer_claim_number == reversal.payer_claim_number), None)
        pick = pick or (pool[0] if pool else None)
        if pick is not None:
            pool.remove(pick)
            found[reversal.pk] = pick
    return found


def _post(rows: Sequence[_Row], *, actor) -> dict[int, str]:
    """Write the postings, claim moves and statuses of `rows` (already decided to post)."""
    if not rows:
        return {}
    now = timezone.now()
    user = user_or_none(actor)
    user_id = user.pk if user else None
    originals = _originals(rows)
    reversed_rows: dict[int, list[Any]] = defaultdict(list)
    if originals:
        for values in Posting.objects.filter(claim_payment_id__in=[o.pk for o in originals.values()]).values(
            "pk",
            "claim_payment_id",
            "line_payment_id",
            "claim_line_id",
            "category",
            "group",
            "reason",
            "amount",
        ):
            reversed_rows[values["claim_payment_id"]].append(values)
    postings: list[tuple] = []
    decisions: list[Adjudication] = []
    for row in rows:
        payment = row.payment
        remittance_id = payment.remittance_id
        paid = row.paid_claim()
        original = originals.get(payment.pk)
        if original is not None:
            payment.reversal_of_id = original.pk
            postings.extend(
                (
                    remittance_id,
                    payment.pk,
                    None,
                    payment.claim_id,
                    values["claim_line_id"],
                    values["category"],
                    values["group"],
                    values["reason"],
                    -values["amount"],
                    values["pk"],
                    user_id,
                )
                for values in reversed_rows.get(original.pk, [])
            )
        else:
            # Posted as sent: an original without a reversal, or a reversal of a payment posted
            # before this system (its figures are the original's, negated).
            for entry in ledger_entries(paid):
                line_id, claim_line_id = (None, None)
                if entry.line is not None:
                    line_id, claim_line_id, _ = row.lines[entry.line]
                postings.append(
                    (
                        remittance_id,
                        payment.pk,
                        line_id,
                        payment.claim_id,
                        claim_line_id,
                        entry.category._value_,  # not .value: a property call per ledger row
                        entry.group,
                        entry.reason,
                        entry.amount,
                        None,
                        user_id,
                    )
                )
        decision: ClaimDecision = claim_decision(paid)
        if decision.to is not None:
            keep_reason = decision.to.value in ("denied", "partially_paid")
            decisions.append(
                Adjudication(
                    claim_id=payment.claim_id,
                    to=decision.to.value,
                    reason=decision.reason,
                    payer_claim_number="" if payment.is_reversal else payment.payer_claim_number,
                    status_reason=decision.reason if keep_reason else "",
                    payload={"claim_payment": str(payment.public_id), "clp02": payment.claim_status_code},
                )
            )
    insert_rows(Posting, POSTING_FIELDS, postings)
    # What the contract pays, on each posted line (the underpayment queue reads it).
    line_payments_price(claim_payment_ids=[r.payment.pk for r in rows if not r.payment.is_reversal])
    outcomes = claims_adjudicate(decisions=decisions, actor=actor)
    _mark_posted(rows, outcomes, now=now, user=user)
    audit_events_bulk(
        action=AuditEntry.Action.UPDATE,
        model=ClaimPayment,
        ids=[r.payment.pk for r in rows],
        changed_fields=["status"],
        user=actor,
    )
    # Denials and the next payer's claim react after commit (docs/architecture.md, events).
    publish_on_commit(
        CLAIM_PAYMENTS_POSTED,
        claim_payment_ids=[r.payment.pk for r in rows],
        claim_ids=sorted({r.payment.claim_id for r in rows if r.payment.claim_id}),
    )
    return outcomes


def _mark_posted(rows: Sequence[_Row], outcomes: dict[int, str], *, now, user) -> None:
    """Set-based, and each claim payment rewritten once: on PostgreSQL one UPDATE ... FROM
    unnest(arrays) per few thousand rows sets the status, who and when, what posting did to the
    claim and the payment it reversed (its status is indexed, so every extra pass over the same
    rows would write a new version of each row and of its indexes again)."""
    items = [
        (r.payment.pk, outcomes.get(r.payment.claim_id, "unchanged")[:200], r.payment.reversal_of_id)
        for r in rows
    ]
    if connection.vendor != "postgresql":
        _mark_posted_orm(items, now=now, user=user)
        return
    table = ClaimPayment._meta.db_table
    sql = (
        f"UPDATE {table} AS t SET status = %s, posted_at = %s, posted_by_id = %s, note = '', "  # noqa: S608 - our table name
        "updated_at = %s, claim_status_result = v.outcome, "
        "reversal_of_id = COALESCE(v.reversal, t.reversal_of_id) "
        "FROM unnest(%s::bigint[], %s::text[], %s::bigint[]) AS v(id, outcome, reversal) WHERE t.id = v.id"
    )
    with connection.cursor() as cursor:
        for start in range(0, len(items), CHUNK):
            part = items[start : start + CHUNK]
            cursor.execute(
                sql,
                [
                    PaymentStatus.POSTED.value,
                    now,
                    user.pk if user else None,
                    now,
                    [i[0] for i in part],
                    [i[1] for i in part],
                    [i[2] for i in part],
                ],
            )


def _mark_posted_orm(items: Sequence[tuple[int, str, int | None]], *, now, user) -> None:
    """The same on another database (the embedded SQLite): one UPDATE per outcome."""
    ids = [pk for pk, _, _ in items]
    for start in range(0, len(ids), CHUNK):
        ClaimPayment.objects.filter(pk__in=ids[start : start + CHUNK]).update(
            status=PaymentStatus.POSTED, posted_at=now, posted_by=user, note="", updated_at=now
        )
    by_outcome: dict[str, list[int]] = defaultdict(list)
    for pk, outcome, reversal_of in items:
        by_outcome[outcome].append(pk)
        if reversal_of:
            ClaimPayment.objects.filter(pk=pk).update(reversal_of_id=reversal_of)
    for outcome, payment_ids in by_outcome.items():
        for start in range(0, len(payment_ids), CHUNK):
            ClaimPayment.objects.filter(pk__in=payment_ids[start : start + CHUNK]).update(
                claim_status_result=outcome
            )


def _hold(held: Sequence[tuple[_Row, str]]) -> None:
    by_note: dict[str, list[int]] = defaultdict(list)
    for row, note in held:
        by_note[note].append(row.payment.pk)
    for note, ids in by_note.items():
        ClaimPayment.objects.filter(pk__in=ids).update(
            status=PaymentStatus.HELD, note=note, updated_at=timezone.now()
        )


def _post_provider_adjustments(file: RemittanceFile, actor) -> None:
    user = user_or_none(actor)
    Posting.objects.bulk_create(
        [
            Posting(
                remittance_id=plb.remittance_id,
                provider_adjustment=plb,
                claim_id=None,
                category=PostingCategory.PROVIDER,
                group="",
                reason=plb.reason,
                amount=plb.amount,
                actor=user,
            )
            for plb in ProviderAdjustment.objects.filter(remittance__file=file).order_by("pk")
        ]
    )


def _pending(file: RemittanceFile) -> list[_Payment]:
    return _payments(
        ClaimPayment.objects.filter(remittance__file=file, status=PaymentStatus.PENDING).order_by(
            "remittance__sequence", "sequence"
        )
    )


def remittance_file_post(*, file: RemittanceFile, actor, stored: Sequence[_Row] | None = None) -> PostResult:
    """Post a parsed file: every pending claim payment in file order, then its PLB amounts.

    Exactly once: the conditional UPDATE parsed -> posted is the first write of the transaction
    and holds the file's row lock to the end, so a concurrent call (another worker, the same
    file imported twice) waits, then finds nothing to claim and only reports. A file that is not
    parsed (failed, received, posted) is reported as it is.

    `stored`: the pending rows the parse in this process has just written (receive), used
    instead of reading the lines and adjustments back when the pending claim payments under the
    lock are exactly those (same ids and columns, same order); otherwise they are reread.
    """
    with without_cyclic_gc(), transaction.atomic():
        claimed = RemittanceFile.objects.filter(pk=file.pk, status=FileStatus.PARSED).update(
            status=FileStatus.POSTED,
            posted_at=timezone.now(),
            posted_by=user_or_none(actor),
            updated_at=timezone.now(),
        )
        if not claimed:
            _refresh(file)
            return file_summary(file, already=True)
        pending = _pending(file)
        if stored is not None and [r.payment for r in stored] == pending:
            rows = list(stored)
        else:
            rows = _load(pending)
        plan = _plan(rows, threshold=reversal_approval_amount())
        _post(plan.post, actor=actor)
        _hold(plan.hold)
        _post_provider_adjustments(file, actor)
    _refresh(file)
    result = file_summary(file)
    result.claims_posted = len(plan.post)
    result.claims_already_posted = _count(file, PaymentStatus.DUPLICATE)
    return result


def _refresh(file: RemittanceFile) -> None:
    """Reread the file's columns but its text (megabytes that posting never changes)."""
    file.refresh_from_db(
        fields=[f.name for f in RemittanceFile._meta.concrete_fields if f.name not in ("id", "content")]
    )


def _count(file: RemittanceFile, status: PaymentStatus) -> int:
    return ClaimPayment.objects.filter(remittance__file=file, status=status).count()


def file_summary(file: RemittanceFile, *, already: bool = False) -> PostResult:
    """The counts of a file as it stands. `already`: reported for a repeat (nothing posted now)."""
    counts = dict(
        ClaimPayment.objects.filter(remittance__file=file)
        .values("status")
        .annotate(n=Count("pk"))
        .values_list("status", "n")
    )
    result = PostResult(
        file=file, unmatched=counts.get(PaymentStatus.UNMATCHED, 0), held=counts.get(PaymentStatus.HELD, 0)
    )
    if already:
        result.claims_already_posted = counts.get(PaymentStatus.POSTED, 0) + counts.get(
            PaymentStatus.DUPLICATE, 0
        )
    if file.status == FileStatus.FAILED:
        result.errors = [file.error.get("message", "refused")]
    return result


# ---------------------------------------------------------------------------
# After the file: a biller matches, or approves
# ---------------------------------------------------------------------------


def post_claim_payments(
    *, payments: Sequence[ClaimPayment], actor, approved: frozenset[int] = frozenset()
) -> _Plan:
    """Post these claim payments now (their file already posted), holding reversals that need
    approval unless approved. Called under the caller's transaction and locks."""
    rows = _load(
        _payments(
            ClaimPayment.objects.filter(pk__in=[p.pk for p in payments]).order_by(
                "remittance__sequence", "sequence"
            )
        )
    )
    plan = _plan(rows, threshold=reversal_approval_amount(), approved=approved)
    _post(plan.post, actor=actor)
    _hold(plan.hold)
    return plan


def claim_payment_approve(*, claim_payment: ClaimPayment, actor) -> ClaimPayment:
    """Approve a held reversal: it posts, then the claim payments of the same claim held behind it
    in the same file post in order. Locks the claim payments (id order) and rereads them."""
    with transaction.atomic():
        locked = ClaimPayment.objects.select_for_update().get(pk=claim_payment.pk)
        if locked.status != PaymentStatus.HELD:
            raise RemittanceStateError(f"This claim payment is {locked.status}, not held for approval.")
        if not locked.is_reversal:
            raise RemittanceStateError("It waits for the reversal before it: approve that reversal.")
        followers = list(
            ClaimPayment.objects.select_for_update()
            .filter(
                remittance__file_id=locked.remittance.file_id,
                claim_id=locked.claim_id or 0,  # a held payment always has its claim
                status=PaymentStatus.HELD,
            )
            .order_by("remittance__sequence", "sequence")
        )
        batch = [
            p for p in followers if (p.remittance_id, p.sequence) >= (locked.remittance_id, locked.sequence)
        ]
        post_claim_payments(payments=batch, actor=actor, approved=frozenset({locked.pk}))
    locked.refresh_from_db()
    return locked


def remittance_file_preview(*, file: RemittanceFile) -> dict:
    """What posting the file would do, written nowhere: per claim payment its claim, the claim's
    status now and after, the money and its fate (post, hold, unmatched, duplicate); the PLB."""
    file.refresh_from_db()
    payments = _payments(
        ClaimPayment.objects.filter(remittance__file=file).order_by("remittance__sequence", "sequence")
    )
    claims = {
        pk: (public_id, status)
        for pk, public_id, status in Claim.objects.filter(
            pk__in={p.claim_id for p in payments if p.claim_id}
        ).values_list("pk", "public_id", "status")
    }
    rows = _load(payments)
    pending = [r for r in rows if r.payment.status == PaymentStatus.PENDING]
    plan = _plan(pending, threshold=reversal_approval_amount())
    fate = {r.payment.pk: "post" for r in plan.post} | {
        r.payment.pk: f"hold: {note}" for r, note in plan.hold
    }
    out = []
    for row in rows:
        payment = row.payment
        claim = claims.get(payment.claim_id)
        paid = row.paid_claim()
        entries = ledger_entries(paid)
        decision = claim_decision(paid)
        out.append(
            {
                "claim_payment": str(payment.public_id),
                "patient_control_number": payment.patient_control_number,
                "claim": str(claim[0]) if claim else None,
                "claim_status_now": claim[1] if claim else None,
                "claim_status_after": (decision.to.value if decision.to else None) if claim else None,
                "status_reason": decision.reason,
                "paid": str(payment.paid),
                "patient_responsibility": str(
                    sum((e.amount for e in entries if e.category == PostingCategory.PATIENT), ZERO)
                ),
                "adjustment_amount": str(
                    sum((e.amount for e in entries if e.category == PostingCategory.ADJUSTMENT), ZERO)
                ),
                "fate": fate.get(payment.pk, payment.status),
            }
        )
    provider = [
        {"reason": p.reason, "reference": p.reference, "amount": str(p.amount)}
        for p in ProviderAdjustment.objects.filter(remittance__file=file).order_by("pk")
    ]
    return {
        "file": str(file.public_id),
        "status": file.status,
        "would_post": len(plan.post) if file.status == FileStatus.PARSED else 0,
        "would_hold": len(plan.hold) if file.status == FileStatus.PARSED else 0,
        "unmatched": sum(1 for r in rows if r.payment.status == PaymentStatus.UNMATCHED),
        "duplicates": sum(1 for r in rows if r.payment.status == PaymentStatus.DUPLICATE),
        "total_paid": str(file.total_paid),
        "claims": out,
        "provider_adjustments": provider,
    }

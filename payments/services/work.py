"""The biller's work on claim payments that could not post by themselves: match an unmatched one
to a claim by hand (then it posts through the same posting code)."""

from __future__ import annotations

from django.db import transaction

from claims.models import Claim
from payments.domain.posting import ClaimMatch, FileStatus, LineMatch, PaymentStatus, match_lines
from payments.models import ClaimPayment, LinePayment
from payments.services.common import RemittanceStateError
from payments.services.posting import _load, _payments, post_claim_payments
from payments.services.store import our_lines


def claim_payment_match(*, claim_payment: ClaimPayment, claim: Claim, actor) -> ClaimPayment:
    """Match an unmatched claim payment to `claim` (a biller's choice), match its lines to the
    claim's lines (REF*6R, then code, modifiers, units, date), and post it if its file has posted
    (otherwise it posts with the file). Locks the claim payment and rereads its status."""
    with transaction.atomic():
        locked = (
            ClaimPayment.objects.select_for_update()
            .select_related("remittance__file")
            .get(pk=claim_payment.pk)
        )
        if locked.status != PaymentStatus.UNMATCHED:
            raise RemittanceStateError(
                f"This claim payment is {locked.status}: only an unmatched one is matched by hand."
            )
        locked.claim = claim
        locked.match_method = ClaimMatch.MANUAL
        locked.status = PaymentStatus.PENDING
        locked.note = ""
        locked.save(update_fields=["claim", "match_method", "status", "note", "updated_at"])
        (row,) = _load(_payments(ClaimPayment.objects.filter(pk=locked.pk)))
        matched = match_lines([line for _, _, line in row.lines], our_lines([claim.pk]).get(claim.pk, []))
        updates = []
        for (line_id, _, _), (claim_line_id, method) in zip(row.lines, matched, strict=True):
            updates.append(
                LinePayment(pk=line_id, claim_line_id=claim_line_id, match_method=method or LineMatch.NONE)
            )
        LinePayment.objects.bulk_update(updates, ["claim_line", "match_method"])
        if locked.remittance.file.status == FileStatus.POSTED:
            post_claim_payments(payments=[locked], actor=actor)
    locked.refresh_from_db()
    return locked

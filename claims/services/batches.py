"""Batches: ready claims of a payer into one 837 file, pyx12 check, release, pull back."""

from __future__ import annotations

from collections.abc import Callable

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from claims import mappers, selectors
from claims.domain import types as d
from claims.domain.types import ClaimForm
from claims.domain.validation import validate_with_pyx12
from claims.domain.x12_837 import IMPLEMENTATION_GUIDE, MAX_CLAIMS_PER_TRANSACTION, build_837
from claims.models import (
    Claim,
    SubmissionBatch,
)
from claims.services.common import MAX_CLAIMS_PER_BATCH, BatchStateError, S, logger
from claims.services.transitions import _lock_statuses, _transition_many, _user
from infusion_rcm.common.money import ZERO, to_money
from infusion_rcm.x12.control_numbers import interchange_open, interchange_written
from intake.models import (
    Payer,
)

# ---------------------------------------------------------------------------
# Batches (837 files)
# ---------------------------------------------------------------------------


def submitter_receiver(provider: d.BillingProvider) -> tuple[d.Submitter, d.Receiver]:
    submitter = d.Submitter(
        name=getattr(settings, "X12_SUBMITTER_NAME", "") or provider.name,
        submitter_id=settings.X12_SENDER_ID,
        contact_name=getattr(settings, "X12_SUBMITTER_CONTACT", "Billing Office"),
        phone=getattr(settings, "X12_SUBMITTER_PHONE", "2175550100"),
    )
    receiver = d.Receiver(
        name=getattr(settings, "X12_RECEIVER_NAME", "Clearinghouse"), receiver_id=settings.X12_RECEIVER_ID
    )
    return submitter, receiver


def batch_build(
    *,
    payer: Payer,
    actor=None,
    form: ClaimForm | str | None = None,
    validate: bool | None = None,
    after_render: Callable[[str], None] | None = None,
    max_claims: int = MAX_CLAIMS_PER_BATCH,
    claim_ids: list[int] | None = None,
) -> SubmissionBatch | None:
    """Put the payer's READY claims of one form into one 837 interchange.

    All or nothing, in one transaction: claims are locked (SKIP LOCKED, so a concurrent builder
    takes other claims, never the same), ISA13/GS06 come from the x12 control-number service (which
    registers the interchange for the acknowledgments to match), the file is written
    and (settings.VALIDATE_BATCHES_WITH_PYX12) validated with pyx12. A file pyx12 refuses is
    stored HELD with its errors and its claims stay batched until pulled back. Returns None when
    the payer has no ready claims; at most `max_claims` (oldest first) go in one file.
    `after_render` is a test seam called with the file text. `claim_ids` limits the batch to
    those claims (a batch rebuilt without a voided claim takes exactly the others).
    """
    validate = settings.VALIDATE_BATCHES_WITH_PYX12 if validate is None else validate
    with transaction.atomic():
        ready = Claim.objects.filter(payer=payer, status=S.READY.value)
        if claim_ids is not None:
            ready = ready.filter(pk__in=claim_ids)
        if form is None:
            form = ready.order_by("service_date_from", "pk").values_list("form", flat=True).first()
            if form is None:
                return None
        form = ClaimForm(form)
        ids = list(
            ready.filter(form=form.value)
            .select_for_update(no_key=True, skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:max_claims]
        )
        if not ids:
            return None
        claims = selectors.claim_rows_for_drafts(ids)
        cache = mappers.DraftCache()
        drafts = [mappers.claim_to_draft(c, c.lines, cache=cache) for c in claims]
        # ISA13 / GS06 from the one x12 service; the register row is what acknowledgments match.
        opened = interchange_open(
            functional_id="HC", transaction_set="837", version=IMPLEMENTATION_GUIDE[form]
        )
        envelope = opened.envelope
        isa, gs = envelope.interchange_control, envelope.group_control
        submitter, receiver = submitter_receiver(drafts[0].billing_provider)
        text = build_837(drafts, submitter=submitter, receiver=receiver, envelope=envelope)
        if after_render is not None:
            after_render(text)
        interchange_written(opened.record, transaction_count=-(-len(drafts) // MAX_CLAIMS_PER_TRANSACTION))
        errors = validate_with_pyx12(text) if validate else []
        total = to_money(sum((c.total_charge for c in claims), ZERO))
        batch = SubmissionBatch.objects.create(
            payer=payer,
            form=form.value,
            status=SubmissionBatch.Status.HELD if errors else SubmissionBatch.Status.READY,
            interchange_control_number=isa,
            group_control_number=gs,
            interchange=opened.record,
            file_name=f"837{'P' if form is ClaimForm.PROFESSIONAL else 'I'}_{payer.payer_id}_{isa:09d}.x12"[
                :80
            ],
            content=text,
            claim_count=len(claims),
            total_charge=total,
            validated=validate and not errors,
            validation_errors=errors,
            created_by=_user(actor),
        )
        _transition_many(
            [(cid, S.READY.value, S.BATCHED.value) for cid in ids],
            actor=actor,
            reason=f"Batched in {batch.file_name}" + (" (held: pyx12 errors)" if errors else ""),
            payloads={cid: {"batch": str(batch.public_id)} for cid in ids},
            extra_update={"batch": batch},
        )
    logger.info("batch %s built: %d claims, %d pyx12 errors", batch.pk, len(ids), len(errors))
    return batch


def batch_build_all(*, actor=None, validate: bool | None = None) -> list[SubmissionBatch]:
    """One batch per payer and form with ready claims."""
    batches = []
    pairs = (
        Claim.objects.filter(status=S.READY.value)
        .values_list("payer_id", "form")
        .distinct()
        .order_by("payer_id", "form")
    )
    for payer_id, form in list(pairs):
        payer = Payer.objects.get(pk=payer_id)
        while (batch := batch_build(payer=payer, actor=actor, form=form, validate=validate)) is not None:
            batches.append(batch)
    return batches


def batch_build_request(*, payer: Payer, form: str | None = None) -> None:
    """Queue batch_build for the payer on the `batch` queue after commit."""
    payer_id = payer.pk

    def enqueue() -> None:
        from claims.tasks import batch_build_task

        batch_build_task.delay(payer_id, form)

    transaction.on_commit(enqueue)


def batch_release(*, batch: SubmissionBatch, actor) -> SubmissionBatch:
    """Release a validated batch: claims batched -> submitted. A held or released batch is refused.

    Claimed with a conditional UPDATE (status ready -> released), so two clicks release once.
    """
    with transaction.atomic():
        taken = SubmissionBatch.objects.filter(pk=batch.pk, status=SubmissionBatch.Status.READY).update(
            status=SubmissionBatch.Status.RELEASED, released_at=timezone.now(), updated_at=timezone.now()
        )
        if not taken:
            current = SubmissionBatch.objects.get(pk=batch.pk).status
            raise BatchStateError(
                f"Only a validated batch waiting for release can be released; this one is {current}."
            )
        statuses = _lock_statuses(Claim.objects.filter(batch=batch).values_list("pk", flat=True))
        _transition_many(
            [(cid, st, S.SUBMITTED.value) for cid, st in statuses.items()],
            actor=actor,
            reason=f"Released in {batch.file_name}",
        )
    batch.refresh_from_db()
    return batch


def batch_pull_back(*, batch: SubmissionBatch, actor, reason: str = "") -> int:
    """Take an unreleased batch's claims back to ready (e.g. after pyx12 held it); the batch is withdrawn."""
    with transaction.atomic():
        locked = SubmissionBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in (SubmissionBatch.Status.HELD, SubmissionBatch.Status.READY):
            raise BatchStateError(f"A {locked.status} batch cannot be pulled back.")
        statuses = _lock_statuses(Claim.objects.filter(batch=locked).values_list("pk", flat=True))
        moves = [(cid, st, S.READY.value) for cid, st in statuses.items() if st == S.BATCHED.value]
        _transition_many(
            moves,
            actor=actor,
            reason=reason or f"Pulled back from {locked.file_name}",
            extra_update={"batch": None},
        )
        locked.status = SubmissionBatch.Status.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
    batch.status = SubmissionBatch.Status.WITHDRAWN
    return len(moves)

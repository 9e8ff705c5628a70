"""Corrections as payers take them: a void before the claim was adjudicated (taken out of its
unreleased batch, which is rebuilt without it), and after adjudication a replacement (frequency
7) carrying the biller's corrections or a void at the payer (frequency 8), both quoting the
payer's claim number in REF*F8. A Medicare Part B claim is corrected by a reopening instead
(claims.domain.corrections), so neither is created for one.
"""

from __future__ import annotations

from django.db import transaction

from claims.domain.claim_edit import ClaimChanges, changed_fields, edit_version
from claims.domain.claim_edit_apply import apply_changes
from claims.domain.corrections import (
    REPLACEMENT_FREQUENCY,
    VOID_FREQUENCY,
    CorrectionOptions,
    correction_options,
    reopening_guidance,
    takes_reopenings,
)
from claims.domain.transitions import REPLACEABLE
from claims.models import Claim, ClaimEvent, SubmissionBatch
from claims.services.batches import batch_build, batch_pull_back
from claims.services.build import claim_number_format
from claims.services.common import ClaimStateError, S, control_numbers_take, logger
from claims.services.edit import (
    ClaimEditConflictError,
    ClaimEditUnchangedError,
    carried_line_fields,
    claim_fields_of,
    claim_state,
    create_lines,
    edit_checks,
    required_reason,
)
from claims.services.scrub import claim_scrub_request
from claims.services.transitions import _user, claim_transition
from coding import services as coding_services

UNRELEASED = (SubmissionBatch.Status.HELD, SubmissionBatch.Status.READY)


class ReopeningRequiredError(ClaimStateError):
    """The payer corrects adjudicated claims by reopening, not by frequency 7/8 claims."""

    code = "claim.reopening_required"


def claim_correction_options(claim: Claim) -> CorrectionOptions:
    """What may be done with the claim now (edit, void, replace, void at the payer, reopening)."""
    return correction_options(
        status=claim.status,
        frequency_code=claim.frequency_code,
        payer_kind=claim.payer.kind,
        form=claim.form,
        payer_claim_number=claim.payer_claim_number,
    )


# ---------------------------------------------------------------------------
# Void before adjudication
# ---------------------------------------------------------------------------


def claim_void(*, claim: Claim, actor, reason: str) -> Claim:
    """Cancel a claim that has not been adjudicated (before submission, or after a rejection).

    Its charge lines return to "reviewed" so a corrected claim can be built from them. A batched
    claim leaves its unreleased batch, and the batch is rebuilt without it: the old file is
    withdrawn (it can no longer be released) and the other claims go into a new file, checked
    again (held if pyx12 refuses it). Locks the batch, then the claims (the order batch release
    takes). After adjudication use a replacement or a void at the payer: the state table refuses
    the move (IllegalTransitionError).
    """
    with transaction.atomic():
        batch_id = Claim.objects.filter(pk=claim.pk).values_list("batch_id", flat=True).get()
        batch = SubmissionBatch.objects.select_for_update().filter(pk=batch_id).first() if batch_id else None
        was_batched = Claim.objects.get(pk=claim.pk).status == S.BATCHED
        fields = {"batch": None} if was_batched else {}
        voided = claim_transition(claim=claim, to=S.VOID, actor=actor, reason=reason or "Voided", **fields)
        line_ids = [i for i in voided.lines.values_list("charge_line_id", flat=True) if i is not None]
        coding_services.charge_lines_release_from_claim(line_ids=line_ids)
        if was_batched and batch is not None and batch.status in UNRELEASED:
            _rebuild_without(batch, voided, actor)
    return voided


def _rebuild_without(batch: SubmissionBatch, voided: Claim, actor) -> SubmissionBatch | None:
    """Withdraw `batch` (already locked) and put its other claims in a new file."""
    others = list(Claim.objects.filter(batch=batch).values_list("pk", flat=True))
    batch_pull_back(batch=batch, actor=actor, reason=f"Batch rebuilt: {voided.claim_number} was voided")
    if not others:
        return None
    rebuilt = batch_build(payer=batch.payer, actor=actor, form=batch.form, claim_ids=others)
    logger.info(
        "batch %s withdrawn after void of %s; rebuilt as %s",
        batch.pk,
        voided.claim_number,
        rebuilt.pk if rebuilt else None,
    )
    return rebuilt


# ---------------------------------------------------------------------------
# After adjudication: replacement (7) and void at the payer (8)
# ---------------------------------------------------------------------------


def _lock_adjudicated(claim: Claim, what: str) -> Claim:
    original = Claim.objects.select_for_update(no_key=True).select_related("payer").get(pk=claim.pk)
    if original.status not in REPLACEABLE:
        raise ClaimStateError(
            f"Only an adjudicated claim can get a {what}; this one is {original.status.replace('_', ' ')}.",
            extra={"status": original.status},
        )
    if takes_reopenings(original.payer.kind, original.form):
        raise ReopeningRequiredError(
            " ".join(reopening_guidance(original.payer_claim_number)),
            extra={"steps": reopening_guidance(original.payer_claim_number)},
        )
    if not original.payer_claim_number:
        raise ClaimStateError(
            f"The payer's claim number is not known yet; a {what} must reference it (REF*F8)."
        )
    return original


def _new_claim_like(original: Claim, frequency: str, fields: dict) -> Claim:
    number = claim_number_format(control_numbers_take("claim")[0])
    return Claim.objects.create(
        claim_number=number,
        patient_id=original.patient_id,
        coverage_id=original.coverage_id,
        payer_id=original.payer_id,
        billing_provider_id=original.billing_provider_id,
        location_id=original.location_id,
        visit_id=original.visit_id,
        form=original.form,
        status=S.DRAFT.value,
        frequency_code=frequency,
        replaces=original,
        # a corrected secondary is still the secondary, with the same earlier payers' loops
        payer_sequence=original.payer_sequence,
        prior_claim_id=original.prior_claim_id,
        prior_adjudications=original.prior_adjudications,
        **fields,
    )


def claim_replace(*, claim: Claim, actor, reason: str, changes: ClaimChanges, version: str = "") -> Claim:
    """Create the replacement (frequency 7, REF*F8 = the payer's claim number) of an adjudicated
    claim with the biller's corrections applied, and move the original to replaced.

    A replacement that corrects nothing is refused (the payer would adjudicate the same claim
    again). Preconditions: adjudicated (accepted, paid, partially paid, denied), the payer's claim
    number known, a payer that takes replacements (not Medicare Part B: ReopeningRequiredError).
    `version`, when given, must be the original's (claim_version). Locks the original throughout.
    """
    reason = required_reason(reason)
    with transaction.atomic():
        original = _lock_adjudicated(claim, "replacement")
        before = claim_state(original)
        if version and version != edit_version(before):
            raise ClaimEditConflictError(
                "This claim changed after you opened it: reload it and make the corrections again."
            )
        after = apply_changes(before, changes, checks=edit_checks())
        diff = changed_fields(before, after)
        if not diff:
            raise ClaimEditUnchangedError(
                "A replacement must correct something: change the line, diagnosis or provider the payer "
                "got wrong (or void the claim at the payer if it should not have been billed)."
            )
        replacement = _new_claim_like(original, REPLACEMENT_FREQUENCY, claim_fields_of(after))
        create_lines(replacement, after, carried=carried_line_fields(original))
        ClaimEvent.objects.create(
            claim=replacement,
            from_status="",
            to_status=S.DRAFT.value,
            actor=_user(actor),
            reason=f"Replacement of {original.claim_number}: {reason}",
            payload={"replaces": original.claim_number, "edit": [c.as_dict() for c in diff]},
        )
        claim_transition(
            claim=original,
            to=S.REPLACED,
            actor=actor,
            reason=reason,
            payload={"replacement": replacement.claim_number},
        )
        claim_scrub_request(claim=replacement)
    claim.status = S.REPLACED.value
    return replacement


def claim_void_at_payer(*, claim: Claim, actor, reason: str) -> Claim:
    """Create the void (frequency 8) of an adjudicated claim: a copy of the claim as the payer
    has it, quoting its claim number in REF*F8, sent like any claim; the original becomes
    replaced. Same preconditions as claim_replace; locks the original.
    """
    reason = required_reason(reason)
    with transaction.atomic():
        original = _lock_adjudicated(claim, "void")
        state = claim_state(original)
        void = _new_claim_like(original, VOID_FREQUENCY, claim_fields_of(state))
        create_lines(void, state, carried=carried_line_fields(original))
        ClaimEvent.objects.create(
            claim=void,
            from_status="",
            to_status=S.DRAFT.value,
            actor=_user(actor),
            reason=f"Void of {original.claim_number} at the payer: {reason}",
            payload={"voids": original.claim_number, "payer_claim_number": original.payer_claim_number},
        )
        claim_transition(
            claim=original,
            to=S.REPLACED,
            actor=actor,
            reason=f"Voided at the payer: {reason}",
            payload={"void": void.claim_number},
        )
        claim_scrub_request(claim=void)
    claim.status = S.REPLACED.value
    return void

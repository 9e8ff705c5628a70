"""A denial's actions, each through the app that owns what changes (DEN-X1..DEN-X6):

- corrected claim: claims.services.claim_replace (frequency 7, REF*F8 = the payer's claim
  number) with the biller's corrections; the claim's open denials wait on the payer;
- void: claims.services.claim_void_at_payer (frequency 8); the claim's open denials are voided;
- new claim: claims.services.rebill.claim_rebill to the same coverage (an unprocessable claim,
  MA130, was never filed); rebill: the same to another coverage of the patient;
- bill the patient: only what the payer assigned to the patient (group PR): CO amounts may not
  be billed to the patient (REFERENCE 5.1); resolved as patient billed;
- write off: a reason is required; above DenialPolicy.write_off_approval_amount a manager
  approves (WriteOffRequest) before it is resolved as written off.
When the last open denial of a denied or partly paid claim is resolved by a write-off or a
patient bill, the claim is closed (claims.services.claim_transition).
"""

from __future__ import annotations

from decimal import Decimal

from django.db import transaction
from django.utils import timezone

from claims.domain.claim_edit import ClaimChanges
from claims.domain.types import ClaimStatus
from claims.models import Claim
from claims.services import claim_replace, claim_transition, claim_void_at_payer
from claims.services.rebill import claim_rebill
from denials.domain.types import OPEN_STATUSES, DenialStatus, Resolution, WriteOffStatus
from denials.models import Denial, DenialEvent, DenialPolicy, WriteOffRequest
from denials.services.work import (
    DenialStateError,
    event,
    lock,
    move,
    require_open,
    required_text,
    user_or_none,
)
from infusion_rcm.accounts.roles import Capability, user_has
from infusion_rcm.common.errors import DomainError, InvalidInputError
from intake.models import Coverage

CLOSABLE = (ClaimStatus.DENIED.value, ClaimStatus.PARTIALLY_PAID.value)


def write_off_approval_amount() -> Decimal:
    policy = DenialPolicy.objects.filter(pk=1).first()
    return (
        policy.write_off_approval_amount
        if policy
        else DenialPolicy._meta.get_field("write_off_approval_amount").default
    )


def _open_of_claim(claim_id: int) -> list[Denial]:
    return list(
        Denial.objects.select_for_update(no_key=True, of=("self",))
        .filter(claim_id=claim_id, status__in=[s.value for s in OPEN_STATUSES])
        .order_by("pk")
    )


def _sent(denial: Denial, result: Claim, *, actor, what: str, reason: str) -> Denial:
    """The claim's open denials wait on the payer for `result` (the claim just sent in its place)."""
    for other in _open_of_claim(denial.claim_id):
        other.result_claim = result
        message = f"{what} {result.claim_number}: {reason}"
        if other.status == DenialStatus.WAITING_ON_PAYER:
            other.save(update_fields=["result_claim", "updated_at"])
            event(other, DenialEvent.Kind.ACTION, actor=actor, message=message)
        else:
            move(other, DenialStatus.WAITING_ON_PAYER, actor=actor, message=message, result_claim=result)
    denial.refresh_from_db()
    return denial


def _close_claim_if_done(claim_id: int, *, actor) -> None:
    claim = Claim.objects.get(pk=claim_id)
    if claim.status not in CLOSABLE:
        return
    if Denial.objects.filter(claim_id=claim_id, status__in=[s.value for s in OPEN_STATUSES]).exists():
        return
    claim_transition(
        claim=claim, to=ClaimStatus.CLOSED, actor=actor, reason="Every denial of the claim is resolved"
    )


def denial_correct(*, denial: Denial, actor, reason: str, changes: ClaimChanges) -> Claim:
    """DEN-X1: send a corrected claim (frequency 7) with `changes`."""
    reason = required_text(reason, "what the corrected claim fixes")
    with transaction.atomic():
        locked = lock(denial)
        require_open(locked)
        replacement = claim_replace(claim=locked.claim, actor=actor, reason=reason, changes=changes)
        _sent(locked, replacement, actor=actor, what="Corrected claim", reason=reason)
    return replacement


def denial_void(*, denial: Denial, actor, reason: str) -> Claim:
    """DEN-X2: cancel the claim at the payer (frequency 8); its open denials are voided."""
    reason = required_text(reason, "why the claim is voided")
    with transaction.atomic():
        locked = lock(denial)
        require_open(locked)
        void = claim_void_at_payer(claim=locked.claim, actor=actor, reason=reason)
        for other in _open_of_claim(locked.claim_id):
            move(
                other,
                DenialStatus.RESOLVED,
                actor=actor,
                message=f"Claim voided at the payer as {void.claim_number}: {reason}",
                resolution=Resolution.VOIDED.value,
                result_claim=void,
            )
    return void


def denial_new_claim(*, denial: Denial, actor, reason: str, coverage: Coverage | None = None) -> Claim:
    """DEN-X3: a new claim (frequency 1) to the same coverage, or to another coverage of the
    patient (rebill another payer)."""
    reason = required_text(reason, "why the claim is billed again")
    with transaction.atomic():
        locked = lock(denial)
        require_open(locked)
        claim = locked.claim
        if coverage is not None:
            if coverage.patient_id != claim.patient_id:
                raise InvalidInputError(
                    "Choose one of this patient's coverages.", code="denials.bad_coverage"
                )
            if coverage.pk == claim.coverage_id:
                raise InvalidInputError(
                    "That is the coverage the claim went to: choose another payer, or send a new claim.",
                    code="denials.same_coverage",
                )
        new = claim_rebill(claim=claim, actor=actor, reason=reason, coverage=coverage)
        what = f"Billed to {new.payer.name} as" if coverage is not None else "New claim"
        _sent(locked, new, actor=actor, what=what, reason=reason)
    return new


def denial_bill_patient(*, denial: Denial, actor, note: str = "") -> Denial:
    """DEN-X4: the patient's share goes on the patient's account."""
    with transaction.atomic():
        locked = lock(denial)
        require_open(locked)
        patient_share = sum(
            (Decimal(r["amount"]) for r in locked.reasons if r.get("group") == "PR"), Decimal("0.00")
        )
        if patient_share <= 0:
            raise DenialStateError(
                "The payer did not assign this amount to the patient (group "
                f"{locked.group}, not PR): a contractual (CO) or other adjustment may not be billed to "
                "the patient. Appeal, correct or write it off.",
                code="denials.not_patient_responsibility",
            )
        done = move(
            locked,
            DenialStatus.RESOLVED,
            actor=actor,
            message=f"Billed to the patient: {patient_share}"
            + (f" ({note.strip()})" if note.strip() else ""),
            resolution=Resolution.PATIENT_BILLED.value,
            payload={"patient_share": str(patient_share)},
        )
        _close_claim_if_done(locked.claim_id, actor=actor)
    return done


def denial_write_off(*, denial: Denial, actor, reason: str) -> Denial | WriteOffRequest:
    """DEN-X5: write the amount off now, or ask a manager when it is above the admins' amount."""
    reason = required_text(reason, "the reason for the write-off")
    limit = write_off_approval_amount()
    with transaction.atomic():
        locked = lock(denial)
        require_open(locked)
        if locked.write_offs.filter(status=WriteOffStatus.PENDING).exists():
            raise DenialStateError("A write-off of this denial already waits for a manager.")
        if locked.amount > limit:
            request = WriteOffRequest.objects.create(
                denial=locked, amount=locked.amount, reason=reason, requested_by=user_or_none(actor)
            )
            if locked.status == DenialStatus.NEW:
                move(locked, DenialStatus.IN_PROGRESS, actor=actor, message="Write-off asked")
            event(
                locked,
                DenialEvent.Kind.WRITE_OFF,
                actor=actor,
                message=f"Write-off of {locked.amount} asked (above {limit}: a manager approves): {reason}",
            )
            return request
        done = move(
            locked,
            DenialStatus.RESOLVED,
            actor=actor,
            message=f"Written off {locked.amount}: {reason}",
            resolution=Resolution.WRITTEN_OFF.value,
        )
        _close_claim_if_done(locked.claim_id, actor=actor)
    return done


def _decide(request: WriteOffRequest, actor) -> WriteOffRequest:
    if not (user_has(actor, Capability.DASHBOARD_VIEW) and user_has(actor, Capability.BILLING_VIEW)):
        raise DomainError("Only a manager approves or refuses write-offs.", code="denials.manager_only")
    locked = WriteOffRequest.objects.select_for_update().get(pk=request.pk)
    if locked.status != WriteOffStatus.PENDING:
        raise DenialStateError(f"This write-off was already {locked.status}.")
    return locked


def write_off_approve(*, request: WriteOffRequest, actor, note: str = "") -> WriteOffRequest:
    """DEN-X6: a manager approves; the denial is resolved as written off."""
    with transaction.atomic():
        locked = _decide(request, actor)
        denial = lock(locked.denial)
        locked.status, locked.decided_by, locked.decided_at = WriteOffStatus.APPROVED, actor, timezone.now()
        locked.decision_note = (note or "").strip()[:2000]
        locked.save()
        if denial.status != DenialStatus.RESOLVED:
            move(
                denial,
                DenialStatus.RESOLVED,
                actor=actor,
                message=f"Write-off of {locked.amount} approved: {locked.reason}",
                resolution=Resolution.WRITTEN_OFF.value,
            )
            _close_claim_if_done(denial.claim_id, actor=actor)
    return locked


def write_off_refuse(*, request: WriteOffRequest, actor, note: str) -> WriteOffRequest:
    """DEN-X6: a manager refuses (with a reason); the denial stays open for the biller."""
    note = required_text(note, "why the write-off is refused")
    with transaction.atomic():
        locked = _decide(request, actor)
        denial = lock(locked.denial)
        locked.status, locked.decided_by, locked.decided_at = WriteOffStatus.REFUSED, actor, timezone.now()
        locked.decision_note = note
        locked.save()
        event(denial, DenialEvent.Kind.WRITE_OFF, actor=actor, message=f"Write-off refused: {note}")
    return locked

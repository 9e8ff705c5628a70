"""A new claim (frequency 1) for services a payer denied without adjudicating them on their
merits: the same payer when the claim was unprocessable (RARC MA130: it was never filed, send a
new claim, REFERENCE 5.4), or another payer of the patient (the denial said another payer is
primary or responsible: CARC 22, 109, 26/27). The original is closed at its payer; the new claim
starts as a draft and is scrubbed like any other. Called by the denials app's actions.
"""

from __future__ import annotations

from django.db import transaction

from claims.models import Claim, ClaimEvent
from claims.services.build import claim_number_format
from claims.services.common import ClaimStateError, S, control_numbers_take
from claims.services.edit import (
    carried_line_fields,
    claim_fields_of,
    claim_state,
    create_lines,
    required_reason,
)
from claims.services.scrub import claim_scrub_request
from claims.services.transitions import _user, claim_transition
from intake.models import Coverage

REBILLABLE = frozenset({S.DENIED, S.PARTIALLY_PAID})


def claim_rebill(*, claim: Claim, actor, reason: str, coverage: Coverage | None = None) -> Claim:
    """Create a new frequency-1 claim with the claim's lines for `coverage` (default: the same
    coverage) and close the original. Preconditions: the original is denied or partially paid;
    the coverage is the same patient's. Locks the original.
    """
    reason = required_reason(reason)
    with transaction.atomic():
        original = Claim.objects.select_for_update(no_key=True).select_related("payer").get(pk=claim.pk)
        if original.status not in REBILLABLE:
            raise ClaimStateError(
                f"Only a denied or partly paid claim can be billed again; this one is "
                f"{original.status.replace('_', ' ')}.",
                extra={"status": original.status},
            )
        target = coverage or original.coverage
        if target.patient_id != original.patient_id:
            raise ClaimStateError("That coverage belongs to another patient.")
        state = claim_state(original)
        number = claim_number_format(control_numbers_take("claim")[0])
        new = Claim.objects.create(
            claim_number=number,
            patient_id=original.patient_id,
            coverage=target,
            payer_id=target.payer_id,
            billing_provider_id=original.billing_provider_id,
            location_id=original.location_id,
            visit_id=original.visit_id,
            form=original.form,
            status=S.DRAFT.value,
            frequency_code="1",
            **claim_fields_of(state),
        )
        create_lines(new, state, carried=carried_line_fields(original))
        to_other = target.payer_id != original.payer_id
        where = f" to {target.payer.name}" if to_other else ""
        ClaimEvent.objects.create(
            claim=new,
            from_status="",
            to_status=S.DRAFT.value,
            actor=_user(actor),
            reason=f"New claim for {original.claim_number}{where}: {reason}",
            payload={"rebills": original.claim_number, "payer_changed": to_other},
        )
        claim_transition(
            claim=original,
            to=S.CLOSED,
            actor=actor,
            reason=f"Billed again as {new.claim_number}{where}: {reason}",
            payload={"new_claim": new.claim_number},
        )
        claim_scrub_request(claim=new)
    claim.status = S.CLOSED.value
    return new

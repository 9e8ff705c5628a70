"""The claim state table (docs/architecture.md "State machines"; docs/conventions.md section 5).

Pure. `claims.services.claim_transition` checks every move against `CLAIM_TRANSITIONS` before it
writes the status and the ClaimEvent row. Terminal states (closed, void, replaced) have no moves.
"""

from __future__ import annotations

from claims.domain.types import ClaimStatus as S
from infusion_rcm.common.transitions import TransitionTable

# Statuses before the claim leaves the building; a claim in one of them may still be voided.
PRE_SUBMISSION: frozenset[S] = frozenset({S.DRAFT, S.NEEDS_FIX, S.READY, S.BATCHED})

# Statuses after adjudication from which a replacement (frequency 7) or payer void (8) is sent.
REPLACEABLE: frozenset[S] = frozenset({S.ACCEPTED, S.PAID, S.PARTIALLY_PAID, S.DENIED})

TERMINAL: frozenset[S] = frozenset({S.CLOSED, S.VOID, S.REPLACED})

CLAIM_TRANSITIONS = TransitionTable.of(
    "claim",
    {
        # scrubbing decides: errors -> needs_fix, clean -> ready
        S.DRAFT: {S.NEEDS_FIX, S.READY, S.VOID},
        # the biller edits (back to draft) or a re-scrub comes back clean
        S.NEEDS_FIX: {S.DRAFT, S.READY, S.VOID},
        # an edit after scrubbing re-opens it; a re-scrub (e.g. eligibility went stale) can fail it
        S.READY: {S.BATCHED, S.DRAFT, S.NEEDS_FIX, S.VOID},
        # the batch file is released, or the claim is pulled out of an unreleased batch
        S.BATCHED: {S.SUBMITTED, S.READY, S.VOID},
        # 999 / 277CA outcome; or the 835 itself, when a payer sends no 277CA or the 835 comes first
        S.SUBMITTED: {S.ACCEPTED, S.REJECTED, S.PAID, S.PARTIALLY_PAID, S.DENIED},
        # a front-end rejection was never "filed" (REFERENCE 5.4): correct and resubmit, or abandon
        S.REJECTED: {S.DRAFT, S.VOID},
        # 835 outcome, or a replacement / void sent to the payer
        S.ACCEPTED: {S.PAID, S.PARTIALLY_PAID, S.DENIED, S.REPLACED},
        # An 835 reversal (CLP02 22) of the adjudication puts any adjudicated claim back to
        # accepted (in adjudication) until the corrected claim payment posts (payments app).
        S.PAID: {S.CLOSED, S.REPLACED, S.ACCEPTED},
        # a short payment is settled (closed), appealed, or corrected with a replacement claim
        S.PARTIALLY_PAID: {S.CLOSED, S.APPEALED, S.REPLACED, S.ACCEPTED},
        # a denial is appealed, corrected with a replacement, or written off (closed)
        S.DENIED: {S.APPEALED, S.REPLACED, S.CLOSED, S.ACCEPTED},
        # the appeal decision arrives (as a new 835) or the appeal path is exhausted
        S.APPEALED: {S.PAID, S.PARTIALLY_PAID, S.DENIED, S.CLOSED, S.ACCEPTED},
        S.CLOSED: set(),
        S.VOID: set(),
        S.REPLACED: set(),
    },
)

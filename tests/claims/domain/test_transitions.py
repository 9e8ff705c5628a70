"""Every (from, to) pair of claim statuses against the table (docs/conventions.md section 5)."""

from __future__ import annotations

import itertools

import pytest

from claims.domain.transitions import CLAIM_TRANSITIONS, PRE_SUBMISSION, REPLACEABLE, TERMINAL
from claims.domain.types import ClaimStatus as S
from infusion_rcm.common.errors import IllegalTransitionError

# Written out independently of the table so a change to either shows up here.
ALLOWED: set[tuple[S, S]] = {
    (S.DRAFT, S.NEEDS_FIX),
    (S.DRAFT, S.READY),
    (S.DRAFT, S.VOID),
    (S.NEEDS_FIX, S.DRAFT),
    (S.NEEDS_FIX, S.READY),
    (S.NEEDS_FIX, S.VOID),
    (S.READY, S.BATCHED),
    (S.READY, S.DRAFT),
    (S.READY, S.NEEDS_FIX),
    (S.READY, S.VOID),
    (S.BATCHED, S.SUBMITTED),
    (S.BATCHED, S.READY),
    (S.BATCHED, S.VOID),
    (S.SUBMITTED, S.ACCEPTED),
    (S.SUBMITTED, S.REJECTED),
    (S.SUBMITTED, S.PAID),
    (S.SUBMITTED, S.PARTIALLY_PAID),
    (S.SUBMITTED, S.DENIED),
    (S.REJECTED, S.DRAFT),
    (S.REJECTED, S.VOID),
    (S.ACCEPTED, S.PAID),
    (S.ACCEPTED, S.PARTIALLY_PAID),
    (S.ACCEPTED, S.DENIED),
    (S.ACCEPTED, S.REPLACED),
    (S.PAID, S.CLOSED),
    (S.PAID, S.REPLACED),
    (S.PARTIALLY_PAID, S.CLOSED),
    (S.PARTIALLY_PAID, S.APPEALED),
    (S.PARTIALLY_PAID, S.REPLACED),
    (S.DENIED, S.APPEALED),
    (S.DENIED, S.REPLACED),
    (S.DENIED, S.CLOSED),
    (S.APPEALED, S.PAID),
    (S.APPEALED, S.PARTIALLY_PAID),
    (S.APPEALED, S.DENIED),
    (S.APPEALED, S.CLOSED),
    # 835 reversals (CLP02 22) put an adjudicated claim back in adjudication
    (S.PAID, S.ACCEPTED),
    (S.PARTIALLY_PAID, S.ACCEPTED),
    (S.DENIED, S.ACCEPTED),
    (S.APPEALED, S.ACCEPTED),
}

ALL_PAIRS = list(itertools.product(S, S))


def test_status_values_are_lowercase_strings() -> None:
    assert [s.value for s in S] == [
        "draft",
        "needs_fix",
        "ready",
        "batched",
        "submitted",
        "accepted",
        "rejected",
        "paid",
        "partially_paid",
        "denied",
        "appealed",
        "closed",
        "void",
        "replaced",
    ]


def test_every_status_has_a_row() -> None:
    assert set(CLAIM_TRANSITIONS.moves) == {s.value for s in S}


@pytest.mark.parametrize(("from_", "to"), ALL_PAIRS, ids=[f"{a}->{b}" for a, b in ALL_PAIRS])
def test_pair(from_: S, to: S) -> None:
    expected = (from_, to) in ALLOWED
    assert CLAIM_TRANSITIONS.allowed(from_, to) is expected
    if expected:
        CLAIM_TRANSITIONS.check(from_, to)
    else:
        with pytest.raises(IllegalTransitionError, match=f"from '{from_}' to '{to}'"):
            CLAIM_TRANSITIONS.check(from_, to)


def test_terminal_states_have_no_moves() -> None:
    for status in TERMINAL:
        assert not CLAIM_TRANSITIONS.moves[status]


def test_void_only_before_adjudication() -> None:
    sources = {a for a, b in ALLOWED if b is S.VOID}
    assert sources == PRE_SUBMISSION | {S.REJECTED}


def test_replaced_only_after_adjudication() -> None:
    assert {a for a, b in ALLOWED if b is S.REPLACED} == REPLACEABLE


def test_no_self_loops() -> None:
    assert not any(CLAIM_TRANSITIONS.allowed(s, s) for s in S)

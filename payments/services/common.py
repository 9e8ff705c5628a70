"""Shared pieces of the payments services: errors, the actor, the posting policy."""

from __future__ import annotations

import gc
from collections.abc import Iterator
from contextlib import contextmanager
from decimal import Decimal

from infusion_rcm.common.errors import DomainError
from payments.models import PostingPolicy


class RemittanceRefusedError(DomainError):
    """The file cannot be read or does not balance: refused whole, nothing posted."""

    code = "remittance.refused"


class RemittanceStateError(DomainError):
    """The file or claim payment is not in a state that allows the request."""

    code = "remittance.state"


def user_or_none(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def reversal_approval_amount() -> Decimal:
    """What a reversal may take back before a biller must approve it (admins set it)."""
    policy = PostingPolicy.objects.filter(pk=1).first()
    return (
        policy.reversal_approval_amount
        if policy
        else PostingPolicy._meta.get_field("reversal_approval_amount").default
    )


@contextmanager
def without_cyclic_gc() -> Iterator[None]:
    """Pause Python's cyclic garbage collector while a large file is stored or posted.

    Storing and posting a 10,000-claim 835 allocates millions of small objects (the read file,
    row tuples, CSV text) while the whole read file stays alive, so the collector's full passes
    kept rescanning it: about half the CPU of storing. Nothing here makes reference cycles worth
    collecting meanwhile (plain reference counting frees the rest); the collector's previous state
    is restored on the way out, nested uses included.
    """
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()

"""Shared pieces of the payments services: errors, the actor, the posting policy."""

from __future__ import annotations

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

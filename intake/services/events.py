"""The append-only record of order and authorization changes (IntakeEvent)."""

from __future__ import annotations

from collections.abc import Iterable

from intake.models import IntakeEvent, Order, PriorAuthorization


def _actor_or_none(actor):
    return actor if actor is not None and getattr(actor, "is_authenticated", False) else None


def intake_event_record(
    *,
    kind: str,
    order: Order | None = None,
    authorization: PriorAuthorization | None = None,
    actor=None,
    changed_fields: Iterable[str] = (),
    from_status: str = "",
    to_status: str = "",
    reason: str = "",
) -> IntakeEvent:
    """One event row, written inside the caller's transaction (field names only, never values)."""
    subject = order if order is not None else authorization
    if subject is None:
        raise ValueError("An intake event needs an order or an authorization.")
    return IntakeEvent.objects.create(
        kind=kind,
        patient_id=subject.patient_id,
        order=order,
        authorization=authorization,
        actor=_actor_or_none(actor),
        changed_fields=sorted(set(changed_fields)),
        from_status=from_status,
        to_status=to_status,
        reason=(reason or "").strip()[:300],
    )

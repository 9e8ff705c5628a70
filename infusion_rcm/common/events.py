"""Events from an app to the apps on its right, delivered after the writer's transaction commits.

The dependency direction (docs/architecture.md) lets `denials` read `payments`, never the other
way round; yet posting an 835 is what must start a denial or a secondary claim. So the left app
*publishes* a named event with plain ids, and the right app *subscribes* in its `AppConfig.ready`.
Unlike Django signals the list is explicit: every event is a constant here, with who publishes it,
and `subscribers(event)` says who reacts. Subscribers run after commit (never on a rolled-back
posting), each one isolated (`robust=True`: one failing subscriber is logged and does not stop
the others); a subscriber that does real work enqueues its own Celery task so it is retried.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Sequence
from functools import partial
from typing import Final

from django.db import transaction

#: payments.services.posting, after claim payments post (originals and reversals).
#: Payload: `claim_payment_ids` (list[int]), `claim_ids` (list[int]).
CLAIM_PAYMENTS_POSTED: Final = "payments.claim_payments_posted"

EVENTS: Final = frozenset({CLAIM_PAYMENTS_POSTED})

Subscriber = Callable[..., object]
_subscribers: defaultdict[str, list[Subscriber]] = defaultdict(list)


def subscribe(event: str, subscriber: Subscriber) -> None:
    """Register `subscriber(**payload)` for `event` (idempotent: `ready()` may run twice)."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    if subscriber not in _subscribers[event]:
        _subscribers[event].append(subscriber)


def subscribers(event: str) -> Sequence[Subscriber]:
    return tuple(_subscribers.get(event, ()))


def publish_on_commit(event: str, **payload: object) -> None:
    """Call every subscriber of `event` with `payload` once the current transaction commits."""
    if event not in EVENTS:
        raise ValueError(f"unknown event {event!r}")
    for subscriber in subscribers(event):
        transaction.on_commit(partial(subscriber, **payload), robust=True)

"""Who is acting, from where: set per request by the middleware, read by audit writers."""

from __future__ import annotations

import ipaddress
from contextvars import ContextVar
from dataclasses import dataclass

# The address recorded for what a Celery worker writes (the user is the one who asked).
WORKER_ADDRESS = "worker"


@dataclass(frozen=True)
class Actor:
    user_id: int | None
    username: str
    ip: str | None


_current: ContextVar[Actor | None] = ContextVar("audit_actor", default=None)


def current_actor() -> Actor | None:
    return _current.get()


def set_actor(actor: Actor | None):
    return _current.set(actor)


def reset_actor(token) -> None:
    _current.reset(token)


def _address(value: str) -> str | None:
    value = value.strip()
    try:
        return str(ipaddress.ip_address(value))
    except ValueError:
        return None


def client_ip(request) -> str | None:
    """The client's address, as the nearest trusted proxy saw it.

    With TRUSTED_PROXY_COUNT = 0 (the default) that is REMOTE_ADDR: X-Forwarded-For is whatever
    the client wrote. Behind N proxies that each append the address they received from, the
    client is the N-th entry from the right; everything to its left came from the client and is
    ignored (taking the left-most entry let anyone write any address into the audit log).
    """
    from django.conf import settings

    remote = _address(request.META.get("REMOTE_ADDR") or "")
    count = int(getattr(settings, "TRUSTED_PROXY_COUNT", 0) or 0)
    if count <= 0:
        return remote
    hops = [h for h in request.META.get("HTTP_X_FORWARDED_FOR", "").split(",") if h.strip()]
    if len(hops) < count:
        return remote  # fewer hops than proxies: the request did not come through all of them
    return _address(hops[-count]) or remote

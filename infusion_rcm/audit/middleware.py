"""Publishes the acting user and client address for audit entries written in this request."""

from __future__ import annotations

from infusion_rcm.audit.context import Actor, client_ip, reset_actor, set_actor


class AuditContextMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        user = getattr(request, "user", None)
        # DRF token users are resolved later in the view; api views refresh the actor then.
        actor = Actor(
            user_id=user.pk if user is not None and user.is_authenticated else None,
            username=user.get_username() if user is not None and user.is_authenticated else "",
            ip=client_ip(request),
        )
        token = set_actor(actor)
        try:
            return self.get_response(request)
        finally:
            reset_actor(token)

"""DRF base classes: role capability checks and audit of patient-data reads."""

from __future__ import annotations

from rest_framework import viewsets

from infusion_rcm.audit.context import Actor, current_actor, reset_actor, set_actor
from infusion_rcm.audit.services import audit_list, audit_view
from infusion_rcm.common.api import HasCapability


class CapabilityViewSetMixin:
    """Applies HasCapability; `required_capability` for reads, `action_capabilities` for writes."""

    permission_classes = [HasCapability]
    lookup_field = "public_id"

    def initial(self, request, *args, **kwargs):
        super().initial(request, *args, **kwargs)
        # Token-authenticated users are known only now; make audit rows name them.
        actor = current_actor()
        if request.user.is_authenticated and (actor is None or actor.user_id != request.user.pk):
            self._actor_token = set_actor(
                Actor(
                    user_id=request.user.pk,
                    username=request.user.get_username(),
                    ip=actor.ip if actor else None,
                )
            )

    def finalize_response(self, request, response, *args, **kwargs):
        token = getattr(self, "_actor_token", None)
        response = super().finalize_response(request, response, *args, **kwargs)
        if token is not None:
            reset_actor(token)
            self._actor_token = None
        return response


class AuditedReadOnlyViewSet(CapabilityViewSetMixin, viewsets.ReadOnlyModelViewSet):
    """Read-only patient-data endpoint: every retrieve and list page is audited."""

    def retrieve(self, request, *args, **kwargs):
        instance = self.get_object()
        audit_view(request, instance)
        return super().retrieve(request, *args, **kwargs)

    def list(self, request, *args, **kwargs):
        response = super().list(request, *args, **kwargs)
        rows = (
            response.data.get("results", response.data) if isinstance(response.data, dict) else response.data
        )
        audit_list(request, self.get_queryset().model, [r.get("public_id", r.get("id")) for r in rows])
        return response

"""DRF base classes: role capability checks and audit of patient-data reads."""

from __future__ import annotations

from collections.abc import Sequence
from typing import TYPE_CHECKING, Any

from rest_framework import viewsets
from rest_framework.permissions import BasePermission
from rest_framework.request import Request
from rest_framework.response import Response

from infusion_rcm.audit.context import Actor, current_actor, reset_actor, set_actor
from infusion_rcm.audit.services import audit_list, audit_view
from infusion_rcm.common.api import HasCapability

if TYPE_CHECKING:
    # The mixin only ever sits in front of a DRF viewset: this tells mypy which super() it extends.
    _ViewSetBase = viewsets.GenericViewSet[Any]
else:
    _ViewSetBase = object


class CapabilityViewSetMixin(_ViewSetBase):
    """Applies HasCapability; `required_capability` for reads, `action_capabilities` for writes."""

    permission_classes: Sequence[type[BasePermission]] = [HasCapability]
    lookup_field = "public_id"

    def initial(self, request: Request, *args: Any, **kwargs: Any) -> None:
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

    def finalize_response(self, request: Request, response: Response, *args: Any, **kwargs: Any) -> Response:
        token = getattr(self, "_actor_token", None)
        response = super().finalize_response(request, response, *args, **kwargs)
        if token is not None:
            reset_actor(token)
            self._actor_token = None
        return response


class AuditedReadOnlyViewSet(CapabilityViewSetMixin, viewsets.ReadOnlyModelViewSet[Any]):
    """Read-only patient-data endpoint: every retrieve and list page is audited."""

    def retrieve(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        instance = self.get_object()
        audit_view(request, instance)
        return super().retrieve(request, *args, **kwargs)

    def list(self, request: Request, *args: Any, **kwargs: Any) -> Response:
        response = super().list(request, *args, **kwargs)
        rows = (
            response.data.get("results", response.data) if isinstance(response.data, dict) else response.data
        )
        audit_list(request, self.get_queryset().model, [r.get("public_id", r.get("id")) for r in rows])
        return response

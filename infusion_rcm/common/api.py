"""DRF glue: one exception handler with the {code, message, extra} shape, role permission."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.exceptions import PermissionDenied, RequestDataTooBig
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404
from rest_framework import exceptions, permissions
from rest_framework.request import Request
from rest_framework.response import Response
from rest_framework.views import APIView
from rest_framework.views import exception_handler as drf_exception_handler

from infusion_rcm.common.errors import DomainError, IllegalTransitionError


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, RequestDataTooBig):
        limit = settings.DATA_UPLOAD_MAX_MEMORY_SIZE
        return Response(
            {
                "code": "request.too_large",
                "message": f"The request is larger than {limit // (1024 * 1024)} MB. Send less at once.",
                "extra": {"limit_bytes": limit},
            },
            status=413,
        )
    if isinstance(exc, DomainError):
        status = 409 if isinstance(exc, IllegalTransitionError) else 400
        return Response(exc.as_dict(), status=status)
    if isinstance(exc, DjangoValidationError):
        detail = exc.message_dict if hasattr(exc, "error_dict") else {"non_field_errors": exc.messages}
        exc = exceptions.ValidationError(detail)
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound()
    elif isinstance(exc, PermissionDenied):
        exc = exceptions.PermissionDenied()
    response = drf_exception_handler(exc, context)
    if response is not None and isinstance(exc, exceptions.APIException):
        if isinstance(exc, exceptions.ValidationError):
            response.data = {
                "code": "input.invalid",
                "message": "The request has errors.",
                "extra": response.data,
            }
        else:
            response.data = {"code": exc.default_code, "message": str(exc.detail), "extra": {}}
    return response


class HasCapability(permissions.BasePermission):
    """Grants access when the user's role has the view's `required_capability`.

    A viewset may map actions to capabilities with `action_capabilities = {"create": ...}`.
    """

    def has_permission(self, request: Request, view: APIView) -> bool:
        from infusion_rcm.accounts.roles import user_has

        action = getattr(view, "action", None)
        action_map = getattr(view, "action_map", None) or {}
        if action is None and len(set(action_map.values())) == 1:
            # A method the route does not serve (GET on a POST-only command): judge it by the command,
            # so a role that may not use it gets 403, and only one that may gets 405.
            action = next(iter(action_map.values()))
        capability = getattr(view, "action_capabilities", {}).get(action)
        capability = capability or getattr(view, "required_capability", None)
        if capability is None:
            return False  # a view that declares nothing is closed, not open
        return bool(request.user and request.user.is_authenticated and user_has(request.user, capability))

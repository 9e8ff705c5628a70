"""Capability checks for HTML views: 403 for a signed-in user without it, login otherwise."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, TypeVar, cast

from django.contrib.auth.views import redirect_to_login
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponseBase

from infusion_rcm.accounts.roles import Capability, user_has

View = TypeVar("View", bound=Callable[..., HttpResponseBase])


def requires(*capabilities: Capability) -> Callable[[View], View]:
    """Allow the view when the user has any one of `capabilities`."""

    def decorator(view: View) -> View:
        @wraps(view)
        def wrapped(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponseBase:
            if not request.user.is_authenticated:
                return redirect_to_login(request.get_full_path())
            if not any(user_has(request.user, c) for c in capabilities):
                raise PermissionDenied
            return view(request, *args, **kwargs)

        # For introspection (which capability a view needs); functions take attributes at run time.
        wrapped.required_capabilities = capabilities  # type: ignore[attr-defined]
        return cast(View, wrapped)

    return decorator

"""django-axes hooks: which name and address an attempt counts against, and the lock-out page.

The lock-out answer is the same page, status and wording whether or not the name belongs to an
account: axes counts failures per name for invented names too, and a locked name is refused
before any password is hashed, so neither the message nor the time taken tells them apart.
"""

from __future__ import annotations

from django.contrib.auth.forms import AuthenticationForm
from django.template.response import TemplateResponse

from infusion_rcm.audit.context import client_ip

LOCKED_MESSAGE = (
    "Too many failed sign-ins for this user name. Try again in {minutes} minutes, "
    "or ask an administrator to unlock it."
)


def attempted_username(request, credentials: dict | None) -> str | None:
    raw = (credentials or {}).get("username")
    if raw is None and request is not None:
        raw = request.POST.get("username")
    if raw is None:
        return None
    return str(raw).strip().lower()[:150] or None


def attempt_ip(request) -> str | None:
    return client_ip(request)


def locked_message() -> str:
    from django.conf import settings

    return LOCKED_MESSAGE.format(minutes=settings.LOCKOUT_MINUTES)


def locked_response(request, original_response=None, credentials=None):
    form = AuthenticationForm(request)
    response = TemplateResponse(
        request,
        "accounts/login.html",
        {"form": form, "locked_message": locked_message(), "next": request.POST.get("next", "")},
        status=429,
    )
    return response.render()

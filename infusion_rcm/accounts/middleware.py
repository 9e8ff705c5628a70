"""Automatic sign-out after IDLE_TIMEOUT_MINUTES without a request (HIPAA automatic log-off)."""

from __future__ import annotations

import time

from django.conf import settings
from django.contrib.auth import logout
from django.http import HttpResponseRedirect, JsonResponse
from django.urls import reverse

SESSION_KEY = "last_activity"


class IdleTimeoutMiddleware:
    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request):
        if request.user.is_authenticated and hasattr(request, "session"):
            now = time.time()
            last = request.session.get(SESSION_KEY)
            if last is not None and now - last > settings.IDLE_TIMEOUT_MINUTES * 60:
                logout(request)
                return self._signed_out(request)
            request.session[SESSION_KEY] = now
        return self.get_response(request)

    def _signed_out(self, request):
        login = reverse("accounts:login") + "?idle=1"
        if request.path.startswith("/api/"):
            return JsonResponse(
                {"code": "session.expired", "message": "Signed out after inactivity.", "extra": {}},
                status=401,
            )
        if request.headers.get("HX-Request"):
            response = HttpResponseRedirect(login)
            response["HX-Redirect"] = login
            return response
        return HttpResponseRedirect(login)

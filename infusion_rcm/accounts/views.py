"""Sign-in, sign-out, password change, and each user's own API tokens."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import views as auth_views
from django.shortcuts import redirect, render
from django.urls import reverse_lazy
from django.views.decorators.http import require_http_methods

from infusion_rcm.accounts import services
from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.models import ApiToken
from infusion_rcm.accounts.roles import Capability
from infusion_rcm.common.errors import DomainError


class LoginView(auth_views.LoginView):
    """Django's sign-in form; django-axes counts failures and answers a lock-out (accounts/lockout.py)."""

    template_name = "accounts/login.html"
    redirect_authenticated_user = True

    def get_context_data(self, **kwargs):
        context = super().get_context_data(**kwargs)
        context["idle_signed_out"] = self.request.GET.get("idle") == "1"
        return context


class PasswordChangeView(auth_views.PasswordChangeView):
    template_name = "accounts/password_change.html"
    success_url = reverse_lazy("home")

    def form_valid(self, form):
        had_tokens = ApiToken.objects.filter(user=self.request.user).exists()
        response = super().form_valid(form)
        note = " Your API tokens were revoked; create new ones on the API tokens page." if had_tokens else ""
        messages.success(self.request, "Your password was changed." + note)
        return response


@require_http_methods(["GET", "POST"])
@requires(Capability.API_DOCS_VIEW)
def token_list(request):
    """The signed-in user's API tokens: create, rotate, revoke. A new token is shown once, here."""
    new_token = None
    if request.method == "POST":
        action = request.POST.get("action", "")
        digest = request.POST.get("token", "")
        try:
            if action == "create":
                _, new_token = services.api_token_create(
                    user=request.user, label=request.POST.get("label", "")
                )
            elif action == "rotate":
                rotated = services.api_token_rotate(user=request.user, digest=digest)
                if rotated is None:
                    messages.error(request, "That token no longer exists (expired or revoked).")
                    return redirect("accounts:tokens")
                new_token = rotated[1]
            elif action == "revoke":
                if services.api_token_revoke(user=request.user, digest=digest):
                    messages.success(request, "The token was revoked. Programs using it are signed out now.")
                else:
                    messages.error(request, "That token no longer exists (expired or revoked).")
                return redirect("accounts:tokens")
            else:
                messages.error(request, "Choose create, rotate or revoke.")
                return redirect("accounts:tokens")
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("accounts:tokens")
    from django.conf import settings

    tokens = ApiToken.objects.filter(user=request.user).order_by("-created")
    return render(
        request,
        "accounts/tokens.html",
        {
            "tokens": tokens,
            "new_token": new_token,
            "idle_minutes": settings.IDLE_TIMEOUT_MINUTES,
            "max_hours": settings.API_TOKEN_MAX_HOURS,
        },
    )

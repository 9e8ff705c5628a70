"""Sign-in form with lock-out after repeated failures."""

from __future__ import annotations

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.utils import timezone

from infusion_rcm.accounts import services
from infusion_rcm.accounts.models import User
from infusion_rcm.audit.context import client_ip

LOCKED_MESSAGE = "This account is locked after too many failed sign-ins. Try again later or ask an administrator to unlock it."


class LockoutAuthenticationForm(AuthenticationForm):
    def clean(self):
        username = self.cleaned_data.get("username") or ""
        user = User.objects.filter(username__iexact=username).first()
        ip = client_ip(self.request) if self.request else None
        if user is not None and user.is_locked(timezone.now()):
            raise forms.ValidationError(LOCKED_MESSAGE, code="locked")
        try:
            cleaned = super().clean()
        except forms.ValidationError:
            if user is not None and services.login_failed(user=user, ip=ip):
                raise forms.ValidationError(LOCKED_MESSAGE, code="locked") from None
            raise
        services.login_succeeded(user=self.get_user(), ip=ip)
        return cleaned

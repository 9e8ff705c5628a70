"""Users and the placeholder that carries role permissions."""

from __future__ import annotations

from datetime import datetime

from django.contrib.auth.models import AbstractUser
from django.db import models

from infusion_rcm.accounts.roles import Capability


class User(AbstractUser):
    """A person who signs in. Role = Django group; lock-out state lives on the row."""

    failed_logins = models.PositiveIntegerField(default=0)
    locked_until = models.DateTimeField(null=True, blank=True)

    def is_locked(self, now: datetime) -> bool:
        return self.locked_until is not None and self.locked_until > now


class RolePermission(models.Model):
    """No rows: exists only so Django permissions can name our role capabilities."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [(c.value, c.value.replace("_", " ").capitalize()) for c in Capability]

    def __str__(self) -> str:
        return "role permission"

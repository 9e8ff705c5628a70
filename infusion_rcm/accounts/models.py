"""Users, their API tokens, and the placeholder that carries role permissions."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from knox.models import AbstractAuthToken

from infusion_rcm.accounts.roles import Capability

# Changes to these fields are written to the audit log (names only), whoever makes them.
AUDITED_USER_FIELDS = (
    "username",
    "email",
    "first_name",
    "last_name",
    "is_active",
    "is_staff",
    "is_superuser",
)


class User(AbstractUser):  # type: ignore[django-manager-missing]  # knox declares auth_token_set on its abstract token
    """A person who signs in. Role = Django group. Failed sign-ins and lock-outs: django-axes.

    Every save that sets a new password revokes the user's API tokens and is audited, whichever
    path set it (the password page, the admin, a command), and so is a change of the fields in
    AUDITED_USER_FIELDS.
    """

    @classmethod
    def from_db(cls, db, field_names, values):  # type: ignore[override]  # stubs add Django 6's fetch_mode
        instance = super().from_db(db, field_names, values)
        loaded = dict(zip(field_names, values, strict=False))
        instance._audit_loaded = {f: loaded[f] for f in AUDITED_USER_FIELDS if f in loaded}
        return instance

    def save(self, *args, **kwargs) -> None:
        from infusion_rcm.audit.models import AuditAction
        from infusion_rcm.audit.services import audit_event

        # Django keeps a newly set raw password in _password until the row is saved.
        new_password = getattr(self, "_password", None) is not None and self.pk is not None
        loaded = self.__dict__.get("_audit_loaded") or {}
        changed = sorted(f for f, v in loaded.items() if getattr(self, f) != v)
        super().save(*args, **kwargs)
        self._audit_loaded = {f: getattr(self, f) for f in AUDITED_USER_FIELDS}
        if changed:
            audit_event(action=AuditAction.UPDATE, target=self, changed_fields=changed)
        if new_password:
            revoked = ApiToken.objects.filter(user=self).delete()[0]
            audit_event(action=AuditAction.PASSWORD_CHANGE, target=self, extra={"tokens_revoked": revoked})


class ApiToken(AbstractAuthToken):
    """An API token (django-rest-knox): only its SHA-512 digest is stored; the user names it.

    It expires after IDLE_TIMEOUT_MINUTES unused and API_TOKEN_MAX_HOURS after creation
    (settings.REST_KNOX); the owner rotates or revokes it on /accounts/tokens/.
    """

    label = models.CharField(max_length=80, blank=True)

    class Meta:
        ordering = ["-created"]
        verbose_name = "API token"

    def __str__(self) -> str:
        return f"{self.label or 'token'} ({self.token_key[:8]}…)"

    @property
    def audit_id(self) -> str:
        """A handle for the audit log: part of the digest, which cannot be turned back into the token."""
        return self.digest[:16]


class RolePermission(models.Model):
    """No rows: exists only so Django permissions can name our role capabilities."""

    class Meta:
        managed = False
        default_permissions = ()
        permissions = [(c.value, c.value.replace("_", " ").capitalize()) for c in Capability]

    def __str__(self) -> str:
        return "role permission"

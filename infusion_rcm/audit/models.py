"""The audit log: append-only rows of who read or changed what, when and from where."""

from __future__ import annotations

from django.conf import settings
from django.db import models


class AuditAction(models.TextChoices):
    CREATE = "create"
    UPDATE = "update"
    DELETE = "delete"
    VIEW = "view"
    LIST = "list"
    EXPORT = "export"
    LOGIN = "login"
    LOGIN_FAILED = "login_failed"
    LOGIN_LOCKED = "login_locked"
    LOGOUT = "logout"
    PASSWORD_CHANGE = "password_change"
    ROLE_CHANGE = "role_change"
    TOKEN_CREATE = "token_create"
    TOKEN_REVOKE = "token_revoke"


class AuditEntry(models.Model):
    """One read or change of patient data (or a sign-in event).

    Holds identifiers and field *names* only, never values: the log itself must not become
    a second copy of the PHI. Rows are never updated or deleted (a PostgreSQL trigger
    enforces it; the admin is read-only).
    """

    Action = AuditAction

    at = models.DateTimeField(auto_now_add=True, db_index=True)
    user = models.ForeignKey(settings.AUTH_USER_MODEL, null=True, blank=True, on_delete=models.PROTECT)
    username = models.CharField(max_length=150, blank=True)
    # A client address (IPv4/IPv6 as text), or "worker" for what a Celery worker wrote on a user's behalf.
    ip = models.CharField(max_length=45, null=True, blank=True)  # noqa: DJ001  # NULL = no address known, as before
    action = models.CharField(max_length=20, choices=Action.choices)
    object_type = models.CharField(max_length=100)
    object_id = models.CharField(max_length=64, blank=True)
    changed_fields = models.JSONField(default=list, blank=True)
    extra = models.JSONField(default=dict, blank=True)

    class Meta:
        ordering = ["-at", "-id"]
        indexes = [models.Index(fields=["object_type", "object_id"]), models.Index(fields=["user", "-at"])]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(action__in=[a.value for a in AuditAction]), name="audit_action_valid"
            )
        ]
        verbose_name_plural = "audit entries"

    def __str__(self) -> str:
        return f"{self.at:%Y-%m-%d %H:%M} {self.username or '-'} {self.action} {self.object_type} {self.object_id}"

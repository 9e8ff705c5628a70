"""Sign-in events to the audit log, for every path (our page, /admin/login/), and role changes.

Django's auth signals fire wherever `authenticate()` / `login()` run, so the admin's own login
form is covered without a copy of our view; axes' `user_locked_out` marks the lock-outs.
"""

from __future__ import annotations

from axes.signals import user_locked_out
from django.contrib.auth.models import Group
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db.models.signals import m2m_changed, post_delete
from django.utils import timezone

from infusion_rcm.accounts.lockout import attempted_username
from infusion_rcm.accounts.models import ApiToken, User
from infusion_rcm.audit.context import client_ip
from infusion_rcm.audit.models import AuditAction
from infusion_rcm.audit.services import audit_event


def _attempt(action: str, request, username: str | None) -> None:
    user = User.objects.filter(username__iexact=username).first() if username else None
    audit_event(
        action=action,
        object_type="accounts.user",
        object_id=str(user.pk) if user else "",
        # The name typed, so an administrator sees attacks on names that are not accounts too.
        extra={"username_tried": username or "", "path": request.path if request else ""},
        user=user,
        ip=client_ip(request) if request is not None else None,
    )


def on_login_failed(sender, credentials, request=None, **kwargs):
    if request is not None and getattr(request, "axes_locked_out", False):
        return  # the lock-out row below records this attempt
    _attempt(AuditAction.LOGIN_FAILED, request, attempted_username(request, credentials))


def on_locked_out(sender, request=None, username=None, **kwargs):
    _attempt(AuditAction.LOGIN_LOCKED, request, username)


def on_logged_in(sender, request, user, **kwargs):
    audit_event(
        action=AuditAction.LOGIN, target=user, user=user, ip=client_ip(request), extra={"path": request.path}
    )


def on_logged_out(sender, request, user, **kwargs):
    if user is not None:
        audit_event(action=AuditAction.LOGOUT, target=user, user=user, ip=client_ip(request))


def on_groups_changed(sender, instance, action, pk_set, reverse, **kwargs):
    """A role given or taken away (user.groups or group.user_set), by whoever did it."""
    if action not in ("post_add", "post_remove", "post_clear", "pre_clear"):
        return
    if action == "pre_clear":
        # The names are gone after the clear: remember them for post_clear.
        instance._audit_cleared = list(
            instance.user_set.values_list("pk", flat=True)
            if reverse
            else instance.groups.values_list("name", flat=True)
        )
        return
    if reverse:  # group.user_set.add(user...)
        users = (
            User.objects.filter(pk__in=pk_set or [])
            if action != "post_clear"
            else User.objects.filter(pk__in=getattr(instance, "_audit_cleared", []))
        )
        for user in users:
            _role_row(user, [instance.name], action)
        return
    names = (
        list(Group.objects.filter(pk__in=pk_set).values_list("name", flat=True))
        if action != "post_clear"
        else getattr(instance, "_audit_cleared", [])
    )
    if names:
        _role_row(instance, names, action)


def _role_row(user: User, names: list[str], action: str) -> None:
    key = "added" if action == "post_add" else "removed"
    audit_event(action=AuditAction.ROLE_CHANGE, target=user, extra={key: sorted(names)})


def on_token_deleted(sender, instance: ApiToken, **kwargs):
    """Revoked by its owner, by an admin, by a password change, or dropped by knox once expired."""
    expired = instance.expiry is not None and instance.expiry < timezone.now()
    audit_event(
        action=AuditAction.TOKEN_REVOKE,
        object_type="accounts.apitoken",
        object_id=instance.audit_id,
        extra={"user_id": instance.user_id, "expired": expired},
    )


def connect() -> None:
    post_delete.connect(on_token_deleted, sender=ApiToken, dispatch_uid="audit_token_deleted")
    user_login_failed.connect(on_login_failed, dispatch_uid="audit_login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid="audit_locked_out")
    user_logged_in.connect(on_logged_in, dispatch_uid="audit_logged_in")
    user_logged_out.connect(on_logged_out, dispatch_uid="audit_logged_out")
    m2m_changed.connect(on_groups_changed, sender=User.groups.through, dispatch_uid="audit_groups_changed")

"""Sign-in bookkeeping: failed attempts, lock-out, role assignment."""

from __future__ import annotations

from datetime import timedelta

from django.conf import settings
from django.contrib.auth.models import Group
from django.db import transaction
from django.db.models import F
from django.utils import timezone

from infusion_rcm.accounts.models import User
from infusion_rcm.accounts.roles import Role
from infusion_rcm.audit.services import audit_event


def login_failed(*, user: User, ip: str | None) -> bool:
    """Count a failed sign-in; lock the account at the limit. Returns True when now locked.

    Uses an UPDATE ... SET failed_logins = failed_logins + 1 so concurrent attempts from
    several web processes all count.
    """
    with transaction.atomic():
        User.objects.filter(pk=user.pk).update(failed_logins=F("failed_logins") + 1)
        user.refresh_from_db(fields=["failed_logins", "locked_until"])
        locked = user.failed_logins >= settings.LOGIN_FAILURE_LIMIT
        if locked:
            user.locked_until = timezone.now() + timedelta(minutes=settings.LOCKOUT_MINUTES)
            user.save(update_fields=["locked_until"])
        audit_event(action="login_locked" if locked else "login_failed", user=user, ip=ip, target=user)
    return locked


def login_succeeded(*, user: User, ip: str | None) -> None:
    User.objects.filter(pk=user.pk).update(failed_logins=0, locked_until=None)
    audit_event(action="login", user=user, ip=ip, target=user)


def user_create(*, username: str, password: str, role: Role, email: str = "", **names: str) -> User:
    """Create a user in one role. Admins get Django admin access (is_staff)."""
    with transaction.atomic():
        user = User.objects.create_user(
            username=username, password=password, email=email, is_staff=(role == Role.ADMIN), **names
        )
        user.groups.add(Group.objects.get(name=role.value))
    return user


def roles_sync() -> None:
    """Make the role groups match ROLE_CAPABILITIES (also run by migration accounts.0002)."""
    from django.contrib.auth.models import Permission
    from django.contrib.contenttypes.models import ContentType

    from infusion_rcm.accounts.models import RolePermission
    from infusion_rcm.accounts.roles import ROLE_CAPABILITIES

    content_type = ContentType.objects.get_for_model(RolePermission, for_concrete_model=False)
    for role, capabilities in ROLE_CAPABILITIES.items():
        group, _ = Group.objects.get_or_create(name=role.value)
        permissions = [
            Permission.objects.get_or_create(
                content_type=content_type,
                codename=c.value,
                defaults={"name": c.value.replace("_", " ").capitalize()},
            )[0]
            for c in capabilities
        ]
        group.permissions.set(permissions)

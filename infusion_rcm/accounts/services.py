"""Users and roles: creation in one role, the role groups, API tokens of one's own.

Failed sign-ins and lock-outs are django-axes' (settings AXES_*); their audit rows come from
infusion_rcm/accounts/signals.py.
"""

from __future__ import annotations

from django.contrib.auth.models import Group
from django.db import transaction
from knox.settings import knox_settings

from infusion_rcm.accounts.models import ApiToken, User
from infusion_rcm.accounts.roles import Role
from infusion_rcm.audit.models import AuditAction
from infusion_rcm.audit.services import audit_event
from infusion_rcm.common.errors import DomainError


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


def api_token_create(*, user: User, label: str = "") -> tuple[ApiToken, str]:
    """A new API token for `user`; returns the row and the token, which is shown once and never stored."""
    label = label.strip()[:80]
    with transaction.atomic():
        User.objects.select_for_update().filter(pk=user.pk).first()  # one creation at a time per user
        limit = knox_settings.TOKEN_LIMIT_PER_USER
        if limit is not None and ApiToken.objects.filter(user=user).count() >= limit:
            raise DomainError(
                f"You already have {limit} API tokens. Revoke one you no longer use first.",
                code="token.limit",
            )
        token, secret = ApiToken.objects.create(user=user, label=label)
        audit_event(
            action=AuditAction.TOKEN_CREATE,
            object_type="accounts.apitoken",
            object_id=token.audit_id,
            extra={"user_id": user.pk},
        )
    return token, secret


def api_token_revoke(*, user: User, digest: str) -> bool:
    """Revoke one of `user`'s own tokens. False when there is no such token of theirs."""
    with transaction.atomic():
        token = ApiToken.objects.select_for_update().filter(user=user, digest=digest).first()
        if token is None:
            return False
        token.delete()  # audited by accounts.signals.on_token_deleted, as every deletion is
    return True


def api_token_rotate(*, user: User, digest: str) -> tuple[ApiToken, str] | None:
    """Replace one token by a new one with the same label (the old one stops working at once)."""
    with transaction.atomic():
        old = ApiToken.objects.select_for_update().filter(user=user, digest=digest).first()
        if old is None:
            return None
        label = old.label
        api_token_revoke(user=user, digest=digest)
        return api_token_create(user=user, label=label)

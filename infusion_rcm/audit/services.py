"""Writing audit entries. Every writer goes through `audit_event`."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from infusion_rcm.audit.context import current_actor
from infusion_rcm.audit.models import AuditEntry


def object_type_of(obj_or_model) -> str:
    meta = obj_or_model._meta
    return f"{meta.app_label}.{meta.model_name}"


def audit_event(
    *,
    action: str,
    target: models.Model | None = None,
    object_type: str | None = None,
    object_id: str = "",
    changed_fields: Iterable[str] = (),
    extra: dict | None = None,
    user=None,
    ip: str | None = None,
) -> AuditEntry:
    """Record one entry. User and address default to the current request's actor."""
    actor = current_actor()
    if user is None and actor is not None and actor.user_id is not None:
        user_id, username = actor.user_id, actor.username
    elif user is not None and getattr(user, "is_authenticated", False):
        user_id, username = user.pk, user.get_username()
    else:
        user_id, username = None, ""
    if ip is None and actor is not None:
        ip = actor.ip
    if target is not None:
        object_type = object_type_of(target)
        object_id = str(target.pk)
    return AuditEntry.objects.create(
        user_id=user_id,
        username=username,
        ip=ip,
        action=action,
        object_type=object_type or "",
        object_id=object_id,
        changed_fields=sorted(changed_fields),
        extra=extra or {},
    )


def audit_view(request, obj: models.Model) -> None:
    """A user looked at one patient-data record (page or API)."""
    audit_event(action=AuditEntry.Action.VIEW, target=obj, user=request.user)


def audit_list(request, model: type[models.Model], ids: Iterable[object]) -> None:
    """A user saw a list of patient-data records; the ids shown are kept, not their contents."""
    audit_event(
        action=AuditEntry.Action.LIST,
        object_type=object_type_of(model),
        extra={"ids": [str(i) for i in ids][:500]},
        user=request.user,
    )


BULK_IDS_PER_ENTRY = 1000


def audit_events_bulk(
    *,
    action: str,
    model: type[models.Model],
    ids: Iterable[object],
    changed_fields: Iterable[str] = (),
    user=None,
) -> None:
    """Bulk writes skip the per-row audit signal; record them with one INSERT (ids and field names only).

    One entry per BULK_IDS_PER_ENTRY ids: `object_id` is empty and `extra["ids"]` lists the ids (as
    strings). The audit browser's object-id filter finds an id in either place.
    """
    ids = [str(pk) for pk in ids]
    if not ids:
        return
    actor = current_actor()
    if user is not None and getattr(user, "is_authenticated", False):
        user_id, username = user.pk, user.get_username()
    elif actor is not None and actor.user_id is not None:
        user_id, username = actor.user_id, actor.username
    else:
        user_id, username = None, ""
    object_type = object_type_of(model)
    fields = sorted(changed_fields)
    AuditEntry.objects.bulk_create(
        [
            AuditEntry(
                user_id=user_id,
                username=username,
                ip=actor.ip if actor else None,
                action=action,
                object_type=object_type,
                object_id="",
                changed_fields=fields,
                extra={"ids": ids[start : start + BULK_IDS_PER_ENTRY]},
            )
            for start in range(0, len(ids), BULK_IDS_PER_ENTRY)
        ]
    )

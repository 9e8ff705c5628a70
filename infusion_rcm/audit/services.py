"""Writing audit entries. Every writer goes through `audit_event`."""

from __future__ import annotations

from collections.abc import Iterable

from django.db import models

from infusion_rcm.audit.context import current_actor
from infusion_rcm.audit.models import AuditEntry

BULK_IDS_PER_ENTRY = 1000


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
    """A user looked at one patient-data record (page or API). Both ids are kept, so a search by
    the database id or by the public id (the one in URLs and the API) finds it."""
    public_id = getattr(obj, "public_id", None)
    audit_event(
        action=AuditEntry.Action.VIEW,
        target=obj,
        user=request.user,
        extra={"public_id": str(public_id)} if public_id else None,
    )


def _ids_of(model: type[models.Model], ids: Iterable[object]) -> tuple[list[str], list[str]]:
    """(database ids, public ids) of the rows named by either kind of id, in the order given."""
    values = list(ids)
    has_public = any(f.name == "public_id" for f in model._meta.concrete_fields)
    if not values:
        return [], []
    if not has_public:
        return [str(v) for v in values], []
    pks = [v for v in values if isinstance(v, int) or (isinstance(v, str) and v.isdigit())]
    publics = [str(v) for v in values if not (isinstance(v, int) or (isinstance(v, str) and v.isdigit()))]
    found = dict(model._default_manager.filter(pk__in=pks).values_list("pk", "public_id")) if pks else {}
    by_public = (
        {
            str(p): pk
            for pk, p in model._default_manager.filter(public_id__in=publics).values_list("pk", "public_id")
        }
        if publics
        else {}
    )
    out_pks: list[str] = []
    out_public: list[str] = []
    for v in values:
        if isinstance(v, int) or (isinstance(v, str) and v.isdigit()):
            out_pks.append(str(v))
            if int(v) in found:
                out_public.append(str(found[int(v)]))
        else:
            out_public.append(str(v))
            if str(v) in by_public:
                out_pks.append(str(by_public[str(v)]))
    return out_pks, out_public


def audit_list(request, model: type[models.Model], ids: Iterable[object]) -> None:
    """A user saw a list of patient-data records; the ids shown are kept, not their contents.

    Every id is kept (one entry per BULK_IDS_PER_ENTRY rows shown, never a cut-off), under both
    its database id (`ids`, as view and change rows name it) and its public id (`public_ids`),
    whether the caller passed one kind or the other: the HTML lists pass database ids, the API
    lists public ids, and a search for one patient finds both.
    """
    pks, publics = _ids_of(model, ids)
    object_type = object_type_of(model)
    if not pks and not publics:
        audit_event(
            action=AuditEntry.Action.LIST, object_type=object_type, extra={"ids": []}, user=request.user
        )
        return
    step = BULK_IDS_PER_ENTRY
    for start in range(0, max(len(pks), len(publics)), step):
        extra: dict = {"ids": pks[start : start + step]}
        if publics:
            extra["public_ids"] = publics[start : start + step]
        audit_event(action=AuditEntry.Action.LIST, object_type=object_type, extra=extra, user=request.user)


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

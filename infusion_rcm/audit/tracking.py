"""Automatic audit of creates, updates and deletes of patient-data models.

A model opts in by inheriting `PatientDataModel`. This is the one place we use signals:
auditing is a cross-cutting record of every write, and a service that forgets to call it
must not leave a hole in the log.
"""

from __future__ import annotations

from typing import Any

from django.db import models
from django.db.models.signals import post_delete, post_save

from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.audit.services import audit_event

_IGNORED_FIELDS = {"updated_at", "created_at"}


class PatientDataModel(models.Model):
    """Abstract base for rows that hold patient data: every write is audited."""

    audit_phi = True

    class Meta:
        abstract = True

    _audit_raw: tuple[Any, Any] | None

    @classmethod
    def from_db(cls, db, field_names, values):  # type: ignore[override]  # stubs add Django 6's fetch_mode
        instance = super().from_db(db, field_names, values)
        # The loaded values, kept as they came; the dict is built only if the row is saved.
        instance._audit_raw = (field_names, values)
        return instance

    def _audit_snapshot(self) -> dict | None:
        loaded = self.__dict__.get("_audit_loaded")
        if loaded is None:
            raw = self.__dict__.get("_audit_raw")
            if raw is None:
                return None
            loaded = self._audit_loaded = dict(zip(raw[0], raw[1], strict=False))
        return loaded

    def audit_changed_fields(self) -> list[str]:
        loaded = self._audit_snapshot()
        if loaded is None:
            return []
        changed = []
        for field in self._meta.concrete_fields:
            if (
                field.attname in loaded
                and field.name not in _IGNORED_FIELDS
                and getattr(self, field.attname) != loaded[field.attname]
            ):
                changed.append(field.name)
        return changed


def _on_save(sender, instance, created, raw=False, **kwargs):
    if raw or not getattr(sender, "audit_phi", False):
        return
    if created:
        fields = [
            f.name
            for f in sender._meta.concrete_fields
            if f.name not in _IGNORED_FIELDS and not f.primary_key
        ]
        audit_event(
            action=AuditEntry.Action.CREATE, target=instance, changed_fields=fields, extra=_ids(instance)
        )
    else:
        audit_event(
            action=AuditEntry.Action.UPDATE,
            target=instance,
            changed_fields=instance.audit_changed_fields(),
            extra=_ids(instance),
        )
    instance._audit_loaded = {f.attname: getattr(instance, f.attname) for f in sender._meta.concrete_fields}


def _on_delete(sender, instance, **kwargs):
    if getattr(sender, "audit_phi", False):
        audit_event(action=AuditEntry.Action.DELETE, target=instance, extra=_ids(instance))


def _ids(instance) -> dict | None:
    """The public id beside the database id, so the audit search finds a row by either."""
    public_id = getattr(instance, "public_id", None)
    return {"public_id": str(public_id)} if public_id else None


def connect() -> None:
    post_save.connect(_on_save, dispatch_uid="audit_post_save")
    post_delete.connect(_on_delete, dispatch_uid="audit_post_delete")

"""Model building blocks shared by every app."""

from __future__ import annotations

import uuid
from enum import StrEnum
from typing import Any

from django.db import models


class TimeStampedModel(models.Model):
    """Adds created_at / updated_at to a row."""

    created_at = models.DateTimeField(auto_now_add=True)
    updated_at = models.DateTimeField(auto_now=True)

    class Meta:
        abstract = True


def public_id_field() -> models.UUIDField[uuid.UUID | str, uuid.UUID]:
    """UUID used in URLs and the API instead of the sequential pk."""
    return models.UUIDField(default=uuid.uuid4, unique=True, editable=False)


# The Decimal fields are Any-typed: null=True varies per caller, which the django-stubs plugin
# cannot see through a helper function.
def money_field(**kwargs: Any) -> models.DecimalField[Any, Any]:
    """USD amount: 12 digits, 2 places."""
    return models.DecimalField(max_digits=12, decimal_places=2, **kwargs)


def units_field(**kwargs: Any) -> models.DecimalField[Any, Any]:
    """Drug units and NDC quantities: fractions allowed up to three places."""
    return models.DecimalField(max_digits=10, decimal_places=3, **kwargs)


def enum_label(member: StrEnum) -> str:
    """What a page shows for an enum value: the enum's own `label` when it defines one, else the
    value made readable. A code-like value with capitals or digits is shown as written ("837P",
    "CO", "AM"): str.capitalize() turned them into "837p" and "Co"."""
    label = getattr(member, "label", None)
    if isinstance(label, str) and label:
        return label
    value = member.value
    if not any(char.islower() for char in value):
        return value
    text = value.replace("_", " ")
    return text[:1].upper() + text[1:]


def enum_choices(enum: type[StrEnum]) -> list[tuple[str, str]]:
    """Model and form choices of a StrEnum: the one home of the labels pages show (enum_label)."""
    return [(member.value, enum_label(member)) for member in enum]


def choice_constraint(field: str, enum: type[StrEnum], name: str) -> models.CheckConstraint:
    """DB-level guard: choices alone do not constrain data."""
    return models.CheckConstraint(condition=models.Q(**{f"{field}__in": [m.value for m in enum]}), name=name)

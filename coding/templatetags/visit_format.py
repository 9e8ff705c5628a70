"""How the nurse's and biller's pages print documented amounts."""

from __future__ import annotations

from decimal import Decimal

from django import template

register = template.Library()


@register.filter
def amount(value) -> str:
    """A stored dose as written: 400.000 -> "400", 0.500 -> "0.5", 0 -> "0"; None -> ""."""
    if value is None or value == "":
        return ""
    text = format(Decimal(value).normalize(), "f")
    return text

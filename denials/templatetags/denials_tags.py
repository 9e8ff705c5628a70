"""Small display helpers of the denial pages."""

from __future__ import annotations

from django import template

register = template.Library()


@register.filter
def who(user, default: str = "—") -> str:
    """A user's name as people read it ("Bill Biller"), the username without one, or `default`."""
    if user is None:
        return default
    return user.get_full_name() or user.get_username()


@register.filter
def status_words(value: str) -> str:
    """A denial status value in words ("waiting_on_payer" -> "waiting on payer")."""
    from denials.domain.types import DenialStatus

    try:
        return DenialStatus(value).label.lower()
    except ValueError:
        return value


@register.filter
def carc_words(carc: str) -> str:
    """The CARC's description from the code list, or '' (the code is shown beside it)."""
    from payments.reason_codes import carc_description

    return carc_description(carc)


@register.filter
def rarc_words(rarc: str) -> str:
    from payments.reason_codes import rarc_description

    return rarc_description(rarc)

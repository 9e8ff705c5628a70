"""Remittance codes in words on pages: {{ adj.reason|carc }}, {{ code|rarc }}, {{ adj.group|group }},
{{ payment.claim_status_code|clp_status }}, {{ plb.reason|plb_reason }}, {{ method|payment_method }}."""

from __future__ import annotations

from django import template

from payments.domain.codes import ClaimStatus, PaymentMethod, PlbReason
from payments.reason_codes import carc_description, group_meaning, rarc_description

register = template.Library()


def _meaning(enum, code: str) -> str:
    try:
        return enum(code).meaning
    except ValueError:
        return code


@register.filter
def carc(code: str) -> str:
    return carc_description(code) or f"reason code {code} (not in our short list)"


@register.filter
def rarc(code: str) -> str:
    return rarc_description(code) or "remark code (not in our short list)"


@register.filter(name="group")
def group_filter(code: str) -> str:
    return group_meaning(code)


@register.filter
def clp_status(code: str) -> str:
    return _meaning(ClaimStatus, code)


@register.filter
def plb_reason(code: str) -> str:
    return _meaning(PlbReason, code)


@register.filter
def payment_method(code: str) -> str:
    return _meaning(PaymentMethod, code)


_BADGES = {
    "posted": "ok",
    "parsed": "warn",
    "unmatched": "warn",
    "held": "warn",
    "failed": "bad",
    "duplicate": "",
    "pending": "",
    "received": "",
}


@register.filter
def badge(status: str) -> str:
    """The badge class of a file or claim payment status (ok, warn, bad)."""
    return _BADGES.get(status, "")


@register.filter
def negate(value):
    """-amount (a reversal's CLP04 is negative: it takes back the opposite)."""
    return -value if value is not None else value


@register.filter
def posting_result(result: str) -> str:
    """What posting did to the claim's status, in words (claims_adjudicate's outcome)."""
    if result == "moved":
        return "this payment set the claim's status"
    if result == "unchanged":
        return "the claim's status stayed as it was"
    if result.startswith("refused: "):
        return f"the claim kept its status ({result.removeprefix('refused: ')})"
    return result

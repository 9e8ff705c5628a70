"""Template filters for acknowledgment outcomes in words (claims.domain.claim_status_codes)."""

from __future__ import annotations

from django import template

from claims.domain.claim_status_codes import StatusExplanation, explain_text

register = template.Library()


@register.filter
def status_explanations(reason: str) -> list[StatusExplanation]:
    """The 277CA status composites in a claim's stored reason, each in words with what to fix."""
    return explain_text(reason)

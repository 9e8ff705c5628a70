"""Small template helpers."""

from django import template

from infusion_rcm.common.identifiers import format_icd10cm

register = template.Library()


@register.filter
def get_item(mapping, key):
    return mapping.get(key) if mapping else None


@register.filter
def icd10(codes):
    """Diagnosis codes as printed (K50.90), one code or a list joined with commas."""
    if codes is None:
        return ""
    if isinstance(codes, str):
        return format_icd10cm(codes)
    return ", ".join(format_icd10cm(c) for c in codes)

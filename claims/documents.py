"""Printed claims: the CMS-1500 (02-12) for a professional claim, rendered by common.pdf."""

from __future__ import annotations

from django.utils import timezone

from claims import mappers, selectors
from claims.domain.types import ClaimForm, PayerKind
from claims.models import Claim
from infusion_rcm.common.errors import DomainError
from infusion_rcm.common.pdf import render_html, render_pdf

TEMPLATE = "pdf/cms1500.html"
LETTERS = "ABCDEFGHIJKL"
_PROGRAM = {
    PayerKind.MEDICARE: "Medicare",
    PayerKind.MEDICAID: "Medicaid",
    PayerKind.MEDICARE_ADVANTAGE: "Group health plan",
    PayerKind.COMMERCIAL: "Group health plan",
}
_RELATIONSHIP = {"01": "Spouse", "19": "Child"}


def _plain(value) -> str:
    text = format(value.normalize(), "f") if value is not None else ""
    return text


def cms1500_context(claim: Claim) -> dict:
    """What the form shows, from the same ClaimDraft the 837P is written from."""
    if claim.form != ClaimForm.PROFESSIONAL:
        raise DomainError(
            "The CMS-1500 is for professional (837P) claims; this one is institutional.",
            code="claim.not_professional",
        )
    row = selectors.claims_for_drafts(Claim.objects.filter(pk=claim.pk)).get()
    draft = mappers.claim_to_draft(row)
    person = draft.patient or draft.subscriber
    lines = []
    for line in draft.sorted_lines:
        lines.append(
            {
                "date_from": line.date_from,
                "service_to": line.service_to,
                "code": line.code,
                "modifiers": line.modifiers,
                "pointer_letters": "".join(LETTERS[p - 1] for p in line.diagnosis_pointers if 1 <= p <= 12),
                "charge": line.charge,
                "units_text": _plain(line.units),
                "ndc": line.ndc,
                "ndc_unit": line.ndc_unit or "",
                "ndc_quantity_text": _plain(line.ndc_quantity) if line.ndc_quantity is not None else "",
            }
        )
    return {
        "claim": row,
        "draft": draft,
        "payer": draft.payer,
        "program": _PROGRAM[draft.payer.kind],
        "subscriber": draft.subscriber,
        "person": person,
        "relationship": _RELATIONSHIP.get(draft.patient.relationship, "Other") if draft.patient else "Self",
        "diagnoses": [{"letter": LETTERS[i], "code": code} for i, code in enumerate(draft.diagnoses[:12])],
        "lines": lines,
        "facility": draft.service_facility,
        "rendering_npi": draft.rendering_provider.npi if draft.rendering_provider else "",
        "today": timezone.localdate(),
    }


def claim_cms1500_html(claim: Claim) -> str:
    return render_html(TEMPLATE, cms1500_context(claim))


def claim_cms1500_pdf(claim: Claim) -> bytes:
    return render_pdf(TEMPLATE, cms1500_context(claim))

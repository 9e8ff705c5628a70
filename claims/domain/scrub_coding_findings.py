"""Scrubber edits from the coding engine's findings stored with the claim's visits.

The engine warns where the record leaves payment in doubt (waste not documented, hydration's own
medical necessity, Medicare supervision, home drugs Part B does not pay); signing keeps those
findings with the visit (coding.VisitFinding). The ones that change what a payer pays become edits
here, each judged against the claim as it now stands, so a biller's fix (a JZ override, a
supervising physician on the claim) clears it. Codes: docs/billing-rules/scrubber-edits.md.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence

from pydantic import BaseModel, ConfigDict, Field

from claims.domain.types import ClaimDraft, Edit, PayerKind, ServiceLine, Severity

_HYDRATION = frozenset({"96360", "96361"})
# Administration codes other than hydration: the drug service a hydration line rides beside.
_ADMINISTRATION_PREFIX = "963"
_CHEMO_PREFIX = "964"


class CodingFinding(BaseModel):
    """One stored engine finding of a visit on the claim: its rule id, the HCPCS it concerns, its text."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    rule_id: str = Field(min_length=1, max_length=16)
    code: str = Field(default="", max_length=5, description="HCPCS the finding concerns, '' if none")
    message: str = ""


def _edit(
    code: str, severity: Severity, message: str, fix_hint: str, source: str, line: ServiceLine | None = None
) -> Edit:
    return Edit(
        code=code,
        severity=severity,
        message=message,
        fix_hint=fix_hint,
        line_number=line.line_number if line is not None else None,
        source=source,
    )


def coding_finding_edits(claim: ClaimDraft, findings: Sequence[CodingFinding]) -> Iterable[Edit]:
    if not findings:
        return
    rules = {f.rule_id for f in findings}
    if "DRG-W2" in rules:
        yield from _waste_not_documented(claim, [f for f in findings if f.rule_id == "DRG-W2"])
    if "ADM-H1" in rules:
        yield from _hydration_diagnosis(claim)
    if "SOC-SUP1" in rules and claim.supervising_provider is None and claim.payer.kind == PayerKind.MEDICARE:
        yield _edit(
            "SUPERVISION_NOT_ON_CLAIM",
            Severity.WARNING,
            "Medicare pays a nurse's infusion at an infusion center incident to a physician's direct "
            "supervision, and the claim names no supervising physician.",
            "Record the supervising physician on the visit (or the claim) so it goes out in 2310D.",
            "REFERENCE SOC-SUP1; X222A1 2310D",
        )
    home_drugs = sorted({f.code for f in findings if f.rule_id == "HIT-M1" and f.code})
    if home_drugs:
        yield _edit(
            "HOME_DRUG_NOT_PART_B",
            Severity.WARNING,
            f"{', '.join(home_drugs)} given at home is not paid by Medicare Part B (not on the external "
            "infusion pump LCD L33794): it is not on this claim.",
            "Bill the drug to the patient's Part D plan (pharmacy claim); no per diem is paid.",
            "REFERENCE HIT-M1, HIT-M3",
        )


def _waste_not_documented(claim: ClaimDraft, findings: list[CodingFinding]) -> Iterable[Edit]:
    """DRG-W2: a single-dose drug whose discarded amount the record lacks carries neither JW nor JZ;
    Medicare returns such a line as unprocessable. Cleared when the claim reports JZ or a JW line."""
    for code in sorted({f.code for f in findings if f.code}):
        lines = [ln for ln in claim.lines if ln.code == code]
        if not lines or any({"JW", "JZ"} & set(ln.modifiers) for ln in lines):
            continue
        yield _edit(
            "DRUG_WASTE_NOT_DOCUMENTED",
            Severity.ERROR,
            f"{code} is from a single-dose container and the visit does not record how much was "
            "discarded, so the line has neither JZ (nothing discarded) nor a JW line.",
            "Have the nurse add an addendum with the amount discarded (0 when none), then override the "
            "line: JZ when nothing was discarded, or add the JW line for the discarded units.",
            "REFERENCE DRG-W1, DRG-W2",
            lines[0],
        )


def _hydration_diagnosis(claim: ClaimDraft) -> Iterable[Edit]:
    """ADM-H1: billed hydration needs its own medical necessity; a hydration line pointing at exactly
    the diagnoses of the drug administration it runs beside shows none of its own."""
    drug_pointers = {
        tuple(ln.diagnosis_pointers)
        for ln in claim.lines
        if ln.code.startswith((_ADMINISTRATION_PREFIX, _CHEMO_PREFIX)) and ln.code not in _HYDRATION
    }
    for line in claim.lines:
        if line.code in _HYDRATION and tuple(line.diagnosis_pointers) in drug_pointers:
            yield _edit(
                "HYDRATION_OWN_DIAGNOSIS",
                Severity.WARNING,
                f"Hydration {line.code} points at the same diagnosis as the drug administration; payers "
                "pay hydration only for its own medical necessity (e.g. dehydration).",
                "Point the hydration line at the diagnosis that made it necessary, or remove it if the "
                "record shows none.",
                "REFERENCE ADM-H1",
                line,
            )

"""What a visit's nurse and biller must see besides its lines: engine findings, intake gates.

The point-of-care gate (eligibility, authorization, an order not through intake) reads intake's
public selectors only. Findings are built unsaved here; coding.services stores them (at start: the
gate; at signing: everything, replacing what was there).
"""

from __future__ import annotations

from collections.abc import Iterable

from coding.domain.types import CodingResult
from coding.mappers import finding_rows
from coding.models import Visit, VisitFinding
from infusion_rcm.audit.services import audit_events_bulk
from intake import selectors as intake_selectors

S = VisitFinding.Source
W = VisitFinding.Severity.WARNING

# Order statuses (intake.domain.types.OrderStatus) past intake's review: treating under them is unflagged.
_REVIEWED_ORDER = {"ready_to_schedule", "scheduled", "active", "completed"}


def _finding(visit: Visit, source: str, rule_id: str, message: str, **extra) -> VisitFinding:
    return VisitFinding(
        visit=visit,
        source=source,
        severity=extra.pop("severity", W),
        rule_id=rule_id,
        message=message,
        **extra,
    )


def gate_findings(visit: Visit) -> list[VisitFinding]:
    """POC-ORDER / POC-ELIG / POC-AUTH: what intake has not cleared for this visit's date."""
    order = visit.order
    if order is None:
        return [
            _finding(
                visit,
                S.INTAKE,
                "POC-ORDER",
                "The visit is not under an order: the claim has no ordering physician or diagnosis "
                "until intake links one.",
            )
        ]
    out = []
    if order.status not in _REVIEWED_ORDER:
        out.append(
            _finding(
                visit,
                S.INTAKE,
                "POC-ORDER",
                f"The order is still {order.get_status_display().lower()}: intake has not reviewed its "
                "coverage and authorization.",
            )
        )
    day = visit.date_of_service
    row = intake_selectors.order_row(order, as_of=day)
    if not row.eligibility_ok:
        out.append(_finding(visit, S.INTAKE, "POC-ELIG", _eligibility_problem(visit, day)))
    if row.no_auth:
        codes = ", ".join(row.missing_auth)
        out.append(
            _finding(
                visit,
                S.INTAKE,
                "POC-AUTH",
                f"No approved authorization in force covers {codes} on {day:%Y-%m-%d}: the payer may "
                "deny the drug and its administration.",
            )
        )
    return out


def _eligibility_problem(visit: Visit, day) -> str:
    coverage = intake_selectors.primary_coverage_for(patient=visit.patient, on=day)
    if coverage is None:
        return f"No primary coverage is in force on {day:%Y-%m-%d}: nobody is known to pay for this visit."
    last = intake_selectors.latest_complete_check(coverage)
    payer = coverage.payer.name
    if last is None:
        return f"Eligibility with {payer} has never been verified."
    if not last.active:
        return f"The last eligibility check with {payer} ({last.checked_on:%Y-%m-%d}) found the coverage not active."
    return (
        f"Eligibility with {payer} was last verified {last.checked_on:%Y-%m-%d}, older than the payer's "
        f"{coverage.payer.eligibility_freshness_days}-day window."
    )


def engine_findings(documented: Visit, result: CodingResult) -> list[VisitFinding]:
    """The coded result's warnings and notes, each tied to the row it is about (for the nurse's
    page) and the HCPCS it concerns (for the scrubber)."""
    out = []
    for f in result.warnings:
        administration, code = finding_rows(documented, f.path)
        out.append(
            _finding(
                documented,
                S.ENGINE,
                f.code,
                f.message,
                severity=VisitFinding.Severity.WARNING
                if f.severity == "warning"
                else VisitFinding.Severity.INFO,
                path=f.path[:80],
                code=code,
                administration=administration,
            )
        )
    return out


def same_day_findings(visit: Visit) -> list[VisitFinding]:
    """ADM-I3: a second signed visit the same day is a second encounter; coded alone it has its own
    initial service, which needs XE (or 59) on the claim."""
    others = Visit.objects.filter(
        patient_id=visit.patient_id, date_of_service=visit.date_of_service, status=Visit.Status.SIGNED
    ).exclude(pk=visit.pk)
    if not others.exists():
        return []
    return [
        _finding(
            visit,
            S.VISIT,
            "ADM-I3",
            "Another visit of this patient was signed the same day: if the patient left and came back, "
            "this visit's initial administration code needs XE (separate encounter); if not, document "
            "both in one visit (ADM-I3).",
        )
    ]


def findings_replace(visit: Visit, findings: Iterable[VisitFinding], *, sources: Iterable[str]) -> None:
    """Replace the visit's findings of `sources` by `findings` (audited in bulk)."""
    sources = list(sources)
    old = list(VisitFinding.objects.filter(visit=visit, source__in=sources).values_list("pk", flat=True))
    if old:
        VisitFinding.objects.filter(pk__in=old).delete()
        audit_events_bulk(action="delete", model=VisitFinding, ids=old, changed_fields=[])
    rows = VisitFinding.objects.bulk_create(list(findings))
    if rows:
        audit_events_bulk(
            action="create",
            model=VisitFinding,
            ids=[r.pk for r in rows],
            changed_fields=["rule_id", "message"],
        )

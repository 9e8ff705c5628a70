"""Coding writes: documenting a visit, signing it (which codes it), reviewing charge lines."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from decimal import Decimal

from django.db import IntegrityError, transaction
from django.db.models import Q
from django.utils import timezone

from coding.domain.engine import code_encounter
from coding.domain.types import ChargeLine as EngineLine
from coding.domain.types import CodingResult
from coding.mappers import visit_to_encounter
from coding.models import (
    Administration,
    ChargeLine,
    ChargeMasterEntry,
    HomeTherapyDay,
    NursingVisitEntry,
    Visit,
    VisitAddendum,
    VisitFinding,
)
from coding.tables import code_tables
from coding.visit_findings import engine_findings, findings_replace, gate_findings, same_day_findings
from infusion_rcm.audit.services import audit_events_bulk
from infusion_rcm.common.errors import DomainError
from infusion_rcm.common.money import to_money
from intake import selectors as intake_selectors
from intake import services as intake_services
from intake.domain.authorization import AuthUnitsError
from intake.models import Order, Patient, ServiceLocation

# Families whose units draw down a prior authorization (drugs, administrations, per diems).
_AUTH_FAMILIES = {"drug", "administration", "per_diem", "waste"}


class VisitLockedError(DomainError):
    code = "visit.locked"


class NoCoverageError(DomainError):
    code = "visit.no_coverage"


class ChargeLineStateError(DomainError):
    code = "charge.state"


def visit_start(
    *,
    patient: Patient,
    location: ServiceLocation,
    actor,
    order: Order | None = None,
    date_of_service: dt.date | None = None,
) -> Visit:
    """Open the patient's draft visit for the day (optionally under an order), or the one already open.

    One draft per patient and day (a DB constraint; a double tap cannot make two). The intake gate
    is written on the visit as findings (POC-ORDER/ELIG/AUTH): the nurse is warned, and the biller
    sees them with the lines. A draft opened under no order gets the order it is now started under.
    """
    if order is not None and order.patient_id != patient.pk:
        raise DomainError("That order belongs to another patient.", code="visit.order_mismatch")
    day = date_of_service or timezone.localdate()
    try:
        with transaction.atomic():
            visit = Visit.objects.create(
                patient=patient, order=order, location=location, date_of_service=day, documented_by=actor
            )
    except IntegrityError:
        visit = Visit.objects.get(patient=patient, date_of_service=day, status=Visit.Status.DRAFT)
        if visit.order_id is None and order is not None:
            visit.order = order
            visit.save(update_fields=["order", "updated_at"])
        else:
            return visit
    with transaction.atomic():
        findings_replace(visit, gate_findings(visit), sources=[VisitFinding.Source.INTAKE])
    if order is not None:  # the order's state follows its first visit (ready/scheduled -> in treatment)
        intake_services.order_visit_started(order=order, actor=actor)
    return visit


def visit_gate(*, visit: Visit) -> list[VisitFinding]:
    """The visit's stored point-of-care findings (what the nurse was warned of at the start)."""
    return list(VisitFinding.objects.filter(visit=visit, source=VisitFinding.Source.INTAKE))


def _lock_draft(visit: Visit) -> Visit:
    locked = Visit.objects.select_for_update().get(pk=visit.pk)
    if locked.status != Visit.Status.DRAFT:
        raise VisitLockedError("This visit is signed and locked. Add an addendum to record a change.")
    return locked


def administration_save(*, visit: Visit, administration: Administration) -> Administration:
    """Add or change an administration of a draft visit (the form has checked its shape)."""
    with transaction.atomic():
        _lock_draft(visit)
        administration.visit = visit
        administration.save()
    return administration


def administration_delete(*, administration: Administration) -> None:
    with transaction.atomic():
        _lock_draft(administration.visit)
        administration.delete()


def home_therapy_delete(*, therapy: HomeTherapyDay) -> None:
    with transaction.atomic():
        _lock_draft(therapy.visit)
        therapy.delete()


def nursing_visit_delete(*, entry: NursingVisitEntry) -> None:
    with transaction.atomic():
        _lock_draft(entry.visit)
        entry.delete()


def visit_payer_kind(visit: Visit) -> str:
    """The kind of the primary coverage in force on the date of service."""
    coverages = intake_selectors.coverages_in_force_for(patient=visit.patient, on=visit.date_of_service)
    if not coverages:
        raise NoCoverageError(
            "The patient has no coverage in force on the date of service. Add or correct the coverage first."
        )
    return coverages[0].payer.kind


def visit_code_preview(*, visit: Visit) -> CodingResult:
    """Code a visit without storing anything (what signing would produce)."""
    return _code(_with_documentation(visit))


def visit_findings_preview(*, visit: Visit) -> tuple[list[VisitFinding], str]:
    """What signing now would store (unsaved findings), and why it could not be coded ("" if it can).

    For the nurse before she signs: every finding names the row to fix while she still can.
    """
    documented = _with_documentation(visit)
    findings = gate_findings(documented) + same_day_findings(documented)
    if not (
        documented.administrations.all() or documented.home_therapies.all() or documented.nursing_visits.all()
    ):
        return findings, ""
    try:
        result = _code(documented)
    except DomainError as exc:
        return findings, exc.message
    return engine_findings(documented, result) + findings, ""


def _code(documented: Visit) -> CodingResult:
    """`documented` comes from _with_documentation: its documentation is already loaded."""
    encounter = visit_to_encounter(documented, payer_kind=visit_payer_kind(documented))
    return code_encounter(encounter, catalog=code_tables())


def _with_documentation(visit: Visit) -> Visit:
    return (
        Visit.objects.select_related("location", "patient")
        .prefetch_related("administrations__drug", "home_therapies__drug", "nursing_visits")
        .get(pk=visit.pk)
    )


def visit_sign(*, visit: Visit, actor) -> Visit:
    """Sign and lock a draft visit, code it, store its charge lines and draw down auths.

    Takes the visit row lock; the whole sign is one transaction: a coding error (e.g. a stop
    before its start) refuses the signature and changes nothing.
    """
    with transaction.atomic():
        _lock_draft(visit)
        # one load of the documentation (the row lock is held) serves coding and the charge lines
        signed = _with_documentation(visit)
        result = _code(signed)
        signed.status = Visit.Status.SIGNED
        signed.signed_by = actor
        signed.signed_at = timezone.now()
        signed.save(update_fields=["status", "signed_by", "signed_at", "updated_at"])
        lines = charge_lines_store(visit=signed, lines=result.lines)
        # The coded result is its lines and its findings: stored together, for the biller and scrubber.
        findings_replace(
            signed,
            engine_findings(signed, result) + gate_findings(signed) + same_day_findings(signed),
            sources=VisitFinding.Source.values,
        )
        _draw_down_auths(visit=signed, lines=lines)
    return signed


def _price(code: str, modifiers: list[str], on: dt.date) -> Decimal:
    """Gross charge per unit from the charge master: a modifier-specific entry wins."""
    entries = ChargeMasterEntry.objects.filter(code=code, effective_from__lte=on).filter(
        Q(effective_to__isnull=True) | Q(effective_to__gte=on)
    )
    best = None
    for entry in entries.order_by("-effective_from"):
        if entry.modifier and entry.modifier in modifiers:
            return entry.unit_price
        if not entry.modifier and best is None:
            best = entry.unit_price
    return best if best is not None else Decimal("0.00")


# Home infusion per diems and the drugs dispensed with them cover the therapy days documented
# from the date of service on (837P DTP*472 RD8 span); nursing visits stay on their day.
_SPAN_FAMILIES = {"per_diem", "drug"}


def _home_span_end(visit: Visit) -> dt.date:
    days = max((t.days for t in visit.home_therapies.all()), default=1)
    return visit.date_of_service + dt.timedelta(days=days - 1)


def charge_lines_store(*, visit: Visit, lines: tuple[EngineLine, ...]) -> list[ChargeLine]:
    """Persist the engine's lines for a visit, priced from the charge master."""
    stored = []
    span_end = _home_span_end(visit)
    for number, line in enumerate(lines, start=1):
        modifiers = list(line.modifiers)
        unit_price = _price(line.code, modifiers, visit.date_of_service)
        stored.append(
            ChargeLine(
                visit=visit,
                line_number=number,
                service_date_from=visit.date_of_service,
                service_date_to=span_end if line.family in _SPAN_FAMILIES else visit.date_of_service,
                code=line.code,
                modifiers=modifiers,
                units=line.units,
                reason=line.reason,
                rule_ids=list(line.rule_ids),
                ndc=line.ndc or "",
                ndc_quantity=line.ndc_quantity,
                ndc_unit=line.ndc_unit or "",
                unit_price=unit_price,
                charge=to_money(unit_price * line.units),
            )
        )
    ChargeLine.objects.bulk_create(stored)
    # bulk_create skips the per-row audit signal: the lines coded at signing get one row.
    audit_events_bulk(
        action="create",
        model=ChargeLine,
        ids=[line.pk for line in stored],
        changed_fields=["code", "units", "charge", "modifiers", "ndc", "status"],
    )
    return stored


def _draw_down_auths(*, visit: Visit, lines: list[ChargeLine]) -> None:
    units_by_code: dict[str, int] = defaultdict(int)
    for line in lines:
        units_by_code[line.code] += line.units
    for code, units in sorted(units_by_code.items()):
        try:
            intake_services.auth_draw_down(
                patient=visit.patient,
                code=code,
                units=Decimal(units),
                service_date=visit.date_of_service,
                source=f"visit:{visit.public_id}",
            )
        except AuthUnitsError as exc:
            # The infusion was given: documentation must not be blocked by a paperwork limit.
            intake_services.auth_overdraw_flag(
                patient=visit.patient,
                code=code,
                units=Decimal(units),
                service_date=visit.date_of_service,
                reason=exc.message,
            )


def visit_addendum_add(*, visit: Visit, actor, text: str) -> VisitAddendum:
    """A change after signing is an addendum; the signed documentation stays as it was."""
    visit.refresh_from_db(fields=["status"])
    if visit.status != Visit.Status.SIGNED:
        raise DomainError("Edit the draft directly; addenda are for signed visits.", code="visit.not_signed")
    if not text.strip():
        raise DomainError("Write what changed and why.", code="visit.addendum_empty")
    return VisitAddendum.objects.create(visit=visit, author=actor, text=text.strip())


def charge_line_override(
    *, line: ChargeLine, actor, code: str, modifiers: list[str], units: int, reason: str
) -> ChargeLine:
    """A biller replaces the engine's code/modifiers/units; the engine's line is kept beside it."""
    if not reason.strip():
        raise DomainError("An override needs a reason.", code="charge.override_reason")
    if units <= 0:
        raise DomainError("Units must be a whole number above zero.", code="charge.units")
    with transaction.atomic():
        locked = ChargeLine.objects.select_for_update().get(pk=line.pk)
        if locked.status not in (ChargeLine.Status.PENDING_REVIEW, ChargeLine.Status.REVIEWED):
            raise ChargeLineStateError("This line is already on a claim; correct the claim instead.")
        locked.override_code = code.strip().upper()
        locked.override_modifiers = [m.strip().upper() for m in modifiers if m.strip()]
        locked.override_units = units
        locked.override_reason = reason.strip()
        locked.overridden_by = actor
        locked.overridden_at = timezone.now()
        locked.unit_price = _price(locked.billed_code, locked.billed_modifiers, locked.service_date_from)
        locked.charge = to_money(locked.unit_price * units)
        locked.status = ChargeLine.Status.REVIEWED
        locked.save()
    return locked


def charge_lines_review(*, visit: Visit, actor) -> int:
    """Accept every pending line of a visit as coded (or as overridden). Returns lines accepted."""
    pending = ChargeLine.objects.filter(visit=visit, status=ChargeLine.Status.PENDING_REVIEW)
    ids = list(pending.values_list("pk", flat=True))
    pending.update(status=ChargeLine.Status.REVIEWED, updated_at=timezone.now())
    _audit_bulk_status(ids)
    return len(ids)


def _audit_bulk_status(ids: list[int]) -> None:
    audit_events_bulk(action="update", model=ChargeLine, ids=ids, changed_fields=["status"])


def charge_lines_mark_on_claim(*, line_ids: list[int]) -> None:
    """Called by claims.services when reviewed lines are taken onto a claim."""
    updated = ChargeLine.objects.filter(pk__in=line_ids, status=ChargeLine.Status.REVIEWED).update(
        status=ChargeLine.Status.ON_CLAIM, updated_at=timezone.now()
    )
    if updated != len(set(line_ids)):
        raise ChargeLineStateError("Some charge lines are not reviewed or are already on a claim.")
    _audit_bulk_status(line_ids)


def visit_vitals_save(*, visit: Visit, before: dict, after: dict) -> Visit:
    with transaction.atomic():
        locked = _lock_draft(visit)
        locked.vitals_before, locked.vitals_after = before, after
        locked.save(update_fields=["vitals_before", "vitals_after", "updated_at"])
    return locked


def visit_evaluation_save(
    *, visit: Visit, evaluation_code: str, evaluation_separately_identifiable: bool
) -> Visit:
    with transaction.atomic():
        locked = _lock_draft(visit)
        locked.evaluation_code = evaluation_code
        locked.evaluation_separately_identifiable = evaluation_separately_identifiable and bool(
            evaluation_code
        )
        locked.save(update_fields=["evaluation_code", "evaluation_separately_identifiable", "updated_at"])
    return locked


def visit_providers_save(*, visit: Visit, rendering_provider, supervising_provider) -> Visit:
    """Record the practitioners a draft visit's claims are billed under (rendering, supervising)."""
    with transaction.atomic():
        locked = _lock_draft(visit)
        locked.rendering_provider = rendering_provider
        locked.supervising_provider = supervising_provider
        locked.save(update_fields=["rendering_provider", "supervising_provider", "updated_at"])
    return locked


def home_therapy_save(*, visit: Visit, therapy) -> None:
    with transaction.atomic():
        _lock_draft(visit)
        therapy.visit = visit
        therapy.save()


def nursing_visit_save(*, visit: Visit, entry) -> None:
    with transaction.atomic():
        _lock_draft(visit)
        entry.visit = visit
        entry.save()


def charge_lines_release_from_claim(*, line_ids: list[int]) -> int:
    """A voided claim gives its lines back: on_claim -> reviewed, ready for a corrected claim."""
    ids = list(
        ChargeLine.objects.filter(pk__in=line_ids, status=ChargeLine.Status.ON_CLAIM).values_list(
            "pk", flat=True
        )
    )
    ChargeLine.objects.filter(pk__in=ids).update(status=ChargeLine.Status.REVIEWED, updated_at=timezone.now())
    _audit_bulk_status(ids)
    return len(ids)

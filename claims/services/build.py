"""Building claims from reviewed charge lines."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db import transaction

from claims.domain.per_diem import split_per_day
from claims.domain.types import ClaimForm
from claims.models import (
    Claim,
    ClaimEvent,
    ClaimLine,
)
from claims.services.build_parts import mark_line_renderers, split_over_limit, visit_claim_providers
from claims.services.build_spans import merge_span_claims, patient_chunks
from claims.services.common import (
    USABLE_AUTH,
    S,
    _auth_rows,
    _enqueue_scrub,
    control_numbers_take,
)
from claims.services.transitions import _user
from coding import services as coding_services
from coding.models import ChargeLine, Visit
from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.audit.services import audit_events_bulk
from infusion_rcm.common.identifiers import normalize_icd10cm
from infusion_rcm.common.money import ZERO, to_money
from infusion_rcm.common.place_of_service import place_of_service_for
from intake.domain.authorization import find_auth_for as intake_find_auth_for
from intake.domain.authorization import normalize_code
from intake.domain.coverage import CoveragePeriod, CoverageRank, coverages_in_force
from intake.domain.types import SiteOfCare
from intake.mappers import authorization as auth_to_domain
from intake.models import (
    Coverage,
    Order,
    Payer,
    PriorAuthorization,
    ServiceLocation,
)

# ---------------------------------------------------------------------------
# Build claims from reviewed charges
# ---------------------------------------------------------------------------


REVENUE_IV_THERAPY = "0260"
REVENUE_DRUG_DETAIL = "0636"
REVENUE_IV_SOLUTIONS = "0258"
REVENUE_CLINIC = "0510"


def revenue_code_for(code: str) -> str:
    """837I SV201 for an infusion line: 0258 IV solutions (J7030-J7131), 0636 drugs needing detailed
    coding (J/Q codes), 0260 IV therapy (963xx/964xx administrations and the rest), 0510 clinic (E/M)."""
    code = code.upper()
    if code.startswith("J7") and "J7030" <= code <= "J7131":
        return REVENUE_IV_SOLUTIONS
    if code[:1] in ("J", "Q"):
        return REVENUE_DRUG_DETAIL
    if code.startswith("992"):
        return REVENUE_CLINIC
    return REVENUE_IV_THERAPY


@dataclass
class BuildResult:
    claims: list[Claim] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (visit id, reason)


def claims_build_from_charges(
    *, visit_ids: Iterable[int] | None = None, actor=None, enqueue_scrub: bool = True
) -> BuildResult:
    """Turn reviewed charge lines into draft claims: one per visit (patient, payer in force on the
    date of service, billing provider of the site), or for a payer that bills home infusion by
    calendar month (Payer.claim_span) one per patient and month (claims.services.build_spans).

    Set-based: visits are processed in chunks of CHUNK (a patient's visits in one), each chunk in one transaction with a few
    queries and bulk inserts. Charge lines move to on_claim through coding.services; a line a
    concurrent builder took first makes that chunk roll back whole. Visits without a coverage in
    force are skipped (reported). New claims are queued for scrubbing after commit.
    """
    lines = ChargeLine.objects.filter(status=ChargeLine.Status.REVIEWED)
    if visit_ids is not None:
        lines = lines.filter(visit_id__in=list(visit_ids))
    result = BuildResult()
    for chunk in patient_chunks(lines):
        with transaction.atomic():
            built, skipped = _build_chunk(chunk, actor)
            if enqueue_scrub and built:
                ids = [c.pk for c in built]
                transaction.on_commit(lambda ids=ids: _enqueue_scrub(ids))  # type: ignore[misc]  # binds this chunk's ids
        result.claims += built
        result.skipped += skipped
    return result


def _build_chunk(visit_ids: list[int], actor) -> tuple[list[Claim], list[tuple[int, str]]]:
    charge_rows: list[Mapping[str, Any]] = list(
        ChargeLine.objects.filter(visit_id__in=visit_ids, status=ChargeLine.Status.REVIEWED)
        .order_by("visit_id", "line_number")
        .values(
            "id",
            "visit_id",
            "line_number",
            "service_date_from",
            "service_date_to",
            "code",
            "modifiers",
            "units",
            "ndc",
            "ndc_quantity",
            "ndc_unit",
            "charge",
            "override_code",
            "override_modifiers",
            "override_units",
        )
    )
    by_visit: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for row in charge_rows:
        by_visit[row["visit_id"]].append(row)
    visits = {
        v["id"]: v
        for v in Visit.objects.filter(pk__in=list(by_visit)).values(
            "id",
            "patient_id",
            "order_id",
            "location_id",
            "date_of_service",
            "rendering_provider_id",
            "supervising_provider_id",
        )
    }
    orders = {
        o["id"]: o
        for o in Order.objects.filter(
            pk__in={v["order_id"] for v in visits.values() if v["order_id"]}
        ).values("id", "prescriber_id", "diagnosis_codes")
    }
    locations = {
        loc["id"]: loc
        for loc in ServiceLocation.objects.filter(pk__in={v["location_id"] for v in visits.values()}).values(
            "id", "billing_provider_id", "site_of_care", "place_of_service"
        )
    }
    patient_ids = {v["patient_id"] for v in visits.values()}
    coverages: dict[int, list[Mapping[str, Any]]] = defaultdict(list)
    for cov in Coverage.objects.filter(patient_id__in=patient_ids).values(
        "id", "patient_id", "payer_id", "rank", "effective_date", "end_date"
    ):
        coverages[cov["patient_id"]].append(cov)
    payers = {
        p["id"]: p
        for p in Payer.objects.filter(pk__in={c["payer_id"] for cs in coverages.values() for c in cs}).values(
            "id",
            "claim_form",
            "per_diem_lines",
            "claim_span",
            "max_claim_lines",
            "home_infusion_rendering_provider",
        )
    }
    auths: dict[int, list] = defaultdict(list)  # coverage id -> domain authorizations
    for auth in _auth_rows(
        PriorAuthorization.objects.filter(patient_id__in=patient_ids, status__in=USABLE_AUTH)
    ):
        auths[auth.coverage_id].append(auth_to_domain(auth))  # type: ignore[arg-type]  # an auth-shaped row

    plans: list[tuple[Claim, list[ClaimLine], list[int]]] = []
    skipped: list[tuple[int, str]] = []
    for visit_id in sorted(by_visit):
        visit = visits[visit_id]
        dos = visit["date_of_service"]
        periods = [
            CoveragePeriod(
                id=c["id"], rank=CoverageRank(c["rank"]), effective=c["effective_date"], end=c["end_date"]
            )
            for c in coverages.get(visit["patient_id"], [])
        ]
        in_force = coverages_in_force(periods, dos)
        if not in_force:
            skipped.append((visit_id, f"no coverage in force on {dos.isoformat()}"))
            continue
        coverage = next(c for c in coverages[visit["patient_id"]] if c["id"] == in_force[0].id)
        payer = payers[coverage["payer_id"]]
        location = locations[visit["location_id"]]
        order = orders.get(visit["order_id"]) if visit["order_id"] else None
        institutional = (
            payer["claim_form"] == ClaimForm.INSTITUTIONAL or location["site_of_care"] == SiteOfCare.HOPD
        )
        diagnoses = [
            normalize_icd10cm(c) for c in (order["diagnosis_codes"] if order else []) if c and c.strip()
        ]
        pointers = list(range(1, min(len(diagnoses), 4) + 1)) if not institutional else []
        rows = by_visit[visit_id]
        codes = [(r["override_code"] or r["code"]).upper() for r in rows]
        auth_number = ""
        for code in codes:
            found = intake_find_auth_for(auths.get(coverage["id"], []), normalize_code(code), dos)
            if found is not None:
                auth_number = found.number
                break
        rendering_id, supervising_id = visit_claim_providers(
            visit,
            site_of_care=location["site_of_care"],
            payer=payer,
            ordering_id=order["prescriber_id"] if order else None,
        )
        claim = Claim(
            patient_id=visit["patient_id"],
            coverage_id=coverage["id"],
            payer_id=coverage["payer_id"],
            billing_provider_id=location["billing_provider_id"],
            location_id=location["id"],
            visit_id=visit_id,
            referring_provider_id=order["prescriber_id"] if order else None,
            rendering_provider_id=rendering_id,
            supervising_provider_id=supervising_id,
            form=(ClaimForm.INSTITUTIONAL if institutional else ClaimForm.PROFESSIONAL).value,
            status=S.DRAFT.value,
            # the rule the coding engine uses too, so charge review and claim agree (SOC-POS)
            place_of_service="" if institutional else place_of_service_for(location["site_of_care"]),
            diagnosis_codes=diagnoses,
            prior_auth_number=auth_number,
            service_date_from=min(r["service_date_from"] for r in rows),
            service_date_to=max(r["service_date_to"] for r in rows),
            total_charge=to_money(sum((r["charge"] for r in rows), ZERO)),
        )
        claim_lines: list[ClaimLine] = []
        daily = payer["per_diem_lines"] == "daily"
        for row, code in zip(rows, codes, strict=True):
            modifiers = (
                row["override_modifiers"] if row["override_modifiers"] is not None else row["modifiers"]
            )
            units = Decimal(row["override_units"] if row["override_units"] is not None else row["units"])
            days = split_per_day(row["service_date_from"], row["service_date_to"], units, row["charge"])
            spans = (
                [(day.day, day.day, day.units, day.charge) for day in days]
                if daily and days
                else [(row["service_date_from"], row["service_date_to"], units, row["charge"])]
            )
            for date_from, date_to, line_units, line_charge in spans:
                claim_lines.append(
                    ClaimLine(
                        charge_line_id=row["id"],
                        line_number=len(claim_lines) + 1,
                        service_date_from=date_from,
                        service_date_to=date_to,
                        code=code,
                        modifiers=list(modifiers or []),
                        units=line_units,
                        charge=line_charge,
                        diagnosis_pointers=pointers,
                        ndc=row["ndc"] or "",
                        ndc_quantity=row["ndc_quantity"] if row["ndc"] else None,
                        ndc_unit=row["ndc_unit"] if row["ndc"] else "",
                        revenue_code=revenue_code_for(code) if institutional else "",
                    )
                )
        plans.append((claim, claim_lines, [r["id"] for r in rows]))
    rendering_of_charge = {
        charge_id: plan[0].rendering_provider_id for plan in plans for charge_id in plan[2]
    }
    plans = merge_span_claims(plans, visits=visits, payers=payers, locations=locations)
    mark_line_renderers(plans, rendering_of_charge=rendering_of_charge)
    plans = split_over_limit(plans, payers=payers)
    if not plans:
        return [], skipped

    numbers = control_numbers_take("claim", len(plans))
    for number, (claim, claim_lines, _) in zip(numbers, plans, strict=True):
        claim.claim_number = claim_number_format(number)
        for line in claim_lines:
            line.line_control_number = f"{claim.claim_number}-{line.line_number}"
    claims = Claim.objects.bulk_create([p[0] for p in plans], batch_size=2000)
    new_lines = []
    for claim, claim_lines, _ in plans:
        for line in claim_lines:
            line.claim_id = claim.pk
            new_lines.append(line)
    ClaimLine.objects.bulk_create(new_lines, batch_size=5000)
    user = _user(actor)
    ClaimEvent.objects.bulk_create(
        [
            ClaimEvent(
                claim_id=c.pk,
                from_status="",
                to_status=S.DRAFT.value,
                actor=user,
                reason="Built from reviewed charges",
                payload={"charge_lines": len(p[1])},
            )
            for c, p in zip(claims, plans, strict=True)
        ],
        batch_size=5000,
    )
    # The claims are audited; their lines are created with them (ids are in the ClaimLine table).
    audit_events_bulk(
        action=AuditEntry.Action.CREATE,
        model=Claim,
        ids=[c.pk for c in claims],
        changed_fields=["claim_number", "status", "lines"],
        user=actor,
    )
    coding_services.charge_lines_mark_on_claim(line_ids=[i for p in plans for i in p[2]])
    return claims, skipped


def claim_number_format(value: int) -> str:
    """CLM01 patient control number: 'C' + 9 digits (payers keep 20 characters)."""
    return f"C{value:09d}"

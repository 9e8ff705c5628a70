"""Demo claims (seed_demo): realistic payer rules, and claims in every state, moved through the
real services so each has its events. Idempotent: rules are created once; claims only when there
are none yet."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from claims import selectors, services
from claims.demo_morning import seed_morning
from claims.domain.claim_edit import ClaimChanges, LineChange
from claims.domain.types import ClaimStatus as S
from claims.models import Claim, PayerRule
from coding.models import ChargeLine, Visit
from intake.models import Coverage, Order, Payer, ServiceLocation

BIOLOGICS = ["J1745", "Q5103", "Q5104", "J0129", "J2350", "J3380", "J1459", "J0717"]
# Demo choices only: the rules that are regulations (Medicare JW/JZ, Medicaid NDC) are shipped
# reference data (claims/reference_data), loaded by every migrate, so the demo relies on them.
GLOBAL_RULES = [
    {
        "kind": "prior_auth_required",
        "rule_id": "PA-BIOLOGICS",
        "codes": BIOLOGICS,
        "payer_kinds": ["commercial", "medicare_advantage", "medicaid"],
        "description": "Biologics and IVIG need a prior authorization in force.",
        "source": "REFERENCE 6.1",
    },
    {
        "kind": "max_units_per_day",
        "rule_id": "MUE-J1745",
        "code": "J1745",
        "units": "150",
        "description": "Infliximab 10 mg units: at most 150 per day.",
        "source": "CMS MUE table",
    },
    {
        "kind": "covered_diagnoses",
        "rule_id": "DX-J1745",
        "code": "J1745",
        "icd10_prefixes": ["K50", "K51", "M05", "M06", "L40", "M45"],
        "description": "Infliximab: Crohn's, ulcerative colitis, RA, psoriasis/PsA, ankylosing spondylitis.",
        "source": "LCD L35677 style policy",
    },
]


def seed_payer_rules() -> list[PayerRule]:
    """The demo rules above (switched on) plus a timely-filing rule per commercial payer."""
    rows = []
    for config in GLOBAL_RULES:
        rows.append(_rule(None, config))
    for payer in Payer.objects.filter(kind__in=["commercial", "medicare_advantage"]).order_by("pk"):
        rows.append(
            _rule(
                payer,
                {
                    "kind": "timely_filing",
                    "rule_id": f"TF-{payer.payer_id}"[:64],
                    "days": payer.timely_filing_days,
                    "description": f"{payer.name}: file within {payer.timely_filing_days} days of service.",
                    "source": "payer contract; REFERENCE TF-2",
                },
            )
        )
    return rows


def _rule(payer, config) -> PayerRule:
    existing = PayerRule.objects.filter(rule_id=config["rule_id"]).first()
    if existing is not None:
        return existing
    return services.payer_rule_save(
        rule=None, payer=payer, config=config, enabled=True, actor=None, note="demo seed"
    )


# Every state a claim can be in, and the moves that get a READY claim there.
PATHS: list[tuple[S, list[S]]] = [
    (S.READY, []),
    (S.NEEDS_FIX, [S.NEEDS_FIX]),
    (S.DRAFT, [S.DRAFT]),
    (S.BATCHED, [S.BATCHED]),
    (S.SUBMITTED, [S.BATCHED, S.SUBMITTED]),
    (S.ACCEPTED, [S.BATCHED, S.SUBMITTED, S.ACCEPTED]),
    (S.REJECTED, [S.BATCHED, S.SUBMITTED, S.REJECTED]),
    (S.PAID, [S.BATCHED, S.SUBMITTED, S.ACCEPTED, S.PAID]),
    (S.PARTIALLY_PAID, [S.BATCHED, S.SUBMITTED, S.ACCEPTED, S.PARTIALLY_PAID]),
    (S.DENIED, [S.BATCHED, S.SUBMITTED, S.ACCEPTED, S.DENIED]),
    (S.APPEALED, [S.BATCHED, S.SUBMITTED, S.ACCEPTED, S.DENIED, S.APPEALED]),
    (S.CLOSED, [S.BATCHED, S.SUBMITTED, S.ACCEPTED, S.PAID, S.CLOSED]),
    (S.VOID, [S.VOID]),
    (S.REPLACED, [S.BATCHED, S.SUBMITTED, S.ACCEPTED, S.DENIED]),  # then a replacement claim
]
REASONS = {
    S.NEEDS_FIX: "Demo: returned for correction",
    S.DRAFT: "Demo: reopened to add a charge",
    S.BATCHED: "Demo: batched",
    S.SUBMITTED: "Demo: released to the clearinghouse",
    S.ACCEPTED: "Demo: 277CA A2:20 accepted",
    S.REJECTED: "Demo: 277CA A7:562:85 billing provider NPI invalid",
    S.PAID: "Demo: 835 paid in full",
    S.PARTIALLY_PAID: "Demo: 835 paid in part (CO-45)",
    S.DENIED: "Demo: 835 denied (CO-197 precertification absent)",
    S.APPEALED: "Demo: redetermination requested",
    S.CLOSED: "Demo: balance settled",
    S.VOID: "Demo: entered twice",
}


def _demo_charges(want: int) -> None:
    """Add signed demo visits with reviewed charges for covered patients when coding.demo left too few."""
    have = ChargeLine.objects.filter(status="reviewed").values("visit_id").distinct().count()
    user = get_user_model().objects.order_by("pk").first()
    if have >= want or user is None:
        return
    today = timezone.localdate()
    coverages = list(Coverage.objects.filter(rank="primary").select_related("patient").order_by("pk"))
    for index in range(want - have):
        if not coverages:
            return
        cov = coverages[index % len(coverages)]
        patient = cov.patient
        location = (
            ServiceLocation.objects.filter(billing_provider_id=patient.billing_provider_id)
            .exclude(site_of_care="home")
            .order_by("pk")
            .first()
        )
        if location is None:
            return
        order = Order.objects.filter(patient=patient).order_by("pk").first()
        dos = today - dt.timedelta(days=5 + index)
        visit = Visit.objects.create(
            patient=patient,
            order=order,
            location=location,
            date_of_service=dos,
            status="signed",
            documented_by=user,
            signed_by=user,
            signed_at=timezone.now(),
        )
        lines = [
            ("96365", 1, "350.00", [], ""),
            ("96366", 1, "95.00", [], ""),
            ("J1745", 40, "1200.00", ["JZ"] if cov.payer.kind == "medicare" else [], "57894003001"),
        ]
        for number, (code, units, charge, mods, ndc) in enumerate(lines, start=1):
            ChargeLine.objects.create(
                visit=visit,
                line_number=number,
                service_date_from=dos,
                service_date_to=dos,
                code=code,
                modifiers=mods,
                units=units,
                reason="demo",
                ndc=ndc,
                ndc_quantity=Decimal(4) if ndc else None,
                ndc_unit="UN" if ndc else "",
                unit_price=Decimal(charge) / units,
                charge=Decimal(charge),
                status="reviewed",
            )


def _keyed_into_the_future(claim: Claim) -> None:
    """The needs-fix demo claim, stopped by a real scrubber edit the biller fixes on the edit page:
    its last line keyed as a span through days not given yet (LINE_DATE_FUTURE)."""
    line = claim.lines.order_by("line_number").last()
    assert line is not None  # a built claim has lines
    services.claim_edit(
        claim=claim,
        actor=None,
        reason="Demo: span keyed through the end of the course",
        version=services.claim_version(claim),
        changes=ClaimChanges(
            lines=(
                LineChange(
                    key=line.line_control_number,
                    values={"service_date_to": timezone.localdate() + dt.timedelta(days=7)},
                ),
            )
        ),
    )
    services.claims_scrub_many(claim_ids=[claim.pk])
    claim.refresh_from_db()


def _replace(claim: Claim) -> None:
    """A replacement with corrected units where the payer takes one; Medicare Part B corrects by
    reopening, so there the demo only marks the claim superseded."""
    if not services.claim_correction_options(claim).replace:
        services.claim_transition(claim=claim, to=S.REPLACED, actor=None, reason="Demo: superseded")
        return
    first = claim.lines.order_by("line_number").first()
    assert first is not None
    services.claim_replace(
        claim=claim,
        actor=None,
        reason="Demo: corrected units",
        changes=ClaimChanges(
            lines=(LineChange(key=first.line_control_number, values={"units": first.units + 1}),)
        ),
    )


def seed(stdout) -> None:
    _seed_claims(stdout)
    # After the claims above, which are built from every reviewed charge: these stay ready to bill.
    signed = seed_morning(today=timezone.localdate())
    ready = selectors.ready_to_bill_queue().count()
    stdout.write(f"claims demo: {signed} new visit(s) for the morning; {ready} visit(s) ready to bill")


def _seed_claims(stdout) -> None:
    rules = seed_payer_rules()
    if Claim.objects.exists():
        stdout.write(f"claims demo: {len(rules)} payer rules; claims already seeded")
        return
    _demo_charges(len(PATHS))
    built = services.claims_build_from_charges(enqueue_scrub=False)
    claims = sorted(built.claims, key=lambda c: c.pk)
    if not claims:
        stdout.write("claims demo: no reviewed charges with coverage; no demo claims made")
        return
    services.claims_scrub_many(claim_ids=[c.pk for c in claims])
    made: dict[str, int] = {}
    for claim, (target, moves) in zip(claims, PATHS, strict=False):
        claim.refresh_from_db()
        if target == S.NEEDS_FIX and claim.status != S.NEEDS_FIX:
            _keyed_into_the_future(claim)
        if claim.status != S.READY and target != S.NEEDS_FIX:
            services.claim_transition(
                claim=claim, to=S.READY, actor=None, reason="Demo: corrected and re-scrubbed"
            )
        for step in moves:
            if claim.status == step:
                continue
            extra: dict[str, Any] = {}
            if step == S.ACCEPTED:
                extra["payer_claim_number"] = f"ICN{claim.pk:010d}"
            if step == S.REJECTED:
                extra["status_reason"] = REASONS[step]
            services.claim_transition(claim=claim, to=step, actor=None, reason=REASONS[step], **extra)
        if target == S.REPLACED:
            _replace(claim)
        made[target.value] = made.get(target.value, 0) + 1
    stdout.write(
        f"claims demo: {len(rules)} payer rules; {len(claims)} claims in states {', '.join(sorted(made))}"
    )

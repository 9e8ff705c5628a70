"""Demo next-payer claims (seed_demo, after the payments demo): a Medicare patient with a Blue
Cross secondary (intake demo DEMO-1006) has two infusion visits billed to Medicare.

- The first is paid by Medicare with the Part B deductible and 20 % coinsurance (and the 2 %
  sequestration, CO-253): the secondary claim to Blue Cross is built from the posted rows and
  scrubbed, ready to batch (its 837 carries loops 2320/2330/2430).
- The second is forwarded by Medicare to the secondary itself (CLP02 19, NM1*TT, MOA MA18) five
  weeks ago: no secondary claim; the claim waits for Blue Cross's own ERA and, being past the
  wait, has a follow-up on the intake queue.

Posted through the real services; `next_payer_after_posting` is called directly as well as by
the event's task (idempotent), so the claims exist even when no worker runs. Idempotent: keyed by
the ERA file names.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.contrib.auth import get_user_model
from django.utils import timezone

from claims import services as claim_services
from claims.domain.types import ClaimStatus as S
from claims.models import Claim
from coding.models import ChargeLine, Visit
from infusion_rcm.x12.writer import Envelope, interchange
from intake import services as intake_services
from intake.models import Coverage, Order, ServiceLocation
from payments import services
from payments.models import ClaimPayment, RemittanceFile
from payments.services.next_payer import crossover_followups_raise, next_payer_after_posting

PREFIX = "demo-era-next-payer"
CENT = Decimal("0.01")
DEDUCTIBLE = Decimal("283.00")  # the demo's Part B deductible, met on the first line
# zoledronic acid 5 mg in 100 mL (Reclast, NDC 0078-0435-61), a single-dose bottle fully given (JZ)
LINES = [("96365", 1, "350.00", []), ("96366", 1, "95.00", []), ("J3489", 5, "480.00", ["JZ"])]
NDC = {"J3489": ("00078043561", Decimal("100"), "ML")}


def _visit(coverage: Coverage, dos: dt.date) -> Visit | None:
    patient = coverage.patient
    location = (
        ServiceLocation.objects.filter(billing_provider_id=patient.billing_provider_id)
        .exclude(site_of_care="home")
        .order_by("pk")
        .first()
    )
    if location is None:
        return None
    user: Any = get_user_model().objects.filter(username="nina").first()
    visit = Visit.objects.create(
        patient=patient,
        order=Order.objects.filter(patient=patient).order_by("pk").first(),
        location=location,
        date_of_service=dos,
        status="signed",
        documented_by=user,
        signed_by=user,
        signed_at=timezone.now(),
    )
    for number, (code, units, charge, mods) in enumerate(LINES, start=1):
        ChargeLine.objects.create(
            visit=visit,
            line_number=number,
            service_date_from=dos,
            service_date_to=dos,
            code=code,
            modifiers=mods,
            units=units,
            reason="demo",
            ndc=NDC[code][0] if code in NDC else "",
            ndc_quantity=NDC[code][1] if code in NDC else None,
            ndc_unit=NDC[code][2] if code in NDC else "",
            unit_price=Decimal(charge) / units,
            charge=Decimal(charge),
            status="reviewed",
        )
    return visit


def _accepted(claim: Claim) -> Claim:
    for step in (S.READY, S.BATCHED, S.SUBMITTED, S.ACCEPTED):
        extra: dict[str, Any] = {"payer_claim_number": f"2226{claim.pk:010d}"} if step == S.ACCEPTED else {}
        claim_services.claim_transition(claim=claim, to=step, actor=None, reason="Demo: on its way", **extra)
    claim.refresh_from_db()
    return claim


def _medicare_line(index: int, charge: Decimal) -> tuple[Decimal, list[str]]:
    allowed = (charge * Decimal("0.62")).quantize(CENT)
    deductible = min(DEDUCTIBLE, allowed) if index == 0 else Decimal("0.00")
    coinsurance = ((allowed - deductible) * Decimal("0.20")).quantize(CENT)
    before = allowed - deductible - coinsurance
    sequestration = (before * Decimal("0.02")).quantize(CENT)
    co = f"CAS*CO*45*{charge - allowed}" + (f"**253*{sequestration}" if sequestration else "")
    owed = [("1", deductible), ("2", coinsurance)]
    pr = "CAS*PR*" + "**".join(f"{reason}*{amount}" for reason, amount in owed if amount)
    return before - sequestration, [co, pr]


def _era(claim: Claim, *, day: dt.date, control: int, status: str, extra: list[str]) -> str:
    segments: list[str] = []
    charge_total = paid_total = Decimal("0.00")
    for index, line in enumerate(claim.lines.order_by("line_number")):
        pay, cas = _medicare_line(index, line.charge)
        units = f"{line.units:f}".rstrip("0").rstrip(".")
        segments += [
            f"SVC*{':'.join(['HC', line.code, *line.modifiers])}*{line.charge}*{pay}**{units}",
            f"DTM*472*{line.service_date_from:%Y%m%d}",
            *cas,
            f"REF*6R*{line.line_control_number}",
        ]
        charge_total += line.charge
        paid_total += pay
    patient, payer = claim.patient, claim.payer
    body = [
        f"BPR*I*{paid_total}*C*ACH*CCP*01*011000015*DA*123456789*1512345678**01*021000021*DA*987654321*{day:%Y%m%d}",
        f"TRN*1*NXP{day:%Y%m%d}{control}*1512345678",
        f"DTM*405*{day:%Y%m%d}",
        f"N1*PR*{payer.name.upper()[:60]}",
        f"REF*2U*{payer.payer_id}",
        f"N1*PE*RIVERSIDE INFUSION PARTNERS*XX*{claim.billing_provider.npi}",
        "LX*1",
        f"CLP*{claim.claim_number}*{status}*{charge_total}*{paid_total}**MB*{claim.payer_claim_number}*11*1",
        f"NM1*QC*1*{patient.last_name.upper()}*{patient.first_name.upper()}****MI*{claim.coverage.member_id}",
        *extra,
        *segments,
    ]
    envelope = Envelope(
        sender_id=payer.payer_id[:15],
        receiver_id="RIVERSIDE",
        interchange_control=control,
        group_control=control,
        functional_id="HP",
        version="005010X221A1",
        created=dt.datetime(day.year, day.month, day.day, 6, 0, tzinfo=dt.UTC),
    )
    return interchange(envelope, [("835", body)])


def seed_next_payer(stdout) -> None:
    if RemittanceFile.objects.filter(file_name__startswith=PREFIX).exists():
        stdout.write("next-payer demo: already posted")
        return
    secondary = (
        Coverage.objects.filter(rank="secondary", patient__coverages__payer__kind="medicare")
        .select_related("patient", "payer")
        .order_by("pk")
        .first()
    )
    primary = (
        Coverage.objects.filter(patient_id=secondary.patient_id, rank="primary").first()
        if secondary
        else None
    )
    if secondary is None or primary is None:
        stdout.write("next-payer demo: no Medicare patient with a secondary coverage")
        return
    today = timezone.localdate()
    # the biller checked the secondary's eligibility (a portal look-up), as before any claim to it
    intake_services.eligibility_check_record(
        coverage=secondary, checked_on=today, service_date=today - dt.timedelta(days=30), active=True,
        plan_name="Medicare supplement (demo)",
    )  # fmt: skip
    visits = [v for v in (_visit(primary, today - dt.timedelta(days=d)) for d in (30, 60)) if v]
    built = claim_services.claims_build_from_charges(visit_ids=[v.pk for v in visits], enqueue_scrub=False)
    claims = [_accepted(c) for c in sorted(built.claims, key=lambda c: c.pk)]
    if len(claims) < 2:
        stdout.write("next-payer demo: the demo visits could not be billed")
        return
    paid, forwarded = claims
    crossover = [
        f"NM1*TT*2*{secondary.payer.name.upper()[:60]}*****PI*{secondary.payer.payer_id}",
        "MOA***MA18",
    ]
    eras = [
        (paid, today - dt.timedelta(days=9), "1", []),
        (forwarded, today - dt.timedelta(days=36), "19", crossover),
    ]
    ids: list[int] = []
    for index, (claim, day, status, extra) in enumerate(eras):
        text = _era(claim, day=day, control=882000 + index, status=status, extra=extra)
        file, _ = services.remittance_file_receive(
            text=text, file_name=f"{PREFIX}-{index + 1}.835", actor=None
        )
        services.remittance_file_process(file=file, actor=None)
        ids += list(ClaimPayment.objects.filter(remittance__file=file).values_list("pk", flat=True))
    run = next_payer_after_posting(claim_payment_ids=ids)
    if run.built:
        claim_services.claims_scrub_many(claim_ids=run.built)
    followups = crossover_followups_raise(as_of=today)
    stdout.write(
        f"next-payer demo: {len(run.built)} secondary claim(s) built, {len(run.forwarded)} crossover(s) "
        f"waiting, {followups} follow-up(s) raised"
    )

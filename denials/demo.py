"""Demo denials (seed_demo): a week of remittances that deny lines in every category, posted
through the real payments services, turned into denials by the real creation service, assigned
by rules, and partly worked (a note, a status, a patient bill, a small write-off, a large one
waiting for the manager).

Seven demo claims (one visit each: 96365, 96366, J1745 x 40) for patients of different payers
are built, submitted and accepted the way the claims demo moves its claims, then one 835 per
payer denies their lines with the reasons below. Idempotent: the ERAs are keyed by file name.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model
from django.utils import timezone

from claims import services as claim_services
from claims.domain.types import ClaimStatus as S
from claims.models import Claim
from coding.models import ChargeLine, Visit
from denials import services
from denials.models import Appeal, AssignmentRule, Denial
from infusion_rcm.x12.writer import Envelope, interchange
from intake.models import Coverage, Order, Payer, ServiceLocation
from payments import services as payment_services
from payments.models import ClaimPayment, RemittanceFile

PREFIX = "demo-era-denials"
CENT = Decimal("0.01")
LINES = [("96365", 1, "350.00"), ("96366", 1, "95.00"), ("J1745", 40, "1200.00")]

# Per claim, per line: (group, CARC, remark) denying the whole line, "paid", or ("pay-part", ...).
PLANS = [
    [("PR", "1", ""), ("CO", "97", "M15"), ("CO", "197", "M62")],  # patient resp., bundling, authorization
    ["paid", ("CO", "4", ""), ("CO", "50", "")],  # coding, medical necessity
    [("CO", "16", "M119"), "paid", ("CO", "29", "")],  # missing information, timely filing
    ["paid", ("OA", "18", ""), ("CO", "96", "N425")],  # duplicate, not covered
    [("CO", "27", ""), ("CO", "22", ""), ("CO", "22", "")],  # eligibility, coordination of benefits
    ["paid", ("CO", "24", ""), ("pay-part", "CO", "59")],  # contractual (capitation), pricing
    ["paid", "paid", ("CO", "133", "")],  # informational: pending review
]


def _visits(count: int, today: dt.date) -> list[Visit]:
    user = get_user_model().objects.filter(username="bill").first()
    if user is None:
        return []
    seen_payers: set[int] = set()
    coverages = []
    for cov in Coverage.objects.filter(rank="primary").select_related("patient", "payer").order_by("pk"):
        if cov.payer_id in seen_payers:
            continue
        seen_payers.add(cov.payer_id)
        coverages.append(cov)
    visits = []
    for index, cov in enumerate(coverages[:count]):
        patient = cov.patient
        location = (
            ServiceLocation.objects.filter(billing_provider_id=patient.billing_provider_id)
            .exclude(site_of_care="home")
            .order_by("pk")
            .first()
        )
        if location is None:
            continue
        dos = today - dt.timedelta(days=40 + index)
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
        for number, (code, units, charge) in enumerate(LINES, start=1):
            ndc = "57894003001" if code == "J1745" else ""
            ChargeLine.objects.create(
                visit=visit,
                line_number=number,
                service_date_from=dos,
                service_date_to=dos,
                code=code,
                modifiers=["JZ"] if code == "J1745" and cov.payer.kind == "medicare" else [],
                units=units,
                reason="demo",
                ndc=ndc,
                ndc_quantity=Decimal(4) if ndc else None,
                ndc_unit="UN" if ndc else "",
                unit_price=Decimal(charge) / units,
                charge=Decimal(charge),
                status="reviewed",
            )
        visits.append(visit)
    return visits


def _accepted(claim: Claim) -> Claim:
    for step in (S.READY, S.BATCHED, S.SUBMITTED, S.ACCEPTED):
        if step == S.ACCEPTED:
            claim_services.claim_transition(
                claim=claim,
                to=step,
                actor=None,
                reason="Demo: accepted",
                payer_claim_number=f"ICN{claim.pk:010d}",
            )
        else:
            claim_services.claim_transition(claim=claim, to=step, actor=None, reason="Demo: on its way")
    claim.refresh_from_db()
    return claim


def _paid(charge: Decimal):
    allowed = (charge * Decimal("0.70")).quantize(CENT)
    owed = (allowed * Decimal("0.20")).quantize(CENT)
    return allowed - owed, [("CO", "45", charge - allowed), ("PR", "2", owed)], ""


def _line(plan, charge: Decimal):
    if plan == "paid":
        return _paid(charge)
    if plan[0] == "pay-part":
        pay, cas, _ = _paid(charge)
        cut = (pay * Decimal("0.50")).quantize(CENT)
        return pay - cut, [*cas, (plan[1], plan[2], cut)], ""
    group, carc, remark = plan
    return Decimal("0.00"), [(group, carc, charge)], remark


def _clp(claim: Claim, plans) -> tuple[list[str], Decimal]:
    segments: list[str] = []
    charge_total = paid_total = Decimal("0.00")
    for line, plan in zip(claim.lines.order_by("line_number"), plans, strict=False):
        pay, cas, remark = _line(plan, line.charge)
        units = f"{line.units:f}".rstrip("0").rstrip(".")
        segments += [
            f"SVC*{':'.join(['HC', line.code, *line.modifiers])}*{line.charge}*{pay}**{units}",
            f"DTM*472*{line.service_date_from:%Y%m%d}",
            *(f"CAS*{g}*{r}*{a}" for g, r, a in cas),
            f"REF*6R*{line.line_control_number}",
            *([f"LQ*HE*{remark}"] if remark else []),
        ]
        charge_total += line.charge
        paid_total += pay
    patient = claim.patient
    status = "4" if paid_total == 0 else "1"
    head = [
        f"CLP*{claim.claim_number}*{status}*{charge_total}*{paid_total}**12*{claim.payer_claim_number}*11*1",
        f"NM1*QC*1*{patient.last_name.upper()}*{patient.first_name.upper()}****MI*{claim.coverage.member_id}",
    ]
    return head + segments, paid_total


def _era(claim: Claim, plans, *, day: dt.date, control: int) -> str:
    segments, paid = _clp(claim, plans)
    payer = claim.payer
    npi = claim.billing_provider.npi
    body = [
        f"BPR*I*{paid}*C*ACH*CCP*01*011000015*DA*123456789*1512345678**01*021000021*DA*987654321*{day:%Y%m%d}",
        f"TRN*1*DEN{day:%Y%m%d}{control}*1512345678",
        f"DTM*405*{day:%Y%m%d}",
        f"N1*PR*{payer.name.upper()[:60]}",
        f"REF*2U*{payer.payer_id}",
        f"N1*PE*RIVERSIDE INFUSION PARTNERS*XX*{npi}",
        "LX*1",
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


def _post_demo_eras(stdout, today: dt.date) -> int:
    visits = _visits(len(PLANS), today)
    built = claim_services.claims_build_from_charges(visit_ids=[v.pk for v in visits], enqueue_scrub=False)
    claims = sorted(built.claims, key=lambda c: c.pk)
    for index, (claim, plans) in enumerate(zip(claims, PLANS, strict=False)):
        claim = _accepted(claim)
        day = today - dt.timedelta(days=3 + index)
        text = _era(claim, plans, day=day, control=881000 + index)
        file, _ = payment_services.remittance_file_receive(
            text=text, file_name=f"{PREFIX}-{index + 1}.835", actor=None
        )
        payment_services.remittance_file_process(file=file, actor=None)
    return len(claims)


def _work(bill) -> None:
    """A morning's worth of work already done on a few of them."""
    pick = {d.category: d for d in Denial.objects.filter(status="new").order_by("pk")}
    if d := pick.get("coding"):
        services.denial_move(
            denial=d, to="in_progress", actor=bill, note="Checking the modifier with the nurse's notes"
        )
    if d := pick.get("authorization"):
        services.denial_note(
            denial=d, text="Called the payer: retro-authorization requested, reference 5521", actor=bill
        )
        services.denial_move(
            denial=d, to="waiting_on_payer", actor=bill, note="Retro-authorization requested"
        )
    if d := pick.get("patient_responsibility"):
        services.denial_bill_patient(denial=d, actor=bill, note="No secondary on file")
    if d := pick.get("bundling"):
        services.denial_write_off(
            denial=d,
            actor=bill,
            reason="Hydration bundled with the infusion (NCCI); the record shows no distinct session",
        )
    if d := pick.get("timely_filing"):
        services.denial_write_off(
            denial=d, actor=bill, reason="Filed after the limit; no proof of timely filing"
        )
    # Appeals with their letters: one sent and waiting on the payer, one upheld at the first
    # level with the second level drafted, one drafted for the biller to send.
    today = timezone.localdate()
    if d := pick.get("medical_necessity"):
        appeal = services.appeal_start(
            denial=d,
            actor=bill,
            attachments=["Physician's order", "Progress notes", "Infusion administration record"],
            letter_note="The patient failed oral therapy; the notes of the last three visits document it.",
        )
        services.appeal_send(appeal=appeal, sent_on=today, actor=bill)
    if d := pick.get("non_covered"):
        appeal = services.appeal_start(
            denial=d, actor=bill, attachments=["Physician's order", "Progress notes"]
        )
        services.appeal_send(appeal=appeal, sent_on=today, actor=bill)
        services.appeal_decide(
            appeal=appeal,
            outcome="upheld",
            decision_date=today,
            received_on=today,
            note="The plan's policy excludes the drug for this diagnosis",
            actor=bill,
        )
        services.appeal_start(
            denial=d,
            actor=bill,
            attachments=["Physician's order", "Progress notes", "Copy of the claim"],
            letter_note="We ask for review by a physician of the same specialty.",
        )
    if d := pick.get("duplicate"):
        services.appeal_start(denial=d, actor=bill, attachments=["Infusion administration record"])


def seed(stdout) -> None:
    today = timezone.localdate()
    bill = get_user_model().objects.filter(username="bill").first()
    if bill is not None and not AssignmentRule.objects.exists():
        # The demo office has one biller: a category rule (coding comes first, order 10) and one
        # rule per payer, so every demo denial has its owner; a second biller is added in the
        # admin and the rules or the queue's reassignment hand work over.
        AssignmentRule.objects.create(category="coding", user=bill, order=10)
        for payer in Payer.objects.order_by("pk"):
            AssignmentRule.objects.create(payer=payer, user=bill, order=100)
    made = 0
    if not RemittanceFile.objects.filter(file_name__startswith=PREFIX).exists():
        made = _post_demo_eras(stdout, today)
    created = services.denials_from_claim_payments(
        claim_payment_ids=ClaimPayment.objects.filter(status="posted").values_list("pk", flat=True),
        today=today,
    )
    if created and bill is not None:
        _work(bill)
    from denials.services.timely_filing import timely_filing_alerts_raise

    alerts = timely_filing_alerts_raise(today=today)
    from denials.services.risk import claims_risk_score_ready

    claims_risk_score_ready(today=today)  # the ready claims' denial risk, from this history
    categories = sorted(set(Denial.objects.values_list("category", flat=True)))
    stdout.write(
        f"denials demo: {made} denied claims posted; {Denial.objects.count()} denials in {len(categories)} "
        f"categories ({', '.join(categories)}), worked in the queue at /denials/; "
        f"{Appeal.objects.count()} appeals; {alerts} timely-filing alerts at /denials/timely-filing/"
    )

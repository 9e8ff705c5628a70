"""Demo remittances (seed_demo): realistic 835s against the demo claims, posted through the real
import and posting services, so the inbox, the claim pages and the queues have life.

The first ERA pays: a claim in full (contractual CO-45, coinsurance PR-2), one partly with a
deductible (PR-1) and coinsurance, one denied for a missing authorization (CO-197, remark M62),
one with a line bundled into another (CO-97), plus interest (PLB L6) and one claim payment for a
patient control number we never sent (the unmatched queue). The second ERA, a week later,
reverses the paid claim (CLP02 22) and pays it again corrected, with a recoupment reference
(PLB WO) offset by the payer's forwarding balance. Idempotent: the ERAs are built from the same
claims each time, and a file already received changes nothing.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.contrib.auth import get_user_model

from claims.models import Claim
from infusion_rcm.x12.writer import Envelope, interchange
from payments import services
from payments.demo_contracts import seed_contracts
from payments.demo_next_payer import seed_next_payer
from payments.models import ClaimPayment, RemittanceFile

CENT = Decimal("0.01")
DEMO_PREFIX = "demo-era"


def _line_segments(claim: Claim, plan, sign: int = 1) -> tuple[list[str], Decimal, Decimal]:
    """SVC loops of `claim`; plan(index, line) -> (paid, [(group, reason, amount)], remarks)."""
    segments: list[str] = []
    charge_total = paid_total = Decimal("0.00")
    for index, line in enumerate(claim.lines.order_by("line_number")):
        pay, cas, remarks = plan(index, line)
        composite = ":".join(["HC", line.code, *line.modifiers])
        units = f"{line.units:f}".rstrip("0").rstrip(".")
        segments += [
            f"SVC*{composite}*{line.charge * sign}*{pay * sign}**{units}",
            f"DTM*472*{line.service_date_from:%Y%m%d}",
            *(f"CAS*{g}*{r}*{a * sign}" for g, r, a in cas),
            f"REF*6R*{line.line_control_number}",
            *(f"LQ*HE*{code}" for code in remarks),
        ]
        charge_total += line.charge * sign
        paid_total += pay * sign
    return segments, charge_total, paid_total


def _paid(line, *, deductible: Decimal = Decimal("0.00")):
    allowed = (line.charge * Decimal("0.70")).quantize(CENT)
    coinsurance = ((allowed - min(deductible, allowed)) * Decimal("0.20")).quantize(CENT)
    owed = min(deductible, allowed) + coinsurance
    cas = [("CO", "45", line.charge - allowed)]
    if deductible:
        cas.append(("PR", "1", min(deductible, allowed)))
    cas.append(("PR", "2", coinsurance))
    return allowed - owed, [c for c in cas if c[2]], []


def _claim(claim: Claim, plan, *, status: str = "1", icn: str | None = None, sign: int = 1):
    lines, charge, paid = _line_segments(claim, plan, sign)
    patient = claim.patient
    head = [
        f"CLP*{claim.claim_number}*{status}*{charge}*{paid}**12*{icn or claim.payer_claim_number or claim.claim_number}*11*1",
        f"NM1*QC*1*{patient.last_name.upper()}*{patient.first_name.upper()}****MI*{claim.coverage.member_id}",
        f"DTM*232*{claim.service_date_from:%Y%m%d}",
        f"DTM*233*{claim.service_date_to:%Y%m%d}",
    ]
    return head + lines, paid


def _era(
    payer, npi: str, claims, *, trace: str, day: dt.date, control: int, plb: list[tuple[str, Decimal]]
) -> str:
    paid = sum((p for _, p in claims), Decimal("0.00"))
    total = paid - sum((a for _, a in plb), Decimal("0.00"))
    body = [
        f"BPR*I*{total}*C*ACH*CCP*01*011000015*DA*123456789*1512345678**01*021000021*DA*987654321*{day:%Y%m%d}",
        f"TRN*1*{trace}*1512345678",
        f"DTM*405*{day:%Y%m%d}",
        f"N1*PR*{payer.name.upper()[:60]}",
        f"REF*2U*{payer.payer_id}",
        f"N1*PE*RIVERSIDE INFUSION PARTNERS*XX*{npi}",
        "LX*1",
        *(s for segments, _ in claims for s in segments),
    ]
    if plb:
        body.append(f"PLB*{npi}*{day.year}1231*" + "*".join(f"{code}*{amount}" for code, amount in plb))
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


def seed(stdout) -> None:
    if RemittanceFile.objects.filter(file_name__startswith=DEMO_PREFIX).exists():
        stdout.write("payments demo: demo ERAs already posted")
        from payments.demo_patient import seed as seed_patient_side

        seed_patient_side(stdout)
        return
    seed_contracts(stdout)  # before posting: the lines get their expected amounts
    pick = {
        status: Claim.objects.filter(status=status)
        .select_related("payer", "patient", "coverage", "billing_provider")
        .order_by("pk")
        .first()
        for status in ("accepted", "submitted", "paid", "partially_paid", "denied")
    }
    if not pick["accepted"] or not pick["submitted"]:
        stdout.write("payments demo: no submitted or accepted demo claims; no ERAs posted")
        return
    full, bundled = pick["accepted"], pick["submitted"]
    partly, denied, again = pick["partially_paid"], pick["denied"], pick["paid"]
    day = max(full.service_date_to, bundled.service_date_to) + dt.timedelta(days=21)
    claims = [_claim(full, lambda i, line: _paid(line))]
    claims.append(
        _claim(
            bundled,
            lambda i, line: (
                (Decimal("0.00"), [("CO", "97", line.charge)], ["M15"]) if i == 1 else _paid(line)
            ),
        )
    )
    if partly:
        claims.append(
            _claim(
                partly, lambda i, line: _paid(line, deductible=Decimal("150.00") if i == 0 else Decimal(0))
            )
        )
    if denied:
        claims.append(
            _claim(
                denied, lambda i, line: (Decimal("0.00"), [("CO", "197", line.charge)], ["M62"]), status="4"
            )
        )
    if again:
        claims.append(_claim(again, lambda i, line: _paid(line)))
    # a claim payment for a patient control number we never sent: the unmatched queue
    stray, stray_paid = _claim(full, lambda i, line: _paid(line), icn="PAYER-ICN-STRAY")
    stray[0] = stray[0].replace(f"CLP*{full.claim_number}*", "CLP*RIV-LEGACY-0042*", 1)
    claims.append((stray, stray_paid))
    payer, npi = full.payer, full.billing_provider.npi
    first = _era(
        payer,
        npi,
        claims,
        trace=f"EFT{day:%Y%m%d}01",
        day=day,
        control=880001,
        plb=[("L6", Decimal("-4.17"))],
    )
    made = [
        services.remittance_file_process(
            file=_receive(first, f"{DEMO_PREFIX}-{day:%Y%m%d}-1.835"), actor=None
        )
    ]
    if again:
        later = day + dt.timedelta(days=7)
        reversal = _claim(again, lambda i, line: _paid(line), status="22", sign=-1)
        corrected = _claim(
            again,
            lambda i, line: (Decimal("0.00"), [("CO", "97", line.charge)], []) if i == 1 else _paid(line),
            icn=f"{again.payer_claim_number or again.claim_number}-R",
        )
        second = _era(
            payer,
            npi,
            [reversal, corrected],
            trace=f"EFT{later:%Y%m%d}01",
            day=later,
            control=880002,
            plb=[
                (f"WO:{again.payer_claim_number or again.claim_number}", Decimal("25.00")),
                ("FB", Decimal("-25.00")),
            ],
        )
        made.append(
            services.remittance_file_process(
                file=_receive(second, f"{DEMO_PREFIX}-{later:%Y%m%d}-2.835"), actor=None
            )
        )
    # The demo biller approves the reversal the approval amount held (as a biller would, after
    # checking it against the payer's letter), so the ledger shows a reversal and its correction.
    biller = get_user_model().objects.filter(username="bill").first()
    for waiting in ClaimPayment.objects.filter(
        status="held", is_reversal=True, remittance__file__file_name__startswith=DEMO_PREFIX
    ):
        services.claim_payment_approve(claim_payment=waiting, actor=biller)
    posted = sum(r.claims_posted for r in made)
    unmatched = sum(r.unmatched for r in made)
    held = ClaimPayment.objects.filter(status="held").count()
    stdout.write(
        f"payments demo: {len(made)} ERAs, {posted} claim payments posted, {unmatched} unmatched, {held} held for approval (reversals approved by the demo biller)"
    )
    seed_next_payer(stdout)  # a Medicare + secondary patient: a secondary claim and a crossover
    from payments.demo_patient import seed as seed_patient_side

    seed_patient_side(stdout)


def _receive(text: str, name: str) -> RemittanceFile:
    file, _ = services.remittance_file_receive(text=text, file_name=name, actor=None)
    return file

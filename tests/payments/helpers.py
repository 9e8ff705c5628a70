"""Claims to pay and 835s that pay them: built from a claim's own lines, balanced to the cent."""

from __future__ import annotations

import dataclasses
from decimal import Decimal
from itertools import count

from claims import services as claim_services
from claims.models import Claim
from infusion_rcm.x12.writer import interchange
from tests.claims import factories as f
from tests.payments.domain.builders import ENVELOPE, HEADER, bpr

_isa = count(7001)


def accepted_claim(user, pay=None, *, visit=None) -> Claim:
    """A claim for chemo with hydration (96413, 96415, 96361, J9263-JZ), accepted by the payer."""
    visit = visit or f.chemo_with_hydration(user, pay)
    (claim,) = claim_services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    Claim.objects.filter(pk=claim.pk).update(status="accepted", payer_claim_number=f"ICN{claim.pk:08d}")
    return Claim.objects.get(pk=claim.pk)


def paid(charge: Decimal, share: str = "0.80", patient: str = "0.20") -> tuple[Decimal, list[str]]:
    """(SVC03, CAS) of a line paid at `share` of 62 % of charge, the patient owing `patient` of it."""
    allowed = (charge * Decimal("0.62")).quantize(Decimal("0.01"))
    owed = (allowed * Decimal(patient)).quantize(Decimal("0.01"))
    pay = allowed - owed
    return pay, [f"CAS*CO*45*{charge - allowed}", f"CAS*PR*2*{owed}"]


def denied(charge: Decimal, group: str = "CO", reason: str = "197") -> tuple[Decimal, list[str]]:
    return Decimal("0.00"), [f"CAS*{group}*{reason}*{charge}"]


def clp(
    claim: Claim,
    *,
    status: str = "1",
    lines=None,
    sign: int = 1,
    icn: str | None = None,
    drop_ref: frozenset[int] = frozenset(),
    drop_modifiers: frozenset[int] = frozenset(),
    claim_cas: tuple[tuple[str, str, str], ...] = (),
    extra: tuple[str, ...] = (),
    number: str | None = None,
) -> tuple[list[str], Decimal]:
    """The CLP loop of `claim`; `lines(index, charge)` -> (paid, CAS segments) per claim line
    (default: paid). Returns the segments and CLP04."""
    segs: list[str] = []
    charge_total = paid_total = Decimal("0.00")
    for index, line in enumerate(claim.lines.order_by("line_number")):
        charge = line.charge * sign
        pay, cas = (lines or (lambda i, c: paid(c)))(index, line.charge)
        pay = pay * sign
        if sign < 0:
            cas = [_negate(c) for c in cas]
        mods = [] if index in drop_modifiers else list(line.modifiers)
        composite = ":".join(["HC", line.code, *mods])
        segs += [
            f"SVC*{composite}*{charge}*{pay}**{_units(line.units)}",
            f"DTM*472*{line.service_date_from:%Y%m%d}",
            *cas,
        ]
        if index not in drop_ref:
            segs.append(f"REF*6R*{line.line_control_number}")
        charge_total += charge
        paid_total += pay
    cas_segments = []
    for group, reason, amount in claim_cas:
        cas_segments.append(f"CAS*{group}*{reason}*{Decimal(amount) * sign}")
        paid_total -= Decimal(amount) * sign
    head = [
        f"CLP*{number or claim.claim_number}*{status}*{charge_total}*{paid_total}**MB*{icn or claim.payer_claim_number}*11*1",
        *cas_segments,
        f"NM1*QC*1*{claim.patient.last_name}*{claim.patient.first_name}****MI*M{claim.pk:08d}",
        *extra,
    ]
    return head + segs, paid_total


def _units(units: Decimal) -> str:
    text = f"{units:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


def _negate(cas: str) -> str:
    parts = cas.split("*")
    for i in range(3, len(parts), 3):
        if parts[i]:
            parts[i] = str(-Decimal(parts[i]))
    return "*".join(parts)


def era(
    *claims: tuple[list[str], Decimal],
    trace: str = "EFT1001",
    plb: tuple[tuple[str, str], ...] = (),
    isa: int | None = None,
) -> str:
    """A whole 835 paying `claims` (from `clp`), with PLB items (code:ref, amount) if given."""
    total = sum((p for _, p in claims), Decimal("0.00"))
    plb_total = sum((Decimal(a) for _, a in plb), Decimal("0.00"))
    header = [h if not h.startswith("TRN") else f"TRN*1*{trace}*1512345678" for h in HEADER]
    body = [bpr(str(total - plb_total)), *header, "LX*1", *(s for segs, _ in claims for s in segs)]
    if plb:
        body.append("PLB*1234567893*20261231*" + "*".join(f"{code}*{amount}" for code, amount in plb))
    envelope = dataclasses.replace(ENVELOPE, interchange_control=isa or next(_isa))
    return interchange(envelope, [("835", body)])

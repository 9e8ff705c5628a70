"""Paper EOB entry: a biller types what a paper explanation of benefits says, claim by claim and
line by line (our claim lines prefilled), and it goes through the same balancing and posting as
an 835 (payments.services.manual_eob_enter); the remittance shows its source: paper, entered by
whom. "Check and preview" stores it unposted, for the same preview and Post as an upload."""

from __future__ import annotations

import re
from decimal import Decimal

import pydantic
from django.contrib import messages
from django.shortcuts import redirect, render

from claims.models import Claim
from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability
from infusion_rcm.audit.services import audit_list
from infusion_rcm.common.errors import DomainError
from payments import services
from payments.domain.manual_eob import ManualEob
from payments.domain.posting import FileStatus
from payments.forms import EobClaimForm, EobHeaderForm, EobLineForm, EobProviderAdjustmentForm

MAX_CLAIMS = 20
PLB_ROWS = 2
ZERO = Decimal("0.00")


def _plain(number: Decimal) -> str:
    """1.000 -> "1", 2.500 -> "2.5": units as a biller reads them off the paper."""
    text = f"{number:f}"
    return text.rstrip("0").rstrip(".") if "." in text else text


class _Block:
    """One claim of the EOB: our claim, its form and one form per line."""

    def __init__(self, index: int, claim: Claim, data=None):
        self.claim = claim
        self.form = EobClaimForm(data, prefix=f"c{index}", initial={"claim_number": claim.claim_number})
        self.lines = [
            EobLineForm(
                data,
                prefix=f"c{index}-l{n}",
                initial={
                    "code": line.code,
                    "modifiers": " ".join(line.modifiers),
                    "units": _plain(line.units),
                    "service_date": line.service_date_from,
                    "charge": line.charge,
                    "line_control_number": line.line_control_number,
                },
            )
            for n, line in enumerate(claim.lines.order_by("line_number"))
        ]

    def is_valid(self) -> bool:
        results = [self.form.is_valid(), *[line.is_valid() for line in self.lines]]
        return all(results)

    def as_eob_claim(self) -> dict:
        data = self.form.cleaned_data
        lines = [ln.cleaned_data for ln in self.lines if ln.on_the_eob]
        claim_adjustments = data["adjustments"]
        line_paid = sum((ln["paid"] or ZERO for ln in lines), ZERO)
        paid = data["paid"]
        if paid is None:
            paid = line_paid - sum((Decimal(a["amount"]) for a in claim_adjustments), ZERO)
        charge = sum((ln["charge"] for ln in lines), ZERO) if lines else self.claim.total_charge
        return {
            "claim_number": self.claim.claim_number,
            "status": data["status"],
            "charge": str(charge),
            "paid": str(paid),
            "patient_responsibility": str(data["patient_responsibility"])
            if data["patient_responsibility"] is not None
            else None,
            "payer_claim_number": data["payer_claim_number"],
            "patient_last_name": self.claim.patient.last_name[:60],
            "patient_first_name": self.claim.patient.first_name[:35],
            "member_id": self.claim.coverage.member_id[:80],
            "adjustments": claim_adjustments,
            "lines": [
                {
                    "code": ln["code"].upper(),
                    "modifiers": ln["modifiers"],
                    "units": str(ln["units"]),
                    "service_date": ln["service_date"],
                    "charge": str(ln["charge"]),
                    "paid": str(ln["paid"] if ln["paid"] is not None else ZERO),
                    "allowed": str(ln["allowed"]) if ln["allowed"] is not None else None,
                    "line_control_number": ln["line_control_number"],
                    "adjustments": ln["adjustments"],
                    "remark_codes": ln["remark_codes"],
                }
                for ln in lines
            ],
        }


def _claims(text: str) -> tuple[list[Claim], list[str]]:
    numbers = list(dict.fromkeys(n for n in re.split(r"[\s,;]+", text.strip().upper()) if n))
    if not numbers:
        return [], ["Give the claim numbers printed on the EOB (our patient control numbers)."]
    if len(numbers) > MAX_CLAIMS:
        return [], [f"At most {MAX_CLAIMS} claims on one entry: enter a long EOB in parts."]
    found = {
        c.claim_number.upper(): c
        for c in Claim.objects.select_related("patient", "payer", "coverage").filter(claim_number__in=numbers)
    }
    missing = [n for n in numbers if n not in found]
    if missing:
        return [], [f"No claim {', '.join(missing)}: check the number on the EOB (our claim number, CLM01)."]
    return [found[n] for n in numbers], []


def _pydantic_problems(exc: pydantic.ValidationError) -> list[str]:
    return [
        f"{'.'.join(str(p) for p in err['loc']) or 'EOB'}: {err['msg']}"
        for err in exc.errors(include_url=False)
    ]


def _enter(request, header: EobHeaderForm, blocks: list[_Block], plb: list[EobProviderAdjustmentForm]):
    """Build the EOB from the valid forms and enter it; the file, or None with messages set."""
    claims = [block.as_eob_claim() for block in blocks]
    provider = [
        {
            "reason": f.cleaned_data["reason"],
            "reference": f.cleaned_data["reference"],
            "amount": str(f.cleaned_data["amount"]),
        }
        for f in plb
        if f.cleaned_data.get("reason")
    ]
    amount = header.cleaned_data["payment_amount"]
    if amount is None:
        amount = sum((Decimal(c["paid"]) for c in claims), ZERO) - sum(
            (Decimal(p["amount"]) for p in provider), ZERO
        )
    payer = header.cleaned_data["payer"]
    try:
        eob = ManualEob.model_validate(
            {
                "payer_name": payer.name[:60],
                "payer_id": payer.payer_id,
                "check_number": header.cleaned_data["check_number"],
                "payment_date": header.cleaned_data["payment_date"],
                "payment_amount": str(amount),
                "payment_method": header.cleaned_data["payment_method"],
                "claims": claims,
                "provider_adjustments": provider,
            }
        )
    except pydantic.ValidationError as exc:
        for problem in _pydantic_problems(exc):
            messages.error(request, problem)
        return None
    try:
        return services.manual_eob_enter(
            eob=eob, actor=request.user, post=request.POST.get("action") == "post"
        )
    except DomainError as exc:
        for problem in exc.extra.get("problems") or [exc.message]:
            messages.error(request, f"Not entered: {problem}")
        return None


@requires(Capability.BILLING_WORK)
def manual_eob(request):
    text = request.POST.get("claims") or request.GET.get("claims") or ""
    claims, problems = _claims(text) if text else ([], [])
    for problem in problems:
        messages.error(request, problem)
    if not claims:
        return render(request, "payments/manual_eob.html", {"claims_text": text, "blocks": []})
    audit_list(request, Claim, [c.pk for c in claims])
    data = request.POST if request.method == "POST" else None
    header = EobHeaderForm(data, initial={"payer": claims[0].payer})
    blocks = [_Block(n, claim, data) for n, claim in enumerate(claims)]
    plb = [EobProviderAdjustmentForm(data, prefix=f"p{n}") for n in range(PLB_ROWS)]
    if data is not None:
        valid = [header.is_valid(), *[b.is_valid() for b in blocks], *[f.is_valid() for f in plb]]
        if not all(valid):
            messages.error(request, "Some fields need a correction: see the messages next to them.")
        else:
            file = _enter(request, header, blocks, plb)
            if file is not None:
                file.refresh_from_db()
                if file.status == FileStatus.PARSED:
                    messages.success(
                        request, "The paper EOB balances. Check what posting it will do, then post it."
                    )
                    return redirect("payments:remittance_preview", file.public_id)
                messages.success(request, f"Paper EOB entered and {file.get_status_display().lower()}.")
                return redirect("payments:remittance_detail", file.public_id)
    return render(
        request,
        "payments/manual_eob.html",
        {
            "claims_text": " ".join(c.claim_number for c in claims),
            "header": header,
            "blocks": blocks,
            "plb": plb,
        },
    )

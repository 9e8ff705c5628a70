"""Demo payer contracts (seed_demo, before the demo ERAs post): each payer with demo claims gets a
contract paying 75 % of charge, with drugs carved out at 70 % of charge, so the demo ERAs (which
allow 70 %) leave the administration and per diem lines a little short: the underpayment queue
has work. Idempotent: a payer that already has a contract is left alone."""

from __future__ import annotations

import datetime as dt

from claims.models import Claim
from intake.models import Payer
from payments.domain.contracts import ScheduleKind
from payments.models import FeeSchedule
from payments.services.contracts import fee_schedule_import

DEMO_CONTRACT = (
    "code,modifier,method,rate,percent,description\n"
    "J*,,percent_of_charge,,70,Drugs (J-codes) carved out at 70% of charge\n"
    "*,,percent_of_charge,,75,Everything else at 75% of charge\n"
)


def seed_contracts(stdout) -> None:
    first = Claim.objects.order_by("service_date_from").values_list("service_date_from", flat=True).first()
    if first is None:
        return
    start = dt.date(first.year, 1, 1)
    made = 0
    for payer in Payer.objects.filter(claims__isnull=False).distinct().order_by("name"):
        if FeeSchedule.objects.filter(kind=ScheduleKind.CONTRACT, payer=payer).exists():
            continue
        fee_schedule_import(
            text=DEMO_CONTRACT,
            kind=ScheduleKind.CONTRACT,
            payer=payer,
            effective_from=start,
            name=f"{payer.name} {start.year} contract (demo)",
            file_name="demo-contract.csv",
        )
        made += 1
    if made:
        stdout.write(f"payments demo: {made} payer contract(s) from {start}")

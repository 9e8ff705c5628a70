"""Denied claims for the denials tests: a real claim, a real 835 posted through payments."""

from __future__ import annotations

from decimal import Decimal

from payments import services as payment_services
from tests.payments.helpers import accepted_claim, clp, era, paid


def post(text: str, actor=None, name: str = "t.835"):
    file, _ = payment_services.remittance_file_receive(text=text, file_name=name, actor=actor)
    return payment_services.remittance_file_process(file=file, actor=actor)


def deny_line(index: int, group: str = "CO", carc: str = "197", remark: str = ""):
    """lines(index, charge) for clp(): line `index` denied with group-carc (and LQ*HE remark)."""

    def plan(i: int, charge: Decimal):
        if i == index:
            cas = [f"CAS*{group}*{carc}*{charge}"]
            if remark:
                cas.append(f"LQ*HE*{remark}")
            return Decimal("0.00"), cas
        return paid(charge)

    return plan


__all__ = ["accepted_claim", "clp", "deny_line", "era", "paid", "post"]

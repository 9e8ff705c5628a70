"""The patient's side of the money, decided without a database.

Pure (standard library and `infusion_rcm.common`). The ledger service loads, per service (a
visit's claim to the first payer, with the claims that followed it to later payers and the
claims that replaced them), the figures posted from each payer's remittance and the patient
payments applied to it; these functions say what each service and the whole account owe, and
who owes it (docs/billing-rules/patient-statements.md):

- `service_balance`: PATIENT-LED1 the patient's share is the patient responsibility (PR) of the
  last payer that adjudicated the service; PATIENT-LED2 it stays insurance-pending while a next
  payer is expected (a later coverage in force on the date of service that has not adjudicated,
  a next payer's claim waiting, or a remittance that says it forwarded the claim);
- `account_balance`: the account's totals; PATIENT-LED3 a credit balance is patient money beyond
  what the patient owes (unapplied, or applied beyond a share that later fell);
- `apply_oldest_first` and `check_applications`: PATIENT-PAY1 a patient payment goes to the
  services the biller names, or to the oldest patient-due first; never more than a service's
  patient-due, never to a service that is not the patient's; the rest stays on account.

Identity kept by construction, per service and for the account:
charges - insurance paid - adjustments - patient payments + refunds
= insurance-pending + patient-due - credit.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from enum import StrEnum

from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.money import to_money

ZERO = Decimal("0.00")


class ServiceState(StrEnum):
    """Who a service's open amount waits on."""

    INSURANCE_PENDING = "insurance_pending"  # no payer has adjudicated yet, or a next payer is expected
    PATIENT_DUE = "patient_due"  # the last payer adjudicated: the rest is the patient's
    SETTLED = "settled"  # nothing open (paid in full, or credit)

    @property
    def label(self) -> str:
        return {
            "insurance_pending": "Waiting on insurance",
            "patient_due": "Patient owes",
            "settled": "Settled",
        }[self.value]


@dataclass(frozen=True, slots=True)
class PayerStep:
    """What one payer (one coverage rank) did on a service, summed over its claims.

    `paid` and `patient_responsibility` are sums of posted rows (reversals included, so a
    reversed payment counts zero). `adjudicated`: a posted remittance stands that was not taken
    back. `forwarded_to`: the remittance said it crossed the claim over to another payer."""

    rank: int
    payer_name: str
    adjudicated: bool
    paid: Decimal = ZERO
    patient_responsibility: Decimal = ZERO
    adjudicated_on: date | None = None
    forwarded_to: str = ""
    reasons: tuple[str, ...] = ()  # the non-PR adjustment reasons as "CO-45", for the page


@dataclass(frozen=True, slots=True)
class ServiceFacts:
    """One service: charge, the payers' steps (any order), later coverage ranks in force on the
    date of service, and the patient money applied to it."""

    key: int
    date_of_service: date
    description: str
    charge: Decimal
    steps: tuple[PayerStep, ...] = ()
    ranks_in_force: tuple[int, ...] = ()
    patient_applied: Decimal = ZERO


@dataclass(frozen=True, slots=True)
class PayerResult:
    rank: int
    payer_name: str
    paid: Decimal
    adjusted: Decimal
    patient_responsibility: Decimal
    adjudicated: bool
    adjudicated_on: date | None
    reasons: tuple[str, ...]


@dataclass(frozen=True, slots=True)
class ServiceBalance:
    key: int
    date_of_service: date
    description: str
    charge: Decimal
    insurance_paid: Decimal
    adjusted: Decimal
    patient_responsibility: Decimal  # after the last payer; zero while insurance-pending
    patient_paid: Decimal  # patient money applied to it
    state: ServiceState
    insurance_pending: Decimal
    patient_due: Decimal
    credit: Decimal
    due_since: date | None  # when the share became the patient's (the last adjudication)
    waiting_on: str  # whom an insurance-pending amount waits on, in words
    payers: tuple[PayerResult, ...]


def _m(value: Decimal) -> Decimal:
    return to_money(value)


def service_balance(facts: ServiceFacts) -> ServiceBalance:
    """PATIENT-LED1, PATIENT-LED2 (module docstring)."""
    charge = _m(facts.charge)
    steps = sorted(facts.steps, key=lambda s: s.rank)
    done = [s for s in steps if s.adjudicated]
    last = done[-1] if done else None
    insurance_paid = _m(sum((s.paid for s in steps), ZERO))
    remaining = _m(last.patient_responsibility) if last else charge
    adjusted = charge - insurance_paid - remaining
    applied = _m(facts.patient_applied)
    waiting_on = ""
    if last is None:
        expected = True
        first = steps[0].payer_name if steps else "the first payer"
        waiting_on = f"{first} has not paid yet"
    else:
        later = [s for s in steps if s.rank > last.rank and not s.adjudicated]
        later_coverage = [r for r in facts.ranks_in_force if r > last.rank]
        expected = bool(later or later_coverage or last.forwarded_to)
        if later:
            waiting_on = f"{later[0].payer_name} has not paid yet"
        elif last.forwarded_to:
            waiting_on = f"forwarded by {last.payer_name} to {last.forwarded_to}"
        elif later_coverage:
            waiting_on = "to be billed to the next insurance"
    effective = min(applied, max(remaining, ZERO))
    credit = applied - effective
    if expected:
        pending, due, responsibility = remaining - effective, ZERO, ZERO
    else:
        pending, due, responsibility = ZERO, remaining - effective, remaining
    if pending > ZERO:
        state = ServiceState.INSURANCE_PENDING
    elif due > ZERO:
        state = ServiceState.PATIENT_DUE
    else:
        state = ServiceState.SETTLED
    payers = []
    before = charge
    for step in steps:
        if step.adjudicated:
            left = _m(step.patient_responsibility)
            payers.append(
                PayerResult(
                    step.rank,
                    step.payer_name,
                    _m(step.paid),
                    before - _m(step.paid) - left,
                    left,
                    True,
                    step.adjudicated_on,
                    step.reasons,
                )
            )
            before = left
        else:
            payers.append(PayerResult(step.rank, step.payer_name, _m(step.paid), ZERO, ZERO, False, None, ()))
    return ServiceBalance(
        key=facts.key,
        date_of_service=facts.date_of_service,
        description=facts.description,
        charge=charge,
        insurance_paid=insurance_paid,
        adjusted=adjusted,
        patient_responsibility=responsibility,
        patient_paid=applied,
        state=state,
        insurance_pending=pending,
        patient_due=due,
        credit=credit,
        due_since=last.adjudicated_on if (last and due > ZERO) else None,
        waiting_on=waiting_on if pending > ZERO else "",
        payers=tuple(payers),
    )


@dataclass(frozen=True, slots=True)
class AccountBalance:
    """A patient's account: each service and the totals (PATIENT-LED3)."""

    services: tuple[ServiceBalance, ...]
    charges: Decimal
    insurance_paid: Decimal
    adjusted: Decimal
    patient_payments: Decimal
    refunds: Decimal
    unapplied: Decimal  # patient money on account, applied to no service (after refunds)
    credit: Decimal  # unapplied + applied beyond what services now ask
    insurance_pending: Decimal
    patient_due: Decimal
    balance: Decimal  # charges - insurance paid - adjustments - patient payments + refunds

    @property
    def refundable(self) -> Decimal:
        """Credit beyond what the patient still owes elsewhere (apply it there first)."""
        return max(self.credit - self.patient_due, ZERO)


def account_balance(
    services: Sequence[ServiceFacts], *, payments_total: Decimal, refunds_total: Decimal
) -> AccountBalance:
    """Totals of an account. `payments_total`: every patient payment; `refunds_total`: the
    approved refunds. Services come back by date of service, oldest first."""
    balances = tuple(sorted((service_balance(s) for s in services), key=lambda b: (b.date_of_service, b.key)))
    payments_total, refunds_total = _m(payments_total), _m(refunds_total)
    applied = sum((b.patient_paid for b in balances), ZERO)
    unapplied = payments_total - applied - refunds_total
    credit = unapplied + sum((b.credit for b in balances), ZERO)
    charges = sum((b.charge for b in balances), ZERO)
    paid = sum((b.insurance_paid for b in balances), ZERO)
    adjusted = sum((b.adjusted for b in balances), ZERO)
    return AccountBalance(
        services=balances,
        charges=charges,
        insurance_paid=paid,
        adjusted=adjusted,
        patient_payments=payments_total,
        refunds=refunds_total,
        unapplied=unapplied,
        credit=credit,
        insurance_pending=sum((b.insurance_pending for b in balances), ZERO),
        patient_due=sum((b.patient_due for b in balances), ZERO),
        balance=charges - paid - adjusted - payments_total + refunds_total,
    )


# ---------------------------------------------------------------------------
# Applying a patient payment
# ---------------------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class Due:
    """A service the patient owes on: its key, date of service and patient-due."""

    key: int
    date_of_service: date
    amount: Decimal


@dataclass(frozen=True, slots=True)
class Allocation:
    applied: tuple[tuple[int, Decimal], ...]  # (service key, amount), in order
    unapplied: Decimal = ZERO
    problems: tuple[str, ...] = field(default=())


def positive_amount(value: Decimal | str | int, what: str = "The amount") -> Decimal:
    """A payment or refund amount: dollars and cents, more than zero (floats refused)."""
    if isinstance(value, float):
        raise InvalidInputError(f"{what} must be given as dollars and cents (e.g. 25.00), not a float.")
    try:
        amount = Decimal(str(value)) if not isinstance(value, Decimal) else value
    except ArithmeticError:
        raise InvalidInputError(f"{what} {value!r} is not an amount of money.") from None
    if not amount.is_finite():
        raise InvalidInputError(f"{what} {value!r} is not an amount of money.")
    if amount != amount.quantize(Decimal("0.01")):
        raise InvalidInputError(f"{what} {amount} has a fraction of a cent.")
    if amount <= ZERO:
        raise InvalidInputError(f"{what} must be more than zero (got {amount}).")
    return _m(amount)


def apply_oldest_first(amount: Decimal, dues: Sequence[Due]) -> Allocation:
    """PATIENT-PAY1: the oldest date of service first, each up to its patient-due; the rest on
    account."""
    left = _m(amount)
    applied: list[tuple[int, Decimal]] = []
    for due in sorted(dues, key=lambda d: (d.date_of_service, d.key)):
        if left <= ZERO:
            break
        if due.amount <= ZERO:
            continue
        take = min(left, due.amount)
        applied.append((due.key, take))
        left -= take
    return Allocation(tuple(applied), left)


def check_applications(
    amount: Decimal,
    requested: Sequence[tuple[int, Decimal]],
    dues: Mapping[int, Decimal],
    labels: Mapping[int, str] | None = None,
) -> Allocation:
    """PATIENT-PAY1 for services the biller chose: refused whole (InvalidInputError listing every
    problem) when a service is not one of the patient's open ones, an amount is not positive,
    a service is named twice, an amount exceeds the service's patient-due, or the total exceeds
    the payment. What is not applied stays on account."""
    problems: list[str] = []
    seen: set[int] = set()
    total = ZERO
    names = labels or {}
    for key, value in requested:
        label = names.get(key, f"service {key}")
        if key in seen:
            problems.append(f"The {label} is named twice.")
            continue
        seen.add(key)
        if key not in dues:
            problems.append(f"The {label} is not a service this patient owes on.")
            continue
        if value <= ZERO:
            problems.append(f"The amount for the {label} must be more than zero (got {value}).")
            continue
        if value > dues[key]:
            problems.append(f"{value} is more than the {dues[key]} the patient owes on the {label}.")
        total += value
    if total > amount:
        problems.append(f"The amounts applied ({total}) add up to more than the payment ({amount}).")
    if problems:
        raise InvalidInputError(
            "The payment was not recorded: " + " ".join(problems), extra={"problems": problems}
        )
    return Allocation(tuple((k, _m(v)) for k, v in requested), _m(amount) - total)

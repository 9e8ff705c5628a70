"""Patient money: payments taken at the front desk or by mail and what they pay, credit applied
later, refunds of credit balances (a manager approves), payment plans, statement suppressions.

Every write locks the patient's row first (`SELECT ... FOR NO KEY UPDATE`), so two clerks taking
payments for the same patient, or a refund approved while a payment is applied, see each other's
rows: the patient-due a payment is checked against is the one it is written against. Bad input
is refused whole (InvalidInputError) before anything is written. The rows inherit
PatientDataModel, so every create and change is in the audit log.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Sequence
from decimal import Decimal

from django.db import transaction
from django.db.models import Sum
from django.utils import timezone

from infusion_rcm.accounts.roles import Role, user_roles
from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.audit.services import audit_events_bulk
from infusion_rcm.common.errors import DomainError, InvalidInputError
from intake.models import Patient
from payments.domain.ledger import Due, apply_oldest_first, check_applications, positive_amount
from payments.domain.patient import (
    REFUND_TRANSITIONS,
    PaymentChannel,
    PaymentMethod,
    PlanStatus,
    RefundStatus,
    payment_reference,
)
from payments.domain.statement import SuppressionReason, plan_instalments
from payments.models_patient import (
    PatientPayment,
    PatientRefund,
    PaymentApplication,
    PaymentPlan,
    PaymentPlanInstalment,
    StatementSuppression,
)
from payments.services.patient_ledger import Account, account

ZERO = Decimal("0.00")


class PatientAccountError(DomainError):
    """The account does not allow it (no credit to refund, a plan already active ...)."""

    code = "patient_account.refused"


def _audit_created(model, rows, actor) -> None:
    # bulk_create sends no post_save: the audit entry is written here (ids and field names only)
    audit_events_bulk(
        action=AuditEntry.Action.CREATE,
        model=model,
        ids=[r.pk for r in rows],
        changed_fields=[f.name for f in model._meta.concrete_fields if f.name != "id"],
        user=actor,
    )


def _lock(patient: Patient) -> Patient:
    return Patient.objects.select_for_update(no_key=True).get(pk=patient.pk)


def _enum(enum, value, what: str):
    try:
        return enum(value)
    except ValueError:
        choices = ", ".join(m.value for m in enum)
        raise InvalidInputError(f"{what} {value!r} is not one of: {choices}.") from None


def service_keys(acct: Account) -> dict[str, int]:
    """Service key by the public id of its claim (what pages and the API name a service by)."""
    return {info.claim_public_id: key for key, info in acct.info.items()}


def _labels(acct: Account) -> dict[int, str]:
    return {
        key: f"visit of {info.date_from:%m/%d/%Y} ({info.claim_number})" for key, info in acct.info.items()
    }


def patient_payment_record(
    *,
    patient: Patient,
    amount: Decimal | str,
    method: str,
    channel: str,
    received_on: dt.date,
    actor,
    reference: str = "",
    applications: Sequence[tuple[str, Decimal | str]] | None = None,
    payer_name: str = "",
    note: str = "",
    plan: PaymentPlan | None = None,
) -> PatientPayment:
    """Record a patient payment and apply it: to the services named in `applications` (claim
    public id, amount), or, when none are named, to the oldest patient-due first. What is not
    applied stays on account as credit. Refused whole on any bad figure (PATIENT-PAY1, -PAY3)."""
    value = positive_amount(amount, "The payment amount")
    pay_method = _enum(PaymentMethod, method, "Payment method")
    pay_channel = _enum(PaymentChannel, channel, "Where it was received")
    ref = payment_reference(pay_method, reference)
    if received_on > timezone.localdate():
        raise InvalidInputError("The date received cannot be in the future.")
    with transaction.atomic():
        locked = _lock(patient)
        if plan is not None and (plan.patient_id != locked.pk or plan.status != PlanStatus.ACTIVE):
            raise InvalidInputError("That payment plan is not an active plan of this patient.")
        acct = account(locked)
        dues = {b.key: b.patient_due for b in acct.balance.services if b.patient_due > ZERO}
        if applications:
            keys = service_keys(acct)
            requested = []
            problems = []
            for public_id, part in applications:
                key = keys.get(str(public_id))
                if key is None:
                    problems.append(f"{public_id} is not a service of this patient.")
                    continue
                requested.append((key, positive_amount(part, "An amount applied")))
            if problems:
                raise InvalidInputError("The payment was not recorded: " + " ".join(problems))
            allocation = check_applications(value, requested, dues, _labels(acct))
        else:
            allocation = apply_oldest_first(
                value, [Due(b.key, b.date_of_service, b.patient_due) for b in acct.balance.services]
            )
        applied = sum((a for _, a in allocation.applied), ZERO)
        after_due = acct.balance.patient_due - applied
        payment = PatientPayment.objects.create(
            patient=locked,
            received_on=received_on,
            channel=pay_channel,
            method=pay_method,
            reference=ref,
            amount=value,
            payer_name=payer_name.strip(),
            note=note.strip(),
            plan=plan,
            balance_after=acct.balance.balance - value,
            patient_due_after=after_due,
            received_by=actor,
        )
        made = PaymentApplication.objects.bulk_create(
            [
                PaymentApplication(payment=payment, claim_id=key, amount=part, actor=actor)
                for key, part in allocation.applied
            ]
        )
        _audit_created(PaymentApplication, made, actor)
        _plan_complete_if_paid(locked)
    return payment


def _unapplied_by_payment(patient: Patient) -> list[tuple[PatientPayment, Decimal]]:
    rows: list[tuple[PatientPayment, Decimal]] = []
    for payment in (
        PatientPayment.objects.filter(patient=patient)
        .annotate(used=Sum("applications__amount"))
        .order_by("received_on", "pk")
    ):
        left = payment.amount - (payment.used or ZERO)
        if left > ZERO:
            rows.append((payment, left))
    return rows


def patient_credit_apply(*, patient: Patient, actor) -> list[PaymentApplication]:
    """Apply money on account to what the patient now owes, oldest service first (a copay taken
    before the payer adjudicated, a credit left by an overpayment). Refunded money is not
    available: what is applied never exceeds the unapplied credit."""
    with transaction.atomic():
        locked = _lock(patient)
        acct = account(locked)
        available = acct.balance.unapplied
        if available <= ZERO or acct.balance.patient_due <= ZERO:
            raise PatientAccountError("There is no money on account to apply, or nothing is owed.")
        allocation = apply_oldest_first(
            available, [Due(b.key, b.date_of_service, b.patient_due) for b in acct.balance.services]
        )
        sources = _unapplied_by_payment(locked)
        made = []
        for key, part in allocation.applied:
            while part > ZERO and sources:
                payment, left = sources[0]
                take = min(part, left)
                made.append(PaymentApplication(payment=payment, claim_id=key, amount=take, actor=actor))
                part -= take
                left -= take
                if left <= ZERO:
                    sources.pop(0)
                else:
                    sources[0] = (payment, left)
        created = PaymentApplication.objects.bulk_create(made)
        _audit_created(PaymentApplication, created, actor)
        return created


def _pending_refunds(patient: Patient, exclude: int | None = None) -> Decimal:
    qs = PatientRefund.objects.filter(patient=patient, status=RefundStatus.REQUESTED)
    if exclude:
        qs = qs.exclude(pk=exclude)
    return qs.aggregate(total=Sum("amount"))["total"] or ZERO


def patient_refund_request(*, patient: Patient, amount: Decimal | str, reason: str, actor) -> PatientRefund:
    """A biller asks to refund credit (PATIENT-LED3): never more than the refundable credit less
    the refunds already waiting; a manager decides."""
    value = positive_amount(amount, "The refund amount")
    if not reason.strip():
        raise InvalidInputError("Say why the credit is refunded (e.g. overpaid coinsurance).")
    with transaction.atomic():
        locked = _lock(patient)
        acct = account(locked)
        available = acct.balance.refundable - _pending_refunds(locked)
        if value > available:
            raise PatientAccountError(
                f"Only {max(available, ZERO)} of credit can be refunded (credit {acct.balance.credit}, "
                f"still owed {acct.balance.patient_due}, refunds waiting {_pending_refunds(locked)}).",
                extra={"available": str(max(available, ZERO))},
            )
        return PatientRefund.objects.create(
            patient=locked, amount=value, reason=reason.strip(), requested_by=actor
        )


def patient_refund_decide(
    *, refund: PatientRefund, approve: bool, actor, note: str = "", reference: str = ""
) -> PatientRefund:
    """A manager approves (the refund counts on the ledger) or rejects (the credit stays)."""
    if Role.MANAGER.value not in user_roles(actor):
        raise PatientAccountError(
            "Only a manager can approve or reject a refund.", code="patient_account.role"
        )
    with transaction.atomic():
        locked_patient = _lock(refund.patient)
        locked = PatientRefund.objects.select_for_update().get(pk=refund.pk)
        to = RefundStatus.APPROVED if approve else RefundStatus.REJECTED
        REFUND_TRANSITIONS.check(locked.status, to)
        if approve:
            acct = account(locked_patient)
            available = acct.balance.refundable - _pending_refunds(locked_patient, exclude=locked.pk)
            if locked.amount > available:
                raise PatientAccountError(
                    f"The credit has changed: only {max(available, ZERO)} can be refunded now. Reject this "
                    "request and ask for a new one."
                )
        locked.status = to
        locked.decided_by = actor
        locked.decided_at = timezone.now()
        locked.decision_note = note.strip()
        locked.reference = reference.strip()
        locked.save()
    return locked


# ---------------------------------------------------------------------------
# Payment plans
# ---------------------------------------------------------------------------


def payment_plan_create(
    *,
    patient: Patient,
    total: Decimal | str,
    instalments: int,
    first_due: dt.date,
    actor,
    every_days: int = 30,
    note: str = "",
) -> PaymentPlan:
    """A plan for (part of) what the patient owes, in equal instalments (PATIENT-PAY2). One
    active plan per patient; never more than the patient-due."""
    value = positive_amount(total, "The plan total")
    if not 1 <= int(instalments) <= 60:
        raise InvalidInputError("A plan has 1 to 60 instalments.")
    if not 7 <= int(every_days) <= 92:
        raise InvalidInputError("Instalments are 7 to 92 days apart.")
    with transaction.atomic():
        locked = _lock(patient)
        if PaymentPlan.objects.filter(patient=locked, status=PlanStatus.ACTIVE).exists():
            raise PatientAccountError("This patient already has an active payment plan: cancel it first.")
        due = account(locked).balance.patient_due
        if value > due:
            raise InvalidInputError(f"The plan total {value} is more than the {due} the patient owes.")
        plan = PaymentPlan.objects.create(
            patient=locked,
            total=value,
            instalment_count=int(instalments),
            first_due=first_due,
            every_days=int(every_days),
            note=note.strip(),
            created_by=actor,
        )
        instalments_made = PaymentPlanInstalment.objects.bulk_create(
            [
                PaymentPlanInstalment(plan=plan, sequence=i.sequence, due_on=i.due_on, amount=i.amount)
                for i in plan_instalments(
                    total=value, count=int(instalments), first_due=first_due, every_days=int(every_days)
                )
            ]
        )
        _audit_created(PaymentPlanInstalment, instalments_made, actor)
    return plan


def payment_plan_cancel(*, plan: PaymentPlan, actor) -> PaymentPlan:
    with transaction.atomic():
        locked = PaymentPlan.objects.select_for_update().get(pk=plan.pk)
        if locked.status != PlanStatus.ACTIVE:
            raise PatientAccountError("Only an active plan can be cancelled.")
        locked.status = PlanStatus.CANCELLED
        locked.save()
    return locked


def _plan_complete_if_paid(patient: Patient) -> None:
    for plan in PaymentPlan.objects.filter(patient=patient, status=PlanStatus.ACTIVE):
        paid = plan.payments.aggregate(total=Sum("amount"))["total"] or ZERO
        if paid >= plan.total:
            plan.status = PlanStatus.COMPLETED
            plan.save()


# ---------------------------------------------------------------------------
# Statement suppression
# ---------------------------------------------------------------------------


def statement_suppress(
    *,
    patient: Patient,
    reason: str,
    actor,
    starts_on: dt.date | None = None,
    ends_on: dt.date | None = None,
    note: str = "",
) -> StatementSuppression:
    """No statements for the patient from `starts_on` (today) to `ends_on` or until lifted."""
    why = _enum(SuppressionReason, reason, "Reason")
    start = starts_on or timezone.localdate()
    if ends_on is not None and ends_on < start:
        raise InvalidInputError("The suppression cannot end before it starts.")
    if why is SuppressionReason.OTHER and not note.strip():
        raise InvalidInputError("Say why in the note when the reason is 'other'.")
    with transaction.atomic():
        locked = _lock(patient)
        return StatementSuppression.objects.create(
            patient=locked, reason=why, note=note.strip(), starts_on=start, ends_on=ends_on, created_by=actor
        )


def statement_suppression_lift(*, suppression: StatementSuppression, actor) -> StatementSuppression:
    with transaction.atomic():
        locked = StatementSuppression.objects.select_for_update().get(pk=suppression.pk)
        if locked.lifted_at is not None:
            raise PatientAccountError("This suppression was already lifted.")
        locked.lifted_at = timezone.now()
        locked.lifted_by = actor
        locked.save()
    return locked


def suppressed_patient_ids(patient_ids, on: dt.date) -> set[int]:
    from django.db.models import Q

    return set(
        StatementSuppression.objects.filter(
            patient_id__in=list(patient_ids), lifted_at__isnull=True, starts_on__lte=on
        )
        .filter(Q(ends_on__isnull=True) | Q(ends_on__gte=on))
        .values_list("patient_id", flat=True)
    )

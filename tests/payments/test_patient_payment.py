"""Patient payments: oldest first and to chosen services, refused whole on bad input, receipts,
overpayment to credit to a refund a manager approves, payment plans, the pages by role."""

from __future__ import annotations

import io
from decimal import Decimal

import pytest
from django.urls import reverse
from django.utils import timezone

from infusion_rcm.common.errors import DomainError, InvalidInputError
from payments.models import PatientPayment, PatientRefund, PaymentApplication
from payments.services import patient_payments as pay
from payments.services.patient_ledger import account
from payments.services.patient_receipts import receipt_pdf
from tests.claims import factories as f
from tests.conftest import client_for
from tests.payments.helpers import accepted_claim
from tests.payments.patient_helpers import expected_pr, primary_paid

pytestmark = pytest.mark.django_db
DED = Decimal("240.00")
TODAY = timezone.localdate


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def two_visits(biller):
    """One patient, two Medicare visits paid with patient responsibility (older first)."""
    first = primary_paid(biller, deductible=DED)
    visit = f.chemo_with_hydration(biller, first.payer)
    # the second visit is the same patient's, a week later
    from coding.models import Visit

    Visit.objects.filter(pk=visit.pk).update(
        patient=first.patient, date_of_service=first.service_date_from + timezone.timedelta(days=7)
    )
    visit.order.patient = first.patient
    visit.order.save()
    second = primary_paid(
        biller, deductible=Decimal("0.00"), claim=accepted_claim(biller, visit=Visit.objects.get(pk=visit.pk))
    )
    return first, second


def _record(patient, biller, amount, **kw):
    data = {"method": "cash", "channel": "front_desk", "received_on": TODAY()} | kw
    return pay.patient_payment_record(patient=patient, amount=amount, actor=biller, **data)


def test_oldest_first_then_chosen(two_visits, biller):
    first, second = two_visits
    patient = first.patient
    owed_first, owed_second = expected_pr(first, DED), expected_pr(second, Decimal("0"))
    assert account(patient).balance.patient_due == owed_first + owed_second
    payment = _record(patient, biller, owed_first + Decimal("10.00"))
    parts = dict(PaymentApplication.objects.filter(payment=payment).values_list("claim_id", "amount"))
    assert parts == {first.pk: owed_first, second.pk: Decimal("10.00")}
    assert payment.patient_due_after == owed_second - Decimal("10.00")
    # to a chosen service
    chosen = _record(
        patient,
        biller,
        "5.00",
        method="check",
        reference="1043",
        applications=[(str(second.public_id), "5.00")],
    )
    assert list(chosen.applications.values_list("claim_id", "amount")) == [(second.pk, Decimal("5.00"))]
    assert account(patient).balance.patient_due == owed_second - Decimal("15.00")
    # the receipt says it
    text = pdf_text(receipt_pdf(chosen))
    assert chosen.receipt_number in text and "5.00" in text and "check 1043" in text
    assert str(owed_second - Decimal("15.00")) in text


@pytest.mark.parametrize(
    ("amount", "kw", "message"),
    [
        ("-5.00", {}, "more than zero"),
        ("5.001", {}, "fraction of a cent"),
        ("50.00", {"method": "check"}, "check number"),
        ("50.00", {"method": "card", "reference": "4111 1111 1111 1111"}, "card number"),
    ],
)
def test_bad_payments_are_refused_whole(two_visits, biller, amount, kw, message):
    with pytest.raises(InvalidInputError, match=message):
        _record(two_visits[0].patient, biller, amount, **kw)
    assert not PatientPayment.objects.exists()


def test_over_application_and_unknown_service_refused_whole(two_visits, biller):
    first, second = two_visits
    owed_second = expected_pr(second, Decimal("0"))
    with pytest.raises(InvalidInputError, match="more than the"):
        _record(
            first.patient, biller, "5000.00", applications=[(str(second.public_id), str(owed_second + 1))]
        )
    other = accepted_claim(biller)
    with pytest.raises(InvalidInputError, match="not a service of this patient"):
        _record(first.patient, biller, "10.00", applications=[(str(other.public_id), "10.00")])
    with pytest.raises(InvalidInputError, match="add up to more than the payment"):
        _record(first.patient, biller, "10.00", applications=[(str(second.public_id), "11.00")])
    assert not PatientPayment.objects.exists() and not PaymentApplication.objects.exists()


def test_overpayment_credit_refund_needs_a_manager(two_visits, biller, manager):
    first, _ = two_visits
    patient = first.patient
    due = account(patient).balance.patient_due
    _record(patient, biller, due + Decimal("25.00"))
    acct = account(patient).balance
    assert (
        acct.patient_due == Decimal("0.00")
        and acct.credit == Decimal("25.00")
        and acct.balance == Decimal("-25.00")
    )
    with pytest.raises(DomainError, match=r"Only 25\.00"):
        pay.patient_refund_request(patient=patient, amount="30.00", reason="overpaid", actor=biller)
    refund = pay.patient_refund_request(
        patient=patient, amount="25.00", reason="overpaid coinsurance", actor=biller
    )
    assert account(patient).balance.credit == Decimal("25.00")  # not counted until approved
    with pytest.raises(DomainError, match=r"Only 0\.00"):  # the 25.00 is already asked for
        pay.patient_refund_request(patient=patient, amount="1.00", reason="again", actor=biller)
    with pytest.raises(DomainError, match="Only a manager"):
        pay.patient_refund_decide(refund=refund, approve=True, actor=biller)
    pay.patient_refund_decide(refund=refund, approve=True, actor=manager, reference="CHK 5001")
    refund.refresh_from_db()
    assert refund.status == "approved" and refund.decided_by == manager
    acct = account(patient).balance
    assert (
        acct.credit == Decimal("0.00")
        and acct.balance == Decimal("0.00")
        and acct.refunds == Decimal("25.00")
    )
    with pytest.raises(DomainError):
        pay.patient_refund_decide(refund=refund, approve=False, actor=manager)


def test_copay_on_account_then_applied_when_due(biller):
    claim = accepted_claim(biller)
    _record(claim.patient, biller, "20.00")  # before the payer adjudicated: on account
    acct = account(claim.patient).balance
    assert acct.unapplied == Decimal("20.00") and acct.patient_due == Decimal("0.00")
    primary_paid(biller, deductible=DED, claim=claim)
    owed = expected_pr(claim, DED)
    made = pay.patient_credit_apply(patient=claim.patient, actor=biller)
    assert sum(a.amount for a in made) == Decimal("20.00")
    acct = account(claim.patient).balance
    assert acct.patient_due == owed - Decimal("20.00") and acct.unapplied == Decimal("0.00")


def test_payment_plan_instalments(two_visits, biller):
    patient = two_visits[0].patient
    due = account(patient).balance.patient_due
    plan = pay.payment_plan_create(patient=patient, total=due, instalments=3, first_due=TODAY(), actor=biller)
    amounts = list(plan.instalments.values_list("amount", flat=True))
    assert sum(amounts) == due and len(amounts) == 3 and amounts[0] == amounts[1]
    with pytest.raises(DomainError, match="already has an active"):
        pay.payment_plan_create(
            patient=patient, total="10.00", instalments=2, first_due=TODAY(), actor=biller
        )
    pay.payment_plan_cancel(plan=plan, actor=biller)
    with pytest.raises(InvalidInputError, match="more than the"):
        pay.payment_plan_create(
            patient=patient, total=due + 1, instalments=2, first_due=TODAY(), actor=biller
        )


def test_pages_biller_takes_a_payment_others_cannot(two_visits, biller, manager, nurse):
    patient = two_visits[0].patient
    url = reverse("payments:patient_ledger", args=[patient.public_id])
    page = client_for(biller).get(url)
    assert (
        page.status_code == 200
        and b"Take a payment" in page.content
        and b"Waiting on insurance" in page.content
    )
    assert b'badge bad">Patient owes' in page.content  # the service's state, not only the totals
    assert client_for(nurse).get(url).status_code == 403
    read = client_for(manager).get(url)
    assert read.status_code == 200 and b"Take a payment" not in read.content
    post_url = reverse("payments:patient_payment_create", args=[patient.public_id])
    form = {
        "amount": "30.00",
        "method": "cash",
        "channel": "front_desk",
        "received_on": TODAY().isoformat(),
        "apply": "oldest",
    }
    assert client_for(manager).post(post_url, form).status_code == 403
    done = client_for(biller).post(post_url, form)
    assert done.status_code == 302
    payment = PatientPayment.objects.get()
    assert (
        client_for(biller).get(reverse("payments:patient_receipt", args=[payment.public_id]))["Content-Type"]
        == "application/pdf"
    )
    bad = client_for(biller).post(post_url, form | {"amount": "30.00", "method": "check"})
    assert bad.status_code == 400 and b"check number" in bad.content
    assert PatientPayment.objects.count() == 1
    # the patient page links the account
    assert (
        url.encode()
        in client_for(biller).get(reverse("intake:patient_detail", args=[patient.public_id])).content
    )


def test_refund_page_manager_decides(two_visits, biller, manager):
    patient = two_visits[0].patient
    _record(patient, biller, account(patient).balance.patient_due + Decimal("7.00"))
    refund = pay.patient_refund_request(patient=patient, amount="7.00", reason="overpaid", actor=biller)
    url = reverse("payments:patient_refund_decide", args=[refund.public_id])
    assert client_for(biller).post(url, {"decision": "approve"}).status_code == 403
    assert client_for(manager).post(url, {"decision": "approve", "reference": "9001"}).status_code == 302
    assert PatientRefund.objects.get().status == "approved"


def test_payments_and_their_applications_are_audited(two_visits, biller):
    from infusion_rcm.audit.models import AuditEntry

    payment = _record(two_visits[0].patient, biller, "15.00")
    assert AuditEntry.objects.filter(
        object_type="payments.patientpayment", object_id=str(payment.pk), action="create"
    ).exists()
    entry = AuditEntry.objects.get(object_type="payments.paymentapplication", action="create")
    assert (
        entry.extra["ids"] == [str(a.pk) for a in payment.applications.all()] and entry.user_id == biller.pk
    )
    assert "amount" in entry.changed_fields

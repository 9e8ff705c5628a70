"""The patient ledger: what a patient owes after a Medicare primary with deductible and
coinsurance, with and without a secondary (insurance-pending until it adjudicates), crossover,
and the balance identity over charges, payer rows and patient money."""

from __future__ import annotations

from decimal import Decimal

import pytest

from payments.domain.ledger import ServiceState
from payments.services.patient_ledger import account, activity
from tests.payments.helpers import accepted_claim, clp, era
from tests.payments.patient_helpers import (
    add_secondary,
    expected_pr,
    medicare,
    post,
    primary_paid,
    secondary_claim,
)

pytestmark = pytest.mark.django_db
DED = Decimal("240.00")


def test_medicare_primary_without_secondary_is_patient_due(biller):
    claim = primary_paid(biller, deductible=DED)
    acct = account(claim.patient).balance
    (service,) = acct.services
    owed = expected_pr(claim, DED)
    assert owed > DED  # the deductible and the coinsurance
    assert service.state is ServiceState.PATIENT_DUE
    assert (service.patient_due, service.insurance_pending) == (owed, Decimal("0.00"))
    assert acct.patient_due == owed and acct.insurance_pending == Decimal("0.00")
    assert service.charge == claim.total_charge == Decimal("2050.00")
    # charges - insurance paid - adjustments = what the patient owes, from the posted rows
    assert service.charge - service.insurance_paid - service.adjusted == owed
    contractual = sum(
        (
            line.charge - (line.charge * Decimal("0.62")).quantize(Decimal("0.01"))
            for line in claim.lines.all()
        ),
        Decimal("0.00"),
    )
    assert service.adjusted == contractual  # CO-45 on each line
    assert acct.balance == owed
    assert service.payers[0].reasons == ("CO-45",)
    history = activity(claim.patient)
    assert [a.kind for a in history] == ["charge", "insurance payment", "adjustment"]
    assert history[-1].balance == acct.balance


def test_secondary_in_force_keeps_the_primary_pr_insurance_pending(biller):
    claim = accepted_claim(biller)
    secondary = add_secondary(claim)
    claim = primary_paid(biller, deductible=DED, claim=claim)
    acct = account(claim.patient).balance
    (service,) = acct.services
    owed = expected_pr(claim, DED)
    assert service.state is ServiceState.INSURANCE_PENDING
    assert (service.patient_due, service.insurance_pending) == (Decimal("0.00"), owed)
    assert acct.patient_due == Decimal("0.00") and acct.balance == owed
    assert "next insurance" in service.waiting_on

    # the secondary's claim, waiting: still pending, and it says on whom
    second = secondary_claim(claim, secondary)
    service = account(claim.patient).balance.services[0]
    assert service.state is ServiceState.INSURANCE_PENDING and "Medigap Plan F" in service.waiting_on

    # the secondary pays the coinsurance and leaves the Part B deductible to the patient
    plan = medicare(DED)

    def medigap(index, charge):
        allowed = (charge * Decimal("0.62")).quantize(Decimal("0.01"))
        pay, _ = plan(index, charge)
        left = allowed - pay
        ded = min(DED, allowed) if index == 0 else Decimal("0.00")
        cas = [f"CAS*OA*23*{charge - left}"]
        if ded:
            cas.append(f"CAS*PR*1*{ded}")
        return left - ded, cas

    post(era(clp(second, lines=medigap), trace="EFT-SEC-1", isa=8301), biller)
    acct = account(claim.patient).balance
    (service,) = acct.services
    assert service.state is ServiceState.PATIENT_DUE
    assert service.patient_due == DED and acct.insurance_pending == Decimal("0.00")
    assert [p.payer_name for p in service.payers][1] == "Medigap Plan F"
    assert service.payers[1].paid == owed - DED
    assert service.insurance_paid == service.payers[0].paid + service.payers[1].paid
    assert service.charge - service.insurance_paid - service.adjusted == DED
    assert activity(claim.patient)[-1].balance == DED


def test_crossover_waits_for_the_crossover_payer(biller):
    claim = accepted_claim(biller)
    post(
        era(
            clp(claim, status="19", lines=medicare(DED), extra=("NM1*TT*2*MEDIGAP MUTUAL*****PI*MM001",)),
            isa=8401,
        ),
        biller,
    )
    (service,) = account(claim.patient).balance.services
    assert service.state is ServiceState.INSURANCE_PENDING
    assert "MEDIGAP MUTUAL" in service.waiting_on and service.patient_due == Decimal("0.00")


def test_not_adjudicated_claim_is_all_insurance_pending(biller):
    claim = accepted_claim(biller)
    acct = account(claim.patient).balance
    assert acct.insurance_pending == claim.total_charge and acct.patient_due == Decimal("0.00")
    assert acct.services[0].waiting_on.endswith("has not paid yet")


def test_draft_claims_are_not_charges_yet(biller):
    claim = accepted_claim(biller)
    type(claim).objects.filter(pk=claim.pk).update(status="draft")
    assert account(claim.patient).balance.charges == Decimal("0.00")


def test_a_reversed_payment_is_pending_again(biller):
    claim = primary_paid(biller, deductible=DED)
    post(era(clp(claim, status="22", sign=-1, lines=medicare(DED)), trace="EFT-REV", isa=8501), biller)
    (service,) = account(claim.patient).balance.services
    assert service.insurance_paid == Decimal("0.00")
    assert service.state is ServiceState.INSURANCE_PENDING and service.insurance_pending == claim.total_charge


def test_balances_page_costs_the_same_for_more_patients(biller):
    from django.db import connection
    from django.test.utils import CaptureQueriesContext
    from django.urls import reverse

    from tests.conftest import client_for

    client = client_for(biller)
    url = reverse("payments:patient_balances")
    primary_paid(biller, deductible=DED)
    client.get(url)  # warm caches (session, permissions)
    with CaptureQueriesContext(connection) as one:
        assert client.get(url).status_code == 200
    primary_paid(biller, deductible=DED)
    primary_paid(biller, deductible=DED)
    with CaptureQueriesContext(connection) as three:
        page = client.get(url)
    assert page.status_code == 200 and page.content.count(b"/payments/patients/") == 3
    assert len(three) == len(one)

"""Statement runs (minimum, days since the last one, suppression; insurance-pending never asked
for), the statement PDF and its figures, dunning levels, reprints, the CLI."""

from __future__ import annotations

import datetime as dt
import io
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from payments.models import Statement, StatementSettings
from payments.services import patient_payments as pay
from payments.services import statements
from payments.services.patient_ledger import account
from tests.conftest import client_for
from tests.payments.helpers import accepted_claim
from tests.payments.patient_helpers import add_secondary, expected_pr, primary_paid

pytestmark = pytest.mark.django_db
DED = Decimal("240.00")
ASOF = dt.date(2027, 1, 5)  # after the remittances of the tests (BPR16 2026-12-15)


def pdf_text(data: bytes) -> str:
    from pypdf import PdfReader

    return "\n".join(page.extract_text() for page in PdfReader(io.BytesIO(data)).pages)


@pytest.fixture
def patients(biller):
    """owes (statement), small (below the minimum), hardship (suppressed), recent (had one 10
    days ago), pending (a secondary is in force: nothing patient-due)."""
    owes = primary_paid(biller, deductible=DED)
    small = primary_paid(biller, deductible=DED)
    pay.patient_payment_record(
        patient=small.patient,
        amount=account(small.patient).balance.patient_due - Decimal("3.00"),
        method="cash",
        channel="mail",
        received_on=dt.date.today(),
        actor=biller,
    )
    hardship = primary_paid(biller, deductible=DED)
    pay.statement_suppress(
        patient=hardship.patient, reason="hardship", note="income letter", actor=biller, starts_on=ASOF
    )
    recent = primary_paid(biller, deductible=DED)
    statements.statement_create(patient=recent.patient, actor=biller, as_of=ASOF - dt.timedelta(days=10))
    pending = accepted_claim(biller)
    add_secondary(pending)
    pending = primary_paid(biller, deductible=DED, claim=pending)
    return {"owes": owes, "small": small, "hardship": hardship, "recent": recent, "pending": pending}


def test_run_selects_by_minimum_days_and_suppression(patients, biller):
    ids = [c.patient_id for c in patients.values()]
    result = statements.statement_run(
        actor=biller, as_of=ASOF, minimum=Decimal("5.00"), interval_days=28, patient_ids=ids
    )
    assert [s.patient_id for s in result.statements] == [patients["owes"].patient_id]
    assert result.skipped == {"below_minimum": 2, "recent_statement": 1, "suppressed": 1}
    run = result.run
    assert run.statement_count == 1 and run.total_due == expected_pr(patients["owes"], DED)
    # a lower minimum takes the small balance too; a shorter interval the recent one
    again = statements.statement_run(
        actor=biller, as_of=ASOF, minimum=Decimal("1.00"), interval_days=7, patient_ids=ids
    )
    assert {s.patient_id for s in again.statements} == {
        patients["small"].patient_id,
        patients["recent"].patient_id,
    }
    # the owing patient had one today: skipped as recent now
    assert again.skipped["recent_statement"] == 1


def test_statement_pdf_figures(biller):
    claim = accepted_claim(biller)
    StatementSettings.objects.create(
        billing_provider=claim.billing_provider,
        billing_phone="(847) 555-0100",
        how_to_pay="Card by phone 8-5.",
    )
    claim = primary_paid(biller, deductible=DED, claim=claim)
    pending = accepted_claim(biller)  # another visit of the same patient, not paid yet
    type(pending).objects.filter(pk=pending.pk).update(patient=claim.patient)
    owed = expected_pr(claim, DED)
    statement = statements.statement_create(patient=claim.patient, actor=biller, as_of=ASOF)
    assert bytes(statement.pdf).startswith(b"%PDF")
    text = pdf_text(bytes(statement.pdf))
    acct = account(claim.patient).balance
    insurance_paid = acct.services[0].insurance_paid
    for figure in (
        claim.billing_provider.name,
        "(847) 555-0100",
        claim.patient.mrn,
        str(owed),
        str(claim.total_charge),
        str(insurance_paid),
        "Waiting on your insurance",
        str(pending.total_charge),
        "Card by phone 8-5.",
        "0-30 days",
        statement.number,
    ):
        assert figure in text, figure
    assert statement.amount_due == owed and statement.insurance_pending == pending.total_charge
    assert statement.content["totals"]["amount_due"] == str(owed)
    assert statement.dunning_level == 1


def test_dunning_rises_one_level_per_statement(biller):
    claim = primary_paid(biller, deductible=DED)
    levels = []
    for days in (0, 35, 70, 100, 130):
        s = statements.statement_create(
            patient=claim.patient, actor=biller, as_of=ASOF + dt.timedelta(days=days)
        )
        levels.append(s.dunning_level)
    assert levels == [1, 2, 3, 4, 4]
    assert "Final notice" in pdf_text(
        bytes(Statement.objects.get(dunning_level=4, statement_date=ASOF + dt.timedelta(days=100)).pdf)
    )


def test_reprint_is_the_stored_pdf(biller, nurse):
    claim = primary_paid(biller, deductible=DED)
    statement = statements.statement_create(patient=claim.patient, actor=biller, as_of=ASOF)
    pay.patient_payment_record(
        patient=claim.patient,
        amount="50.00",
        method="cash",
        channel="front_desk",
        received_on=dt.date.today(),
        actor=biller,
    )
    url = reverse("payments:statement_pdf", args=[statement.public_id])
    response = client_for(biller).get(url)
    assert response.status_code == 200 and response.content == bytes(statement.pdf)
    assert client_for(nurse).get(url).status_code == 403


def test_nothing_owed_no_statement(biller):
    from infusion_rcm.common.errors import InvalidInputError

    claim = accepted_claim(biller)
    with pytest.raises(InvalidInputError, match="owes nothing"):
        statements.statement_create(patient=claim.patient, actor=biller)


def test_cli_writes_pdfs_and_prints_a_summary(patients, tmp_path):
    out = io.StringIO()
    call_command(
        "statement_run",
        "--out",
        str(tmp_path / "run"),
        "--date",
        ASOF.isoformat(),
        "--minimum",
        "5.00",
        stdout=out,
    )
    summary = json.loads(out.getvalue())
    assert summary["statements"] == 1 and summary["skipped"]["suppressed"] == 1
    (made,) = summary["files"]
    data = (tmp_path / "run" / made["file"]).read_bytes()
    assert data.startswith(b"%PDF") and made["amount_due"] in pdf_text(data)
    with pytest.raises(CommandError, match="not a date"):
        call_command("statement_run", "--out", str(tmp_path), "--date", "yesterday")


def test_statement_pages(patients, biller, manager):
    url = reverse("payments:statement_runs")
    assert client_for(manager).post(url, {"as_of": ASOF.isoformat()}).status_code == 403
    response = client_for(biller).post(
        url, {"as_of": ASOF.isoformat(), "minimum": "5.00", "interval_days": "28"}
    )
    assert response.status_code == 302
    page = client_for(biller).get(response["Location"])
    assert page.status_code == 200 and b"1 statements" in page.content
    assert client_for(manager).get(url).status_code == 200


def test_statement_of_a_patient_on_a_plan_asks_for_the_instalments_due(biller):
    claim = primary_paid(biller, deductible=DED)
    due = account(claim.patient).balance.patient_due
    plan = pay.payment_plan_create(
        patient=claim.patient, total=due, instalments=4, first_due=ASOF + dt.timedelta(days=10), actor=biller
    )
    first = plan.instalments.order_by("sequence").first().amount
    statement = statements.statement_create(patient=claim.patient, actor=biller, as_of=ASOF)
    assert statement.amount_due == first and statement.patient_due == due
    text = pdf_text(bytes(statement.pdf))
    assert "Your payment plan" in text and str(first) in text


def test_account_page_suppress_lift_and_statement_now(biller, nurse):
    claim = primary_paid(biller, deductible=DED)
    patient = claim.patient
    client = client_for(biller)
    bad = client.post(
        reverse("payments:statement_suppress", args=[patient.public_id]),
        {"reason": "other", "starts_on": "2027-01-01"},
    )
    assert bad.status_code == 400 and b"Say why" in bad.content
    done = client.post(
        reverse("payments:statement_suppress", args=[patient.public_id]),
        {"reason": "collections", "note": "placed with ACME", "starts_on": "2027-01-01"},
    )
    assert done.status_code == 302
    suppression = patient.statement_suppressions.get()
    result = statements.statement_run(actor=biller, as_of=ASOF, patient_ids=[patient.pk])
    assert result.skipped["suppressed"] == 1 and not result.statements
    assert (
        client_for(nurse)
        .post(reverse("payments:statement_suppression_lift", args=[suppression.public_id]))
        .status_code
        == 403
    )
    assert (
        client.post(reverse("payments:statement_suppression_lift", args=[suppression.public_id])).status_code
        == 302
    )
    assert (
        statements.statement_run(actor=biller, as_of=ASOF, patient_ids=[patient.pk]).run.statement_count == 1
    )
    assert client.post(reverse("payments:patient_statement_now", args=[patient.public_id])).status_code == 302
    assert Statement.objects.filter(patient=patient).count() == 2

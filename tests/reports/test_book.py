"""Every dashboard figure on the hand-made book (tests/reports/book.py), answers worked out here."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.test import Client
from django.urls import reverse

from reports import selectors, services
from reports.domain.definitions import AgingBasis
from reports.domain.kpis import add_months, month_days
from reports.models import ArSnapshot, ClaimFact, DenialFact
from tests.reports import book as handmade

pytestmark = pytest.mark.django_db
D = Decimal


@pytest.fixture
def book(biller):
    b = handmade.build(biller)
    services.reports_catch_up()
    return b


def _period(book) -> dict:
    return {"first": (book.today - dt.timedelta(days=10)).replace(day=1), "last": book.today.replace(day=1)}


def _kpis(book, **kw) -> dict:
    lines = selectors.kpi_report(today=book.today, **_period(book), **kw)
    return {line.key: line for line in lines}


def test_facts_follow_the_ledger_as_the_claims_api(book, manager):
    """Each claim's balance is the claims API's (charge - paid - adjustments), to the cent."""
    client = Client()
    client.force_login(manager)
    for key, claim in book.claims.items():
        api = client.get(f"/api/v1/claims/claims/{claim.public_id}/").json()
        fact = ClaimFact.objects.get(claim=claim)
        assert D(api["balance"]) == fact.balance, key
        assert D(api["patient_responsibility"]) == fact.patient_responsibility, key
    expected = {
        "A": "200.00",
        "B": "0.00",
        "C": "50.00",
        "D": "-50.00",
        "E": "1200.00",
        "F": "0.00",
        "G": "999.00",
    }
    assert {k: str(ClaimFact.objects.get(claim=c).balance) for k, c in book.claims.items()} == expected


def test_ar_aging_buckets_parts_and_credits(book):
    aging = selectors.ar_aging(as_of=book.today, basis=AgingBasis.SERVICE)
    # A (patient 200, 3 days) and C (patient 50, 9 days) in 0-30; E (insurance 1200, 100 days) in
    # 91-120; D's -50 apart as a credit; B and F settled; G a draft, not A/R.
    assert aging.total.insurance == {
        "0_30": D("0"),
        "31_60": D("0"),
        "61_90": D("0"),
        "91_120": D("1200.00"),
        "over_120": D("0"),
    }
    assert aging.total.patient["0_30"] == D("250.00")
    assert aging.total.total == D("1450.00")
    assert aging.total.credit == D("-50.00")
    assert aging.total.claims == 3 and aging.total.credit_claims == 1
    payers = {r.label: r for r in aging.by_payer}
    assert payers["Lakeshore Commercial"].total == D("250.00")
    assert payers["Medicare Part B"].insurance_total == D("1200.00")
    assert payers["Medicare Part B"].credit == D("-50.00")
    kinds = {r.key: r.total for r in aging.by_kind}
    assert kinds == {"commercial": D("250.00"), "medicare": D("1200.00")}
    # From the first submission E is 6 days old.
    by_submission = selectors.ar_aging(as_of=book.today, basis=AgingBasis.SUBMISSION)
    assert by_submission.total.insurance["0_30"] == D("1200.00")
    home = selectors.ar_aging(as_of=book.today, basis=AgingBasis.SERVICE, site="home")
    assert home.total.total == D("1200.00") and home.total.credit == D("0")


def test_every_cell_drills_down_to_its_claims(book):
    def claims(**kw):
        facts = selectors.ar_cell_facts(as_of=book.today, basis=AgingBasis.SERVICE, **kw)
        return sorted(k for k, c in book.claims.items() if facts.filter(claim=c).exists())

    assert claims(bucket="0_30", part="patient") == ["A", "C"]
    assert claims(bucket="91_120", part="insurance") == ["E"]
    assert claims(bucket="0_30", part="insurance") == []
    assert claims(part="credit") == ["D"]
    assert claims(payer_id=book.p1.pk) == ["A", "C"]
    assert claims(payer_kind="medicare") == ["E"]


def test_ar_api_total_equals_the_claims_api_balances(book, manager):
    client = Client()
    client.force_login(manager)
    data = client.get("/api/v1/reports/ar-aging").json()
    open_balances = []
    for claim in book.claims.values():
        balance = D(client.get(f"/api/v1/claims/claims/{claim.public_id}/").json()["balance"])
        if claim.status != "draft" and balance > 0:
            open_balances.append(balance)
    assert D(data["total"]) == sum(open_balances) == D("1450.00")
    assert D(data["credit_total"]) == D("-50.00") and D(data["net_total"]) == D("1400.00")
    assert sum(D(b["total"]) for b in data["buckets"]) == D(data["total"])
    assert {b["bucket"]: b["total"] for b in data["buckets"]}["91_120"] == "1200.00"


def test_ar_follows_a_new_posting_on_the_next_read(book):
    """The page reads catch up: a new posting moves the total at once (the claims' balances)."""
    handmade._era(
        book,
        book.claims["E"],
        clp02="1",
        lines=[("1000.00", [("CO", "45", "200.00")])],
        payment_days=0,
        received_days=0,
        posted_days=0,
    )
    services.reports_catch_up()
    aging = selectors.ar_aging(as_of=book.today, basis=AgingBasis.SERVICE)
    assert aging.total.total == D("250.00")


def test_kpis(book):
    k = _kpis(book)
    # clean: A, C, D, E of A-F (B rejected then accepted; F failed the scrubber) = 4/6
    assert k["clean_claim"].value == D("66.7")
    assert (k["clean_claim"].numerator, k["clean_claim"].denominator) == (4, 6)
    # adjudicated A, B, C, D, F; first pass A, C (its first remittance paid it; the reversal
    # later does not undo that), D: 3/5
    assert k["first_pass"].value == D("60.0")
    # initial denials: B (a line) and F (the claim): 2/5; dollars 200 + 400 of 3000; lines 2 of 7
    assert k["denial_count"].value == D("40.0")
    assert k["denial_dollars"].value == D("20.0")
    assert k["denial_lines"].value == D("28.6")
    # net collection: paid 500+150+600+330+250 = 1830 ÷ (3000 - contractual 300+150+150+20+150)
    assert k["net_collection"].value == D("82.1")
    # charge lag: A 2 days, B 4 days (the others have no visit)
    assert k["charge_lag"].value == D("3.0")
    # submission lag: 1 + 2 + 1 + 1 + 3 + 2 = 10 over 6 claims
    assert k["submission_lag"].value == D("1.7")
    # ERA posting lag on first remittances: 1, 1, 1, 3, 1
    assert k["era_posting_lag"].value == D("1.4")
    # authorization before first dose: A's order yes, B's no
    assert k["auth_first_dose"].value == D("50.0")
    # A/R over 90 days: E's 1200 of 1450 open debit balances
    assert k["ar_over_90"].value == D("82.8")
    # days in A/R: net A/R 1400 ÷ (charges of the last three months ÷ their days)
    this_month = book.today.replace(day=1)
    window = [add_months(this_month, -2), add_months(this_month, -1), this_month]
    charges = sum(
        (
            c.total_charge
            for key, c in book.claims.items()
            if key != "G" and c.service_date_from.replace(day=1) in window
        ),
        D("0"),
    )
    days = sum(month_days(m) for m in window)
    assert k["days_in_ar"].value == (D("1400") / (charges / days)).quantize(D("0.1"))


def test_kpis_by_site_and_payer(book):
    home = _kpis(book, site="home")
    # home: E (clean) and F (needs fix): 1/2; F adjudicated and denied
    assert home["clean_claim"].value == D("50.0")
    assert home["denial_count"].value == D("100.0")
    p1 = _kpis(book, payer_id=book.p1.pk)
    assert p1["first_pass"].value == D("66.7")  # A and C of A, B, C
    assert p1["auth_first_dose"].value is None  # not split by payer


def test_denial_analytics(book):
    report = selectors.denial_report(**_period(book))
    assert (report.total_count, report.total_amount) == (2, D("600.00"))
    assert [(g.key, g.amount) for g in report.by_carc] == [("CO-50", D("400.00")), ("CO-197", D("200.00"))]
    assert [g.key for g in report.by_category] == ["medical_necessity", "authorization"]
    assert {g.key: g.amount for g in report.by_code} == {"96413": D("400.00"), "J1745": D("200.00")}
    assert {g.key for g in report.by_site} == {"aic", "home"}
    assert report.appealed == 1 and report.overturned == 1 and report.overturn_rate == D("100.0")
    assert "Medical necessity" in report.by_category[0].label
    assert report.by_carc[0].label.startswith("CO-50")
    drill = selectors.denial_drill(**_period(book), by="category", key="authorization")
    assert [d.claim_id for d in drill] == [book.claims["B"].pk]
    assert DenialFact.objects.filter(initial=True).count() == 2


def test_snapshot_is_history(book):
    """The snapshot keeps the day's A/R; a later payment does not rewrite it."""
    services.ar_snapshot_take(day=book.today)
    rows = ArSnapshot.objects.filter(day=book.today, basis="service")
    assert sum((r.insurance + r.patient for r in rows), D("0")) == D("1450.00")
    assert sum((r.credit for r in rows), D("0")) == D("-50.00")
    handmade._era(
        book,
        book.claims["E"],
        clp02="1",
        lines=[("1200.00", [])],
        payment_days=0,
        received_days=0,
        posted_days=0,
    )
    services.reports_catch_up()
    rows = ArSnapshot.objects.filter(day=book.today, basis="service")
    assert sum((r.insurance + r.patient for r in rows), D("0")) == D("1450.00")
    assert services.ar_snapshot_take(day=book.today) > 0  # the same day again replaces it
    rows = ArSnapshot.objects.filter(day=book.today, basis="service")
    assert sum((r.insurance + r.patient for r in rows), D("0")) == D("250.00")


def test_rebuild_gives_the_same_facts(book):
    before = {c.claim_id: (c.balance, c.is_clean, c.first_pass) for c in ClaimFact.objects.all()}
    k = _kpis(book)
    services.facts_rebuild()
    assert {c.claim_id: (c.balance, c.is_clean, c.first_pass) for c in ClaimFact.objects.all()} == before
    assert {key: line.value for key, line in _kpis(book).items()} == {
        key: line.value for key, line in k.items()
    }


def test_pages_csv_pdf_and_api_agree(book, manager):
    client = Client()
    client.force_login(manager)
    for name in ("dashboard", "ar_aging", "kpis", "denials"):
        response = client.get(reverse(f"reports:{name}"))
        assert response.status_code == 200, name
        assert b"<svg" in response.content
    page = client.get(reverse("reports:ar_aging")).content.decode()
    assert "1,450.00" in page and "-50.00" in page
    csv = client.get(reverse("reports:ar_aging") + "?export=ar_by_kind").content.decode()
    assert csv.splitlines()[-1].endswith(",1450.00,3")
    cell = client.get(reverse("reports:ar_claims") + "?basis=service&bucket=91_120&part=insurance")
    assert book.claims["E"].claim_number in cell.content.decode()
    assert book.claims["A"].claim_number not in cell.content.decode()
    start = _period(book)["first"].strftime("%Y-%m")
    kpis = client.get(f"/api/v1/reports/kpis?start={start}").json()
    assert {k["key"]: k["value"] for k in kpis["kpis"]}["clean_claim"] == "66.7"
    denials = client.get(f"/api/v1/reports/denials?start={start}").json()
    assert denials["amount"] == "600.00" and denials["overturn_rate"] == "100.0"
    lines = client.get(reverse("reports:denial_lines") + f"?start={start}&by=carc&key=CO-197")
    assert book.claims["B"].claim_number in lines.content.decode()
    pdf = client.get(reverse("reports:monthly_report") + f"?month={book.today:%Y-%m}")
    assert pdf.status_code == 200 and pdf.content.startswith(b"%PDF")


def test_bad_filters_are_refused_with_a_message(book, manager):
    client = Client()
    client.force_login(manager)
    page = client.get(reverse("reports:kpis") + "?start=2026-13&end=2026-01")
    assert page.status_code == 200 and "write the month as YYYY-MM" in page.content.decode()
    api = client.get("/api/v1/reports/kpis?start=2027-01&end=2026-01")
    assert api.status_code == 400 and "swap the months" in api.json()["message"]
    assert client.get("/api/v1/reports/ar-aging?basis=yesterday").status_code == 400
    assert client.get(reverse("reports:monthly_report") + "?month=soon").status_code == 400
    assert client.get(reverse("reports:ar_claims") + "?bucket=200_days").status_code == 200
    assert client.get(reverse("reports:ar_aging") + "?export=nothing").status_code == 404


def test_billers_and_nurses_do_not_see_dashboards(book, biller, nurse):
    for user in (biller, nurse):
        client = Client()
        client.force_login(user)
        assert client.get(reverse("reports:dashboard")).status_code == 403
        assert client.get("/api/v1/reports/ar-aging").status_code == 403


def test_denials_app_category_and_work_link(book, manager):
    """A line the denials app classified is grouped by its catalog's category, and the drill-down
    links to the denial to work."""
    from denials.domain.types import Category, NextAction
    from denials.models import Denial
    from payments.models import LinePayment

    b = book.claims["B"]
    line = LinePayment.objects.get(claim_payment__claim=b, paid=0)
    denial = Denial.objects.create(
        claim=b,
        claim_line=line.claim_line,
        claim_payment=line.claim_payment,
        line_payment=line,
        payer=b.payer,
        group="CO",
        carc="197",
        category=Category.CODING,
        next_action=NextAction.CORRECTED_CLAIM,
        service_date=b.service_date_from,
        notice_date=book.today,
        due_date=book.today,
        amount=D("200.00"),
    )
    services.facts_rebuild()
    report = selectors.denial_report(**_period(book))
    assert {g.key: g.amount for g in report.by_category} == {
        "coding": D("200.00"),
        "medical_necessity": D("400.00"),
    }
    client = Client()
    client.force_login(manager)
    start = _period(book)["first"].strftime("%Y-%m")
    page = client.get(
        reverse("reports:denial_lines") + f"?start={start}&by=category&key=coding"
    ).content.decode()
    assert reverse("denials:detail", kwargs={"public_id": denial.public_id}) in page


def test_tasks_and_the_posting_subscriber(book):
    from infusion_rcm.common.events import CLAIM_PAYMENTS_POSTED, subscribers
    from reports.tasks import ar_snapshot_task, on_claim_payments_posted, reports_catch_up_task

    assert on_claim_payments_posted in subscribers(CLAIM_PAYMENTS_POSTED)
    handmade._era(
        book,
        book.claims["E"],
        clp02="1",
        lines=[("1200.00", [])],
        payment_days=0,
        received_days=0,
        posted_days=0,
    )
    assert reports_catch_up_task.apply().get() >= 1  # E's facts, and the claims re-read below the mark
    assert ClaimFact.objects.get(claim=book.claims["E"]).balance == D("0.00")
    assert ar_snapshot_task.apply().get() > 0
    assert ArSnapshot.objects.filter(day=book.today).exists()

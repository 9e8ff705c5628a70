"""Payer contracts: a fee schedule CSV imported whole or refused whole, the expected amount of a
line by each pricing method from the contract in force on the date of service, stored when the
line posts, and the underpayment queue with its tolerance."""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal

import pytest
from django.core.management import CommandError, call_command

from payments import selectors, services
from payments.domain.contracts import (
    ContractRate,
    PricedLine,
    PricingMethod,
    ReferencePrices,
    ScheduleKind,
    expected_amount,
    rate_for,
    shortfall,
)
from payments.domain.fee_schedule_csv import FeeScheduleFileError, parse_fee_schedule
from payments.models import FeeSchedule, FeeScheduleRate, LinePayment, PostingPolicy
from payments.services.contracts import (
    FeeScheduleConflictError,
    claim_payments_expected,
    fee_schedule_import,
    underpayment_tolerance,
)
from tests.payments.helpers import accepted_claim, clp, denied, era, paid

D = Decimal
M = PricingMethod
NO_PRICES = ReferencePrices(medicare_fee={}, asp={})

CONTRACT = """code,modifier,method,rate,percent,description
96413,,rate,310.00,,Chemo infusion first hour
96415,,percent_of_charge,,62,Chemo each additional hour
96361,,percent_of_medicare,,120,Hydration each additional hour
J*,,asp_plus,,6,Drugs: ASP + 6%
"""
MEDICARE = "code,modifier,amount\n96361,,31.00\n96413,,150.00\n"
ASP = "code,modifier,amount\nJ9263,,3.0000\n"


def line(code="96413", modifiers=(), units="1", charge="400.00") -> PricedLine:
    return PricedLine(code=code, modifiers=tuple(modifiers), units=D(units), charge=D(charge))


# ---------------------------------------------------------------------------
# Pure: the file and the arithmetic
# ---------------------------------------------------------------------------


def test_contract_file_reads_every_method():
    rows = parse_fee_schedule(CONTRACT, kind=ScheduleKind.CONTRACT)
    assert [(r.rate.code, r.rate.method, r.rate.rate, r.rate.percent) for r in rows] == [
        ("96413", M.RATE, D("310.00"), None),
        ("96415", M.PERCENT_OF_CHARGE, None, D("62")),
        ("96361", M.PERCENT_OF_MEDICARE, None, D("120")),
        ("J*", M.ASP_PLUS, None, D("6")),
    ]
    assert rows[0].description == "Chemo infusion first hour" and rows[0].line == 2


def test_a_file_with_faults_is_refused_naming_every_line():
    text = (
        "code,modifier,method,rate,percent\n"
        "96413,,rate,310.00,\n"
        "9641,,rate,10,\n"  # not a code
        "96415,X,rate,10,\n"  # not a modifier
        "96361,,percent_of_charge,50,\n"  # a rate where a percent is due
        "J9263,,flat,10,\n"  # unknown method
        "96413,,rate,1.123456,\n"  # duplicate, and too many places
        "96366,,percent_of_charge,,150\n"  # more than the charge
        "96367,,rate,-4,\n"
    )
    with pytest.raises(FeeScheduleFileError) as err:
        parse_fee_schedule(text, kind=ScheduleKind.CONTRACT)
    problems = err.value.extra["problems"]
    assert [p.split(":")[0] for p in problems] == [f"line {n}" for n in range(3, 10)]
    assert "9641" in problems[0] and "'X'" in problems[1] and "takes a percent" in problems[2]
    assert "flat" in problems[3] and "already on line 2" in problems[4]
    assert "out of range" in problems[5] and "negative" in problems[6]
    assert err.value.message.startswith("Fee schedule refused, nothing imported: line 3")


@pytest.mark.parametrize(
    ("text", "fragment"),
    [
        ("", "empty"),
        ("code,modifier,method,rate\n", "missing column(s) percent"),
        ("code,modifier,method,rate,percent,rat\n", "unknown column(s) rat"),
        ("code,modifier,method,rate,percent\n", "no rates"),
        ("code,modifier,method,rate,percent\n96413,,rate\n", "3 values for 5 columns"),
    ],
)
def test_header_and_shape_faults(text, fragment):
    with pytest.raises(FeeScheduleFileError, match=fragment.replace("(", r"\(").replace(")", r"\)")):
        parse_fee_schedule(text, kind=ScheduleKind.CONTRACT)


def test_reference_files():
    rows = parse_fee_schedule(
        "\ufeffCode,Modifier,Amount\n96413,,150.00\n96413,26,40.00\n", kind=ScheduleKind.MEDICARE_FEE
    )
    assert [(r.rate.code, r.rate.modifier, r.rate.rate) for r in rows] == [
        ("96413", "", D("150.00")),
        ("96413", "26", D("40.00")),
    ]
    with pytest.raises(FeeScheduleFileError, match="ASP is per code"):
        parse_fee_schedule("code,modifier,amount\nJ9263,JZ,3\n", kind=ScheduleKind.ASP)
    with pytest.raises(FeeScheduleFileError, match="not a prefix"):
        parse_fee_schedule("code,modifier,amount\nJ*,,3\n", kind=ScheduleKind.ASP)


def test_expected_amount_by_each_method():
    rates = [r.rate for r in parse_fee_schedule(CONTRACT, kind=ScheduleKind.CONTRACT)]
    prices = ReferencePrices(medicare_fee={("96361", ""): D("31.00")}, asp={"J9263": D("3.0000")})
    by_rate = expected_amount(line("96413", units="1"), rates, prices)
    assert by_rate.amount == D("310.00") and by_rate.basis == "310.00 per unit x 1 units"
    assert expected_amount(line("96415", charge="90.00"), rates, prices).amount == D("55.80")
    medicare = expected_amount(line("96361", charge="60.00"), rates, prices)
    assert medicare.amount == D("37.20") and "Medicare fee 31.00" in medicare.basis
    drug = expected_amount(line("J9263", ("JZ",), units="300", charge="1500.00"), rates, prices)
    assert drug.amount == D("954.00") and drug.basis == "ASP 3.00 + 6% x 300 units"
    assert expected_amount(line("96365"), rates, prices) is None  # not in the contract


def test_missing_reference_price_says_so():
    rates = [
        ContractRate("J*", "", M.ASP_PLUS, percent=D("6")),
        ContractRate("963*", "", M.PERCENT_OF_MEDICARE, percent=D("100")),
    ]
    drug = expected_amount(line("J1745", units="10"), rates, NO_PRICES)
    assert drug.amount is None and "no ASP on file for J1745" in drug.basis
    assert "no Medicare fee on file for 96365" in expected_amount(line("96365"), rates, NO_PRICES).basis


def test_which_row_applies():
    rates = [
        ContractRate("*", "", M.PERCENT_OF_CHARGE, percent=D("50")),
        ContractRate("J*", "", M.ASP_PLUS, percent=D("6")),
        ContractRate("J9*", "", M.ASP_PLUS, percent=D("4")),
        ContractRate("J9263", "", M.RATE, rate=D("3.10")),
        ContractRate("J9263", "JW", M.RATE, rate=D("1.00")),
    ]
    assert rate_for(line("J9263", ("JW",)), rates).rate == D("1.00")  # the modifier's row
    assert rate_for(line("J9263", ("JZ",)), rates).rate == D("3.10")  # the code's row
    assert rate_for(line("J9035"), rates).percent == D("4")  # the longest prefix
    assert rate_for(line("J1745"), rates).percent == D("6")
    assert rate_for(line("96413"), rates).percent == D("50")  # the default
    assert rate_for(line("96413"), rates[1:]) is None
    medicare = ReferencePrices(medicare_fee={("96413", "26"): D("40.00"), ("96413", ""): D("150.00")}, asp={})
    pct = [ContractRate("96413", "", M.PERCENT_OF_MEDICARE, percent=D("100"))]
    assert expected_amount(line("96413", ("26",)), pct, medicare).amount == D("40.00")
    assert expected_amount(line("96413"), pct, medicare).amount == D("150.00")


def test_shortfall_beyond_tolerance():
    args = {"expected": D("310.00"), "paid": D("198.40"), "patient_responsibility": D("49.60")}
    assert shortfall(**args, tolerance=D("1.00"), percent=D("0")) == D("62.00")
    assert shortfall(**args, tolerance=D("62.00"), percent=D("0")) is None  # not beyond
    assert shortfall(**args, tolerance=D("1.00"), percent=D("25")) is None  # 62 < 25 % of 310
    assert shortfall(**args, tolerance=D("1.00"), percent=D("19")) == D("62.00")
    assert (
        shortfall(
            expected=D("10"), paid=D("10"), patient_responsibility=D("0"), tolerance=D("0"), percent=D("0")
        )
        is None
    )


# ---------------------------------------------------------------------------
# Import (service, command)
# ---------------------------------------------------------------------------

pytestmark_db = pytest.mark.django_db


@pytest.fixture
def claim(biller):
    return accepted_claim(biller)


def contract(claim, start: dt.date, text: str = CONTRACT, **kw) -> FeeSchedule:
    return fee_schedule_import(
        text=text, kind=ScheduleKind.CONTRACT, payer=claim.payer, effective_from=start, **kw
    )


def references(start: dt.date) -> None:
    fee_schedule_import(text=MEDICARE, kind=ScheduleKind.MEDICARE_FEE, payer=None, effective_from=start)
    fee_schedule_import(text=ASP, kind=ScheduleKind.ASP, payer=None, effective_from=start)


@pytestmark_db
def test_import_creates_a_version_and_the_next_one_ends_it(claim, admin_user):
    first = contract(claim, dt.date(2025, 1, 1), name="2025 contract")
    assert first.rates.count() == 4 and first.effective_to is None and first.name == "2025 contract"
    second = fee_schedule_import(
        text=CONTRACT,
        kind="contract",
        payer=claim.payer,
        effective_from=dt.date(2026, 1, 1),
        actor=admin_user,
    )
    first.refresh_from_db()
    assert first.effective_to == dt.date(2025, 12, 31) and second.imported_by == admin_user
    # a version inserted before a later one ends the day before it
    early = contract(claim, dt.date(2024, 1, 1))
    assert early.effective_to == dt.date(2024, 12, 31)


@pytestmark_db
def test_invalid_file_or_overlap_imports_nothing(claim):
    bad = CONTRACT + "96366,,rate,,\n"
    with pytest.raises(FeeScheduleFileError, match="line 6"):
        contract(claim, dt.date(2025, 1, 1), bad)
    assert not FeeSchedule.objects.exists() and not FeeScheduleRate.objects.exists()
    contract(claim, dt.date(2025, 1, 1), effective_to=dt.date(2025, 12, 31))
    with pytest.raises(FeeScheduleConflictError, match="inside"):
        contract(claim, dt.date(2025, 6, 1))
    with pytest.raises(FeeScheduleConflictError, match="already on file"):
        contract(claim, dt.date(2025, 1, 1))
    with pytest.raises(FeeScheduleConflictError, match="into"):
        contract(claim, dt.date(2024, 1, 1), effective_to=dt.date(2025, 2, 1))
    with pytest.raises(FeeScheduleConflictError, match="ends"):
        contract(claim, dt.date(2027, 1, 1), effective_to=dt.date(2026, 1, 1))
    with pytest.raises(FeeScheduleConflictError, match="needs its payer"):
        fee_schedule_import(text=CONTRACT, kind="contract", payer=None, effective_from=dt.date(2030, 1, 1))
    assert FeeSchedule.objects.count() == 1 and FeeScheduleRate.objects.count() == 4


@pytestmark_db
def test_replace_changes_the_rates_of_a_version(claim):
    schedule = contract(claim, dt.date(2025, 1, 1))
    again = contract(
        claim, dt.date(2025, 1, 1), "code,modifier,method,rate,percent\n96413,,rate,320,\n", replace=True
    )
    assert again.pk == schedule.pk
    assert list(again.rates.values_list("code", "rate")) == [("96413", D("320.0000"))]


@pytestmark_db
def test_import_fee_schedule_command(claim, tmp_path, capsys):
    path = tmp_path / "aetna.csv"
    path.write_text(CONTRACT)
    call_command("import_fee_schedule", claim.payer.payer_id, str(path), "--from", "2025-01-01")
    out = json.loads(capsys.readouterr().out)
    assert out["rates"] == 4 and out["payer"] == claim.payer.payer_id and out["effective_to"] is None
    asp = tmp_path / "asp.csv"
    asp.write_text(ASP)
    call_command(
        "import_fee_schedule", "--reference", "asp", str(asp), "--from", "2025-01-01", "--to", "2025-03-31"
    )
    assert json.loads(capsys.readouterr().out)["kind"] == "asp"
    bad = tmp_path / "bad.csv"
    bad.write_text("code,modifier,method,rate,percent\n96413,,rate,abc,\n")
    with pytest.raises(
        CommandError, match=r"bad.csv: Fee schedule refused, nothing imported: line 2: rate 'abc'"
    ):
        call_command("import_fee_schedule", claim.payer.payer_id, str(bad), "--from", "2027-01-01")
    with pytest.raises(CommandError, match="No payer"):
        call_command("import_fee_schedule", "NOPE", str(path), "--from", "2027-01-01")
    with pytest.raises(CommandError, match="not a date"):
        call_command("import_fee_schedule", claim.payer.payer_id, str(path), "--from", "1/1/27")
    with pytest.raises(CommandError, match="not a file"):
        call_command(
            "import_fee_schedule", claim.payer.payer_id, str(tmp_path / "none.csv"), "--from", "2027-01-01"
        )
    assert FeeSchedule.objects.count() == 2


# ---------------------------------------------------------------------------
# Posting stores the expected amount; the underpayment queue
# ---------------------------------------------------------------------------


def post(text: str, actor=None):
    file, _ = services.remittance_file_receive(text=text, file_name="c.835", actor=actor)
    return services.remittance_file_process(file=file, actor=actor)


def expected_by_code(claim) -> dict[str, Decimal | None]:
    return dict(
        LinePayment.objects.filter(claim_payment__claim=claim).values_list("procedure_code", "expected")
    )


@pytestmark_db
def test_posting_stores_the_expected_amount_from_the_contract_in_force(claim, biller):
    service_date = claim.service_date_from
    references(service_date - dt.timedelta(days=400))
    old = contract(claim, service_date - dt.timedelta(days=400))
    newer = contract(
        claim,
        service_date + dt.timedelta(days=1),
        "code,modifier,method,rate,percent\n*,,percent_of_charge,,10\n",
    )
    post(era(clp(claim)), biller)
    assert expected_by_code(claim) == {
        "96413": D("310.00"),
        "96415": D("55.80"),
        "96361": D("37.20"),
        "J9263": D("954.00"),
    }
    drug = LinePayment.objects.get(procedure_code="J9263")
    assert drug.fee_schedule == old != newer
    assert drug.expected_basis == f"{old.name}: ASP 3.00 + 6% x 300 units"


@pytestmark_db
def test_no_contract_no_expected_amount(claim, biller):
    post(era(clp(claim)), biller)
    assert set(expected_by_code(claim).values()) == {None}


@pytestmark_db
def test_underpayment_queue_with_tolerance(claim, biller):
    references(claim.service_date_from - dt.timedelta(days=30))
    contract(claim, claim.service_date_from - dt.timedelta(days=30))
    # paid(): allowed 62 % of charge -> 96413 248.00 of 310.00; J9263 930.00 of 954.00; 96415 and
    # 96361 at the contract. 96361 denied here: not an underpayment (a denial).
    post(era(clp(claim, lines=lambda i, c: denied(c) if i == 2 else paid(c))), biller)
    queue = selectors.underpayment_queue(tolerance=D("1.00"), percent=D("0"))
    assert [(ln.procedure_code, ln.short, ln.patient_share) for ln in queue] == [
        ("96413", D("62.00"), D("49.60")),
        ("J9263", D("24.00"), D("186.00")),
    ]
    assert [ln.procedure_code for ln in selectors.underpayment_queue(tolerance=D("30"), percent=D("0"))] == [
        "96413"
    ]
    assert not selectors.underpayment_queue(tolerance=D("1.00"), percent=D("25")).exists()
    other = selectors.underpayment_queue(tolerance=D("1"), percent=D("0"), payer_id=claim.payer_id + 1000)
    assert not other.exists()
    day = claim.service_date_from
    assert (
        selectors.underpayment_queue(
            tolerance=D("1"), percent=D("0"), service_from=day, service_to=day
        ).count()
        == 2
    )
    assert not selectors.underpayment_queue(
        tolerance=D("1"), percent=D("0"), service_from=day + dt.timedelta(days=1)
    ).exists()


@pytestmark_db
def test_tolerance_is_the_admins_setting(claim):
    assert underpayment_tolerance() == (D("1.00"), D("0.00"))
    PostingPolicy.objects.create(
        pk=1, underpayment_tolerance=D("5.00"), underpayment_tolerance_percent=D("2.5")
    )
    assert underpayment_tolerance() == (D("5.00"), D("2.50"))


@pytestmark_db
def test_a_reversed_payment_leaves_the_queue(claim, biller):
    PostingPolicy.objects.create(pk=1, reversal_approval_amount=D("100000"))
    contract(
        claim,
        claim.service_date_from - dt.timedelta(days=30),
        "code,modifier,method,rate,percent\n96413,,rate,310,\n",
    )
    post(era(clp(claim)), biller)
    assert selectors.underpayment_queue(tolerance=D("1"), percent=D("0")).count() == 1
    post(era(clp(claim, status="22", sign=-1), trace="EFT2002"), biller)
    assert not selectors.underpayment_queue(tolerance=D("1"), percent=D("0")).exists()
    reversal = LinePayment.objects.filter(claim_payment__is_reversal=True)
    assert reversal.exists() and set(reversal.values_list("expected", flat=True)) == {None}


@pytestmark_db
def test_preview_totals_write_nothing(claim, biller):
    contract(
        claim,
        claim.service_date_from - dt.timedelta(days=30),
        "code,modifier,method,rate,percent\n96413,,rate,310,\n",
    )
    file, _ = services.remittance_file_receive(text=era(clp(claim)), file_name="p.835", actor=None)
    file = services.remittance_file_parse(file=file)
    (payment,) = file.remittances.get().claim_payments.all()
    totals = claim_payments_expected(claim_payment_ids=[payment.pk])[payment.pk]
    assert (totals.expected, totals.short, totals.underpaid_lines, totals.priced_lines) == (
        D("310.00"),
        D("62.00"),
        1,
        1,
    )
    assert set(LinePayment.objects.values_list("expected", flat=True)) == {None}

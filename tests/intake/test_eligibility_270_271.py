"""Eligibility: manual checks, the 270 written on the eligibility queue, 271s read into checks."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from io import StringIO
from unittest.mock import Mock

import pytest
from django.core.management import CommandError, call_command

from infusion_rcm.common.errors import DomainError, InvalidInputError
from infusion_rcm.x12.control_numbers import control_numbers_take
from infusion_rcm.x12.models import OutboundInterchange
from infusion_rcm.x12.reader import tokenize
from intake import services
from intake.models import EligibilityCheck
from intake.tasks import eligibility_import_271_task, eligibility_request_task
from tests.factories import PatientFactory
from tests.intake.conftest import sample_271
from tests.intake.factories import CoverageFactory, EligibilityCheckFactory

pytestmark = pytest.mark.django_db


# The member each public sample 271 answers for, by its trace number (the import checks it).
SAMPLE_MEMBERS = {"93175-012547": "123456789", "2223255592": "9UY4R33KV83"}


def _pending(trace: str, **kw) -> EligibilityCheck:
    if "coverage" not in kw and trace in SAMPLE_MEMBERS:
        kw["coverage"] = CoverageFactory(member_id=SAMPLE_MEMBERS[trace])
    return EligibilityCheckFactory(
        status=EligibilityCheck.Status.PENDING,
        source=EligibilityCheck.Source.X12_271,
        active=None,
        copay=None,
        plan_name="",
        trace_number=trace,
        **kw,
    )


def test_manual_check_recorded(frozen_today):
    cov = CoverageFactory()
    check = services.eligibility_check_record(
        coverage=cov,
        checked_on=frozen_today,
        service_date=frozen_today,
        active=True,
        plan_name="Gold",
        copay="25",
        coinsurance_percent="20",
        deductible="1500",
        deductible_remaining="250.5",
        out_of_pocket_remaining="3000",
    )
    assert check.copay == Decimal("25.00")
    assert check.deductible_remaining == Decimal("250.50")
    assert check.coinsurance_percent == Decimal("20.00")
    assert check.source == "manual" and check.status == "complete"


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"copay": "-5"}, "copay cannot be negative"),
        ({"coinsurance_percent": "120"}, "between 0 and 100"),
        ({"deductible": "100", "deductible_remaining": "200"}, "cannot be more than"),
        ({"copay": "abc"}, "not an amount"),
    ],
)
def test_manual_check_refusals(frozen_today, kw, message):
    with pytest.raises(InvalidInputError, match=message):
        services.eligibility_check_record(
            coverage=CoverageFactory(), checked_on=frozen_today, service_date=frozen_today, active=True, **kw
        )
    assert not EligibilityCheck.objects.exists()


@pytest.fixture
def no_enqueue(monkeypatch):
    delay = Mock()
    monkeypatch.setattr("intake.tasks.eligibility_request_task.delay", delay)
    return delay


def test_request_enqueues_270_after_commit_and_task_writes_it(
    frozen_today, django_capture_on_commit_callbacks, no_enqueue
):
    delay = no_enqueue
    patient = PatientFactory(first_name="Rosa", last_name="Quintero")
    cov = CoverageFactory(patient=patient, member_id="W123456789")
    with django_capture_on_commit_callbacks(execute=True):
        check = services.eligibility_request(coverage=cov, service_date=frozen_today)
    delay.assert_called_once_with(check.pk)
    assert check.status == "pending" and check.trace_number == f"IRCM{check.pk:09d}"
    eligibility_request_task.apply(args=(check.pk,))
    check.refresh_from_db()
    segments = tokenize(check.request_270)
    ids = [s[0] for s in segments]
    assert ids[:3] == ["ISA", "GS", "ST"]
    assert ["TRN", "1", check.trace_number, "1123456789"] in segments
    nm1_il = next(s for s in segments if s[:2] == ["NM1", "IL"])
    assert nm1_il[3:5] == ["QUINTERO", "ROSA"] and nm1_il[-1] == "W123456789"
    assert ["DTP", "291", "D8", "20260310"] in segments
    # idempotent: a second run leaves the stored 270 alone
    first = check.request_270
    services.eligibility_build_270(check_id=check.pk)
    check.refresh_from_db()
    assert check.request_270 == first


def test_270_control_numbers_come_from_the_shared_series(frozen_today, no_enqueue):
    checks = [
        services.eligibility_request(coverage=CoverageFactory(), service_date=frozen_today) for _ in range(2)
    ]
    (last,) = control_numbers_take("isa")
    if last + 1 in {c.pk for c in checks} or last + 2 in {c.pk for c in checks}:
        (last,) = control_numbers_take(
            "isa"
        )  # keep the series off the check ids, so the test tells them apart
    for check in checks:
        services.eligibility_build_270(check_id=check.pk)
    isa13 = []
    for check in checks:
        check.refresh_from_db()
        isa, gs, *_, ge, iea = tokenize(check.request_270)
        isa13.append(int(isa[13]))
        record = check.interchange
        assert record is not None and record.eligibility_check == check
        assert (record.functional_id, record.transaction_set, record.version) == ("HS", "270", "005010X279A1")
        assert (record.interchange_control, record.group_control) == (int(isa[13]), int(gs[6]))
        assert record.transaction_count == 1 and record.holds_set("270", "0001")
        assert (ge[2], iea[2]) == (gs[6], isa[13])
        assert isa[13] != f"{check.pk:09d}"  # no longer the check id
        assert check.trace_number == f"IRCM{check.pk:09d}"  # the trace stays the check's own
    assert isa13 == [last + 1, last + 2]
    assert OutboundInterchange.objects.filter(functional_id="HS", eligibility_check__in=checks).count() == 2
    services.eligibility_build_270(check_id=checks[0].pk)  # idempotent: no second interchange
    assert OutboundInterchange.objects.filter(functional_id="HS").count() == 2


def test_270_for_dependent_uses_2000d(frozen_today, no_enqueue):
    cov = CoverageFactory(relationship="child", subscriber_last_name="Quintero", subscriber_first_name="Luis")
    check = services.eligibility_request(coverage=cov, service_date=frozen_today)
    services.eligibility_build_270(check_id=check.pk)
    check.refresh_from_db()
    segments = tokenize(check.request_270)
    assert ["HL", "4", "3", "23", "0"] in segments
    assert any(s[:2] == ["NM1", "03"] for s in segments)


def test_271_subscriber_sample_fills_the_pending_check(frozen_today):
    check = _pending("93175-012547")
    other = _pending("OTHER-1")
    [updated] = services.eligibility_import_271(text=sample_271("lfh__subscriber-health-benefit-check.271"))
    assert updated.pk == check.pk
    check.refresh_from_db()
    assert check.status == "complete" and check.active is True
    assert check.plan_name == "GOLD 123 PLAN"
    assert check.copay == Decimal("10.00")  # in-network (EB12 = Y)
    assert check.checked_on == frozen_today
    assert check.response_271.startswith("ISA")
    other.refresh_from_db()
    assert other.status == "pending"


def test_271_dependent_sample_matches_the_dependent_trace(frozen_today):
    check = _pending("93175-012547")
    services.eligibility_import_271(text=sample_271("lfh__dependent-health-benefit-check.271"))
    check.refresh_from_db()
    assert check.active is True and check.copay == Decimal("10.00")


def test_271_medicare_sample_reads_coinsurance_and_deductibles(frozen_today):
    check = _pending("2223255592")
    services.eligibility_import_271(text=sample_271("nodex12__271.edi"))
    check.refresh_from_db()
    assert check.active is True
    assert check.coinsurance_percent == Decimal("0.00")
    assert check.deductible == Decimal("0.00")


def test_271_rejection_marks_check_failed(frozen_today):
    check = _pending("10001234")  # the payer-level AAA carries no TRN; BHT03 echoes our reference
    services.eligibility_import_271(text=sample_271("lfh__subscriber-health-benefit-check-error.271"))
    check.refresh_from_db()
    assert check.status == "failed" and check.active is None
    assert "Provider Ineligible for Inquiries" in check.message


def test_271_reimport_is_a_no_op_and_a_different_answer_is_refused(frozen_today):
    text = sample_271("lfh__subscriber-health-benefit-check.271")
    check = _pending("93175-012547")
    services.eligibility_import_271(text=text)
    check.refresh_from_db()
    stamp = check.updated_at
    assert [c.pk for c in services.eligibility_import_271(text=text)] == [check.pk]
    check.refresh_from_db()
    assert check.updated_at == stamp
    with pytest.raises(DomainError, match="already answered"):
        services.eligibility_import_271(text=text.replace("*10.00*", "*12.00*"))


def _snapshot():
    return list(EligibilityCheck.objects.order_by("pk").values())


@pytest.mark.parametrize(
    "mangle",
    [
        lambda t: t.replace("SE*22*4321", "SE*21*4321"),  # segment count wrong
        lambda t: t[: t.index("SE*")],  # truncated
        lambda t: "",
        lambda t: t.replace("*10.00*", "*ten*"),  # amount not a number
        lambda t: t.replace("*10.00*", "*-10.00*"),  # negative copay
    ],
)
def test_malformed_271_refused_whole(frozen_today, mangle):
    _pending("93175-012547")
    before = _snapshot()
    with pytest.raises(InvalidInputError, match="271 refused"):
        services.eligibility_import_271(text=mangle(sample_271("lfh__subscriber-health-benefit-check.271")))
    assert _snapshot() == before


def test_4010_271_refused_with_its_position_and_nothing_changes(frozen_today):
    _pending("93175-012547")
    before = _snapshot()
    text = sample_271("lfh__subscriber-health-benefit-check.271").replace("*00501*", "*00401*", 1)
    with pytest.raises(InvalidInputError, match=r"271 refused: segment 1 \(ISA\): .*X12 4010") as caught:
        services.eligibility_import_271(text=text)
    assert caught.value.code == "x12.271.invalid"
    assert caught.value.extra == {"position": 1, "segment": "ISA", "reason": "x12.version"}
    assert _snapshot() == before


def test_271_with_unknown_trace_refused_whole(frozen_today):
    _pending("SOMETHING-ELSE")
    before = _snapshot()
    with pytest.raises(
        InvalidInputError, match="no eligibility inquiry was sent with trace number 93175-012547"
    ):
        services.eligibility_import_271(text=sample_271("lfh__subscriber-health-benefit-check.271"))
    assert _snapshot() == before


def test_import_task_and_command(frozen_today, tmp_path, biller):
    check = _pending("93175-012547")
    text = sample_271("lfh__subscriber-health-benefit-check.271")
    assert eligibility_import_271_task.apply(args=(text,)).get() == [check.pk]
    check.status = EligibilityCheck.Status.PENDING
    check.response_271 = ""
    check.save()
    path = tmp_path / "in.271"
    path.write_text(text)
    out = StringIO()
    call_command("import_271", str(path), stdout=out)
    assert "1 eligibility check" in out.getvalue()
    bad = tmp_path / "bad.271"
    bad.write_text("ISA*garbage")
    with pytest.raises(CommandError, match="271 refused"):
        call_command("import_271", str(bad))
    with pytest.raises(CommandError, match="cannot read"):
        call_command("import_271", str(tmp_path / "missing.271"))


def test_failed_270_build_marks_check_failed(frozen_today, no_enqueue):
    cov = CoverageFactory()
    cov.patient.billing_provider.npi = "1234567890"  # bad check digit
    cov.patient.billing_provider.save()
    check = services.eligibility_request(coverage=cov, service_date=dt.date(2026, 3, 10))
    services.eligibility_build_270(check_id=check.pk)
    check.refresh_from_db()
    assert check.status == "failed" and "could not be written" in check.message
    assert check.interchange is None and not OutboundInterchange.objects.exists()

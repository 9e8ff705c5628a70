"""Eligibility ahead of booked visits (intake's part): which coverages need a 270, written once per
coverage within the payer's look-ahead; the 270 files downloadable (page, API) and exported with
`manage.py export_270 --out DIR`."""

from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.management import CommandError, call_command
from django.urls import reverse

from infusion_rcm.audit.models import AuditEntry
from intake import services
from intake.domain.coverage import EligibilityState
from intake.eligibility_outlook import UpcomingVisit, eligibility_outlook
from intake.models import EligibilityCheck
from tests.intake.factories import CoverageFactory, EligibilityCheckFactory, PayerFactory

pytestmark = pytest.mark.django_db


def _visit(coverage, days: int, today: dt.date) -> UpcomingVisit:
    return UpcomingVisit(patient_id=coverage.patient_id, service_date=today + dt.timedelta(days=days))


def test_outlook_states_on_the_date_of_service(frozen_today, django_assert_max_num_queries):
    payer = PayerFactory(eligibility_freshness_days=30, eligibility_lookahead_days=7)
    never = CoverageFactory(payer=payer)
    fresh_today_stale_by_visit = CoverageFactory(payer=payer)
    EligibilityCheckFactory(
        coverage=fresh_today_stale_by_visit, checked_on=frozen_today - dt.timedelta(days=27)
    )
    fresh = CoverageFactory(payer=payer)
    EligibilityCheckFactory(coverage=fresh, checked_on=frozen_today - dt.timedelta(days=2))
    inactive = CoverageFactory(payer=payer)
    EligibilityCheckFactory(coverage=inactive, checked_on=frozen_today, active=False)
    pending = CoverageFactory(payer=payer)
    EligibilityCheckFactory(coverage=pending, checked_on=frozen_today - dt.timedelta(days=60))
    EligibilityCheckFactory(coverage=pending, status="pending", active=None, trace_number="IRCM000000001")
    later = CoverageFactory(payer=payer)
    visits = [
        _visit(c, 5, frozen_today) for c in (never, fresh_today_stale_by_visit, fresh, inactive, pending)
    ] + [
        _visit(later, 8, frozen_today),
        UpcomingVisit(patient_id=CoverageFactory().patient_id + 999, service_date=frozen_today),
    ]
    with django_assert_max_num_queries(3):
        outlooks = eligibility_outlook(visits=visits, as_of=frozen_today)
    assert [o.state for o in outlooks] == [
        EligibilityState.NEVER_CHECKED,
        EligibilityState.STALE,  # 27 days old today, 32 by the visit: past the 30-day window
        EligibilityState.OK,
        EligibilityState.INACTIVE,
        EligibilityState.PENDING,  # a newer question outranks the old answer
        EligibilityState.NEVER_CHECKED,
        EligibilityState.NO_COVERAGE,
    ]
    assert [o.due for o in outlooks][:6] == [True] * 5 + [False]  # 8 days out: outside the 7-day window
    assert outlooks[0].state.label == "Never checked" and outlooks[1].state.label == "Eligibility stale"


def test_eligibility_ahead_writes_one_270_per_coverage_and_is_idempotent(frozen_today, no_enqueue):
    payer = PayerFactory(eligibility_lookahead_days=3)
    cov = CoverageFactory(payer=payer, member_id="W123456789")
    fresh = CoverageFactory(payer=payer)
    EligibilityCheckFactory(coverage=fresh, checked_on=frozen_today)
    far = CoverageFactory(payer=PayerFactory(eligibility_lookahead_days=14))
    visits = [_visit(cov, 3, frozen_today), _visit(cov, 1, frozen_today), _visit(fresh, 1, frozen_today)]
    visits.append(_visit(far, 10, frozen_today))  # N is per payer: this one looks 14 days ahead
    run = services.eligibility_ahead(visits=visits, as_of=frozen_today)
    assert len(run.written) == 2
    first = next(c for c in run.written if c.coverage_id == cov.pk)
    assert first.service_date == frozen_today + dt.timedelta(days=1)  # the earliest visit
    assert first.status == "pending" and first.request_270.startswith("ISA")  # written at once, not queued
    assert "W123456789" in first.request_270
    no_enqueue.assert_not_called()
    assert {o.state for o in run.attention} == {EligibilityState.PENDING}
    assert len(run.attention) == 3  # the fresh coverage needs nothing
    again = services.eligibility_ahead(visits=visits, as_of=frozen_today)
    assert again.written == [] and EligibilityCheck.objects.filter(status="pending").count() == 2


def test_a_270_that_cannot_be_written_is_a_failed_check_to_attend(frozen_today):
    cov = CoverageFactory(member_id="")  # NM109 cannot be empty
    run = services.eligibility_ahead(visits=[_visit(cov, 2, frozen_today)], as_of=frozen_today)
    [check] = run.written
    assert check.status == "failed" and "270 could not be written" in check.message
    assert [o.state for o in run.attention] == [EligibilityState.FAILED]
    # no retry loop: a failed inquiry waits for a biller
    assert services.eligibility_ahead(visits=[_visit(cov, 2, frozen_today)], as_of=frozen_today).written == []


@pytest.fixture
def written_270s(frozen_today):
    cov = CoverageFactory(member_id="W55501234")
    pending = services.eligibility_request(coverage=cov, service_date=frozen_today, write_now=True)
    answered = services.eligibility_request(
        coverage=CoverageFactory(), service_date=frozen_today, write_now=True
    )
    EligibilityCheck.objects.filter(pk=answered.pk).update(status="complete", active=True)
    return pending, answered


def test_export_270_writes_the_pending_files(tmp_path, written_270s):
    pending, answered = written_270s
    out = StringIO()
    call_command("export_270", "--out", str(tmp_path / "out"), stdout=out)
    files = sorted(p.name for p in (tmp_path / "out").iterdir())
    assert files == [f"{pending.trace_number}.270.x12"]
    assert (tmp_path / "out" / files[0]).read_text() == pending.request_270
    assert "1 270 file(s) written" in out.getvalue()
    assert AuditEntry.objects.filter(action="export", object_type="intake.eligibilitycheck").exists()
    call_command("export_270", "--out", str(tmp_path / "out"), "--all", stdout=StringIO())
    assert len(list((tmp_path / "out").iterdir())) == 2  # rerun rewrites, --all adds the answered one
    call_command(
        "export_270", "--out", str(tmp_path / "one"), "--trace", answered.trace_number, stdout=StringIO()
    )
    assert [p.name for p in (tmp_path / "one").iterdir()] == [f"{answered.trace_number}.270.x12"]
    with pytest.raises(CommandError, match="no written 270 has trace number NOPE"):
        call_command("export_270", "--out", str(tmp_path / "x"), "--trace", "NOPE")
    (tmp_path / "file").write_text("x")
    with pytest.raises(CommandError, match=r"cannot create|is not a directory"):
        call_command("export_270", "--out", str(tmp_path / "file"))


def test_270_download_page_and_api(biller_client, nurse_client, api_client, biller, written_270s):
    pending, _ = written_270s
    r = biller_client.get(reverse("intake:eligibility_270_download", args=[pending.public_id]))
    assert r.status_code == 200 and r["Content-Type"].startswith("application/edi-x12")
    assert f'filename="{pending.trace_number}.270.x12"' in r["Content-Disposition"]
    assert r.content.decode() == pending.request_270
    assert (
        nurse_client.get(reverse("intake:eligibility_270_download", args=[pending.public_id])).status_code
        == 403
    )
    api_client.force_authenticate(biller)
    r = api_client.get(f"/api/v1/intake/eligibility-checks/{pending.public_id}/270/")
    assert r.status_code == 200 and r.content.decode() == pending.request_270
    assert AuditEntry.objects.filter(action="export", object_id=str(pending.pk)).count() == 2
    queued = EligibilityCheckFactory(status="pending", trace_number="IRCM000000999")
    r = api_client.get(f"/api/v1/intake/eligibility-checks/{queued.public_id}/270/")
    assert r.status_code == 400 and r.json()["code"] == "eligibility.no_270"
    # the patient page and the import page link the file
    page = biller_client.get(reverse("intake:patient_detail", args=[pending.coverage.patient.public_id]))
    assert reverse("intake:eligibility_270_download", args=[pending.public_id]) in page.content.decode()


@pytest.fixture
def no_enqueue(monkeypatch):
    from unittest.mock import Mock

    delay = Mock()
    monkeypatch.setattr("intake.tasks.eligibility_request_task.delay", delay)
    return delay

"""The intake queue: moving orders forward with their preconditions; flags; the daily auth alerts."""

from __future__ import annotations

import datetime as dt

import pytest

from infusion_rcm.common.errors import DomainError, IllegalTransitionError
from intake import selectors, services
from intake.models import IntakeAlert, Order
from intake.tasks import auth_alerts_task
from tests.intake.factories import (
    CoverageFactory,
    EligibilityCheckFactory,
    OrderFactory,
    PayerFactory,
    PriorAuthorizationFactory,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def order(frozen_today):
    cov = CoverageFactory(payer=PayerFactory(eligibility_freshness_days=30))
    return OrderFactory(patient=cov.patient, start_date=frozen_today)


def test_eligibility_verified_needs_a_fresh_active_check(order, frozen_today):
    with pytest.raises(DomainError, match="no eligibility check on file"):
        services.order_advance(order=order, to_status="eligibility_verified")
    cov = order.patient.coverages.get()
    EligibilityCheckFactory(coverage=cov, checked_on=frozen_today - dt.timedelta(days=31))
    with pytest.raises(DomainError, match="older than the payer's 30-day window"):
        services.order_advance(order=order, to_status="eligibility_verified")
    EligibilityCheckFactory(coverage=cov, checked_on=frozen_today, active=False)
    with pytest.raises(DomainError, match="not active"):
        services.order_advance(order=order, to_status="eligibility_verified")
    EligibilityCheckFactory(coverage=cov, checked_on=frozen_today, active=True)
    moved = services.order_advance(order=order, to_status="eligibility_verified")
    assert moved.status == "eligibility_verified"


def test_no_primary_coverage_blocks(frozen_today):
    order = OrderFactory(start_date=frozen_today)
    with pytest.raises(DomainError, match="no primary coverage"):
        services.order_advance(order=order, to_status="eligibility_verified")


def test_auth_obtained_needs_auth_or_reason(order):
    Order.objects.filter(pk=order.pk).update(status="eligibility_verified")
    with pytest.raises(DomainError, match="covers J1745") as exc:
        services.order_advance(order=order, to_status="auth_obtained")
    assert exc.value.code == "order.precondition"
    moved = services.order_advance(
        order=order, to_status="auth_obtained", no_auth_reason="Payer: no PA for J1745"
    )
    assert moved.auth_not_required_reason == "Payer: no PA for J1745"


def test_auth_obtained_with_auth_then_ready(order):
    Order.objects.filter(pk=order.pk).update(status="eligibility_verified")
    PriorAuthorizationFactory(coverage=order.patient.coverages.get())
    services.order_advance(order=order, to_status="auth_obtained")
    assert services.order_advance(order=order, to_status="ready_to_schedule").status == "ready_to_schedule"


def test_skipping_a_column_is_illegal(order):
    with pytest.raises(IllegalTransitionError):
        services.order_advance(order=order, to_status="ready_to_schedule")
    assert Order.objects.get(pk=order.pk).status == "new"


def test_queue_columns_and_flags(frozen_today, django_assert_max_num_queries):
    fresh = CoverageFactory()
    EligibilityCheckFactory(coverage=fresh, checked_on=frozen_today)
    PriorAuthorizationFactory(coverage=fresh)
    covered = OrderFactory(patient=fresh.patient, start_date=frozen_today)
    stale_cov = CoverageFactory()
    EligibilityCheckFactory(coverage=stale_cov, checked_on=frozen_today - dt.timedelta(days=90))
    stale = OrderFactory(patient=stale_cov.patient, start_date=frozen_today, status="auth_obtained")
    for _ in range(3):
        OrderFactory(status="ready_to_schedule")
    with django_assert_max_num_queries(6):
        queue = selectors.intake_queue(as_of=frozen_today)
    assert [r.order for r in queue["new"]] == [covered]
    row = queue["new"][0]
    assert not row.no_auth and not row.eligibility_stale and row.eligibility_ok
    srow = queue["auth_obtained"][0]
    assert srow.order == stale and srow.eligibility_stale and srow.no_auth
    assert len(queue["ready_to_schedule"]) == 3


def test_auth_alerts_fire_on_a_frozen_clock_once_per_day(frozen_today):
    ending = PriorAuthorizationFactory(
        end_date=frozen_today + dt.timedelta(days=14), services=[("J1745", 100, 0)]
    )
    low = PriorAuthorizationFactory(
        end_date=dt.date(2026, 12, 31), services=[("J1745", 100, 81), ("96365", 6, 0)]
    )
    PriorAuthorizationFactory(end_date=frozen_today + dt.timedelta(days=15), services=[("J1745", 100, 80)])
    PriorAuthorizationFactory(end_date=frozen_today, status="denied", services=[("J1745", 100, 99)])
    no_auth = OrderFactory(start_date=frozen_today, drugs=["J9999"])
    CoverageFactory(patient=no_auth.patient)
    excused = OrderFactory(
        start_date=frozen_today, drugs=["J9999"], auth_not_required_reason="payer says none"
    )
    assert auth_alerts_task.apply().get() == 3
    alerts = {(a.kind, a.authorization_id, a.order_id) for a in IntakeAlert.objects.all()}
    assert alerts == {
        ("expiring", ending.pk, None),
        ("low_units:J1745", low.pk, None),
        ("order_no_auth", None, no_auth.pk),
    }
    assert excused.alerts.count() == 0
    assert all(a.raised_on == frozen_today for a in IntakeAlert.objects.all())
    assert "ends in 14 days" in IntakeAlert.objects.get(kind="expiring").message
    # the same day again: nothing new
    assert auth_alerts_task.apply().get() == 0
    assert IntakeAlert.objects.count() == 3


def test_alerts_next_day_raise_again():
    PriorAuthorizationFactory(end_date=dt.date(2026, 3, 20))
    services.auth_alerts_raise(as_of=dt.date(2026, 3, 10))
    services.auth_alerts_raise(as_of=dt.date(2026, 3, 11))
    assert IntakeAlert.objects.filter(kind="expiring").count() == 2


def test_a_biller_marks_an_alert_handled(biller_client, frozen_today):
    auth = PriorAuthorizationFactory(end_date=frozen_today + dt.timedelta(days=3))
    services.auth_alerts_raise(as_of=frozen_today)
    alert = IntakeAlert.objects.get(authorization=auth)
    assert alert in selectors.open_alerts()
    response = biller_client.post(f"/intake/alerts/{alert.pk}/resolve/")
    assert response.status_code == 302
    alert.refresh_from_db()
    assert alert.resolved
    assert alert not in selectors.open_alerts()


def test_ending_a_coverage_takes_it_out_of_force(biller_client):
    cov = CoverageFactory(effective_date=dt.date(2025, 1, 1))
    response = biller_client.post(f"/intake/coverages/{cov.public_id}/end/", {"end_date": "2026-06-30"})
    assert response.status_code == 302
    assert selectors.coverages_in_force_for(patient=cov.patient, on=dt.date(2026, 7, 1)) == []
    assert selectors.coverages_in_force_for(patient=cov.patient, on=dt.date(2026, 6, 30)) == [cov]
    with pytest.raises(DomainError, match="before"):
        services.coverage_end(coverage=cov, end_date=dt.date(2024, 1, 1))
    with pytest.raises(DomainError, match="re-open"):
        services.coverage_end(coverage=cov, end_date=dt.date(2026, 12, 31))
    cov.refresh_from_db()
    assert cov.end_date == dt.date(2026, 6, 30)

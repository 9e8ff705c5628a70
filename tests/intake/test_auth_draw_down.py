"""Prior auths: creation refusals, auth_draw_down for the coding app, auth_required_missing."""

from __future__ import annotations

import datetime as dt
import threading
from decimal import Decimal

import pytest
from django.db import connection

from infusion_rcm.common.errors import DomainError, InvalidInputError
from intake import selectors, services
from intake.domain.authorization import AuthUnitsError
from intake.models import AuthorizedService, AuthUsage, PriorAuthorization
from tests.factories import PatientFactory
from tests.intake.factories import CoverageFactory, OrderFactory, PriorAuthorizationFactory

pytestmark = pytest.mark.django_db
ON = dt.date(2026, 3, 10)


def test_auth_create_with_services():
    cov = CoverageFactory()
    order = OrderFactory(patient=cov.patient)
    auth = services.auth_create(
        patient=cov.patient,
        coverage=cov,
        order=order,
        auth_number=" PA-1 ",
        start_date=dt.date(2026, 1, 1),
        end_date=dt.date(2026, 6, 30),
        services=[
            {"code": "j1745", "authorized_units": "400"},
            {"code": "96365", "authorized_units": 6, "unit_kind": "visits"},
        ],
    )
    assert auth.auth_number == "PA-1"
    assert sorted(auth.services.values_list("code", "authorized_units")) == [
        ("96365", Decimal("6.000")),
        ("J1745", Decimal("400.000")),
    ]


@pytest.mark.parametrize(
    ("kw", "message"),
    [
        ({"end_date": dt.date(2025, 12, 31)}, "before its start"),
        ({"services": [{"code": "J1745", "authorized_units": "-4"}]}, "more than zero"),
        ({"services": []}, "at least one authorized code"),
        (
            {
                "services": [
                    {"code": "J1745", "authorized_units": 1},
                    {"code": "J1745", "authorized_units": 2},
                ]
            },
            "twice",
        ),
        ({"auth_number": ""}, "number is missing"),
        ({"status": "maybe"}, "approved, modified"),
    ],
)
def test_auth_create_refused_whole(kw, message):
    cov = CoverageFactory()
    args = {
        "patient": cov.patient,
        "coverage": cov,
        "auth_number": "PA-2",
        "start_date": dt.date(2026, 1, 1),
        "end_date": dt.date(2026, 6, 30),
        "services": [{"code": "J1745", "authorized_units": "10"}],
    }
    args.update(kw)
    with pytest.raises(InvalidInputError, match=message):
        services.auth_create(**args)
    assert not PriorAuthorization.objects.exists()


def test_auth_create_other_patients_coverage_refused():
    with pytest.raises(InvalidInputError, match="another patient"):
        services.auth_create(
            patient=PatientFactory(),
            coverage=CoverageFactory(),
            auth_number="X",
            start_date=ON,
            end_date=ON,
            services=[{"code": "J1745", "authorized_units": 1}],
        )


def test_draw_down_records_usage_idempotently():
    auth = PriorAuthorizationFactory(services=[("J1745", 100, 0)])
    patient = auth.patient
    svc = services.auth_draw_down(
        patient=patient, code="j1745", units=Decimal("40"), service_date=ON, source="visit:a"
    )
    assert svc.used_units == Decimal("40")
    again = services.auth_draw_down(
        patient=patient, code="J1745", units=Decimal("40"), service_date=ON, source="visit:a"
    )
    assert again.pk == svc.pk
    svc.refresh_from_db()
    assert svc.used_units == Decimal("40")
    assert AuthUsage.objects.filter(service=svc).count() == 1


def test_draw_down_refuses_over_draw_and_bad_units():
    auth = PriorAuthorizationFactory(services=[("J1745", 100, 90)])
    patient = auth.patient
    with pytest.raises(AuthUnitsError, match=r"has 10\.000 units of J1745 left") as exc:
        services.auth_draw_down(
            patient=patient, code="J1745", units=Decimal("11"), service_date=ON, source="v:1"
        )
    assert exc.value.code == "auth.units"
    for bad in (Decimal("-1"), Decimal("0")):
        with pytest.raises(AuthUnitsError, match="more than zero"):
            services.auth_draw_down(patient=patient, code="J1745", units=bad, service_date=ON, source="v:2")
    assert not AuthUsage.objects.exists()
    assert AuthorizedService.objects.get().used_units == Decimal("90")


def test_draw_down_returns_none_when_no_auth_covers():
    auth = PriorAuthorizationFactory(services=[("J1745", 100, 0)])
    patient = auth.patient
    assert (
        services.auth_draw_down(patient=patient, code="J9999", units=Decimal(1), service_date=ON, source="v")
        is None
    )
    outside = dt.date(2026, 7, 1)
    assert (
        services.auth_draw_down(
            patient=patient, code="J1745", units=Decimal(1), service_date=outside, source="v"
        )
        is None
    )
    PriorAuthorization.objects.update(status="denied")
    assert (
        services.auth_draw_down(patient=patient, code="J1745", units=Decimal(1), service_date=ON, source="v")
        is None
    )
    # an auth on a coverage that has ended does not count
    PriorAuthorization.objects.update(status="approved")
    auth.coverage.end_date = dt.date(2026, 2, 28)
    auth.coverage.save()
    assert (
        services.auth_draw_down(patient=patient, code="J1745", units=Decimal(1), service_date=ON, source="v")
        is None
    )


def test_draw_down_uses_older_auth_first_then_the_renewal():
    old = PriorAuthorizationFactory(end_date=dt.date(2026, 3, 31), services=[("J1745", 10, 8)])
    new = PriorAuthorizationFactory(
        coverage=old.coverage,
        start_date=dt.date(2026, 3, 1),
        end_date=dt.date(2026, 9, 30),
        services=[("J1745", 50, 0)],
    )
    patient = old.patient
    first = services.auth_draw_down(
        patient=patient, code="J1745", units=Decimal(2), service_date=ON, source="v1"
    )
    assert first.authorization_id == old.pk
    second = services.auth_draw_down(
        patient=patient, code="J1745", units=Decimal(5), service_date=ON, source="v2"
    )
    assert second.authorization_id == new.pk


@pytest.mark.django_db(transaction=True)
def test_concurrent_draw_downs_cannot_over_draw():
    auth = PriorAuthorizationFactory(services=[("J1745", 10, 0)])
    patient = auth.patient
    errors: list[Exception] = []
    barrier = threading.Barrier(2)

    def draw(source):
        try:
            barrier.wait()
            services.auth_draw_down(
                patient=patient, code="J1745", units=Decimal(6), service_date=ON, source=source
            )
        except DomainError as exc:
            errors.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=draw, args=(f"v{i}",)) for i in range(2)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    assert len(errors) == 1 and isinstance(errors[0], AuthUnitsError)
    assert AuthorizedService.objects.get().used_units == Decimal(6)


def test_auth_required_missing():
    auth = PriorAuthorizationFactory(services=[("J1745", 10, 0), ("96365", 6, 6)])
    patient = auth.patient
    assert selectors.auth_required_missing(
        patient=patient, codes=["j1745", "96365", "J3490", "J3490"], on=ON
    ) == ["J3490"]
    # exhausted units still count as authorized (the draw-down refuses the over-use)
    assert selectors.auth_required_missing(patient=patient, codes=["J1745"], on=dt.date(2026, 7, 1)) == [
        "J1745"
    ]
    PriorAuthorizationFactory(coverage=auth.coverage, status="pended", services=[("J3490", 5, 0)])
    assert selectors.auth_required_missing(patient=patient, codes=["J3490"], on=ON) == ["J3490"]

"""Prior authorization burn-down, alerts (boundaries), lookup and draw-down refusals."""

from __future__ import annotations

import contextlib
from datetime import date
from decimal import Decimal

import pytest
from hypothesis import given
from hypothesis import strategies as st

from infusion_rcm.common.errors import DomainError, InvalidInputError
from intake.domain.authorization import (
    AlertKind,
    Authorization,
    AuthorizedService,
    AuthStatus,
    AuthUnitsError,
    auth_alerts,
    burn_down,
    draw_down,
    find_auth_for,
    remaining_units,
)

AS_OF = date(2024, 6, 1)


def auth(
    id_: int,
    *,
    start: date = date(2024, 1, 1),
    end: date = date(2024, 12, 31),
    services: tuple[tuple[str, int, int], ...] = (("J1745", 100, 0),),
    status: AuthStatus = AuthStatus.APPROVED,
) -> Authorization:
    return Authorization(
        id=id_,
        number=f"AUTH{id_}",
        start=start,
        end=end,
        status=status,
        services=tuple(
            AuthorizedService(code=c, authorized=Decimal(a), used=Decimal(u)) for c, a, u in services
        ),
    )


def test_burn_down_per_code_sorted() -> None:
    a = auth(1, services=(("J1745", 120, 45), ("96365", 6, 2), ("96366", 3, 3)))
    rows = burn_down(a)
    assert [r.code for r in rows] == ["96365", "96366", "J1745"]
    j = rows[2]
    assert (j.authorized, j.used, j.remaining, j.percent_remaining) == (
        Decimal(120),
        Decimal(45),
        Decimal(75),
        Decimal("62.50"),
    )
    assert rows[0].percent_remaining == Decimal("66.67")
    assert rows[1].remaining == 0
    assert rows[1].percent_remaining == Decimal("0.00")
    assert remaining_units(a, "j1745 ") == Decimal(75)


def test_remaining_for_a_code_not_on_the_auth() -> None:
    with pytest.raises(InvalidInputError, match="does not cover J0135"):
        remaining_units(auth(1), "J0135")


def test_zero_authorized_units_report_zero_percent() -> None:
    assert burn_down(auth(1, services=(("J1745", 0, 0),)))[0].percent_remaining == Decimal("0.00")


def test_invalid_authorization_data_is_refused() -> None:
    with pytest.raises(InvalidInputError, match="before its start date"):
        auth(1, start=date(2024, 2, 1), end=date(2024, 1, 1))
    with pytest.raises(InvalidInputError, match="cannot be negative"):
        AuthorizedService(code="J1745", authorized=Decimal(-1))
    with pytest.raises(InvalidInputError, match="same code twice"):
        auth(1, services=(("J1745", 1, 0), ("j1745", 2, 0)))
    with pytest.raises(InvalidInputError, match="not"):
        AuthorizedService(code="J1745", authorized=1.5)  # type: ignore[arg-type]


# --- alerts: boundaries ---------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("end", "alerts"),
    [
        (date(2024, 6, 14), 1),  # 13 days left
        (date(2024, 6, 15), 1),  # exactly 14 days: alerts
        (date(2024, 6, 16), 0),  # 15 days: no alert
        (date(2024, 6, 1), 1),  # ends today: 0 days left
        (date(2024, 5, 31), 0),  # already ended: not an alert, just expired
    ],
)
def test_expiry_alert_boundary(end: date, alerts: int) -> None:
    found = [a for a in auth_alerts([auth(1, end=end)], AS_OF) if a.kind is AlertKind.EXPIRING]
    assert len(found) == alerts
    if found:
        assert found[0].days_left == (end - AS_OF).days
        assert "AUTH1" in found[0].message


@pytest.mark.parametrize(
    ("used", "alerts"),
    [
        (79, 0),  # 21 % left
        (80, 0),  # exactly 20 % left: no alert ("less than 20 %")
        (81, 1),  # 19 % left
        (100, 1),  # none left
        (105, 1),  # over-used (payer cut units after the fact)
    ],
)
def test_low_units_alert_boundary(used: int, alerts: int) -> None:
    a = auth(1, services=(("J1745", 100, used),))
    found = [x for x in auth_alerts([a], AS_OF) if x.kind is AlertKind.LOW_UNITS]
    assert len(found) == alerts
    if found:
        assert found[0].code == "J1745"
        assert found[0].percent_remaining == Decimal(100 - used)


def test_low_units_boundary_is_exact_not_rounded() -> None:
    # 1 of 6 left is 16.67 %; 2 of 10 left is exactly 20 %.
    low = auth(1, services=(("96365", 6, 5), ("96366", 10, 8)))
    found = auth_alerts([low], AS_OF)
    assert [(a.kind, a.code, a.percent_remaining) for a in found] == [
        (AlertKind.LOW_UNITS, "96365", Decimal("16.67"))
    ]


def test_thresholds_are_parameters() -> None:
    a = auth(1, end=date(2024, 6, 25), services=(("J1745", 100, 70),))
    assert auth_alerts([a], AS_OF) == []
    kinds = [x.kind for x in auth_alerts([a], AS_OF, expiring_within_days=30, low_units_percent=Decimal(50))]
    assert kinds == [AlertKind.EXPIRING, AlertKind.LOW_UNITS]


def test_alerts_skip_denied_and_pended_and_are_ordered() -> None:
    auths = [
        auth(3, end=date(2024, 6, 10), services=(("J1745", 10, 9),)),
        auth(2, end=date(2024, 6, 5), status=AuthStatus.DENIED),
        auth(1, end=date(2024, 6, 5), status=AuthStatus.PENDED),
        auth(4, end=date(2024, 6, 3), status=AuthStatus.MODIFIED),
    ]
    found = auth_alerts(auths, AS_OF)
    assert [(a.auth_id, a.kind) for a in found] == [
        (4, AlertKind.EXPIRING),
        (3, AlertKind.EXPIRING),
        (3, AlertKind.LOW_UNITS),
    ]


# --- lookup ---------------------------------------------------------------------------------------


def test_find_auth_for_code_and_date() -> None:
    old = auth(1, start=date(2024, 1, 1), end=date(2024, 6, 30), services=(("J1745", 10, 4), ("96365", 5, 0)))
    new = auth(2, start=date(2024, 6, 15), end=date(2024, 12, 31), services=(("J1745", 10, 0),))
    denied = auth(3, status=AuthStatus.DENIED, services=(("J0135", 5, 0),))
    auths = [new, old, denied]
    assert find_auth_for(auths, "J1745", date(2024, 3, 1)) is old
    assert find_auth_for(auths, "j1745", date(2024, 6, 20)) is old  # older approval used up first
    assert find_auth_for(auths, "J1745", date(2024, 7, 1)) is new
    assert find_auth_for(auths, "96365", date(2024, 7, 1)) is None  # old one ended
    assert find_auth_for(auths, "J0135", date(2024, 3, 1)) is None  # denied
    assert find_auth_for(auths, "J1745", date(2023, 12, 31)) is None
    exhausted = auth(1, end=date(2024, 6, 30), services=(("J1745", 10, 10),))
    assert find_auth_for([exhausted, new], "J1745", date(2024, 6, 20)) is new


# --- draw-down ------------------------------------------------------------------------------------


def test_draw_down_returns_updated_authorization() -> None:
    a = auth(1, services=(("J1745", 100, 40), ("96365", 6, 0)))
    b = draw_down(a, "j1745", 60, on=date(2024, 3, 1))
    assert remaining_units(b, "J1745") == 0
    assert remaining_units(b, "96365") == 6
    assert remaining_units(a, "J1745") == 60  # original unchanged


@pytest.mark.parametrize(
    ("units", "code", "on", "message"),
    [
        (-1, "J1745", date(2024, 3, 1), "must be more than zero"),
        (0, "J1745", date(2024, 3, 1), "must be more than zero"),
        (61, "J1745", date(2024, 3, 1), "has 60 units of J1745 left; 61 cannot be drawn"),
        (1, "J0135", date(2024, 3, 1), "does not cover J0135"),
        (1, "J1745", date(2025, 1, 1), "does not cover a service on 2025-01-01"),
    ],
)
def test_draw_down_refusals(units: int, code: str, on: date, message: str) -> None:
    a = auth(1, services=(("J1745", 100, 40),))
    with pytest.raises(AuthUnitsError, match=message) as info:
        draw_down(a, code, units, on=on)
    assert isinstance(info.value, DomainError)
    assert info.value.code == "auth.units"


def test_draw_down_refuses_unusable_status_and_floats() -> None:
    with pytest.raises(AuthUnitsError, match="is pended"):
        draw_down(auth(1, status=AuthStatus.PENDED), "J1745", 1, on=date(2024, 3, 1))
    with pytest.raises(InvalidInputError, match=r"not 1\.5"):
        draw_down(auth(1), "J1745", 1.5, on=date(2024, 3, 1))  # type: ignore[arg-type]
    with pytest.raises(InvalidInputError, match="is not a number"):
        draw_down(auth(1), "J1745", "lots", on=date(2024, 3, 1))


@given(st.lists(st.integers(min_value=-5, max_value=40), max_size=12))
def test_draw_downs_never_exceed_the_authorized_units(requests: list[int]) -> None:
    a = auth(1, services=(("J1745", 100, 0),))
    for units in requests:
        with contextlib.suppress(AuthUnitsError):
            a = draw_down(a, "J1745", units, on=date(2024, 3, 1))
        remaining = remaining_units(a, "J1745")
        assert Decimal(0) <= remaining <= Decimal(100)

"""Prior authorizations: units per code, burn-down, alerts, which auth covers a service, draw-down.

Pure module. What is tracked per authorization follows docs/billing-rules/eligibility-and-auth.md
§6.1: the authorization number, status, approved HCPCS/CPT codes with approved units, the date span, and units consumed to
date, so the app warns before the payer denies with CARC 198 ("precertification/notification/
authorization/pre-treatment exceeded") or CARC 197 (absent authorization). Dates are inclusive, as the
278 response's certification effective/expiration DTP dates are (005010X217, 2000E/2000F DTP).
"""

from __future__ import annotations

from collections.abc import Hashable, Iterable
from dataclasses import dataclass, replace
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from enum import StrEnum

from infusion_rcm.common.errors import DomainError, InvalidInputError

HUNDRED = Decimal(100)
PERCENT_STEP = Decimal("0.01")
DEFAULT_EXPIRY_DAYS = 14
DEFAULT_LOW_UNITS_PERCENT = Decimal(20)


class AuthStatus(StrEnum):
    """Status of an authorization (278 HCR01: A1 certified, A2 partial, A6 modified, A4 pended, A3 denied)."""

    APPROVED = "approved"
    MODIFIED = "modified"  # approved with changes (fewer units, other dates): still usable
    PENDED = "pended"
    DENIED = "denied"

    @property
    def usable(self) -> bool:
        return self in (AuthStatus.APPROVED, AuthStatus.MODIFIED)


class AuthUnitsError(DomainError):
    """A draw-down was refused (negative, zero, or beyond the authorized units)."""

    code = "auth.units"


def _units(value: Decimal | int | str, what: str) -> Decimal:
    if isinstance(value, float | bool):
        raise InvalidInputError(f"{what} must be a whole or decimal number, not {value!r}.")
    try:
        number = Decimal(value)
    except ArithmeticError as exc:
        raise InvalidInputError(f"{what} {value!r} is not a number.") from exc
    if not number.is_finite():
        raise InvalidInputError(f"{what} {value!r} is not a number.")
    return number


def normalize_code(code: str) -> str:
    return code.strip().upper()


@dataclass(frozen=True, slots=True)
class AuthorizedService:
    """One approved code on an authorization: HCPCS/CPT code, approved units, units used so far."""

    code: str
    authorized: Decimal
    used: Decimal = Decimal(0)

    def __post_init__(self) -> None:
        code = normalize_code(self.code)
        if not code:
            raise InvalidInputError("An authorized service needs its HCPCS/CPT code.")
        object.__setattr__(self, "code", code)
        authorized = _units(self.authorized, f"Authorized units for {code}")
        used = _units(self.used, f"Used units for {code}")
        if authorized < 0:
            raise InvalidInputError(f"Authorized units for {code} cannot be negative.")
        if used < 0:
            raise InvalidInputError(f"Used units for {code} cannot be negative.")
        object.__setattr__(self, "authorized", authorized)
        object.__setattr__(self, "used", used)

    @property
    def remaining(self) -> Decimal:
        """Units left; negative when usage already exceeds the approval (e.g. the payer cut units)."""
        return self.authorized - self.used


@dataclass(frozen=True, slots=True)
class Authorization:
    """A prior authorization: payer-assigned number, inclusive date span, status and approved services."""

    id: Hashable
    number: str
    start: date
    end: date
    services: tuple[AuthorizedService, ...]
    status: AuthStatus = AuthStatus.APPROVED

    def __post_init__(self) -> None:
        if self.end < self.start:
            raise InvalidInputError(
                f"Authorization {self.number}: end date {self.end.isoformat()} is before its start date "
                f"{self.start.isoformat()}."
            )
        if not isinstance(self.status, AuthStatus):
            object.__setattr__(self, "status", AuthStatus(self.status))
        services = tuple(sorted(self.services, key=lambda s: s.code))
        codes = [s.code for s in services]
        if len(set(codes)) != len(codes):
            raise InvalidInputError(f"Authorization {self.number} lists the same code twice.")
        object.__setattr__(self, "services", services)

    def in_force(self, on: date) -> bool:
        """Usable status and `on` within the inclusive start..end span."""
        return self.status.usable and self.start <= on <= self.end

    def service_for(self, code: str) -> AuthorizedService | None:
        wanted = normalize_code(code)
        return next((s for s in self.services if s.code == wanted), None)


@dataclass(frozen=True, slots=True)
class BurnDown:
    """Unit consumption of one code. percent_remaining is 0-100, two decimals, ROUND_HALF_UP."""

    code: str
    authorized: Decimal
    used: Decimal
    remaining: Decimal
    percent_remaining: Decimal


def remaining_units(auth: Authorization, code: str) -> Decimal:
    """Units left for `code` on `auth`; InvalidInputError when the code is not on the authorization."""
    service = auth.service_for(code)
    if service is None:
        raise InvalidInputError(f"Authorization {auth.number} does not cover {normalize_code(code)}.")
    return service.remaining


def _percent_remaining(service: AuthorizedService) -> Decimal:
    if service.authorized == 0:
        return Decimal("0.00")
    return (service.remaining * HUNDRED / service.authorized).quantize(PERCENT_STEP, rounding=ROUND_HALF_UP)


def burn_down(auth: Authorization) -> list[BurnDown]:
    """Authorized, used, remaining and percent remaining per code, ordered by code."""
    return [
        BurnDown(
            code=s.code,
            authorized=s.authorized,
            used=s.used,
            remaining=s.remaining,
            percent_remaining=_percent_remaining(s),
        )
        for s in auth.services
    ]


class AlertKind(StrEnum):
    EXPIRING = "expiring"
    LOW_UNITS = "low_units"


@dataclass(frozen=True, slots=True)
class AuthAlert:
    """Something a biller should act on before the next visit (renew the auth, request more units)."""

    auth_id: Hashable
    auth_number: str
    kind: AlertKind
    message: str
    code: str | None = None
    days_left: int | None = None
    percent_remaining: Decimal | None = None


def auth_alerts(
    auths: Iterable[Authorization],
    as_of: date,
    *,
    expiring_within_days: int = DEFAULT_EXPIRY_DAYS,
    low_units_percent: Decimal | int = DEFAULT_LOW_UNITS_PERCENT,
) -> list[AuthAlert]:
    """Alerts for usable auths that have not ended by `as_of`.

    - EXPIRING when the auth ends within `expiring_within_days` days of `as_of` (an auth ending exactly
      14 days out alerts; 15 days out does not; ending today is 0 days left).
    - LOW_UNITS per code when strictly less than `low_units_percent` % of the units remain (exactly 20 %
      does not alert). The comparison is exact, not on the rounded percentage.

    Auths not yet started are included (their units and end date are already known). Output order:
    end date, auth number, then expiring before low-units, then code.
    """
    if expiring_within_days < 0:
        raise InvalidInputError("The expiry alert window cannot be negative.")
    threshold = _units(low_units_percent, "The low-units threshold")
    alerts: list[AuthAlert] = []
    live = [a for a in auths if a.status.usable and a.end >= as_of]
    for auth in sorted(live, key=lambda a: (a.end, a.number, str(a.id))):
        days_left = (auth.end - as_of).days
        if days_left <= expiring_within_days:
            when = "today" if days_left == 0 else f"in {days_left} day{'s' if days_left != 1 else ''}"
            alerts.append(
                AuthAlert(
                    auth_id=auth.id,
                    auth_number=auth.number,
                    kind=AlertKind.EXPIRING,
                    message=f"Authorization {auth.number} ends {when} ({auth.end.isoformat()}): request a renewal.",
                    days_left=days_left,
                )
            )
        for service in auth.services:
            if service.remaining * HUNDRED < threshold * service.authorized:
                percent = _percent_remaining(service)
                alerts.append(
                    AuthAlert(
                        auth_id=auth.id,
                        auth_number=auth.number,
                        kind=AlertKind.LOW_UNITS,
                        code=service.code,
                        percent_remaining=percent,
                        message=(
                            f"Authorization {auth.number}: {service.remaining} of {service.authorized} units "
                            f"of {service.code} left ({percent}%): request more units before they run out."
                        ),
                    )
                )
    return alerts


def find_auth_for(auths: Iterable[Authorization], code: str, on: date) -> Authorization | None:
    """The in-force authorization that covers `code` on `on`, or None.

    When several do (overlapping renewals), the one with units left and the earliest end date wins, so
    the older approval is used up first; ties by number.
    """
    matches = [a for a in auths if a.in_force(on) and a.service_for(code) is not None]
    if not matches:
        return None

    def key(a: Authorization) -> tuple[bool, date, str]:
        service = a.service_for(code)
        exhausted = service is None or service.remaining <= 0
        return (exhausted, a.end, a.number)

    return min(matches, key=key)


def draw_down(auth: Authorization, code: str, units: Decimal | int | str, *, on: date) -> Authorization:
    """Record `units` of `code` used on `on`; returns a new Authorization with the usage added.

    Refuses (AuthUnitsError) zero or negative units, a code the auth does not list, a date the auth does
    not cover (or an unusable status), and units beyond what remains (CARC 198 territory).
    """
    wanted = normalize_code(code)
    amount = _units(units, f"Units of {wanted}")
    if amount <= 0:
        raise AuthUnitsError(
            f"Units of {wanted} to draw from authorization {auth.number} must be more than zero."
        )
    service = auth.service_for(wanted)
    if service is None:
        raise AuthUnitsError(f"Authorization {auth.number} does not cover {wanted}.")
    if not auth.status.usable:
        raise AuthUnitsError(
            f"Authorization {auth.number} is {auth.status.value}; units cannot be drawn from it."
        )
    if not auth.start <= on <= auth.end:
        raise AuthUnitsError(
            f"Authorization {auth.number} runs {auth.start.isoformat()} to {auth.end.isoformat()}; "
            f"it does not cover a service on {on.isoformat()}."
        )
    if amount > service.remaining:
        raise AuthUnitsError(
            f"Authorization {auth.number} has {max(service.remaining, Decimal(0))} units of {wanted} left; "
            f"{amount} cannot be drawn. Request more units from the payer first.",
            extra={"remaining": str(service.remaining), "requested": str(amount)},
        )
    updated = replace(service, used=service.used + amount)
    services = tuple(updated if s.code == wanted else s for s in auth.services)
    return replace(auth, services=services)

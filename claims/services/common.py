"""Shared pieces of the claims services: constants, errors, bulk audit, claim numbers."""

from __future__ import annotations

import logging
from collections import defaultdict
from collections.abc import Sequence
from types import SimpleNamespace

from django.db import connection

from claims.domain.types import ClaimStatus
from claims.models import (
    ControlNumber,
)
from infusion_rcm.common.errors import DomainError
from intake.domain.authorization import AuthStatus
from intake.models import (
    AuthorizedService,
)

logger = logging.getLogger(__name__)

S = ClaimStatus
SCRUBBABLE = frozenset({S.DRAFT, S.NEEDS_FIX, S.READY})
NOT_LIVE = (S.VOID, S.REPLACED)
CHUNK = 2000
# Claims per 837 file: one transaction set (X222A1 recommends at most 5000 CLM loops per ST).
MAX_CLAIMS_PER_BATCH = 5000
USABLE_AUTH = [s.value for s in AuthStatus if s.usable]


class ClaimStateError(DomainError):
    code = "claim.state"


class BatchStateError(DomainError):
    code = "batch.state"


# ---------------------------------------------------------------------------
# Helpers: actor, audit of bulk writes, claim numbers
# ---------------------------------------------------------------------------


def _user_id(actor) -> int | None:
    return actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None


CONTROL_SERIES = ("claim",)


def control_numbers_take(name: str, count: int = 1) -> list[int]:
    """Take `count` claim numbers (the series behind CLM01), in increasing order.

    ISA13 / GS06 are not here: every interchange takes them from the x12 service
    (`infusion_rcm.x12.control_numbers.interchange_open`), so they are unique across the 837s,
    270s and whatever else we send. PostgreSQL: the claims_control_claim sequence (migration
    claims.0004); nextval is atomic and holds no lock, and a rolled-back build leaves a gap, never
    a reuse. Elsewhere (the embedded SQLite, one process): an UPDATE ... RETURNING on the
    ControlNumber row.
    """
    if name not in CONTROL_SERIES:
        raise ValueError(f"unknown control number series {name!r}")
    if count < 1:
        raise ValueError("count must be at least 1")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT nextval('claims_control_{name}') FROM generate_series(1, %s)", [count])  # noqa: S608 - fixed names
            return sorted(int(row[0]) for row in cursor.fetchall())
        table = ControlNumber._meta.db_table
        sql = f"UPDATE {table} SET last_value = last_value + %s WHERE name = %s RETURNING last_value"  # noqa: S608 - table name is ours
        cursor.execute(sql, [count, name])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                f"INSERT INTO {table} (name, last_value) VALUES (%s, 0) ON CONFLICT (name) DO NOTHING",  # noqa: S608
                [name],
            )
            cursor.execute(sql, [count, name])
            row = cursor.fetchone()
    last = int(row[0])
    return list(range(last - count + 1, last + 1))


def _auth_rows(queryset) -> list[SimpleNamespace]:
    """Usable authorizations as plain rows shaped for `intake.mappers.authorization` (services included)."""
    rows = [
        SimpleNamespace(pk=r["id"], **r)
        for r in queryset.values("id", "coverage_id", "auth_number", "start_date", "end_date", "status")
    ]
    services: dict[int, list[SimpleNamespace]] = defaultdict(list)
    if rows:
        for r in (
            AuthorizedService.objects.filter(authorization_id__in=[a.id for a in rows])
            .order_by("pk")
            .values("id", "authorization_id", "code", "authorized_units", "used_units")
        ):
            services[r["authorization_id"]].append(SimpleNamespace(pk=r["id"], **r))
    for a in rows:
        a.service_rows = services.get(a.id, [])
        a.services = SimpleNamespace(all=lambda a=a: a.service_rows)
    return rows


def _enqueue_scrub(claim_ids: Sequence[int]) -> None:
    from claims.tasks import claim_scrub_task

    for claim_id in claim_ids:
        claim_scrub_task.delay(claim_id)

"""The one control-number service for every interchange we send (270, 837, 276, ...).

`interchange_open` takes an ISA13 and a GS06 and records the interchange in the register
(`OutboundInterchange`) inside the caller's transaction: if the caller rolls back, the row goes
and the numbers are skipped, never reused (X12 asks for unique interchange numbers, not
contiguous ones). On PostgreSQL the numbers come from two sequences (migration x12.0001):
nextval is atomic across processes and restarts and holds no lock, so batch workers never wait
on each other while a file renders. The series are global, so ISA13 and GS06 are unique and
increasing for every sender/receiver pair at once. The embedded SQLite uses `ControlNumber` rows.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime

from django.conf import settings
from django.db import connection
from django.utils import timezone

from infusion_rcm.x12.models import ControlNumber, OutboundInterchange
from infusion_rcm.x12.writer import MAX_CONTROL, Envelope

SERIES = ("isa", "gs")


def control_numbers_take(series: str, count: int = 1) -> list[int]:
    """`count` numbers of one series (`isa` = ISA13, `gs` = GS06), increasing."""
    if series not in SERIES:
        raise ValueError(f"unknown control number series {series!r}")
    if count < 1:
        raise ValueError("count must be at least 1")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT nextval('x12_control_{series}') FROM generate_series(1, %s)", [count])  # noqa: S608 - fixed names
            return sorted(int(row[0]) for row in cursor.fetchall())
        table = ControlNumber._meta.db_table
        sql = f"UPDATE {table} SET last_value = last_value + %s WHERE name = %s RETURNING last_value"  # noqa: S608 - our table
        cursor.execute(sql, [count, series])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                f"INSERT INTO {table} (name, last_value) VALUES (%s, 0) ON CONFLICT (name) DO NOTHING",  # noqa: S608
                [series],
            )
            cursor.execute(sql, [count, series])
            row = cursor.fetchone()
    last = int(row[0])
    if last > MAX_CONTROL:
        raise RuntimeError(f"X12 {series} control numbers are exhausted (past {MAX_CONTROL})")
    return list(range(last - count + 1, last + 1))


@dataclass(frozen=True)
class OpenInterchange:
    """A registered interchange and the envelope to write it with."""

    record: OutboundInterchange
    envelope: Envelope


def interchange_open(
    *,
    functional_id: str,
    transaction_set: str,
    version: str,
    created: datetime | None = None,
    sender_id: str | None = None,
    receiver_id: str | None = None,
) -> OpenInterchange:
    """Take ISA13 + GS06 and register the interchange; call `interchange_written` once rendered.

    Run it inside the transaction that stores the file, so a failed build leaves no register row.
    """
    (isa,) = control_numbers_take("isa")
    (gs,) = control_numbers_take("gs")
    sender = sender_id or settings.X12_SENDER_ID
    receiver = receiver_id or settings.X12_RECEIVER_ID
    record = OutboundInterchange.objects.create(
        sender_id=sender,
        receiver_id=receiver,
        interchange_control=isa,
        group_control=gs,
        functional_id=functional_id,
        transaction_set=transaction_set,
        version=version,
        usage=settings.X12_USAGE,
    )
    envelope = Envelope(
        sender_id=sender,
        receiver_id=receiver,
        interchange_control=isa,
        group_control=gs,
        functional_id=functional_id,
        version=version,
        created=(created or timezone.localtime()).replace(tzinfo=None),
        usage=settings.X12_USAGE,
    )
    return OpenInterchange(record=record, envelope=envelope)


def interchange_written(record: OutboundInterchange, *, transaction_count: int) -> None:
    """Record how many transaction sets (ST02 0001..n) the written interchange holds."""
    record.transaction_count = transaction_count
    record.save(update_fields=["transaction_count", "updated_at"])


def outbound_for_acknowledgment(
    *, our_id: str, functional_id: str, group_control: str
) -> OutboundInterchange | None:
    """The interchange a 999 acknowledges: addressed to us (its ISA08/GS03), by AK101 + AK102.

    Never by GS06 alone: the functional identifier tells a 270's group from an 837's.
    """
    if not group_control.isdigit():
        return None
    return OutboundInterchange.objects.filter(
        sender_id=our_id.strip(), functional_id=functional_id, group_control=int(group_control)
    ).first()


def outbound_by_interchange(*, our_id: str, interchange_control: str) -> OutboundInterchange | None:
    """The interchange whose ISA13 is `interchange_control` (a 277CA echoes it as our BHT03)."""
    if not interchange_control.isdigit():
        return None
    return OutboundInterchange.objects.filter(
        sender_id=our_id.strip(), interchange_control=int(interchange_control)
    ).first()

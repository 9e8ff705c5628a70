"""Set-based writes for the large tables of a remittance (claim payments, lines, adjustments,
ledger rows): one 835 carries tens of thousands of rows, and building a Django model instance per
row cost more than the database did. On PostgreSQL rows go in with COPY and ids are taken from
the table's sequence beforehand (so children can point at their parents); elsewhere (the
embedded SQLite) through bulk_create. Rows are tuples in the order of `fields`; timestamps are
filled here because COPY skips auto_now."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from decimal import Decimal
from typing import Any

from django.db import connection, models
from django.db.models.expressions import RawSQL
from django.utils import timezone

COPY_ROWS = 20_000  # rows per COPY: bounds the text held in memory at once


def reserve_ids(model: type[models.Model], count: int) -> list[int] | None:
    """`count` fresh ids from the table's sequence (PostgreSQL), or None (let the insert pick)."""
    if connection.vendor != "postgresql" or count == 0:
        return None
    table = model._meta.db_table
    with connection.cursor() as cur:
        # the sequence looked up once, not once per id (pg_get_serial_sequence is only stable)
        cur.execute("SELECT pg_get_serial_sequence(%s, 'id')", [table])
        (sequence,) = cur.fetchone()
        cur.execute("SELECT nextval(%s::regclass) FROM generate_series(1, %s)", [sequence, count])
        return [row[0] for row in cur.fetchall()]


def one_array(values: Iterable[Any], sql_type: str) -> Any:
    """A value for a `field__in=` filter over thousands of values: on PostgreSQL one array
    parameter (`IN (SELECT unnest(%s::bigint[]))`) instead of one placeholder per value, which
    Django prepares one by one; elsewhere the list itself."""
    values = list(values)
    if connection.vendor != "postgresql":
        return values
    if sql_type not in ("bigint", "text"):
        raise ValueError(sql_type)
    return RawSQL(f"SELECT unnest(%s::{sql_type}[])", [values])  # noqa: S611 - the type is one of two literals


def _csv(value: Any) -> str:
    kind = type(value)
    if kind is str:  # most values: quoted, so an empty string is not NULL
        return '"' + value.replace('"', '""') + '"'
    if value is None:
        return ""  # unquoted empty: NULL
    if kind is Decimal or kind is int:
        return str(value)
    if kind is bool:
        return "t" if value else "f"
    if isinstance(value, (datetime, date)):
        return value.isoformat()
    if isinstance(value, (list, dict)):
        value = json.dumps(value)
    return '"' + str(value).replace('"', '""') + '"'


_NONE = type(None)


def _column(values: Sequence[Any]) -> list[str]:
    """One column as CSV fields. Column by column, so the common columns of one type (and NULL)
    go through one comprehension instead of a Python call per value: a large file has millions
    of values."""
    kinds = set(map(type, values))
    nullable = _NONE in kinds
    kinds.discard(_NONE)
    if not kinds:
        return [""] * len(values)
    if kinds <= {int, Decimal}:
        return [("" if v is None else str(v)) for v in values] if nullable else list(map(str, values))
    if kinds == {str}:
        return [("" if v is None else '"' + v.replace('"', '""') + '"') for v in values]
    if kinds == {list} and not nullable:
        return ['"' + json.dumps(v).replace('"', '""') + '"' for v in values]
    return list(map(_csv, values))


def insert_rows(model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple]) -> None:
    """Insert `rows` (values for `fields`, column names as attnames: `claim_id`) plus created_at /
    updated_at. `fields` includes "id" when the ids were reserved."""
    if not rows:
        return
    now = timezone.now()
    if connection.vendor != "postgresql":
        model._default_manager.bulk_create(
            [model(**dict(zip(fields, row, strict=True)), created_at=now, updated_at=now) for row in rows],
            batch_size=2000,
        )
        return
    columns = [*fields, "created_at", "updated_at"]
    stamp = f",{now.isoformat()},{now.isoformat()}\n"
    table = model._meta.db_table
    names = ", ".join(f'"{c}"' for c in columns)
    with connection.cursor() as cur:
        for start in range(0, len(rows), COPY_ROWS):
            part = rows[start : start + COPY_ROWS]
            lines = zip(*(_column(column) for column in zip(*part, strict=True)), strict=True)
            buffer = io.StringIO()
            buffer.writelines(",".join(line) + stamp for line in lines)
            buffer.seek(0)
            cur.cursor.copy_expert(f"COPY {table} ({names}) FROM STDIN WITH (FORMAT csv)", buffer)


def insert_rows_returning_ids(
    model: type[models.Model], fields: Sequence[str], rows: Sequence[tuple]
) -> list[int]:
    """`insert_rows`, giving back the new rows' ids in order."""
    ids = reserve_ids(model, len(rows))
    if ids is None:
        now = timezone.now()
        objs = model._default_manager.bulk_create(
            [model(**dict(zip(fields, row, strict=True)), created_at=now, updated_at=now) for row in rows],
            batch_size=2000,
        )
        return [obj.pk for obj in objs]
    insert_rows(model, ["id", *fields], [(pk, *row) for pk, row in zip(ids, rows, strict=True)])
    return ids

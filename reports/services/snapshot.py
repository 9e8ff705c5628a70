"""The daily A/R snapshot: what was open that day, per aging basis, payer, site and bucket.

Trends of A/R, days in A/R and A/R over 90 days read these rows, so they are history as it was,
not today's claims re-aged backwards. Taking the same day again replaces that day's rows.
"""

from __future__ import annotations

import datetime as dt

from django.db import connection, transaction

from reports.selectors import bucket_sql
from reports.services.facts import reports_catch_up


def ar_snapshot_take(*, day: dt.date) -> int:
    """Snapshot the open A/R as of `day` (the facts are brought up to date first)."""
    reports_catch_up(margin=True)
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("DELETE FROM reports_arsnapshot WHERE day = %s", [day])
        cursor.execute(
            f"""
            INSERT INTO reports_arsnapshot
                (day, basis, payer_id, payer_kind, site_of_care, bucket, insurance, patient, credit,
                 claims, taken_at)
            SELECT %(as_of)s, d.basis, d.payer_id, min(d.payer_kind), d.site_of_care, {bucket_sql("d.day")},
                   sum(d.insurance), sum(d.patient), sum(d.credit), sum(d.debit_claims + d.credit_claims), now()
            FROM reports_arday d
            GROUP BY d.basis, d.payer_id, d.site_of_care, 6
            """,  # noqa: S608 - SQL from constants; values are bound parameters
            {"as_of": day},
        )
        return cursor.rowcount

"""Keep the reports' pre-aggregated rows current: ClaimFact, DenialFact, KpiMonth.

Set-based SQL (PostgreSQL): one INSERT ... SELECT per table for any set of claims, the same
statement for one claim after a posting and for a million in the nightly rebuild. The rules are
the claims API's and the definitions in reports.domain.definitions:

- money: sums of payments.Posting by category; balance = charge - paid - adjustments (patient
  responsibility stays in the balance: it is still to collect), as claims.api.serializers;
- clean: submitted, and no event ever took the claim to needs fix, rejected, or back to draft
  after it was built (a scrubber error, a front-end rejection, a manual change);
- first remittance: the claim's first posted original claim payment (by payment date, posting
  time, id); a denied line on it paid nothing and carries an adjustment that is not the
  patient's (group other than PR); CLP02 4 denies the whole claim.
"""

from __future__ import annotations

import logging
from collections.abc import Iterable, Sequence
from datetime import date
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.utils import timezone

from reports.domain.definitions import AR_STATUSES, CONTRACTUAL_CARCS, RESOLVING_CLP02
from reports.models import RefreshMark
from reports.selectors import OPEN_AR, SPLIT_SQL

logger = logging.getLogger(__name__)

# Re-read this many ids below the mark when new rows arrived: a transaction that took its id
# before a later one but committed after it would otherwise be skipped. The nightly rebuild
# catches what is older still.
ID_MARGIN = 500
_LOCK_KEY = 7_141_400  # pg_advisory_xact_lock: one refresh at a time


def _sql_list(values: Iterable[str]) -> str:
    return ", ".join("'" + v.replace("'", "''") + "'" for v in values)


_FACT_COLUMNS = (
    "claim_id, payer_id, payer_kind, location_id, site_of_care, status, in_ar, service_date, submitted_on,"
    " charge, paid, patient_responsibility, adjustment, contractual, balance, is_clean, rejected, adjudicated,"
    " initial_denied, first_pass, denied_amount, first_claim_payment_id, first_lines, denied_lines, appealed,"
    " overturned, charge_lag_days, submission_lag_days, posting_lag_days, service_month, built_month,"
    " submitted_month, adjudicated_month, posted_month, refreshed_at"
)


def _fact_select(scoped: bool) -> str:
    """The SELECT of ClaimFact rows; `scoped`: only the claims in %(ids)s."""
    claims = "cl.id = ANY(%(ids)s)" if scoped else "TRUE"
    events = "e.claim_id = ANY(%(ids)s)" if scoped else "TRUE"
    postings = "po.claim_id = ANY(%(ids)s)" if scoped else "po.claim_id IS NOT NULL"
    payments = "cp.claim_id = ANY(%(ids)s)" if scoped else "cp.claim_id IS NOT NULL"
    return f"""
WITH c AS (
    SELECT cl.id, cl.payer_id, p.kind AS payer_kind, cl.location_id, l.site_of_care, cl.status,
           cl.service_date_from, cl.total_charge, cl.created_at, v.signed_at
    FROM claims_claim cl
    JOIN intake_payer p ON p.id = cl.payer_id
    JOIN intake_servicelocation l ON l.id = cl.location_id
    LEFT JOIN coding_visit v ON v.id = cl.visit_id
    WHERE {claims}
), ev AS (
    SELECT e.claim_id,
           min(e.created_at) FILTER (WHERE e.to_status = 'submitted') AS first_submitted_at,
           bool_or(e.to_status IN ('needs_fix', 'rejected')
                   OR (e.to_status = 'draft' AND e.from_status <> '')) AS changed,
           bool_or(e.to_status = 'rejected') AS rejected,
           min(e.created_at) FILTER (WHERE e.to_status = 'appealed') AS first_appealed_at,
           max(e.created_at) FILTER (WHERE e.to_status IN ('paid', 'partially_paid')) AS last_paid_at
    FROM claims_claimevent e WHERE {events} GROUP BY e.claim_id
), po AS (
    SELECT po.claim_id,
           coalesce(sum(po.amount) FILTER (WHERE po.category = 'paid'), 0) AS paid,
           coalesce(sum(po.amount) FILTER (WHERE po.category = 'patient_responsibility'), 0) AS patient,
           coalesce(sum(po.amount) FILTER (WHERE po.category = 'adjustment'), 0) AS adjustment,
           coalesce(sum(po.amount) FILTER (WHERE po.category = 'adjustment' AND po."group" = 'CO'
                                           AND po.reason IN ({_sql_list(CONTRACTUAL_CARCS)})), 0) AS contractual
    FROM payments_posting po WHERE {postings} GROUP BY po.claim_id
), fp AS (
    SELECT DISTINCT ON (cp.claim_id) cp.claim_id, cp.id AS cp_id, cp.claim_status_code,
           r.payment_date, cp.posted_at, f.created_at AS received_at
    FROM payments_claimpayment cp
    JOIN payments_remittance r ON r.id = cp.remittance_id
    JOIN payments_remittancefile f ON f.id = r.file_id
    WHERE {payments} AND cp.status = 'posted' AND NOT cp.is_reversal
    ORDER BY cp.claim_id, r.payment_date, cp.posted_at, cp.id
), adj AS (
    SELECT a.line_payment_id, sum(a.amount) FILTER (WHERE a."group" <> 'PR') AS not_patient
    FROM payments_adjustment a
    WHERE a.line_payment_id IS NOT NULL AND a.claim_payment_id IN (SELECT cp_id FROM fp)
    GROUP BY a.line_payment_id
), fl AS (
    SELECT lp.claim_payment_id, count(*) AS lines,
           count(*) FILTER (WHERE lp.paid = 0 AND lp.charge > 0 AND coalesce(adj.not_patient, 0) > 0) AS denied,
           coalesce(sum(lp.charge) FILTER (WHERE lp.paid = 0 AND lp.charge > 0
                                           AND coalesce(adj.not_patient, 0) > 0), 0) AS denied_amount
    FROM fp JOIN payments_linepayment lp ON lp.claim_payment_id = fp.cp_id
    LEFT JOIN adj ON adj.line_payment_id = lp.id
    GROUP BY lp.claim_payment_id
), x AS (
    SELECT c.*, ev.first_submitted_at, coalesce(ev.changed, FALSE) AS changed,
           coalesce(ev.rejected, FALSE) AS rejected, ev.first_appealed_at, ev.last_paid_at,
           coalesce(po.paid, 0) AS paid, coalesce(po.patient, 0) AS patient,
           coalesce(po.adjustment, 0) AS adjustment, coalesce(po.contractual, 0) AS contractual,
           fp.cp_id, fp.claim_status_code, fp.payment_date, fp.posted_at, fp.received_at,
           coalesce(fl.lines, 0) AS lines, coalesce(fl.denied, 0) AS denied_lines,
           coalesce(fl.denied_amount, 0) AS line_denied_amount
    FROM c LEFT JOIN ev ON ev.claim_id = c.id LEFT JOIN po ON po.claim_id = c.id
    LEFT JOIN fp ON fp.claim_id = c.id LEFT JOIN fl ON fl.claim_payment_id = fp.cp_id
)
SELECT x.id, x.payer_id, x.payer_kind, x.location_id, x.site_of_care, x.status,
       x.status IN ({_sql_list(AR_STATUSES)}),
       x.service_date_from,
       timezone(%(tz)s, x.first_submitted_at)::date,
       x.total_charge, x.paid, x.patient, x.adjustment, x.contractual,
       x.total_charge - x.paid - x.adjustment,
       x.first_submitted_at IS NOT NULL AND NOT x.changed,
       x.rejected,
       x.cp_id IS NOT NULL,
       x.cp_id IS NOT NULL AND (x.claim_status_code = '4' OR x.denied_lines > 0),
       x.cp_id IS NOT NULL AND x.claim_status_code IN ({_sql_list(RESOLVING_CLP02)})
           AND x.denied_lines = 0 AND NOT x.rejected,
       CASE WHEN x.cp_id IS NULL THEN 0 WHEN x.claim_status_code = '4' THEN x.total_charge
            ELSE x.line_denied_amount END,
       x.cp_id,
       x.lines,
       CASE WHEN x.claim_status_code = '4' THEN x.lines ELSE x.denied_lines END,
       x.first_appealed_at IS NOT NULL,
       coalesce(x.first_appealed_at IS NOT NULL AND x.last_paid_at > x.first_appealed_at, FALSE),
       round((extract(epoch FROM x.created_at - x.signed_at) / 86400)::numeric, 2),
       round((extract(epoch FROM x.first_submitted_at - x.created_at) / 86400)::numeric, 2),
       round((extract(epoch FROM x.posted_at - x.received_at) / 86400)::numeric, 2),
       date_trunc('month', x.service_date_from)::date,
       date_trunc('month', timezone(%(tz)s, x.created_at))::date,
       date_trunc('month', timezone(%(tz)s, x.first_submitted_at))::date,
       date_trunc('month', x.payment_date)::date,
       date_trunc('month', timezone(%(tz)s, x.posted_at))::date,
       now()
FROM x
"""  # noqa: S608 - SQL from constants; values are bound parameters


_UPSERT_SET = ", ".join(
    f"{c.strip()} = EXCLUDED.{c.strip()}" for c in _FACT_COLUMNS.split(",") if c.strip() != "claim_id"
)

_DENIAL_COLUMNS = (
    'claim_id, claim_payment_id, line_payment_id, payer_id, site_of_care, month, code, "group", carc,'
    " amount, initial, denial_id, category"
)


def _denial_select(scoped: bool) -> str:
    payments = "cp.claim_id = ANY(%(ids)s)" if scoped else "cp.claim_id IS NOT NULL"
    return f"""
WITH cp AS (
    SELECT cp.id, cp.claim_id, cp.claim_status_code, cp.charge, r.payment_date,
           f.payer_id, f.site_of_care, f.first_claim_payment_id
    FROM payments_claimpayment cp
    JOIN payments_remittance r ON r.id = cp.remittance_id
    JOIN reports_claimfact f ON f.claim_id = cp.claim_id
    WHERE {payments} AND cp.status = 'posted' AND NOT cp.is_reversal
)
SELECT cp.claim_id, cp.id, lp.id, cp.payer_id, cp.site_of_care,
       date_trunc('month', cp.payment_date)::date, lp.procedure_code, top."group", top.reason,
       lp.charge, cp.id = cp.first_claim_payment_id, dn.id, coalesce(dn.category, '')
FROM cp
JOIN payments_linepayment lp ON lp.claim_payment_id = cp.id
JOIN LATERAL (
    SELECT a."group", a.reason FROM payments_adjustment a
    WHERE a.line_payment_id = lp.id AND a."group" <> 'PR' AND a.amount > 0
    ORDER BY a.amount DESC, a.id LIMIT 1
) top ON TRUE
LEFT JOIN LATERAL (
    SELECT d.id, d.category FROM denials_denial d WHERE d.line_payment_id = lp.id ORDER BY d.id LIMIT 1
) dn ON TRUE
WHERE lp.paid = 0 AND lp.charge > 0
UNION ALL
SELECT cp.claim_id, cp.id, NULL, cp.payer_id, cp.site_of_care,
       date_trunc('month', cp.payment_date)::date, '', coalesce(top."group", 'CO'),
       coalesce(top.reason, ''), cp.charge, cp.id = cp.first_claim_payment_id, dn.id, coalesce(dn.category, '')
FROM cp
LEFT JOIN LATERAL (
    SELECT a."group", a.reason FROM payments_adjustment a
    WHERE a.claim_payment_id = cp.id AND a."group" <> 'PR' AND a.amount > 0
    ORDER BY a.amount DESC, a.id LIMIT 1
) top ON TRUE
LEFT JOIN LATERAL (
    SELECT d.id, d.category FROM denials_denial d
    WHERE d.claim_payment_id = cp.id AND d.line_payment_id IS NULL ORDER BY d.id LIMIT 1
) dn ON TRUE
WHERE cp.claim_status_code = '4'
  AND NOT EXISTS (SELECT 1 FROM payments_linepayment l2 WHERE l2.claim_payment_id = cp.id)
"""  # noqa: S608 - SQL from constants; values are bound parameters


_MONTHS_OF_FACTS = """
INSERT INTO reports_dirtymonth (month)
SELECT DISTINCT m FROM reports_claimfact f,
    unnest(ARRAY[f.service_month, f.built_month, f.submitted_month, f.adjudicated_month, f.posted_month]) m
WHERE f.claim_id = ANY(%(ids)s) AND m IS NOT NULL
UNION SELECT DISTINCT month FROM reports_denialfact WHERE claim_id = ANY(%(ids)s)
ON CONFLICT DO NOTHING
"""

# The open-A/R keys (payer, site, day) of some claims, for each basis.
_AR_KEYS = """
SELECT DISTINCT f.payer_id, f.site_of_care, f.service_date, coalesce(f.submitted_on, f.service_date)
FROM reports_claimfact f WHERE f.claim_id = ANY(%(ids)s)
"""

_AR_DAY_COLUMNS = (
    "basis, payer_id, payer_kind, site_of_care, day, insurance, patient, credit,"
    " insurance_claims, patient_claims, debit_claims, credit_claims"
)


def _ar_day_select(basis: str, keyed: bool) -> str:
    """ArDay rows from the open facts, for one basis; `keyed`: only the keys in %(p)s, %(s)s, %(d)s."""
    day = "f.service_date" if basis == "service" else "coalesce(f.submitted_on, f.service_date)"
    insurance, patient, credit = SPLIT_SQL
    unnest = "SELECT * FROM unnest(%(p)s::bigint[], %(s)s::varchar[], %(d)s::date[])"
    keys = f" AND (f.payer_id, f.site_of_care, {day}) IN ({unnest})" if keyed else ""
    return f"""
SELECT '{basis}', f.payer_id, min(f.payer_kind), f.site_of_care, {day},
       sum({insurance}), sum({patient}), sum({credit}),
       count(*) FILTER (WHERE {insurance} > 0), count(*) FILTER (WHERE {patient} > 0),
       count(*) FILTER (WHERE f.balance > 0), count(*) FILTER (WHERE f.balance < 0)
FROM reports_claimfact f WHERE {OPEN_AR}{keys}
GROUP BY f.payer_id, f.site_of_care, {day}
"""  # noqa: S608 - SQL from constants; values are bound parameters


def _ar_days_rebuild(cursor, keys: set[tuple] | None) -> None:
    """Recompute the ArDay rows of `keys` ((payer, site, service date, submission date)), or all."""
    if keys is None:
        cursor.execute("DELETE FROM reports_arday")
        for basis in ("service", "submission"):
            cursor.execute(f"INSERT INTO reports_arday ({_AR_DAY_COLUMNS}) {_ar_day_select(basis, False)}")
        return
    for basis, index in (("service", 2), ("submission", 3)):
        chosen = sorted({(k[0], k[1], k[index]) for k in keys})
        if not chosen:
            continue
        params = {
            "p": [k[0] for k in chosen],
            "s": [k[1] for k in chosen],
            "d": [k[2] for k in chosen],
            "b": basis,
        }
        cursor.execute(
            "DELETE FROM reports_arday WHERE basis = %(b)s AND (payer_id, site_of_care, day) IN"
            " (SELECT * FROM unnest(%(p)s::bigint[], %(s)s::varchar[], %(d)s::date[]))",
            params,
        )
        cursor.execute(f"INSERT INTO reports_arday ({_AR_DAY_COLUMNS}) {_ar_day_select(basis, True)}", params)


def facts_refresh(*, claim_ids: Sequence[int]) -> int:
    """Recompute the facts of `claim_ids` (and mark the months they count in for the rollup)."""
    ids = sorted(set(claim_ids))
    if not ids:
        return 0
    params: dict[str, Any] = {"ids": ids, "tz": settings.TIME_ZONE}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute(_MONTHS_OF_FACTS, params)
        cursor.execute(_AR_KEYS, params)
        keys = set(cursor.fetchall())
        cursor.execute(
            f"INSERT INTO reports_claimfact ({_FACT_COLUMNS}) {_fact_select(True)}"
            f" ON CONFLICT (claim_id) DO UPDATE SET {_UPSERT_SET}",
            params,
        )
        count = cursor.rowcount
        cursor.execute(_AR_KEYS, params)
        keys |= set(cursor.fetchall())
        _ar_days_rebuild(cursor, keys)
        cursor.execute("DELETE FROM reports_denialfact WHERE claim_id = ANY(%(ids)s)", params)
        cursor.execute(f"INSERT INTO reports_denialfact ({_DENIAL_COLUMNS}) {_denial_select(True)}", params)
        cursor.execute(_MONTHS_OF_FACTS, params)
    return count


def facts_rebuild() -> int:
    """Every claim's facts, every denial and every month's sums from scratch (nightly; the
    bench's first load). Upserts, so readers keep reading while it runs."""
    params = {"tz": settings.TIME_ZONE}
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SET LOCAL work_mem = '256MB'")  # one big sort/hash per table, once a night
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        cursor.execute("SELECT coalesce(max(id), 0) FROM claims_claimevent")
        last_event = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM payments_posting")
        last_posting = cursor.fetchone()[0]
        cursor.execute(
            f"INSERT INTO reports_claimfact ({_FACT_COLUMNS}) {_fact_select(False)}"
            f" ON CONFLICT (claim_id) DO UPDATE SET {_UPSERT_SET}",
            params,
        )
        count = cursor.rowcount
        cursor.execute("DELETE FROM reports_denialfact")
        cursor.execute(f"INSERT INTO reports_denialfact ({_DENIAL_COLUMNS}) {_denial_select(False)}", params)
        cursor.execute("DELETE FROM reports_dirtymonth")
        _ar_days_rebuild(cursor, None)
        _rollup(cursor, months=None)
        now = timezone.now()
        RefreshMark.objects.update_or_create(
            pk=1,
            defaults={
                "last_event_id": last_event,
                "last_posting_id": last_posting,
                "refreshed_at": now,
                "rebuilt_at": now,
            },
        )
    with connection.cursor() as cursor:
        # Fresh planner statistics after a rebuild (the drill-downs choose their index by them).
        cursor.execute("ANALYZE reports_claimfact, reports_denialfact, reports_arday, reports_kpimonth")
    logger.info("reports: rebuilt %s claim facts", count)
    return count


def _rollup_select(month_filter: str) -> str:
    """KpiMonth rows from the facts; `month_filter` is applied to each measure's own month."""

    def where(column: str) -> str:
        return f"{column} IS NOT NULL" + (f" AND {column} = ANY(%(months)s)" if month_filter else "")

    return f"""
SELECT submitted_month, site_of_care, payer_id, 'clean_claim', count(*) FILTER (WHERE is_clean), count(*)
FROM reports_claimfact WHERE {where("submitted_month")} GROUP BY 1, 2, 3
UNION ALL
SELECT submitted_month, site_of_care, payer_id, 'submission_lag', coalesce(sum(submission_lag_days), 0),
       count(submission_lag_days)
FROM reports_claimfact WHERE {where("submitted_month")} GROUP BY 1, 2, 3
UNION ALL
SELECT adjudicated_month, site_of_care, payer_id, m.measure, sum(m.num), sum(m.den)
FROM reports_claimfact,
LATERAL (VALUES ('first_pass', CASE WHEN first_pass THEN 1 ELSE 0 END::numeric, 1::numeric),
                ('denial_count', CASE WHEN initial_denied THEN 1 ELSE 0 END::numeric, 1::numeric),
                ('denial_dollars', denied_amount, charge),
                ('denial_lines', denied_lines::numeric, first_lines::numeric),
                ('net_collection', paid, charge - contractual),
                ('appeal_overturn', CASE WHEN initial_denied AND overturned THEN 1 ELSE 0 END::numeric,
                                    CASE WHEN initial_denied AND appealed THEN 1 ELSE 0 END::numeric))
     AS m(measure, num, den)
WHERE {where("adjudicated_month")} GROUP BY 1, 2, 3, 4
UNION ALL
SELECT built_month, site_of_care, payer_id, 'charge_lag', coalesce(sum(charge_lag_days), 0), count(charge_lag_days)
FROM reports_claimfact WHERE {where("built_month")} AND charge_lag_days IS NOT NULL GROUP BY 1, 2, 3
UNION ALL
SELECT posted_month, site_of_care, payer_id, 'era_posting_lag', coalesce(sum(posting_lag_days), 0),
       count(posting_lag_days)
FROM reports_claimfact WHERE {where("posted_month")} GROUP BY 1, 2, 3
UNION ALL
SELECT service_month, site_of_care, payer_id, 'charges', sum(charge), count(*)
FROM reports_claimfact WHERE {where("service_month")} AND submitted_on IS NOT NULL
  AND status NOT IN ('void', 'replaced') GROUP BY 1, 2, 3
UNION ALL
SELECT fd.month, l.site_of_care, NULL, 'auth_first_dose', count(*) FILTER (WHERE ok.ok), count(*)
FROM (
    SELECT v.order_id, min(v.date_of_service) AS first_dose,
           date_trunc('month', min(v.date_of_service))::date AS month
    FROM coding_visit v WHERE v.status = 'signed' AND v.order_id IS NOT NULL GROUP BY v.order_id
) fd
JOIN intake_order o ON o.id = fd.order_id
JOIN intake_servicelocation l ON l.id = o.location_id
CROSS JOIN LATERAL (
    SELECT o.auth_not_required_reason <> '' OR EXISTS (
        SELECT 1 FROM intake_priorauthorization a
        WHERE a.order_id = o.id AND a.status IN ('approved', 'modified')
          AND a.start_date <= fd.first_dose AND a.end_date >= fd.first_dose
          AND timezone(%(tz)s, a.created_at)::date <= fd.first_dose
    ) AS ok
) ok
WHERE {where("fd.month")} GROUP BY 1, 2
"""  # noqa: S608 - SQL from constants; values are bound parameters


_DENIAL_MONTH = """
INSERT INTO reports_denialmonth (month, payer_id, site_of_care, dimension, key, category, lines, amount)
SELECT month, payer_id, site_of_care, 'reason', "group" || '-' || carc, category, count(*), sum(amount)
FROM reports_denialfact WHERE {where} GROUP BY 1, 2, 3, 5, 6
UNION ALL
SELECT month, payer_id, site_of_care, 'code', code, '', count(*), sum(amount)
FROM reports_denialfact WHERE {where} GROUP BY 1, 2, 3, 5
"""


def _rollup(cursor, *, months: list[date] | None) -> None:
    params: dict[str, Any] = {"tz": settings.TIME_ZONE}
    if months is None:
        cursor.execute("DELETE FROM reports_kpimonth")
        cursor.execute("DELETE FROM reports_denialmonth")
        cursor.execute(_DENIAL_MONTH.format(where="TRUE"))
    else:
        params["months"] = months
        cursor.execute("DELETE FROM reports_kpimonth WHERE month = ANY(%(months)s)", params)
        cursor.execute("DELETE FROM reports_denialmonth WHERE month = ANY(%(months)s)", params)
        cursor.execute(_DENIAL_MONTH.format(where="month = ANY(%(months)s)"), params)
    cursor.execute(
        "INSERT INTO reports_kpimonth (month, site_of_care, payer_id, measure, numerator, denominator) "
        + _rollup_select("" if months is None else "months"),
        params,
    )


def reports_catch_up(*, margin: bool = False) -> int:
    """Bring the facts up to the latest claim events and postings, then rebuild the months they
    touched. Cheap when nothing changed (two index lookups); every page and API read calls it, so
    the A/R figures equal the claims' balances at that moment. `margin` re-reads the last
    ID_MARGIN ids even when nothing new arrived (the beat task)."""
    with transaction.atomic(), connection.cursor() as cursor:
        cursor.execute("SELECT coalesce(max(id), 0) FROM claims_claimevent")
        last_event = cursor.fetchone()[0]
        cursor.execute("SELECT coalesce(max(id), 0) FROM payments_posting")
        last_posting = cursor.fetchone()[0]
        mark = RefreshMark.objects.filter(pk=1).first()
        seen = (mark.last_event_id, mark.last_posting_id) if mark else (0, 0)
        cursor.execute("SELECT EXISTS (SELECT 1 FROM reports_dirtymonth)")
        dirty = cursor.fetchone()[0]
        if (last_event, last_posting) == seen and not dirty and not margin:
            return 0
        cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_LOCK_KEY])
        mark, _ = RefreshMark.objects.select_for_update().get_or_create(pk=1)
        changed = (last_event, last_posting) != (mark.last_event_id, mark.last_posting_id)
        count = 0
        if changed or margin:
            back = ID_MARGIN if mark.last_event_id or mark.last_posting_id else 0
            cursor.execute(
                "SELECT claim_id FROM claims_claimevent WHERE id > %s AND id <= %s"
                " UNION SELECT claim_id FROM payments_posting WHERE id > %s AND id <= %s AND claim_id IS NOT NULL",
                [
                    max(mark.last_event_id - back, 0),
                    last_event,
                    max(mark.last_posting_id - back, 0),
                    last_posting,
                ],
            )
            ids = [row[0] for row in cursor.fetchall()]
            count = facts_refresh(claim_ids=ids)
            mark.last_event_id, mark.last_posting_id = last_event, last_posting
        cursor.execute("DELETE FROM reports_dirtymonth RETURNING month")
        months = sorted(row[0] for row in cursor.fetchall())
        if months:
            _rollup(cursor, months=months)
        mark.refreshed_at = timezone.now()
        mark.save()
    return count

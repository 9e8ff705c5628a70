"""Reports: pre-aggregated rows the managers' dashboards read, kept by reports.services.

Why pre-aggregate (issue 14: p95 <= 300 ms over a million claims on two cores): a claim's balance
is the sum of its payments.Posting rows, its cleanliness the history of its ClaimEvents, its
first-pass result its first remittance's lines. Summing those live for every claim of an aging
report reads ~10 million rows per page. So every claim has one `ClaimFact` (its money and its
KPI flags, derived with the same rules as the claims API: balance = charge - paid - adjustments),
denied remittance lines have a `DenialFact`, and the monthly sums of every KPI are in `KpiMonth`.
Pages then aggregate thousands of narrow rows instead of millions of wide ones. Indexes stay in
this app (the other apps' tables are not touched).

The facts are kept current incrementally: the ClaimEvent and Posting ids already seen are
remembered (`RefreshMark`); every claim with a newer event or posting is recomputed (on each page
read, after each posting via the CLAIM_PAYMENTS_POSTED event, and by the beat task), so the A/R
total equals the claims API's balances to the cent. A nightly full rebuild catches anything the
incremental path could miss (a transaction that committed with an older id after a later one).

`ArSnapshot` is the daily picture of A/R taken by beat: trends read real history.
"""

from __future__ import annotations

from django.db import models
from django.db.models.functions import Coalesce

from infusion_rcm.common.models import money_field

_AR_PARTIAL = models.Q(in_ar=True) & ~models.Q(balance=0)


def _days_field() -> models.DecimalField:
    return models.DecimalField(max_digits=9, decimal_places=2, null=True)


class ClaimFact(models.Model):
    """One claim as the dashboards see it: where it stands, its money, and its KPI flags."""

    claim = models.OneToOneField(
        "claims.Claim", on_delete=models.CASCADE, primary_key=True, related_name="report_fact"
    )
    payer = models.ForeignKey(
        "intake.Payer", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    payer_kind = models.CharField(max_length=24)
    location = models.ForeignKey(
        "intake.ServiceLocation", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    site_of_care = models.CharField(max_length=8)
    status = models.CharField(max_length=16)
    in_ar = models.BooleanField(help_text="the status holds a receivable (definitions.AR_STATUSES)")
    service_date = models.DateField()
    submitted_on = models.DateField(null=True, help_text="first move to submitted")
    charge = money_field()
    paid = money_field()
    patient_responsibility = money_field()
    adjustment = money_field()
    contractual = money_field(help_text="CO adjustments that are the contract's price")
    balance = money_field(help_text="charge - paid - adjustment, as the claims API")
    is_clean = models.BooleanField(help_text="a clean claim (definitions: clean-claim rate)")
    rejected = models.BooleanField()
    adjudicated = models.BooleanField()
    initial_denied = models.BooleanField()
    first_pass = models.BooleanField()
    denied_amount = money_field()
    first_claim_payment_id = models.BigIntegerField(null=True, help_text="the first remittance's CLP")
    first_lines = models.PositiveIntegerField(help_text="lines on the first remittance")
    denied_lines = models.PositiveIntegerField()
    appealed = models.BooleanField()
    overturned = models.BooleanField(help_text="paid after an appeal")
    charge_lag_days = _days_field()
    submission_lag_days = _days_field()
    posting_lag_days = _days_field()
    # The month each KPI counts the claim in (first of the month), indexed.
    service_month = models.DateField()
    built_month = models.DateField()
    submitted_month = models.DateField(null=True)
    adjudicated_month = models.DateField(null=True)
    posted_month = models.DateField(null=True)
    refreshed_at = models.DateTimeField()

    class Meta:
        indexes = [
            # The drill-down of a cell pages through its claims in date order: ordered index scans,
            # with the money in the index (no heap visit for the claims it skips).
            models.Index(
                fields=["payer", "service_date", "claim"],
                include=["balance", "patient_responsibility"],
                condition=_AR_PARTIAL,
                name="report_fact_open_ar",
            ),
            models.Index(
                models.F("payer"),
                Coalesce("submitted_on", "service_date"),
                condition=_AR_PARTIAL,
                name="report_fact_open_ar_sub",
            ),
            models.Index(
                fields=["service_date", "claim"], condition=_AR_PARTIAL, name="report_fact_open_ar_day"
            ),
            models.Index(fields=["service_month"], name="report_fact_service_month"),
            models.Index(fields=["built_month"], name="report_fact_built_month"),
            models.Index(fields=["submitted_month"], name="report_fact_submitted_month"),
            models.Index(fields=["adjudicated_month"], name="report_fact_adjud_month"),
            models.Index(fields=["posted_month"], name="report_fact_posted_month"),
        ]

    def __str__(self) -> str:
        return f"fact of claim {self.claim_id}"


class DenialFact(models.Model):
    """One denied remittance line (paid nothing, an adjustment that is not the patient's), or a
    denied claim without lines, from a posted original claim payment (one the payer later
    reversed still counts: the denial happened, and its reversal is how an appeal is overturned)."""

    claim = models.ForeignKey("claims.Claim", on_delete=models.CASCADE, related_name="+")
    claim_payment_id = models.BigIntegerField()
    line_payment_id = models.BigIntegerField(null=True)
    payer = models.ForeignKey(
        "intake.Payer", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    site_of_care = models.CharField(max_length=8)
    month = models.DateField(help_text="month of the remittance's payment date")
    code = models.CharField(max_length=48, blank=True, help_text="CPT / HCPCS as paid")
    group = models.CharField(max_length=2)
    carc = models.CharField(max_length=5)
    amount = money_field(help_text="the denied line's charge")
    initial = models.BooleanField(help_text="on the claim's first remittance")
    # The denials app's row for this line (its work item) and the category its catalog gave;
    # blank when the denials app has not classified it (the CARC grouping applies then).
    denial_id = models.BigIntegerField(null=True)
    category = models.CharField(max_length=30, blank=True, default="", db_default="")

    class Meta:
        indexes = [
            models.Index(fields=["month", "payer"], name="report_denial_month"),
            models.Index(fields=["claim"], name="report_denial_claim"),
        ]

    def __str__(self) -> str:
        return f"{self.group}-{self.carc} {self.amount}"


class ArDay(models.Model):
    """Open A/R summed per aging basis, payer, site of care and basis date (the date of service,
    or the first submission): the aging is a sum over these rows with each date's bucket, so it
    costs the same for a thousand claims or a million. Rebuilt key by key from ClaimFact when a
    claim's facts change (reports.services.facts)."""

    basis = models.CharField(max_length=10)
    payer = models.ForeignKey(
        "intake.Payer", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    payer_kind = models.CharField(max_length=24)
    site_of_care = models.CharField(max_length=8)
    day = models.DateField()
    insurance = money_field()
    patient = money_field()
    credit = money_field()
    insurance_claims = models.PositiveIntegerField()
    patient_claims = models.PositiveIntegerField()
    debit_claims = models.PositiveIntegerField()
    credit_claims = models.PositiveIntegerField()

    class Meta:
        constraints = [
            models.UniqueConstraint(fields=["basis", "payer", "site_of_care", "day"], name="ar_day_once")
        ]

    def __str__(self) -> str:
        return f"A/R {self.basis} {self.day}"


class DenialMonth(models.Model):
    """Denied lines summed per month, payer, site and one dimension (`reason`: group-CARC, or
    `code`: CPT / HCPCS): the denial analytics read these, drill-downs read DenialFact."""

    month = models.DateField()
    payer_id = models.BigIntegerField()
    site_of_care = models.CharField(max_length=8)
    dimension = models.CharField(max_length=8)
    key = models.CharField(max_length=60)
    category = models.CharField(max_length=30, blank=True, default="", db_default="")
    lines = models.PositiveIntegerField()
    amount = money_field()

    class Meta:
        indexes = [models.Index(fields=["dimension", "month"], name="report_denial_month_dim")]

    def __str__(self) -> str:
        return f"{self.dimension} {self.key} {self.month}"


class KpiMonth(models.Model):
    """The monthly sums of one KPI measure for one site of care and payer (payer null for
    measures not split by payer): a numerator and a denominator (count, dollars or days)."""

    month = models.DateField()
    site_of_care = models.CharField(max_length=8)
    payer_id = models.BigIntegerField(null=True)
    measure = models.CharField(max_length=24)
    numerator = models.DecimalField(max_digits=18, decimal_places=2)
    denominator = models.DecimalField(max_digits=18, decimal_places=2)

    class Meta:
        indexes = [models.Index(fields=["month", "measure"], name="report_kpi_month")]

    def __str__(self) -> str:
        return f"{self.measure} {self.month}"


class DirtyMonth(models.Model):
    """A month whose KpiMonth rows must be rebuilt (a claim counted in it changed)."""

    month = models.DateField(primary_key=True)

    def __str__(self) -> str:
        return str(self.month)


class RefreshMark(models.Model):
    """Where the incremental refresh stands (one row, pk 1): the last ClaimEvent and Posting ids
    seen, and when the facts were last fully rebuilt."""

    last_event_id = models.BigIntegerField(default=0)
    last_posting_id = models.BigIntegerField(default=0)
    refreshed_at = models.DateTimeField(null=True)
    rebuilt_at = models.DateTimeField(null=True)

    def __str__(self) -> str:
        return f"events {self.last_event_id}, postings {self.last_posting_id}"


class ArSnapshot(models.Model):
    """The A/R of one day (taken once a day by beat): per aging basis, payer, site and bucket,
    the insurance and patient balances, the credit balances and the number of claims."""

    day = models.DateField()
    basis = models.CharField(max_length=10)
    payer = models.ForeignKey(
        "intake.Payer", on_delete=models.DO_NOTHING, db_constraint=False, related_name="+"
    )
    payer_kind = models.CharField(max_length=24)
    site_of_care = models.CharField(max_length=8)
    bucket = models.CharField(max_length=10)
    insurance = money_field()
    patient = money_field()
    credit = money_field()
    claims = models.PositiveIntegerField()
    taken_at = models.DateTimeField()

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["day", "basis", "payer", "site_of_care", "bucket"], name="ar_snapshot_once"
            )
        ]

    def __str__(self) -> str:
        return f"A/R {self.day} {self.bucket}"

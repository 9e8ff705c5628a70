"""What the managers' figures mean: aging buckets, which claims are receivables, which adjustments
are contractual, how a denial reason is grouped, and each KPI's definition with its benchmark.

Pure data (no Django). The SQL in reports.services.facts is generated from these tables, and the
pages print the definitions from here, so the page, the API and the computation share one text.

Sources: HFMA MAP Keys (days in A/R, A/R over 90 days, clean claim rate, initial denial rate, net
collection / cash-to-net), the Claim Integrity Task Force definitions (initial denial rate by
count and by dollars, at claim and line level), MGMA / AAFP practice (days in A/R from the last
three months of charges; adjusted collection rate; first-pass resolution). The benchmarks are the
targets named in issue 14: clean claims >= 95 %, first-pass >= 90 %, denials < 5 %, days in A/R
< 35, net collection >= 95 %.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from enum import StrEnum


@dataclass(frozen=True)
class Bucket:
    key: str
    label: str
    low: int  # days since the basis date, inclusive
    high: int | None  # inclusive; None: no upper end


# Days counted from the date of service or from the first submission (the page's switch).
BUCKETS: tuple[Bucket, ...] = (
    Bucket("0_30", "0–30", 0, 30),
    Bucket("31_60", "31–60", 31, 60),
    Bucket("61_90", "61–90", 61, 90),
    Bucket("91_120", "91–120", 91, 120),
    Bucket("over_120", "120+", 121, None),
)
BUCKET_KEYS = tuple(b.key for b in BUCKETS)
OVER_90 = ("91_120", "over_120")


def bucket_of(age_days: int) -> str:
    """The bucket of a balance `age_days` old (a balance dated in the future counts as 0–30)."""
    for bucket in BUCKETS:
        if bucket.high is None or age_days <= bucket.high:
            return bucket.key
    raise AssertionError("the last bucket has no upper end")  # pragma: no cover


class AgingBasis(StrEnum):
    SERVICE = "service"  # date of service (first day)
    SUBMISSION = "submission"  # first submission to the payer (first move to submitted)

    @property
    def label(self) -> str:
        return {"service": "date of service", "submission": "first submission"}[self.value]


# Claim statuses whose balance is a receivable: filed with the payer (submitted, in
# adjudication, adjudicated, appealed) or back from it rejected (the money is still owed and
# waiting on us), and closed claims that still carry money (a credit to refund, a balance left).
# Drafts and claims waiting to be sent are unbilled charges, not A/R; void and replaced claims
# carry nothing (the replacement carries the balance).
AR_STATUSES: tuple[str, ...] = (
    "submitted",
    "accepted",
    "rejected",
    "paid",
    "partially_paid",
    "denied",
    "appealed",
    "closed",
)

# CO adjustments that are the contract's price, not a loss: the denominator of the net collection
# rate takes them off the charges. CARC 45 (charge exceeds the fee schedule / maximum allowable),
# 253 (sequestration), 237 (legislated / regulatory penalty), 131 (claim-specific negotiated
# discount), 44 (prompt-pay discount), 94 (processed in excess of charges), 42 (charges exceed our
# fee schedule; inactive, still sent by some payers).
CONTRACTUAL_CARCS: tuple[str, ...] = ("45", "253", "237", "131", "44", "94", "42")

# First adjudication statuses (CLP02) that resolve a claim: processed as primary, secondary,
# tertiary, or forwarded (19-21).
RESOLVING_CLP02: tuple[str, ...] = ("1", "2", "3", "19", "20", "21")


class DenialCategory(StrEnum):
    ELIGIBILITY = "eligibility"
    AUTHORIZATION = "authorization"
    MEDICAL_NECESSITY = "medical_necessity"
    CODING = "coding"
    BUNDLING = "bundling"
    DUPLICATE = "duplicate"
    TIMELY_FILING = "timely_filing"
    MISSING_INFORMATION = "missing_information"
    COORDINATION = "coordination_of_benefits"
    NON_COVERED = "non_covered"
    OTHER = "other"

    @property
    def label(self) -> str:
        return _CATEGORY_LABELS[self]


_CATEGORY_LABELS = {
    DenialCategory.ELIGIBILITY: "Eligibility and coverage",
    DenialCategory.AUTHORIZATION: "Prior authorization",
    DenialCategory.MEDICAL_NECESSITY: "Medical necessity",
    DenialCategory.CODING: "Coding",
    DenialCategory.BUNDLING: "Bundling",
    DenialCategory.DUPLICATE: "Duplicate claim",
    DenialCategory.TIMELY_FILING: "Timely filing",
    DenialCategory.MISSING_INFORMATION: "Missing or invalid information",
    DenialCategory.COORDINATION: "Coordination of benefits",
    DenialCategory.NON_COVERED: "Non-covered service",
    DenialCategory.OTHER: "Other",
}

# CARC -> category, for analytics from the remittances (X12 CARC list meanings). The denials app
# keeps the catalog billers work from; this grouping only sorts the bars.
_CARC_CATEGORY: dict[str, DenialCategory] = {
    **dict.fromkeys(("27", "26", "31", "32", "33", "177", "200", "B7", "B9"), DenialCategory.ELIGIBILITY),
    **dict.fromkeys(("197", "198", "15", "62", "39", "288"), DenialCategory.AUTHORIZATION),
    **dict.fromkeys(
        ("50", "55", "56", "57", "58", "167", "150", "151", "152"), DenialCategory.MEDICAL_NECESSITY
    ),
    **dict.fromkeys(("4", "5", "6", "7", "8", "9", "10", "11", "40", "182", "199"), DenialCategory.CODING),
    **dict.fromkeys(("97", "234", "B15", "236"), DenialCategory.BUNDLING),
    **dict.fromkeys(("18",), DenialCategory.DUPLICATE),
    **dict.fromkeys(("29",), DenialCategory.TIMELY_FILING),
    **dict.fromkeys(
        ("16", "252", "A1", "125", "206", "207", "208", "227"), DenialCategory.MISSING_INFORMATION
    ),
    **dict.fromkeys(("22", "23", "24", "109", "B11"), DenialCategory.COORDINATION),
    **dict.fromkeys(("96", "204", "49", "119", "35"), DenialCategory.NON_COVERED),
}


def denial_category(carc: str) -> DenialCategory:
    return _CARC_CATEGORY.get((carc or "").strip().upper(), DenialCategory.OTHER)


class Better(StrEnum):
    HIGHER = "higher"
    LOWER = "lower"


@dataclass(frozen=True)
class Kpi:
    key: str
    name: str
    unit: str  # "%", "days"
    definition: str
    better: Better
    target: Decimal | None  # the benchmark, in `unit`
    source: str


KPIS: tuple[Kpi, ...] = (
    Kpi(
        "days_in_ar",
        "Days in A/R",
        "days",
        "Net A/R at the end of the month (debit balances less credit balances, insurance and patient) "
        "divided by the average daily charges of the last three months (charges by date of service "
        "÷ the days in those months). The month's A/R comes from the daily snapshot of its last day; "
        "the current month uses today's A/R.",
        Better.LOWER,
        Decimal("35"),
        "HFMA MAP Key AR-1; MGMA",
    ),
    Kpi(
        "clean_claim",
        "Clean-claim rate",
        "%",
        "Claims first submitted in the month that passed every scrubber edit with no manual change and "
        "were not rejected by the clearinghouse or payer (999 / 277CA) ÷ claims first submitted in the "
        "month. A claim rejected and then accepted is not clean; nor is one edited after its scrub.",
        Better.HIGHER,
        Decimal("95"),
        "HFMA MAP Key PAS-1 (clean claim rate)",
    ),
    Kpi(
        "first_pass",
        "First-pass resolution",
        "%",
        "Claims whose first remittance (in the month) paid them or moved them to patient responsibility, "
        "with no denied line and no rejection before it ÷ claims adjudicated for the first time in the month.",
        Better.HIGHER,
        Decimal("90"),
        "HFMA Claim Integrity Task Force; MGMA",
    ),
    Kpi(
        "denial_count",
        "Initial denial rate (claims)",
        "%",
        "Claims whose first remittance denied the claim (CLP02 4) or at least one line (paid nothing, "
        "with an adjustment that is not the patient's) ÷ claims adjudicated for the first time in the month.",
        Better.LOWER,
        Decimal("5"),
        "HFMA MAP Key PAS-2 (initial denial rate); Claim Integrity Task Force",
    ),
    Kpi(
        "denial_dollars",
        "Initial denial rate (dollars)",
        "%",
        "Charges of the lines denied on the first remittance (the whole charge of a denied claim) ÷ "
        "charges of the claims adjudicated for the first time in the month.",
        Better.LOWER,
        Decimal("5"),
        "Claim Integrity Task Force (denial rate by dollars)",
    ),
    Kpi(
        "denial_lines",
        "Initial denial rate (lines)",
        "%",
        "Lines denied on the first remittance ÷ lines on the first remittances of the month.",
        Better.LOWER,
        Decimal("5"),
        "Claim Integrity Task Force (line-level denial rate)",
    ),
    Kpi(
        "net_collection",
        "Net collection rate",
        "%",
        "Payments posted on the claims first adjudicated in the month (net of reversals) ÷ (their charges − "
        "contractual adjustments: CO with CARC 45, 253, 237, 131, 44, 94 or 42). Patient payments count "
        "once the patient ledger posts them; until then the patient's share is still to collect.",
        Better.HIGHER,
        Decimal("95"),
        "HFMA MAP Key AR-4 (net collection / cash to net revenue); MGMA adjusted collection rate",
    ),
    Kpi(
        "charge_lag",
        "Charge lag",
        "days",
        "Average days from the visit signed to its claim built, for claims built in the month.",
        Better.LOWER,
        Decimal("2"),
        "MGMA practice (charge entry lag)",
    ),
    Kpi(
        "submission_lag",
        "Submission lag",
        "days",
        "Average days from the claim built to its first submission (batch released), for claims first "
        "submitted in the month.",
        Better.LOWER,
        Decimal("2"),
        "HFMA (days from discharge / service to bill)",
    ),
    Kpi(
        "era_posting_lag",
        "ERA posting lag",
        "days",
        "Average days from a claim's first remittance received (835 file stored) to its posting, for "
        "remittances posted in the month.",
        Better.LOWER,
        Decimal("2"),
        "MGMA practice (payment posting lag)",
    ),
    Kpi(
        "auth_first_dose",
        "Authorization before first dose",
        "%",
        "Orders whose first signed visit (first dose) is in the month and that had an approved "
        "authorization in force, recorded before that day, or a recorded reason none is required ÷ "
        "orders with their first dose in the month. Not split by payer.",
        Better.HIGHER,
        Decimal("100"),
        "Infusion practice (prior authorization before first dose)",
    ),
    Kpi(
        "ar_over_90",
        "A/R over 90 days",
        "%",
        "Open debit balances older than 90 days from the date of service ÷ all open debit balances, at the "
        "end of the month (its last daily snapshot; the current month: today).",
        Better.LOWER,
        Decimal("15"),
        "HFMA MAP Key AR-2 (aged A/R as a percentage of billed A/R)",
    ),
)
KPI_BY_KEY = {k.key: k for k in KPIS}

# The measures the monthly rollup stores (numerator, denominator) and the KPIs they give.
# days_in_ar and ar_over_90 come from the A/R snapshots and the "charges" measure.
RATIO_MEASURES = (
    "clean_claim",
    "first_pass",
    "denial_count",
    "denial_dollars",
    "denial_lines",
    "net_collection",
    "auth_first_dose",
)
AVERAGE_MEASURES = ("charge_lag", "submission_lag", "era_posting_lag")
MEASURES = (*RATIO_MEASURES, *AVERAGE_MEASURES, "charges", "appeal_overturn")

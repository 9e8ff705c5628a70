"""Denial-risk score of a claim before it is submitted, from this office's own history (DEN-RS1).

Pure. For the claim's payer and each procedure code on it, the history of the last 12 months:
`n` claims with that code this payer adjudicated, and of those `d_c` with a denial of the code's
line in category `c` (d = claims with any denial of it). The probability that the code is denied
is the posterior mean of a Beta prior updated with that history:

    p_code = (d + k * m) / (n + k)

where `m` is the office's own denial rate with this payer over all its adjudicated claims,
itself Laplace-smoothed, m = (D + 1) / (N + 2), and k = PRIOR_WEIGHT (2 pseudo-claims): with
no history p_code = m, and a code's own history outweighs the prior after a few claims. The
claim's probability is the largest p_code of its codes: the lines of one claim fail together
(the same patient, coverage, authorization), so multiplying their chances would overstate it;
the largest is what the biller can act on. The reasons name every (code, category) with
denials, in words, most frequent first.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

PRIOR_WEIGHT = 2
FOUR = Decimal("0.0001")


@dataclass(frozen=True, slots=True)
class CodeHistory:
    """One code's last 12 months with one payer."""

    code: str
    claims: int  # n: adjudicated claims with this code
    denied: int  # d: of those, with a denial of the code's line
    by_category: Mapping[str, int] = field(default_factory=dict)  # d_c per category label


@dataclass(frozen=True, slots=True)
class Risk:
    probability: Decimal  # 0..1, four places
    reasons: tuple[str, ...]


def office_rate(*, denied_claims: int, claims: int) -> Decimal:
    """m: the office's Laplace-smoothed denial rate with the payer."""
    return Decimal(denied_claims + 1) / Decimal(claims + 2)


def code_probability(history: CodeHistory, prior: Decimal) -> Decimal:
    """p_code, the Beta posterior mean."""
    return (Decimal(history.denied) + PRIOR_WEIGHT * prior) / Decimal(history.claims + PRIOR_WEIGHT)


def score(*, payer: str, codes: Sequence[str], history: Mapping[str, CodeHistory], prior: Decimal) -> Risk:
    """DEN-RS1: the claim's probability of denial and the reasons in words."""
    if not codes:
        return Risk(prior.quantize(FOUR, ROUND_HALF_UP), ())
    seen = list(dict.fromkeys(codes))
    best = max(code_probability(history.get(c, CodeHistory(c, 0, 0)), prior) for c in seen)
    found: list[tuple[int, float, str]] = []
    for code in seen:
        h = history.get(code)
        if h is None or not h.claims:
            continue
        for category, count in h.by_category.items():
            if count:
                found.append(
                    (
                        count,
                        count / h.claims,
                        f"{payer} denied {count} of {h.claims} claims with {code} for {category} in the last 12 months",
                    )
                )
    found.sort(key=lambda r: (-r[1], -r[0], r[2]))
    reasons = [text for _, _, text in found]
    if not any(history.get(c) and history[c].claims for c in seen):
        reasons.append(
            f"No history with {payer} for {', '.join(seen)} in the last 12 months: "
            f"the office's rate with this payer ({prior * 100:.0f}%) is used"
        )
    return Risk(best.quantize(FOUR, ROUND_HALF_UP), tuple(reasons))

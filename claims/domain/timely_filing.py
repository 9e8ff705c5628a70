"""A claim's filing deadline with its payer (TF-4), for the claim page and the denials app's
timely-filing alerts (TF-5). Pure.

- Medicare fee-for-service (TF-1): one calendar year after the date of service: the earliest
  line's from date on an 837P, the claim's through date on an 837I; a secondary-payer situation
  does not extend it.
- Any other payer: the payer's timely-filing days (intake) after the date of service; for a
  secondary or tertiary claim, after the primary's adjudication (the remittance date of the
  prior payer's 835) when we have it (TF-2 examples count secondaries from the primary's EOB).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta


@dataclass(frozen=True, slots=True)
class FilingDeadline:
    deadline: date
    basis: str  # in words, for the claim page


def _add_year(day: date) -> date:
    try:
        return day.replace(year=day.year + 1)
    except ValueError:  # 29 February -> 28 February (TF-1)
        return day.replace(year=day.year + 1, day=28)


def filing_deadline(
    *,
    payer_kind: str,
    timely_filing_days: int,
    form: str,
    service_from: date,
    service_to: date,
    payer_sequence: str = "P",
    prior_adjudication: date | None = None,
) -> FilingDeadline:
    """TF-4."""
    if payer_kind == "medicare":
        if form == "837I":
            return FilingDeadline(
                _add_year(service_to), "one calendar year after the through date (Medicare)"
            )
        return FilingDeadline(
            _add_year(service_from), "one calendar year after the date of service (Medicare)"
        )
    if payer_sequence != "P" and prior_adjudication is not None:
        return FilingDeadline(
            prior_adjudication + timedelta(days=timely_filing_days),
            f"{timely_filing_days} days after the prior payer's adjudication of {prior_adjudication:%Y-%m-%d}",
        )
    return FilingDeadline(
        service_from + timedelta(days=timely_filing_days),
        f"{timely_filing_days} days after the date of service",
    )


def latest_adjudication(prior_adjudications: list[dict[str, object]]) -> date | None:
    """The latest `adjudication_date` among a claim's prior adjudications (as stored), or None."""
    days: list[date] = []
    for row in prior_adjudications:
        value = row.get("adjudication_date") if isinstance(row, dict) else None
        if isinstance(value, str):
            try:
                days.append(date.fromisoformat(value))
            except ValueError:
                continue
    return max(days) if days else None

"""CARC and RARC descriptions for pages: the one lookup (payments/data/carc.csv, rarc.csv).

A code not in the files is shown as its code alone, never refused: payers use the whole X12 list
and the files carry the codes infusion remittances show. The denial reason catalog (categories,
actions) is a different thing and lives with denials; this only puts words next to a code.
"""

from __future__ import annotations

import csv
from decimal import Decimal
from functools import cache
from pathlib import Path

from payments.domain.codes import AdjustmentGroup

DATA = Path(__file__).resolve().parent / "data"
_GROUPS = {g.value: g.meaning for g in AdjustmentGroup}


@cache
def _table(name: str) -> dict[str, str]:
    with (DATA / name).open(newline="", encoding="utf-8") as handle:
        return {row["code"].strip().upper(): row["description"].strip() for row in csv.DictReader(handle)}


def carc_description(code: str) -> str:
    """The short description of a claim adjustment reason code, or "" when not listed."""
    return _table("carc.csv").get((code or "").strip().upper(), "")


def rarc_description(code: str) -> str:
    """The short description of a remittance advice remark code, or "" when not listed."""
    return _table("rarc.csv").get((code or "").strip().upper(), "")


def group_meaning(group: str) -> str:
    return _GROUPS.get(group, group)


def adjustment_in_words(group: str, reason: str, amount: Decimal | None = None) -> str:
    """E.g. "CO-45 Contractual obligation: Charge exceeds fee schedule/... (120.00)"."""
    description = carc_description(reason) or f"CARC {reason}"
    text = f"{group}-{reason} {group_meaning(group)}: {description}"
    return f"{text} ({amount})" if amount is not None else text

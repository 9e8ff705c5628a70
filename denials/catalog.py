"""The reason catalog as the app uses it: the shipped mapping (denials/data/reason_map.csv), the
CARC and RARC descriptions of the payments app's code lists (payments/data, one home per fact),
and the admins' refinements (ReasonRule rows), handed to the pure `denials.domain.catalog`."""

from __future__ import annotations

import csv
from functools import cache
from pathlib import Path

from denials.domain.catalog import ADMIN, Catalog, Explanation, Rule, explain, rules_from_rows
from denials.domain.types import Category, NextAction
from payments.domain.codes import AdjustmentGroup
from payments.reason_codes import DATA as PAYMENTS_DATA
from payments.reason_codes import carc_description

DATA = Path(__file__).resolve().parent / "data"


def _codes(name: str) -> dict[str, str]:
    with (PAYMENTS_DATA / name).open(newline="", encoding="utf-8") as handle:
        return {row["code"].strip().upper(): row["description"].strip() for row in csv.DictReader(handle)}


@cache
def shipped_catalog() -> Catalog:
    with (DATA / "reason_map.csv").open(newline="", encoding="utf-8") as handle:
        rules = rules_from_rows(csv.DictReader(handle))
    return Catalog(
        rules=rules,
        carc_descriptions=_codes("carc.csv"),
        rarc_descriptions=_codes("rarc.csv"),
        group_meanings={g.value: g.meaning for g in AdjustmentGroup},
    )


def admin_rules() -> list[Rule]:
    from denials.models import ReasonRule

    return [
        Rule(
            group=r.group,
            carc=r.carc,
            rarc=r.rarc,
            payer=r.payer.payer_id if r.payer else "",
            payer_kind=r.payer_kind,
            category=Category(r.category) if r.category else None,
            action=NextAction(r.next_action),
            sentence=r.sentence,
            source=ADMIN,
            rule_id="DEN-M1",
        )
        for r in ReasonRule.objects.filter(active=True).select_related("payer").order_by("pk")
    ]


def current_catalog() -> Catalog:
    """Shipped rules with the admins' active refinements in front (read per call: a few rows)."""
    return shipped_catalog().with_rules(admin_rules())


def explain_code(
    *, group: str, carc: str, rarcs: tuple[str, ...] = (), payer=None, catalog: Catalog | None = None
) -> Explanation:
    return explain(
        catalog or current_catalog(),
        group=group,
        carc=carc,
        rarcs=rarcs,
        payer=payer.payer_id if payer else "",
        payer_kind=payer.kind if payer else "",
    )


def reason_in_words(group: str, carc: str) -> str:
    """'CO-197 Precertification/authorization/notification/pre-treatment absent' (the code list's
    description; 'CARC 999' for a code the list does not carry)."""
    return f"{group}-{carc} {carc_description(carc) or 'CARC ' + carc}"

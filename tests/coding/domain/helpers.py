"""Small builders for encounter dicts and line multisets used by the rule tests."""

from __future__ import annotations

from collections import Counter
from dataclasses import replace

from coding.domain.catalog import CodeTables
from coding.domain.engine import code_encounter
from coding.domain.parse import parse_encounter
from coding.domain.types import CodingResult


def enc(**fields) -> dict:
    data = {
        "id": "t-1",
        "date_of_service": "2026-11-02",
        "site_of_care": "office",
        "payer_type": "commercial",
        "administrations": [],
        "home_therapies": [],
        "nursing_visits": [],
    }
    data.update(fields)
    return data


def adm(
    start: str,
    stop: str | None = None,
    drug: str | None = None,
    dose: str | None = None,
    route: str = "iv_infusion",
    unit: str = "mg",
    **fields,
) -> dict:
    out: dict = {"route": route, "start": start}
    if stop is not None:
        out["stop"] = stop
    if drug is not None:
        out["drug"] = drug
        out["dose"] = dose or "1"
        out["dose_unit"] = unit
    out.update(fields)
    return out


def hyd(start: str, stop: str, **fields) -> dict:
    return adm(start, stop, purpose="hydration", **fields)


def run(catalog: CodeTables, data: dict, **options) -> CodingResult:
    tables = catalog
    if options:
        tables = replace(catalog, options=replace(catalog.options, **options))
    return code_encounter(parse_encounter(data, catalog=tables), catalog=tables)


def keys(result: CodingResult, family: str | None = None) -> Counter:
    return Counter(line.key() for line in result.lines if family is None or line.family == family)


def admin(result: CodingResult) -> Counter:
    return keys(result, "administration")


def want(*items) -> Counter:
    """want(("96365",), ("96366", 2), ("96365", 1, "XS")) -> Counter of (code, modifiers, units)."""
    out: Counter = Counter()
    for item in items:
        code = item[0]
        units = item[1] if len(item) > 1 else 1
        mods = tuple(sorted(item[2:]))
        out[(code, mods, units)] += 1
    return out


def codes(result: CodingResult) -> set[str]:
    return {w.code for w in result.warnings}

"""JSON (a dict) -> Encounter, with errors a biller can act on (docs/encounter-format.md).

Every problem raises EncounterError naming the encounter and the field, e.g.
"encounter visit-7: administrations[1].stop 08:00 is before start 09:00". With `catalog`, the drug
codes, dose units and NDCs are checked too (the same checks `code_encounter` makes).
"""

from __future__ import annotations

from typing import Any

from pydantic import ValidationError
from pydantic_core import ErrorDetails

from coding.domain.catalog import CodeTables
from coding.domain.errors import EncounterError
from coding.domain.types import Encounter

# keys of the worked examples that are not part of the encounter
EXAMPLE_KEYS = ("title", "expected_lines", "rules")


def _path(loc: tuple[int | str, ...]) -> str:
    out = ""
    for part in loc:
        if isinstance(part, int):
            out += f"[{part}]"
        elif part in ("function-before[exact_amount(), decimal]",) or "[" in str(part):
            continue
        else:
            out += ("." if out else "") + str(part)
    return out


def _problem(err: ErrorDetails) -> str:
    kind = err.get("type", "")
    value = err.get("input")
    if kind == "missing":
        return "is required"
    if kind == "extra_forbidden":
        return "is not a field of the encounter format"
    if kind == "string_pattern_mismatch":
        return f"{value!r} is not a valid value (clock times are HH:MM)"
    if kind == "literal_error":
        expected = err.get("ctx", {}).get("expected", "")
        return f"{value!r} is not one of {expected}"
    if kind.startswith("decimal") or kind == "value_error":
        msg = err.get("msg", "")
        msg = msg.removeprefix("Value error, ")
        return (
            f"{value!r} is not a decimal amount ({msg})"
            if kind.startswith("decimal")
            else f"{value!r}: {msg}"
        )
    return f"{value!r}: {err.get('msg', 'invalid')}"


def parse_encounter(data: dict[str, Any], *, catalog: CodeTables | None = None) -> Encounter:
    """Validate one encounter dict (format v1). Extra keys of the worked examples (title,
    expected_lines, rules) are ignored. Raises EncounterError."""
    if not isinstance(data, dict):
        raise EncounterError("?", "", "an encounter must be a JSON object")
    raw_id = data.get("id")
    eid = str(raw_id) if raw_id not in (None, "") else "?"
    if any(key in data for key in EXAMPLE_KEYS):
        data = {k: v for k, v in data.items() if k not in EXAMPLE_KEYS}
    try:
        enc = Encounter.model_validate(data)
    except ValidationError as exc:
        err = exc.errors()[0]
        raise EncounterError(eid, _path(err["loc"]), _problem(err)) from None
    _check_times(enc)
    if catalog is not None:
        # the engine's own checks (drug codes, units, NDC) without keeping its lines
        from coding.domain.engine import code_encounter

        code_encounter(enc, catalog=catalog)
    return enc


def parse_encounters(items: list[Any], *, catalog: CodeTables | None = None) -> list[Encounter]:
    """A JSON list of encounters (manage.py code_visits FILE.json)."""
    if not isinstance(items, list):
        raise EncounterError("?", "", "expected a JSON list of encounters")
    return [parse_encounter(item, catalog=catalog) for item in items]


def _check_times(enc: Encounter) -> None:
    """ADM-T4: start/stop are required for infusions and a stop may not precede its start."""
    for i, a in enumerate(enc.administrations):
        if a.stop is None:
            if a.route in ("iv_infusion", "subcutaneous_infusion"):
                raise EncounterError(
                    enc.id,
                    f"administrations[{i}].stop",
                    "is required for an infusion: start and stop times are documented (ADM-T4)",
                )
        elif a.stop < a.start and not a.ends_next_day:
            raise EncounterError(enc.id, f"administrations[{i}].stop", f"{a.stop} is before start {a.start}")
        if a.drug is not None and a.dose is None:
            raise EncounterError(
                enc.id, f"administrations[{i}].dose", f"is required when a drug ({a.drug}) is given"
            )
    for i, v in enumerate(enc.nursing_visits):
        if v.stop < v.start and not v.ends_next_day:
            raise EncounterError(enc.id, f"nursing_visits[{i}].stop", f"{v.stop} is before start {v.start}")

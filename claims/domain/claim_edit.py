"""A biller's correction of a claim: the editable state, the changes asked for, what changed,
and the version two billers' saves are checked against.

Pure. The claims service reads the claim into a `ClaimState`, applies the biller's `ClaimChanges`
with `claims.domain.claim_edit_apply.apply_changes` (which refuses the whole edit with a message
per field when any value is wrong) and writes the result; `changed_fields` is what the ClaimEvent
records, `edit_version` the version an edit must quote.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field, fields
from datetime import date
from decimal import Decimal
from typing import Any

from claims.domain.types import ClaimForm
from infusion_rcm.common.errors import InvalidInputError

NDC_UNITS = ("UN", "ML", "GR", "F2", "ME")

CLAIM_FIELDS = ("diagnosis_codes", "prior_auth_number", "place_of_service")
LINE_FIELDS = (
    "code",
    "modifiers",
    "units",
    "charge",
    "service_date_from",
    "service_date_to",
    "diagnosis_pointers",
    "ndc",
    "ndc_quantity",
    "ndc_unit",
    "revenue_code",
)


@dataclass(frozen=True, slots=True)
class LineState:
    """One service line as a biller edits it; `key` is its line control number (REF*6R)."""

    key: str
    code: str
    units: Decimal
    charge: Decimal
    service_date_from: date
    service_date_to: date
    modifiers: tuple[str, ...] = ()
    diagnosis_pointers: tuple[int, ...] = ()
    ndc: str = ""
    ndc_quantity: Decimal | None = None
    ndc_unit: str = ""
    revenue_code: str = ""

    def label(self) -> str:
        return f"{self.code}{'-' + '-'.join(self.modifiers) if self.modifiers else ''} x{_show(self.units)}"


@dataclass(frozen=True, slots=True)
class ClaimState:
    """The editable part of a claim. `providers` maps a provider role (the claim's field name,
    e.g. referring_provider) to the provider's NPI, "" when none is set."""

    form: ClaimForm
    diagnosis_codes: tuple[str, ...]
    prior_auth_number: str
    place_of_service: str
    providers: tuple[tuple[str, str], ...]
    lines: tuple[LineState, ...]


@dataclass(frozen=True, slots=True)
class LineChange:
    """A change to one line: `key` names an existing line (its control number), "" adds a line.
    `values` holds only the fields given; the others keep their value."""

    key: str = ""
    values: Mapping[str, Any] = field(default_factory=dict)
    remove: bool = False


@dataclass(frozen=True, slots=True)
class ClaimChanges:
    """Claim-level values given (CLAIM_FIELDS and provider roles, by NPI) and line changes;
    a line the changes do not mention is left as it is."""

    values: Mapping[str, Any] = field(default_factory=dict)
    lines: tuple[LineChange, ...] = ()

    @classmethod
    def from_data(cls, data: Mapping[str, Any], *, roles: tuple[str, ...] = ()) -> ClaimChanges:
        """From a form's or an API payload's values: claim fields and `roles` by name, `lines` a
        list of dicts with `line_control_number` (absent or empty adds a line) and `remove`."""
        values = {name: data[name] for name in (*CLAIM_FIELDS, *roles) if name in data}
        lines = tuple(
            LineChange(
                key=str(line.get("line_control_number") or ""),
                values={name: line[name] for name in LINE_FIELDS if name in line},
                remove=bool(line.get("remove", False)),
            )
            for line in data.get("lines") or ()
        )
        return cls(values=values, lines=lines)


@dataclass(frozen=True, slots=True)
class FieldChange:
    """One changed field: `field` is a claim field or `lines[N].field` (N = line number)."""

    field: str
    old: str
    new: str

    def as_dict(self) -> dict[str, str]:
        return {"field": self.field, "old": self.old, "new": self.new}


@dataclass(frozen=True, slots=True)
class EditChecks:
    """Lookups outside the claim. Each returns a message a biller can act on, or None when fine.

    `diagnosis` checks one code against the ICD-10-CM code set, `code` a CPT/HCPCS code on a date
    against the code sets in force, `provider` a role and NPI against the providers on file.
    """

    diagnosis: Callable[[str], str | None] | None = None
    code: Callable[[str, date], str | None] | None = None
    provider: Callable[[str, str], str | None] | None = None


class ClaimEditInvalidError(InvalidInputError):
    """The edit was refused whole; `errors` maps a field path to what to do about it."""

    code = "claim.edit_invalid"

    def __init__(self, errors: Mapping[str, str]) -> None:
        first = next(iter(errors.values()))
        more = len(errors) - 1
        message = first if not more else f"{first} (and {more} more problem{'s' if more > 1 else ''})"
        super().__init__(message, extra={"errors": dict(errors)})
        self.errors = dict(errors)


# ---------------------------------------------------------------------------
# What changed, and the version
# ---------------------------------------------------------------------------


def _show(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, tuple):
        return ", ".join(_show(v) for v in value)
    if isinstance(value, Decimal):
        text = format(value, "f")
        return text.rstrip("0").rstrip(".") if "." in text else text
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def changed_fields(before: ClaimState, after: ClaimState) -> list[FieldChange]:
    """Every field that differs, claim fields first, then lines by their number after the edit.

    Lines are matched by key; a removed line is `lines[N]` (its number before) -> removed, an
    added one `lines[N]` (its number after) <- added.
    """
    out = [
        FieldChange(name, _show(getattr(before, name)), _show(getattr(after, name)))
        for name in CLAIM_FIELDS
        if getattr(before, name) != getattr(after, name)
    ]
    old_providers, new_providers = dict(before.providers), dict(after.providers)
    out += [
        FieldChange(role, old_providers[role], new_providers[role])
        for role in old_providers
        if old_providers[role] != new_providers.get(role)
    ]
    old_numbers = {line.key: n for n, line in enumerate(before.lines, start=1)}
    old_lines = {line.key: line for line in before.lines}
    new_keys = {line.key for line in after.lines if line.key}
    for key, line in old_lines.items():
        if key not in new_keys:
            out.append(FieldChange(f"lines[{old_numbers[key]}]", line.label(), "removed"))
    for number, line in enumerate(after.lines, start=1):
        old = old_lines.get(line.key) if line.key else None
        if old is None:
            out.append(FieldChange(f"lines[{number}]", "", f"added {line.label()}"))
            continue
        if old_numbers[line.key] != number:
            out.append(
                FieldChange(
                    f"lines[{old_numbers[line.key]}].line_number", str(old_numbers[line.key]), str(number)
                )
            )
        out += [
            FieldChange(f"lines[{number}].{name}", _show(getattr(old, name)), _show(getattr(line, name)))
            for name in LINE_FIELDS
            if getattr(old, name) != getattr(line, name)
        ]
    return out


def edit_version(state: ClaimState) -> str:
    """A short digest of the editable state: an edit is refused when the claim it was made on
    no longer has this version (another biller saved first)."""
    data = {
        "form": state.form.value,
        **{name: _show(getattr(state, name)) for name in CLAIM_FIELDS},
        "providers": [list(p) for p in state.providers],
        "lines": [{f.name: _show(getattr(line, f.name)) for f in fields(line)} for line in state.lines],
    }
    blob = json.dumps(data, sort_keys=True, separators=(",", ":"))
    return hashlib.sha256(blob.encode()).hexdigest()[:20]

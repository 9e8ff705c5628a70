"""Applying a biller's changes to a claim: every value checked, the edit refused whole.

Pure. What is refused here and what is left to the scrubber: a value a biller typed must be well
formed and consistent (code and modifier shape, whole positive units, a charge in cents, dates in
order, pointers to diagnoses on the claim, an NDC with its quantity and unit, billable ICD-10-CM
codes). Lines the edit leaves alone are not re-judged: what is still wrong with them stays a
scrubber edit. Sources: 005010X222A1 2300 HI (at most 12 diagnoses on an 837P), CLM05-1, REF*G1;
2400 SV1-01..07 (code, up to 4 modifiers, charge, units, up to 4 pointers), DTP*472; 2410 LIN03 /
CTP04 / CTP05 (REFERENCE DRG-N1..N3); 005010X223A2 SV201 revenue code.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import replace
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from claims.domain.claim_edit import (
    CLAIM_FIELDS,
    LINE_FIELDS,
    NDC_UNITS,
    ClaimChanges,
    ClaimEditInvalidError,
    ClaimState,
    EditChecks,
    LineChange,
    LineState,
)
from claims.domain.claim_edit_values import FIELD_NAMES, FORMAT_HINTS, PARSERS, blank
from claims.domain.types import ClaimForm
from infusion_rcm.common.identifiers import normalize_icd10cm, normalize_ndc

MAX_DIAGNOSES = {ClaimForm.PROFESSIONAL: 12, ClaimForm.INSTITUTIONAL: 25}
MAX_POINTERS = 4
MAX_MODIFIERS = 4
MAX_AMOUNT = Decimal("99999999.99")
MAX_UNITS = Decimal("99999")
_CENT = Decimal("0.01")
_MILLI = Decimal("0.001")

_CODE = re.compile(r"^[A-Z0-9]{5}$")
_MODIFIER = re.compile(r"^[A-Z0-9]{2}$")
_POS = re.compile(r"^\d{2}$")
_REVENUE = re.compile(r"^\d{4}$")
# REF02 holds the X12 basic character set; an authorization number is letters, digits and hyphens.
_AUTH = re.compile(r"^[A-Z0-9-]{1,50}$")

# ---------------------------------------------------------------------------
# Applying changes
# ---------------------------------------------------------------------------


def apply_changes(
    state: ClaimState, changes: ClaimChanges, *, checks: EditChecks | None = None
) -> ClaimState:
    """The claim after `changes`, or ClaimEditInvalidError naming every wrong value.

    Error keys: a claim field, a provider role, `lines.I.field` (I = position in changes.lines),
    `lines.I` for the line as a whole, or `lines` for the set of lines.
    """
    checks = checks or EditChecks()
    errors: dict[str, str] = {}
    values = dict(changes.values)
    roles = [role for role, _ in state.providers]
    for name in values:
        if name not in CLAIM_FIELDS and name not in roles:
            errors[name] = f"'{name}' cannot be changed on a claim."

    diagnoses = state.diagnosis_codes
    if "diagnosis_codes" in values:
        diagnoses = _diagnoses(values["diagnosis_codes"], state.form, checks, errors)
    auth = state.prior_auth_number
    if "prior_auth_number" in values:
        auth = _prior_auth(values["prior_auth_number"], errors)
    pos = state.place_of_service
    if "place_of_service" in values:
        pos = _place_of_service(values["place_of_service"], state.form, errors)
    providers = []
    for role, npi in state.providers:
        if role in values:
            npi = _provider(role, values[role], checks, errors)
        providers.append((role, npi))

    lines = _lines(state, changes.lines, diagnoses, checks, errors)
    if not errors and diagnoses != state.diagnosis_codes:
        _pointers_still_in_range(lines, changes.lines, diagnoses, state.form, errors)
    if errors:
        raise ClaimEditInvalidError(errors)
    return ClaimState(
        form=state.form,
        diagnosis_codes=diagnoses,
        prior_auth_number=auth,
        place_of_service=pos,
        providers=tuple(providers),
        lines=lines,
    )


def _lines(
    state: ClaimState,
    changes: tuple[LineChange, ...],
    diagnoses: tuple[str, ...],
    checks: EditChecks,
    errors: dict[str, str],
) -> tuple[LineState, ...]:
    by_key = {line.key: line for line in state.lines}
    number = {line.key: n for n, line in enumerate(state.lines, start=1)}
    result: dict[str, LineState] = dict(by_key)
    removed: set[str] = set()
    added: list[LineState] = []
    seen: set[str] = set()
    for index, change in enumerate(changes):
        where = f"lines.{index}"
        unknown = [k for k in change.values if k not in LINE_FIELDS]
        if unknown:
            errors[f"{where}.{unknown[0]}"] = f"'{unknown[0]}' is not a line field."
            continue
        if change.key:
            if change.key not in by_key:
                errors[where] = f"No line {change.key} on this claim: reload the claim and edit it again."
                continue
            if change.key in seen:
                errors[where] = f"Line {number[change.key]} is changed twice in one edit."
                continue
            seen.add(change.key)
            if change.remove:
                removed.add(change.key)
                continue
            current = by_key[change.key]
            proposed = _merge(current, change.values, f"Line {number[change.key]}", where, errors)
            if proposed is not None and proposed != current:
                _check_line(
                    proposed, state.form, diagnoses, checks, f"Line {number[change.key]}", where, errors
                )
                result[change.key] = proposed
        elif not change.remove:
            label = f"New line {len(added) + 1}"
            proposed = _new_line(change.values, state.form, label, where, errors)
            if proposed is not None:
                _check_line(proposed, state.form, diagnoses, checks, label, where, errors)
                added.append(proposed)
    kept = [result[line.key] for line in state.lines if line.key not in removed]
    lines = (*kept, *added)
    if not lines and not errors:
        errors["lines"] = "A claim needs at least one line: to bill nothing, void the claim instead."
    return lines


_REQUIRED_NEW = ("code", "units", "charge", "service_date_from")


def _new_line(
    values: Mapping[str, Any], form: ClaimForm, label: str, where: str, errors: dict[str, str]
) -> LineState | None:
    missing = [name for name in _REQUIRED_NEW if blank(values.get(name))]
    for name in missing:
        errors[f"{where}.{name}"] = f"{label}: enter the {FIELD_NAMES[name]}."
    if missing:
        return None
    empty = LineState(
        key="",
        code="",
        units=Decimal(1),
        charge=Decimal(0),
        service_date_from=date.min,
        service_date_to=date.min,
        diagnosis_pointers=(1,) if form is ClaimForm.PROFESSIONAL else (),
    )
    given = dict(values)
    if blank(given.get("service_date_to")):
        given["service_date_to"] = given["service_date_from"]
    return _merge(empty, given, label, where, errors)


def _merge(
    line: LineState, values: Mapping[str, Any], label: str, where: str, errors: dict[str, str]
) -> LineState | None:
    """The line with `values` parsed in; None (and errors) when a value has the wrong type."""
    parsed: dict[str, Any] = {}
    for name, raw in values.items():
        try:
            parsed[name] = PARSERS[name](raw)
        except (TypeError, ValueError, InvalidOperation):
            errors[f"{where}.{name}"] = f"{label}: {FORMAT_HINTS[name]}"
    if len(parsed) != len(values):
        return None
    return replace(line, **parsed)


def _check_line(
    line: LineState,
    form: ClaimForm,
    diagnoses: tuple[str, ...],
    checks: EditChecks,
    label: str,
    where: str,
    errors: dict[str, str],
) -> None:
    def fail(name: str, message: str) -> None:
        errors.setdefault(f"{where}.{name}", f"{label}: {message}")

    if not _CODE.match(line.code):
        fail("code", f"'{line.code}' is not a CPT/HCPCS code: 5 letters or digits, e.g. 96365 or J1745.")
    elif checks.code is not None and (problem := checks.code(line.code, line.service_date_from)):
        fail("code", problem)
    bad_mods = [m for m in line.modifiers if not _MODIFIER.match(m)]
    if bad_mods or len(line.modifiers) > MAX_MODIFIERS or len(set(line.modifiers)) != len(line.modifiers):
        fail("modifiers", FORMAT_HINTS["modifiers"])
    if line.units <= 0 or line.units != line.units.to_integral_value() or line.units > MAX_UNITS:
        fail(
            "units",
            "units are a whole number more than 0 (HCPCS billing units; exact drug amounts go in the NDC quantity).",
        )
    if line.charge < 0 or line.charge > MAX_AMOUNT or line.charge != line.charge.quantize(_CENT):
        fail("charge", FORMAT_HINTS["charge"])
    if line.service_date_to < line.service_date_from:
        fail("service_date_to", "the 'to' date is before the 'from' date.")
    if form is ClaimForm.PROFESSIONAL:
        pointers = line.diagnosis_pointers
        if (
            not pointers
            or len(pointers) > MAX_POINTERS
            or len(set(pointers)) != len(pointers)
            or not all(1 <= p <= len(diagnoses) for p in pointers)
        ):
            fail(
                "diagnosis_pointers",
                f"point at 1 to {MAX_POINTERS} different diagnoses by their number on the claim "
                f"(1 = principal); the claim has {len(diagnoses)}.",
            )
    elif line.revenue_code and not _REVENUE.match(line.revenue_code):
        fail("revenue_code", FORMAT_HINTS["revenue_code"])
    if line.ndc:
        if normalize_ndc(line.ndc) is None:
            fail("ndc", FORMAT_HINTS["ndc"])
        quantity = line.ndc_quantity
        if quantity is None or quantity <= 0 or quantity > MAX_UNITS or quantity != quantity.quantize(_MILLI):
            fail(
                "ndc_quantity",
                "the NDC needs the quantity given: more than 0, up to 3 decimals (2410 CTP04).",
            )
        if line.ndc_unit not in NDC_UNITS:
            fail("ndc_unit", f"the NDC needs its unit: {', '.join(NDC_UNITS)} (2410 CTP05).")
    elif line.ndc_quantity is not None or line.ndc_unit:
        fail("ndc", "an NDC quantity or unit without an NDC: enter the NDC, or clear the quantity and unit.")


def _pointers_still_in_range(
    lines: tuple[LineState, ...],
    changes: tuple[LineChange, ...],
    diagnoses: tuple[str, ...],
    form: ClaimForm,
    errors: dict[str, str],
) -> None:
    """Removing a diagnosis must not leave a line pointing past the end of the list."""
    if form is not ClaimForm.PROFESSIONAL:
        return
    for number, line in enumerate(lines, start=1):
        if any(p > len(diagnoses) for p in line.diagnosis_pointers):
            errors["diagnosis_codes"] = (
                f"Line {number} points at diagnosis {max(line.diagnosis_pointers)}, but the claim would have "
                f"{len(diagnoses)}: change that line's pointers in the same edit."
            )
            return


def _diagnoses(raw: Any, form: ClaimForm, checks: EditChecks, errors: dict[str, str]) -> tuple[str, ...]:
    if isinstance(raw, str):
        raw = re.split(r"[\s,;]+", raw)
    if not isinstance(raw, list | tuple) or not all(isinstance(c, str) for c in raw):
        errors["diagnosis_codes"] = "Diagnoses are a list of ICD-10-CM codes, e.g. C18.9, E86.0."
        return ()
    entered = [c.strip() for c in raw if c.strip()]
    problems = []
    for index, code in enumerate(entered, start=1):
        if checks.diagnosis is not None and (problem := checks.diagnosis(code)):
            problems.append(f"Diagnosis {index}: {problem}")
    codes = tuple(normalize_icd10cm(c) for c in entered)
    if not codes:
        problems.append("Enter at least one diagnosis: the first one is the principal diagnosis.")
    twice = sorted({c for c in codes if codes.count(c) > 1})
    if twice:
        problems.append(f"Diagnosis {', '.join(twice)} is listed twice: keep it once.")
    if len(codes) > MAX_DIAGNOSES[form]:
        problems.append(
            f"An {form.value} claim holds at most {MAX_DIAGNOSES[form]} diagnoses; this edit has {len(codes)}."
        )
    if problems:
        errors["diagnosis_codes"] = " ".join(problems)
    return codes


def _prior_auth(raw: Any, errors: dict[str, str]) -> str:
    value = "" if raw is None else str(raw).strip().upper()
    if value and not _AUTH.match(value):
        errors["prior_auth_number"] = (
            "The prior authorization number is up to 50 letters, digits or hyphens, as the payer issued it."
        )
    return value


def _place_of_service(raw: Any, form: ClaimForm, errors: dict[str, str]) -> str:
    value = "" if raw is None else str(raw).strip()
    if form is ClaimForm.INSTITUTIONAL:
        if value:
            errors["place_of_service"] = "An 837I claim has no place of service (its bill type says where)."
        return ""
    if not _POS.match(value):
        errors["place_of_service"] = (
            "The place of service is 2 digits: 11 office, 12 home, 22 hospital outpatient, "
            "49 independent clinic / infusion suite."
        )
    return value


def _provider(role: str, raw: Any, checks: EditChecks, errors: dict[str, str]) -> str:
    npi = "" if raw is None else str(raw).strip()
    if npi and checks.provider is not None and (problem := checks.provider(role, npi)):
        errors[role] = problem
    return npi

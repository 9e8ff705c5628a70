"""ICD-10-CM diagnosis code checks, backed by the simple_icd_10_cm package.

The code's normal form and shape are `infusion_rcm.common.identifiers` rules; this module adds what
needs the code set: does the code exist, and is it billable.

Pure module. simple_icd_10_cm ships the CMS ICD-10-CM tabular list (chapters, blocks, categories,
subcategories, 7th-character extensions). A code is billable only when it is a leaf of that tree: CMS
ICD-10-CM Official Guidelines for Coding and Reporting, section I.A.3 / I.B.1 ("a code is invalid if it
has not been coded to the full number of characters required for that code, including the 7th
character, if applicable").

The package takes ~1.5 s to load its tables, so it is imported on first use, not at module import.
"""

from __future__ import annotations

import functools
import warnings
from types import ModuleType

from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.identifiers import icd10cm_shape_ok, normalize_icd10cm


@functools.cache
def _icd() -> ModuleType:
    with warnings.catch_warnings():
        # The package loads its data with importlib.resources' legacy API (DeprecationWarning).
        warnings.simplefilter("ignore", DeprecationWarning)
        import simple_icd_10_cm  # heavy data load, deferred on purpose

    module: ModuleType = simple_icd_10_cm  # the package ships no type hints
    return module


def _example_billable(code: str) -> str | None:
    """A billable descendant to suggest: the shortest leaf, preferring the '.9' unspecified one."""
    icd = _icd()
    leaves: list[str] = [d for d in icd.get_descendants(code) if icd.is_leaf(d)]
    if not leaves:
        return None
    shortest = min(len(d) for d in leaves)
    candidates = [d for d in leaves if len(d) == shortest]
    for candidate in candidates:
        if candidate.endswith("9"):
            return candidate
    return candidates[0]


def validate_icd10cm(code: str) -> str:
    """Return the canonical dotted code (E11.9) or raise InvalidInputError.

    Distinct refusals: empty, malformed, unknown to ICD-10-CM, and a known but non-billable
    heading (chapter, block, category or subcategory with children).
    """
    compact = normalize_icd10cm(code)
    if not compact:
        raise InvalidInputError("The diagnosis code is missing.", code="icd10.missing")
    shown = code.strip()
    dotted_input = shown.replace(" ", "")
    misplaced_dot = dotted_input.count(".") > 1 or ("." in dotted_input and dotted_input.index(".") != 3)
    if misplaced_dot or not icd10cm_shape_ok(compact):
        raise InvalidInputError(
            f"{shown!r} is not shaped like an ICD-10-CM code (a letter, two characters, then up to four more, e.g. E11.9).",
            code="icd10.invalid",
        )
    icd = _icd()
    if not icd.is_valid_item(compact):
        raise InvalidInputError(
            f"{shown} is not an ICD-10-CM code: check the code against the current code set.",
            code="icd10.unknown",
        )
    dotted: str = icd.add_dot(compact)
    if not icd.is_leaf(compact):
        example = _example_billable(compact)
        kind = "a category" if icd.is_category(compact) else "a subcategory"
        if icd.is_chapter_or_block(compact):
            kind = "a chapter or block heading"
        suggestion = (
            f": pick a more specific code such as {example}" if example else ": pick a more specific code"
        )
        raise InvalidInputError(
            f"{dotted} is {kind}, not a billable code{suggestion}.",
            code="icd10.not_billable",
            extra={"example": example} if example else None,
        )
    return dotted


def describe_icd10cm(code: str) -> str:
    """Tabular-list description of a known code (billable or not); InvalidInputError when unknown."""
    compact = normalize_icd10cm(code)
    icd = _icd()
    if not compact or not icd10cm_shape_ok(compact) or not icd.is_valid_item(compact):
        raise InvalidInputError(f"{code!r} is not an ICD-10-CM code.", code="icd10.unknown")
    description: str = icd.get_description(compact)
    return description

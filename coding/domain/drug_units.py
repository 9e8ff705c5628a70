"""Drug lines: HCPCS units, JW/JZ and NDC (docs/billing-rules/drugs.md).

DRG-U1/U2 (S28): units = total given that day for the code / the descriptor's dose, rounded up.
DRG-W1..W4 (S29-S35): Medicare single-dose containers carry JW (discarded, rounded down, only when at
least one unit) or JZ (nothing discarded); which payers want them is a CodingOptions setting.
DRG-N1..N3 (S36, S37): NDC in 11-digit 5-4-2 form (normalised by infusion_rcm.common.identifiers),
qualifier N4, quantity and unit qualifier.
"""

from __future__ import annotations

from decimal import ROUND_CEILING, ROUND_FLOOR, Decimal
from typing import NamedTuple, cast

from coding.domain.catalog import CodingOptions, Drug
from coding.domain.lines import LineBook
from coding.domain.types import ChargeLine

_NDC_UNIT_OF_DOSE = {"mL": "ML", "g": "GR", "units": "F2", "mg": "ME", "mcg": "ME"}
_NDC_QTY_SCALE = {"mcg": Decimal("0.001")}
_THOUSANDTH = Decimal("0.001")
_ONE = Decimal(1)
FAMILY = "drug"


class DrugUse:
    """One dose of a drug on the date of service, already converted to the billing unit's measure."""

    __slots__ = (
        "amount",
        "dose",
        "dose_unit",
        "drug",
        "ndc",
        "ndc_quantity",
        "ndc_unit",
        "path",
        "wasted",
        "wasted_dose",
    )

    def __init__(
        self,
        drug: Drug,
        dose: Decimal,
        dose_unit: str,
        wasted: Decimal | None,
        path: str,
        ndc: str | None = None,
        ndc_quantity: Decimal | None = None,
        ndc_unit: str | None = None,
    ):
        scale = drug.scale[dose_unit]
        self.drug = drug
        self.dose = dose
        self.dose_unit = dose_unit
        self.amount = dose * scale if scale != _ONE else dose
        self.wasted = None if wasted is None else (wasted * scale if scale != _ONE else wasted)
        self.wasted_dose = wasted  # as documented, in dose_unit: the JW line's NDC quantity
        self.path = path
        self.ndc = ndc
        self.ndc_quantity = ndc_quantity
        self.ndc_unit = ndc_unit


_MEASURES: dict[tuple[str, Decimal, str], str] = {}


def _measure(drug: Drug) -> str:
    key = (drug.code, drug.billing_unit_amount, drug.billing_unit)
    text = _MEASURES.get(key)
    if text is None:
        text = _MEASURES[key] = f"{_plain(drug.billing_unit_amount)} {drug.billing_unit}"
    return text


def _plain(value: Decimal) -> str:
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text


def code_drugs(uses: list[DrugUse], book: LineBook, opts: CodingOptions, payer: str) -> None:
    """One line per drug code (plus a JW line), in order of first use."""
    groups: dict[str, list[DrugUse]] = {}
    for use in uses:
        group = groups.get(use.drug.code)
        if group is None:
            groups[use.drug.code] = [use]
        else:
            group.append(use)
    jw_payer = payer in opts.jw_jz_payers
    ndc_required = payer in opts.ndc_required_payers
    for code, group in groups.items():
        first = group[0]
        drug = first.drug
        count = len(group)
        if count == 1:
            total = first.amount
            wasted = first.wasted
        else:
            total = sum((u.amount for u in group), Decimal(0))
            wasted = (
                None
                if any(u.wasted is None for u in group)
                else sum((cast(Decimal, u.wasted) for u in group), Decimal(0))
            )
        check_waste = jw_payer and drug.single_dose
        # The amounts go in the key as text: CPython computes a new Decimal's hash from its digits,
        # which costs twice str() (callgrind). Equal text is the same Decimal, so the memo can only
        # miss more often, never answer differently.
        key = (
            id(drug),
            str(total),
            count,
            str(wasted) if check_waste and wasted is not None else None,
            check_waste,
        )
        core = _MEMO.get(key)
        if core is None or core.drug is not drug:
            if len(_MEMO) > _MEMO_MAX:
                _MEMO.clear()
            core = _MEMO[key] = _units_core(drug, total, count, wasted, check_waste)
        if core.units <= 0:
            continue
        if check_waste and wasted is None:
            book.warn(
                "DRG-W2",
                f"{code} is a single-dose container drug for a {payer} claim but the discarded "
                "amount is not documented: record it (0 when none) so JW or JZ can be reported (DRG-W2)",
                first.path + ".wasted",
            )
        ndc, qty, qty_unit = _ndc_fields(group, book, opts) if first.ndc or count > 1 else (None, None, None)
        if ndc is None and ndc_required:
            book.warn(
                "DRG-N3",
                f"{code}: this payer requires the NDC on drug lines (M119 / CARC 211); add the NDC "
                "of the product given (DRG-N3)",
                group[0].path + ".ndc",
            )
        if drug.verify_current:
            book.note(
                "DRG-C1",
                f"{code} ({drug.name}): check the code and descriptor against the current "
                "quarterly HCPCS file before billing (DRG-C1)",
                group[0].path + ".drug",
            )
        if ndc is None:
            # the memo's lines: without an NDC a drug line depends on the memo key alone
            book.add_line(core.line)
            if core.waste_line is not None:
                book.add_line(core.waste_line)
            continue
        line = core.line
        book.add_line(
            ChargeLine(
                code,
                line.modifiers,
                line.units,
                line.reason,
                (*line.rule_ids, "DRG-N1", "DRG-N2"),
                FAMILY,
                ndc,
                "N4",
                qty,
                qty_unit,
            )
        )
        if core.waste_line is not None:
            waste_qty, waste_unit = _waste_ndc_quantity(group)
            waste = core.waste_line
            book.add_line(
                ChargeLine(
                    code,
                    waste.modifiers,
                    waste.units,
                    waste.reason,
                    waste.rule_ids,
                    FAMILY,
                    ndc,
                    "N4",
                    waste_qty,
                    waste_unit,
                )
            )


class _UnitsCore(NamedTuple):
    """A drug code's lines for one total (DRG-U1/U2, DRG-W1..W3), as built without an NDC."""

    drug: Drug
    units: int
    line: ChargeLine
    waste_line: ChargeLine | None  # the JW line, when a whole unit was discarded


# Keyed by what _units_core reads: (id(drug), total, doses, wasted, check_waste), amounts as text. The lines are
# immutable, so results share them; building them was a tenth of the engine's time.
_MEMO: dict[tuple[int, str, int, str | None, bool], _UnitsCore] = {}
_MEMO_MAX = 50_000


def _units_core(
    drug: Drug, total: Decimal, count: int, wasted: Decimal | None, check_waste: bool
) -> _UnitsCore:
    """The drug line and JW line of one code's total, without NDC fields; pure, so memoised."""
    units, modifiers, reason, rules, waste_units = _units_and_reason(drug, total, count, wasted, check_waste)
    code = drug.code
    line = ChargeLine(code, modifiers, units, reason, rules, FAMILY)
    waste_line = None
    if waste_units:
        waste_line = ChargeLine(
            code,
            ("JW",),
            waste_units,
            f"{code}-JW {drug.name}: {waste_units} unit(s) of {_measure(drug)} discarded from a single-dose container, "
            "rounded down; only whole units are reported (DRG-W1, DRG-W3)",
            ("DRG-W1", "DRG-W3"),
            FAMILY,
        )
    return _UnitsCore(drug, units, line, waste_line)


def _units_and_reason(
    drug: Drug, total: Decimal, count: int, wasted: Decimal | None, check_waste: bool
) -> tuple[int, tuple[str, ...], str, tuple[str, ...], int]:
    """DRG-U1/U2 units and DRG-W1..W3 modifiers for one code's total; pure, so memoised by the caller."""
    per = drug.billing_unit_amount
    code = drug.code
    units = int((total / per).to_integral_value(rounding=ROUND_CEILING))
    times = f" in {count} doses" if count > 1 else ""
    reason = (
        f"{code} {drug.name}: {_plain(total)} {drug.billing_unit} given{times} = {units} unit(s) of "
        f"{_measure(drug)}, rounded up (DRG-U1{', DRG-U2' if count > 1 else ''})"
    )
    rules: tuple[str, ...] = ("DRG-U1", "DRG-U2") if count > 1 else ("DRG-U1",)
    modifiers: tuple[str, ...] = ()
    waste_units = 0
    if check_waste and wasted is not None:
        waste_units = int((wasted / per).to_integral_value(rounding=ROUND_FLOOR))
        if waste_units >= 1:
            reason += "; the discarded amount is billed on its own JW line (DRG-W1)"
            rules += ("DRG-W1",)
        else:
            modifiers = ("JZ",)
            if wasted > 0:
                reason += (
                    f"; JZ: the {_plain(wasted)} {drug.billing_unit} discarded is under one billing "
                    "unit, which the units given already cover (DRG-W3)"
                )
                rules += ("DRG-W2", "DRG-W3")
            else:
                reason += "; JZ: nothing was discarded from the single-dose container (DRG-W2)"
                rules += ("DRG-W2",)
    return units, modifiers, reason, rules, waste_units


def _waste_ndc_quantity(group: list[DrugUse]) -> tuple[Decimal, str]:
    """DRG-N2 on the JW line: an NDC needs its quantity (CTP04/CTP05), and on the waste line that
    is the amount discarded, in the NDC unit of the dose as documented (mL -> ML, mg -> ME ...)."""
    unit = _NDC_UNIT_OF_DOSE[group[0].dose_unit]
    qty = Decimal(0)
    for u in group:
        if u.wasted_dose:
            qty += u.wasted_dose * _NDC_QTY_SCALE.get(u.dose_unit, _ONE)
    return Decimal(_plain(qty.quantize(_THOUSANDTH))), unit


def _ndc_fields(
    group: list[DrugUse], book: LineBook, opts: CodingOptions
) -> tuple[str | None, Decimal | None, str | None]:
    """DRG-N2/N3: NDC quantity with its unit qualifier. A documented quantity wins; otherwise the dose
    gives it (mL -> ML, g -> GR, units -> F2, mg -> ME)."""
    ndcs = [u for u in group if u.ndc]
    if not ndcs:
        return None, None, None
    ndc = ndcs[0].ndc
    if any(u.ndc != ndc for u in ndcs):
        book.warn(
            "DRG-B1",
            f"{group[0].drug.code} was given from products with different NDCs; the line carries "
            f"{ndc}. Bill each product under its own code when they differ (DRG-B1)",
            ndcs[0].path + ".ndc",
        )
    if all(u.ndc_quantity is not None for u in group):
        unit = group[0].ndc_unit or "UN"
        qty = sum((cast(Decimal, u.ndc_quantity) for u in group), Decimal(0))
    else:
        unit = _NDC_UNIT_OF_DOSE[group[0].dose_unit]
        qty = Decimal(0)
        for u in group:
            qty += u.dose * _NDC_QTY_SCALE.get(u.dose_unit, _ONE)
        if unit == "ME" and not opts.ndc_milligram_unit_ok:
            book.warn(
                "DRG-N3",
                f"{group[0].drug.code}: this payer does not accept ME (milligram) NDC quantities; "
                "document the quantity in vials (UN) or mL (DRG-N3)",
                group[0].path + ".ndc_quantity",
            )
    return ndc, Decimal(_plain(qty.quantize(_THOUSANDTH))), unit

"""Reference data the engine reads: drug catalog, per-diem code tables and payer-variable options.

Everything here is data passed into `code_encounter(..., catalog=CodeTables)`, never a hidden input
(docs/conventions.md section 2). Rules the reference tags [M] or [L] are fields of `CodingOptions` with the
reference's default, so a payer contract can change them without touching the engine.
"""

from __future__ import annotations

import csv
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation
from pathlib import Path
from types import MappingProxyType
from typing import Any

from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.place_of_service import PLACE_OF_SERVICE_BY_SITE

# Dose units the engine converts between (DRG-U1: units are multiples of the descriptor's dose).
_MASS_IN_MG = {"g": Decimal(1000), "mg": Decimal(1), "mcg": Decimal("0.001")}
DRUG_CLASSES = frozenset(
    {"therapeutic", "chemotherapy", "hormonal_chemotherapy", "anti_infective", "hydration_fluid", "tpn"}
)
# HIT-M1..M3: which Medicare Part B benefit, if any, pays for the drug when it is given at home.
# "dme_pump": on the DME MACs' External Infusion Pumps LCD (L33794, article A52507), so Part B DME and
# an HIT services day; "ivig_pidd": the Part B home IVIG benefit for primary immune deficiency (no
# pump, no HIT day); "parenteral_nutrition": the Part B parenteral nutrition benefit; "" (none): not
# Part B at home, so Part D if the patient's plan covers it. drugs.csv says which, and why, per drug.
DME_PUMP = "dme_pump"
IVIG_PIDD = "ivig_pidd"
PARENTERAL_NUTRITION = "parenteral_nutrition"
MEDICARE_HOME_BENEFITS = frozenset({DME_PUMP, IVIG_PIDD, PARENTERAL_NUTRITION, ""})


@dataclass(frozen=True, slots=True)
class Drug:
    """One HCPCS drug code: billing unit from the CMS descriptor (DRG-U1), class and container type."""

    code: str
    name: str
    billing_unit_amount: Decimal
    billing_unit: str
    drug_class: str
    single_dose: bool
    verify_current: bool = False
    medicare_home_benefit: str = ""  # one of MEDICARE_HOME_BENEFITS
    # dose unit -> factor turning a dose in that unit into the billing unit's measure (mg, g, mL ...)
    scale: Mapping[str, Decimal] = field(default_factory=dict)

    @property
    def dme_pump_covered(self) -> bool:
        """HIT-M2/M3: on the external infusion pump LCD, so Part B DME and an HIT services day."""
        return self.medicare_home_benefit == DME_PUMP


def make_drug(
    code: str,
    name: str,
    billing_unit_amount: Decimal,
    billing_unit: str,
    drug_class: str,
    single_dose: bool,
    verify_current: bool = False,
    medicare_home_benefit: str = "",
) -> Drug:
    """Build a Drug with its unit-conversion table precomputed (so the hot loop only multiplies)."""
    if billing_unit_amount <= 0:
        raise InvalidInputError(f"drug {code}: billing_unit_amount must be positive")
    if drug_class not in DRUG_CLASSES:
        raise InvalidInputError(f"drug {code}: unknown drug_class {drug_class!r}")
    if medicare_home_benefit not in MEDICARE_HOME_BENEFITS:
        raise InvalidInputError(f"drug {code}: unknown medicare_home_benefit {medicare_home_benefit!r}")
    if billing_unit in _MASS_IN_MG:
        base = _MASS_IN_MG[billing_unit]
        scale = {unit: mg / base for unit, mg in _MASS_IN_MG.items()}
    elif billing_unit in ("mL", "units"):
        scale = {billing_unit: Decimal(1)}
    else:
        raise InvalidInputError(f"drug {code}: unknown billing_unit {billing_unit!r}")
    return Drug(
        code=code,
        name=name,
        billing_unit_amount=billing_unit_amount,
        billing_unit=billing_unit,
        drug_class=drug_class,
        single_dose=single_dose,
        verify_current=verify_current,
        medicare_home_benefit=medicare_home_benefit,
        scale=MappingProxyType(scale),
    )


@dataclass(frozen=True, slots=True)
class DrugCatalog:
    """HCPCS code -> Drug. Load from drugs.csv or build from the Django DrugCode table's rows."""

    drugs: Mapping[str, Drug]

    def get(self, code: str) -> Drug | None:
        return self.drugs.get(code)

    def __contains__(self, code: object) -> bool:
        return code in self.drugs

    def __len__(self) -> int:
        return len(self.drugs)

    @classmethod
    def from_rows(cls, rows: Iterable[Mapping[str, Any]]) -> DrugCatalog:
        """Rows with the drugs.csv columns (hcpcs, name, billing_unit_amount, billing_unit, drug_class,
        single_dose, verify_current, medicare_home_benefit); booleans as true/false/yes/no or empty, an
        absent or empty medicare_home_benefit means none (Part D at home under Medicare)."""
        drugs: dict[str, Drug] = {}
        for number, row in enumerate(rows, start=2):
            try:
                code = row["hcpcs"].strip().upper()
                amount = Decimal(str(row["billing_unit_amount"]).strip())
                drug = make_drug(
                    code,
                    row["name"].strip(),
                    amount,
                    row["billing_unit"].strip(),
                    row["drug_class"].strip(),
                    csv_flag(row.get("single_dose")),
                    csv_flag(row.get("verify_current")),
                    str(row.get("medicare_home_benefit") or "").strip(),
                )
            except (KeyError, InvalidOperation, AttributeError) as exc:
                raise InvalidInputError(f"drug catalog row {number}: {exc!r}") from exc
            if code in drugs:
                raise InvalidInputError(f"drug catalog row {number}: duplicate code {code}")
            drugs[code] = drug
        return cls(MappingProxyType(drugs))


def csv_flag(value: object) -> bool:
    """A drugs.csv yes/no column: true, yes, 1 or y (any case) is yes; anything else, or empty, no."""
    if isinstance(value, bool):
        return value
    return str(value or "").strip().lower() in ("true", "yes", "1", "y")


def load_drug_catalog_csv(path: str | Path) -> DrugCatalog:
    """Read drugs.csv (coding/data/drugs.csv) into a DrugCatalog."""
    with open(path, newline="", encoding="utf-8") as handle:
        return DrugCatalog.from_rows(csv.DictReader(handle))


# --- per-diem and other code tables (HIT §3.2, HIT-M3). Dated reference data: update quarterly. ---

ANTI_INFECTIVE_BY_FREQUENCY: Mapping[int, str] = MappingProxyType(
    {3: "S9497", 4: "S9504", 6: "S9503", 8: "S9502", 12: "S9501", 24: "S9500"}
)
ANTI_INFECTIVE_TOTAL = "S9494"

# therapy -> {mode (None = unspecified/"total" code): S-code}
PER_DIEM_BY_THERAPY: Mapping[str, Mapping[str | None, str]] = MappingProxyType(
    {
        "pain_management": {
            None: "S9325",
            "continuous": "S9326",
            "intermittent": "S9327",
            "implanted_pump": "S9328",
        },
        "chemotherapy": {None: "S9329", "continuous": "S9330", "intermittent": "S9331"},
        "enteral": {None: "S9340", "gravity": "S9341", "pump": "S9342", "bolus": "S9343"},
        "immunotherapy": {None: "S9338"},
        "anti_tnf": {None: "S9359"},
        "enzyme_replacement": {None: "S9357"},
        "corticosteroid": {None: "S9490"},
        "anticoagulant": {None: "S9336", "continuous": "S9336", "intermittent": "S9372"},
        "anti_hemophilic": {None: "S9345"},
        "alpha1_proteinase_inhibitor": {None: "S9346"},
        "long_term_controlled_rate": {None: "S9347"},
        "inotropic": {None: "S9348"},
        "chelation": {None: "S9355"},
        "diuretic": {None: "S9361"},
        "antispasmodic": {None: "S9363"},
        "tocolytic": {None: "S9349"},
        "insulin": {None: "S9353"},
        "anti_emetic": {None: "S9351"},
        "aerosolized": {None: "S9061"},
        "hematopoietic": {None: "S9537"},
        "growth_hormone": {None: "S9558"},
        "interferon": {None: "S9559"},
        "hormonal": {None: "S9560"},
        "injectable_noc": {None: "S9542"},
        "infusion_noc": {None: "S9379"},
        "catheter_care": {None: "S5497", "simple": "S5498", "complex": "S5501", "implanted": "S5502"},
    }
)

# Volume tiers (mL/day upper bound inclusive, code); the "no volume" code is not used with the tiers.
HYDRATION_TIERS: tuple[tuple[Decimal | None, str], ...] = (
    (Decimal(1000), "S9374"),
    (Decimal(2000), "S9375"),
    (Decimal(3000), "S9376"),
    (None, "S9377"),
)
HYDRATION_NO_VOLUME = "S9373"
TPN_TIERS: tuple[tuple[Decimal | None, str], ...] = (
    (Decimal(1000), "S9365"),
    (Decimal(2000), "S9366"),
    (Decimal(3000), "S9367"),
    (None, "S9368"),
)
TPN_NO_VOLUME = "S9364"

# Medicare home infusion therapy services (HIT-M3): category -> (initial visit, subsequent visit).
HIT_GCODES: Mapping[int, tuple[str, str]] = MappingProxyType(
    {1: ("G0088", "G0068"), 2: ("G0089", "G0069"), 3: ("G0090", "G0070")}
)
HIT_CATEGORY_BY_THERAPY: Mapping[str, int] = MappingProxyType(
    {"immunotherapy": 2, "chemotherapy": 3}  # everything else infused IV via a DME pump: category 1
)


@dataclass(frozen=True, slots=True)
class CodingOptions:
    """Payer- and contract-variable rules ([M]/[L] in docs/billing-rules/) with the reference's defaults."""

    # ADM-I2 / ADM-P2 / ADM-F1: sites coded under facility (OPPS) rules.
    facility_sites: frozenset[str] = frozenset({"hopd"})
    # SOC-POS [H]/[M]/[L]: AIC is 11 when physician-owned, some payers want 49. One table for the
    # engine and the claim (infusion_rcm.common.place_of_service).
    place_of_service: Mapping[str, str] = field(default_factory=lambda: PLACE_OF_SERVICE_BY_SITE)
    facility_claim_sites: frozenset[str] = frozenset({"hopd"})
    push_max_minutes: int = 15  # ADM-D1 / ADM-T1
    hydration_min_minutes: int = 31  # ADM-T2 (Select Health uses >15: payer variant)
    addon_over_minutes: int = 30  # ADM-T3: another hour only when > 30 min past the last full hour
    hydration_min_volume_ml: Decimal | None = None  # ADM-H4 MAC variant (e.g. 500)
    concurrent_min_overlap_minutes: int = 16  # ADM-C1 [M] (Haugen citing a MAC)
    bag_change_max_gap_minutes: int = 10  # ADM-T4: a brief bag change does not restart the clock
    sum_same_drug_infusions: bool = True  # ADM-T4 [L]: add separate same-drug infusions' time
    repeat_push_min_gap_minutes: int = 31  # ADM-P2: not within 30 min of the last reported push
    allow_primary_override: bool = True  # ADM-I2 [M]: coder picks the initial in non-facility claims
    distinct_site_modifier: str = "XS"  # ADM-I3: separate site (59 also accepted by payers)
    distinct_encounter_modifier: str = "XE"  # ADM-I3: separate encounter the same day
    admin_category_overrides: Mapping[str, str] = field(default_factory=dict)  # ADM-D3 [L]
    report_protocol_hydration: bool = False  # ADM-H2 [L]: protocol-mandated fluids to coder review
    jw_jz_payers: frozenset[str] = frozenset({"medicare"})  # DRG-W2 / DRG-W4
    ndc_required_payers: frozenset[str] = frozenset({"medicaid"})  # DRG-N3 / CARC 211
    ndc_milligram_unit_ok: bool = True  # DRG-N3: several payers refuse ME
    em_99211_denied_payers: frozenset[str] = frozenset({"medicare"})  # ADM-EM2
    # Home infusion (§3)
    per_diem_payers: frozenset[str] = frozenset({"commercial", "medicare_advantage", "medicaid"})
    per_diem_fee_factors: tuple[Decimal, ...] = (Decimal("1"), Decimal("0.50"), Decimal("0.25"))  # HIT-P4 [M]
    per_diem_max_interval_hours: int = 72  # HIT-P5
    ais_per_diem_modifier: str = "SS"  # HIT-A1
    tpn_volume_includes_lipids: bool = False  # HIT-P2 [L]
    nursing_base_minutes: int = 120  # HIT-N1: 99601 covers up to 2 h
    nursing_additional_min_minutes: int = 31  # HIT-N1 (BCBSM [M])
    nursing_max_minutes_per_day: int = 240  # HIT-N1 (BCBSM [M])
    nursing_modifier: str | None = None  # HIT-N1: SD for specially trained RNs (payer use varies)
    medicare_home_mode: str = "hit"  # HIT-M3 ("hit") or HIT-M4 ("denial_for_secondary": 99601/99602)
    hit_units: str = "per_15_min"  # HIT-M3 [L]: "per_15_min" or "per_day"


@dataclass(frozen=True, slots=True)
class CodeTables:
    """Everything the engine needs besides the encounter itself."""

    drugs: DrugCatalog
    options: CodingOptions = field(default_factory=CodingOptions)
    anti_infective_by_frequency: Mapping[int, str] = field(
        default_factory=lambda: ANTI_INFECTIVE_BY_FREQUENCY
    )
    anti_infective_total: str = ANTI_INFECTIVE_TOTAL
    per_diem_by_therapy: Mapping[str, Mapping[str | None, str]] = field(
        default_factory=lambda: PER_DIEM_BY_THERAPY
    )
    hydration_tiers: tuple[tuple[Decimal | None, str], ...] = HYDRATION_TIERS
    hydration_no_volume: str = HYDRATION_NO_VOLUME
    tpn_tiers: tuple[tuple[Decimal | None, str], ...] = TPN_TIERS
    tpn_no_volume: str = TPN_NO_VOLUME
    hit_gcodes: Mapping[int, tuple[str, str]] = field(default_factory=lambda: HIT_GCODES)
    hit_category_by_therapy: Mapping[str, int] = field(default_factory=lambda: HIT_CATEGORY_BY_THERAPY)

    def per_diem_families(self) -> frozenset[str]:
        return frozenset(self.per_diem_by_therapy) | {"anti_infective", "hydration", "tpn"}


def load_code_tables(drugs_csv: str | Path, options: CodingOptions | None = None) -> CodeTables:
    """Convenience: CodeTables from a drugs.csv path with default (or given) options."""
    return CodeTables(drugs=load_drug_catalog_csv(drugs_csv), options=options or CodingOptions())

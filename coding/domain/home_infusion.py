"""Home infusion: per-diem S-codes, SH/SJ/SS, nursing 99601/99602, Medicare HIT G-codes
(docs/billing-rules/home-infusion.md).

Commercial, Medicare Advantage and (by default) Medicaid: drug on its J-code, services/supplies/equipment
in the S-code per diem, nursing separately (HIT-P1, §3.7). Medicare fee-for-service pays no per diems
(HIT-M1); a qualified HIT supplier bills one G-code per infusion drug day with a professional in the
home (HIT-M3), or 99601/99602 to obtain a denial for a secondary payer (HIT-M4), per CodingOptions.
"""

from __future__ import annotations

from decimal import Decimal

from coding.domain.catalog import CodeTables
from coding.domain.drug_units import DrugUse
from coding.domain.errors import EncounterError
from coding.domain.lines import LineBook
from coding.domain.timing import addon_hours_from_zero, clock_of, minutes_of
from coding.domain.types import Encounter, HomeTherapy

PER_DIEM = "per_diem"
NURSING = "nursing"


def therapy_drug_uses(enc: Encounter, tables: CodeTables, uses: list[DrugUse]) -> None:
    """HIT-P1: drugs are billed beside the per diem. Units per day = dose x doses a day x days
    (IDSA: meropenem 1 g q8h = 3 g/day -> J2185 x30)."""
    drugs = tables.drugs.drugs
    for i, t in enumerate(enc.home_therapies):
        path = f"home_therapies[{i}]"
        if t.drug is not None:
            drug = drugs.get(t.drug)
            if drug is None:
                raise EncounterError(enc.id, path + ".drug", f"{t.drug} is not in the drug catalog")
            if t.dose is None or t.dose_unit is None:
                raise EncounterError(enc.id, path + ".dose", f"is required with drug {t.drug}")
            if t.dose_unit not in drug.scale:
                raise EncounterError(
                    enc.id,
                    path + ".dose_unit",
                    f"{t.dose_unit} cannot be converted to the billing unit {drug.billing_unit} of {t.drug}",
                )
            doses = t.days if not t.frequency_hours else max(1, (t.days * 24) // t.frequency_hours)
            uses.append(DrugUse(drug, t.dose * doses, t.dose_unit, None, path, t.ndc))
        for j, add in enumerate(t.additives):
            apath = f"{path}.additives[{j}]"
            drug = drugs.get(add.drug)
            if drug is None:
                raise EncounterError(enc.id, apath + ".drug", f"{add.drug} is not in the drug catalog")
            if add.dose_unit not in drug.scale:
                raise EncounterError(
                    enc.id,
                    apath + ".dose_unit",
                    f"{add.dose_unit} cannot be converted to the "
                    f"billing unit {drug.billing_unit} of {add.drug}",
                )
            uses.append(DrugUse(drug, add.dose * t.days, add.dose_unit, None, apath))


def _tier(volume: Decimal | None, tiers, none_code: str) -> str:
    if volume is None:
        return none_code
    for limit, code in tiers:
        if limit is None or volume <= limit:
            return code
    return tiers[-1][1]


def per_diem_code(enc_id: str, i: int, t: HomeTherapy, tables: CodeTables, book: LineBook) -> str:
    """§3.2: the S-code of a therapy's per-diem family (frequency for anti-infectives, HIT-P2 volume tiers
    for TPN and hydration, `mode` for the sub-families)."""
    therapy = t.therapy
    path = f"home_therapies[{i}]"
    if therapy == "anti_infective":
        if t.frequency_hours is None:
            book.note(
                "HIT-P1",
                "anti-infective without a dosing interval: the total per diem S9494 is used "
                "(not combined with the hourly codes)",
                path + ".frequency_hours",
            )
            return tables.anti_infective_total
        code = tables.anti_infective_by_frequency.get(t.frequency_hours)
        if code is None:
            book.warn(
                "HIT-P1",
                f"no anti-infective per diem for every {t.frequency_hours} h; S9494 used, check the contract",
                path + ".frequency_hours",
            )
            return tables.anti_infective_total
        return code
    if therapy == "hydration":
        return _tier(t.volume_ml_per_day, tables.hydration_tiers, tables.hydration_no_volume)
    if therapy == "tpn":
        volume = t.volume_ml_per_day
        if volume is not None and tables.options.tpn_volume_includes_lipids:
            volume += sum((a.dose for a in t.additives if a.dose_unit == "mL"), Decimal(0))
        return _tier(volume, tables.tpn_tiers, tables.tpn_no_volume)
    family = tables.per_diem_by_therapy.get(therapy)
    if family is None:
        raise EncounterError(
            enc_id, path + ".therapy", f"{therapy!r} is not a per-diem family of the code tables"
        )
    code = family.get(t.mode)
    if code is None:
        raise EncounterError(
            enc_id,
            path + ".mode",
            f"{t.mode!r} is not a mode of {therapy} (one of {', '.join(sorted(m for m in family if m))})",
        )
    return code


def code_per_diems(enc: Encounter, tables: CodeTables, book: LineBook) -> None:
    """HIT-P3/P4/P5, HIT-A1: one per diem per therapy day; the more frequent therapy first (ties keep the
    documented order), 2nd with SH, 3rd+ with SJ, SS in an infusion suite; contract fee factors."""
    opts = tables.options
    therapies = enc.home_therapies
    order = sorted(range(len(therapies)), key=lambda i: (therapies[i].frequency_hours or 24, i))
    rank = 0
    suite = enc.site_of_care == "ais"
    for i in order:
        t = therapies[i]
        if t.frequency_hours is not None and t.frequency_hours > opts.per_diem_max_interval_hours:
            book.warn(
                "HIT-P5",
                f"{t.therapy} every {t.frequency_hours} h is less frequent than every "
                f"{opts.per_diem_max_interval_hours} h: outside the per-diem structure, needs a separately "
                "contracted rate (HIT-P5)",
                f"home_therapies[{i}].frequency_hours",
            )
            continue
        code = per_diem_code(enc.id, i, t, tables, book)
        mods: list[str] = []
        if suite:
            mods.append(opts.ais_per_diem_modifier)
        rules: tuple[str, ...] = ("HIT-P1", "HIT-P5")
        why = ""
        factor = None
        if rank == 1:
            mods.append("SH")
            why = "; SH: second therapy given the same days, billed after the more frequent one (HIT-P3, HIT-P4)"
        elif rank >= 2:
            mods.append("SJ")
            why = "; SJ: third or later therapy the same days (HIT-P3, HIT-P4)"
        if rank:
            rules += ("HIT-P3", "HIT-P4")
            factors = opts.per_diem_fee_factors
            factor = factors[min(rank, len(factors) - 1)]
        if suite:
            why += "; SS: given in the pharmacy's infusion suite (HIT-A1)"
            rules += ("HIT-A1",)
        freq = f" every {t.frequency_hours} h" if t.frequency_hours else ""
        book.add(
            code,
            t.days,
            f"{code} home infusion per diem, {t.therapy.replace('_', ' ')}{freq}, {t.days} day(s): "
            f"pharmacy services, supplies and equipment; drug and nursing billed separately (HIT-P1){why}",
            rules,
            PER_DIEM,
            tuple(mods),
            None,
            None,
            factor,
        )
        rank += 1


def _visit_minutes(visit) -> int:
    stop = minutes_of(visit.stop) + (1440 if visit.ends_next_day else 0)
    return stop - minutes_of(visit.start)


def code_nursing(enc: Encounter, tables: CodeTables, book: LineBook) -> None:
    """HIT-N1: 99601 per day for the first 2 h of RN visits, +99602 per further hour when the extra time
    is at least 31 min, at most 4 h a day (BCBSM, configurable); LPN visits on S9124 per hour."""
    opts = tables.options
    rn = [v for v in enc.nursing_visits if v.credential == "RN"]
    lpn = [v for v in enc.nursing_visits if v.credential == "LPN"]
    mods = (opts.nursing_modifier,) if opts.nursing_modifier else ()
    if rn:
        total = sum(_visit_minutes(v) for v in rn)
        spans = ", ".join(f"{v.start}–{v.stop}" for v in rn)
        book.add(
            "99601",
            1,
            f"99601 home infusion nursing visit, first 2 hours: RN {spans} ({total} min) (HIT-N1)",
            ("HIT-N1",),
            NURSING,
            mods,
        )
        extra = total - opts.nursing_base_minutes
        units = addon_hours_from_zero(extra, opts.nursing_additional_min_minutes - 1) if extra > 0 else 0
        cap = max(0, (opts.nursing_max_minutes_per_day - opts.nursing_base_minutes) // 60)
        if units > cap:
            book.warn(
                "HIT-N1",
                f"{total} min of nursing exceeds the {opts.nursing_max_minutes_per_day // 60} h a day "
                f"limit; 99602 capped at {cap} (HIT-N1)",
                "nursing_visits",
            )
            units = cap
        if units:
            book.add(
                "99602",
                units,
                f"99602 x{units}: {extra} min beyond the first 2 hours, each further hour "
                f"counted when at least {opts.nursing_additional_min_minutes} min (HIT-N1)",
                ("HIT-N1",),
                NURSING,
                mods,
            )
    if lpn:
        total = sum(_visit_minutes(v) for v in lpn)
        units = max(1, addon_hours_from_zero(total))
        book.add(
            "S9124",
            units,
            f"S9124 x{units}: LPN home nursing, {total} min, per hour; LPNs cannot bill 99601/99602 (HIT-N1)",
            ("HIT-N1",),
            NURSING,
        )
    if enc.site_of_care == "ais" and enc.nursing_visits:
        book.warn(
            "HIT-A1",
            "nursing in an infusion suite is contract-specific: check the payer's contract (HIT-A1)",
            "nursing_visits",
        )


def code_medicare_home(enc: Encounter, tables: CodeTables, book: LineBook) -> None:
    """HIT-M1..M4 for Medicare fee-for-service at home."""
    opts = tables.options
    if enc.home_therapies:
        book.warn(
            "HIT-M1",
            "Medicare fee-for-service pays no S-code per diems: none are billed. Drugs are covered "
            "only through a DME infusion pump (DME MAC) or Part D (HIT-M1, HIT-M2)",
            "home_therapies",
        )
        book.note(
            "HIT-M2",
            "bill pump, supplies and pump drugs to the DME MAC (E0779-E0791/K0455, A4221-A4223, "
            "J-codes); the drug lines here are for that claim (HIT-M2)",
            "home_therapies",
        )
    if opts.medicare_home_mode == "denial_for_secondary":
        book.note(
            "HIT-M4", "nursing coded 99601/99602 to obtain a Medicare denial for the secondary payer (HIT-M4)"
        )
        code_nursing(enc, tables, book)
        return
    if not enc.nursing_visits:
        return
    if not enc.home_therapies:
        book.warn(
            "HIT-M3",
            "a home visit without an infusion drug that day is not a HIT service day (HIT-M3)",
            "nursing_visits",
        )
        return
    category = max(tables.hit_category_by_therapy.get(t.therapy, 1) for t in enc.home_therapies)
    initial_code, later_code = tables.hit_gcodes[category]
    first = any(v.initial_visit for v in enc.nursing_visits)
    code = initial_code if first else later_code
    total = sum(_visit_minutes(v) for v in enc.nursing_visits)
    if opts.hit_units == "per_day":
        units, basis = 1, "one unit per infusion drug day"
    else:
        units, basis = max(1, (total + 7) // 15), f"{total} min in 15-minute units"
    start = min(minutes_of(v.start) for v in enc.nursing_visits)
    book.add(
        code,
        units,
        f"{code} Medicare home infusion therapy services, category {category}"
        f"{', first visit' if first else ''}: professional in the home at {clock_of(start)} on a drug day; "
        f"{basis} (unit reporting to confirm with the A/B MAC) (HIT-M3)",
        ("HIT-M3",),
        "hit",
    )

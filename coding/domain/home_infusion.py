"""Home infusion: per-diem S-codes, SH/SJ/SS, nursing 99601/99602, Medicare HIT G-codes
(docs/billing-rules/home-infusion.md).

Commercial, Medicare Advantage and (by default) Medicaid: drug on its J-code, services/supplies/equipment
in the S-code per diem, nursing separately (HIT-P1, §3.7); SH/SJ are ranked per day (HIT-P3..P5).
Medicare fee-for-service pays no per diems (HIT-M1) and pays a home drug under Part B only through a
Part B benefit the catalog names (`Drug.medicare_home_benefit`): the external infusion pump LCD (DME,
HIT-M2), home IVIG or parenteral nutrition; any other drug is the Part D plan's, so it gets no Part B
line and makes no HIT day. A qualified HIT supplier bills one G-code per infusion drug day of a pump
drug with a professional in the home (HIT-M3), or 99601/99602 for a secondary payer's denial (HIT-M4).
The routing is written up in docs/billing-rules/home-infusion-routing.md.
"""

from __future__ import annotations

from decimal import Decimal
from itertools import pairwise

from coding.domain.catalog import DME_PUMP, IVIG_PIDD, PARENTERAL_NUTRITION, CodeTables, CodingOptions, Drug
from coding.domain.drug_units import DrugUse
from coding.domain.errors import EncounterError
from coding.domain.lines import LineBook
from coding.domain.timing import addon_hours_from_zero, clock_of, minutes_of
from coding.domain.types import ChargeLine, Encounter, HomeTherapy, NursingVisit

PER_DIEM = "per_diem"
NURSING = "nursing"


def therapy_drug_uses(enc: Encounter, tables: CodeTables, uses: list[DrugUse]) -> None:
    """HIT-P1: drugs are billed beside the per diem. Units per day = dose x doses a day x days
    (IDSA: meropenem 1 g q8h = 3 g/day -> J2185 x30). Under Medicare FFS a drug no Part B home benefit
    pays is left to Part D (HIT-M1): no line here; code_medicare_home says so."""
    drugs = tables.drugs.drugs
    part_b_only = enc.payer_type == "medicare"
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
            if not (part_b_only and not drug.medicare_home_benefit):
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
            if not (part_b_only and not drug.medicare_home_benefit):
                uses.append(DrugUse(drug, add.dose * t.days, add.dose_unit, None, apath))


def _tier(volume: Decimal | None, tiers: tuple[tuple[Decimal | None, str], ...], none_code: str) -> str:
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
    """HIT-P3/P4/P5, HIT-A1: one per diem per therapy day. A per diem is a day's unit, so the therapies
    given each day are ranked that day: the more frequent first (ties keep the documented order), the
    first plain, the 2nd with SH, the 3rd+ with SJ; SS in an infusion suite; contract fee factors.
    A therapy keeps one line per rank it holds (units = its days at that rank)."""
    opts = tables.options
    therapies = enc.home_therapies
    order = sorted(range(len(therapies)), key=lambda i: (therapies[i].frequency_hours or 24, i))
    billed: list[tuple[int, str]] = []
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
        billed.append((i, per_diem_code(enc.id, i, t, tables, book)))
    if not billed:
        return
    styles = _rank_styles(opts)
    top = len(styles) - 1
    lead = therapies[billed[0][0]]
    first, count = lead.start_day, lead.days
    same_days = True
    for i, _ in billed:
        if therapies[i].start_day != first or therapies[i].days != count:
            same_days = False
            break
    if same_days:  # the usual case: every therapy on the same days, so one rank for the whole course
        last = first + count - 1
        plan = [(i, code, min(rank, top), first, last, False) for rank, (i, code) in enumerate(billed)]
    else:
        plan = _daily_plan(therapies, billed, top)
    suite = 1 if enc.site_of_care == "ais" else 0
    for i, code, rank, first, last, split in plan:
        t = therapies[i]
        mods, why, rules, factor = styles[rank][split][suite]
        days = last - first + 1
        freq = f" every {t.frequency_hours} h" if t.frequency_hours else ""
        span = f"{days} day(s)" if first == 1 and not split else f"{days} day(s), days {first}–{last}"
        book.add(
            code,
            days,
            f"{code} home infusion per diem, {t.therapy.replace('_', ' ')}{freq}, {span}: "
            f"pharmacy services, supplies and equipment; drug and nursing billed separately (HIT-P1){why}",
            rules,
            PER_DIEM,
            mods,
            None,
            None,
            factor,
        )


def _daily_plan(
    therapies: tuple[HomeTherapy, ...], billed: list[tuple[int, str]], top: int
) -> list[tuple[int, str, int, int, int, bool]]:
    """HIT-P3: (therapy, code, rank, first day, last day, split) runs, a therapy's in day order. `billed`
    is in HIT-P4 order; the days are cut where a therapy starts or stops, so the therapies given are
    the same on every day between two cuts and are ranked once for them."""
    given = [(therapies[i].start_day, therapies[i].start_day + therapies[i].days) for i, _ in billed]
    cuts = sorted({start for start, _ in given} | {stop for _, stop in given})
    runs: list[list[tuple[int, int, int]]] = [[] for _ in billed]
    for day, next_cut in pairwise(cuts):
        rank = 0
        for k, (start, stop) in enumerate(given):
            if start <= day < stop:
                held = rank if rank < top else top
                rank += 1
                spans = runs[k]
                if spans and spans[-1][0] == held:
                    spans[-1] = (held, spans[-1][1], next_cut - 1)  # a therapy's days are consecutive
                else:
                    spans.append((held, day, next_cut - 1))
    return [
        (i, code, rank, first, last, len(runs[k]) > 1)
        for k, (i, code) in enumerate(billed)
        for rank, first, last in runs[k]
    ]


_Style = tuple[tuple[str, ...], str, tuple[str, ...], Decimal | None]
_STYLES: dict[int, tuple[CodingOptions, list[list[list[_Style]]]]] = {}


def _rank_styles(opts: CodingOptions) -> list[list[list[_Style]]]:
    """[rank][split][suite] -> (modifiers, reason tail, rule ids, fee factor) of a per-diem line; ranks
    past the last one share SJ and the last fee factor. Depends on the options only, so kept per
    options object (the per-diem loop is hot)."""
    cached = _STYLES.get(id(opts))
    if cached is not None and cached[0] is opts:
        return cached[1]
    factors = opts.per_diem_fee_factors
    styles: list[list[list[_Style]]] = []
    for rank in range(max(2, len(factors) - 1) + 1):
        by_split: list[list[_Style]] = []
        for split in (False, True):
            by_suite: list[_Style] = []
            for suite in (False, True):
                mods: list[str] = [opts.ais_per_diem_modifier] if suite else []
                rules: tuple[str, ...] = ("HIT-P1", "HIT-P5")
                why = ""
                if rank == 1:
                    mods.append("SH")
                    why = "; SH: second therapy given the same days, billed after the more frequent one (HIT-P3, HIT-P4)"
                elif rank >= 2:
                    mods.append("SJ")
                    why = "; SJ: third or later therapy the same days (HIT-P3, HIT-P4)"
                elif split:
                    why = "; no SH/SJ: the first or only therapy given on these days (HIT-P3, HIT-P4)"
                if rank or split:
                    rules += ("HIT-P3", "HIT-P4")
                factor = factors[min(rank, len(factors) - 1)] if rank else None
                if suite:
                    why += "; SS: given in the pharmacy's infusion suite (HIT-A1)"
                    rules += ("HIT-A1",)
                by_suite.append((tuple(mods), why, rules, factor))
            by_split.append(by_suite)
        styles.append(by_split)
    if len(_STYLES) > 64:
        _STYLES.clear()
    _STYLES[id(opts)] = (opts, styles)
    return styles


def _visit_minutes(visit: NursingVisit) -> int:
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


# HIT-M1/M2: how a Part B home drug is billed, by Drug.medicare_home_benefit; "" is not Part B.
_PART_B_ROUTE: dict[str, tuple[str, str]] = {
    DME_PUMP: (
        "HIT-M2",
        "HIT-M2: Medicare FFS, drug on the external infusion pump LCD (L33794): Part B DME benefit, "
        "billed to the DME MAC with the pump and supplies; no per diem",
    ),
    IVIG_PIDD: (
        "HIT-M1",
        "HIT-M1: Medicare FFS, Part B home IVIG benefit (primary immune deficiency only), billed to the "
        "DME MAC; not a pump drug, so no per diem and no HIT services day",
    ),
    PARENTERAL_NUTRITION: (
        "HIT-M1",
        "HIT-M1: Medicare FFS, Part B parenteral nutrition benefit, billed to the DME MAC; no per diem "
        "and no HIT services day",
    ),
}


def _therapy_drugs(enc: Encounter, tables: CodeTables) -> list[tuple[int, str, Drug]]:
    """(therapy index, field path, drug) of every therapy drug and additive; therapy_drug_uses has
    already refused codes the catalog does not know."""
    drugs = tables.drugs.drugs
    out: list[tuple[int, str, Drug]] = []
    for i, t in enumerate(enc.home_therapies):
        if t.drug is not None:
            out.append((i, f"home_therapies[{i}].drug", drugs[t.drug]))
        for j, add in enumerate(t.additives):
            out.append((i, f"home_therapies[{i}].additives[{j}].drug", drugs[add.drug]))
    return out


def code_medicare_home(enc: Encounter, tables: CodeTables, book: LineBook) -> None:
    """HIT-M1..M4 for Medicare fee-for-service at home: each drug goes where its Part B home benefit
    says (Part D when none), and the HIT G-code needs a drug on the external infusion pump LCD."""
    opts = tables.options
    pump_drugs: dict[int, list[Drug]] = {}
    if enc.home_therapies:
        book.warn(
            "HIT-M1",
            "Medicare fee-for-service pays no S-code per diems: none are billed. Drugs are covered "
            "only through a DME infusion pump (DME MAC) or Part D (HIT-M1, HIT-M2)",
            "home_therapies",
        )
        for i, path, drug in _therapy_drugs(enc, tables):
            if drug.dme_pump_covered:
                pump_drugs.setdefault(i, []).append(drug)
            elif not drug.medicare_home_benefit:
                book.warn(
                    "HIT-M1",
                    f"{drug.code} {drug.name} is not on the external infusion pump LCD (L33794) nor under "
                    "another Part B home benefit: no Part B line; bill it to the patient's Part D plan "
                    "(pharmacy claim), which pays no services, supplies or per diem, and it makes no HIT "
                    "services day (HIT-M1, HIT-M3)",
                    path,
                )
        if pump_drugs:
            book.note(
                "HIT-M2",
                "bill pump, supplies and pump drugs to the DME MAC (E0779-E0791/K0455, A4221-A4223, "
                "J-codes); the pump drug lines here are for that claim (HIT-M2)",
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
    if not pump_drugs:
        book.warn(
            "HIT-M3",
            "no drug of the home therapies is on the external infusion pump LCD (L33794): the drug is not "
            "a Part B DME drug, so the visit is not an HIT service day and no G-code is billed (HIT-M3)",
            "nursing_visits",
        )
        return
    therapies = enc.home_therapies
    category = max(tables.hit_category_by_therapy.get(therapies[i].therapy, 1) for i in pump_drugs)
    initial_code, later_code = tables.hit_gcodes[category]
    first = any(v.initial_visit for v in enc.nursing_visits)
    code = initial_code if first else later_code
    total = sum(_visit_minutes(v) for v in enc.nursing_visits)
    if opts.hit_units == "per_day":
        units, basis = 1, "one unit per infusion drug day"
    else:
        units, basis = max(1, (total + 7) // 15), f"{total} min in 15-minute units"
    start = min(minutes_of(v.start) for v in enc.nursing_visits)
    named = ", ".join(dict.fromkeys(f"{d.code} {d.name}" for ds in pump_drugs.values() for d in ds))
    book.add(
        code,
        units,
        f"{code} Medicare home infusion therapy services, category {category}"
        f"{', first visit' if first else ''}: professional in the home at {clock_of(start)} on a drug day "
        f"of {named}, which is on the external infusion pump LCD (L33794), a Part B DME drug (HIT-M2); "
        f"{basis} (unit reporting to confirm with the A/B MAC) (HIT-M3)",
        ("HIT-M2", "HIT-M3"),
        "hit",
    )


def route_medicare_home_drugs(
    enc: Encounter, tables: CodeTables, lines: tuple[ChargeLine, ...]
) -> tuple[ChargeLine, ...]:
    """HIT-M1/M2: each Medicare FFS home drug line names the Part B benefit (and so the claim) it is for.
    Run after the drug lines are built: drug_units knows nothing of payers' home benefits."""
    routes: dict[str, tuple[str, str]] = {}
    for _, _, drug in _therapy_drugs(enc, tables):
        route = _PART_B_ROUTE.get(drug.medicare_home_benefit)
        if route is not None:
            routes[drug.code] = route
    if not routes:
        return lines
    out = []
    for line in lines:
        route = routes.get(line.code) if line.family == "drug" else None
        if route is None:
            out.append(line)
        else:
            rule, why = route
            out.append(
                ChargeLine(
                    line.code,
                    line.modifiers,
                    line.units,
                    f"{line.reason}; {why}",
                    (*line.rule_ids, rule),
                    line.family,
                    line.ndc,
                    line.ndc_qualifier,
                    line.ndc_quantity,
                    line.ndc_unit,
                    line.encounter,
                    line.iv_site,
                    line.fee_factor,
                )
            )
    return tuple(out)

"""Entry point of the coding engine: one documented encounter -> billable lines and findings.

`code_encounter(encounter, catalog=tables)` is pure: the same encounter and tables always give the same
result, whatever the order of the administrations in the input (they are sorted by a canonical key
first). Blocking problems raise EncounterError naming the encounter and the field; everything a biller
should look at but that does not block is a Finding in `result.warnings`.
"""

from __future__ import annotations

from decimal import Decimal
from operator import itemgetter
from typing import Any

from coding.domain.administration import code_administrations
from coding.domain.administration_types import (
    AdministrationCategory,
    AdministrationKind,
    ClassifiedAdministration,
)
from coding.domain.catalog import CodeTables
from coding.domain.drug_units import DrugUse, code_drugs
from coding.domain.errors import EncounterError
from coding.domain.home_infusion import (
    code_medicare_home,
    code_nursing,
    code_per_diems,
    route_medicare_home_drugs,
    therapy_drug_uses,
)
from coding.domain.lines import LineBook
from coding.domain.timing import MINUTES_OF_CLOCK
from coding.domain.types import Administration, ChargeLine, CodingResult, Encounter, Evaluation
from infusion_rcm.common.identifiers import normalize_ndc

ROUTE_KIND = {
    "iv_infusion": AdministrationKind.IV_INFUSION,
    "iv_push": AdministrationKind.IV_PUSH,
    "subcutaneous_infusion": AdministrationKind.SC_INFUSION,
    "subcutaneous": AdministrationKind.INJECTION,
    "intramuscular": AdministrationKind.INJECTION,
    "pump_start": AdministrationKind.PUMP_START,
    "intra_arterial": AdministrationKind.INTRA_ARTERIAL,
    "on_body_injector": AdministrationKind.ON_BODY_INJECTOR,
    "pump_refill": AdministrationKind.PORTABLE_PUMP_REFILL,
    "implanted_pump_refill": AdministrationKind.IMPLANTED_PUMP_REFILL,
    "port_irrigation": AdministrationKind.PORT_IRRIGATION,
}
_NEEDS_STOP = frozenset({"iv_infusion", "subcutaneous_infusion"})
# ADM-D3: documented purpose, else the drug's class (a payer override first), else hydration.
PURPOSE_CATEGORY = {
    "chemotherapy": (AdministrationCategory.CHEMOTHERAPY, False),
    "hormonal_chemotherapy": (AdministrationCategory.CHEMOTHERAPY, True),
    "therapeutic": (AdministrationCategory.THERAPEUTIC, False),
    "hydration": (AdministrationCategory.HYDRATION, False),
    "kvo": (AdministrationCategory.KEEP_VEIN_OPEN, False),
}
CLASS_CATEGORY = {
    "chemotherapy": (AdministrationCategory.CHEMOTHERAPY, False),
    "hormonal_chemotherapy": (AdministrationCategory.CHEMOTHERAPY, True),
    "therapeutic": (AdministrationCategory.THERAPEUTIC, False),
    "anti_infective": (AdministrationCategory.THERAPEUTIC, False),
    "tpn": (AdministrationCategory.THERAPEUTIC, False),
    "hydration_fluid": (AdministrationCategory.HYDRATION, False),
}
# Members bound to module names once: on CPython 3.11 EnumType defines __getattr__, which takes
# every `Enum.MEMBER` lookup off the fast path (~5x a global), and these checks run for every
# administration (bench/coding.py).
_HYDRATION = AdministrationCategory.HYDRATION
_KEEP_VEIN_OPEN = AdministrationCategory.KEEP_VEIN_OPEN
_INJECTION = AdministrationKind.INJECTION
_IV_INFUSION = AdministrationKind.IV_INFUSION
_IV_PUSH = AdministrationKind.IV_PUSH
_SC_INFUSION = AdministrationKind.SC_INFUSION
_HOME_ONLY_SITES = frozenset({"home"})
_HOME_SERVICE_SITES = frozenset({"home", "ais"})


_NONE = Decimal(-1)
# The fields _classify reads, in one C call on the model's __dict__ (where pydantic keeps the
# validated values). pydantic's BaseModel defines __getattr__, which keeps CPython 3.11 from
# specialising attribute reads on models: each `a.field` costs several dict lookups, and the
# engine reads every field of every administration (bench/coding.py).
_ADMINISTRATION_FIELDS = itemgetter(
    "encounter",
    "iv_site",
    "access",
    "start",
    "ends_next_day",
    "stop",
    "route",
    "drug",
    "purpose",
    "dose",
    "dose_unit",
    "wasted",
    "primary",
    "protocol_hydration",
    "ndc",
    "ndc_quantity",
    "ndc_unit",
)
_AdministrationFields = tuple[Any, ...]  # the values of _ADMINISTRATION_FIELDS, in its order


def access_identity(a: Administration) -> str:
    """ADM-I3: what "the same access" means: the structured access when documented, else the label."""
    access = a.access
    return a.iv_site if access is None else access.label


def _canonical_key(fields: _AdministrationFields) -> tuple[object, ...]:
    """Every field, so that equal keys mean interchangeable administrations."""
    (
        encounter,
        iv_site,
        access,
        start,
        ends_next_day,
        stop,
        route,
        drug,
        purpose,
        dose,
        dose_unit,
        wasted,
        primary,
        protocol_hydration,
        ndc,
        ndc_quantity,
        ndc_unit,
    ) = fields
    return (
        encounter,
        iv_site if access is None else access.label,  # access_identity
        start,
        ends_next_day,
        stop or "",
        route,
        drug or "",
        purpose or "",
        _NONE if dose is None else dose,
        dose_unit or "",
        _NONE if wasted is None else wasted,
        primary,
        protocol_hydration,
        ndc or "",
        _NONE if ndc_quantity is None else ndc_quantity,
        ndc_unit or "",
    )


def _classify(
    eid: str,
    administrations: tuple[Administration, ...],
    tables: CodeTables,
    book: LineBook,
    uses: list[DrugUse],
) -> list[ClassifiedAdministration]:
    """ADM-D1..D3, ADM-T1, ADM-T4/T5 and the blocking checks on each administration."""
    opts = tables.options
    drugs = tables.drugs.drugs
    overrides = opts.admin_category_overrides
    push_max = opts.push_max_minutes
    minutes = MINUTES_OF_CLOCK
    indexed = [(index, _ADMINISTRATION_FIELDS(a.__dict__)) for index, a in enumerate(administrations)]
    if len(indexed) > 1:
        indexed.sort(key=lambda pair: _canonical_key(pair[1]))
    out: list[ClassifiedAdministration] = []
    for index, fields in indexed:
        (
            encounter,
            iv_site,
            access,
            start_clock,
            ends_next_day,
            stop_clock,
            route,
            code,
            purpose,
            dose,
            dose_unit,
            wasted,
            primary,
            protocol_hydration,
            ndc,
            ndc_quantity,
            ndc_unit,
        ) = fields
        path = f"administrations[{index}]"
        kind = ROUTE_KIND[route]
        start = minutes[start_clock]
        if stop_clock is None:
            if route in _NEEDS_STOP:
                raise EncounterError(
                    eid,
                    path + ".stop",
                    "is required for an infusion: start and stop times are documented (ADM-T4)",
                )
            stop = start
        else:
            stop = minutes[stop_clock] + (1440 if ends_next_day else 0)
            if stop < start:
                raise EncounterError(eid, path + ".stop", f"{stop_clock} is before start {start_clock}")
        drug = None
        if code is not None:
            drug = drugs.get(code)
            if drug is None:
                raise EncounterError(eid, path + ".drug", f"{code} is not in the drug catalog")
            if dose is None or dose_unit is None:
                raise EncounterError(
                    eid,
                    path + (".dose" if dose is None else ".dose_unit"),
                    f"is required when a drug ({code}) is given",
                )
            if dose_unit not in drug.scale:
                raise EncounterError(
                    eid,
                    path + ".dose_unit",
                    f"{dose_unit} cannot be converted to the billing unit {drug.billing_unit} of {code}",
                )
            if dose <= 0:
                raise EncounterError(eid, path + ".dose", f"{dose} must be more than zero")
        if purpose is not None:
            cat, hormonal = PURPOSE_CATEGORY[purpose]
            if purpose == "hydration" and drug is not None and drug.drug_class != "hydration_fluid":
                book.warn(
                    "ADM-D2",
                    f"{drug.name} documented as hydration: electrolyte or drug replacement for a lab "
                    "abnormality may be a therapeutic infusion (96365); coder review (ADM-D2)",
                    path,
                )
        elif drug is None:
            cat, hormonal = _HYDRATION, False
        else:
            override = overrides.get(code) if overrides else None
            cat, hormonal = PURPOSE_CATEGORY[override] if override else CLASS_CATEGORY[drug.drug_class]
        if kind == _IV_INFUSION and stop - start <= push_max:
            kind = _IV_PUSH  # ADM-D1 / ADM-T1: an infusion of 15 minutes or less is a push
        elif kind == _SC_INFUSION and stop - start <= push_max:
            # same 15-minute line for SC: a short SC delivery is an injection (96372)
            kind = _INJECTION
        if drug is not None:
            name = drug.name
        else:
            name = "hydration fluid" if cat == _HYDRATION else "fluid"
        if kind == _IV_PUSH and route == "iv_infusion":
            shown = f"{name} (infused in {stop - start} min, so coded as a push: ADM-D1, ADM-T1)"
        elif kind == _INJECTION and route == "subcutaneous_infusion":
            shown = f"{name} (SC over {stop - start} min, so coded as an injection: ADM-D1)"
        else:
            shown = name
        if ndc is not None:
            normalized = normalize_ndc(ndc)
            if normalized is None:
                raise EncounterError(
                    eid,
                    path + ".ndc",
                    f"{ndc!r} is not an NDC (5-4-2, 4-4-2, 5-3-2 or 5-4-1 digits, or 11 digits) (DRG-N1)",
                )
            ndc = normalized
        out.append(
            ClassifiedAdministration(
                path=path,
                drug=code,
                name=shown,
                category=cat,
                hormonal=hormonal,
                kind=kind,
                start=start,
                stop=stop,
                iv_site=iv_site if access is None else access.label,  # access_identity, inlined
                encounter=encounter,
                primary=primary,
                protocol_hydration=protocol_hydration,
                volume_ml=dose if dose_unit == "mL" else None,
            )
        )
        if drug is not None and not (cat == _KEEP_VEIN_OPEN and drug.drug_class == "hydration_fluid"):
            # A drug has a dose and a dose unit: both were checked above.
            uses.append(DrugUse(drug, dose, dose_unit, wasted, path, ndc, ndc_quantity, ndc_unit))
    return out


def _evaluation_line(
    ev: Evaluation, payer: str, tables: CodeTables, book: LineBook, has_procedure: bool
) -> ChargeLine | None:
    """ADM-EM1 / ADM-EM2: a separately identifiable E/M the same day, with modifier 25."""
    if not ev.separately_identifiable:
        book.note(
            "ADM-EM1",
            f"E/M {ev.code} is not documented as separately identifiable: nursing assessment and "
            "monitoring are part of the administration, so no E/M is billed (ADM-EM1)",
            "evaluation",
        )
        return None
    if ev.code == "99211" and has_procedure and payer in tables.options.em_99211_denied_payers:
        book.warn(
            "ADM-EM2",
            "Medicare does not pay 99211 with drug administration codes; 99211 is not billed (ADM-EM2)",
            "evaluation.code",
        )
        return None
    if has_procedure:
        return ChargeLine(
            ev.code,
            ("25",),
            1,
            f"{ev.code}-25: a separately identifiable E/M by the physician or "
            "practitioner on the day of the drug administration (ADM-EM1)",
            ("ADM-EM1",),
            "em",
        )
    return ChargeLine(ev.code, (), 1, f"{ev.code}: E/M visit, no procedure the same day", ("ADM-EM1",), "em")


# The encounter's fields in one read of the model's __dict__ (see _ADMINISTRATION_FIELDS).
_ENCOUNTER_FIELDS = itemgetter(
    "id", "site_of_care", "payer_type", "evaluation", "administrations", "home_therapies", "nursing_visits"
)


def code_encounter(encounter: Encounter, *, catalog: CodeTables) -> CodingResult:
    """Code one encounter (rules in docs/billing-rules/). See the module docstring for the contract."""
    enc = encounter
    eid, site, payer, evaluation, administrations, home_therapies, nursing_visits = _ENCOUNTER_FIELDS(
        enc.__dict__
    )
    tables = catalog
    opts = tables.options
    book = LineBook()
    uses: list[DrugUse] = []

    if administrations and site in _HOME_ONLY_SITES:
        raise EncounterError(
            eid,
            "administrations",
            "are coded only in an office, AIC, AIS or hospital "
            "outpatient department; at home use home_therapies and nursing_visits",
        )
    if (home_therapies or nursing_visits) and site not in _HOME_SERVICE_SITES:
        path = "home_therapies" if home_therapies else "nursing_visits"
        raise EncounterError(eid, path, f"are home infusion services; site_of_care {site} cannot bill them")

    for i, visit in enumerate(nursing_visits):
        if visit.stop < visit.start and not visit.ends_next_day:
            raise EncounterError(
                eid, f"nursing_visits[{i}].stop", f"{visit.stop} is before start {visit.start}"
            )
    if administrations:
        adms = _classify(eid, administrations, tables, book, uses)
        code_administrations(adms, book, opts, site in opts.facility_sites)
    if home_therapies or nursing_visits:
        therapy_drug_uses(enc, tables, uses)
        if payer == "medicare":
            code_medicare_home(enc, tables, book)
        else:
            if home_therapies:
                if payer in opts.per_diem_payers:
                    code_per_diems(enc, tables, book)
                else:
                    book.warn("HIT-P1", f"per diems are not billed to this {payer} plan (contract setting)")
                if payer == "medicaid":
                    book.note(
                        "HIT-M1",
                        "Medicaid home infusion varies by state: drugs may belong on the pharmacy "
                        "benefit (NCPDP) and some states use A/E codes instead of per diems (§3.6)",
                    )
            code_nursing(enc, tables, book)
    if uses:
        code_drugs(uses, book, opts, payer)

    has_procedure = book.has_family("administration")
    em = None if evaluation is None else _evaluation_line(evaluation, payer, tables, book, has_procedure)
    _site_findings(site, payer, tables, book, has_procedure, em is not None)
    lines = book.lines()
    if home_therapies and payer == "medicare":
        lines = route_medicare_home_drugs(enc, tables, lines)
    if em is not None:
        lines = (em, *lines)
    return CodingResult(
        eid,
        lines,
        tuple(book.findings),
        opts.place_of_service.get(site, ""),
        "837I" if site in opts.facility_claim_sites else "837P",
    )


def _site_findings(
    site: str, payer: str, tables: CodeTables, book: LineBook, has_procedure: bool, has_em: bool
) -> None:
    """§4 site-of-care notes (ADM-F1, SOC-AIS, SOC-SUP1)."""
    if site in tables.options.facility_claim_sites and has_procedure:
        msg = (
            "administration codes go on the hospital's facility claim (837I); a physician may not bill them "
            "with a facility place of service (ADM-F1)"
        )
        if has_em:
            msg += "; the E/M belongs on the physician's professional claim"
        book.note("ADM-F1", msg)
    if site == "ais" and payer == "medicare":
        book.warn(
            "SOC-AIS", "Medicare does not cover services in a pharmacy's ambulatory infusion suite (SOC-AIS)"
        )
    if site == "aic" and payer == "medicare" and has_procedure:
        book.note(
            "SOC-SUP1",
            "Medicare incident-to billing at an AIC needs direct supervision (on site, or real-time "
            "audio-video from CY2026) (SOC-SUP1)",
        )

"""Drug administration codes: CPT 96360-96379 and 96401-96549 (docs/billing-rules/administration.md).

Implements "How the engine puts it together" in docs/billing-rules/administration.md, per encounter
and vascular access site:
classify (ADM-D1..D3, ADM-T1), drop what is not reportable (ADM-T2, ADM-H2..H4, ADM-B1), pick one
initial service (ADM-I1..I3), then code the rest as additional hours (ADM-T3), sequential (ADM-S1),
concurrent (ADM-C1) or push add-ons (ADM-P1, ADM-P2). Injections, pump starts and pump refills are
their own services (ADM-INJ1, ADM-CH1, ADM-CH3); SC infusions follow ADM-SC1.

This module is the IV hierarchy: the initial service of each site and encounter and its additional
hours. Infusion time is in administration_infusion_time, the add-on services in
administration_addons, everything outside the IV hierarchy in administration_non_iv.
"""

from __future__ import annotations

from coding.domain.administration_addons import (
    ADDITIONAL_HOUR_CODE,
    code_push_addon,
    code_sequential_or_concurrent,
)
from coding.domain.administration_infusion_time import (
    Interval,
    hydration_services,
    infusion_chains,
    merge_intervals,
)
from coding.domain.administration_non_iv import code_non_iv_services
from coding.domain.administration_types import (
    FAMILY,
    AdministrationCategory,
    AdministrationKind,
    ClassifiedAdministration,
    IvEncounterState,
    IvService,
)
from coding.domain.catalog import CodingOptions
from coding.domain.lines import LineBook
from coding.domain.timing import additional_hours, addon_hours_from_zero, clock_of

# Members bound to module names once: on CPython 3.11 EnumType defines __getattr__, which takes
# every `Enum.MEMBER` lookup off the fast path (~5x a global), and these checks run for every
# administration (bench/coding.py).
_CHEMOTHERAPY = AdministrationCategory.CHEMOTHERAPY
_HYDRATION = AdministrationCategory.HYDRATION
_KEEP_VEIN_OPEN = AdministrationCategory.KEEP_VEIN_OPEN
_THERAPEUTIC = AdministrationCategory.THERAPEUTIC
_IV_INFUSION = AdministrationKind.IV_INFUSION
_IV_PUSH = AdministrationKind.IV_PUSH
_SC_INFUSION = AdministrationKind.SC_INFUSION
# (category, kind) of the initial service -> its code, what it is, the rule that picks it
_INITIAL_CODE = {
    (AdministrationCategory.CHEMOTHERAPY, AdministrationKind.IV_INFUSION): (
        "96413",
        "initial chemotherapy IV infusion, first hour",
        "ADM-CH1",
    ),
    (AdministrationCategory.CHEMOTHERAPY, AdministrationKind.IV_PUSH): (
        "96409",
        "initial chemotherapy IV push",
        "ADM-CH1",
    ),
    (AdministrationCategory.THERAPEUTIC, AdministrationKind.IV_INFUSION): (
        "96365",
        "initial IV infusion, first hour",
        "ADM-T1",
    ),
    (AdministrationCategory.THERAPEUTIC, AdministrationKind.IV_PUSH): ("96374", "initial IV push", "ADM-P1"),
    (AdministrationCategory.HYDRATION, AdministrationKind.IV_INFUSION): (
        "96360",
        "initial IV hydration, 31 min to 1 h",
        "ADM-T2",
    ),
}


def code_administrations(
    adms: list[ClassifiedAdministration], book: LineBook, opts: CodingOptions, facility: bool
) -> None:
    """Add administration lines for all administrations (already in canonical order) to `book`."""
    if not adms:
        return
    encounters = sorted({a.encounter for a in adms})
    first_enc = encounters[0]
    iv_initial_seen = False
    for enc in encounters:
        group = adms if len(encounters) == 1 else [a for a in adms if a.encounter == enc]
        if _code_iv(group, enc, enc != first_enc, book, opts, facility):
            iv_initial_seen = True
    code_non_iv_services(adms, book, opts, iv_initial_seen)


def _code_iv(
    group: list[ClassifiedAdministration],
    enc: int,
    distinct_encounter: bool,
    book: LineBook,
    opts: CodingOptions,
    facility: bool,
) -> bool:
    """IV hierarchy for one encounter. Returns True when an initial IV service was coded."""
    drug_intervals: list[Interval] = []
    hydration: list[ClassifiedAdministration] = []
    infusions: list[ClassifiedAdministration] = []
    pushes: list[ClassifiedAdministration] = []
    for a in group:
        kind = a.kind
        if kind == _IV_INFUSION:
            if a.category == _HYDRATION:
                hydration.append(a)
            elif a.category == _KEEP_VEIN_OPEN:
                book.note(
                    "ADM-H4",
                    f"{a.name} {clock_of(a.start)}–{clock_of(a.stop)} is keep-vein-open or "
                    "vehicle fluid, not a hydration service (ADM-H4, ADM-B1)",
                    a.path,
                )
            else:
                infusions.append(a)
                drug_intervals.append((a.start, a.stop))
        elif kind == _IV_PUSH:
            if a.category in (_CHEMOTHERAPY, _THERAPEUTIC):
                pushes.append(a)
            else:
                book.note(
                    "ADM-T2",
                    f"{a.name} given in {a.minutes} min is not reportable as hydration "
                    "(hydration must run at least 31 minutes, ADM-T2)",
                    a.path,
                )
        elif kind == _SC_INFUSION and a.category != _KEEP_VEIN_OPEN:
            drug_intervals.append((a.start, a.stop))
    if not (hydration or infusions or pushes):
        return False
    # The guards skip calls that would return nothing: this runs for every encounter (bench/coding.py).
    merged_drug = merge_intervals(drug_intervals) if drug_intervals else []
    services = hydration_services(hydration, merged_drug, book, opts) if hydration else []
    if infusions:
        services.extend(infusion_chains(infusions, book, opts))
    for p in pushes:
        services.append(IvService(p, p.minutes))
    if not services:
        return False

    by_site: dict[str, list[IvService]] = {}
    for svc in services:
        by_site.setdefault(svc.iv_site, []).append(svc)

    initials: list[tuple[tuple[int, int, int, str], str, IvService]] = []
    for site, svcs in by_site.items():
        initial = None
        primaries = [s for s in svcs if s.primary]
        if primaries:
            if facility or not opts.allow_primary_override:
                book.note(
                    "ADM-I2",
                    "a documented primary reason does not change the initial service under "
                    "facility (hospital) rules: the hierarchy applies (ADM-I2)",
                )
            else:
                initial = min(primaries, key=IvService.rank)
        if initial is None:
            initial = svcs[0] if len(svcs) == 1 else min(svcs, key=IvService.rank)
        initials.append(((initial.category, initial.kind, initial.start, site), site, initial))
    if len(initials) > 1:
        initials.sort(key=_hierarchy_order)

    state = IvEncounterState(enc)
    for number, (_, site, initial) in enumerate(initials):
        modifiers: tuple[str, ...] = ()
        why = ""
        if number > 0:
            modifiers = (opts.distinct_site_modifier,)
            why = (
                f"; a second initial service with {opts.distinct_site_modifier} because IV site {site} is "
                "a separate, medically required access (ADM-I3)"
            )
        elif distinct_encounter:
            modifiers = (opts.distinct_encounter_modifier,)
            why = (
                f"; encounter {enc} is a separate encounter later the same day, so it has its own initial "
                f"service with {opts.distinct_encounter_modifier} (ADM-I3)"
            )
        _code_site(by_site[site], initial, modifiers, why, state, book, opts, facility)
    return True


def _hierarchy_order(item: tuple[tuple[int, int, int, str], str, IvService]) -> tuple[int, int, int, str]:
    return item[0]


def _time_order(svc: IvService) -> tuple[int, int, int, str]:
    return (svc.start, svc.category, svc.kind, svc.drug or "")


def _code_site(
    svcs: list[IvService],
    initial: IvService,
    modifiers: tuple[str, ...],
    why: str,
    state: IvEncounterState,
    book: LineBook,
    opts: CodingOptions,
    facility: bool,
) -> None:
    """The initial service of one site (ADM-I1, ADM-I2) with its additional hours (ADM-T3), then every
    other service of the site in time order as an add-on."""
    enc, site = state.encounter, initial.iv_site
    code, text, rule = _INITIAL_CODE[(initial.category, initial.kind)]
    basis = (
        "it is the primary reason for the visit as documented (ADM-I2)"
        if initial.primary and not facility
        else "it ranks highest: chemotherapy > therapeutic > hydration, infusion > push (ADM-I1, ADM-I2)"
    )
    book.add(
        code,
        1,
        f"{code} {text}: {initial.name} {initial.span()}; {basis}{why} [{rule}]",
        ("ADM-I1", "ADM-I2", rule),
        FAMILY,
        modifiers,
        enc,
        site,
    )
    if initial.kind == _IV_INFUSION:
        hours = additional_hours(initial.minutes, opts.addon_over_minutes)
        if hours:
            add = ADDITIONAL_HOUR_CODE[initial.category]
            book.add(
                add,
                hours,
                f"{add} x{hours}: {initial.name} ran {initial.minutes} min; each hour after the "
                "first counts only when it runs more than 30 min past the last full hour (ADM-T3)",
                ("ADM-T3",),
                FAMILY,
                (),
                enc,
                site,
            )
    if initial.kind == _IV_PUSH:
        state.last_push_start[initial.drug] = initial.start
    coded = [initial] if initial.kind == _IV_INFUSION and initial.category != _HYDRATION else []

    rest = sorted((s for s in svcs if s is not initial), key=_time_order) if len(svcs) > 1 else ()
    for svc in rest:
        if svc.kind == _IV_PUSH:
            code_push_addon(svc, state, book, opts, facility)
        elif svc.category == _HYDRATION:
            units = addon_hours_from_zero(svc.minutes, opts.addon_over_minutes)
            if units:
                book.add(
                    "96361",
                    units,
                    f"96361 x{units}: hydration {svc.span()} given before or after the "
                    f"initial service, each hour or part over 30 min (ADM-H2, ADM-T3)",
                    ("ADM-H2", "ADM-T3"),
                    FAMILY,
                    (),
                    enc,
                    site,
                )
        else:
            code_sequential_or_concurrent(svc, coded, state, book, opts)

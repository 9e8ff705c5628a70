"""Drug administration codes: CPT 96360-96379 and 96401-96549 (docs/billing-rules/administration.md).

Implements "How the engine puts it together" in docs/billing-rules/administration.md, per encounter
and vascular access site:
classify (ADM-D1..D3, ADM-T1), drop what is not reportable (ADM-T2, ADM-H2..H4, ADM-B1), pick one
initial service (ADM-I1..I3), then code the rest as additional hours (ADM-T3), sequential (ADM-S1),
concurrent (ADM-C1) or push add-ons (ADM-P1, ADM-P2). Injections, pump starts and pump refills are
their own services (ADM-INJ1, ADM-CH1, ADM-CH3); SC infusions follow ADM-SC1.
"""

from __future__ import annotations

from coding.domain.catalog import CodingOptions
from coding.domain.lines import LineBook
from coding.domain.timing import additional_hours, addon_hours_from_zero, clock_of

# categories, in hierarchy order (ADM-I2: chemo/complex > therapeutic > hydration)
CHEMO, THER, HYD, KVO = 0, 1, 2, 3
# kinds; INF and PUSH take part in the IV hierarchy (infusion > push)
INF, PUSH, SC, INJ, IA, OBI, PUMP, REFILL, IREFILL, PORT = range(10)

CAT_WORD = {CHEMO: "chemotherapy", THER: "therapeutic", HYD: "hydration", KVO: "keep-vein-open"}
FAMILY = "administration"


class Adm:
    """One administration, classified. `index` is its position in the input (for paths)."""

    __slots__ = (
        "cat",
        "drug",
        "enc",
        "hormonal",
        "index",
        "kind",
        "minutes",
        "name",
        "primary",
        "protocol",
        "site",
        "start",
        "stop",
        "volume_ml",
    )

    def __init__(
        self, index, drug, name, cat, hormonal, kind, start, stop, site, enc, primary, protocol, volume_ml
    ):
        self.index = index
        self.drug = drug
        self.name = name
        self.cat = cat
        self.hormonal = hormonal
        self.kind = kind
        self.start = start
        self.stop = stop
        self.minutes = stop - start
        self.site = site
        self.enc = enc
        self.primary = primary
        self.protocol = protocol
        self.volume_ml = volume_ml


class Svc:
    """A service to code: one push, or one infusion chain of the same drug on one site (ADM-T4)."""

    __slots__ = ("cat", "drug", "kind", "minutes", "name", "note", "primary", "site", "start", "stop")

    def __init__(self, a: Adm, minutes: int):
        self.cat = a.cat
        self.kind = a.kind
        self.drug = a.drug
        self.name = a.name
        self.site = a.site
        self.start = a.start
        self.stop = a.stop
        self.minutes = minutes
        self.primary = a.primary
        self.note = ""

    def span(self) -> str:
        if self.kind == PUSH:
            return f"at {clock_of(self.start)}"
        return f"{clock_of(self.start)}–{clock_of(self.stop)} ({self.minutes} min{self.note})"

    def rank(self) -> tuple:
        return (self.cat, self.kind, self.start, -self.minutes, self.drug or "")


def _overlap(a_start: int, a_stop: int, b_start: int, b_stop: int) -> int:
    return max(0, min(a_stop, b_stop) - max(a_start, b_start))


def _covered(start: int, stop: int, intervals: list[tuple[int, int]]) -> int:
    """Minutes of [start, stop) covered by the union of `intervals` (sorted, merged)."""
    total = 0
    for i_start, i_stop in intervals:
        if i_start >= stop:
            break
        total += _overlap(start, stop, i_start, i_stop)
    return total


def _merge(intervals: list[tuple[int, int]]) -> list[tuple[int, int]]:
    intervals.sort()
    merged: list[tuple[int, int]] = []
    for start, stop in intervals:
        if merged and start <= merged[-1][1]:
            if stop > merged[-1][1]:
                merged[-1] = (merged[-1][0], stop)
        else:
            merged.append((start, stop))
    return merged


def code_administrations(adms: list[Adm], book: LineBook, opts: CodingOptions, facility: bool) -> None:
    """Add administration lines for all administrations (already in canonical order) to `book`."""
    if not adms:
        return
    encounters = sorted({a.enc for a in adms})
    first_enc = encounters[0]
    iv_initial_seen = False
    for enc in encounters:
        group = adms if len(encounters) == 1 else [a for a in adms if a.enc == enc]
        if _code_iv(group, enc, enc != first_enc, book, opts, facility):
            iv_initial_seen = True
    _code_other(adms, book, opts, iv_initial_seen)


def _code_iv(
    group: list[Adm], enc: int, distinct_encounter: bool, book: LineBook, opts: CodingOptions, facility: bool
) -> bool:
    """IV hierarchy for one encounter. Returns True when an initial IV service was coded."""
    drug_intervals: list[tuple[int, int]] = []
    hydration: list[Adm] = []
    infusions: list[Adm] = []
    pushes: list[Adm] = []
    for a in group:
        kind = a.kind
        if kind == INF:
            if a.cat == HYD:
                hydration.append(a)
            elif a.cat == KVO:
                book.note(
                    "ADM-H4",
                    f"{a.name} {clock_of(a.start)}–{clock_of(a.stop)} is keep-vein-open or "
                    "vehicle fluid, not a hydration service (ADM-H4, ADM-B1)",
                    f"administrations[{a.index}]",
                )
            else:
                infusions.append(a)
                drug_intervals.append((a.start, a.stop))
        elif kind == PUSH:
            if a.cat in (CHEMO, THER):
                pushes.append(a)
            else:
                book.note(
                    "ADM-T2",
                    f"{a.name} given in {a.minutes} min is not reportable as hydration "
                    "(hydration must run at least 31 minutes, ADM-T2)",
                    f"administrations[{a.index}]",
                )
        elif kind == SC and a.cat != KVO:
            drug_intervals.append((a.start, a.stop))
    if not (hydration or infusions or pushes):
        return False
    merged_drug = _merge(drug_intervals)

    services: list[Svc] = []
    services.extend(_hydration_services(hydration, merged_drug, book, opts))
    services.extend(_infusion_chains(infusions, book, opts))
    services.extend(Svc(p, p.minutes) for p in pushes)
    if not services:
        return False

    by_site: dict[str, list[Svc]] = {}
    for svc in services:
        by_site.setdefault(svc.site, []).append(svc)

    initials: list[tuple[tuple, str, Svc]] = []
    for site, svcs in by_site.items():
        initial = None
        if any(s.primary for s in svcs):
            if facility or not opts.allow_primary_override:
                book.note(
                    "ADM-I2",
                    "a documented primary reason does not change the initial service under "
                    "facility (hospital) rules: the hierarchy applies (ADM-I2)",
                )
            else:
                initial = min((s for s in svcs if s.primary), key=Svc.rank)
        if initial is None:
            initial = min(svcs, key=Svc.rank)
        initials.append(((initial.cat, initial.kind, initial.start, site), site, initial))
    initials.sort(key=lambda item: item[0])

    state = _EncounterState(enc)
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


class _EncounterState:
    __slots__ = ("concurrent_used", "enc", "pushed")

    def __init__(self, enc: int):
        self.enc = enc
        self.concurrent_used = False
        self.pushed: dict[str | None, int] = {}  # drug -> start of its last reported push


def _hydration_services(
    hydration: list[Adm], merged_drug: list[tuple[int, int]], book: LineBook, opts: CodingOptions
) -> list[Svc]:
    """ADM-T2, ADM-H2, ADM-H3, ADM-H4, ADM-T4: one hydration service per site with billable minutes."""
    out: list[Svc] = []
    chains: dict[str, list] = {}
    for a in hydration:
        path = f"administrations[{a.index}]"
        if a.protocol and not opts.report_protocol_hydration:
            book.warn(
                "ADM-H2",
                f"hydration {clock_of(a.start)}–{clock_of(a.stop)} is required by the drug's own "
                "protocol; not billed by default, send to coder review (ADM-H2)",
                path,
            )
            continue
        if (
            opts.hydration_min_volume_ml is not None
            and a.volume_ml is not None
            and a.volume_ml < opts.hydration_min_volume_ml
        ):
            book.note(
                "ADM-H4",
                f"hydration of {a.volume_ml} mL is under this payer's "
                f"{opts.hydration_min_volume_ml} mL minimum (ADM-H4)",
                path,
            )
            continue
        concurrent = _covered(a.start, a.stop, merged_drug) if merged_drug else 0
        billable = a.minutes - concurrent
        if concurrent:
            book.note(
                "ADM-H3",
                f"{concurrent} min of hydration {clock_of(a.start)}–{clock_of(a.stop)} ran at the "
                "same time as a drug infusion and are not separately reportable (ADM-H3)",
                path,
            )
        chain = chains.get(a.site)
        if chain is None:
            chains[a.site] = [a, billable, a.stop, False]
            continue
        if a.start - chain[2] > opts.bag_change_max_gap_minutes:
            if not opts.sum_same_drug_infusions:
                book.warn(
                    "ADM-T4",
                    "a separate hydration later the same day is not added to the first "
                    "(payer setting, ADM-T4)",
                    path,
                )
                continue
            chain[3] = True
        chain[1] += billable
        chain[2] = max(chain[2], a.stop)
    for first, billable, stop, summed in chains.values():
        path = f"administrations[{first.index}]"
        if billable < opts.hydration_min_minutes:
            book.note(
                "ADM-T2",
                f"hydration on site {first.site} has {billable} billable min, under the "
                f"{opts.hydration_min_minutes} min minimum: not reportable (ADM-T2)",
                path,
            )
            continue
        if summed:
            book.warn(
                "ADM-T4",
                "separate hydration infusions on one day were added together; confirm they were "
                "one continuous order (ADM-T4)",
                path,
            )
        book.note(
            "ADM-H1",
            f"hydration on site {first.site} is billed: the record must show its own medical "
            "necessity (signs/symptoms) and an order with rate and volume (ADM-H1)",
            path,
        )
        svc = Svc(first, billable)
        svc.stop = stop
        if billable != stop - first.start:
            svc.note = ", billable"
        out.append(svc)
    return out


def _infusion_chains(infusions: list[Adm], book: LineBook, opts: CodingOptions) -> list[Svc]:
    """ADM-T4: the same drug on the same site continues one infusion chain across bag changes; separate
    infusions of the same drug later that day are added (configurable, flagged for review)."""
    out: list[Svc] = []
    chains: dict[tuple, Svc] = {}
    for a in infusions:
        key = (a.site, a.drug, a.cat)
        svc = chains.get(key)
        if svc is None:
            svc = Svc(a, a.minutes)
            chains[key] = svc
            out.append(svc)
            continue
        if a.start - svc.stop <= opts.bag_change_max_gap_minutes:
            # the clock keeps running through a brief bag change (the gap counts)
            if a.stop > svc.stop:
                svc.minutes += a.stop - svc.stop
                svc.stop = a.stop
            svc.note = ", bag change"
        elif opts.sum_same_drug_infusions:
            svc.minutes += a.minutes
            svc.stop = max(svc.stop, a.stop)
            svc.note = ", two infusions added"
            book.warn(
                "ADM-T4",
                f"{a.name} was infused twice on one day; the times were added for additional "
                "hours. Confirm this is one course, not two separate orders (ADM-T4)",
                f"administrations[{a.index}]",
            )
        else:
            book.warn(
                "ADM-T4",
                f"a second, separate infusion of {a.name} is not added to the first (payer setting, ADM-T4)",
                f"administrations[{a.index}]",
            )
        svc.primary = svc.primary or a.primary
    return out


_INITIAL = {
    (CHEMO, INF): ("96413", "initial chemotherapy IV infusion, first hour", "ADM-CH1"),
    (CHEMO, PUSH): ("96409", "initial chemotherapy IV push", "ADM-CH1"),
    (THER, INF): ("96365", "initial IV infusion, first hour", "ADM-T1"),
    (THER, PUSH): ("96374", "initial IV push", "ADM-P1"),
    (HYD, INF): ("96360", "initial IV hydration, 31 min to 1 h", "ADM-T2"),
}
_HOURS = {CHEMO: "96415", THER: "96366", HYD: "96361"}
_SEQUENTIAL = {CHEMO: "96417", THER: "96367"}


def _code_site(
    svcs: list[Svc],
    initial: Svc,
    modifiers: tuple[str, ...],
    why: str,
    state: _EncounterState,
    book: LineBook,
    opts: CodingOptions,
    facility: bool,
) -> None:
    enc, site = state.enc, initial.site
    code, text, rule = _INITIAL[(initial.cat, initial.kind)]
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
    if initial.kind == INF:
        hours = additional_hours(initial.minutes, opts.addon_over_minutes)
        if hours:
            add = _HOURS[initial.cat]
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
    if initial.kind == PUSH:
        state.pushed[initial.drug] = initial.start
    coded = [initial] if initial.kind == INF and initial.cat != HYD else []

    rest = sorted((s for s in svcs if s is not initial), key=lambda s: (s.start, s.cat, s.kind, s.drug or ""))
    for svc in rest:
        if svc.kind == PUSH:
            _code_push(svc, state, book, opts, facility)
        elif svc.cat == HYD:
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
            _code_drug_infusion(svc, coded, state, book, opts)


def _code_drug_infusion(
    svc: Svc, coded: list[Svc], state: _EncounterState, book: LineBook, opts: CodingOptions
) -> None:
    enc, site = state.enc, svc.site
    overlapping = None
    for other in coded:
        if _overlap(svc.start, svc.stop, other.start, other.stop) >= opts.concurrent_min_overlap_minutes:
            overlapping = other
            break
    coded.append(svc)
    if overlapping is not None:
        if state.concurrent_used:
            book.note(
                "ADM-C1",
                f"{svc.name} {svc.span()} is another concurrent infusion; 96368 is reported "
                "only once per encounter (ADM-C1)",
            )
            return
        state.concurrent_used = True
        book.add(
            "96368",
            1,
            f"96368 concurrent infusion: {svc.name} {svc.span()} ran in a separate bag at the "
            f"same time as {overlapping.name} through the same line (ADM-C1)",
            ("ADM-C1",),
            FAMILY,
            (),
            enc,
            site,
        )
        return
    code = _SEQUENTIAL[svc.cat]
    rule = "ADM-CH1" if svc.cat == CHEMO else "ADM-S1"
    word = "different chemotherapy drug" if svc.cat == CHEMO else "new drug"
    book.add(
        code,
        1,
        f"{code} sequential infusion of a {word}: {svc.name} {svc.span()} after another "
        f"service through the same access, first hour ({rule})",
        (rule,),
        FAMILY,
        (),
        enc,
        site,
    )
    hours = additional_hours(svc.minutes, opts.addon_over_minutes)
    if hours:
        add = _HOURS[svc.cat]
        book.add(
            add,
            hours,
            f"{add} x{hours}: the sequential infusion of {svc.name} ran {svc.minutes} min; "
            "each hour after the first counts only when more than 30 min over (ADM-S1, ADM-T3)",
            ("ADM-S1", "ADM-T3"),
            FAMILY,
            (),
            enc,
            site,
        )


def _code_push(svc: Svc, state: _EncounterState, book: LineBook, opts: CodingOptions, facility: bool) -> None:
    enc, site = state.enc, svc.site
    last = state.pushed.get(svc.drug)
    if svc.cat == CHEMO:
        if last is not None:
            book.note(
                "ADM-P1",
                f"{svc.name} pushed again {svc.span()}: 96411 is for each additional chemotherapy "
                "drug, so the repeat adds drug units only (ADM-P1)",
            )
            return
        state.pushed[svc.drug] = svc.start
        book.add(
            "96411",
            1,
            f"96411 additional chemotherapy push of a different drug: {svc.name} {svc.span()} "
            "(ADM-P1, ADM-CH1)",
            ("ADM-P1", "ADM-CH1"),
            FAMILY,
            (),
            enc,
            site,
        )
        return
    if last is None:
        state.pushed[svc.drug] = svc.start
        book.add(
            "96375",
            1,
            f"96375 sequential IV push of a new drug: {svc.name} {svc.span()} after the initial "
            "service (ADM-P1)",
            ("ADM-P1",),
            FAMILY,
            (),
            enc,
            site,
        )
        return
    if not facility:
        book.note(
            "ADM-P2",
            f"{svc.name} pushed again {svc.span()}: outside a hospital there is no code for a repeat "
            "push of the same drug; only the drug units add up (ADM-P2)",
        )
        return
    gap = svc.start - last
    if gap < opts.repeat_push_min_gap_minutes:
        book.note(
            "ADM-P2",
            f"{svc.name} pushed again {svc.span()}, {gap} min after the last reported push of the "
            "same drug: 96376 is not reported within 30 minutes (ADM-P2)",
        )
        return
    state.pushed[svc.drug] = svc.start
    book.add(
        "96376",
        1,
        f"96376 repeat IV push of the same drug (hospital only): {svc.name} {svc.span()}, "
        f"{gap} min after the previous push (ADM-P2)",
        ("ADM-P2",),
        FAMILY,
        (),
        enc,
        site,
    )


def _code_other(adms: list[Adm], book: LineBook, opts: CodingOptions, iv_initial_seen: bool) -> None:
    """Services outside the IV hierarchy: SC infusion (ADM-SC1), SC/IM/intra-arterial injections and the
    on-body injector (ADM-INJ1, ADM-CH3), pump start and refills (ADM-CH1), port irrigation (ADM-B1)."""
    sc_by_enc: dict[int, list[Adm]] = {}
    ports: list[Adm] = []
    injection_seen = False
    for a in adms:
        kind = a.kind
        if kind in (INF, PUSH):
            continue
        enc = a.enc
        path = f"administrations[{a.index}]"
        if a.cat == KVO:
            book.note("ADM-H4", f"{a.name} is keep-vein-open or vehicle fluid, not reportable (ADM-H4)", path)
            continue
        if kind == SC:
            sc_by_enc.setdefault(enc, []).append(a)
        elif kind == INJ:
            injection_seen = True
            if a.cat == CHEMO:
                code, text, rule = (
                    ("96402", "hormonal antineoplastic SC/IM injection", "ADM-CH3")
                    if a.hormonal
                    else ("96401", "non-hormonal antineoplastic SC/IM injection", "ADM-CH3")
                )
            else:
                code, text, rule = "96372", "therapeutic SC/IM injection", "ADM-INJ1"
            book.add(
                code, 1, f"{code} {text}: {a.name} at {clock_of(a.start)} ({rule})", (rule,), FAMILY, (), enc
            )
        elif kind == IA:
            injection_seen = True
            book.add(
                "96373",
                1,
                f"96373 intra-arterial injection: {a.name} at {clock_of(a.start)} (ADM-INJ1)",
                ("ADM-INJ1",),
                FAMILY,
                (),
                enc,
            )
        elif kind == OBI:
            injection_seen = True
            book.add(
                "96377",
                1,
                f"96377 on-body injector applied for timed SC delivery: {a.name} at "
                f"{clock_of(a.start)} (ADM-INJ1)",
                ("ADM-INJ1",),
                FAMILY,
                (),
                enc,
            )
        elif kind == PUMP:
            if a.cat == CHEMO:
                book.add(
                    "96416",
                    1,
                    f"96416 start of a prolonged (over 8 h) chemotherapy infusion on a portable "
                    f"pump: {a.name} at {clock_of(a.start)} (ADM-CH1)",
                    ("ADM-CH1",),
                    FAMILY,
                    (),
                    enc,
                    a.site,
                )
            else:
                book.add(
                    "96379",
                    1,
                    f"96379 unlisted IV service: pump start of {a.name} at {clock_of(a.start)}; "
                    "96416 is for chemotherapy only (ADM-CH1)",
                    ("ADM-CH1",),
                    FAMILY,
                    (),
                    enc,
                    a.site,
                )
                book.warn(
                    "ADM-CH1",
                    f"pump start of non-chemotherapy {a.name}: coded as unlisted 96379, coder review",
                    path,
                )
        elif kind == REFILL:
            book.add(
                "96521",
                1,
                f"96521 refill/maintenance of a portable pump: {a.name} (ADM-CH1)",
                ("ADM-CH1",),
                FAMILY,
                (),
                enc,
            )
        elif kind == IREFILL:
            book.add(
                "96522",
                1,
                f"96522 refill/maintenance of an implantable pump: {a.name} (ADM-CH1)",
                ("ADM-CH1",),
                FAMILY,
                (),
                enc,
            )
        elif kind == PORT:
            ports.append(a)
    for enc, group in sorted(sc_by_enc.items()):
        _code_sc(group, enc, book, opts)
        if iv_initial_seen:
            book.warn(
                "ADM-I1",
                "an SC infusion initial (96369) and an IV initial service on one day: the payer may "
                "require a distinct-service modifier (ADM-I1)",
            )
    if injection_seen and iv_initial_seen:
        book.warn(
            "ADM-INJ1",
            "an SC/IM injection with an IV service the same day: payers may apply NCCI edits; "
            "review the need for a distinct-service modifier (ADM-INJ1)",
        )
    if ports:
        if iv_initial_seen or injection_seen or sc_by_enc:
            book.note(
                "ADM-B1",
                "port irrigation (96523) is not reportable on a day with another injection or "
                "infusion (ADM-B1)",
            )
        else:
            book.add(
                "96523",
                1,
                "96523 irrigation of an implanted venous access device, the only service that day (ADM-B1)",
                ("ADM-B1",),
                FAMILY,
            )


def _code_sc(group: list[Adm], enc: int, book: LineBook, opts: CodingOptions) -> None:
    """ADM-SC1: sites set up together are one 96369 (+96370 per ADM-T3); a later set-up with new site(s)
    is +96371 (once per encounter)."""
    first_start = min(a.start for a in group)
    first = [a for a in group if a.start == first_start]
    later = [a for a in group if a.start != first_start]
    longest = max(a.minutes for a in first)
    name = first[0].name
    book.add(
        "96369",
        1,
        f"96369 SC infusion, first hour incl. pump set-up and {len(first)} site(s): {name} "
        f"{clock_of(first_start)}, {longest} min (ADM-SC1)",
        ("ADM-SC1",),
        FAMILY,
        (),
        enc,
    )
    hours = additional_hours(longest, opts.addon_over_minutes)
    if hours:
        book.add(
            "96370",
            hours,
            f"96370 x{hours}: the SC infusion ran {longest} min (ADM-SC1, ADM-T3)",
            ("ADM-SC1", "ADM-T3"),
            FAMILY,
            (),
            enc,
        )
    if later:
        book.add(
            "96371",
            1,
            f"96371 additional pump set-up with new SC site(s) at {clock_of(later[0].start)} (ADM-SC1)",
            ("ADM-SC1",),
            FAMILY,
            (),
            enc,
        )

"""Services outside the IV hierarchy (docs/billing-rules/administration.md, "Chemotherapy, injections
and subcutaneous infusions").

SC infusion (ADM-SC1), SC/IM/intra-arterial injections and the on-body injector (ADM-INJ1, ADM-CH3),
pump start and refills (ADM-CH1), port irrigation only when nothing else was given (ADM-B1).
"""

from __future__ import annotations

from coding.domain.administration_types import (
    FAMILY,
    AdministrationCategory,
    AdministrationKind,
    ClassifiedAdministration,
)
from coding.domain.catalog import CodingOptions
from coding.domain.lines import LineBook
from coding.domain.timing import additional_hours, clock_of

# Members bound to module names once: on CPython 3.11 EnumType defines __getattr__, which takes
# every `Enum.MEMBER` lookup off the fast path (~5x a global), and these checks run for every
# administration (bench/coding.py).
_CHEMOTHERAPY = AdministrationCategory.CHEMOTHERAPY
_KEEP_VEIN_OPEN = AdministrationCategory.KEEP_VEIN_OPEN
_IMPLANTED_PUMP_REFILL = AdministrationKind.IMPLANTED_PUMP_REFILL
_INJECTION = AdministrationKind.INJECTION
_INTRA_ARTERIAL = AdministrationKind.INTRA_ARTERIAL
_ON_BODY_INJECTOR = AdministrationKind.ON_BODY_INJECTOR
_PORTABLE_PUMP_REFILL = AdministrationKind.PORTABLE_PUMP_REFILL
_PORT_IRRIGATION = AdministrationKind.PORT_IRRIGATION
_PUMP_START = AdministrationKind.PUMP_START
_SC_INFUSION = AdministrationKind.SC_INFUSION
_IV_HIERARCHY = (AdministrationKind.IV_INFUSION, AdministrationKind.IV_PUSH)


def code_non_iv_services(
    adms: list[ClassifiedAdministration], book: LineBook, opts: CodingOptions, iv_initial_seen: bool
) -> None:
    """Services outside the IV hierarchy: SC infusion (ADM-SC1), SC/IM/intra-arterial injections and the
    on-body injector (ADM-INJ1, ADM-CH3), pump start and refills (ADM-CH1), port irrigation (ADM-B1)."""
    sc_by_enc: dict[int, list[ClassifiedAdministration]] = {}
    ports: list[ClassifiedAdministration] = []
    injection_seen = False
    for a in adms:
        kind = a.kind
        if kind in _IV_HIERARCHY:
            continue
        enc = a.encounter
        if a.category == _KEEP_VEIN_OPEN:
            book.note(
                "ADM-H4", f"{a.name} is keep-vein-open or vehicle fluid, not reportable (ADM-H4)", a.path
            )
            continue
        if kind == _SC_INFUSION:
            sc_by_enc.setdefault(enc, []).append(a)
        elif kind == _INJECTION:
            injection_seen = True
            if a.category == _CHEMOTHERAPY:
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
        elif kind == _INTRA_ARTERIAL:
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
        elif kind == _ON_BODY_INJECTOR:
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
        elif kind == _PUMP_START:
            _code_pump_start(a, book)
        elif kind == _PORTABLE_PUMP_REFILL:
            book.add(
                "96521",
                1,
                f"96521 refill/maintenance of a portable pump: {a.name} (ADM-CH1)",
                ("ADM-CH1",),
                FAMILY,
                (),
                enc,
            )
        elif kind == _IMPLANTED_PUMP_REFILL:
            book.add(
                "96522",
                1,
                f"96522 refill/maintenance of an implantable pump: {a.name} (ADM-CH1)",
                ("ADM-CH1",),
                FAMILY,
                (),
                enc,
            )
        elif kind == _PORT_IRRIGATION:
            ports.append(a)
    for enc, group in sorted(sc_by_enc.items()):
        _code_sc_infusion(group, enc, book, opts)
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


def _code_pump_start(a: ClassifiedAdministration, book: LineBook) -> None:
    """ADM-CH1: 96416 starts a prolonged chemotherapy infusion on a portable pump; any other drug's
    pump start has no code of its own (unlisted 96379, coder review)."""
    if a.category == _CHEMOTHERAPY:
        book.add(
            "96416",
            1,
            f"96416 start of a prolonged (over 8 h) chemotherapy infusion on a portable "
            f"pump: {a.name} at {clock_of(a.start)} (ADM-CH1)",
            ("ADM-CH1",),
            FAMILY,
            (),
            a.encounter,
            a.iv_site,
        )
        return
    book.add(
        "96379",
        1,
        f"96379 unlisted IV service: pump start of {a.name} at {clock_of(a.start)}; "
        "96416 is for chemotherapy only (ADM-CH1)",
        ("ADM-CH1",),
        FAMILY,
        (),
        a.encounter,
        a.iv_site,
    )
    book.warn(
        "ADM-CH1",
        f"pump start of non-chemotherapy {a.name}: coded as unlisted 96379, coder review",
        a.path,
    )


def _code_sc_infusion(
    group: list[ClassifiedAdministration], enc: int, book: LineBook, opts: CodingOptions
) -> None:
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

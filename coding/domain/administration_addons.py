"""Add-on services after the initial one (docs/billing-rules/administration.md, "Add-on services").

ADM-S1 / ADM-CH1: a sequential infusion of a new drug (96367, chemotherapy 96417) with its own
additional hours (ADM-T3). ADM-C1: one concurrent infusion (96368) per encounter, when two drugs
overlap long enough. ADM-P1 / ADM-P2: pushes of a new drug (96375, chemotherapy 96411) and the
facility-only repeat push of the same drug (96376, at least 30 minutes after the last one).
"""

from __future__ import annotations

from coding.domain.administration_infusion_time import overlap_minutes
from coding.domain.administration_types import (
    FAMILY,
    AdministrationCategory,
    IvEncounterState,
    IvService,
)
from coding.domain.catalog import CodingOptions
from coding.domain.lines import LineBook
from coding.domain.timing import additional_hours

# Members bound to module names once: on CPython 3.11 EnumType defines __getattr__, which takes
# every `Enum.MEMBER` lookup off the fast path (~5x a global), and these checks run for every
# administration (bench/coding.py).
_CHEMOTHERAPY = AdministrationCategory.CHEMOTHERAPY
# "each additional hour" code of an initial or sequential infusion, by category (ADM-T3)
ADDITIONAL_HOUR_CODE = {
    AdministrationCategory.CHEMOTHERAPY: "96415",
    AdministrationCategory.THERAPEUTIC: "96366",
    AdministrationCategory.HYDRATION: "96361",
}
_SEQUENTIAL_CODE = {
    AdministrationCategory.CHEMOTHERAPY: "96417",
    AdministrationCategory.THERAPEUTIC: "96367",
}


def code_sequential_or_concurrent(
    svc: IvService, coded: list[IvService], state: IvEncounterState, book: LineBook, opts: CodingOptions
) -> None:
    """A drug infusion after the initial service: concurrent (ADM-C1) when it overlaps an infusion
    already coded in `coded` by the payer's minimum, otherwise sequential (ADM-S1, ADM-CH1)."""
    enc, site = state.encounter, svc.iv_site
    overlapping = None
    for other in coded:
        if (
            overlap_minutes(svc.start, svc.stop, other.start, other.stop)
            >= opts.concurrent_min_overlap_minutes
        ):
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
    code = _SEQUENTIAL_CODE[svc.category]
    chemo = svc.category == _CHEMOTHERAPY
    rule = "ADM-CH1" if chemo else "ADM-S1"
    word = "different chemotherapy drug" if chemo else "new drug"
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
        add = ADDITIONAL_HOUR_CODE[svc.category]
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


def code_push_addon(
    svc: IvService, state: IvEncounterState, book: LineBook, opts: CodingOptions, facility: bool
) -> None:
    """A push after the initial service: a new drug (96375, chemotherapy 96411, ADM-P1) or the same
    drug again (96376 in a hospital only, not within the payer's gap, ADM-P2)."""
    enc, site = state.encounter, svc.iv_site
    last = state.last_push_start.get(svc.drug)
    if svc.category == _CHEMOTHERAPY:
        if last is not None:
            book.note(
                "ADM-P1",
                f"{svc.name} pushed again {svc.span()}: 96411 is for each additional chemotherapy "
                "drug, so the repeat adds drug units only (ADM-P1)",
            )
            return
        state.last_push_start[svc.drug] = svc.start
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
        state.last_push_start[svc.drug] = svc.start
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
    state.last_push_start[svc.drug] = svc.start
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

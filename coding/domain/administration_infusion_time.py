"""Infusion time: how many minutes each IV service counts (docs/billing-rules/administration.md).

ADM-T4: the same drug on the same site is one infusion chain across bag changes; separate infusions
of the same drug later that day are added when the payer allows it (flagged for review).
ADM-T2, ADM-H2..H4: hydration counts only its own minutes (not those under a drug infusion, ADM-H3),
only when it is not protocol or vehicle fluid, and only from 31 minutes.
"""

from __future__ import annotations

from dataclasses import dataclass

from coding.domain.administration_types import ClassifiedAdministration, IvService
from coding.domain.catalog import CodingOptions
from coding.domain.lines import LineBook
from coding.domain.timing import clock_of

Interval = tuple[int, int]  # [start, stop) in minutes after midnight


def overlap_minutes(a_start: int, a_stop: int, b_start: int, b_stop: int) -> int:
    """Minutes two intervals share (0 when they do not meet)."""
    return max(0, min(a_stop, b_stop) - max(a_start, b_start))


def covered_minutes(start: int, stop: int, intervals: list[Interval]) -> int:
    """Minutes of [start, stop) covered by the union of `intervals` (sorted, merged)."""
    total = 0
    for i_start, i_stop in intervals:
        if i_start >= stop:
            break
        total += overlap_minutes(start, stop, i_start, i_stop)
    return total


def merge_intervals(intervals: list[Interval]) -> list[Interval]:
    """Sort `intervals` in place and return their union as disjoint, sorted intervals."""
    intervals.sort()
    merged: list[Interval] = []
    for start, stop in intervals:
        if merged and start <= merged[-1][1]:
            if stop > merged[-1][1]:
                merged[-1] = (merged[-1][0], stop)
        else:
            merged.append((start, stop))
    return merged


@dataclass(slots=True)
class _HydrationChain:
    first: ClassifiedAdministration
    billable: int
    stop: int
    summed: bool  # a separate hydration later the same day was added (ADM-T4)


def hydration_services(
    hydration: list[ClassifiedAdministration],
    merged_drug: list[Interval],
    book: LineBook,
    opts: CodingOptions,
) -> list[IvService]:
    """ADM-T2, ADM-H2, ADM-H3, ADM-H4, ADM-T4: one hydration service per site with billable minutes."""
    out: list[IvService] = []
    chains: dict[str, _HydrationChain] = {}
    for a in hydration:
        if a.protocol_hydration and not opts.report_protocol_hydration:
            book.warn(
                "ADM-H2",
                f"hydration {clock_of(a.start)}–{clock_of(a.stop)} is required by the drug's own "
                "protocol; not billed by default, send to coder review (ADM-H2)",
                a.path,
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
                a.path,
            )
            continue
        concurrent = covered_minutes(a.start, a.stop, merged_drug) if merged_drug else 0
        billable = a.minutes - concurrent
        if concurrent:
            book.note(
                "ADM-H3",
                f"{concurrent} min of hydration {clock_of(a.start)}–{clock_of(a.stop)} ran at the "
                "same time as a drug infusion and are not separately reportable (ADM-H3)",
                a.path,
            )
        chain = chains.get(a.iv_site)
        if chain is None:
            chains[a.iv_site] = _HydrationChain(a, billable, a.stop, False)
            continue
        if a.start - chain.stop > opts.bag_change_max_gap_minutes:
            if not opts.sum_same_drug_infusions:
                book.warn(
                    "ADM-T4",
                    "a separate hydration later the same day is not added to the first "
                    "(payer setting, ADM-T4)",
                    a.path,
                )
                continue
            chain.summed = True
        chain.billable += billable
        chain.stop = max(chain.stop, a.stop)
    for chain in chains.values():
        first, billable, stop = chain.first, chain.billable, chain.stop
        path = first.path
        if billable < opts.hydration_min_minutes:
            book.note(
                "ADM-T2",
                f"hydration on site {first.iv_site} has {billable} billable min, under the "
                f"{opts.hydration_min_minutes} min minimum: not reportable (ADM-T2)",
                path,
            )
            continue
        if chain.summed:
            book.warn(
                "ADM-T4",
                "separate hydration infusions on one day were added together; confirm they were "
                "one continuous order (ADM-T4)",
                path,
            )
        book.note(
            "ADM-H1",
            f"hydration on site {first.iv_site} is billed: the record must show its own medical "
            "necessity (signs/symptoms) and an order with rate and volume (ADM-H1)",
            path,
        )
        svc = IvService(first, billable)
        svc.stop = stop
        if billable != stop - first.start:
            svc.note = ", billable"
        out.append(svc)
    return out


def infusion_chains(
    infusions: list[ClassifiedAdministration], book: LineBook, opts: CodingOptions
) -> list[IvService]:
    """ADM-T4: the same drug on the same site continues one infusion chain across bag changes; separate
    infusions of the same drug later that day are added (configurable, flagged for review)."""
    out: list[IvService] = []
    chains: dict[tuple[str, str | None, int], IvService] = {}
    for a in infusions:
        key = (a.iv_site, a.drug, a.category)
        svc = chains.get(key)
        if svc is None:
            svc = IvService(a, a.minutes)
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
                a.path,
            )
        else:
            book.warn(
                "ADM-T4",
                f"a second, separate infusion of {a.name} is not added to the first (payer setting, ADM-T4)",
                a.path,
            )
        svc.primary = svc.primary or a.primary
    return out

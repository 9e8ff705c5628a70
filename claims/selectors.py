"""Claims reads: lists and work queues for the UI and API, rows loaded for drafts, payer rules."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable

from django.db.models import Count, Prefetch, QuerySet, Sum

from claims.domain import types as d
from claims.domain.types import ClaimStatus, parse_payer_rules
from claims.models import Acknowledgment, Claim, ClaimEdit, ClaimEvent, ClaimLine, PayerRule, SubmissionBatch

S = ClaimStatus


def claim_list() -> QuerySet[Claim]:
    """Claims with what a list row shows (patient, payer); filter with claims.api.filters.ClaimFilter."""
    return Claim.objects.select_related("patient", "payer", "batch").order_by("-service_date_from", "-pk")


def needs_fix_queue() -> QuerySet[Claim]:
    """Claims the scrubber stopped, oldest service first, with their number of blocking edits."""
    return (
        claim_list()
        .filter(status=S.NEEDS_FIX.value)
        .annotate(error_count=Count("edits", distinct=True))
        .order_by("service_date_from", "pk")
    )


def rejected_queue() -> QuerySet[Claim]:
    """Claims a 999 or 277CA rejected (not denials): correct and resubmit, or void."""
    return claim_list().filter(status=S.REJECTED.value).order_by("service_date_from", "pk")


def claim_detail(public_id) -> Claim:
    return (
        Claim.objects.select_related(
            "patient",
            "coverage",
            "payer",
            "billing_provider",
            "location",
            "referring_provider",
            "batch",
            "replaces",
            "visit",
        )
        .prefetch_related(
            Prefetch("lines", queryset=ClaimLine.objects.order_by("line_number")),
            Prefetch("edits", queryset=ClaimEdit.objects.order_by("line_number", "severity", "pk")),
            Prefetch(
                "events", queryset=ClaimEvent.objects.select_related("actor").order_by("created_at", "pk")
            ),
            "replacements",
        )
        .get(public_id=public_id)
    )


def claims_for_drafts(queryset: QuerySet[Claim]) -> QuerySet[Claim]:
    """Everything `mappers.claim_to_draft` reads, in two queries."""
    return queryset.select_related(
        "patient",
        "coverage",
        "payer",
        "billing_provider",
        "location",
        "referring_provider",
        "replaces",
        "visit",
    ).prefetch_related(Prefetch("lines", queryset=ClaimLine.objects.order_by("line_number")))


def edit_list() -> QuerySet[ClaimEdit]:
    return ClaimEdit.objects.select_related("claim").order_by("-pk")


def batch_list() -> QuerySet[SubmissionBatch]:
    return SubmissionBatch.objects.select_related("payer", "created_by").order_by("-created_at", "-pk")


def payers_with_ready_claims() -> list[dict]:
    """Payer rows with how many ready claims (and how much) a batch would take, per form."""
    rows = (
        Claim.objects.filter(status=S.READY.value)
        .values("payer__public_id", "payer__name", "form")
        .annotate(claims=Count("pk"), total=Sum("total_charge"))
        .order_by("payer__name", "form")
    )
    return [
        {
            "payer": r["payer__public_id"],
            "payer_name": r["payer__name"],
            "form": r["form"],
            "claims": r["claims"],
            "total_charge": r["total"],
        }
        for r in rows
    ]


def status_counts() -> dict[str, int]:
    counts = dict(Claim.objects.values_list("status").annotate(n=Count("pk")).values_list("status", "n"))
    return {s.value: counts.get(s.value, 0) for s in S}


def acknowledgment_list() -> QuerySet[Acknowledgment]:
    return Acknowledgment.objects.order_by("-created_at", "-pk")


def payer_rule_list() -> QuerySet[PayerRule]:
    return PayerRule.objects.select_related("payer").order_by("payer__name", "rule_id")


def enabled_rules_for(*, payer_ids: Iterable[int]) -> dict[int, list[d.PayerRule]]:
    """The enabled rules that apply to each payer: its own plus the global ones (payer empty).

    A stored config that no longer validates is skipped here (it was validated on save; a schema
    change would surface in the admin page), never half-applied.
    """
    payer_ids = set(payer_ids)
    rows = PayerRule.objects.filter(enabled=True).filter(payer_id__in=payer_ids) | PayerRule.objects.filter(
        enabled=True, payer__isnull=True
    )
    global_rules: list[d.PayerRule] = []
    own: dict[int, list[d.PayerRule]] = defaultdict(list)
    for row in rows.order_by("rule_id"):
        try:
            (rule,) = parse_payer_rules([row.config])
        except ValueError:
            continue
        if row.payer_id is None:
            global_rules.append(rule)
        else:
            own[row.payer_id].append(rule)
    return {pid: [*own.get(pid, []), *global_rules] for pid in payer_ids}

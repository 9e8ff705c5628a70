"""Claims reads: lists and work queues for the UI and API, rows loaded for drafts, payer rules."""

from __future__ import annotations

import datetime as dt
from collections import defaultdict
from collections.abc import Iterable
from dataclasses import dataclass
from decimal import Decimal
from types import SimpleNamespace
from typing import Any

from django.db.models import Count, DecimalField, Exists, Manager, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from claims.domain import types as d
from claims.domain.claim_span import ClaimSpan, held_until
from claims.domain.timely_filing import FilingDeadline, filing_deadline, latest_adjudication
from claims.domain.types import ClaimStatus, parse_payer_rules
from claims.models import Acknowledgment, Claim, ClaimEdit, ClaimEvent, ClaimLine, PayerRule, SubmissionBatch
from coding.models import ChargeLine, Visit
from intake.domain.coverage import CoveragePeriod, CoverageRank, coverages_in_force
from intake.domain.types import SiteOfCare
from intake.models import BillingProvider, Coverage, Patient, Payer, Prescriber, ServiceLocation

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
            "rendering_provider",
            "supervising_provider",
            "batch",
            "replaces",
            "visit",
        )
        .prefetch_related(
            Prefetch(
                "lines",
                queryset=ClaimLine.objects.select_related("rendering_provider").order_by("line_number"),
            ),
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
        "rendering_provider",
        "supervising_provider",
        "replaces",
        "visit",
    ).prefetch_related(
        Prefetch(
            "lines", queryset=ClaimLine.objects.select_related("rendering_provider").order_by("line_number")
        )
    )


_CLAIM_FIELDS = (
    "id",
    "claim_number",
    "form",
    "status",
    "frequency_code",
    "patient_id",
    "coverage_id",
    "payer_id",
    "billing_provider_id",
    "location_id",
    "visit_id",
    "referring_provider_id",
    "rendering_provider_id",
    "supervising_provider_id",
    "replaces_id",
    "place_of_service",
    "diagnosis_codes",
    "prior_auth_number",
    "total_charge",
    "payer_sequence",
    "prior_adjudications",
)
_LINE_FIELDS = (
    "claim_id",
    "line_number",
    "line_control_number",
    "service_date_from",
    "service_date_to",
    "code",
    "modifiers",
    "units",
    "charge",
    "diagnosis_pointers",
    "ndc",
    "ndc_quantity",
    "ndc_unit",
    "revenue_code",
    "rendering_provider_id",
)
_ADDRESS = ("address_line1", "address_line2", "city", "state", "zip_code")
_PATIENT_FIELDS = ("id", "first_name", "last_name", "date_of_birth", "sex", *_ADDRESS)
_COVERAGE_FIELDS = (
    "id",
    "relationship",
    "member_id",
    "group_number",
    "subscriber_last_name",
    "subscriber_first_name",
    "subscriber_date_of_birth",
)
_PROVIDER_FIELDS = ("id", "name", "npi", "tax_id", "taxonomy", *_ADDRESS)
_PAYER_FIELDS = ("id", "name", "payer_id", "kind", "claim_filing_indicator", "max_claim_lines")
_LOCATION_FIELDS = ("id", "name", "npi", "site_of_care", *_ADDRESS)
_PRESCRIBER_FIELDS = ("id", "first_name", "last_name", "npi", "taxonomy")


def _row(values: dict) -> SimpleNamespace:
    return SimpleNamespace(pk=values["id"], **values)


def _rows_by_id(
    queryset: QuerySet[Any] | Manager[Any], ids: Iterable[int], fields: tuple[str, ...]
) -> dict[int, SimpleNamespace]:
    ids = {i for i in ids if i is not None}
    if not ids:
        return {}
    return {r["id"]: _row(r) for r in queryset.filter(pk__in=ids).values(*fields)}


# Any: SimpleNamespace rows shaped like a Claim, which claim_to_draft reads duck-typed.
def claim_rows_for_drafts(claim_ids: Iterable[int]) -> list[Any]:
    """The claims (ordered by id) as plain rows carrying everything `mappers.claim_to_draft` reads.

    Column values only (no model instances): one query for the claims, one for their lines, one
    per related table for the ids in use; parties many claims share (provider, payer, location,
    prescriber) are one row object per id. Each row also has `lines` and `visit_public_id`.
    """
    claim_ids = list(claim_ids)
    if not claim_ids:
        return []
    claims = [
        _row(r)
        for r in Claim.objects.filter(pk__in=claim_ids)
        .order_by("pk")
        .values(*_CLAIM_FIELDS, "visit__public_id", "replaces__payer_claim_number")
    ]
    lines: dict[int, list[SimpleNamespace]] = defaultdict(list)
    for r in (
        ClaimLine.objects.filter(claim_id__in=claim_ids)
        .order_by("claim_id", "line_number")
        .values(*_LINE_FIELDS)
    ):
        lines[r["claim_id"]].append(SimpleNamespace(**r))
    patients = _rows_by_id(Patient.objects, (c.patient_id for c in claims), _PATIENT_FIELDS)
    coverages = _rows_by_id(Coverage.objects, (c.coverage_id for c in claims), _COVERAGE_FIELDS)
    providers = _rows_by_id(
        BillingProvider.objects, (c.billing_provider_id for c in claims), _PROVIDER_FIELDS
    )
    payers = _rows_by_id(Payer.objects, (c.payer_id for c in claims), _PAYER_FIELDS)
    locations = _rows_by_id(ServiceLocation.objects, (c.location_id for c in claims), _LOCATION_FIELDS)
    practitioner_ids = {
        pid
        for c in claims
        for pid in (c.referring_provider_id, c.rendering_provider_id, c.supervising_provider_id)
    } | {ln.rendering_provider_id for rows in lines.values() for ln in rows}
    prescribers = _rows_by_id(Prescriber.objects, practitioner_ids, _PRESCRIBER_FIELDS)
    for rows in lines.values():
        for ln in rows:
            ln.rendering_provider = prescribers.get(ln.rendering_provider_id)
    for c in claims:
        c.patient = patients[c.patient_id]
        c.coverage = coverages[c.coverage_id]
        c.billing_provider = providers[c.billing_provider_id]
        c.payer = payers[c.payer_id]
        c.location = locations[c.location_id]
        c.referring_provider = prescribers.get(c.referring_provider_id)
        c.rendering_provider = prescribers.get(c.rendering_provider_id)
        c.supervising_provider = prescribers.get(c.supervising_provider_id)
        c.replaces = (
            SimpleNamespace(payer_claim_number=c.replaces__payer_claim_number) if c.replaces_id else None
        )
        c.visit_public_id = c.visit__public_id
        c.lines = lines.get(c.id, [])
    return claims


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


# ---------------------------------------------------------------------------
# Ready to bill: signed visits whose charges are reviewed and not on a live claim
# ---------------------------------------------------------------------------


@dataclass(frozen=True)
class ReadyVisit:
    """One row of the Ready to bill queue. `payer` is the primary payer in force on the date of
    service (None: no coverage, the build will skip it); `held_until` the end of the open month a
    monthly-span payer's home visit waits for."""

    visit: Visit
    payer: Payer | None
    lines: int
    total: Decimal
    held_until: dt.date | None


def ready_to_bill_queue() -> QuerySet[Visit]:
    """Signed visits with reviewed charge lines, none still pending review and none on a live
    claim, oldest service first (the index charge_review_queue serves the status filter)."""
    reviewed = Q(charge_lines__status=ChargeLine.Status.REVIEWED)
    live_claim_line = ClaimLine.objects.filter(charge_line__visit=OuterRef("pk")).exclude(
        claim__status__in=[S.VOID.value, S.REPLACED.value]
    )
    return (
        Visit.objects.filter(status=Visit.Status.SIGNED)
        .annotate(
            reviewed_lines=Count("charge_lines", filter=reviewed),
            pending_lines=Count(
                "charge_lines", filter=Q(charge_lines__status=ChargeLine.Status.PENDING_REVIEW)
            ),
            reviewed_total=Coalesce(
                Sum("charge_lines__charge", filter=reviewed),
                Value(Decimal("0.00")),
                output_field=DecimalField(),
            ),
        )
        .filter(reviewed_lines__gt=0, pending_lines=0)
        .exclude(Exists(live_claim_line.filter(charge_line__status=ChargeLine.Status.REVIEWED)))
        .select_related("patient", "location")
        .order_by("date_of_service", "pk")
    )


def ready_to_bill_rows(visits: Iterable[Visit], *, as_of: dt.date) -> list[ReadyVisit]:
    """The queue's visits with their payer in force and hold, with one query for the coverages."""
    visits = list(visits)
    coverages: dict[int, list[Coverage]] = defaultdict(list)
    for cov in Coverage.objects.filter(patient_id__in={v.patient_id for v in visits}).select_related("payer"):
        coverages[cov.patient_id].append(cov)
    rows = []
    for visit in visits:
        by_id: dict[Any, Coverage] = {c.pk: c for c in coverages.get(visit.patient_id, [])}
        periods = [
            CoveragePeriod(id=c.pk, rank=CoverageRank(c.rank), effective=c.effective_date, end=c.end_date)
            for c in by_id.values()
        ]
        in_force = coverages_in_force(periods, visit.date_of_service)
        payer = by_id[in_force[0].id].payer if in_force else None
        home = visit.location.site_of_care == SiteOfCare.HOME
        held = (
            held_until(ClaimSpan(payer.claim_span), visit.date_of_service, home=home, as_of=as_of)
            if payer is not None
            else None
        )
        rows.append(
            ReadyVisit(
                visit=visit,
                payer=payer,
                lines=visit.reviewed_lines,  # type: ignore[attr-defined]  # annotated by the queue
                total=visit.reviewed_total,  # type: ignore[attr-defined]
                held_until=held,
            )
        )
    return rows


# Claims not filed with their payer yet (a rejected claim was never filed, TF-1): the ones a
# filing deadline still matters for (TF-4, TF-5).
NOT_FILED = (S.DRAFT, S.NEEDS_FIX, S.READY, S.BATCHED, S.REJECTED)


def claim_filing_deadline(claim: Claim) -> FilingDeadline:
    """The claim's filing deadline with its payer and its basis in words (TF-4)."""
    return filing_deadline(
        payer_kind=claim.payer.kind,
        timely_filing_days=claim.payer.timely_filing_days,
        form=claim.form,
        service_from=claim.service_date_from,
        service_to=claim.service_date_to,
        payer_sequence=claim.payer_sequence,
        prior_adjudication=latest_adjudication(claim.prior_adjudications or []),
    )

"""Claims writes: build claims from reviewed charges, move claims through their states, scrub them
against payer rules, maintain payer rules, batch ready claims into 837 files, release batches and
apply 999 / 277CA acknowledgments.

Only this module changes `Claim.status`. Every move is checked against `CLAIM_TRANSITIONS` under a
row lock and recorded as a ClaimEvent in the same transaction. The bulk paths (build, scrub,
batch) lock their claims in id order (no deadlocks between workers), load everything with a few
queries, and write with bulk_create / UPDATE ... WHERE id IN, still one ClaimEvent per move.
"""

from __future__ import annotations

import hashlib
import logging
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from functools import lru_cache
from types import SimpleNamespace
from typing import Any

from django.conf import settings
from django.db import connection, transaction
from django.db.models import Max
from django.utils import timezone
from pydantic import ValidationError

from claims import mappers, selectors
from claims.domain import types as d
from claims.domain.acknowledgments import ClaimAckStatus, parse_277ca, parse_999
from claims.domain.scrubber import AuthInForce, ScrubContext, duplicate_keys, has_errors, scrub
from claims.domain.transitions import CLAIM_TRANSITIONS, REPLACEABLE
from claims.domain.types import ClaimForm, ClaimStatus, parse_payer_rules
from claims.domain.validation import validate_with_pyx12
from claims.domain.x12_837 import build_837
from claims.models import (
    Acknowledgment,
    Claim,
    ClaimEdit,
    ClaimEvent,
    ClaimLine,
    ControlNumber,
    PayerRule,
    PayerRuleVersion,
    SubmissionBatch,
)
from coding import services as coding_services
from coding.models import ChargeLine, Visit
from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.audit.services import audit_events_bulk
from infusion_rcm.common.errors import DomainError, InvalidInputError
from infusion_rcm.common.money import ZERO, to_money
from infusion_rcm.common.x12 import Envelope
from intake.domain.authorization import AuthStatus, normalize_code
from intake.domain.authorization import find_auth_for as intake_find_auth_for
from intake.domain.coverage import CoveragePeriod, CoverageRank, coverages_in_force
from intake.domain.diagnosis import validate_icd10cm
from intake.domain.types import ClaimForm as IntakeClaimForm
from intake.domain.types import SiteOfCare
from intake.mappers import authorization as auth_to_domain
from intake.models import (
    AuthorizedService,
    AuthUsage,
    Coverage,
    EligibilityCheck,
    Order,
    Payer,
    PriorAuthorization,
    ServiceLocation,
)

logger = logging.getLogger(__name__)

S = ClaimStatus
SCRUBBABLE = frozenset({S.DRAFT, S.NEEDS_FIX, S.READY})
NOT_LIVE = (S.VOID, S.REPLACED)
CHUNK = 2000
# Claims per 837 file: one transaction set (X222A1 recommends at most 5000 CLM loops per ST).
MAX_CLAIMS_PER_BATCH = 5000
USABLE_AUTH = [s.value for s in AuthStatus if s.usable]


class ClaimStateError(DomainError):
    code = "claim.state"


class BatchStateError(DomainError):
    code = "batch.state"


# ---------------------------------------------------------------------------
# Helpers: actor, audit of bulk writes, control numbers
# ---------------------------------------------------------------------------


def _user_id(actor) -> int | None:
    return actor.pk if actor is not None and getattr(actor, "is_authenticated", False) else None


def _audit_bulk(action: str, model: type, ids: Iterable[int], fields: Sequence[str], actor=None) -> None:
    audit_events_bulk(action=action, model=model, ids=ids, changed_fields=fields, user=actor)


CONTROL_SERIES = ("claim", "isa", "gs")


def control_numbers_take(name: str, count: int = 1) -> list[int]:
    """Take `count` numbers of the series `name` (claim numbers, ISA13, GS06), in increasing order.

    PostgreSQL: one sequence per series (migration claims.0004). nextval is atomic and holds no
    lock, so concurrent workers get unique, increasing numbers without waiting on each other
    while a batch is rendered; a rolled-back build leaves a gap, never a reuse (X12 asks for
    unique interchange numbers, not contiguous ones). Elsewhere (the embedded SQLite, one
    process): an UPDATE ... RETURNING on the ControlNumber row.
    """
    if name not in CONTROL_SERIES:
        raise ValueError(f"unknown control number series {name!r}")
    if count < 1:
        raise ValueError("count must be at least 1")
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"SELECT nextval('claims_control_{name}') FROM generate_series(1, %s)", [count])  # noqa: S608 - fixed names
            return sorted(int(row[0]) for row in cursor.fetchall())
        table = ControlNumber._meta.db_table
        sql = f"UPDATE {table} SET last_value = last_value + %s WHERE name = %s RETURNING last_value"  # noqa: S608 - table name is ours
        cursor.execute(sql, [count, name])
        row = cursor.fetchone()
        if row is None:
            cursor.execute(
                f"INSERT INTO {table} (name, last_value) VALUES (%s, 0) ON CONFLICT (name) DO NOTHING",  # noqa: S608
                [name],
            )
            cursor.execute(sql, [count, name])
            row = cursor.fetchone()
    last = int(row[0])
    return list(range(last - count + 1, last + 1))


# ---------------------------------------------------------------------------
# State machine
# ---------------------------------------------------------------------------


def claim_transition(
    *, claim: Claim, to: ClaimStatus | str, actor, reason: str, payload: dict | None = None, **fields: Any
) -> Claim:
    """Move one claim to `to`, recording a ClaimEvent; `fields` are saved with the move.

    Takes a row lock (SELECT ... FOR NO KEY UPDATE) and re-reads the status under it, so two
    concurrent moves serialize and the second sees the first's result. An illegal move raises
    IllegalTransitionError and changes nothing.
    """
    target = ClaimStatus(to)
    with transaction.atomic():
        locked = Claim.objects.select_for_update(no_key=True).get(pk=claim.pk)
        current = locked.status
        CLAIM_TRANSITIONS.check(current, target)
        locked.status = target.value
        for name, value in fields.items():
            setattr(locked, name, value)
        locked.save(update_fields=["status", "updated_at", *fields])
        ClaimEvent.objects.create(
            claim=locked,
            from_status=current,
            to_status=target.value,
            actor=_user(actor),
            reason=reason,
            payload=payload or {},
        )
    claim.status = locked.status
    for name in fields:
        setattr(claim, name, getattr(locked, name))
    return locked


def _user(actor):
    return actor if _user_id(actor) is not None else None


def _transition_many(
    moves: Sequence[tuple[int, str, str]],
    *,
    actor,
    reason: str,
    payloads: dict[int, dict] | None = None,
    extra_update: dict[str, Any] | None = None,
) -> None:
    """Apply already-checked moves (claim id, from, to) for claims locked by the caller."""
    if not moves:
        return
    now = timezone.now()
    by_target: dict[str, list[int]] = defaultdict(list)
    for claim_id, current, target in moves:
        CLAIM_TRANSITIONS.check(current, target)
        by_target[target].append(claim_id)
    for target, ids in by_target.items():
        Claim.objects.filter(pk__in=ids).update(status=target, updated_at=now, **(extra_update or {}))
    user = _user(actor)
    payloads = payloads or {}
    ClaimEvent.objects.bulk_create(
        [
            ClaimEvent(
                claim_id=cid,
                from_status=cur,
                to_status=tgt,
                actor=user,
                reason=reason,
                payload=payloads.get(cid, {}),
            )
            for cid, cur, tgt in moves
        ],
        batch_size=5000,
    )
    _audit_bulk(
        AuditEntry.Action.UPDATE, Claim, [m[0] for m in moves], ["status", *(extra_update or {})], actor
    )


def _lock_statuses(ids: Iterable[int]) -> dict[int, str]:
    """Lock claims in id order and return their current statuses (re-read under the lock)."""
    rows = Claim.objects.select_for_update(no_key=True).filter(pk__in=list(ids)).order_by("pk")
    return dict(rows.values_list("pk", "status"))


# ---------------------------------------------------------------------------
# Build claims from reviewed charges
# ---------------------------------------------------------------------------


REVENUE_IV_THERAPY = "0260"
REVENUE_DRUG_DETAIL = "0636"
REVENUE_IV_SOLUTIONS = "0258"
REVENUE_CLINIC = "0510"


def revenue_code_for(code: str) -> str:
    """837I SV201 for an infusion line: 0258 IV solutions (J7030-J7131), 0636 drugs needing detailed
    coding (J/Q codes), 0260 IV therapy (963xx/964xx administrations and the rest), 0510 clinic (E/M)."""
    code = code.upper()
    if code.startswith("J7") and "J7030" <= code <= "J7131":
        return REVENUE_IV_SOLUTIONS
    if code[:1] in ("J", "Q"):
        return REVENUE_DRUG_DETAIL
    if code.startswith("992"):
        return REVENUE_CLINIC
    return REVENUE_IV_THERAPY


@dataclass
class BuildResult:
    claims: list[Claim] = field(default_factory=list)
    skipped: list[tuple[int, str]] = field(default_factory=list)  # (visit id, reason)


def claims_build_from_charges(
    *, visit_ids: Iterable[int] | None = None, actor=None, enqueue_scrub: bool = True
) -> BuildResult:
    """Turn reviewed charge lines into draft claims: one per visit (patient, payer in force on the
    date of service, billing provider of the site).

    Set-based: visits are processed in chunks of CHUNK, each chunk in one transaction with a few
    queries and bulk inserts. Charge lines move to on_claim through coding.services; a line a
    concurrent builder took first makes that chunk roll back whole. Visits without a coverage in
    force are skipped (reported). New claims are queued for scrubbing after commit.
    """
    lines = ChargeLine.objects.filter(status=ChargeLine.Status.REVIEWED)
    if visit_ids is not None:
        lines = lines.filter(visit_id__in=list(visit_ids))
    all_visits = sorted(set(lines.values_list("visit_id", flat=True)))
    result = BuildResult()
    for start in range(0, len(all_visits), CHUNK):
        chunk = all_visits[start : start + CHUNK]
        with transaction.atomic():
            built, skipped = _build_chunk(chunk, actor)
            if enqueue_scrub and built:
                ids = [c.pk for c in built]
                transaction.on_commit(lambda ids=ids: _enqueue_scrub(ids))
        result.claims += built
        result.skipped += skipped
    return result


def _enqueue_scrub(claim_ids: Sequence[int]) -> None:
    from claims.tasks import claim_scrub_task

    for claim_id in claim_ids:
        claim_scrub_task.delay(claim_id)


def _build_chunk(visit_ids: list[int], actor) -> tuple[list[Claim], list[tuple[int, str]]]:
    charge_rows = list(
        ChargeLine.objects.filter(visit_id__in=visit_ids, status=ChargeLine.Status.REVIEWED)
        .order_by("visit_id", "line_number")
        .values(
            "id",
            "visit_id",
            "line_number",
            "service_date_from",
            "service_date_to",
            "code",
            "modifiers",
            "units",
            "ndc",
            "ndc_quantity",
            "ndc_unit",
            "charge",
            "override_code",
            "override_modifiers",
            "override_units",
        )
    )
    by_visit: dict[int, list[dict]] = defaultdict(list)
    for row in charge_rows:
        by_visit[row["visit_id"]].append(row)
    visits = {
        v["id"]: v
        for v in Visit.objects.filter(pk__in=list(by_visit)).values(
            "id", "patient_id", "order_id", "location_id", "date_of_service"
        )
    }
    orders = {
        o["id"]: o
        for o in Order.objects.filter(
            pk__in={v["order_id"] for v in visits.values() if v["order_id"]}
        ).values("id", "prescriber_id", "diagnosis_codes")
    }
    locations = {
        loc["id"]: loc
        for loc in ServiceLocation.objects.filter(pk__in={v["location_id"] for v in visits.values()}).values(
            "id", "billing_provider_id", "site_of_care", "place_of_service"
        )
    }
    patient_ids = {v["patient_id"] for v in visits.values()}
    coverages: dict[int, list[dict]] = defaultdict(list)
    for cov in Coverage.objects.filter(patient_id__in=patient_ids).values(
        "id", "patient_id", "payer_id", "rank", "effective_date", "end_date"
    ):
        coverages[cov["patient_id"]].append(cov)
    payers = {
        p["id"]: p
        for p in Payer.objects.filter(pk__in={c["payer_id"] for cs in coverages.values() for c in cs}).values(
            "id", "claim_form"
        )
    }
    auths: dict[int, list] = defaultdict(list)  # coverage id -> domain authorizations
    for auth in _auth_rows(
        PriorAuthorization.objects.filter(patient_id__in=patient_ids, status__in=USABLE_AUTH)
    ):
        auths[auth.coverage_id].append(auth_to_domain(auth))

    plans: list[tuple[Claim, list[ClaimLine], list[int]]] = []
    skipped: list[tuple[int, str]] = []
    for visit_id in sorted(by_visit):
        visit = visits[visit_id]
        dos = visit["date_of_service"]
        periods = [
            CoveragePeriod(
                id=c["id"], rank=CoverageRank(c["rank"]), effective=c["effective_date"], end=c["end_date"]
            )
            for c in coverages.get(visit["patient_id"], [])
        ]
        in_force = coverages_in_force(periods, dos)
        if not in_force:
            skipped.append((visit_id, f"no coverage in force on {dos.isoformat()}"))
            continue
        coverage = next(c for c in coverages[visit["patient_id"]] if c["id"] == in_force[0].id)
        payer = payers[coverage["payer_id"]]
        location = locations[visit["location_id"]]
        order = orders.get(visit["order_id"]) if visit["order_id"] else None
        institutional = (
            payer["claim_form"] == IntakeClaimForm.INSTITUTIONAL
            or location["site_of_care"] == SiteOfCare.HOPD
        )
        diagnoses = [
            d.normalize_icd10(c) for c in (order["diagnosis_codes"] if order else []) if c and c.strip()
        ]
        pointers = list(range(1, min(len(diagnoses), 4) + 1)) if not institutional else []
        rows = by_visit[visit_id]
        codes = [(r["override_code"] or r["code"]).upper() for r in rows]
        auth_number = ""
        for code in codes:
            found = intake_find_auth_for(auths.get(coverage["id"], []), normalize_code(code), dos)
            if found is not None:
                auth_number = found.number
                break
        claim = Claim(
            patient_id=visit["patient_id"],
            coverage_id=coverage["id"],
            payer_id=coverage["payer_id"],
            billing_provider_id=location["billing_provider_id"],
            location_id=location["id"],
            visit_id=visit_id,
            referring_provider_id=order["prescriber_id"] if order else None,
            form=(ClaimForm.INSTITUTIONAL if institutional else ClaimForm.PROFESSIONAL).value,
            status=S.DRAFT.value,
            place_of_service="" if institutional else location["place_of_service"],
            diagnosis_codes=diagnoses,
            prior_auth_number=auth_number,
            service_date_from=min(r["service_date_from"] for r in rows),
            service_date_to=max(r["service_date_to"] for r in rows),
            total_charge=to_money(sum((r["charge"] for r in rows), ZERO)),
        )
        claim_lines = []
        for number, (row, code) in enumerate(zip(rows, codes, strict=True), start=1):
            modifiers = (
                row["override_modifiers"] if row["override_modifiers"] is not None else row["modifiers"]
            )
            units = row["override_units"] if row["override_units"] is not None else row["units"]
            claim_lines.append(
                ClaimLine(
                    charge_line_id=row["id"],
                    line_number=number,
                    service_date_from=row["service_date_from"],
                    service_date_to=row["service_date_to"],
                    code=code,
                    modifiers=list(modifiers or []),
                    units=Decimal(units),
                    charge=row["charge"],
                    diagnosis_pointers=pointers,
                    ndc=row["ndc"] or "",
                    ndc_quantity=row["ndc_quantity"] if row["ndc"] else None,
                    ndc_unit=row["ndc_unit"] if row["ndc"] else "",
                    revenue_code=revenue_code_for(code) if institutional else "",
                )
            )
        plans.append((claim, claim_lines, [r["id"] for r in rows]))
    if not plans:
        return [], skipped

    numbers = control_numbers_take("claim", len(plans))
    for number, (claim, claim_lines, _) in zip(numbers, plans, strict=True):
        claim.claim_number = claim_number_format(number)
        for line in claim_lines:
            line.line_control_number = f"{claim.claim_number}-{line.line_number}"
    claims = Claim.objects.bulk_create([p[0] for p in plans], batch_size=2000)
    new_lines = []
    for claim, claim_lines, _ in plans:
        for line in claim_lines:
            line.claim_id = claim.pk
            new_lines.append(line)
    ClaimLine.objects.bulk_create(new_lines, batch_size=5000)
    user = _user(actor)
    ClaimEvent.objects.bulk_create(
        [
            ClaimEvent(
                claim_id=c.pk,
                from_status="",
                to_status=S.DRAFT.value,
                actor=user,
                reason="Built from reviewed charges",
                payload={"charge_lines": len(p[1])},
            )
            for c, p in zip(claims, plans, strict=True)
        ],
        batch_size=5000,
    )
    # One audit row per claim; its lines are created with it (ids are in the ClaimLine table).
    _audit_bulk(
        AuditEntry.Action.CREATE, Claim, [c.pk for c in claims], ["claim_number", "status", "lines"], actor
    )
    coding_services.charge_lines_mark_on_claim(line_ids=[i for p in plans for i in p[2]])
    return claims, skipped


def _auth_rows(queryset) -> list[SimpleNamespace]:
    """Usable authorizations as plain rows shaped for `intake.mappers.authorization` (services included)."""
    rows = [
        SimpleNamespace(pk=r["id"], **r)
        for r in queryset.values("id", "coverage_id", "auth_number", "start_date", "end_date", "status")
    ]
    services: dict[int, list[SimpleNamespace]] = defaultdict(list)
    if rows:
        for r in (
            AuthorizedService.objects.filter(authorization_id__in=[a.id for a in rows])
            .order_by("pk")
            .values("id", "authorization_id", "code", "authorized_units", "used_units")
        ):
            services[r["authorization_id"]].append(SimpleNamespace(pk=r["id"], **r))
    for a in rows:
        a.service_rows = services.get(a.id, [])
        a.services = SimpleNamespace(all=lambda a=a: a.service_rows)
    return rows


def claim_number_format(value: int) -> str:
    """CLM01 patient control number: 'C' + 9 digits (payers keep 20 characters)."""
    return f"C{value:09d}"


# ---------------------------------------------------------------------------
# Void and replacement
# ---------------------------------------------------------------------------


def claim_void(*, claim: Claim, actor, reason: str) -> Claim:
    """Cancel a claim that has not been adjudicated (before submission, or after a rejection).

    A batched claim leaves its (unreleased) batch. After adjudication use a replacement instead:
    the state table refuses the move (IllegalTransitionError).
    """
    fields = {"batch": None} if claim.status == S.BATCHED else {}
    return claim_transition(claim=claim, to=S.VOID, actor=actor, reason=reason or "Voided", **fields)


def claim_replace(*, claim: Claim, actor, reason: str) -> Claim:
    """Create a replacement claim (frequency 7, REF*F8 = the original's payer claim number) as a
    draft copy of the original's lines, and move the original to replaced.

    Preconditions: the original was adjudicated (accepted, paid, partially paid, denied) and the
    payer's claim number is known. Locks the original for the whole operation.
    """
    with transaction.atomic():
        original = Claim.objects.select_for_update(no_key=True).get(pk=claim.pk)
        if original.status not in REPLACEABLE:
            raise ClaimStateError(
                f"Only an adjudicated claim can be replaced; this one is {original.status}.",
                extra={"status": original.status},
            )
        if not original.payer_claim_number:
            raise ClaimStateError(
                "The payer's claim number is not known yet; a replacement must reference it."
            )
        number = claim_number_format(control_numbers_take("claim")[0])
        replacement = Claim.objects.create(
            claim_number=number,
            patient_id=original.patient_id,
            coverage_id=original.coverage_id,
            payer_id=original.payer_id,
            billing_provider_id=original.billing_provider_id,
            location_id=original.location_id,
            visit_id=original.visit_id,
            referring_provider_id=original.referring_provider_id,
            form=original.form,
            status=S.DRAFT.value,
            frequency_code="7",
            replaces=original,
            place_of_service=original.place_of_service,
            diagnosis_codes=list(original.diagnosis_codes),
            prior_auth_number=original.prior_auth_number,
            service_date_from=original.service_date_from,
            service_date_to=original.service_date_to,
            total_charge=original.total_charge,
        )
        for line in original.lines.all():
            ClaimLine.objects.create(
                claim=replacement,
                charge_line_id=line.charge_line_id,
                line_number=line.line_number,
                line_control_number=f"{number}-{line.line_number}",
                service_date_from=line.service_date_from,
                service_date_to=line.service_date_to,
                code=line.code,
                modifiers=list(line.modifiers),
                units=line.units,
                charge=line.charge,
                diagnosis_pointers=list(line.diagnosis_pointers),
                ndc=line.ndc,
                ndc_quantity=line.ndc_quantity,
                ndc_unit=line.ndc_unit,
                revenue_code=line.revenue_code,
            )
        ClaimEvent.objects.create(
            claim=replacement,
            from_status="",
            to_status=S.DRAFT.value,
            actor=_user(actor),
            reason=f"Replacement of {original.claim_number}: {reason}".strip(": "),
            payload={"replaces": original.claim_number},
        )
        claim_transition(
            claim=original,
            to=S.REPLACED,
            actor=actor,
            reason=reason or "Replaced",
            payload={"replacement": replacement.claim_number},
        )
    claim.status = S.REPLACED.value
    return replacement


# ---------------------------------------------------------------------------
# Payer rules
# ---------------------------------------------------------------------------


def payer_rule_validate(config: Any) -> d.PayerRule:
    """Validate one rule's configuration with the pydantic union; the message names the field."""
    if not isinstance(config, dict):
        raise InvalidInputError(
            "A payer rule is a JSON object with 'kind' and 'rule_id'.", code="payer_rule.invalid"
        )
    try:
        (rule,) = parse_payer_rules([config])
    except ValidationError as exc:
        raise InvalidInputError(str(exc), code="payer_rule.invalid") from exc
    except ValueError as exc:
        raise InvalidInputError(str(exc), code="payer_rule.invalid") from exc
    return rule


def payer_rule_save(
    *, rule: PayerRule | None, payer: Payer | None, config: dict, enabled: bool, actor, note: str = ""
) -> PayerRule:
    """Create or change a payer rule after validating its config; every save writes a new
    PayerRuleVersion (who, when, the config and the switch). Locks the rule row when changing it."""
    parsed = payer_rule_validate(config)
    stored = parsed.model_dump(mode="json", exclude_defaults=True)
    stored["kind"] = parsed.kind
    stored["rule_id"] = parsed.rule_id
    clash = PayerRule.objects.filter(rule_id=parsed.rule_id)
    if rule is not None and rule.pk is not None:
        clash = clash.exclude(pk=rule.pk)
    if clash.exists():
        raise InvalidInputError(
            f"Another payer rule already has rule_id '{parsed.rule_id}'.", code="payer_rule.duplicate"
        )
    with transaction.atomic():
        if rule is None or rule.pk is None:
            row = rule or PayerRule()
            row.version = 1
        else:
            row = PayerRule.objects.select_for_update().get(pk=rule.pk)
            row.version += 1
        row.payer = payer
        row.rule_id = parsed.rule_id
        row.kind = parsed.kind
        row.config = stored
        row.enabled = enabled
        row.save()
        PayerRuleVersion.objects.create(
            rule=row,
            version=row.version,
            config=stored,
            enabled=enabled,
            changed_by=_user(actor),
            note=note[:200],
        )
    return row


def payer_rule_try(*, config: dict, payer: Payer | None, claim: Claim) -> list[d.Edit]:
    """The edits `config` would add on `claim` (compared with a scrub without it), before it is
    switched on. A rule for another payer adds nothing."""
    rule = payer_rule_validate(config)
    if payer is not None and payer.pk != claim.payer_id:
        return []
    draft, context = _single_scrub_inputs(claim)
    base_rules = selectors.enabled_rules_for(payer_ids={claim.payer_id})
    others = [r for r in base_rules.get(claim.payer_id, []) if r.rule_id != rule.rule_id]
    before = {_edit_key(e) for e in scrub(draft, others, context=context)}
    return [e for e in scrub(draft, [*others, rule], context=context) if _edit_key(e) not in before]


def _edit_key(edit: d.Edit) -> tuple:
    return (edit.code, edit.line_number, edit.message, edit.rule_id)


# ---------------------------------------------------------------------------
# Scrub
# ---------------------------------------------------------------------------


@lru_cache(maxsize=8192)
def icd10_valid(code: str) -> bool:
    """ICD-10-CM code-set lookup as the scrubber wants it: a bool, billable codes only."""
    try:
        validate_icd10cm(code)
    except InvalidInputError:
        return False
    return True


def scrub_preload() -> None:
    """Load the ICD-10-CM table now rather than on the first scrub (workers call it at start)."""
    icd10_valid("Z00.00")


@dataclass
class _ScrubWorld:
    """What the scrubber needs beyond the claims, loaded once per chunk."""

    as_of: date
    rules: dict[int, list[d.PayerRule]]
    eligibility: dict[int, date]
    auths: dict[int, list[tuple[Any, dict[int, Decimal]]]]
    keys_by_patient: dict[int, list[tuple[int, frozenset[str]]]]
    freshness: dict[int, int]


def _load_world(claims: Sequence[Any], drafts: dict[int, d.ClaimDraft]) -> _ScrubWorld:
    as_of = timezone.localdate()
    coverage_ids = {c.coverage_id for c in claims}
    patient_ids = {c.patient_id for c in claims}
    payer_ids = {c.payer_id for c in claims}
    eligibility = dict(
        EligibilityCheck.objects.filter(coverage_id__in=coverage_ids, status=EligibilityCheck.Status.COMPLETE)
        .values("coverage_id")
        .annotate(last=Max("checked_on"))
        .values_list("coverage_id", "last")
    )
    auth_rows = _auth_rows(
        PriorAuthorization.objects.filter(coverage_id__in=coverage_ids, status__in=USABLE_AUTH)
    )
    usage: dict[int, dict[str, Decimal]] = defaultdict(lambda: defaultdict(Decimal))
    sources = {f"visit:{c.visit_public_id}" for c in claims if c.visit_id}
    service_ids = [s.id for a in auth_rows for s in a.service_rows]
    if service_ids and sources:
        for row in AuthUsage.objects.filter(service_id__in=service_ids, source__in=sources).values(
            "service_id", "source", "units"
        ):
            usage[row["service_id"]][row["source"]] += row["units"]
    auths: dict[int, list] = defaultdict(list)
    for auth in auth_rows:
        auths[auth.coverage_id].append((auth, usage))
    keys_by_patient: dict[int, list[tuple[int, frozenset[str]]]] = defaultdict(list)
    for claim in claims:
        keys_by_patient[claim.patient_id].append((claim.pk, duplicate_keys(drafts[claim.pk])))
    other_ids = list(
        Claim.objects.filter(patient_id__in=patient_ids)
        .exclude(status__in=NOT_LIVE)
        .exclude(pk__in=list(drafts))
        .values_list("pk", flat=True)
    )
    others = selectors.claim_rows_for_drafts(other_ids)
    cache = mappers.DraftCache()
    for other in others:
        keys_by_patient[other.patient_id].append(
            (other.pk, duplicate_keys(mappers.claim_to_draft(other, other.lines, cache=cache)))
        )
    freshness = dict(Payer.objects.filter(pk__in=payer_ids).values_list("pk", "eligibility_freshness_days"))
    return _ScrubWorld(
        as_of=as_of,
        rules=selectors.enabled_rules_for(payer_ids=payer_ids),
        eligibility=eligibility,
        auths=auths,
        keys_by_patient=keys_by_patient,
        freshness=freshness,
    )


def _context(claim: Any, world: _ScrubWorld) -> ScrubContext:
    """`claim` is a row from selectors.claim_rows_for_drafts."""
    source = f"visit:{claim.visit_public_id}" if claim.visit_id else None
    auths = []
    for auth, usage in world.auths.get(claim.coverage_id, []):
        for service in auth.service_rows:
            # This claim's own visit already drew its units down when it was coded: add them back.
            own = usage.get(service.pk, {}).get(source, Decimal(0)) if source else Decimal(0)
            auths.append(
                AuthInForce(
                    auth_number=auth.auth_number,
                    code=normalize_code(service.code),
                    remaining_units=service.authorized_units - service.used_units + own,
                    start=auth.start_date,
                    end=auth.end_date,
                )
            )
    seen: set[str] = set()
    for other_id, keys in world.keys_by_patient.get(claim.patient_id, []):
        if other_id not in (claim.pk, claim.replaces_id):
            seen |= keys
    return ScrubContext(
        as_of=world.as_of,
        auths=tuple(auths),
        eligibility_verified_on=world.eligibility.get(claim.coverage_id),
        eligibility_fresh_days=world.freshness.get(claim.payer_id, 30),
        seen_claim_keys=frozenset(seen),
        valid_icd10=icd10_valid,
    )


def _single_scrub_inputs(claim: Claim) -> tuple[d.ClaimDraft, ScrubContext]:
    (row,) = selectors.claim_rows_for_drafts([claim.pk])
    draft = mappers.claim_to_draft(row, row.lines)
    world = _load_world([row], {row.pk: draft})
    return draft, _context(row, world)


def claim_scrub(*, claim: Claim, actor=None) -> list[ClaimEdit]:
    """Scrub one claim: replace its edits and move draft/needs_fix/ready -> needs_fix or ready.

    Raises ClaimStateError for a claim past scrubbing (batched and later). Takes the claim's row lock.
    """
    outcome = claims_scrub_many(claim_ids=[claim.pk], actor=actor, strict=True)
    claim.status = outcome.statuses.get(claim.pk, claim.status)
    return list(ClaimEdit.objects.filter(claim_id=claim.pk))


@dataclass
class ScrubOutcome:
    statuses: dict[int, str] = field(default_factory=dict)
    skipped: list[int] = field(default_factory=list)
    edits: int = 0


def claims_scrub_many(*, claim_ids: Iterable[int], actor=None, strict: bool = False) -> ScrubOutcome:
    """Scrub many claims with a few queries per chunk of CHUNK claims (one transaction each).

    Claims are locked in id order and their status re-read under the lock; claims no longer
    scrubbable are skipped (or, with strict, refused). Edits are replaced in bulk; status moves are
    bulk UPDATEs with one ClaimEvent per move.
    """
    ids = sorted(set(claim_ids))
    outcome = ScrubOutcome()
    for start in range(0, len(ids), CHUNK):
        with transaction.atomic():
            _scrub_chunk(ids[start : start + CHUNK], actor, strict, outcome)
    return outcome


def _scrub_chunk(ids: list[int], actor, strict: bool, outcome: ScrubOutcome) -> None:
    statuses = _lock_statuses(ids)
    todo = [cid for cid in ids if statuses.get(cid) in SCRUBBABLE]
    refused = [cid for cid in ids if cid not in todo]
    if refused and strict:
        raise ClaimStateError(
            f"A claim that is {statuses.get(refused[0], 'gone')} cannot be scrubbed again.",
            extra={"status": statuses.get(refused[0])},
        )
    outcome.skipped += refused
    if not todo:
        return
    claims = selectors.claim_rows_for_drafts(todo)
    cache = mappers.DraftCache()
    drafts = {c.pk: mappers.claim_to_draft(c, c.lines, cache=cache) for c in claims}
    world = _load_world(claims, drafts)
    new_edits: list[ClaimEdit] = []
    moves: list[tuple[int, str, str]] = []
    payloads: dict[int, dict] = {}
    for claim in claims:
        rules = world.rules.get(claim.payer_id, [])
        edits = scrub(drafts[claim.pk], rules, context=_context(claim, world))
        new_edits += [ClaimEdit(claim_id=claim.pk, **mappers.edit_fields(e)) for e in edits]
        target = S.NEEDS_FIX if has_errors(edits) else S.READY
        current = statuses[claim.pk]
        if current != target:
            moves.append((claim.pk, current, target.value))
            errors = sum(1 for e in edits if e.blocking)
            payloads[claim.pk] = {"errors": errors, "warnings": len(edits) - errors}
        outcome.statuses[claim.pk] = target.value
    ClaimEdit.objects.filter(claim_id__in=todo).delete()
    ClaimEdit.objects.bulk_create(new_edits, batch_size=5000)
    outcome.edits += len(new_edits)
    _transition_many(moves, actor=actor, reason="Scrubbed", payloads=payloads)


def claim_scrub_request(*, claim: Claim) -> None:
    """Queue a scrub of the claim on the `scrub` queue once the current transaction commits."""
    claim_id = claim.pk
    transaction.on_commit(lambda: _enqueue_scrub([claim_id]))


# ---------------------------------------------------------------------------
# Batches (837 files)
# ---------------------------------------------------------------------------


def _submitter_receiver(provider: d.BillingProvider) -> tuple[d.Submitter, d.Receiver]:
    submitter = d.Submitter(
        name=getattr(settings, "X12_SUBMITTER_NAME", "") or provider.name,
        submitter_id=settings.X12_SENDER_ID,
        contact_name=getattr(settings, "X12_SUBMITTER_CONTACT", "Billing Office"),
        phone=getattr(settings, "X12_SUBMITTER_PHONE", "2175550100"),
    )
    receiver = d.Receiver(
        name=getattr(settings, "X12_RECEIVER_NAME", "Clearinghouse"), receiver_id=settings.X12_RECEIVER_ID
    )
    return submitter, receiver


def batch_build(
    *,
    payer: Payer,
    actor=None,
    form: ClaimForm | str | None = None,
    validate: bool | None = None,
    after_render: Callable[[str], None] | None = None,
    max_claims: int = MAX_CLAIMS_PER_BATCH,
) -> SubmissionBatch | None:
    """Put the payer's READY claims of one form into one 837 interchange.

    All or nothing, in one transaction: claims are locked (SKIP LOCKED, so a concurrent builder
    takes other claims, never the same), ISA13/GS06 come from ControlNumber, the file is written
    and (settings.VALIDATE_BATCHES_WITH_PYX12) validated with pyx12. A file pyx12 refuses is
    stored HELD with its errors and its claims stay batched until pulled back. Returns None when
    the payer has no ready claims; at most `max_claims` (oldest first) go in one file.
    `after_render` is a test seam called with the file text.
    """
    validate = settings.VALIDATE_BATCHES_WITH_PYX12 if validate is None else validate
    with transaction.atomic():
        ready = Claim.objects.filter(payer=payer, status=S.READY.value)
        if form is None:
            form = ready.order_by("service_date_from", "pk").values_list("form", flat=True).first()
            if form is None:
                return None
        form = ClaimForm(form)
        ids = list(
            ready.filter(form=form.value)
            .select_for_update(no_key=True, skip_locked=True)
            .order_by("pk")
            .values_list("pk", flat=True)[:max_claims]
        )
        if not ids:
            return None
        claims = selectors.claim_rows_for_drafts(ids)
        cache = mappers.DraftCache()
        drafts = [mappers.claim_to_draft(c, c.lines, cache=cache) for c in claims]
        (isa,) = control_numbers_take("isa")
        (gs,) = control_numbers_take("gs")
        created = timezone.localtime()
        envelope = Envelope(
            sender_id=settings.X12_SENDER_ID,
            receiver_id=settings.X12_RECEIVER_ID,
            interchange_control=isa,
            group_control=gs,
            functional_id="HC",
            version="",
            created=created.replace(tzinfo=None),
            usage=settings.X12_USAGE,
        )
        submitter, receiver = _submitter_receiver(drafts[0].billing_provider)
        text = build_837(drafts, submitter=submitter, receiver=receiver, envelope=envelope)
        if after_render is not None:
            after_render(text)
        errors = validate_with_pyx12(text) if validate else []
        total = to_money(sum((c.total_charge for c in claims), ZERO))
        batch = SubmissionBatch.objects.create(
            payer=payer,
            form=form.value,
            status=SubmissionBatch.Status.HELD if errors else SubmissionBatch.Status.READY,
            interchange_control_number=isa,
            group_control_number=gs,
            file_name=f"837{'P' if form is ClaimForm.PROFESSIONAL else 'I'}_{payer.payer_id}_{isa:09d}.x12"[
                :80
            ],
            content=text,
            claim_count=len(claims),
            total_charge=total,
            validated=validate and not errors,
            validation_errors=errors,
            created_by=_user(actor),
        )
        _transition_many(
            [(cid, S.READY.value, S.BATCHED.value) for cid in ids],
            actor=actor,
            reason=f"Batched in {batch.file_name}" + (" (held: pyx12 errors)" if errors else ""),
            payloads={cid: {"batch": str(batch.public_id)} for cid in ids},
            extra_update={"batch": batch},
        )
    logger.info("batch %s built: %d claims, %d pyx12 errors", batch.pk, len(ids), len(errors))
    return batch


def batch_build_all(*, actor=None, validate: bool | None = None) -> list[SubmissionBatch]:
    """One batch per payer and form with ready claims."""
    batches = []
    pairs = (
        Claim.objects.filter(status=S.READY.value)
        .values_list("payer_id", "form")
        .distinct()
        .order_by("payer_id", "form")
    )
    for payer_id, form in list(pairs):
        payer = Payer.objects.get(pk=payer_id)
        while (batch := batch_build(payer=payer, actor=actor, form=form, validate=validate)) is not None:
            batches.append(batch)
    return batches


def batch_build_request(*, payer: Payer, form: str | None = None) -> None:
    """Queue batch_build for the payer on the `batch` queue after commit."""
    payer_id = payer.pk

    def enqueue() -> None:
        from claims.tasks import batch_build_task

        batch_build_task.delay(payer_id, form)

    transaction.on_commit(enqueue)


def batch_release(*, batch: SubmissionBatch, actor) -> SubmissionBatch:
    """Release a validated batch: claims batched -> submitted. A held or released batch is refused.

    Claimed with a conditional UPDATE (status ready -> released), so two clicks release once.
    """
    with transaction.atomic():
        taken = SubmissionBatch.objects.filter(pk=batch.pk, status=SubmissionBatch.Status.READY).update(
            status=SubmissionBatch.Status.RELEASED, released_at=timezone.now(), updated_at=timezone.now()
        )
        if not taken:
            current = SubmissionBatch.objects.get(pk=batch.pk).status
            raise BatchStateError(
                f"Only a validated batch waiting for release can be released; this one is {current}."
            )
        statuses = _lock_statuses(Claim.objects.filter(batch=batch).values_list("pk", flat=True))
        _transition_many(
            [(cid, st, S.SUBMITTED.value) for cid, st in statuses.items()],
            actor=actor,
            reason=f"Released in {batch.file_name}",
        )
    batch.refresh_from_db()
    return batch


def batch_pull_back(*, batch: SubmissionBatch, actor, reason: str = "") -> int:
    """Take an unreleased batch's claims back to ready (e.g. after pyx12 held it); the batch is withdrawn."""
    with transaction.atomic():
        locked = SubmissionBatch.objects.select_for_update().get(pk=batch.pk)
        if locked.status not in (SubmissionBatch.Status.HELD, SubmissionBatch.Status.READY):
            raise BatchStateError(f"A {locked.status} batch cannot be pulled back.")
        statuses = _lock_statuses(Claim.objects.filter(batch=locked).values_list("pk", flat=True))
        moves = [(cid, st, S.READY.value) for cid, st in statuses.items() if st == S.BATCHED.value]
        _transition_many(
            moves,
            actor=actor,
            reason=reason or f"Pulled back from {locked.file_name}",
            extra_update={"batch": None},
        )
        locked.status = SubmissionBatch.Status.WITHDRAWN
        locked.save(update_fields=["status", "updated_at"])
    batch.status = SubmissionBatch.Status.WITHDRAWN
    return len(moves)


# ---------------------------------------------------------------------------
# Acknowledgments (999, 277CA)
# ---------------------------------------------------------------------------


def _kind_of(text: str) -> str:
    head = text.lstrip()[:400].upper()
    if "ST*999" in head or "*005010X231" in head:
        return Acknowledgment.Kind.X999
    if "ST*277" in head or "*005010X214" in head:
        return Acknowledgment.Kind.X277CA
    raise InvalidInputError("Not a 999 or 277CA file (no ST*999 or ST*277 near the start).", code="ack.kind")


def acknowledgment_import(*, text: str, file_name: str, actor) -> Acknowledgment:
    """Import a 999 or 277CA and apply it to our submitted claims.

    Idempotent by the sha256 of the text: the same file again returns the first import. A file
    that cannot be read is kept with status failed and the reason. A 999 rejecting a transaction
    set rejects every claim of the batch with that GS06; a 277CA accepts (storing the payer claim
    number, REF*1K) or rejects claim by claim (CLM01 = TRN02). A rejection is its own state, not a
    denial. Claims not in 'submitted' are reported in `results` and left alone.
    """
    checksum = hashlib.sha256(text.encode()).hexdigest()
    existing = Acknowledgment.objects.filter(checksum=checksum).first()
    if existing is not None:
        return existing
    with transaction.atomic():
        ack = Acknowledgment(
            checksum=checksum, file_name=file_name[:120], content=text, imported_by=_user(actor)
        )
        try:
            ack.kind = _kind_of(text)
            if ack.kind == Acknowledgment.Kind.X999:
                ack.results = _apply_999(text, actor)
            else:
                ack.results = _apply_277ca(text, actor)
            ack.status = Acknowledgment.Status.APPLIED
        except InvalidInputError as exc:
            ack.kind = ack.kind or Acknowledgment.Kind.X999
            ack.status = Acknowledgment.Status.FAILED
            ack.error = exc.message
            ack.results = []
        ack.save()
    return ack


def _apply_999(text: str, actor) -> list[dict]:
    parsed = parse_999(text)
    results: list[dict] = []
    for tx in parsed.transactions:
        try:
            gs = int(tx.group_control_number)
        except ValueError:
            gs = -1
        batch = SubmissionBatch.objects.filter(group_control_number=gs).first()
        if batch is None:
            results.append(
                {"group": tx.group_control_number, "set": tx.control_number, "outcome": "unknown batch"}
            )
            continue
        if tx.accepted:
            results.append({"batch": batch.file_name, "set": tx.control_number, "outcome": "accepted"})
            continue
        reason = (
            "999 rejected the file: "
            + "; ".join(f"{e.segment_id} at {e.segment_position} (error {e.error_code})" for e in tx.errors)
            if tx.errors
            else f"999 rejected the file (IK5 {tx.status})"
        )
        statuses = _lock_statuses(Claim.objects.filter(batch=batch).values_list("pk", flat=True))
        moves = [(cid, st, S.REJECTED.value) for cid, st in statuses.items() if st == S.SUBMITTED.value]
        _transition_many(
            moves, actor=actor, reason=reason[:1000], extra_update={"status_reason": reason[:1000]}
        )
        results.append(
            {"batch": batch.file_name, "set": tx.control_number, "outcome": "rejected", "claims": len(moves)}
        )
    return results


def _apply_277ca(text: str, actor) -> list[dict]:
    parsed = parse_277ca(text)
    results: list[dict] = []
    numbers = [c.patient_control_number for c in parsed.claims]
    by_number = {c.claim_number: c for c in Claim.objects.filter(claim_number__in=numbers)}
    for item in parsed.claims:
        claim = by_number.get(item.patient_control_number)
        if claim is None:
            results.append({"claim": item.patient_control_number, "outcome": "unknown claim"})
            continue
        if item.status is ClaimAckStatus.PENDING:
            results.append({"claim": claim.claim_number, "outcome": "pending"})
            continue
        if claim.status != S.SUBMITTED.value:
            results.append({"claim": claim.claim_number, "outcome": f"skipped: claim is {claim.status}"})
            continue
        codes = ", ".join(
            f"{s.category}:{s.status}" + (f":{s.entity}" if s.entity else "") for s in item.statuses
        )
        if item.status is ClaimAckStatus.ACCEPTED:
            claim_transition(
                claim=claim,
                to=S.ACCEPTED,
                actor=actor,
                reason=f"277CA accepted ({codes})",
                payload={"statuses": codes},
                payer_claim_number=item.payer_claim_control_number or claim.payer_claim_number,
            )
            results.append({"claim": claim.claim_number, "outcome": "accepted"})
        else:
            reason = f"277CA rejected ({codes})" + (f": {item.free_text}" if item.free_text else "")
            claim_transition(
                claim=claim,
                to=S.REJECTED,
                actor=actor,
                reason=reason,
                payload={"statuses": codes},
                status_reason=reason,
            )
            results.append({"claim": claim.claim_number, "outcome": "rejected"})
    return results


def claim_resubmit_after_rejection(*, claim: Claim, actor, reason: str = "") -> Claim:
    """A rejected claim was never filed: reopen it as a draft to correct and scrub again."""
    return claim_transition(
        claim=claim,
        to=S.DRAFT,
        actor=actor,
        reason=reason or "Reopened after rejection",
        batch=None,
        status_reason="",
    )

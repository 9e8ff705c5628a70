"""Editing a claim before it is filed: lines, diagnoses and pointers, the authorization number,
the place of service and the providers, each save an audited ClaimEvent with its reason, then a
re-scrub on the scrub queue.

The rules of an edit (what is refused, what changed) are pure: claims.domain.claim_edit. Here:
the row lock, the version check (two billers never overwrite each other), the writes and the
event. ClaimEvent.payload keeps each changed field with its old and new value (events are
PHI-adjacent and shown only to billing roles); the audit log gets field names only, from the
per-row audit of every Claim and ClaimLine save.
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.db import transaction
from django.db.models import F

from claims.domain.claim_edit import (
    ClaimChanges,
    ClaimState,
    EditChecks,
    FieldChange,
    LineState,
    changed_fields,
    edit_version,
)
from claims.domain.claim_edit_apply import apply_changes
from claims.domain.corrections import EDITABLE, VOID_FREQUENCY, takes_reopenings
from claims.domain.types import ClaimForm
from claims.models import Claim, ClaimEdit, ClaimEvent, ClaimLine
from claims.services.build import revenue_code_for
from claims.services.common import ClaimStateError, S
from claims.services.scrub import claim_scrub_request
from claims.services.transitions import _user, claim_transition
from coding import selectors as coding_selectors
from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.money import ZERO, to_money
from intake.domain.diagnosis import validate_icd10cm

# Provider roles a claim may store, in the order the form shows them. Only those Claim has as
# foreign keys are editable (claims.models decides which it stores).
PROVIDER_ROLES = ("rendering_provider", "supervising_provider", "referring_provider", "ordering_provider")
# Line numbers are parked this far up while lines are renumbered: (claim, line_number) is unique.
_PARK = 1000


class ClaimEditConflictError(ClaimStateError):
    """The claim changed after the biller opened it: their edit would overwrite someone else's."""

    code = "claim.edit_conflict"


class ClaimEditUnchangedError(ClaimStateError):
    code = "claim.edit_unchanged"


def provider_roles() -> list[str]:
    """The provider roles this installation stores on a claim (foreign keys on Claim)."""
    keys = {f.name for f in Claim._meta.get_fields() if f.many_to_one}
    return [role for role in PROVIDER_ROLES if role in keys]


def provider_model(role: str) -> Any:
    return Claim._meta.get_field(role).related_model


def provider_label(role: str) -> str:
    return role.replace("_", " ")


def claim_state(claim: Claim) -> ClaimState:
    """The claim as a biller edits it (its lines read fresh from the database)."""
    lines = ClaimLine.objects.filter(claim_id=claim.pk).order_by("line_number")
    providers = []
    for role in provider_roles():
        row = getattr(claim, role)
        providers.append((role, row.npi if row is not None else ""))
    return ClaimState(
        form=ClaimForm(claim.form),
        diagnosis_codes=tuple(claim.diagnosis_codes or ()),
        prior_auth_number=claim.prior_auth_number,
        place_of_service=claim.place_of_service,
        providers=tuple(providers),
        lines=tuple(_line_state(line) for line in lines),
    )


def _line_state(line: ClaimLine) -> LineState:
    return LineState(
        key=line.line_control_number,
        code=line.code,
        units=line.units,
        charge=line.charge,
        service_date_from=line.service_date_from,
        service_date_to=line.service_date_to,
        modifiers=tuple(line.modifiers or ()),
        diagnosis_pointers=tuple(line.diagnosis_pointers or ()),
        ndc=line.ndc,
        ndc_quantity=line.ndc_quantity,
        ndc_unit=line.ndc_unit,
        revenue_code=line.revenue_code,
    )


def claim_version(claim: Claim) -> str:
    """The version an edit of this claim must quote (a digest of its editable state)."""
    return edit_version(claim_state(claim))


def edit_checks() -> EditChecks:
    """The code-set and provider lookups an edit is checked against."""
    calendar = coding_selectors.code_set_calendar()

    def diagnosis(code: str) -> str | None:
        try:
            validate_icd10cm(code)
        except InvalidInputError as exc:
            return exc.message
        return None

    def code_in_force(code: str, day) -> str | None:
        # With no code sets loaded (a fresh install) the check is left to the scrubber.
        if not calendar or code in calendar.codes_on(day):
            return None
        return (
            f"{code} is not in the code sets in force on {day.isoformat()}: check the code for a typo, "
            "or have an admin add it with its effective dates."
        )

    def provider(role: str, npi: str) -> str | None:
        if provider_model(role).objects.filter(npi=npi).exists():
            return None
        return (
            f"No provider with NPI {npi} is on file for the {provider_label(role)}: pick one from the list."
        )

    return EditChecks(diagnosis=diagnosis, code=code_in_force, provider=provider)


def _refuse_status(claim: Claim) -> None:
    status = S(claim.status)
    if claim.frequency_code == VOID_FREQUENCY:
        raise ClaimStateError(
            "A void claim repeats the original as the payer has it and cannot be edited; "
            "void it here instead if it should not be sent."
        )
    if status in EDITABLE:
        return
    if status is S.BATCHED:
        message = "This claim is in a batch not yet released: pull the batch back first, then edit."
    elif status is S.SUBMITTED:
        message = (
            "This claim was sent and waits for its acknowledgment: a rejection can then be edited, "
            "an adjudicated claim corrected with a replacement."
        )
    elif status in (S.ACCEPTED, S.PAID, S.PARTIALLY_PAID, S.DENIED):
        message = (
            "The payer has adjudicated this claim: correct it through a reopening with the MAC."
            if takes_reopenings(claim.payer.kind, claim.form)
            else "The payer has adjudicated this claim: correct it with a replacement claim."
        )
    else:
        message = f"A {status.value.replace('_', ' ')} claim cannot be edited."
    raise ClaimStateError(message, extra={"status": status.value})


def required_reason(reason: str) -> str:
    text = (reason or "").strip()
    if not text:
        raise InvalidInputError(
            "Say why you are changing the claim (e.g. 'NDC quantity from the MAR'): the reason is kept in its history.",
            code="claim.edit_reason",
            extra={"errors": {"reason": "Enter the reason for this change."}},
        )
    return text


def claim_edit(*, claim: Claim, actor, reason: str, version: str, changes: ClaimChanges) -> Claim:
    """Apply a biller's changes to a draft, needs-fix, ready or rejected claim.

    Locks the claim (FOR NO KEY UPDATE) and refuses the edit when its version is not the one the
    biller saw (ClaimEditConflictError), when a value is wrong (ClaimEditInvalidError, whole),
    or when nothing changed. The claim goes back to draft (a rejection too: it was never filed),
    its old scrubber edits are dropped, and a scrub is queued after commit.
    """
    reason = required_reason(reason)
    with transaction.atomic():
        locked = Claim.objects.select_for_update(no_key=True).select_related("payer").get(pk=claim.pk)
        _refuse_status(locked)
        before = claim_state(locked)
        if version != edit_version(before):
            raise ClaimEditConflictError(
                "Someone changed this claim after you opened it, so your changes were not saved: "
                "reload it to see the claim as it is now, then make your change again.",
                extra={"version": edit_version(before)},
            )
        after = apply_changes(before, changes, checks=edit_checks())
        diff = changed_fields(before, after)
        if not diff:
            raise ClaimEditUnchangedError("Nothing was changed: the claim is saved as it was.")
        write_state(locked, after)
        record_edit(locked, actor=actor, reason=reason, diff=diff)
        claim_scrub_request(claim=locked)
    claim.refresh_from_db()
    return claim


def record_edit(claim: Claim, *, actor, reason: str, diff: Iterable[FieldChange]) -> None:
    """The ClaimEvent of an edit; a claim past draft goes back to draft with it."""
    payload = {"edit": [change.as_dict() for change in diff]}
    ClaimEdit.objects.filter(claim_id=claim.pk).delete()  # about a claim that no longer exists
    if claim.status == S.DRAFT:
        ClaimEvent.objects.create(
            claim=claim,
            from_status=S.DRAFT.value,
            to_status=S.DRAFT.value,
            actor=_user(actor),
            reason=reason,
            payload=payload,
        )
        return
    extra: dict[str, Any] = {"batch": None, "status_reason": ""} if claim.status == S.REJECTED else {}
    claim_transition(claim=claim, to=S.DRAFT, actor=actor, reason=reason, payload=payload, **extra)


def write_state(claim: Claim, state: ClaimState) -> None:
    """Write the edited state: claim fields and totals, then lines (removed, renumbered, changed,
    added). New lines get line control numbers never used on this claim's current lines."""
    rows = {line.line_control_number: line for line in ClaimLine.objects.filter(claim_id=claim.pk)}
    kept = {line.key for line in state.lines if line.key}
    for key, row in rows.items():
        if key not in kept:
            row.delete()
    moving = [
        rows[line.key].pk
        for number, line in enumerate(state.lines, start=1)
        if line.key and rows[line.key].line_number != number
    ]
    if moving:
        ClaimLine.objects.filter(pk__in=moving).update(line_number=F("line_number") + _PARK)
    suffix = max([_suffix(key) for key in rows] + [len(state.lines)])
    institutional = state.form is ClaimForm.INSTITUTIONAL
    for number, line in enumerate(state.lines, start=1):
        values = _line_values(line, number)
        if line.key:
            row = rows[line.key]
            changed = [name for name, value in values.items() if getattr(row, name) != value]
            if changed or row.pk in moving:
                for name in changed:
                    setattr(row, name, values[name])
                row.save(update_fields=sorted({*changed, "line_number", "updated_at"}))
            continue
        suffix += 1
        if institutional and not values["revenue_code"]:
            values["revenue_code"] = revenue_code_for(line.code)
        ClaimLine.objects.create(
            claim=claim, line_control_number=f"{claim.claim_number}-{suffix}", charge_line=None, **values
        )
    _write_claim_fields(claim, state)


def _suffix(key: str) -> int:
    tail = key.rsplit("-", 1)[-1]
    return int(tail) if tail.isdigit() else 0


def _line_values(line: LineState, number: int) -> dict[str, Any]:
    return {
        "line_number": number,
        "code": line.code,
        "modifiers": list(line.modifiers),
        "units": line.units,
        "charge": to_money(line.charge),
        "service_date_from": line.service_date_from,
        "service_date_to": line.service_date_to,
        "diagnosis_pointers": list(line.diagnosis_pointers),
        "ndc": line.ndc,
        "ndc_quantity": line.ndc_quantity if line.ndc else None,
        "ndc_unit": line.ndc_unit if line.ndc else "",
        "revenue_code": line.revenue_code,
    }


def claim_fields_of(state: ClaimState) -> dict[str, Any]:
    """Claim column values the state decides: diagnoses, auth, POS, providers, totals, dates."""
    values: dict[str, Any] = {
        "diagnosis_codes": list(state.diagnosis_codes),
        "prior_auth_number": state.prior_auth_number,
        "place_of_service": state.place_of_service,
        "total_charge": to_money(sum((line.charge for line in state.lines), ZERO)),
        "service_date_from": min(line.service_date_from for line in state.lines),
        "service_date_to": max(line.service_date_to for line in state.lines),
    }
    for role, npi in state.providers:
        values[f"{role}_id"] = provider_model(role).objects.get(npi=npi).pk if npi else None
    return values


def _write_claim_fields(claim: Claim, state: ClaimState) -> None:
    values = claim_fields_of(state)
    changed = [name for name, value in values.items() if getattr(claim, name) != value]
    for name in changed:
        setattr(claim, name, values[name])
    if changed:
        claim.save(update_fields=[*changed, "updated_at"])


# What a line of a replacement or void keeps from the original line besides its edited values.
CARRIED_LINE_FIELDS = ("charge_line_id", "rendering_provider_id")


def carried_line_fields(claim: Claim) -> dict[str, dict[str, Any]]:
    """For each line of `claim` (by key), the CARRIED_LINE_FIELDS values."""
    rows = ClaimLine.objects.filter(claim_id=claim.pk).values("line_control_number", *CARRIED_LINE_FIELDS)
    return {row.pop("line_control_number"): row for row in rows}


def create_lines(claim: Claim, state: ClaimState, *, carried: dict[str, dict[str, Any]]) -> None:
    """Lines of a new claim (a replacement or a void) from `state`, numbered 1..n; a line from
    the original keeps its charge line and line rendering provider (`carried`, by key)."""
    institutional = state.form is ClaimForm.INSTITUTIONAL
    for number, line in enumerate(state.lines, start=1):
        values = _line_values(line, number)
        if institutional and not values["revenue_code"]:
            values["revenue_code"] = revenue_code_for(line.code)
        ClaimLine.objects.create(
            claim=claim,
            line_control_number=f"{claim.claim_number}-{number}",
            **carried.get(line.key, {}),
            **values,
        )

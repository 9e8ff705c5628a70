"""Payer rules as data: validate (pydantic), save with a version row, try against a claim."""

from __future__ import annotations

from typing import Any

from django.db import transaction
from pydantic import ValidationError

from claims import selectors
from claims.domain import types as d
from claims.domain.scrubber import scrub
from claims.domain.types import parse_payer_rules
from claims.models import (
    Claim,
    PayerRule,
    PayerRuleVersion,
)
from claims.services.scrub import _single_scrub_inputs
from claims.services.transitions import _user
from infusion_rcm.common.errors import InvalidInputError
from intake.models import (
    Payer,
)

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


def payer_rule_stored_config(parsed: d.PayerRule) -> dict:
    """The normalized JSON a rule is stored as (defaults dropped), so two bodies compare equal
    when they mean the same rule."""
    stored = parsed.model_dump(mode="json", exclude_defaults=True)
    stored["kind"] = parsed.kind
    stored["rule_id"] = parsed.rule_id
    return stored


def payer_rule_save(
    *, rule: PayerRule | None, payer: Payer | None, config: dict, enabled: bool, actor, note: str = ""
) -> PayerRule:
    """Create or change a payer rule after validating its config; every save writes a new
    PayerRuleVersion (who, when, the config and the switch). Locks the rule row when changing it."""
    parsed = payer_rule_validate(config)
    stored = payer_rule_stored_config(parsed)
    clash = PayerRule.objects.filter(rule_id=parsed.rule_id)
    if rule is not None and rule.pk is not None:
        clash = clash.exclude(pk=rule.pk)
    if clash.exists():
        raise InvalidInputError(
            f"Another payer rule already has rule_id '{parsed.rule_id}'.", code="payer_rule.duplicate"
        )
    if rule is not None and rule.pk is not None:
        from claims.services.payer_rules_reference import reference_rule_keep_identity  # imports this module

        reference_rule_keep_identity(rule, rule_id=parsed.rule_id, payer=payer)
    with transaction.atomic():
        if rule is None or rule.pk is None:
            row = rule or PayerRule()
            row.version = 1
        else:
            row = PayerRule.objects.select_for_update().get(pk=rule.pk)
            if (
                row.payer_id == (payer.pk if payer else None)
                and row.config == stored
                and row.enabled == enabled
            ):
                return row  # nothing changed (an empty PATCH, a form saved as it was): no new version
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

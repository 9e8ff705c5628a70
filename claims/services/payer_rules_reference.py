"""Payer rules that are regulations (Medicare JW/JZ, Medicaid NDC), shipped as reference data.

Each file in claims/reference_data/payer_rules/ is one rule. The loader stores it as an ordinary
versioned payer rule with no payer (so it reaches every payer of its `payer_kinds`, including
payers added later) and is idempotent:

- a rule not in the database yet is created, switched on (a regulation applies from day one);
- a file whose body differs from the body the loader last wrote makes a new version with the new
  body and the rule's current switch, so an admin's switch-off survives every reload;
- an unchanged file does nothing, even when an admin has since edited the rule.

"The body the loader last wrote" is the newest version with no user and a note starting with
NOTE_PREFIX; a rule that has none (seeded before the rules were shipped) is compared with its
current body.
"""

from __future__ import annotations

import json
from dataclasses import dataclass, field
from functools import lru_cache
from pathlib import Path

from django.db import transaction
from pydantic import BaseModel, ConfigDict, Field, ValidationError

from claims.domain import types as d
from claims.models import PayerRule, PayerRuleVersion
from claims.services.rules import payer_rule_save, payer_rule_stored_config, payer_rule_validate
from infusion_rcm.common.errors import InvalidInputError

REFERENCE_DIR = Path(__file__).resolve().parent.parent / "reference_data" / "payer_rules"
NOTE_PREFIX = "Reference data "


class ReferenceDataError(Exception):
    """A shipped reference file is malformed: a packaging bug, so it stops the load loudly."""


class _ReferenceFile(BaseModel):
    model_config = ConfigDict(frozen=True, extra="forbid", str_strip_whitespace=True)

    key: str = Field(min_length=1, max_length=64, pattern=r"^[A-Z0-9][A-Z0-9-]*$")
    title: str = Field(min_length=1, max_length=200)
    rule: dict


@dataclass(frozen=True)
class ReferenceRule:
    key: str
    title: str
    file_name: str
    rule: d.PayerRule
    config: dict  # as payer_rule_save stores it, so it compares equal to a stored body


@dataclass
class LoadOutcome:
    created: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    unchanged: list[str] = field(default_factory=list)

    @property
    def changed(self) -> bool:
        return bool(self.created or self.updated)

    def summary(self) -> str:
        return (
            f"reference payer rules: {len(self.created)} created, {len(self.updated)} new versions, "
            f"{len(self.unchanged)} unchanged"
        )


def reference_payer_rules(directory: Path = REFERENCE_DIR) -> tuple[ReferenceRule, ...]:
    """Read and validate every shipped rule file, in file-name order."""
    found: dict[str, ReferenceRule] = {}
    for path in sorted(directory.glob("*.json")):
        ref = _read(path)
        if ref.key in found:
            raise ReferenceDataError(f"{path.name}: key {ref.key} is also in {found[ref.key].file_name}")
        found[ref.key] = ref
    return tuple(found.values())


def _read(path: Path) -> ReferenceRule:
    try:
        data = _ReferenceFile.model_validate(json.loads(path.read_text(encoding="utf-8")))
        rule = payer_rule_validate(data.rule)
    except (ValueError, ValidationError, InvalidInputError) as exc:
        raise ReferenceDataError(f"{path.name}: {getattr(exc, 'message', exc)}") from exc
    # What makes it a regulation rather than a contract term: a citation, a start date and a
    # payer-kind scope (a shipped rule never names one payer).
    problems = [
        message
        for missing, message in (
            (rule.rule_id != data.key, f"rule.rule_id {rule.rule_id!r} is not the key {data.key!r}"),
            (not rule.source, "rule.source (the citation) is empty"),
            (rule.effective_from is None, "rule.effective_from is missing"),
            (not rule.payer_kinds, "rule.payer_kinds is empty"),
        )
        if missing
    ]
    if problems:
        raise ReferenceDataError(f"{path.name}: {'; '.join(problems)}")
    return ReferenceRule(
        key=data.key,
        title=data.title,
        file_name=path.name,
        rule=rule,
        config=payer_rule_stored_config(rule),
    )


@lru_cache(maxsize=1)
def reference_rule_index() -> dict[str, ReferenceRule]:
    """The shipped rules by rule_id (the files do not change while the process runs)."""
    return {ref.key: ref for ref in reference_payer_rules()}


def reference_rule_keep_identity(rule: PayerRule, *, rule_id: str, payer) -> None:
    """A shipped rule keeps its rule_id (the loader finds it by it) and stays payer-less (a
    regulation reaches every payer of its kinds); its body and switch may change."""
    if rule.rule_id not in reference_rule_index():
        return
    if rule_id != rule.rule_id or payer is not None:
        raise InvalidInputError(
            f"{rule.rule_id} is a shipped reference rule: its rule_id stays {rule.rule_id} and it has "
            "no payer (narrow it with payer_kinds, or switch it off).",
            code="payer_rule.reference",
        )


def reference_payer_rules_load(*, directory: Path = REFERENCE_DIR) -> LoadOutcome:
    """Create or version the shipped rules (see the module docstring); one transaction."""
    outcome = LoadOutcome()
    shipped = reference_payer_rules(directory)
    with transaction.atomic():
        for ref in shipped:
            row = PayerRule.objects.select_for_update().filter(rule_id=ref.key).order_by("pk").first()
            note = f"{NOTE_PREFIX}{ref.file_name}"
            if row is None:
                payer_rule_save(rule=None, payer=None, config=ref.config, enabled=True, actor=None, note=note)
                outcome.created.append(ref.key)
            elif _last_loaded_config(row) == ref.config:
                outcome.unchanged.append(ref.key)
            else:
                payer_rule_save(
                    rule=row, payer=None, config=ref.config, enabled=row.enabled, actor=None, note=note
                )
                outcome.updated.append(ref.key)
    return outcome


def _last_loaded_config(row: PayerRule) -> dict:
    loaded = (
        PayerRuleVersion.objects.filter(rule=row, changed_by__isnull=True, note__startswith=NOTE_PREFIX)
        .order_by("-version")
        .values_list("config", flat=True)
        .first()
    )
    return row.config if loaded is None else loaded

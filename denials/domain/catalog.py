"""The reason catalog: group + CARC (+ RARC) -> category, next action and a sentence (DEN-M1).

Pure. The shipped rules are rows of denials/data/reason_map.csv; admins add refinements (for every
payer or for one payer) that are tried first. `explain` picks, among the rules that match, the
most specific one (DEN-M1):

1. admin rules before shipped rules;
2. a rule for this payer, then for this payer kind, then for any payer;
3. a rule naming one of the remark codes, then one naming the CARC, then one naming the group.

A rule with no category ("action only") changes only the next action of the rule chosen above
and adds its sentence: N211 "you may not appeal" turns an appeal into a write-off wherever it
appears (DEN-M2). A code nobody mapped falls back on its group (DEN-M3): PR is the patient's to
bill; CO, OA and PI are read and checked with the payer.

CARC and RARC descriptions come from the payments app's code lists (one home per fact); here
they are passed in as `descriptions`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from denials.domain.types import Category, NextAction
from infusion_rcm.common.errors import InvalidInputError

GROUPS = ("CO", "PR", "OA", "PI", "CR")
ADMIN = "admin"
SHIPPED = "shipped"


@dataclass(frozen=True, slots=True)
class Rule:
    """One mapping row. Empty `group`, `carc`, `rarc`, `payer_kind` match anything; `payer` is a
    payer's id (intake Payer.payer_id) or empty. `category` None: an action-only rule."""

    carc: str
    category: Category | None
    action: NextAction
    sentence: str
    group: str = ""
    rarc: str = ""
    payer_kind: str = ""
    payer: str = ""
    source: str = SHIPPED
    rule_id: str = ""

    def matches(self, *, group: str, carc: str, rarcs: Sequence[str], payer: str, payer_kind: str) -> bool:
        return (
            (not self.group or self.group == group)
            and (not self.carc or self.carc == carc)
            and (not self.rarc or self.rarc in rarcs)
            and (not self.payer or self.payer == payer)
            and (not self.payer_kind or self.payer_kind == payer_kind)
        )

    def rank(self) -> tuple[int, int, int, int, int]:
        return (
            int(self.source == ADMIN),
            2 if self.payer else (1 if self.payer_kind else 0),
            int(bool(self.rarc)),
            int(bool(self.carc)),
            int(bool(self.group)),
        )

    @property
    def where(self) -> str:
        """Where the rule applies, in words (for the admin and the explanation)."""
        code = f"{self.group or 'any group'}-{self.carc or 'any CARC'}"
        if self.rarc:
            code += f" with {self.rarc}"
        if self.payer:
            code += f" at payer {self.payer}"
        elif self.payer_kind:
            code += f" at {self.payer_kind.replace('_', ' ')} payers"
        return code


@dataclass(frozen=True, slots=True)
class Explanation:
    """What a denial reason means for the biller."""

    group: str
    carc: str
    rarcs: tuple[str, ...]
    category: Category
    action: NextAction
    sentence: str
    carc_description: str = ""
    rarc_descriptions: tuple[str, ...] = ()
    group_meaning: str = ""
    rule: str = ""  # which rule decided, in words
    source: str = SHIPPED

    @property
    def code(self) -> str:
        return f"{self.group}-{self.carc}"

    @property
    def in_words(self) -> str:
        """'CO-197 Precertification/authorization/notification/pre-treatment absent'."""
        return f"{self.code} {self.carc_description or 'CARC ' + self.carc}"

    def as_dict(self) -> dict[str, object]:
        return {
            "group": self.group,
            "group_meaning": self.group_meaning,
            "carc": self.carc,
            "carc_description": self.carc_description,
            "rarcs": [
                {"code": c, "description": d} for c, d in zip(self.rarcs, self.rarc_descriptions, strict=True)
            ],
            "category": self.category.value,
            "category_label": self.category.label,
            "next_action": self.action.value,
            "next_action_label": self.action.label,
            "sentence": self.sentence,
            "rule": self.rule,
            "source": self.source,
        }


@dataclass(frozen=True)
class Catalog:
    """Shipped rules, admin rules and the code descriptions, ready to explain codes."""

    rules: tuple[Rule, ...]
    carc_descriptions: Mapping[str, str] = field(default_factory=dict)
    rarc_descriptions: Mapping[str, str] = field(default_factory=dict)
    group_meanings: Mapping[str, str] = field(default_factory=dict)

    def with_rules(self, extra: Iterable[Rule]) -> Catalog:
        return Catalog(
            (*extra, *self.rules), self.carc_descriptions, self.rarc_descriptions, self.group_meanings
        )


def normalise_code(text: str) -> tuple[str, str]:
    """'CO-197', 'co197', 'CO 197' -> ('CO', '197'). Refuses what is not a group and a CARC."""
    raw = (text or "").strip().upper().replace(" ", "-")
    group, _, carc = raw.partition("-") if "-" in raw else (raw[:2], "", raw[2:])
    if group not in GROUPS or not carc or not carc.isalnum() or len(carc) > 5:
        raise InvalidInputError(
            f"'{text}' is not a group and reason code: write it as the remittance shows it, e.g. CO-197 "
            f"(group CO, PR, OA, PI or CR, then the CARC).",
            code="denials.bad_code",
        )
    return group, carc


def normalise_rarc(text: str) -> str:
    code = (text or "").strip().upper()
    if not code or not code.isalnum() or len(code) > 8 or not code[0].isalpha():
        raise InvalidInputError(
            f"'{text}' is not a remark code (RARC): they look like N54, M62 or MA130.",
            code="denials.bad_rarc",
        )
    return code


def _fallback(group: str, carc: str) -> Rule:
    """DEN-M3: a code with no rule."""
    if group == "PR":
        return Rule(
            carc=carc,
            group="PR",
            category=Category.PATIENT_RESPONSIBILITY,
            action=NextAction.BILL_PATIENT,
            sentence="The payer assigns this amount to the patient: bill the next payer if there is one, "
            "else the patient.",
            rule_id="DEN-M3",
        )
    return Rule(
        carc=carc,
        group=group,
        category=Category.MISSING_INFORMATION,
        action=NextAction.CHECK_STATUS,
        sentence=f"CARC {carc} has no mapping yet: read the remittance and ask the payer what it needs; "
        "an admin can add the mapping.",
        rule_id="DEN-M3",
    )


def explain(
    catalog: Catalog,
    *,
    group: str,
    carc: str,
    rarcs: Sequence[str] = (),
    payer: str = "",
    payer_kind: str = "",
) -> Explanation:
    """The category, next action and sentence for one adjustment reason (DEN-M1..M3)."""
    group, carc = group.strip().upper(), carc.strip().upper()
    rarcs = tuple(dict.fromkeys(r.strip().upper() for r in rarcs if r and r.strip()))
    matching = [
        r
        for r in catalog.rules
        if r.matches(group=group, carc=carc, rarcs=rarcs, payer=payer, payer_kind=payer_kind)
    ]
    bases = [r for r in matching if r.category is not None]
    # max() keeps the first of equal ranks: rules are tried in the order given (admin rules first)
    base = max(bases, key=Rule.rank) if bases else _fallback(group, carc)
    category = base.category
    assert category is not None  # bases all have one; the fallback too
    action, sentence = base.action, base.sentence
    modifiers = [r for r in matching if r.category is None]
    rule = base.where
    if modifiers:
        modifier = max(modifiers, key=Rule.rank)
        action = modifier.action
        sentence = f"{sentence} {modifier.sentence}"
        rule = f"{rule}; then {modifier.where}"
    return Explanation(
        group=group,
        carc=carc,
        rarcs=rarcs,
        category=category,
        action=action,
        sentence=sentence,
        carc_description=catalog.carc_descriptions.get(carc, ""),
        rarc_descriptions=tuple(catalog.rarc_descriptions.get(r, "") for r in rarcs),
        group_meaning=catalog.group_meanings.get(group, ""),
        rule=rule,
        source=base.source,
    )


def rules_from_rows(rows: Iterable[Mapping[str, str]], *, source: str = SHIPPED) -> tuple[Rule, ...]:
    """Rules from CSV rows (group, carc, rarc, payer_kind, category, action, sentence). A bad row
    is refused with its line number: the shipped file is checked by the tests, an upload too."""
    rules = []
    for number, row in enumerate(rows, start=2):
        try:
            category_text = (row.get("category") or "").strip()
            rules.append(
                Rule(
                    group=(row.get("group") or "").strip().upper().replace("*", ""),
                    carc=(row.get("carc") or "").strip().upper().replace("*", ""),
                    rarc=(row.get("rarc") or "").strip().upper(),
                    payer_kind=(row.get("payer_kind") or "").strip(),
                    category=Category(category_text) if category_text else None,
                    action=NextAction((row.get("action") or "").strip()),
                    sentence=(row.get("sentence") or "").strip(),
                    source=source,
                    rule_id="DEN-M1",
                )
            )
        except ValueError as exc:
            raise InvalidInputError(f"Reason map line {number}: {exc}", code="denials.bad_rule") from None
        if not rules[-1].sentence:
            raise InvalidInputError(f"Reason map line {number}: the sentence for the biller is missing.")
    return tuple(rules)

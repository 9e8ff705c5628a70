"""Claim draft models and payer-rule configuration validation."""

from __future__ import annotations

from datetime import date
from decimal import Decimal

import pytest
from pydantic import ValidationError

from claims.domain.types import (
    ClaimDraft,
    Edit,
    MaxUnitsPerDayRule,
    ModifierRequiredRule,
    PayerKind,
    ServiceLine,
    Severity,
    parse_payer_rules,
)
from tests.claims.domain import factories as f

GOOD_RULES = [
    {
        "kind": "modifier_required",
        "rule_id": "mcare-jwjz",
        "codes": ["j9035", "J1745"],
        "modifiers_any_of": ["JW", "jz"],
        "payer_kinds": ["medicare"],
        "satisfied_by_same_code_line": True,
        "effective_from": "2023-07-01",
        "source": "REFERENCE DRG-W2",
    },
    {"kind": "ndc_required", "rule_id": "mcd-ndc", "code_prefixes": ["J", "Q"], "payer_kinds": ["medicaid"]},
    {"kind": "prior_auth_required", "rule_id": "auth-ivig", "codes": ["J1459"]},
    {"kind": "max_units_per_day", "rule_id": "mue-j1745", "code": "J1745", "units": "150"},
    {
        "kind": "covered_diagnoses",
        "rule_id": "lcd-j1745",
        "code": "J1745",
        "icd10_prefixes": ["K50", "K51", "M05.7"],
    },
    {"kind": "timely_filing", "rule_id": "tf-90", "days": 90},
    {"kind": "claim_form", "rule_id": "form", "form": "837P", "severity": "warning"},
]


def test_good_rules_parse_and_normalize() -> None:
    rules = parse_payer_rules(GOOD_RULES)
    assert [r.kind for r in rules] == [r["kind"] for r in GOOD_RULES]
    jw = rules[0]
    assert isinstance(jw, ModifierRequiredRule)
    assert jw.codes == ("J9035", "J1745")
    assert jw.modifiers_any_of == ("JW", "JZ")
    assert jw.payer_kinds == (PayerKind.MEDICARE,)
    assert jw.effective_from == date(2023, 7, 1)
    mue = rules[3]
    assert isinstance(mue, MaxUnitsPerDayRule)
    assert mue.units == Decimal("150")
    assert rules[4].icd10_prefixes == ("K50", "K51", "M057")  # type: ignore[union-attr]
    assert rules[6].severity is Severity.WARNING


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"kind": "bogus", "rule_id": "x"}, "does not match any of the expected tags"),
        ({"rule_id": "x", "codes": ["J9035"]}, "Unable to extract tag using discriminator 'kind'"),
        (
            {"kind": "modifier_required", "rule_id": "x", "codes": ["J9035"]},
            "modifiers_any_of\n  Field required",
        ),
        (
            {"kind": "modifier_required", "rule_id": "x", "codes": [], "modifiers_any_of": ["JW"]},
            "codes\n  Tuple should have at least 1 item",
        ),
        (
            {"kind": "ndc_required", "rule_id": "x", "code_prefixes": ["J"], "prefixes": ["Q"]},
            "prefixes\n  Extra inputs are not permitted",
        ),
        ({"kind": "max_units_per_day", "rule_id": "x", "code": "J1745", "units": 2.5}, "never a float"),
        ({"kind": "max_units_per_day", "rule_id": "x", "code": "J1745", "units": "0"}, "greater than 0"),
        ({"kind": "timely_filing", "rule_id": "x", "days": 0}, "greater than 0"),
        (
            {"kind": "timely_filing", "rule_id": "x", "days": 90, "basis": "received"},
            "Input should be 'from' or 'through'",
        ),
        ({"kind": "claim_form", "rule_id": "x", "form": "CMS1500"}, "Input should be '837P' or '837I'"),
        ({"kind": "claim_form", "rule_id": "x", "form": "837P", "payer_kinds": ["tricare"]}, "payer_kinds.0"),
        (
            {"kind": "claim_form", "rule_id": "", "form": "837P"},
            "rule_id\n  String should have at least 1 character",
        ),
        (
            {
                "kind": "timely_filing",
                "rule_id": "x",
                "days": 90,
                "effective_from": "2024-02-01",
                "effective_to": "2024-01-01",
            },
            "effective_from is after effective_to",
        ),
    ],
)
def test_bad_rule_config_is_refused_with_a_clear_message(config: dict, message: str) -> None:
    with pytest.raises(ValidationError) as info:
        parse_payer_rules([config])
    assert message in str(info.value)


def test_duplicate_rule_ids_refused() -> None:
    with pytest.raises(ValueError, match="duplicate rule_id: a"):
        parse_payer_rules([{"kind": "timely_filing", "rule_id": "a", "days": 90}] * 2)


def test_rules_are_frozen() -> None:
    rule = parse_payer_rules([GOOD_RULES[5]])[0]
    with pytest.raises(ValidationError):
        rule.days = 10  # type: ignore[misc, union-attr]


@pytest.mark.parametrize(
    ("raw", "expected"),
    [
        ("50242-060-01", "50242006001"),  # 5-3-2
        ("0409-4332-01", "00409433201"),  # 4-4-2
        ("12345-6789-1", "12345678901"),  # 5-4-1
        ("57894-0030-01", "57894003001"),  # 5-4-2
        ("57894003001", "57894003001"),
        ("5789400300", "5789400300"),  # ambiguous 10 digits: kept for the scrubber to report
        ("12-34-56", "12-34-56"),  # not an NDC: kept for the scrubber to report
    ],
)
def test_ndc_normalization(raw: str, expected: str) -> None:
    assert f.line(1, "J1745", "10", ndc=raw).ndc == expected


def test_money_refuses_float_and_quantizes() -> None:
    base = {"line_number": 1, "line_control_number": "A", "date_from": date(2024, 1, 2), "code": "96365"}
    with pytest.raises(ValidationError, match="never a float"):
        ServiceLine(**base, units=Decimal(1), charge=350.0)
    with pytest.raises(ValidationError, match="never a float"):
        ServiceLine(**base, units=1.5, charge=Decimal(350))
    assert f.line(1, "96365", "350.005").charge == Decimal("350.01")


def test_line_defaults_and_normalization() -> None:
    ln = ServiceLine(
        line_number=1,
        line_control_number="A",
        date_from=date(2024, 1, 2),
        code="j9035",
        modifiers=("jw",),
        units=Decimal(6),
        charge=Decimal("10"),
    )
    assert ln.date_to == date(2024, 1, 2)
    assert ln.code == "J9035"
    assert ln.modifiers == ("JW",)
    assert ln.days == 1
    with pytest.raises(ValidationError, match="must be 2 letters"):
        f.line(1, "96365", "1", modifiers=("JWX",))
    with pytest.raises(ValidationError, match="at most 4 items"):
        f.line(1, "96365", "1", modifiers=("JW", "JZ", "59", "XU", "25"))


def test_claim_normalizes_diagnoses_and_totals() -> None:
    claim = f.claim(diagnoses=("k50.90", " D50.9 "))
    assert claim.diagnoses == ("K5090", "D509")
    assert claim.total_charge == Decimal("1550.00")
    assert claim.patient_is_subscriber
    with pytest.raises(ValidationError, match="Extra inputs are not permitted"):
        ClaimDraft(**{**f.claim().model_dump(), "status": "draft"})


def test_address_zip_and_tax_id() -> None:
    assert f.BILLING.address.zip == "606111234"
    assert f.BILLING.tax_id == "361234567"
    with pytest.raises(ValidationError, match="ZIP must be 5 or 9 digits"):
        f.Address(line1="1 A St", city="Chicago", state="IL", zip="6061")


def test_edit_blocking() -> None:
    edit = Edit(code="X", severity=Severity.ERROR, message="m", fix_hint="h")
    assert edit.blocking
    assert not edit.model_copy(update={"severity": Severity.WARNING}).blocking

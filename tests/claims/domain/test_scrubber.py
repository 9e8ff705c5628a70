"""Scrubber: every built-in edit and every payer-rule kind, one by one (fires / does not fire)."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest

from claims.domain.scrubber import (
    AuthInForce,
    ScrubContext,
    add_calendar_year,
    duplicate_keys,
    has_errors,
    scrub,
)
from claims.domain.types import ClaimDraft, ClaimForm, Edit, PayerRule, Severity, parse_payer_rules
from infusion_rcm.common.identifiers import icd10cm_shape_ok, npi_is_valid
from tests.claims.domain import factories as f

AS_OF = date(2024, 3, 10)
CTX = ScrubContext(as_of=AS_OF, eligibility_verified_on=date(2024, 3, 1))


def run(claim: ClaimDraft, rules: Sequence[dict[str, Any]] = (), **ctx: Any) -> list[Edit]:
    context = CTX.model_copy(update=ctx) if ctx else CTX
    return scrub(claim, parse_payer_rules(list(rules)), context=context)


def codes(edits: list[Edit]) -> list[str]:
    return [e.code for e in edits]


def only(edits: list[Edit], code: str) -> Edit:
    found = [e for e in edits if e.code == code]
    assert len(found) == 1, edits
    return found[0]


# -- baseline ---------------------------------------------------------------------------------

SCENARIOS = [
    f.office_sequential_concurrent,
    f.chemo_with_hydration,
    f.drug_with_waste,
    f.home_infusion_per_diems,
    f.medicare_dependent_free,
    f.commercial_dependent,
    f.hospital_outpatient_837i,
]


@pytest.mark.parametrize("scenario", SCENARIOS, ids=lambda s: s.__name__)
def test_scenario_claims_are_clean(scenario: Any) -> None:
    assert run(scenario()) == []


def test_every_edit_has_a_hint_and_a_source() -> None:
    bad = f.claim(
        claim_id="X" * 25,
        diagnoses=("123",),
        place_of_service=None,
        rendering_provider=f.RENDERING.model_copy(update={"npi": "1234567890"}),
        lines=(f.line(1, "96365", "-1", 0, date_from=AS_OF + timedelta(days=3), diagnosis_pointers=(5,)),),
    )
    edits = run(bad, eligibility_verified_on=None)
    assert len(edits) >= 8
    for edit in edits:
        assert edit.fix_hint and edit.source and edit.message
    assert has_errors(edits)


def test_edits_are_sorted_claim_level_first_then_by_line() -> None:
    claim = f.claim(diagnoses=(), lines=(f.line(2, "96366", "1", 0), f.line(1, "96365", "-1")))
    edits = run(claim)
    keys = [(e.line_number is not None, e.line_number or 0) for e in edits]
    assert keys == sorted(keys)
    assert edits[0].line_number is None


# -- built-in: structure ----------------------------------------------------------------------


def test_no_lines() -> None:
    assert "CLM_NO_LINES" in codes(run(f.claim(lines=())))


def test_no_diagnosis() -> None:
    edit = only(
        run(f.claim(diagnoses=(), lines=(f.line(1, "96365", "1", diagnosis_pointers=()),))),
        "CLM_NO_DIAGNOSIS",
    )
    assert edit.severity is Severity.ERROR and "HI" in edit.source


def test_claim_id_too_long() -> None:
    assert "CLM_ID_TOO_LONG" in codes(run(f.claim(claim_id="A" * 21)))
    assert "CLM_ID_TOO_LONG" not in codes(run(f.claim(claim_id="A" * 20)))


def test_too_many_lines_837p() -> None:
    lines = tuple(f.line(n, "96366", "1") for n in range(1, 52))
    assert "CLM_TOO_MANY_LINES" in codes(run(f.claim(lines=lines)))
    assert "CLM_TOO_MANY_LINES" not in codes(run(f.claim(lines=lines[:50])))


def test_too_many_diagnoses_837p() -> None:
    dx = tuple(f"Z79{n}" for n in range(10, 23))
    assert "CLM_TOO_MANY_DIAGNOSES" in codes(run(f.claim(diagnoses=dx)))
    assert "CLM_TOO_MANY_DIAGNOSES" not in codes(run(f.claim(diagnoses=dx[:12])))


@pytest.mark.parametrize("pos", [None, "1", "AB"])
def test_place_of_service(pos: str | None) -> None:
    assert "CLM_POS_MISSING" in codes(run(f.claim(place_of_service=pos)))


def test_837i_facility_type_attending_revenue_code() -> None:
    base = f.hospital_outpatient_837i()
    assert "CLM_FACILITY_TYPE_MISSING" in codes(run(base.model_copy(update={"facility_type_code": None})))
    assert "CLM_ATTENDING_MISSING" in codes(run(base.model_copy(update={"attending_provider": None})))
    no_rev = base.model_copy(update={"lines": (f.line(1, "96365", "1", revenue_code="260"),)})
    edit = only(run(no_rev), "LINE_REVENUE_CODE_MISSING")
    assert edit.line_number == 1 and "0260" in edit.fix_hint
    # 837I lines do not need diagnosis pointers
    assert "LINE_POINTER_MISSING" not in codes(run(base))


def test_replacement_needs_original_reference() -> None:
    edit = only(run(f.claim(frequency_code="8")), "CLM_ORIGINAL_REFERENCE_MISSING")
    assert "REF*F8" in edit.source
    assert run(f.claim(frequency_code="8", original_claim_reference="ICN1")) == []


# -- built-in: parties ------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("npi", "ok"),
    [
        ("1234567893", True),
        ("1122333341", True),
        ("1234567890", False),
        ("123456789", False),
        ("12345678ab", False),
        ("3234567893", False),
    ],
)
def test_npi_luhn(npi: str, ok: bool) -> None:
    assert npi_is_valid(npi) is ok


@pytest.mark.parametrize("role", ["billing_provider", "rendering_provider", "referring_provider"])
def test_npi_invalid_per_role(role: str) -> None:
    claim = f.claim(referring_provider=f.REFERRING)
    party = getattr(claim, role)
    bad = claim.model_copy(update={role: party.model_copy(update={"npi": "1234567890"})})
    edit = only(run(bad), "NPI_INVALID")
    assert role.replace("_", " ") in edit.message
    assert "80840" in edit.source


def test_npi_callable_from_context() -> None:
    assert "NPI_INVALID" in codes(run(f.claim(), valid_npi=lambda npi: npi != f.NPI_RENDERING))


def test_billing_zip9_and_facility_zip9() -> None:
    five = f.BILLING.model_copy(update={"address": f.HOME})
    assert "BILLING_ZIP9" in codes(run(f.claim(billing_provider=five)))
    fac = f.commercial_dependent().service_facility
    assert fac is not None
    short = fac.model_copy(update={"address": f.HOME})
    assert "FACILITY_ZIP9" in codes(
        run(f.commercial_dependent().model_copy(update={"service_facility": short}))
    )


def test_tax_id() -> None:
    bad = f.BILLING.model_copy(update={"tax_id": "12345"})
    assert "TAX_ID_INVALID" in codes(run(f.claim(billing_provider=bad)))


def test_subscriber_demographics_when_patient_is_subscriber() -> None:
    assert "SUBSCRIBER_DEMOGRAPHICS" in codes(run(f.claim(subscriber=f.subscriber(dob=None))))
    # not needed when a separate patient is reported
    assert "SUBSCRIBER_DEMOGRAPHICS" not in codes(run(f.commercial_dependent()))


# -- built-in: diagnoses ----------------------------------------------------------------------


@pytest.mark.parametrize(
    ("code", "ok"),
    [
        ("K5090", True),
        ("C349", True),
        ("S72001A", True),
        ("E11", True),
        ("123", False),
        ("U071", True),  # U07.1 COVID-19 is a billable ICD-10-CM code
        ("K5", False),
        ("K50900000", False),
    ],
)
def test_icd10_shape(code: str, ok: bool) -> None:
    assert icd10cm_shape_ok(code) is ok


def test_icd10_invalid_shape_and_lookup() -> None:
    assert codes(run(f.claim(diagnoses=("K50.90", "250.00")))) == ["ICD10_INVALID"]
    lookup = {"K5090"}.__contains__
    edit = only(run(f.claim(), valid_icd10=lookup), "ICD10_INVALID")
    assert "D509" in edit.message and "billable" in edit.message
    assert run(f.claim(), valid_icd10=lambda code: True) == []


# -- built-in: lines --------------------------------------------------------------------------


def test_dates_reversed() -> None:
    ln = f.line(1, "S9500", "1", date_from=date(2024, 3, 5), date_to=date(2024, 3, 1))
    assert "LINE_DATES_REVERSED" in codes(run(f.claim(lines=(ln,))))


def test_date_in_future() -> None:
    future = f.line(1, "96365", "1", date_from=AS_OF + timedelta(days=1))
    assert only(run(f.claim(lines=(future,))), "LINE_DATE_FUTURE").line_number == 1
    today = f.line(1, "96365", "1", date_from=AS_OF)
    assert run(f.claim(lines=(today,))) == []
    span = f.line(1, "S9500", "1", date_from=AS_OF - timedelta(days=2), date_to=AS_OF + timedelta(days=4))
    assert "LINE_DATE_FUTURE" in codes(run(f.claim(lines=(span,))))


@pytest.mark.parametrize(
    ("units", "code"),
    [("0", "LINE_UNITS_NOT_POSITIVE"), ("-2", "LINE_UNITS_NOT_POSITIVE"), ("1.5", "LINE_UNITS_FRACTIONAL")],
)
def test_units(units: str, code: str) -> None:
    assert code in codes(run(f.claim(lines=(f.line(1, "J1745", "10", units),))))


def test_whole_units_written_with_decimals_are_fine() -> None:
    assert run(f.claim(lines=(f.line(1, "96365", "10", "2.000"),))) == []


def test_charge_negative_and_zero() -> None:
    assert "LINE_CHARGE_NEGATIVE" in codes(run(f.claim(lines=(f.line(1, "96365", "-0.01"),))))
    zero = run(f.claim(lines=(f.line(1, "96365", "0.00"),)))
    # a $0 line (no charge-master price) blocks the claim unless a payer rule allows it
    assert [(e.code, e.severity.value) for e in zero] == [("LINE_CHARGE_ZERO", "error")]
    assert "charge master" in zero[0].fix_hint
    assert run(f.claim(lines=(f.line(1, "96365", "0.01"),))) == []


def test_pointers() -> None:
    assert "LINE_POINTER_MISSING" in codes(
        run(f.claim(lines=(f.line(1, "96365", "1", diagnosis_pointers=()),)))
    )
    edit = only(
        run(f.claim(lines=(f.line(1, "96365", "1", diagnosis_pointers=(1, 3)),))), "LINE_POINTER_RANGE"
    )
    assert "3" in edit.message
    assert run(f.claim(lines=(f.line(1, "96365", "1", diagnosis_pointers=(2, 1)),))) == []


def test_duplicate_line_numbers() -> None:
    assert "LINE_NUMBER_DUPLICATE" in codes(
        run(f.claim(lines=(f.line(1, "96365", "1"), f.line(1, "96366", "1"))))
    )


def test_ndc_format_and_quantity() -> None:
    ten = f.line(1, "J1745", "1", 10, ndc="5789400300", ndc_quantity=Decimal(1), ndc_unit="UN")
    assert codes(run(f.claim(lines=(ten,)))) == ["LINE_NDC_FORMAT"]
    no_qty = f.line(1, "J1745", "1", 10, ndc="57894-0030-01")
    assert codes(run(f.claim(lines=(no_qty,)))) == ["LINE_NDC_QUANTITY_MISSING"]
    zero = f.line(1, "J1745", "1", 10, ndc="57894-0030-01", ndc_quantity=Decimal(0), ndc_unit="UN")
    assert codes(run(f.claim(lines=(zero,)))) == ["LINE_NDC_QUANTITY_MISSING"]


# -- built-in: eligibility, duplicates, auths, timely filing -----------------------------------


def test_eligibility() -> None:
    assert (
        only(run(f.claim(), eligibility_verified_on=None), "ELIGIBILITY_NOT_VERIFIED").severity
        is Severity.ERROR
    )
    stale = only(run(f.claim(), eligibility_verified_on=AS_OF - timedelta(days=31)), "ELIGIBILITY_STALE")
    assert stale.severity is Severity.WARNING and "31 days" in stale.message
    assert run(f.claim(), eligibility_verified_on=AS_OF - timedelta(days=30)) == []
    assert run(f.claim(), eligibility_verified_on=AS_OF - timedelta(days=60), eligibility_fresh_days=90) == []


def test_duplicate_claim() -> None:
    earlier = f.claim(claim_id="EARLIER")
    seen = duplicate_keys(earlier)
    edit = only(run(f.claim(claim_id="NEW"), seen_claim_keys=seen), "DUPLICATE_CLAIM")
    assert "96365" in edit.message and "J1745" in edit.message
    # different date: no duplicate
    other_day = f.claim(lines=(f.line(1, "96365", "350.00", date_from=date(2024, 3, 2)),))
    assert run(other_day, seen_claim_keys=seen) == []
    # a replacement of the earlier claim is not a duplicate
    assert run(f.claim(frequency_code="7", original_claim_reference="ICN"), seen_claim_keys=seen) == []
    # different modifiers are different services
    jw = f.claim(lines=(f.line(1, "96365", "350.00", modifiers=("59",)),))
    assert run(jw, seen_claim_keys=seen) == []


def test_auth_exhausted_and_dates() -> None:
    auth = AuthInForce(
        auth_number="PA1",
        code="J1745",
        remaining_units=Decimal(30),
        start=date(2024, 1, 1),
        end=date(2024, 6, 30),
    )
    claim = f.claim(prior_auth_number="PA1")
    edit = only(run(claim, auths=(auth,)), "AUTH_EXHAUSTED")
    assert "40 units billed" in edit.message and "30" in edit.message and edit.line_number == 2
    enough = auth.model_copy(update={"remaining_units": Decimal(40)})
    assert run(claim, auths=(enough,)) == []
    expired = enough.model_copy(update={"end": date(2024, 2, 29)})
    assert only(run(claim, auths=(expired,)), "AUTH_DATES").line_number == 2


def test_auth_number_missing_from_claim_is_a_warning() -> None:
    auth = AuthInForce(auth_number="PA9", code="J1745", remaining_units=Decimal(100))
    edit = only(run(f.claim(), auths=(auth,)), "AUTH_NUMBER_NOT_ON_CLAIM")
    assert edit.severity is Severity.WARNING and "PA9" in edit.fix_hint


def test_timely_filing_medicare_default() -> None:
    mcare = f.claim(payer=f.MEDICARE, lines=(f.line(1, "96365", "1", date_from=date(2023, 3, 1)),))
    assert (
        run(mcare, as_of=date(2024, 3, 1), eligibility_verified_on=date(2024, 3, 1)) != []
    )  # deadline day: warns
    assert "TIMELY_FILING_NEAR" in codes(
        run(mcare, as_of=date(2024, 2, 20), eligibility_verified_on=date(2024, 2, 20))
    )
    expired = only(
        run(mcare, as_of=date(2024, 3, 2), eligibility_verified_on=date(2024, 3, 1)), "TIMELY_FILING_EXPIRED"
    )
    assert "TF-1" in expired.source and expired.line_number == 1
    assert run(mcare, as_of=date(2024, 1, 1), eligibility_verified_on=date(2024, 1, 1)) == []


def test_timely_filing_feb_29() -> None:
    assert add_calendar_year(date(2024, 2, 29)) == date(2025, 2, 28)
    assert add_calendar_year(date(2023, 5, 1)) == date(2024, 5, 1)


def test_timely_filing_commercial_has_no_default() -> None:
    old = f.claim(lines=(f.line(1, "96365", "1", date_from=date(2020, 1, 1)),))
    assert run(old) == []


# -- payer rules ------------------------------------------------------------------------------

JWJZ = {
    "kind": "modifier_required",
    "rule_id": "mcare-jwjz",
    "codes": ["J9035", "J1745", "J1459", "J9263"],
    "modifiers_any_of": ["JW", "JZ"],
    "payer_kinds": ["medicare"],
    "satisfied_by_same_code_line": True,
    "effective_from": "2023-07-01",
    "source": "REFERENCE DRG-W2",
}


def test_modifier_required_fires_and_cites() -> None:
    no_jz = f.claim(payer=f.MEDICARE)  # J1745 without JZ
    edit = only(run(no_jz, [JWJZ]), "PAYER_MODIFIER_REQUIRED")
    assert edit.rule_id == "mcare-jwjz" and edit.line_number == 2 and edit.source == "REFERENCE DRG-W2"
    assert "JZ" in edit.fix_hint


def test_modifier_required_satisfied() -> None:
    assert run(f.drug_with_waste(), [JWJZ]) == []  # admin line beside a JW line
    assert run(f.medicare_dependent_free(), [JWJZ]) == []  # JZ on the drug line
    strict = {**JWJZ, "satisfied_by_same_code_line": False}
    edit = only(run(f.drug_with_waste(), [strict]), "PAYER_MODIFIER_REQUIRED")
    assert edit.line_number == 2


def test_modifier_required_scoped_by_payer_kind_and_date() -> None:
    assert run(f.claim(), [JWJZ]) == []  # commercial payer
    before = f.claim(payer=f.MEDICARE, lines=(f.line(1, "J1745", "1", 10, date_from=date(2023, 6, 30)),))
    assert run(before, [JWJZ], as_of=date(2023, 8, 1), eligibility_verified_on=date(2023, 8, 1)) == []


def test_per_diem_second_therapy_needs_sh() -> None:
    rule = {
        "kind": "modifier_required",
        "rule_id": "sh",
        "codes": ["S9501"],
        "modifiers_any_of": ["SH", "SJ"],
        "severity": "warning",
    }
    assert run(f.home_infusion_per_diems(), [rule]) == []
    claim = f.home_infusion_per_diems()
    without = claim.model_copy(
        update={"lines": tuple(ln.model_copy(update={"modifiers": ()}) for ln in claim.lines)}
    )
    assert only(run(without, [rule]), "PAYER_MODIFIER_REQUIRED").severity is Severity.WARNING


def test_ndc_required() -> None:
    rule = {"kind": "ndc_required", "rule_id": "mcd-ndc", "code_prefixes": ["J"], "payer_kinds": ["medicaid"]}
    no_ndc = f.claim(payer=f.MEDICAID, lines=(f.line(1, "96365", "1"), f.line(2, "J1745", "1", 40)))
    edit = only(run(no_ndc, [rule]), "PAYER_NDC_REQUIRED")
    assert edit.line_number == 2 and "DRG-N2" in edit.source
    assert run(f.claim(payer=f.MEDICAID), [rule]) == []
    assert run(no_ndc.model_copy(update={"payer": f.COMMERCIAL}), [rule]) == []


def test_prior_auth_required() -> None:
    rule = {"kind": "prior_auth_required", "rule_id": "auth-j1745", "codes": ["J1745"]}
    edit = only(run(f.claim(), [rule]), "AUTH_MISSING")
    assert edit.line_number == 2
    auth = AuthInForce(auth_number="PA1", code="J1745", remaining_units=Decimal(40))
    assert run(f.claim(prior_auth_number="PA1"), [rule], auths=(auth,)) == []
    assert (
        run(f.claim(prior_auth_number="PA-ON-CLAIM"), [rule]) == []
    )  # number on claim, auth not tracked here
    assert run(f.claim(lines=(f.line(1, "96365", "1"),)), [rule]) == []


def test_max_units_per_day() -> None:
    rule = {"kind": "max_units_per_day", "rule_id": "mue-j2185", "code": "J2185", "units": "30"}
    assert run(f.home_infusion_per_diems(), [rule]) == []  # 210 units over 7 days = 30/day
    claim = f.home_infusion_per_diems()
    more = tuple(
        ln.model_copy(update={"units": Decimal(217)}) if ln.code == "J2185" else ln for ln in claim.lines
    )
    edits = run(claim.model_copy(update={"lines": more}), [rule])
    assert codes(edits) == ["PAYER_MAX_UNITS"] * 7
    assert "31 units on 2024-02-01" in edits[0].message
    two_lines = f.claim(lines=(f.line(1, "J2185", "1", 20), f.line(2, "J2185", "1", 20)))
    assert codes(run(two_lines, [rule])) == ["PAYER_MAX_UNITS"]


def test_covered_diagnoses() -> None:
    rule = {
        "kind": "covered_diagnoses",
        "rule_id": "lcd-j1745",
        "code": "J1745",
        "icd10_prefixes": ["K50", "K51", "M05"],
    }
    assert run(f.claim(), [rule]) == []  # points at K50.90
    off_label = f.claim(lines=(f.line(1, "J1745", "1", 10, diagnosis_pointers=(2,)),))
    edit = only(run(off_label, [rule]), "PAYER_DIAGNOSIS_NOT_COVERED")
    assert "D509" in edit.message
    # 837I has no pointers: any claim diagnosis counts
    assert run(f.hospital_outpatient_837i(), [rule]) == []


def test_timely_filing_rule_overrides_default() -> None:
    rule = {"kind": "timely_filing", "rule_id": "tf-90", "days": 90}
    old = f.claim(lines=(f.line(1, "96365", "1", date_from=date(2023, 12, 1)),))
    edit = only(run(old, [rule]), "TIMELY_FILING_EXPIRED")
    assert edit.rule_id == "tf-90" and "2024-02-29" in edit.message
    near = {**rule, "days": 110}
    assert codes(run(old, [near])) == ["TIMELY_FILING_NEAR"]
    assert run(old, [{**rule, "days": 180}]) == []
    # 'through' basis uses the claim's last date
    span = f.claim(
        lines=(f.line(1, "S9500", "1", 7, date_from=date(2023, 12, 5), date_to=date(2023, 12, 11)),)
    )
    assert codes(run(span, [{**rule, "basis": "through"}])) == ["TIMELY_FILING_NEAR"]
    assert codes(run(span, [{**rule, "basis": "from"}])) == ["TIMELY_FILING_EXPIRED"]


def test_claim_form_rule() -> None:
    rule = {"kind": "claim_form", "rule_id": "hopd-837i", "form": "837I"}
    edit = only(run(f.claim(), [rule]), "PAYER_CLAIM_FORM")
    assert edit.line_number is None and "837I" in edit.fix_hint
    assert run(f.hospital_outpatient_837i(), [rule]) == []


def test_scrub_is_pure_and_deterministic() -> None:
    rules: tuple[PayerRule, ...] = parse_payer_rules(
        [JWJZ, {"kind": "timely_filing", "rule_id": "t", "days": 30}]
    )
    claim = f.claim(payer=f.MEDICARE, form=ClaimForm.PROFESSIONAL)
    assert scrub(claim, rules, context=CTX) == scrub(claim, rules, context=CTX)


def test_code_not_in_force_on_the_date_of_service() -> None:
    import datetime as dt

    from coding.domain.code_sets import CodeSetCalendar

    calendar = CodeSetCalendar.of([("96365", dt.date(2000, 1, 1), None)])
    claim = f.claim(lines=(f.line(1, "96365", "350"), f.line(2, "96999", "10")))

    def in_force(code, day):
        return code in calendar.codes_on(day)

    edits = [e for e in run(claim, code_in_force=in_force) if e.code == "LINE_CODE_NOT_IN_FORCE"]
    assert [(e.line_number, e.severity.value) for e in edits] == [(2, "error")]
    assert "96999" in edits[0].message and "CARC 181" in edits[0].source
    assert "LINE_CODE_NOT_IN_FORCE" not in codes(run(claim))  # no code sets given: not checked


# -- issue 9: $0 lines, providers, subscriber, filing indicator, character set, line limit -----


ZERO_ALLOWED = {"kind": "zero_charge_allowed", "rule_id": "BCBS-ZERO-SUPPLY", "codes": ["A4222"]}


def test_zero_charge_line_allowed_by_a_payer_rule_is_only_a_warning() -> None:
    claim = f.claim(lines=(f.line(1, "96365", "350.00"), f.line(2, "A4222", "0.00")))
    assert only(run(claim), "LINE_CHARGE_ZERO").severity is Severity.ERROR
    allowed = only(run(claim, [ZERO_ALLOWED]), "LINE_CHARGE_ZERO")
    assert allowed.severity is Severity.WARNING and allowed.rule_id == "BCBS-ZERO-SUPPLY"
    # the rule names its codes: another $0 code is still an error
    other = f.claim(lines=(f.line(1, "96365", "0.00"),))
    assert only(run(other, [ZERO_ALLOWED]), "LINE_CHARGE_ZERO").severity is Severity.ERROR
    # no codes: every $0 line of that payer is allowed
    anything = {**ZERO_ALLOWED, "codes": []}
    assert only(run(other, [anything]), "LINE_CHARGE_ZERO").severity is Severity.WARNING


RENDERING_REQUIRED = {
    "kind": "provider_required",
    "rule_id": "MCR-RENDERING",
    "role": "rendering",
    "payer_kinds": ["medicare"],
    "places_of_service": ["11", "49"],
}


def test_payer_needs_a_rendering_provider_and_none_is_set() -> None:
    claim = f.chemo_with_hydration().model_copy(update={"rendering_provider": None})
    edit = only(run(claim, [RENDERING_REQUIRED]), "PAYER_PROVIDER_REQUIRED")
    assert edit.severity is Severity.ERROR and edit.rule_id == "MCR-RENDERING"
    assert "rendering" in edit.message and "visit" in edit.fix_hint
    assert run(f.chemo_with_hydration(), [RENDERING_REQUIRED]) == []
    # only at the places of service the rule names (a home claim goes out under the pharmacy)
    home = claim.model_copy(update={"place_of_service": "12"})
    assert "PAYER_PROVIDER_REQUIRED" not in codes(run(home, [RENDERING_REQUIRED]))
    # only for the payer kinds it names
    commercial = claim.model_copy(update={"payer": f.COMMERCIAL})
    assert "PAYER_PROVIDER_REQUIRED" not in codes(run(commercial, [RENDERING_REQUIRED]))


def test_payer_needs_a_supervising_provider() -> None:
    rule = {"kind": "provider_required", "rule_id": "PLAN-SUP", "role": "supervising"}
    assert "PAYER_PROVIDER_REQUIRED" in codes(run(f.claim(), [rule]))
    assert run(f.claim(supervising_provider=f.REFERRING), [rule]) == []


def test_provider_rule_refuses_a_bad_place_of_service() -> None:
    with pytest.raises(ValueError, match="2 digits"):
        parse_payer_rules([{**RENDERING_REQUIRED, "places_of_service": ["1"]}])


def test_supervising_and_line_rendering_npis_are_checked() -> None:
    bad = f.RENDERING.model_copy(update={"npi": "1234567890"})
    claim = f.claim(
        supervising_provider=bad,
        lines=(f.line(1, "96365", "350.00", rendering_provider=bad),),
    )
    messages = [e.message for e in run(claim) if e.code == "NPI_INVALID"]
    assert any("supervising provider" in m for m in messages)
    assert any("line 1 rendering provider" in m for m in messages)


@pytest.mark.parametrize("payer", [f.MEDICARE, f.MEDICAID, f.MEDICARE_ADVANTAGE], ids=lambda p: p.kind)
def test_medicare_and_medicaid_member_sent_as_dependent_is_an_error(payer: Any) -> None:
    dependent = f.commercial_dependent().model_copy(
        update={"payer": payer, "frequency_code": "1", "original_claim_reference": None}
    )
    edit = only(run(dependent), "SUBSCRIBER_MUST_BE_PATIENT")
    assert edit.severity is Severity.ERROR and "self" in edit.fix_hint
    assert "SUBSCRIBER_MUST_BE_PATIENT" not in codes(run(f.commercial_dependent()))


def test_other_payer_without_filing_indicator_is_an_error() -> None:
    tricare = f.TRICARE.model_copy(update={"filing_indicator": None})
    edit = only(run(f.claim(payer=tricare)), "PAYER_FILING_INDICATOR_MISSING")
    assert "CH TRICARE" in edit.fix_hint
    assert run(f.claim(payer=f.TRICARE)) == []


def test_accented_names_raise_a_transliteration_warning() -> None:
    edits = run(f.accented_patient())
    edit = only(edits, "CHARSET_TRANSLITERATED")
    assert edit.severity is Severity.WARNING
    assert "subscriber name" in edit.message and "subscriber address" in edit.message
    assert not has_errors(edits)
    # case and apostrophes are not a change
    plain = f.claim(subscriber=f.subscriber(last_name="O'Brien", first_name="mary"))
    assert "CHARSET_TRANSLITERATED" not in codes(run(plain))


def test_payer_line_limit_below_the_guide() -> None:
    lines = tuple(f.line(n, "96365", "10.00", date_from=date(2024, 3, n)) for n in range(1, 8))
    small = f.COMMERCIAL.model_copy(update={"max_lines": 6})
    edit = only(run(f.claim(payer=small, lines=lines)), "CLM_TOO_MANY_LINES")
    assert "this payer takes at most 6" in edit.message
    assert "CLM_TOO_MANY_LINES" not in codes(run(f.claim(lines=lines)))


def test_837p_guide_line_limit() -> None:
    lines = tuple(f.line(n, "96365", "10.00") for n in range(1, 52))
    edit = only(run(f.claim(lines=lines)), "CLM_TOO_MANY_LINES")
    assert "an 837P holds at most 50" in edit.message

"""The reason catalog on group/CARC/RARC combinations (DEN-M1..M3). Each expected category and
next action follows from the published code description (X12 CARC/RARC lists, as copied in
payments/data), e.g. CARC 197 "Precertification/authorization/notification absent" is an
authorization problem whose next step is to obtain the authorization."""

from __future__ import annotations

import csv
from decimal import Decimal
from pathlib import Path

import pytest

from denials.domain.catalog import (
    ADMIN,
    Catalog,
    Rule,
    explain,
    normalise_code,
    normalise_rarc,
    rules_from_rows,
)
from denials.domain.detect import AdjFacts, LineFacts, PaidClaimFacts, find_denials
from denials.domain.types import Category as C
from denials.domain.types import NextAction as A
from infusion_rcm.common.errors import InvalidInputError

ROOT = Path(__file__).resolve().parents[3]


def _codes(name):
    with (ROOT / "payments" / "data" / name).open(encoding="utf-8") as f:
        return {r["code"]: r["description"] for r in csv.DictReader(f)}


with (ROOT / "denials" / "data" / "reason_map.csv").open(encoding="utf-8") as _f:
    CATALOG = Catalog(rules_from_rows(csv.DictReader(_f)), _codes("carc.csv"), _codes("rarc.csv"))

CASES = [
    # (group, carc, rarcs, payer kind, category, action)
    ("PR", "1", (), "", C.PATIENT_RESPONSIBILITY, A.BILL_NEXT_PAYER),  # deductible amount
    ("PR", "2", (), "", C.PATIENT_RESPONSIBILITY, A.BILL_NEXT_PAYER),  # coinsurance amount
    ("PR", "3", (), "", C.PATIENT_RESPONSIBILITY, A.BILL_NEXT_PAYER),  # co-payment amount
    ("CO", "4", (), "", C.CODING, A.CORRECTED_CLAIM),  # modifier missing or inconsistent
    ("CO", "5", (), "", C.CODING, A.CORRECTED_CLAIM),  # code / bill type vs place of service
    ("CO", "11", (), "", C.CODING, A.CORRECTED_CLAIM),  # diagnosis inconsistent with procedure
    ("CO", "16", (), "", C.MISSING_INFORMATION, A.CORRECTED_CLAIM),  # lacks information
    ("CO", "16", ("MA130",), "", C.MISSING_INFORMATION, A.NEW_CLAIM),  # unprocessable: new claim
    ("CO", "16", ("M119",), "", C.MISSING_INFORMATION, A.CORRECTED_CLAIM),  # NDC missing
    ("CO", "16", ("M53",), "", C.CODING, A.CORRECTED_CLAIM),  # days or units invalid
    ("CO", "16", ("M20",), "", C.CODING, A.CORRECTED_CLAIM),  # HCPCS missing/invalid
    ("CO", "16", ("N290",), "", C.MISSING_INFORMATION, A.CORRECTED_CLAIM),  # rendering provider id
    ("OA", "18", (), "", C.DUPLICATE, A.CHECK_STATUS),  # exact duplicate
    ("CO", "18", ("M86",), "", C.DUPLICATE, A.CHECK_STATUS),  # already paid in time frame
    ("CO", "22", (), "", C.COORDINATION_OF_BENEFITS, A.SEND_TO_CORRECT_PAYER),  # another payer (COB)
    ("OA", "23", (), "", C.INFORMATIONAL, A.NO_ACTION),  # prior payer's adjudication
    ("CO", "24", (), "", C.CONTRACTUAL, A.WRITE_OFF),  # capitation agreement
    ("PR", "26", (), "", C.ELIGIBILITY, A.SEND_TO_CORRECT_PAYER),  # before coverage
    ("CO", "27", (), "", C.ELIGIBILITY, A.SEND_TO_CORRECT_PAYER),  # after coverage terminated
    ("CO", "29", (), "commercial", C.TIMELY_FILING, A.APPEAL),  # filing limit expired
    ("CO", "29", (), "medicare", C.TIMELY_FILING, A.WRITE_OFF),  # Medicare: not appealable
    ("CO", "31", (), "", C.ELIGIBILITY, A.CORRECTED_CLAIM),  # not identified as insured
    ("CO", "39", (), "", C.AUTHORIZATION, A.APPEAL),  # denied when authorization requested
    ("CO", "45", (), "", C.CONTRACTUAL, A.NO_ACTION),  # exceeds fee schedule
    ("CO", "50", (), "", C.MEDICAL_NECESSITY, A.APPEAL),  # not medically necessary
    ("CO", "50", ("N211",), "", C.MEDICAL_NECESSITY, A.WRITE_OFF),  # ... and may not be appealed
    ("CO", "50", ("N386",), "", C.MEDICAL_NECESSITY, A.APPEAL),  # national coverage determination
    ("CO", "59", (), "", C.PRICING, A.APPEAL),  # multiple / concurrent procedure rules
    ("CO", "96", (), "", C.NON_COVERED, A.WRITE_OFF),  # non-covered charge
    ("PR", "96", (), "", C.NON_COVERED, A.BILL_PATIENT),  # non-covered, the patient's
    ("CO", "96", ("N425",), "", C.NON_COVERED, A.WRITE_OFF),  # statutorily excluded
    ("CO", "97", (), "", C.BUNDLING, A.WRITE_OFF),  # included in another service
    ("CO", "97", ("M15",), "", C.BUNDLING, A.WRITE_OFF),  # bundled components
    ("CO", "107", (), "", C.CODING, A.CORRECTED_CLAIM),  # qualifying service not on the claim
    ("CO", "107", ("N122",), "", C.CODING, A.CORRECTED_CLAIM),  # add-on billed alone
    ("CO", "109", (), "", C.ELIGIBILITY, A.SEND_TO_CORRECT_PAYER),  # send to the correct payer
    ("PR", "119", (), "", C.NON_COVERED, A.BILL_NEXT_PAYER),  # benefit maximum reached
    ("CO", "146", (), "", C.CODING, A.CORRECTED_CLAIM),  # diagnosis invalid on the date
    ("CO", "151", (), "", C.MEDICAL_NECESSITY, A.APPEAL),  # frequency not supported
    ("CO", "151", ("N362",), "", C.MEDICAL_NECESSITY, A.APPEAL),  # units exceed the maximum
    ("CO", "153", (), "", C.MEDICAL_NECESSITY, A.APPEAL),  # dosage not supported
    ("CO", "167", (), "", C.MEDICAL_NECESSITY, A.CORRECTED_CLAIM),  # diagnosis not covered
    ("CO", "181", (), "", C.CODING, A.CORRECTED_CLAIM),  # code invalid on the date of service
    ("CO", "182", (), "", C.CODING, A.CORRECTED_CLAIM),  # modifier invalid on the date
    ("CO", "189", (), "", C.CODING, A.CORRECTED_CLAIM),  # unlisted code where a specific exists
    ("CO", "197", (), "", C.AUTHORIZATION, A.REQUEST_AUTHORIZATION),  # authorization absent
    ("CO", "197", ("M62",), "", C.AUTHORIZATION, A.CORRECTED_CLAIM),  # auth number missing on claim
    ("CO", "198", (), "", C.AUTHORIZATION, A.REQUEST_AUTHORIZATION),  # authorization exceeded
    ("CO", "198", ("N54",), "", C.AUTHORIZATION, A.REQUEST_AUTHORIZATION),  # differs from authorized
    ("CO", "204", (), "", C.NON_COVERED, A.WRITE_OFF),  # not covered under the plan
    ("PR", "204", (), "", C.NON_COVERED, A.BILL_PATIENT),  # ... the patient's
    ("CO", "206", (), "", C.MISSING_INFORMATION, A.CORRECTED_CLAIM),  # NPI missing
    ("CO", "211", (), "", C.NON_COVERED, A.CORRECTED_CLAIM),  # NDC not rebate-eligible
    ("CO", "234", (), "", C.BUNDLING, A.WRITE_OFF),  # not paid separately
    ("CO", "236", (), "", C.BUNDLING, A.CORRECTED_CLAIM),  # NCCI incompatible combination
    ("CO", "236", ("N20",), "", C.BUNDLING, A.WRITE_OFF),  # not payable with another service
    ("CO", "242", (), "", C.AUTHORIZATION, A.APPEAL),  # not a network provider
    ("CO", "252", (), "", C.MISSING_INFORMATION, A.APPEAL),  # attachment required
    ("CO", "252", ("N29",), "", C.MISSING_INFORMATION, A.APPEAL),  # documentation missing
    ("CO", "253", (), "", C.CONTRACTUAL, A.NO_ACTION),  # sequestration
    ("CO", "272", (), "", C.NON_COVERED, A.APPEAL),  # coverage guidelines not met
    ("CO", "284", (), "", C.AUTHORIZATION, A.CORRECTED_CLAIM),  # auth does not apply to services
    ("CO", "288", (), "", C.AUTHORIZATION, A.REQUEST_AUTHORIZATION),  # referral absent
    ("CO", "A1", (), "", C.MISSING_INFORMATION, A.CHECK_STATUS),  # denied, remark says why
    ("CO", "A1", ("N30",), "", C.ELIGIBILITY, A.SEND_TO_CORRECT_PAYER),  # patient ineligible
    ("CO", "B7", (), "", C.NON_COVERED, A.APPEAL),  # provider not certified on the date
    ("CO", "B9", (), "", C.ELIGIBILITY, A.SEND_TO_CORRECT_PAYER),  # hospice
    ("CO", "B15", (), "", C.CODING, A.CORRECTED_CLAIM),  # qualifying service required
    ("PR", "2", ("MA18",), "", C.PATIENT_RESPONSIBILITY, A.CHECK_STATUS),  # crossed over to supplemental
    ("CO", "16", ("N4",), "", C.COORDINATION_OF_BENEFITS, A.CORRECTED_CLAIM),  # prior payer EOB missing
    ("PR", "999", (), "", C.PATIENT_RESPONSIBILITY, A.BILL_PATIENT),  # unmapped PR code (DEN-M3)
    ("CO", "999", (), "", C.MISSING_INFORMATION, A.CHECK_STATUS),  # unmapped code (DEN-M3)
]


def test_at_least_forty_combinations():
    assert len(CASES) >= 40


@pytest.mark.parametrize(("group", "carc", "rarcs", "kind", "category", "action"), CASES)
def test_mapping(group, carc, rarcs, kind, category, action):
    found = explain(CATALOG, group=group, carc=carc, rarcs=rarcs, payer_kind=kind)
    assert (found.category, found.action) == (category, action)
    assert found.sentence


def test_every_carc_and_rarc_of_the_code_lists_has_a_rule():
    carcs = {r.carc for r in CATALOG.rules if r.carc}
    rarcs = {r.rarc for r in CATALOG.rules if r.rarc}
    assert set(CATALOG.carc_descriptions) <= carcs
    # MA01 (you may appeal) changes nothing; N130 points at plan documents
    assert set(CATALOG.rarc_descriptions) - rarcs <= {"MA01", "N130"}


def test_descriptions_come_with_the_explanation():
    found = explain(CATALOG, group="CO", carc="197", rarcs=("N54",))
    assert found.carc_description.startswith("Precertification/authorization")
    assert found.rarc_descriptions == (CATALOG.rarc_descriptions["N54"],)
    assert found.in_words.startswith("CO-197 Precertification")


def test_admin_rule_for_one_payer_wins_only_there():
    refined = CATALOG.with_rules(
        [
            Rule(
                carc="50",
                group="CO",
                payer="AETNA",
                category=C.MEDICAL_NECESSITY,
                action=A.WRITE_OFF,
                sentence="Aetna: never wins",
                source=ADMIN,
            )
        ]
    )
    assert explain(refined, group="CO", carc="50", payer="AETNA").action is A.WRITE_OFF
    assert explain(refined, group="CO", carc="50", payer="UHC").action is A.APPEAL
    assert explain(refined, group="CO", carc="50", payer="AETNA").source == ADMIN


def test_admin_rule_beats_a_shipped_remark_rule():
    refined = CATALOG.with_rules(
        [Rule(carc="16", category=C.CODING, action=A.CORRECTED_CLAIM, sentence="ours", source=ADMIN)]
    )
    assert explain(refined, group="CO", carc="16", rarcs=("MA130",)).action is A.CORRECTED_CLAIM


@pytest.mark.parametrize(
    ("text", "expected"), [("CO-197", ("CO", "197")), ("co197", ("CO", "197")), ("PR 1", ("PR", "1"))]
)
def test_normalise_code(text, expected):
    assert normalise_code(text) == expected


@pytest.mark.parametrize("text", ["", "197", "XX-1", "CO-", "CO-1234567", "CO-1;2"])
def test_bad_codes_are_refused_in_words(text):
    with pytest.raises(InvalidInputError, match="group and reason code"):
        normalise_code(text)


def test_bad_rarc_refused():
    with pytest.raises(InvalidInputError):
        normalise_rarc("54")


def test_bad_rule_row_names_its_line():
    with pytest.raises(InvalidInputError, match="line 3"):
        rules_from_rows(
            [
                {"carc": "1", "category": "coding", "action": "appeal", "sentence": "x"},
                {"carc": "2", "category": "nope", "action": "appeal", "sentence": "x"},
            ]
        )


# ---------------------------------------------------------------------------
# Detection (DEN-D1, DEN-D2)
# ---------------------------------------------------------------------------

D = Decimal


def _line(key, charge, paid, *adjs, remarks=()):
    return LineFacts(
        key=key,
        charge=D(charge),
        paid=D(paid),
        adjustments=tuple(AdjFacts(g, c, D(a)) for g, c, a in adjs),
        remarks=remarks,
    )


def test_paid_line_with_contract_and_patient_share_is_not_a_denial():
    claim = PaidClaimFacts(
        "1", D("100"), D("56"), lines=(_line(1, "100", "56", ("CO", "45", "30"), ("PR", "2", "14")),)
    )
    assert find_denials(CATALOG, claim) == []


def test_partial_denial_counts_only_the_denied_amount():
    claim = PaidClaimFacts(
        "1", D("100"), D("40"), lines=(_line(1, "100", "40", ("CO", "45", "30"), ("CO", "59", "30")),)
    )
    (found,) = find_denials(CATALOG, claim)
    assert found.amount == D("30") and found.explanation.category is C.PRICING


def test_zero_paid_deductible_is_the_patients_work():
    claim = PaidClaimFacts(
        "1", D("100"), D("0"), lines=(_line(1, "100", "0", ("CO", "45", "30"), ("PR", "1", "70")),)
    )
    (found,) = find_denials(CATALOG, claim)
    assert found.explanation.category is C.PATIENT_RESPONSIBILITY and found.amount == D("70")


def test_largest_reason_decides_and_remarks_refine():
    claim = PaidClaimFacts(
        "4",
        D("500"),
        D("0"),
        remarks=("MA130",),
        lines=(_line(1, "500", "0", ("CO", "4", "100"), ("CO", "16", "400")),),
    )
    (found,) = find_denials(CATALOG, claim)
    assert found.explanation.carc == "16" and found.explanation.action is A.NEW_CLAIM
    assert found.amount == D("500") and len(found.reasons) == 2


def test_reversal_and_predetermination_deny_nothing():
    line = _line(1, "100", "0", ("CO", "197", "100"))
    assert find_denials(CATALOG, PaidClaimFacts("22", D("-100"), D("0"), lines=(line,))) == []
    assert find_denials(CATALOG, PaidClaimFacts("25", D("100"), D("0"), lines=(line,))) == []


def test_claim_without_lines_is_one_claim_level_denial():
    claim = PaidClaimFacts(
        "4", D("900"), D("0"), adjustments=(AdjFacts("CO", "29", D("900")),), payer_kind="medicare"
    )
    (found,) = find_denials(CATALOG, claim)
    assert found.line_key is None and found.explanation.action is A.WRITE_OFF


def test_claim_level_sequestration_beside_lines_is_not_a_denial():
    claim = PaidClaimFacts(
        "1",
        D("100"),
        D("78"),
        adjustments=(AdjFacts("CO", "253", D("2")),),
        lines=(_line(1, "100", "80", ("CO", "45", "20")),),
    )
    assert find_denials(CATALOG, claim) == []

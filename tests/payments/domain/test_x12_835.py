"""The 835 reader: every public sample read or refused for a stated reason, written cases for each
status, group and provider adjustment, the three balancing rules, strict amounts, and a property."""

from __future__ import annotations

import subprocess
import sys
from collections.abc import Iterator
from datetime import date
from decimal import Decimal
from pathlib import Path

import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from pydantic import BaseModel, ValidationError

from infusion_rcm.x12.errors import X12Error
from payments.domain.codes import AdjustmentGroup, ClaimStatus, PlbReason, ProcedureQualifier
from payments.domain.remittance import Adjustment, EraFile
from payments.domain.x12_835 import parse_835
from tests.fixture_files import read_x12, x12_samples
from tests.payments.domain.builders import CLAIM, HEADER, body, bpr, era, era_of, position_of

ROOT = Path(__file__).resolve().parents[3]
D = Decimal


def refused(text: str, match: str) -> X12Error:
    with pytest.raises(X12Error, match=match) as caught:
        parse_835(text)
    return caught.value


def _models(value: object) -> Iterator[BaseModel]:
    if isinstance(value, BaseModel):
        yield value
        for field in type(value).model_fields:
            yield from _models(getattr(value, field))
    elif isinstance(value, tuple):
        for item in value:
            yield from _models(item)


def revalidates(era_file: EraFile) -> None:
    """What the reader built without re-validating is exactly what validation would build: every
    model holds exactly its fields, and validating its dump gives an equal file."""
    for model in _models(era_file):
        assert set(model.__dict__) == set(type(model).model_fields), type(model).__name__
    assert EraFile.model_validate(era_file.model_dump()) == era_file


# -- the public samples ---------------------------------------------------------------------------

# Every sample's fate, decided once: read, or refused for the reason given.
SAMPLE_OUTCOMES = {
    "edi835parser__blue_cross_nc_sample.txt": "does not start with an ISA interchange header",
    "edi835parser__emedny_sample.txt": None,
    "edi835parser__united_healthcare_legacy_sample.txt": None,
    "lfh__cob-contractural-adjustment.835": r"segment 4 \(BPR\): BPR16 .* is missing; BPR15 .* holds 20050318",
    "lfh__managed-care.835": r"segment 4 \(BPR\): BPR16 '20002316' is not a calendar date",
    "lfh__medicare-part-a.835": None,
    "lfh__secondary-payment.835": r"segment 4 \(BPR\): BPR16 .* is missing; BPR15 .* holds 20050412",
    "lfh__tertiary-payment.835": r"segment 4 \(BPR\): BPR16 .* is missing; BPR15 .* holds 20050412",
    "pyx12__835_mult_loops.txt": None,
}


def test_every_sample_has_a_decided_outcome():
    assert sorted(p.name for p in x12_samples("835")) == sorted(SAMPLE_OUTCOMES)


@pytest.mark.parametrize("path", x12_samples("835"), ids=lambda p: p.name)
def test_every_sample_is_read_balanced_or_refused_for_its_reason(path: Path):
    reason = SAMPLE_OUTCOMES[path.name]
    text = path.read_text(encoding="utf-8")
    if reason is not None:
        refused(text, reason)
        return
    era_file = parse_835(text)
    revalidates(era_file)
    for remittance in era_file.remittances:
        paid = sum((c.paid for c in remittance.claims), D(0))
        assert remittance.payment.amount == paid - remittance.provider_adjustment_total
        for claim in remittance.claims:
            assert claim.charge - claim.paid == claim.adjusted


def test_emedny_medicaid_primary_and_secondary_claims():
    era_file = parse_835(read_x12("835", "edi835parser__emedny_sample.txt"))
    assert (era_file.interchange_control, era_file.sender_id, era_file.usage) == (
        "006000600",
        "EMEDNYBAT",
        "T",
    )
    (r,) = era_file.remittances
    assert (r.transaction_control, r.group_control, r.payer_id) == ("1740", "6000600", "EMEDNYBAT")
    assert r.payment.amount == D("45.75") and r.payment.method.value == "ACH"
    assert r.payment.effective_date == date(2010, 1, 1)
    assert r.payment.payer_bank is not None and r.payment.payer_bank.dfi_number == "111"
    assert (r.trace.trace_number, r.trace.originating_company_id) == ("10100000000", "1000000000")
    assert r.receiver_id == "ETIN" and r.production_date == date(2010, 1, 1)
    assert (
        r.payer.name == "NYSDOH"
        and r.payer.address is not None
        and r.payer.address.postal_code == "122370080"
    )
    assert [c.function for c in r.payer.contacts] == ["BL"]
    assert r.payer.contacts[0].numbers[1].number == "www.emedny.org"
    assert (r.payee.npi, r.payee.tin) == ("9999999995", "000000000")
    assert [c.status for c in r.claims] == [ClaimStatus.PRIMARY, ClaimStatus.SECONDARY, ClaimStatus.SECONDARY]
    first, second, third = r.claims
    assert first.amount("AU") == D("34.25") and first.reference("EA") == "PATIENT ACCOUNT NUMBER"
    assert first.corrected_patient is not None and first.corrected_patient.last_name == "CORRECTED LAST"
    assert first.patient is not None and first.patient.identifier == "LL99999L"
    assert (first.statement_from, first.facility_code) == (date(2010, 1, 1), "11")
    assert [line.procedure.code for line in first.lines] == ["V2020", "V2700", "V2103", "S0580"]
    assert first.lines[0].procedure.modifiers == ("RB",) and first.lines[3].units_paid == D(2)
    assert second.paid == 0 and second.lines[0].adjustments == (
        Adjustment(group=AdjustmentGroup.CONTRACTUAL, reason="29", amount=D("12.00")),
    )
    assert third.lines[2].remarks[0].qualifier == "HE" and third.lines[2].remarks[0].value == "N206"
    assert third.lines[1].service_date == date(2013, 9, 17)
    assert era_file.warnings == ()


def test_united_healthcare_multi_reason_cas_and_component_separator():
    (r,) = parse_835(read_x12("835", "edi835parser__united_healthcare_legacy_sample.txt")).remittances
    assert r.payment.amount == D("349.99") and len(r.claims) == 2
    assert r.payer_id == "87726"  # REF*2U
    assert [c.function for c in r.payer.contacts] == ["CX", "BL"]
    assert r.trace.originating_company_supplemental == "000088888"
    first, second = r.claims
    assert (first.patient_control_number, first.patient_responsibility) == ("001-18573-358", D("105.26"))
    assert (first.filing_indicator, first.payer_claim_control_number, first.frequency_code) == (
        "16",
        "ATL2819897200",
        "1",
    )
    assert first.received == date(2021, 1, 14) and first.reference("CE") == "ILLINOIS DEPARTMENT OF CMS"
    assert first.lines[0].procedure.qualifier is ProcedureQualifier.HCPCS  # ISA16 is '>'
    assert first.lines[0].procedure.code == "B4152" and first.lines[0].units_paid == D(234)
    assert first.lines[0].line_control_number == "800941258001" and first.lines[0].allowed == D("88.92")
    last = second.lines[2]
    # CAS*PR*2*5.13**1*110: two triplets, the first with no quantity
    assert [(a.group.value, a.reason, a.amount, a.quantity) for a in last.adjustments] == [
        ("PR", "2", D("5.13"), None),
        ("PR", "1", D("110.00"), None),
        ("CO", "45", D("184.32"), None),
    ]


def test_medicare_part_a_inpatient_summary_and_plb():
    (r,) = parse_835(read_x12("835", "lfh__medicare-part-a.835")).remittances
    assert r.payment.handling.value == "C" and r.payment.amount == D("150000.00")
    assert [h.number for h in r.headers] == [110212, 130212]
    ts3 = r.headers[0].provider_summary
    assert ts3 is not None and (ts3.provider_id, ts3.facility_code, ts3.claim_count) == (
        "6543210903",
        "11",
        D(1),
    )
    assert ts3.total_charge == D("211366.97") and ts3.fiscal_period_end == date(2002, 12, 31)
    # TS309 / TS311 are 004010 elements this payer still sends: read, labelled as such
    assert [(a.element, a.value, a.meaning) for a in ts3.amounts] == [
        ("TS309", D("138018.40"), "total provider payment amount (004010)"),
        ("TS311", D("73348.57"), "total contractual adjustment amount (004010)"),
    ]
    assert r.headers[0].supplemental_summary[0].element == "TS201"
    first, second = r.claims
    assert (first.header_number, second.header_number) == (110212, 130212)
    assert first.inpatient is not None and first.inpatient.covered_days == D(0)
    assert first.inpatient.amounts[0].element == "MIA04" and first.inpatient.amounts[0].value == D(
        "138018.40"
    )
    assert first.quantities[0].qualifier == "CA" and first.quantities[0].quantity == D("8.00")
    assert first.patient is not None and first.patient.id_qualifier == "HN"
    assert second.outpatient is not None and second.outpatient.remark_codes == ("MA02",)
    (plb,) = r.provider_adjustments
    assert (plb.provider_id, plb.fiscal_period_date) == ("6543210903", date(2002, 12, 31))
    (item,) = plb.items
    assert (item.reason, item.reference, item.amount) == (PlbReason.CAPITAL_PASSTHRU, "CP", D("-1.27"))
    # a negative PLB adds to the payment: 138018.40 + 11980.33 + 1.27
    assert r.payment.amount == first.paid + second.paid - plb.total


def test_denied_claim_notification_only():
    (r,) = parse_835(read_x12("835", "pyx12__835_mult_loops.txt")).remittances
    assert (r.payment.handling.value, r.payment.method.value, r.payment.amount) == ("H", "NON", D("0.00"))
    (claim,) = r.claims
    assert claim.status is ClaimStatus.DENIED and claim.status.meaning == "denied"
    assert [(a.group.value, a.reason) for line in claim.lines for a in line.adjustments] == [
        ("CO", "16"),
        ("OA", "A7"),
        ("OA", "A7"),
    ]
    assert all(line.remarks[0].value == "N14" for line in claim.lines)
    assert claim.lines[0].service_from == date(2003, 11, 29) and claim.rendering_provider is not None


def _repaired(name: str) -> str:
    """The LFH CHK samples with BPR16 where the guide puts it (their date sits in BPR15)."""
    return read_x12("835", name).replace("CHK***********", "CHK************")


def test_lfh_samples_also_split_composites_with_the_wrong_separator():
    # With the date repaired, two samples still write SVC01 with '>' though ISA16 is ':'.
    for name in ("lfh__cob-contractural-adjustment.835", "lfh__secondary-payment.835"):
        refused(_repaired(name), r"\(SVC\): SVC01 'HC>[0-9>]+' is split with '>', but .* \(ISA16\) is ':'")
    # ... and the tertiary sample has no procedure code at all (SVC*HC*24599.00*...).
    refused(_repaired("lfh__tertiary-payment.835"), r"segment 20 \(SVC\): SVC01 'HC' names no procedure")


def test_lfh_content_balances_once_the_envelope_faults_are_repaired():
    cob = parse_835(_repaired("lfh__cob-contractural-adjustment.835").replace("HC>", "HC:"))
    (claim,) = cob.claims
    assert claim.status is ClaimStatus.SECONDARY
    assert [(a.reason, a.amount) for a in claim.lines[0].adjustments] == [
        ("23", D("516.00")),
        ("94", D("-9.00")),
    ]
    assert cob.remittances[0].payee.tin == "3UR334563"  # N103 FI

    secondary = parse_835(_repaired("lfh__secondary-payment.835").replace("HC>", "HC:").replace(">26", ":26"))
    claim_level_only, with_lines = secondary.claims
    assert claim_level_only.lines == () and claim_level_only.adjustments[0].amount == D("9411.64")
    assert with_lines.lines[0].procedure.modifiers == ("26",)
    assert with_lines.lines[1].revenue_code == "220"

    managed = parse_835(read_x12("835", "lfh__managed-care.835").replace("*20002316", "*20020316"))
    first, second = managed.claims
    assert first.adjustments[0].reason == "A2" and second.lines[0].service_to == date(2002, 3, 12)


def test_body_only_sample_wrapped_in_an_envelope_is_refused_for_its_broken_line():
    segments = [s.strip() for s in read_x12("835", "edi835parser__blue_cross_nc_sample.txt").split("~")]
    text = era_of([s for s in segments if s][1:-1])  # without its own ST and SE
    refused(text, r"segment 30 \(SVC\): SVC02 \(an amount\) is missing")


# -- what a claim payment carries -------------------------------------------------------------------


def test_a_written_claim_reads_field_by_field():
    era_file = parse_835(era("200", *CLAIM))
    revalidates(era_file)
    (r,) = era_file.remittances
    assert r.payer_id == "ACME01" and r.payer.identifier == "ACME1" and r.payee.npi == "1234567893"
    assert r.payer.address is not None and r.payer.address.line2 == "SUITE 200"
    assert r.payer.contacts[0].numbers[1].qualifier == "EX"
    (claim,) = r.claims
    assert claim.position == position_of(era("200", *CLAIM), "CLP")
    (line,) = claim.lines
    assert line.procedure.modifiers == ("JZ",) and line.units_paid == D(10)
    assert line.line_control_number == "1001-1" and line.allowed == D("240.00")
    assert line.original_procedure is None and line.original_units is None
    assert claim.adjusted == D("100.00")


@pytest.mark.parametrize("svc", ["SVC*HC:J1745:JZ*300*200", "SVC*HC:J1745:JZ*300*200**"])
def test_an_absent_svc05_means_one_unit_paid(svc):
    """The 835 guide: SVC05 (units paid) is sent only when it is not one."""
    claim_segments = [svc if s.startswith("SVC*") else s for s in CLAIM]
    (claim,) = parse_835(era("200", *claim_segments)).remittances[0].claims
    assert claim.lines[0].units_paid == D(1)


@pytest.mark.parametrize("status", list(ClaimStatus), ids=lambda s: s.value)
def test_each_claim_status_is_read_with_its_meaning(status: ClaimStatus):
    sign = "-" if status is ClaimStatus.REVERSAL else ""
    paid = "0" if status in (ClaimStatus.DENIED, ClaimStatus.PREDETERMINATION) else f"{sign}80"
    adjusted = f"{sign}100" if paid == "0" else f"{sign}20"
    claim = [f"CLP*PCN7*{status.value}*{sign}100*{paid}**12*ICN7", f"CAS*CO*45*{adjusted}"]
    (read,) = parse_835(era(paid, *claim)).claims
    assert read.status is status and read.status.meaning
    assert read.status.forwarded == (status.value in ("19", "20", "21", "23"))


@pytest.mark.parametrize("group", list(AdjustmentGroup), ids=lambda g: g.value)
def test_each_adjustment_group_is_read(group: AdjustmentGroup):
    era_file = parse_835(era("80", "CLP*PCN8*1*100*80**12", f"CAS*{group.value}*45*20"))
    (adjustment,) = era_file.claims[0].adjustments
    assert adjustment.group is group and group.meaning
    assert any("group CR" in w for w in era_file.warnings) == (group is AdjustmentGroup.CORRECTION_REVERSAL)


def test_six_triplets_in_one_cas_and_no_seventh():
    six = "CAS*CO*45*10*1*253*2**97*3*2*16*4**B15*5**4*6*1"
    (claim,) = parse_835(era("70", "CLP*PCN6*1*100*70**12", six)).claims
    assert [(a.reason, a.amount, a.quantity) for a in claim.adjustments] == [
        ("45", D("10.00"), D(1)),
        ("253", D("2.00"), None),
        ("97", D("3.00"), D(2)),
        ("16", D("4.00"), None),
        ("B15", D("5.00"), None),
        ("4", D("6.00"), D(1)),
    ]
    seven = six + "*18*1"
    refused(era("69", "CLP*PCN6*1*100*69**12", seven), "at most six reason/amount/quantity triplets")


def test_a_claim_level_only_adjustment_balances_without_lines():
    (claim,) = parse_835(era("900", "CLP*PCN9*1*1000*900**12*ICN9", "CAS*CO*45*100")).claims
    assert claim.lines == () and claim.adjusted == D("100.00")


def test_reversal_then_corrected_readjudication_in_one_file():
    reversal = [
        "CLP*PCN10*22*-500*-400*-50*12*ICN10*11*8",
        "NM1*QC*1*DOE*JANE****MI*M1",
        "SVC*HC:96365*-500*-400**-1",
        "CAS*CO*45*-50",
        "CAS*PR*2*-50",
    ]
    corrected = [
        "CLP*PCN10*1*500*430*50*12*ICN11*11*7",
        "NM1*QC*1*DOE*JANE****MI*M1",
        "REF*F8*ICN10",
        "SVC*HC:96365*500*430**1",
        "CAS*CO*45*20",
        "CAS*PR*2*50",
    ]
    r = parse_835(era("30", *reversal, *corrected)).remittances[0]
    first, second = r.claims
    assert first.status is ClaimStatus.REVERSAL and (first.charge, first.paid) == (D("-500.00"), D("-400.00"))
    assert first.lines[0].units_paid == D(-1) and first.adjusted == D("-100.00")
    assert second.reference("F8") == "ICN10" and second.frequency_code == "7"
    assert r.payment.amount == D("30.00")


def test_plb_interest_owed_increases_the_payment():
    r = parse_835(era("205.25", *CLAIM, "PLB*1234567893*20261231*L6:PCN1001*-5.25")).remittances[0]
    (item,) = r.provider_adjustments[0].items
    assert (item.reason, item.reference, item.amount) == (PlbReason.INTEREST_OWED, "PCN1001", D("-5.25"))
    assert item.reason.meaning == "interest owed"


def test_plb_overpayment_recovery_reduces_the_payment():
    r = parse_835(era("150", *CLAIM, "PLB*1234567893*20261231*WO:12345*50")).remittances[0]
    (item,) = r.provider_adjustments[0].items
    assert (item.reason, item.reference, item.amount) == (PlbReason.OVERPAYMENT_RECOVERY, "12345", D("50.00"))


def test_plb_forwarding_balance_carries_a_negative_net_forward_and_back():
    # This week the reversal outweighs the new payment: nothing is paid, 100.00 is carried forward.
    reversal = ["CLP*PCN11*22*-300*-300**12*ICN11", "SVC*HC:J1745*-300*-300**-10"]
    carried = parse_835(era("0", *reversal, *CLAIM, "PLB*1234567893*20261231*FB:ICN11*-100")).remittances[0]
    assert carried.provider_adjustments[0].items[0].reason is PlbReason.FORWARDING_BALANCE
    assert carried.payment.amount == D("0.00")
    # Next week the balance is applied (positive FB) against new payments, with other pairs in one PLB.
    applied = parse_835(
        era("95", *CLAIM, "PLB*1234567893*20261231*FB:ICN11*100*J1*10*CS:ADJ1*-5")
    ).remittances[0]
    plb = applied.provider_adjustments[0]
    assert [(i.reason.value, i.reference, i.amount) for i in plb.items] == [
        ("FB", "ICN11", D("100.00")),
        ("J1", None, D("10.00")),
        ("CS", "ADJ1", D("-5.00")),
    ]
    assert plb.total == D("105.00")


def test_a_dropped_modifier_line_without_line_control_number():
    claim = [
        "CLP*PCN12*1*150*100**12*ICN12",
        "SVC*HC:J1745*150*100**10*HC:J1745:JZ",
        "CAS*CO*4*50",
        "LQ*HE*N657",
    ]
    (line,) = parse_835(era("100", *claim)).claims[0].lines
    assert line.procedure.modifiers == () and line.original_procedure is not None
    assert line.original_procedure.modifiers == ("JZ",) and line.line_control_number is None
    assert line.remarks[0].value == "N657"


def test_svc06_original_procedure_when_the_payer_changed_the_code():
    claim = [
        "CLP*PCN13*1*400*120**12*ICN13",
        "SVC*HC:96366*400*120**1*HC:96365:59:XU:GA:KX:DESC*2",
        "CAS*CO*45*280",
    ]
    (line,) = parse_835(era("120", *claim)).claims[0].lines
    assert (line.procedure.code, line.units_paid, line.original_units) == ("96366", D(1), D(2))
    original = line.original_procedure
    assert original is not None and original.code == "96365"
    assert original.modifiers == ("59", "XU", "GA", "KX") and original.description == "DESC"


def test_two_transaction_sets_in_one_file_are_two_remittances():
    text = era_of(body("200", *CLAIM), body("80", "CLP*PCN2*1*100*80**12", "CAS*CO*45*20"))
    era_file = parse_835(text)
    assert [r.transaction_control for r in era_file.remittances] == ["0001", "0002"]
    assert [len(r.claims) for r in era_file.remittances] == [1, 1] and len(era_file.claims) == 2


# -- balancing ------------------------------------------------------------------------------------


def test_a_line_that_does_not_balance_is_refused_with_the_claim_and_figures():
    claim = [*CLAIM[:6], "CAS*CO*45*50", *CLAIM[7:]]  # CO-45 60 -> 50
    text = era("200", *claim)
    error = refused(
        text,
        r"claim PCN1001, service line 1001-1, does not balance: charge 300.00 - paid 200.00 = 100.00, "
        r"but its adjustments \(CAS\) total 90.00; 10.00 is unaccounted for",
    )
    assert (error.position, error.segment_id, error.code) == (
        position_of(text, "SVC"),
        "SVC",
        "era.unbalanced",
    )


def test_a_claim_that_does_not_balance_is_refused_with_the_figures():
    claim = ["CLP*PCN1001*1*310*200*40*12*ICN9001", *CLAIM[1:]]  # charge 300 -> 310
    text = era("200", *claim)
    error = refused(
        text,
        r"claim PCN1001 does not balance: charge 310.00 - paid 200.00 = 110.00, but its adjustments "
        r"total 100.00 \(claim CAS 0.00 \+ line CAS 100.00\); 10.00 is unaccounted for",
    )
    assert (error.position, error.segment_id) == (position_of(text, "CLP"), "CLP")


def test_a_claim_level_only_claim_that_does_not_balance_is_refused():
    refused(
        era("900", "CLP*PCN9*1*1000*900**12", "CAS*CO*45*99.99"), r"claim PCN9 does not balance: .*0.01 is"
    )


def test_a_payment_that_does_not_balance_is_refused_with_the_figures():
    text = era("210", *CLAIM, "PLB*1234567893*20261231*L6*-5")
    error = refused(
        text,
        r"transaction set 0001 does not balance: BPR02 pays 210.00, but the claims pay 200.00 and the "
        r"provider adjustments \(PLB\) total -5.00, so 200.00 - -5.00 = 205.00; off by 5.00",
    )
    assert (error.position, error.segment_id, error.code) == (4, "BPR", "era.unbalanced")


def test_each_transaction_set_balances_on_its_own():
    # 200 + 80 in total, but split the wrong way between the two payments
    text = era_of(body("210", *CLAIM), body("70", "CLP*PCN2*1*100*80**12", "CAS*CO*45*20"))
    refused(text, "transaction set 0001 does not balance")


# -- strict elements ------------------------------------------------------------------------------


@pytest.mark.parametrize(
    "amount", ["12.3.4", "1e2", "+200", "1,000.00", "200.001", "abc", "0x10", " 200", "-"]
)
def test_a_malformed_amount_is_refused_with_its_segment_position(amount: str):
    text = era("200", *[s.replace("*300*200**10", f"*300*{amount}**10") for s in CLAIM])
    error = refused(text, r"SVC03 ")
    assert (error.position, error.segment_id) == (position_of(text, "SVC"), "SVC")


@pytest.mark.parametrize(
    ("segment", "replacement", "element"),
    [
        ("BPR", bpr("2OO"), "BPR02"),
        ("CLP", "CLP*PCN1001*1*300*2e2*40*12*ICN9001", "CLP04"),
        ("CAS", "CAS*CO*45*60.5.0", "CAS03"),
        ("AMT", "AMT*B6*240,00", "AMT02"),
    ],
)
def test_malformed_amounts_anywhere_name_the_element(segment: str, replacement: str, element: str):
    lines = body("200", *CLAIM)
    index = next(i for i, s in enumerate(lines) if s.startswith(segment + "*"))
    lines[index] = replacement
    text = era_of(lines)
    error = refused(text, element)
    assert error.position == position_of(text, segment)


def test_plb_amount_with_fractions_of_a_cent_is_refused():
    refused(
        era("150", *CLAIM, "PLB*1234567893*20261231*WO:1*50.005"), r"PLB04 '50.005' has fractions of a cent"
    )


def test_a_4010_file_is_refused_by_the_envelope_reader():
    text = era("200", *CLAIM).replace("*^*00501*", "*U*00401*", 1)
    error = refused(text, r"ISA12 is 00401 \(X12 4010\)")
    assert error.code == "x12.version"


def test_another_implementation_guide_is_refused():
    refused(era("200", *CLAIM).replace("005010X221A1", "005010X221"), "must be 005010X221A1")


@pytest.mark.parametrize(
    ("change", "match"),
    [
        (("CLP*PCN1001*1*", "CLP*PCN1001*9*"), r"CLP02 '9' is not a claim status code"),
        (("CAS*CO*45", "CAS*XX*45"), r"CAS01 'XX' is not a claim adjustment group code"),
        (("SVC*HC:", "SVC*ZZ:"), r"SVC01-1 'ZZ' is not a product/service id qualifier"),
        (("DTM*472*20261201", "DTM*472*20261301"), r"\(DTM\): DTM02 '20261301' is not a calendar date"),
        (("CAS*CO*45*60", "CAS*CO**60"), r"CAS02 '\(empty\)' is not a claim adjustment reason code"),
        (("CAS*CO*45*60", "CAS*CO*45"), r"CAS03 \(an amount\) is missing"),
        (("CLP*PCN1001", "CLP*"), r"CLP01 \(patient control number\) is missing"),
    ],
)
def test_closed_lists_and_required_elements(change: tuple[str, str], match: str):
    refused(era("200", *CLAIM).replace(*change), match)


def test_unknown_plb_reason_is_refused():
    refused(
        era("150", *CLAIM, "PLB*1234567893*20261231*ZZ:1*50"), r"PLB03-1 'ZZ' is not a provider adjustment"
    )


def test_payment_date_and_trace_and_payee_are_required():
    refused(era("200", *CLAIM).replace("*987654321*20261215", "*987654321"), r"BPR16 .* is missing\. Ask")
    no_trn = [s for s in HEADER if not s.startswith("TRN")]
    refused(era("200", *CLAIM, header=no_trn), r"no TRN \(reassociation trace number\)")
    no_payee = HEADER[: HEADER.index("N1*PE*INFUSION CENTER*XX*1234567893")]
    refused(era("200", *CLAIM, header=no_payee), r"LX before the payer \(N1\*PR\) and payee \(N1\*PE\)")
    refused(era("200", *CLAIM, header=no_payee, lx=False), r"\(CLP\): CLP before the payer")
    refused(era("0", header=no_payee, lx=False), r"segment 3 \(ST\): the 835 has no N1\*PE \(payee\) loop")


def test_amounts_in_another_currency_are_refused():
    header = [HEADER[0], "CUR*PR*CAD", *HEADER[1:]]
    assert (
        refused(era("200", *CLAIM, header=header), "CUR02 says the amounts are in CAD").code == "era.currency"
    )
    assert (
        parse_835(era("200", *CLAIM, header=[HEADER[0], "CUR*PR*USD", *HEADER[1:]])).remittances[0].currency
        == "USD"
    )


@pytest.mark.parametrize(
    ("detail", "match"),
    [
        (["CAS*CO*45*10", *CLAIM], r"CAS is out of place: it belongs to a claim"),
        (
            [*CLAIM, "NM1*IL*1*DOE*JOHN"],
            r"NM1 is out of place: it belongs to the claim, before its first SVC",
        ),
        ([*CLAIM, "PLB*1234567893*20261231*L6*-5", *CLAIM], r"CLP is out of place: it belongs before PLB"),
        (["CLP*PCN1*1*10*10**12", "LQ*HE*N1"], r"LQ is out of place: it belongs to a service line"),
        ([*CLAIM[:2], "NM1*QC*1*AGAIN", *CLAIM[2:]], r"a second NM1\*QC in claim PCN1001"),
        ([*CLAIM, "TS3*1*11*20261231*1*300"], r"TS3 is out of place: it belongs right after LX"),
    ],
)
def test_segments_out_of_their_loop_are_refused(detail: list[str], match: str):
    error = refused(era("200", *detail), match)
    assert error.position is not None


def test_tolerated_deviations_are_warnings():
    claim = [*CLAIM[:4], "DTM*036*20271231", "DTM*999*20261201", "XYZ*1", "XYZ*2", *CLAIM[4:]]
    text = era("200", *claim, lx=False)
    era_file = parse_835(text)
    assert era_file.claims[0].coverage_expiration == date(2027, 12, 31)
    assert era_file.claims[0].header_number is None
    assert era_file.warnings == (
        "claims are not grouped under an LX header number; read without one.",
        "DTM*999 is not a loop 2100 date this reader reads; skipped.",
        f"segment XYZ is not part of an 005010X221A1 835 and was not read (first at segment "
        f"{position_of(text, 'XYZ')}) (2 times).",
    )


def test_models_refuse_floats_for_money():
    with pytest.raises(ValidationError):
        Adjustment(group=AdjustmentGroup.CONTRACTUAL, reason="45", amount=1.5)  # type: ignore[arg-type]


def test_the_reader_loads_without_django_or_celery():
    code = (
        "import sys; import payments.domain.x12_835; "
        "print(sorted({m.split('.')[0] for m in sys.modules} & {'django', 'celery', 'rest_framework'}))"
    )
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, capture_output=True, text=True)
    assert result.stdout.strip() == "[]", result.stderr


# -- property: a generated balanced claim always reads; a perturbed amount never does --------------

cents = st.integers(min_value=0, max_value=500_000).map(lambda c: D(c) / 100)


@st.composite
def balanced_claims(draw: st.DrawFn) -> tuple[list[str], Decimal]:
    """A claim whose lines each split charge - paid over CAS triplets, some at claim level."""
    status = draw(st.sampled_from(list(ClaimStatus)))
    sign = D(-1) if status is ClaimStatus.REVERSAL else D(1)
    segments: list[str] = []
    charge_total = paid_total = D(0)
    claim_cas: list[Decimal] = []
    for n in range(draw(st.integers(min_value=0, max_value=4))):
        charge = draw(cents) * sign
        paid = (draw(st.integers(min_value=0, max_value=100)) * charge / 100).quantize(D("0.01"))
        parts = draw(st.lists(cents, min_size=0, max_size=5))
        rest = charge - paid - sum(p * sign for p in parts)
        triplets = [*(p * sign for p in parts), rest]
        segments += [f"SVC*HC:J{1000 + n}*{charge}*{paid}**1", f"REF*6R*L{n}"]
        segments.append("CAS*CO*" + "*".join(f"45*{amount}*" for amount in triplets).rstrip("*"))
        charge_total += charge
        paid_total += paid
    if not segments or draw(st.booleans()):
        extra_charge = draw(cents) * sign
        claim_cas = [extra_charge]
        charge_total += extra_charge
    head = [f"CLP*PCNH*{status.value}*{charge_total}*{paid_total}**12*ICNH"]
    head += [f"CAS*OA*23*{amount}" for amount in claim_cas]
    return head + segments, paid_total


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(balanced_claims())
def test_a_generated_balanced_claim_always_reads_and_balances(claim: tuple[list[str], Decimal]):
    segments, paid = claim
    era_file = parse_835(era(str(paid), *segments))
    revalidates(era_file)
    (read,) = era_file.claims
    assert read.charge - read.paid == read.adjusted and read.paid == paid


@settings(max_examples=150, deadline=None, suppress_health_check=[HealthCheck.too_slow])
@given(balanced_claims(), st.data())
def test_a_perturbed_amount_never_reads(claim: tuple[list[str], Decimal], data: st.DataObject):
    segments, paid = claim
    money = [
        (i, k)
        for i, seg in enumerate(segments)
        for k, _ in enumerate(seg.split("*"))
        if (seg.startswith("CLP") and k in (3, 4))
        or (seg.startswith("SVC") and k in (2, 3))
        or (seg.startswith("CAS") and k >= 3 and (k - 3) % 3 == 0)
    ]
    i, k = data.draw(st.sampled_from(money))
    delta = data.draw(st.integers(min_value=1, max_value=10_000).map(lambda c: D(c) / 100))
    elements = segments[i].split("*")
    elements[k] = str(D(elements[k]) + delta)
    perturbed = [*segments[:i], "*".join(elements), *segments[i + 1 :]]
    with pytest.raises(X12Error) as caught:
        parse_835(era(str(paid), *perturbed))
    assert caught.value.code == "era.unbalanced"


# -- a segment text read once, applied where it stands each time ----------------------------------


def test_the_same_segment_text_lands_in_the_loop_it_stands_in_each_time():
    text = era(
        "240",
        "CLP*PCN1*1*100*80**12",
        "DTM*232*20261201",  # a claim date here ...
        "CAS*CO*45*20",  # ... and a claim adjustment
        "CLP*PCN2*1*100*80**12",
        "SVC*HC:J1745*100*80**1",
        "DTM*232*20261201",  # ... not a line date: skipped with a warning
        "CAS*CO*45*20",  # ... a line adjustment
        "CLP*PCN3*1*100*80**12",
        "SVC*HC:J1745*100*80**1",
        "CAS*CO*45*20",
        "CAS*CR*45*0",
        "SVC*HC:J1745*0*0**1",
        "CAS*CR*45*0",
    )
    first, second, third = parse_835(text).claims
    co45 = Adjustment(group=AdjustmentGroup.CONTRACTUAL, reason="45", amount=D("20.00"))
    assert (first.adjustments, first.lines, first.statement_from) == ((co45,), (), date(2026, 12, 1))
    assert (second.adjustments, second.statement_from) == ((), None)
    assert [line.adjustments for line in second.lines] == [(co45,)]
    assert [len(line.adjustments) for line in third.lines] == [2, 1]
    assert [line.position for line in third.lines] == [
        position_of(text, "SVC", 2),
        position_of(text, "SVC", 3),
    ]
    warnings = parse_835(text).warnings
    assert "DTM*232 is not a loop 2110 date this reader reads; skipped." in warnings
    assert any(w.startswith("CAS group CR") and w.endswith("(2 times).") for w in warnings)


@pytest.mark.parametrize(
    ("detail", "occurrence", "match"),
    [
        (
            ["SVC*HC:J1745*100*80**1", "CAS*CO*45*20", "LQ*HE*N130", "CLP*PCN2*1*0*0**12", "LQ*HE*N130"],
            2,
            "LQ is out of place: it belongs to a service line",
        ),
        (
            ["NM1*QC*1*DOE*JANE", "SVC*HC:J1745*100*80**1", "CAS*CO*45*20", "NM1*QC*1*DOE*JANE"],
            2,
            "NM1 is out of place: it belongs to the claim, before its first SVC",
        ),
        (["NM1*QC*1*DOE*JANE", "NM1*QC*1*DOE*JANE"], 2, "a second NM1\\*QC in claim PCN1"),
        (
            ["SVC*HC:J1745*100*80**1", "CAS*CO*45*20", "PLB*1234567893*20261231*L6*-1", "CAS*CO*45*20"],
            2,
            "CAS is out of place: it belongs to a claim",
        ),
    ],
)
def test_a_segment_text_already_read_is_still_refused_out_of_its_loop(detail, occurrence, match):
    prefix = detail[-1].split("*")[0]
    text = era("80", "CLP*PCN1*1*100*80**12", *detail)
    error = refused(text, match)
    assert error.position == position_of(text, prefix, occurrence)

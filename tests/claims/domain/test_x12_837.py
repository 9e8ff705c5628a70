"""837P / 837I writer: every generated file is validated in-process with pyx12."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from decimal import Decimal

import pytest

from claims.domain.types import ClaimDraft, ClaimForm, Payer, PayerKind
from claims.domain.validation import validate_with_pyx12
from claims.domain.x12_837 import build_837, claim_filing_indicator, x12_decimal
from infusion_rcm.common.errors import InvalidInputError
from tests.claims.domain import factories as f
from tests.claims.domain.factories import assert_pyx12_clean
from tests.fixture_files import read_x12

SCENARIOS_837P: list[Callable[[], ClaimDraft]] = [
    f.office_sequential_concurrent,
    f.chemo_with_hydration,
    f.drug_with_waste,
    f.home_infusion_per_diems,
    f.medicare_dependent_free,
    f.commercial_dependent,
]


def build(*claims: ClaimDraft, control: int = 1) -> str:
    return build_837(list(claims), submitter=f.SUBMITTER, receiver=f.RECEIVER, envelope=f.envelope(control))


def segments(text: str) -> list[str]:
    return [s for s in text.strip().split("~") if s]


@pytest.mark.parametrize("scenario", SCENARIOS_837P, ids=lambda s: s.__name__)
def test_each_837p_scenario_passes_pyx12(scenario: Callable[[], ClaimDraft]) -> None:
    text = build(scenario())
    assert_pyx12_clean(text)
    segs = segments(text)
    assert segs[1].endswith("*X*005010X222A1")
    assert segs[2] == "ST*837*0001*005010X222A1"


def test_all_837p_scenarios_in_one_batch_pass_pyx12() -> None:
    claims = [s() for s in SCENARIOS_837P]
    text = build(*claims)
    assert_pyx12_clean(text)
    segs = segments(text)
    # one 2000A per billing provider: the office group and the home infusion pharmacy
    assert [s for s in segs if s.startswith("HL*") and s.endswith("*20*1")] == ["HL*1**20*1", "HL*8**20*1"]
    assert sum(s.startswith("CLM*") for s in segs) == len(claims)


def test_837i_hospital_outpatient_passes_pyx12() -> None:
    text = build(f.hospital_outpatient_837i())
    assert_pyx12_clean(text)
    segs = segments(text)
    assert segs[1].endswith("*X*005010X223A2")
    assert "CLM*HOPD01*6440***13:A:1**A*Y*Y" in segs
    assert "DTP*434*RD8*20240301-20240301" in segs
    assert "CL1***01" in segs
    assert "HI*ABK:M0579" in segs
    assert "HI*ABF:D638*ABF:Z79899" in segs
    assert "NM1*71*1*JONES*JOHN****XX*1987654328" in segs
    assert "SV2*0260*HC:96365*900*UN*1" in segs
    assert "SV2*0636*HC:J1745:JZ*5200*UN*50" in segs
    assert "SBR*P*18*******MA" in segs


def test_837i_with_many_diagnoses_and_dependent_passes_pyx12() -> None:
    base = f.hospital_outpatient_837i()
    claim = base.model_copy(
        update={
            "claim_id": "HOPD02",
            "subscriber": f.subscriber(dob=None, gender=None, member_id="W123"),
            "patient": f.commercial_dependent().patient,
            "payer": f.COMMERCIAL,
            "diagnoses": ("M0579", *[f"Z79{n}" for n in range(10, 24)]),
            "prior_auth_number": "PA1",
            "frequency_code": "7",
            "original_claim_reference": "ICN999",
            "service_facility": f.commercial_dependent().service_facility,
            "rendering_provider": f.RENDERING,
        }
    )
    text = build(base, claim)
    assert_pyx12_clean(text)
    segs = segments(text)
    assert sum(s.startswith("HI*ABF") for s in segs) == 3  # 2 other on HOPD01; 12 + 2 on HOPD02
    assert "REF*F8*ICN999" in segs


def test_office_claim_segments() -> None:
    segs = segments(build(f.office_sequential_concurrent()))
    assert "CLM*OFFICE01*2005***11:B:1*Y*A*Y*Y" in segs
    assert "REF*G1*PA778899" in segs
    assert "HI*ABK:K5090*ABF:D509" in segs
    assert "NM1*DN*1*WELBY*MARCUS****XX*1112223338" in segs
    assert "NM1*82*1*HENDRIX*JIM****XX*1122333341" in segs
    assert "PRV*PE*PXC*207RH0003X" in segs
    assert "N4*CHICAGO*IL*606111234" in segs  # 2010AA ZIP+4
    assert "REF*EI*361234567" in segs
    assert "SV1*HC:96368*120*UN*1***1:2" in segs
    assert "SV1*HC:J1756*90*UN*200***2" in segs
    assert "CTP****10*ML" in segs
    # 2000A, 2000B; patient is subscriber -> SBR02 18 and no 2000C
    assert "SBR*P*18*******CI" in segs
    assert not any(s.startswith("PAT*") for s in segs)


def test_ref_6r_on_every_line_and_lx_sequence() -> None:
    segs = segments(build(f.office_sequential_concurrent()))
    lx = [s for s in segs if s.startswith("LX*")]
    refs = [s for s in segs if s.startswith("REF*6R*")]
    assert lx == [f"LX*{n}" for n in range(1, 7)]
    assert refs == [f"REF*6R*LC{n:03d}" for n in range(1, 7)]
    # REF*6R follows the line's DTP*472 (X222A1 2400 order)
    for i, seg in enumerate(segs):
        if seg.startswith("REF*6R"):
            assert segs[i - 1].startswith("DTP*472*")


def test_waste_line_with_jw_and_ndc() -> None:
    text = build(f.drug_with_waste())
    segs = segments(text)
    assert "SV1*HC:J9035*3400*UN*34***1" in segs
    assert "SV1*HC:J9035:JW*600*UN*6***1" in segs
    assert segs.count("LIN**N4*50242006001") == 2
    assert "CTP****13.6*ML" in segs
    assert "CTP****2.4*ML" in segs
    assert "SBR*P*18*******MB" in segs


def test_home_infusion_per_diem_spans_and_sh() -> None:
    segs = segments(build(f.home_infusion_per_diems()))
    assert "CLM*HOME01*5010***12:B:1*Y*A*Y*Y" in segs
    assert "SV1*HC:S9502*1400*UN*7***1" in segs
    assert "SV1*HC:S9501:SH*700*UN*7***1" in segs
    assert segs.count("DTP*472*RD8*20240201-20240207") == 4
    assert "DTP*472*D8*20240201" in segs  # nursing visit 99601 on one day


def test_dependent_patient_loop_and_replacement() -> None:
    segs = segments(build(f.commercial_dependent()))
    i = segs.index("HL*2*1*22*1")
    assert segs[i + 1] == "SBR*P**GRP100******CI"
    assert "HL*3*2*23*0" in segs
    assert "PAT*19" in segs
    assert "NM1*QC*1*SMITH*LEO" in segs
    assert "DMG*D8*20120704*M" in segs
    assert "CLM*COMM01*6350***11:B:7*Y*A*Y*Y" in segs
    assert "REF*F8*PAYERICN12345" in segs
    assert "NM1*77*2*LAKESIDE INFUSION SUITE NORTH*****XX*1543210987" in segs
    # subscriber is not the patient: no subscriber DMG
    assert segs[segs.index("NM1*IL*1*SMITH*ANNA****MI*XYZ987654") + 1].startswith("N3*")
    assert sum(s.startswith("DMG*") for s in segs) == 1


def test_output_is_byte_stable_and_plain() -> None:
    a = build(*[s() for s in SCENARIOS_837P])
    b = build(*[s() for s in SCENARIOS_837P])
    assert a == b
    assert a.isascii()
    assert not a.startswith("\ufeff")
    assert a.count("\n") == 1 and a.endswith("~\n")
    assert a.startswith(
        "ISA*00*          *00*          *ZZ*SUB12345       *ZZ*CLEAR01        *240305*1430*^*00501*000000001*0*T*:~"
    )


def test_se_count_matches() -> None:
    segs = segments(build(f.chemo_with_hydration()))
    st, se = (
        segs.index("ST*837*0001*005010X222A1"),
        next(i for i, s in enumerate(segs) if s.startswith("SE*")),
    )
    assert segs[se] == f"SE*{se - st + 1}*0001"


def test_envelope_version_follows_claim_form() -> None:
    env = f.envelope()
    text = build_837([f.hospital_outpatient_837i()], submitter=f.SUBMITTER, receiver=f.RECEIVER, envelope=env)
    assert "*X*005010X223A2~" in text  # the envelope said X222A1; the claim form wins


def test_mixing_forms_refused() -> None:
    with pytest.raises(InvalidInputError, match="one claim form") as info:
        build(f.office_sequential_concurrent(), f.hospital_outpatient_837i())
    assert info.value.code == "x12.mixed_forms"


def test_empty_batch_and_duplicate_ids_refused() -> None:
    with pytest.raises(InvalidInputError, match="at least one claim"):
        build_837([], submitter=f.SUBMITTER, receiver=f.RECEIVER, envelope=f.envelope())
    with pytest.raises(InvalidInputError, match="appears twice"):
        build(f.claim(), f.claim())


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"lines": ()}, "no service lines"),
        ({"diagnoses": ()}, "no diagnosis"),
        ({"place_of_service": None}, "place of service"),
        ({"frequency_code": "7"}, "REF\\*F8"),
        ({"claim_id": "X" * 21}, "longer than 20"),
        ({"lines": (f.line(1, "96365", "1", diagnosis_pointers=()),)}, "diagnosis pointer"),
        ({"lines": (f.line(1, "96365", "1", diagnosis_pointers=(3,)),)}, "not on the claim"),
        ({"lines": (f.line(1, "J1745", "1", ndc="57894003001"),)}, "quantity and unit"),
        (
            {"lines": (f.line(1, "J1745", "1", ndc="5789400300", ndc_quantity=Decimal(1), ndc_unit="UN"),)},
            "11 digits",
        ),
        ({"subscriber": f.subscriber(dob=None)}, "DOB and gender"),
        ({"subscriber": f.subscriber(address=None)}, "subscriber address"),
        ({"billing_provider": f.BILLING.model_copy(update={"address": f.HOME})}, "9 digits"),
    ],
)
def test_writer_refuses_what_it_cannot_write(update: dict, message: str) -> None:
    with pytest.raises(InvalidInputError, match=message):
        build(f.claim().model_copy(update=update))


def test_837i_refusals() -> None:
    base = f.hospital_outpatient_837i()
    with pytest.raises(InvalidInputError, match="attending"):
        build(base.model_copy(update={"attending_provider": None}))
    with pytest.raises(InvalidInputError, match="revenue code"):
        build(base.model_copy(update={"lines": (f.line(1, "96365", "1"),)}))
    with pytest.raises(InvalidInputError, match="facility type"):
        build(base.model_copy(update={"facility_type_code": None}))


def test_more_than_5000_claims_split_into_transaction_sets(monkeypatch: pytest.MonkeyPatch) -> None:
    from claims.domain import x12_837

    monkeypatch.setattr(x12_837, "MAX_CLAIMS_PER_TRANSACTION", 2)
    text = build(*[f.claim(claim_id=f"C{n}") for n in range(5)])
    segs = segments(text)
    assert [s for s in segs if s.startswith("ST*")] == [f"ST*837*000{n}*005010X222A1" for n in (1, 2, 3)]
    assert "GE*3*1" in segs
    assert_pyx12_clean(text)


@pytest.mark.parametrize(
    ("kind", "form", "code"),
    [
        (PayerKind.MEDICARE, ClaimForm.PROFESSIONAL, "MB"),
        (PayerKind.MEDICARE, ClaimForm.INSTITUTIONAL, "MA"),
        (PayerKind.MEDICARE_ADVANTAGE, ClaimForm.PROFESSIONAL, "16"),
        (PayerKind.MEDICAID, ClaimForm.PROFESSIONAL, "MC"),
        (PayerKind.COMMERCIAL, ClaimForm.INSTITUTIONAL, "CI"),
    ],
)
def test_claim_filing_indicator(kind: PayerKind, form: ClaimForm, code: str) -> None:
    assert claim_filing_indicator(kind, form) == code


def test_medicaid_and_medicare_advantage_claims_pass_pyx12() -> None:
    mcd = f.claim(claim_id="MCD01", payer=f.MEDICAID)
    ma = f.claim(
        claim_id="MA01",
        payer=Payer(name="Humana Gold Plus", payer_id="61101", kind=PayerKind.MEDICARE_ADVANTAGE),
    )
    assert_pyx12_clean(build(mcd, ma))


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (Decimal("350.00"), "350"),
        (Decimal("103.37"), "103.37"),
        (Decimal("2.50"), "2.5"),
        (Decimal("1E+2"), "100"),
        (Decimal("0"), "0"),
    ],
)
def test_x12_decimal(value: Decimal, text: str) -> None:
    assert x12_decimal(value) == text


# -- the validator wrapper itself -------------------------------------------------------------


def test_validator_reports_errors_with_location() -> None:
    text = build(f.home_infusion_per_diems())
    broken = text.replace("SV1*HC:S9502*1400*UN*7***1~", "SV1*HC:S9502*1400*UN*7~").replace(
        "REF*EI*361112222~", ""
    )
    errors = validate_with_pyx12(broken)
    assert any("SV107" in e and "SV1 (Professional Service)" in e for e in errors), errors
    assert any("Billing Provider Tax Identification" in e for e in errors), errors
    assert any("SE count" in e for e in errors), errors
    with pytest.raises(AssertionError, match="pyx12 reported"):
        assert_pyx12_clean(broken)


def test_validator_on_unreadable_input() -> None:
    assert validate_with_pyx12("not x12 at all")
    assert validate_with_pyx12("\ufeff" + build(f.claim()))
    wrong_map = build(f.claim()).replace("005010X222A1", "005010X222A2")
    assert validate_with_pyx12(wrong_map) == [
        "pyx12 engine error: Map not found.  icvn=00501, fic=HC, vriic=005010X222A2"
    ]


def test_validator_on_published_samples() -> None:
    good = read_x12("837I", "derived__two-claims-single-provider.fixed.837i")
    assert validate_with_pyx12(good) == []
    bad = read_x12("837P", "ims__x12_missing_elements.txt")
    errors = validate_with_pyx12(bad)
    assert any("NM102" in e for e in errors)
    assert any("HL count" in e for e in errors)


def test_service_dates_span_written_as_rd8_in_837i() -> None:
    claim = f.hospital_outpatient_837i().model_copy(
        update={
            "lines": (
                f.line(
                    1,
                    "96365",
                    "900.00",
                    revenue_code="0260",
                    date_from=date(2024, 3, 1),
                    date_to=date(2024, 3, 3),
                ),
            )
        }
    )
    segs = segments(build(claim))
    assert "DTP*434*RD8*20240301-20240303" in segs
    assert "DTP*472*RD8*20240301-20240303" in segs


# -- issue 9: character set, providers, SBR09, subscriber, line limit --------------------------


def test_accented_names_are_transliterated_and_pass_pyx12() -> None:
    """NÚÑEZ, JOSÉ used to make pyx12 hold the whole batch (non-basic characters in NM103)."""
    text = build(f.accented_patient(), f.office_sequential_concurrent())
    assert_pyx12_clean(text)
    assert text.isascii()
    segs = segments(text)
    assert "NM1*IL*1*NUNEZ*JOSE*N***MI*1EG4TE5MK73" in segs
    assert "N3*12 CALLE PENASCO 4" in segs
    assert "N4*CANON CITY*CO*81212" in segs
    assert "NM1*DN*1*MULLER-LUKASZ*ZOE****XX*1112223338" in segs


def test_rendering_provider_nm1_82_when_it_differs_from_the_billing_provider() -> None:
    segs = segments(build(f.chemo_with_hydration()))
    i = segs.index("NM1*82*1*HENDRIX*JIM****XX*1122333341")
    assert segs[i + 1] == "PRV*PE*PXC*207RH0003X"
    # a rendering provider with the billing provider's own NPI is not repeated (X222A1 2310B)
    same = f.RENDERING.model_copy(update={"npi": f.NPI_BILLING})
    segs = segments(build(f.claim(rendering_provider=same)))
    assert not any(s.startswith("NM1*82*") for s in segs)


def test_supervising_provider_and_line_rendering_provider() -> None:
    text = build(f.supervised_aic_claim())
    assert_pyx12_clean(text)
    segs = segments(text)
    assert "NM1*82*1*HENDRIX*JIM****XX*1122333341" in segs  # 2310B
    assert "NM1*DQ*1*CARTER*ANA****XX*1245319599" in segs  # 2310D
    line2 = segs.index("SV1*HC:96366*95*UN*2***1")
    rest = segs[line2:]
    assert rest.index("NM1*82*1*CARTER*ANA****XX*1245319599") < rest.index("LX*3")  # 2420A
    assert rest[rest.index("NM1*82*1*CARTER*ANA****XX*1245319599") + 1] == "PRV*PE*PXC*207RH0003X"
    # lines rendered by the claim's rendering provider carry no 2420A
    assert segs.count("NM1*82*1*HENDRIX*JIM****XX*1122333341") == 1


def test_supervising_provider_who_renders_is_not_repeated_as_2310d() -> None:
    claim = f.supervised_aic_claim().model_copy(update={"supervising_provider": f.RENDERING})
    segs = segments(build(claim))
    assert not any(s.startswith("NM1*DQ*") for s in segs)


def test_837i_rendering_and_referring_only_when_not_the_attending() -> None:
    base = f.hospital_outpatient_837i()
    same = base.model_copy(update={"referring_provider": f.ATTENDING, "rendering_provider": f.ATTENDING})
    segs = segments(build(same))
    assert [s for s in segs if s.startswith("NM1*71*")] == ["NM1*71*1*JONES*JOHN****XX*1987654328"]
    assert not any(s.startswith(("NM1*82*", "NM1*DN*")) for s in segs)
    other = base.model_copy(
        update={
            "rendering_provider": f.RENDERING,
            "lines": (
                *base.lines[:3],
                base.lines[3].model_copy(update={"rendering_provider": f.SUPERVISING}),
            ),
        }
    )
    text = build(other)
    assert_pyx12_clean(text)
    segs = segments(text)
    assert "NM1*82*1*HENDRIX*JIM****XX*1122333341" in segs  # 2310D
    assert "NM1*DN*1*WELBY*MARCUS****XX*1112223338" in segs  # 2310F
    assert segs[-4] == "NM1*82*1*CARTER*ANA****XX*1245319599"  # 2420C on the last line
    assert not any(s.startswith("PRV*PE*") for s in segs)  # 837I rendering loops carry no PRV


@pytest.mark.parametrize(
    ("payer", "form", "code"),
    [
        (f.TRICARE, ClaimForm.PROFESSIONAL, "CH"),
        (f.COMMERCIAL.model_copy(update={"filing_indicator": "BL"}), ClaimForm.PROFESSIONAL, "BL"),
        (f.COMMERCIAL.model_copy(update={"filing_indicator": "12"}), ClaimForm.PROFESSIONAL, "12"),
        (
            Payer(name="VA CCN", payer_id="TWVACCN", kind=PayerKind.OTHER, filing_indicator="VA"),
            ClaimForm.PROFESSIONAL,
            "VA",
        ),
        (
            Payer(name="State WC", payer_id="WC001", kind=PayerKind.OTHER, filing_indicator="WC"),
            ClaimForm.INSTITUTIONAL,
            "WC",
        ),
        # Medicare fee-for-service files by claim form whatever the payer row says
        (f.MEDICARE.model_copy(update={"filing_indicator": "MB"}), ClaimForm.INSTITUTIONAL, "MA"),
        (
            Payer(name="x", payer_id="xx", kind=PayerKind.COMMERCIAL, filing_indicator="MA"),
            ClaimForm.PROFESSIONAL,
            "MB",
        ),
    ],
)
def test_claim_filing_indicator_from_the_payer(payer: Payer, form: ClaimForm, code: str) -> None:
    assert claim_filing_indicator(payer.kind, form, payer.filing_indicator) == code


def test_tricare_claim_files_ch_and_passes_pyx12() -> None:
    text = build(f.claim(claim_id="TRI01", payer=f.TRICARE))
    assert_pyx12_clean(text)
    assert "SBR*P*18*******CH" in segments(text)


def test_other_payer_without_a_filing_indicator_is_refused_not_guessed() -> None:
    assert claim_filing_indicator(PayerKind.OTHER, ClaimForm.PROFESSIONAL) is None
    unknown = f.TRICARE.model_copy(update={"filing_indicator": None})
    with pytest.raises(InvalidInputError, match="claim filing indicator"):
        build(f.claim(payer=unknown))


@pytest.mark.parametrize("payer", [f.MEDICARE, f.MEDICAID, f.MEDICARE_ADVANTAGE], ids=lambda p: p.kind)
def test_medicare_or_medicaid_member_is_never_written_as_a_dependent(payer: Payer) -> None:
    dependent = f.commercial_dependent().model_copy(update={"payer": payer})
    with pytest.raises(InvalidInputError, match="always the subscriber"):
        build(dependent)


def test_payer_line_limit_is_enforced_by_the_writer() -> None:
    small = f.COMMERCIAL.model_copy(update={"max_lines": 1})
    with pytest.raises(InvalidInputError, match="more than 1 lines"):
        build(f.claim(payer=small))
    lines = tuple(f.line(n, "96365", "10.00") for n in range(1, 52))
    with pytest.raises(InvalidInputError, match="more than 50 lines"):
        build(f.claim(lines=lines))

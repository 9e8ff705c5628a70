"""270 writer checked segment by segment against the 005010X279A1 guide examples in tests/fixtures/x12/270."""

from __future__ import annotations

from datetime import date, datetime

import pytest
from pydantic import ValidationError

from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.x12.reader import tokenize
from infusion_rcm.x12.writer import Envelope
from intake.domain.eligibility_270 import (
    EligibilityDependent,
    EligibilityPayer,
    EligibilityProvider,
    EligibilityRequest,
    EligibilitySubscriber,
    build_270,
    build_270_body,
)
from tests.fixture_files import read_x12

ENVELOPE = Envelope(
    sender_id="000000005",
    receiver_id="54321",
    interchange_control=907,
    group_control=1,
    functional_id="HS",
    version="005010X279A1",
    created=datetime(2013, 10, 31, 11, 47),
    usage="T",
)
PAYER = EligibilityPayer(name="ABC COMPANY", payer_id="842610001")
COMMON = {
    "payer": PAYER,
    "reference_id": "10001234",
    "created": datetime(2006, 5, 1, 13, 19),
    "trace_number": "93175-012547",
    "trace_originator": "9877281234",
    "service_date": date(2006, 5, 1),
}

# The request each guide example describes.
SUBSCRIBER_EXAMPLE = EligibilityRequest(
    provider=EligibilityProvider(name="BONE AND JOINT CLINIC", identifier="2000035", id_qualifier="SV"),
    subscriber=EligibilitySubscriber(
        member_id="11122333301", last_name="SMITH", first_name="ROBERT", birth_date=date(1943, 5, 19)
    ),
    **COMMON,
)
DEPENDENT_EXAMPLE = EligibilityRequest(
    provider=EligibilityProvider(
        name="JONES", first_name="MARCUS", is_organization=False, identifier="2000034", id_qualifier="SV"
    ),
    subscriber=EligibilitySubscriber(member_id="11122333301"),
    dependent=EligibilityDependent(last_name="SMITH", first_name="MARY", birth_date=date(1978, 10, 14)),
    **COMMON,
)


def _transaction(segments: list[list[str]]) -> list[list[str]]:
    """Segments strictly between ST and SE."""
    ids = [s[0] for s in segments]
    return segments[ids.index("ST") + 1 : ids.index("SE")]


@pytest.mark.parametrize(
    ("request_", "sample"),
    [
        (SUBSCRIBER_EXAMPLE, "lfh__subscriber-health-benefit-check.270"),
        (DEPENDENT_EXAMPLE, "lfh__dependent-health-benefit-check.270"),
    ],
    ids=["subscriber", "dependent"],
)
def test_270_matches_guide_example_segment_by_segment(request_: EligibilityRequest, sample: str) -> None:
    expected = tokenize(read_x12("270", sample))
    produced = tokenize(build_270(request_, ENVELOPE))

    want, got = _transaction(expected), _transaction(produced)
    assert [s[0] for s in got] == [s[0] for s in want]
    for number, (mine, theirs) in enumerate(zip(got, want, strict=True), start=1):
        assert mine == theirs, f"segment {number} ({theirs[0]}) differs"

    # Same group identity and implementation guide as the example.
    assert produced[1][1] == expected[1][1] == "HS"
    assert produced[1][8] == expected[1][8] == "005010X279A1"
    assert produced[2][3] == "005010X279A1"
    # SE01 counts ST..SE, and matches the example's count.
    se = next(s for s in produced if s[0] == "SE")
    assert int(se[1]) == len(got) + 2
    assert se[1] == next(s for s in expected if s[0] == "SE")[1]


def test_envelope_control_numbers_are_consistent() -> None:
    segments = tokenize(build_270(SUBSCRIBER_EXAMPLE, ENVELOPE))
    by_id = {s[0]: s for s in segments}
    isa, gs, st, se, ge, iea = (by_id[k] for k in ("ISA", "GS", "ST", "SE", "GE", "IEA"))
    assert len(isa) == 17
    assert isa[13] == iea[2] == "000000907"
    assert iea[1] == "1"
    assert gs[6] == ge[2] == "1"
    assert ge[1] == "1"
    assert st[1] == "270"
    assert st[2] == se[2]
    assert isa[15] == "T"
    assert [s[0] for s in segments][:3] == ["ISA", "GS", "ST"]
    assert [s[0] for s in segments][-3:] == ["SE", "GE", "IEA"]


def test_npi_provider_and_gender_and_specific_service_types() -> None:
    request = SUBSCRIBER_EXAMPLE.model_copy(
        update={
            "provider": EligibilityProvider(name="Sunrise Infusion", identifier="1234567893"),
            "subscriber": EligibilitySubscriber(
                member_id="W123",
                last_name="Smith",
                first_name="Robert",
                birth_date=date(1943, 5, 19),
                gender="M",
            ),
            "service_types": ("1", "78"),
            "procedure_codes": ("j1745",),
            "service_end": date(2006, 5, 3),
        }
    )
    body = build_270_body(request)
    assert body[4] == "NM1*1P*2*SUNRISE INFUSION*****XX*1234567893"
    assert body[-6:] == [
        "NM1*IL*1*SMITH*ROBERT****MI*W123",
        "DMG*D8*19430519*M",
        "DTP*291*RD8*20060501-20060503",
        "EQ*1",
        "EQ*78",
        "EQ**HC:J1745",
    ]


def test_dependent_puts_trace_date_and_inquiry_in_2000d() -> None:
    body = build_270_body(DEPENDENT_EXAMPLE)
    ids = [s.split("*")[0] for s in body]
    hl4 = body.index("HL*4*3*23*0")
    assert body[hl4 - 2] == "HL*3*2*22*1"
    assert "TRN" not in ids[:hl4]
    assert ids[hl4:] == ["HL", "TRN", "NM1", "DMG", "DTP", "EQ"]


def test_build_270_refuses_wrong_envelope() -> None:
    with pytest.raises(InvalidInputError, match="GS01 = HS"):
        build_270(SUBSCRIBER_EXAMPLE, Envelope(**{**ENVELOPE.__dict__, "functional_id": "HC"}))
    with pytest.raises(InvalidInputError, match="005010X279A1"):
        build_270(SUBSCRIBER_EXAMPLE, Envelope(**{**ENVELOPE.__dict__, "version": "004010X092A1"}))


def test_npi_is_checked_when_qualifier_is_xx() -> None:
    # validate_npi's InvalidInputError is a ValueError, so pydantic reports it as a ValidationError.
    with pytest.raises(ValidationError, match="check-digit"):
        EligibilityProvider(name="Sunrise Infusion", identifier="1234567890")
    assert (
        EligibilityProvider(name="X", identifier="1234567890", id_qualifier="SV").identifier == "1234567890"
    )


@pytest.mark.parametrize(
    ("update", "message"),
    [
        ({"trace_originator": "12345"}, "10 characters"),
        ({"service_types": ("300",)}, "service type code"),
        ({"service_types": (), "procedure_codes": ()}, "at least one"),
        ({"procedure_codes": ("J17",)}, "5-character"),
        ({"service_end": date(2006, 4, 1)}, "before service_date"),
        ({"trace_number": "  "}, "required"),
    ],
)
def test_request_validation(update: dict[str, object], message: str) -> None:
    data = {**SUBSCRIBER_EXAMPLE.model_dump(), **update}
    with pytest.raises(ValidationError, match=message):
        EligibilityRequest.model_validate(data)


def test_request_is_frozen_and_strict_about_fields() -> None:
    with pytest.raises(ValidationError):
        EligibilityRequest.model_validate({**SUBSCRIBER_EXAMPLE.model_dump(), "surprise": 1})
    with pytest.raises(ValidationError):
        SUBSCRIBER_EXAMPLE.reference_id = "x"  # type: ignore[misc]


def test_output_is_byte_stable() -> None:
    assert build_270(DEPENDENT_EXAMPLE, ENVELOPE) == build_270(DEPENDENT_EXAMPLE, ENVELOPE)
    assert build_270(DEPENDENT_EXAMPLE, ENVELOPE).endswith("IEA*1*000000907~\n")

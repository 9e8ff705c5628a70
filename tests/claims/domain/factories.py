"""Builders for pure claim-domain tests: realistic infusion claims with valid NPIs (Luhn, 80840)."""

from __future__ import annotations

from datetime import date, datetime
from decimal import Decimal
from typing import Any

from claims.domain.types import (
    Address,
    BillingProvider,
    ClaimDraft,
    ClaimForm,
    Patient,
    Payer,
    PayerKind,
    ProviderRef,
    Receiver,
    ServiceFacility,
    ServiceLine,
    Submitter,
    Subscriber,
)
from infusion_rcm.x12.writer import Envelope

NPI_BILLING = "1234567893"
NPI_RENDERING = "1122333341"
NPI_REFERRING = "1112223338"
NPI_ATTENDING = "1987654328"
NPI_FACILITY = "1543210987"

SUBMITTER = Submitter(
    name="Infusion RCM Billing", submitter_id="SUB12345", contact_name="Pat Biller", phone="312-555-0100"
)
RECEIVER = Receiver(name="Clearinghouse Inc", receiver_id="CLEAR01")


def envelope(control: int = 1) -> Envelope:
    return Envelope(
        sender_id="SUB12345",
        receiver_id="CLEAR01",
        interchange_control=control,
        group_control=control,
        functional_id="HC",
        version="005010X222A1",
        created=datetime(2024, 3, 5, 14, 30),
        usage="T",
    )


BILLING = BillingProvider(
    name="Lakeside Infusion Center LLC",
    npi=NPI_BILLING,
    tax_id="36-1234567",
    taxonomy="261QI0500X",
    address=Address(
        line1="100 Lake Shore Dr", line2="Suite 200", city="Chicago", state="IL", zip="60611-1234"
    ),
)
HOME_PHARMACY = BillingProvider(
    name="Prairie Home Infusion Pharmacy",
    npi=NPI_FACILITY,
    tax_id="361112222",
    taxonomy="3336H0001X",
    address=Address(line1="1500 Industrial Dr", city="Libertyville", state="IL", zip="600481234"),
)
HOSPITAL = BillingProvider(
    name="Mercy General Hospital",
    npi="1765432103",
    tax_id="362223333",
    taxonomy="282N00000X",
    address=Address(line1="225 Main St", city="Springfield", state="IL", zip="627011234"),
)
RENDERING = ProviderRef(last_name="Hendrix", first_name="Jim", npi=NPI_RENDERING, taxonomy="207RH0003X")
REFERRING = ProviderRef(last_name="Welby", first_name="Marcus", npi=NPI_REFERRING)
ATTENDING = ProviderRef(last_name="Jones", first_name="John", npi=NPI_ATTENDING, taxonomy="207R00000X")

HOME = Address(line1="15210 Juliet Ln", city="Libertyville", state="IL", zip="60048")

MEDICARE = Payer(name="Medicare Part B IL", payer_id="00952", kind=PayerKind.MEDICARE)
COMMERCIAL = Payer(name="Blue Plan of Illinois", payer_id="BCBSIL01", kind=PayerKind.COMMERCIAL)
MEDICAID = Payer(name="Illinois Medicaid", payer_id="ILMCD", kind=PayerKind.MEDICAID)
MEDICARE_ADVANTAGE = Payer(
    name="Humana Medicare Advantage", payer_id="61101", kind=PayerKind.MEDICARE_ADVANTAGE
)
TRICARE = Payer(name="TRICARE East", payer_id="99726", kind=PayerKind.OTHER, filing_indicator="CH")
NPI_SUPERVISING = "1245319599"
NPI_PHARMACIST = "1003000126"
SUPERVISING = ProviderRef(last_name="Carter", first_name="Ana", npi=NPI_SUPERVISING, taxonomy="207RH0003X")
PHARMACIST = ProviderRef(last_name="Okafor", first_name="Grace", npi=NPI_PHARMACIST, taxonomy="1835P1300X")


def subscriber(**kw: Any) -> Subscriber:
    data: dict[str, Any] = {
        "last_name": "Vaughn",
        "first_name": "Steve",
        "middle_name": "R",
        "member_id": "1EG4TE5MK72",
        "dob": date(1950, 5, 1),
        "gender": "M",
        "address": HOME,
    }
    data.update(kw)
    return Subscriber(**data)


def line(n: int, code: str, charge: str, units: str | int = 1, **kw: Any) -> ServiceLine:
    data: dict[str, Any] = {
        "line_number": n,
        "line_control_number": f"LC{n:03d}",
        "date_from": date(2024, 3, 1),
        "code": code,
        "units": Decimal(str(units)),
        "charge": Decimal(charge),
        "diagnosis_pointers": (1,),
    }
    data.update(kw)
    return ServiceLine(**data)


def claim(**kw: Any) -> ClaimDraft:
    """A clean office infusion claim (POS 11) to a commercial payer; override anything."""
    data: dict[str, Any] = {
        "claim_id": "CLM0001",
        "form": ClaimForm.PROFESSIONAL,
        "billing_provider": BILLING,
        "rendering_provider": RENDERING,
        "subscriber": subscriber(),
        "payer": COMMERCIAL,
        "place_of_service": "11",
        "diagnoses": ("K50.90", "D50.9"),
        "lines": (
            line(1, "96365", "350.00"),
            line(2, "J1745", "1200.00", 40, ndc="57894-0030-01", ndc_quantity=Decimal("4"), ndc_unit="UN"),
        ),
    }
    data.update(kw)
    return ClaimDraft(**data)


# -- the scenario claims every 837 test validates with pyx12 ---------------------------------


def office_sequential_concurrent() -> ClaimDraft:
    """Office infusion: infliximab 2h10 (96365 + 96366), sequential iron (96367), concurrent (96368)."""
    return claim(
        claim_id="OFFICE01",
        referring_provider=REFERRING,
        prior_auth_number="PA778899",
        lines=(
            line(1, "96365", "350.00"),
            line(2, "96366", "95.00"),
            line(3, "96367", "150.00", diagnosis_pointers=(2,)),
            line(4, "96368", "120.00", diagnosis_pointers=(1, 2)),
            line(5, "J1745", "1200.00", 40, ndc="57894-0030-01", ndc_quantity=Decimal("4"), ndc_unit="UN"),
            line(
                6,
                "J1756",
                "90.00",
                200,
                diagnosis_pointers=(2,),
                ndc="00517-2340-01",
                ndc_quantity=Decimal("10"),
                ndc_unit="ML",
            ),
        ),
    )


def chemo_with_hydration() -> ClaimDraft:
    """Chemo 2h (96413 + 96415), sequential hydration with its own indication (96361), Medicare."""
    return claim(
        claim_id="CHEMO01",
        payer=MEDICARE,
        diagnoses=("C18.9", "E86.0"),
        lines=(
            line(1, "96413", "400.00"),
            line(2, "96415", "90.00"),
            line(3, "96361", "60.00", diagnosis_pointers=(2,)),
            line(
                4,
                "J9263",
                "1500.00",
                300,
                modifiers=("JZ",),
                ndc="00024-0591-20",
                ndc_quantity=Decimal("30"),
                ndc_unit="ML",
            ),
        ),
    )


def drug_with_waste() -> ClaimDraft:
    """Medicare single-dose vial with discarded drug: J9035 administered line + J9035-JW waste line."""
    ndc = {"ndc": "50242-0060-01", "ndc_unit": "ML"}
    return claim(
        claim_id="WASTE01",
        payer=MEDICARE,
        diagnoses=("C34.90",),
        lines=(
            line(1, "96413", "400.00"),
            line(2, "J9035", "3400.00", 34, ndc_quantity=Decimal("13.6"), **ndc),
            line(3, "J9035", "600.00", 6, modifiers=("JW",), ndc_quantity=Decimal("2.4"), **ndc),
        ),
    )


def home_infusion_per_diems() -> ClaimDraft:
    """Home infusion (POS 12), 7 days: meropenem q8h S9502 + vancomycin q12h S9501-SH, drugs, nursing.

    REFERENCE HIT-P3/HIT-P4 (IDSA example: S9502 x1, J2185 x30, S9501-SH x1, J3370 x4 per day).
    """
    week = {"date_from": date(2024, 2, 1), "date_to": date(2024, 2, 7)}
    return claim(
        claim_id="HOME01",
        billing_provider=HOME_PHARMACY,
        rendering_provider=None,
        referring_provider=REFERRING,
        place_of_service="12",
        diagnoses=("A41.01", "M86.171"),
        prior_auth_number="AUTH2024-55",
        lines=(
            line(1, "S9502", "1400.00", 7, **week),
            line(2, "S9501", "700.00", 7, modifiers=("SH",), **week),
            line(
                3,
                "J2185",
                "2100.00",
                210,
                ndc="63323-0507-20",
                ndc_quantity=Decimal("21"),
                ndc_unit="UN",
                **week,
            ),
            line(
                4,
                "J3370",
                "560.00",
                28,
                ndc="00409-4332-01",
                ndc_quantity=Decimal("14"),
                ndc_unit="UN",
                **week,
            ),
            line(5, "99601", "250.00", 1, date_from=date(2024, 2, 1)),
        ),
    )


def medicare_dependent_free() -> ClaimDraft:
    """Medicare IVIG in the office, patient is subscriber."""
    return claim(
        claim_id="MCARE01",
        payer=MEDICARE,
        diagnoses=("D80.1",),
        lines=(
            line(1, "96365", "350.00"),
            line(2, "96366", "95.00", 3),
            line(
                3,
                "J1459",
                "4800.00",
                60,
                modifiers=("JZ",),
                ndc="44206-0436-90",
                ndc_quantity=Decimal("300"),
                ndc_unit="ML",
            ),
        ),
    )


def commercial_dependent() -> ClaimDraft:
    """Commercial claim for a child on a parent's policy (2000C patient loop), replacement (freq 7)."""
    return claim(
        claim_id="COMM01",
        frequency_code="7",
        original_claim_reference="PAYERICN12345",
        subscriber=subscriber(
            last_name="Smith",
            first_name="Anna",
            middle_name=None,
            member_id="XYZ987654",
            group_number="GRP100",
            dob=None,
            gender=None,
        ),
        patient=Patient(
            relationship="19",
            last_name="Smith",
            first_name="Leo",
            dob=date(2012, 7, 4),
            gender="M",
            address=HOME,
        ),
        service_facility=ServiceFacility(
            name="Lakeside Infusion Suite North",
            npi=NPI_FACILITY,
            address=Address(line1="9 North Ave", city="Evanston", state="IL", zip="602011234"),
        ),
        diagnoses=("K51.90",),
        lines=(
            line(1, "96365", "350.00"),
            line(2, "J3380", "6000.00", 300, ndc="64764-0300-20", ndc_quantity=Decimal("1"), ndc_unit="UN"),
        ),
    )


def hospital_outpatient_837i() -> ClaimDraft:
    """HOPD infusion on an 837I (TOB 013x): admin on revenue 0260, drug on 0636 with NDC."""
    return claim(
        claim_id="HOPD01",
        form=ClaimForm.INSTITUTIONAL,
        billing_provider=HOSPITAL,
        rendering_provider=None,
        attending_provider=ATTENDING,
        referring_provider=REFERRING,
        payer=Payer(name="Medicare Part A IL", payer_id="06102", kind=PayerKind.MEDICARE),
        place_of_service=None,
        facility_type_code="13",
        diagnoses=("M05.79", "D63.8", "Z79.899"),
        lines=(
            line(1, "96365", "900.00", revenue_code="0260", diagnosis_pointers=()),
            line(2, "96366", "300.00", 2, revenue_code="0260", diagnosis_pointers=()),
            line(
                3,
                "J1745",
                "5200.00",
                50,
                modifiers=("JZ",),
                revenue_code="0636",
                diagnosis_pointers=(),
                ndc="57894-0030-01",
                ndc_quantity=Decimal("5"),
                ndc_unit="UN",
            ),
            line(4, "J7050", "40.00", 1, revenue_code="0258", diagnosis_pointers=()),
        ),
    )


def accented_patient() -> ClaimDraft:
    """Medicare patient NÚÑEZ, JOSÉ living on Peñasco Street: accents on names and address."""
    return claim(
        claim_id="ACCENT01",
        payer=MEDICARE,
        subscriber=subscriber(
            last_name="Núñez",
            first_name="José",
            middle_name="Ñ",
            member_id="1EG4TE5MK73",
            address=Address(line1="12 Calle Peñasco #4", city="Cañon City", state="CO", zip="81212"),
        ),
        referring_provider=ProviderRef(last_name="Müller-Łukasz", first_name="Zoë", npi=NPI_REFERRING),
        diagnoses=("D80.1",),
        lines=(line(1, "96365", "350.00"),),
    )


def supervised_aic_claim() -> ClaimDraft:
    """AIC incident-to: the nurse's supervising physician renders (2310B); a second physician
    supervised a line-level exception (2420A) and the claim-level supervisor differs (2310D)."""
    return claim(
        claim_id="AIC01",
        payer=MEDICARE,
        place_of_service="11",
        rendering_provider=RENDERING,
        supervising_provider=SUPERVISING,
        diagnoses=("D80.1",),
        lines=(
            line(1, "96365", "350.00"),
            line(2, "96366", "95.00", 2, rendering_provider=SUPERVISING),
            line(
                3,
                "J1459",
                "4800.00",
                60,
                modifiers=("JZ",),
                ndc="44206-0436-90",
                ndc_quantity=Decimal("300"),
                ndc_unit="ML",
            ),
        ),
    )


def pyx12_errors_text(errors: list[str]) -> str:
    return "pyx12 reported:\n  " + "\n  ".join(errors)


def assert_pyx12_clean(x12_text: str) -> None:
    """Fail listing every error pyx12 reports for the file (claims.domain.validation)."""
    from claims.domain.validation import validate_with_pyx12

    errors = validate_with_pyx12(x12_text)
    assert not errors, pyx12_errors_text(errors)

"""Database builders for claims tests: a small practice with payers, patients, signed visits and
reviewed charge lines, shaped like the infusion scenarios the 837 must carry."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from itertools import count

from django.utils import timezone

from coding.models import ChargeLine, Visit
from intake.domain.types import SiteOfCare
from intake.models import (
    AuthorizedService,
    BillingProvider,
    Coverage,
    EligibilityCheck,
    Order,
    Patient,
    Payer,
    Prescriber,
    PriorAuthorization,
    ServiceLocation,
)

_seq = count(1)

NPI_BILLING = "1234567893"
NPI_PRESCRIBER = "1112223338"
NPI_HOSPITAL = "1765432103"


def today() -> dt.date:
    return timezone.localdate()


def provider(npi: str = NPI_BILLING, name: str = "Lakeside Infusion Center LLC") -> BillingProvider:
    row, _ = BillingProvider.objects.get_or_create(
        npi=npi,
        defaults={
            "name": name,
            "tax_id": "361234567",
            "taxonomy": "261QI0500X",
            "address_line1": "100 Lake Shore Dr",
            "city": "Chicago",
            "state": "IL",
            "zip_code": "606111234",
        },
    )
    return row


def location(
    site: SiteOfCare = SiteOfCare.AIC, pos: str = "49", billing: BillingProvider | None = None
) -> ServiceLocation:
    return ServiceLocation.objects.create(
        billing_provider=billing or provider(),
        name=f"Site {next(_seq)}",
        site_of_care=site,
        place_of_service=pos,
        address_line1="9 North Ave",
        city="Evanston",
        state="IL",
        zip_code="602011234",
    )


def payer(kind: str = "commercial", form: str = "837P", name: str | None = None, **kw) -> Payer:
    n = next(_seq)
    return Payer.objects.create(
        name=name or f"{kind.title()} Plan {n}",
        payer_id=kw.pop("payer_id", f"P{kind[:3].upper()}{n:04d}"),
        kind=kind,
        claim_form=form,
        address_line1="1 Payer Way",
        city="Chicago",
        state="IL",
        zip_code="60601",
        **kw,
    )


def patient(billing: BillingProvider | None = None, **kw) -> Patient:
    n = next(_seq)
    data = {
        "billing_provider": billing or provider(),
        "mrn": f"MRN{n:06d}",
        "first_name": "Steve",
        "last_name": f"Vaughn{chr(65 + n % 26)}",
        "date_of_birth": dt.date(1950, 5, 1),
        "sex": "M",
        "address_line1": "15210 Juliet Ln",
        "city": "Libertyville",
        "state": "IL",
        "zip_code": "60048",
    }
    data.update(kw)
    return Patient.objects.create(**data)


def coverage(pat: Patient, pay: Payer, *, rank: str = "primary", verified: bool = True, **kw) -> Coverage:
    data = {"member_id": f"M{next(_seq):08d}", "effective_date": dt.date(2020, 1, 1)}
    data.update(kw)
    cov = Coverage.objects.create(patient=pat, payer=pay, rank=rank, **data)
    if verified:
        EligibilityCheck.objects.create(coverage=cov, checked_on=today(), service_date=today(), active=True)
    return cov


def prescriber() -> Prescriber:
    row, _ = Prescriber.objects.get_or_create(
        npi=NPI_PRESCRIBER, defaults={"first_name": "Marcus", "last_name": "Welby"}
    )
    return row


def order(pat: Patient, loc: ServiceLocation, diagnoses: list[str]) -> Order:
    return Order.objects.create(
        patient=pat,
        prescriber=prescriber(),
        location=loc,
        therapy="infusion",
        diagnosis_codes=diagnoses,
        start_date=dt.date(2020, 1, 1),
    )


def visit(
    pat: Patient, loc: ServiceLocation, user, *, dos: dt.date | None = None, diagnoses=("K50.90",)
) -> Visit:
    return Visit.objects.create(
        patient=pat,
        order=order(pat, loc, list(diagnoses)),
        location=loc,
        date_of_service=dos or today() - dt.timedelta(days=3),
        documented_by=user,
        signed_by=user,
        signed_at=timezone.now(),
        status=Visit.Status.SIGNED,
    )


def charge(
    v: Visit,
    n: int,
    code: str,
    charge_amount: str,
    units: int = 1,
    *,
    modifiers=(),
    ndc: str = "",
    ndc_quantity: str | None = None,
    ndc_unit: str = "",
    days: int = 1,
) -> ChargeLine:
    start = v.date_of_service
    return ChargeLine.objects.create(
        visit=v,
        line_number=n,
        service_date_from=start,
        service_date_to=start + dt.timedelta(days=days - 1),
        code=code,
        modifiers=list(modifiers),
        units=units,
        reason="test",
        ndc=ndc,
        ndc_quantity=Decimal(ndc_quantity) if ndc_quantity else None,
        ndc_unit=ndc_unit,
        unit_price=Decimal(charge_amount) / units,
        charge=Decimal(charge_amount),
        status=ChargeLine.Status.REVIEWED,
    )


def auth(
    pat: Patient, cov: Coverage, number: str, codes: dict[str, int], *, start=None, end=None
) -> PriorAuthorization:
    row = PriorAuthorization.objects.create(
        patient=pat,
        coverage=cov,
        auth_number=number,
        start_date=start or dt.date(2020, 1, 1),
        end_date=end or today() + dt.timedelta(days=180),
    )
    for code, units in codes.items():
        AuthorizedService.objects.create(authorization=row, code=code, authorized_units=units)
    return row


# -- the scenarios every DB-path 837 test validates with pyx12 --------------------------------


def office_sequential_concurrent(user, pay: Payer | None = None) -> Visit:
    """Commercial office infusion: infliximab (96365+96366), sequential iron (96367), concurrent (96368)."""
    pay = pay or payer("commercial")
    pat = patient()
    cov = coverage(pat, pay)
    auth(pat, cov, "PA778899", {"J1745": 100})
    v = visit(pat, location(SiteOfCare.OFFICE, "11"), user, diagnoses=("K50.90", "D50.9"))
    charge(v, 1, "96365", "350.00")
    charge(v, 2, "96366", "95.00")
    charge(v, 3, "96367", "150.00")
    charge(v, 4, "96368", "120.00")
    charge(v, 5, "J1745", "1200.00", 40, ndc="57894003001", ndc_quantity="4", ndc_unit="UN")
    charge(v, 6, "J1756", "90.00", 200, ndc="00517234001", ndc_quantity="10", ndc_unit="ML")
    return v


def chemo_with_hydration(user, pay: Payer | None = None) -> Visit:
    """Medicare chemo 2h (96413 + 96415), sequential hydration 96361, J9263-JZ with NDC."""
    pay = pay or payer("medicare", payer_id=f"MCR{next(_seq):04d}")
    pat = patient()
    coverage(pat, pay)
    v = visit(pat, location(), user, diagnoses=("C18.9", "E86.0"))
    charge(v, 1, "96413", "400.00")
    charge(v, 2, "96415", "90.00")
    charge(v, 3, "96361", "60.00")
    charge(
        v, 4, "J9263", "1500.00", 300, modifiers=("JZ",), ndc="00024059120", ndc_quantity="30", ndc_unit="ML"
    )
    return v


def drug_with_waste(user, pay: Payer | None = None) -> Visit:
    """Medicare single-dose vial with waste: J9035 administered + J9035-JW discarded, both with NDC."""
    pay = pay or payer("medicare", payer_id=f"MCR{next(_seq):04d}")
    pat = patient()
    coverage(pat, pay)
    v = visit(pat, location(), user, diagnoses=("C34.90",))
    charge(v, 1, "96413", "400.00")
    charge(v, 2, "J9035", "3400.00", 34, ndc="50242006001", ndc_quantity="13.6", ndc_unit="ML")
    charge(
        v, 3, "J9035", "600.00", 6, modifiers=("JW",), ndc="50242006001", ndc_quantity="2.4", ndc_unit="ML"
    )
    return v


def home_per_diems(user, pay: Payer | None = None) -> Visit:
    """Home infusion (POS 12) over 7 days: S9502 and S9501-SH per diems, drugs with NDC, nursing; a
    dependent on a parent's commercial policy (2000C patient loop)."""
    pay = pay or payer("commercial")
    pat = patient(last_name="Smith", first_name="Leo", date_of_birth=dt.date(2012, 7, 4))
    cov = coverage(
        pat,
        pay,
        relationship="child",
        subscriber_first_name="Anna",
        subscriber_last_name="Smith",
        group_number="GRP100",
    )
    auth(pat, cov, "AUTH2024-55", {"S9502": 7, "S9501": 7})
    v = visit(
        pat,
        location(SiteOfCare.HOME, "12"),
        user,
        dos=today() - dt.timedelta(days=10),
        diagnoses=("A41.01", "M86.171"),
    )
    charge(v, 1, "S9502", "1400.00", 7, days=7)
    charge(v, 2, "S9501", "700.00", 7, modifiers=("SH",), days=7)
    charge(v, 3, "S9500", "350.00", 7, modifiers=("SJ",), days=7)
    charge(v, 4, "J2185", "2100.00", 210, ndc="63323050720", ndc_quantity="21", ndc_unit="UN", days=7)
    charge(v, 5, "J3370", "560.00", 28, ndc="00409433201", ndc_quantity="14", ndc_unit="UN", days=7)
    charge(v, 6, "99601", "250.00")
    return v


def hospital_outpatient(user, pay: Payer | None = None) -> Visit:
    """HOPD infusion billed on an 837I: 0260 administrations, 0636 drug with NDC, 0258 solution."""
    pay = pay or payer("medicare", form="837I", payer_id=f"MCA{next(_seq):04d}")
    hospital = provider(NPI_HOSPITAL, "Mercy General Hospital")
    pat = patient(billing=hospital)
    cov = coverage(pat, pay)
    auth(pat, cov, "PA-HOPD-1", {"J1745": 100})
    v = visit(
        pat, location(SiteOfCare.HOPD, "22", billing=hospital), user, diagnoses=("M05.79", "D63.8", "Z79.899")
    )
    charge(v, 1, "96365", "900.00")
    charge(v, 2, "96366", "300.00", 2)
    charge(
        v, 3, "J1745", "5200.00", 50, modifiers=("JZ",), ndc="57894003001", ndc_quantity="5", ndc_unit="UN"
    )
    charge(v, 4, "J7050", "40.00", 1)
    return v

"""A morning's work for seed_demo: signed visits whose charges are reviewed and on no claim yet,
so a new biller's first click on "Ready to bill" has something real to build.

Twelve visits across the three sites of care (infusion center, pharmacy infusion suite, home),
billed to Medicare Part B, Medicare Advantage, Medicaid, commercial plans and TRICARE: a Medicare
vial with waste (a JW line), home per diems over a week, two home visits in one calendar month
for a payer that takes one claim per month, and a patient named NÚÑEZ, JOSÉ. Every visit is
documented, signed and coded through the coding services, as a nurse and a biller would.

Idempotent: a patient of this list who already has a visit is left alone (built or not). Names
and member ids are fictional; NPIs are check-digit-valid demo numbers.
"""

from __future__ import annotations

import datetime as dt
import logging
from dataclasses import dataclass
from decimal import Decimal

from django.db import transaction

from coding import services as coding_services
from coding.models import Administration, Drug, HomeTherapyDay, NursingVisitEntry, Visit
from infusion_rcm.accounts.models import User
from infusion_rcm.common.errors import DomainError
from intake.domain.types import OrderStatus, SiteOfCare
from intake.models import (
    AuthorizedService,
    BillingProvider,
    Coverage,
    EligibilityCheck,
    Order,
    OrderDrug,
    Patient,
    Payer,
    Prescriber,
    PriorAuthorization,
    ServiceLocation,
)

logger = logging.getLogger(__name__)

# Who renders and supervises (claims 2310B / 2310D): the infusion center's physician supervises
# its nurses; the home infusion pharmacist renders home therapy. Demo NPIs (Luhn-valid).
SUPERVISING = ("1356789010", "Helen", "Marsh", "207RI0011X", "Infectious disease")
PHARMACIST = ("1609876549", "Omar", "Haddad", "1835P0018X", "Home infusion pharmacist")
PRACTITIONERS = (SUPERVISING, PHARMACIST)

# The Aetna demo plan takes home infusion as one claim per patient and calendar month.
MONTHLY_SPAN_PAYER = "60054"
NO_AUTH_REASON = "Payer requires no prior authorization for this drug"
# One vial NDC per drug the morning gives (FDA NDC Directory package codes, 11-digit form).
NDCS = {"J1745": "57894003001", "J3380": "64764030020"}


@dataclass(frozen=True)
class MorningVisit:
    mrn: str
    first: str
    last: str
    dob: str
    sex: str
    payer_id: str
    member_id: str
    site: SiteOfCare
    hcpcs: str
    dose: str
    unit: str
    diagnoses: tuple[str, ...]
    days_ago: tuple[int, ...] = (1,)  # infusion visits: days before today
    wasted: str = "0"  # discarded from single-dose vials (JW on Medicare)
    auth: bool = False  # the payer's biologics rule wants a prior authorization
    home_weeks: tuple[int, ...] = ()  # home: start days (0, 7, ...) in last calendar month


MORNING = [
    MorningVisit("DEMO-2001", "José", "Núñez", "1961-04-17", "M", "00621", "XOH771200455", SiteOfCare.AIC,
                 "J1745", "400", "mg", ("K50.90",), auth=True),
    MorningVisit("DEMO-2002", "Harold", "Jensen", "1947-08-02", "M", "15202", "5MV2KD8PT13", SiteOfCare.AIC,
                 "J1745", "350", "mg", ("K51.90",), wasted="50"),
    MorningVisit("DEMO-2003", "Beatrice", "Lowe", "1943-01-29", "F", "15202", "7TQ4HN2RA88", SiteOfCare.AIS,
                 "J1756", "200", "mg", ("D50.9",), days_ago=(2,)),
    MorningVisit("DEMO-2004", "Curtis", "Boone", "1952-06-11", "M", "14163", "WC5580213", SiteOfCare.AIC,
                 "J3380", "300", "mg", ("K50.90",), days_ago=(2,), auth=True),
    MorningVisit("DEMO-2005", "Rosa", "Delgado", "1949-10-05", "F", "61101", "H66602345", SiteOfCare.AIS,
                 "J1756", "200", "mg", ("D50.9",), days_ago=(3,)),
    MorningVisit("DEMO-2006", "Tyrone", "Mack", "1979-02-20", "M", "ILMCD", "IL7712093", SiteOfCare.AIC,
                 "J1745", "300", "mg", ("K50.90",), days_ago=(3,), auth=True),
    MorningVisit("DEMO-2007", "Keisha", "Grant", "1985-12-09", "F", MONTHLY_SPAN_PAYER, "W440018820",
                 SiteOfCare.HOME, "J0690", "2", "g", ("L03.115",), home_weeks=(0, 7)),
    MorningVisit("DEMO-2008", "Ethan", "Cole", "1993-05-23", "M", "99726", "TR20304050", SiteOfCare.HOME,
                 "J1335", "1", "g", ("M86.172",), home_weeks=(3,)),
    MorningVisit("DEMO-2009", "Nadia", "Karim", "1970-09-14", "F", "87726", "918274001", SiteOfCare.AIS,
                 "J1756", "200", "mg", ("D50.9",), days_ago=(4,)),
    MorningVisit("DEMO-2010", "Owen", "Fitzgerald", "1988-03-03", "M", "99726", "TR20304099", SiteOfCare.AIC,
                 "J1756", "200", "mg", ("D50.9",), days_ago=(4,)),
    MorningVisit("DEMO-2011", "Lucia", "Ferreira", "1966-07-27", "F", "62308", "U99012345", SiteOfCare.AIC,
                 "J3380", "300", "mg", ("K51.90",), days_ago=(5,), auth=True),
]  # fmt: skip


def _practitioner(npi: str, first: str, last: str, taxonomy: str, specialty: str) -> Prescriber:
    row, _ = Prescriber.objects.get_or_create(
        npi=npi,
        defaults={"first_name": first, "last_name": last, "specialty": specialty, "taxonomy": taxonomy},
    )
    return row


def _home_starts(today: dt.date, weeks: tuple[int, ...]) -> list[dt.date]:
    """Days of last calendar month (closed, so a monthly-span payer's claim can be built now)."""
    first = (today.replace(day=1) - dt.timedelta(days=1)).replace(day=1)
    return [first + dt.timedelta(days=w) for w in weeks]


def seed_morning(*, today: dt.date) -> int:
    """Create the morning's visits that do not exist yet; returns how many were signed."""
    nurse = User.objects.filter(groups__name="nurse").order_by("pk").first()
    biller = User.objects.filter(groups__name="biller").order_by("pk").first()
    provider = BillingProvider.objects.order_by("pk").first()
    if nurse is None or biller is None or provider is None:
        return 0
    sites = {
        loc.site_of_care: loc
        for loc in ServiceLocation.objects.filter(billing_provider=provider).order_by("-pk")
    }
    payers = {p.payer_id: p for p in Payer.objects.filter(payer_id__in={m.payer_id for m in MORNING})}
    if not all(s in sites for s in (SiteOfCare.AIC, SiteOfCare.AIS, SiteOfCare.HOME)):
        return 0
    supervising = _practitioner(*SUPERVISING)
    pharmacist = _practitioner(*PHARMACIST)
    ordering = Prescriber.objects.exclude(pk__in=[supervising.pk, pharmacist.pk]).order_by("pk").first()
    signed = 0
    for row in MORNING:
        payer = payers.get(row.payer_id)
        if payer is None:
            continue
        if row.payer_id == MONTHLY_SPAN_PAYER and not Visit.objects.filter(patient__mrn=row.mrn).exists():
            Payer.objects.filter(pk=payer.pk).update(claim_span="month")
        patient = _patient(provider, row)
        if Visit.objects.filter(patient=patient).exists():
            continue
        location = sites[row.site]
        days = (
            _home_starts(today, row.home_weeks)
            if row.site == SiteOfCare.HOME
            else [today - dt.timedelta(days=d) for d in row.days_ago]
        )
        coverage, order = _coverage_and_order(patient, payer, location, ordering, row, start=min(days))
        if row.auth:
            _auth(patient, coverage, order, row, start=min(days), today=today)
        for day in days:
            try:
                with transaction.atomic():
                    visit = coding_services.visit_start(
                        patient=patient, location=location, order=order, actor=nurse, date_of_service=day
                    )
                    home = row.site == SiteOfCare.HOME
                    Visit.objects.filter(pk=visit.pk).update(
                        rendering_provider=pharmacist if home else None,
                        supervising_provider=None if home else supervising,
                    )
                    if home:
                        _document_home(visit, order)
                    else:
                        _document_infusion(visit, row)
                    coding_services.visit_sign(visit=visit, actor=nurse)
                    coding_services.charge_lines_review(visit=visit, actor=biller)
            except DomainError as exc:
                logger.info("morning demo visit for %s not signed: %s", row.mrn, exc.code)
                continue
            signed += 1
    return signed


def _patient(provider: BillingProvider, row: MorningVisit) -> Patient:
    patient, _ = Patient.objects.get_or_create(
        billing_provider=provider,
        mrn=row.mrn,
        defaults={
            "first_name": row.first,
            "last_name": row.last,
            "date_of_birth": dt.date.fromisoformat(row.dob),
            "sex": row.sex,
            "address_line1": f"{300 + int(row.mrn[-2:]) * 11} Oak Street",
            "city": "Springfield",
            "state": "IL",
            "zip_code": "62704",
            "phone": f"217555{2000 + int(row.mrn[-2:]):04d}",
        },
    )
    return patient


def _coverage_and_order(
    patient: Patient, payer: Payer, location: ServiceLocation, ordering, row: MorningVisit, *, start
) -> tuple[Coverage, Order]:
    coverage, created = Coverage.objects.get_or_create(
        patient=patient,
        payer=payer,
        rank="primary",
        defaults={"member_id": row.member_id, "effective_date": start - dt.timedelta(days=365)},
    )
    if created:
        EligibilityCheck.objects.create(
            coverage=coverage,
            checked_on=start,
            service_date=start,
            active=True,
            plan_name=f"{payer.name} plan",
            message="Demo check (payer portal)",
        )
    order, _ = Order.objects.get_or_create(
        patient=patient,
        therapy=f"{row.hcpcs} infusion",
        defaults={
            "prescriber": ordering,
            "location": location,
            "diagnosis_codes": list(row.diagnoses),
            "start_date": start,
            "status": OrderStatus.ACTIVE,
            "auth_not_required_reason": "" if row.auth else NO_AUTH_REASON,
        },
    )
    OrderDrug.objects.get_or_create(
        order=order,
        hcpcs=row.hcpcs,
        defaults={"dose": Decimal(row.dose), "dose_unit": row.unit, "frequency": "per order"},
    )
    return coverage, order


def _auth(patient: Patient, coverage: Coverage, order: Order, row: MorningVisit, *, start, today) -> None:
    auth, _ = PriorAuthorization.objects.get_or_create(
        coverage=coverage,
        auth_number=f"PA-{row.mrn[-4:]}-{today.year}",
        defaults={
            "patient": patient,
            "order": order,
            "start_date": start - dt.timedelta(days=30),
            "end_date": today + dt.timedelta(days=150),
        },
    )
    for code, units in ((row.hcpcs, 400), ("96365", 12)):
        AuthorizedService.objects.get_or_create(
            authorization=auth, code=code, defaults={"authorized_units": Decimal(units)}
        )


def _document_infusion(visit: Visit, row: MorningVisit) -> None:
    drug = Drug.objects.get(hcpcs=row.hcpcs)
    start = dt.datetime.combine(visit.date_of_service, dt.time(8, 30))
    Administration.objects.create(
        visit=visit,
        drug=drug,
        ndc=NDCS.get(row.hcpcs, ""),
        route=Administration.Route.IV_INFUSION,
        start=start.time(),
        stop=(start + dt.timedelta(minutes=140)).time(),
        dose=Decimal(row.dose),
        dose_unit=row.unit,
        wasted=Decimal(row.wasted) if drug.single_dose else None,
    )


def _document_home(visit: Visit, order: Order) -> None:
    for position, ordered in enumerate(order.drugs.all(), start=1):
        drug = Drug.objects.filter(hcpcs=ordered.hcpcs).first()
        HomeTherapyDay.objects.create(
            visit=visit,
            therapy="anti_infective",
            drug=drug,
            frequency_hours=8 if ordered.hcpcs == "J0690" else 24,
            dose=ordered.dose,
            dose_unit=ordered.dose_unit,
            days=7,
            position=position,
        )
    NursingVisitEntry.objects.create(visit=visit, start=dt.time(9, 0), stop=dt.time(10, 30))

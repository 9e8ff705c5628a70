"""Intake demo data for seed_demo: payers, prescribers, patients, coverage, orders in every queue
column, eligibility checks (one stale, one inactive) and auths (one nearly used up, one ending soon).

Idempotent: every row is found by its natural key before it is created. Dates are relative to today,
so the stale/ending-soon examples stay true whenever the demo is seeded. All names are fictional.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from infusion_rcm.platform.demo import seed_provider
from intake import services
from intake.domain.types import ClaimForm, OrderStatus, PayerKind
from intake.models import (
    AuthorizedService,
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
from intake.selectors import today

# name, payer id, kind, claim form, timely filing days, eligibility freshness days, address
PAYERS = [
    ("Medicare Part B (J15 MAC, CGS)", "15202", PayerKind.MEDICARE, ClaimForm.PROFESSIONAL, 365, 30,
     ("PO Box 20018", "Nashville", "TN", "37202")),
    ("Medicare Part A Outpatient (J15 MAC, CGS)", "15201", PayerKind.MEDICARE, ClaimForm.INSTITUTIONAL, 365, 30,
     ("PO Box 20019", "Nashville", "TN", "37202")),
    ("Wellcare Medicare Advantage", "14163", PayerKind.MEDICARE_ADVANTAGE, ClaimForm.PROFESSIONAL, 180, 30,
     ("PO Box 31372", "Tampa", "FL", "33631")),
    ("Illinois Medicaid (HFS)", "ILMCD", PayerKind.MEDICAID, ClaimForm.PROFESSIONAL, 180, 30,
     ("201 S Grand Ave E", "Springfield", "IL", "62763")),
    ("Blue Cross Blue Shield of Illinois", "00621", PayerKind.COMMERCIAL, ClaimForm.PROFESSIONAL, 180, 30,
     ("PO Box 805107", "Chicago", "IL", "60680")),
    ("Aetna", "60054", PayerKind.COMMERCIAL, ClaimForm.PROFESSIONAL, 120, 30, ("PO Box 981106", "El Paso", "TX", "79998")),
    ("UnitedHealthcare", "87726", PayerKind.COMMERCIAL, ClaimForm.PROFESSIONAL, 90, 30,
     ("PO Box 30555", "Salt Lake City", "UT", "84130")),
    ("Cigna", "62308", PayerKind.COMMERCIAL, ClaimForm.PROFESSIONAL, 90, 30,
     ("PO Box 188061", "Chattanooga", "TN", "37422")),
    ("Humana Medicare Advantage", "61101", PayerKind.MEDICARE_ADVANTAGE, ClaimForm.PROFESSIONAL, 365, 30,
     ("PO Box 14601", "Lexington", "KY", "40512")),
    ("TRICARE East (demo)", "99726", PayerKind.OTHER, ClaimForm.PROFESSIONAL, 365, 60,
     ("PO Box 7981", "Madison", "WI", "53707")),
    ("Springfield Memorial Hospital Outpatient Plan", "SMH01", PayerKind.COMMERCIAL, ClaimForm.INSTITUTIONAL, 180, 14,
     ("800 N Rutledge St", "Springfield", "IL", "62702")),
]  # fmt: skip

# NPIs are check-digit-valid demo numbers, not real providers.
PRESCRIBERS = [
    ("1987654328", "Amara", "Okafor", "Gastroenterology"),
    ("1567890128", "Daniel", "Brandt", "Neurology"),
    ("1734567898", "Priya", "Raman", "Rheumatology"),
]

# (mrn, first, last, dob, sex, payer id, member id, therapy, hcpcs, dose, unit, frequency, icd10, status,
#  eligibility: "fresh" | "stale" | "inactive" | None, auth: "ok" | "low" | "ending" | "none" | "not_required")
PATIENTS = [
    ("DEMO-1001", "Evelyn", "Marsh", "1948-02-11", "F", "15202", "1EG4TE5MK73", "Infliximab for Crohn's disease",
     "J1745", "400", "mg", "every 8 weeks", ["K50.90"], OrderStatus.NEW, None, "none"),
    ("DEMO-1002", "Marcus", "Hale", "1975-07-30", "M", "00621", "XOH884512301", "Ocrelizumab for MS",
     "J2350", "600", "mg", "every 6 months", ["G35.A"], OrderStatus.NEW, "stale", "none"),
    ("DEMO-1003", "Lena", "Sorensen", "1962-11-04", "F", "60054", "W220019344", "IVIG for CIDP",
     "J1569", "40", "g", "every 4 weeks", ["G61.81"], OrderStatus.NEW, "inactive", "none"),
    ("DEMO-1004", "Tomas", "Rivera", "1958-05-19", "M", "87726", "918273645", "Vedolizumab for ulcerative colitis",
     "J3380", "300", "mg", "every 8 weeks", ["K51.90"], OrderStatus.ELIGIBILITY_VERIFIED, "fresh", "none"),
    ("DEMO-1005", "Grace", "Whitfield", "1951-09-23", "F", "61101", "H55501234", "Denosumab for osteoporosis",
     "J0897", "60", "mg", "every 6 months", ["M81.0"], OrderStatus.ELIGIBILITY_VERIFIED, "fresh", "ok"),
    ("DEMO-1006", "Henry", "Castillo", "1944-12-02", "M", "15202", "2KD7AC3NR45", "Zoledronic acid for Paget's",
     "J3489", "5", "mg", "once a year", ["M88.9"], OrderStatus.AUTH_OBTAINED, "fresh", "not_required"),
    ("DEMO-1007", "Nora", "Feld", "1983-03-15", "F", "62308", "U88412093", "Rituximab for rheumatoid arthritis",
     "J9312", "1000", "mg", "two doses 2 weeks apart", ["M05.79"], OrderStatus.AUTH_OBTAINED, "fresh", "low"),
    ("DEMO-1008", "Samuel", "Okoro", "1969-08-08", "M", "ILMCD", "IL9938271", "Iron sucrose for iron deficiency",
     "J1756", "200", "mg", "5 doses over 14 days", ["D50.9"], OrderStatus.READY_TO_SCHEDULE, "fresh", "ending"),
    ("DEMO-1009", "Ruth", "Adler", "1940-01-27", "F", "14163", "WC4471120", "Tocilizumab for giant cell arteritis",
     "J3262", "420", "mg", "every 4 weeks", ["M31.6"], OrderStatus.READY_TO_SCHEDULE, "fresh", "ok"),
    ("DEMO-1010", "Caleb", "Ng", "1990-06-12", "M", "99726", "TR10203040", "Ertapenem for osteomyelitis",
     "J1335", "1", "g", "daily for 6 weeks", ["M86.172"], OrderStatus.ACTIVE, "fresh", "ok"),
    ("DEMO-1011", "Ivy", "Brennan", "1956-10-30", "F", "SMH01", "SMH7730021", "Infliximab biosimilar for psoriatic arthritis",
     "Q5103", "350", "mg", "every 8 weeks", ["L40.50"], OrderStatus.NEW, "fresh", "ok"),
    ("DEMO-1012", "Walter", "Price", "1946-04-21", "M", "15201", "3HU9GT2PW61", "Immune globulin for PID",
     "J1459", "30", "g", "every 3 weeks", ["D80.1"], OrderStatus.ELIGIBILITY_VERIFIED, "fresh", "none"),
    # Patients under way: their visits (coding demo) feed charge review and claims.
    ("DEMO-1013", "Alma", "Reyes", "1950-03-09", "F", "15202", "4TA8QR2WE91", "Infliximab for Crohn's disease",
     "J1745", "300", "mg", "every 8 weeks", ["K50.90"], OrderStatus.ACTIVE, "fresh", "ok"),
    ("DEMO-1014", "Dev", "Patel", "1971-12-01", "M", "00621", "XOH554433221", "Vedolizumab for Crohn's disease",
     "J3380", "300", "mg", "every 8 weeks", ["K50.90"], OrderStatus.ACTIVE, "fresh", "ok"),
    ("DEMO-1015", "June", "Okafor", "1988-07-14", "F", "60054", "W330022871", "Cefazolin for cellulitis",
     "J0690", "2", "g", "every 8 hours for 14 days", ["L03.115"], OrderStatus.ACTIVE, "fresh", "not_required"),
    ("DEMO-1016", "Arthur", "Lindqvist", "1953-02-26", "M", "87726", "918273777", "Iron sucrose for anemia",
     "J1756", "200", "mg", "weekly x 5", ["D50.9"], OrderStatus.ACTIVE, "fresh", "not_required"),
]  # fmt: skip


# SBR09 where the payer kind does not say it (837P 2000B): TRICARE is CH, a Blue plan BL.
FILING_INDICATORS = {"99726": "CH", "00621": "BL"}


def _payers() -> dict[str, Payer]:
    out = {}
    for name, payer_id, kind, form, filing, fresh, (street, city, state, zip_code) in PAYERS:
        out[payer_id], _ = Payer.objects.get_or_create(
            payer_id=payer_id,
            defaults={
                "name": name, "kind": kind, "claim_form": form, "timely_filing_days": filing,
                "eligibility_freshness_days": fresh, "address_line1": street, "city": city, "state": state,
                "zip_code": zip_code,
            },
        )  # fmt: skip
        if payer_id in FILING_INDICATORS and not out[payer_id].claim_filing_indicator:
            out[payer_id].claim_filing_indicator = FILING_INDICATORS[payer_id]
            out[payer_id].save(update_fields=["claim_filing_indicator", "updated_at"])
    return out


def _prescribers() -> list[Prescriber]:
    out = []
    for npi, first, last, specialty in PRESCRIBERS:
        defaults = {"first_name": first, "last_name": last, "specialty": specialty}
        out.append(Prescriber.objects.get_or_create(npi=npi, defaults=defaults)[0])
    return out


def seed(stdout) -> None:
    provider = seed_provider()
    payers = _payers()
    prescribers = _prescribers()
    locations = list(ServiceLocation.objects.filter(billing_provider=provider).order_by("pk"))
    now = today()
    year_start = dt.date(now.year, 1, 1)
    for i, row in enumerate(PATIENTS):
        (mrn, first, last, dob, sex, payer_id, member_id, therapy, hcpcs, dose, unit, freq, icd, status,
         elig, auth) = row  # fmt: skip
        patient, _ = Patient.objects.get_or_create(
            billing_provider=provider,
            mrn=mrn,
            defaults={
                "first_name": first, "last_name": last, "date_of_birth": dt.date.fromisoformat(dob), "sex": sex,
                "address_line1": f"{100 + i * 7} Maple Ave", "city": "Springfield", "state": "IL", "zip_code": "62704",
                "phone": f"217555{1000 + i:04d}",
            },
        )  # fmt: skip
        payer = payers[payer_id]
        coverage, _ = Coverage.objects.get_or_create(
            patient=patient,
            payer=payer,
            rank="primary",
            defaults={
                "member_id": member_id,
                "effective_date": year_start,
                "group_number": "" if i % 3 else "GRP100",
            },
        )
        if mrn == "DEMO-1006":  # a Medicare patient with a Medigap-like secondary
            Coverage.objects.get_or_create(
                patient=patient, payer=payers["00621"], rank="secondary",
                defaults={"member_id": "XOH100200300", "effective_date": year_start},
            )  # fmt: skip
        order, _ = Order.objects.get_or_create(
            patient=patient,
            therapy=therapy,
            defaults={
                "prescriber": prescribers[i % len(prescribers)], "location": locations[i % len(locations)],
                "diagnosis_codes": icd, "start_date": now - dt.timedelta(days=28) if status == OrderStatus.ACTIVE
                else now + dt.timedelta(days=7 + i), "status": status,
                "auth_not_required_reason": "Payer requires no prior authorization for this drug"
                if auth == "not_required" else "",
            },
        )  # fmt: skip
        OrderDrug.objects.get_or_create(
            order=order, hcpcs=hcpcs, defaults={"dose": Decimal(dose), "dose_unit": unit, "frequency": freq}
        )
        if elig is not None:
            checked = {"fresh": now - dt.timedelta(days=3), "stale": now - dt.timedelta(days=75)}.get(
                elig, now
            )
            EligibilityCheck.objects.get_or_create(
                coverage=coverage,
                message="Demo check (payer portal)",
                defaults={
                    "checked_on": checked, "service_date": checked, "active": elig != "inactive",
                    "plan_name": "" if elig == "inactive" else f"{payer.name} plan",
                    "copay": Decimal("25.00") if payer.kind == PayerKind.COMMERCIAL else None,
                    "coinsurance_percent": Decimal("20.00"), "deductible": Decimal("1500.00"),
                    "deductible_remaining": Decimal("350.00"), "out_of_pocket_remaining": Decimal("2800.00"),
                },
            )  # fmt: skip
        if auth in ("ok", "low", "ending"):
            end = now + dt.timedelta(days=7) if auth == "ending" else now + dt.timedelta(days=150)
            pa, _ = PriorAuthorization.objects.get_or_create(
                coverage=coverage,
                auth_number=f"PA-{mrn[-4:]}-{now.year}",
                defaults={"patient": patient, "order": order, "start_date": year_start, "end_date": end},
            )
            AuthorizedService.objects.get_or_create(
                authorization=pa,
                code=hcpcs,
                defaults={
                    "authorized_units": Decimal(100),
                    "used_units": Decimal(90 if auth == "low" else 20),
                },
            )
            AuthorizedService.objects.get_or_create(
                authorization=pa,
                code="96365",
                defaults={"authorized_units": Decimal(12), "used_units": Decimal(2), "unit_kind": "visits"},
            )
    alerts = services.auth_alerts_raise(as_of=now)
    stdout.write(
        f"Intake demo: {len(payers)} payers, {len(prescribers)} prescribers, {len(PATIENTS)} patients, "
        f"{len(alerts)} new alert(s)."
    )

"""Demo data for coding: the drug catalog, code sets, a charge master, and signed visits."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from django.utils import timezone

from coding.models import ChargeMasterEntry, Drug, DrugNdc
from coding.reference_data import drug_defaults, reference_catalog_load, shipped_rows

# Demo gross charges per unit (a practice's own price list; not a fee schedule).
DEMO_PRICES = {
    "96365": "350.00",
    "96366": "95.00",
    "96367": "160.00",
    "96368": "120.00",
    "96374": "180.00",
    "96375": "75.00",
    "96413": "420.00",
    "96415": "110.00",
    "96417": "190.00",
    "96360": "210.00",
    "96361": "60.00",
    "96372": "55.00",
    "96401": "140.00",
    "99213": "160.00",
    "99601": "200.00",
    "99602": "95.00",
    "S9500": "180.00",
    "S9501": "160.00",
    "S9502": "150.00",
    "S9503": "140.00",
    "S9504": "130.00",
    "S9497": "200.00",
    "J1745": "98.00",
    "Q5103": "72.00",
    "J9035": "85.00",
    "J9263": "22.00",
    "J0696": "6.50",
    "J2185": "12.00",
    "J3370": "4.00",
    "J7050": "10.00",
}


# A few packages (labeler-product-package, FDA NDC Directory) for the demo drugs.
DEMO_NDCS = [
    ("J1745", "57894003001", "100", "UN"),  # Remicade 100 mg vial
    ("Q5103", "00069080901", "100", "UN"),  # Inflectra 100 mg vial
    ("J9035", "50242006001", "100", "UN"),  # Avastin 100 mg/4 mL vial
    ("J3380", "64764030020", "300", "UN"),  # Entyvio 300 mg vial
]


def seed_catalog() -> None:
    """The shipped catalog and code sets (demo prices and NDCs on top; the catalog refreshed from the file)."""
    reference_catalog_load()
    for row in shipped_rows("drugs.csv"):
        Drug.objects.filter(hcpcs=row["hcpcs"].strip().upper()).update(**drug_defaults(row))
    for hcpcs, ndc, size, unit in DEMO_NDCS:
        drug = Drug.objects.filter(hcpcs=hcpcs).first()
        if drug is not None:
            DrugNdc.objects.get_or_create(
                ndc=ndc, defaults={"drug": drug, "package_size": Decimal(size), "unit_of_measure": unit}
            )
    prices = dict(DEMO_PRICES)
    for drug in Drug.objects.exclude(hcpcs__in=list(prices)):
        # a demo price per billing unit for every catalogued drug, so no demo line is $0
        prices[drug.hcpcs] = "8.00" if drug.billing_unit_amount == 1 else "25.00"
    for code, price in prices.items():
        ChargeMasterEntry.objects.get_or_create(
            code=code,
            modifier="",
            effective_from=dt.date(2026, 1, 1),
            defaults={"unit_price": Decimal(price)},
        )


def seed(stdout) -> None:
    seed_catalog()
    from coding.demo_visits import seed_visits

    count = seed_visits(today=timezone.localdate())
    from coding.demo_schedule import seed_schedule  # after the visits: it starts today's

    booked = seed_schedule(today=timezone.localdate())
    stdout.write(f"coding: {Drug.objects.count()} drugs, {count} demo visits, {booked} bookings")

"""Coding test data: the drug catalog from drugs.csv, a covered patient with an order."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from coding.demo import seed_catalog
from intake.models import Coverage, Order, OrderDrug, Payer, Prescriber
from tests.factories import PatientFactory, ServiceLocationFactory


def covered_patient(*, payer_kind: str = "commercial", site: str = "aic", drugs=(("J1745", "400", "mg"),)):
    """A patient with primary coverage in force and an order at a location of `site`."""
    seed_catalog()
    patient = PatientFactory()
    payer, _ = Payer.objects.get_or_create(
        payer_id=f"TEST-{payer_kind}",
        defaults={
            "name": f"Test {payer_kind}",
            "kind": payer_kind,
            "address_line1": "1 Payer Way",
            "city": "Chicago",
            "state": "IL",
            "zip_code": "60601",
        },
    )
    Coverage.objects.create(
        patient=patient,
        payer=payer,
        rank="primary",
        member_id="1EG4TE5MK73" if payer_kind == "medicare" else "XYZ1",
        effective_date=dt.date(2025, 1, 1),
    )
    location = ServiceLocationFactory(
        site_of_care=site,
        billing_provider=patient.billing_provider,
        place_of_service="12" if site == "home" else "11",
    )
    prescriber, _ = Prescriber.objects.get_or_create(
        npi="1245319599", defaults={"first_name": "Ann", "last_name": "Lee"}
    )
    order = Order.objects.create(
        patient=patient,
        prescriber=prescriber,
        location=location,
        therapy="infusion",
        diagnosis_codes=["K50.90"],
        start_date=dt.date(2026, 1, 1),
        status="ready_to_schedule",
    )
    for hcpcs, dose, unit in drugs:
        OrderDrug.objects.create(
            order=order, hcpcs=hcpcs, dose=Decimal(dose), dose_unit=unit, frequency="q8w"
        )
    return patient, order

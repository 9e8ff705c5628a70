"""factory_boy factories for rows many tests need."""

from __future__ import annotations

import datetime as dt

import factory

from intake.domain.types import SiteOfCare
from intake.models import BillingProvider, Patient, ServiceLocation


class BillingProviderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = BillingProvider
        django_get_or_create = ("npi",)

    name = "Test Infusion Partners"
    npi = "1234567893"
    tax_id = "123456789"
    taxonomy = "261QI0500X"
    address_line1 = "1 Main St"
    city = "Springfield"
    state = "IL"
    zip_code = "627011234"


class ServiceLocationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = ServiceLocation

    billing_provider = factory.SubFactory(BillingProviderFactory)
    name = factory.Sequence(lambda n: f"Infusion Center {n}")
    site_of_care = SiteOfCare.AIC
    place_of_service = "49"
    address_line1 = "2 Main St"
    city = "Springfield"
    state = "IL"
    zip_code = "62701"


class PatientFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Patient

    billing_provider = factory.SubFactory(BillingProviderFactory)
    mrn = factory.Sequence(lambda n: f"MRN{n:05d}")
    first_name = "Rosa"
    last_name = factory.Sequence(lambda n: f"Quintero{n}")
    date_of_birth = dt.date(1958, 3, 14)
    sex = "F"
    address_line1 = "12 Elm St"
    city = "Springfield"
    state = "IL"
    zip_code = "62701"

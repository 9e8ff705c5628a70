"""Intake factories: payers, prescribers, coverage, orders, eligibility checks, auths."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import factory

from intake.domain.types import PayerKind
from intake.models import (
    AuthorizedService,
    Coverage,
    EligibilityCheck,
    Order,
    OrderDrug,
    Payer,
    Prescriber,
    PriorAuthorization,
)
from tests.factories import PatientFactory, ServiceLocationFactory


class PayerFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Payer
        django_get_or_create = ("payer_id",)

    name = factory.Sequence(lambda n: f"Acme Health {n}")
    payer_id = factory.Sequence(lambda n: f"PAY{n:05d}")
    kind = PayerKind.COMMERCIAL
    address_line1 = "1 Payer Plaza"
    city = "Hartford"
    state = "CT"
    zip_code = "06101"
    eligibility_freshness_days = 30


class PrescriberFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Prescriber
        django_get_or_create = ("npi",)

    first_name = "Grace"
    last_name = "Hopper"
    npi = "1245319599"
    specialty = "Gastroenterology"


class CoverageFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Coverage

    patient = factory.SubFactory(PatientFactory)
    payer = factory.SubFactory(PayerFactory)
    rank = "primary"
    member_id = factory.Sequence(lambda n: f"MEM{n:07d}")
    effective_date = dt.date(2025, 1, 1)


class OrderFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = Order
        skip_postgeneration_save = True

    patient = factory.SubFactory(PatientFactory)
    prescriber = factory.SubFactory(PrescriberFactory)
    location = factory.SubFactory(
        ServiceLocationFactory, billing_provider=factory.SelfAttribute("..patient.billing_provider")
    )
    therapy = "Infliximab for Crohn's disease"
    diagnosis_codes = factory.LazyFunction(lambda: ["K50.90"])
    start_date = dt.date(2026, 3, 1)

    @factory.post_generation
    def drugs(self, create, extracted, **kwargs):
        if not create:
            return
        for code in extracted if extracted is not None else ["J1745"]:
            OrderDrug.objects.create(
                order=self, hcpcs=code, dose=Decimal("400"), dose_unit="mg", frequency="every 8 weeks"
            )


class EligibilityCheckFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = EligibilityCheck

    coverage = factory.SubFactory(CoverageFactory)
    checked_on = dt.date(2026, 3, 1)
    service_date = dt.date(2026, 3, 1)
    active = True
    plan_name = "Gold PPO"
    copay = Decimal("25.00")


class PriorAuthorizationFactory(factory.django.DjangoModelFactory):
    class Meta:
        model = PriorAuthorization
        skip_postgeneration_save = True

    coverage = factory.SubFactory(CoverageFactory)
    patient = factory.SelfAttribute("coverage.patient")
    auth_number = factory.Sequence(lambda n: f"PA{n:06d}")
    start_date = dt.date(2026, 1, 1)
    end_date = dt.date(2026, 6, 30)

    @factory.post_generation
    def services(self, create, extracted, **kwargs):
        if not create:
            return
        for code, units, used in extracted if extracted is not None else [("J1745", 100, 0)]:
            AuthorizedService.objects.create(
                authorization=self, code=code, authorized_units=Decimal(units), used_units=Decimal(used)
            )

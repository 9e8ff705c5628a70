"""Patients, prescribers, coverage and orders: the rules and the refusals a biller can act on."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from infusion_rcm.common.errors import DomainError, InvalidInputError
from intake import selectors, services
from intake.domain.types import PayerKind
from intake.models import Coverage, Order, OrderDrug, Patient
from tests.factories import BillingProviderFactory, PatientFactory, ServiceLocationFactory
from tests.intake.factories import CoverageFactory, PayerFactory, PrescriberFactory

pytestmark = pytest.mark.django_db

PATIENT = {
    "first_name": "Rosa",
    "last_name": "Quintero",
    "date_of_birth": dt.date(1958, 3, 14),
    "sex": "F",
    "address_line1": "12 Elm St",
    "city": "Springfield",
    "state": "il",
    "zip_code": "62701",
}


def test_patient_create_and_mrn_unique_per_provider():
    provider = BillingProviderFactory()
    p = services.patient_create(billing_provider=provider, mrn="MRN-1", **PATIENT)
    assert p.state == "IL"
    with pytest.raises(DomainError, match=r"(?i)MRN MRN-1 is already used"):
        services.patient_create(billing_provider=provider, mrn="mrn-1", **PATIENT)
    other = BillingProviderFactory(npi="1245319599", name="Other")
    assert services.patient_create(billing_provider=other, mrn="MRN-1", **PATIENT).pk != p.pk


def test_patient_refuses_future_birth_and_ssn_field():
    provider = BillingProviderFactory()
    with pytest.raises(InvalidInputError, match="future"):
        services.patient_create(
            billing_provider=provider, mrn="M2", **{**PATIENT, "date_of_birth": dt.date(2999, 1, 1)}
        )
    with pytest.raises(InvalidInputError, match="Unknown patient fields: ssn"):
        services.patient_create(billing_provider=provider, mrn="M3", ssn="123456789", **PATIENT)
    assert not hasattr(Patient, "ssn")


def test_likely_duplicates_same_name_and_birth_date():
    existing = PatientFactory(first_name="Rosa", last_name="Quintero", date_of_birth=dt.date(1958, 3, 14))
    PatientFactory(first_name="Rosa", last_name="Quintero", date_of_birth=dt.date(1958, 3, 15))
    found = selectors.patient_likely_duplicates(
        first_name="rosa ", last_name="QUINTERO", date_of_birth=dt.date(1958, 3, 14)
    )
    assert found == [existing]


def test_patient_search_by_name_mrn_and_birth_date():
    a = PatientFactory(first_name="Ann", last_name="Lee", mrn="A100", date_of_birth=dt.date(1970, 1, 2))
    b = PatientFactory(first_name="Bob", last_name="Stone", mrn="B200", date_of_birth=dt.date(1980, 5, 6))
    assert list(selectors.patient_list(search="lee")) == [a]
    assert list(selectors.patient_list(search="Lee, Ann")) == [a]
    assert list(selectors.patient_list(search="b200")) == [b]
    assert list(selectors.patient_list(search="1980-05-06")) == [b]
    assert list(selectors.patient_list(search="05/06/1980")) == [b]
    assert list(selectors.patient_list(search="1980-13-45")) == []


def test_prescriber_npi_check_digit():
    p = services.prescriber_create(npi="1245319599", first_name="Grace", last_name="Hopper")
    assert p.npi == "1245319599"
    with pytest.raises(InvalidInputError, match="check-digit"):
        services.prescriber_create(npi="1245319598", first_name="X", last_name="Y")
    with pytest.raises(DomainError, match="already on file"):
        services.prescriber_create(npi="1245319599", first_name="X", last_name="Y")


def _coverage(patient, payer, **kw):
    args = {
        "patient": patient,
        "payer": payer,
        "rank": "primary",
        "member_id": "W123456789",
        "effective_date": dt.date(2025, 1, 1),
    }
    args.update(kw)
    return services.coverage_create(**args)


def test_coverage_medicare_mbi_checked_and_normalized():
    patient = PatientFactory()
    medicare = PayerFactory(kind=PayerKind.MEDICARE, name="Medicare Part B")
    cov = _coverage(patient, medicare, member_id="1eg4-te5-mk73")
    assert cov.member_id == "1EG4TE5MK73"
    with pytest.raises(InvalidInputError, match="character 2"):
        _coverage(patient, medicare, member_id="1SG4TE5MK73", rank="secondary")
    # a commercial member id is not held to the MBI format
    assert _coverage(patient, PayerFactory(), member_id="XYZ 1", rank="secondary").member_id == "XYZ 1"


def test_coverage_end_before_start_and_overlap_refused():
    patient = PatientFactory()
    payer = PayerFactory()
    with pytest.raises(InvalidInputError, match="before its start"):
        _coverage(patient, payer, end_date=dt.date(2024, 12, 31))
    first = _coverage(patient, payer, end_date=dt.date(2025, 12, 31))
    with pytest.raises(DomainError, match="already has a primary policy") as exc:
        _coverage(patient, PayerFactory(), effective_date=dt.date(2025, 6, 1))
    assert exc.value.code == "coverage.overlap"
    assert exc.value.extra["coverage"] == str(first.public_id)
    # next year's primary and a concurrent secondary are fine
    _coverage(patient, PayerFactory(), effective_date=dt.date(2026, 1, 1))
    _coverage(patient, PayerFactory(), rank="secondary", effective_date=dt.date(2025, 6, 1))
    assert Coverage.objects.filter(patient=patient).count() == 3


def test_coverage_dependent_needs_subscriber():
    with pytest.raises(InvalidInputError, match="subscriber's last name"):
        _coverage(PatientFactory(), PayerFactory(), relationship="child")


def test_coverages_in_force_for_in_rank_order():
    patient = PatientFactory()
    tertiary = CoverageFactory(patient=patient, rank="tertiary")
    secondary = CoverageFactory(patient=patient, rank="secondary")
    primary = CoverageFactory(patient=patient, rank="primary", end_date=dt.date(2026, 6, 30))
    CoverageFactory(patient=patient, rank="primary", effective_date=dt.date(2026, 7, 1))
    CoverageFactory(rank="primary")  # someone else's
    assert selectors.coverages_in_force_for(patient=patient, on=dt.date(2026, 3, 1)) == [
        primary,
        secondary,
        tertiary,
    ]
    assert selectors.coverages_in_force_for(patient=patient, on=dt.date(2024, 1, 1)) == []


def _order(**kw):
    patient = kw.pop("patient", None) or PatientFactory()
    args = {
        "patient": patient,
        "prescriber": PrescriberFactory(),
        "location": ServiceLocationFactory(billing_provider=patient.billing_provider),
        "therapy": "Infliximab",
        "diagnosis_codes": ["k50.90", "K50.90"],
        "start_date": dt.date(2026, 3, 1),
        "drugs": [{"hcpcs": "j1745", "dose": "400", "dose_unit": "MG", "frequency": "q8 weeks"}],
    }
    args.update(kw)
    return services.order_create(**args)


def test_order_create_with_drugs():
    order = _order()
    assert order.diagnosis_codes == ["K50.90"]
    drug = order.drugs.get()
    assert (drug.hcpcs, drug.dose, drug.dose_unit) == ("J1745", Decimal("400.000"), "mg")


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"diagnosis_codes": ["K50"]}, "not a billable code"),
        ({"diagnosis_codes": ["Q99.99"]}, "not an ICD-10-CM code"),
        ({"diagnosis_codes": []}, "at least one ICD-10-CM"),
        ({"end_date": dt.date(2026, 2, 1)}, "before its start"),
        ({"drugs": []}, "at least one drug"),
        (
            {"drugs": [{"hcpcs": "J1745", "dose": "-1", "dose_unit": "mg", "frequency": "x"}]},
            "more than zero",
        ),
        ({"drugs": [{"hcpcs": "J17", "dose": "1", "dose_unit": "mg", "frequency": "x"}]}, "5-character"),
        (
            {"drugs": [{"hcpcs": "J1745", "dose": "5", "dose_unit": "mg/kg", "frequency": "x"}]},
            "mg, g, mcg, mL or units",
        ),
    ],
)
def test_order_refused_whole(changes, message):
    with pytest.raises(InvalidInputError, match=message):
        _order(**changes)
    assert not Order.objects.exists()
    assert not OrderDrug.objects.exists()

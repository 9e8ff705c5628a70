"""The drug catalog in the database carries each drug's Medicare home benefit to the engine (HIT-M1..M3)."""

from __future__ import annotations

import importlib
from decimal import Decimal

import pytest
from django.apps import apps

from coding.demo import seed_catalog
from coding.models import Drug
from coding.tables import code_tables

pytestmark = pytest.mark.django_db


def test_seeded_catalog_reaches_the_engine_with_its_medicare_home_benefit():
    seed_catalog()
    drugs = code_tables().drugs
    assert drugs.get("J2260").dme_pump_covered
    assert drugs.get("J1459").medicare_home_benefit == "ivig_pidd"
    assert drugs.get("B4185").medicare_home_benefit == "parenteral_nutrition"
    assert drugs.get("J2185").medicare_home_benefit == ""


def test_the_migration_fills_rows_loaded_before_the_column():
    migration = importlib.import_module("coding.migrations.0003_drug_medicare_home_benefit")
    row = {"billing_unit_amount": Decimal(5), "billing_unit": "mg", "drug_class": "therapeutic"}
    Drug.objects.create(hcpcs="J2260", description="milrinone", **row)
    Drug.objects.create(hcpcs="J2185", description="meropenem", **{**row, "drug_class": "anti_infective"})
    migration.fill_shipped(apps, None)
    benefit = dict(Drug.objects.values_list("hcpcs", "medicare_home_benefit"))
    assert benefit == {"J2260": "dme_pump", "J2185": ""}

"""The shipped drug catalog and code sets reach an install that never runs seed_demo."""

from __future__ import annotations

from io import StringIO

import pytest
from django.core.management import call_command

from coding.models import CodeSetEntry, Drug
from coding.reference_data import shipped_rows

pytestmark = pytest.mark.django_db


def test_load_reference_data_fills_an_empty_catalog_once():
    assert not Drug.objects.exists()
    out = StringIO()
    call_command("load_reference_data", stdout=out)
    drugs = len(shipped_rows("drugs.csv"))
    codes = len(shipped_rows("code_sets.csv"))
    assert Drug.objects.count() == drugs and CodeSetEntry.objects.count() == codes
    assert f"{drugs} drug(s) added" in out.getvalue()
    infliximab = Drug.objects.get(hcpcs="J1745")
    assert (infliximab.billing_unit_amount, infliximab.billing_unit, infliximab.single_dose) == (
        10,
        "mg",
        True,
    )

    again = StringIO()
    call_command("load_reference_data", stdout=again)
    assert "0 drug(s) added" in again.getvalue() and "0 code(s) added" in again.getvalue()
    assert Drug.objects.count() == drugs


def test_an_admins_catalog_edit_survives_a_reload():
    call_command("load_reference_data", stdout=StringIO())
    Drug.objects.filter(hcpcs="J1745").update(description="Infliximab, our formulary name")
    Drug.objects.filter(hcpcs="J3380").delete()
    call_command("load_reference_data", stdout=StringIO())
    assert Drug.objects.get(hcpcs="J1745").description == "Infliximab, our formulary name"
    assert Drug.objects.filter(hcpcs="J3380").exists()  # a missing row is added back

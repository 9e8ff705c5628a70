"""One home for what pages show: choice labels (enum_choices) and the printed ICD-10-CM code."""

from __future__ import annotations

from enum import StrEnum

import pytest
from django.template import Context, Template

from claims.domain.types import ClaimStatus
from infusion_rcm.common.identifiers import format_icd10cm
from infusion_rcm.common.models import enum_choices, enum_label
from intake.domain.types import ClaimForm, OrderStatus, PayerKind, SiteOfCare
from payments.domain.codes import AdjustmentGroup


@pytest.mark.parametrize(
    ("code", "printed"),
    [("K5090", "K50.90"), ("k50.90", "K50.90"), (" E119 ", "E11.9"), ("E11", "E11"), ("M86172", "M86.172"),
     ("S72001A", "S72.001A"), ("U071", "U07.1"), ("not a code", "not a code"), ("", "")],
)  # fmt: skip
def test_icd10_printed_with_its_dot(code, printed):
    assert format_icd10cm(code) == printed


def test_icd10_template_filter():
    out = Template("{% load rcm %}{{ one|icd10 }} / {{ many|icd10 }}").render(
        Context({"one": "K5090", "many": ["K5090", "E11.9"]})
    )
    assert out == "K50.90 / K50.90, E11.9"


def test_codes_keep_their_capitals_and_enums_their_labels():
    assert enum_choices(ClaimForm) == [("837P", "837P (professional)"), ("837I", "837I (institutional)")]
    assert dict(enum_choices(AdjustmentGroup))["CO"] == "CO"  # was "Co"
    assert dict(enum_choices(ClaimStatus))["needs_fix"] == "Needs fix"
    assert enum_label(OrderStatus.ACTIVE) == "In treatment"
    assert enum_label(OrderStatus.SCHEDULED) == "Scheduled"
    assert enum_label(SiteOfCare.AIC) == "Ambulatory infusion center"
    assert enum_label(PayerKind.MEDICARE_ADVANTAGE) == "Medicare Advantage"

    class Plain(StrEnum):
        LOW_UNITS = "low_units"
        MIXED = "X12_271"

    assert enum_choices(Plain) == [("low_units", "Low units"), ("X12_271", "X12_271")]  # a code, as written

"""A Medicare single-dose drug with waste, from the nurse's documentation to the 837.

Issue 9: the JW line got the NDC but no CTP quantity, so the scrubber blocked the claim
(LINE_NDC_QUANTITY_MISSING) and Medicare waste could not be billed at all.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from claims import mappers, selectors, services
from claims.domain.scrubber import ScrubContext, scrub
from claims.domain.x12_837 import build_837
from claims.models import Claim
from coding import services as coding_services
from coding.models import Administration, ChargeMasterEntry, Drug
from tests.claims.domain import factories as df
from tests.claims.domain.factories import assert_pyx12_clean
from tests.coding.factories import covered_patient

pytestmark = pytest.mark.django_db


def test_jw_waste_line_reaches_the_837_with_its_ndc_quantity(nurse, biller):
    _, order = covered_patient(payer_kind="medicare", drugs=(("J9312", "340", "mg"),))
    order.location.zip_code = "606111234"  # 2310C needs ZIP+4
    order.location.save(update_fields=["zip_code"])
    dos = timezone.localdate() - dt.timedelta(days=2)
    for code, price in (("96413", "400.00"), ("J9312", "95.00")):
        ChargeMasterEntry.objects.update_or_create(
            code=code,
            modifier="",
            effective_from=dt.date(2020, 1, 1),
            defaults={"unit_price": Decimal(price)},
        )
    visit = coding_services.visit_start(
        patient=order.patient, location=order.location, order=order, actor=nurse, date_of_service=dos
    )
    coding_services.administration_save(
        visit=visit,
        administration=Administration(
            drug=Drug.objects.get(hcpcs="J9312"),
            route="iv_infusion",
            start=dt.time(9, 0),
            stop=dt.time(10, 30),
            dose=Decimal("340"),
            dose_unit="mg",
            wasted=Decimal("60"),
            ndc="50242005101",
            iv_site="A",
        ),
    )
    coding_services.visit_sign(visit=visit, actor=nurse)
    waste = visit.charge_lines.get(modifiers=["JW"])
    assert (waste.units, waste.ndc, waste.ndc_quantity, waste.ndc_unit) == (
        6,
        "50242005101",
        Decimal("60"),
        "ME",
    )
    coding_services.charge_lines_review(visit=visit, actor=biller)

    (claim,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    (draft,) = [
        mappers.claim_to_draft(c) for c in selectors.claims_for_drafts(Claim.objects.filter(pk=claim.pk))
    ]
    edits = scrub(draft, [], context=ScrubContext(as_of=timezone.localdate(), eligibility_verified_on=dos))
    assert "LINE_NDC_QUANTITY_MISSING" not in [e.code for e in edits]

    text = build_837([draft], submitter=df.SUBMITTER, receiver=df.RECEIVER, envelope=df.envelope())
    assert_pyx12_clean(text)
    segs = text.strip().split("~")
    jw = next(i for i, s in enumerate(segs) if s.startswith("SV1*HC:J9312:JW*"))
    assert segs[jw].endswith("*UN*6***1")
    assert segs[jw + 3 : jw + 5] == ["LIN**N4*50242005101", "CTP****60*ME"]

"""Issue 10 item 2: engine warnings that change payment become scrubber edits.

IVIG for Medicare with "Wasted" left blank went out without JZ: the DRG-W2 warning was dropped at
signing. Now it is stored with the visit and the claim is blocked until JZ (or a JW line) is on it.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.utils import timezone

from claims import services
from claims.domain import types as t
from claims.domain.scrub_coding_findings import CodingFinding, coding_finding_edits
from claims.models import ClaimEdit
from coding import services as coding_services
from coding.models import Administration, ChargeMasterEntry, Drug
from intake.models import EligibilityCheck
from tests.claims.domain import factories as df
from tests.coding.factories import covered_patient

pytestmark = pytest.mark.django_db
R_AC = {"access_site": "antecubital", "access_side": "right", "access_device": "peripheral_iv"}


def _ivig_claim(nurse, biller, wasted):
    _, order = covered_patient(payer_kind="medicare", drugs=(("J1459", "30000", "mg"),))
    order.location.zip_code = "606111234"
    order.location.save(update_fields=["zip_code"])
    dos = timezone.localdate() - dt.timedelta(days=2)
    EligibilityCheck.objects.create(
        coverage=order.patient.coverages.get(), checked_on=dos, service_date=dos, active=True
    )
    for code in ("96365", "96366", "J1459"):
        ChargeMasterEntry.objects.update_or_create(
            code=code, modifier="", effective_from=dt.date(2020, 1, 1), defaults={"unit_price": Decimal("50")}
        )
    visit = coding_services.visit_start(
        patient=order.patient, location=order.location, order=order, actor=nurse, date_of_service=dos
    )
    coding_services.administration_save(
        visit=visit,
        administration=Administration(
            drug=Drug.objects.get(hcpcs="J1459"),
            route="iv_infusion",
            start=dt.time(9),
            stop=dt.time(12),
            dose=Decimal("30000"),
            dose_unit="mg",
            wasted=wasted,
            **R_AC,
        ),
    )
    coding_services.visit_sign(visit=visit, actor=nurse)
    coding_services.charge_lines_review(visit=visit, actor=biller)
    (claim,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    services.claim_scrub(claim=claim)
    return visit, claim


def _codes(claim) -> set[str]:
    return set(ClaimEdit.objects.filter(claim=claim).values_list("code", flat=True))


def test_ivig_with_waste_left_blank_is_blocked_until_jz_is_on_the_line(nurse, biller):
    _, claim = _ivig_claim(nurse, biller, wasted=None)
    assert "DRUG_WASTE_NOT_DOCUMENTED" in _codes(claim)
    edit = ClaimEdit.objects.get(claim=claim, code="DRUG_WASTE_NOT_DOCUMENTED")
    assert edit.severity == "error" and "J1459" in edit.message
    claim.refresh_from_db()
    assert claim.status == "needs_fix"


def test_ivig_with_waste_recorded_raises_no_waste_edit(nurse, biller):
    _, claim = _ivig_claim(nurse, biller, wasted=Decimal(0))
    assert "DRUG_WASTE_NOT_DOCUMENTED" not in _codes(claim)


def _line(n, code, modifiers=(), pointers=(1,)):
    return t.ServiceLine(
        line_number=n,
        line_control_number=f"L{n}",
        date_from=dt.date(2026, 11, 2),
        code=code,
        modifiers=modifiers,
        units=Decimal(1),
        charge=Decimal("10.00"),
        diagnosis_pointers=pointers,
    )


def _claim(lines, **changes):
    return df.claim(lines=tuple(lines), **changes)


def test_a_jw_line_or_jz_clears_the_waste_edit():
    finding = (CodingFinding(rule_id="DRG-W2", code="J1459", message="m"),)
    blocked = _claim([_line(1, "96365"), _line(2, "J1459")])
    assert [e.code for e in coding_finding_edits(blocked, finding)] == ["DRUG_WASTE_NOT_DOCUMENTED"]
    for fixed in (
        _claim([_line(1, "96365"), _line(2, "J1459", ("JZ",))]),
        _claim([_line(1, "96365"), _line(2, "J1459"), _line(3, "J1459", ("JW",))]),
    ):
        assert list(coding_finding_edits(fixed, finding)) == []


def test_hydration_on_the_drugs_diagnosis_is_a_warning():
    finding = (CodingFinding(rule_id="ADM-H1"),)
    same = _claim([_line(1, "96365", pointers=(1,)), _line(2, "96361", pointers=(1,))])
    (edit,) = coding_finding_edits(same, finding)
    assert (edit.code, edit.severity, edit.line_number) == ("HYDRATION_OWN_DIAGNOSIS", t.Severity.WARNING, 2)
    own = _claim([_line(1, "96365", pointers=(1,)), _line(2, "96361", pointers=(2,))])
    assert list(coding_finding_edits(own, finding)) == []


def test_home_drug_off_part_b_is_named():
    finding = (CodingFinding(rule_id="HIT-M1", code="J0690"), CodingFinding(rule_id="HIT-M1"))
    (edit,) = coding_finding_edits(_claim([_line(1, "S9502")]), finding)
    assert edit.code == "HOME_DRUG_NOT_PART_B" and "J0690" in edit.message

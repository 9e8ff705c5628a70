"""Claims from reviewed charges: grouping, payer in force, pointers, auth number, NDC, revenue codes."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from claims import services
from claims.models import Claim, ClaimEvent
from coding.models import ChargeLine
from tests.claims import factories as f

pytestmark = pytest.mark.django_db


def test_one_claim_per_visit_with_payer_in_force_primary_first(biller):
    visit = f.office_sequential_concurrent(biller)
    secondary = f.payer("medicaid")
    f.coverage(visit.patient, secondary, rank="secondary")
    result = services.claims_build_from_charges(visit_ids=[visit.pk], actor=biller, enqueue_scrub=False)
    (claim,) = result.claims
    claim = Claim.objects.get(pk=claim.pk)
    primary = visit.patient.coverages.get(rank="primary")
    assert claim.payer_id == primary.payer_id and claim.coverage_id == primary.pk
    assert claim.status == "draft" and claim.form == "837P" and claim.place_of_service == "11"
    assert claim.diagnosis_codes == ["K5090", "D509"]
    assert claim.prior_auth_number == "PA778899"
    assert claim.referring_provider.npi == f.NPI_PRESCRIBER
    assert claim.total_charge == Decimal("2005.00")
    lines = list(claim.lines.all())
    assert [ln.code for ln in lines] == ["96365", "96366", "96367", "96368", "J1745", "J1756"]
    assert all(ln.diagnosis_pointers == [1, 2] for ln in lines)
    assert (
        lines[4].ndc == "57894003001" and lines[4].ndc_quantity == Decimal("4") and lines[4].ndc_unit == "UN"
    )
    assert len({ln.line_control_number for ln in lines}) == 6
    assert not ChargeLine.objects.filter(visit=visit).exclude(status="on_claim").exists()
    (event,) = ClaimEvent.objects.filter(claim=claim)
    assert (event.from_status, event.to_status, event.actor) == ("", "draft", biller)


def test_building_twice_makes_no_second_claim(biller):
    visit = f.chemo_with_hydration(biller)
    services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False)
    again = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False)
    assert again.claims == [] and Claim.objects.filter(visit=visit).count() == 1


def test_visit_without_coverage_is_skipped_and_lines_stay_reviewed(biller):
    pat = f.patient()
    visit = f.visit(pat, f.location(), biller)
    f.charge(visit, 1, "96365", "350.00")
    result = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False)
    assert result.claims == [] and result.skipped[0][0] == visit.pk and "no coverage" in result.skipped[0][1]
    assert ChargeLine.objects.get(visit=visit).status == "reviewed"


def test_coverage_ended_before_the_date_of_service_is_not_used(biller):
    pat = f.patient()
    old = f.payer("commercial")
    new = f.payer("medicare")
    dos = f.today() - dt.timedelta(days=5)
    f.coverage(pat, old, end_date=dos - dt.timedelta(days=1))
    f.coverage(pat, new, effective_date=dos - dt.timedelta(days=1))
    visit = f.visit(pat, f.location(), biller, dos=dos)
    f.charge(visit, 1, "96365", "350.00")
    (claim,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    assert claim.payer_id == new.pk


def test_home_per_diems_span_days(biller):
    visit = f.home_per_diems(biller)
    (claim,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    assert claim.place_of_service == "12"
    assert (claim.service_date_to - claim.service_date_from).days == 6
    per_diem = claim.lines.get(code="S9501")
    assert per_diem.modifiers == ["SH"] and per_diem.units == 7


def test_institutional_claim_gets_revenue_codes(biller):
    visit = f.hospital_outpatient(biller)
    (claim,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    assert claim.form == "837I" and claim.place_of_service == ""
    assert [(ln.code, ln.revenue_code) for ln in claim.lines.all()] == [
        ("96365", "0260"),
        ("96366", "0260"),
        ("J1745", "0636"),
        ("J7050", "0258"),
    ]


def test_payer_that_wants_837i_gets_837i_even_from_an_infusion_center(biller):
    pay = f.payer("commercial", form="837I")
    visit = f.chemo_with_hydration(biller, pay)
    (claim,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    assert claim.form == "837I"


def test_overridden_charge_line_is_billed_as_overridden(biller):
    visit = f.chemo_with_hydration(biller)
    line = visit.charge_lines.get(code="96361")
    ChargeLine.objects.filter(pk=line.pk).update(
        override_code="96360", override_units=2, override_reason="documented", overridden_at=f.timezone.now()
    )
    (claim,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    billed = claim.lines.get(line_number=3)
    assert (billed.code, billed.units) == ("96360", 2)


def test_revenue_code_table():
    assert services.revenue_code_for("96413") == "0260"
    assert services.revenue_code_for("J9035") == "0636"
    assert services.revenue_code_for("Q5103") == "0636"
    assert services.revenue_code_for("J7050") == "0258"
    assert services.revenue_code_for("99213") == "0510"


def test_home_per_diems_one_line_per_day_when_the_payer_wants_it(biller):
    visit = f.home_per_diems(biller, f.payer("commercial", per_diem_lines="daily"))
    (claim,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    per_diem = list(claim.lines.filter(code="S9501").order_by("service_date_from"))
    assert len(per_diem) == 7
    assert all(ln.units == 1 and ln.service_date_from == ln.service_date_to for ln in per_diem)
    assert [ln.service_date_from for ln in per_diem] == [
        claim.service_date_from + dt.timedelta(days=i) for i in range(7)
    ]
    assert sum(ln.charge for ln in per_diem) == Decimal("700.00")
    assert all(ln.modifiers == ["SH"] for ln in per_diem)
    assert sum(ln.charge for ln in claim.lines.all()) == claim.total_charge
    numbers = list(claim.lines.order_by("line_number").values_list("line_number", flat=True))
    assert numbers == list(range(1, len(numbers) + 1))


# -- issue 9: providers, place of service, line limit, subscriber, filing indicator, JW NDC ---

from claims import mappers, selectors  # noqa: E402
from claims.domain.scrubber import ScrubContext, scrub  # noqa: E402
from claims.domain.x12_837 import build_837  # noqa: E402
from coding.domain.catalog import CodingOptions  # noqa: E402
from infusion_rcm.common.place_of_service import place_of_service_for  # noqa: E402
from intake.domain.types import SiteOfCare  # noqa: E402
from intake.models import Prescriber  # noqa: E402
from tests.claims.domain import factories as df  # noqa: E402
from tests.claims.domain.factories import assert_pyx12_clean  # noqa: E402


def _practitioner(npi: str, last: str, taxonomy: str = "") -> Prescriber:
    return Prescriber.objects.create(npi=npi, first_name="Ana", last_name=last, taxonomy=taxonomy)


def _build(visit) -> list[Claim]:
    return services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims


def _drafts(claims):
    rows = selectors.claims_for_drafts(Claim.objects.filter(pk__in=[c.pk for c in claims]).order_by("pk"))
    return [mappers.claim_to_draft(c) for c in rows]


def _837(claims) -> str:
    return build_837(_drafts(claims), submitter=df.SUBMITTER, receiver=df.RECEIVER, envelope=df.envelope())


def _segments(text: str) -> list[str]:
    return [s for s in text.strip().split("~") if s]


def test_aic_nurse_visit_bills_under_the_supervising_physician(biller):
    """Incident-to: the visit names only the nurse's supervising physician; the claim renders under
    that NPI (2310B NM1*82 with PRV*PE), which pyx12 accepts."""
    visit = f.chemo_with_hydration(biller)
    supervisor = _practitioner(df.NPI_SUPERVISING, "Carter", "207RH0003X")
    visit.supervising_provider = supervisor
    visit.save(update_fields=["supervising_provider"])
    (claim,) = _build(visit)
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.rendering_provider == supervisor and claim.supervising_provider == supervisor
    text = _837([claim])
    assert_pyx12_clean(text)
    segs = _segments(text)
    i = segs.index("NM1*82*1*CARTER*ANA****XX*1245319599")
    assert segs[i + 1] == "PRV*PE*PXC*207RH0003X"
    assert not any(s.startswith("NM1*DQ*") for s in segs)  # supervisor renders: no 2310D


def test_rendering_and_a_different_supervising_physician(biller):
    visit = f.chemo_with_hydration(biller)
    visit.rendering_provider = _practitioner(df.NPI_RENDERING, "Hendrix")
    visit.supervising_provider = _practitioner(df.NPI_SUPERVISING, "Carter")
    visit.save(update_fields=["rendering_provider", "supervising_provider"])
    text = _837(_build(visit))
    assert_pyx12_clean(text)
    segs = _segments(text)
    assert "NM1*82*1*HENDRIX*ANA****XX*1122333341" in segs
    assert "NM1*DQ*1*CARTER*ANA****XX*1245319599" in segs


@pytest.mark.parametrize(
    ("preference", "rendering_npi"),
    [("documented", df.NPI_PHARMACIST), ("ordering", f.NPI_PRESCRIBER), ("none", None)],
)
def test_home_infusion_rendering_provider_is_the_payer_setting(biller, preference, rendering_npi):
    pay = f.payer("commercial", home_infusion_rendering_provider=preference)
    visit = f.home_per_diems(biller, pay)
    visit.rendering_provider = _practitioner(df.NPI_PHARMACIST, "Okafor", "1835P1300X")
    visit.save(update_fields=["rendering_provider"])
    (claim,) = _build(visit)
    claim = Claim.objects.get(pk=claim.pk)
    assert (claim.rendering_provider.npi if claim.rendering_provider else None) == rendering_npi
    text = _837([claim])
    assert_pyx12_clean(text)
    rendering = [s for s in _segments(text) if s.startswith("NM1*82*")]
    assert rendering == ([] if rendering_npi is None else [rendering[0]])
    if rendering_npi:
        assert rendering[0].endswith(rendering_npi)


def test_no_rendering_provider_documented_leaves_the_claim_without_one(biller):
    (claim,) = _build(f.office_sequential_concurrent(biller))
    assert Claim.objects.get(pk=claim.pk).rendering_provider is None


def test_infusion_center_claim_and_engine_agree_on_the_place_of_service(biller):
    """The AIC location was set up with 49 while the engine suggests 11: one rule now gives both."""
    visit = f.chemo_with_hydration(biller)
    assert visit.location.site_of_care == SiteOfCare.AIC and visit.location.place_of_service == "49"
    (claim,) = _build(visit)
    engine = CodingOptions().place_of_service[SiteOfCare.AIC]
    assert Claim.objects.get(pk=claim.pk).place_of_service == engine == place_of_service_for("aic") == "11"


def test_thirty_day_home_course_is_split_into_claims_that_each_validate(biller):
    """94 daily lines (the payer wants one line per day) used to make one claim the scrubber blocked
    at 50 lines; it is now built as two claims split by date, each under the limit and clean."""
    pay = f.payer("commercial", per_diem_lines="daily")
    pat = f.patient()
    cov = f.coverage(pat, pay)
    start = f.today() - dt.timedelta(days=40)
    visit = f.visit(pat, f.location(SiteOfCare.HOME, "12"), biller, dos=start, diagnoses=("A41.01",))
    f.auth(pat, cov, "AUTH-30", {"S9500": 30, "S9501": 30, "J3370": 30})
    f.charge(visit, 1, "S9500", "3000.00", 30, days=30)
    f.charge(visit, 2, "S9501", "1500.00", 30, modifiers=("SH",), days=30)
    f.charge(visit, 3, "J3370", "1200.00", 30, ndc="00409433201", ndc_quantity="30", ndc_unit="UN", days=30)
    for n, day in enumerate((0, 7, 14, 21), start=4):
        line = f.charge(visit, n, "99601", "250.00")
        line.service_date_from = line.service_date_to = start + dt.timedelta(days=day)
        line.save(update_fields=["service_date_from", "service_date_to"])
    claims = [Claim.objects.get(pk=c.pk) for c in _build(visit)]
    assert len(claims) == 2
    counts = [c.lines.count() for c in claims]
    assert sum(counts) == 94 and max(counts) <= 50
    assert sum(c.total_charge for c in claims) == Decimal("6700.00")
    first, second = sorted(claims, key=lambda c: c.service_date_from)
    assert first.service_date_to < second.service_date_from  # whole days on one claim
    assert [ln.line_number for ln in second.lines.order_by("line_number")] == list(range(1, counts[1] + 1))
    assert not ChargeLine.objects.filter(visit=visit).exclude(status="on_claim").exists()
    context = ScrubContext(as_of=f.today(), eligibility_verified_on=f.today())
    for draft in _drafts(claims):
        assert "CLM_TOO_MANY_LINES" not in [e.code for e in scrub(draft, [], context=context)]
    assert_pyx12_clean(_837(claims))


def test_payer_line_limit_splits_at_build_time(biller):
    """A payer that takes 2 lines per claim: a day alone over the limit is cut in line order."""
    pay = f.payer("commercial", max_claim_lines=2)
    visit = f.office_sequential_concurrent(biller, pay)
    parts = sorted(_build(visit), key=lambda c: c.pk)
    assert [[ln.code for ln in c.lines.order_by("line_number")] for c in parts] == [
        ["96365", "96366"],
        ["96367", "96368"],
        ["J1745", "J1756"],
    ]
    assert len({c.claim_number for c in parts}) == 3
    assert all(c.prior_auth_number == "PA778899" and c.diagnosis_codes == ["K5090", "D509"] for c in parts)
    assert_pyx12_clean(_837(parts))


@pytest.mark.parametrize("kind", ["medicare", "medicaid", "medicare_advantage"])
def test_medicare_and_medicaid_members_are_their_own_subscriber(biller, kind):
    """A coverage wrongly entered as a spouse's policy still goes out with the patient as subscriber."""
    pay = f.payer(kind, payer_id=f"K{kind[:6].upper()}")
    pat = f.patient(last_name="Núñez", first_name="José")
    f.coverage(pat, pay, relationship="spouse", subscriber_first_name="Maria", subscriber_last_name="Núñez")
    visit = f.visit(pat, f.location(SiteOfCare.OFFICE, "11"), biller)
    f.charge(visit, 1, "96365", "350.00")
    (draft,) = _drafts(_build(visit))
    assert draft.patient is None and draft.subscriber.first_name == "José"
    text = _837([Claim.objects.get(claim_number=draft.claim_id)])
    assert_pyx12_clean(text)
    segs = _segments(text)
    assert any(s.startswith("SBR*P*18*") for s in segs) and not any(s.startswith("PAT*") for s in segs)
    assert any(s.startswith("NM1*IL*1*NUNEZ*JOSE*") for s in segs)


def test_tricare_files_ch_from_the_payer_data(biller):
    pay = f.payer("other", name="TRICARE East", claim_filing_indicator="CH")
    visit = f.office_sequential_concurrent(biller, pay)
    text = _837(_build(visit))
    assert_pyx12_clean(text)
    assert "SBR*P*18*******CH" in _segments(text)
    # an "other" payer with no code set is blocked by the scrubber instead of going out as CI
    pay.claim_filing_indicator = ""
    pay.save(update_fields=["claim_filing_indicator"])
    (draft,) = _drafts(_build(f.office_sequential_concurrent(biller, pay)))
    context = ScrubContext(as_of=f.today(), eligibility_verified_on=f.today())
    assert "PAYER_FILING_INDICATOR_MISSING" in [e.code for e in scrub(draft, [], context=context)]


def test_month_span_claim_names_the_other_pharmacist_on_their_lines(biller):
    """Two home visits of one month on one span claim: the second visit's pharmacist is the line's
    rendering provider (2420A), the first one's the claim's (2310B)."""
    pay = f.payer("commercial", claim_span="month")
    pat = f.patient()
    f.coverage(pat, pay)
    home = f.location(SiteOfCare.HOME, "12")
    first_day = (f.today().replace(day=1) - dt.timedelta(days=1)).replace(day=3)  # last month
    okafor = _practitioner(df.NPI_PHARMACIST, "Okafor", "1835P1300X")
    carter = _practitioner(df.NPI_SUPERVISING, "Carter", "1835P1300X")
    visits = []
    for offset, pharmacist in ((0, okafor), (7, carter)):
        v = f.visit(pat, home, biller, dos=first_day + dt.timedelta(days=offset), diagnoses=("A41.01",))
        v.rendering_provider = pharmacist
        v.save(update_fields=["rendering_provider"])
        f.charge(v, 1, "S9500", "100.00")
        visits.append(v)
    result = services.claims_build_from_charges(visit_ids=[v.pk for v in visits], enqueue_scrub=False)
    (claim,) = result.claims
    claim = Claim.objects.get(pk=claim.pk)
    assert claim.rendering_provider == okafor
    assert [ln.rendering_provider for ln in claim.lines.order_by("line_number")] == [None, carter]
    text = _837([claim])
    assert_pyx12_clean(text)
    segs = _segments(text)
    assert segs.count("NM1*82*1*OKAFOR*ANA****XX*1003000126") == 1
    last_line = segs[max(i for i, s in enumerate(segs) if s.startswith("LX*")) :]
    assert "NM1*82*1*CARTER*ANA****XX*1245319599" in last_line

"""Scrub through the service: context from the database, payer rules, edits replaced, status moved."""

from __future__ import annotations

import datetime as dt

import pytest

from claims import services
from claims.models import Claim, ClaimEdit, ClaimEvent, PayerRule
from infusion_rcm.common.errors import InvalidInputError
from tests.claims import factories as f

pytestmark = pytest.mark.django_db


def build(visit) -> Claim:
    (row,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    return Claim.objects.get(pk=row.pk)


def rule(payer, config, enabled=True):
    return services.payer_rule_save(rule=None, payer=payer, config=config, enabled=enabled, actor=None)


def codes(claim) -> set[str]:
    return set(ClaimEdit.objects.filter(claim=claim).values_list("code", flat=True))


def test_clean_claim_goes_ready_with_event(biller):
    claim = build(f.office_sequential_concurrent(biller))
    edits = services.claim_scrub(claim=claim, actor=biller)
    assert [e.code for e in edits if e.severity == "error"] == []
    claim.refresh_from_db()
    assert claim.status == "ready"
    event = ClaimEvent.objects.filter(claim=claim).last()
    assert (event.from_status, event.to_status, event.reason) == ("draft", "ready", "Scrubbed")


def test_each_scenario_scrubs_clean(biller):
    for make in (f.chemo_with_hydration, f.drug_with_waste, f.home_per_diems, f.hospital_outpatient):
        claim = build(make(biller))
        edits = services.claim_scrub(claim=claim)
        assert [e.message for e in edits if e.severity == "error"] == [], make.__name__


def test_errors_send_claim_to_needs_fix_and_rescrub_after_fix_clears(biller):
    claim = build(f.chemo_with_hydration(biller))
    Claim.objects.filter(pk=claim.pk).update(diagnosis_codes=["K50"])  # a category, not billable
    services.claim_scrub(claim=claim)
    claim.refresh_from_db()
    assert claim.status == "needs_fix" and "ICD10_INVALID" in codes(claim)
    Claim.objects.filter(pk=claim.pk).update(diagnosis_codes=["C189", "E860"])
    services.claim_scrub(claim=claim)
    claim.refresh_from_db()
    assert claim.status == "ready" and "ICD10_INVALID" not in codes(claim)
    assert list(ClaimEvent.objects.filter(claim=claim).values_list("to_status", flat=True)) == [
        "draft",
        "needs_fix",
        "ready",
    ]


def test_eligibility_never_verified_blocks(biller):
    visit = f.chemo_with_hydration(biller)
    visit.patient.coverages.get().eligibility_checks.all().delete()
    claim = build(visit)
    services.claim_scrub(claim=claim)
    assert "ELIGIBILITY_NOT_VERIFIED" in codes(claim)


def test_payer_freshness_window_is_used(biller):
    visit = f.chemo_with_hydration(biller)
    cov = visit.patient.coverages.get()
    cov.eligibility_checks.update(checked_on=f.today() - dt.timedelta(days=10))
    cov.payer.eligibility_freshness_days = 5
    cov.payer.save()
    claim = build(visit)
    services.claim_scrub(claim=claim)
    assert "ELIGIBILITY_STALE" in codes(claim)


def test_duplicate_of_another_live_claim(biller):
    visit = f.chemo_with_hydration(biller)
    first = build(visit)
    services.claim_scrub(claim=first)
    second_visit = f.visit(
        visit.patient, visit.location, biller, dos=visit.date_of_service, diagnoses=("C18.9",)
    )
    f.charge(second_visit, 1, "96413", "400.00")
    second = build(second_visit)
    services.claim_scrub(claim=second)
    assert "DUPLICATE_CLAIM" in codes(second)
    services.claim_void(claim=first, actor=biller, reason="dup")
    services.claim_scrub(claim=second)
    assert "DUPLICATE_CLAIM" not in codes(second)


def test_medicare_jw_jz_rule(biller):
    PayerRule.objects.filter(rule_id="MCR-JW-JZ").update(enabled=False)  # the shipped one: this tests its own
    visit = f.drug_with_waste(biller)
    rule(
        visit.patient.coverages.get().payer,
        {
            "kind": "modifier_required",
            "rule_id": "MCR-JWJZ",
            "codes": ["J9035", "J9263"],
            "modifiers_any_of": ["JW", "JZ"],
            "satisfied_by_same_code_line": True,
            "payer_kinds": ["medicare"],
        },
    )
    claim = build(visit)
    services.claim_scrub(claim=claim)
    assert "PAYER_MODIFIER_REQUIRED" not in codes(claim)  # the JW line satisfies the administered line
    visit2 = f.chemo_with_hydration(biller, visit.patient.coverages.get().payer)
    visit2.charge_lines.filter(code="J9263").update(modifiers=[])
    claim2 = build(visit2)
    services.claim_scrub(claim=claim2)
    assert (
        "PAYER_MODIFIER_REQUIRED" in codes(claim2)
        and claim2.edits.get(code="PAYER_MODIFIER_REQUIRED").rule_id == "MCR-JWJZ"
    )


def test_medicaid_ndc_rule_and_disabled_rules_do_nothing(biller):
    PayerRule.objects.filter(rule_id="MCD-NDC-J").update(enabled=False)  # the shipped one: this tests its own
    pay = f.payer("medicaid")
    visit = f.chemo_with_hydration(biller, pay)
    visit.charge_lines.filter(code="J9263").update(ndc="", ndc_quantity=None, ndc_unit="")
    row = rule(pay, {"kind": "ndc_required", "rule_id": "MCD-NDC", "code_prefixes": ["J"]}, enabled=False)
    claim = build(visit)
    services.claim_scrub(claim=claim)
    assert "PAYER_NDC_REQUIRED" not in codes(claim)
    services.payer_rule_save(rule=row, payer=pay, config=row.config, enabled=True, actor=None)
    services.claim_scrub(claim=claim)
    claim.refresh_from_db()
    assert "PAYER_NDC_REQUIRED" in codes(claim) and claim.status == "needs_fix"


def test_prior_auth_rule_uses_auths_in_force(biller):
    pay = f.payer("commercial")
    rule(None, {"kind": "prior_auth_required", "rule_id": "BIO-PA", "codes": ["J1745", "Q5103"]})
    visit = f.office_sequential_concurrent(biller, pay)
    claim = build(visit)
    services.claim_scrub(claim=claim)
    assert "AUTH_MISSING" not in codes(claim)
    visit.patient.authorizations.all().update(status="denied")
    Claim.objects.filter(pk=claim.pk).update(prior_auth_number="")
    services.claim_scrub(claim=claim)
    assert "AUTH_MISSING" in codes(claim)


def test_max_units_and_covered_diagnoses(biller):
    pay = f.payer("commercial")
    rule(pay, {"kind": "max_units_per_day", "rule_id": "J1745-MAX", "code": "J1745", "units": 150})
    rule(
        pay,
        {
            "kind": "covered_diagnoses",
            "rule_id": "J1745-DX",
            "code": "J1745",
            "icd10_prefixes": ["K50", "K51", "M05", "M06", "L40", "M45"],
        },
    )
    visit = f.office_sequential_concurrent(biller, pay)
    visit.charge_lines.filter(code="J1745").update(units=160)
    visit.order.diagnosis_codes = ["D50.9"]
    visit.order.save()
    claim = build(visit)
    services.claim_scrub(claim=claim)
    assert {"PAYER_MAX_UNITS", "PAYER_DIAGNOSIS_NOT_COVERED"} <= codes(claim)


def test_timely_filing_rule(biller):
    pay = f.payer("commercial")
    rule(pay, {"kind": "timely_filing", "rule_id": "TF-90", "days": 90})
    visit = f.chemo_with_hydration(biller, pay)
    visit.charge_lines.update(
        service_date_from=f.today() - dt.timedelta(days=100),
        service_date_to=f.today() - dt.timedelta(days=100),
    )
    claim = build(visit)
    services.claim_scrub(claim=claim)
    assert "TIMELY_FILING_EXPIRED" in codes(claim)


def test_scrub_of_batched_claim_is_refused_and_many_skips_it(biller):
    claim = build(f.chemo_with_hydration(biller))
    services.claim_transition(claim=claim, to="ready", actor=None, reason="x")
    services.claim_transition(claim=claim, to="batched", actor=None, reason="x")
    with pytest.raises(services.ClaimStateError):
        services.claim_scrub(claim=claim)
    outcome = services.claims_scrub_many(claim_ids=[claim.pk])
    assert outcome.skipped == [claim.pk]


def test_scrub_many_moves_in_bulk_with_events(biller, django_assert_max_num_queries):
    visits = [f.chemo_with_hydration(biller) for _ in range(5)]
    claims = services.claims_build_from_charges(visit_ids=[v.pk for v in visits], enqueue_scrub=False).claims
    with django_assert_max_num_queries(30):
        outcome = services.claims_scrub_many(claim_ids=[c.pk for c in claims])
    assert set(outcome.statuses.values()) == {"ready"}
    assert ClaimEvent.objects.filter(to_status="ready").count() == 5


def test_payer_rule_validation_and_versions(admin_user):
    with pytest.raises(InvalidInputError) as exc:
        services.payer_rule_save(
            rule=None,
            payer=None,
            config={"kind": "max_units_per_day", "rule_id": "X", "code": "J1745"},
            enabled=False,
            actor=admin_user,
        )
    assert "units" in exc.value.message
    assert not PayerRule.objects.filter(rule_id="X").exists()
    row = rule(None, {"kind": "ndc_required", "rule_id": "NDC-ALL", "code_prefixes": ["J"]}, enabled=False)
    services.payer_rule_save(
        rule=row,
        payer=None,
        config={**row.config, "code_prefixes": ["J", "Q"]},
        enabled=True,
        actor=admin_user,
        note="add Q",
    )
    row.refresh_from_db()
    assert row.version == 2 and row.enabled
    assert [(v.version, v.enabled, v.changed_by) for v in row.versions.all()] == [
        (2, True, admin_user),
        (1, False, None),
    ]


def test_try_rule_against_claim_shows_only_its_edits(biller):
    pay = f.payer("medicaid")
    visit = f.chemo_with_hydration(biller, pay)
    visit.charge_lines.filter(code="J9263").update(ndc="", ndc_quantity=None, ndc_unit="")
    claim = build(visit)
    edits = services.payer_rule_try(
        config={"kind": "ndc_required", "rule_id": "T", "code_prefixes": ["J"]}, payer=pay, claim=claim
    )
    assert [e.code for e in edits] == ["PAYER_NDC_REQUIRED"]
    assert (
        services.payer_rule_try(
            config={"kind": "ndc_required", "rule_id": "T", "code_prefixes": ["J"]},
            payer=f.payer("medicaid"),
            claim=claim,
        )
        == []
    )


def test_each_scenario_scrubs_clean_against_the_seeded_code_sets(biller):
    """With the real code sets and drug catalog loaded, every code our scenarios bill is in force."""
    from coding.demo import seed_catalog
    from coding.models import Drug

    seed_catalog()
    # bevacizumab is not in the shared starter catalog; a clinic that gives it adds it (admin)
    Drug.objects.create(
        hcpcs="J9035",
        description="bevacizumab",
        billing_unit_amount=10,
        billing_unit="mg",
        drug_class="chemotherapy",
        single_dose=True,
    )
    for make in (f.office_sequential_concurrent, f.chemo_with_hydration, f.drug_with_waste, f.home_per_diems):
        claim = build(make(biller))
        services.claim_scrub(claim=claim)
        assert "LINE_CODE_NOT_IN_FORCE" not in codes(claim), make.__name__


def test_a_discontinued_code_sends_the_claim_to_needs_fix(biller):
    from coding.demo import seed_catalog
    from coding.models import CodeSetEntry

    seed_catalog()
    claim = build(f.office_sequential_concurrent(biller))
    line = claim.lines.filter(code__startswith="963").first()
    CodeSetEntry.objects.filter(code=line.code).update(
        effective_to=line.service_date_from - dt.timedelta(days=1)
    )
    services.claim_scrub(claim=claim)
    claim.refresh_from_db()
    assert claim.status == "needs_fix"
    edit = ClaimEdit.objects.get(claim=claim, code="LINE_CODE_NOT_IN_FORCE")
    assert edit.line_number == line.line_number and "quarterly HCPCS" in edit.fix_hint

"""Claims pages and endpoints in the permission matrix (GET): billers work, managers read,
nurses and admins get 403; payer rules are the admin's."""

from __future__ import annotations

from tests.matrix_roles import ADMIN, BILLER, BILLING_READ


def _user():
    from django.contrib.auth import get_user_model

    user, _ = get_user_model().objects.get_or_create(username="matrix-doc")
    return user


def _claim():
    from claims import services
    from tests.claims import factories as f

    visit = f.chemo_with_hydration(_user())
    (claim,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    return claim


def _claim_kwargs() -> dict:
    return {"public_id": _claim().public_id}


def _batch_kwargs() -> dict:
    from claims import services

    claim = _claim()
    services.claims_scrub_many(claim_ids=[claim.pk])
    batch = services.batch_build(payer=claim.payer, validate=False)
    return {"public_id": batch.public_id}


def _edit_kwargs() -> dict:
    from claims import services
    from claims.models import Claim

    claim = _claim()
    Claim.objects.filter(pk=claim.pk).update(diagnosis_codes=["K50"])
    services.claims_scrub_many(claim_ids=[claim.pk])
    return {"pk": claim.edits.first().pk}


def _build_run_kwargs() -> dict:
    from claims import services

    visit = _claim().visit
    return {"public_id": services.claim_build_request(visit_ids=[visit.pk], actor=None).public_id}


def _rule_kwargs() -> dict:
    from claims import services

    rule = services.payer_rule_save(
        rule=None,
        payer=None,
        config={"kind": "ndc_required", "rule_id": "M-NDC", "code_prefixes": ["J"]},
        enabled=False,
        actor=None,
    )
    return {"pk": rule.pk}


EXPECTED = {
    "claims:claim_list": BILLING_READ,
    "claims:ready_to_bill": BILLING_READ,
    "claims:ready_to_bill_build": BILLER,
    "claims:build_run": BILLING_READ,
    "claims:needs_fix": BILLING_READ,
    "claims:rejected": BILLING_READ,
    "claims:claim_detail": BILLING_READ,
    "claims:claim_scrub": BILLER,
    "claims:claim_void": BILLER,
    "claims:claim_replace": BILLER,
    "claims:claim_edit": BILLER,
    "claims:claim_void_at_payer": BILLER,
    "claims:claim_reopen": BILLER,
    "claims:claim_cms1500": BILLING_READ,
    "claims:batch_list": BILLING_READ,
    "claims:batch_build": BILLER,
    "claims:batch_detail": BILLING_READ,
    "claims:batch_download": BILLING_READ,
    "claims:batch_release": BILLER,
    "claims:batch_pull_back": BILLER,
    "claims:acknowledgment_import": BILLER,
    "api:claims:claim-list": BILLING_READ,
    "api:claims:claim-detail": BILLING_READ,
    "api:claims:claim-scrub": BILLER,
    "api:claims:claim-void": BILLER,
    "api:claims:claim-edit": BILLER,
    "api:claims:claim-replace": BILLER,
    "api:claims:claim-void-at-payer": BILLER,
    "api:claims:edit-list": BILLING_READ,
    "api:claims:edit-detail": BILLING_READ,
    "api:claims:batch-list": BILLING_READ,
    "api:claims:batch-detail": BILLING_READ,
    "api:claims:batch-download": BILLING_READ,
    "api:claims:batch-build": BILLER,
    "api:claims:ready-to-bill-list": BILLING_READ,
    "api:claims:build-list": BILLING_READ,
    "api:claims:build-detail": BILLING_READ,
    "api:claims:payer-rule-list": ADMIN,
    "api:claims:payer-rule-detail": ADMIN,
}
ARGS = {
    "claims:claim_detail": _claim_kwargs,
    "claims:claim_scrub": _claim_kwargs,
    "claims:claim_void": _claim_kwargs,
    "claims:claim_replace": _claim_kwargs,
    "claims:claim_edit": _claim_kwargs,
    "claims:claim_void_at_payer": _claim_kwargs,
    "claims:claim_reopen": _claim_kwargs,
    "claims:claim_cms1500": _claim_kwargs,
    "claims:batch_detail": _batch_kwargs,
    "claims:batch_download": _batch_kwargs,
    "claims:batch_release": _batch_kwargs,
    "claims:batch_pull_back": _batch_kwargs,
    "api:claims:claim-detail": _claim_kwargs,
    "api:claims:claim-scrub": _claim_kwargs,
    "api:claims:claim-void": _claim_kwargs,
    "api:claims:claim-edit": _claim_kwargs,
    "api:claims:claim-replace": _claim_kwargs,
    "api:claims:claim-void-at-payer": _claim_kwargs,
    "api:claims:edit-detail": _edit_kwargs,
    "api:claims:batch-detail": _batch_kwargs,
    "api:claims:batch-download": _batch_kwargs,
    "api:claims:payer-rule-detail": _rule_kwargs,
    "claims:build_run": _build_run_kwargs,
    "api:claims:build-detail": _build_run_kwargs,
}

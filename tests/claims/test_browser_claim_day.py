"""A biller's claim day in Debian's Chromium, from Charge review to a downloaded 837: accept the
lines, Ready to bill, build, the claim stops in Needs fix, Fix lands on the field the edit names,
save (re-scrubbed), batch, release, download; the file validates with pyx12.

Tasks run in-process (Celery eager, as the embedded mode runs them): the page flow is under
test here, the worker path is tests/claims/test_worker.py's.
"""

from __future__ import annotations

from pathlib import Path

import pytest

from claims.domain.validation import validate_with_pyx12
from claims.models import Claim, SubmissionBatch
from coding.models import ChargeLine
from infusion_rcm.accounts.roles import Role
from tests.claims import factories as f
from tests.coding.test_browser import browser, sign_in  # noqa: F401  # the shared Chromium fixture

pytestmark = [pytest.mark.browser]


@pytest.fixture
def tasks_in_process():
    from infusion_rcm.celery import app

    old = app.conf.task_always_eager
    app.conf.task_always_eager = True
    yield
    app.conf.task_always_eager = old


def _visit_waiting_for_review(biller):
    """A signed commercial infusion for NÚÑEZ, JOSÉ whose order carries a non-billable code (K50,
    a category): the scrubber will stop its claim on the diagnosis."""
    payer = f.payer("commercial", name="Lakeside Health Plan")
    patient = f.patient(first_name="José", last_name="Núñez")
    coverage = f.coverage(patient, payer)
    f.auth(patient, coverage, "PA556677", {"J1745": 100})
    visit = f.visit(patient, f.location(), biller, diagnoses=("K50", "D50.9"))
    f.charge(visit, 1, "96365", "350.00")
    f.charge(visit, 2, "96366", "95.00")
    f.charge(visit, 3, "J1745", "1200.00", 40, ndc="57894003001", ndc_quantity="4", ndc_unit="UN")
    ChargeLine.objects.filter(visit=visit).update(status=ChargeLine.Status.PENDING_REVIEW)
    return visit


def test_biller_takes_a_signed_visit_to_a_released_837(browser, live_server, make_user, tasks_in_process):  # noqa: F811
    biller = make_user("bill", Role.BILLER)
    visit = _visit_waiting_for_review(biller)
    base = live_server.url
    context = browser.new_context(viewport={"width": 1280, "height": 900}, accept_downloads=True)
    page = context.new_page()
    sign_in(page, base, "bill")
    page.wait_for_url(lambda url: "/accounts/login/" not in url)

    # Charge review: accept the visit's lines, then follow the message to Ready to bill.
    page.goto(f"{base}/coding/charges/")
    page.locator("[data-test=review-visit]", has_text="Núñez").get_by_role(
        "button", name="Accept 3 line(s)"
    ).click()
    assert "3 line(s) accepted for billing." in page.content()
    page.click("[data-test=to-ready-to-bill]")
    row = page.locator("[data-test=ready-visit]", has_text="Núñez, José")
    assert row.count() == 1 and "Lakeside Health Plan" in row.inner_text() and "1645.00" in row.inner_text()

    # Build the ticked visit; the build card follows it to its scrub.
    row.locator("input[name=visit]").check()
    page.click("[data-test=build-chosen]")
    card = page.locator("[data-test=build-run]")
    assert card.get_attribute("data-status") == "done"
    assert "1 claim(s) built" in card.inner_text() and "1 need a fix" in card.inner_text()
    claim = Claim.objects.get(visit=visit)
    assert claim.status == "needs_fix"
    card.get_by_role("link", name="1 need a fix").click()

    # Needs fix: the edit in words, and Fix lands on the diagnosis field it names.
    finding = page.locator("p.finding", has_text="'K50' is not a billable ICD-10-CM code")
    assert finding.count() == 1
    finding.get_by_role("link", name="Fix").click()
    assert "/edit/" in page.url and "focus=diagnosis_codes" in page.url
    named = page.locator("#field-diagnosis_codes.focus")  # highlighted and scrolled to
    assert named.count() == 1 and named.is_visible()
    assert named.locator("input[name=diagnosis_codes]").get_attribute("autofocus") is not None
    page.fill("input[name=diagnosis_codes]", "K50.90, D50.9")
    page.fill("textarea[name=reason]", "Most specific code from the order")
    page.get_by_role("button", name="Save and re-scrub").click()
    claim.refresh_from_db()
    assert claim.status == "ready", list(claim.edits.values_list("code", "message"))
    assert claim.diagnosis_codes[0].replace(".", "") == "K5090"

    # Batch the payer's ready claims, release the batch and download its 837.
    page.goto(f"{base}/claims/batches/")
    page.get_by_role("link", name="Build batch for a payer").click()
    page.select_option("select[name=payer]", label="Lakeside Health Plan")
    page.get_by_role("button", name="Build batch").click()
    batch = SubmissionBatch.objects.get(payer=claim.payer)
    assert batch.status == "ready" and batch.validated
    page.get_by_role("link", name=batch.file_name).click()
    page.get_by_role("link", name="Release").click()
    page.get_by_role("button", name="Release").click()
    assert "Batch released; its claims are submitted." in page.content()
    claim.refresh_from_db()
    assert claim.status == "submitted"
    with page.expect_download() as download:
        page.get_by_role("link", name="Download").click()
    text = Path(download.value.path()).read_text()
    context.close()

    assert download.value.suggested_filename == batch.file_name
    assert f"CLM*{claim.claim_number}*" in text and "NUNEZ*JOSE" in text and "K5090" in text
    assert validate_with_pyx12(text) == []

"""Regulatory payer rules shipped as reference data: present after migrate with no demo data,
loaded idempotently as versioned rules, an admin's switch-off kept, applied to every payer of
their kind (including payers created later)."""

from __future__ import annotations

import csv
import io
import json
import shutil
from pathlib import Path

import pytest
from django.core.management import call_command
from django.urls import reverse
from rest_framework.test import APIClient

from claims import demo, selectors, services
from claims.models import Claim, ClaimEdit, PayerRule
from claims.services.payer_rules_reference import (
    REFERENCE_DIR,
    ReferenceDataError,
    reference_payer_rules,
    reference_payer_rules_load,
)
from tests.claims import factories as f
from tests.conftest import client_for

pytestmark = pytest.mark.django_db

SHIPPED = {ref.key: ref for ref in reference_payer_rules()}
CATALOG = Path(__file__).resolve().parents[2] / "coding" / "data" / "drugs.csv"


def build(visit) -> Claim:
    (row,) = services.claims_build_from_charges(visit_ids=[visit.pk], enqueue_scrub=False).claims
    return Claim.objects.get(pk=row.pk)


def edits(claim, code: str) -> list[ClaimEdit]:
    return list(ClaimEdit.objects.filter(claim=claim, code=code))


def copy_with(tmp_path: Path, key: str, **changes) -> Path:
    """A copy of the shipped files with one rule's body changed."""
    shutil.copytree(REFERENCE_DIR, tmp_path, dirs_exist_ok=True)
    path = tmp_path / SHIPPED[key].file_name
    data = json.loads(path.read_text())
    data["rule"].update(changes)
    path.write_text(json.dumps(data))
    return tmp_path


def test_the_shipped_rules_are_the_regulations_with_citation_date_and_kind_scope():
    assert set(SHIPPED) == {"MCR-JW-JZ", "MCD-NDC-J"}
    jwjz, ndc = SHIPPED["MCR-JW-JZ"].rule, SHIPPED["MCD-NDC-J"].rule
    assert jwjz.payer_kinds == ("medicare",) and set(jwjz.modifiers_any_of) == {"JW", "JZ"}
    assert str(jwjz.effective_from) == "2023-07-01" and "IOM 100-04" in jwjz.source
    assert ndc.payer_kinds == ("medicaid",) and "447.520" in ndc.source
    assert all(ref.title for ref in SHIPPED.values())


def test_jw_jz_codes_follow_the_shipped_drug_catalog():
    with CATALOG.open(newline="") as handle:
        rows = list(csv.DictReader(handle))
    single = {r["hcpcs"] for r in rows if r["single_dose"].strip().lower() == "true"}
    multi = {r["hcpcs"] for r in rows if r["single_dose"].strip().lower() != "true"}
    codes = set(SHIPPED["MCR-JW-JZ"].rule.codes)
    assert single <= codes, sorted(single - codes)
    assert not codes & multi, sorted(codes & multi)  # multi-dose vials take neither JW nor JZ


def test_migrate_alone_loads_them_with_no_demo_data():
    PayerRule.objects.all().delete()
    call_command("migrate", verbosity=0, interactive=False)
    rows = {r.rule_id: r for r in PayerRule.objects.all()}
    assert set(rows) == set(SHIPPED)  # nothing from the demo
    for key, row in rows.items():
        assert row.enabled and row.payer is None and row.version == 1
        assert row.config == SHIPPED[key].config
        assert row.versions.get().note.startswith("Reference data ")


def test_a_test_flush_loads_them_again():
    call_command("flush", verbosity=0, interactive=False)
    assert set(PayerRule.objects.values_list("rule_id", flat=True)) == set(SHIPPED)


def test_loading_twice_changes_nothing():
    reference_payer_rules_load()
    before = list(PayerRule.objects.values_list("rule_id", "version", "enabled", "config", "updated_at"))
    outcome = reference_payer_rules_load()
    assert sorted(outcome.unchanged) == sorted(SHIPPED) and not outcome.changed
    assert (
        list(PayerRule.objects.values_list("rule_id", "version", "enabled", "config", "updated_at")) == before
    )
    assert PayerRule.objects.get(rule_id="MCR-JW-JZ").versions.count() == 1


def test_the_command_reports_what_it_did():
    PayerRule.objects.filter(rule_id="MCD-NDC-J").delete()
    out = io.StringIO()
    call_command("load_reference_data", stdout=out)
    assert (
        "MCD-NDC-J: created" in out.getvalue() and "1 created, 0 new versions, 1 unchanged" in out.getvalue()
    )


def test_a_changed_file_body_makes_a_new_version(tmp_path):
    reference_payer_rules_load()
    changed = copy_with(tmp_path, "MCD-NDC-J", code_prefixes=["J", "Q5", "Q0138", "Q0139", "Q9"])
    outcome = reference_payer_rules_load(directory=changed)
    assert outcome.updated == ["MCD-NDC-J"] and outcome.unchanged == ["MCR-JW-JZ"]
    row = PayerRule.objects.get(rule_id="MCD-NDC-J")
    assert row.version == 2 and "Q9" in row.config["code_prefixes"] and row.enabled
    assert list(row.versions.values_list("version", flat=True)) == [2, 1]
    assert reference_payer_rules_load(directory=changed).unchanged == ["MCD-NDC-J", "MCR-JW-JZ"]


def test_an_admin_switch_off_survives_reloads_and_new_versions(admin_user, tmp_path):
    reference_payer_rules_load()
    row = PayerRule.objects.get(rule_id="MCR-JW-JZ")
    client = client_for(admin_user)
    response = client.post(
        reverse("admin:claims_payerrule_change", args=[row.pk]),
        {
            "config": json.dumps(row.config),
            "note": "MAC suspended the edit",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )  # "enabled" left out: the checkbox unticked
    assert response.status_code == 302, response.content.decode()[:2000]
    row.refresh_from_db()
    assert not row.enabled and row.version == 2 and row.versions.first().changed_by == admin_user

    assert reference_payer_rules_load().unchanged == ["MCD-NDC-J", "MCR-JW-JZ"]
    row.refresh_from_db()
    assert not row.enabled and row.version == 2

    changed = copy_with(tmp_path, "MCR-JW-JZ", description="Updated for the new CMS FAQ.")
    assert reference_payer_rules_load(directory=changed).updated == ["MCR-JW-JZ"]
    row.refresh_from_db()
    assert (
        not row.enabled and row.version == 3 and row.config["description"] == "Updated for the new CMS FAQ."
    )


def test_an_admin_edit_of_the_body_is_kept_until_the_file_changes(admin_user):
    reference_payer_rules_load()
    row = PayerRule.objects.get(rule_id="MCD-NDC-J")
    services.payer_rule_save(
        rule=row, payer=None, config={**row.config, "severity": "warning"}, enabled=True, actor=admin_user
    )
    assert reference_payer_rules_load().unchanged == ["MCD-NDC-J", "MCR-JW-JZ"]
    assert PayerRule.objects.get(rule_id="MCD-NDC-J").config["severity"] == "warning"


def test_a_rule_the_old_demo_seeded_is_brought_to_the_shipped_body_keeping_its_switch():
    PayerRule.objects.all().delete()
    services.payer_rule_save(
        rule=None,
        payer=None,
        config={"kind": "ndc_required", "rule_id": "MCD-NDC-J", "code_prefixes": ["J", "Q"]},
        enabled=False,
        actor=None,
        note="demo seed",
    )
    outcome = reference_payer_rules_load()
    row = PayerRule.objects.get(rule_id="MCD-NDC-J")
    assert outcome.updated == ["MCD-NDC-J"] and outcome.created == ["MCR-JW-JZ"]
    assert row.config == SHIPPED["MCD-NDC-J"].config and row.version == 2 and not row.enabled


def test_the_demo_no_longer_creates_them():
    PayerRule.objects.all().delete()
    demo.seed_payer_rules()
    assert not PayerRule.objects.filter(rule_id__in=list(SHIPPED)).exists()


def test_medicare_single_dose_drug_without_jw_jz_is_flagged_with_reference_data_only(biller):
    assert set(PayerRule.objects.values_list("rule_id", flat=True)) == set(SHIPPED)
    visit = f.chemo_with_hydration(biller)  # J9263 billed with JZ
    visit.charge_lines.filter(code="J9263").update(modifiers=[])
    claim = build(visit)
    services.claim_scrub(claim=claim)
    claim.refresh_from_db()
    (edit,) = edits(claim, "PAYER_MODIFIER_REQUIRED")
    assert edit.rule_id == "MCR-JW-JZ" and edit.severity == "error" and claim.status == "needs_fix"


def test_a_medicare_payer_created_later_gets_the_rule_and_other_kinds_do_not(biller):
    reference_payer_rules_load()
    later = f.payer("medicare", payer_id="MCRLATE1")
    assert "MCR-JW-JZ" in {r.rule_id for r in selectors.enabled_rules_for(payer_ids={later.pk})[later.pk]}
    for pay, flagged in ((later, True), (f.payer("commercial"), False)):
        visit = f.drug_with_waste(biller, pay)
        visit.charge_lines.filter(code="J9035").update(modifiers=[])
        claim = build(visit)
        services.claim_scrub(claim=claim)
        assert bool(edits(claim, "PAYER_MODIFIER_REQUIRED")) is flagged, pay.kind


def test_medicaid_drug_line_without_ndc_is_flagged(biller):
    visit = f.chemo_with_hydration(biller, f.payer("medicaid"))
    visit.charge_lines.filter(code="J9263").update(ndc="", ndc_quantity=None, ndc_unit="")
    claim = build(visit)
    services.claim_scrub(claim=claim)
    assert [e.rule_id for e in edits(claim, "PAYER_NDC_REQUIRED")] == ["MCD-NDC-J"]


def test_admin_list_shows_source_and_shipped_and_keeps_the_rule_id(admin_user):
    services.payer_rule_save(
        rule=None,
        payer=None,
        config={
            "kind": "ndc_required",
            "rule_id": "OWN-NDC",
            "code_prefixes": ["J"],
            "source": "our contract",
        },
        enabled=True,
        actor=admin_user,
    )
    client = client_for(admin_user)
    changelist = reverse("admin:claims_payerrule_changelist")
    page = client.get(changelist).content.decode()
    assert "Shipped reference rule" in page and "42 CFR 447.520(b)" in page and "our contract" in page
    shipped_only = client.get(changelist, {"shipped": "yes"}).content.decode()
    assert "MCR-JW-JZ" in shipped_only and "OWN-NDC" not in shipped_only
    row = PayerRule.objects.get(rule_id="MCD-NDC-J")
    change = reverse("admin:claims_payerrule_change", args=[row.pk])
    assert "medicaid-ndc.json" in client.get(change).content.decode()
    response = client.post(
        change,
        {
            "config": json.dumps({**row.config, "rule_id": "RENAMED"}),
            "enabled": "on",
            "versions-TOTAL_FORMS": "0",
            "versions-INITIAL_FORMS": "0",
        },
    )
    assert (
        response.status_code == 200 and "its rule_id stays MCD-NDC-J and it has" in response.content.decode()
    )
    assert PayerRule.objects.get(pk=row.pk).rule_id == "MCD-NDC-J"


def test_a_malformed_shipped_file_stops_the_load(tmp_path):
    broken = copy_with(tmp_path, "MCD-NDC-J", source="")
    with pytest.raises(ReferenceDataError, match="citation"):
        reference_payer_rules_load(directory=broken)
    other = tmp_path / "other"
    (other).mkdir()
    (other / "x.json").write_text(
        json.dumps({"key": "X-1", "title": "t", "rule": {"kind": "nope", "rule_id": "X-1"}})
    )
    with pytest.raises(ReferenceDataError, match=r"x\.json"):
        reference_payer_rules_load(directory=other)


def test_the_api_switches_a_shipped_rule_off_but_cannot_pin_it_to_one_payer(admin_user):
    client = APIClient()
    client.force_authenticate(admin_user)
    row = PayerRule.objects.get(rule_id="MCR-JW-JZ")
    url = f"/api/v1/claims/payer-rules/{row.pk}/"
    pinned = client.patch(url, {"payer": str(f.payer("medicare").public_id)}, format="json")
    assert pinned.status_code == 400 and "shipped reference rule" in pinned.content.decode()
    assert client.patch(url, {"enabled": False, "note": "paused"}, format="json").status_code == 200
    reference_payer_rules_load()
    row.refresh_from_db()
    assert not row.enabled and row.payer is None

"""`manage.py code_visits` and POST /api/v1/coding/preview."""

from __future__ import annotations

import json
from io import StringIO
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command

from coding.demo import seed_catalog
from tests.fixture_files import fixture_path

EXAMPLES = fixture_path("coding", "encounters.json")
ENCOUNTER = {
    "id": "visit-1042",
    "date_of_service": "2026-11-02",
    "site_of_care": "office",
    "payer_type": "medicare",
    "evaluation": {"code": "99213", "separately_identifiable": True},
    "administrations": [
        {
            "drug": "J1745",
            "route": "iv_infusion",
            "start": "09:00",
            "stop": "11:45",
            "dose": "400",
            "dose_unit": "mg",
            "wasted": "0",
            "iv_site": "A",
        }
    ],
}


def keyset(lines):
    return sorted((line["code"], tuple(sorted(line["modifiers"])), line["units"]) for line in lines)


@pytest.mark.django_db
def test_code_visits_prints_the_examples_lines(tmp_path):
    examples = json.loads(EXAMPLES.read_text())
    out = StringIO()
    call_command("code_visits", str(EXAMPLES), stdout=out)
    results = {r["id"]: r for r in json.loads(out.getvalue())}
    assert len(results) == len(examples)
    for example in examples:
        expected = sorted(
            (e["code"], tuple(sorted(e["modifiers"])), e["units"]) for e in example["expected_lines"]
        )
        assert keyset(results[example["id"]]["lines"]) == expected, example["title"]
        assert all(line["reason"] for line in results[example["id"]]["lines"])


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"drug": "J9999"}, "encounter bad-1: administrations[0].drug"),
        ({"stop": "08:00"}, "encounter bad-1: administrations[0].stop"),
    ],
)
def test_code_visits_names_the_encounter_and_field(tmp_path, change, message):
    seed_catalog()
    bad = {**ENCOUNTER, "id": "bad-1", "administrations": [{**ENCOUNTER["administrations"][0], **change}]}
    path = tmp_path / "visits.json"
    path.write_text(json.dumps([ENCOUNTER, bad]))
    out = StringIO()
    with pytest.raises(CommandError, match=message.replace("[", r"\[").replace("]", r"\]")):
        call_command("code_visits", str(path), stdout=out)
    assert out.getvalue() == ""  # nothing printed for a partly bad file


def test_code_visits_refuses_a_file_that_is_not_json(tmp_path):
    path = tmp_path / "visits.json"
    path.write_text("{not json")
    with pytest.raises(CommandError, match="not valid JSON"):
        call_command("code_visits", str(path), "--catalog", str(Path("coding/data/drugs.csv")))


@pytest.mark.django_db
def test_preview_api_codes_one_encounter(biller, api_client):
    seed_catalog()
    api_client.force_authenticate(biller)
    response = api_client.post("/api/v1/coding/preview", ENCOUNTER, format="json")
    assert response.status_code == 200
    assert keyset(response.json()["lines"]) == [
        ("96365", (), 1),
        ("96366", (), 2),
        ("99213", ("25",), 1),
        ("J1745", ("JZ",), 40),
    ]


@pytest.mark.django_db
def test_preview_api_refuses_bad_input_with_a_clear_error(biller, api_client):
    seed_catalog()
    api_client.force_authenticate(biller)
    bad = {**ENCOUNTER, "administrations": [{**ENCOUNTER["administrations"][0], "start": "9am"}]}
    response = api_client.post("/api/v1/coding/preview", bad, format="json")
    assert response.status_code == 400
    assert "administrations[0].start" in response.json()["message"]
    assert api_client.post("/api/v1/coding/preview", [1, 2], format="json").status_code == 400


@pytest.mark.django_db
def test_preview_api_is_not_for_nurses(nurse, api_client):
    api_client.force_authenticate(nurse)
    assert api_client.post("/api/v1/coding/preview", ENCOUNTER, format="json").status_code == 403

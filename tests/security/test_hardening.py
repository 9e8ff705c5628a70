"""Findings 6 (audit address), 7 (500s become clear 4xx) and 8 (CSP, no-store)."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from django.test import Client, RequestFactory
from django.urls import reverse

from infusion_rcm.audit.context import client_ip
from infusion_rcm.audit.models import AuditEntry
from tests.conftest import client_for
from tests.factories import PatientFactory

ROOT = Path(__file__).resolve().parents[2]


# ---- 6. the audit address -------------------------------------------------------------------


@pytest.mark.parametrize(
    ("count", "forwarded", "expected"),
    [
        (0, "6.6.6.6", "10.0.0.9"),  # nothing trusted: the connection's address, whatever the header says
        (1, "6.6.6.6, 203.0.113.7", "203.0.113.7"),  # the client wrote 6.6.6.6; our proxy appended .7
        (2, "6.6.6.6, 203.0.113.7, 198.51.100.2", "203.0.113.7"),
        (1, "", "10.0.0.9"),  # fewer hops than proxies: not through the proxy
        (1, "not-an-address", "10.0.0.9"),
    ],
)
def test_the_audit_address_comes_from_the_trusted_proxy_hop(settings, count, forwarded, expected):
    settings.TRUSTED_PROXY_COUNT = count
    request = RequestFactory().get("/", REMOTE_ADDR="10.0.0.9", HTTP_X_FORWARDED_FOR=forwarded)
    assert client_ip(request) == expected


@pytest.mark.django_db
def test_a_forged_forwarded_for_does_not_reach_the_audit_log(biller, settings):
    settings.TRUSTED_PROXY_COUNT = 1
    patient = PatientFactory()
    client_for(biller).get(
        reverse("intake:patient_detail", args=[patient.public_id]),
        REMOTE_ADDR="172.18.0.1",
        HTTP_X_FORWARDED_FOR="1.2.3.4, 203.0.113.50",
    )
    entry = AuditEntry.objects.get(action="view", object_id=str(patient.pk))
    assert entry.ip == "203.0.113.50"


def test_compose_publishes_gunicorn_on_loopback_only():
    compose = (ROOT / "docker-compose.yml").read_text()
    ports = re.findall(r'-\s*"([^"]+:8000)"', compose)
    assert ports == ["127.0.0.1:8000:8000"]


# ---- 7. no 500s -----------------------------------------------------------------------------


@pytest.mark.django_db
def test_starting_a_visit_without_an_order_is_a_message_not_a_500(nurse):
    client = client_for(nurse)
    for data in ({}, {"order": "not-a-uuid"}, {"order": "00000000-0000-0000-0000-000000000000"}):
        response = client.post(reverse("coding:visit_list"), data, follow=True)
        assert response.status_code == 200
        assert "Choose one of the orders" in response.content.decode()


@pytest.mark.django_db
def test_a_huge_limit_or_offset_is_capped_not_a_500(biller, settings):
    for _ in range(3):
        PatientFactory()
    settings.API_MAX_PAGE_SIZE = 2
    client = client_for(biller)
    response = client.get("/api/v1/intake/patients/", {"limit": 10**30})
    assert response.status_code == 200
    assert len(response.json()["results"]) == 2
    response = client.get("/api/v1/intake/patients/", {"offset": 10**30})
    assert response.status_code == 200 and response.json()["results"] == []


@pytest.mark.django_db
def test_deeply_nested_json_is_a_400(biller):
    client = client_for(biller)
    for depth in (40, 100_000):
        body = "[" * depth + "]" * depth
        response = client.post("/api/v1/coding/preview", body, content_type="application/json")
        assert response.status_code == 400
        assert "nested" in response.json()["message"]


@pytest.mark.django_db
def test_an_oversize_api_body_is_a_json_413(biller, settings):
    client = client_for(biller)
    body = '{"x": "' + "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10) + '"}'
    response = client.post("/api/v1/coding/preview", body, content_type="application/json")
    assert response.status_code == 413
    assert response.json()["code"] == "request.too_large"
    page = client.post(
        reverse("coding:visit_list"),
        "order=" + "a" * (settings.DATA_UPLOAD_MAX_MEMORY_SIZE + 10),
        content_type="application/x-www-form-urlencoded",
    )
    assert page.status_code == 413 and "larger than" in page.content.decode()


# ---- 8. CSP and caching ---------------------------------------------------------------------


@pytest.mark.django_db
def test_pages_carry_a_policy_without_unsafe_inline(biller):
    response = client_for(biller).get(reverse("intake:patient_list"))
    policy = response["Content-Security-Policy"]
    assert "script-src 'self'" in policy and "unsafe-inline" not in policy and "unsafe-eval" not in policy
    assert "frame-ancestors 'none'" in policy


def _served_templates():
    for path in sorted((ROOT / "templates").rglob("*.html")):
        text = re.sub(r"{#.*?#}|{% comment %}.*?{% endcomment %}", "", path.read_text(), flags=re.S)
        if "@page" in text or path.parts[-2] == "pdf":
            continue  # rendered into PDFs by WeasyPrint, never served as a page
        yield path, text


def test_no_template_needs_unsafe_inline():
    """Inline <script>/<style> only with the request's nonce; no event-handler or style attributes."""
    problems = []
    for path, text in _served_templates():
        rel = path.relative_to(ROOT)
        for tag in re.findall(r"<(?:script|style)\b[^>]*>", text):
            if "src=" not in tag and "csp_nonce" not in tag and 'type="application/json"' not in tag:
                problems.append(f"{rel}: {tag}")
        for attr in re.findall(r"\s(on[a-z]+|style)\s*=", text):
            problems.append(f"{rel}: {attr}= attribute")
        if "javascript:" in text:
            problems.append(f"{rel}: javascript: URL")
    assert not problems, "\n".join(problems)


@pytest.mark.django_db
def test_patient_pages_api_and_files_are_not_cached(biller):
    patient = PatientFactory()
    client = client_for(biller)
    for url in (
        reverse("intake:patient_detail", args=[patient.public_id]),
        f"/api/v1/intake/patients/{patient.public_id}/",
        reverse("accounts:login"),
    ):
        response = client.get(url)
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url


def test_static_files_may_still_be_cached():
    response = Client().get("/static/css/app.css")
    assert "no-store" not in response.get("Cache-Control", "")

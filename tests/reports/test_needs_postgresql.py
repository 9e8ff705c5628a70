"""On embedded SQLite the dashboards answer 503 with a sentence (pages and API), never a 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from tests.conftest import client_for


@pytest.fixture
def manager_client(manager):
    return client_for(manager)


@pytest.fixture
def on_sqlite(monkeypatch):
    # The reports' SQL is PostgreSQL's; the suite runs on PostgreSQL, so the engine is the one
    # thing this test pretends about.
    monkeypatch.setattr("reports.engine_check.on_postgresql", lambda: False)
    monkeypatch.setattr("reports.api.views.on_postgresql", lambda: False)


@pytest.mark.django_db
@pytest.mark.parametrize("name", ["reports:dashboard", "reports:ar_aging", "reports:kpis", "reports:denials"])
def test_pages_say_they_need_postgresql(manager_client, on_sqlite, name):
    response = manager_client.get(reverse(name))
    assert response.status_code == 503
    assert "need PostgreSQL" in response.content.decode()


@pytest.mark.django_db
def test_api_says_it_needs_postgresql(manager, on_sqlite):
    from rest_framework.test import APIClient

    client = APIClient()
    client.force_authenticate(manager)
    response = client.get("/api/v1/reports/ar-aging")
    assert response.status_code == 503
    body = response.json()
    assert body["code"] == "needs_postgresql" and "need PostgreSQL" in body["message"]


@pytest.mark.django_db
def test_on_postgresql_the_pages_answer(manager_client):
    assert manager_client.get(reverse("reports:ar_aging")).status_code == 200

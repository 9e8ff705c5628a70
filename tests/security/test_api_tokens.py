"""Finding 3 (tokens expire, honour the idle sign-out, die with a password change, and each user
manages their own) and the Low finding that unauthenticated API calls got 403, not 401."""

from __future__ import annotations

from datetime import timedelta

import pytest
import time_machine
from django.urls import reverse
from django.utils import timezone
from rest_framework.test import APIClient

from infusion_rcm.accounts.models import ApiToken
from infusion_rcm.audit.models import AuditEntry
from tests.conftest import client_for

pytestmark = pytest.mark.django_db
URL = "/api/v1/intake/patients/"


def api_with(token: str) -> APIClient:
    client = APIClient()
    client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    return client


def test_unauthenticated_api_calls_get_401_with_the_scheme(api_client):
    response = api_client.get(URL)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert response.json()["code"] == "not_authenticated"


def test_a_user_creates_uses_and_revokes_their_own_token(biller):
    page = client_for(biller)
    response = page.post(reverse("accounts:tokens"), {"action": "create", "label": "export script"})
    assert response.status_code == 200
    secret = response.context["new_token"]
    assert secret.startswith("rcm_") and secret in response.content.decode()
    assert "no-store" in response["Cache-Control"]
    assert api_with(secret).get(URL).status_code == 200
    # Stored as a digest only: the page never shows it again.
    listing = page.get(reverse("accounts:tokens")).content.decode()
    assert secret not in listing and "export script" in listing
    token = ApiToken.objects.get(user=biller)
    page.post(reverse("accounts:tokens"), {"action": "revoke", "token": token.digest})
    assert api_with(secret).get(URL).status_code == 401
    actions = list(
        AuditEntry.objects.filter(object_type="accounts.apitoken").values_list("action", flat=True)
    )
    assert sorted(actions) == ["token_create", "token_revoke"]


def test_rotating_replaces_the_token(biller):
    page = client_for(biller)
    first = page.post(reverse("accounts:tokens"), {"action": "create", "label": "x"}).context["new_token"]
    digest = ApiToken.objects.get(user=biller).digest
    second = page.post(reverse("accounts:tokens"), {"action": "rotate", "token": digest}).context["new_token"]
    assert second != first
    assert api_with(first).get(URL).status_code == 401
    assert api_with(second).get(URL).status_code == 200
    assert ApiToken.objects.get(user=biller).label == "x"


def test_nobody_revokes_another_users_token(biller, manager):
    ApiToken.objects.create(user=biller)
    digest = ApiToken.objects.get(user=biller).digest
    client_for(manager).post(reverse("accounts:tokens"), {"action": "revoke", "token": digest})
    assert ApiToken.objects.filter(digest=digest).exists()


def test_a_token_unused_for_the_idle_time_stops_working(biller, settings):
    _, secret = ApiToken.objects.create(user=biller)
    client = api_with(secret)
    start = timezone.now()
    with time_machine.travel(start + timedelta(minutes=settings.IDLE_TIMEOUT_MINUTES - 1), tick=False):
        assert client.get(URL).status_code == 200  # used within the window: extended
    with time_machine.travel(start + timedelta(minutes=2 * settings.IDLE_TIMEOUT_MINUTES - 3), tick=False):
        assert client.get(URL).status_code == 200
    with time_machine.travel(start + timedelta(minutes=4 * settings.IDLE_TIMEOUT_MINUTES), tick=False):
        assert client.get(URL).status_code == 401
    assert not ApiToken.objects.filter(user=biller).exists()


def test_a_token_in_daily_use_still_ends_at_its_maximum_age(biller, settings):
    _, secret = ApiToken.objects.create(user=biller)
    client = api_with(secret)
    start = timezone.now()
    step = timedelta(minutes=settings.IDLE_TIMEOUT_MINUTES - 2)
    at = start
    while at < start + timedelta(hours=settings.API_TOKEN_MAX_HOURS) - step:
        at += step
        with time_machine.travel(at, tick=False):
            assert client.get(URL).status_code == 200
    with time_machine.travel(start + timedelta(hours=settings.API_TOKEN_MAX_HOURS, minutes=1), tick=False):
        assert client.get(URL).status_code == 401


def test_a_password_change_revokes_every_token(biller):
    _, secret = ApiToken.objects.create(user=biller)
    biller.set_password("Tide-Pool-Harbor-42")
    biller.save()
    assert api_with(secret).get(URL).status_code == 401
    assert AuditEntry.objects.filter(action="password_change", object_id=str(biller.pk)).exists()


def test_a_deactivated_user_is_refused(biller):
    _, secret = ApiToken.objects.create(user=biller)
    biller.is_active = False
    biller.save()
    assert api_with(secret).get(URL).status_code == 401

"""Sign-in, lock-out, idle sign-out, password rules."""

from __future__ import annotations

import time
from datetime import timedelta

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.test import Client
from django.urls import reverse
from django.utils import timezone

from infusion_rcm.accounts.middleware import SESSION_KEY
from infusion_rcm.audit.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def sign_in(client: Client, username: str, password: str):
    return client.post(reverse("accounts:login"), {"username": username, "password": password})


def test_sign_in_and_out(biller):
    client = Client()
    response = sign_in(client, "bill", PASSWORD)
    assert response.status_code == 302
    assert client.get(reverse("intake:patient_list")).status_code == 200
    client.post(reverse("accounts:logout"))
    assert client.get(reverse("intake:patient_list")).status_code == 302
    assert AuditEntry.objects.filter(action="login", username="bill").count() == 1


def test_lock_out_after_repeated_failures(biller, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(2):
        response = sign_in(client, "bill", "wrong-password")
        assert "Please enter a correct username and password" in response.content.decode()
    response = sign_in(client, "bill", "wrong-password")
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    # Even the right password is refused while locked.
    response = sign_in(client, "bill", PASSWORD)
    assert response.status_code == 429
    assert "Too many failed sign-ins" in response.content.decode()
    assert AuditEntry.objects.filter(action="login_failed", object_id=str(biller.pk)).count() == 2
    assert AuditEntry.objects.filter(action="login_locked", object_id=str(biller.pk)).exists()
    assert not AuditEntry.objects.filter(action="login", username="bill").exists()


def test_lock_out_expires(biller, settings):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 1
    client = Client()
    assert sign_in(client, "bill", "wrong-password").status_code == 429
    AccessAttempt.objects.update(
        attempt_time=timezone.now() - settings.AXES_COOLOFF_TIME - timedelta(seconds=1)
    )
    assert sign_in(client, "bill", PASSWORD).status_code == 302


def test_success_resets_the_failure_count(biller, settings):
    from axes.models import AccessAttempt

    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    sign_in(client, "bill", "wrong")
    sign_in(client, "bill", "wrong")
    assert sign_in(client, "bill", PASSWORD).status_code == 302
    assert not AccessAttempt.objects.filter(username="bill").exists()


def test_signed_out_after_idle_minutes(biller, settings):
    settings.IDLE_TIMEOUT_MINUTES = 15
    client = Client()
    sign_in(client, "bill", PASSWORD)
    assert client.get(reverse("intake:patient_list")).status_code == 200
    session = client.session
    session[SESSION_KEY] = time.time() - 16 * 60
    session.save()
    response = client.get(reverse("intake:patient_list"))
    assert response.status_code == 302
    assert response["Location"].endswith("?idle=1")
    assert "signed out after a period of inactivity" in client.get(response["Location"]).content.decode()
    assert client.get(reverse("intake:patient_list")).status_code == 302


def test_activity_within_the_window_keeps_the_session(biller, settings):
    settings.IDLE_TIMEOUT_MINUTES = 15
    client = Client()
    sign_in(client, "bill", PASSWORD)
    session = client.session
    session[SESSION_KEY] = time.time() - 14 * 60
    session.save()
    assert client.get(reverse("intake:patient_list")).status_code == 200


def test_idle_api_session_gets_401_json(biller, settings):
    client = Client()
    sign_in(client, "bill", PASSWORD)
    session = client.session
    session[SESSION_KEY] = time.time() - 60 * 60
    session.save()
    response = client.get("/api/v1/intake/patients/")
    assert response.status_code == 401
    assert response.json()["code"] == "session.expired"


@pytest.mark.parametrize(
    "weak", ["short1A!", "alllowercaseletters", "123456789012345", "password1234", "Abcdefghijklmnop"]
)
def test_weak_passwords_are_refused(weak):
    with pytest.raises(ValidationError):
        validate_password(weak)


def test_a_strong_password_passes():
    validate_password("Tide-Pool-Harbor-42")


def test_password_change(biller):
    client = Client()
    sign_in(client, "bill", PASSWORD)
    url = reverse("accounts:password_change")
    response = client.post(
        url, {"old_password": PASSWORD, "new_password1": "simple", "new_password2": "simple"}
    )
    assert response.status_code == 200  # refused, form shown again
    response = client.post(
        url,
        {
            "old_password": PASSWORD,
            "new_password1": "Tide-Pool-Harbor-42",
            "new_password2": "Tide-Pool-Harbor-42",
        },
    )
    assert response.status_code == 302
    biller.refresh_from_db()
    assert biller.check_password("Tide-Pool-Harbor-42")

"""Finding 1 and the Low lock-out finding: every sign-in path is counted, locked and audited, and
the lock-out looks the same for a real account and an invented name."""

from __future__ import annotations

import pytest
from django.contrib.auth.hashers import MD5PasswordHasher
from django.test import Client
from django.urls import reverse

from infusion_rcm.audit.models import AuditEntry
from tests.conftest import PASSWORD

pytestmark = pytest.mark.django_db


def admin_sign_in(client: Client, username: str, password: str):
    return client.post("/admin/login/?next=/admin/", {"username": username, "password": password})


def test_the_admin_login_counts_failures_audits_them_and_locks(admin_user, settings):
    settings.AXES_FAILURE_LIMIT = 3
    client = Client()
    for _ in range(2):
        assert admin_sign_in(client, "ada", "wrong").status_code == 200
    assert admin_sign_in(client, "ada", "wrong").status_code == 429
    # Locked: the right password on the admin's form does not get in, and the audit log is closed.
    response = admin_sign_in(client, "ada", PASSWORD)
    assert response.status_code == 429
    assert client.get("/admin/audit/auditentry/").status_code == 302
    failed = AuditEntry.objects.filter(action="login_failed", object_id=str(admin_user.pk))
    assert failed.count() == 2
    assert all(e.extra["path"] == "/admin/login/" for e in failed)
    assert AuditEntry.objects.filter(action="login_locked", object_id=str(admin_user.pk)).count() == 2


def test_a_lock_on_one_path_holds_on_the_other(admin_user, settings):
    settings.AXES_FAILURE_LIMIT = 2
    client = Client()
    admin_sign_in(client, "ada", "wrong")
    admin_sign_in(client, "ada", "wrong")
    response = client.post(reverse("accounts:login"), {"username": "ada", "password": PASSWORD})
    assert response.status_code == 429


def test_the_admin_login_success_is_audited(admin_user):
    client = Client()
    assert admin_sign_in(client, "ada", PASSWORD).status_code == 302
    entry = AuditEntry.objects.get(action="login", user=admin_user)
    assert entry.extra["path"] == "/admin/login/"


class CountingHasher(MD5PasswordHasher):
    calls = 0

    def encode(self, password, salt):
        CountingHasher.calls += 1
        return super().encode(password, salt)


def attempts(username: str, n: int) -> list[tuple[int, str, int]]:
    """Status, the page's message block and the number of password hashes, per attempt."""
    client = Client()
    seen = []
    for _ in range(n):
        CountingHasher.calls = 0
        response = client.post(
            reverse("accounts:login"), {"username": username, "password": "Wrong-Pass-123"}
        )
        body = response.content.decode()
        message = body[body.index("<h1>") : body.index("</form>")]
        seen.append((response.status_code, message, CountingHasher.calls))
    return seen


def test_lock_out_message_status_and_work_do_not_reveal_whether_the_account_exists(biller, settings):
    settings.AXES_FAILURE_LIMIT = 2
    settings.PASSWORD_HASHERS = ["tests.security.test_sign_in_paths.CountingHasher"]
    real = attempts("bill", 4)
    invented = attempts("nobody-by-this-name", 4)
    # Same status, same words, same password work, attempt by attempt (csrf tokens aside).
    strip = [(s, m.split('name="csrfmiddlewaretoken"')[0], c) for s, m, c in real]
    strip_invented = [(s, m.split('name="csrfmiddlewaretoken"')[0], c) for s, m, c in invented]
    assert strip == strip_invented
    assert [s for s, _, _ in real] == [200, 429, 429, 429]
    # A locked name is refused before any hashing: no timing difference to measure.
    assert [c for _, _, c in real] == [1, 1, 0, 0]
    assert AuditEntry.objects.filter(
        action="login_locked", extra__username_tried="nobody-by-this-name"
    ).exists()


def test_unknown_sign_in_path_cannot_skip_the_count(biller, settings):
    """authenticate() without a request (a script, a new view) is refused by axes, not let through."""
    from axes.exceptions import AxesBackendRequestParameterRequired
    from django.contrib.auth import authenticate

    with pytest.raises(AxesBackendRequestParameterRequired):
        authenticate(username="bill", password=PASSWORD)

"""Finding 2: the admin role cannot raise itself through the user admin; changes are audited."""

from __future__ import annotations

import pytest
from django.contrib.auth.models import Group
from django.test import Client

from infusion_rcm.accounts.models import ApiToken, User
from infusion_rcm.accounts.roles import Capability, user_has
from infusion_rcm.audit.models import AuditEntry
from tests.conftest import PASSWORD, client_for

pytestmark = pytest.mark.django_db


def change_form_data(user: User, **overrides) -> dict:
    data = {
        "username": user.username,
        "first_name": user.first_name,
        "last_name": user.last_name,
        "email": user.email,
        "role": user.groups.first().name,
        "is_active": "on" if user.is_active else "",
        "last_login_0": "",
        "last_login_1": "",
        "date_joined_0": user.date_joined.strftime("%Y-%m-%d"),
        "date_joined_1": user.date_joined.strftime("%H:%M:%S"),
    }
    data.update(overrides)
    return {k: v for k, v in data.items() if v is not None}


def test_an_admin_cannot_make_themselves_superuser_or_a_biller(admin_user):
    client = client_for(admin_user)
    url = f"/admin/accounts/user/{admin_user.pk}/change/"
    page = client.get(url).content.decode()
    assert 'name="is_superuser"' not in page and 'name="user_permissions"' not in page
    biller_group = Group.objects.get(name="biller")
    response = client.post(
        url,
        change_form_data(
            admin_user,
            role="biller",
            is_superuser="on",
            is_staff="on",
            groups=[biller_group.pk],
            user_permissions=[],
        ),
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    admin_user.refresh_from_db()
    assert not admin_user.is_superuser
    assert [g.name for g in admin_user.groups.all()] == ["admin"]
    assert not user_has(User.objects.get(pk=admin_user.pk), Capability.PATIENT_VIEW)


def test_an_admin_gives_another_user_one_role_and_it_is_audited(admin_user, nurse):
    client = client_for(admin_user)
    response = client.post(f"/admin/accounts/user/{nurse.pk}/change/", change_form_data(nurse, role="biller"))
    assert response.status_code == 302
    assert [g.name for g in nurse.groups.all()] == ["biller"]
    rows = AuditEntry.objects.filter(action="role_change", object_id=str(nurse.pk), user=admin_user)
    assert sorted(rows.values_list("extra", flat=True), key=str) == [
        {"added": ["biller"]},
        {"removed": ["nurse"]},
    ]


def test_an_admin_cannot_touch_a_superuser_account(admin_user):
    root = User.objects.create_superuser("root", "root@example.org", PASSWORD)
    client = client_for(admin_user)
    assert client.get(f"/admin/accounts/user/{root.pk}/change/").status_code == 403
    assert client.get(f"/admin/accounts/user/{root.pk}/password/").status_code == 403


def test_an_admin_cannot_edit_groups_or_permissions(admin_user):
    client = client_for(admin_user)
    assert client.get("/admin/auth/group/").status_code == 403


def test_password_change_in_the_admin_is_audited_and_revokes_tokens(admin_user, biller):
    ApiToken.objects.create(user=biller)
    client = client_for(admin_user)
    response = client.post(
        f"/admin/accounts/user/{biller.pk}/password/",
        {"password1": "Tide-Pool-Harbor-42", "password2": "Tide-Pool-Harbor-42", "usable_password": "true"},
    )
    assert response.status_code == 302
    assert not ApiToken.objects.filter(user=biller).exists()
    entry = AuditEntry.objects.get(action="password_change", object_id=str(biller.pk))
    assert entry.user == admin_user and entry.extra["tokens_revoked"] == 1


def test_tokens_are_never_shown_in_the_admin(admin_user, biller):
    _, secret = ApiToken.objects.create(user=biller)
    client = client_for(admin_user)
    listing = client.get("/admin/accounts/apitoken/")
    assert listing.status_code == 200
    assert secret not in listing.content.decode()
    assert client.get("/admin/accounts/apitoken/add/").status_code == 403
    assert client.get("/admin/authtoken/").status_code == 404
    assert client.get("/admin/knox/").status_code == 404


def test_deactivating_a_user_is_audited(admin_user, nurse):
    client = client_for(admin_user)
    client.post(f"/admin/accounts/user/{nurse.pk}/change/", change_form_data(nurse, is_active=""))
    nurse.refresh_from_db()
    assert not nurse.is_active
    entry = AuditEntry.objects.get(action="update", object_type="accounts.user", object_id=str(nurse.pk))
    assert entry.changed_fields == ["is_active"] and entry.user == admin_user


def test_a_new_user_through_the_admin_gets_exactly_one_role(admin_user):
    client = client_for(admin_user)
    response = client.post(
        "/admin/accounts/user/add/",
        {
            "username": "newbie",
            "role": "nurse",
            "password1": "Tide-Pool-Harbor-42",
            "password2": "Tide-Pool-Harbor-42",
            "usable_password": "true",
            "is_superuser": "on",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    newbie = User.objects.get(username="newbie")
    assert [g.name for g in newbie.groups.all()] == ["nurse"]
    assert not newbie.is_superuser and not newbie.is_staff
    assert AuditEntry.objects.filter(action="role_change", object_id=str(newbie.pk)).exists()
    assert (
        Client()
        .post("/accounts/login/", {"username": "newbie", "password": "Tide-Pool-Harbor-42"})
        .status_code
        == 302
    )

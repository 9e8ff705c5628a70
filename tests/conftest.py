"""Shared fixtures: one named user per role, signed-in clients, an API client."""

from __future__ import annotations

import pytest
from django.test import Client
from rest_framework.test import APIClient

from infusion_rcm.accounts.roles import Role

PASSWORD = "Str0ng-Test-Passw0rd!"


@pytest.fixture
def make_user(db):
    from infusion_rcm.accounts.services import roles_sync, user_create

    # A transactional test (the real-worker test) flushes the groups the migration made.
    roles_sync()

    def make(username: str, role: Role):
        return user_create(username=username, password=PASSWORD, role=role)

    return make


@pytest.fixture
def nurse(make_user):
    return make_user("nina", Role.NURSE)


@pytest.fixture
def biller(make_user):
    return make_user("bill", Role.BILLER)


@pytest.fixture
def manager(make_user):
    return make_user("mara", Role.MANAGER)


@pytest.fixture
def admin_user(make_user):
    return make_user("ada", Role.ADMIN)


@pytest.fixture
def users(nurse, biller, manager, admin_user):
    return {"nurse": nurse, "biller": biller, "manager": manager, "admin": admin_user}


def client_for(user) -> Client:
    client = Client()
    client.force_login(user)
    return client


@pytest.fixture
def biller_client(biller):
    return client_for(biller)


@pytest.fixture
def nurse_client(nurse):
    return client_for(nurse)


@pytest.fixture
def api_client():
    return APIClient()

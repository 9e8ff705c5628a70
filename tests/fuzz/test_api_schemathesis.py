"""schemathesis over the OpenAPI schema, as each role, through the WSGI app: no 5xx answer.
Bounded: a few examples per operation and a time budget per role (SCHEMATHESIS_SECONDS)."""

from __future__ import annotations

import json
import os
import time

import pytest

pytestmark = [pytest.mark.fuzz, pytest.mark.django_db(transaction=True)]
BUDGET = float(os.environ.get("SCHEMATHESIS_SECONDS", "60"))


@pytest.mark.parametrize("role", ["nurse", "biller", "manager", "admin"])
def test_no_server_errors_for_role(role, users):
    import schemathesis

    from infusion_rcm.accounts.models import ApiToken
    from infusion_rcm.wsgi import application

    _, secret = ApiToken.objects.create(user=users[role])
    from drf_spectacular.generators import SchemaGenerator

    schema = schemathesis.openapi.from_dict(
        json.loads(json.dumps(SchemaGenerator().get_schema(public=True), default=str))
    )
    schema.app = application
    deadline = time.monotonic() + BUDGET
    errors: list[str] = []
    checked = 0
    for result in schema.get_all_operations():
        if time.monotonic() > deadline:
            break
        _check(result.ok(), secret, errors)
        checked += 1
    assert checked >= 5  # the budget covered operations, not just the schema load
    assert errors == []


def _check(operation, secret: str, errors: list[str]) -> None:
    from hypothesis import HealthCheck, Phase, given, settings

    @settings(max_examples=3, deadline=None, database=None, phases=[Phase.explicit, Phase.generate],
              suppress_health_check=list(HealthCheck))  # fmt: skip
    @given(case=operation.as_strategy())
    def run(case):
        response = case.call(headers={"Authorization": f"Token {secret}"})
        if response.status_code >= 500:
            errors.append(f"{operation.method.upper()} {operation.path} -> {response.status_code}")

    run()

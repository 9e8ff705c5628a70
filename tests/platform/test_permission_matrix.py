"""Walk every page and API endpoint with every role: allowed (200) or 403.

Every named URL must appear in EXPECTED; a new page without an entry fails this test, so
each issue that adds pages extends the matrix. Each app keeps its part in
`tests/<app>/matrix.py` (EXPECTED and ARGS dicts, merged here); ARGS builds the URL
arguments a page needs.
"""

from __future__ import annotations

import importlib
from collections.abc import Callable

import pytest
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver, reverse

from tests.matrix_roles import ALL

EXPECTED: dict[str, set[str]] = {
    "audit:entry_list": {"admin"},
    "platform:dashboard": {"manager"},
    "api-schema": ALL,
    "api-docs": ALL,
}
ARGS: dict[str, Callable[[], dict]] = {}
for _app in ("intake", "coding", "claims", "payments", "denials", "reports"):
    try:
        _part = importlib.import_module(f"tests.{_app}.matrix")
    except ModuleNotFoundError:
        continue
    EXPECTED.update(_part.EXPECTED)
    ARGS.update(getattr(_part, "ARGS", {}))

# URL names that are not role pages: sign-in flow, health, root redirect, Django admin
# (which guards itself per model and is covered in its own tests).
OPEN_OR_SELF_GUARDED_PREFIXES = ("accounts:", "admin:", "healthz", "home")


def named_patterns(resolver: URLResolver | None = None, prefix: str = "") -> list[str]:
    resolver = resolver or get_resolver()
    names = []
    for entry in resolver.url_patterns:
        if isinstance(entry, URLResolver):
            namespace = f"{prefix}{entry.namespace}:" if entry.namespace else prefix
            names.extend(named_patterns(entry, namespace))
        elif isinstance(entry, URLPattern) and entry.name:
            names.append(prefix + entry.name)
    return names


def role_pages() -> list[str]:
    names = sorted(set(named_patterns()))
    return [n for n in names if not n.startswith(OPEN_OR_SELF_GUARDED_PREFIXES) and "format" not in n]


def test_every_page_is_in_the_matrix():
    missing = [name for name in role_pages() if name not in EXPECTED]
    assert not missing, f"add these URL names to EXPECTED: {missing}"


@pytest.mark.django_db
@pytest.mark.parametrize("name", sorted(EXPECTED))
def test_role_matrix(name, users):
    kwargs = ARGS.get(name, dict)()
    url = reverse(name, kwargs=kwargs)
    for role, user in users.items():
        client = Client()
        client.force_login(user)
        status = client.get(url).status_code
        if role in EXPECTED[name]:
            # 405: a POST-only action the role may use (the role check runs before the method check)
            assert status in (200, 405), f"{role} should reach {name} ({url}), got {status}"
        else:
            assert status == 403, f"{role} must get 403 on {name} ({url}), got {status}"

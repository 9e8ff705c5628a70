"""Every URL the app serves is behind sign-in, except those on PUBLIC (each with its reason).

Walks the whole URL resolver, fills each route's parameters with placeholder values and asks as
an anonymous visitor: a page must send to the sign-in page (302 to LOGIN_URL), an API must answer
401 or 403. The check comes before any object lookup, so placeholder ids are enough.
"""

from __future__ import annotations

import re
import uuid

import pytest
from django.conf import settings
from django.shortcuts import resolve_url
from django.test import Client
from django.urls import URLPattern, URLResolver, get_resolver

# The explicit list of URLs anyone may open, and why.
PUBLIC = {
    "healthz": "load balancer health check: status words only, no data",
    "accounts/login/": "the sign-in page",
    "accounts/logout/": "sign-out (POST), harmless when signed out",
    "admin/login/": "the admin's sign-in page (guarded by django-axes like the main one)",
    "admin/logout/": "sign-out",
}

PLACEHOLDERS = {
    "uuid": str(uuid.UUID(int=1)),
    "int": "1",
    "slug": "x",
    "str": "x",
    "path": "x",
}


def _walk(patterns, prefix: tuple[str, ...] = ()):
    for p in patterns:
        route = (*prefix, str(p.pattern))
        if isinstance(p, URLResolver):
            yield from _walk(p.url_patterns, route)
        elif isinstance(p, URLPattern):
            yield route


def _fill(parts: tuple[str, ...]) -> str | None:
    filled = [_fill_part(p) for p in parts]
    return None if None in filled else "".join(filled)


def _fill_part(route: str) -> str | None:
    if route.startswith("^") or "(?P" in route:  # regex routes (admin, DRF format suffixes)
        route = re.sub(r"\(\?P<(\w+)>[^)]*\)", "1", route)
        route = route.replace("^", "").replace("$", "").replace("\\.", ".").replace("\\", "")
        if re.search(r"[\[\](){}*+?|]", route) or route.endswith(".1"):  # format suffixes
            return None
    return re.sub(r"<(?:(\w+):)?\w+>", lambda m: PLACEHOLDERS.get(m.group(1) or "str", "x"), route)


def _routes() -> list[str]:
    routes = {_fill(r) for r in _walk(get_resolver().url_patterns)}
    return sorted(r for r in routes if r is not None)


def _is_public(path: str) -> bool:
    return path in PUBLIC or path.startswith(settings.STATIC_URL.lstrip("/"))


@pytest.mark.django_db
def test_every_url_needs_sign_in_except_the_public_list():
    client = Client()
    login = resolve_url(settings.LOGIN_URL)
    open_urls = []
    for route in _routes():
        if _is_public(route):
            continue
        response = client.get("/" + route)
        if response.status_code in (401, 403):
            continue
        if response.status_code == 302 and (
            login in response["Location"] or "/admin/login/" in response["Location"]
        ):
            continue
        if response.status_code == 404 and route.startswith("admin/"):
            continue  # the admin's catch-all answers 404 for what it does not serve
        if response.status_code == 405:  # POST-only: ask the way it is used
            response = client.post("/" + route)
            if response.status_code in (401, 403) or (
                response.status_code == 302 and login in response["Location"]
            ):
                continue
        open_urls.append(f"/{route} -> {response.status_code}")
    assert open_urls == []


def test_public_list_names_real_urls():
    routes = set(_routes())
    assert set(PUBLIC) <= routes

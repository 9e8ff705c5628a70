"""Error pages, the API behind login, seed_demo, the domain import ban."""

from __future__ import annotations

import subprocess
from pathlib import Path

import pytest
from django.core.management import CommandError, call_command
from django.test import Client, override_settings
from django.urls import path

from infusion_rcm.accounts.models import User
from intake.models import BillingProvider, ServiceLocation

ROOT = Path(__file__).resolve().parents[2]


def boom(request):
    raise RuntimeError("secret-internal-detail at /srv/app/x.py")


urlpatterns = [path("boom/", boom)]
handler500 = "infusion_rcm.platform.views.error_500"


@pytest.mark.django_db
def test_404_reveals_nothing(biller_client):
    response = biller_client.get("/no/such/page/")
    assert response.status_code == 404
    body = response.content.decode()
    assert "This page does not exist" in body
    assert "urlpatterns" not in body and "Traceback" not in body


@pytest.mark.django_db
@override_settings(ROOT_URLCONF=__name__)
def test_500_reveals_nothing():
    client = Client(raise_request_exception=False)
    response = client.get("/boom/")
    assert response.status_code == 500
    body = response.content.decode()
    assert "Something went wrong" in body
    assert "secret-internal-detail" not in body and "Traceback" not in body


@pytest.mark.django_db
def test_403_page(nurse_client):
    response = nurse_client.get("/audit/")
    assert response.status_code == 403
    assert "You do not have access" in response.content.decode()


@pytest.mark.django_db
def test_schema_and_docs_need_login(client, biller_client):
    assert client.get("/api/schema/").status_code == 302
    assert client.get("/api/docs/").status_code == 302
    assert client.get("/api/v1/intake/patients/").status_code in (401, 403)
    schema = biller_client.get("/api/schema/")
    assert schema.status_code == 200
    assert b"/api/v1/intake/patients/" in schema.content
    docs = biller_client.get("/api/docs/")
    assert docs.status_code == 200
    assert b"cdn" not in docs.content.lower()


@pytest.mark.django_db
def test_token_authentication(biller, api_client):
    from infusion_rcm.accounts.models import ApiToken

    assert api_client.get("/api/v1/intake/patients/").status_code in (401, 403)
    _, token = ApiToken.objects.create(user=biller)
    api_client.credentials(HTTP_AUTHORIZATION=f"Token {token}")
    assert api_client.get("/api/v1/intake/patients/").status_code == 200


@pytest.mark.django_db
def test_navigation_shows_each_role_its_own_pages(users):
    expectations = {
        "nurse": ({"Patients"}, {"Audit log", "Claims", "Reference data"}),
        "biller": ({"Patients"}, {"Audit log", "Reference data", "Dashboard"}),
        "manager": ({"Patients", "Dashboard"}, {"Audit log", "Reference data"}),
        "admin": ({"Audit log", "Reference data"}, {"Patients", "Claims"}),
    }
    for role, (shown, hidden) in expectations.items():
        client = Client()
        client.force_login(users[role])
        response = client.get("/platform/dashboard/" if role == "manager" else "/accounts/password/")
        labels = {item["label"] for item in response.context["nav_items"]}
        assert shown <= labels, role
        assert not (hidden & labels), role


@pytest.mark.django_db
def test_static_htmx_is_vendored(client):
    html = (ROOT / "templates" / "base.html").read_text()
    assert "vendor/htmx/htmx.min.js" in html and "https://" not in html
    assert (ROOT / "static" / "vendor" / "htmx" / "htmx.min.js").stat().st_size > 10_000


@pytest.mark.django_db
def test_seed_demo_is_idempotent(capsys):
    call_command("seed_demo")
    first = (User.objects.count(), BillingProvider.objects.count(), ServiceLocation.objects.count())
    out = capsys.readouterr().out
    assert "Demo-Nina-2026!" in out
    call_command("seed_demo")
    assert (User.objects.count(), BillingProvider.objects.count(), ServiceLocation.objects.count()) == first
    assert first[0] == 4
    assert set(ServiceLocation.objects.values_list("site_of_care", flat=True)) == {"aic", "ais", "home"}
    roles = {u.username: [g.name for g in u.groups.all()] for u in User.objects.all()}
    assert roles == {"nina": ["nurse"], "bill": ["biller"], "mara": ["manager"], "ada": ["admin"]}


@pytest.mark.django_db
def test_seed_demo_refused_outside_demo_mode(settings):
    settings.DEMO_MODE = False
    with pytest.raises(CommandError, match="demo mode"):
        call_command("seed_demo")
    assert not User.objects.exists()


def test_domain_packages_may_not_import_django(tmp_path):
    probe = ROOT / "claims" / "domain" / "_import_probe.py"
    probe.write_text("from django.db import models\nimport celery\n\nX = (models, celery)\n")
    try:
        result = subprocess.run(
            [str(ROOT / ".venv" / "bin" / "ruff"), "check", "--no-cache", "--select", "TID251", str(probe)],
            cwd=ROOT,
            capture_output=True,
            text=True,
        )
    finally:
        probe.unlink()
    assert result.returncode != 0
    assert "TID251" in result.stdout and "django" in result.stdout and "celery" in result.stdout


def test_pure_domain_modules_load_without_django_or_celery():
    code = (
        "import sys; import coding.domain.engine, claims.domain.x12_837, claims.domain.scrubber, "
        "intake.domain.eligibility_270, intake.domain.eligibility_271, intake.domain.authorization, "
        "infusion_rcm.common.money; "
        "bad = sorted({m.split('.')[0] for m in sys.modules} & {'django', 'celery', 'rest_framework'}); print(bad)"
    )
    result = subprocess.run(
        [str(ROOT / ".venv" / "bin" / "python"), "-c", code], cwd=ROOT, capture_output=True, text=True
    )
    assert result.stdout.strip() == "[]", result.stderr

"""Settings are read from the environment, validated at start-up, and production-safe."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
PROD_ENV = {
    "DJANGO_ENV": "production",
    "SECRET_KEY": "k3J9-x8Qw7Zp2Lm5Nv4Bc1Rt6Yh0Ud3Sf8Gj2Ka7Po9Ie5Wq1Xz4Cv6Bn8Mm0Ll",
    "ALLOWED_HOSTS": "rcm.example.org",
    "DATABASE_URL": "postgres://postgres@127.0.0.1:5432/infusion_rcm",
    "REDIS_URL": "redis://127.0.0.1:6379/0",
}


def run_manage(args: list[str], env: dict[str, str]) -> subprocess.CompletedProcess:
    clean = {
        k: v
        for k, v in os.environ.items()
        if k not in {"DJANGO_SETTINGS_MODULE", "DJANGO_ENV", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.pop("DATABASE_URL", None)
    clean.pop("REDIS_URL", None)
    clean.update(env)
    return subprocess.run(
        [sys.executable, "manage.py", *args], cwd=ROOT, env=clean, capture_output=True, text=True, timeout=120
    )


def test_check_deploy_reports_nothing_with_production_values():
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], PROD_ENV)
    assert result.returncode == 0, result.stdout + result.stderr
    assert "no issues" in result.stdout


@pytest.mark.parametrize(
    ("variable", "value", "message"),
    [
        ("IDLE_TIMEOUT_MINUTES", "soon", "IDLE_TIMEOUT_MINUTES='soon' must be a whole number"),
        ("IDLE_TIMEOUT_MINUTES", "0", "IDLE_TIMEOUT_MINUTES=0 must be at least 1"),
        ("DEBUG", "maybe", "DEBUG='maybe' must be true or false"),
        ("DJANGO_ENV", "staging", "DJANGO_ENV='staging' is not one of"),
        ("DATABASE_URL", "mysql://x", "DATABASE_URL must be a URL starting with one of"),
        ("REDIS_URL", "localhost:6379", "REDIS_URL must be a URL starting with one of"),
    ],
)
def test_a_wrong_value_stops_start_up_naming_the_variable(variable, value, message):
    result = run_manage(["check"], {variable: value})
    assert result.returncode != 0
    assert message in result.stderr


@pytest.mark.parametrize(
    ("drop_or_set", "message"),
    [
        ({"SECRET_KEY": ""}, "SECRET_KEY must be set"),
        ({"SECRET_KEY": "short"}, "SECRET_KEY must be a random value"),
        ({"ALLOWED_HOSTS": ""}, "ALLOWED_HOSTS must list"),
        ({"DATABASE_URL": ""}, "DATABASE_URL must be set"),
        ({"REDIS_URL": ""}, "REDIS_URL must be set"),
        ({"DEBUG": "true"}, "DEBUG must be false"),
    ],
)
def test_production_refuses_unsafe_or_missing_values(drop_or_set, message):
    env = {**PROD_ENV, **drop_or_set}
    result = run_manage(["check"], env)
    assert result.returncode != 0
    assert message in result.stderr


def test_embedded_defaults_debug_off_sqlite_and_in_process_tasks(tmp_path):
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print(s.DEBUG, s.DATABASES['default']['ENGINE'], s.CELERY_TASK_ALWAYS_EAGER)"
    )
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DATABASE_URL", "REDIS_URL", "DJANGO_ENV", "DEBUG"}
    }
    clean.update({"DJANGO_SETTINGS_MODULE": "infusion_rcm.settings.local", "VAR_DIR": str(tmp_path)})
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert result.stdout.split() == ["False", "django.db.backends.sqlite3", "True"], result.stderr


def test_secret_can_come_from_a_file(tmp_path):
    secret = tmp_path / "secret"
    secret.write_text(PROD_ENV["SECRET_KEY"] + "\n")
    env = {**PROD_ENV, "SECRET_KEY": "", "SECRET_KEY_FILE": str(secret)}
    result = run_manage(["check", "--deploy", "--fail-level", "WARNING"], env)
    assert result.returncode == 0, result.stderr


def test_production_serves_static_files_through_whitenoise_with_hashed_names():
    code = (
        "import django; django.setup(); from django.conf import settings as s; "
        "print('whitenoise.middleware.WhiteNoiseMiddleware' in s.MIDDLEWARE, "
        "s.STORAGES['staticfiles']['BACKEND'], s.WHITENOISE_USE_FINDERS)"
    )
    clean = {
        k: v for k, v in os.environ.items() if k not in {"DJANGO_ENV", "DEBUG", "DJANGO_ALLOW_ASYNC_UNSAFE"}
    }
    clean.update({**PROD_ENV, "DJANGO_SETTINGS_MODULE": "infusion_rcm.settings.production"})
    result = subprocess.run([sys.executable, "-c", code], cwd=ROOT, env=clean, capture_output=True, text=True)
    assert result.stdout.split() == [
        "True",
        "whitenoise.storage.CompressedManifestStaticFilesStorage",
        "False",
    ], result.stderr

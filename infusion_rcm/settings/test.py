"""Tests run against real PostgreSQL and Redis (DATABASE_URL / REDIS_URL or the local defaults).

There is no silent fallback: if PostgreSQL is unreachable, tests/conftest.py stops the run
with a plain message.
"""

import os

os.environ.setdefault("DATABASE_URL", "postgres://postgres@127.0.0.1:5432/infusion_rcm")
os.environ.setdefault("REDIS_URL", "redis://127.0.0.1:6379/0")
os.environ.setdefault("DJANGO_ENV", "test")

from infusion_rcm.settings.base import *  # noqa: F403
from infusion_rcm.settings.base import DATABASES

PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]  # speed only; tests
# pytest-django creates (and with --reuse-db keeps) test_<name> beside the database DATABASE_URL names.
DATABASES["default"]["TEST"] = {
    "NAME": os.environ.get("TEST_DATABASE_NAME", f"test_{DATABASES['default']['NAME']}")
}
# Tasks are never eager in tests (Celery: eager is "not suitable for unit tests"); tests call
# services directly, call tasks with .apply(), or run a real worker.
CELERY_TASK_ALWAYS_EAGER = False
VALIDATE_BATCHES_WITH_PYX12 = True

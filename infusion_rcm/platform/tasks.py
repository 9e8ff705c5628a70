"""Platform tasks: a probe that writes one row (used by healthchecks and the worker test)."""

from __future__ import annotations

from celery import shared_task
from django.db import OperationalError

from infusion_rcm.platform.models import TaskProbe


@shared_task(
    bind=True,
    acks_late=True,
    autoretry_for=(OperationalError, ConnectionError),
    retry_backoff=True,
    max_retries=5,
)
def platform_probe_task(self, token: str) -> str:
    TaskProbe.objects.get_or_create(token=token, defaults={"worker_hostname": self.request.hostname or ""})
    return token

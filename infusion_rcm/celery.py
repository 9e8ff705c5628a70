"""The Celery app: JSON only, acks_late, one queue per kind of work (docs/architecture.md)."""

from __future__ import annotations

import os

from celery import Celery
from kombu import Queue

from infusion_rcm.settings import default_module

os.environ.setdefault("DJANGO_SETTINGS_MODULE", default_module())

app = Celery("infusion_rcm")
app.config_from_object("django.conf:settings", namespace="CELERY")
app.conf.task_queues = [Queue(name) for name in ("default", "scrub", "batch", "eligibility", "era")]
# One place routes tasks to queues (the task decorator's `queue` is deprecated in Celery 5).
app.conf.task_routes = {
    "claims.tasks.claim_scrub_task": {"queue": "scrub"},
    "claims.tasks.claims_scrub_many_task": {"queue": "scrub"},
    "claims.tasks.batch_build_task": {"queue": "batch"},
    "intake.tasks.eligibility_*": {"queue": "eligibility"},
    "payments.tasks.*": {"queue": "era"},
}
app.autodiscover_tasks()

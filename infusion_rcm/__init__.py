"""Infusion RCM project package. Importing the Celery app here binds @shared_task."""

from infusion_rcm.celery import app as celery_app

__all__ = ["celery_app"]

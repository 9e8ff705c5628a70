"""Operational rows of the platform itself."""

from django.db import models


class TaskProbe(models.Model):
    """Written by `platform_probe_task`: proof that a worker ran a task against this database."""

    token = models.CharField(max_length=64, unique=True)
    worker_hostname = models.CharField(max_length=200, blank=True)
    ran_at = models.DateTimeField(auto_now_add=True)

    def __str__(self) -> str:
        return f"probe {self.token}"

"""The reports' part of seed_demo: the dashboards' facts from the demo's claims and postings, and
today's A/R snapshot (the first point of the A/R trends; beat adds one a day)."""

from __future__ import annotations

from django.utils import timezone

from reports import services
from reports.engine_check import on_postgresql


def seed(stdout) -> None:
    if not on_postgresql():
        stdout.write("Reports: the dashboards need PostgreSQL; skipped.")
        return
    claims = services.facts_rebuild()
    services.ar_snapshot_take(day=timezone.localdate())
    stdout.write(f"Reports: facts for {claims} claims, today's A/R snapshot.")

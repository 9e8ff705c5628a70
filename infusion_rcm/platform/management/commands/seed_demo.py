"""Load demo data: one user per role, a billing provider, its sites of care, and each app's demo.

Idempotent: running it again changes nothing. Refused outside demo mode (DEMO_MODE=false),
so a production database never receives demo users with published passwords.
"""

from __future__ import annotations

import importlib

from django.conf import settings
from django.core.management.base import BaseCommand, CommandError
from django.db import transaction

from infusion_rcm.platform import demo

# Each app's demo module exposes seed(stdout) -> None; order follows the path of a dollar.
APP_DEMOS = ["intake.demo", "coding.demo", "claims.demo", "payments.demo", "denials.demo", "reports.demo"]


class Command(BaseCommand):
    help = "Create demo users (one per role), a billing provider, service locations and sample work."

    def handle(self, *args, **options):
        if not settings.DEMO_MODE:
            raise CommandError("seed_demo only runs in demo mode (DEMO_MODE=true); it publishes passwords.")
        with transaction.atomic():
            users = demo.seed_users()
            demo.seed_provider()
            for module_name in APP_DEMOS:
                try:
                    module = importlib.import_module(module_name)
                except ModuleNotFoundError:
                    continue
                module.seed(self.stdout)
        self.stdout.write(self.style.SUCCESS("Demo data ready. Sign in at http://127.0.0.1:8000/ with:"))
        for username, password, role in users:
            self.stdout.write(f"  {role:<8} {username:<10} {password}")

"""Read a 271 eligibility response file into the pending checks it answers (all or nothing)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from infusion_rcm.common.errors import DomainError
from intake import services


class Command(BaseCommand):
    help = "Import a 271 file: fills the pending eligibility checks matched by TRN trace number."

    def add_arguments(self, parser):
        parser.add_argument("file", help="path of the 271 file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        try:
            text = path.read_text(encoding="utf-8-sig")
        except (OSError, UnicodeDecodeError) as exc:
            raise CommandError(f"cannot read {path}: {exc.__class__.__name__}") from exc
        try:
            checks = services.eligibility_import_271(text=text)
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        self.stdout.write(
            self.style.SUCCESS(f"{len(checks)} eligibility check(s) updated from {path.name}: ")
            + ", ".join(f"{c.public_id} {c.status}" for c in checks)
        )

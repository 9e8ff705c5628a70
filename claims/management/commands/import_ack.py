"""Import a 999 or 277CA acknowledgment file and apply it to submitted claims."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims import services


class Command(BaseCommand):
    help = "Import a 999 or 277CA file (idempotent: the same file twice changes nothing)."

    def add_arguments(self, parser):
        parser.add_argument("file")

    def handle(self, *args, **options):
        path = Path(options["file"])
        if not path.is_file():
            raise CommandError(f"{path} is not a file")
        ack = services.acknowledgment_import(text=path.read_text(), file_name=path.name, actor=None)
        if ack.status == ack.Status.FAILED:
            raise CommandError(f"{path.name}: {ack.error}")
        for row in ack.results:
            self.stdout.write(" ".join(f"{k}={v}" for k, v in row.items()))
        self.stdout.write(f"{ack.kind} {path.name}: {ack.status}")

"""Batch every payer's ready claims into 837 files and write them to a folder (one file per batch)."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand

from claims import services


class Command(BaseCommand):
    help = "Build 837 batches of ready claims (one per payer and form) and write each file to --out."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="folder to write the 837 files to")
        parser.add_argument("--no-validate", action="store_true", help="skip the pyx12 check")

    def handle(self, *args, **options):
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        batches = services.batch_build_all(validate=False if options["no_validate"] else None)
        for batch in batches:
            path = out / batch.file_name
            path.write_text(batch.content)
            state = (
                batch.status
                if not batch.validation_errors
                else f"{batch.status} ({len(batch.validation_errors)} pyx12 errors)"
            )
            self.stdout.write(f"{path} {batch.claim_count} claims {batch.total_charge} {state}")
        if not batches:
            self.stdout.write("No ready claims.")

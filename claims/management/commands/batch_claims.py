"""Batch every payer's ready claims into 837 files and write them to a folder (one file per batch);
with --release, release each validated batch written, as dropping it at a clearinghouse does."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from claims import services
from claims.models import SubmissionBatch


class Command(BaseCommand):
    help = "Build 837 batches of ready claims (one per payer and form) and write each file to --out."

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="folder to write the 837 files to")
        parser.add_argument("--no-validate", action="store_true", help="skip the pyx12 check")
        parser.add_argument(
            "--release",
            action="store_true",
            help="release each validated batch written (its claims -> submitted); held batches stay",
        )

    def handle(self, *args, **options):
        if options["release"] and options["no_validate"]:
            raise CommandError("--release sends only validated batches: drop --no-validate.")
        out = Path(options["out"])
        out.mkdir(parents=True, exist_ok=True)
        batches = services.batch_build_all(validate=False if options["no_validate"] else None)
        released = 0
        for batch in batches:
            path = out / batch.file_name
            path.write_text(batch.content)
            if options["release"] and batch.status == SubmissionBatch.Status.READY and batch.validated:
                batch = services.batch_release(batch=batch, actor=None)
                released += batch.claim_count
            state = (
                batch.status
                if not batch.validation_errors
                else f"{batch.status} ({len(batch.validation_errors)} pyx12 errors)"
            )
            self.stdout.write(f"{path} {batch.claim_count} claims {batch.total_charge} {state}")
        if not batches:
            self.stdout.write("No ready claims.")
        elif options["release"]:
            self.stdout.write(f"Released: {released} claim(s) submitted.")

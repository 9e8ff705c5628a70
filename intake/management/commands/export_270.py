"""Write the 270 inquiries to files, for a clearinghouse or payer portal that takes uploads."""

from __future__ import annotations

from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from infusion_rcm.audit.models import AuditEntry
from infusion_rcm.audit.services import audit_events_bulk
from intake import selectors
from intake.models import EligibilityCheck


class Command(BaseCommand):
    help = (
        "Export 270 eligibility inquiries as X12 files (one per inquiry, <trace number>.270.x12) into "
        "--out DIR: those still waiting for their 271, or every written one with --all. Re-running "
        "rewrites the same files."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--out", required=True, help="directory to write the files into (created if missing)"
        )
        parser.add_argument(
            "--all",
            action="store_true",
            help="also inquiries already answered or failed, not only pending ones",
        )
        parser.add_argument(
            "--trace", action="append", default=[], help="only this trace number (repeatable)"
        )

    def handle(self, *args, **options):
        out = Path(options["out"])
        try:
            out.mkdir(parents=True, exist_ok=True)
        except OSError as exc:
            raise CommandError(f"cannot create {out}: {exc.__class__.__name__}") from exc
        if not out.is_dir():
            raise CommandError(f"{out} is not a directory")
        traces = [t.strip() for t in options["trace"] if t.strip()]
        # A trace number names its inquiry whatever became of it.
        checks = selectors.exportable_270s(include_answered=options["all"] or bool(traces))
        if traces:
            checks = checks.filter(trace_number__in=traces)
            unknown = sorted(set(traces) - set(checks.values_list("trace_number", flat=True)))
            if unknown:
                raise CommandError(
                    f"no written 270 has trace number {', '.join(unknown)}; nothing was exported"
                )
        written: list[EligibilityCheck] = []
        for check in checks:
            name = f"{check.trace_number or check.public_id}.270.x12"
            try:
                (out / name).write_text(check.request_270, encoding="utf-8")
            except OSError as exc:
                raise CommandError(f"cannot write {out / name}: {exc.__class__.__name__}") from exc
            written.append(check)
        # Files of patient data leave the system: the export is audited like a download.
        audit_events_bulk(
            action=AuditEntry.Action.EXPORT, model=EligibilityCheck, ids=[c.pk for c in written]
        )
        self.stdout.write(self.style.SUCCESS(f"{len(written)} 270 file(s) written to {out}"))
        for check in written:
            self.stdout.write(f"  {check.trace_number}.270.x12  {check.coverage.payer.name}  {check.status}")

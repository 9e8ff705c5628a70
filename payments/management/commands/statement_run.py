"""Run patient statements and write their PDFs.

    manage.py statement_run --out DIR [--date YYYY-MM-DD] [--minimum 5.00] [--days 28]

Makes a statement for every patient who owes at least the minimum after the last insurance paid,
had none in the last N days and is not suppressed (docs/billing-rules/patient-statements.md),
stores each (reprintable from the account page), writes each PDF to DIR as
statement_<number>_<account>.pdf, and prints one JSON summary: the run, its rules, the count
and total, what was skipped and why, and each statement (number, account, amount due, dunning
level, file). Bad arguments exit non-zero with the reason; nothing is made.
"""

from __future__ import annotations

import datetime as dt
import json
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from infusion_rcm.common.errors import DomainError
from payments.services import statements


class Command(BaseCommand):
    help = (
        "Make patient statements (PDFs in --out) for every patient who should get one; prints a JSON summary."
    )

    def add_arguments(self, parser):
        parser.add_argument("--out", required=True, help="folder for the PDFs (made if missing)")
        parser.add_argument("--date", help="statement date, YYYY-MM-DD (default: today)")
        parser.add_argument(
            "--minimum", help="minimum patient-due balance, e.g. 5.00 (default: the settings)"
        )
        parser.add_argument("--days", type=int, help="skip patients sent a statement in the last N days")

    def handle(self, *args, **options):
        out = Path(options["out"])
        if out.exists() and not out.is_dir():
            raise CommandError(f"--out {out} is a file, not a folder.")
        day = None
        if options.get("date"):
            try:
                day = dt.date.fromisoformat(options["date"])
            except ValueError:
                raise CommandError(f"--date {options['date']!r} is not a date like 2026-12-01.") from None
        minimum = None
        if options.get("minimum") is not None:
            try:
                minimum = Decimal(options["minimum"])
            except InvalidOperation:
                raise CommandError(f"--minimum {options['minimum']!r} is not an amount like 5.00.") from None
        out.mkdir(parents=True, exist_ok=True)
        try:
            result = statements.statement_run(
                actor=None, as_of=day, minimum=minimum, interval_days=options.get("days")
            )
        except DomainError as exc:
            raise CommandError(exc.message) from exc
        made = []
        for statement in result.statements:
            name = f"statement_{statement.number}_{statement.patient.mrn}.pdf"
            (out / name).write_bytes(bytes(statement.pdf))
            made.append(
                {
                    "statement": statement.number,
                    "public_id": str(statement.public_id),
                    "account": statement.patient.mrn,
                    "amount_due": str(statement.amount_due),
                    "insurance_pending": str(statement.insurance_pending),
                    "dunning_level": statement.dunning_level,
                    "file": name,
                }
            )
        run = result.run
        summary = {
            "run": str(run.public_id),
            "statement_date": run.run_on.isoformat(),
            "minimum": str(run.minimum_balance),
            "interval_days": run.interval_days,
            "statements": run.statement_count,
            "total_due": str(run.total_due),
            "skipped": run.skipped,
            "out": str(out),
            "files": made,
        }
        self.stdout.write(json.dumps(summary, indent=2))

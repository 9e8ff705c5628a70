"""Import a fee schedule version from CSV: a payer's contract, or a reference list.

    manage.py import_fee_schedule PAYER FILE --from 2026-01-01 [--to 2026-12-31] [--name ...] [--replace]
    manage.py import_fee_schedule --reference medicare_fee FILE --from 2026-01-01
    manage.py import_fee_schedule --reference asp FILE --from 2026-01-01 --to 2026-03-31

PAYER is the payer's electronic payer ID (or its exact name). A contract file has the columns
code, modifier, method, rate, percent (and optionally description); a reference file has code,
modifier, amount (docs/billing-rules/payer-contracts.md). The file is checked whole: any faulty
row refuses it, nothing is imported, every faulty line is named and the command exits 1. On
success it prints one JSON object: the schedule, its payer, dates and number of rates.
"""

from __future__ import annotations

import datetime as dt
import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError
from django.db.models import Q

from infusion_rcm.common.errors import DomainError
from intake.models import Payer
from payments.domain.contracts import ScheduleKind
from payments.services.contracts import fee_schedule_import


def _date(text: str) -> dt.date:
    try:
        return dt.date.fromisoformat(text)
    except ValueError:
        raise CommandError(f"{text!r} is not a date (YYYY-MM-DD).") from None


def _payer(text: str) -> Payer:
    matches = list(Payer.objects.filter(Q(payer_id=text) | Q(name__iexact=text))[:2])
    if not matches:
        raise CommandError(f"No payer with the payer ID or name {text!r}.")
    if len(matches) > 1:
        raise CommandError(f"{text!r} names more than one payer: give the electronic payer ID.")
    return matches[0]


class Command(BaseCommand):
    help = "Import a payer's fee schedule (or a Medicare fee / ASP reference list) from CSV, whole or not at all."

    def add_arguments(self, parser):
        parser.add_argument(
            "target", nargs="+", metavar="PAYER FILE", help="PAYER FILE, or FILE with --reference"
        )
        parser.add_argument(
            "--reference",
            choices=[ScheduleKind.MEDICARE_FEE.value, ScheduleKind.ASP.value],
            help="import a reference list contracts point at instead of a payer's contract",
        )
        parser.add_argument(
            "--from", dest="effective_from", required=True, help="first day in force (YYYY-MM-DD)"
        )
        parser.add_argument("--to", dest="effective_to", help="last day in force (default: open-ended)")
        parser.add_argument(
            "--name", default="", help="a name for this version (default: the payer's contract)"
        )
        parser.add_argument(
            "--replace", action="store_true", help="replace the rates of the version starting that day"
        )

    def handle(self, *args, **options):
        target = options["target"]
        reference = options["reference"]
        if reference:
            if len(target) != 1:
                raise CommandError("With --reference give only the FILE.")
            payer, name = None, target[0]
        else:
            if len(target) != 2:
                raise CommandError("Give the PAYER and the FILE (or --reference KIND FILE).")
            payer, name = _payer(target[0]), target[1]
        path = Path(name)
        if not path.is_file():
            raise CommandError(f"{name} is not a file.")
        raw = path.read_bytes()
        try:
            text = raw.decode("utf-8")
        except UnicodeDecodeError:
            text = raw.decode("latin-1")
        try:
            schedule = fee_schedule_import(
                text=text,
                kind=ScheduleKind(reference) if reference else ScheduleKind.CONTRACT,
                payer=payer,
                effective_from=_date(options["effective_from"]),
                effective_to=_date(options["effective_to"]) if options["effective_to"] else None,
                name=options["name"],
                file_name=path.name,
                replace=options["replace"],
            )
        except DomainError as exc:
            raise CommandError(f"{path.name}: {exc.message}") from None
        self.stdout.write(
            json.dumps(
                {
                    "schedule": str(schedule.public_id),
                    "name": schedule.name,
                    "kind": schedule.kind,
                    "payer": payer.payer_id if payer else None,
                    "effective_from": str(schedule.effective_from),
                    "effective_to": str(schedule.effective_to) if schedule.effective_to else None,
                    "rates": schedule.rates.count(),
                }
            )
        )

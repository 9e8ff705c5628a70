"""Import 835 files and post them: one JSON line per file.

    manage.py import_835 FILE [FILE ...]

prints, per file, {"file", "claims_posted", "claims_already_posted", "unmatched", "total_paid",
"errors"}. The same file again posts nothing (claims_already_posted). A file that cannot be read
or does not balance is refused whole: no claim payment or posting is written (it is listed in
the ERA inbox as failed, with the reason), its line carries the error, the reason goes to
stderr, and the command exits 1 once every file has been tried.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

from django.core.management.base import BaseCommand, CommandError

from payments import services
from payments.domain.posting import FileStatus


class Command(BaseCommand):
    help = "Import and post 835 remittance files (idempotent: the same file twice posts once)."

    def add_arguments(self, parser):
        parser.add_argument("files", nargs="+", metavar="FILE")

    def handle(self, *args, **options):
        refused: list[str] = []
        for name in options["files"]:
            path = Path(name)
            line: dict[str, Any] = {
                "file": path.name,
                "claims_posted": 0,
                "claims_already_posted": 0,
                "unmatched": 0,
                "total_paid": "0.00",
                "errors": [],
            }
            if not path.is_file():
                line["errors"] = [f"{name} is not a file"]
            else:
                raw = path.read_bytes()
                try:
                    text = raw.decode("utf-8")
                except UnicodeDecodeError:
                    text = raw.decode("latin-1")
                file, _ = services.remittance_file_receive(text=text, file_name=path.name, actor=None)
                result = services.remittance_file_process(file=file, actor=None)
                line.update(
                    claims_posted=result.claims_posted,
                    claims_already_posted=result.claims_already_posted,
                    unmatched=result.unmatched,
                    total_paid=str(result.file.total_paid),
                    errors=result.errors,
                )
                if result.held:
                    self.stderr.write(
                        f"{path.name}: {result.held} claim payment(s) wait for a biller's approval (reversals)."
                    )
                if result.file.status == FileStatus.FAILED:
                    line["total_paid"] = "0.00"
            if line["errors"]:
                refused.append(f"{path.name}: refused, nothing posted: {line['errors'][0]}")
            self.stdout.write(json.dumps(line))
        if refused:
            sys.stdout.flush()
            raise CommandError("\n".join(refused))

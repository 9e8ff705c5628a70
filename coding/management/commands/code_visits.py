"""Code a file of encounters (docs/encounter-format.md) and print each one's lines as JSON.

    python manage.py code_visits FILE.json [--catalog drugs.csv]

The drug catalog is the database's (admin-maintained) or, when that is empty or --catalog is
given, a drugs.csv. Any encounter that cannot be coded stops the run with a message naming the
encounter and the field, and a non-zero exit; nothing is printed for a partly bad file.
"""

from __future__ import annotations

import json
from pathlib import Path

from django.core.management.base import BaseCommand, CommandError

from coding.domain.catalog import load_code_tables
from coding.domain.engine import code_encounter
from coding.domain.parse import parse_encounters
from coding.models import Drug
from coding.tables import code_tables
from infusion_rcm.common.errors import InvalidInputError

DEFAULT_CATALOG = Path(__file__).resolve().parents[2] / "data" / "drugs.csv"


class Command(BaseCommand):
    help = "Code encounters from a JSON file and print their charge lines as JSON."

    def add_arguments(self, parser):
        parser.add_argument("file", type=Path)
        parser.add_argument("--catalog", type=Path, help="drugs.csv to use instead of the database catalog")

    def handle(self, *args, **options):
        path: Path = options["file"]
        try:
            items = json.loads(path.read_text(encoding="utf-8"))
        except FileNotFoundError as exc:
            raise CommandError(f"{path}: no such file") from exc
        except (UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise CommandError(f"{path}: not valid JSON ({exc})") from exc
        catalog_path = options["catalog"]
        if catalog_path is None and not Drug.objects.exists():
            catalog_path = DEFAULT_CATALOG
        try:
            tables = load_code_tables(catalog_path) if catalog_path else code_tables()
            encounters = parse_encounters(items)
            results = [code_encounter(encounter, catalog=tables) for encounter in encounters]
        except InvalidInputError as exc:
            raise CommandError(exc.message) from exc
        output = [
            {
                "id": r.encounter_id,
                "lines": [line.as_dict() for line in r.lines],
                "warnings": [w.as_dict() for w in r.warnings],
            }
            for r in results
        ]
        self.stdout.write(json.dumps(output, indent=2))

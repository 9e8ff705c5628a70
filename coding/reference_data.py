"""The drug catalog and code sets shipped in coding/data/, loaded into a new install.

`manage.py load_reference_data` (run by `make run` and the compose `web` service after
`migrate`) calls `reference_catalog_load`. It only adds what is missing: a drug or code an admin
has edited or switched off is never overwritten, because the catalog is the admin's to maintain
once it is in the database (quarterly HCPCS changes are entered there, with their dates).
"""

from __future__ import annotations

import csv
import datetime as dt
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from pathlib import Path

from django.db import transaction

from coding.domain.catalog import csv_flag
from coding.models import CodeSetEntry, Drug

DATA = Path(__file__).resolve().parent / "data"


class CatalogFileError(ValueError):
    """A shipped catalog file that cannot be read; names the file and the row."""


@dataclass(frozen=True)
class CatalogLoad:
    drugs_added: int
    codes_added: int

    def summary(self) -> str:
        return f"drug catalog: {self.drugs_added} drug(s) added; code sets: {self.codes_added} code(s) added"


def shipped_rows(name: str) -> list[dict[str, str]]:
    """Rows of one shipped file (`drugs.csv`, `code_sets.csv`)."""
    with open(DATA / name, newline="", encoding="utf-8") as handle:
        return list(csv.DictReader(handle))


def drug_defaults(row: dict[str, str]) -> dict[str, object]:
    """Drug fields from one drugs.csv row (the one reading of that file's columns)."""
    return {
        "description": row["name"].strip()[:120],
        "billing_unit_amount": Decimal(row["billing_unit_amount"]),
        "billing_unit": row["billing_unit"].strip(),
        "drug_class": row["drug_class"].strip(),
        "single_dose": csv_flag(row["single_dose"]),
        "verify_current": csv_flag(row.get("verify_current")),
        "medicare_home_benefit": row.get("medicare_home_benefit", "").strip(),
    }


@transaction.atomic
def reference_catalog_load() -> CatalogLoad:
    """Add every shipped drug and code-set entry that the database does not have yet."""
    drugs_added = codes_added = 0
    for number, row in enumerate(shipped_rows("drugs.csv"), start=2):
        try:
            defaults = drug_defaults(row)
        except (KeyError, InvalidOperation) as exc:
            raise CatalogFileError(f"coding/data/drugs.csv line {number}: {exc!r}") from exc
        _, created = Drug.objects.get_or_create(hcpcs=row["hcpcs"].strip().upper(), defaults=defaults)
        drugs_added += created
    for number, row in enumerate(shipped_rows("code_sets.csv"), start=2):
        try:
            effective_from = dt.date.fromisoformat(row["effective_from"].strip())
            defaults = {"family": row["family"].strip(), "description": row["description"].strip()[:200]}
        except (KeyError, ValueError) as exc:
            raise CatalogFileError(f"coding/data/code_sets.csv line {number}: {exc!r}") from exc
        _, created = CodeSetEntry.objects.get_or_create(
            code=row["code"].strip(), effective_from=effective_from, defaults=defaults
        )
        codes_added += created
    return CatalogLoad(drugs_added=drugs_added, codes_added=codes_added)

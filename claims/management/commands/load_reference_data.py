"""Load the reference data shipped with the app: the regulatory payer rules (claims/reference_data,
also loaded after every migrate) and the drug catalog and code sets (coding/data, missing rows only)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from claims.services.payer_rules_reference import ReferenceDataError, reference_payer_rules_load
from coding.reference_data import CatalogFileError, reference_catalog_load


class Command(BaseCommand):
    help = (
        "Load the shipped reference data: the drug catalog and code sets (missing rows only) and the "
        "payer rules (a changed file makes a new version, a rule an admin switched off stays off)."
    )

    def handle(self, *args, **options):
        try:
            catalog = reference_catalog_load()
            outcome = reference_payer_rules_load()
        except (ReferenceDataError, CatalogFileError) as exc:
            raise CommandError(str(exc)) from exc
        self.stdout.write(catalog.summary())
        for label, keys in (("created", outcome.created), ("new version", outcome.updated)):
            for key in keys:
                self.stdout.write(f"{key}: {label}")
        self.stdout.write(outcome.summary())

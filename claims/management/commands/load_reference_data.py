"""Load the regulatory payer rules shipped in claims/reference_data (also run after every migrate)."""

from __future__ import annotations

from django.core.management.base import BaseCommand, CommandError

from claims.services.payer_rules_reference import ReferenceDataError, reference_payer_rules_load


class Command(BaseCommand):
    help = (
        "Load the shipped reference payer rules: idempotent; a changed file makes a new version, "
        "an unchanged one does nothing, and a rule an admin switched off stays off."
    )

    def handle(self, *args, **options):
        try:
            outcome = reference_payer_rules_load()
        except ReferenceDataError as exc:
            raise CommandError(str(exc)) from exc
        for label, keys in (("created", outcome.created), ("new version", outcome.updated)):
            for key in keys:
                self.stdout.write(f"{key}: {label}")
        self.stdout.write(outcome.summary())

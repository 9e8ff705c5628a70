"""Build claims from the Ready to bill queue: every ready visit, or the visits named with --visit."""

from __future__ import annotations

import uuid

from django.core.management.base import BaseCommand, CommandError

from claims import services
from claims.models import Claim
from coding.models import Visit


class Command(BaseCommand):
    help = (
        "Build claims from signed visits whose charges are reviewed (all, or --visit ID ...), then "
        "scrub them (queued on the scrub queue, or here with --scrub-now). Prints each claim built "
        "and each visit skipped with the reason."
    )

    def add_arguments(self, parser):
        parser.add_argument(
            "--visit", nargs="+", metavar="ID", help="visit ids (number or public id) to build; default: all"
        )
        parser.add_argument("--scrub-now", action="store_true", help="scrub here instead of queueing")

    def handle(self, *args, **options):
        visit_ids = _visit_ids(options["visit"]) if options["visit"] else None
        scrub_now = options["scrub_now"]
        result = services.claims_build_ready(visit_ids=visit_ids, enqueue_scrub=not scrub_now)
        if scrub_now and result.claims:
            services.claims_scrub_many(claim_ids=[c.pk for c in result.claims])
        statuses = dict(
            Claim.objects.filter(pk__in=[c.pk for c in result.claims]).values_list("pk", "status")
        )
        for claim in result.claims:
            state = statuses.get(claim.pk, claim.status)
            scrub = "" if scrub_now else " (scrub queued)"
            self.stdout.write(
                f"built {claim.claim_number}: visit {claim.visit_id}, {claim.service_date_from.isoformat()}, "
                f"{claim.form}, {claim.total_charge}, {state}{scrub}"
            )
        for visit_id, reason in result.skipped:
            self.stdout.write(f"skipped visit {visit_id}: {reason}")
        self.stdout.write(f"{len(result.claims)} claim(s) built, {len(result.skipped)} visit(s) skipped.")


def _visit_ids(values: list[str]) -> list[int]:
    """Numbers or public ids; one that names no visit stops the command before anything is built."""
    ids: list[int] = []
    for value in values:
        if value.isdigit():
            found = Visit.objects.filter(pk=int(value)).values_list("pk", flat=True).first()
        else:
            try:
                public_id = uuid.UUID(value)
            except ValueError as exc:
                raise CommandError(f"{value!r} is neither a visit number nor a visit public id.") from exc
            found = Visit.objects.filter(public_id=public_id).values_list("pk", flat=True).first()
        if found is None:
            raise CommandError(f"No visit {value}; nothing was built.")
        ids.append(found)
    return ids

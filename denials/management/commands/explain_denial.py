"""manage.py explain_denial CO-197 [N54 ...] [--payer ID] [--json]: what a denial reason means
(category, next action and the sentence for the biller), from the reason catalog with the admins'
refinements."""

from __future__ import annotations

import json

from django.core.management.base import BaseCommand, CommandError

from denials.catalog import explain_code
from denials.domain.catalog import normalise_code, normalise_rarc
from infusion_rcm.common.errors import DomainError
from intake.models import Payer


class Command(BaseCommand):
    help = "Explain a denial reason: explain_denial CO-197 [N54 ...] [--payer PAYER_ID] [--json]"

    def add_arguments(self, parser):
        parser.add_argument("code", help="group and CARC as on the remittance, e.g. CO-197")
        parser.add_argument("rarcs", nargs="*", help="remark codes (RARC), e.g. N54 M62")
        parser.add_argument("--payer", help="a payer's electronic payer ID: its refinements apply")
        parser.add_argument("--json", action="store_true", help="print JSON")

    def handle(self, *args, **options):
        try:
            group, carc = normalise_code(options["code"])
            rarcs = tuple(normalise_rarc(r) for r in options["rarcs"])
        except DomainError as exc:
            raise CommandError(exc.message) from None
        payer = None
        if options.get("payer"):
            payer = Payer.objects.filter(payer_id=options["payer"]).first()
            if payer is None:
                raise CommandError(f"No payer with payer ID '{options['payer']}'.")
        found = explain_code(group=group, carc=carc, rarcs=rarcs, payer=payer)
        if options["json"]:
            self.stdout.write(json.dumps(found.as_dict(), indent=2))
            return
        self.stdout.write(f"{found.in_words}")
        self.stdout.write(f"  group {group}: {found.group_meaning}")
        for code, words in zip(found.rarcs, found.rarc_descriptions, strict=True):
            self.stdout.write(f"  {code} {words or '(remark code not in our list)'}")
        self.stdout.write(f"Category:    {found.category.label}")
        self.stdout.write(f"Next action: {found.action.label}")
        self.stdout.write(f"{found.sentence}")
        self.stdout.write(f"(rule: {found.rule}; {found.source})")

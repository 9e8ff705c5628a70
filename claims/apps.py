import sys

from django.apps import AppConfig
from django.db import DEFAULT_DB_ALIAS
from django.db.models.signals import post_migrate


class ClaimsConfig(AppConfig):
    name = "claims"
    verbose_name = "Claims"

    def ready(self):
        # Connected with sender=self: Django sends post_migrate once per installed app, and the
        # shipped payer rules must load once per `migrate` (and after a test flush, which sends it too).
        post_migrate.connect(
            load_reference_data_after_migrate, sender=self, dispatch_uid="claims.reference_data"
        )


def load_reference_data_after_migrate(
    sender, *, using=DEFAULT_DB_ALIAS, apps=None, verbosity=1, stdout=None, **kwargs
):
    """Every install that migrates gets the regulatory payer rules, demo data or not.

    Skipped when the payer-rule tables are not at the shape of the current models (claims migrated
    backwards or part way), since the loader writes through the current models and services, and for
    a database other than the default one, which the services do not write to.
    """
    if using != DEFAULT_DB_ALIAS or not _tables_current(apps):
        return
    from claims.services.payer_rules_reference import reference_payer_rules_load

    outcome = reference_payer_rules_load()
    if verbosity >= 1 and outcome.changed:
        (stdout or sys.stdout).write(f"  Loaded {outcome.summary()}\n")


def _tables_current(apps) -> bool:
    from claims.models import PayerRule, PayerRuleVersion

    if apps is None:
        return True
    for model in (PayerRule, PayerRuleVersion):
        try:
            migrated = apps.get_model(model._meta.app_label, model.__name__)
        except LookupError:
            return False
        if {f.column for f in migrated._meta.concrete_fields} != {
            f.column for f in model._meta.concrete_fields
        }:
            return False
    return True

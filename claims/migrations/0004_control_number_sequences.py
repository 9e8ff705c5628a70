"""PostgreSQL sequences for the control-number series, continuing from the ControlNumber rows."""

from django.db import migrations

SERIES = ("claim", "isa", "gs")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    ControlNumber = apps.get_model("claims", "ControlNumber")
    last = dict(ControlNumber.objects.values_list("name", "last_value"))
    for name in SERIES:
        schema_editor.execute(
            f"CREATE SEQUENCE IF NOT EXISTS claims_control_{name} START WITH {int(last.get(name, 0)) + 1} "
            "MINVALUE 1 MAXVALUE 999999999 NO CYCLE"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in SERIES:
            schema_editor.execute(f"DROP SEQUENCE IF EXISTS claims_control_{name}")


class Migration(migrations.Migration):
    dependencies = [("claims", "0003_alter_submissionbatch_status")]
    operations = [migrations.RunPython(forward, backward)]

"""PostgreSQL sequences for ISA13 and GS06 (the embedded SQLite uses ControlNumber rows)."""

from django.db import migrations

SERIES = ("isa", "gs")


def forward(apps, schema_editor):
    if schema_editor.connection.vendor != "postgresql":
        return
    for name in SERIES:
        schema_editor.execute(
            f"CREATE SEQUENCE IF NOT EXISTS x12_control_{name} MINVALUE 1 MAXVALUE 999999999 NO CYCLE"
        )


def backward(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        for name in SERIES:
            schema_editor.execute(f"DROP SEQUENCE IF EXISTS x12_control_{name}")


class Migration(migrations.Migration):
    dependencies = [("x12", "0001_initial")]
    operations = [migrations.RunPython(forward, backward)]

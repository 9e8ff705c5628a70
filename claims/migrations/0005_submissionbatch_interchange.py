"""Batches join the x12 register; ISA13 / GS06 move from the claims series to the x12 service.

1. `SubmissionBatch.interchange` links a batch to its `x12.OutboundInterchange`.
2. Every stored batch gets its register row (read back from the ISA / GS of its stored file), so
   a 999 or 277CA for a batch built before this migration still finds it.
3. The x12 series continue after every number already used: the old claims isa / gs series, the
   stored batches' numbers, the register, and the highest intake EligibilityCheck id (a 270 used
   its check id as ISA13 and GS06 until now). ISA13 is never reused, whichever transaction wrote it.
4. The old claims_control_isa / claims_control_gs sequences are dropped (the claim-number series
   stays). On the embedded SQLite the same continuation is written to the x12 ControlNumber rows.
"""

import django.db.models.deletion
from django.db import migrations, models

OLD_SERIES = {"isa": "claims_control_isa", "gs": "claims_control_gs"}
MAX_CONTROL = 999_999_999


def _last_taken(cursor, sequence: str) -> int:
    """The last number a PostgreSQL sequence handed out (0 if none, or if it does not exist)."""
    cursor.execute("SELECT to_regclass(%s)", [sequence])
    if cursor.fetchone()[0] is None:
        return 0
    cursor.execute(f"SELECT last_value, is_called FROM {sequence}")  # noqa: S608 - fixed names
    last, called = cursor.fetchone()
    return int(last) if called else int(last) - 1


def _isa_fields(content: str) -> dict | None:
    """Sender, receiver, usage, version and set count of an 837 we wrote (fixed `*` and `~`)."""
    if not content.startswith("ISA") or len(content) < 106:
        return None
    isa = content[:106].split(content[3])
    segments = [s.strip() for s in content.split(content[105]) if s.strip()]
    gs = next((s.split(content[3]) for s in segments if s.startswith("GS" + content[3])), None)
    if len(isa) != 17 or gs is None or len(gs) < 9:
        return None
    return {
        "sender_id": isa[6].strip(),
        "receiver_id": isa[8].strip(),
        "usage": isa[15][:1] or "T",
        "version": gs[8][:12],
        "transaction_count": sum(1 for s in segments if s.startswith("ST" + content[3])),
    }


def _register_stored_batches(apps) -> None:
    SubmissionBatch = apps.get_model("claims", "SubmissionBatch")
    OutboundInterchange = apps.get_model("x12", "OutboundInterchange")
    for batch in SubmissionBatch.objects.filter(interchange__isnull=True).order_by("pk").iterator():
        fields = _isa_fields(batch.content or "")
        if fields is None:
            continue  # not a file we can read back: left unlinked
        same_numbers = models.Q(
            receiver_id=fields["receiver_id"], interchange_control=batch.interchange_control_number
        ) | models.Q(functional_id="HC", group_control=batch.group_control_number)
        if OutboundInterchange.objects.filter(same_numbers, sender_id=fields["sender_id"]).exists():
            continue  # those numbers are registered already: left unlinked
        record = OutboundInterchange.objects.create(
            interchange_control=batch.interchange_control_number,
            group_control=batch.group_control_number,
            functional_id="HC",
            transaction_set="837",
            **fields,
        )
        OutboundInterchange.objects.filter(pk=record.pk).update(created_at=batch.created_at)
        SubmissionBatch.objects.filter(pk=batch.pk).update(interchange=record)


def _highest_used(apps) -> dict[str, int]:
    SubmissionBatch = apps.get_model("claims", "SubmissionBatch")
    OutboundInterchange = apps.get_model("x12", "OutboundInterchange")
    EligibilityCheck = apps.get_model("intake", "EligibilityCheck")
    batches = SubmissionBatch.objects.aggregate(
        isa=models.Max("interchange_control_number"), gs=models.Max("group_control_number")
    )
    register = OutboundInterchange.objects.aggregate(
        isa=models.Max("interchange_control"), gs=models.Max("group_control")
    )
    check = EligibilityCheck.objects.aggregate(top=models.Max("id"))["top"] or 0
    return {
        series: max(batches[series] or 0, register[series] or 0, min(check, MAX_CONTROL - 1))
        for series in OLD_SERIES
    }


def forward(apps, schema_editor):
    _register_stored_batches(apps)
    highest = _highest_used(apps)
    connection = schema_editor.connection
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            for series, old in OLD_SERIES.items():
                new = f"x12_control_{series}"
                top = max(highest[series], _last_taken(cursor, old), _last_taken(cursor, new))
                # setval(n, true): the next nextval is n + 1; (1, false): the next is 1.
                cursor.execute("SELECT setval(%s, %s, %s)", [new, max(top, 1), top > 0])
                cursor.execute(f"DROP SEQUENCE IF EXISTS {old}")
        return
    OldControl = apps.get_model("claims", "ControlNumber")
    NewControl = apps.get_model("x12", "ControlNumber")
    old = dict(OldControl.objects.filter(name__in=OLD_SERIES).values_list("name", "last_value"))
    for series in OLD_SERIES:
        row, _ = NewControl.objects.get_or_create(name=series)
        row.last_value = max(row.last_value, old.get(series, 0), highest[series])
        row.save(update_fields=["last_value"])


def backward(apps, schema_editor):
    """Old code takes ISA13 / GS06 from the claims sequences again: start them after the x12 ones."""
    connection = schema_editor.connection
    if connection.vendor != "postgresql":
        return
    with connection.cursor() as cursor:
        for series, old in OLD_SERIES.items():
            start = _last_taken(cursor, f"x12_control_{series}") + 1
            cursor.execute(
                f"CREATE SEQUENCE IF NOT EXISTS {old} START WITH {int(start)} "
                "MINVALUE 1 MAXVALUE 999999999 NO CYCLE"
            )


class Migration(migrations.Migration):
    dependencies = [
        ("claims", "0004_control_number_sequences"),
        ("intake", "0005_eligibilitycheck_interchange"),
        ("x12", "0002_sequences"),
    ]

    operations = [
        migrations.AddField(
            model_name="submissionbatch",
            name="interchange",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="submission_batch",
                to="x12.outboundinterchange",
            ),
        ),
        migrations.RunPython(forward, backward),
    ]

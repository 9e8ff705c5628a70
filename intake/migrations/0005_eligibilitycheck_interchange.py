"""An eligibility check names the registered interchange its 270 went out in.

Checks written before the shared series stay unlinked: their 270 used the check id as ISA13 and
GS06, and the x12 series continue after those numbers (claims migration 0005), so none is reused.
"""

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0004_payer_per_diem_lines"),
        ("x12", "0002_sequences"),
    ]

    operations = [
        migrations.AddField(
            model_name="eligibilitycheck",
            name="interchange",
            field=models.OneToOneField(
                blank=True,
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="eligibility_check",
                to="x12.outboundinterchange",
            ),
        ),
    ]

import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Claims carry rendering and supervising providers (837P 2310B / 2310D, 837I 2310D) and a
    line-level rendering provider (2420A) for lines rendered by someone else."""

    dependencies = [
        ("claims", "0006_claimbuildrun"),
        ("intake", "0007_payer_filing_indicator_rendering_line_limit"),
    ]

    operations = [
        migrations.AddField(
            model_name="claim",
            name="rendering_provider",
            field=models.ForeignKey(
                blank=True,
                help_text="Rendering provider (NM1*82); blank: the billing provider rendered the services",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="rendered_claims",
                to="intake.prescriber",
            ),
        ),
        migrations.AddField(
            model_name="claim",
            name="supervising_provider",
            field=models.ForeignKey(
                blank=True,
                help_text="Supervising provider (837P NM1*DQ), sent when not the rendering provider",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="supervised_claims",
                to="intake.prescriber",
            ),
        ),
        migrations.AddField(
            model_name="claimline",
            name="rendering_provider",
            field=models.ForeignKey(
                blank=True,
                help_text="Line rendering provider (2420A NM1*82) when it is not the claim's",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="intake.prescriber",
            ),
        ),
    ]

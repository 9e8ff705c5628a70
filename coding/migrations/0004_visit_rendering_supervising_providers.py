import django.db.models.deletion
from django.db import migrations, models


class Migration(migrations.Migration):
    """Visit: the rendering and supervising practitioners its claims carry (837P 2310B / 2310D)."""

    dependencies = [
        ("coding", "0003_drug_medicare_home_benefit"),
        ("intake", "0007_payer_filing_indicator_rendering_line_limit"),
    ]

    operations = [
        migrations.AddField(
            model_name="visit",
            name="rendering_provider",
            field=models.ForeignKey(
                blank=True,
                help_text="Practitioner whose NPI the services are billed under (rendering provider)",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="intake.prescriber",
            ),
        ),
        migrations.AddField(
            model_name="visit",
            name="supervising_provider",
            field=models.ForeignKey(
                blank=True,
                help_text="Physician supervising the nurse (direct supervision for incident-to services)",
                null=True,
                on_delete=django.db.models.deletion.PROTECT,
                related_name="+",
                to="intake.prescriber",
            ),
        ),
    ]

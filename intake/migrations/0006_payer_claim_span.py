from django.db import migrations, models


class Migration(migrations.Migration):
    dependencies = [
        ("intake", "0005_eligibilitycheck_interchange"),
    ]

    operations = [
        migrations.AddField(
            model_name="payer",
            name="claim_span",
            field=models.CharField(
                choices=[("visit", "One claim per visit"), ("month", "One claim per calendar month")],
                default="visit",
                help_text=(
                    "How this payer wants home-infusion claims: one per visit, or one per patient and "
                    "calendar month (built once the month is over)"
                ),
                max_length=5,
            ),
        ),
    ]

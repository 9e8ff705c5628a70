import django.core.validators
from django.db import migrations, models


class Migration(migrations.Migration):
    """Payer: SBR09 claim filing indicator, rendering provider on home infusion claims, line limit;
    practitioner taxonomy (PRV*PE)."""

    dependencies = [
        ("intake", "0006_payer_claim_span"),
    ]

    operations = [
        migrations.AddField(
            model_name="payer",
            name="claim_filing_indicator",
            field=models.CharField(
                blank=True,
                choices=[
                    ("11", "11 Other non-federal program"),
                    ("12", "12 Preferred provider organization (PPO)"),
                    ("13", "13 Point of service (POS)"),
                    ("14", "14 Exclusive provider organization (EPO)"),
                    ("15", "15 Indemnity insurance"),
                    ("16", "16 Medicare Advantage (HMO Medicare risk)"),
                    ("AM", "AM Automobile medical"),
                    ("BL", "BL Blue Cross / Blue Shield"),
                    ("CH", "CH TRICARE (CHAMPUS)"),
                    ("CI", "CI Commercial insurance"),
                    ("DS", "DS Disability"),
                    ("FI", "FI Federal Employees Program"),
                    ("HM", "HM Health maintenance organization"),
                    ("LM", "LM Liability medical"),
                    ("MA", "MA Medicare Part A"),
                    ("MB", "MB Medicare Part B"),
                    ("MC", "MC Medicaid"),
                    ("OF", "OF Other federal program"),
                    ("TV", "TV Title V"),
                    ("VA", "VA Veterans Affairs plan"),
                    ("WC", "WC Workers' compensation"),
                    ("ZZ", "ZZ Mutually defined"),
                ],
                help_text=(
                    "Blank: from the payer kind (Medicare MB/MA, Medicare Advantage 16, Medicaid MC, "
                    "commercial CI). Set it for TRICARE (CH), Blue plans (BL), VA, workers' compensation (WC) ..."
                ),
                max_length=2,
                verbose_name="claim filing indicator (SBR09)",
            ),
        ),
        migrations.AddField(
            model_name="payer",
            name="home_infusion_rendering_provider",
            field=models.CharField(
                choices=[
                    ("documented", "The visit's rendering practitioner (e.g. the pharmacist)"),
                    ("ordering", "The ordering physician"),
                    ("none", "None: the pharmacy as billing provider"),
                ],
                default="documented",
                help_text="Who goes out as rendering provider (837P 2310B) on this payer's home infusion claims",
                max_length=10,
            ),
        ),
        migrations.AddField(
            model_name="payer",
            name="max_claim_lines",
            field=models.PositiveSmallIntegerField(
                blank=True,
                help_text=(
                    "Service lines this payer takes on one claim; blank: the guide's limit (50 on an 837P). "
                    "Longer claims are split by date of service when they are built."
                ),
                null=True,
                validators=[
                    django.core.validators.MinValueValidator(1),
                    django.core.validators.MaxValueValidator(999),
                ],
            ),
        ),
        migrations.AddField(
            model_name="prescriber",
            name="taxonomy",
            field=models.CharField(
                blank=True,
                help_text="NUCC provider taxonomy code sent with the NPI (PRV*PE), e.g. 207RH0003X",
                max_length=10,
                validators=[
                    django.core.validators.RegexValidator(
                        "^[0-9]{3}[0-9A-Z]{6}X$",
                        "A provider taxonomy code has 10 characters, e.g. 207RH0003X.",
                    )
                ],
            ),
        ),
        migrations.AddConstraint(
            model_name="payer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("claim_filing_indicator", ""),
                    (
                        "claim_filing_indicator__in",
                        [
                            "11",
                            "12",
                            "13",
                            "14",
                            "15",
                            "16",
                            "AM",
                            "BL",
                            "CH",
                            "CI",
                            "DS",
                            "FI",
                            "HM",
                            "LM",
                            "MA",
                            "MB",
                            "MC",
                            "OF",
                            "TV",
                            "VA",
                            "WC",
                            "ZZ",
                        ],
                    ),
                    _connector="OR",
                ),
                name="payer_filing_indicator_valid",
            ),
        ),
        migrations.AddConstraint(
            model_name="payer",
            constraint=models.CheckConstraint(
                condition=models.Q(
                    ("home_infusion_rendering_provider__in", ["documented", "ordering", "none"])
                ),
                name="payer_home_rendering_provider_valid",
            ),
        ),
    ]

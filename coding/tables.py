"""The engine's reference data, read from the database (drug catalog) into pure CodeTables."""

from __future__ import annotations

from coding.domain.catalog import CodeTables, CodingOptions, DrugCatalog
from coding.models import Drug


def code_tables(options: CodingOptions | None = None) -> CodeTables:
    """One query over the active drug catalog; options default to the reference's defaults."""
    rows = [
        {
            "hcpcs": d.hcpcs,
            "name": d.description,
            "billing_unit_amount": str(d.billing_unit_amount),
            "billing_unit": d.billing_unit,
            "drug_class": d.drug_class,
            "single_dose": d.single_dose,
            "verify_current": d.verify_current,
            "medicare_home_benefit": d.medicare_home_benefit,
        }
        for d in Drug.objects.filter(active=True)
    ]
    return CodeTables(drugs=DrugCatalog.from_rows(rows), options=options or CodingOptions())

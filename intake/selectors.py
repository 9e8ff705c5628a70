"""Intake reads."""

from __future__ import annotations

from django.db.models import Q, QuerySet

from intake.models import Patient


def patient_list(*, search: str = "") -> QuerySet[Patient]:
    """Patients by name, MRN or date of birth (YYYY-MM-DD)."""
    qs = Patient.objects.select_related("billing_provider")
    search = search.strip()
    if search:
        query = Q(last_name__icontains=search) | Q(first_name__icontains=search) | Q(mrn__iexact=search)
        if len(search) == 10 and search[4] == "-" and search[7] == "-":
            query |= Q(date_of_birth=search)
        qs = qs.filter(query)
    return qs

"""Intake pages: patient search and the patient page."""

from __future__ import annotations

from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, render

from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability
from infusion_rcm.audit.services import audit_list, audit_view
from intake import selectors
from intake.models import Patient


@requires(Capability.PATIENT_VIEW)
def patient_list(request):
    page = Paginator(selectors.patient_list(search=request.GET.get("q", "")), 50).get_page(request.GET.get("page"))
    audit_list(request, Patient, [p.pk for p in page])
    return render(request, "intake/patient_list.html", {"page": page, "q": request.GET.get("q", "")})


@requires(Capability.PATIENT_VIEW)
def patient_detail(request, public_id):
    patient = get_object_or_404(Patient.objects.select_related("billing_provider"), public_id=public_id)
    audit_view(request, patient)
    return render(request, "intake/patient_detail.html", {"patient": patient})

"""Ready to bill: the biller's queue of signed, reviewed visits, the "Build claims" action and
the build it queued (polled with htmx until its claims are scrubbed). Managers read; nurses 403."""

from __future__ import annotations

import uuid

from django import forms
from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.views.decorators.http import require_POST

from claims import selectors, services
from claims.models import Claim, ClaimBuildRun
from claims.services.ready_to_bill import build_run_counts
from coding.models import Visit
from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability, user_has
from infusion_rcm.audit.services import audit_list

PER_PAGE = 100
SITE_LABELS = {
    "aic": "Infusion center (AIC)",
    "ais": "Pharmacy infusion suite (AIS)",
    "home": "Home infusion",
    "office": "Physician office",
    "hopd": "Hospital outpatient",
}


class UUIDListField(forms.Field):
    """Ticked rows: one `visit` value per checkbox, each a visit's public id."""

    widget = forms.MultipleHiddenInput

    def to_python(self, value):
        try:
            return [uuid.UUID(str(v)) for v in value or []]
        except ValueError as exc:
            raise ValidationError("That is not a visit of this list.") from exc


class BuildClaimsForm(forms.Form):
    scope = forms.ChoiceField(choices=[("chosen", "The ticked visits"), ("all", "Every ready visit")])
    visit = UUIDListField(required=False)

    def clean(self):
        data = super().clean() or {}
        if data.get("scope") == "chosen" and not data.get("visit"):
            raise ValidationError("Tick at least one visit, or use Build all.")
        return data


@requires(Capability.BILLING_VIEW)
def ready_to_bill(request):
    page = Paginator(selectors.ready_to_bill_queue(), PER_PAGE).get_page(request.GET.get("page"))
    rows = selectors.ready_to_bill_rows(page, as_of=timezone.localdate())
    audit_list(request, Visit, [r.visit.pk for r in rows])
    run = None
    if request.GET.get("run"):
        try:
            run = ClaimBuildRun.objects.filter(public_id=uuid.UUID(request.GET["run"])).first()
        except ValueError:
            run = None
    return render(
        request,
        "claims/ready_to_bill.html",
        {
            "rows": [(r, SITE_LABELS.get(r.visit.location.site_of_care, "")) for r in rows],
            "page": page,
            "can_work": user_has(request.user, Capability.BILLING_WORK),
            "any_note": any(r.held_until is not None or r.payer is None for r in rows),
            "run": _run_context(request, run) if run else None,
            "recent_runs": ClaimBuildRun.objects.select_related("requested_by")[:5],
        },
    )


@requires(Capability.BILLING_WORK)
@require_POST
def ready_to_bill_build(request):
    back = reverse("claims:ready_to_bill")
    form = BuildClaimsForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errors in form.errors.values() for e in errors))
        return redirect(back)
    visit_ids = None
    if form.cleaned_data["scope"] == "chosen":
        chosen = set(form.cleaned_data["visit"])
        visit_ids = list(Visit.objects.filter(public_id__in=chosen).values_list("pk", flat=True))
        if len(visit_ids) != len(chosen):
            messages.error(request, "Some ticked visits no longer exist; nothing was built. Reload the list.")
            return redirect(back)
    run = services.claim_build_request(visit_ids=visit_ids, actor=request.user)
    what = "every ready visit" if visit_ids is None else f"{len(visit_ids)} visit(s)"
    messages.success(request, f"Building claims for {what}; they are scrubbed as soon as they are built.")
    return redirect(f"{back}?run={run.public_id}")


@requires(Capability.BILLING_VIEW)
def build_run(request, public_id):
    run = get_object_or_404(ClaimBuildRun, public_id=public_id)
    context = _run_context(request, run)
    if request.htmx:
        return render(request, "claims/partials/_build_run.html", {"run": context})
    return render(request, "claims/build_run.html", {"run": context})


def _run_context(request, run: ClaimBuildRun) -> dict:
    claims = list(
        Claim.objects.filter(pk__in=run.claim_ids).select_related("patient", "payer").order_by("claim_number")
    )
    audit_list(request, Claim, [c.pk for c in claims])
    skipped_visits = {
        str(v.public_id): v
        for v in Visit.objects.filter(
            public_id__in=[s["visit"] for s in run.skipped if s.get("visit")]
        ).select_related("patient")
    }
    audit_list(request, Visit, [v.pk for v in skipped_visits.values()])
    counts = build_run_counts(run)
    finished = run.status in (ClaimBuildRun.Status.DONE, ClaimBuildRun.Status.FAILED)
    return {
        "row": run,
        "claims": claims,
        "skipped": [(skipped_visits.get(s.get("visit", "")), s["reason"]) for s in run.skipped],
        "counts": counts,
        # Keep polling while the build or its scrubs are still running.
        "polling": not finished or counts["draft"] > 0,
    }

"""The appeals of a denial: start the next level, download its letter, mark it sent, record the
decision. Billers work them; every page that shows patient data is audited; refusals come back
to the denial page with the message (400)."""

from __future__ import annotations

from django.contrib import messages
from django.http import Http404, HttpResponse
from django.shortcuts import redirect, render
from django.views.decorators.http import require_POST

from claims.models import Claim
from denials import services, views
from denials.domain.appeals import AppealLevel, Outcome, default_attachments
from denials.domain.types import Category
from denials.forms_appeals import AppealDecideForm, AppealSendForm, AppealStartForm
from denials.models import Appeal, Denial, DenialRiskScore
from denials.services.timely_filing import claims_at_risk
from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability
from infusion_rcm.audit.services import audit_list, audit_view
from infusion_rcm.common.errors import DomainError


def appeal_context(denial: Denial, forms: dict) -> dict:
    """What the denial page's appeals section shows."""
    appeals = list(denial.appeals.order_by("created_at", "pk"))
    return {
        "appeals": appeals,
        "next_appeal": services.appeal_next_level(denial) if denial.is_open else None,
        "appeal_start_form": forms.get("appeal_start")
        or AppealStartForm(initial={"attachments": list(default_attachments(Category(denial.category)))}),
        "appeal_send_form": forms.get("appeal_send") or AppealSendForm(),
        "appeal_decide_form": forms.get("appeal_decide") or AppealDecideForm(),
    }


def _appeal(public_id) -> Appeal:
    appeal = (
        Appeal.objects.select_related("denial__claim", "denial__payer").filter(public_id=public_id).first()
    )
    if appeal is None:
        raise Http404
    return appeal


def _run(request, denial_id, name, form, run, success):
    if form.is_valid():
        try:
            result = run(form.cleaned_data)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, success(result))
            return redirect("denials:detail", public_id=denial_id)
    return views.detail(request, denial_id, forms={name: form})


@requires(Capability.BILLING_WORK)
@require_POST
def appeal_start(request, public_id):
    denial = views._denial(public_id)
    form = AppealStartForm(request.POST)
    return _run(
        request,
        public_id,
        "appeal_start",
        form,
        lambda data: services.appeal_start(
            denial=denial,
            actor=request.user,
            attachments=form.attachment_list(),
            letter_note=data["letter_note"],
        ),
        lambda a: (
            f"{AppealLevel(a.level).label} drafted, due {a.deadline:%Y-%m-%d}: download the letter, send it, then mark it sent."
        ),
    )


@requires(Capability.BILLING_VIEW)
def appeal_letter(request, public_id):
    appeal = _appeal(public_id)
    audit_view(request, appeal)
    audit_view(request, appeal.denial.claim)
    pdf = services.appeal_letter_pdf(appeal)
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = (
        f'inline; filename="appeal-{appeal.denial.claim.claim_number}-{appeal.level}.pdf"'
    )
    return response


@requires(Capability.BILLING_WORK)
@require_POST
def appeal_send(request, public_id):
    appeal = _appeal(public_id)
    form = AppealSendForm(request.POST)
    return _run(
        request,
        appeal.denial.public_id,
        "appeal_send",
        form,
        lambda data: services.appeal_send(appeal=appeal, sent_on=data["sent_on"], actor=request.user),
        lambda a: (
            f"{AppealLevel(a.level).label} marked sent on {a.sent_on:%Y-%m-%d}; the denial waits on the payer."
        ),
    )


@requires(Capability.BILLING_WORK)
@require_POST
def appeal_decide(request, public_id):
    appeal = _appeal(public_id)
    form = AppealDecideForm(request.POST)
    return _run(
        request,
        appeal.denial.public_id,
        "appeal_decide",
        form,
        lambda data: services.appeal_decide(
            appeal=appeal,
            outcome=data["outcome"],
            decision_date=data["decision_date"],
            received_on=data["received_on"],
            note=data["note"],
            actor=request.user,
        ),
        lambda a: f"{AppealLevel(a.level).label}: {Outcome(a.outcome).label.lower()}.",
    )


@requires(Capability.BILLING_VIEW)
def timely_filing(request):
    """The claims at risk of missing their filing deadline (TF-5), soonest first."""
    rows = claims_at_risk()
    audit_list(request, Claim, [r.claim.pk for r in rows])
    return render(request, "denials/timely_filing.html", {"rows": rows})


@requires(Capability.BILLING_VIEW)
def risk(request):
    """Ready and held claims with their denial-risk score and reasons (DEN-RS1)."""
    from denials.services.risk import hold_threshold

    rows = list(
        DenialRiskScore.objects.select_related("claim__patient", "claim__payer", "reviewed_by")
        .filter(claim__status__in=["ready", "needs_fix", "batched"])
        .order_by("-held", "-probability", "pk")[:200]
    )
    audit_list(request, Claim, [r.claim_id for r in rows])
    return render(request, "denials/risk.html", {"rows": rows, "threshold": hold_threshold()})


@requires(Capability.BILLING_WORK)
@require_POST
def risk_release(request, pk):
    from denials.services.risk import claim_risk_release

    row = DenialRiskScore.objects.filter(pk=pk).first()
    if row is None:
        raise Http404
    try:
        claim_risk_release(score_row=row, actor=request.user)
    except DomainError as exc:
        messages.error(request, exc.message)
    else:
        messages.success(request, f"Claim {row.claim.claim_number} released: back to ready to bill.")
    return redirect("denials:risk")

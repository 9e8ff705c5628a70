"""Biller pages that correct a claim: the edit page (claim fields and lines, focused on the field
a scrubber edit names), a replacement of an adjudicated claim (the same form), a void at the
payer, and the Medicare Part B reopening guidance in place of both."""

from __future__ import annotations

from django.contrib import messages
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse

from claims import services
from claims.domain.claim_edit import ClaimChanges, ClaimEditInvalidError
from claims.domain.fix_targets import fix_target
from claims.forms import ClaimEditForm, ClaimLineForm, ClaimLineFormSet, ReasonForm
from claims.models import Claim
from claims.services.edit import claim_state, provider_roles
from infusion_rcm.accounts.decorators import requires
from infusion_rcm.accounts.roles import Capability
from infusion_rcm.audit.services import audit_view
from infusion_rcm.common.errors import DomainError

LINES_PREFIX = "lines"


def fix_focus(code: str, line_number: int | None, roles=None, message: str = "") -> str:
    """The edit form field a scrubber edit is fixed in ('' when the form has none).

    Lines are numbered 1..n on every claim (built so, renumbered by every edit), so line N is
    the formset's form N-1.
    """
    target = fix_target(code, line_number, message=message)
    if target is None:
        return ""
    if target.field == "lines":
        return "add-line"
    if target.line_number is not None:
        return f"{LINES_PREFIX}-{target.line_number - 1}-{target.field}"
    if target.field.endswith("_provider") and target.field not in (roles or provider_roles()):
        return ""
    return target.field


def fix_url(claim: Claim, focus: str) -> str:
    return f"{reverse('claims:claim_edit', args=[claim.public_id])}?focus={focus}#field-{focus}"


def with_fix_links(claim: Claim, edits) -> list[tuple[object, str]]:
    """(edit, its Fix link or '') for each scrubber edit of a claim a biller may edit."""
    roles = provider_roles()
    out = []
    for edit in edits:
        focus = fix_focus(edit.code, edit.line_number, roles, edit.message)
        out.append((edit, fix_url(claim, focus) if focus else ""))
    return out


def _claim(public_id) -> Claim:
    return get_object_or_404(
        Claim.objects.select_related("payer", "patient", "coverage", "referring_provider"),
        public_id=public_id,
    )


def _forms(request, claim: Claim, *, bound: bool):
    state = claim_state(claim)
    version = services.claim_version(claim)
    roles = provider_roles()
    data = request.POST if bound else None
    form = ClaimEditForm(data, state=state, version=version, roles=roles)
    lines = ClaimLineFormSet(
        data,
        prefix=LINES_PREFIX,
        initial=[ClaimLineForm.initial_for(line) for line in state.lines],
        form_kwargs={"claim_form": state.form},
    )
    return state, form, lines


def _changes(form: ClaimEditForm, lines) -> tuple[ClaimChanges, list[int]]:
    """The biller's changes, and for each line change the index of the form it came from."""
    rows, where = [], []
    for index, line_form in enumerate(lines.forms):
        if line_form.is_blank_new_line():
            continue
        rows.append(line_form.change())
        where.append(index)
    data = {**form.changed_values(), "lines": rows}
    return ClaimChanges.from_data(data, roles=form.roles), where


def _show_errors(form: ClaimEditForm, lines, errors: dict[str, str], where: list[int]) -> None:
    count = len(errors)
    form.add_error(
        None, f"Nothing was saved: fix the {count} problem{'s' if count > 1 else ''} marked below."
    )
    for key, message in errors.items():
        parts = key.split(".")
        if parts[0] != LINES_PREFIX:
            form.add_error(parts[0] if parts[0] in form.fields else None, message)
        elif len(parts) == 1:
            form.add_error(None, message)
        else:
            line_form = lines.forms[where[int(parts[1])]]
            field = parts[2] if len(parts) > 2 and parts[2] in line_form.fields else None
            line_form.add_error(field, message)


def _render(request, claim, state, form, lines, *, mode: str, status: int = 200):
    focus = request.GET.get("focus", "")
    for name, field in [*form.fields.items()]:
        if name == focus:
            field.widget.attrs["autofocus"] = True
    for index, line_form in enumerate(lines.forms):
        for name, field in line_form.fields.items():
            if f"{LINES_PREFIX}-{index}-{name}" == focus:
                field.widget.attrs["autofocus"] = True
    roles = provider_roles()
    findings: dict[str, list] = {}
    general: list = []
    for edit in claim.edits.all():
        key = fix_focus(edit.code, edit.line_number, roles, edit.message)
        (findings.setdefault(key, []) if key else general).append(edit)
    line_rows = [
        {
            "form": line_form,
            "number": index + 1 if index < len(state.lines) else None,
            "fields": [
                (line_form[name], findings.get(f"{LINES_PREFIX}-{index}-{name}", []))
                for name in line_form.fields
            ],
        }
        for index, line_form in enumerate(lines.forms)
    ]
    claim_fields = [(form[name], findings.get(name, [])) for name in form.fields]
    return render(
        request,
        "claims/claim_edit.html",
        {
            "claim": claim,
            "form": form,
            "claim_fields": claim_fields,
            "lines": lines,
            "line_rows": line_rows,
            "general_findings": general,
            "line_findings": findings.get("add-line", []),
            "focus": focus,
            "mode": mode,
            "professional": state.form.value == "837P",
        },
        status=status,
    )


@requires(Capability.BILLING_WORK)
def claim_edit(request, public_id):
    claim = _claim(public_id)
    detail = reverse("claims:claim_detail", args=[claim.public_id])
    options = services.claim_correction_options(claim)
    if not options.edit:
        return _notice(
            request, claim, options, f"Edit claim {claim.claim_number}", _not_editable(claim, options)
        )
    bound = request.method == "POST"
    state, form, lines = _forms(request, claim, bound=bound)
    if bound and form.is_valid() and lines.is_valid():
        changes, where = _changes(form, lines)
        try:
            services.claim_edit(
                claim=claim,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                changes=changes,
            )
        except ClaimEditInvalidError as exc:
            _show_errors(form, lines, exc.errors, where)
        except services.ClaimEditConflictError as exc:
            messages.error(request, exc.message)
            state, form, lines = _forms(request, claim, bound=False)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(request, "Claim saved as a draft; a scrub is queued and its edits appear here.")
            return redirect(detail)
    else:
        audit_view(request, claim)
    return _render(request, claim, state, form, lines, mode="edit")


def _notice(request, claim: Claim, options, title: str, message: str = ""):
    """Why this correction is not open to the claim, and what to do instead (a Part B reopening)."""
    audit_view(request, claim)
    if options.reopening:
        title = f"Correct claim {claim.claim_number} through a Medicare reopening"
    message = (
        message
        or options.waiting
        or (
            "Only a claim the payer has adjudicated (accepted, paid, partly paid or denied) is corrected this way; "
            + (
                "edit this one instead."
                if options.edit
                else f"this one is {claim.get_status_display().lower()}."
            )
        )
    )
    return render(
        request,
        "claims/correction_notice.html",
        {"claim": claim, "title": title, "steps": options.reopening, "message": message},
    )


def _not_editable(claim: Claim, options) -> str:
    if claim.status == "batched":
        return "This claim is in a batch not yet released: pull the batch back first, then edit it."
    if options.replace:
        return "The payer has adjudicated this claim: correct it with a replacement."
    return f"A {claim.get_status_display().lower()} claim cannot be edited."


@requires(Capability.BILLING_WORK)
def claim_replace(request, public_id):
    claim = _claim(public_id)
    options = services.claim_correction_options(claim)
    if not options.replace:
        return _notice(request, claim, options, f"Replace claim {claim.claim_number}")
    bound = request.method == "POST"
    state, form, lines = _forms(request, claim, bound=bound)
    if bound and form.is_valid() and lines.is_valid():
        changes, where = _changes(form, lines)
        try:
            new = services.claim_replace(
                claim=claim,
                actor=request.user,
                reason=form.cleaned_data["reason"],
                version=form.cleaned_data["version"],
                changes=changes,
            )
        except ClaimEditInvalidError as exc:
            _show_errors(form, lines, exc.errors, where)
        except DomainError as exc:
            form.add_error(None, exc.message)
        else:
            messages.success(
                request, f"Replacement {new.claim_number} created as a draft; a scrub is queued."
            )
            return redirect("claims:claim_detail", public_id=new.public_id)
    else:
        audit_view(request, claim)
    return _render(request, claim, state, form, lines, mode="replace")


@requires(Capability.BILLING_WORK)
def claim_void_at_payer(request, public_id):
    claim = _claim(public_id)
    options = services.claim_correction_options(claim)
    if not options.void_at_payer:
        return _notice(request, claim, options, f"Void claim {claim.claim_number} at the payer")
    form = ReasonForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            void = services.claim_void_at_payer(
                claim=claim, actor=request.user, reason=form.cleaned_data["reason"]
            )
        except DomainError as exc:
            messages.error(request, exc.message)
            return redirect("claims:claim_detail", public_id=claim.public_id)
        messages.success(
            request, f"Void {void.claim_number} (frequency 8) created; a scrub is queued, then batch it."
        )
        return redirect("claims:claim_detail", public_id=void.public_id)
    return render(
        request,
        "claims/confirm.html",
        {
            "title": f"Void {claim.claim_number} at the payer",
            "message": (
                f"Creates a frequency-8 claim quoting payer claim {claim.payer_claim_number or '(unknown)'}: "
                "the payer reverses what it paid on this claim. Send it in the next batch."
            ),
            "form": form,
            "action_url": request.path,
            "button": "Create void claim",
            "cancel_url": reverse("claims:claim_detail", args=[claim.public_id]),
        },
    )

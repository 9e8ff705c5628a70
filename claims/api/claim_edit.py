"""Claim edit and correction commands on the claim viewset:

- GET/POST .../claims/{id}/edit/  the editable claim (version, lines, scrubber edits with the field
  that fixes each) / a biller's edit (409 when the claim changed since that version)
- GET/POST .../claims/{id}/replace/  the corrections open to the claim / a replacement (frequency 7)
  with corrections
- GET/POST .../claims/{id}/void-at-payer/  the same options / a void (frequency 8) after adjudication
"""

from __future__ import annotations

from drf_spectacular.utils import OpenApiResponse, extend_schema
from rest_framework import status
from rest_framework.decorators import action
from rest_framework.response import Response

from claims import selectors, services
from claims.api.serializers import (
    ClaimDetailSerializer,
    ClaimEditInputSerializer,
    ClaimEditStateSerializer,
    CorrectionOptionsSerializer,
    ReasonSerializer,
)
from claims.domain.claim_edit import ClaimChanges
from claims.domain.fix_targets import fix_target
from claims.models import Claim
from claims.services.edit import PROVIDER_ROLES, claim_state, provider_roles
from infusion_rcm.accounts.roles import Capability
from infusion_rcm.audit.services import audit_view

CONFLICT = OpenApiResponse(
    description="The claim changed since `version`: reload it (code claim.edit_conflict)."
)
EDIT_CAPABILITIES = {
    "edit": Capability.BILLING_WORK,
    "replace": Capability.BILLING_WORK,
    "void_at_payer": Capability.BILLING_WORK,
}


def _changes(data: dict) -> ClaimChanges:
    roles = tuple(provider_roles())
    values = dict(data)
    for role in PROVIDER_ROLES:
        key = f"{role}_npi"
        if key in values:
            npi = values.pop(key) or ""
            # A role this installation does not store is refused by the edit rules, by name.
            values[role] = npi
    extra = tuple(r for r in PROVIDER_ROLES if r in values and r not in roles)
    return ClaimChanges.from_data(values, roles=roles + extra)


def _options(claim: Claim) -> dict:
    options = services.claim_correction_options(claim)
    return {
        "status": claim.status,
        "edit": options.edit,
        "void": options.void,
        "replace": options.replace,
        "void_at_payer": options.void_at_payer,
        "reopening": list(options.reopening),
        "waiting": options.waiting,
    }


def _conflict(exc: services.ClaimEditConflictError) -> Response:
    # A stale version is a conflict, not a bad request (docs/conventions.md section 8).
    return Response(exc.as_dict(), status=status.HTTP_409_CONFLICT)


def _detail(view, claim: Claim, code: int = status.HTTP_200_OK) -> Response:
    fresh = selectors.claim_list().prefetch_related("lines", "edits", "events__actor").get(pk=claim.pk)
    return Response(ClaimDetailSerializer(fresh, context=view.get_serializer_context()).data, status=code)


class ClaimEditActions:
    """Mixed into claims.api.views.ClaimViewSet."""

    @extend_schema(
        methods=["GET"], responses=ClaimEditStateSerializer, description="The claim as it is edited."
    )
    @extend_schema(
        methods=["POST"],
        request=ClaimEditInputSerializer,
        responses={200: ClaimDetailSerializer, 409: CONFLICT},
        description="Edit a draft, needs-fix, ready or rejected claim; a scrub is queued after it.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def edit(self, request, public_id=None):
        claim = self.get_object()  # type: ignore[attr-defined]
        if request.method == "GET":
            audit_view(request, claim)  # lines and diagnoses: a read of patient data
            state = claim_state(claim)
            roles = provider_roles()
            findings = []
            for edit in claim.edits.all():
                target = fix_target(edit.code, edit.line_number, message=edit.message)
                field = (
                    target.field
                    if target and (not target.field.endswith("_provider") or target.field in roles)
                    else ""
                )
                findings.append(
                    {
                        "code": edit.code,
                        "severity": edit.severity,
                        "message": edit.message,
                        "fix_hint": edit.fix_hint,
                        "line_number": edit.line_number,
                        "field": field,
                    }
                )
            state_data = {
                "version": services.claim_version(claim),
                "editable": services.claim_correction_options(claim).edit,
                "status": claim.status,
                "form": claim.form,
                "diagnosis_codes": list(state.diagnosis_codes),
                "prior_auth_number": state.prior_auth_number,
                "place_of_service": state.place_of_service,
                "providers": dict(state.providers),
                "lines": claim.lines.order_by("line_number"),
                "findings": findings,
            }
            return Response(ClaimEditStateSerializer(state_data, context=self.get_serializer_context()).data)  # type: ignore[attr-defined]
        data = ClaimEditInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            services.claim_edit(
                claim=claim,
                actor=request.user,
                reason=data.validated_data["reason"],
                version=data.validated_data["version"],
                changes=_changes(data.validated_data),
            )
        except services.ClaimEditConflictError as exc:
            return _conflict(exc)
        return _detail(self, claim)

    @extend_schema(
        methods=["GET"], responses=CorrectionOptionsSerializer, description="Corrections open to the claim."
    )
    @extend_schema(
        methods=["POST"],
        request=ClaimEditInputSerializer,
        responses={201: ClaimDetailSerializer, 409: CONFLICT},
        description="Create the replacement (frequency 7) of an adjudicated claim with the corrections given. "
        "Medicare Part B is refused (claim.reopening_required) with what to do instead.",
    )
    @action(detail=True, methods=["get", "post"], pagination_class=None)
    def replace(self, request, public_id=None):
        claim = self.get_object()  # type: ignore[attr-defined]
        if request.method == "GET":
            return Response(CorrectionOptionsSerializer(_options(claim)).data)
        data = ClaimEditInputSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        try:
            new = services.claim_replace(
                claim=claim,
                actor=request.user,
                reason=data.validated_data["reason"],
                version=data.validated_data["version"],
                changes=_changes(data.validated_data),
            )
        except services.ClaimEditConflictError as exc:
            return _conflict(exc)
        return _detail(self, new, status.HTTP_201_CREATED)

    @extend_schema(
        methods=["GET"], responses=CorrectionOptionsSerializer, description="Corrections open to the claim."
    )
    @extend_schema(
        methods=["POST"],
        request=ReasonSerializer,
        responses={201: ClaimDetailSerializer},
        description="Create the void (frequency 8, REF*F8) of an adjudicated claim; it is scrubbed and batched like "
        "any claim. Medicare Part B is refused (claim.reopening_required).",
    )
    @action(detail=True, methods=["get", "post"], url_path="void-at-payer", pagination_class=None)
    def void_at_payer(self, request, public_id=None):
        claim = self.get_object()  # type: ignore[attr-defined]
        if request.method == "GET":
            return Response(CorrectionOptionsSerializer(_options(claim)).data)
        data = ReasonSerializer(data=request.data)
        data.is_valid(raise_exception=True)
        void = services.claim_void_at_payer(
            claim=claim, actor=request.user, reason=data.validated_data["reason"]
        )
        return _detail(self, void, status.HTTP_201_CREATED)

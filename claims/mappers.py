"""ORM rows -> claim domain types (ClaimDraft for the scrubber and the 837 writer).

`claim_to_draft` reads a Claim with its related rows already loaded (see
`claims.selectors.claims_for_drafts`), or a plain row of the same shape from
`claims.selectors.claim_rows_for_drafts` (the bulk paths: column values, no model instances); it
never queries by itself once those are there. Shared
parties (billing provider, payer, facility, prescriber) are converted once per id through a
`DraftCache`, which matters when thousands of claims go through at once.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from typing import Any

from claims.domain import types as d
from claims.domain.other_payer import PriorPayerAdjudication
from claims.models import Claim, ClaimLine
from intake.domain.types import PayerKind as IntakePayerKind
from intake.domain.types import Relationship, SiteOfCare

# PAT01 individual relationship codes (005010X222A1 2000C).
_PAT01 = {Relationship.SPOUSE: "01", Relationship.CHILD: "19", Relationship.OTHER: "G8"}
# Facility type for institutional claims: 13 = hospital outpatient (TOB 013x).
HOSPITAL_OUTPATIENT_FACILITY_TYPE = "13"


def payer_kind(kind: str) -> d.PayerKind:
    """Intake's payer kind; an 'other' payer (TRICARE, VA, WC ...) files with its own SBR09 code."""
    return d.PayerKind(IntakePayerKind(kind).value)


def address_of(row: Any) -> d.Address:
    return d.Address(
        line1=row.address_line1,
        line2=row.address_line2 or None,
        city=row.city,
        state=row.state,
        zip=row.zip_code,
    )


@dataclass
class DraftCache:
    """Domain objects for rows many claims share, converted once per id."""

    providers: dict[int, d.BillingProvider] = field(default_factory=dict)
    payers: dict[int, d.Payer] = field(default_factory=dict)
    facilities: dict[int, d.ServiceFacility | None] = field(default_factory=dict)
    prescribers: dict[int, d.ProviderRef] = field(default_factory=dict)

    def provider(self, row: Any) -> d.BillingProvider:
        if row.pk not in self.providers:
            self.providers[row.pk] = d.BillingProvider(
                name=row.name,
                npi=row.npi,
                tax_id=row.tax_id,
                taxonomy=row.taxonomy or None,
                address=address_of(row),
            )
        return self.providers[row.pk]

    def payer(self, row: Any) -> d.Payer:
        if row.pk not in self.payers:
            self.payers[row.pk] = d.Payer(
                name=row.name,
                payer_id=row.payer_id,
                kind=payer_kind(row.kind),
                filing_indicator=row.claim_filing_indicator or None,
                max_lines=row.max_claim_lines,
            )
        return self.payers[row.pk]

    def facility(self, location: Any, provider: Any) -> d.ServiceFacility | None:
        """2310C/2310E: only when care was given somewhere other than the billing address (never at home)."""
        if location.pk not in self.facilities:
            same_place = (location.address_line1, location.zip_code) == (
                provider.address_line1,
                provider.zip_code,
            )
            if location.site_of_care == SiteOfCare.HOME or same_place:
                self.facilities[location.pk] = None
            else:
                self.facilities[location.pk] = d.ServiceFacility(
                    name=location.name, npi=location.npi or None, address=address_of(location)
                )
        return self.facilities[location.pk]

    def prescriber(self, row: Any) -> d.ProviderRef:
        if row.pk not in self.prescribers:
            self.prescribers[row.pk] = d.ProviderRef(
                last_name=row.last_name,
                first_name=row.first_name or None,
                npi=row.npi,
                taxonomy=getattr(row, "taxonomy", "") or None,
            )
        return self.prescribers[row.pk]


def subscriber_and_patient(claim: Claim) -> tuple[d.Subscriber, d.Patient | None]:
    """2010BA subscriber and, when the patient is not the subscriber, the 2000C/2010CA patient.

    A Medicare, Medicare Advantage or Medicaid member is always the subscriber, whatever the
    coverage's relationship says (they enrol individuals; the member id is the patient's own).
    """
    patient, coverage = claim.patient, claim.coverage
    home = address_of(patient)
    gender = patient.sex if patient.sex in ("M", "F", "U") else "U"
    own = payer_kind(claim.payer.kind) in d.OWN_SUBSCRIBER_KINDS
    if own or coverage.relationship == Relationship.SELF:
        sub = d.Subscriber(
            last_name=patient.last_name,
            first_name=patient.first_name or None,
            member_id=coverage.member_id,
            group_number=coverage.group_number or None,
            dob=patient.date_of_birth,
            gender=gender,
            address=home,
        )
        return sub, None
    sub = d.Subscriber(
        last_name=coverage.subscriber_last_name or patient.last_name,
        first_name=coverage.subscriber_first_name or None,
        member_id=coverage.member_id,
        group_number=coverage.group_number or None,
        dob=coverage.subscriber_date_of_birth,
        address=home,  # same household: the policyholder's address is not kept separately
    )
    dependent = d.Patient(
        relationship=_PAT01.get(Relationship(coverage.relationship), "G8"),
        last_name=patient.last_name,
        first_name=patient.first_name or None,
        dob=patient.date_of_birth,
        gender=gender,
        address=home,
    )
    return sub, dependent


def line_to_service_line(line: ClaimLine, rendering: d.ProviderRef | None = None) -> d.ServiceLine:
    return d.ServiceLine(
        rendering_provider=rendering,
        line_number=line.line_number,
        line_control_number=line.line_control_number,
        date_from=line.service_date_from,
        date_to=line.service_date_to,
        code=line.code,
        modifiers=tuple(line.modifiers or ()),
        units=line.units,
        charge=line.charge,
        diagnosis_pointers=tuple(line.diagnosis_pointers or ()),
        ndc=line.ndc or None,
        ndc_quantity=line.ndc_quantity if line.ndc else None,
        ndc_unit=(line.ndc_unit or None) if line.ndc else None,
        revenue_code=line.revenue_code or None,
    )


def claim_to_draft(
    claim: Claim, lines: Iterable[ClaimLine] | None = None, *, cache: DraftCache | None = None
) -> d.ClaimDraft:
    """The claim as the scrubber and the 837 writer read it.

    Expects patient, coverage, payer, billing_provider, location, referring, rendering and
    supervising providers and replaces loaded (select_related), and `lines` given or prefetched
    with their rendering provider.
    """
    cache = cache or DraftCache()
    form = d.ClaimForm(claim.form)
    subscriber, patient = subscriber_and_patient(claim)
    referring = cache.prescriber(claim.referring_provider) if claim.referring_provider_id else None
    rendering = cache.prescriber(claim.rendering_provider) if claim.rendering_provider_id else None
    supervising = cache.prescriber(claim.supervising_provider) if claim.supervising_provider_id else None
    institutional = form is d.ClaimForm.INSTITUTIONAL
    rows = list(lines) if lines is not None else list(claim.lines.all())

    def line_rendering(row: Any) -> d.ProviderRef | None:
        return cache.prescriber(row.rendering_provider) if row.rendering_provider_id else None

    return d.ClaimDraft(
        claim_id=claim.claim_number,
        form=form,
        frequency_code=claim.frequency_code,
        billing_provider=cache.provider(claim.billing_provider),
        referring_provider=referring,
        rendering_provider=rendering,
        supervising_provider=None if institutional else supervising,
        # 837I 2310A: the physician responsible for the outpatient's care, i.e. the ordering one
        attending_provider=(referring or rendering or supervising) if institutional else None,
        subscriber=subscriber,
        patient=patient,
        payer=cache.payer(claim.payer),
        place_of_service=None if institutional else (claim.place_of_service or None),
        facility_type_code=HOSPITAL_OUTPATIENT_FACILITY_TYPE if institutional else None,
        service_facility=cache.facility(claim.location, claim.billing_provider),
        diagnoses=tuple(claim.diagnosis_codes or ()),
        prior_auth_number=claim.prior_auth_number or None,
        original_claim_reference=(
            (claim.replaces.payer_claim_number or None) if claim.replaces_id else None  # type: ignore[union-attr]
        ),
        lines=tuple(
            line_to_service_line(ln, line_rendering(ln)) for ln in sorted(rows, key=lambda r: r.line_number)
        ),
        payer_sequence=getattr(claim, "payer_sequence", "P") or "P",
        other_payers=other_payers_of(claim),
    )


def other_payers_of(claim: Any) -> tuple[PriorPayerAdjudication, ...]:
    """The earlier payers' adjudications a next-payer claim stores (claims.services.secondary)."""
    return tuple(PriorPayerAdjudication.model_validate(item) for item in (claim.prior_adjudications or ()))


def edit_fields(edit: d.Edit) -> dict[str, Any]:
    """ClaimEdit column values for one scrubber edit."""
    return {
        "code": edit.code,
        "severity": edit.severity.value,
        "message": edit.message,
        "fix_hint": edit.fix_hint,
        "line_number": edit.line_number,
        "rule_id": edit.rule_id or "",
    }

"""837P (005010X222A1) and 837I (005010X223A2) claim writer.

Pure: claim drafts in, X12 text out. The envelope (ISA/GS/ST ... SE/GE/IEA) comes from
`infusion_rcm.x12.writer.interchange`; control numbers are handed in by the batch service.
Output is byte-stable for the same input: claims are grouped by billing provider in first-seen
order, lines are written by line number, and nothing reads the clock.

Loop map (professional / institutional):

    header   BHT, 1000A submitter NM1*41 + PER, 1000B receiver NM1*40
    2000A    HL*n**20*1, PRV*BI, 2010AA NM1*85 (XX NPI), N3, N4 (9-digit ZIP), REF*EI
    2000B    HL*n*p*22*x, SBR, 2010BA NM1*IL + N3/N4/DMG, 2010BB NM1*PR
    2000C    HL*n*p*23*0, PAT, 2010CA NM1*QC + N3/N4/DMG      (only when patient is not the subscriber)
    2300     CLM (CLM05 = POS:B:freq | facility type:A:freq), [837I: DTP*434, CL1],
             REF*G1 prior auth, REF*F8 original claim (freq 7/8), HI*ABK / HI*ABF
    2310x    837P: 2310A referring NM1*DN, 2310B rendering NM1*82 + PRV*PE (when not the billing
                   provider's NPI), 2310C facility NM1*77, 2310D supervising NM1*DQ (when not the
                   rendering provider)
             837I: 2310A attending NM1*71 + PRV*AT (required), 2310D rendering NM1*82 and 2310F
                   referring NM1*DN (each when not the attending provider), 2310E facility NM1*77
    2400     LX, SV1 (HC:code:mods, charge, UN, units, , , pointers) | SV2 (revenue code, HC:code:mods,
             charge, UN, units), DTP*472 (D8 or RD8 span), REF*6R line item control number
    2410     LIN**N4*ndc, CTP****quantity*unit   (REFERENCE DRG-N2)
    2420     837P 2420A / 837I 2420C rendering NM1*82 for a line rendered by someone else than 2310x
    2320/2330A/2330B, 2430   a secondary or tertiary claim's earlier payers (claims.domain.x12_837_cob);
             SBR01 of 2000B is the claim's own place (P, S, T)

Names and addresses go out in the X12 basic character set (`claims.domain.charset`): accented
letters are transliterated, so one patient's name cannot make a validator hold the batch.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Sequence
from datetime import date
from decimal import Decimal
from typing import NoReturn

from claims.domain.charset import fit
from claims.domain.types import (
    OWN_SUBSCRIBER_KINDS,
    Address,
    BillingProvider,
    ClaimDraft,
    ClaimForm,
    Payer,
    PayerKind,
    ProviderRef,
    Receiver,
    ServiceFacility,
    ServiceLine,
    Submitter,
)
from claims.domain.x12_837_cob import line_adjudication_loops, other_payer_loops
from infusion_rcm.common.errors import InvalidInputError
from infusion_rcm.common.money import to_money
from infusion_rcm.x12.writer import Composite, Envelope, interchange, segment

IMPLEMENTATION_GUIDE: dict[ClaimForm, str] = {
    ClaimForm.PROFESSIONAL: "005010X222A1",
    ClaimForm.INSTITUTIONAL: "005010X223A2",
}

# 005010X222A1 recommends no more than 5000 CLM loops per transaction set.
MAX_CLAIMS_PER_TRANSACTION = 5000
MAX_LINES = {ClaimForm.PROFESSIONAL: 50, ClaimForm.INSTITUTIONAL: 999}
MAX_DIAGNOSES_837P = 12


_MEDICARE_FFS = frozenset({"MA", "MB"})
_FILING_BY_KIND = {
    PayerKind.MEDICARE_ADVANTAGE: "16",
    PayerKind.MEDICAID: "MC",
    PayerKind.COMMERCIAL: "CI",
}


def claim_filing_indicator(kind: PayerKind, form: ClaimForm, configured: str | None = None) -> str | None:
    """SBR09 claim filing indicator code (X222A1 / X223A2 2000B SBR09, element 1032).

    The payer's own code when it has one (CH TRICARE, BL Blue plans, VA, WC, 12 PPO ...), else
    from its kind: 16 Medicare Advantage (HMO Medicare risk), MC Medicaid, CI commercial. Medicare
    fee-for-service is MB on an 837P and MA on an 837I whatever is configured. None for an
    'other' payer that names no code: CI would be wrong for TRICARE or the VA, so nothing is guessed
    (the scrubber raises PAYER_FILING_INDICATOR_MISSING).
    """
    if kind is PayerKind.MEDICARE or configured in _MEDICARE_FFS:
        return "MA" if form is ClaimForm.INSTITUTIONAL else "MB"
    if configured:
        return configured
    return _FILING_BY_KIND.get(kind)


def filing_indicator_for(payer: Payer, form: ClaimForm) -> str | None:
    return claim_filing_indicator(payer.kind, form, payer.filing_indicator)


def line_limit(claim: ClaimDraft) -> int:
    """Lines one claim may carry: the guide's (837P 50, 837I 999) or the payer's, if lower."""
    guide = MAX_LINES[claim.form]
    return min(guide, claim.payer.max_lines) if claim.payer.max_lines else guide


def x12_decimal(value: Decimal) -> str:
    """An X12 'R' (decimal) value: no exponent, trailing fractional zeros suppressed."""
    if not value.is_finite():
        raise InvalidInputError(f"not a finite number: {value}")
    text = format(value, "f")
    if "." in text:
        text = text.rstrip("0").rstrip(".")
    return text or "0"


def _money(value: Decimal) -> str:
    return x12_decimal(to_money(value))


def _d8(day: date) -> str:
    return day.strftime("%Y%m%d")


def _date_segment(qualifier: str, start: date, end: date) -> str:
    if end != start:
        return segment("DTP", qualifier, "RD8", f"{_d8(start)}-{_d8(end)}")
    return segment("DTP", qualifier, "D8", _d8(start))


def _address(address: Address, *, zip9: bool = False, where: str = "") -> list[str]:
    if zip9 and len(address.zip) != 9:
        raise InvalidInputError(f"{where} ZIP must have 9 digits (005010X222A1 N403)", code="x12.zip9")
    return [
        segment("N3", fit(address.line1, 55), fit(address.line2, 55)),
        segment("N4", fit(address.city, 30), address.state, address.zip),
    ]


def _fail(message: str, claim: ClaimDraft) -> NoReturn:
    raise InvalidInputError(f"claim {claim.claim_id}: {message}", extra={"claim_id": claim.claim_id})


def _require(condition: object, message: str, claim: ClaimDraft) -> None:
    if not condition:
        _fail(message, claim)


def _person_nm1(entity: str, person: ProviderRef) -> str:
    return segment(
        "NM1",
        entity,
        "1",
        fit(person.last_name, 60),
        fit(person.first_name, 35),
        "",
        "",
        "",
        "XX",
        person.npi,
    )


def _org_nm1(entity: str, name: str, qualifier: str, identifier: str) -> str:
    return segment("NM1", entity, "2", fit(name, 60), "", "", "", "", qualifier, identifier)


def _differs(person: ProviderRef | None, npi: str | None) -> bool:
    """A provider loop is situational: sent only when it names someone other than `npi`."""
    return person is not None and person.npi != npi


class _Writer:
    """Accumulates the body of one transaction set and numbers the HL segments."""

    def __init__(self, form: ClaimForm) -> None:
        self.form = form
        self.out: list[str] = []
        self.hl = 0

    def next_hl(self) -> int:
        self.hl += 1
        return self.hl

    # -- 2000A -------------------------------------------------------------
    def billing_provider(self, provider: BillingProvider) -> int:
        number = self.next_hl()
        self.out.append(segment("HL", number, "", "20", "1"))
        if provider.taxonomy:
            self.out.append(segment("PRV", "BI", "PXC", provider.taxonomy))
        self.out.append(_org_nm1("85", provider.name, "XX", provider.npi))
        self.out.extend(_address(provider.address, zip9=True, where="Billing provider (2010AA)"))
        self.out.append(segment("REF", "EI", provider.tax_id))
        return number

    # -- 2000B / 2000C / 2300 ------------------------------------------------
    def claim(self, claim: ClaimDraft, parent_hl: int) -> None:
        sub = claim.subscriber
        self_pay = claim.patient is None
        if not self_pay and claim.payer.kind in OWN_SUBSCRIBER_KINDS:
            _fail("a Medicare or Medicaid member is always the subscriber (SBR02 18, no 2000C)", claim)
        filing = filing_indicator_for(claim.payer, claim.form)
        if filing is None:
            _fail(f"payer {claim.payer.name} has no claim filing indicator (SBR09)", claim)
        sub_hl = self.next_hl()
        self.out.append(segment("HL", sub_hl, parent_hl, "22", "0" if self_pay else "1"))
        self.out.append(
            segment(
                "SBR",
                claim.payer_sequence,
                "18" if self_pay else "",
                sub.group_number or "",
                "",
                "",
                "",
                "",
                "",
                filing,
            )
        )
        self.out.append(
            segment(
                "NM1",
                "IL",
                "1",
                fit(sub.last_name, 60),
                fit(sub.first_name, 35),
                fit(sub.middle_name, 25),
                "",
                "",
                "MI",
                sub.member_id,
            )
        )
        if sub.address is not None:
            self.out.extend(_address(sub.address))
        elif self_pay:
            _fail("subscriber address is required when the patient is the subscriber (2010BA N3/N4)", claim)
        if self_pay:
            if sub.dob is None or sub.gender is None:
                _fail(
                    "subscriber DOB and gender are required when the patient is the subscriber (2010BA DMG)",
                    claim,
                )
            self.out.append(segment("DMG", "D8", _d8(sub.dob), sub.gender))
        self.out.append(_org_nm1("PR", claim.payer.name, "PI", claim.payer.payer_id))

        if claim.patient is not None:
            pat = claim.patient
            self.out.append(segment("HL", self.next_hl(), sub_hl, "23", "0"))
            self.out.append(segment("PAT", pat.relationship))
            self.out.append(
                segment(
                    "NM1",
                    "QC",
                    "1",
                    fit(pat.last_name, 60),
                    fit(pat.first_name, 35),
                    fit(pat.middle_name, 25),
                )
            )
            self.out.extend(_address(pat.address))
            self.out.append(segment("DMG", "D8", _d8(pat.dob), pat.gender))

        self.claim_loop(claim)

    def claim_loop(self, claim: ClaimDraft) -> None:
        institutional = self.form is ClaimForm.INSTITUTIONAL
        lines = claim.sorted_lines
        _require(lines, "has no service lines", claim)
        limit = line_limit(claim)
        _require(len(lines) <= limit, f"has more than {limit} lines (split it by date of service)", claim)
        _require(claim.diagnoses, "has no diagnosis code", claim)
        _require(
            len(claim.claim_id) <= 20, "CLM01 patient control number is longer than 20 characters", claim
        )
        if claim.frequency_code in ("7", "8"):
            _require(
                claim.original_claim_reference,
                "replacement/void needs the payer claim number (REF*F8)",
                claim,
            )

        total = _money(claim.total_charge)
        if institutional:
            _require(claim.facility_type_code, "837I needs a facility type code (CLM05-1)", claim)
            location = Composite(claim.facility_type_code, "A", claim.frequency_code)
            self.out.append(segment("CLM", claim.claim_id, total, "", "", location, "", "A", "Y", "Y"))
            start, end = claim.statement_from, claim.statement_to
            if start is None or end is None:
                _fail("has no service dates", claim)
            self.out.append(segment("DTP", "434", "RD8", f"{_d8(start)}-{_d8(end)}"))
            self.out.append(segment("CL1", "", "", claim.patient_status_code))
        else:
            _require(claim.place_of_service, "837P needs a place of service (CLM05-1)", claim)
            location = Composite(claim.place_of_service, "B", claim.frequency_code)
            self.out.append(segment("CLM", claim.claim_id, total, "", "", location, "Y", "A", "Y", "Y"))

        if claim.prior_auth_number:
            self.out.append(segment("REF", "G1", claim.prior_auth_number))
        if claim.frequency_code in ("7", "8"):
            self.out.append(segment("REF", "F8", claim.original_claim_reference))

        self.diagnoses(claim)
        if institutional:
            self.institutional_providers(claim)
        else:
            self.professional_providers(claim)
        if claim.other_payers or claim.payer_sequence != "P":
            self.out.extend(other_payer_loops(claim))  # 2320 / 2330A / 2330B

        claim_rendering = self.claim_rendering_npi(claim)
        for number, line in enumerate(lines, start=1):
            self.service_line(claim, number, line, claim_rendering)

    def claim_rendering_npi(self, claim: ClaimDraft) -> str:
        """The NPI a line's rendering provider is compared with (2420A / 2420C are for exceptions)."""
        if self.form is ClaimForm.INSTITUTIONAL:
            person = claim.rendering_provider or claim.attending_provider
        else:
            person = claim.rendering_provider
        return person.npi if person is not None else claim.billing_provider.npi

    def diagnoses(self, claim: ClaimDraft) -> None:
        principal, *others = claim.diagnoses
        if self.form is ClaimForm.PROFESSIONAL:
            _require(len(claim.diagnoses) <= MAX_DIAGNOSES_837P, "837P carries at most 12 diagnoses", claim)
            items = [Composite("ABK", principal)] + [Composite("ABF", dx) for dx in others]
            self.out.append(segment("HI", *items))
            return
        # 837I: principal diagnosis alone, then other diagnoses 12 per HI (two HI segments at most)
        self.out.append(segment("HI", Composite("ABK", principal)))
        _require(len(others) <= 24, "837I carries at most 24 other diagnoses", claim)
        for start in range(0, len(others), 12):
            self.out.append(segment("HI", *[Composite("ABF", dx) for dx in others[start : start + 12]]))

    def rendering(self, person: ProviderRef) -> None:
        """837P 2310B / 2420A: NM1*82 and, when known, the taxonomy the payer adjudicates on."""
        self.out.append(_person_nm1("82", person))
        if person.taxonomy:
            self.out.append(segment("PRV", "PE", "PXC", person.taxonomy))

    def professional_providers(self, claim: ClaimDraft) -> None:
        """X222A1: 2310B is required when the rendering NPI is not the 2010AA billing NPI; 2310D
        when the rendering provider is supervised by another physician."""
        rendering = claim.rendering_provider
        if claim.referring_provider:  # 2310A
            self.out.append(_person_nm1("DN", claim.referring_provider))
        if rendering is not None and _differs(rendering, claim.billing_provider.npi):  # 2310B
            self.rendering(rendering)
        if claim.service_facility:  # 2310C
            self.facility(claim.service_facility)
        supervising = claim.supervising_provider
        if supervising is not None and _differs(supervising, rendering.npi if rendering else None):
            self.out.append(_person_nm1("DQ", supervising))  # 2310D

    def institutional_providers(self, claim: ClaimDraft) -> None:
        """X223A2: 2310A attending is required (infusion is never non-scheduled transport); 2310D
        rendering and 2310F referring only when they are not the attending provider."""
        attending = claim.attending_provider
        if attending is None:
            _fail("837I needs an attending provider (2310A)", claim)
        self.out.append(_person_nm1("71", attending))
        if attending.taxonomy:
            self.out.append(segment("PRV", "AT", "PXC", attending.taxonomy))
        if _differs(claim.rendering_provider, attending.npi):  # 2310D
            self.out.append(_person_nm1("82", claim.rendering_provider))  # type: ignore[arg-type]  # _differs checked it
        if claim.service_facility:  # 2310E
            self.facility(claim.service_facility)
        if _differs(claim.referring_provider, attending.npi):  # 2310F
            self.out.append(_person_nm1("DN", claim.referring_provider))  # type: ignore[arg-type]  # _differs checked it

    def facility(self, facility: ServiceFacility) -> None:
        self.out.append(_org_nm1("77", facility.name, "XX" if facility.npi else "", facility.npi or ""))
        self.out.extend(_address(facility.address, zip9=True, where="Service facility (2310C/2310E)"))

    # -- 2400 / 2410 ------------------------------------------------------
    def service_line(self, claim: ClaimDraft, number: int, line: ServiceLine, claim_rendering: str) -> None:
        procedure = Composite("HC", line.code, *line.modifiers)
        units = x12_decimal(line.units)
        self.out.append(segment("LX", number))
        if self.form is ClaimForm.INSTITUTIONAL:
            _require(line.revenue_code, f"line {line.line_number} needs a revenue code (SV201)", claim)
            self.out.append(segment("SV2", line.revenue_code, procedure, _money(line.charge), "UN", units))
        else:
            pointers = line.diagnosis_pointers
            _require(pointers, f"line {line.line_number} needs a diagnosis pointer (SV107)", claim)
            _require(
                all(1 <= p <= len(claim.diagnoses) for p in pointers),
                f"line {line.line_number} points at a diagnosis that is not on the claim",
                claim,
            )
            self.out.append(
                segment("SV1", procedure, _money(line.charge), "UN", units, "", "", Composite(*pointers))
            )
        self.out.append(_date_segment("472", line.date_from, line.service_to))
        self.out.append(segment("REF", "6R", line.line_control_number))
        if line.ndc:
            _require(
                len(line.ndc) == 11 and line.ndc.isdigit(),
                f"line {line.line_number} NDC must be 11 digits (LIN03)",
                claim,
            )
            if line.ndc_quantity is None or line.ndc_unit is None:
                _fail(f"line {line.line_number} NDC needs a quantity and unit (CTP04/CTP05)", claim)
            self.out.append(segment("LIN", "", "N4", line.ndc))
            self.out.append(
                segment("CTP", "", "", "", x12_decimal(line.ndc_quantity), Composite(line.ndc_unit))
            )
        if line.rendering_provider is not None and _differs(line.rendering_provider, claim_rendering):
            if self.form is ClaimForm.INSTITUTIONAL:
                self.out.append(_person_nm1("82", line.rendering_provider))  # 2420C
            else:
                self.rendering(line.rendering_provider)  # 2420A
        self.out.extend(line_adjudication_loops(claim, line))  # 2430


def build_837(
    claims: Sequence[ClaimDraft],
    *,
    submitter: Submitter,
    receiver: Receiver,
    envelope: Envelope,
    batch_reference: str | None = None,
) -> str:
    """Write one interchange holding the claims as 837P or 837I.

    All claims must use the same form (one implementation guide per file). The envelope's GS01 and
    GS08/ST03 are set from the form (HC; 005010X222A1 or 005010X223A2) whatever the caller passed.
    BHT03 is `batch_reference` (default: the interchange control number). Claims are written in
    order, grouped under one 2000A per billing provider (first-seen order), at most 5000 claims per
    transaction set. Raises `InvalidInputError` for anything that cannot be written.
    """
    if not claims:
        raise InvalidInputError("an 837 needs at least one claim")
    forms = {c.form for c in claims}
    if len(forms) > 1:
        raise InvalidInputError(
            "an 837 file holds one claim form; split 837P and 837I claims into separate batches",
            code="x12.mixed_forms",
        )
    form = forms.pop()
    ids = [c.claim_id for c in claims]
    if len(set(ids)) != len(ids):
        raise InvalidInputError("a claim id appears twice in the batch", code="x12.duplicate_claim")

    env = dataclasses.replace(envelope, functional_id="HC", version=IMPLEMENTATION_GUIDE[form])
    reference = batch_reference or f"{env.interchange_control:09d}"

    transactions: list[tuple[str, list[str]]] = []
    for start in range(0, len(claims), MAX_CLAIMS_PER_TRANSACTION):
        chunk = claims[start : start + MAX_CLAIMS_PER_TRANSACTION]
        writer = _Writer(form)
        writer.out.append(
            segment(
                "BHT",
                "0019",
                "00",
                reference,
                env.created.strftime("%Y%m%d"),
                env.created.strftime("%H%M"),
                "CH",
            )
        )
        writer.out.append(_org_nm1("41", submitter.name, "46", submitter.submitter_id))
        contact: list[str] = ["TE", submitter.phone]
        if submitter.email:
            contact += ["EM", submitter.email]
        writer.out.append(segment("PER", "IC", fit(submitter.contact_name, 60), *contact))
        writer.out.append(_org_nm1("40", receiver.name, "46", receiver.receiver_id))

        groups: dict[BillingProvider, list[ClaimDraft]] = {}
        for claim in chunk:
            groups.setdefault(claim.billing_provider, []).append(claim)
        for provider, provider_claims in groups.items():
            parent = writer.billing_provider(provider)
            for claim in provider_claims:
                writer.claim(claim, parent)
        transactions.append(("837", writer.out))

    return interchange(env, transactions)

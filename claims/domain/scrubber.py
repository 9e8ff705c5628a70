"""Pre-submission claim scrubber: claim + payer rules + context -> edits.

Pure. Every input that changes the answer is an argument: the as-of date, the authorizations in
force, when eligibility was last verified, which claim keys already exist, and (optionally) an
ICD-10-CM code-set lookup. The output *is* the list of edits (docs/conventions.md section 2): errors
block submission (the claim goes to needs_fix), warnings are for a biller to look at.

Sources cited in the edits:
- REFERENCE = rule ids of docs/billing-rules/ (DRG-*, HIT-*, TF-*; sections 5.x in denial-codes.md,
  6.x in eligibility-and-auth.md). The edit codes themselves: docs/billing-rules/scrubber-edits.md.
- X222A1 / X223A2 = the 837P / 837I implementation guides, by loop and segment.
- NPI check digit and ICD-10-CM code shape: `infusion_rcm.common.identifiers` (CMS NPI standard,
  Luhn with the 80840 card-issuer prefix; ICD-10-CM tabular list).

Edits are ordered claim-level first, then by line number, then by code, so the output is stable.
"""

from __future__ import annotations

import re
from collections import defaultdict
from collections.abc import Callable, Iterable, Sequence
from datetime import date, timedelta
from decimal import Decimal

from pydantic import BaseModel, ConfigDict, Field

from claims.domain.charset import changed_by_basic
from claims.domain.scrub_coding_findings import CodingFinding, coding_finding_edits
from claims.domain.types import (
    OWN_SUBSCRIBER_KINDS,
    Address,
    ClaimDraft,
    ClaimForm,
    ClaimFormRule,
    CoveredDiagnosesRule,
    Edit,
    MaxUnitsPerDayRule,
    ModifierRequiredRule,
    NdcRequiredRule,
    PayerKind,
    PayerRule,
    PriorAuthRequiredRule,
    ProviderRef,
    ProviderRequiredRule,
    ServiceLine,
    Severity,
    TimelyFilingRule,
    ZeroChargeAllowedRule,
)
from claims.domain.x12_837 import MAX_LINES, filing_indicator_for, line_limit
from infusion_rcm.common.identifiers import icd10cm_shape_ok, npi_is_valid

E = Severity.ERROR
W = Severity.WARNING

_POS_SHAPE = re.compile(r"^\d{2}$")
_REVENUE_SHAPE = re.compile(r"^\d{4}$")

# Built-in filing limits when no timely_filing payer rule is configured (REFERENCE TF-1, TF-3).
# Commercial and Medicare Advantage limits are contractual (TF-2): configure a timely_filing rule.
_DEFAULT_FILING_DAYS: dict[PayerKind, int] = {PayerKind.MEDICARE: 365, PayerKind.MEDICAID: 365}


def add_calendar_year(day: date) -> date:
    """One calendar year later; Feb-29 maps to Feb-28 (REFERENCE TF-1)."""
    try:
        return day.replace(year=day.year + 1)
    except ValueError:
        return day.replace(year=day.year + 1, day=28)


def duplicate_keys(claim: ClaimDraft) -> frozenset[str]:
    """Keys identifying the services on a claim for duplicate detection (CARC 18).

    One key per line: payer, member, patient name and DOB, code, modifiers and service dates. The
    claims service computes these for every live claim and passes them in `ScrubContext.seen_claim_keys`
    (excluding the claim being scrubbed and claims it replaces).
    """
    person = claim.patient or claim.subscriber
    dob = person.dob.isoformat() if person.dob else ""
    keys = set()
    for line in claim.lines:
        keys.add(
            "|".join(
                [
                    claim.payer.payer_id,
                    claim.subscriber.member_id.upper(),
                    person.last_name.upper(),
                    dob,
                    line.code,
                    ":".join(sorted(line.modifiers)),
                    line.date_from.isoformat(),
                    line.service_to.isoformat(),
                ]
            )
        )
    return frozenset(keys)


class AuthInForce(BaseModel):
    """One approved authorization for one code (REFERENCE 6.1): number, remaining units, date span."""

    model_config = ConfigDict(frozen=True, extra="forbid")

    auth_number: str = Field(min_length=1)
    code: str = Field(min_length=5, max_length=5)
    remaining_units: Decimal
    start: date | None = None
    end: date | None = None

    def covers(self, day: date) -> bool:
        return (self.start is None or self.start <= day) and (self.end is None or day <= self.end)


class ScrubContext(BaseModel):
    """Everything outside the claim that the scrubber needs; built by the claims service."""

    model_config = ConfigDict(frozen=True, extra="forbid", arbitrary_types_allowed=True)

    as_of: date
    auths: tuple[AuthInForce, ...] = ()
    eligibility_verified_on: date | None = None
    eligibility_fresh_days: int = Field(default=30, ge=0, description="payer-specific freshness window")
    seen_claim_keys: frozenset[str] = frozenset()
    valid_icd10: Callable[[str], bool] | None = Field(
        default=None, description="code-set lookup for the date of service; None checks syntax only"
    )
    valid_npi: Callable[[str], bool] = Field(default=npi_is_valid)
    timely_filing_warn_days: int = Field(default=14, ge=0)
    code_in_force: Callable[[str, date], bool] | None = Field(
        default=None, description="dated code sets (CPT/HCPCS) lookup; None skips the check"
    )
    coding_findings: tuple[CodingFinding, ...] = Field(
        default=(), description="engine findings stored with the claim's visits (scrub_coding_findings)"
    )


def _edit(
    code: str,
    severity: Severity,
    message: str,
    fix_hint: str,
    source: str,
    line: ServiceLine | None = None,
    rule_id: str | None = None,
) -> Edit:
    return Edit(
        code=code,
        severity=severity,
        message=message,
        fix_hint=fix_hint,
        line_number=line.line_number if line else None,
        rule_id=rule_id,
        source=source,
    )


# ---------------------------------------------------------------------------
# Built-in edits
# ---------------------------------------------------------------------------


def _structure(claim: ClaimDraft) -> Iterable[Edit]:
    """Lines, diagnoses, claim id, place of service / facility type, frequency reference.

    X222A1 2300 CLM01 (max 20 chars kept by payers), CLM05; 2400 at most 50 lines (837P);
    HI at most 12 diagnoses (837P); REFERENCE 5.4 frequency 7/8 carries REF*F8.
    """
    if not claim.lines:
        yield _edit(
            "CLM_NO_LINES",
            E,
            "The claim has no service lines.",
            "Add the charges for the visit (from the coding step) before scrubbing.",
            "X222A1 2400 LX/SV1",
        )
    if not claim.diagnoses:
        yield _edit(
            "CLM_NO_DIAGNOSIS",
            E,
            "The claim has no diagnosis code.",
            "Enter the ICD-10-CM diagnosis from the order; the first one is the principal.",
            "X222A1 2300 HI*ABK",
        )
    if len(claim.claim_id) > 20:
        yield _edit(
            "CLM_ID_TOO_LONG",
            E,
            f"Patient control number '{claim.claim_id}' is longer than 20 characters.",
            "Use a claim number of 20 characters or fewer; payers truncate CLM01 at 20.",
            "X222A1 2300 CLM01",
        )
    limit = line_limit(claim)
    if len(claim.lines) > limit:
        whose = "this payer takes" if limit < MAX_LINES[claim.form] else f"an {claim.form} holds"
        yield _edit(
            "CLM_TOO_MANY_LINES",
            E,
            f"The claim has {len(claim.lines)} lines; {whose} at most {limit} per claim.",
            "Rebuild it from its charges: claims over the limit are built as several claims split by "
            "date of service (or void it and bill the dates in parts).",
            "X222A1 2400 repeat 50; X223A2 2400 repeat 999; payer line limit",
        )
    if claim.form is ClaimForm.PROFESSIONAL:
        if len(claim.diagnoses) > 12:
            yield _edit(
                "CLM_TOO_MANY_DIAGNOSES",
                E,
                f"An 837P claim holds at most 12 diagnoses; this one has {len(claim.diagnoses)}.",
                "Keep the 12 diagnoses the lines point at; drop the rest.",
                "X222A1 2300 HI01-HI12",
            )
        if not claim.place_of_service or not _POS_SHAPE.match(claim.place_of_service):
            yield _edit(
                "CLM_POS_MISSING",
                E,
                "The place of service is missing or not a 2-digit code.",
                "Set the place of service: 11 office, 12 home, 49 independent clinic / infusion suite (REFERENCE SOC-POS).",
                "X222A1 2300 CLM05-1; REFERENCE SOC-POS",
            )
    else:
        if not claim.facility_type_code or not _POS_SHAPE.match(claim.facility_type_code):
            yield _edit(
                "CLM_FACILITY_TYPE_MISSING",
                E,
                "The facility type code (first two digits of the bill type) is missing.",
                "Set the facility type, e.g. 13 for hospital outpatient (TOB 013x).",
                "X223A2 2300 CLM05-1; REFERENCE section 4",
            )
        if claim.attending_provider is None:
            yield _edit(
                "CLM_ATTENDING_MISSING",
                E,
                "An institutional claim needs the attending provider.",
                "Add the ordering/attending physician's name and NPI.",
                "X223A2 2310A NM1*71",
            )
    if claim.frequency_code in ("7", "8") and not claim.original_claim_reference:
        yield _edit(
            "CLM_ORIGINAL_REFERENCE_MISSING",
            E,
            "A replacement (7) or void (8) claim must carry the payer's claim number of the original.",
            "Copy the payer claim control number (CLP07 on the 835 or REF*1K on the 277CA) into 'original claim reference'.",
            "X222A1 2300 REF*F8; REFERENCE 5.4",
        )


def _parties(claim: ClaimDraft, ctx: ScrubContext) -> Iterable[Edit]:
    """NPIs (Luhn with the 80840 prefix), billing ZIP+4, tax id, subscriber demographics.

    X222A1 2010AA NM109 / N403 (9-digit ZIP) / REF*EI; 2310x NM109; 2010BA DMG.
    """
    providers = [("billing provider", claim.billing_provider.npi)]
    refs: list[tuple[str, ProviderRef | None]] = [
        ("rendering provider", claim.rendering_provider),
        ("referring provider", claim.referring_provider),
        ("attending provider", claim.attending_provider),
        ("supervising provider", claim.supervising_provider),
    ]
    refs += [
        (f"line {ln.line_number} rendering provider", ln.rendering_provider) for ln in claim.sorted_lines
    ]
    for role, ref in refs:
        if ref is not None and (role, ref.npi) not in providers:
            providers.append((role, ref.npi))
    if claim.service_facility is not None and claim.service_facility.npi:
        providers.append(("service facility", claim.service_facility.npi))
    for role, npi in providers:
        if not ctx.valid_npi(npi):
            yield _edit(
                "NPI_INVALID",
                E,
                f"The {role} NPI '{npi}' is not a valid NPI (check digit).",
                f"Re-enter the {role} NPI from NPPES; a typo usually breaks the check digit.",
                "X222A1 NM109 (XX); CMS NPI check digit (Luhn, prefix 80840)",
            )
    if len(claim.billing_provider.address.zip) != 9:
        yield _edit(
            "BILLING_ZIP9",
            E,
            "The billing provider ZIP code must have 9 digits (ZIP+4).",
            "Add the 4-digit ZIP extension to the billing provider address in practice settings.",
            "X222A1/X223A2 2010AA N403",
        )
    if claim.service_facility is not None and len(claim.service_facility.address.zip) != 9:
        yield _edit(
            "FACILITY_ZIP9",
            E,
            "The service facility ZIP code must have 9 digits (ZIP+4).",
            "Add the 4-digit ZIP extension to the service location address.",
            "X222A1 2310C N403",
        )
    tax_id = claim.billing_provider.tax_id
    if len(tax_id) != 9 or not tax_id.isdigit():
        yield _edit(
            "TAX_ID_INVALID",
            E,
            f"The billing provider tax id '{tax_id}' is not 9 digits.",
            "Enter the EIN as 9 digits.",
            "X222A1 2010AA REF*EI",
        )
    if claim.patient is not None and claim.payer.kind in OWN_SUBSCRIBER_KINDS:
        yield _edit(
            "SUBSCRIBER_MUST_BE_PATIENT",
            E,
            "A Medicare or Medicaid member is always their own subscriber, but the claim sends the "
            "patient as a dependant.",
            "Set the coverage's relationship to 'self' (the member id is the patient's own) and rebuild.",
            "X222A1 2000B SBR02 = 18; CMS and state Medicaid 837 companion guides",
        )
    if filing_indicator_for(claim.payer, claim.form) is None:
        yield _edit(
            "PAYER_FILING_INDICATOR_MISSING",
            E,
            f"{claim.payer.name} has no claim filing indicator, so SBR09 cannot be written.",
            "An admin sets it on the payer (Intake, payers): CH TRICARE, VA Veterans Affairs, "
            "WC workers' compensation, BL Blue plans, CI commercial ...",
            "X222A1 / X223A2 2000B SBR09",
        )
    if claim.patient is None:
        sub = claim.subscriber
        if sub.dob is None or sub.gender is None or sub.address is None:
            yield _edit(
                "SUBSCRIBER_DEMOGRAPHICS",
                E,
                "The patient is the subscriber, so the subscriber's date of birth, gender and address are required.",
                "Complete the patient's demographics in intake.",
                "X222A1 2010BA N3/N4/DMG",
            )


def _diagnoses(claim: ClaimDraft, ctx: ScrubContext) -> Iterable[Edit]:
    """Each ICD-10-CM code has the right shape and (if a lookup is given) exists for the date of service.

    X222A1 2300 HI (ABK/ABF). Invalid codes reject at the front end (277CA A7:254 style).
    """
    for index, code in enumerate(claim.diagnoses, start=1):
        if not icd10cm_shape_ok(code):
            yield _edit(
                "ICD10_INVALID",
                E,
                f"Diagnosis {index} '{code}' is not an ICD-10-CM code.",
                "Correct the code from the order; ICD-10-CM codes look like K50.90 (letter, 2 digits, up to 4 more).",
                "X222A1 2300 HI01-2",
            )
        elif ctx.valid_icd10 is not None and not ctx.valid_icd10(code):
            yield _edit(
                "ICD10_INVALID",
                E,
                f"Diagnosis {index} '{code}' is not a billable ICD-10-CM code for the date of service.",
                "Use the most specific billable code (all required characters) valid on the date of service.",
                "X222A1 2300 HI01-2; ICD-10-CM code set",
            )


def _lines(
    claim: ClaimDraft,
    ctx: ScrubContext,
    zero_allowed: Callable[[ServiceLine], ZeroChargeAllowedRule | None] = lambda _line: None,
) -> Iterable[Edit]:
    """Dates, units, charges, pointers, NDC shape and revenue codes per line.

    X222A1 2400 SV1-02 charge >= 0, SV1-04 units (whole HCPCS units, REFERENCE DRG-U1), SV1-07 pointers
    1..number of diagnoses, DTP*472 dates; 2410 LIN03 11-digit NDC with CTP04/CTP05 (REFERENCE DRG-N1/N2);
    X223A2 SV201 revenue code.
    """
    numbers = [ln.line_number for ln in claim.lines]
    for dup in sorted({n for n in numbers if numbers.count(n) > 1}):
        yield _edit(
            "LINE_NUMBER_DUPLICATE",
            E,
            f"Line number {dup} is used twice.",
            "Renumber the lines 1, 2, 3 ...",
            "X222A1 2400 LX01",
        )
    for line in claim.sorted_lines:
        if line.service_to < line.date_from:
            yield _edit(
                "LINE_DATES_REVERSED",
                E,
                f"Line {line.line_number}: the 'to' date is before the 'from' date.",
                "Swap or correct the service dates.",
                "X222A1 2400 DTP*472 RD8",
                line,
            )
        if ctx.code_in_force is not None and not ctx.code_in_force(line.code, line.date_from):
            yield _edit(
                "LINE_CODE_NOT_IN_FORCE",
                E,
                f"Line {line.line_number}: {line.code} is not in the code sets in force on {line.date_from}.",
                "The code may be discontinued, not yet effective or mistyped: check the quarterly HCPCS/CPT "
                "update and correct the line, or have an admin add the code with its effective dates.",
                "CARC 181 (procedure code invalid on the date of service); X222A1 2400 SV101-2",
                line,
            )
        if line.service_to > ctx.as_of:
            yield _edit(
                "LINE_DATE_FUTURE",
                E,
                f"Line {line.line_number}: the service date {line.service_to} is in the future.",
                "Bill a service only after it was given; for per-diem spans, end the span at the last day already served.",
                "X222A1 2400 DTP*472",
                line,
            )
        if line.units <= 0:
            yield _edit(
                "LINE_UNITS_NOT_POSITIVE",
                E,
                f"Line {line.line_number}: units must be greater than zero.",
                "Enter the billed units (administered amount / HCPCS billing unit, rounded up).",
                "X222A1 2400 SV104; REFERENCE DRG-U1",
                line,
            )
        elif line.units != line.units.to_integral_value():
            yield _edit(
                "LINE_UNITS_FRACTIONAL",
                E,
                f"Line {line.line_number}: {line.units} units is not a whole number.",
                "HCPCS units are whole: round the administered amount up (e.g. 1.67 -> 2); report exact drug amounts in the NDC quantity.",
                "REFERENCE DRG-U1; X222A1 SV104",
                line,
            )
        if line.charge < 0:
            yield _edit(
                "LINE_CHARGE_NEGATIVE",
                E,
                f"Line {line.line_number}: the charge is negative.",
                "Charges are never negative; use a replacement claim to lower a billed amount.",
                "X222A1 2400 SV102",
                line,
            )
        elif line.charge == 0:
            allowed = zero_allowed(line)
            yield _edit(
                "LINE_CHARGE_ZERO",
                W if allowed is not None else E,
                f"Line {line.line_number}: {line.code} has no charge"
                + (f" (payer rule {allowed.rule_id} lets this payer take it)." if allowed else "."),
                "The charge master has no price for this code on the date of service: add one (admin, charge "
                "master) and re-code, or enter the line's charge; a payer pays nothing on a $0 line.",
                "X222A1 2400 SV102" + (f"; payer rule {allowed.rule_id}" if allowed else ""),
                line,
                allowed.rule_id if allowed else None,
            )
        if claim.form is ClaimForm.PROFESSIONAL:
            if not line.diagnosis_pointers:
                yield _edit(
                    "LINE_POINTER_MISSING",
                    E,
                    f"Line {line.line_number} does not point at a diagnosis.",
                    "Point the line at the diagnosis that justifies it (1 = principal).",
                    "X222A1 2400 SV107",
                    line,
                )
            bad = [p for p in line.diagnosis_pointers if not 1 <= p <= min(len(claim.diagnoses), 12)]
            if bad:
                yield _edit(
                    "LINE_POINTER_RANGE",
                    E,
                    f"Line {line.line_number} points at diagnosis {', '.join(map(str, bad))}, but the claim has {len(claim.diagnoses)}.",
                    "Point only at diagnoses listed on the claim.",
                    "X222A1 2400 SV107",
                    line,
                )
        elif not line.revenue_code or not _REVENUE_SHAPE.match(line.revenue_code):
            yield _edit(
                "LINE_REVENUE_CODE_MISSING",
                E,
                f"Line {line.line_number} needs a 4-digit revenue code.",
                "Use 0260 for IV therapy administration, 0636 for drugs requiring detailed coding, 0258 for IV solutions.",
                "X223A2 2400 SV201; REFERENCE section 4 (S53)",
                line,
            )
        if line.ndc is not None and (len(line.ndc) != 11 or not line.ndc.isdigit()):
            yield _edit(
                "LINE_NDC_FORMAT",
                E,
                f"Line {line.line_number}: NDC '{line.ndc}' is not 11 digits.",
                "Enter the NDC from the vial label in 5-4-2 form with hyphens (e.g. 1234-5678-90); it is padded to 11 digits.",
                "REFERENCE DRG-N1; X222A1 2410 LIN03",
                line,
            )
        if line.ndc is not None and (
            line.ndc_quantity is None or line.ndc_quantity <= 0 or line.ndc_unit is None
        ):
            yield _edit(
                "LINE_NDC_QUANTITY_MISSING",
                E,
                f"Line {line.line_number}: the NDC needs a quantity and a unit.",
                "Enter the NDC quantity and unit (UN vials, ML, GR, F2, ME) actually used.",
                "REFERENCE DRG-N2/N3; X222A1 2410 CTP04/CTP05",
                line,
            )


def _names(claim: ClaimDraft) -> Iterable[Edit]:
    """Names and addresses that go out transliterated into the X12 basic character set.

    The 837 carries "NUNEZ, JOSE" for "Núñez, José" (claims.domain.charset); the payer matches the
    member on name and id, so a biller checks the spelling the payer has on file.
    """
    changed: list[str] = []

    def person(what: str, *names: str | None) -> None:
        if any(n and changed_by_basic(n) for n in names):
            changed.append(what)

    def address(what: str, addr: Address | None) -> None:
        if addr is not None and any(v and changed_by_basic(v) for v in (addr.line1, addr.line2, addr.city)):
            changed.append(what)

    sub = claim.subscriber
    person("subscriber name", sub.last_name, sub.first_name, sub.middle_name)
    address("subscriber address", sub.address)
    if claim.patient is not None:
        pat = claim.patient
        person("patient name", pat.last_name, pat.first_name, pat.middle_name)
        address("patient address", pat.address)
    person("billing provider name", claim.billing_provider.name)
    address("billing provider address", claim.billing_provider.address)
    person("payer name", claim.payer.name)
    for role, ref in (
        ("rendering provider name", claim.rendering_provider),
        ("referring provider name", claim.referring_provider),
        ("attending provider name", claim.attending_provider),
        ("supervising provider name", claim.supervising_provider),
    ):
        if ref is not None:
            person(role, ref.last_name, ref.first_name)
    if claim.service_facility is not None:
        person("service facility name", claim.service_facility.name)
        address("service facility address", claim.service_facility.address)
    if changed:
        yield _edit(
            "CHARSET_TRANSLITERATED",
            W,
            f"Written without accents or special characters in the 837: {', '.join(changed)}.",
            "X12 claims carry only A-Z, digits and basic punctuation, so accented letters are sent "
            "plain (e.g. NÚÑEZ as NUNEZ). Check that the payer has the member under that spelling; "
            "the record keeps the original.",
            "X12 005010 basic character set (X222A1 appendix B)",
        )


def _authorizations(claim: ClaimDraft, ctx: ScrubContext, needs_auth: set[str]) -> Iterable[Edit]:
    """Authorizations in force: missing, out of date span, exhausted; REF*G1 present.

    REFERENCE 6.1 (auth number, approved units, date span); 5.5 "auth units exhausted (CO-198/N54)".
    X222A1 2300 REF*G1. `needs_auth` holds the codes a prior_auth_required payer rule named.
    """
    by_code: dict[str, list[ServiceLine]] = defaultdict(list)
    for line in claim.sorted_lines:
        by_code[line.code].append(line)
    used_auth = False
    for code in sorted(by_code):
        lines = by_code[code]
        auths = [a for a in ctx.auths if a.code.upper() == code]
        if not auths:
            if code in needs_auth and not claim.prior_auth_number:
                yield _edit(
                    "AUTH_MISSING",
                    E,
                    f"{code} needs a prior authorization and none is on file.",
                    "Request the authorization from the payer (or record it in intake) before billing.",
                    "REFERENCE 6.1; X222A1 2300 REF*G1",
                    lines[0],
                )
            continue
        used_auth = True
        for line in lines:
            if not any(a.covers(line.date_from) and a.covers(line.service_to) for a in auths):
                yield _edit(
                    "AUTH_DATES",
                    E,
                    f"Line {line.line_number}: no authorization for {code} covers {line.date_from}..{line.service_to}.",
                    "Ask the payer to extend the authorization dates or bill only the covered days.",
                    "REFERENCE 6.1 (date span)",
                    line,
                )
        billed = sum((ln.units for ln in lines), Decimal(0))
        remaining = sum((a.remaining_units for a in auths), Decimal(0))
        if billed > remaining:
            yield _edit(
                "AUTH_EXHAUSTED",
                E,
                f"{code}: {billed} units billed but only {remaining} authorized units remain.",
                "Request more units from the payer before submitting (otherwise CO-198/N54).",
                "REFERENCE 5.5 and 6.1",
                lines[0],
            )
    if used_auth and not claim.prior_auth_number:
        numbers = sorted({a.auth_number for a in ctx.auths if a.code.upper() in by_code})
        yield _edit(
            "AUTH_NUMBER_NOT_ON_CLAIM",
            W,
            "An authorization is on file but its number is not on the claim.",
            f"Put the authorization number ({', '.join(numbers)}) in 'prior auth number'.",
            "X222A1 2300 REF*G1",
        )


def _eligibility(ctx: ScrubContext) -> Iterable[Edit]:
    """Eligibility verified recently (270/271, REFERENCE 6.2); freshness window per payer."""
    if ctx.eligibility_verified_on is None:
        yield _edit(
            "ELIGIBILITY_NOT_VERIFIED",
            E,
            "Coverage has never been verified for this patient and payer.",
            "Run an eligibility check (270/271) before submitting.",
            "REFERENCE 6.2",
        )
    elif (ctx.as_of - ctx.eligibility_verified_on).days > ctx.eligibility_fresh_days:
        age = (ctx.as_of - ctx.eligibility_verified_on).days
        yield _edit(
            "ELIGIBILITY_STALE",
            W,
            f"Coverage was last verified {age} days ago (limit {ctx.eligibility_fresh_days}).",
            "Re-run the eligibility check; coverage may have terminated or changed.",
            "REFERENCE 6.2",
        )


def _duplicate(claim: ClaimDraft, ctx: ScrubContext) -> Iterable[Edit]:
    """Same payer, member, code, modifiers and dates already billed on another live claim (CARC 18)."""
    if claim.frequency_code != "1":
        return
    clash = duplicate_keys(claim) & ctx.seen_claim_keys
    if clash:
        codes = sorted({k.split("|")[4] for k in clash})
        yield _edit(
            "DUPLICATE_CLAIM",
            E,
            f"{', '.join(codes)} for these dates was already billed on another claim.",
            "If this corrects the earlier claim, send it as a replacement (frequency 7) with the payer claim number; otherwise remove the duplicate lines.",
            "CARC 18; REFERENCE 5.4",
        )


def _timely_filing(claim: ClaimDraft, rules: Sequence[TimelyFilingRule], ctx: ScrubContext) -> Iterable[Edit]:
    """Filing deadline from the payer rule or the federal default (REFERENCE TF-1..TF-3).

    Medicare: one calendar year after the date of service (Part B per line from date; institutional
    claims use the through date). Medicaid: 12 months federal maximum. Others: contract rule only.
    """
    if not claim.lines:
        return
    rule = rules[0] if rules else None
    if rule is not None:
        basis = rule.basis
        warn = rule.warn_within_days
        source = f"REFERENCE TF-2; payer rule {rule.rule_id}"
    else:
        if claim.payer.kind not in _DEFAULT_FILING_DAYS:
            return
        basis = "through" if claim.form is ClaimForm.INSTITUTIONAL else "from"
        warn = ctx.timely_filing_warn_days
        source = (
            "REFERENCE TF-1 (42 CFR 424.44)"
            if claim.payer.kind is PayerKind.MEDICARE
            else "REFERENCE TF-3 (42 CFR 447.45)"
        )

    def deadline(day: date) -> date:
        if rule is not None:
            return day + timedelta(days=rule.days)
        return add_calendar_year(day)

    if basis == "through":
        anchors: list[tuple[ServiceLine | None, date]] = [(None, max(ln.service_to for ln in claim.lines))]
    else:
        anchors = [(ln, ln.date_from) for ln in claim.sorted_lines]
    line, due = min(((ln, deadline(day)) for ln, day in anchors), key=lambda pair: pair[1])
    rule_id = rule.rule_id if rule else None
    if ctx.as_of > due:
        yield _edit(
            "TIMELY_FILING_EXPIRED",
            E,
            f"The filing deadline passed on {due}.",
            "Do not submit as a new claim: check for proof of timely filing (a 999/277CA acceptance) or an exception, else write off (CO-29).",
            source,
            line,
            rule_id,
        )
    elif (due - ctx.as_of).days <= warn:
        yield _edit(
            "TIMELY_FILING_NEAR",
            W,
            f"The filing deadline is {due} ({(due - ctx.as_of).days} days left).",
            "Submit this claim in the next batch.",
            source,
            line,
            rule_id,
        )


# ---------------------------------------------------------------------------
# Payer rules
# ---------------------------------------------------------------------------


def _applies(rule: PayerRule, claim: ClaimDraft) -> bool:
    return not rule.payer_kinds or claim.payer.kind in rule.payer_kinds


def _in_window(rule: PayerRule, day: date) -> bool:
    return (rule.effective_from is None or rule.effective_from <= day) and (
        rule.effective_to is None or day <= rule.effective_to
    )


def _modifier_required(rule: ModifierRequiredRule, claim: ClaimDraft) -> Iterable[Edit]:
    """REFERENCE DRG-W1/W2 (JW/JZ on Medicare single-dose drugs), HIT-P3 (SH/SJ) and similar contract edits."""
    wanted = set(rule.modifiers_any_of)
    for line in claim.sorted_lines:
        if line.code not in rule.codes or not _in_window(rule, line.date_from):
            continue
        if wanted & set(line.modifiers):
            continue
        if rule.satisfied_by_same_code_line and any(
            other is not line
            and other.code == line.code
            and other.date_from == line.date_from
            and wanted & set(other.modifiers)
            for other in claim.lines
        ):
            continue
        hint = [f"Append {' or '.join(rule.modifiers_any_of)} as documented."]
        if wanted & {"JW", "JZ"}:
            hint.append("JW goes on a separate line for the discarded amount; JZ when nothing was discarded.")
        if rule.description:
            hint.append(rule.description)
        yield _edit(
            "PAYER_MODIFIER_REQUIRED",
            rule.severity,
            f"Line {line.line_number}: {line.code} needs one of the modifiers {', '.join(rule.modifiers_any_of)}.",
            " ".join(hint),
            rule.source or "REFERENCE DRG-W1/W2",
            line,
            rule.rule_id,
        )


def _ndc_required(rule: NdcRequiredRule, claim: ClaimDraft) -> Iterable[Edit]:
    """REFERENCE DRG-N2 and 5.5 (NDC missing for Medicaid, M119/CARC 211)."""
    for line in claim.sorted_lines:
        if line.ndc or not _in_window(rule, line.date_from):
            continue
        if line.code.startswith(rule.code_prefixes):
            yield _edit(
                "PAYER_NDC_REQUIRED",
                rule.severity,
                f"Line {line.line_number}: {line.code} needs the NDC of the product given.",
                "Enter the 11-digit NDC, quantity and unit from the vial/bag label (2410 LIN/CTP).",
                rule.source or "REFERENCE DRG-N2",
                line,
                rule.rule_id,
            )


def _max_units(rule: MaxUnitsPerDayRule, claim: ClaimDraft) -> Iterable[Edit]:
    """Medically unlikely units per day (MUE-style, REFERENCE 5.5 'units not matching HCPCS unit size')."""
    per_day: dict[date, Decimal] = defaultdict(Decimal)
    first_line: dict[date, ServiceLine] = {}
    for line in claim.sorted_lines:
        if line.code != rule.code:
            continue
        share = line.units / line.days
        for offset in range(line.days):
            day = line.date_from + timedelta(days=offset)
            per_day[day] += share
            first_line.setdefault(day, line)
    for day in sorted(per_day):
        if _in_window(rule, day) and per_day[day] > rule.units:
            yield _edit(
                "PAYER_MAX_UNITS",
                rule.severity,
                f"{rule.code}: {per_day[day].normalize():f} units on {day}, more than the {rule.units.normalize():f} allowed per day.",
                "Check the dose and the HCPCS billing unit; split days or attach documentation if the dose is right.",
                rule.source or "REFERENCE DRG-U1 and 5.5 (CO-151)",
                first_line[day],
                rule.rule_id,
            )


def _covered_diagnoses(rule: CoveredDiagnosesRule, claim: ClaimDraft) -> Iterable[Edit]:
    """Drug covered only for listed diagnoses (LCD / payer medical policy; CO-50/CO-11)."""
    for line in claim.sorted_lines:
        if line.code != rule.code or not _in_window(rule, line.date_from):
            continue
        if claim.form is ClaimForm.PROFESSIONAL:
            pointed = [
                claim.diagnoses[p - 1] for p in line.diagnosis_pointers if 1 <= p <= len(claim.diagnoses)
            ]
        else:
            pointed = list(claim.diagnoses)
        if not any(dx.startswith(rule.icd10_prefixes) for dx in pointed):
            yield _edit(
                "PAYER_DIAGNOSIS_NOT_COVERED",
                rule.severity,
                f"Line {line.line_number}: {line.code} is not covered for {', '.join(pointed) or 'no diagnosis'}.",
                f"Point the line at a covered diagnosis ({', '.join(rule.icd10_prefixes)}...) if documented; otherwise get an ABN/waiver or coverage review.",
                rule.source or "payer medical policy / LCD",
                line,
                rule.rule_id,
            )


_ROLE_LOOPS = {
    "rendering": "X222A1 2310B NM1*82 / X223A2 2310D",
    "supervising": "X222A1 2310D NM1*DQ",
    "referring": "X222A1 2310A NM1*DN / X223A2 2310F",
}
_ROLE_HINTS = {
    "rendering": "Put the practitioner the services are billed under on the visit (rendering, or the "
    "nurse's supervising physician) and rebuild, or set the rendering provider on the claim.",
    "supervising": "Record the physician who supervised the nurse on the visit, or set it on the claim.",
    "referring": "Set the ordering physician on the order, or the referring provider on the claim.",
}


def _provider_required(rule: ProviderRequiredRule, claim: ClaimDraft) -> Iterable[Edit]:
    """A payer needs the named individual on the claim (e.g. Medicare Part B: a group's claim
    without the rendering NPI is unprocessable, CMS IOM 100-04 ch. 26 item 24J)."""
    if rule.places_of_service and claim.place_of_service not in rule.places_of_service:
        return
    if claim.statement_from is not None and not _in_window(rule, claim.statement_from):
        return
    present = {
        "rendering": claim.rendering_provider,
        "supervising": claim.supervising_provider,
        "referring": claim.referring_provider or claim.attending_provider,
    }[rule.role]
    if claim.form is ClaimForm.INSTITUTIONAL and rule.role == "rendering":
        present = claim.rendering_provider or claim.attending_provider
    if present is None:
        yield _edit(
            "PAYER_PROVIDER_REQUIRED",
            rule.severity,
            f"{claim.payer.name} needs the {rule.role} provider on this claim and none is set.",
            _ROLE_HINTS[rule.role] + (f" {rule.description}" if rule.description else ""),
            rule.source or _ROLE_LOOPS[rule.role],
            rule_id=rule.rule_id,
        )


def _claim_form(rule: ClaimFormRule, claim: ClaimDraft) -> Iterable[Edit]:
    """Payer accepts one claim form (REFERENCE section 4: HOPD 837I vs office/AIC/home 837P)."""
    if claim.form is not rule.form:
        yield _edit(
            "PAYER_CLAIM_FORM",
            rule.severity,
            f"{claim.payer.name} takes this service on an {rule.form}, not an {claim.form}.",
            f"Rebuild the claim as an {rule.form}.",
            rule.source or "REFERENCE section 4",
            rule_id=rule.rule_id,
        )


# ---------------------------------------------------------------------------
# Entry point
# ---------------------------------------------------------------------------

_SEVERITY_ORDER = {Severity.ERROR: 0, Severity.WARNING: 1}


def scrub(claim: ClaimDraft, rules: Sequence[PayerRule], *, context: ScrubContext) -> list[Edit]:
    """Run every built-in edit and every payer rule that applies to this claim's payer kind.

    Returns the edits sorted claim-level first, then by line number, severity and code.
    """
    applicable = [r for r in rules if _applies(r, claim)]
    needs_auth: set[str] = set()
    timely: list[TimelyFilingRule] = []
    edits: list[Edit] = []
    zero_rules = [r for r in applicable if isinstance(r, ZeroChargeAllowedRule)]

    def zero_allowed(line: ServiceLine) -> ZeroChargeAllowedRule | None:
        for rule in zero_rules:
            if (not rule.codes or line.code in rule.codes) and _in_window(rule, line.date_from):
                return rule
        return None

    edits += _structure(claim)
    edits += _parties(claim, context)
    edits += _names(claim)
    edits += _diagnoses(claim, context)
    edits += _lines(claim, context, zero_allowed)
    edits += _eligibility(context)
    edits += _duplicate(claim, context)
    edits += coding_finding_edits(claim, context.coding_findings)

    for rule in applicable:
        if isinstance(rule, ModifierRequiredRule):
            edits += _modifier_required(rule, claim)
        elif isinstance(rule, NdcRequiredRule):
            edits += _ndc_required(rule, claim)
        elif isinstance(rule, PriorAuthRequiredRule):
            if claim.statement_from is None or _in_window(rule, claim.statement_from):
                needs_auth.update(rule.codes)
        elif isinstance(rule, MaxUnitsPerDayRule):
            edits += _max_units(rule, claim)
        elif isinstance(rule, CoveredDiagnosesRule):
            edits += _covered_diagnoses(rule, claim)
        elif isinstance(rule, TimelyFilingRule):
            if claim.statement_from is None or _in_window(rule, claim.statement_from):
                timely.append(rule)
        elif isinstance(rule, ClaimFormRule):
            edits += _claim_form(rule, claim)
        elif isinstance(rule, ProviderRequiredRule):
            edits += _provider_required(rule, claim)
        elif isinstance(rule, ZeroChargeAllowedRule):
            pass  # read by the LINE_CHARGE_ZERO check above
        else:  # pragma: no cover - the discriminated union is closed
            raise TypeError(f"unknown payer rule {rule!r}")

    edits += _authorizations(claim, context, needs_auth)
    edits += _timely_filing(claim, timely, context)

    return sorted(
        edits,
        key=lambda e: (
            e.line_number is not None,
            e.line_number or 0,
            _SEVERITY_ORDER[e.severity],
            e.code,
            e.message,
        ),
    )


def has_errors(edits: Iterable[Edit]) -> bool:
    """True when any edit blocks submission (claim -> needs_fix)."""
    return any(e.severity is Severity.ERROR for e in edits)

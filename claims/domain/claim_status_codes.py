"""The 277CA code tables in words: claim status category codes (X12 code source 507), claim
status codes (code source 508) and entity identifier codes, with what a biller does about them.

Pure. A 277CA says why a claim was rejected in STC01 as `category:status:entity`, e.g.
`A7:562:85` = "rejected for invalid information: the NPI of the billing provider". The category
says what kind of answer it is; the status code names the data in question; the entity says whose
data. `explain` turns every composite of a claim into one `StatusExplanation`, and `explain_text`
does the same for the `A7:562:85, A6:128` lists stored on claims and events.

The status-code table holds the codes 277CA front-end edits use for claims like ours (drug and
infusion claims, 837P / 837I), not the full list of some 800 codes; an unknown code is shown with
its number and the pointer to the code list, never dropped. Wording follows the published code
list descriptions (X12 external code sources 507 and 508, as maintained by the X12 Claim Status
Code Maintenance Committee), shortened; the fixes are ours.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass

# Code source 507: claim status category codes.
CATEGORIES: dict[str, str] = {
    "A0": "Forwarded to another entity",
    "A1": "Received (not yet accepted for adjudication)",
    "A2": "Accepted into the adjudication system",
    "A3": "Returned as unprocessable: rejected, not entered into adjudication",
    "A4": "Not found in the adjudication system",
    "A5": "Split upon acceptance into adjudication",
    "A6": "Rejected for missing information",
    "A7": "Rejected for invalid information",
    "A8": "Rejected for a relational field in error",
    "DR01": "Data reporting: received",
    "DR02": "Data reporting: accepted",
    "DR03": "Data reporting: returned as unprocessable",
    "DR04": "Data reporting: not found",
    "DR05": "Data reporting: rejected for missing information",
    "DR06": "Data reporting: rejected for invalid information",
    "DR07": "Data reporting: rejected for a relational field in error",
    "DR08": "Data reporting: warning",
    "E0": "Response not possible: error on the submitted data",
    "E1": "Response not possible: system status",
    "E2": "Response not possible: the information holder is not responding",
    "E3": "Correction required: relational fields in error",
    "E4": "Trading partner agreement requirement not met",
}

# What the category means for the biller (the status code says which data).
CATEGORY_ACTIONS: dict[str, str] = {
    "A0": "Nothing to do yet: watch for the next payer's 277CA.",
    "A1": "Nothing to do yet: acceptance or rejection follows.",
    "A2": "Nothing to do: wait for the 835.",
    "A3": "Correct what the status code names, then resubmit the claim as a new original (it was never filed).",
    "A4": "Check the claim number and payer; resubmit if the payer never received it.",
    "A5": "Nothing to do: the payer split the claim and answers each part.",
    "A6": "Add the missing data the status code names, then resubmit (a rejected claim was never filed).",
    "A7": "Correct the data the status code names, then resubmit (a rejected claim was never filed).",
    "A8": "Make the related fields agree (the status codes name them), then resubmit.",
    "E0": "Correct the submitted data and resubmit.",
    "E3": "Make the related fields agree, then resubmit.",
    "E4": "Check the clearinghouse enrollment / trading partner setup before resubmitting.",
}

# Code source 508: claim status codes (the subset 277CA front-end edits use for our claims).
# code -> (words, what to fix; "" when the category's action says it all)
STATUS_CODES: dict[str, tuple[str, str]] = {
    "0": ("Cannot provide further status electronically", ""),
    "1": ("For more detailed information, see the remittance advice", ""),
    "3": ("Adjudicated, awaiting the payment cycle", ""),
    "16": ("Forwarded to the entity named", ""),
    "19": ("The entity acknowledges receipt", ""),
    "20": ("Accepted for processing", ""),
    "21": ("Missing or invalid information", "The other status codes of this rejection name the data."),
    "23": ("Returned to the entity", ""),
    "24": (
        "Entity not approved as an electronic submitter",
        "Check the submitter (ETIN) enrollment with the clearinghouse or payer.",
    ),
    "25": ("Entity not approved", "Check the provider's enrollment with this payer."),
    "26": (
        "Entity not found",
        "Check the identifier of the entity named (NPI, member id) against the payer's records.",
    ),
    "27": (
        "Policy canceled",
        "Re-verify eligibility (270/271); bill the coverage in force on the date of service.",
    ),
    "29": (
        "Subscriber and policy number mismatched",
        "Correct the member id or group number from the insurance card.",
    ),
    "30": (
        "Subscriber and subscriber id mismatched",
        "Correct the subscriber's name or member id to match the card.",
    ),
    "31": ("Subscriber and policyholder name mismatched", "Correct the subscriber's name to match the card."),
    "32": (
        "Subscriber and policy number not found",
        "Correct the member id / group from the card; re-verify eligibility.",
    ),
    "33": (
        "Subscriber and subscriber id not found",
        "Correct the member id (and name, date of birth) from the card; re-verify eligibility.",
    ),
    "35": ("Claim not found", "Check the claim number; resubmit if the payer never received it."),
    "54": (
        "Duplicate of a previously processed claim or line",
        "Do not resubmit: check the earlier claim's status.",
    ),
    "78": (
        "Duplicate of an existing claim or line, awaiting processing",
        "Do not resubmit: the first claim is in process.",
    ),
    "84": (
        "Service not authorized",
        "Put the prior authorization number on the claim (REF*G1) or obtain one.",
    ),
    "85": ("Entity not primary", "Bill the primary payer first, then this one with the primary's payment."),
    "86": (
        "Diagnosis and patient gender mismatch",
        "Check the diagnosis code and the patient's sex in intake.",
    ),
    "88": (
        "Entity not eligible for benefits on the dates of service",
        "Re-verify eligibility for the date of service; bill the coverage in force.",
    ),
    "90": (
        "Entity not eligible for medical benefits on the dates of service",
        "Re-verify eligibility; bill the coverage in force.",
    ),
    "91": (
        "Entity not eligible or not approved for the dates of service",
        "Re-verify eligibility and enrollment.",
    ),
    "97": (
        "Patient eligibility not found with the entity",
        "Re-verify eligibility (270/271) and the member id.",
    ),
    "109": ("Entity not eligible", "Check the entity's enrollment or coverage with this payer."),
    "116": (
        "Claim submitted to the incorrect payer",
        "Check the payer id and the coverage; send to the right payer.",
    ),
    "117": (
        "Claim requires the signature-on-file indicator",
        "Record the patient's signature on file (CLM09/CLM10) and resubmit.",
    ),
    "121": (
        "Service line number greater than the maximum this payer allows",
        "Lower the payer's line limit (Payer.max_claim_lines) so claims are split, and rebuild.",
    ),
    "125": ("Entity's name", "Correct the name of the entity named (as on the card or in NPPES)."),
    "126": ("Entity's address", "Correct the address of the entity named (street, city, state, ZIP)."),
    "128": ("Entity's tax id", "Correct the billing provider's EIN in practice settings."),
    "131": ("Entity's Medicare provider id", "Check the provider's Medicare enrollment (PTAN) for this NPI."),
    "132": ("Entity's Medicaid provider id", "Check the provider's Medicaid enrollment for this NPI."),
    "145": (
        "Entity's specialty / taxonomy code",
        "Correct the provider taxonomy code (PRV) to the one enrolled with the payer.",
    ),
    "153": ("Entity's id number", "Correct the identifier of the entity named."),
    "155": (
        "Entity's relationship to the patient",
        "Correct the patient's relationship to the subscriber on the coverage.",
    ),
    "156": (
        "Patient relationship to the subscriber",
        "Correct the relationship on the coverage (self for Medicare and Medicaid).",
    ),
    "157": ("Entity's gender", "Correct the patient's sex in intake."),
    "158": ("Entity's date of birth", "Correct the date of birth (as on the card)."),
    "162": (
        "Entity's health insurance claim number (HICN)",
        "Use the Medicare Beneficiary Identifier (MBI) from the card.",
    ),
    "163": ("Entity's policy / group number", "Correct the group number on the coverage."),
    "164": ("Entity's contract / member number", "Correct the member id on the coverage (from the card)."),
    "178": ("Submitted charges", "Check the line charges and the claim total."),
    "187": ("Date(s) of service", "Check the service dates (not in the future, within coverage)."),
    "216": ("Drug information", "Check the drug line's NDC, quantity and unit."),
    "218": ("NDC number", "Correct the 11-digit NDC from the vial label."),
    "247": ("Line information", "Check the service line the status names."),
    "249": ("Place of service", "Correct the place of service for the site of care."),
    "252": (
        "Entity's prior authorization / certification number",
        "Put the payer's authorization number on the claim.",
    ),
    "254": (
        "Principal diagnosis code",
        "Correct the principal (first) diagnosis: a billable ICD-10-CM code.",
    ),
    "255": (
        "Diagnosis code",
        "Correct the diagnosis codes: billable ICD-10-CM codes valid on the date of service.",
    ),
    "400": ("Claim is out of balance", "The line charges must add up to the claim total."),
    "402": ("Amount must be greater than zero", "Price the $0 line (charge master) or remove it."),
    "453": (
        "Procedure code modifier(s)",
        "Check the modifiers (JW/JZ, 25, XS, SH/SJ ...) on the line named.",
    ),
    "454": (
        "Procedure code for services rendered",
        "Correct the CPT/HCPCS code: valid on the date of service.",
    ),
    "455": ("Revenue code for services rendered", "Correct the revenue code (0260, 0636, 0258 ...)."),
    "464": (
        "Payer assigned claim control number",
        "A replacement or void must carry the payer's claim number (REF*F8).",
    ),
    "476": ("Missing or invalid units of service", "Correct the units (whole HCPCS billing units)."),
    "477": ("Diagnosis code pointer is missing or invalid", "Point each line at a diagnosis on the claim."),
    "478": ("Claim submitter's identifier", "Check the submitter id (ETIN) in the clearinghouse settings."),
    "480": (
        "Entity's claim filing indicator",
        "Set the payer's claim filing indicator (SBR09: CH TRICARE, CI, BL ...).",
    ),
    "481": (
        "Claim / submission format is invalid",
        "Check the 837 against the implementation guide (the 999 names the segment).",
    ),
    "484": ("Business application currently not available", "Resubmit later."),
    "495": (
        "Re-adjudication must reference the newly assigned payer claim number",
        "Use the latest payer claim number of the adjusted claim in the replacement.",
    ),
    "496": (
        "Submitter not approved to submit electronic claims for this entity",
        "Enroll the billing provider with the clearinghouse / payer for EDI.",
    ),
    "500": (
        "Entity's postal / ZIP code",
        "Correct the ZIP code (the billing and service addresses need ZIP+4).",
    ),
    "501": ("Entity's state / province", "Correct the two-letter state code."),
    "502": ("Entity's city", "Correct the city."),
    "503": ("Entity's street address", "Correct the street address (no P.O. box for the billing provider)."),
    "504": ("Entity's last name", "Correct the last name as on the card."),
    "505": ("Entity's first name", "Correct the first name as on the card."),
    "507": ("HCPCS", "Correct the HCPCS code: valid on the date of service."),
    "510": ("Future date", "A service date or other date is after the file date: correct it."),
    "511": (
        "Invalid character",
        "Remove the character (names and addresses go in the X12 basic character set).",
    ),
    "512": ("Length invalid for the receiver's application system", "Shorten the value the status names."),
    "535": ("Claim frequency code", "Use 1 for an original, 7 for a replacement, 8 for a void."),
    "538": ("Claim or encounter identifier", "Check the patient control number (CLM01)."),
    "562": (
        "Entity's National Provider Identifier (NPI)",
        "Correct the NPI of the entity named (from NPPES) or enroll it with the payer.",
    ),
    "583": ("Line item charge amount", "Check the charge on the line named."),
    "584": ("Line item control number", "Each line needs its own control number (REF*6R)."),
    "674": ("Authorization exceeded", "Request more authorized units or bill only the authorized ones."),
    "684": (
        "Rejected: syntax error noted for this claim",
        "See the 999 for the segment and element in error.",
    ),
    "700": ("ICD-10 code", "Correct the ICD-10-CM code: billable, all required characters."),
    "718": (
        "Claim not submitted within the required timeframe (timely filing)",
        "Check for proof of timely filing; else write off.",
    ),
    "724": ("Drug quantity", "Correct the NDC quantity and unit (CTP04/CTP05)."),
    "732": ("Information inconsistent with billing guidelines", "The other status codes name the data."),
    "743": (
        "Entity's credential / enrollment information",
        "Check the provider's enrollment with this payer.",
    ),
}

# Entity identifier codes (X12 element 98) seen in STC01-3 and the NM1 loops of an 837.
ENTITIES: dict[str, str] = {
    "03": "dependent",
    "1P": "provider",
    "40": "receiver",
    "41": "submitter",
    "71": "attending provider",
    "72": "operating physician",
    "77": "service location",
    "82": "rendering provider",
    "85": "billing provider",
    "87": "pay-to provider",
    "DK": "ordering provider",
    "DN": "referring provider",
    "DQ": "supervising provider",
    "GB": "other insured",
    "IL": "insured / subscriber",
    "PR": "payer",
    "QC": "patient",
    "TT": "transfer-to entity",
}

_COMPOSITE = re.compile(r"\b((?:A|DR|E|P|F|R)\d{1,2}):(\d{1,4})(?::([0-9A-Z]{2,3}))?\b")


@dataclass(frozen=True, slots=True)
class StatusExplanation:
    code: str  # as sent, e.g. A7:562:85
    category: str  # words for the category
    status: str  # words for the status code, with whose data
    fix: str  # what the biller does
    rejected: bool


_REJECTING = frozenset(
    {"A3", "A4", "A6", "A7", "A8", "DR03", "DR04", "DR05", "DR06", "DR07", "E0", "E3", "E4"}
)


def explain_one(category: str, status: str, entity: str | None = None) -> StatusExplanation:
    words, fix = STATUS_CODES.get(status, (f"status code {status} (see the X12 claim status code list)", ""))
    whose = ENTITIES.get(entity, f"entity {entity}") if entity else ""
    code = f"{category}:{status}" + (f":{entity}" if entity else "")
    return StatusExplanation(
        code=code,
        category=CATEGORIES.get(category, f"category {category}"),
        status=f"{words} ({whose})" if whose else words,
        fix=fix or CATEGORY_ACTIONS.get(category, ""),
        rejected=category in _REJECTING,
    )


def explain(statuses: Iterable[tuple[str, str, str | None]]) -> list[StatusExplanation]:
    """One explanation per (category, status, entity) composite, in order."""
    return [explain_one(category, status, entity) for category, status, entity in statuses]


def explain_text(text: str) -> list[StatusExplanation]:
    """The composites found in a stored reason such as '277CA rejected (A7:562:85, A6:128): ...'."""
    return [explain_one(c, s, e or None) for c, s, e in _COMPOSITE.findall(text or "")]


def describe(explanations: Iterable[StatusExplanation]) -> str:
    """'A7:562:85 Rejected for invalid information: Entity's NPI (billing provider)' joined by '; '."""
    return "; ".join(f"{e.code} {e.category}: {e.status}" for e in explanations)

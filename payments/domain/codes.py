"""Code lists of the 835 (ASC X12 005010X221A1) that carry money meaning, with their meanings.

Pure module. Each closed list is a StrEnum (the value is the code as it appears in the file) so a
reader refuses a code outside it; `meaning` gives the text a biller reads. CARC and RARC
descriptions are not here: the denials app owns the reason-code catalogue, and the 835 reader
only carries the codes through.

Sources: 005010X221A1 element notes for BPR01 (handling code), BPR03, BPR04, CLP02 (claim status),
CAS01 (claim adjustment group), PLB03-1 (adjustment reason, data element 426), SVC01-1 (product
or service id qualifier), AMT01 / QTY01 qualifiers of loops 2100 and 2110; Washington Publishing
Company code lists as republished by CMS for the Medicare remittance advice.
"""

from __future__ import annotations

from enum import StrEnum


class _Coded(StrEnum):
    """A closed X12 code list; `meaning` reads the module table named in `_meanings`."""

    @property
    def meaning(self) -> str:
        return _MEANINGS[type(self)][self.value]


class HandlingCode(_Coded):
    """BPR01: what the transaction carries besides the remittance detail."""

    PAYMENT_WITH_REMITTANCE = "C"
    PAYMENT_ONLY = "D"
    NOTIFICATION_ONLY = "H"
    REMITTANCE_ONLY = "I"
    PRENOTIFICATION = "P"
    SPLIT_PAYMENT_AND_REMITTANCE = "U"
    HANDLING_PARTY_SPLITS = "X"


class CreditDebit(_Coded):
    """BPR03: credit (money to the provider) or debit (money taken back)."""

    CREDIT = "C"
    DEBIT = "D"


class PaymentMethod(_Coded):
    """BPR04: how the money moves."""

    ACH = "ACH"
    FINANCIAL_INSTITUTION_OPTION = "BOP"
    CHECK = "CHK"
    WIRE = "FWT"
    NON_PAYMENT = "NON"


class ClaimStatus(_Coded):
    """CLP02: how the payer processed the claim (not the claim's status in our own workflow)."""

    PRIMARY = "1"
    SECONDARY = "2"
    TERTIARY = "3"
    DENIED = "4"
    PRIMARY_FORWARDED = "19"
    SECONDARY_FORWARDED = "20"
    TERTIARY_FORWARDED = "21"
    REVERSAL = "22"
    NOT_OUR_CLAIM_FORWARDED = "23"
    PREDETERMINATION = "25"

    @property
    def forwarded(self) -> bool:
        """The payer sent the claim on to another payer (crossover), named in NM1*TT."""
        return self in (
            ClaimStatus.PRIMARY_FORWARDED,
            ClaimStatus.SECONDARY_FORWARDED,
            ClaimStatus.TERTIARY_FORWARDED,
            ClaimStatus.NOT_OUR_CLAIM_FORWARDED,
        )


class AdjustmentGroup(_Coded):
    """CAS01: who bears an adjustment."""

    CONTRACTUAL = "CO"
    PATIENT_RESPONSIBILITY = "PR"
    OTHER = "OA"
    PAYER_INITIATED = "PI"
    CORRECTION_REVERSAL = "CR"  # not used in 005010; still read (a 4010 habit of some payers)


class PlbReason(_Coded):
    """PLB03-1 (and -05, -07 ...): why a provider-level amount changes the payment."""

    LATE_CHARGE = "50"
    INTEREST_PENALTY = "51"
    AUTHORIZED_RETURN = "72"
    EARLY_PAYMENT_ALLOWANCE = "90"
    ORIGINATION_FEE = "AH"
    APPLIED_TO_BORROWER = "AM"
    ACCELERATION_OF_BENEFITS = "AP"
    REBATE = "B2"
    RECOVERY_ALLOWANCE = "B3"
    BAD_DEBT = "BD"
    BONUS = "BN"
    TEMPORARY_ALLOWANCE = "C5"
    CAPITATION_INTEREST = "CR"
    ADJUSTMENT = "CS"
    CAPITATION_PAYMENT = "CT"
    CAPITAL_PASSTHRU = "CV"
    CRNA_PASSTHRU = "CW"
    DIRECT_MEDICAL_EDUCATION_PASSTHRU = "DM"
    WITHHOLDING = "E3"
    FORWARDING_BALANCE = "FB"
    FUND_ALLOCATION = "FC"
    GRADUATE_MEDICAL_EDUCATION_PASSTHRU = "GO"
    HEMOPHILIA_CLOTTING_FACTOR = "HM"
    INCENTIVE_PREMIUM = "IP"
    IRS_WITHHOLDING = "IR"
    INTERIM_SETTLEMENT = "IS"
    NONREIMBURSABLE = "J1"
    PENALTY = "L3"
    INTEREST_OWED = "L6"
    LEVY = "LE"
    LUMP_SUM = "LS"
    ORGAN_ACQUISITION_PASSTHRU = "OA"
    OFFSET_AFFILIATED_PROVIDERS = "OB"
    PERIODIC_INTERIM_PAYMENT = "PI"
    PAYMENT_FINAL = "PL"
    RETRO_ACTIVITY = "RA"
    RETURN_ON_EQUITY = "RE"
    STUDENT_LOAN_REPAYMENT = "SL"
    THIRD_PARTY_LIABILITY = "TL"
    OVERPAYMENT_RECOVERY = "WO"
    UNSPECIFIED_RECOVERY = "WU"


class ProcedureQualifier(_Coded):
    """SVC01-1 / SVC06-1: which code set the service code is from."""

    ADA = "AD"
    JURISDICTION = "ER"
    HCPCS = "HC"
    HIPPS = "HP"
    HIEC = "IV"
    NDC = "N4"
    NUBC_REVENUE = "NU"
    UPC = "UI"
    ABC = "WK"


_MEANINGS: dict[type[_Coded], dict[str, str]] = {
    HandlingCode: {
        "C": "payment accompanies the remittance advice",
        "D": "make payment only (remittance sent separately)",
        "H": "notification only, no payment",
        "I": "remittance information only (payment sent separately)",
        "P": "prenotification of a future transfer",
        "U": "split payment and remittance",
        "X": "handling party's option to split payment and remittance",
    },
    CreditDebit: {"C": "credit", "D": "debit"},
    PaymentMethod: {
        "ACH": "automated clearing house (EFT)",
        "BOP": "financial institution option",
        "CHK": "check",
        "FWT": "federal reserve funds / wire transfer",
        "NON": "non-payment data",
    },
    ClaimStatus: {
        "1": "processed as primary",
        "2": "processed as secondary",
        "3": "processed as tertiary",
        "4": "denied",
        "19": "processed as primary, forwarded to additional payer(s)",
        "20": "processed as secondary, forwarded to additional payer(s)",
        "21": "processed as tertiary, forwarded to additional payer(s)",
        "22": "reversal of previous payment",
        "23": "not our claim, forwarded to additional payer(s)",
        "25": "predetermination pricing only, no payment",
    },
    AdjustmentGroup: {
        "CO": "contractual obligation (provider write-off, not billable to the patient)",
        "PR": "patient responsibility",
        "OA": "other adjustment",
        "PI": "payer-initiated reduction",
        "CR": "correction or reversal (not used in 005010)",
    },
    PlbReason: {
        "50": "late charge",
        "51": "interest penalty charge",
        "72": "authorized return (refund received by the payer)",
        "90": "early payment allowance",
        "AH": "origination fee",
        "AM": "applied to borrower's account",
        "AP": "acceleration of benefits",
        "B2": "rebate",
        "B3": "recovery allowance",
        "BD": "bad debt adjustment",
        "BN": "bonus",
        "C5": "temporary allowance",
        "CR": "capitation interest",
        "CS": "adjustment",
        "CT": "capitation payment",
        "CV": "capital passthru",
        "CW": "certified registered nurse anesthetist passthru",
        "DM": "direct medical education passthru",
        "E3": "withholding",
        "FB": "forwarding balance",
        "FC": "fund allocation",
        "GO": "graduate medical education passthru",
        "HM": "hemophilia clotting factor supplement",
        "IP": "incentive premium payment",
        "IR": "internal revenue service withholding",
        "IS": "interim settlement",
        "J1": "nonreimbursable",
        "L3": "penalty",
        "L6": "interest owed",
        "LE": "levy",
        "LS": "lump sum",
        "OA": "organ acquisition passthru",
        "OB": "offset for affiliated providers",
        "PI": "periodic interim payment",
        "PL": "payment final",
        "RA": "retro-activity adjustment",
        "RE": "return on equity",
        "SL": "student loan repayment",
        "TL": "third party liability",
        "WO": "overpayment recovery",
        "WU": "unspecified recovery",
    },
    ProcedureQualifier: {
        "AD": "American Dental Association codes",
        "ER": "jurisdiction-specific procedure or supply code",
        "HC": "HCPCS / CPT code",
        "HP": "HIPPS skilled nursing facility rate code",
        "IV": "home infusion EDI coalition (HIEC) product/service code",
        "N4": "national drug code (5-4-2)",
        "NU": "NUBC revenue code",
        "UI": "universal product code",
        "WK": "advanced billing concepts (ABC) code",
    },
}

# AMT01 of loop 2100 (claim supplemental information) and 2110 (service supplemental amount).
AMOUNT_QUALIFIERS: dict[str, str] = {
    "AU": "coverage amount",
    "B6": "allowed (actual)",
    "D8": "discount amount",
    "DY": "per day limit",
    "F5": "patient amount paid",
    "I": "interest",
    "KH": "deduction amount (late filing reduction)",
    "NL": "negative ledger balance",
    "T": "tax",
    "T2": "total claim before taxes",
    "ZK": "federal Medicare or Medicaid payment mandate, category 1",
    "ZL": "federal Medicare or Medicaid payment mandate, category 2",
    "ZM": "federal Medicare or Medicaid payment mandate, category 3",
    "ZN": "federal Medicare or Medicaid payment mandate, category 4",
    "ZO": "federal Medicare or Medicaid payment mandate, category 5",
}

# QTY01 of loops 2100 (claim supplemental information quantity) and 2110.
QUANTITY_QUALIFIERS: dict[str, str] = {
    "CA": "covered (actual)",
    "CD": "co-insured (actual)",
    "LA": "life-time reserve (actual)",
    "LE": "life-time reserve (estimated)",
    "NE": "non-covered (estimated)",
    "NR": "not replaced blood units",
    "OU": "outlier days",
    "PS": "prescription",
    "VS": "visits",
    "ZK": "federal Medicare or Medicaid payment mandate, category 1",
    "ZL": "federal Medicare or Medicaid payment mandate, category 2",
    "ZM": "federal Medicare or Medicaid payment mandate, category 3",
    "ZN": "federal Medicare or Medicaid payment mandate, category 4",
    "ZO": "federal Medicare or Medicaid payment mandate, category 5",
}

# Elements of the summary segments read as (element, value) pairs; the names are the guide's.
# TS3-06..12, 14, 16 and 19 are "not used" in 005010 but still sent by some payers (their 004010
# meanings are given so a biller can read them).
SUMMARY_ELEMENTS: dict[str, str] = {
    "TS305": "total claim charge amount",
    "TS306": "total covered charge amount (004010)",
    "TS307": "total noncovered charge amount (004010)",
    "TS308": "total denied charge amount (004010)",
    "TS309": "total provider payment amount (004010)",
    "TS310": "total interest amount (004010)",
    "TS311": "total contractual adjustment amount (004010)",
    "TS312": "total Gramm-Rudman reduction amount (004010)",
    "TS313": "total MSP payer amount",
    "TS314": "total blood deductible amount (004010)",
    "TS315": "total non-lab charge amount",
    "TS316": "total coinsurance amount (004010)",
    "TS317": "total HCPCS reported charge amount",
    "TS318": "total HCPCS payable amount",
    "TS319": "total deductible amount (004010)",
    "TS320": "total professional component amount",
    "TS321": "total MSP patient liability met amount",
    "TS322": "total patient reimbursement amount",
    "TS323": "total PIP claim count",
    "TS324": "total PIP adjustment amount",
    "TS201": "total DRG amount",
    "TS202": "total federal specific amount",
    "TS203": "total hospital specific amount",
    "TS204": "total disproportionate share amount",
    "TS205": "total capital amount",
    "TS206": "total indirect medical education amount",
    "TS207": "total outlier day count",
    "TS208": "total day outlier amount",
    "TS209": "total cost outlier amount",
    "TS210": "average DRG length of stay",
    "TS211": "total discharge count",
    "TS212": "total cost report day count",
    "TS213": "total covered day count",
    "TS214": "total noncovered day count",
    "TS215": "total MSP pass-through amount",
    "TS216": "average DRG weight",
    "TS217": "total PPS capital FSP DRG amount",
    "TS218": "total PPS capital HSP DRG amount",
    "TS219": "total PPS DSH DRG amount",
    "MIA02": "PPS operating outlier amount",
    "MIA04": "claim DRG amount",
    "MIA06": "claim disproportionate share amount",
    "MIA07": "claim MSP pass-through amount",
    "MIA08": "claim PPS capital amount",
    "MIA09": "PPS capital FSP DRG amount",
    "MIA10": "PPS capital HSP DRG amount",
    "MIA11": "PPS capital DSH DRG amount",
    "MIA12": "old capital amount",
    "MIA13": "PPS capital IME amount",
    "MIA14": "PPS operating hospital specific DRG amount",
    "MIA16": "PPS operating federal specific DRG amount",
    "MIA17": "claim PPS capital outlier amount",
    "MIA18": "claim indirect teaching amount",
    "MIA19": "nonpayable professional component amount",
    "MIA24": "PPS capital exception amount",
}
